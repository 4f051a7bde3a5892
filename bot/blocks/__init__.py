"""Block Kit builders: pure functions from domain shapes to JSON-ready Slack payloads.

No I/O and no Slack client here, so every message and view is unit-tested as a dict. The
listeners import their action and callback ids from `bot.blocks.ids`.
"""
