"""The report as one plain data structure: `--json` prints it, the terminal and HTML views draw it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timezone, tzinfo
from typing import Any

from commwatch.model import iso
from commwatch.store import dialect
from commwatch.report import people, periods
from commwatch.report.alerts import alerts
from commwatch.report.compare import figures, headline, previous_figures
from commwatch.report.keywords import negative_keywords
from commwatch.report.response import backlog, escalations, replies, sla_attainment
from commwatch.report.scope import Scope
from commwatch.report.team import per_person
from commwatch.report.top import top_posts
from commwatch.report.voice import share_of_voice
from commwatch.report.volume import volume_and_sentiment

REPORT_VERSION = 2


def build_report(conn: sqlite3.Connection, scope: Scope, now: datetime, own: tuple[str, ...] = (), sla: Any = None,
                 zone: tzinfo = timezone.utc, compare: bool = True,
                 exclude_words: frozenset[str] = frozenset()) -> dict[str, Any]:  # fmt: skip
    """Every figure about the mentions created in [scope.since, scope.until) that match the filters.

    Exceptions, named in their sections: the backlog is as of `now`, and alerts are
    those fired in the period. `own`: the brand's handles, never counted as advocates or
    detractors. `zone`: the reader's, for the days of the time axis. `compare`: the headline
    figures of the previous period of equal length beside these. `exclude_words`: never
    "recurring words" (the brand's own names).
    """
    until = scope.until or iso(now)
    scope = Scope(scope.filter, until, messages=False, kind=dialect.of(conn))
    since = scope.since or _first_mention(conn, scope) or until
    compare = compare and scope.since is not None  # "all time" has no period before it
    # The period as a created_at range even when it is "all time": every figure then reads the created_at
    # index in order instead of skipping through another index row by row.
    scope = Scope(replace(scope.filter, since=since), until, messages=False, kind=scope.kind)
    granularity, axis = periods.buckets(since, until, zone)
    periods.mark_gaps(conn, axis, granularity, now)
    volume, sentiment, voice = volume_and_sentiment(conn, scope, axis)
    volume["granularity"] = granularity
    volume["gaps"] = sum(b.gap for b in axis)
    report = {
        "report_version": REPORT_VERSION,
        "generated_at": iso(now),
        "period": {"since": since, "until": until, "days": len({b.label[:10] for b in axis}),
                   "zone": getattr(zone, "key", None) or str(zone), "filters": scope.describe()},  # fmt: skip
        "volume": volume,
        "sentiment": sentiment,
        "response": {
            **replies(conn, scope, volume["total"]),
            "sla": sla_attainment(conn, scope, sla, now),
            "backlog": backlog(conn, scope, now),
            "escalations": escalations(conn, scope),
        },
        "share_of_voice": share_of_voice(voice),
        "top_posts": top_posts(conn, scope),
        "people": per_person(conn, scope),
        "tags": people.top_tags(conn, scope, volume["total"]),
        "negative_keywords": negative_keywords(conn, scope, sentiment["mix"]["negative"]["mentions"],
                                               exclude=exclude_words),  # fmt: skip
        **people.repeat_authors(conn, scope, own),
        "alerts": alerts(conn, since, until),
    }
    before = None
    if compare:
        prev_since, prev_until = periods.previous(since, until)
        before = previous_figures(conn, scope, prev_since, prev_until, sla, now)
        report["period"]["previous"] = {"since": prev_since, "until": prev_until}
    report["headline"] = headline(figures(report), before, sla)
    return report


def _first_mention(conn: sqlite3.Connection, scope: Scope | None) -> str | None:
    """The oldest mention in scope (None: in the store); days before it are not charted."""
    where, params = scope.where() if scope else ("", [])
    return conn.execute(f"SELECT min(m.created_at) FROM mentions m{where}", params).fetchone()[0]
