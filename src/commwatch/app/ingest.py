"""The only way a mention enters the store: normalise → clean → ours → triage → upsert → conversations → rules →
cursor, in one transaction.

`commwatch sync` (every page a connector yields), `commwatch import` (every batch
of a file) and the demo (raw payloads, parsed here exactly as `import` parses
them) all call `ingest`, so a mention is cleaned, triaged, ruled and committed
with its cursor the same way whichever door it came through.

Nothing an item holds can stop its page: an item that cannot be parsed, cleaned,
scored or stored is set aside as a reject (table `rejects`, `commwatch rejects`)
with where it came from and why, in the same transaction as its page, and the
cursor moves past it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commwatch import registry, timeutil
from commwatch.app.clean import Unusable, clean
from commwatch.app.conversations import link
from commwatch.app.ours import Brand
from commwatch.app.ours import parse as parse_brand
from commwatch.app.errors import ImportRefused
from commwatch.app.rules import apply_rules
from commwatch.app.secrets import redact
from commwatch.config import Config
from commwatch.connector import IMPORT, ConnectorError, Page, PayloadError, Rejected, split
from commwatch.model import Level, Mention, Sentiment
from commwatch.store import rejects as rejects_table
from commwatch.store.mentions import hand_labels, known_uris, save_page


@dataclass
class Ingested:
    new_ids: list[int] = field(default_factory=list)
    updated: int = 0
    rejected: int = 0  # items set aside (see the rejects table)
    escalated: int = 0  # by rules
    negative: int = 0  # new mentions scored negative
    urgent: int = 0  # new mentions at high or urgent priority

    @property
    def new(self) -> int:
        return len(self.new_ids)


def parser_for(platform: str) -> Callable[[Any], list[Mention | Rejected]]:
    """The `parse` of the connector registered under `platform`, or ImportRefused saying why not."""
    try:
        cls = registry.load(platform)
    except (registry.UnknownConnector, registry.BrokenConnector) as exc:
        raise ImportRefused(str(exc)) from None
    if IMPORT not in cls.capabilities:
        raise ImportRefused(f"the {platform} connector cannot import raw API responses")
    return cls.parse


def unpack(page: Page) -> tuple[list[Mention], list[Rejected]]:
    """The page's mentions and rejects, with its raw payloads parsed by their platforms' connectors.
    A payload that is not its platform's response at all is one reject."""
    mentions, rejects = list(page.mentions), list(page.rejects)
    for payload in page.payloads:
        try:
            parse = parser_for(payload.platform)
        except ImportRefused as exc:
            raise ConnectorError(f"{payload.platform} payloads need the {payload.platform} connector: {exc}") from None
        try:
            parsed = parse(payload.body)
        except PayloadError as exc:
            where = f"{payload.origin}: " if payload.origin else ""
            rejects.append(Rejected(f"{where}not a {payload.platform} response ({exc})", payload.body))
            continue
        m, r = split(parsed)
        mentions += m
        rejects += r
    return mentions, rejects


@dataclass
class Prepared:
    """Mentions cleaned and triaged, and what was set aside, ready to store: the CPU half of ingest,
    with no database (so worker processes can do it; see app/pipeline.py). Picklable."""

    ready: list[Mention] = field(default_factory=list)
    where: list[str | None] = field(default_factory=list)  # where each ready mention came from
    aside: list[tuple[str, Any, str | None, str | None, str | None]] = field(default_factory=list)
    # (reason, item as plain data, remote id, platform, where)

    def extend(self, other: Prepared) -> None:
        self.ready += other.ready
        self.where += other.where
        self.aside += other.aside


def prepare(
    mentions: list[Mention],
    rejects: list[Rejected],
    urgent_keywords: list[str],
    brand: Brand,
    where: Callable[[Any], str | None] = lambda _: None,
) -> Prepared:
    """Clean, mark ours and triage the mentions (a bad one is set aside, never its neighbours)."""
    from commwatch.triage.triaged import triage  # the scorer loads only when mentions arrive

    now = timeutil.now()
    out = Prepared(aside=[(r.reason, r.item, r.remote_id, None, where(r)) for r in rejects])
    for m in mentions:
        try:
            clean(m, now)
            m.ours = brand.is_ours(m.platform, m.author.handle, m.author.remote_id)
            triage(m, urgent_keywords)
        except Unusable as exc:
            out.aside.append((str(exc), _shape(m), None, getattr(m, "platform", None), where(m)))
            continue
        except Exception as exc:  # a scorer bug costs this mention only
            out.aside.append((f"could not be scored ({type(exc).__name__}: {exc})", _shape(m), m.remote_id,
                              m.platform, where(m)))  # fmt: skip
            continue
        out.ready.append(m)
        out.where.append(where(m))
    return out


