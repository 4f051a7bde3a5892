"""Deleting an organization: everything of it, in one transaction, at an Admin's word.

Rows are removed children first: jobs (and with them shares, weights, stage counts,
applications, criteria, responses, filter groups of a job and description versions),
candidates, conversations, model calls, Slack installations, events, then users (and their
tokens) and the organization. Nothing of another organization is touched.
"""

from __future__ import annotations

import logging

from models.db import atomic
from models.errors import Forbidden, Invalid
from models.identity.actor import Actor
from models.tables import (
    Candidate,
    Conversation,
    Event,
    Job,
    ModelCall,
    Organization,
    SlackInstallation,
    User,
)

log = logging.getLogger(__name__)


async def delete_organization(actor: Actor, confirm: str) -> None:
    """Delete the Admin's organization with all its data; `confirm` must be its name."""
    if not actor.is_admin:
        raise Forbidden("only an Admin can delete the organization")
    async with atomic():
        row = (
            await Organization.select(Organization.name)
            .where(Organization.id == actor.org_id)
            .first()
        )
        if row is None or confirm != row["name"]:
            raise Invalid(
                "confirm must be the organization's name, exactly as it is", field="confirm"
            )
        org = actor.org_id
        members = User.select(User.id).where(User.org == org)
        await Job.delete().where(Job.org == org)
        await Candidate.delete().where(Candidate.org == org)
        await Conversation.delete().where(Conversation.org == org)
        await ModelCall.delete().where((ModelCall.org == org) | ModelCall.user.is_in(members))
        await SlackInstallation.delete().where(SlackInstallation.org == org)
        await Event.delete().where(Event.org == org)
        await User.delete().where(User.org == org)
        await Organization.delete().where(Organization.id == org)
    log.info("organization %s deleted by user %s", actor.org_id, actor.user_id)
