"""The `hirebot` command line: serve, migrate, worker, demo, and organization/user/token admin.

Every error is one line (`error: ...`) and a non-zero exit, never a traceback; a command
used wrongly (a missing or bad argument or option, an unknown command) also gets a line
with its usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from models.errors import DomainError
from models.settings import ROLES, Settings, SettingsError, get_settings

T = TypeVar("T")

TASK_MODULES = ("workers.tasks", "bot.tasks", "bot.conversation.tasks")
"""What a worker process runs: the plain tasks and the Slack-flavoured ones."""

DEMO_TOKEN_FILE = "demo-token"
"""Where `hirebot demo` keeps its token, in the data folder (HIREBOT_DATA_DIR)."""


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


async def _with_pool(function: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` with the database pool open (closed after, if opened here)."""
    from models.db import close_pool, open_pool

    opened = await open_pool(get_settings())
    try:
        return await function(*args, **kwargs)
    finally:
        if opened:
            await close_pool()


def run_async(function: Callable[..., Awaitable[T]]) -> Callable[..., T | None]:
    """Run an async command body with the database engine ready; map domain and database
    errors to one line."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        try:
            return asyncio.run(_with_pool(function, *args, **kwargs))
        except DomainError as exc:
            fail(exc.message)
        except Exception as exc:
            from models.db import problem

            settings = get_settings()
            explained = problem(exc, settings) or _queue_problem(exc, settings)
            if explained is None:
                raise
            fail(explained)
        return None

    return wrapper


CHECK_SECONDS = 10.0


def refuse_unmigrated(settings: Settings) -> None:
    """Stop before serving a database that misses migrations (every request would fail).
    A database that does not answer is served anyway: requests find it once it is back."""
    from models.db import describe_database, pending_migrations, problem

    try:
        missing = asyncio.run(asyncio.wait_for(_with_pool(pending_migrations), CHECK_SECONDS))
    except Exception as exc:
        explained = problem(exc, settings)
        if explained is None:
            raise
        click.echo(f"warning: {explained}; serving anyway", err=True)
        return
    if missing:
        fail(
            f"the database {describe_database(settings)} is not migrated yet "
            f"({len(missing)} migrations to run): run `hirebot migrate`"
        )


def _queue_problem(error: BaseException, settings: Settings) -> str | None:
    """One line for a task queue (Redis) the command cannot reach (`hirebot demo` queues)."""
    from urllib.parse import urlparse

    import redis.exceptions

    if not isinstance(error, redis.exceptions.ConnectionError):
        return None
    parsed = urlparse(settings.broker_url)
    return f"cannot reach the task queue {parsed.hostname}:{parsed.port or 6379}: {error}"


class Command(click.Command):
    """A command whose usage line names its required options (`--org NAME`), not just
    `[OPTIONS]`."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = []
        for param in self.get_params(ctx):
            if not param.expose_value:  # --help
                continue
            metavar = param.make_metavar(ctx).strip("[]").removesuffix("...")
            if isinstance(param, click.Option):
                option = max(param.opts, key=len)
                piece = option if param.is_flag else f"{option} {metavar}"
            else:
                piece = metavar
            pieces.append(piece if param.required else f"[{piece}]")
        return pieces


class Group(click.Group):
    command_class = Command
    group_class = type

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [f"{{{','.join(self.list_commands(ctx))}}} ..."]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Hirebot: jobs, pipelines and model-written job descriptions, from Slack and a REST API."""


@cli.command()
@click.option("--host", default=None, metavar="H", help="Address to bind (default HIREBOT_HOST).")
@click.option(
    "--port", default=None, metavar="P", type=click.IntRange(1, 65535), help="Port (HIREBOT_PORT)."
)
@click.option(
    "--workers", default=1, metavar="N", type=click.IntRange(1, 64), help="Server processes."
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the REST API and the Slack endpoint under uvicorn."""
    import uvicorn

    from workers.metrics_folder import prepare_multiprocess

    if workers > 1:  # /metrics adds up every server process's counts
        prepare_multiprocess("serve")
    settings = get_settings()
    refuse_unmigrated(settings)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # SIGTERM: stop accepting, let the requests in flight finish, then shut down.
        timeout_graceful_shutdown=settings.serve_shutdown_grace_seconds,
    )


