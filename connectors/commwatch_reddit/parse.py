"""Normalise Reddit API response bodies into Mentions.

Works on the raw decoded JSON (never on praw objects), so one odd item cannot
sink a whole page. Accepted bodies:

* one Listing: search, /r/{sub}/new, /r/{sub}/comments, /message/mentions,
  /message/inbox;
* a JSON array of Listings: /comments/{id} answers [post listing, comment
  listing]. Comment trees are walked through each comment's nested `replies`
  listing, depth first, so every comment follows the one it answers.

What becomes a Mention:

* t3 (post) -> Kind.POST;
* t1 (comment) -> Kind.COMMENT, or Kind.REPLY when its parent is another
  comment; a t1 with `type: "username_mention"` (/message/mentions, the inbox)
  -> Kind.MENTION. Inbox items carry no `link_id` or `permalink`: their thread
  and link come from `context`.

Private messages (t4, mixed into /message/inbox) are ignored on purpose: they
are not public conversation. "more" stubs and other kinds are ignored too.

A body that is not a Listing or an array of Listings raises PayloadError; a
child that cannot be a mention (not an object, no usable id or creation time)
is skipped. Text comes from `body`/`selftext`, whose HTML entities clean_text
decodes; the escaped `body_html`/`selftext_html` are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from commwatch.connector import PayloadError, Rejected, as_int, clean_text, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention

PLATFORM = "reddit"
BASE = "https://www.reddit.com"
DELETED = "[deleted]"
_GONE_TEXTS = frozenset({"[deleted]", "[removed]"})

_BASE36 = re.compile(r"[0-9a-z]+", re.ASCII | re.IGNORECASE)
_FULLNAME = re.compile(r"t[1-6]_[0-9a-z]+", re.ASCII | re.IGNORECASE)
_THREAD_IN_PATH = re.compile(r"/comments/([0-9a-z]+)(?:[/?#]|$)", re.ASCII | re.IGNORECASE)

# Mention.metrics key -> the Reddit field that feeds it.
_POST_METRICS = {"score": "score", "comments": "num_comments"}
_COMMENT_METRICS = {"score": "score"}


def parse_listing(payload: Any) -> list[Mention | Rejected]:
    """The mentions in one decoded Reddit response body, in the order Reddit sent them;
    a child that cannot be one comes back as a Rejected saying why."""
    return each(_walk(_top_children(payload)), _child)


# The body -----------------------------------------------------------------------


def _top_children(payload: Any) -> list[Any]:
    if isinstance(payload, list):  # /comments/{id}: [post listing, comment listing]
        return [child for listing in payload for child in _listing_children(listing)]
    if isinstance(payload, dict):
        return _listing_children(payload)
    raise PayloadError(f"a Reddit response body is a JSON object or array, not {_json_type(payload)}.")


def _listing_children(listing: Any) -> list[Any]:
    if not isinstance(listing, dict):
        raise PayloadError(f"a Reddit response array holds Listings, not {_json_type(listing)}.")
    if "error" in listing:
        raise PayloadError(f"Reddit answered with an error ({_error_detail(listing)}) instead of a Listing.")
    kind = listing.get("kind")
    if kind != "Listing":
        what = f"its kind is {kind[:40]!r}" if isinstance(kind, str) else "it has no kind"
        raise PayloadError(f"this is not a Reddit Listing: {what}.")
    data = listing.get("data")
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        raise PayloadError("this Reddit Listing has no list of children in data.children.")
    return children


def _walk(children: list[Any]) -> Iterator[Any]:
    """Every child, each comment followed by its replies.

    Iterative, so a very deep comment tree cannot exhaust the recursion limit.
    """
    stack = list(reversed(children))
    while stack:
        child = stack.pop()
        yield child
        if isinstance(child, dict) and child.get("kind") == "t1" and isinstance(child.get("data"), dict):
            stack.extend(reversed(_replies(child["data"])))


def _replies(data: dict[str, Any]) -> list[Any]:
    """The children of a comment's nested replies Listing; [] for "" (no replies) or anything malformed."""
    replies = data.get("replies")
    if not isinstance(replies, dict) or replies.get("kind") != "Listing":
        return []
    inner = replies.get("data")
    children = inner.get("children") if isinstance(inner, dict) else None
    return children if isinstance(children, list) else []


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _error_detail(body: dict[str, Any]) -> str:
    """`403 Forbidden`, `invalid_grant`: Reddit's error code and message, short and printable."""
    parts = [body.get("error"), body.get("message"), body.get("reason")]
    words = " ".join(str(p) for p in parts if isinstance(p, (str, int)) and not isinstance(p, bool) and p != "")
    return strip_controls(words)[:120] or "no detail"


