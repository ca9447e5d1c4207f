"""What the faces show, built once: the inbox, a mention in full, the outbox, alerts, connectors.

Everything returned is plain data (dicts and dataclasses of the `--json`
shapes); the CLI and the TUI only draw it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from commwatch import timeutil
from commwatch.app.conversations import cutoffs, decorate
from commwatch.app.errors import ActionError
from commwatch.app.verbs import resolve
from commwatch.config import Config
from commwatch.model import InboxFilter
from commwatch.store import alerts, inbox, manage, outbox, rejects
from commwatch.store.mentions import get, thread_context, units_used

BUILT_IN_PLATFORMS = ("x", "reddit", "youtube", "discourse", "mastodon", "bluesky")


@dataclass
class MentionDetail:
    """A mention with everything `show` and the TUI's detail pane draw below it."""

    mention: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    thread: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `show --json` shape."""
        return {**self.mention, "history": self.history, "thread": self.thread, "replies": self.replies}

    def tree(self) -> list[tuple[int, dict[str, Any]]]:
        """The stored conversation as a tree, the mention itself included: (depth, mention), each
        reply under what it answers, oldest first; what has no stored parent starts a branch."""
        everyone = sorted([self.mention, *self.thread], key=lambda m: (m["created_at"], m["id"]))
        by_remote = {m["remote_id"]: m for m in everyone}
        children: dict[str | None, list[dict[str, Any]]] = {}
        for m in everyone:
            parent = m["parent_id"] if m["parent_id"] in by_remote and m["parent_id"] != m["remote_id"] else None
            children.setdefault(parent, []).append(m)
        out: list[tuple[int, dict[str, Any]]] = []
        seen: set[int] = set()
        stack = [(0, m) for m in reversed(children.get(None, []))]
        while stack:
            depth, m = stack.pop()
            if m["id"] in seen:
                continue
            seen.add(m["id"])
            out.append((depth, m))
            stack += [(depth + 1, c) for c in reversed(children.get(m["remote_id"], []))]
        out += [(0, m) for m in everyone if m["id"] not in seen]  # a cycle in bad data: shown flat
        return out


class Views:
    def __init__(self, conn: sqlite3.Connection, config: Config):
        self.conn = conn
        self.config = config

    # Mentions -------------------------------------------------------------------

    def resolve(self, ref: str | int) -> int:
        return resolve(self.conn, ref)

    def _now(self):
        return timeutil.now()

    def _sla(self, m: dict[str, Any] | None, now=None) -> dict[str, Any] | None:
        return None if m is None else decorate(m, self.config.sla, now or self._now())

    def mention(self, ref: str | int) -> dict[str, Any]:
        return self._sla(get(self.conn, self.resolve(ref)))

    def detail(self, ref: str | int) -> MentionDetail:
        return self.detail_of(self.resolve(ref))

    def detail_of(self, mention_id: int) -> MentionDetail | None:
        """The detail of a mention by local id, or None when it is gone."""
        m = self._sla(get(self.conn, mention_id))
        if m is None:
            return None
        return MentionDetail(m, manage.history(self.conn, mention_id), thread_context(self.conn, m),
                             outbox.replies_sent(self.conn, mention_id))  # fmt: skip

    def _cutoffs(self, f: InboxFilter, now) -> dict[str, str] | None:
        if not f.overdue and f.sort != "due":
            return None
        if self.config.sla is None:
            raise ActionError("nothing can be overdue without response-time targets: add an [sla] table")
        return cutoffs(self.config.sla, now)

    def inbox(self, f: InboxFilter) -> list[dict[str, Any]]:
        now = self._now()
        rows = inbox.list_mentions(self.conn, f, self._cutoffs(f, now))
        return [self._sla(m, now) for m in rows]

    @staticmethod
    def keyed(f: InboxFilter) -> bool:
        """Whether the listing can be paged by key (InboxFilter.after)."""
        return inbox.keyed(f)

    @staticmethod
    def sort_key(m: dict[str, Any], f: InboxFilter) -> tuple | None:
        """A listed mention's key in the filter's order, to page on from it (InboxFilter.after);
        None when that listing is paged by offset."""
        return inbox.sort_key(m, f.sort) if inbox.keyed(f) else None

    def count(self, f: InboxFilter, cap: int | None = None) -> int:
        """Mentions matching `f`; with `cap`, counting stops at cap + 1 (see counted())."""
        return inbox.count_mentions(self.conn, f, self._cutoffs(f, self._now()), cap)

    def matching_ids(self, f: InboxFilter) -> list[int]:
        return inbox.matching_ids(self.conn, f, self._cutoffs(f, self._now()))

    def has_source(self, name: str) -> bool:
        return inbox.has_source(self.conn, name)

    def is_empty(self) -> bool:
        return inbox.is_empty(self.conn)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag in use, most used first, with how many mentions carry it."""
        return manage.all_tags(self.conn)

    def rules_report(self, ref: str | int) -> list[dict[str, Any]]:
        """`rules test`: which rules match the mention, condition by condition, and what each action would do."""
        from commwatch.app import rules

        return rules.report(self.conn, self.config, self.mention(ref))

    # The rest ----------------------------------------------------------------------

    def outbox(self, include_sent: bool = False) -> list[dict[str, Any]]:
        return outbox.listing(self.conn, include_sent)

    def alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        return alerts.list_alerts(self.conn, limit)

    def rejects(self, limit: int = 100) -> list[dict[str, Any]]:
        """Items set aside at ingest, newest first: where from, why, and what they held."""
        return rejects.listing(self.conn, limit)

    def alert(self, alert_id: int) -> dict[str, Any]:
        return alerts.get_alert(self.conn, alert_id)

    def platforms(self) -> list[str]:
        """The platforms the configured sources cover, and the built-in ones (for filters)."""
        from commwatch import registry  # importlib.metadata: only when asked

        found = set(BUILT_IN_PLATFORMS)
        for source in self.config.sources.values():
            try:
                found.update(registry.load(source.connector).platforms)
            except Exception:  # an unknown or broken connector: sync reports it
                continue
        return sorted(found)


COUNT_CAP = 1_000  # listings count matches up to here ("1,000+"): the cost of counting stays bounded


def connectors(config: Config | None, conn_for_units=None) -> list[dict[str, Any]]:
    """Installed connectors, their capabilities, the sources that use them and the quota they spent today.

    `config` is None when the configuration cannot be read (listing must still work);
    `conn_for_units` opens the store only when a source has quota to report.
    """
    from commwatch import registry

    used: dict[str, list[str]] = {}
    for name, source in (config.sources if config else {}).items():
        used.setdefault(source.connector, []).append(name)
    rows = []
    for name, ep in registry.available().items():
        row: dict[str, Any] = {"name": name, "module": ep.value, "sources": used.get(name, [])}
        try:
            cls = registry.load(name)
        except registry.BrokenConnector as exc:
            row["error"] = str(exc)
            rows.append(row)
            continue
        units: dict[str, int] = {}
        conn = conn_for_units() if row["sources"] and conn_for_units else None
        if conn is not None:
            day = cls.quota_day(timeutil.now())
            spent = {source: units_used(conn, source, day) for source in row["sources"]}
            units = {source: n for source, n in spent.items() if n}
        row.update(description=cls.description, platforms=list(cls.platforms), capabilities=sorted(cls.capabilities),
                   credentials=list(cls.credentials), units_today=units)  # fmt: skip
        rows.append(row)
    return rows
