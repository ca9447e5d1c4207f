"""The Textual application: where the data lives and what the screens share.

Everything that would make tests flaky or slow is injectable: the clock that
ages are measured against, the browser, the actor, the environment the
connectors read credentials from, the poll interval and the detail delay.
"""

from __future__ import annotations

import sqlite3
import webbrowser
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from textual.app import App

from commwatch.actions import default_actor
from commwatch.config import Config
from commwatch.store.db import open_store
from commwatch.store.inbox import InboxFilter


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CommwatchApp(App):
    CSS_PATH = "commwatch.tcss"
    TITLE = "commwatch"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        db_path: Path,
        config: Config,
        *,
        conn: sqlite3.Connection | None = None,
        filter: InboxFilter | None = None,
        clock: Callable[[], datetime] = _utcnow,
        browser: Callable[[str], bool] = webbrowser.open,
        actor: str | None = None,
        env: Mapping[str, str] | None = None,
        poll_interval: float = 2.0,
        detail_delay: float = 0.06,
        page_size: int = 100,
    ):
        super().__init__()
        self.db_path = Path(db_path)
        self.config = config
        self.conn = conn if conn is not None else open_store(self.db_path)
        self.initial_filter = filter
        self.now = clock
        self.browser = browser
        self.actor = actor or default_actor()
        self.env = env
        self.poll_interval = poll_interval
        self.detail_delay = detail_delay
        self.page_size = page_size
        self.worker_errors: list[BaseException] = []  # bugs in background tasks (tests check it stays empty)

    def open_reader(self) -> sqlite3.Connection:
        """A connection of its own for a worker thread (WAL: readers never block the writer)."""
        return open_store(self.db_path)

    def platforms(self) -> list[str]:
        """The platforms the configured sources cover (for the filter screen)."""
        from commwatch import registry

        found = {"x", "reddit", "youtube"}
        for source in self.config.sources.values():
            try:
                found.update(registry.load(source.connector).platforms)
            except Exception:  # an unknown or broken connector: sync reports it
                continue
        return sorted(found)

    def on_mount(self) -> None:
        from commwatch.tui.screens.inbox import InboxScreen

        self.push_screen(InboxScreen(self.initial_filter))
