"""The Textual application: the session the screens share, and what makes tests deterministic.

All data and every change go through one commwatch.app Session, exactly as the
CLI's do. Everything that would make tests flaky or slow is injectable: the
clock that ages are measured against, the browser, the actor, the environment
the connectors read credentials from, the poll interval and the detail delay.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from textual.app import App

from commwatch.app.session import Session
from commwatch.config import Config
from commwatch.model import InboxFilter
from commwatch.text import inert


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
        conn=None,  # an open database connection to use (tests); else db_path is opened
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
        self.config = config
        # Deliveries a change queues (an escalation) run on a worker thread, never on the UI's.
        self.session = Session(config, db_path, conn=conn, actor=actor, env=env,
                               on_deliveries=self._delivered, background=self._in_background)  # fmt: skip
        self.initial_filter = filter
        self.now = clock
        self.browser = browser
        self.poll_interval = poll_interval
        self.detail_delay = detail_delay
        self.page_size = page_size
        self.worker_errors: list[BaseException] = []  # bugs in background tasks (tests check it stays empty)

    def reader(self) -> Session:
        """A session on a connection of its own, for a worker thread (WAL: readers never block the writer)."""
        return self.session.reader()

    def _in_background(self, job) -> None:
        def guarded() -> None:
            try:
                job()
            except Exception as exc:  # the database or a bug: say it in one line, keep the UI running
                self.call_from_thread(self.notify, f"outbox: {type(exc).__name__}: {inert(str(exc))}",
                                      severity="error", markup=False, timeout=10)  # fmt: skip

        self.run_worker(guarded, thread=True, group="outbox", exit_on_error=False)

    def _delivered(self, deliveries) -> None:
        """Called on the worker thread that delivered: say what did not go out, then refresh."""
        self.call_from_thread(self.show_deliveries, deliveries)

    def show_deliveries(self, deliveries, what: str = "") -> None:
        for d in deliveries:
            if d.status != "sent":
                severity = "error" if d.status == "failed" else "warning"
                self.notify(f"delivery {d.outbox_id} {d.status}: {inert(d.message, single_line=True)}",
                            title="outbox", severity=severity, markup=False, timeout=10)  # fmt: skip
        sent = sum(d.status == "sent" for d in deliveries)
        if what:
            self.notify(f"{what}: {sent} of {len(deliveries)} sent" if deliveries else f"{what}: nothing due",
                        markup=False)  # fmt: skip
        elif deliveries and sent == len(deliveries):
            self.notify(f"delivered ({sent})", markup=False)
        self.inbox.refresh_view()

    def on_mount(self) -> None:
        from commwatch.tui.screens.inbox import InboxScreen

        self.inbox = InboxScreen(self.initial_filter)
        self.push_screen(self.inbox)
