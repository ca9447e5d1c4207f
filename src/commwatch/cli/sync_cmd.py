"""sync and import."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from commwatch.cli.state import state
from commwatch.exitcodes import ExitCode


def sync(
    sources: list[str] = typer.Option(None, "--source", metavar="NAME", help="Sync only this source (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless a source fails (for cron)."),
    as_json: bool = typer.Option(False, "--json", help="The summary as JSON on stdout."),
) -> None:
    """Fetch new mentions from every enabled source into the inbox."""
    session = state.session
    for name in sources or []:
        if name not in session.config.sources:
            from commwatch.text import field, fields

            known = fields(session.config.sources, ", ")
            raise typer.BadParameter(f"no source named {field(name)!r} (configured: {known})", param_hint="--source")

    from commwatch.app.errors import SyncLocked

    progress = None
    if not quiet and not as_json and sys.stderr.isatty():
        from commwatch.cli.sync_view import LiveProgress

        progress = LiveProgress()
    try:
        if progress:
            with progress:
                result = session.sync(only=sources or None, on_progress=progress.update)
        else:
            result = session.sync(only=sources or None)
    except SyncLocked as exc:
        if not quiet:  # an overlapping cron run is normal: silent, so cron mails nothing
            typer.echo(f"commwatch: {exc}", err=True)
        raise typer.Exit(int(ExitCode.LOCKED)) from None

    code = exit_code(result)
    from commwatch.cli import sync_view

    if as_json:
        from commwatch.cli.render import print_json

        print_json({**result.to_dict(), "exit_code": int(code)})
    elif quiet:
        sync_view.print_failures(result)
    else:
        sync_view.print_summary(result, session.views, session.zone)
    if code:
        raise typer.Exit(int(code))


def exit_code(result) -> ExitCode:
    """5 when every source that ran failed; 4 when some did, or items were set aside, or a delivery
    needs a person (refused, or waiting for a variable); else 0. A rate-limited source is not a failure."""
    if result.failed and len(result.failed) == len(result.ran):
        return ExitCode.FAILED
    if result.failed or result.rejected or result.undelivered:
        return ExitCode.PARTIAL
    return ExitCode.OK


def import_(
    platform: str = typer.Argument(..., help="x | reddit | youtube | bluesky | mastodon | discourse."),
    paths: list[str] = typer.Argument(..., metavar="PATH...", help="JSON or JSON Lines files of raw API responses; - for stdin."),
    source: str = typer.Option("import", "--source", metavar="NAME", help="The source the mentions are stored under (rules can match it)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    workers: int = typer.Option(0, "--workers", min=0, metavar="N", help="Processes that parse and score (default 0: one per core; 1: this process only)."),
) -> None:
    """Ingest saved raw API responses (twarc2 output, curl downloads) through the platform's parser; rules apply.

    Any encoding (UTF-8 with or without BOM, UTF-16, UTF-32). Bad lines are named and skipped; items that
    cannot become mentions are set aside (`commwatch rejects`). Exit 4 when anything was skipped or set aside.
    """
    from commwatch.text import inert

    def streams():
        for path in paths:
            if path == "-":
                yield "<stdin>", sys.stdin.buffer
                continue
            try:
                with open(Path(path).expanduser(), "rb") as handle:
                    yield path, handle
            except OSError as exc:
                typer.echo(f"commwatch: {inert(path, single_line=True)}: cannot be read ({exc.strerror})", err=True)
                missing.append(path)

    missing: list[str] = []
    result = state.session.import_streams(platform.lower(), streams(), source=source, workers=workers or None)
    for problem in (*result.problems, *result.set_aside):
        typer.echo(f"commwatch: {inert(str(problem), single_line=True)}", err=True)
    if not quiet:
        bad_lines = len(result.problems)
        typer.echo(
            f"{result.mentions} mentions from {result.payloads} responses: {result.new} new, {result.updated} updated"
            + (f", {result.escalated} escalated by rules" if result.escalated else "")
            + (f"; {result.rejected} items set aside" if result.rejected else "")
            + (f"; {bad_lines} lines skipped (above)" if bad_lines else "")
        )
    if result.problems or result.rejected or missing:
        raise typer.Exit(int(ExitCode.PARTIAL if result.payloads else ExitCode.ERROR))
