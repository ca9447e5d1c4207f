"""The headline figures of a period beside the previous period of equal length, with the change.

Counts and durations change by a ratio (+34 %); shares change by percentage points (+5 pts),
since "the negative share rose 50 %" from 10 % to 15 % misleads. `better` says which way is
good news (a rising replied share, a falling negative share, a shorter first response), for
colouring; volume and escalations are neither good nor bad by themselves.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from commwatch.report.response import escalations, replies, sla_attainment
from commwatch.report.scope import Scope

# name: (unit, which way is better)
METRICS = {
    "mentions": ("count", None),
    "negative_share": ("share", "down"),
    "replied_share": ("share", "up"),
    "median_first_response_s": ("duration", "down"),
    "sla_attainment": ("share", "up"),
    "escalations": ("count", None),
}


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The headline values of a built report (no query)."""
    x = report["response"]
    return {
        "mentions": report["volume"]["total"],
        "negative_share": report["sentiment"]["mix"]["negative"]["share"],
        "replied_share": x["reply_rate"],
        "median_first_response_s": x["first_reply"]["median_s"],
        "sla_attainment": x["sla"]["attainment"] if x.get("sla") else None,
        "escalations": x["escalations"]["escalated"],
    }


def previous_figures(conn: sqlite3.Connection, scope: Scope, since: str, until: str, sla: Any,
                     now: datetime) -> dict[str, Any]:  # fmt: skip
    """The same figures for [since, until): a handful of aggregate queries over that period."""
    before = replace(scope, filter=replace(scope.filter, since=since), until=until)
    where, params = before.where()
    total, negative, scored = conn.execute(
        "SELECT count(*), coalesce(sum(CASE WHEN m.sentiment_label = 'negative' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN m.sentiment_label IN ('negative', 'neutral', 'positive') THEN 1 ELSE 0 END), 0) "
        f"FROM mentions m{where}",
        params,
    ).fetchone()
    answered = replies(conn, before, total)
    attained = sla_attainment(conn, before, sla, now)
    return {
        "mentions": total,
        "negative_share": round(negative / scored, 4) if scored else None,
        "replied_share": answered["reply_rate"],
        "median_first_response_s": answered["first_reply"]["median_s"],
        "sla_attainment": attained["attainment"] if attained else None,
        "escalations": escalations(conn, before)["escalated"],
    }


def headline(current: dict[str, Any], previous: dict[str, Any] | None, sla: Any) -> dict[str, Any]:
    out = {}
    for name, (unit, better) in METRICS.items():
        if name == "sla_attainment" and sla is None:
            continue
        now, before = current.get(name), (previous or {}).get(name)
        out[name] = {"current": now, "previous": before, "unit": unit, "better": better, **_change(now, before, unit)}
    return out


def _change(now: float | None, before: float | None, unit: str) -> dict[str, Any]:
    if now is None or before is None:
        return {"change": None, "direction": None}
    direction = "up" if now > before else ("down" if now < before else "same")
    if unit == "share":
        return {"change": round(now - before, 4), "change_unit": "points", "direction": direction}
    if before == 0:
        return {"change": None, "direction": direction}  # from nothing: no ratio to tell
    return {"change": round((now - before) / before, 4), "change_unit": "ratio", "direction": direction}
