"""Runs sources: cursor → pages → ingest, one transaction per page.

Each source fetches (and parses raw payloads) in its own thread; the calling
thread ingests pages as they arrive (ingest.py: triage, store, rules, cursor),
so writes are serialised and a page's mentions commit together with the cursor
that follows them. A source that fails stops alone: what it already committed
stays, and the other sources carry on.

Nothing here prints: progress and results go to the `on_progress` callback and
the returned SyncResult.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from commwatch import registry, timeutil
from commwatch.app.alerts import check_alerts
from commwatch.app.errors import SyncLocked
from commwatch.app.ingest import ingest, unpack
from commwatch.app.ours import Brand, brand_of
from commwatch.app.secrets import redact
from commwatch.config import Config
from commwatch.connector import (
    FETCH,
    Connector,
    ConnectorError,
    MissingCredentials,
    Page,
    RateLimited,
    SourceOptionError,
)
from commwatch.model import iso
from commwatch.store.db import sync_lock as store_sync_lock
from commwatch.store.db import transaction
from commwatch.store.mentions import add_units, load_cursors, units_used
from commwatch.store.runs import finish_run, start_run

QUEUE_PAGES = 4  # pages fetched ahead of the writer: bounds memory whatever the backlog


@dataclass
class SourceResult:
    name: str
    connector: str
    status: str = "ok"  # ok | failed | skipped | limited (a rate limit or daily budget: resumes later)
    new: int = 0
    updated: int = 0
    pages: int = 0
    requests: int = 0
    units: int = 0  # platform quota units spent by this sync
    negative: int = 0  # new mentions scored negative
    urgent: int = 0  # new mentions at high or urgent priority
    escalated: int = 0
    rejected: int = 0  # items set aside (`commwatch rejects`)
    message: str = ""


@dataclass
class SyncResult:
    run_id: int
    started_at: str
    finished_at: str = ""
    sources: list[SourceResult] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)  # ids of spike alerts this sync fired
    deliveries: list[dict] = field(default_factory=list)  # the outbox rows this sync tried: id, kind, status, message

    @property
    def failed(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status == "failed"]

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sources)

    @property
    def undelivered(self) -> list[dict]:
        """Deliveries that need a person: refused for good, or waiting for a variable to be set."""
        return [d for d in self.deliveries if d["status"] in ("failed", "waiting")]

    @property
    def ran(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status != "skipped"]

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "new": sum(s.new for s in self.sources),
            "updated": sum(s.updated for s in self.sources),
            "escalated": sum(s.escalated for s in self.sources),
            "rejected": self.rejected,
            "alerts": self.alerts,
            "deliveries": self.deliveries,
            "sources": [asdict(s) for s in self.sources],
        }


ProgressCallback = Callable[[str, SourceResult], None]  # (event, source): "start" | "page" | "done"


@contextmanager
def sync_lock(db_path: Path | str, conn=None) -> Iterator[None]:
    """One sync at a time per database (store.db.sync_lock); SyncLocked when another holds it."""
    with store_sync_lock(db_path, conn) as held:
        if not held:
            raise SyncLocked(f"another commwatch sync is running on {db_path}")
        yield


def run_sync(
    conn: sqlite3.Connection,
    config: Config,
    *,
    only: list[str] | None = None,
    env: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    brand: Brand | None = None,
) -> SyncResult:
    """Sync the enabled sources (or only the named ones). The caller holds sync_lock."""
    env = os.environ if env is None else env
    brand = brand if brand is not None else brand_of(config, env)
    progress = on_progress or (lambda event, source: None)
    started = timeutil.now_iso()
    run_id = start_run(conn, started)
    result = SyncResult(run_id=run_id, started_at=started)

    workers: dict[str, _Worker] = {}
    inbox: queue.Queue = queue.Queue(maxsize=QUEUE_PAGES)
    stop = threading.Event()
    for name, source in config.sources.items():
        if only is not None and name not in only:
            continue
        if only is None and not source.enabled:
            continue
        outcome = SourceResult(name=name, connector=source.connector)
        result.sources.append(outcome)
        try:
            connector = _build(source, env)
        except MissingCredentials as exc:
            outcome.status, outcome.message = "skipped", str(exc)
        except _NotSyncable as exc:
            outcome.status, outcome.message = "skipped", str(exc)
        except SourceOptionError as exc:
            outcome.status, outcome.message = "failed", f"sources.{name}.{exc.key}: {exc}"
        except (ConnectorError, registry.UnknownConnector, registry.BrokenConnector) as exc:
            outcome.status, outcome.message = "failed", redact(str(exc), env)
        else:
            connector.units_today = units_used(conn, name, connector.quota_day(timeutil.now()))
            workers[name] = _Worker(connector, load_cursors(conn, name), inbox, stop)
        progress("start", outcome)

    by_name = {s.name: s for s in result.sources}
    for worker in workers.values():
        worker.start()
    running = len(workers)
    try:
        while running:
            kind, name, payload = inbox.get()
            outcome, worker = by_name[name], workers[name]
            if kind == "page":
                stream, page = payload
                if worker.halt.is_set():
                    continue  # queued before the store refused this source's page
                try:
                    _store_page(conn, config, outcome, stream, page, worker.connector, env, brand)
                except Exception as exc:  # the store refused the page (disk full, read-only) or a bug
                    _note(outcome, "failed", redact(_store_failure(stream, exc), env))
                    worker.halt.set()  # its next pages would fail alike; the others go on
                progress("page", outcome)
            elif kind == "error":
                stream, exc = payload
                limited = isinstance(exc, RateLimited) and outcome.status != "failed"
                _note(outcome, "limited" if limited else "failed", redact(_describe(payload), env))
                spent = getattr(exc, "units", 0)
                if spent:  # quota spent on requests that produced no page
                    with transaction(conn):
                        add_units(conn, name, worker.connector.quota_day(timeutil.now()), spent)
                    outcome.units += spent
            elif kind == "done":
                running -= 1
                progress("done", outcome)
        result.alerts = check_alerts(conn, config)
    finally:
        stop.set()
        result.finished_at = timeutil.now_iso()
        _finish_run(conn, result)
    return result


def _note(outcome: SourceResult, status: str, message: str) -> None:
    """Add why a source did not sync fully; a failure outranks a limit."""
    if outcome.status != "failed":
        outcome.status = status
    if message not in outcome.message:  # several streams may fail, for different reasons
        outcome.message = f"{outcome.message}; {message}" if outcome.message else message


def _store_failure(stream: str, exc: Exception) -> str:
    if isinstance(exc, sqlite3.Error):
        return f"{stream}: the database refused the page ({exc}); what was stored before it is kept"
    return f"{stream}: unexpected {type(exc).__name__} while storing a page: {exc}"


def _store_page(conn, config: Config, outcome: SourceResult, stream: str, page: Page, connector: Connector,
                env: Mapping[str, str], brand: Brand) -> None:  # fmt: skip
    day = connector.quota_day(timeutil.now())
    saved = ingest(conn, config, outcome.name, page.mentions, rejects=page.rejects, origin=stream,
                   cursor=(stream, page.cursor), units=(day, page.units), env=env, brand=brand)  # fmt: skip
    outcome.pages += 1
    outcome.rejected += saved.rejected
    outcome.requests += page.requests
    outcome.units += page.units
    outcome.new += saved.new
    outcome.updated += saved.updated
    outcome.escalated += saved.escalated
    outcome.negative += saved.negative
    outcome.urgent += saved.urgent


class _NotSyncable(Exception):
    pass


def _build(source, env) -> Connector:
    cls = registry.load(source.connector)
    if FETCH not in cls.capabilities:
        raise _NotSyncable(
            f"no live fetching in this version; load saved API responses with `commwatch import {source.connector} FILE`"
        )
    missing = cls.missing(env, options=source.options)
    if missing:
        raise MissingCredentials(missing[0], cls.credentials_note)
    return cls(source, env)


class _Worker(threading.Thread):
    """Fetches every stream of one source and hands pages to the writer."""

    def __init__(self, connector: Connector, cursors: dict, out: queue.Queue, stop: threading.Event):
        super().__init__(name=f"sync-{connector.source.name}", daemon=True)
        self.connector = connector
        self.cursors = cursors
        self.out = out
        self.stop = stop  # the whole sync is over
        self.halt = threading.Event()  # this source must stop (the store refused its page)

    def _put(self, item) -> bool:
        if self.halt.is_set() and item[0] != "done":
            return False
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        name = self.connector.source.name
        try:
            streams = self.connector.streams()
            for stream in streams:
                try:
                    for page in self.connector.fetch(stream, self.cursors.get(stream)):
                        if page.payloads:  # parsed here, off the writer's thread
                            mentions, rejects = unpack(page)
                            page = Page(mentions, page.cursor, page.requests, page.units, rejects=rejects)
                        if not self._put(("page", name, (stream, page))):
                            return
                except Exception as exc:  # one stream failing leaves the others running
                    label = stream if len(streams) > 1 else None  # name the stream only when there is a choice
                    if not self._put(("error", name, (label, exc))):
                        return
        except Exception as exc:
            self._put(("error", name, (None, exc)))
        finally:
            try:
                self.connector.close()
            except Exception:  # closing must never hide what happened
                pass
            self._put(("done", name, None))


def _describe(payload) -> str:
    stream, exc = payload
    where = f"{stream}: " if stream else ""
    if isinstance(exc, RateLimited) and exc.retry_at:
        return f"{where}{exc} (retry after {iso(exc.retry_at)})"
    if isinstance(exc, ConnectorError):
        return f"{where}{exc}"
    return f"{where}unexpected {type(exc).__name__}: {exc}"


def _finish_run(conn: sqlite3.Connection, result: SyncResult) -> None:
    status = "failed" if result.failed and len(result.failed) == len(result.ran) else (
        "partial" if result.failed or result.rejected else "ok"
    )
    sources = [asdict(s) for s in result.sources]
    finish_run(conn, result.run_id, result.finished_at, status, result.to_dict(), sources)
