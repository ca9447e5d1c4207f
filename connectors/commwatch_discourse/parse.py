"""Normalise Discourse response bodies into Mentions.

Works on decoded JSON, so one odd post never sinks its page. Accepted bodies:

* ``/posts.json`` – ``{"latest_posts": [post…]}`` (the site's newest posts);
* ``/t/ID.json`` and ``/t/ID/posts.json`` – ``{"post_stream": {"posts": […]}, "id": ID, "title"…}``;
* ``/search.json`` – ``{"posts": [post…], "topics": [topic…], "grouped_search_result": …}``
  (a search result's post has a `blurb`, not its whole text);
* ``/notifications.json`` – ``{"notifications": […]}``: a notification names a post but
  does not carry its text, so on import each one about a post is set aside saying so
  (a sync reads the post itself).

A post becomes a Mention: `remote_id` is the post id, `thread_id` the topic id,
`parent_id` the id of the post it replies to when the body holds that post (Discourse
gives only its number), `kind` post for a topic's first post, reply when it answers
a post, comment otherwise. Its text is `raw` when present, else `cooked` as plain
text (cooked.py), else the search blurb. Moderator and small actions ("This topic is now
pinned.", "closed the topic") are not mentions. `url` needs the site's address, which a response body does not contain: it
is set when the connector fetched the post, and left empty on import.
"""

from __future__ import annotations

import re
from typing import Any

from commwatch.connector import PayloadError, Rejected, as_int, clean_text, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention
from commwatch_discourse.cooked import plain_text

PLATFORM = "discourse"
# post_type of the forum's own notes: 2 a moderator action ("This topic is now pinned."), 3 a small
# action ("closed the topic", "split this topic"). Neither is somebody talking.
MODERATOR_ACTION, SMALL_ACTION = 2, 3
WHISPER = 4
LIKE = 2  # actions_summary id of a like

# Notification types a manager wants as mentions (Discourse's Notification.types).
NOTIFICATION_TYPES = {1: "mentioned", 2: "replied", 3: "quoted", 6: "private_message", 15: "group_mentioned"}


def parse_response(payload: Any, site: str | None = None) -> list[Mention | Rejected]:
    """The mentions in one decoded response body; PayloadError when it is none of the bodies above."""
    if not isinstance(payload, dict):
        raise PayloadError("not a Discourse response: expected a JSON object")
    if "latest_posts" in payload:
        return posts(_list(payload["latest_posts"], "latest_posts"), site)
    if "post_stream" in payload:
        stream = payload["post_stream"]
        if not isinstance(stream, dict):
            raise PayloadError("not a Discourse topic: post_stream is not an object")
        return posts(_list(stream.get("posts"), "post_stream.posts"), site, topic=topic_info(payload))
    if "notifications" in payload:
        found = (_notification(n) for n in _list(payload["notifications"], "notifications"))
        return [r for r in found if r is not None]
    if "grouped_search_result" in payload or ("posts" in payload and "topics" in payload):
        topics = {}
        for topic in payload.get("topics") or []:
            if isinstance(topic, dict) and as_int(topic.get("id")) is not None:
                topics[as_int(topic["id"])] = topic_info(topic)
        return posts(_list(payload.get("posts") or [], "posts"), site, topics=topics)
    raise PayloadError(
        "not a Discourse response: expected latest_posts (/posts.json), post_stream (/t/ID.json), "
        "posts and topics (/search.json) or notifications (/notifications.json)"
    )


