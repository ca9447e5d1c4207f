"""report and export: options in, core out. The figures and the files are made in commwatch.report and commwatch.export."""

from __future__ import annotations

import sys

import typer

from commwatch.cli.filters import SENTIMENTS, choice, status_filter, when
from commwatch.cli.state import state

def _scope(since, until, **filters):
    """(the filter, until): the period and the filters a report or an export covers."""
    from commwatch.model import InboxFilter

    since_iso, until_iso = when(since, "--since"), when(until, "--until")
    if since_iso and until_iso and since_iso >= until_iso:
        raise typer.BadParameter(f"--since ({since_iso}) must be before --until ({until_iso})", param_hint="--until")
    from commwatch.cli import filters as check

    filters["platform"] = check.platform(filters.get("platform"))
    filters["source"] = check.source(filters.get("source"))
    if "assignee" in filters:
        filters["assignee"] = check.person(filters["assignee"], "--assignee")
    return InboxFilter(since=since_iso, limit=None, **filters), until_iso


def report(
    since: str = typer.Option("7d", "--since", help="Start of the period: 24h, 7d, or a date (2026-01-31)."),
    until: str = typer.Option(None, "--until", help="End of the period (exclusive), same forms; default now."),
    source: str = typer.Option(None, "--source", help="Only this [sources.NAME]."),
    platform: str = typer.Option(None, "--platform", help="x | reddit | youtube | bluesky | mastodon | discourse."),
    tag: str = typer.Option(None, "--tag", help="Only mentions with this tag."),
    as_json: bool = typer.Option(False, "--json", help="The figures as one JSON object on stdout."),
    html_file: str = typer.Option(None, "--html", metavar="FILE", help="Write a self-contained HTML report there instead of printing."),
    compare: str = typer.Option("previous", "--compare", help="previous (the period of equal length before) | none."),
) -> None:
    """Headline figures against the previous period, volume, sentiment, response times, share of voice, top posts,
    people, tags, keywords, advocates and detractors over a period."""
    from commwatch import timeutil
    from commwatch.app import reports

    compare = choice(compare, ("previous", "none"), "--compare")
    f, until_iso = _scope(since, until, status=None, source=source, platform=platform, tag=tag)
    data = reports.report(state.session, f, until_iso, timeutil.now(), compare=compare == "previous")
    if html_file:  # the file is the output: nothing else is printed unless --json asks
        from pathlib import Path

        Path(html_file).expanduser().write_text(reports.html(data), encoding="utf-8")
    if as_json:
        from commwatch.cli.render import print_json

        print_json(data)
    elif not html_file:
        _print_text(data)


def _print_text(data: dict) -> None:
    from commwatch.app import reports

    if not sys.stdout.isatty():
        sys.stdout.write(reports.plain(reports.text_lines(data, width=80, fancy=False)))
        return
    from rich.text import Text

    from commwatch.cli.render import console

    out = console()
    for line in reports.text_lines(data, width=min(out.width, 100), fancy=True):
        row = Text(no_wrap=True)
        for chunk, style in line:
            row.append(chunk, style=style or None)
        out.print(row)


def export(
    fmt: str = typer.Option(..., "--format", help="csv | jsonl."),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE", help="Write here (complete or not at all); default stdout."),
    status: str = typer.Option("all", "--status", help="open | snoozed | escalated | closed | all."),
    platform: str = typer.Option(None, "--platform", help="x | reddit | youtube | bluesky | mastodon | discourse."),
    sentiment: str = typer.Option(None, "--sentiment", help="negative | neutral | positive."),
    tag: str = typer.Option(None, "--tag"),
    assignee: str = typer.Option(None, "--assignee"),
    source: str = typer.Option(None, "--source", help="A [sources.NAME]."),
    since: str = typer.Option(None, "--since", help="24h, 7d, or a date (2026-01-31)."),
    until: str = typer.Option(None, "--until", help="Created before this: 24h, 7d, or a date."),
    search: str = typer.Option(None, "--search", help="Full-text search over text and author; word* for prefixes."),
    needs_reply: bool = typer.Option(False, "--needs-reply", help="Open or escalated, not yet replied to."),
) -> None:
    """Mentions with their triage, tags, assignee and replies, oldest first, as CSV or JSON Lines."""
    from commwatch.app import reports

    choice(fmt, reports.EXPORT_FORMATS, "--format")
    choice(sentiment, SENTIMENTS, "--sentiment")
    f, until_iso = _scope(since, until, status=status_filter(status), platform=platform, sentiment=sentiment,
                   tag=tag, assignee=assignee, source=source, search=search, needs_reply=needs_reply)  # fmt: skip
    if output and output != "-":
        from pathlib import Path

        count = reports.export_file(state.session, f, until_iso, fmt, Path(output).expanduser())
        typer.echo(f"exported {count:,} mentions to {output}", err=True)
        return
    import io

    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
    try:
        reports.export(state.session, f, until_iso, fmt, out)
        out.flush()
    finally:
        out.detach()
