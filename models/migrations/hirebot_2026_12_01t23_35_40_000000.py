"""Unique indexes of the conversation tables: one conversation per Slack thread, one turn
per Slack message (a retried event or a mention seen twice makes no second turn), one
proposal per tool call; and the index the per-user turn limit reads."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T23:35:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "conversation indexes"

UNIQUE_INDEXES = {
    "conversation_thread_uniq": ("conversation", "team_id, channel, thread_ts"),
    "conversation_turn_message_uniq": ("conversation_turn", "conversation, message_ts"),
    "proposal_tool_call_uniq": ("proposal", "turn, tool_call_id"),
}

INDEXES = {
    "conversation_turn_user_created_idx": ("conversation_turn", '"user", created_at'),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hirebot", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for name, (table, columns) in UNIQUE_INDEXES.items():
            await engine.run_querystring(
                QueryString(f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})')
            )
        for name, (table, columns) in INDEXES.items():
            await engine.run_querystring(
                QueryString(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({columns})')
            )

    async def run_backwards() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no database engine configured")
        for name in [*UNIQUE_INDEXES, *INDEXES]:
            await engine.run_querystring(QueryString(f"DROP INDEX IF EXISTS {name}"))

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
