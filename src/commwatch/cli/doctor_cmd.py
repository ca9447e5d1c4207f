"""doctor: what is set up and what is missing, for every source and target at once."""

from __future__ import annotations

import os

import typer

from commwatch.cli.state import state


def doctor(
    live: bool = typer.Option(False, "--live", help="Also make one cheap authenticated request per source (and one more where replying is set up) to see that reading and replying work."),
    sources: list[str] = typer.Option(None, "--source", metavar="NAME", help="Check only this source (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="The findings as a JSON array."),
) -> None:
    """Check the configuration, the database, each source's credentials and each target.

    Names every missing variable at once; never prints a value. Exits 1 when
    something configured cannot work.
    """
    from commwatch.app.doctor import Doctor, problems
    from commwatch.config import validate_sources
    from commwatch.text import field

    config = state.config
    validate_sources(config)
    for name in sources or []:
        if name not in config.sources:
            known = ", ".join(config.sources) or "none"
            raise typer.BadParameter(f"no source named {field(name)!r} (configured: {known})", param_hint="--source")
    found = Doctor(config, state.db_path, os.environ, live=live).run(sources or None)
    if as_json:
        from commwatch.cli.render import print_json

        print_json([f.to_dict() for f in found])
    else:
        from commwatch.cli.render import doctor_lines

        for line in doctor_lines(found, width=_terminal_width()):
            typer.echo(line)
    if problems(found):
        raise typer.Exit(1)


def _terminal_width() -> int | None:
    """Wrap for a person at a terminal; one line per finding for grep and scripts."""
    import shutil
    import sys

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None
