"""The only way a mention enters the store: normalise → triage → upsert → rules → cursor, in one transaction.

`commwatch sync` (every page a connector yields), `commwatch import` (every batch
of a file) and the demo (raw payloads, parsed here exactly as `import` parses
them) all call `ingest`, so a mention is triaged, ruled and committed with its
cursor the same way whichever door it came through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commwatch import registry, timeutil
from commwatch.app.errors import ImportRefused
from commwatch.app.rules import apply_rules
from commwatch.config import Config
from commwatch.connector import IMPORT, Page
from commwatch.model import Level, Mention
from commwatch.store.mentions import save_page


@dataclass
class Ingested:
    new_ids: list[int] = field(default_factory=list)
    updated: int = 0
    escalated: int = 0  # by rules
    negative: int = 0  # new mentions scored negative
    urgent: int = 0  # new mentions at high or urgent priority

    @property
    def new(self) -> int:
        return len(self.new_ids)


def parser_for(platform: str) -> Callable[[Any], list[Mention]]:
    """The `parse` of the connector registered under `platform`, or ImportRefused saying why not."""
    try:
        cls = registry.load(platform)
    except (registry.UnknownConnector, registry.BrokenConnector) as exc:
        raise ImportRefused(str(exc)) from None
    if IMPORT not in cls.capabilities:
        raise ImportRefused(f"the {platform} connector cannot import raw API responses")
    return cls.parse


def normalise(page: Page) -> list[Mention]:
    """The page's mentions, with its raw payloads parsed by their platforms' connectors."""
    mentions = list(page.mentions)
    for payload in page.payloads:
        mentions.extend(parser_for(payload.platform)(payload.body))
    return mentions


def ingest(
    conn: sqlite3.Connection,
    config: Config,
    source: str,
    mentions: list[Mention],
    *,
    cursor: tuple[str, dict[str, Any]] | None = None,
    units: tuple[str, int] | None = None,
) -> Ingested:
    """Triage the mentions, store them, run the rules on the new ones, and keep the cursor: one transaction."""
    from commwatch.triage import triage  # the scorer loads only when mentions arrive

    for mention in mentions:
        triage(mention, config.urgent_keywords)
    result = Ingested()

    def rules(conn: sqlite3.Connection, saved) -> None:
        if saved.new_ids:
            result.escalated += apply_rules(conn, config, saved.new_ids, fresh=True).escalated

    saved = save_page(conn, source, mentions, timeutil.now_iso(), cursor=cursor, units=units, then=rules)
    result.new_ids, result.updated = saved.new_ids, saved.updated
    fresh = set(saved.new_keys)
    for m in mentions:
        if m.key in fresh:
            result.negative += m.sentiment.label == "negative"
            result.urgent += m.priority.level in (Level.HIGH, Level.URGENT)
    return result
