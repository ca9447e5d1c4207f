"""tag, untag, assign, snooze, close, reopen, escalate, priority: one line each around the session's verbs."""

from __future__ import annotations

import typer

from commwatch.cli.state import state

ID = typer.Argument(..., metavar="ID", help="Local id from the inbox, or PLATFORM:REMOTE_ID.")


def _done(m: dict, what: str) -> None:
    from commwatch.text import excerpt

    typer.echo(f"#{m['id']} {what} · {m['status']} · {excerpt(m['text'], 60)}")


def tag(mention: str = ID, tags: list[str] = typer.Argument(..., metavar="TAG...")) -> None:
    """Add tags to a mention."""
    from commwatch.text import fields

    m = state.session.verbs.tag(mention, tags)
    _done(m, "tags: " + fields(m["tags"]))


def untag(mention: str = ID, tags: list[str] = typer.Argument(..., metavar="TAG...")) -> None:
    """Remove tags from a mention."""
    from commwatch.text import fields

    m = state.session.verbs.untag(mention, tags)
    _done(m, "tags: " + (fields(m["tags"]) or "none"))


def assign(mention: str = ID, name: str = typer.Argument(..., help="Who handles it; '-' to unassign.")) -> None:
    """Assign a mention to someone."""
    from commwatch.text import field

    m = state.session.verbs.assign(mention, None if name == "-" else name)
    _done(m, f"assigned to {field(m['assignee'])}" if m["assignee"] else "unassigned")


def snooze(mention: str = ID, duration: str = typer.Argument(..., help="30m, 2h, 3d, 1w.")) -> None:
    """Hide a mention from the inbox until the time is up."""
    m = state.session.verbs.snooze(mention, duration)
    from commwatch.text import when

    _done(m, f"snoozed until {when(m['snoozed_until'], state.session.zone)}")


def close(mention: str = ID) -> None:
    """Close a mention (done, nothing more to do)."""
    _done(state.session.verbs.close(mention), "closed")


def reopen(mention: str = ID) -> None:
    """Reopen a closed, snoozed or escalated mention."""
    _done(state.session.verbs.reopen(mention), "reopened")


def priority(
    mention: str = ID,
    level: str = typer.Argument(..., help="low | medium | high | urgent, or auto for the computed priority."),
) -> None:
    """Set a mention's priority by hand (kept by re-syncs and rules; `auto` returns to the computed one)."""
    m = state.session.verbs.set_priority(mention, level.lower())
    _done(m, f"priority {m['priority']['level']}" + ("" if m["priority"]["override"] else " (computed)"))


def note(mention: str = ID, text: list[str] = typer.Argument(..., metavar="TEXT...")) -> None:
    """Add an internal note: in the history and found by `inbox --search`, never sent anywhere."""
    words = " ".join(text).strip()
    if not words:
        raise typer.BadParameter("the note is empty", param_hint="TEXT")
    m = state.session.verbs.note(mention, words)
    _done(m, "note added")


def mark_replied(mention: str = ID) -> None:
    """Record that a mention was answered elsewhere (a call, a DM, an e-mail)."""
    m = state.session.verbs.mark_replied(mention)
    from commwatch.text import when

    _done(m, f"replied (first response {when(m['first_response_at'], state.session.zone)})")


def escalate(
    mention: str = ID,
    to: str = typer.Option(None, "--to", metavar="TARGET", help="A [targets.NAME] from commwatch.toml."),
    note: str = typer.Option(None, "--note", help="Why, for whoever picks it up."),
) -> None:
    """Escalate a mention: marks it escalated and delivers it to the target (Slack, webhook, e-mail, command)."""
    from commwatch.text import field

    m = state.session.verbs.escalate(mention, to, note)
    _done(m, f"escalated{' to ' + field(to) if to else ''}")
