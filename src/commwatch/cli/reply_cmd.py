"""reply, moderate, outbox."""

from __future__ import annotations

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
    action: str = typer.Argument(..., help="x: hide|unhide · reddit: remove|approve|spam · youtube: hold|publish|reject."),
    ban: bool = typer.Option(False, "--ban", help="YouTube reject: also ban the author from the channel."),
) -> None:
    """Moderate a mention on its platform (recorded in its history)."""
    m = state.session.replies.moderate(mention, action.lower(), ban=ban)
    typer.echo(f"#{m['id']} {action}{' and banned the author' if ban else ''} on {m['platform']}")


outbox_app = typer.Typer(help="Pending and failed replies and escalation deliveries.", rich_markup_mode=None, invoke_without_command=True)


@outbox_app.callback()
def outbox(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json"),
    all_: bool = typer.Option(False, "--all", help="Include what was sent."),
) -> None:
    """List pending and failed replies and deliveries (`outbox retry` sends what is due)."""
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
    failed: bool = typer.Option(False, "--failed", help="Also retry what failed for good (after fixing the cause)."),
) -> None:
    """Send what is due now (and, with --failed, what failed)."""
    from commwatch.text import inert

    session = state.session
    if failed:
        session.outbox.retry_failed()
    results = session.deliver_due()
    for d in results:
        typer.echo(f"{d.outbox_id}: {d.status}" + (f": {inert(d.message, single_line=True)}" if d.message else ""))
    if any(d.status != "sent" for d in results):
        raise typer.Exit(int(ExitCode.PARTIAL))
