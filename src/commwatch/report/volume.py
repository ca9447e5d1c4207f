"""Volume per day and platform, and the sentiment mix and its trend: one GROUP BY over the period."""

from __future__ import annotations

import sqlite3
from typing import Any

from commwatch.report.scope import Scope

LABELS = ("negative", "neutral", "positive")


def volume_and_sentiment(conn: sqlite3.Connection, scope: Scope, days: list[str]) -> tuple[dict, dict]:
    cte, params = scope.cte("m.created_at, m.platform, m.sentiment_label")
    rows = conn.execute(
        f"{cte} SELECT substr(created_at, 1, 10) AS day, platform, coalesce(sentiment_label, 'unscored') AS label, "
        "count(*) AS n FROM scope GROUP BY day, platform, label",
        params,
    ).fetchall()

    per_day: dict[str, dict[str, Any]] = {d: _empty_day(d) for d in days}
    platforms: dict[str, int] = {}
    mix = {label: 0 for label in (*LABELS, "unscored")}
    for day, platform, label, n in rows:
        row = per_day.setdefault(day, _empty_day(day))  # a mention outside the listed days still counts
        row["total"] += n
        row["platforms"][platform] = row["platforms"].get(platform, 0) + n
        row[label if label in mix else "unscored"] += n
        platforms[platform] = platforms.get(platform, 0) + n
        mix[label if label in mix else "unscored"] += n

    total = sum(platforms.values())
    volume = {
        "total": total,
        "by_day": [{k: per_day[d][k] for k in ("day", "total", "platforms")} for d in sorted(per_day)],
        "by_platform": [
            {"platform": p, "mentions": n, "share": _share(n, total)}
            for p, n in sorted(platforms.items(), key=lambda kv: (-kv[1], kv[0]))
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


def _empty_day(day: str) -> dict[str, Any]:
    return {"day": day, "total": 0, "platforms": {}, "negative": 0, "neutral": 0, "positive": 0, "unscored": 0}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _net(counts: dict[str, int]) -> float | None:
    """(positive − negative) / scored mentions: −1 all negative … +1 all positive."""
    scored = sum(counts[label] for label in LABELS)
    return round((counts["positive"] - counts["negative"]) / scored, 4) if scored else None
