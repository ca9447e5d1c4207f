"""The `commwatch` command: global options, command registration, and the one exit path.

Commands stay thin: they parse options, call the application layer (through
the Session in cli/state.py), and draw. Errors it raises on purpose become one
line on stderr and an ExitCode here, in run().
"""

from __future__ import annotations

import os
import sys

import typer

from commwatch.cli import (db_cmd, doctor_cmd, inbox_cmd, manage_cmd, misc_cmd, reply_cmd, report_cmd, rules_cmd,
                           sync_cmd, triage_cmd, tui_cmd)
from commwatch.cli.state import state
from commwatch.exitcodes import ExitCode

HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="commwatch",
    help="Hear what people say about your brand on X, Reddit and YouTube, and answer from the terminal.",
    rich_markup_mode=None,  # plain help: keeps `commwatch --help` fast (Rich is imported only to draw tables)
    pretty_exceptions_enable=False,
    add_completion=False,  # `commwatch completion SHELL` prints the script instead of installing it
    no_args_is_help=True,
    context_settings=HELP,
)


def _version(value: bool) -> None:
    if value:
        from commwatch import __version__

        typer.echo(f"commwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    config: str = typer.Option(None, "--config", metavar="PATH", help="commwatch.toml to use (default: $COMMWATCH_CONFIG, ./commwatch.toml, ~/.config/commwatch/commwatch.toml)."),
    db: str = typer.Option(None, "--db", metavar="PATH|URL", help="SQLite inbox, or postgresql:// URL of a team's, to use (default: $COMMWATCH_DB, [store] url or path, ~/.local/share/commwatch/commwatch.db)."),
    version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version, help="Print the version and exit."),
) -> None:
    state.config_path = config
    state.db_option = db


app.command("init")(misc_cmd.init)
app.command("sync")(sync_cmd.sync)
app.command("import")(sync_cmd.import_)
app.command("inbox")(inbox_cmd.inbox)
app.command("show")(inbox_cmd.show)
app.command("tag")(manage_cmd.tag)
app.command("untag")(manage_cmd.untag)
app.command("assign")(manage_cmd.assign)
app.command("snooze")(manage_cmd.snooze)
app.command("close")(manage_cmd.close)
app.command("reopen")(manage_cmd.reopen)
app.command("priority")(manage_cmd.priority)
app.command("label")(manage_cmd.label)
app.command("note")(manage_cmd.note)
app.command("mark-replied")(manage_cmd.mark_replied)
app.command("escalate")(manage_cmd.escalate)
app.command("reply")(reply_cmd.reply)
app.command("moderate")(reply_cmd.moderate)
app.add_typer(reply_cmd.outbox_app, name="outbox")
app.add_typer(rules_cmd.rules_app, name="rules")
app.add_typer(triage_cmd.triage_app, name="triage")
app.command("alerts")(rules_cmd.alerts)
app.command("rejects")(inbox_cmd.rejects)
app.command("report")(report_cmd.report)
app.command("export")(report_cmd.export)
app.command("tui")(tui_cmd.tui)
app.command("score")(misc_cmd.score)
app.command("connectors")(misc_cmd.connectors)
app.command("doctor")(doctor_cmd.doctor)
app.add_typer(db_cmd.db_app, name="db")
app.command("completion")(misc_cmd.completion)


def fail(message: str, code: ExitCode) -> None:
    from commwatch.text import inert

    sys.stderr.write(f"commwatch: {inert(message)}\n")
    sys.exit(int(code))


def run() -> None:
    if "_COMMWATCH_COMPLETE" in os.environ:  # the shell asks for completions (`commwatch completion SHELL`)
        from typer._completion_classes import completion_init  # typer is pinned below 0.29

        completion_init()
    try:
        app(prog_name="commwatch")  # also under `python -m commwatch.cli.main`: usage lines and completion
    except KeyboardInterrupt:
        fail("interrupted; everything committed so far is kept", ExitCode.INTERRUPTED)
    except BrokenPipeError:  # `commwatch inbox | head`
        sys.stderr.close()
        sys.exit(int(ExitCode.OK))
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None:
            raise
        fail(f"config error: {exc}" if code == ExitCode.CONFIG else describe(exc), code)


def exit_code_for(exc: Exception) -> ExitCode | None:
    """The exit code for an error the core raises on purpose; None for a bug (shown as a traceback).

    The exception classes are imported here, after the fact, so that
    `commwatch --help` does not pay for importing the modules that define them.
    """
    from commwatch.app.errors import ActionError, DatabaseFailure, ImportRefused, StoreError, SyncLocked
    from commwatch.config import ConfigError

    if isinstance(exc, ConfigError):
        return ExitCode.CONFIG
    if isinstance(exc, SyncLocked):
        return ExitCode.LOCKED
    if isinstance(exc, (ActionError, StoreError, ImportRefused)):
        return ExitCode.ERROR
    if isinstance(exc, (DatabaseFailure, OSError)):  # the surroundings: a full disk, a read-only file or folder
        return ExitCode.ERROR
    return None


def describe(exc: Exception) -> str:
    """One sentence for an error the surroundings caused; the message of one commwatch raised."""
    from commwatch.app.errors import DatabaseFailure, database_sentence

    if isinstance(exc, DatabaseFailure):
        return database_sentence(exc, _db_path())
    if isinstance(exc, OSError):
        what = exc.filename or "a file"
        return f"{what}: {exc.strerror or exc}"
    return str(exc)


def _db_path() -> str:
    try:
        return str(state.db_path)
    except Exception:  # the config itself is broken
        return "the database"


if __name__ == "__main__":
    run()
