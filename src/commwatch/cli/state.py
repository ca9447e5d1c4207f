"""What every command shares: the global options, the config and the open store."""

from __future__ import annotations

import os
import sqlite3
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
        """--db, else $COMMWATCH_DB, else [store] path, else the user data dir."""
        chosen = self.db_option or os.environ.get("COMMWATCH_DB")
        if chosen:
            return Path(chosen).expanduser()
        if self.config.store_path:
            return self.config.store_path
        from commwatch.config import user_data_dir

        return user_data_dir() / "commwatch.db"

    @cached_property
    def db(self) -> sqlite3.Connection:
        from commwatch.store.db import open_store

        return open_store(self.db_path)


state = State()
