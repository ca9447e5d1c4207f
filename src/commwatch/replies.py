"""Replying and moderating on the platforms, exactly once.

A reply is first written to the outbox (with a `reply-queued` event), then
claimed, sent, and marked sent with the new post's id. If commwatch dies
between the platform accepting the reply and the database recording it, the
row is left `sending`; the next delivery attempt asks the connector whether
the reply is already there (`find_reply`) before posting again. A reply that
fails for a transient reason is retried with exponential backoff by later
`commwatch outbox retry` or `commwatch sync` runs; one the platform refuses for
good is marked failed with the reason.
"""

from __future__ import annotations

import json
import os
import sqlite3
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from commwatch import registry, timeutil
from commwatch.actions import ActionError
from commwatch.config import Config
from commwatch.connector import (
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    MissingCredentials,
    PermanentError,
    PostedReply,
    ReplyTarget,
)
from commwatch.model import iso
from commwatch.store import manage, outbox
from commwatch.store.db import transaction
from commwatch.store.mentions import get

BACKOFF_BASE_S = 60  # 1 min, 2, 4, … capped
BACKOFF_MAX_S = 6 * 3600
TEMPLATE_FIELDS = ("author", "platform", "url", "assignee")


@dataclass
class Draft:
    """Exactly what would be posted, and where."""

    mention: dict
    text: str
    source: str
    connector: str
    limit: int | None

    def describe(self) -> str:
        m = self.mention
        limit = f"/{self.limit}" if self.limit else ""
        return (
            f"reply on {m['platform']} as source {self.source!r} to @{m['author']['handle']} "
            f"({m['url'] or m['platform'] + ':' + m['remote_id']}), {len(self.text)}{limit} characters:\n{self.text}"
        )


@dataclass
class Delivery:
    outbox_id: int
    status: str  # sent | pending (will retry) | failed
    message: str = ""
    reply: PostedReply | None = None


def render_template(template: str, mention: dict) -> str:
    """Fill {author}, {platform}, {url}, {assignee}; any other {name} is an error before anything is sent."""
    values = {
        "author": "@" + mention["author"]["handle"] if mention["platform"] == "x" else mention["author"]["handle"],
        "platform": {"x": "X", "reddit": "Reddit", "youtube": "YouTube"}.get(mention["platform"], mention["platform"]),
        "url": mention["url"] or "",
        "assignee": mention["assignee"] or "",
    }
    unknown = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None and field not in values:
            unknown.append(field or "{}")
    if unknown:
        raise ActionError(
            f"the template uses unknown variables: {', '.join(sorted(set(unknown)))} "
            f"(known: {', '.join(TEMPLATE_FIELDS)})"
        )
    return template.format_map(values)


