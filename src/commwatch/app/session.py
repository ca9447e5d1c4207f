"""The composition root: one manager's session on one inbox. The CLI and the TUI each hold one.

A Session knows the configuration, the database, who is acting (for the
history), the environment credentials are read from, and how to deliver what
the outbox holds. It builds every workflow object on its one connection:

    session.verbs      tag, untag, assign, snooze, close, reopen, escalate, priority
    session.replies    draft, send, moderate
    session.outbox     the worker, with its handlers registered by kind
    session.views      the inbox, a mention in full, the outbox, alerts

and runs the composite workflows: sync, import, rules apply.

Opening the database wakes the snoozes that ran out. A change that queues
something to send (an escalation to a target, rules that escalate) delivers
what is due right after its transaction; a face that must not wait on the
network (the TUI) passes `background`, a function that runs a job on a
thread of its own, with a session of its own (`reader()`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from commwatch.app.effects import person
from commwatch.app.verbs import Verbs, default_actor
from commwatch.config import Config, ConfigError, user_data_dir, validate_sources
from commwatch.model import InboxFilter
from commwatch.store.url import PASSWORD_REFUSED, is_postgres, password_in

if TYPE_CHECKING:
    from commwatch.app.outbox import Delivery, OutboxWorker

Deliveries = Callable[[list["Delivery"]], None]


def database_path(option: str | None, config: Config) -> Path | str:
    """--db, else $COMMWATCH_DB, else [store] url or path, else the user data dir. A PostgreSQL URL
    is kept as text (a team's shared inbox); anything else is a SQLite file."""
    chosen = option or os.environ.get("COMMWATCH_DB")
    if chosen:
        if is_postgres(chosen):
            if password_in(chosen):
                raise ConfigError(PASSWORD_REFUSED, key="--db" if option else "COMMWATCH_DB")
            return chosen
        return Path(chosen).expanduser()
    if config.store_url:
        return config.store_url
    if config.store_path:
        return config.store_path
    return user_data_dir() / "commwatch.db"


def database_exists(location: Path | str) -> bool:
    """Whether the store is there already (a PostgreSQL database is taken to be)."""
    return is_postgres(location) or Path(location).exists()


SPARE_READERS = 4  # readers' PostgreSQL connections a session keeps open for the next ones


class Session:
    def __init__(
        self,
        config: Config,
        db_path: Path | str,
        *,
        conn: sqlite3.Connection | None = None,
        actor: str | None = None,
        env: Mapping[str, str] | None = None,
        on_deliveries: Deliveries | None = None,
        background: Callable[[Callable[[], None]], None] | None = None,
        wake: bool = True,
    ):
        self.config = config
        self.db_path = db_path if is_postgres(db_path) else Path(db_path)
        self.actor = person(actor or default_actor())
        self.env = os.environ if env is None else env
        self.on_deliveries = on_deliveries or (lambda deliveries: None)
        self.background = background
        self.wake = wake
        self._spares: list = []  # PostgreSQL: readers' connections kept open for the next reader
        self._home: list | None = None  # where this reader's connection goes back when it closes
        if conn is not None:
            self.__dict__["conn"] = conn
            if wake:
                self.verbs.wake_snoozed()

    @cached_property
    def conn(self) -> sqlite3.Connection:
        from commwatch.store.db import open_store

        conn = open_store(self.db_path)
        self.__dict__["conn"] = conn
        if self.wake:
            self.verbs.wake_snoozed()
        return conn

    def reader(self) -> Session:
        """A session on a connection of its own (for a worker thread); it delivers inline and wakes nothing.

        On PostgreSQL the connection is one this session kept from an earlier reader when there is
        one: the TUI starts a reader for each mention it shows, and a new connection to a team's
        server costs several round trips each time."""
        spare = self._spares.pop() if self._spares else None
        other = Session(self.config, self.db_path, conn=spare, actor=self.actor, env=self.env, wake=False)
        if is_postgres(self.db_path):
            other._home = self._spares
        return other

    def interrupt(self) -> None:
        """Stop the query this session is running on another thread (it raises `interrupted`); nothing when
        the session has no connection or has closed it."""
        conn = self.__dict__.get("conn")
        if conn is not None:
            try:
                conn.interrupt()
            except Exception:  # closed meanwhile: nothing runs to stop
                pass

    def close(self) -> None:
        conn = self.__dict__.pop("conn", None)
        if conn is not None and self._home is not None and len(self._home) < SPARE_READERS and not conn.in_transaction:
            self._home.append(conn)
            return
        if conn is not None:
            conn.close()
        while self._spares:
            self._spares.pop().close()

    # The workflow objects, on this session's connection --------------------------

    @cached_property
    def zone(self):
        """The time zone people read times in: [display] timezone, else $TZ, else the system's."""
        from commwatch.timeutil import local_zone

        return local_zone(self.config.display_timezone)

    @cached_property
    def brand(self):
        """The brand's own accounts: [triage] brand_handles and what each source logs in as or watches."""
        from commwatch.app.ours import brand_of

        return brand_of(self.config, self.env)

    def _sync_brand(self) -> None:
        from commwatch import timeutil
        from commwatch.app.conversations import sync_brand

        sync_brand(self.conn, self.brand, timeutil.now_iso())

    @cached_property
    def verbs(self) -> Verbs:
        return Verbs(self.conn, self.config, self.actor, on_queued=self.deliver_soon)

    @cached_property
    def outbox(self) -> OutboxWorker:
        from commwatch.app.notifications import NotificationHandler
        from commwatch.app.outbox import OutboxWorker
        from commwatch.app.replies import ReplyHandler

        notifications = NotificationHandler(self.conn, self.config, self.env)
        handlers = {"reply": ReplyHandler(self.conn, self.config, self.env), "escalation": notifications,
                    "alert": notifications, "overdue": notifications}  # fmt: skip
        return OutboxWorker(self.conn, handlers, self.env)

    @cached_property
    def replies(self):
        from commwatch.app.replies import Replier

        return Replier(self.conn, self.config, self.env, self.actor, self.outbox)

    @cached_property
    def views(self):
        from commwatch.app.views import Views

        return Views(self.conn, self.config)

    # Delivering -------------------------------------------------------------------

    def deliver_due(self) -> list[Delivery]:
        """Send everything in the outbox whose time has come, now."""
        return self.outbox.deliver_due()

    def deliver_soon(self) -> None:
        """After a change that queued something: deliver what is due, inline or in the background."""
        if self.background is None:
            self.on_deliveries(self.deliver_due())
            return

        def job() -> None:
            other = self.reader()
            try:
                deliveries = other.deliver_due()
            finally:
                other.close()
            self.on_deliveries(deliveries)

        self.background(job)

    # Watching ---------------------------------------------------------------------

    def poll(self) -> tuple[bool, int]:
        """(has anything changed since the last poll?, how many mentions are new): another
        process's commit, or snoozes that ran out (woken here). One PRAGMA when nothing happened."""
        from commwatch.store.watch import DataWatch

        woke = self.verbs.wake_snoozed()
        if "_watch" not in self.__dict__:
            self.__dict__["_watch"] = DataWatch(self.conn)
        changed, new = self.__dict__["_watch"].poll()
        return bool(changed or woke), new

    # Composite workflows -------------------------------------------------------------

    def sync(self, only: list[str] | None = None, on_progress=None):
        """Every enabled source (or only these), then spike alerts and the outbox. Holds the sync lock;
        raises SyncLocked when another sync has it."""
        from commwatch.app.sync import run_sync, sync_lock

        validate_sources(self.config)
        if not self.config.sources:
            raise ConfigError("no sources configured: add a [sources.NAME] table (`commwatch init` writes an example)",
                              key="sources", path=self.config.path)  # fmt: skip
        with sync_lock(self.db_path, self.conn if is_postgres(self.db_path) else None):
            self._sync_brand()
            result = run_sync(self.conn, self.config, only=only, env=self.env, on_progress=on_progress,
                              brand=self.brand)  # fmt: skip
            self._refresh_statistics()
            # Replies, escalations and alerts whose time has come: part of the result (and of the exit code).
            result.deliveries = [{"id": d.outbox_id, "kind": d.kind, "status": d.status, "message": d.message}
                                 for d in self.deliver_due()]  # fmt: skip
        return result

    def import_streams(self, platform: str, streams: Iterable[tuple[str, IO[str]]], source: str = "import",
                       workers: int | None = None):  # fmt: skip
        """Raw API responses through the platform's parser into the inbox, rules included."""
        from commwatch.app.importer import import_streams

        self._sync_brand()
        result = import_streams(self.conn, self.config, platform, streams, source, brand=self.brand, workers=workers)
        self._refresh_statistics()
        if result.escalated:
            self.deliver_soon()
        return result

    def _refresh_statistics(self) -> None:
        """The planner's statistics, after the inbox grew (store.db.refresh_statistics). Only an
        optimisation: a database that refuses it (read-only, locked) is left as it is."""
        from commwatch.store.db import refresh_statistics

        try:
            refresh_statistics(self.conn)
        except sqlite3.Error:
            pass

    def apply_rules(self, f: InboxFilter) -> tuple[int, Any]:
        """Run the rules again over the stored mentions the filter matches: (mentions checked, RuleOutcome)."""
        from commwatch.app.rules import apply_rules
        from commwatch.store.db import transaction

        ids = self.views.matching_ids(f)
        with transaction(self.conn):
            outcome = apply_rules(self.conn, self.config, ids)
        if outcome.escalated:
            self.deliver_soon()
        return len(ids), outcome
