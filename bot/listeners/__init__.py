"""Registers every Slack listener on the Bolt app (the one wiring place of the bot).

Every listener acknowledges at once and starts its work in the background
(`bot.acknowledge`); a modal submission is checked first (`bot.forms`), so its errors show
inline in the modal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.acknowledge import Listener, acknowledge, after_ack
from bot.blocks import ids
from bot.context import SETTINGS
from bot.errors import on_error
from bot.forms import changes_form, new_job_form, rewrite_form, share_form
from bot.listeners import actions, commands, events, messages, views
from models.settings import Settings

Next = Callable[[], Awaitable[BoltResponse]]


def register(app: AsyncApp, settings: Settings) -> None:
    """Attach commands, actions, views and events to `app`."""
    app.use(_provide(settings))
    app.error(on_error)

    app.command("/job")(after_ack(commands.job_command))
    app.command("/stages")(after_ack(commands.stages_command))

    clicks: dict[str, Listener] = {
        ids.PUBLISH_ACTION: actions.publish,
        ids.REWRITE_ACTION: actions.rewrite,
        ids.SHARE_ACTION: actions.share,
        ids.VIEW_STAGES_ACTION: actions.view_stages,
        ids.RETRY_ACTION: actions.retry,
        ids.CREATE_JOB_ACTION: actions.create_job,
        ids.SHARE_PIPELINE_ACTION: actions.share_pipeline,
        ids.PICK_JOB_ACTIONS[ids.PickPurpose.STAGES]: actions.pick_stages,
        ids.ACCEPT_REWRITE_ACTION: actions.accept_rewrite,
        ids.DISCARD_REWRITE_ACTION: actions.discard_rewrite,
        ids.CHOOSE_CHANGES_ACTION: actions.choose_changes,
        ids.HISTORY_ACTION: actions.history,
        ids.FIX_WORDING_ACTION: actions.fix_wording,
    }
    for action_id, work in clicks.items():
        app.action(action_id)(after_ack(work))
    app.action(ids.ADD_SKILL_ACTION)(after_ack(actions.add_skill))
    app.action(ids.RESTORE_VERSION_ACTION)(after_ack(actions.restore_version))
    # A URL button: Slack opens the link itself and still expects the click acknowledged.
    app.action(ids.OPEN_JOB_ACTION)(acknowledge)

    app.view(ids.NEW_JOB_CALLBACK)(after_ack(views.create_job, new_job_form))
    app.view(ids.REWRITE_CALLBACK)(after_ack(views.start_rewrite, rewrite_form))
    app.view(ids.SHARE_CALLBACK)(after_ack(views.share_job, share_form))
    app.view(ids.CHOOSE_CHANGES_CALLBACK)(after_ack(views.accept_changes, changes_form))

    app.event("app_home_opened")(after_ack(events.publish_home))
    app.event("app_mention")(after_ack(messages.mention))
    app.event("message")(after_ack(messages.message))
    app.action(ids.CONFIRM_PROPOSAL_ACTION)(after_ack(messages.confirm_proposal))
    app.action(ids.CANCEL_PROPOSAL_ACTION)(after_ack(messages.cancel_proposal))
    if not settings.slack_oauth:  # OAuth mode: Bolt's revocation listeners delete the tokens
        app.event("app_uninstalled")(after_ack(events.uninstalled_single_workspace))
        app.event("tokens_revoked")(after_ack(events.uninstalled_single_workspace))


def _provide(settings: Settings) -> Callable[[AsyncBoltContext, Next], Awaitable[BoltResponse]]:
    """A middleware putting the app's settings into each request's context."""

    async def provide_settings(context: AsyncBoltContext, next: Next) -> BoltResponse:
        context[SETTINGS] = settings
        return await next()

    return provide_settings