def posts(
    items: list[Any],
    site: str | None,
    *,
    topic: dict[str, Any] | None = None,
    topics: dict[int, dict[str, Any]] | None = None,
    numbers: dict[tuple[int, int], str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Mention | Rejected]:
    """Mentions of these post objects. `topic` describes the topic they all belong to, `topics`
    the topics by id; `numbers` maps (topic id, post number) to post ids seen before, for parents
    (and learns these posts' numbers: a connector keeps one for the whole sync)."""
    known = numbers if numbers is not None else {}
    for item in items:  # a reply's parent is often in the same body
        if isinstance(item, dict):
            topic_id, number, post_id = as_int(item.get("topic_id")), as_int(item.get("post_number")), _id(item)
            if topic_id is not None and number is not None and post_id:
                known[(topic_id, number)] = post_id

    def one(item: Any) -> Mention | None:
        about = topic or (topics or {}).get(as_int(item.get("topic_id")) if isinstance(item, dict) else None)
        return post(item, site, topic=about, numbers=known, extra=extra)

    return each(items, one)


def post(
    item: Any,
    site: str | None,
    *,
    topic: dict[str, Any] | None = None,
    numbers: dict[tuple[int, int], str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Mention | None:
    if not isinstance(item, dict):
        raise PayloadError("a post that is not a JSON object")
    post_id = _id(item)
    if post_id is None:
        raise PayloadError("a post without a numeric id")
    if as_int(item.get("post_type")) in (MODERATOR_ACTION, SMALL_ACTION):
        return None
    topic = topic or {}
    topic_id = as_int(item.get("topic_id"))
    if topic_id is None:
        topic_id = as_int(topic.get("id"))
    if topic_id is None:
        raise PayloadError("a post without its topic_id")
    number = as_int(item.get("post_number"))
    username = _str(item.get("username"))
    if not username:
        raise PayloadError("a post without its author's username")
    created = parse_time(item.get("created_at"))

    reply_to = as_int(item.get("reply_to_post_number"))
    title = _str(item.get("topic_title")) or _str(topic.get("title"))
    slug = _str(item.get("topic_slug")) or _str(topic.get("slug")) or "-"
    kind = Kind.POST if number == 1 else (Kind.REPLY if reply_to else Kind.COMMENT)
    parent = (numbers or {}).get((topic_id, reply_to)) if reply_to else None

    details: dict[str, Any] = {"topic_id": topic_id, "post_number": number}
    if reply_to:
        details["reply_to_post_number"] = reply_to
    for key, source in (("category_id", item.get("category_id", topic.get("category_id"))),
                        ("user_id", item.get("user_id")), ("trust_level", item.get("trust_level"))):  # fmt: skip
        value = as_int(source)
        if value is not None:
            details[key] = value
    tags = topic.get("tags")
    if isinstance(tags, list):
        details["tags"] = [_tag(t) for t in tags if _tag(t)]
    for flag in ("hidden", "staff", "moderator", "admin", "user_deleted"):
        if item.get(flag) is True:
            details[flag] = True
    if item.get("deleted_at"):
        details["deleted"] = True
    if as_int(item.get("post_type")) == WHISPER:
        details["whisper"] = True
    if topic.get("archetype") == "private_message" or item.get("archetype") == "private_message":
        details["private_message"] = True
    if extra:
        details.update(extra)

    return Mention(
        platform=PLATFORM,
        remote_id=post_id,
        text=_text(item),
        created_at=created,
        author=Author(
            handle=username,
            name=_str(item.get("name")) or None,
            remote_id=str(as_int(item["user_id"])) if as_int(item.get("user_id")) is not None else None,
            url=f"{site}/u/{username}" if site else None,
        ),
        url=f"{site}/t/{slug}/{topic_id}/{number}" if site and number else None,
        kind=kind,
        title=title if number == 1 and title else None,
        parent_id=parent,
        thread_id=str(topic_id),
        edited_at=_edited(item),
        metrics=_metrics(item),
        extra=details,
    )


def topic_info(topic: dict[str, Any]) -> dict[str, Any]:
    """What a post needs to know of its topic, from a topic object or a /t/ID.json body."""
    return {k: topic.get(k) for k in ("id", "title", "slug", "category_id", "tags", "archetype") if k in topic}


# Pieces ----------------------------------------------------------------------------------------


def _text(item: dict[str, Any]) -> str:
    raw = item.get("raw")
    if isinstance(raw, str) and raw.strip():  # markdown as written: no entities to decode
        return _QUOTE.sub(_quoted, raw.replace("\r\n", "\n").replace("\x00", "")).strip()
    cooked = item.get("cooked")
    if isinstance(cooked, str) and cooked.strip():
        return plain_text(cooked)
    blurb = item.get("blurb")
    if isinstance(blurb, str) and blurb.strip():
        return clean_text(blurb)
    if item.get("deleted_at") or item.get("user_deleted"):
        return "(deleted)"
    if item.get("hidden") or item.get("cooked_hidden"):
        return "(hidden by the forum)"
    return ""


# [quote="dana, post:1, topic:11"]…[/quote] (the name part may also be "dana" alone, or absent)
_QUOTE = re.compile(r'\[quote(?:="?([^,"\]]*)[^\]]*)?\]\n?(.*?)\n?\[/quote\]\n?', re.S | re.I)


def _quoted(match: re.Match) -> str:
    """A quote in raw markdown marked the way cooked quotes are: "> NAME:" then "> " before each line."""
    who = match.group(1).strip()
    lines = ([f"{who}:"] if who else []) + match.group(2).split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n"


def _metrics(item: dict[str, Any]) -> dict[str, int]:
    metrics: dict[str, int] = {}
    likes = as_int(item.get("like_count"))
    for action in item.get("actions_summary") or []:
        if isinstance(action, dict) and as_int(action.get("id")) == LIKE:
            likes = as_int(action.get("count")) or 0
    if likes is not None:
        metrics["likes"] = likes
    for key, field in (("replies", "reply_count"), ("reads", "reads"), ("quotes", "quote_count")):
        value = as_int(item.get(field))
        if value is not None:
            metrics[key] = value
    return metrics


def _edited(item: dict[str, Any]):
    """When the text was last changed: `updated_at` of a post past its first version (a post's
    updated_at also moves for likes and reads, so version 1 means never edited)."""
    version = as_int(item.get("version"))
    if version is None or version <= 1 or not item.get("updated_at"):
        return None
    try:
        return parse_time(item["updated_at"])
    except PayloadError:
        return None


def _notification(item: Any) -> Rejected | None:
    if not isinstance(item, dict):
        return Rejected("a notification that is not a JSON object", item)
    kind = NOTIFICATION_TYPES.get(as_int(item.get("notification_type")))
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    post_id = as_int(data.get("original_post_id"))
    what = f"post {post_id}" if post_id is not None else f"post {item.get('post_number')!s:.12} of topic {item.get('topic_id')!s:.12}"
    if kind is None:  # a like, a badge, a new follower: not something to answer
        return None
    return Rejected(
        f"a notification ({kind}) names {what} but not its text: a sync with mentions = true reads the post",
        item,
        str(post_id) if post_id is not None else None,
    )


def _id(item: dict[str, Any]) -> str | None:
    value = item.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        return str(int(value))
    return None


def _str(value: Any) -> str:
    return strip_controls(value).strip() if isinstance(value, str) else ""


def _tag(value: Any) -> str:
    if isinstance(value, dict):  # newer Discourse sends tags as {"id", "name", "slug"}
        value = value.get("name")
    return _str(value)


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(f"not a Discourse response: {what} is not a list")
    return value
