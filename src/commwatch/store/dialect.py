"""The few places where SQLite's and PostgreSQL's SQL differ, one function each.

Everything else in the store is written once, in SQL both engines read alike (placeholders are
`?` and `:name` on both: store.pg.connection adapts them for psycopg).
"""

from __future__ import annotations

from typing import Any


def of(conn: Any) -> str:
    """'sqlite' or 'postgres': a connection's dialect (every function here takes a connection, or
    the dialect's name where SQL is built once per dialect and cached)."""
    return conn if isinstance(conn, str) else getattr(conn, "dialect", "sqlite")


def postgres(conn: Any) -> bool:
    return of(conn) == "postgres"


def hint(conn: Any) -> str:
    """SQLite's unary + that keeps an index from being used for a term (its planner needs the
    help at a million rows); nothing on PostgreSQL, whose planner has statistics for every column."""
    return "" if postgres(conn) else "+"


def epoch(conn: Any, column: str) -> str:
    """Seconds since 1970 of an ISO 8601 text column, as an integer."""
    if postgres(conn):
        return f"CAST(extract(epoch FROM CAST({column} AS timestamptz)) AS BIGINT)"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def truncate(conn: Any, expression: str) -> str:
    """An expression's value truncated to an integer (PostgreSQL's CAST rounds)."""
    if postgres(conn):
        return f"CAST(trunc({expression}) AS BIGINT)"
    return f"CAST({expression} AS INTEGER)"


def differs(conn: Any, a: str, b: str) -> str:
    """a and b differ, NULL counting as a value."""
    return f"{a} IS DISTINCT FROM {b}" if postgres(conn) else f"{a} IS NOT {b}"


def for_update(conn: Any) -> str:
    """Lock the rows read until the transaction ends (PostgreSQL: two managers acting on one
    mention at once queue up; SQLite's BEGIN IMMEDIATE already lets one writer in at a time)."""
    return " FOR UPDATE" if postgres(conn) else ""


def in_order(conn: Any) -> str:
    """A join read in the order written: SQLite's CROSS JOIN fixes it (its planner guesses wrong
    at a million rows); PostgreSQL plans it alone and takes a plain JOIN."""
    return "JOIN" if postgres(conn) else "CROSS JOIN"


def latest(conn: Any, column: str, by: str) -> str:
    """In a GROUP BY that also selects max(by): `column` of the row with that maximum. SQLite gives
    a bare column from that row; PostgreSQL needs it said."""
    if postgres(conn):
        return f"(array_agg({column} ORDER BY {by} DESC))[1]"
    return column


def newline(conn: Any) -> str:
    """SQL for a line break."""
    return "chr(10)" if postgres(conn) else "char(10)"


def json_list_joined(conn: Any, column: str, separator: str) -> str:
    """SQL: the items of a JSON array column joined by `separator` (NULL for none)."""
    if postgres(conn):
        return f"(SELECT string_agg(value, '{separator}') FROM jsonb_array_elements_text(CAST({column} AS jsonb)) AS value)"
    return f"(SELECT group_concat(value, '{separator}') FROM json_each({column}))"


def stream(conn: Any, sql: str, params: Any) -> Any:
    """The rows of a query one at a time, never all in memory (an export of a million mentions):
    SQLite steps its cursor; psycopg would fetch the whole result unless asked to stream."""
    if postgres(conn):
        return conn.stream(sql, params)
    return conn.execute(sql, params)


def table_columns(conn: Any, table: str) -> list[str]:
    """The columns of a table of the store, in order (none when it has no such table)."""
    if postgres(conn):
        rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                            "AND table_name = ? ORDER BY ordinal_position", (table,))  # fmt: skip
    else:
        rows = conn.execute("SELECT name FROM pragma_table_info(?)", (table,))
    return [r[0] for r in rows]
