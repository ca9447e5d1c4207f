"""Alerts fired in the period, read from the `alerts` table when the store has one.

The table is optional here: a store without it (older schemas) reports
"recorded": false. Its time column is found by name, so this keeps working
whichever of the usual names the table uses.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from commwatch.store import dialect

TIME_COLUMNS = ("fired_at", "at", "created_at", "triggered_at", "started_at")
RECENT = 20


def alerts(conn: sqlite3.Connection, since: str | None, until: str | None) -> dict[str, Any]:
    columns = dialect.table_columns(conn, "alerts")
    if not columns:
        return {"recorded": False, "fired": 0, "recent": []}
    when = next((c for c in TIME_COLUMNS if c in columns), None)
    where, params = [], []
    if when and since:
        where.append(f'"{when}" >= ?')
        params.append(since)
    if when and until:
        where.append(f'"{when}" < ?')
        params.append(until)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    fired = conn.execute(f"SELECT count(*) FROM alerts{clause}", params).fetchone()[0]
    last = "id" if dialect.postgres(conn) else "rowid"  # the insertion order (PostgreSQL has no rowid)
    order = f'"{when}" DESC, {last} DESC' if when else f"{last} DESC"
    cursor = conn.execute(f"SELECT * FROM alerts{clause} ORDER BY {order} LIMIT ?", [*params, RECENT])
    names = [d[0] for d in cursor.description]
    recent = [{k: _value(v) for k, v in zip(names, row)} for row in cursor]
    return {"recorded": True, "time_column": when, "fired": fired, "recent": recent}


def _value(v: Any) -> Any:
    """JSON-looking text columns come back as data; bytes as text."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, str) and v[:1] in "{[":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v
