"""Checking the inbox filter options that inbox, export, report and rules apply share."""

from __future__ import annotations

import typer

STATUSES = ("open", "snoozed", "escalated", "closed", "all")
SENTIMENTS = ("negative", "neutral", "positive")


def choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    """The value if it is one of the choices (or None); a usage error naming the option otherwise."""
    if value is not None and value not in choices:
        raise typer.BadParameter(f"choose one of {', '.join(choices)}", param_hint=option)
    return value


def status_filter(value: str) -> str | None:
    """--status as the store wants it: None for all."""
    choice(value, STATUSES, "--status")
    return None if value == "all" else value


def when(value: str | None, option: str) -> str | None:
    """--since / --until (24h, 7d, a date, a date and time in the display zone) as an ISO UTC
    timestamp; a usage error when it is none of these."""
    from commwatch.cli.state import state
    from commwatch.timeutil import parse_since

    if value is None:
        return None
    try:
        return parse_since(value, zone=state.session.zone)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None
