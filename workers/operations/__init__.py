"""The application operations: use cases that combine the domain with the task queue.

The REST API, the Slack listeners and the conversation's tools all call these, so a rule
such as "the description changed, so structure it again" lives once. Each checks the
actor's access itself (through the domain operations it calls) before queueing anything.
"""
