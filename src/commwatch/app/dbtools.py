"""`db info` and `db copy`: what a store holds, and moving a whole store to another engine.

The SQL is the store's (store/copy.py); here the two ends are found and opened, a copy into a
store that already holds data is refused, and a failure becomes one sentence naming the table
and what to do next.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from commwatch.store import copy as store_copy
from commwatch.store.db import open_store
from commwatch.store.errors import StoreError
from commwatch.store.url import is_postgres, redacted

CopyResult = store_copy.CopyResult
Progress = store_copy.Progress


class CopyRefused(Exception):
    """The copy cannot start as asked; `argument` names the command-line argument to change."""

    def __init__(self, message: str, argument: str):
        super().__init__(message)
        self.argument = argument


def location(text: str | Path) -> Path | str:
    """A command-line database: a PostgreSQL URL as text, anything else a SQLite path."""
    return text if is_postgres(text) else Path(text).expanduser()


def shown(where: Path | str) -> str:
    """Where a store is, for people: a URL without its password, a path as given."""
    return redacted(where) if is_postgres(where) else str(where)


def info(where: Path | str) -> dict[str, Any]:
    """Engine, location, schema version, rows per table, size and the span of the mentions."""
    if not is_postgres(where):
        where = Path(where)
        if not where.exists():
            raise StoreError(f"{where} does not exist yet: the first sync or import creates it")
    conn = open_store(where)
    try:
        facts = store_copy.describe(conn)
    finally:
        conn.close()
    if is_postgres(where):
        out: dict[str, Any] = {"engine": "postgresql", "location": shown(where), "schema": facts.pop("schema"),
                               "server_version": facts.pop("server_version")}  # fmt: skip
        size = facts.pop("size_bytes")
    else:
        out = {"engine": "sqlite", "location": str(Path(where).resolve())}
        # The file and its write-ahead log (recent commits live there until a checkpoint).
        size = sum(os.path.getsize(p) for p in (str(where), f"{where}-wal") if os.path.exists(p))
    out["schema_version"] = facts.pop("schema_version")
    out["size_bytes"] = size
    out.update(facts)
    return out


def copy(src: str | Path, dst: str | Path, *, resume: bool = False, on_progress: Progress | None = None,
         batch: int = store_copy.BATCH) -> CopyResult:  # fmt: skip
    """Every table of the store at src into the store at dst (created with the current schema if
    new). Refused when dst already holds data, unless resuming a copy that stopped."""
    src, dst = location(src), location(dst)
    if store_copy.same_database(src, dst):
        raise CopyRefused("SRC and DST are the same database", "DST")
    try:
        source = store_copy.open_source(src)
    except store_copy.NothingToCopy as exc:
        raise CopyRefused(f"{exc}: nothing to copy", "SRC") from None
    try:
        target = open_store(dst)
        try:
            if not resume:
                try:
                    held = store_copy.occupied(target)
                except sqlite3.Error as exc:
                    raise StoreError(f"{shown(dst)} could not be read ({exc})") from None
                if held:
                    raise CopyRefused(_occupied_sentence(shown(dst), held), "DST")
            try:
                return store_copy.copy_tables(source, target, resume=resume, on_progress=on_progress, batch=batch)
            except store_copy.CopyFailed as exc:
                raise StoreError(_failed_sentence(exc, shown(src), shown(dst))) from None
        finally:
            target.close()
    finally:
        source.close()


def _occupied_sentence(where: str, held: dict[str, int]) -> str:
    if "mentions" in held:
        what = f"{held['mentions']:,} mention{'s' if held['mentions'] != 1 else ''}"
    else:
        what = "rows in " + ", ".join(held)
    return (f"{where} already holds {what}; copy into an empty database, or add --resume to go on with a copy "
            "that stopped")  # fmt: skip


def _failed_sentence(exc: store_copy.CopyFailed, src: str, dst: str) -> str:
    doing = f"writing it into {dst}" if exc.writing else f"reading it from {src}"
    return (f"copying {exc.table} failed while {doing} ({exc}); everything copied before is kept: fix the cause, "
            "then run the same command with --resume to go on")  # fmt: skip