def ingest(
    conn: sqlite3.Connection,
    config: Config,
    source: str,
    mentions: list[Mention],
    *,
    rejects: list[Rejected] = (),
    origin: str | None = None,
    origins: Mapping[int, str] | None = None,
    cursor: tuple[str, dict[str, Any]] | None = None,
    units: tuple[str, int] | None = None,
    env: Mapping[str, str] | None = None,
    brand: Brand | None = None,
) -> Ingested:
    """Clean and triage the mentions, store them, run the rules on the new ones, record what was set
    aside, and keep the cursor: one transaction. `origin` says where they came from (a stream);
    `origins` where each one came from, by id() of the mention or reject (a file and line)."""

    def where(x: Any) -> str | None:
        return origins.get(id(x), origin) if origins else origin

    brand = brand if brand is not None else parse_brand(config.brand_handles)
    prepared = prepare(mentions, list(rejects), config.urgent_keywords, brand, where)
    return store(conn, config, source, prepared, cursor=cursor, units=units, env=env)


def store(
    conn: sqlite3.Connection,
    config: Config,
    source: str,
    prepared: Prepared,
    *,
    cursor: tuple[str, dict[str, Any]] | None = None,
    units: tuple[str, int] | None = None,
    env: Mapping[str, str] | None = None,
) -> Ingested:
    """The database half of ingest: labels set by hand win, then one transaction stores the
    mentions, the rejects, the links, the rules' changes and the cursor."""
    at = timeutil.now_iso()
    ready = _one_per_post(conn, prepared.ready)
    by_hand = _hand_labels(conn, ready)
    if by_hand:
        from commwatch.triage.triaged import relabel

        for m in ready:
            if m.key in by_hand:
                relabel(m, _labelled(by_hand[m.key]), config.urgent_keywords)
    aside = [_reject_row(reason, item, remote_id, platform, source, where, at, env)
             for reason, item, remote_id, platform, where in prepared.aside]  # fmt: skip
    where_of = {id(m): w for m, w in zip(ready, prepared.where)}
    result = Ingested()

    def after(conn: sqlite3.Connection, saved) -> None:
        for m, why in saved.failed:
            aside.append(_reject_row(why, _shape(m), m.remote_id, m.platform, source, where_of.get(id(m)), at, env))
        if aside:
            rejects_table.add(conn, aside)
        if saved.new_ids:
            link(conn, saved.new_ids, at)  # answered by one of ours, or answering
            theirs = [i for i, key in zip(saved.new_ids, saved.new_keys) if not ours_by_key.get(key)]
            result.escalated += apply_rules(conn, config, theirs, fresh=True).escalated

    ours_by_key = {m.key: m.ours for m in ready}
    saved = save_page(conn, source, ready, at, cursor=cursor, units=units, then=after)
    result.new_ids, result.updated, result.rejected = saved.new_ids, saved.updated, len(aside)
    fresh = set(saved.new_keys)
    for m in ready:
        if m.key in fresh:
            result.negative += m.sentiment.label == "negative"
            result.urgent += m.priority.level in (Level.HIGH, Level.URGENT)
    return result


def _one_per_post(conn: sqlite3.Connection, ready: list[Mention]) -> list[Mention]:
    """A post with a global identity (`extra["uri"]`: Mastodon's, read through several servers) is
    stored once: under the id it was first stored with, whichever server this reading came from."""
    by_platform: dict[str, list[Mention]] = {}
    for m in ready:
        uri = m.extra.get("uri") if isinstance(m.extra, dict) else None
        if isinstance(uri, str) and uri:
            by_platform.setdefault(m.platform, []).append(m)
    if not by_platform:
        return ready
    for platform, federated in by_platform.items():
        stored = known_uris(conn, platform, sorted({m.extra["uri"] for m in federated}))
        first: dict[str, str] = {}
        for m in federated:
            uri = m.extra["uri"]
            keep = stored.get(uri) or first.setdefault(uri, m.remote_id)
            if keep != m.remote_id:
                m.extra["id_here"] = m.remote_id  # its id on the server this reading came from
                m.remote_id = keep  # the same post twice in a page is then upserted twice: one row
    return ready


def _hand_labels(conn: sqlite3.Connection, mentions: list[Mention]) -> dict:
    """Labels people set on mentions of this page that are already stored (the store keeps them;
    triage needs them for the priority). A key SQLite cannot even look up is cleaned or set aside later."""
    keys = [m.key for m in mentions if isinstance(m.platform, str) and isinstance(m.remote_id, str)]
    try:
        return hand_labels(conn, keys)
    except (sqlite3.InterfaceError, sqlite3.ProgrammingError, UnicodeEncodeError, ValueError, OverflowError):
        return {}


def _labelled(found: tuple[float, str, str] | None) -> Sentiment | None:
    """A sentiment a person set (kept, and the priority follows it), or None."""
    if found is None:
        return None
    score, label, by = found
    return Sentiment(score=score, label=label, confidence=1.0, by=by)


def _reject_row(reason: str, item: Any, remote_id: str | None, platform: str | None, source: str,
                origin: str | None, at: str, env: Mapping[str, str] | None) -> dict[str, Any]:  # fmt: skip
    return {"at": at, "source": source, "origin": origin, "platform": platform, "remote_id": remote_id,
            "reason": redact(reason, env), "item": item}  # fmt: skip


def _shape(m: Any) -> Any:
    """A mention as plain data, for the rejects table."""
    if not isinstance(m, Mention):
        return repr(m)
    return {k: (str(v) if not isinstance(v, (str, int, float, bool, list, dict, type(None))) else v)
            for k, v in vars(m).items()}  # fmt: skip
