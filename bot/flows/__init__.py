"""The bot's flows: steps the listeners share, in Slack's terms (modals, pipelines,
answers in threads), on top of the domain and the application operations."""
