"""reply, moderate, outbox."""

from __future__ import annotations

import json
import sys

import typer

from commwatch.cli.state import state
from commwatch.exitcodes import ExitCode

ID = typer.Argument(..., metavar="ID", help="Local id from the inbox, or PLATFORM:REMOTE_ID.")


def reply(
    mention: str = ID,
    text: str = typer.Argument(None, help="What to post (or use --template)."),
    template: str = typer.Option(None, "--template", metavar="NAME", help="A [templates.NAME] from commwatch.toml."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show exactly what would be posted, and post nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Post without asking (needed when not on a terminal)."),
) -> None:
    """Reply to a mention on its platform, exactly once (through the outbox)."""
    from commwatch.text import inert

    replier = state.session.replies
    draft = replier.draft(mention, text, template)
    if dry_run:
        typer.echo("dry run, nothing posted: " + inert(draft.describe()))
        return
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("add --yes to post without a confirmation prompt", param_hint="--yes")
        typer.echo(inert(draft.describe()))
        if not typer.confirm("Post this reply?", default=False):
            typer.echo("not posted")
            raise typer.Exit(int(ExitCode.OK))
    delivery = replier.send(draft)
    if delivery.status == "sent":
        url = delivery.result.get("url") or delivery.result["remote_id"]
        typer.echo(f"#{draft.mention['id']} replied: {inert(url, single_line=True)}")
        return
    typer.echo(f"commwatch: reply {delivery.outbox_id} {delivery.status}: {inert(delivery.message, single_line=True)}",
               err=True)  # fmt: skip
    raise typer.Exit(int(ExitCode.ERROR))


def moderate(
    mention: str = ID,
    action: str = typer.Argument(..., help="x: hide|unhide · reddit: remove|approve|spam · youtube: hold|publish|reject · "
                                           "discourse: flag-spam|flag-inappropriate|flag-off-topic|notify-moderators|"
                                           "hide|unhide|delete|recover|lock|unlock|close|open|unlist|list|silence|unsilence · "
                                           "mastodon: mute|unmute|block|unblock|mute-conversation|unmute-conversation|"
                                           "report|report-forward|dismiss|suspend|limit · "
                                           "bluesky: mute|unmute|block|unblock|mute-thread|unmute-thread|hide|report|"
                                           "report-spam."),
    ban: bool = typer.Option(False, "--ban", help="YouTube reject: also ban the author from the channel."),
    reason: str = typer.Option(None, "--reason", help="Discourse, Mastodon, Bluesky: why (shown to a silenced user, or to moderators)."),
    days: int = typer.Option(None, "--days", min=1, max=3650, help="Discourse silence: how many days (default 7)."),
) -> None:
    """Moderate a mention on its platform (recorded in its history)."""
    m = state.session.replies.moderate(mention, action.lower(), ban=ban, reason=reason, days=days)
    typer.echo(f"#{m['id']} {action}{' and banned the author' if ban else ''} on {m['platform']}")


outbox_app = typer.Typer(help="Pending and failed replies and escalation deliveries.", rich_markup_mode=None,
                         invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})


@outbox_app.callback()
def outbox(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json"),
    all_: bool = typer.Option(False, "--all", help="Include what was sent or cancelled."),
) -> None:
    """List pending and failed replies and deliveries (`outbox retry` sends them now, `outbox cancel` drops one)."""
    if ctx.invoked_subcommand:
        return
    from commwatch.cli.render import print_json
    from commwatch.text import excerpt, field, inert, when

    rows = state.session.views.outbox(include_sent=all_)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("the outbox is empty", err=True)
    for r in rows:
        next_try = f" next try {when(r['next_attempt_at'], state.session.zone)}" if r["status"] == "pending" else ""
        error = f" · {inert(r['last_error'], single_line=True)}" if r["last_error"] else ""
        what = excerpt(r["payload"]["text"], 50) if r["kind"] == "reply" else f"{r['kind']} {field(r['payload'].get(r['kind']))}"
        about = f" #{r['mention_id']}" if r["mention_id"] else ""
        typer.echo(f"{r['id']:>4} {r['status']:<8} {field(r['kind'])}{about} via {field(r['source'])} "
                   f"tries {r['attempts']}{next_try}{error} · {what}")  # fmt: skip


@outbox_app.command("retry")
def outbox_retry(
    failed: bool = typer.Option(False, "--failed", help="Also what failed for good (after fixing the cause)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Re-send failed replies without asking."),
) -> None:
    """Send everything pending now, whatever its backoff (and, with --failed, what failed)."""
    from commwatch.text import excerpt, field, inert

    session = state.session
    if failed:
        rows = session.outbox.failed()
        replies = [r for r in rows if r["kind"] == "reply"]
        chosen = [r["id"] for r in rows if r["kind"] != "reply"]
        if replies:  # a reply is posted in public: never again without the person seeing it
            for r in replies:
                text = json.loads(r["payload"]).get("text", "")
                typer.echo(f"{r['id']:>4} reply to #{r['mention_id']} via {field(r['source'])}: {excerpt(text, 60)}")
            if yes:
                chosen += [r["id"] for r in replies]
            elif not sys.stdin.isatty():
                raise typer.BadParameter(f"{len(replies)} failed replies would be posted: add --yes to post them",
                                         param_hint="--yes")  # fmt: skip
            elif typer.confirm(f"Post these {len(replies)} replies again?", default=False):
                chosen += [r["id"] for r in replies]
            else:
                typer.echo("the failed replies stay failed (`commwatch outbox cancel ID` drops one)")
        if chosen:
            session.outbox.retry_failed(chosen)
    results = session.outbox.flush()
    for d in results:
        typer.echo(f"{d.outbox_id}: {d.status}" + (f": {inert(d.message, single_line=True)}" if d.message else ""))
    if not results:
        typer.echo("nothing to send", err=True)
    if any(d.status != "sent" for d in results):
        raise typer.Exit(int(ExitCode.PARTIAL))


@outbox_app.command("cancel")
def outbox_cancel(ids: list[int] = typer.Argument(..., metavar="ID...", help="Outbox row ids (`commwatch outbox`).")) -> None:
    """Cancel replies or deliveries not sent yet (pending or failed); they are never sent."""
    session = state.session
    failed = 0
    for outbox_id in ids:
        why_not = session.outbox.cancel(outbox_id, session.actor)
        if why_not is None:
            typer.echo(f"{outbox_id}: cancelled")
        else:
            typer.echo(f"commwatch: {outbox_id}: not cancelled: {why_not}", err=True)
            failed += 1
    if failed:
        raise typer.Exit(int(ExitCode.ERROR))
