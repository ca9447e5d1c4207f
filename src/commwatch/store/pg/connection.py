"""A PostgreSQL connection that the store can use exactly as it uses sqlite3's.

The store's shared SQL is written once, with qmark (`?`) and named (`:name`) parameters,
and its callers catch the DB-API errors as the sqlite3 module names them. This adapter keeps
both true on PostgreSQL: placeholders are rewritten for psycopg (once per statement text),
psycopg's errors are raised again as the matching sqlite3 class with PostgreSQL's message,
rows read by index and by name like sqlite3.Row, and values come back as SQLite gives them
(integers for booleans, int or float for numeric). The connection runs in autocommit mode, so
`BEGIN … COMMIT` is the store's, as with sqlite3's `isolation_level=None`.

psycopg is imported here only, and this module only for a PostgreSQL URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors

DIALECT = "postgres"


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """qmark and :named placeholders → psycopg's; a literal % doubled; SQLite's BEGIN IMMEDIATE → BEGIN.
    Quoted strings, quoted names and comments are copied untouched."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # '' inside a string
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            out.append(f"%({sql[i + 1 : end]})s")
            i = end
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    if text.lstrip().upper().startswith("BEGIN IMMEDIATE"):
        text = "BEGIN"
    return text


class Row:
    """A result row read by position or by column name, like sqlite3.Row."""

    __slots__ = ("_names", "_values")

    def __init__(self, values: tuple, names: dict[str, int]):
        self._values = values
        self._names = names

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._values[self._names[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other) -> bool:
        return isinstance(other, Row) and self._values == other._values

    def keys(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values))!r})"


def _as_sqlite(value: Any) -> Any:
    """A value as SQLite would return it: booleans are integers, numeric is int or float."""
    if value.__class__ is bool:
        return int(value)
    if value.__class__ is Decimal:
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


def _rows(cursor: psycopg.Cursor):
    """psycopg row factory: Row objects, values as SQLite gives them."""
    if cursor.description is None:
        return lambda values: values
    names: dict[str, int] = {}
    for i, column in enumerate(cursor.description):
        names.setdefault(column.name, i)
    return lambda values: Row(tuple(_as_sqlite(v) for v in values), names)


def _tuples(cursor: psycopg.Cursor):
    return lambda values: tuple(_as_sqlite(v) for v in values)


def _param(value: Any) -> Any:
    if value.__class__ is bool:
        return int(value)  # the schema keeps flags as integers, as SQLite does
    return value


def _params(params: Any) -> Any:
    if params is None:
        return ()
    if isinstance(params, dict):
        return {k: _param(v) for k, v in params.items()}
    return [_param(v) for v in params]


# psycopg's errors, raised again as the DB-API class of the same meaning in the sqlite3 module,
# so that callers written for SQLite (a bad value, a full disk, an interrupted query) need no second clause.
_ERRORS: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (pg_errors.QueryCanceled, sqlite3.OperationalError),
    (pg_errors.DiskFull, sqlite3.OperationalError),
    (pg_errors.ReadOnlySqlTransaction, sqlite3.OperationalError),
    (psycopg.IntegrityError, sqlite3.IntegrityError),
    (psycopg.DataError, sqlite3.DataError),
    (psycopg.ProgrammingError, sqlite3.ProgrammingError),
    (psycopg.OperationalError, sqlite3.OperationalError),
    (psycopg.InterfaceError, sqlite3.InterfaceError),
    (psycopg.Error, sqlite3.DatabaseError),
)


def reraise(exc: psycopg.Error) -> Exception:
    for pg_class, sqlite_class in _ERRORS:
        if isinstance(exc, pg_class):
            said = getattr(getattr(exc, "diag", None), "message_primary", None) or (str(exc).splitlines() or [""])[0]
            if isinstance(exc, pg_errors.QueryCanceled):
                said = f"interrupted ({said})"
            if isinstance(exc, pg_errors.DiskFull):
                said = f"database or disk is full ({said})"
            if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
                said = f"readonly database ({said})"
            error = sqlite_class(said)
            error.sqlstate = getattr(exc, "sqlstate", None)
            return error
    return sqlite3.DatabaseError(str(exc))


class Cursor:
    def __init__(self, raw: psycopg.Cursor):
        self._raw = raw
        self.row_factory: Any = Row  # set to None for plain tuples (as with sqlite3)

    def execute(self, sql: str, params: Any = None) -> Cursor:
        self._raw.row_factory = _tuples if self.row_factory is None else _rows
        try:
            self._raw.execute(translate(sql), _params(params))
        except psycopg.Error as exc:
            raise reraise(exc) from None
        return self

    def executemany(self, sql: str, seq: Iterable[Any]) -> Cursor:
        try:
            self._raw.executemany(translate(sql), [_params(p) for p in seq])
        except psycopg.Error as exc:
            raise reraise(exc) from None
        return self

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    @property
    def lastrowid(self) -> None:  # PostgreSQL has no rowid: the store reads ids with RETURNING
        return None

    @property
    def description(self):
        return self._raw.description

    def fetchone(self):
        try:
            return self._raw.fetchone() if self._raw.description is not None else None
        except psycopg.Error as exc:
            raise reraise(exc) from None

    def fetchall(self) -> list:
        try:
            return self._raw.fetchall() if self._raw.description is not None else []
        except psycopg.Error as exc:
            raise reraise(exc) from None

    def fetchmany(self, size: int = 1000) -> list:
        return self._raw.fetchmany(size) if self._raw.description is not None else []

    def __iter__(self):
        if self._raw.description is None:
            return iter(())
        return iter(self._raw)

    def close(self) -> None:
        self._raw.close()


class PgConnection:
    """The subset of sqlite3.Connection the store uses, on a psycopg connection."""

    dialect = DIALECT

    def __init__(self, raw: psycopg.Connection, where: str):
        self.raw = raw
        self.where = where  # the URL without its password, for messages

    def cursor(self) -> Cursor:
        raw = self.raw.cursor(row_factory=_rows)
        return Cursor(raw)

    def execute(self, sql: str, params: Any = None) -> Cursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Any]) -> Cursor:
        return self.cursor().executemany(sql, seq)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def interrupt(self) -> None:
        """Cancel the statement running on this connection (another thread asks), like sqlite3's interrupt."""
        try:
            self.raw.cancel()
        except psycopg.Error:
            pass

    def close(self) -> None:
        self.raw.close()

    def notifies(self, channel: str) -> int:
        """How many notifications other sessions sent on a LISTENed channel since the last call (never
        waits). This session's own commits are left out, as SQLite's data_version leaves them out."""
        own = self.raw.info.backend_pid
        try:
            return sum(note.channel == channel and note.pid != own for note in self.raw.notifies(timeout=0))
        except psycopg.Error as exc:
            raise reraise(exc) from None

    def stream(self, sql: str, params: Any = None) -> Iterator[Row]:
        """The rows of a query as the server sends them (single-row mode): memory stays flat."""
        cursor = self.raw.cursor(row_factory=_rows)
        try:
            yield from cursor.stream(translate(sql), _params(params))
        except psycopg.Error as exc:
            raise reraise(exc) from None

    def copy_rows(self, statement: str, rows: Iterable[tuple]) -> None:
        """COPY … FROM STDIN: many rows in one stream (db copy), several times faster than INSERTs."""
        try:
            with self.raw.cursor().copy(statement) as pipe:
                for row in rows:
                    pipe.write_row(row)
        except psycopg.Error as exc:
            raise reraise(exc) from None
