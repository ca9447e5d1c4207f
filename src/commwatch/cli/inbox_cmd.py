"""inbox and show."""

from __future__ import annotations

import typer

from commwatch.cli import filters
from commwatch.cli.filters import SEARCH_HELP, SENTIMENTS, SORTS, choice, status_filter, when
from commwatch.cli.state import state


def inbox(
    status: str = typer.Option("open", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform", help="x | reddit | youtube | bluesky | mastodon | discourse, or another installed platform."),
    sentiment: str = typer.Option(None, "--sentiment", help="negative | neutral | positive."),
    tag: str = typer.Option(None, "--tag"),
    assignee: str = typer.Option(None, "--assignee", help="A name, or me.", autocompletion=filters.team_names),
    source: str = typer.Option(None, "--source", help="A [sources.NAME], or import."),
    since: str = typer.Option(None, "--since", help="Posted from: 24h, 7d, 2026-01-31, 2026-01-31T14:00."),
    until: str = typer.Option(None, "--until", help="Posted before: the same forms."),
    search: str = typer.Option(None, "--search", help=SEARCH_HELP),
    needs_reply: bool = typer.Option(False, "--needs-reply", help="Open or escalated, not yet answered."),
    overdue: bool = typer.Option(False, "--overdue", help="Past the [sla] response target, unanswered."),
    ours: bool = typer.Option(False, "--ours", help="The brand's own posts instead of people's."),
    sort: str = typer.Option("priority", "--sort", help="priority | newest | oldest | due."),
    limit: int = typer.Option(50, "--limit", min=0, help="At most this many; 0 for all."),
    as_json: bool = typer.Option(False, "--json", help="A JSON array on stdout."),
) -> None:
    """List mentions, most urgent first, then newest (or --sort)."""
    from commwatch.app.views import COUNT_CAP
    from commwatch.model import InboxFilter

    f = InboxFilter(
        status=status_filter(status),
        platform=filters.platform(platform),
        sentiment=choice(sentiment, SENTIMENTS, "--sentiment"),
        tag=tag,
        assignee=filters.person(assignee, "--assignee"),
        source=filters.source(source),
        since=when(since, "--since"),
        until=when(until, "--until"),
        search=search,
        needs_reply=needs_reply,
        overdue=overdue,
        ours=ours,
        sort=choice(sort, SORTS, "--sort"),
        limit=limit or None,
    )
    views = state.session.views
    mentions = views.inbox(f)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(mentions)
        filters.truncated(len(mentions), f.limit, lambda: views.count(f, cap=COUNT_CAP))
        return
    if not mentions:
        hint = "the inbox is empty: run `commwatch sync`" if views.is_empty() else "nothing matches these filters"
        typer.echo(hint, err=True)
        return
    from commwatch.cli.render import inbox_table

    total = views.count(f, cap=COUNT_CAP) if len(mentions) == f.limit else len(mentions)
    inbox_table(mentions, total, with_due=state.session.config.sla is not None, cap=COUNT_CAP)


def rejects(
    as_json: bool = typer.Option(False, "--json", help="A JSON array on stdout."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Items a platform or a file sent that could not become mentions: where from, and why. Newest first."""
    from commwatch.text import excerpt, field, inert, when

    rows = state.session.views.rejects(limit)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(rows)
        return
    if not rows:
        typer.echo("nothing has been set aside", err=True)
    for r in rows:
        where = " · ".join(field(x) for x in (r["source"], r["origin"], r["platform"], r["remote_id"]) if x)
        typer.echo(f"{r['id']:>5} {when(r['at'], state.session.zone)}  {where}: {inert(r['reason'], single_line=True)}")
        if r["item"]:
            typer.echo(f"      {excerpt(r['item'], 100)}")


def show(
    mention: str = typer.Argument(..., metavar="ID", help="Local id, or PLATFORM:REMOTE_ID."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One mention in full: text, author, thread, scores and reasons, history."""
    detail = state.session.views.detail(mention)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(detail.to_dict())
        return
    from commwatch.cli.render import mention_detail

    mention_detail(detail, state.session.zone)
