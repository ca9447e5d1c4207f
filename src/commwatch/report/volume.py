"""Volume per day and platform, and the sentiment mix and its trend.

One aggregate query per day, each a range of the created_at index summed by
platform and label: no sort of the period's rows, so a million mentions cost one
pass over them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from commwatch.report.scope import Scope

LABELS = ("negative", "neutral", "positive")


def platforms(conn: sqlite3.Connection) -> list[str]:
    """The platforms in the store, found by seeking the platform index (a few lookups, not a scan)."""
    found: list[str] = []
    while True:
        row = conn.execute(
            "SELECT min(platform) FROM mentions WHERE platform > ?", [found[-1] if found else ""]
        ).fetchone()
        if row[0] is None:
            return found
        found.append(row[0])


def volume_and_sentiment(conn: sqlite3.Connection, scope: Scope, days: list[str]) -> tuple[dict, dict]:
    names = platforms(conn)
    sums = ", ".join(["sum(m.platform = ?)"] * len(names) + [f"sum(m.sentiment_label = '{label}')" for label in LABELS])
    per_day: dict[str, dict[str, Any]] = {}
    for day in days:
        start = f"{day}T00:00:00Z"
        end = f"{date.fromisoformat(day) + timedelta(days=1)}T00:00:00Z"
        one = replace(scope, filter=replace(scope.filter, since=max(start, scope.since or start)),
                      until=min(end, scope.until or end))  # fmt: skip
        where, params = one.where()
        total, *counts = conn.execute(f"SELECT count(*), {sums} FROM mentions m{where}", [*names, *params]).fetchone()
        by_platform, by_label = counts[: len(names)], [c or 0 for c in counts[len(names) :]]
        per_day[day] = {
            "day": day,
            "total": total,
            "platforms": {p: n for p, n in zip(names, by_platform) if n},
            **dict(zip(LABELS, by_label)),
            "unscored": total - sum(by_label),
        }
    totals: dict[str, int] = {}
    mix = {label: 0 for label in (*LABELS, "unscored")}
    for row in per_day.values():
        for p, n in row["platforms"].items():
            totals[p] = totals.get(p, 0) + n
        for label in mix:
            mix[label] += row[label]

    total = sum(totals.values())
    volume = {
        "total": total,
        "by_day": [{k: per_day[d][k] for k in ("day", "total", "platforms")} for d in sorted(per_day)],
        "by_platform": [
            {"platform": p, "mentions": n, "share": _share(n, total)}
            for p, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
    scored = sum(mix[label] for label in LABELS)
    sentiment = {
        "mix": {label: {"mentions": mix[label], "share": _share(mix[label], scored)} for label in LABELS},
        "unscored": mix["unscored"],
        "net": _net(mix),
        "by_day": [
            {
                "day": d,
                **{label: per_day[d][label] for label in LABELS},
                "negative_share": _share(per_day[d]["negative"], sum(per_day[d][label] for label in LABELS)),
                "net": _net(per_day[d]),
            }
            for d in sorted(per_day)
        ],
    }
    return volume, sentiment


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _net(counts: dict[str, int]) -> float | None:
    """(positive − negative) / scored mentions: −1 all negative … +1 all positive."""
    scored = sum(counts[label] for label in LABELS)
    return round((counts["positive"] - counts["negative"]) / scored, 4) if scored else None
