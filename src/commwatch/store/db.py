"""Opening the database: WAL, a busy timeout, and the schema brought up to date.

The read path uses the stdlib sqlite3 module only; sqlite-utils (slow to
import) is loaded when the schema needs migrating.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commwatch.store.errors import StoreError
from commwatch.store.url import PASSWORD_REFUSED, is_postgres, password_in

SCHEMA_VERSION = 12  # == len(store.schema.migrations): checked by a test
BUSY_TIMEOUT_S = 30.0  # a cron sync and the TUI wait for each other instead of failing


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, saying which SQL dialect it speaks (see store.dialect)."""

    dialect = "sqlite"


def open_store(location: Path | str) -> sqlite3.Connection:
    """The store at a SQLite path, or at a PostgreSQL URL (psycopg is imported only then)."""
    if is_postgres(location):
        try:
            from commwatch.store.pg.open import open_postgres
        except ImportError:
            raise StoreError("a PostgreSQL store needs psycopg, which is not installed: "
                             "pip install 'commwatch[postgres]'") from None  # fmt: skip
        if password_in(location):
            raise StoreError(PASSWORD_REFUSED)
        return open_postgres(location, SCHEMA_VERSION)
    path = Path(location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False,
                               factory=SqliteConnection)  # fmt: skip
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")  # the upsert's staging table never touches the disk
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB: index-heavy writes stay fast at a million rows
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} cannot be opened as a commwatch database ({exc})") from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be created ({exc.strerror})") from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer commwatch (schema {version}); upgrade commwatch")
    if version < SCHEMA_VERSION:
        _migrate(conn)
    return conn


def peek(path: Path | str) -> tuple[int, int]:
    """(schema version, mentions) of an existing database, read without changing it (`doctor`)."""
    if is_postgres(path):
        try:
            from commwatch.store.pg.open import peek_postgres
        except ImportError:
            raise StoreError("a PostgreSQL store needs psycopg, which is not installed: "
                             "pip install 'commwatch[postgres]'") from None  # fmt: skip
        return peek_postgres(path, SCHEMA_VERSION)
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            known = 0 < version <= SCHEMA_VERSION  # a newer schema may have no such table
            mentions = conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] if known else 0
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{path} cannot be read as a commwatch database ({exc})") from None
    return version, mentions


def _migrate(conn: sqlite3.Connection) -> None:
    from sqlite_utils import Database

    from commwatch.store.schema import migrations

    with transaction(conn):  # IMMEDIATE: two processes opening a new file migrate one after the other
        if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        migrations.apply(Database(conn))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def sync_lock(location: Path | str, conn=None) -> Iterator[bool]:
    """The one-sync-at-a-time lock of a store, released when the process dies; yields whether this
    process holds it. SQLite: a file lock beside the database. PostgreSQL: a session advisory lock
    held by the sync's connection `conn` (the server frees it when that connection ends)."""
    if is_postgres(location):
        from commwatch.store.pg.open import release_sync_lock, take_sync_lock

        held = take_sync_lock(conn)
        try:
            yield held
        finally:
            if held:
                release_sync_lock(conn)
        return
    lock_path = Path(str(location) + ".sync.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh_statistics(conn: sqlite3.Connection) -> bool:
    """Give the query planner fresh statistics when the inbox has doubled (or shrunk by half) since
    they were gathered, or never had any: without them it cannot tell a tag on ten mentions from a
    status on a million, and picks plans that read the whole table. Sampled (analysis_limit), so
    it costs milliseconds. Returns whether it ran."""
    if getattr(conn, "dialect", "sqlite") != "sqlite":
        return False  # PostgreSQL's autovacuum keeps its statistics
    rows = conn.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchone()[0]
    if rows < 1000:
        return False
    try:
        stat = conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'mentions' LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no sqlite_stat1 yet
        stat = None
    known = int(stat[0].split()[0]) if stat and stat[0] else 0
    if known and known / 2 <= rows <= known * 2:
        return False
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")
    return True
