"""Every action id, callback id and input id the builders emit, for the listeners to match.

Changing a value here breaks buttons on messages already posted in Slack: add new ids rather
than renaming old ones.
"""

from __future__ import annotations

import re
from enum import StrEnum

# -- Modals (view callback ids) ------------------------------------------------------------
NEW_JOB_CALLBACK = "hirebot_new_job"
REWRITE_CALLBACK = "hirebot_rewrite_job"
SHARE_CALLBACK = "hirebot_share_job"

# -- New-job modal inputs: (block_id, action_id) pairs ---------------------------------------
JOB_TITLE_BLOCK = "job_title"
JOB_TITLE_ACTION = "job_title_input"
JOB_SKILLS_BLOCK = "job_skills"
JOB_SKILLS_ACTION = "job_skills_input"
JOB_EMPLOYMENT_BLOCK = "job_employment_type"
JOB_EMPLOYMENT_ACTION = "job_employment_type_select"
JOB_MIN_EXPERIENCE_BLOCK = "job_min_experience"
JOB_MIN_EXPERIENCE_ACTION = "job_min_experience_input"
JOB_MAX_EXPERIENCE_BLOCK = "job_max_experience"
JOB_MAX_EXPERIENCE_ACTION = "job_max_experience_input"
JOB_LOCATION_BLOCK = "job_location"
JOB_LOCATION_ACTION = "job_location_input"
JOB_NOTES_BLOCK = "job_notes"
JOB_NOTES_ACTION = "job_notes_input"

# -- Rewrite modal inputs ------------------------------------------------------------------
REWRITE_JOB_BLOCK = "rewrite_job"
REWRITE_JOB_ACTION = "rewrite_job_select"
REWRITE_INSTRUCTION_BLOCK = "rewrite_instruction"
REWRITE_INSTRUCTION_ACTION = "rewrite_instruction_input"

# -- Share modal inputs --------------------------------------------------------------------
SHARE_USERS_BLOCK = "share_users"
SHARE_USERS_ACTION = "share_users_select"

# -- Buttons on job messages (value: `values.encode_value(...)`, always with the job id) ----
REWRITE_ACTION = "job_rewrite"
SHARE_ACTION = "job_share"
OPEN_JOB_ACTION = "job_open"
"""A URL button: Slack opens the link and still sends an action, which must be acked."""
VIEW_STAGES_ACTION = "job_view_stages"
PUBLISH_ACTION = "job_publish"
RETRY_ACTION = "job_retry"
CREATE_JOB_ACTION = "job_create"
"""App Home's "Create a job" button (no job id: it opens the new-job modal)."""

# -- Buttons on a rewrite proposal ---------------------------------------------------------
ACCEPT_REWRITE_ACTION = "rewrite_accept"
CHOOSE_CHANGES_ACTION = "rewrite_choose_changes"
CHOOSE_CHANGES_CALLBACK = "hirebot_choose_changes"
CHANGE_BLOCK_PREFIX = "change_"
"""Block ids of the modal's per-change checkboxes: `change_<index>`."""
CHANGE_ACTION = "change_accepted"
HISTORY_ACTION = "job_history"
RESTORE_VERSION_ACTION_PREFIX = "version_restore:"
RESTORE_VERSION_ACTION = re.compile(r"^version_restore:\d+$")
FIX_WORDING_ACTION = "job_fix_wording"
DISCARD_REWRITE_ACTION = "rewrite_discard"
ADD_SKILL_ACTION_PREFIX = "rewrite_add_skill:"
"""Action ids must be unique within a block, so each "Add skill" button gets `prefix + n`."""
ADD_SKILL_ACTION = re.compile(r"^rewrite_add_skill:\d+$")
"""Match every "Add skill" button: `app.action(ADD_SKILL_ACTION)`."""

# -- Pipeline ------------------------------------------------------------------------------
SHARE_PIPELINE_ACTION = "pipeline_share"


class PickPurpose(StrEnum):
    """What a job picker message is for; each purpose has its own action id."""

    STAGES = "stages"
    REWRITE = "rewrite"
    SHARE = "share"


PICK_JOB_ACTIONS: dict[PickPurpose, str] = {
    PickPurpose.STAGES: "pick_job_stages",
    PickPurpose.REWRITE: "pick_job_rewrite",
    PickPurpose.SHARE: "pick_job_share",
}
"""Action id of the job picker (a static_select whose option values are job ids)."""

# Conversation: the confirmation card of a proposed write
CONFIRM_PROPOSAL_ACTION = "proposal_confirm"
CANCEL_PROPOSAL_ACTION = "proposal_cancel"
