"""inbox and show."""

from __future__ import annotations

import typer

from commwatch.cli.filters import SENTIMENTS, choice, status_filter, when
from commwatch.cli.state import state



def inbox(
    status: str = typer.Option("open", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform", help="x | reddit | youtube."),
    sentiment: str = typer.Option(None, "--sentiment", help="negative | neutral | positive."),
    tag: str = typer.Option(None, "--tag"),
    assignee: str = typer.Option(None, "--assignee"),
    source: str = typer.Option(None, "--source", help="A [sources.NAME]."),
    since: str = typer.Option(None, "--since", help="24h, 7d, or a date (2026-01-31)."),
    search: str = typer.Option(None, "--search", help="Full-text search over text and author; word* for prefixes."),
    needs_reply: bool = typer.Option(False, "--needs-reply", help="Open or escalated, not yet replied to."),
    limit: int = typer.Option(50, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="A JSON array on stdout."),
) -> None:
    """List mentions, most urgent first, then newest."""
    from commwatch.actions import Actions
    from commwatch.store.inbox import InboxFilter, count_mentions, list_mentions
    status_value = status_filter(status)
    choice(sentiment, SENTIMENTS, "--sentiment")
    since_iso = when(since, "--since")

    conn = state.db
    Actions(conn, state.config).wake_snoozed()
    f = InboxFilter(
        status=status_value,
        platform=platform.lower() if platform else None,
        sentiment=sentiment,
        tag=tag,
        assignee=assignee,
        source=source,
        since=since_iso,
        search=search,
        needs_reply=needs_reply,
        limit=limit,
    )
    mentions = list_mentions(conn, f)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(mentions)
        return
    if not mentions:
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM mentions)").fetchone()[0]
        hint = "the inbox is empty: run `commwatch sync`" if empty else "nothing matches these filters"
        typer.echo(hint, err=True)
        return
    from commwatch.cli.render import inbox_table

    total = count_mentions(conn, f) if len(mentions) == limit else len(mentions)
    inbox_table(mentions, total)


def show(
    mention: str = typer.Argument(..., metavar="ID", help="Local id, or PLATFORM:REMOTE_ID."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One mention in full: text, author, thread, scores and reasons, history."""
    from commwatch.actions import MentionNotFound
    from commwatch.store import manage
    from commwatch.store.mentions import get, resolve_id, thread_context
    from commwatch.store.outbox import replies_sent

    conn = state.db
    mention_id = resolve_id(conn, mention)
    if mention_id is None:
        raise MentionNotFound(mention)
    m = get(conn, mention_id)
    history = manage.history(conn, mention_id)
    thread = thread_context(conn, m)
    replies = replies_sent(conn, mention_id)
    if as_json:
        from commwatch.cli.render import print_json

        print_json({**m, "history": history, "thread": thread, "replies": replies})
        return
    from commwatch.cli.render import mention_detail

    mention_detail(m, history, thread, replies)

