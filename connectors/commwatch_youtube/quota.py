"""YouTube's quota day and a source's daily budget of quota units.

The Data API counts quota per Google Cloud project per day, and the day turns
at midnight Pacific time (America/Los_Angeles, with daylight saving). Each
source also has its own budget (`daily_quota`, default DEFAULT_DAILY_QUOTA
units) so that one busy source cannot starve the others or the replies a
manager sends later in the day.

Costs (determine_quota_cost in the API docs): every list call is 1 unit,
comments.insert and comments.setModerationStatus are 50. search.list now has a
bucket of its own (100 calls a day per project, 1 per call) and is counted in
the search stream's cursor, not in units; older documentation charged 100 units
per search call (LEGACY_SEARCH_UNITS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

from commwatch.connector import RateLimited

PACIFIC = "America/Los_Angeles"
LIST_UNITS = 1
WRITE_UNITS = 50  # comments.insert, comments.setModerationStatus
LEGACY_SEARCH_UNITS = 100  # what search.list cost before it got its own bucket (not charged)
DEFAULT_DAILY_QUOTA = 2000  # units per source per Pacific day (the project has 10,000)


def utcnow() -> datetime:
    """The clock the connector reads (tests replace it)."""
    return datetime.now(timezone.utc)


def _zone():
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python 3.11 always has zoneinfo
        return None
    try:
        return ZoneInfo(PACIFIC)
    except (ZoneInfoNotFoundError, ValueError):  # no tz database (and no tzdata package)
        return None


_PACIFIC_TZ = _zone()


def _us_offset(moment: datetime) -> timedelta:
    """Pacific offset by the US rules (2007–): daylight from the second Sunday in March,
    02:00 PST, to the first Sunday in November, 02:00 PDT. Used only without a tz database."""
    year = moment.year
    march = datetime(year, 3, 8, tzinfo=timezone.utc)
    dst_start = march + timedelta(days=(6 - march.weekday()) % 7, hours=10)  # 02:00 PST = 10:00 UTC
    november = datetime(year, 11, 1, tzinfo=timezone.utc)
    dst_end = november + timedelta(days=(6 - november.weekday()) % 7, hours=9)  # 02:00 PDT = 09:00 UTC
    return timedelta(hours=-7) if dst_start <= moment < dst_end else timedelta(hours=-8)


def to_pacific(moment: datetime) -> datetime:
    moment = moment.astimezone(timezone.utc)
    if _PACIFIC_TZ is not None:
        return moment.astimezone(_PACIFIC_TZ)
    return moment.astimezone(timezone(_us_offset(moment)))


def quota_day(moment: datetime) -> str:
    """The Pacific date containing `moment` (YYYY-MM-DD): the day YouTube counts quota in."""
    return to_pacific(moment).date().isoformat()


def next_reset(moment: datetime) -> datetime:
    """The next Pacific midnight after `moment`, in UTC."""
    tomorrow: date = to_pacific(moment).date() + timedelta(days=1)
    if _PACIFIC_TZ is not None:
        return datetime.combine(tomorrow, time(0), tzinfo=_PACIFIC_TZ).astimezone(timezone.utc)
    guess = datetime.combine(tomorrow, time(8), tzinfo=timezone.utc)  # midnight PST
    return guess - timedelta(hours=8) - _us_offset(guess)


def reset_phrase(moment: datetime) -> str:
    """'midnight Pacific (08:00 UTC)' for the next reset after `moment`."""
    return f"midnight Pacific ({next_reset(moment).strftime('%H:%M')} UTC)"


class Meter:
    """Units and requests spent, and how much of that no Page or error has reported yet."""

    def __init__(self) -> None:
        self.units = 0  # everything this connector spent (its lifetime)
        self.pending_units = 0
        self.pending_requests = 0

    def request(self, units: int) -> None:
        self.pending_requests += 1
        self.units += units
        self.pending_units += units

    def take(self) -> tuple[int, int]:
        """(requests, units) since the last take."""
        taken = self.pending_requests, self.pending_units
        self.pending_requests = self.pending_units = 0
        return taken


class Budget:
    """A source's daily allowance: units already spent today (known to the engine) plus what
    this sync spends may not pass `limit`."""

    def __init__(self, limit: int, spent_before: Callable[[], int], meter: Meter, option_key: str):
        self.limit = limit
        self.spent_before = spent_before  # units the store says this source spent earlier today
        self.meter = meter
        self.option_key = option_key  # "sources.NAME.daily_quota", for the message
        self.reads = 0  # units spent on budgeted (read) requests by this connector

    def check(self, cost: int) -> None:
        if self.spent_before() + self.reads + cost <= self.limit:
            return
        now = utcnow()
        raise RateLimited(
            f"daily budget of {self.limit} units reached ({self.option_key}); resets at {reset_phrase(now)}",
            retry_at=next_reset(now),
        )

    def charge(self, cost: int, budgeted: bool) -> None:
        self.meter.request(cost)
        if budgeted:
            self.reads += cost
