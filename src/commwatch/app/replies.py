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

import sqlite3
import string
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from commwatch import registry, timeutil
from commwatch.app.effects import SYSTEM
from commwatch.app.errors import ActionError
from commwatch.app.outbox import Delivery, GiveUp, OutboxWorker, TryLater, payload
from commwatch.app.secrets import redact
from commwatch.app.verbs import resolve
from commwatch.config import Config
from commwatch.connector import (
    MODERATE,
    REPLY,
    Connector,
    ConnectorError,
    MissingCredentials,
    NotSent,
    PermanentError,
    ReplyTarget,
    SourceConfig,
)
from commwatch.store import conversations, manage, outbox
from commwatch.store.db import transaction
from commwatch.store.mentions import add_units, get

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


def render_template(template: str, mention: dict) -> str:
    """Fill {author}, {platform}, {url}, {assignee}; any other {name} is an error before anything is sent."""
    values = {
        "author": "@" + mention["author"]["handle"] if mention["platform"] == "x" else mention["author"]["handle"],
        "platform": {"x": "X", "reddit": "Reddit", "youtube": "YouTube", "discourse": "the forum",
                     "mastodon": "Mastodon", "bluesky": "Bluesky"}.get(mention["platform"], mention["platform"]),
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
    """Drafting, queueing and sending replies, and moderating, as `actor` on the connection `conn`."""

    def __init__(self, conn: sqlite3.Connection, config: Config, env: Mapping[str, str], actor: str,
                 worker: OutboxWorker):  # fmt: skip
        self.conn = conn
        self.config = config
        self.env = env
        self.actor = actor
        self.worker = worker

    def _mention(self, ref: str | int) -> dict:
        return get(self.conn, resolve(self.conn, ref))

    # Replies --------------------------------------------------------------------

    def draft(self, ref: str | int, text: str | None = None, template: str | None = None) -> Draft:
        """Exactly what would be posted, checked: the template's variables, empty text, the platform's limit."""
        mention = self._mention(ref)
        if template is not None:
            if template not in self.config.templates:
                known = ", ".join(sorted(self.config.templates)) or "none configured"
                raise ActionError(f"no template {template!r} (templates: {known})")
            text = render_template(self.config.templates[template], mention)
        text = (text or "").strip()
        if not text:
            raise ActionError("the reply is empty: give TEXT or --template NAME")
        source, cls = source_for(self.config, mention, REPLY)
        _can_write(cls, self.config.sources[source], self.env, "reply")
        if cls.reply_limit and len(text) > cls.reply_limit:
            raise ActionError(f"the reply is {len(text)} characters; {mention['platform']} allows {cls.reply_limit}")
        if cls.check_reply is not Connector.check_reply:
            _check_reply(self.config, source, self.env, mention, text)
        return Draft(mention=mention, text=text, source=source, connector=cls.name, limit=cls.reply_limit)

    def queue(self, draft: Draft) -> int:
        now = timeutil.now_iso()
        with transaction(self.conn):
            outbox_id = outbox.add(self.conn, "reply", draft.mention["id"], draft.source, {"text": draft.text},
                                   self.actor, now)  # fmt: skip
            manage.record_event(self.conn, draft.mention["id"], now, self.actor, "reply-queued",
                                {"outbox": outbox_id, "text": draft.text, "source": draft.source})  # fmt: skip
        return outbox_id

    def send(self, draft: Draft) -> Delivery:
        """Queue the reply, then send it now (a failure leaves it in the outbox to retry)."""
        return self.worker.process(self.queue(draft))

    # Moderation -----------------------------------------------------------------

    def moderate(self, ref: str | int, action: str, ban: bool = False, **options: Any) -> dict:
        """Apply `action` on the platform. `options` ("reason", "days") go to connectors that declare them."""
        mention = self._mention(ref)
        source, cls = source_for(self.config, mention, MODERATE)
        _can_write(cls, self.config.sources[source], self.env, "moderate")
        if action not in cls.moderation_actions:
            raise ActionError(f"{mention['platform']} moderation actions are: {', '.join(cls.moderation_actions)}")
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - set(cls.moderation_options))
        if unknown:
            raise ActionError(f"{mention['platform']} moderation takes no {' or '.join('--' + k for k in unknown)}")
        try:
            connector = _connector(self.config, source, self.env)
            with metered(self.conn, connector, source):
                connector.moderate(target_of(mention), action, ban=ban, **given)
        except NotSent as exc:  # declined before anything was asked of the platform
            raise ActionError(redact(f"{exc} (nothing was sent)", self.env)) from None
        except ConnectorError as exc:
            raise ActionError(redact(f"{mention['platform']} refused to {action} it: {exc}", self.env)) from None
        now = timeutil.now_iso()
        with transaction(self.conn):
            manage.record_event(self.conn, mention["id"], now, self.actor, "moderate",
                                {"action": action, "ban": ban or None, "source": source, **given})  # fmt: skip
        return get(self.conn, mention["id"])