@cli.command()
def migrate() -> None:
    """Apply every pending database migration."""
    _migrate()


@run_async
async def _migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    # Piccolo narrates each step on stdout; keep it for when something goes wrong.
    narration = io.StringIO()
    with contextlib.redirect_stdout(narration):
        result = await run_forwards(app_name="all")
    if not result.success:
        click.echo(narration.getvalue(), err=True)
        fail(result.message or "migrations failed")
    ran = narration.getvalue().count("[forwards]")
    click.echo(f"migrations: {ran} applied" if ran else "migrations: up to date")


@cli.command()
@click.option(
    "--concurrency", default=1, metavar="N", type=click.IntRange(1, 32), help="Worker processes."
)
@click.option(
    "--grace",
    default=None,
    metavar="S",
    type=click.IntRange(0, 3600),
    help="Seconds to finish running tasks after SIGTERM (HIREBOT_WORKER_SHUTDOWN_GRACE).",
)
def worker(concurrency: int, grace: int | None) -> None:
    """Run background workers for the configured broker (HIREBOT_BROKER_URL)."""
    from workers.metrics_folder import prepare_multiprocess

    prepare_multiprocess("worker")  # before anything imports prometheus_client
    from workers.cli import run_worker

    status = run_worker(
        get_settings(), list(TASK_MODULES), workers=concurrency, grace_seconds=grace
    )
    sys.exit(status)


@cli.command()
@click.option("--socket", is_flag=True, help="Connect through Socket Mode (needs SLACK_APP_TOKEN).")
def bot(socket: bool) -> None:
    """Run the Slack bot on its own (Socket Mode); HTTP mode is served by `hirebot serve`."""
    if not socket:
        raise click.UsageError(
            "HTTP mode is part of `hirebot serve` (POST /slack/events); use --socket here"
        )
    from bot.socket_mode import run_socket_mode

    sys.exit(run_socket_mode(get_settings()))


@cli.command()
@click.option("--new-token", is_flag=True, help="Revoke the kept demo token and make a new one.")
def demo(new_token: bool) -> None:
    """Migrate and load demo data (idempotent); prints the demo API token, the same one on
    every run until it is revoked (kept in the data folder)."""
    _migrate()
    _demo(new_token)


@run_async
async def _demo(new_token: bool) -> None:
    from api.demo import load_demo
    from workers.runtime import serving

    settings = get_settings()
    # Serving, so the demo jobs' conversions are queued like any other job's (with
    # memory:// they run here, and are finished before this returns).
    async with serving(settings):
        summary = await load_demo(Path(settings.data_dir) / DEMO_TOKEN_FILE, new_token=new_token)
    click.echo(summary)


@cli.group()
def org() -> None:
    """Organizations."""


@org.command("create")
@click.argument("name")
def org_create(name: str) -> None:
    """Create an organization called NAME."""
    _org_create(name)


@run_async
async def _org_create(name: str) -> None:
    from models.identity import operations as identity

    created = await identity.create_org(name)
    click.echo(f"organization {created.id}: {created.name}")


@cli.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--org", "org_name", required=True, metavar="NAME", help="Organization name.")
@click.option("--email", required=True, metavar="E")
@click.option("--name", required=True, metavar="N")
@click.option("--role", type=click.Choice(ROLES), default="Editor", show_default=True)
def user_create(org_name: str, email: str, name: str, role: str) -> None:
    """Create a user in an organization."""
    _user_create(org_name, email, name, role)


@run_async
async def _user_create(org_name: str, email: str, name: str, role: str) -> None:
    from models.identity import operations as identity

    organization = await identity.get_org_by_name(org_name)
    created = await identity.create_user(organization.id, email, name, role)
    click.echo(f"user {created.id}: {created.email} ({created.role}) in {organization.name}")


@user.command("list")
@click.option("--org", "org_name", default=None, metavar="NAME", help="Only this organization.")
def user_list(org_name: str | None) -> None:
    """List users: id, email, name, role, organization, whether active, Slack link."""
    _user_list(org_name)


