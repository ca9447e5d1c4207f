"""Volume per day and platform, and the sentiment mix and its trend.

One aggregate query per day, each a range of the created_at index summed by
platform and label: no sort of the period's rows, so a million mentions cost one
pass over them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from commwatch.report.periods import Bucket
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


def sources(conn: sqlite3.Connection) -> list[str]:
    """The sources in the store, by seeking the source index."""
    found: list[str] = []
    while True:
        row = conn.execute("SELECT min(source) FROM mentions WHERE source > ?", [found[-1] if found else ""]).fetchone()
        if row[0] is None:
            return found
        found.append(row[0])


def volume_and_sentiment(conn: sqlite3.Connection, scope: Scope, found: list[Bucket]) -> tuple[dict, dict, dict]:
    """Volume and sentiment per bucket of the time axis (periods.py): every bucket, zeros and gaps included;
    and the counts per (platform, label) and (source, label) for the share of voice, in the same pass."""
    names, feeds = platforms(conn), sources(conn)
    kinds = [*LABELS, None]  # None: unscored
    pairs = [("platform", n, k) for n in names for k in kinds] + [("source", n, k) for n in feeds for k in kinds]
    sums = ", ".join(f"sum(CASE WHEN m.{col} = ? AND m.sentiment_label {'IS NULL' if k is None else '= ' + repr(k)} "
                     "THEN 1 ELSE 0 END)"
                     for col, _, k in pairs)  # fmt: skip
    per_day: dict[str, dict[str, Any]] = {}
    voice: dict[tuple[str, str, str | None], int] = {p: 0 for p in pairs}
    for b in found:
        one = replace(scope, filter=replace(scope.filter, since=b.start), until=b.end)
        where, params = one.where()
        total, *counts = conn.execute(f"SELECT count(*), {sums} FROM mentions m{where}",
                                      [*(n for _, n, _ in pairs), *params]).fetchone()  # fmt: skip
        counts = [c or 0 for c in counts]
        for pair, n in zip(pairs, counts):
            voice[pair] += n
        by_platform = [sum(n for (col, name, _), n in zip(pairs, counts) if col == "platform" and name == p)
                       for p in names]  # fmt: skip
        by_label = [sum(n for (col, _, k), n in zip(pairs, counts) if col == "platform" and k == label) for label in LABELS]
        per_day[b.label] = {
            "day": b.label,
            "start": b.start,
            "gap": b.gap,
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
        "by_day": [{k: per_day[d][k] for k in ("day", "start", "total", "platforms", "gap")} for d in per_day],
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
                "gap": per_day[d]["gap"],
                **{label: per_day[d][label] for label in LABELS},
                "negative_share": _share(per_day[d]["negative"], sum(per_day[d][label] for label in LABELS)),
                "net": _net(per_day[d]),
            }
            for d in per_day
        ],
    }
    return volume, sentiment, voice


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _net(counts: dict[str, int]) -> float | None:
    """(positive − negative) / scored mentions: −1 all negative … +1 all positive."""
    scored = sum(counts[label] for label in LABELS)
    return round((counts["positive"] - counts["negative"]) / scored, 4) if scored else None
