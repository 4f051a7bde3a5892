"""Organizations, users, API tokens and the acting user (`Actor`)."""
