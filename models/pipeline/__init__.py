"""A job's hiring pipeline: candidates, their applications and per-stage counts."""
