"""The outbox worker: claim a row, attempt it, settle it. Shared by replies, escalations and alerts.

A row is recorded (pending) in the same transaction as the change that wants
it, claimed (sending) before the attempt and settled after: sent, pending
again with exponential backoff, or failed for good. A row left `sending` by
a process that died is taken over at once (same host) or after STALE_CLAIM_S.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from commwatch import timeutil
from commwatch.config import Config
from commwatch.model import iso
from commwatch.store import manage, outbox
from commwatch.store.db import transaction

BACKOFF_BASE_S = 60  # 1 min, 2, 4, … capped
BACKOFF_MAX_S = 6 * 3600


class GiveUp(Exception):
    """The attempt failed for good: mark the row failed (`outbox retry --failed` after fixing the cause)."""


class TryLater(Exception):
    """The attempt failed for now: retry after the backoff."""


@dataclass
class Delivery:
    outbox_id: int
    status: str  # sent | pending (will retry) | failed | sending (another process has it)
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)


Attempt = Callable[[sqlite3.Row], dict[str, Any]]
OnSent = Callable[[sqlite3.Connection, sqlite3.Row, dict[str, Any], str], None]


def process(conn: sqlite3.Connection, outbox_id: int, attempt: Attempt, on_sent: OnSent | None = None) -> Delivery:
    now = timeutil.now()
    with transaction(conn):
        row = outbox.claim(conn, outbox_id, iso(now), stale_before(now))
    if row is None:
        current = conn.execute("SELECT status FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        return Delivery(outbox_id, current["status"] if current else "missing", "not due, or another process has it")
    try:
        result = attempt(row)
    except GiveUp as exc:
        at = timeutil.now_iso()
        with transaction(conn):
            outbox.settle(conn, outbox_id, "failed", at, error=str(exc))
            if row["mention_id"] is not None:
                manage.record_event(conn, row["mention_id"], at, "commwatch", f"{row['kind']}-failed",
                                    {"outbox": outbox_id, "error": str(exc)})  # fmt: skip
        return Delivery(outbox_id, "failed", str(exc))
    except TryLater as exc:
        delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (row["attempts"] - 1))
        retry_at = iso(timeutil.now() + timedelta(seconds=delay))
        with transaction(conn):
            outbox.settle(conn, outbox_id, "pending", timeutil.now_iso(), error=str(exc), retry_at=retry_at)
        return Delivery(outbox_id, "pending", f"{exc}; will retry after {retry_at}")
    at = timeutil.now_iso()
    with transaction(conn):
        outbox.settle(conn, outbox_id, "sent", at, result=result)
        if on_sent:
            on_sent(conn, row, result, at)
    return Delivery(outbox_id, "sent", result=result)


def stale_before(now) -> str:
    return iso(now - timedelta(seconds=outbox.STALE_CLAIM_S))


def deliver_due(conn: sqlite3.Connection, config: Config, env: Mapping[str, str] | None = None) -> list[Delivery]:
    """Everything in the outbox whose time has come: replies, escalations, alerts."""
    now = timeutil.now()
    results = []
    for outbox_id in outbox.due(conn, iso(now), stale_before(now)):
        results.append(deliver(conn, config, outbox_id, env))
    return results


def deliver(conn: sqlite3.Connection, config: Config, outbox_id: int, env: Mapping[str, str] | None = None) -> Delivery:
    kind = conn.execute("SELECT kind FROM outbox WHERE id = ?", (outbox_id,)).fetchone()["kind"]
    if kind == "reply":
        from commwatch.replies import Replier

        return Replier(conn, config, env).deliver(outbox_id)
    from commwatch.notify.notifications import deliver_notification

    return deliver_notification(conn, config, outbox_id, env)


def payload(row: sqlite3.Row) -> dict[str, Any]:
    return json.loads(row["payload"])