class Replier:
    def __init__(self, conn: sqlite3.Connection, config: Config, env: Mapping[str, str] | None = None,
                 actor: str | None = None):  # fmt: skip
        from commwatch.actions import default_actor

        self.conn = conn
        self.config = config
        self.env = os.environ if env is None else env
        self.actor = actor or default_actor()

    # Choosing who speaks ------------------------------------------------------

    def _source_for(self, mention: dict, capability: str) -> tuple[str, type[Connector]]:
        """The mention's own source if its connector can do it, else the first configured one that can."""
        names = [mention["source"]] + [n for n in self.config.sources if n != mention["source"]]
        for name in names:
            source = self.config.sources.get(name)
            if source is None:
                continue
            try:
                cls = registry.load(source.connector)
            except (registry.UnknownConnector, registry.BrokenConnector):
                continue
            if capability in cls.capabilities and mention["platform"] in cls.platforms:
                return name, cls
        verb = "reply" if capability == REPLY else "moderate"
        raise ActionError(
            f"no configured source can {verb} on {mention['platform']}: "
            f'add a [sources.NAME] table with connector = "{mention["platform"]}" and its credentials'
        )

    def _connector(self, source_name: str) -> Connector:
        source = self.config.sources[source_name]
        return registry.load(source.connector)(source, self.env)

    # Replies --------------------------------------------------------------------

    def draft(self, ref: str, text: str | None = None, template: str | None = None) -> Draft:
        from commwatch.actions import Actions

        mention = get(self.conn, Actions(self.conn, self.config).resolve(ref))
        if template is not None:
            if template not in self.config.templates:
                known = ", ".join(sorted(self.config.templates)) or "none configured"
                raise ActionError(f"no template {template!r} (templates: {known})")
            text = render_template(self.config.templates[template], mention)
        text = (text or "").strip()
        if not text:
            raise ActionError("the reply is empty: give TEXT or --template NAME")
        source, cls = self._source_for(mention, REPLY)
        if cls.reply_limit and len(text) > cls.reply_limit:
            raise ActionError(f"the reply is {len(text)} characters; {mention['platform']} allows {cls.reply_limit}")
        return Draft(mention=mention, text=text, source=source, connector=cls.name, limit=cls.reply_limit)

    def queue(self, draft: Draft) -> int:
        now = timeutil.now_iso()
        with transaction(self.conn):
            outbox_id = outbox.add(self.conn, "reply", draft.mention["id"], draft.source, {"text": draft.text},
                                   self.actor, now)  # fmt: skip
            manage.record_event(self.conn, draft.mention["id"], now, self.actor, "reply-queued",
                                {"outbox": outbox_id, "text": draft.text, "source": draft.source})  # fmt: skip
        return outbox_id

    def deliver_due(self) -> list[Delivery]:
        now = timeutil.now()
        return [self.deliver(i) for i in outbox.due(self.conn, iso(now), _stale_before(now))]

    def deliver(self, outbox_id: int) -> Delivery:
        now = timeutil.now()
        with transaction(self.conn):
            row = outbox.claim(self.conn, outbox_id, iso(now), _stale_before(now))
        if row is None:
            current = self.conn.execute("SELECT status FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
            return Delivery(outbox_id, current["status"] if current else "missing", "not due or held by another process")
        text = json.loads(row["payload"])["text"]
        mention = get(self.conn, row["mention_id"])
        target = target_of(mention)
        try:
            connector = self._connector(row["source"])
            posted = None
            if row["attempts"] > 1:  # an earlier attempt may have reached the platform
                posted = connector.find_reply(target, text)
            if posted is None:
                posted = connector.reply(target, text)
        except (PermanentError, MissingCredentials) as exc:
            return self._settle_failed(row, f"{exc}")
        except (ConnectorError, OSError, TimeoutError) as exc:
            return self._settle_retry(row, str(exc))
        except KeyError as exc:  # the source was removed from the config since
            return self._settle_failed(row, f"source {exc} is no longer configured")
        return self._settle_sent(row, posted)

    def _settle_sent(self, row: sqlite3.Row, posted: PostedReply) -> Delivery:
        now = timeutil.now_iso()
        with transaction(self.conn):
            outbox.settle(self.conn, row["id"], "sent", now, result={"remote_id": posted.remote_id, "url": posted.url})
            manage.set_fields(self.conn, row["mention_id"], replied=1)
            manage.record_event(self.conn, row["mention_id"], now, row["actor"] or self.actor, "reply",
                                {"outbox": row["id"], "reply_id": posted.remote_id, "url": posted.url})  # fmt: skip
        return Delivery(row["id"], "sent", reply=posted)

    def _settle_retry(self, row: sqlite3.Row, error: str) -> Delivery:
        delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (row["attempts"] - 1))
        retry_at = iso(timeutil.now() + timedelta(seconds=delay))
        with transaction(self.conn):
            outbox.settle(self.conn, row["id"], "pending", timeutil.now_iso(), error=error, retry_at=retry_at)
        return Delivery(row["id"], "pending", f"{error}; will retry after {retry_at}")

    def _settle_failed(self, row: sqlite3.Row, error: str) -> Delivery:
        now = timeutil.now_iso()
        with transaction(self.conn):
            outbox.settle(self.conn, row["id"], "failed", now, error=error)
            manage.record_event(self.conn, row["mention_id"], now, "commwatch", "reply-failed",
                                {"outbox": row["id"], "error": error})  # fmt: skip
        return Delivery(row["id"], "failed", error)

    def retry_failed(self) -> int:
        with transaction(self.conn):
            return outbox.retry_failed(self.conn, timeutil.now_iso())

    # Moderation -----------------------------------------------------------------

    def moderate(self, ref: str, action: str, ban: bool = False) -> dict:
        from commwatch.actions import Actions

        mention = get(self.conn, Actions(self.conn, self.config).resolve(ref))
        source, cls = self._source_for(mention, MODERATE)
        if action not in cls.moderation_actions:
            raise ActionError(f"{mention['platform']} moderation actions are: {', '.join(cls.moderation_actions)}")
        try:
            self._connector(source).moderate(target_of(mention), action, ban=ban)
        except ConnectorError as exc:
            raise ActionError(f"{mention['platform']} refused to {action} it: {exc}") from None
        now = timeutil.now_iso()
        with transaction(self.conn):
            manage.record_event(self.conn, mention["id"], now, self.actor, "moderate",
                                {"action": action, "ban": ban or None, "source": source})  # fmt: skip
        return get(self.conn, mention["id"])


def target_of(mention: dict) -> ReplyTarget:
    return ReplyTarget(
        platform=mention["platform"],
        remote_id=mention["remote_id"],
        kind=mention["kind"],
        author_handle=mention["author"]["handle"],
        thread_id=mention["thread_id"],
        parent_id=mention["parent_id"],
        url=mention["url"],
        extra=mention.get("extra") or {},
    )


def _stale_before(now) -> str:
    return iso(now - timedelta(seconds=outbox.STALE_CLAIM_S))
