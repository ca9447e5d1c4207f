"""Copying a whole store to another (SQLite ↔ PostgreSQL), and what `db info` says about one.

Rows keep their ids, so every reference (an event's mention_id, a source run's run_id) stays
valid; tables are copied parents first. The source is read in one snapshot (a read transaction),
a batch at a time in primary-key order (keyset pages, never the whole table in memory), and each
batch is committed on the destination by itself: a copy that stops loses one batch at most, and
`resume` goes on from where the destination is (rows past its largest id; for the tables keyed by
their columns, every row, inserted only where its key is not there yet).

SQLite's full-text tables are not copied: the destination's triggers index each mention and
note as it is inserted (PostgreSQL indexes the same columns with expression indexes).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commwatch.store.db import open_store, peek
from commwatch.store.dialect import postgres, table_columns
from commwatch.store.errors import StoreError
from commwatch.store.url import PASSWORD_REFUSED, is_postgres, password_in, redacted

# Every commwatch table, parents before the tables that refer to them, with its primary key.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mentions", ("id",)),
    ("mention_tags", ("mention_id", "tag")),
    ("events", ("id",)),
    ("escalations", ("id",)),
    ("notes", ("id",)),
    ("outbox", ("id",)),
    ("cursors", ("source", "stream")),
    ("sync_runs", ("id",)),
    ("source_runs", ("id",)),
    ("quota_usage", ("source", "day")),
    ("alerts", ("id",)),
    ("rejects", ("id",)),
    ("meta", ("key",)),
)
BATCH = 1000  # rows a page: read, written and committed together

Progress = Callable[["TableCopy", bool], None]  # (the table so far, whether it is done)


class NothingToCopy(StoreError):
    """The source is not there, or holds no commwatch store."""


class CopyFailed(StoreError):
    """Reading or writing one table failed; what was committed before stays."""

    def __init__(self, table: str, copied: int, writing: bool, cause: BaseException):
        super().__init__(str(cause))
        self.table = table
        self.copied = copied
        self.writing = writing  # False: reading the source failed


@dataclass
class TableCopy:
    table: str
    copied: int = 0
    after: Any = None  # resumed past this id
    missing: str | None = None  # "source" or "destination": the table is not there, nothing copied
    left_out: list[str] = field(default_factory=list)  # source columns the destination has not


@dataclass
class CopyResult:
    tables: list[TableCopy]
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.copied for t in self.tables)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Opening --------------------------------------------------------------------------------------


def open_source(location: Path | str):
    """The store to copy from, opened as every command opens it, after making sure it is there:
    a SQLite file that does not exist (or is not a commwatch database), or a PostgreSQL schema
    without commwatch's tables, raises NothingToCopy instead of being created empty."""
    if is_postgres(location):
        if password_in(location):
            raise StoreError(PASSWORD_REFUSED)
        if peek(location)[0] == 0:
            raise NothingToCopy(f"{redacted(location)} holds no commwatch store (no mentions table in its schema)")
        return open_store(location)
    path = Path(location)
    if not path.exists():
        raise NothingToCopy(f"{path} does not exist")
    if not path.is_file():
        raise NothingToCopy(f"{path} is not a database file")
    version, _ = peek(path)
    if version == 0:
        raise NothingToCopy(f"{path} is not a commwatch database")
    return open_store(path)


def same_database(a: Path | str, b: Path | str) -> bool:
    if is_postgres(a) or is_postgres(b):
        return a == b
    a, b = Path(a), Path(b)
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


# Reading the schema ---------------------------------------------------------------------------


# Columns an engine computes for itself: PostgreSQL's stored search words (SQLite keeps its own in
# FTS5 tables, which are not copied either). Never copied, never reported as left out.
ENGINE_OWN = {"search_document"}


def columns(conn: Any, table: str) -> list[str]:
    """The table's columns in order, but those the engine computes; [] when there is no such table."""
    return [c for c in table_columns(conn, table) if c not in ENGINE_OWN]


def schema_version(conn: Any) -> int:
    if postgres(conn):
        return conn.execute("SELECT coalesce(max(version), 0) FROM commwatch_schema").fetchone()[0]
    return conn.execute("PRAGMA user_version").fetchone()[0]


def occupied(conn: Any) -> dict[str, int]:
    """The commwatch tables that hold rows: mentions with their count, the others with 1 (any)."""
    found: dict[str, int] = {}
    for table, _ in TABLES:
        if not columns(conn, table):
            continue
        if table == "mentions":
            count = conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
        else:
            count = 1 if conn.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1").fetchone() else 0
        if count:
            found[table] = count
    return found


# Copying --------------------------------------------------------------------------------------


