"""Opening a PostgreSQL store: connect with time limits, check the server can hold commwatch's
data as SQLite does (case folding, unaccent), and bring the schema up to date under a lock.

Each check that fails raises StoreError with one line saying what to change.
"""

from __future__ import annotations

import hashlib
import sqlite3
from importlib import resources

import psycopg

from commwatch.store.errors import StoreError
from commwatch.store.locks import MIGRATION_LOCK, SYNC_LOCK
from commwatch.store.pg.connection import PgConnection
from commwatch.store.url import redacted

CONNECT_TIMEOUT_S = 10


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every numbered file, in order."""
    found = []
    for entry in resources.files("commwatch.store.pg").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, name = entry.name[:-4].partition("_")
            found.append((int(number), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def open_postgres(url: str, schema_version: int) -> PgConnection:
    shown = redacted(url)
    try:
        raw = psycopg.connect(
            url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="commwatch",
            keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3,
            cursor_factory=psycopg.ClientCursor,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        said = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no answer"
        raise StoreError(f"cannot connect to the PostgreSQL database {shown} ({said})") from None
    conn = PgConnection(raw, shown)
    try:
        _check_server(conn, shown)
        _migrate(conn, shown, schema_version)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_server(conn: PgConnection, shown: str) -> None:
    row = conn.execute("SELECT current_setting('server_encoding'), lower('ÀÉÎ'), current_setting('lc_ctype')").fetchone()
    encoding, folded, ctype = row
    if encoding != "UTF8":
        raise StoreError(f"the database {shown} stores text as {encoding}; commwatch needs a UTF8 database "
                         "(CREATE DATABASE … ENCODING 'UTF8')")  # fmt: skip
    if folded != "àéî":
        raise StoreError(f"the database {shown} cannot fold case outside ASCII (LC_CTYPE is {ctype}); create it "
                         "with a UTF-8 locale, e.g. LC_CTYPE 'C.UTF-8'")  # fmt: skip


def _migrate(conn: PgConnection, shown: str, schema_version: int) -> None:
    if _version(conn) == schema_version:
        return  # the usual case: one read, nothing written (a read-only login works)
    # Two machines opening a new database migrate one after the other.
    conn.execute("SELECT pg_advisory_lock(?, ?)", (MIGRATION_LOCK, schema_key(conn)))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS commwatch_schema (version bigint PRIMARY KEY, name text, "
                     "applied_at text)")  # fmt: skip
        version = _version(conn)
        if version > schema_version:
            raise StoreError(f"{shown} was written by a newer commwatch (schema {version}); upgrade commwatch")
        pending = [m for m in migrations() if m[0] > version]
        if pending:
            _ensure_unaccent(conn, shown)
        for number, name, sql in pending:
            conn.execute("BEGIN")
            try:
                conn.raw.execute(sql)  # a whole file: several statements, no parameters
                conn.execute("INSERT INTO commwatch_schema (version, name, applied_at) VALUES (?, ?, now()::text)",
                             (number, name))  # fmt: skip
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
    except (psycopg.Error, sqlite3.Error) as exc:
        raise StoreError(f"the schema of {shown} could not be brought up to date ({exc})") from None
    finally:
        conn.execute("SELECT pg_advisory_unlock(?, ?)", (MIGRATION_LOCK, schema_key(conn)))


def _version(conn: PgConnection) -> int:
    """The schema version of the store in the URL's schema (0: none yet)."""
    # In the URL's own schema (the first of its search_path), never an inbox further down the path.
    if conn.execute("SELECT to_regclass(format('%I.commwatch_schema', current_schema())) IS NULL").fetchone()[0]:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM commwatch_schema").fetchone()[0]


def _ensure_unaccent(conn: PgConnection, shown: str) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").fetchone():
        return
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:
        raise StoreError(f"the database {shown} lacks the extension unaccent, which search needs, and commwatch may "
                         "not create it: ask its owner to run CREATE EXTENSION unaccent (package "
                         "postgresql-contrib)") from None  # fmt: skip


def schema_key(conn: PgConnection) -> int:
    """A stable int4 naming the schema the store lives in (the second key of its locks)."""
    schema = conn.execute("SELECT current_schema()").fetchone()[0] or "public"
    return int.from_bytes(hashlib.blake2b(schema.encode(), digest_size=4).digest(), "big", signed=True)


def take_sync_lock(conn: PgConnection) -> bool:
    """The one-sync-at-a-time lock, held by this session until released or until its connection
    ends (a killed process frees it at once). Session-level on purpose: a transaction-level lock
    would be released at the first page's commit."""
    return bool(conn.execute("SELECT pg_try_advisory_lock(?, ?)", (SYNC_LOCK, schema_key(conn))).fetchone()[0])


def release_sync_lock(conn: PgConnection) -> None:
    conn.execute("SELECT pg_advisory_unlock(?, ?)", (SYNC_LOCK, schema_key(conn)))


def peek_postgres(url: str, schema_version: int) -> tuple[int, int]:
    """(schema version, mentions) of the store in the URL's schema, read without creating or changing
    anything (0, 0 when there is none yet)."""
    shown = redacted(url)
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="commwatch",
                              cursor_factory=psycopg.ClientCursor)  # fmt: skip
    except psycopg.OperationalError as exc:
        said = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no answer"
        raise StoreError(f"cannot connect to the PostgreSQL database {shown} ({said})") from None
    conn = PgConnection(raw, shown)
    try:
        version = _version(conn)
        known = 0 < version <= schema_version
        return version, conn.execute("SELECT count(*) FROM mentions").fetchone()[0] if known else 0
    except sqlite3.Error as exc:
        raise StoreError(f"{shown} cannot be read as a commwatch database ({exc})") from None
    finally:
        conn.close()
