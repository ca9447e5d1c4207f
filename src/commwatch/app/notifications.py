"""Delivering escalations and spike alerts from the outbox to their targets (Slack, webhook, e-mail, command)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from commwatch.app.effects import SYSTEM
from commwatch.app.outbox import GiveUp, TryLater, Wait, payload
from commwatch.config import Config
from commwatch.notify.targets import DeliveryError, send
from commwatch.store import manage
from commwatch.store.alerts import get_alert
from commwatch.store.mentions import get


def escalation_event(conn: sqlite3.Connection, escalation_id: int) -> dict[str, Any]:
    e = manage.escalation(conn, escalation_id)
    return {
        "event": "escalation",
        "escalation": {"id": e["id"], "at": e["at"], "actor": e["actor"], "target": e["target"], "note": e["note"]},
        "mention": get(conn, e["mention_id"]),
    }


def alert_event(conn: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    return {"event": "alert", "alert": get_alert(conn, alert_id)}


class NotificationHandler:
    """The outbox handler for the kinds `escalation`, `alert` and `overdue`."""

    def __init__(self, conn: sqlite3.Connection, config: Config, env: Mapping[str, str]):
        self.conn = conn
        self.config = config
        self.env = env

    def attempt(self, row: sqlite3.Row) -> dict[str, Any]:
        target = self.config.targets.get(row["source"])
        if target is None:
            raise GiveUp(f"no target {row['source']!r} in the configuration")
        body = payload(row)
        if row["kind"] == "escalation":
            event = escalation_event(self.conn, body["escalation"])
        elif row["kind"] == "overdue":
            event = {"event": "overdue", "alert": body["alert"], "due_at": body["due_at"],
                     "mention": get(self.conn, row["mention_id"])}  # fmt: skip
        else:
            event = alert_event(self.conn, body["alert"])
        try:
            send(target, event, row["id"], self.env)
        except DeliveryError as exc:
            raise (Wait if exc.waiting else GiveUp if exc.permanent else TryLater)(str(exc)) from None
        return {"target": target.name, "type": target.type}

    def on_sent(self, conn: sqlite3.Connection, row: sqlite3.Row, result: dict[str, Any], at: str) -> None:
        if row["mention_id"] is not None:
            manage.record_event(conn, row["mention_id"], at, SYSTEM, f"{row['kind']}-delivered",
                                {"outbox": row["id"], "target": result["target"]})  # fmt: skip
