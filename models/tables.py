"""Piccolo tables: the stored shape of Hirebot's data.

Tables never leave `models/`: operations turn rows into the msgspec schemas that the API,
the Slack bot and the workers use. Foreign keys cascade from a job to everything that
describes it; users are never deleted (they are deactivated), so references to them
restrict, and an organization is deleted only as a whole (`models/identity/organization.py`
removes its rows in order).

Composite unique indexes, the (job, stage) index and check constraints are created by the
initial migration's raw step (`models/migrations/`): Piccolo adds constraints with
ALTER TABLE, which SQLite does not support, while CREATE UNIQUE INDEX works on both engines.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Array,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from models.enums import (
    Author,
    CriteriaKind,
    EmploymentType,
    GenerationStatus,
    JobStatus,
    Purpose,
    Role,
    Surface,
    VersionSource,
)
from models.stages import Stage


class Organization(Table):
    id: Serial
    name = Varchar(length=200, help_text="Display name.")
    slack_team_id = Varchar(
        length=32, null=True, default=None, unique=True, help_text="Slack workspace id."
    )
    lists_version = Integer(
        default=0, help_text="Bumped with every change that can alter an Admin's job lists."
    )
    monthly_tokens = Integer(
        null=True,
        default=None,
        help_text="Model tokens allowed per calendar month (UTC); 0 is no limit, null the "
        "HIREBOT_LLM_MONTHLY_TOKENS setting.",
    )
    created_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="app_user"):
    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.restrict, null=False)
    email = Varchar(length=254)
    name = Varchar(length=200)
    role = Varchar(length=16, choices=Role, default=Role.EDITOR)
    slack_user_id = Varchar(length=32, null=True, default=None)
    is_active = Boolean(default=True)
    lists_version = Integer(
        default=0, help_text="Bumped with every change that can alter this user's job lists."
    )
    created_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table):
    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True, help_text="sha256 of the token, hex.")
    prefix = Varchar(length=16, index=True, help_text="First characters, for display.")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Job(Table):
    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.restrict, null=False)
    owner = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    title = Varchar(length=200)
    description = Text(default="")
    must_have_skills = Array(base_column=Varchar(length=100), default=list)
    employment_type = Varchar(length=16, choices=EmploymentType, default=EmploymentType.FULL_TIME)
    min_experience = Integer(default=0)
    max_experience = Integer(default=0)
    location = Varchar(length=200, null=True, default=None)
    status = Varchar(length=8, choices=JobStatus, default=JobStatus.DRAFT, index=True)
    description_status = Varchar(length=8, choices=GenerationStatus, default=GenerationStatus.NONE)
    description_generated_by = Varchar(length=100, null=True, default=None)
    description_generated_at = Timestamptz(null=True, default=None)
    description_error = Text(null=True, default=None, help_text="Why writing it failed.")
    description_draft = Text(
        null=True, default=None, help_text="The text so far, while the model writes it."
    )
    jd_json = JSON(null=True, default=None)
    jd_json_status = Varchar(length=8, choices=GenerationStatus, default=GenerationStatus.NONE)
    jd_json_generated_by = Varchar(length=100, null=True, default=None)
    jd_json_generated_at = Timestamptz(null=True, default=None)
    jd_json_error = Text(null=True, default=None, help_text="Why structuring it failed.")
    public_key = Varchar(length=64, unique=True, help_text="Candidate link key, 256 bits.")
    slack_channel = Varchar(length=32, null=True, default=None)
    slack_thread_ts = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class JobShare(Table):
    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ResumeScoreWeights(Table):
    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False, unique=True)
    skills = Integer(default=40)
    experience = Integer(default=30)
    education = Integer(default=10)
    criteria = Integer(default=20)


class JobStageCount(Table):
    """Applications per stage of a job, kept in step with `Application` in every write."""

    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False)
    stage = Varchar(length=32, choices=Stage)
    total = Integer(default=0)


class Candidate(Table):
    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=200)
    email = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())


class Application(Table):
    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False)
    candidate = ForeignKey(Candidate, on_delete=OnDelete.cascade, null=False, index=True)
    stage = Varchar(length=32, choices=Stage, default=Stage.APPLIED)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FilterGroup(Table):
    id: Serial
    owner = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=200)
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=True, default=None)
    filters = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class Criteria(Table):
    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False, index=True)
    question = Text()
    kind = Varchar(length=8, choices=CriteriaKind, default=CriteriaKind.TEXT)
    options = JSON(default="[]")
    required = Boolean(default=False)
    expected_answer = Text(null=True, default=None)
    weight = Integer(default=1)
    position = Integer(default=0)
    is_deleted = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CandidateResponse(Table):
    id: Serial
    candidate = ForeignKey(Candidate, on_delete=OnDelete.cascade, null=False)
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False, index=True)
    criteria = ForeignKey(Criteria, on_delete=OnDelete.cascade, null=False, index=True)
    response = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Conversation(Table):
    """A conversation with Hirebot: one per Slack thread (a mention's, a DM's, a job's)."""

    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.cascade, null=False)
    team_id = Varchar(length=32)
    channel = Varchar(length=32)
    thread_ts = Varchar(length=32)
    job = ForeignKey(
        Job, on_delete=OnDelete.set_null, null=True, default=None,
        help_text="The job this thread is about (a job's thread, or one drafted here).",
    )  # fmt: skip
    started_by = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ConversationTurn(Table):
    """One message a user wrote, and Hirebot's work on it (model rounds, the answer)."""

    id: Serial
    conversation = ForeignKey(Conversation, on_delete=OnDelete.cascade, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    slack_user_id = Varchar(length=32)
    message_ts = Varchar(length=32, help_text="The Slack message's ts: one turn per message.")
    text = Text()
    status = Varchar(length=16, default="queued", help_text="queued, running, answered, failed")
    answer = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class ConversationMessage(Table):
    """What the model saw and said in a turn: its tool calls, their results, its answer."""

    id: Serial
    turn = ForeignKey(ConversationTurn, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    role = Varchar(length=16, help_text="assistant or tool")
    content = Text(default="")
    tool_calls = JSON(null=True, default=None)
    tool_call_id = Varchar(length=100, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Proposal(Table):
    """A write the model proposed, waiting for the Confirm click of the user who asked."""

    id: Serial
    key = Varchar(length=64, unique=True, help_text="Random id carried by the card's buttons.")
    turn = ForeignKey(ConversationTurn, on_delete=OnDelete.cascade, null=False, index=True)
    tool_call_id = Varchar(length=100)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    slack_user_id = Varchar(length=32)
    tool = Varchar(length=64)
    arguments = JSON(default="{}")
    summary = Text()
    status = Varchar(
        length=16, default="pending", help_text="pending, confirming, done, cancelled, failed"
    )
    outcome = Text(null=True, default=None)
    card_channel = Varchar(length=32, null=True, default=None)
    card_ts = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class ModelCall(Table):
    """One call to the language model (or the offline writer), recorded once: for budgets,
    usage reports and the provenance of what the model wrote."""

    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.restrict, null=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=True)
    purpose = Varchar(length=16, choices=Purpose)
    model = Varchar(length=100)
    prompt_version = Varchar(length=32)
    input_hash = Varchar(length=64, help_text="sha256 of the messages sent, hex.")
    tokens_in = Integer(default=0)
    tokens_out = Integer(default=0)
    latency_ms = Integer(default=0)
    outcome = Varchar(length=8, help_text='"ok" or "failed".')
    error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class DescriptionVersion(Table):
    """One version of a job's description: numbered from 1, with who wrote it and how."""

    id: Serial
    job = ForeignKey(Job, on_delete=OnDelete.cascade, null=False)
    number = Integer()
    text = Text()
    author = Varchar(length=8, choices=Author)
    author_user = ForeignKey(
        User, on_delete=OnDelete.restrict, null=True, help_text="The person, when one wrote it."
    )
    surface = Varchar(length=8, choices=Surface, null=True, default=None)
    source = Varchar(length=16, choices=VersionSource)
    model_call = ForeignKey(ModelCall, on_delete=OnDelete.restrict, null=True)
    model = Varchar(length=100, null=True, default=None)
    accepted_by = ForeignKey(
        User, on_delete=OnDelete.restrict, null=True, help_text="Who asked for or accepted it."
    )
    restored_from = Integer(null=True, default=None, help_text="The version number restored.")
    created_at = Timestamptz(default=TimestamptzNow())


class SlackInstallation(Table):
    """A Slack workspace (or Enterprise Grid organization) that installed Hirebot, one row
    each: its organization, its bot and the installing user, with their tokens encrypted
    (`models/secrets.py`)."""

    id: Serial
    workspace = Varchar(
        length=80, unique=True, help_text="The team id, or 'enterprise:<id>' (org-wide)."
    )
    org = ForeignKey(Organization, on_delete=OnDelete.cascade, null=False, index=True)
    app_id = Varchar(length=32, null=True, default=None)
    enterprise_id = Varchar(length=32, null=True, default=None)
    enterprise_name = Varchar(length=200, null=True, default=None)
    enterprise_url = Varchar(length=300, null=True, default=None)
    team_id = Varchar(length=32, null=True, default=None)
    team_name = Varchar(length=200, null=True, default=None)
    is_enterprise_install = Boolean(default=False)
    token_type = Varchar(length=16, null=True, default=None)
    bot_id = Varchar(length=32, null=True, default=None)
    bot_user_id = Varchar(length=32, null=True, default=None)
    bot_scopes = Text(default="")
    bot_token = Text(null=True, default=None, help_text="Encrypted.")
    bot_refresh_token = Text(null=True, default=None, help_text="Encrypted.")
    bot_token_expires_at = Timestamptz(null=True, default=None)
    user_id = Varchar(length=32, help_text="The Slack user who installed it.")
    user_scopes = Text(default="")
    user_token = Text(null=True, default=None, help_text="Encrypted.")
    user_refresh_token = Text(null=True, default=None, help_text="Encrypted.")
    user_token_expires_at = Timestamptz(null=True, default=None)
    installed_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SlackOAuthState(Table, tablename="slack_oauth_state"):
    """An OAuth `state` handed out by /slack/install: single use, short-lived."""

    id: Serial
    state = Varchar(length=100, unique=True)
    expires_at = Timestamptz()


class OutboxMessage(Table):
    """A task to send to the broker, written in the transaction of the change that implies
    it; sent by the relay (and again by the sweeper until it is done)."""

    id: Serial
    task_name = Varchar(length=100)
    task_id = Varchar(length=64, unique=True)
    kwargs = JSON(default="{}")
    labels = JSON(default="{}")
    available_at = Timestamptz(
        default=TimestamptzNow(), help_text="Not sent before (a retry's backoff, a lease)."
    )
    sends = Integer(default=0, help_text="How many times it was handed to the broker.")
    sent_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class TaskRun(Table):
    """One row per idempotency key: a task run or a Slack delivery that must happen once."""

    id: Serial
    key = Varchar(length=200, unique=True)
    status = Varchar(length=16, default="running")
    result = JSON(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class Event(Table):
    """One change, written in the transaction of the change (`models/events.py`): what
    the audit log, a job's history, the webhooks and the sync read."""

    id: Serial
    event_id = Varchar(length=36, unique=True, help_text="UUID, as integrations see it.")
    org = ForeignKey(Organization, on_delete=OnDelete.cascade, null=False, index=True)
    type = Varchar(length=40, index=True)
    entity_type = Varchar(length=20)
    entity_id = Integer(null=True, default=None)
    job_id = Integer(null=True, default=None, index=True, help_text="Kept after a delete.")
    actor = ForeignKey(User, on_delete=OnDelete.cascade, null=True, default=None)
    surface = Varchar(length=10)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    data = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class WebhookEndpoint(Table):
    """Where an organization's Admins want events sent (`models/webhooks/`)."""

    id: Serial
    org = ForeignKey(Organization, on_delete=OnDelete.cascade, null=False, index=True)
    url = Text(
        help_text="https:// (http and private addresses only with HIREBOT_WEBHOOK_ALLOW_PRIVATE)."
    )
    event_types = JSON(default="[]", help_text='Event types sent, or ["*"] for all.')
    description = Varchar(length=200, default="")
    secret = Text(help_text="The signing secret, sealed with HIREBOT_SECRET_KEY.")
    active = Boolean(default=True)
    disabled_reason = Text(null=True, default=None, help_text="Why Hirebot turned it off (a 410).")
    created_by = ForeignKey(User, on_delete=OnDelete.cascade, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table):
    """One event on its way to one endpoint: written with the event (the outbox), sent by
    the delivery worker (`workers/webhooks.py`) in order per entity."""

    id: Serial
    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade, null=False)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    ordering_key = Varchar(length=40, help_text="Deliveries with the same key go in order.")
    state = Varchar(length=10, default="pending", help_text="pending, delivered or failed.")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), help_text="Due, or leased until.")
    last_status_code = Integer(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table):
    """One try of a delivery: what the receiver answered and how long it took."""

    id: Serial
    delivery = ForeignKey(WebhookDelivery, on_delete=OnDelete.cascade, null=False, index=True)
    attempted_at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    latency_ms = Integer(default=0)
    error = Text(null=True, default=None)


ALL_TABLES: list[type[Table]] = [
    Organization,
    User,
    ApiToken,
    Job,
    JobShare,
    ResumeScoreWeights,
    JobStageCount,
    Candidate,
    Application,
    FilterGroup,
    Criteria,
    CandidateResponse,
    Conversation,
    ConversationTurn,
    ConversationMessage,
    Proposal,
    ModelCall,
    DescriptionVersion,
    SlackInstallation,
    SlackOAuthState,
    OutboxMessage,
    TaskRun,
    Event,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
]
