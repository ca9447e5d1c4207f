"""Noticing what other processes (a cron `commwatch sync`, the CLI, a teammate) wrote, cheaply.

SQLite: `PRAGMA data_version` changes only when another connection commits, so a poll costs one
pragma when nothing happened. PostgreSQL: the schema's triggers NOTIFY `commwatch` on every
committed change, and this connection LISTENs; a poll reads what arrived, without a query.
When something changed, counting ids above the highest one seen tells how many mentions are new
(an id range: instant). Neither read takes a lock or a transaction.
"""

from __future__ import annotations

import sqlite3

from commwatch.store import dialect

CHANNEL = "commwatch"


class DataWatch:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.postgres = dialect.postgres(conn)
        if self.postgres:
            conn.execute(f"LISTEN {CHANNEL}")
        self.version = self._version()
        self.max_id = self._max_id()

    def _version(self) -> int:
        if self.postgres:
            return getattr(self, "version", 0) + self.conn.notifies(CHANNEL)
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _max_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchone()[0]

    def poll(self) -> tuple[bool, int]:
        """(something changed?, how many mentions are new since the last poll)."""
        version = self._version()
        if version == self.version:
            return False, 0
        self.version = version
        new = self.conn.execute("SELECT count(*) FROM mentions WHERE id > ?", (self.max_id,)).fetchone()[0]
        if new:
            self.max_id = self._max_id()
        return True, new
