"""The report as one plain data structure: `--json` prints it, the terminal and HTML views draw it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from commwatch.model import iso
from commwatch.report import people
from commwatch.report.alerts import alerts
from commwatch.report.keywords import negative_keywords
from commwatch.report.response import backlog, escalations, replies, sla_attainment
from commwatch.report.scope import Scope
from commwatch.report.stats import days_between, parse_day
from commwatch.report.volume import volume_and_sentiment

REPORT_VERSION = 1


def build_report(conn: sqlite3.Connection, scope: Scope, now: datetime, own: tuple[str, ...] = (),
                 sla: Any = None) -> dict[str, Any]:  # fmt: skip
    """Every figure about the mentions created in [scope.since, scope.until) that match the filters.

    Exceptions, named in their sections: the backlog is as of `now`, and alerts are
    those fired in the period. `own`: the brand's handles, never counted as advocates or detractors.
    """
    until = scope.until or iso(now)
    scope = Scope(scope.filter, until, messages=False)
    since = scope.since or _first_mention(conn, scope) or until
    first, last = parse_day(max(since, _first_mention(conn, None) or since)), parse_day(until)
    if until.endswith("T00:00:00Z") and last > first:
        last -= timedelta(days=1)  # until is exclusive: a period ending at midnight has no mention that day
    days = days_between(first, last)
    volume, sentiment = volume_and_sentiment(conn, scope, days)
    return {
        "report_version": REPORT_VERSION,
        "generated_at": iso(now),
        "period": {"since": since, "until": until, "days": len(days), "filters": scope.describe()},
        "volume": volume,
        "sentiment": sentiment,
        "response": {
            **replies(conn, scope, volume["total"]),
            "sla": sla_attainment(conn, scope, sla, now),
            "backlog": backlog(conn, scope, now),
            "escalations": escalations(conn, scope),
        },
        "tags": people.top_tags(conn, scope, volume["total"]),
        "negative_keywords": negative_keywords(conn, scope, sentiment["mix"]["negative"]["mentions"]),
        **people.repeat_authors(conn, scope, own),
        "alerts": alerts(conn, since, until),
    }


def _first_mention(conn: sqlite3.Connection, scope: Scope | None) -> str | None:
    """The oldest mention in scope (None: in the store); days before it are not charted."""
    where, params = scope.where() if scope else ("", [])
    return conn.execute(f"SELECT min(m.created_at) FROM mentions m{where}", params).fetchone()[0]