# One item -----------------------------------------------------------------------


def _child(child: Any) -> Mention | None:
    if not isinstance(child, dict):
        raise PayloadError(f"a Listing child is a JSON object, not {_json_type(child)}")
    kind, data = child.get("kind"), child.get("data")
    if not isinstance(kind, str) or not isinstance(data, dict):
        raise PayloadError("a Listing child needs a kind and a data object")
    if kind == "t3":
        return _post(data)
    if kind == "t1":
        return _comment(data)
    return None  # t4 private messages, "more" stubs, subreddits, accounts: rightly not mentions


def _identified(data: dict[str, Any], prefix: str) -> tuple[str, datetime]:
    """The item's own fullname and creation time, or PayloadError saying which is missing."""
    remote_id = _own_fullname(data, prefix)
    if remote_id is None:
        raise PayloadError(f"a {'post' if prefix == 't3' else 'comment'} has no usable name or id")
    created_at = _created_at(data)
    if created_at is None:
        raise PayloadError(f"{remote_id} has no usable created_utc")
    return remote_id, created_at


def _post(data: dict[str, Any]) -> Mention:
    remote_id, created_at = _identified(data, "t3")
    text = _text(data.get("selftext"))  # "" for link posts
    return Mention(
        platform=PLATFORM,
        remote_id=remote_id,
        text=text,
        created_at=created_at,
        author=_author(data),
        url=_absolute(data.get("permalink")) or f"{BASE}/comments/{remote_id[3:]}",
        kind=Kind.POST,
        title=_text(data.get("title")) or None,
        thread_id=remote_id,
        edited_at=_edited_at(data.get("edited")),
        metrics=_metrics(data, _POST_METRICS),
        extra=_post_extra(data, text),
    )


def _comment(data: dict[str, Any]) -> Mention:
    remote_id, created_at = _identified(data, "t1")
    text = _text(data.get("body"))
    parent_id = _fullname(data.get("parent_id"))
    context = data.get("context")  # inbox items only: "/r/acme/comments/abc12/slug/def34/?context=3"
    thread_id = _fullname(data.get("link_id"), "t3_") or _thread_in(context) or _fullname(parent_id, "t3_")
    url = _absolute(data.get("permalink")) or _absolute(_without_query(context))
    if url is None and thread_id:
        url = f"{BASE}/comments/{thread_id[3:]}/_/{remote_id[3:]}/"
    return Mention(
        platform=PLATFORM,
        remote_id=remote_id,
        text=text,
        created_at=created_at,
        author=_author(data),
        url=url,
        kind=_comment_kind(data, parent_id),
        parent_id=parent_id,
        thread_id=thread_id,
        edited_at=_edited_at(data.get("edited")),
        metrics=_metrics(data, _COMMENT_METRICS),
        extra=_comment_extra(data, text),
    )


def _comment_kind(data: dict[str, Any], parent_id: str | None) -> Kind:
    if data.get("type") == "username_mention":
        return Kind.MENTION
    if parent_id and parent_id.startswith("t1_"):
        return Kind.REPLY
    return Kind.COMMENT


# Fields ---------------------------------------------------------------------------


