"""Filter groups: a user's saved candidate filters, optionally tied to a job they can see."""
