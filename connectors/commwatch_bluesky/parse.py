"""Normalise Bluesky (AT Protocol) response bodies into Mentions.

Accepted bodies (decoded JSON, or the SDK's models dumped by alias, which is the same):
``app.bsky.feed.searchPosts`` ``{"posts": [...]}``, ``getQuotes`` ``{"uri", "posts"}``,
``getPosts`` ``{"posts"}``, ``getAuthorFeed`` ``{"feed": [{"post"}...]}``,
``app.bsky.notification.listNotifications`` ``{"notifications": [...]}`` (mention, reply
and quote notifications whose record is a post), ``getPostThread`` ``{"thread": ...}``
(parents and replies walked to any depth; blocked and missing posts skipped).

A post: `remote_id` is its at:// URI; `url` the bsky.app link; author handle and display
name (followers are not in a post's author view, and one profile request per post would
cost too much); text from `record.text` with link facets resolved (the text shows a
shortened link, the facet holds the whole URL); parent and thread from `record.reply`;
likes, reposts, replies, quotes; `lang` the first of `record.langs`; the quoted post's
uri, the post's cid and its thread root's cid in `extra` (a reply needs them).
"""

from __future__ import annotations

from typing import Any

from commwatch.connector import PayloadError, Rejected, as_int, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
NOTIFIED = {"mention": Kind.MENTION, "reply": Kind.REPLY, "quote": Kind.POST}
MAX_DEPTH = 1000


def parse_response(payload: Any) -> list[Mention | Rejected]:
    if not isinstance(payload, dict):
        raise PayloadError("not a Bluesky response: expected a JSON object")
    if isinstance(payload.get("notifications"), list):
        return [m for n in payload["notifications"] for m in notification(n)]
    if "thread" in payload:
        return each(list(_walk_thread(payload["thread"], 0)), post)
    if isinstance(payload.get("posts"), list):
        return each(payload["posts"], post)
    if isinstance(payload.get("feed"), list):
        return each([item.get("post") if isinstance(item, dict) else item for item in payload["feed"]], post)
    raise PayloadError("not a Bluesky response: expected posts, notifications, thread or feed")


def notification(item: Any) -> list[Mention | Rejected]:
    """A mention, reply or quote notification as the post it is; likes, follows and reposts are not mentions."""
    if not isinstance(item, dict):
        return [Rejected("a notification that is not a JSON object", item)]
    kind = NOTIFIED.get(item.get("reason"))
    record = item.get("record")
    if kind is None or not isinstance(record, dict) or record.get("$type", POST) != POST:
        return []
    view = {"uri": item.get("uri"), "cid": item.get("cid"), "author": item.get("author"), "record": record,
            "indexedAt": item.get("indexedAt")}  # fmt: skip
    found = each([view], lambda v: post(v, kind=kind, extra={"notification": item.get("reason")}))
    return found


