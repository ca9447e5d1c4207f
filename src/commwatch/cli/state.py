"""What every command shares: the global options and, built from them on first use, the Session."""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commwatch.app.session import Session
    from commwatch.config import Config


class State:
    def __init__(self, config_path: str | None = None, db_path: str | None = None):
        self.config_path = config_path
        self.db_option = db_path

    @cached_property
    def config(self) -> Config:
        from commwatch import config

        return config.load(self.config_path)

    @cached_property
    def db_path(self) -> Path:
        from commwatch.app.session import database_path

        return database_path(self.db_option, self.config)

    @cached_property
    def session(self) -> Session:
        from commwatch.app.session import Session

        return Session(self.config, self.db_path, on_deliveries=report_deliveries)


def report_deliveries(deliveries) -> None:
    """A delivery that did not go out is one line on stderr; one that did says nothing."""
    from commwatch.text import inert

    for d in deliveries:
        if d.status != "sent":
            sys.stderr.write(f"commwatch: delivery {d.outbox_id} {d.status}: {inert(d.message, single_line=True)}\n")


state = State()
