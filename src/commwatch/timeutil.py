"""Clock and durations: '2h', '30m', '7d', '1w' and ISO timestamps, always UTC."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from commwatch.model import iso, utc

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)


def now() -> datetime:
    return datetime.now(timezone.utc)


def now_iso() -> str:
    return iso(now())


def parse_duration(text: str) -> timedelta:
    """'90m', '2h', '3d', '1w' → timedelta; ValueError with a readable message otherwise."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration (use a number and a unit: 30m, 2h, 3d, 1w)")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def parse_since(text: str, reference: datetime | None = None) -> str:
    """'24h' (ago) or an ISO date/time → the ISO UTC timestamp the store compares with."""
    try:
        return iso((reference or now()) - parse_duration(text))
    except ValueError:
        pass
    try:
        return iso(utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00"))))
    except ValueError:
        raise ValueError(f"{text!r} is neither a duration (24h, 7d) nor a date (2026-01-31)") from None
