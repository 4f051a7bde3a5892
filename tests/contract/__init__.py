"""The HTTP contract, checked by Schemathesis against a served instance (`run.py`)."""
