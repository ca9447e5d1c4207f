"""Response-time targets: when a mention must have had its first response, in business hours or not.

    [sla]
    urgent = "30m"            # time to first response per priority level; each optional
    high = "2h"
    medium = "8h"
    low = "48h"
    hours = "09:00-18:00"     # optional business hours: the clock runs only inside them
    days = "mon-fri"          # optional (default every day): "mon-fri", "mon,wed,fri", "sat-sun"
    timezone = "Europe/Berlin"  # optional (default UTC): where those hours are

Pure: no clock, no store. `due_at` adds a target to a creation time; `cutoff`
subtracts it from now, so "overdue" is "created before the cutoff" (business time
only moves forward, so the two agree), which the store can ask in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEVELS = ("urgent", "high", "medium", "low")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = (*LEVELS, "hours", "days", "timezone")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
MAX_WALK_DAYS = 3660  # a target is never ten years of business time


class SLAError(ValueError):
    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


@dataclass(frozen=True)
class SLA:
    targets: dict[str, timedelta]
    opens: time = time(0)
    closes: time | None = None  # None: midnight, the end of the day
    days: frozenset[int] = frozenset(range(7))  # Monday is 0
    tz: Any = timezone.utc
    business: bool = False  # hours or days were set: the clock stops outside them

    def target(self, level: str | None) -> timedelta | None:
        return self.targets.get(level or "")

    def due_at(self, created_at: datetime, level: str | None) -> datetime | None:
        """When the first response is due; None when the level has no target."""
        target = self.target(level)
        if target is None:
            return None
        if not self.business:
            return created_at + target
        return self._walk(created_at, target, forward=True)

    def cutoff(self, now: datetime, level: str | None) -> datetime | None:
        """The latest creation time that is due by `now`: created before it and unanswered means overdue."""
        target = self.target(level)
        if target is None:
            return None
        if not self.business:
            return now - target
        return self._walk(now, target, forward=False)

    # Business time -----------------------------------------------------------

    def _windows(self, day: datetime) -> tuple[datetime, datetime] | None:
        """The business window (local, aware) of the local date of `day`, or None on a closed day."""
        if day.weekday() not in self.days:
            return None
        start = datetime.combine(day.date(), self.opens, tzinfo=self.tz)
        end = (datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=self.tz) if self.closes is None
               else datetime.combine(day.date(), self.closes, tzinfo=self.tz))  # fmt: skip
        return start, end

    def _walk(self, moment: datetime, amount: timedelta, *, forward: bool) -> datetime:
        """`moment` moved by `amount` of business time, forward or back."""
        local = moment.astimezone(self.tz)
        now_utc = moment.astimezone(timezone.utc)
        left = amount
        day = local.replace(hour=12, minute=0, second=0, microsecond=0)  # noon: safe across DST
        for _ in range(MAX_WALK_DAYS):
            window = self._windows(day)
            if window is not None:
                start, end = (w.astimezone(timezone.utc) for w in window)  # real time, across DST changes
                if forward:
                    begin = max(start, now_utc)
                    if begin < end:
                        if begin + left <= end:
                            return begin + left
                        left -= end - begin
                else:
                    finish = min(end, now_utc)
                    if finish > start:
                        if finish - left >= start:
                            return finish - left
                        left -= finish - start
            day = (day + timedelta(days=1 if forward else -1)).replace(hour=12)
        raise SLAError("sla", "the business hours leave no time to count in")


def parse_sla(table: dict[str, Any]) -> SLA | None:
    """The [sla] table, checked; SLAError(key, message) for the first problem."""
    from commwatch.timeutil import parse_duration

    if not table:
        return None
    for key in table:
        if key not in KEYS:
            raise SLAError(f"sla.{key}", f"unknown key (known: {', '.join(KEYS)})")
    targets = {}
    for level in LEVELS:
        if level in table:
            value = table[level]
            try:
                targets[level] = parse_duration(value if isinstance(value, str) else "")
            except ValueError:
                raise SLAError(f"sla.{level}", "must be a duration such as \"30m\", \"2h\" or \"2d\"") from None
    opens, closes = time(0), None
    if "hours" in table:
        opens, closes = _hours(table["hours"])
    days = frozenset(range(7))
    if "days" in table:
        days = _days(table["days"])
    tz: Any = timezone.utc
    if "timezone" in table:
        value = table["timezone"]
        try:
            tz = ZoneInfo(value) if isinstance(value, str) and value else None
        except (ZoneInfoNotFoundError, ValueError):
            tz = None
        if tz is None:
            raise SLAError("sla.timezone", "must be a time zone such as \"Europe/Berlin\" or \"UTC\"")
    business = "hours" in table or "days" in table
    return SLA(targets, opens, closes, days, tz, business)


def _hours(value: Any) -> tuple[time, time | None]:
    match = _HOURS.match(value) if isinstance(value, str) else None
    if not match:
        raise SLAError("sla.hours", "must be a window such as \"09:00-18:00\"")
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise SLAError("sla.hours", "must be a window such as \"09:00-18:00\" (hours 00-24, minutes 00-59)")
    opens = time(h1, m1)
    closes = None if h2 == 24 else time(h2, m2)
    if closes is not None and closes <= opens:
        raise SLAError("sla.hours", "is empty: it must end after it starts (a window across midnight is not supported)")
    return opens, closes


def _days(value: Any) -> frozenset[int]:
    if not isinstance(value, str) or not value.strip():
        raise SLAError("sla.days", "must be days such as \"mon-fri\" or \"mon,wed,fri\"")
    chosen: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise SLAError("sla.days", f"{part!r} is not a day or a range of days (mon, tue, … sun; mon-fri)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        chosen.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(chosen)
