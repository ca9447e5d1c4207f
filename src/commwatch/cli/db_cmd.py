"""db info, db copy: what the database holds, and moving it between SQLite and PostgreSQL."""

from __future__ import annotations

import sys

import typer

from commwatch.cli.state import state

db_app = typer.Typer(help="See what the database holds; copy it between SQLite and PostgreSQL.",
                     rich_markup_mode=None, no_args_is_help=True,
                     context_settings={"help_option_names": ["-h", "--help"]})  # fmt: skip

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@db_app.command("info")
def info(as_json: bool = typer.Option(False, "--json", help="The facts as a JSON object.")) -> None:
    """Which engine holds the inbox and where, its schema version, rows per table and size."""
    from commwatch.app import dbtools

    facts = dbtools.info(state.db_path)
    if as_json:
        from commwatch.cli.render import print_json

        print_json(facts)
        return
    from commwatch.text import inert

    engine = ENGINES[facts["engine"]]
    if facts.get("server_version"):
        engine += f" {facts['server_version'].split()[0]}, schema {inert(facts['schema'], single_line=True)}"
    lines = [("engine", engine), ("location", inert(facts["location"], single_line=True)),
             ("schema", f"version {facts['schema_version']}"), ("size", _size(facts.get("size_bytes")))]  # fmt: skip
    span = facts["oldest_mention"] and f"{facts['oldest_mention']} … {facts['newest_mention']}"
    lines.append(("mentions", f"created {span}" if span else "none yet"))
    for label, value in lines:
        typer.echo(f"{label:<14}{value}")
    typer.echo("rows")
    for table, count in facts["tables"].items():
        typer.echo(f"  {table:<14}{count:>12,}")


def _size(n: int | None) -> str:
    if n is None:
        return "unknown"
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""  # not reached


@db_app.command("copy")
def copy(
    src: str = typer.Argument(..., metavar="SRC", help="The store to copy: a SQLite file or a postgresql:// URL."),
    dst: str = typer.Argument(..., metavar="DST", help="Where to: a new SQLite file, or a PostgreSQL URL whose schema is empty."),
    resume: bool = typer.Option(False, "--resume", help="Go on with a copy that stopped: copy only the rows DST lacks."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing unless it fails."),
) -> None:
    """Copy every table of one store into another (SQLite ↔ PostgreSQL), ids and all.

    Rows are read in batches and each batch is committed, so an interrupted
    copy keeps what it copied: run it again with --resume. Refused when DST
    already holds data (unless --resume). Changes made in SRC to rows already
    copied are not carried over by --resume.
    """
    from commwatch.app import dbtools
    from commwatch.text import inert

    live = not quiet and sys.stderr.isatty()

    def progress(table, done: bool) -> None:
        if done:
            sys.stderr.write(("\r\x1b[K" if live else "") + _table_line(table) + "\n")
        elif live:
            sys.stderr.write(f"\r\x1b[K{table.table}: {_rows(table.copied)}…")
        sys.stderr.flush()

    try:
        result = dbtools.copy(src, dst, resume=resume, on_progress=None if quiet else progress)
    except dbtools.CopyRefused as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.argument) from None
    finally:
        if live:
            sys.stderr.write("\r\x1b[K")
    if quiet:
        return
    where = f"{dbtools.shown(dbtools.location(src))} to {dbtools.shown(dbtools.location(dst))}"
    typer.echo(inert(f"copied {_rows(result.rows)} in {sum(not t.missing for t in result.tables)} tables from "
                     f"{where} in {result.seconds:.1f} s", single_line=True))  # fmt: skip


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _table_line(t) -> str:
    if t.missing:
        return f"{t.table}: not in {'SRC' if t.missing == 'source' else 'DST'}, skipped"
    line = f"{t.table}: {_rows(t.copied)} copied"
    if t.after is not None:
        line += f" (those up to id {t.after:,} were there already)"
    if t.left_out:
        line += f"; columns DST lacks left out: {', '.join(t.left_out)}"
    return line
