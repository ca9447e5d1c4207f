"""tag, untag, assign, snooze, close, reopen, escalate, priority, label, note, mark-replied: on one mention or many.

Every verb takes several ids, or `-` for ids on stdin (cli/targets.py), and says
per mention what changed or that nothing did.
"""

from __future__ import annotations

import typer

from commwatch.cli import filters, targets
from commwatch.cli.state import state
from commwatch.exitcodes import ExitCode

IDS = typer.Argument(..., metavar="ID...", help="Local ids from the inbox or PLATFORM:REMOTE_ID; - reads ids from stdin.")
STATE = ("status", "snoozed_until", "tags", "assignee", "replied", "sentiment")


def _each(ids: list[str], change, what, always: bool = False) -> None:
    """Apply `change(ref)` to every mention; one line per mention saying what changed, or that nothing did.
    An id that cannot be changed is one line on stderr; the others still are (exit 1 at the end)."""
    from commwatch.app.errors import ActionError
    from commwatch.text import excerpt, field

    session = state.session
    failed = 0
    for ref in targets.expand(ids):
        try:
            before = session.views.mention(ref)
            after = change(ref)
        except ActionError as exc:
            typer.echo(f"commwatch: {field(ref)}: {exc}", err=True)
            failed += 1
            continue
        changed = any(before[k] != after[k] for k in STATE) or before["priority"] != after["priority"]
        said = what(after) if changed or always else f"unchanged ({what(after)})"
        typer.echo(f"#{after['id']} {said} · {after['status']} · {excerpt(after['text'], 50)}")
    if failed:
        raise typer.Exit(int(ExitCode.ERROR))


def _values(args: list[str], option: list[str] | None, what: str, option_name: str) -> tuple[list[str], list[str]]:
    """(ids, values): with the option every argument is an id; without it, ids first and then the values."""
    if option:
        return targets.only_ids(args), option
    ids, values = targets.split(args, what)
    if not ids:
        raise typer.BadParameter(f"start with the id of a mention (or -), then the {what}", param_hint="ID")
    if not values:
        raise typer.BadParameter(f"name at least one {what} after the ids (or {option_name} VALUE: a {what} that "
                                 "looks like an id)", param_hint=what.upper())  # fmt: skip
    return ids, values


def _last(args: list[str], option: str | None, what: str, option_name: str) -> tuple[list[str], str]:
    """(ids, value): with the option every argument is an id; without it, the last argument is the value."""
    if option is not None:
        return targets.only_ids(args), option
    if len(args) < 2:
        raise typer.BadParameter(f"give the ids, then the {what} (or {option_name} VALUE)", param_hint=what.upper())
    return targets.only_ids(args[:-1]), args[-1]


def tag(
    args: list[str] = typer.Argument(..., metavar="ID... TAG..."),
    add: list[str] = typer.Option(None, "--add", metavar="TAG", help="A tag to add (repeatable); then every argument is an id."),
) -> None:
    """Add tags to mentions: tag 42 43 billing vip."""
    from commwatch.text import fields

    ids, tags = _values(args, add, "tag", "--add")
    _each(ids, lambda ref: state.session.verbs.tag(ref, tags), lambda m: "tags: " + fields(m["tags"]))


def untag(
    args: list[str] = typer.Argument(..., metavar="ID... TAG..."),
    remove: list[str] = typer.Option(None, "--remove", metavar="TAG", help="A tag to remove (repeatable); then every argument is an id."),
) -> None:
    """Remove tags from mentions: untag 42 43 billing."""
    from commwatch.text import fields

    ids, tags = _values(args, remove, "tag", "--remove")
    _each(ids, lambda ref: state.session.verbs.untag(ref, tags), lambda m: "tags: " + (fields(m["tags"]) or "none"))


def assign(
    args: list[str] = typer.Argument(..., metavar="ID... NAME"),
    to: str = typer.Option(None, "--to", metavar="NAME", help="Who handles them (me for yourself, - for nobody).",
                           autocompletion=filters.team_names),
) -> None:
    """Assign mentions to someone: assign 42 43 maria; assign 42 me; assign 42 - (unassign)."""
    from commwatch.text import field

    ids, name = _last(args, to, "name", "--to")
    who = None if name == "-" else name
    _each(ids, lambda ref: state.session.verbs.assign(ref, who),
          lambda m: f"assigned to {field(m['assignee'])}" if m["assignee"] else "unassigned")  # fmt: skip


