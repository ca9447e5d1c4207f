"""Normalise Mastodon statuses (raw JSON, or Mastodon.py's entities) into Mentions.

Accepted bodies for import: an array of statuses (timelines, a hashtag timeline), an
array of notifications (those with a status; a follow or a poll result is skipped), a
search_v2 result ``{"statuses": [...]}``, a status context ``{"ancestors", "descendants"}``,
an array of conversations (their ``last_status``), or one status.

A status: `remote_id` is its id on the server that served it; `extra.uri` its global
identity, by which the store keeps one mention for a post read through several servers;
author `acct` always as user@domain (a local account gets its server's domain); text the
content as plain text with the content warning first; a reblog is stored as the post it
boosts (`extra.boosted_by`); parent from `in_reply_to_id`, the thread being what it
answers (or itself); metrics likes (favourites), reposts (reblogs) and replies; `lang`;
visibility, tags, mentions and the author's id on that server in `extra`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from commwatch.connector import PayloadError, Rejected, as_int, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention
from commwatch_mastodon.content import plain_text

PLATFORM = "mastodon"


def parse_response(payload: Any, *, server: str | None = None) -> list[Mention | Rejected]:
    """The mentions in one decoded body; PayloadError when it is none of the bodies above.
    `server` is the address of the server that answered (a sync knows it; an import does not)."""
    if isinstance(payload, dict):
        if isinstance(payload.get("statuses"), list):
            return statuses(payload["statuses"], server)
        if "ancestors" in payload or "descendants" in payload:
            items = [*(payload.get("ancestors") or []), *(payload.get("descendants") or [])]
            return statuses(items, server)
        if "content" in payload and "account" in payload:
            return statuses([payload], server)
        raise PayloadError("not a Mastodon response: expected statuses, a status context or a status")
    if not isinstance(payload, list):
        raise PayloadError("not a Mastodon response: expected a JSON array or object")
    out: list[Mention | Rejected] = []
    for item in payload:
        if isinstance(item, dict) and "type" in item and "account" in item and "content" not in item:
            out += notification(item, server)  # a notification: its status, if it has one
        elif isinstance(item, dict) and "last_status" in item:
            if isinstance(item.get("last_status"), dict):
                out += statuses([item["last_status"]], server)
        else:
            out += statuses([item], server)
    return out


# Notifications whose status somebody else wrote to or about the account: a mention, a quote of one
# of ours, a post of someone the account follows with alerts on. A favourite's, a boost's, a poll's
# or an edit's status is the account's own post (or one it merely voted in): not a mention.
NOTIFIED = {"mention", "quote", "status"}


def notification(item: dict, server: str | None) -> list[Mention | Rejected]:
    status = item.get("status")
    if not isinstance(status, dict) or item.get("type") not in NOTIFIED:
        return []  # a follow, a favourite or boost of our post, a poll result: nothing to answer
    extra = {"notification_id": str(item["id"])} if item.get("id") is not None else {}
    found = statuses([status], server, extra=extra)
    for m in found:
        if isinstance(m, Mention) and item.get("type") == "mention":
            m.kind = Kind.MENTION
    return found


def statuses(items: list[Any], server: str | None, *, extra: dict | None = None) -> list[Mention | Rejected]:
    return each(items, lambda item: status(item, server, extra=extra))


def status(item: Any, server: str | None, *, extra: dict | None = None) -> Mention:
    if not isinstance(item, dict):
        raise PayloadError("a status that is not a JSON object")
    booster = None
    if isinstance(item.get("reblog"), dict):  # a boost: the post it boosts is the mention
        booster = _acct(item.get("account"), server, item)
        item = item["reblog"]
    status_id = _id(item.get("id"))
    if status_id is None:
        raise PayloadError("a status without an id")
    account = item.get("account")
    if not isinstance(account, dict):
        raise PayloadError("a status without its account")
    acct = _acct(account, server, item)
    if not acct:
        raise PayloadError("a status whose account has no acct")
    created = _time(item.get("created_at"))
    text = _text(item)
    parent = _id(item.get("in_reply_to_id"))
    details: dict[str, Any] = {}
    uri = item.get("uri")
    if isinstance(uri, str) and uri.strip():
        details["uri"] = uri.strip()
    if isinstance(item.get("visibility"), str):
        details["visibility"] = item["visibility"]
    account_id = _id(account.get("id"))
    if account_id:
        details["account_id"] = account_id
    tags = [t.get("name") for t in item.get("tags") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)]
    if tags:
        details["tags"] = tags
    mentioned = [_acct(m, server, item) for m in item.get("mentions") or [] if isinstance(m, dict)]
    if any(mentioned):
        details["mentions"] = [m for m in mentioned if m]
    if server:
        details["server"] = server
    if booster:
        details["boosted_by"] = booster
    if item.get("sensitive") is True:
        details["sensitive"] = True
    if extra:
        details.update(extra)
    edited = item.get("edited_at")
    return Mention(
        platform=PLATFORM,
        remote_id=status_id,
        text=text,
        created_at=created,
        author=Author(
            handle=acct,
            name=_str(account.get("display_name")) or None,
            followers=as_int(account.get("followers_count")),
            verified=False,
            remote_id=account_id,
            url=_str(account.get("url")) or None,
        ),
        url=_str(item.get("url")) or _str(item.get("uri")) or None,
        kind=Kind.REPLY if parent else Kind.POST,
        parent_id=parent,
        thread_id=parent or status_id,
        lang=_str(item.get("language")) or None,
        edited_at=_time(edited) if edited else None,
        metrics={k: v for k, v in (("likes", as_int(item.get("favourites_count"))),
                                   ("reposts", as_int(item.get("reblogs_count"))),
                                   ("replies", as_int(item.get("replies_count")))) if v is not None},  # fmt: skip
        extra=details,
    )


def _text(item: dict) -> str:
    content = item.get("content")
    body = plain_text(content) if isinstance(content, str) else ""
    if not body and isinstance(item.get("text"), str):  # a deleted status's source text
        body = item["text"]
    described = [m.get("description") for m in item.get("media_attachments") or []
                 if isinstance(m, dict) and isinstance(m.get("description"), str) and m["description"].strip()]  # fmt: skip
    if described and not body:
        body = "\n".join(f"[image: {d.strip()}]" for d in described)
    warning = _str(item.get("spoiler_text"))
    return f"CW: {warning}\n\n{body}".strip() if warning else body


def _acct(account: Any, server: str | None, status: dict) -> str:
    """user@domain, whatever the server sent: a local account's acct has no domain."""
    if not isinstance(account, dict):
        return ""
    acct = _str(account.get("acct")) or _str(account.get("username"))
    if not acct or "@" in acct:
        return acct.lstrip("@")
    domain = _host(server) or _host(account.get("url")) or _host(status.get("uri"))
    return f"{acct}@{domain}" if domain else acct


def _host(url: Any) -> str:
    if not isinstance(url, str):
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str) and value.strip() and len(value) <= 64 and value.isprintable():
        return value.strip()
    return None


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):  # Mastodon.py parses times already
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return parse_time(value)


def _str(value: Any) -> str:
    return strip_controls(value).strip() if isinstance(value, str) else ""
