"""Noticing what other processes (a cron `commwatch sync`, the CLI) wrote, cheaply.

`PRAGMA data_version` changes only when another connection commits, so a poll
costs one pragma when nothing happened. When it changes, counting ids above the
highest one seen tells how many mentions are new (a rowid range: instant).
Neither read takes a lock or a transaction.
"""

from __future__ import annotations

import sqlite3


class DataWatch:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.version = self._version()
        self.max_id = self._max_id()

    def _version(self) -> int:
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
