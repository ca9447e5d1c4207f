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
    from commwatch.text import inert

    groups: dict[tuple[str, str], list] = {}
    for d in deliveries:
        if d.status != "sent":
            groups.setdefault((d.status, d.message.split("; will retry after")[0]), []).append(d)
    for (status, reason), group in groups.items():
        if len(group) == 1:
            line = f"delivery {group[0].outbox_id} {status}: {group[0].message}"
        else:
            then = "`commwatch outbox retry` sends them" if status == "pending" else (
                "fix it, then `commwatch outbox retry --failed`")
            line = f"{len(group)} deliveries ({group[0].outbox_id}…{group[-1].outbox_id}) {status}: {reason}; {then}"
        sys.stderr.write(f"commwatch: {inert(line, single_line=True)}\n")


state = State()
