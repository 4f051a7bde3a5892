"""The hiring pipeline's stages, in order, with their display label and colours.

This table is the only place that knows them; the API's stage filters, the Slack pipeline
view and validation all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    APPLIED = "Applied"
    RESUME_SCREENING = "Resume Screening"
    ASSESSMENTS = "Assessments"
    INTERVIEW = "Interview"
    OFFER = "Offer"
    HIRED = "Hired"
    REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class StageStyle:
    stage: Stage
    label: str
    background_color: str
    color: str


PIPELINE: tuple[StageStyle, ...] = (
    StageStyle(Stage.APPLIED, "Applied", "bg-blue-50", "text-blue-500"),
    StageStyle(Stage.RESUME_SCREENING, "Resume Screening", "bg-indigo-50", "text-indigo-500"),
    StageStyle(Stage.ASSESSMENTS, "Assessments", "bg-purple-50", "text-purple-500"),
    StageStyle(Stage.INTERVIEW, "Interview", "bg-yellow-50", "text-yellow-600"),
    StageStyle(Stage.OFFER, "Offer", "bg-orange-50", "text-orange-500"),
    StageStyle(Stage.HIRED, "Hired", "bg-green-50", "text-green-600"),
    StageStyle(Stage.REJECTED, "Rejected", "bg-red-50", "text-red-500"),
)

STAGE_VALUES: tuple[str, ...] = tuple(style.stage.value for style in PIPELINE)
