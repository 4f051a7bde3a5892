"""Screening: a job's criteria (questions with an expected answer) and candidates' responses."""