def post(item: Any, *, kind: Kind | None = None, extra: dict | None = None) -> Mention | None:
    if not isinstance(item, dict):
        raise PayloadError("a post that is not a JSON object")
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://") or len(uri) > 512:
        raise PayloadError("a post without an at:// uri")
    record = item.get("record")
    if not isinstance(record, dict):
        raise PayloadError("a post without its record")
    if record.get("$type", POST) != POST:
        return None  # a list, a feed generator: not something somebody said
    author = item.get("author")
    if not isinstance(author, dict) or not _str(author.get("handle")):
        raise PayloadError("a post without its author's handle")
    handle = _str(author["handle"]).lstrip("@")
    created = parse_time(record.get("createdAt") or item.get("indexedAt"))
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
    parent = _ref(reply, "parent")
    root = _ref(reply, "root")
    details: dict[str, Any] = {}
    if isinstance(item.get("cid"), str):
        details["cid"] = item["cid"]
    if parent:
        details["parent_cid"] = _cid(reply, "parent")
        details["root_cid"] = _cid(reply, "root")
    quoted = _quoted(record.get("embed"))
    if quoted:
        details["quoted"] = quoted
    if isinstance(author.get("did"), str):
        details["author_did"] = author["did"]
    if isinstance(item.get("indexedAt"), str):
        details["indexed_at"] = item["indexedAt"]
    if extra:
        details.update(extra)
    langs = record.get("langs")
    rkey = uri.rsplit("/", 1)[-1]
    metrics = {k: v for k, v in (("likes", as_int(item.get("likeCount"))), ("reposts", as_int(item.get("repostCount"))),
                                 ("replies", as_int(item.get("replyCount"))), ("quotes", as_int(item.get("quoteCount"))))
               if v is not None}  # fmt: skip
    return Mention(
        platform=PLATFORM,
        remote_id=uri,
        text=readable(record.get("text"), record.get("facets")),
        created_at=created,
        author=Author(handle=handle, name=_str(author.get("displayName")) or None,
                      followers=as_int(author.get("followersCount")), remote_id=_str(author.get("did")) or None,
                      url=f"https://bsky.app/profile/{handle}"),  # fmt: skip
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        kind=kind or (Kind.REPLY if parent else Kind.POST),
        parent_id=parent,
        thread_id=root or uri,
        lang=langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
        metrics=metrics,
        extra=details,
    )


def readable(text: Any, facets: Any) -> str:
    """The post's text with each link facet's shortened text replaced by its whole URL (and words
    that link somewhere followed by the URL). Facets index UTF-8 bytes; one that does not fit the
    text is ignored."""
    if not isinstance(text, str):
        return ""
    if not isinstance(facets, list) or not facets:
        return text
    data = text.encode("utf-8", "surrogatepass")
    links = []
    for facet in facets:
        index = facet.get("index") if isinstance(facet, dict) else None
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not isinstance(features, list):
            continue
        start, end = as_int(index.get("byteStart")), as_int(index.get("byteEnd"))
        uri = next((f.get("uri") for f in features if isinstance(f, dict) and str(f.get("$type", "")).endswith("#link")), None)
        if isinstance(uri, str) and start is not None and end is not None and 0 <= start < end <= len(data):
            links.append((start, end, uri))
    last = len(data) + 1
    for start, end, uri in sorted(links, reverse=True):
        if end > last:
            continue  # overlapping facets: keep the later one
        shown = data[start:end].decode("utf-8", "replace")
        if shown.rstrip(".…") and uri.split("://", 1)[-1].startswith(shown.rstrip(".…").split("://", 1)[-1]):
            data = data[:start] + uri.encode() + data[end:]  # a shortened link: the whole of it
        elif uri not in shown:
            data = data[:end] + f" ({uri})".encode() + data[end:]  # words that link somewhere: say where
        last = start
    return data.decode("utf-8", "replace")


def _walk_thread(node: Any, depth: int):
    """Every post of a thread view: its parents up, itself, its replies down (blocked, missing skipped)."""
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return
    parent = node.get("parent")
    if isinstance(parent, dict):
        yield from _walk_thread({k: v for k, v in parent.items() if k != "replies"}, depth + 1)
    if isinstance(node.get("post"), dict):
        yield node["post"]
    for reply in node.get("replies") or []:
        if isinstance(reply, dict):
            yield from _walk_thread({k: v for k, v in reply.items() if k != "parent"}, depth + 1)


def _ref(reply: dict | None, key: str) -> str | None:
    ref = reply.get(key) if reply else None
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _cid(reply: dict | None, key: str) -> str | None:
    ref = reply.get(key) if reply else None
    cid = ref.get("cid") if isinstance(ref, dict) else None
    return cid if isinstance(cid, str) else None


def _quoted(embed: Any) -> str | None:
    if not isinstance(embed, dict):
        return None
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):  # recordWithMedia
        record = record["record"]
    uri = record.get("uri") if isinstance(record, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _str(value: Any) -> str:
    return strip_controls(value).strip() if isinstance(value, str) else ""
