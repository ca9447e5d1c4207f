"""Checking every configured spike alert at the end of a sync; a fired alert is recorded and queued for its target."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from commwatch import timeutil
from commwatch.app.conversations import cutoffs, decorate
from commwatch.app.effects import SYSTEM, Effects
from commwatch.store.mentions import get
from commwatch.config import Config
from commwatch.model import iso
from commwatch.store import alerts as store
from commwatch.store import outbox
from commwatch.store.db import transaction
from commwatch.triage.alerts import detect


def check_alerts(conn: sqlite3.Connection, config: Config, now: datetime | None = None) -> list[int]:
    """Fire each alert whose window is a spike and whose cooldown has passed; returns the new alert ids."""
    now = now or timeutil.now()
    fired = []
    for rule in config.alert_rules:
        if rule.metric == "overdue":
            queue_overdue(conn, config, rule, now)
            continue
        last = store.last_fired(conn, rule.name)
        if last and last > iso(now - rule.cooldown):
            continue
        window_s = int(rule.window.total_seconds())
        end = int(now.timestamp())
        start = end - window_s
        buckets = int(rule.baseline.total_seconds()) // window_s
        baseline = store.bucket_counts(conn, rule.metric, start - buckets * window_s, window_s, buckets)
        count = store.count_between(conn, rule.metric, iso(datetime.fromtimestamp(start, now.tzinfo)), iso(now))
        d = detect(count, baseline, rule.k, rule.min_count)
        if not d.fired:
            continue
        with transaction(conn):
            alert_id = store.add_alert(
                conn, name=rule.name, metric=rule.metric, fired_at=iso(now),
                window_start=iso(datetime.fromtimestamp(start, now.tzinfo)), window_end=iso(now), count=count,
                baseline_mean=d.mean, baseline_std=d.std, threshold=d.threshold, target=rule.target,
            )  # fmt: skip
            if rule.target:
                outbox.add(conn, "alert", None, rule.target, {"alert": alert_id}, SYSTEM, iso(now))
        fired.append(alert_id)
    return fired


OVERDUE_BATCH = 500  # mentions alerted per sync at most; the rest the next sync


def queue_overdue(conn: sqlite3.Connection, config: Config, rule, now: datetime) -> int:
    """Queue one delivery to the rule's target for each mention that went past its response target,
    once per mention (an `overdue` event remembers it). Returns how many were queued."""
    ids = store.overdue_without_alert(conn, cutoffs(config.sla, now), OVERDUE_BATCH)
    at = iso(now)
    with transaction(conn):
        fx = Effects(conn, SYSTEM, at)
        for mention_id in ids:
            m = decorate(get(conn, mention_id), config.sla, now)
            due_at = (m["sla"] or {}).get("due_at")
            outbox_id = outbox.add(conn, "overdue", mention_id, rule.target, {"alert": rule.name, "due_at": due_at},
                                   SYSTEM, at)  # fmt: skip
            fx.record(mention_id, "overdue", {"alert": rule.name, "due_at": due_at, "outbox": outbox_id})
    return len(ids)
