"""Per person: the period's mentions assigned to each, those each answered (through commwatch, or marked
answered elsewhere) and how fast, and the escalations each handled (closed or answered after the
escalation). Rules and commwatch itself are not people here."""

from __future__ import annotations

import sqlite3
import statistics
from datetime import datetime
from typing import Any

from commwatch.report.scope import Scope
from commwatch.store import dialect

ANSWERS = ("reply", "mark-replied")


def per_person(conn: sqlite3.Connection, scope: Scope) -> list[dict[str, Any]]:
    cte, params = scope.cte("m.id, m.created_at, m.assignee")
    cross = dialect.in_order(conn)
    people: dict[str, dict[str, Any]] = {}

    def person(name: str) -> dict[str, Any]:
        return people.setdefault(name, {"person": name, "assigned": 0, "replied": 0, "waits": [], "escalations_handled": 0})

    for name, n in conn.execute(f"{cte} SELECT assignee, count(*) FROM scope WHERE assignee IS NOT NULL "
                                "GROUP BY assignee", params):  # fmt: skip
        person(name)["assigned"] = n
    answers = conn.execute(
        f"{cte} SELECT e.actor, s.created_at, min(e.at) FROM scope s {cross} events e ON e.mention_id = s.id "
        f"WHERE e.action IN ({', '.join('?' * len(ANSWERS))}) GROUP BY e.actor, s.id, s.created_at",
        [*params, *ANSWERS],
    )
    for actor, created, answered in answers:
        if _is_person(actor):
            p = person(actor)
            p["replied"] += 1
            p["waits"].append(max(0.0, (_time(answered) - _time(created)).total_seconds()))
    handled = conn.execute(
        f"{cte} SELECT (SELECT h.actor FROM events h WHERE h.mention_id = e.mention_id AND h.id > e.id "
        f"AND h.action IN ('close', 'reply') ORDER BY h.id LIMIT 1) FROM scope s {cross} events e "
        "ON e.mention_id = s.id WHERE e.action = 'escalate'",
        params,
    )
    for (actor,) in handled:
        if actor and _is_person(actor):
            person(actor)["escalations_handled"] += 1
    out = []
    for p in people.values():
        waits = p.pop("waits")
        p["median_first_response_s"] = round(statistics.median(waits), 1) if waits else None
        out.append(p)
    return sorted(out, key=lambda p: (-(p["assigned"] + p["replied"]), p["person"].lower()))


def _is_person(actor: str | None) -> bool:
    return bool(actor) and actor != "commwatch" and not actor.startswith("rule:")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
