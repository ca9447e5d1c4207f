"""Checking the inbox filter options that inbox, export, report and rules apply share."""

from __future__ import annotations

import typer

STATUSES = ("open", "snoozed", "escalated", "closed", "all")
SENTIMENTS = ("negative", "neutral", "positive")
SORTS = ("priority", "newest", "oldest", "due")
SEARCH_HELP = ('Words (all must match), OR, -word, "a phrase", word* and author: platform: tag: status: '
               "assignee: sentiment: (e.g. 'refund OR chargeback -spam platform:x').")


def choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    """The value if it is one of the choices (or None); a usage error naming the option otherwise."""
    if value is not None and value not in choices:
        raise typer.BadParameter(f"choose one of {', '.join(choices)}", param_hint=option)
    return value


def platform(value: str | None) -> str | None:
    """--platform, one of the platforms installed connectors read; a usage error naming them otherwise."""
    if value is None:
        return None
    from commwatch.cli.state import state

    known = state.session.views.platforms()
    return choice(value.lower(), tuple(known), "--platform")


def source(value: str | None) -> str | None:
    """--source, a configured source (or one the inbox holds mentions of); a usage error naming them otherwise."""
    if value is None:
        return None
    from commwatch.cli.state import state

    session = state.session
    if value in session.config.sources or session.views.has_source(value):
        return value
    known = ", ".join([*session.config.sources, "import"])
    raise typer.BadParameter(f"no source {value!r} (configured: {known})", param_hint="--source")


def person(value: str | None, option: str) -> str | None:
    """--assignee: `me` is whoever is acting; with [team] members, one of them."""
    if value is None:
        return None
    from commwatch.app.errors import ActionError
    from commwatch.cli.state import state

    try:
        return state.session.verbs.who(value)
    except ActionError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def truncated(shown: int, limit: int | None, count) -> None:
    """After a --json listing that stopped at --limit: one line on stderr with the total
    (counted up to views.COUNT_CAP: "50 of 1,000+ shown")."""
    from commwatch.app.views import COUNT_CAP
    from commwatch.text import counted

    if limit is not None and shown == limit:
        total = count()
        if total > shown:
            typer.echo(f"commwatch: {shown} of {counted(total, COUNT_CAP)} shown; --limit 0 for all", err=True)


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


def team_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion for a name: the [team] members that start with what was typed, and me."""
    from commwatch import config

    try:
        team = config.load(ctx.find_root().params.get("config")).team
    except Exception:  # completion never fails loudly: no config, no names
        return []
    return [name for name in [*team, "me"] if name.lower().startswith(incomplete.lower())]
