"""tag, untag, assign, snooze, close, reopen, escalate: one line each around commwatch.actions."""

from __future__ import annotations

import typer

from commwatch.cli.state import state

ID = typer.Argument(..., metavar="ID", help="Local id from the inbox, or PLATFORM:REMOTE_ID.")


def _actions():
    from commwatch.actions import Actions

    return Actions(state.db, state.config)


def _done(m: dict, what: str) -> None:
    from commwatch.cli.render import excerpt

    typer.echo(f"#{m['id']} {what} · {m['status']} · {excerpt(m['text'], 60)}")


def tag(mention: str = ID, tags: list[str] = typer.Argument(..., metavar="TAG...")) -> None:
    """Add tags to a mention."""
    m = _actions().tag(mention, tags)
    _done(m, "tags: " + " ".join(m["tags"]))


def untag(mention: str = ID, tags: list[str] = typer.Argument(..., metavar="TAG...")) -> None:
    """Remove tags from a mention."""
    m = _actions().untag(mention, tags)
    _done(m, "tags: " + (" ".join(m["tags"]) or "none"))


def assign(mention: str = ID, name: str = typer.Argument(..., help="Who handles it; '-' to unassign.")) -> None:
    """Assign a mention to someone."""
    m = _actions().assign(mention, None if name == "-" else name)
    _done(m, f"assigned to {m['assignee']}" if m["assignee"] else "unassigned")


def snooze(mention: str = ID, duration: str = typer.Argument(..., help="30m, 2h, 3d, 1w.")) -> None:
    """Hide a mention from the inbox until the time is up."""
    m = _actions().snooze(mention, duration)
    _done(m, f"snoozed until {m['snoozed_until']}")


def close(mention: str = ID) -> None:
    """Close a mention (done, nothing more to do)."""
    _done(_actions().close(mention), "closed")


def reopen(mention: str = ID) -> None:
    """Reopen a closed, snoozed or escalated mention."""
    _done(_actions().reopen(mention), "reopened")


def escalate(
    mention: str = ID,
    to: str = typer.Option(None, "--to", metavar="TARGET", help="A [targets.NAME] from commwatch.toml."),
    note: str = typer.Option(None, "--note", help="Why, for whoever picks it up."),
) -> None:
    """Escalate a mention: marks it escalated and delivers it to the target (Slack, webhook, e-mail, command)."""
    from commwatch.notify.worker import deliver_due

    m = _actions().escalate(mention, to, note)
    _done(m, f"escalated{' to ' + to if to else ''}")
    for delivery in deliver_due(state.db, state.config):
        if delivery.status != "sent":
            typer.echo(f"commwatch: delivery {delivery.outbox_id} {delivery.status}: {delivery.message}", err=True)
