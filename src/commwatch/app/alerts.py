"""Checking every configured spike alert at the end of a sync; a fired alert is recorded and queued for its target."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from commwatch import timeutil
from commwatch.app.effects import SYSTEM
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