@run_async
async def _user_list(org_name: str | None) -> None:
    from models.identity import operations as identity

    entries = await identity.all_users(org_name)
    rows = [
        [
            str(entry.user.id),
            entry.user.email,
            entry.user.name,
            entry.user.role,
            entry.org_name,
            "yes" if entry.user.is_active else "no",
            entry.user.slack_user_id or "-",
        ]
        for entry in entries
    ]
    headers = ["ID", "EMAIL", "NAME", "ROLE", "ORGANIZATION", "ACTIVE", "SLACK"]
    echo_table(headers, rows, empty="no users")


@cli.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--email", required=True, metavar="E", help="The user the token acts as.")
@click.option("--name", default="cli", metavar="N", show_default=True, help="A label for it.")
@click.option(
    "--org",
    "org_name",
    default=None,
    metavar="NAME",
    help="Organization, if the email is in several.",
)
def token_create(email: str, name: str, org_name: str | None) -> None:
    """Create an API token; it is printed once and never stored."""
    _token_create(email, name, org_name)


@run_async
async def _token_create(email: str, name: str, org_name: str | None) -> None:
    from models.identity import operations as identity

    found = await identity.get_user_by_email(email, org_name)
    issued = await identity.issue_token(found.id, name)
    click.echo(issued.token)
    click.echo(
        f"token {issued.info.prefix}... for {found.email}: store it now, it is not shown again",
        err=True,
    )


@token.command("list")
@click.option("--org", "org_name", default=None, metavar="NAME", help="Only this organization.")
@click.option("--email", default=None, metavar="E", help="Only this user's tokens.")
@click.option("--all", "revoked", is_flag=True, help="Revoked tokens too.")
def token_list(org_name: str | None, email: str | None, revoked: bool) -> None:
    """List tokens: prefix, label, owner, created, last used (never the secret)."""
    _token_list(org_name, email, revoked)


@run_async
async def _token_list(org_name: str | None, email: str | None, revoked: bool) -> None:
    from models.identity import operations as identity

    entries = await identity.all_tokens(org_name, email, revoked=revoked)
    rows = [
        [
            f"{entry.token.prefix}...",
            entry.token.name,
            entry.owner_email,
            entry.org_name,
            moment(entry.token.created_at),
            moment(entry.token.last_used_at) if entry.token.last_used_at else "never",
            *([moment(entry.token.revoked_at) if entry.token.revoked_at else "-"] * revoked),
        ]
        for entry in entries
    ]
    headers = ["PREFIX", "NAME", "OWNER", "ORGANIZATION", "CREATED", "LAST USED"]
    headers += ["REVOKED"] * revoked
    echo_table(headers, rows, empty="no tokens" if revoked else "no active tokens")


@token.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token that starts with PREFIX."""
    _token_revoke(prefix)


@run_async
async def _token_revoke(prefix: str) -> None:
    from models.identity import operations as identity

    revoked = await identity.revoke_token(prefix)
    click.echo(f"revoked token {revoked.prefix}... ({revoked.name})")


def moment(value: datetime) -> str:
    """A time in UTC to the minute (SQLite gives it back without a zone: it is UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, empty: str) -> None:
    """Rows in aligned columns under their headers, or `empty` when there are none."""
    if not rows:
        click.echo(empty)
        return
    lines = [headers, *rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    for line in lines:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


def usage_error(exc: click.UsageError) -> None:
    """The error, then how the command is used (a bare group: which commands it has)."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        message = "missing command"
    else:
        message = exc.format_message().strip().rstrip(".")
        if message[:1].isupper() and message[1:2].islower():
            message = message[0].lower() + message[1:]
    click.echo(f"error: {message}", err=True)
    if exc.ctx is not None:
        usage = exc.ctx.get_usage().removeprefix("Usage: ").strip()
        help_hint = f"{exc.ctx.command_path} --help"
        click.echo(f"usage: {' '.join(usage.split())}   (more: {help_hint})", err=True)
    sys.exit(2)


def main() -> None:
    try:
        cli.main(prog_name="hirebot", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.UsageError as exc:
        usage_error(exc)
    except click.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    except SettingsError as exc:
        fail(str(exc), 2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
