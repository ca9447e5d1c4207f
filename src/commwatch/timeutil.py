"""Clock, durations and times as people write them.

Durations: a number and a unit, or several: '90m', '2h30m', '1d', '1w2d', '45s'.
Times: a duration ago ('24h'), a date ('2026-01-31'), or a date and time
('2026-12-01T14:00', '2026-12-01 14:00'); a time without an offset is in the
display time zone (`[display] timezone`, else $TZ, else the system's). The
store compares ISO 8601 UTC strings; everything people read is in their zone.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commwatch.model import iso, utc

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^(?:\d+[smhdw])+$")
_PART = re.compile(r"(\d+)([smhdw])")
DURATION_HELP = "a duration such as 30m, 2h, 2h30m, 3d or 1w"
WHEN_HELP = "a duration ago (24h, 7d), a date (2026-01-31) or a date and time (2026-01-31T14:00)"


def now() -> datetime:
    return datetime.now(timezone.utc)


def now_iso() -> str:
    return iso(now())


def parse_duration(text: str) -> timedelta:
    """'90m', '2h30m', '3d', '1w' → timedelta; ValueError with a readable message otherwise."""
    compact = (text or "").strip().lower().replace(" ", "")
    if not _DURATION.match(compact):
        raise ValueError(f"{text!r} is not {DURATION_HELP}")
    total = timedelta()
    for number, unit in _PART.findall(compact):
        total += timedelta(**{_UNITS[unit]: int(number)})
    if total <= timedelta(0):
        raise ValueError(f"{text!r} is not {DURATION_HELP} (it must be longer than zero)")
    return total


def parse_since(text: str, reference: datetime | None = None, zone: tzinfo | None = None) -> str:
    """'24h' (ago), a date or a date and time (in `zone` unless it says its offset) → ISO UTC."""
    try:
        return iso((reference or now()) - parse_duration(text))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not {WHEN_HELP}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or local_zone())
    return iso(utc(moment))


def local_zone(name: str | None = None) -> tzinfo:
    """The display time zone: `name` ([display] timezone), else $TZ, else the system's local zone."""
    for candidate in (name, os.environ.get("TZ")):
        if candidate:
            try:
                return ZoneInfo(candidate.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or timezone.utc