def _own_fullname(data: dict[str, Any], prefix: str) -> str | None:
    """The item's fullname (`t3_abc12`): `name`, or the prefix and `id` when `name` is missing."""
    name = _fullname(data.get("name"), prefix + "_")
    if name:
        return name
    short = data.get("id")
    if isinstance(short, str) and _BASE36.fullmatch(short):
        return f"{prefix}_{short}"
    return None


def _fullname(value: Any, prefix: str = "t") -> str | None:
    if isinstance(value, str) and value.startswith(prefix) and _FULLNAME.fullmatch(value):
        return value
    return None


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _created_at(data: dict[str, Any]) -> datetime | None:
    # `created` is a fallback only: on very old API versions it was shifted to Reddit's local time.
    for key in ("created_utc", "created"):
        value = data.get(key)
        if value is not None:
            try:
                return parse_time(value)
            except (PayloadError, ValueError, OverflowError, OSError):
                continue
    return None


def _edited_at(value: Any) -> datetime | None:
    """`edited` is false, a timestamp, or (on old items) a bare true with no time."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_time(value)
    except (PayloadError, ValueError, OverflowError, OSError):
        return None


def _author(data: dict[str, Any]) -> Author:
    handle = data.get("author")
    handle = strip_controls(handle).strip() if isinstance(handle, str) else ""
    if not handle or handle == DELETED:
        return Author(handle=DELETED)
    fullname = data.get("author_fullname")  # missing on old items
    return Author(
        handle=handle,
        remote_id=fullname if isinstance(fullname, str) and fullname else None,
        url=f"{BASE}/user/{quote(handle)}",
    )


def _absolute(path: Any) -> str | None:
    """A Reddit permalink ("/r/acme/comments/…") or an absolute URL, as an absolute URL."""
    if not isinstance(path, str):
        return None
    path = clean_text(path).strip()
    if path.startswith("/"):
        return BASE + path
    if path.startswith(("https://", "http://")):
        return path
    return None


def _without_query(path: Any) -> Any:
    return path.split("?", 1)[0] if isinstance(path, str) else None


def _thread_in(path: Any) -> str | None:
    """The post fullname inside a /comments/{id}/ path: "t3_abc12"."""
    match = _THREAD_IN_PATH.search(path) if isinstance(path, str) else None
    return f"t3_{match.group(1)}" if match else None


def _metrics(data: dict[str, Any], fields: dict[str, str]) -> dict[str, int]:
    metrics = {}
    for key, field in fields.items():
        value = as_int(data.get(field))
        if value is not None:
            metrics[key] = value
    if data.get("score_hidden") is True:  # Reddit sends a placeholder score of 1 while it is hidden
        metrics.pop("score", None)
    return metrics


def _common_extra(data: dict[str, Any], text: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    subreddit = data.get("subreddit")
    if isinstance(subreddit, str) and subreddit:
        extra["subreddit"] = strip_controls(subreddit)
    if isinstance(data.get("over_18"), bool):
        extra["over_18"] = data["over_18"]
    if data.get("edited") is True:  # edited, time unknown
        extra["edited"] = True
    removed_by = data.get("removed_by_category")  # "moderator", "deleted", … on removed posts
    if isinstance(removed_by, str) and removed_by:
        extra["removed_by"] = removed_by
    if text.strip() in _GONE_TEXTS or "removed_by" in extra:
        extra["removed"] = True
    return extra


def _post_extra(data: dict[str, Any], text: str) -> dict[str, Any]:
    extra = _common_extra(data, text)
    link_url = _absolute(data.get("url"))
    if link_url and data.get("is_self") is not True:  # a self post's url is its own permalink
        extra["link_url"] = link_url
    ratio = data.get("upvote_ratio")
    if isinstance(ratio, (int, float)) and not isinstance(ratio, bool):
        extra["upvote_ratio"] = float(ratio)
    return extra


def _comment_extra(data: dict[str, Any], text: str) -> dict[str, Any]:
    extra = _common_extra(data, text)
    for key in ("link_title", "subject"):  # the post a comment is on; an inbox item's subject line
        value = data.get(key)
        if isinstance(value, str) and value:
            extra[key] = clean_text(value)
    return extra
