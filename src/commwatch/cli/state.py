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
    """Deliveries that did not go out, on stderr: one line per reason (a rule escalating hundreds of
    imported mentions to a target that is down says so once); those that went out say nothing."""
    from commwatch.cli.render import delivery_lines

    rows = [{"id": d.outbox_id, "kind": d.kind, "status": d.status, "message": d.message} for d in deliveries]
    for line in delivery_lines(rows, ("failed", "waiting", "pending")):
        sys.stderr.write(f"commwatch: {line}\n")


state = State()
