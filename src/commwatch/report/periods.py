"""The report's time axis: every day of the period (every hour when it is under 3 days), in the reader's
time zone, with the buckets in which no sync ran marked as gaps, and the previous period of equal length.

A bucket is a gap when sync runs are recorded at all, the bucket lies after the first of them
and before now, and no run started in it (for hours: in it or in the two hours before, so an
every-other-hour cron is not a row of holes). A day of zero mentions with a sync is a real zero;
a gap says "we were not listening", which a chart must not show as quiet.
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from commwatch.model import iso

HOURLY_UNDER = timedelta(days=3)
HOUR_SLACK = timedelta(hours=2)


@dataclass
class Bucket:
    label: str  # "2026-11-15" or "2026-11-15 14:00", local
    start: str  # ISO UTC, inclusive (clipped to the period)
    end: str  # ISO UTC, exclusive (clipped to the period)
    gap: bool = False


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def buckets(since: str, until: str, zone: tzinfo) -> tuple[str, list[Bucket]]:
    """("day" | "hour", the buckets covering [since, until))."""
    start, end = parse(since), parse(until)
    hourly = end - start < HOURLY_UNDER
    local = start.astimezone(zone)
    edge = local.replace(minute=0, second=0, microsecond=0) if hourly else local.replace(hour=0, minute=0, second=0,
                                                                                           microsecond=0)  # fmt: skip
    out: list[Bucket] = []
    while edge.astimezone(timezone.utc) < end and len(out) < 100_000:
        following = _next(edge, hourly, zone)
        label = edge.strftime("%Y-%m-%d %H:00") if hourly else edge.strftime("%Y-%m-%d")
        lo, hi = max(edge.astimezone(timezone.utc), start), min(following.astimezone(timezone.utc), end)
        out.append(Bucket(label, iso_ms(lo), iso_ms(hi)))
        edge = following
    return ("hour" if hourly else "day"), out


def _next(edge: datetime, hourly: bool, zone: tzinfo) -> datetime:
    """The next local midnight or hour, across daylight-saving changes."""
    if hourly:
        return (edge.astimezone(timezone.utc) + timedelta(hours=1)).astimezone(zone)
    day = (edge.replace(tzinfo=None) + timedelta(days=1)).replace(hour=0)
    return day.replace(tzinfo=zone)


def iso_ms(moment: datetime) -> str:
    """ISO UTC with seconds, as the store writes created_at (a boundary inside a second rounds up)."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return iso(moment)


def mark_gaps(conn: sqlite3.Connection, found: list[Bucket], granularity: str, now: datetime) -> None:
    """Set `gap` on the buckets in which no sync ran (see the module's rule)."""
    if not found:
        return
    first_run = conn.execute("SELECT min(started_at) FROM sync_runs").fetchone()[0]
    if first_run is None:
        return  # nothing is synced here (imports only): nothing can be a gap
    slack = HOUR_SLACK if granularity == "hour" else timedelta(0)
    lo = iso(parse(found[0].start) - slack)
    starts = [r[0] for r in conn.execute("SELECT started_at FROM sync_runs WHERE started_at >= ? AND started_at < ? "
                                         "ORDER BY started_at", (lo, found[-1].end))]  # fmt: skip
    now_iso = iso(now)
    for b in found:
        if b.end <= first_run or b.start >= now_iso:
            continue
        window_start = iso(parse(b.start) - slack)
        i = bisect.bisect_left(starts, window_start)
        b.gap = not (i < len(starts) and starts[i] < b.end)


def previous(since: str, until: str) -> tuple[str, str]:
    """The period of equal length just before [since, until)."""
    start, end = parse(since), parse(until)
    return iso(start - (end - start)), since
