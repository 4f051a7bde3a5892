"""The few fields of a job the builders read, as protocols.

`models.jobs.schemas.Job` and `JobName` both satisfy them, so a listener passes whichever
it already has.
"""

from __future__ import annotations

from typing import Protocol

from models.enums import JobStatus

_STATUS_LABELS = {
    JobStatus.DRAFT: ":memo: Draft",
    JobStatus.OPEN: ":large_green_circle: Open",
    JobStatus.CLOSED: ":white_circle: Closed",
}


class JobRef(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...


class JobListing(JobRef, Protocol):
    @property
    def status(self) -> JobStatus: ...


def status_label(status: JobStatus) -> str:
    """A job status for humans, with an emoji."""
    return _STATUS_LABELS.get(status, str(status).capitalize())


def job_option_text(job: JobRef) -> str:
    """How a job appears in a picker: its title and id, so equal titles stay apart."""
    return f"{job.title} (#{job.id})"


def candidate_url(public_url: str, public_key: str) -> str:
    """The candidate-facing link of a job (it shows the posting once the job is open)."""
    return f"{public_url.rstrip('/')}/api/jobs/candidate-view/{public_key}"
