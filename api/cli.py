"""The `hirebot` command line: serve, migrate, worker, demo, and organization/user/token admin.

Every command prints a one-line error and exits non-zero on bad input, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

import click

from models.errors import DomainError
from models.settings import ROLES, SettingsError, get_settings

T = TypeVar("T")

TASK_MODULES = ("workers.tasks", "bot.tasks", "bot.conversation.tasks")
"""What a worker process runs: the plain tasks and the Slack-flavoured ones."""


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run_async(function: Callable[..., Awaitable[T]]) -> Callable[..., T | None]:
    """Run an async command body with the database engine ready; map domain errors to one line."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        async def main() -> T:
            from models.db import close_pool, open_pool

            opened = await open_pool(get_settings())
            try:
                return await function(*args, **kwargs)
            finally:
                if opened:
                    await close_pool()

        try:
            return asyncio.run(main())
        except DomainError as exc:
            fail(exc.message)
        except (OSError, ConnectionError) as exc:
            fail(f"cannot reach the database: {exc}")
        return None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Hirebot: jobs, pipelines and model-written job descriptions, from Slack and a REST API."""


@cli.command()
@click.option("--host", default=None, help="Address to bind (default HIREBOT_HOST).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (HIREBOT_PORT).")
@click.option("--workers", default=1, type=click.IntRange(1, 64), help="Server processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the REST API and the Slack endpoint under uvicorn."""
    import uvicorn

    from workers.metrics_folder import prepare_multiprocess

    if workers > 1:  # /metrics adds up every server process's counts
        prepare_multiprocess("serve")
    settings = get_settings()
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
@click.option("--concurrency", default=1, type=click.IntRange(1, 32), help="Worker processes.")
@click.option(
    "--grace",
    default=None,
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
        fail("HTTP mode is part of `hirebot serve` (POST /slack/events); use --socket here", 2)
    from bot.socket_mode import run_socket_mode

    sys.exit(run_socket_mode(get_settings()))


@cli.command()
def demo() -> None:
    """Migrate and load demo data (idempotent); prints a fresh demo API token."""
    _migrate()
    _demo()


@run_async
async def _demo() -> None:
    from api.demo import load_demo

    summary = await load_demo()
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
@click.option("--org", "org_name", required=True, help="Organization name.")
@click.option("--email", required=True)
@click.option("--name", required=True)
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


@cli.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", default="cli", show_default=True, help="A label for the token.")
@click.option("--org", "org_name", default=None, help="Organization, if the email is in several.")
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


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    except SettingsError as exc:
        fail(str(exc), 2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