@contextmanager
def _snapshot(conn: Any) -> Iterator[None]:
    """One read transaction over the whole copy, so that every table is read as of one moment
    (a sync writing meanwhile cannot leave an event without its mention)."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres(conn) else "BEGIN")
    try:
        yield
    finally:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


@contextmanager
def _batch(conn: Any) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # PostgreSQL: BEGIN (store.pg.connection)
    try:
        yield
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the error that brought us here says more
        raise
    conn.execute("COMMIT")


def copy_tables(source: Any, target: Any, *, resume: bool = False, on_progress: Progress | None = None,
                batch: int = BATCH) -> CopyResult:  # fmt: skip
    """Every commwatch table from source into target, in dependency order (see the module)."""
    started = time.monotonic()
    done: list[TableCopy] = []
    with _snapshot(source):
        for table, key in TABLES:
            copied = _copy_table(source, target, table, key, resume, on_progress, batch)
            if on_progress:
                on_progress(copied, True)
            done.append(copied)
    return CopyResult(done, time.monotonic() - started)


def _copy_table(source: Any, target: Any, table: str, key: tuple[str, ...], resume: bool,
                on_progress: Progress | None, batch: int) -> TableCopy:  # fmt: skip
    result = TableCopy(table)
    try:
        theirs = columns(target, table)
    except sqlite3.Error as exc:
        raise CopyFailed(table, 0, True, exc) from None
    try:
        ours = columns(source, table)
    except sqlite3.Error as exc:
        raise CopyFailed(table, 0, False, exc) from None
    if not ours or not theirs:
        result.missing = "source" if not ours else "destination"
        return result
    shared = [c for c in ours if c in theirs]
    result.left_out = [c for c in ours if c not in theirs]
    if not all(k in shared for k in key):
        result.missing = "destination"
        return result
    names = ", ".join(_q(c) for c in shared)
    order = ", ".join(_q(k) for k in key)
    places = ", ".join("?" for _ in shared)
    by_id = key == ("id",)
    insert = f"INSERT INTO {_q(table)} ({names}) VALUES ({places})"
    if not by_id:
        insert += " ON CONFLICT DO NOTHING"  # resuming: the rows already there stay as they are
    first = f"SELECT {names} FROM {_q(table)} ORDER BY {order} LIMIT ?"
    past = ", ".join("?" for _ in key)
    following = f"SELECT {names} FROM {_q(table)} WHERE ({order}) > ({past}) ORDER BY {order} LIMIT ?"
    at = [shared.index(k) for k in key]
    # Into PostgreSQL, rows known to be new go in by COPY (about three times faster than INSERTs);
    # resuming a table keyed by its columns needs ON CONFLICT, which only INSERT has.
    bulk = postgres(target) and (by_id or not resume)

    last: tuple | None = None
    if by_id and resume:
        try:
            last = (target.execute(f"SELECT max(id) FROM {_q(table)}").fetchone()[0],)
        except sqlite3.Error as exc:
            raise CopyFailed(table, 0, True, exc) from None
        if last[0] is None:
            last = None
        else:
            result.after = last[0]
    while True:
        try:
            if last is None:
                rows = source.execute(first, (batch,)).fetchall()
            else:
                rows = source.execute(following, (*last, batch)).fetchall()
        except sqlite3.Error as exc:
            raise CopyFailed(table, result.copied, False, exc) from None
        if not rows:
            break
        values = [tuple(r) for r in rows]
        try:
            with _batch(target):
                if bulk:
                    _copy_in(target, f"COPY {_q(table)} ({names}) FROM STDIN", values)
                    result.copied += len(values)
                else:
                    cursor = target.executemany(insert, values)
                    # ON CONFLICT DO NOTHING: the rows inserted, not those already there
                    result.copied += len(values) if by_id else max(cursor.rowcount, 0)
        except sqlite3.Error as exc:
            raise CopyFailed(table, result.copied, True, exc) from None
        last = tuple(values[-1][i] for i in at)
        if on_progress:
            on_progress(result, False)
        if len(values) < batch:
            break
    if by_id and postgres(target):
        try:  # the identity sequence past the ids copied, so that new rows get fresh ones
            target.execute(f"SELECT setval(pg_get_serial_sequence(?, 'id'), max(id)) FROM {_q(table)} "
                           "HAVING max(id) IS NOT NULL", (table,))  # fmt: skip
        except sqlite3.Error as exc:
            raise CopyFailed(table, result.copied, True, exc) from None
    return result


def _copy_in(target: Any, statement: str, values: list[tuple]) -> None:
    """COPY … FROM STDIN on the PostgreSQL connection (store.pg.connection.PgConnection.copy_rows)."""
    target.copy_rows(statement, values)


# Describing -----------------------------------------------------------------------------------


def describe(conn: Any) -> dict[str, Any]:
    """What `db info` shows of an open store: schema version, rows per table, the span of the
    mentions' dates, and (PostgreSQL) its schema, server version and size on disk."""
    facts: dict[str, Any] = {"schema_version": schema_version(conn)}
    counts: dict[str, int] = {}
    for table, _ in TABLES:
        if columns(conn, table):
            counts[table] = conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0]
    facts["tables"] = counts
    oldest, newest = conn.execute("SELECT min(created_at), max(created_at) FROM mentions").fetchone()
    facts["oldest_mention"] = oldest
    facts["newest_mention"] = newest
    if postgres(conn):
        row = conn.execute(
            "SELECT current_schema(), current_setting('server_version'), "
            "(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r')"
        ).fetchone()
        facts["schema"], facts["server_version"], facts["size_bytes"] = row[0], row[1], int(row[2])
    return facts
