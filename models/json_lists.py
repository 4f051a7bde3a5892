"""Lists whose JSON PostgreSQL writes: the bytes msgspec would write of the structs.

A cache miss of a big list (2,000 job names, 160 whole jobs) spent most of its time in
Python: a record, a struct and its encoding per row, and the collector walking them. Here
each row's JSON is written by PostgreSQL when the row is written (a trigger fills a text
column, `row_json` gives its expression), and a read joins the stored texts into one array
that the server sends as it comes. Writing the JSON at read time instead cost PostgreSQL
more than Python spent (its `to_json` is slow per value): measured in bench/README.md.

The expression is derived, not written by hand: each field's JSON comes from the struct's
own type (`msgspec.inspect`), in the struct's field order, formatted as msgspec formats it
(compact, datetimes as RFC 3339 in UTC with `Z`, microseconds only when not zero); the
stored columns are NOT NULL, so a row written with the trigger off (a bulk load as a
replica) fails loudly instead of missing from a list. The rows come from the Piccolo select
that holds the access rule. The result equals `msgspec.json.encode([to_struct(row) ...])`,
which is what SQLite runs, and what the tests compare it with, odd text included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from msgspec import inspect
from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from models.db import Compiled, current_engine, fetch_value

Row = Mapping[str, Any]
S = TypeVar("S", bound=msgspec.Struct)


class JsonList(Generic[S]):
    """The rows a select finds, as a JSON array of `struct`, in the select's order.

    `build(columns, *values)` makes the select of those columns (the access rule is in its
    where clause): the struct's `columns` for `structs` (and SQLite), or the `stored` text
    column of `table` for `encode`. `to_struct` turns a selected row into the struct.
    """

    def __init__(
        self,
        build: Callable[..., Select],
        columns: Sequence[Column],
        to_struct: Callable[[Row], S],
        *,
        table: str,
        stored: str,
    ) -> None:
        self.to_struct = to_struct
        self._rows = Compiled(lambda *values: build(columns, *values))
        # textsend: the text's bytes as stored, so Python neither decodes nor encodes them.
        stored_bytes = QueryString(f"textsend({_quoted(table)}.{_quoted(stored)})")
        self._json_rows = Compiled(lambda *values: build((stored_bytes,), *values))

    async def structs(self, *values: Any) -> list[S]:
        """The rows as structs, for the callers that work with them (Slack's pickers)."""
        return [self.to_struct(row) for row in await self._rows.rows(*values)]

    async def encode(self, *values: Any) -> bytes:
        """The rows' JSON array: their stored texts, joined (msgspec on SQLite).

        One array of the select's rows, in the select's order (an ARRAY(subquery) keeps
        it), which asyncpg reads into a list of bytes without a record per row. Measured
        against the alternatives (bench/README.md): string_agg's ORDER BY sorted the rows
        again, and a string of a few hundred kB grown by PostgreSQL cost it more than this.
        """
        if not isinstance(current_engine(), PostgresEngine):
            return msgspec.json.encode(await self.structs(*values))
        select, args = self._json_rows.statement(*values)
        texts = await fetch_value(f"SELECT ARRAY({select})", args)
        return b"[" + b",".join(texts) + b"]"


def row_json(struct: type[msgspec.Struct], columns: Mapping[str, str | None], alias: str) -> str:
    """The SQL expression of one row's JSON object; `alias` names the row (`NEW` in a
    trigger)."""
    info = inspect.type_info(struct)
    assert isinstance(info, inspect.StructType)
    parts = []
    for position, field in enumerate(info.fields):
        column = columns.get(field.name, field.name)
        value = "'null'" if column is None else _value(f"{alias}.{_quoted(column)}", field.type)
        key = msgspec.json.encode(field.encode_name).decode()
        opening = "{" if position == 0 else ","
        parts.append(f"{_literal(opening + key + ':')} || {value}")
    return " || ".join(parts) + " || '}'"


def _value(column: str, kind: inspect.Type) -> str:
    """A field's JSON as text, never NULL (a NULL would drop the whole row from the array)."""
    if isinstance(kind, inspect.UnionType):
        [kind] = [member for member in kind.types if not isinstance(member, inspect.NoneType)]
    return f"coalesce({_not_null_value(column, kind)}, 'null')"


def _not_null_value(column: str, kind: inspect.Type) -> str:
    if isinstance(kind, inspect.IntType):
        return f"{column}::text"
    if isinstance(kind, inspect.StrType) or (
        isinstance(kind, inspect.EnumType) and all(isinstance(m.value, str) for m in kind.cls)
    ):
        return f"to_json({column})::text"  # an enum as its stored value, as msgspec writes it
    if isinstance(kind, inspect.ListType) and isinstance(kind.item_type, inspect.StrType):
        # A missing list is an empty one, as the struct path reads it.
        return f"coalesce(array_to_json({column})::text, '[]')"
    if isinstance(kind, inspect.DateTimeType):
        # msgspec: 2026-12-03T10:56:30Z, or 2026-12-03T10:56:30.120000Z.
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"'\"' || to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN date_trunc('second', {column}) = {column} THEN '' "
            f"ELSE to_char({utc}, '.US') END || 'Z\"'"
        )
    if isinstance(kind, inspect.DictType):
        # A json column written by msgspec (compact); anything but an object reads as null.
        return f"CASE WHEN json_typeof({column}) = 'object' THEN {column}::text END"
    raise TypeError(f"no JSON written by PostgreSQL for {kind!r}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