class ReplyHandler:
    """The outbox handler for the kind `reply`: post it once, even across crashes."""

    def __init__(self, conn: sqlite3.Connection, config: Config, env: Mapping[str, str]):
        self.conn = conn
        self.config = config
        self.env = env

    def attempt(self, row: sqlite3.Row) -> dict:
        text = payload(row)["text"]
        target = target_of(get(self.conn, row["mention_id"]))
        if row["source"] not in self.config.sources:
            raise GiveUp(f"source {row['source']!r} is no longer configured")
        try:
            connector = _connector(self.config, row["source"], self.env)
            posted = None
            if row["attempts"] > 1:  # an earlier attempt may have reached the platform
                with metered(self.conn, connector, row["source"]):
                    posted = connector.find_reply(target, text)
            if posted is None:
                with metered(self.conn, connector, row["source"]):
                    posted = connector.reply(target, text)
        except (PermanentError, MissingCredentials) as exc:
            raise GiveUp(str(exc)) from None
        except (ConnectorError, OSError, TimeoutError) as exc:
            raise TryLater(str(exc)) from None
        except Exception as exc:  # a connector bug: reported, kept, and retried after the backoff
            raise TryLater(f"unexpected {type(exc).__name__} from the {row['source']} connector: {exc}") from None
        return {"remote_id": posted.remote_id, "url": posted.url}

    def on_sent(self, conn: sqlite3.Connection, row: sqlite3.Row, result: dict, at: str) -> None:
        conversations.set_answered(conn, row["mention_id"], at)
        manage.record_event(conn, row["mention_id"], at, row["actor"] or SYSTEM, "reply",
                            {"outbox": row["id"], "reply_id": result["remote_id"], "url": result["url"]})  # fmt: skip


def source_for(config: Config, mention: dict, capability: str) -> tuple[str, type[Connector]]:
    """The mention's own source if its connector can do it, else the first configured one that can."""
    names = [mention["source"]] + [n for n in config.sources if n != mention["source"]]
    for name in names:
        source = config.sources.get(name)
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


def _can_write(cls: type[Connector], source: SourceConfig, env: Mapping[str, str], verb: str) -> None:
    """Every variable a reply or moderation needs is set, or one sentence naming all that are missing."""
    missing = cls.missing(env, write=True, options=source.options)
    if missing:
        ways = " or ".join(", ".join(names) for names in missing)
        raise ActionError(f"to {verb} through source {source.name!r}, set {ways} (nothing was sent)")


def _check_reply(config: Config, source: str, env: Mapping[str, str], mention: dict, text: str) -> None:
    """The connector's own check of the text (a forum's length limits) before the reply is queued.
    When the check itself cannot be made (the site is down), the platform will say so at sending."""
    connector = _connector(config, source, env)
    try:
        connector.check_reply(target_of(mention), text)
    except PermanentError as exc:
        raise ActionError(redact(str(exc), env)) from None
    except ConnectorError:
        pass
    finally:
        connector.close()


def _connector(config: Config, source_name: str, env: Mapping[str, str]) -> Connector:
    source = config.sources[source_name]
    return registry.load(source.connector)(source, env)


@contextmanager
def metered(conn: sqlite3.Connection, connector: Connector, source: str):
    """Record the quota units a write call spent, whether it succeeded or not."""
    connector.last_units = 0
    try:
        yield
    finally:
        if connector.last_units:
            with transaction(conn):
                add_units(conn, source, connector.quota_day(timeutil.now()), connector.last_units)


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
