"""tui: the inbox in a terminal UI. Textual is imported here, inside the command."""

from __future__ import annotations

from commwatch.cli.state import state


def tui() -> None:
    """Work the inbox in a terminal UI: list, detail, reply, tag, assign, escalate, close, snooze, undo."""
    conn = state.session.conn  # a config or store error is reported here, before Textual is even imported
    from commwatch.tui.app import CommwatchApp

    CommwatchApp(state.db_path, state.config, conn=conn).run()
