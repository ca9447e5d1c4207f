"""The outbox worker: claim a row, hand it to the handler for its kind, settle it.

A row is recorded (pending) in the same transaction as the change that wants
it, claimed (sending) before the attempt and settled after: sent, pending
again with exponential backoff, or failed for good. A row left `sending` by
a process that died is taken over at once (same host) or after STALE_CLAIM_S.

Handlers are registered by kind (reply, escalation, alert) by whoever builds
the worker (the Session); this module imports none of them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from commwatch import timeutil
from commwatch.app.effects import SYSTEM
from commwatch.app.secrets import redact
from commwatch.model import iso
from commwatch.store import manage, outbox
from commwatch.store.db import transaction

BACKOFF_BASE_S = 60  # 1 min, 2, 4, … capped
BACKOFF_MAX_S = 6 * 3600


class GiveUp(Exception):
    """The attempt failed for good: mark the row failed (`outbox retry --failed` after fixing the cause)."""


class TryLater(Exception):
    """The attempt failed for now: retry after the backoff."""


class Wait(Exception):
    """Nothing was attempted: something it needs is not set up yet (an unset variable). The row stays
    pending, due at once, so the first run after the set-up sends it; it does not count as an attempt."""


@dataclass
class Delivery:
    outbox_id: int
    status: str  # sent | pending (will retry) | waiting (for set-up) | failed | sending (another process has it)
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    kind: str = ""  # reply | escalation | alert


class Handler(Protocol):
    def attempt(self, row: sqlite3.Row) -> dict[str, Any]:
        """Send it; return what to keep as the row's result. Raise GiveUp or TryLater when it fails."""

    def on_sent(self, conn: sqlite3.Connection, row: sqlite3.Row, result: dict[str, Any], at: str) -> None:
        """Record what being sent means (inside the transaction that marks the row sent)."""


def payload(row: sqlite3.Row) -> dict[str, Any]:
    return json.loads(row["payload"])


class OutboxWorker:
    def __init__(self, conn: sqlite3.Connection, handlers: Mapping[str, Handler], env: Mapping[str, str] | None = None):
        self.conn = conn
        self.handlers = handlers
        self.env = env  # whose secrets never reach a stored or printed error

    def deliver_due(self) -> list[Delivery]:
        """Everything whose time has come: replies, escalations, alerts."""
        now = timeutil.now()
        return [self.process(outbox_id) for outbox_id in outbox.due(self.conn, iso(now), stale_before(now))]

    def retry_failed(self, ids: list[int] | None = None) -> int:
        """Failed rows (all, or these) back to pending, due now (after the cause was fixed)."""
        with transaction(self.conn):
            return outbox.retry_failed(self.conn, timeutil.now_iso(), ids)

    def flush(self) -> list[Delivery]:
        """Send every pending row now, whatever its backoff said: a person fixed the cause and asks."""
        with transaction(self.conn):
            outbox.due_now(self.conn, timeutil.now_iso())
        return self.deliver_due()

    def failed(self) -> list[sqlite3.Row]:
        return outbox.failed(self.conn)

    def cancel(self, outbox_id: int, actor: str) -> str | None:
        """Cancel a row not sent yet; None when cancelled, else why it cannot be. Its mention's history says so."""
        at = timeutil.now_iso()
        with transaction(self.conn):
            why_not = outbox.cancel(self.conn, outbox_id, at)
            row = outbox.row(self.conn, outbox_id)
            if why_not is None and row["mention_id"] is not None:
                manage.record_event(self.conn, row["mention_id"], at, actor, f"{row['kind']}-cancelled",
                                    {"outbox": outbox_id})  # fmt: skip
        return why_not

    def process(self, outbox_id: int) -> Delivery:
        conn = self.conn
        now = timeutil.now()
        with transaction(conn):
            row = outbox.claim(conn, outbox_id, iso(now), stale_before(now))
        if row is None:
            current = outbox.row(conn, outbox_id)
            return Delivery(outbox_id, current["status"] if current else "missing", "not due, or another process has it")
        kind = row["kind"]
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise GiveUp(f"this commwatch cannot send a {kind!r}")
            result = handler.attempt(row)
        except (GiveUp, TryLater, Wait) as exc:
            return self._settle_failure(row, exc)
        except Exception as exc:  # a handler's bug must not leave the row `sending` or stop the other rows
            return self._settle_failure(row, GiveUp(f"unexpected {type(exc).__name__}: {exc}"))
        at = timeutil.now_iso()
        with transaction(conn):
            outbox.settle(conn, outbox_id, "sent", at, result=result)
            handler.on_sent(conn, row, result, at)
        return Delivery(outbox_id, "sent", result=result, kind=kind)

    def _settle_failure(self, row: sqlite3.Row, exc: Exception) -> Delivery:
        conn, outbox_id, kind = self.conn, row["id"], row["kind"]
        why, at = redact(str(exc), self.env), timeutil.now_iso()
        if isinstance(exc, Wait):
            with transaction(conn):
                outbox.wait(conn, outbox_id, why, at)
            return Delivery(outbox_id, "waiting", why, kind=kind)
        if isinstance(exc, TryLater):
            delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (row["attempts"] - 1))
            retry_at = iso(timeutil.now() + timedelta(seconds=delay))
            with transaction(conn):
                outbox.settle(conn, outbox_id, "pending", at, error=why, retry_at=retry_at)
            return Delivery(outbox_id, "pending", f"{why}; will retry after {retry_at}", kind=kind)
        with transaction(conn):
            outbox.settle(conn, outbox_id, "failed", at, error=why)
            if row["mention_id"] is not None:
                manage.record_event(conn, row["mention_id"], at, SYSTEM, f"{kind}-failed",
                                    {"outbox": outbox_id, "error": why})  # fmt: skip
        return Delivery(outbox_id, "failed", why, kind=kind)


def stale_before(now) -> str:
    return iso(now - timedelta(seconds=outbox.STALE_CLAIM_S))
