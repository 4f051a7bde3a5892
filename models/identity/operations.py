"""Organizations, users and API tokens: creation, lookup, authentication.

Tokens are stored as sha256 hashes; the plain token exists only in the value returned by
`issue_token`. Role changes and deactivation are Admin actions scoped to one organization.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models import events, list_versions
from models.db import atomic, insert_one, is_postgres
from models.enums import Role, Surface
from models.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from models.events import EntityType, EventSurface, EventType
from models.identity import schemas
from models.identity.actor import Actor
from models.ids import MAX_ID
from models.tables import ApiToken, Organization, User
from models.text import check_text, is_blank

TOKEN_PREFIX = "hb_"
_PREFIX_LENGTH = 10
# last_used_at is a hint for admins, not an audit log: write it at most this often.
_LAST_USED_RESOLUTION = timedelta(minutes=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def org_out(row: dict[str, Any]) -> schemas.Organization:
    return schemas.Organization(id=row["id"], name=row["name"], slack_team_id=row["slack_team_id"])


def user_out(row: dict[str, Any]) -> schemas.User:
    return schemas.User(
        id=row["id"],
        org_id=row["org"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        slack_user_id=row["slack_user_id"],
        is_active=bool(row["is_active"]),
        created_at=row["created_at"],
    )


def token_out(row: dict[str, Any]) -> schemas.ApiToken:
    return schemas.ApiToken(
        id=row["id"],
        user_id=row["user"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


def actor_of(user: schemas.User, surface: Surface = Surface.API) -> Actor:
    return Actor(
        user_id=user.id,
        org_id=user.org_id,
        role=user.role,
        name=user.name,
        email=user.email,
        surface=surface,
    )


def _clean_name(value: str, field: str) -> str:
    cleaned = value.strip()
    if is_blank(cleaned) or len(cleaned) > 200:
        raise Invalid(f"{field} must be 1 to 200 characters", field=field)
    check_text({field: cleaned})
    return cleaned


def _clean_email(value: str) -> str:
    cleaned = value.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254 or "\x00" in cleaned:
        raise Invalid(f"{value!r} is not an email address", field="email")
    return cleaned


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid(
            f"role must be one of {', '.join(r.value for r in Role)}", field="role"
        ) from None


# Organizations -----------------------------------------------------------------------------


async def create_org(name: str, slack_team_id: str | None = None) -> schemas.Organization:
    name = _clean_name(name, "name")
    async with atomic():
        if await Organization.exists().where(Organization.name == name):
            raise Conflict(f"an organization named {name!r} already exists", field="name")
        row = await insert_one(Organization(name=name, slack_team_id=slack_team_id))
    return org_out(row)


async def get_org_by_name(name: str) -> schemas.Organization:
    row = await Organization.select().where(Organization.name == name.strip()).first()
    if row is None:
        raise NotFound(f"no organization named {name!r}", field="org")
    return org_out(row)


# Users -------------------------------------------------------------------------------------


async def create_user(
    org_id: int,
    email: str,
    name: str,
    role: str | Role = Role.EDITOR,
    slack_user_id: str | None = None,
    *,
    by: Actor | None = None,
) -> schemas.User:
    """Add a user to an organization: by an Admin (`by`), or from the CLI."""
    email, name, role = _clean_email(email), _clean_name(name, "name"), _role(role)
    async with atomic():
        if await User.exists().where((User.org == org_id) & (User.email == email)):
            raise Conflict(f"a user with email {email} already exists", field="email")
        row = await insert_one(
            User(org=org_id, email=email, name=name, role=role, slack_user_id=slack_user_id)
        )
        await events.record(
            EventType.USER_CREATED,
            org_id,
            EntityType.USER,
            row["id"],
            actor=by,
            surface=None if by else EventSurface.CLI,
            after={"email": email, "name": name, "role": role},
        )
    return user_out(row)


async def get_user_by_email(email: str, org_name: str | None = None) -> schemas.User:
    email = email.strip().lower()
    query = User.select(*User.all_columns()).where(User.email == email)
    if org_name is not None:
        query = query.where(User.org.name == org_name)
    rows = await query.limit(2)
    if not rows and org_name is not None:
        await get_org_by_name(org_name)  # "no organization named ..." first
        elsewhere = await User.select(User.org.name.as_alias("org_name")).where(User.email == email)
        if elsewhere:
            names = ", ".join(sorted(repr(row["org_name"]) for row in elsewhere))
            raise NotFound(
                f"{email} is not a user of {org_name.strip()!r} (it is a user of {names})",
                field="email",
            )
        raise NotFound(f"no user with email {email} in {org_name.strip()!r}", field="email")
    if not rows:
        raise NotFound(f"no user with email {email}", field="email")
    if len(rows) > 1:
        raise Invalid(
            f"{email} exists in several organizations; name the organization", field="org"
        )
    return user_out(rows[0])


async def all_users(org_name: str | None = None) -> list[schemas.UserEntry]:
    """Every user (of one organization, if named) with their organization: for operators."""
    query = User.select(*User.all_columns(), User.org.name.as_alias("org_name"))
    if org_name is not None:
        org = await get_org_by_name(org_name)
        query = query.where(User.org == org.id)
    rows = await query.order_by(User.org).order_by(User.id)
    return [schemas.UserEntry(user=user_out(row), org_name=row["org_name"]) for row in rows]


async def list_users(actor: Actor) -> list[schemas.User]:
    _require_admin(actor)
    rows = await User.select().where(User.org == actor.org_id).order_by(User.id)
    return [user_out(row) for row in rows]


async def add_user(actor: Actor, data: schemas.UserCreate) -> schemas.User:
    """An Admin adds a user to their own organization."""
    _require_admin(actor)
    return await create_user(actor.org_id, data.email, data.name, data.role, by=actor)


async def update_user(actor: Actor, user_id: int, data: schemas.UserUpdate) -> schemas.User:
    """An Admin renames, changes the role of, or (de)activates a user of their organization."""
    _require_admin(actor)
    changes: dict[Any, Any] = {}
    if data.name is not msgspec.UNSET:
        changes[User.name] = _clean_name(data.name, "name")
    if data.role is not msgspec.UNSET:
        changes[User.role] = data.role
    if data.is_active is not msgspec.UNSET:
        changes[User.is_active] = data.is_active
    if data.slack_user_id is not msgspec.UNSET:
        changes[User.slack_user_id] = data.slack_user_id
    async with atomic():
        row = (
            await User.select().where((User.id == user_id) & (User.org == actor.org_id)).first()
            if 0 < user_id <= MAX_ID
            else None
        )
        if row is None:
            raise NotFound(f"user {user_id} not found")
        demotes_self = user_id == actor.user_id and (
            changes.get(User.role, Role.ADMIN) != Role.ADMIN or changes.get(User.is_active) is False
        )
        if demotes_self and not await _another_active_admin(actor):
            raise Conflict("an organization needs at least one active Admin")
        linked = changes.get(User.slack_user_id)
        taken = (User.org == actor.org_id) & (User.slack_user_id == linked) & (User.id != user_id)
        if linked is not None and await User.exists().where(taken):
            raise Conflict(
                f"Slack user {linked} is already linked to another user of this organization",
                field="slack_user_id",
            )
        if changes:
            await User.update(changes).where(User.id == user_id)
            # A role change or deactivation changes what the user's job lists contain.
            await list_versions.users_changed([user_id])
        [updated] = await User.select().where(User.id == user_id)
        await _record_user_update(actor, row, updated)
    return user_out(updated)


async def _record_user_update(actor: Actor, row: dict[str, Any], updated: dict[str, Any]) -> None:
    """user.role_changed for a new role, user.updated for the other fields."""
    audited = ("name", "role", "is_active", "slack_user_id")
    before, after = events.changed({n: row[n] for n in audited}, {n: updated[n] for n in audited})
    if "role" in after:
        await events.record(
            EventType.USER_ROLE_CHANGED,
            actor.org_id,
            EntityType.USER,
            row["id"],
            actor=actor,
            before={"role": before.pop("role")},
            after={"role": after.pop("role")},
        )
    if after:
        await events.record(
            EventType.USER_UPDATED,
            actor.org_id,
            EntityType.USER,
            row["id"],
            actor=actor,
            before=before,
            after=after,
        )


async def _another_active_admin(actor: Actor) -> bool:
    return await User.exists().where(
        (User.org == actor.org_id)
        & (User.role == Role.ADMIN)
        & (User.is_active == True)  # noqa: E712 - Piccolo builds SQL from this comparison
        & (User.id != actor.user_id)
    )


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only Admins manage users")


# Tokens ------------------------------------------------------------------------------------


async def issue_token(
    user_id: int, name: str = "default", *, replace: bool = False
) -> schemas.IssuedToken:
    """A new token for the user; `replace` first revokes their active tokens of that name."""
    name = _clean_name(name, "name")
    if replace:
        async with atomic():
            await ApiToken.update({ApiToken.revoked_at: _now()}).where(
                (ApiToken.user == user_id) & (ApiToken.name == name) & ApiToken.revoked_at.is_null()
            )
            return await issue_token(user_id, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await insert_one(
        ApiToken(
            user=user_id, name=name, token_hash=hash_token(token), prefix=token[:_PREFIX_LENGTH]
        )
    )
    return schemas.IssuedToken(token=token, info=token_out(row))


async def revoke_token(prefix: str) -> schemas.ApiToken:
    prefix = prefix.strip()
    if len(prefix) < 6:
        raise Invalid("give at least the first 6 characters of the token", field="prefix")
    async with atomic():
        rows = await ApiToken.select().where(
            ApiToken.prefix.like(f"{prefix[:_PREFIX_LENGTH]}%") & ApiToken.revoked_at.is_null()
        )
        rows = [row for row in rows if row["prefix"].startswith(prefix[:_PREFIX_LENGTH])]
        if not rows:
            raise NotFound(f"no active token starts with {prefix}", field="prefix")
        if len(rows) > 1:
            raise Invalid(f"{len(rows)} tokens start with {prefix}; give more characters")
        [row] = (
            await ApiToken.update({ApiToken.revoked_at: _now()})
            .where(ApiToken.id == rows[0]["id"])
            .returning(*ApiToken.all_columns())
        )
    return token_out(row)


async def all_tokens(
    org_name: str | None = None, email: str | None = None, *, revoked: bool = False
) -> list[schemas.TokenEntry]:
    """Tokens (active ones unless `revoked`), of one organization or user if named, with
    their owners: for operators. Secrets are not stored, so none can be shown."""
    query = ApiToken.select(
        *ApiToken.all_columns(),
        ApiToken.user.email.as_alias("owner_email"),
        ApiToken.user._.org._.name.as_alias("org_name"),
    )
    if org_name is not None:
        org = await get_org_by_name(org_name)
        query = query.where(ApiToken.user._.org == org.id)
    if email is not None:
        query = query.where(ApiToken.user.email == email.strip().lower())
    if not revoked:
        query = query.where(ApiToken.revoked_at.is_null())
    rows = await query.order_by(ApiToken.id)
    return [
        schemas.TokenEntry(
            token=token_out(row), owner_email=row["owner_email"], org_name=row["org_name"]
        )
        for row in rows
    ]


async def token_is_active(token: str, user_id: int, name: str) -> bool:
    """Whether `token` is an unrevoked token of this user with this name (changes nothing)."""
    return await ApiToken.exists().where(
        (ApiToken.token_hash == hash_token(token))
        & (ApiToken.user == user_id)
        & (ApiToken.name == name)
        & ApiToken.revoked_at.is_null()
    )


# Every API request runs this query. Written as SQL because building the equivalent Piccolo
# select (with its join) cost ~1.4 ms of CPU per request, several times the query itself.
_AUTHENTICATE = (
    'SELECT t.id, t.last_used_at, t.revoked_at, u.id AS "user.id", u.org AS "user.org", '
    'u.role AS "user.role", u.name AS "user.name", u.email AS "user.email", '
    'u.is_active AS "user.is_active" '
    'FROM api_token t JOIN app_user u ON u.id = t."user" WHERE t.token_hash = {}'
)


async def authenticate(token: str) -> Actor:
    """The actor behind a bearer token; Unauthenticated when unknown, revoked or inactive."""
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("invalid token")
    rows = await ApiToken.raw(_AUTHENTICATE, hash_token(token))
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None:
        raise Unauthenticated("invalid or revoked token")
    if not row["user.is_active"]:
        raise Unauthenticated("this user is deactivated")
    now = _now()
    last_used = row["last_used_at"]
    if last_used is None or now - _aware(last_used) > _LAST_USED_RESOLUTION:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Actor(
        user_id=row["user.id"],
        org_id=row["user.org"],
        role=Role(row["user.role"]),
        name=row["user.name"],
        email=row["user.email"],
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def get_user(user_id: int) -> schemas.User:
    row = await User.select().where(User.id == user_id).first()
    if row is None:
        raise NotFound(f"user {user_id} not found")
    return user_out(row)


async def get_actor(user_id: int, surface: Surface = Surface.API) -> Actor:
    row = await User.select().where(User.id == user_id).first()
    if row is None or not row["is_active"]:
        raise NotFound(f"user {user_id} not found")
    return actor_of(user_out(row), surface)


# Slack identity ----------------------------------------------------------------------------


async def resolve_slack_actor(
    team_id: str,
    slack_user_id: str,
    *,
    default_role: Role,
    team_name: str | None = None,
    user_name: str | None = None,
    email: str | None = None,
) -> Actor:
    """The Hirebot user behind a Slack user, creating the organization and user on first use.

    The first user of a new organization becomes its Admin; later ones get `default_role`.
    """
    existing = await _slack_user(team_id, slack_user_id)
    if existing is not None:
        return existing
    async with atomic():
        # First requests of a workspace can arrive together: the insert is a no-op for all
        # but one, and locking the organization's row (PostgreSQL; SQLite's IMMEDIATE
        # transaction already serializes writers) makes "first user becomes Admin" true once.
        await Organization.insert(
            Organization(name=team_name or f"Slack {team_id}", slack_team_id=team_id)
        ).on_conflict(target=Organization.slack_team_id, action="DO NOTHING")
        query = Organization.select().where(Organization.slack_team_id == team_id)
        [org] = await (query.lock_rows() if is_postgres() else query)
        again = await _slack_user(team_id, slack_user_id)
        if again is not None:
            return again
        has_users = await User.exists().where(User.org == org["id"])
        user = await link_or_create_slack_user(
            org["id"],
            slack_user_id,
            role=default_role if has_users else Role.ADMIN,
            email=email,
            name=user_name,
            synthetic_domain=f"{team_id.lower()}.slack",
        )
    if not user.is_active:
        raise Forbidden("your Hirebot account is deactivated; ask an Admin")
    return actor_of(user, Surface.SLACK)


async def link_or_create_slack_user(
    org_id: int,
    slack_user_id: str,
    *,
    role: Role,
    email: str | None = None,
    name: str | None = None,
    promote: bool = False,
    synthetic_domain: str = "slack",
) -> schemas.User:
    """The organization's user for a Slack user: the one linked to it; else the one with
    the same `email` and no Slack link yet (linked now, keeping their jobs, shares and
    role); else a new one with `role`. `promote` gives an existing user `role` too (the
    installer becomes Admin). Call it in a transaction; a link never leaves `org_id`."""
    query = User.select().where((User.org == org_id) & (User.slack_user_id == slack_user_id))
    row = await query.first()
    address = (email or "").strip().lower() or None
    if row is None and address:
        unlinked = (User.org == org_id) & (User.email == address) & User.slack_user_id.is_null()
        match = await User.select().where(unlinked).first()
        if match is not None:
            await User.update({User.slack_user_id: slack_user_id}).where(User.id == match["id"])
            row = {**match, "slack_user_id": slack_user_id}
            await _record_by_slack(
                EventType.USER_UPDATED,
                org_id,
                row["id"],
                before={"slack_user_id": None},
                after={"slack_user_id": slack_user_id},
            )
    if row is None:
        synthetic = f"{slack_user_id.lower()}@{synthetic_domain}"
        if not address or await User.exists().where((User.org == org_id) & (User.email == address)):
            address = synthetic
        row = await insert_one(
            User(
                org=org_id,
                email=address,
                name=name or slack_user_id,
                role=role,
                slack_user_id=slack_user_id,
            )
        )
        after = {
            "email": address,
            "name": row["name"],
            "role": role,
            "slack_user_id": slack_user_id,
        }
        await _record_by_slack(EventType.USER_CREATED, org_id, row["id"], after=after)
    elif promote and row["role"] != role:
        await User.update({User.role: role}).where(User.id == row["id"])
        await list_versions.users_changed([row["id"]])
        await _record_by_slack(
            EventType.USER_ROLE_CHANGED,
            org_id,
            row["id"],
            before={"role": row["role"]},
            after={"role": role},
        )
        row = {**row, "role": role}
    return user_out(row)


async def _record_by_slack(
    type: EventType,
    org_id: int,
    user_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """What Slack did to a user (first use, an email link, the installer made Admin): by
    the system, from Slack."""
    await events.record(
        type,
        org_id,
        EntityType.USER,
        user_id,
        surface=EventSurface.SLACK,
        before=before,
        after=after,
    )


async def known_slack_actor(team_id: str, slack_user_id: str) -> Actor | None:
    """The Hirebot user already linked to this Slack user, or None (one indexed read)."""
    return await _slack_user(team_id, slack_user_id)


async def _slack_user(team_id: str, slack_user_id: str) -> Actor | None:
    row = (
        await User.select(*User.all_columns())
        .where((User.org.slack_team_id == team_id) & (User.slack_user_id == slack_user_id))
        .first()
    )
    if row is None:
        return None
    user = user_out(row)
    if not user.is_active:
        raise Forbidden("your Hirebot account is deactivated; ask an Admin")
    return actor_of(user, Surface.SLACK)


async def slack_colleagues(
    org_id: int,
    team_id: str,
    slack_ids: list[str],
    *,
    default_role: Role,
    emails: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """The Hirebot users of these Slack users in the organization: linked ones, then those
    with the same email (`emails`, linked now), then new ones with `default_role`."""
    wanted = list(dict.fromkeys(slack_ids))
    async with atomic():
        known = await users_by_slack_ids(org_id, wanted)
        for slack_id in wanted:
            if slack_id not in known:
                user = await link_or_create_slack_user(
                    org_id,
                    slack_id,
                    role=default_role,
                    email=(emails or {}).get(slack_id),
                    synthetic_domain=f"{team_id.lower()}.slack",
                )
                known[slack_id] = user.id
    return known


async def unknown_slack_users(org_id: int, slack_ids: list[str]) -> list[str]:
    """Those of these Slack users that no user of the organization is linked to yet."""
    known = await users_by_slack_ids(org_id, slack_ids)
    return [slack_id for slack_id in dict.fromkeys(slack_ids) if slack_id not in known]


async def users_by_slack_ids(org_id: int, slack_ids: list[str]) -> dict[str, int]:
    if not slack_ids:
        return {}
    rows = await User.select(User.id, User.slack_user_id).where(
        (User.org == org_id) & User.slack_user_id.is_in(slack_ids)
    )
    return {row["slack_user_id"]: row["id"] for row in rows}