def snooze(
    args: list[str] = typer.Argument(..., metavar="ID... DURATION"),
    for_: str = typer.Option(None, "--for", metavar="DURATION", help="30m, 2h, 2h30m, 3d, 1w."),
) -> None:
    """Hide mentions from the inbox until the time is up: snooze 42 43 2h."""
    from commwatch.text import when

    from commwatch import timeutil

    ids, duration = _last(args, for_, "duration", "--for")
    try:
        timeutil.parse_duration(duration)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="DURATION") from None
    _each(ids, lambda ref: state.session.verbs.snooze(ref, duration),
          lambda m: f"snoozed until {when(m['snoozed_until'], state.session.zone)}")  # fmt: skip


def close(ids: list[str] = IDS) -> None:
    """Close mentions (done, nothing more to do)."""
    _each(targets.only_ids(ids), state.session.verbs.close, lambda m: "closed")


def reopen(ids: list[str] = IDS) -> None:
    """Reopen closed, snoozed or escalated mentions."""
    _each(targets.only_ids(ids), state.session.verbs.reopen, lambda m: "reopened")


def priority(args: list[str] = typer.Argument(..., metavar="ID... LEVEL")) -> None:
    """Set priority by hand: priority 42 43 urgent (low, medium, high, urgent; auto returns to the computed one)."""
    ids, level = _last(args, None, "level", "LEVEL")
    _each(ids, lambda ref: state.session.verbs.set_priority(ref, level.lower()),
          lambda m: f"priority {m['priority']['level']}" + ("" if m["priority"]["override"] else " (computed)"))  # fmt: skip


def label(
    args: list[str] = typer.Argument(..., metavar="ID... LABEL"),
    as_: str = typer.Option(None, "--as", metavar="LABEL", help="The label; then every argument is an id."),
) -> None:
    """Set the sentiment by hand: label 42 43 negative (neutral, positive; auto gives it back to the model).

    A label set by hand is kept by re-syncs, rules and `triage rescore`, the priority
    follows it, and `triage train` learns from it.
    """
    ids, value = _last(args, as_, "label", "--as")
    _each(ids, lambda ref: state.session.verbs.label(ref, value),
          lambda m: f"{m['sentiment']['label']}" + (" (by hand)" if m["sentiment"]["by"] else " (the model's)"))  # fmt: skip


def note(
    args: list[str] = typer.Argument(..., metavar="ID [TEXT...]"),
    message: str = typer.Option(None, "--message", "-m", help="The note; then every argument is an id."),
) -> None:
    """Add an internal note, in the history and found by `inbox --search`, never sent: note 42 called her back."""
    if message is not None:
        ids, words = targets.only_ids(args), message
    else:
        ids, words = args[:1], " ".join(args[1:])
        targets.only_ids(ids)
    if not words.strip():
        raise typer.BadParameter("the note is empty", param_hint="TEXT")
    _each(ids, lambda ref: state.session.verbs.note(ref, words.strip()), lambda m: "note added", always=True)


def mark_replied(ids: list[str] = IDS) -> None:
    """Record that mentions were answered elsewhere (a call, a DM, an e-mail)."""
    from commwatch.text import when

    _each(targets.only_ids(ids), state.session.verbs.mark_replied,
          lambda m: f"replied (first response {when(m['first_response_at'], state.session.zone)})")  # fmt: skip


def escalate(
    ids: list[str] = IDS,
    to: str = typer.Option(None, "--to", metavar="TARGET", help="A [targets.NAME] from commwatch.toml."),
    note: str = typer.Option(None, "--note", help="Why, for whoever picks it up."),
) -> None:
    """Escalate mentions: marks them escalated and delivers them to the target (Slack, webhook, e-mail, command)."""
    from commwatch.text import field

    _each(targets.only_ids(ids), lambda ref: state.session.verbs.escalate(ref, to, note),
          lambda m: f"escalated{' to ' + field(to) if to else ''}", always=True)  # fmt: skip
