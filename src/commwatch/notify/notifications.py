"""Delivering escalations and alerts from the outbox to their targets."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from typing import Any

from commwatch.config import Config
from commwatch.notify import worker
from commwatch.notify.targets import DeliveryError, send
from commwatch.store import manage
from commwatch.store.mentions import get


def escalation_event(conn: sqlite3.Connection, escalation_id: int) -> dict[str, Any]:
    e = conn.execute("SELECT * FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
    return {
        "event": "escalation",
        "escalation": {"id": e["id"], "at": e["at"], "actor": e["actor"], "target": e["target"], "note": e["note"]},
        "mention": get(conn, e["mention_id"]),
    }


def alert_event(conn: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    from commwatch.store.alerts import get_alert

    return {"event": "alert", "alert": get_alert(conn, alert_id)}


def deliver_notification(
    conn: sqlite3.Connection, config: Config, outbox_id: int, env: Mapping[str, str] | None = None
) -> worker.Delivery:
    env = os.environ if env is None else env

    def attempt(row: sqlite3.Row) -> dict[str, Any]:
        target = config.targets.get(row["source"])
        if target is None:
            raise worker.GiveUp(f"no target {row['source']!r} in the configuration")
        body = worker.payload(row)
        event = escalation_event(conn, body["escalation"]) if row["kind"] == "escalation" else alert_event(conn, body["alert"])
        try:
            send(target, event, row["id"], env)
        except DeliveryError as exc:
            raise (worker.GiveUp if exc.permanent else worker.TryLater)(str(exc)) from None
        return {"target": target.name, "type": target.type}

    def on_sent(conn: sqlite3.Connection, row: sqlite3.Row, result: dict[str, Any], at: str) -> None:
        if row["mention_id"] is not None:
            manage.record_event(conn, row["mention_id"], at, "commwatch", f"{row['kind']}-delivered",
                                {"outbox": row["id"], "target": result["target"]})  # fmt: skip

    return worker.process(conn, outbox_id, attempt, on_sent)
