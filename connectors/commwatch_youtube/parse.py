"""Turn YouTube Data API v3 comment responses into Mentions. Pure: no I/O.

Accepted bodies (already decoded from JSON):

* ``youtube#commentThreadListResponse`` (commentThreads.list): one COMMENT per
  thread plus one REPLY per inline reply (``replies.comments`` is partial when
  ``totalReplyCount`` is larger; the connector fetches the rest).
* ``youtube#commentListResponse`` (comments.list?parentId=…): REPLYs that lack
  ``videoId``; their ``extra["video_id"]`` and ``url`` stay None until the
  connector fills them in.
* a single ``youtube#commentThread`` or ``youtube#comment`` resource.
* an error body ``{"error": {...}}``: raises PayloadError (see `error_reason`).

Mapping of one comment:

* text: ``textOriginal`` as typed; else ``textDisplay``, converted from HTML
  when it is HTML (``textFormat=html``) and kept literally when it is plain.
* author: handle = ``authorDisplayName`` without its leading "@" ("[deleted]"
  when empty), remote_id = ``authorChannelId.value``, url = ``authorChannelUrl``.
* created_at = ``publishedAt``; edited_at = ``updatedAt`` when it differs.
* metrics: ``likes``; ``replies`` (top-level comments of a thread).
* extra: ``video_id``, ``channel_id`` (always, possibly None); ``total_reply_count``
  and ``can_reply`` (top-level comments of a thread); ``moderation_status`` and
  ``viewer_rating`` when the API sent them.

A malformed item inside a list is skipped; a malformed body raises PayloadError.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from commwatch.connector import PayloadError, Rejected, as_int, clean_text, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention

PLATFORM = "youtube"
WATCH_URL = "https://www.youtube.com/watch?"

THREAD_LIST = "youtube#commentThreadListResponse"
COMMENT_LIST = "youtube#commentListResponse"
THREAD = "youtube#commentThread"
COMMENT = "youtube#comment"

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|amp|lt|gt|quot|apos|nbsp);", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MAX_ERROR_MESSAGE = 300
_DETAIL_REASONS = {"API_KEY_INVALID": "keyInvalid"}  # google.rpc.ErrorInfo reason → errors[].reason

__all__ = ["parse_response", "error_reason", "error_sentence", "first_sentence", "comment_url", "html_to_text"]


# Entry points -----------------------------------------------------------------


def parse_response(payload: Any) -> list[Mention | Rejected]:
    """The mentions in one decoded YouTube Data API response body; a comment that cannot be
    one comes back as a Rejected saying why."""
    if not isinstance(payload, dict):
        raise PayloadError(f"a YouTube response is a JSON object, not {type(payload).__name__}")
    failure = error_reason(payload)
    if failure is not None:
        raise PayloadError(_error_sentence(payload, *failure))

    kind = payload.get("kind")
    if kind in (THREAD_LIST, COMMENT_LIST) or (kind is None and "items" in payload):
        return _parse_list(payload)
    if kind in (THREAD, COMMENT) or (kind is None and "snippet" in payload):
        parsed = _items([payload])
        if parsed and isinstance(parsed[0], Rejected):  # a body of one broken resource is not a response
            raise PayloadError(f"this {kind or 'YouTube resource'} cannot be read: {parsed[0].reason}")
        return parsed
    raise PayloadError(f"not a YouTube comment response (kind {kind!r})")


def error_reason(payload: Any) -> tuple[str, str] | None:
    """(reason, plain-text message) of an API error body; None for anything else.

    The reason is the first ``errors[].reason`` (quotaExceeded, commentsDisabled,
    keyInvalid…), falling back to ``status`` and then the HTTP code. A rejected
    API key is "keyInvalid" in both shapes Google uses: the old one names it in
    ``errors[].reason``, the newer one says "badRequest" there and names it
    ``API_KEY_INVALID`` in ``details``.
    """
    if not isinstance(payload, dict) or payload.get("error") is None:
        return None
    error = payload["error"]
    if isinstance(error, str):  # OAuth token endpoint: {"error": "invalid_grant", "error_description": …}
        return error, _plain(payload.get("error_description"))
    if not isinstance(error, dict):
        return "unknown", ""
    first = _first_error(error)
    code = as_int(error.get("code"))
    reason = (
        _detail_reason(error)
        or _str(first.get("reason"))
        or _str(error.get("status"))
        or (str(code) if code else "unknown")
    )
    message = _plain(error.get("message")) or _plain(first.get("message"))
    return reason, message


# Lists and threads --------------------------------------------------------------


def _parse_list(payload: dict) -> list[Mention | Rejected]:
    items = payload.get("items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise PayloadError(f"'items' of a YouTube response is a list, not {type(items).__name__}")
    return _items(items)


def _items(items: list) -> list[Mention | Rejected]:
    """Every comment of these thread or comment resources; a broken one is set aside alone."""
    out: list[Mention | Rejected] = []
    for parsed in each(items, _parse_item):  # a thread is one item but several comments
        out.extend(parsed if isinstance(parsed, list) else [parsed])
    return out


def _parse_item(item: Any) -> list[Mention | Rejected]:
    """The mentions of one thread or comment resource; PayloadError when it is not one.

    An item without a ``kind`` is a thread when its snippet has a topLevelComment.
    """
    if not isinstance(item, dict):
        raise PayloadError(f"an item is a JSON object, not {type(item).__name__}")
    kind = item.get("kind") or (THREAD if _has_top_level_comment(item) else COMMENT)
    if kind == THREAD:
        return _parse_thread(item)
    if kind == COMMENT:
        return [_parse_comment(item)]
    raise PayloadError(f"an item of kind {str(kind)[:40]!r} is not a comment or a comment thread")


def _has_top_level_comment(item: dict) -> bool:
    snippet = item.get("snippet")
    return isinstance(snippet, dict) and "topLevelComment" in snippet


def _parse_thread(thread: dict) -> list[Mention | Rejected]:
    snippet = thread.get("snippet")
    if not isinstance(snippet, dict):
        raise PayloadError("a comment thread has no snippet")
    top = snippet.get("topLevelComment")
    top = top if isinstance(top, dict) else {}
    thread_id = _str(thread.get("id")) or _str(top.get("id"))
    top_snippet = top.get("snippet") if isinstance(top.get("snippet"), dict) else {}
    video_id = _str(snippet.get("videoId")) or _str(top_snippet.get("videoId"))
    channel_id = _str(snippet.get("channelId")) or _str(top_snippet.get("channelId"))

    out = each([{"id": thread_id, **top}],
               lambda c: _parse_comment(c, video_id=video_id, channel_id=channel_id, top_level=True))  # fmt: skip
    if isinstance(out[0], Mention):
        _add_thread_fields(out[0], snippet)
    out += each(_inline_replies(thread),
                lambda c: _parse_comment(c, video_id=video_id, channel_id=channel_id, parent_id=thread_id))  # fmt: skip
    return out


def _add_thread_fields(mention: Mention, thread_snippet: dict) -> None:
    total = as_int(thread_snippet.get("totalReplyCount"))
    if total is not None:
        mention.metrics["replies"] = total
        mention.extra["total_reply_count"] = total
    can_reply = thread_snippet.get("canReply")
    if isinstance(can_reply, bool):
        mention.extra["can_reply"] = can_reply


def _inline_replies(thread: dict) -> list:
    replies = thread.get("replies")
    comments = replies.get("comments") if isinstance(replies, dict) else None
    return comments if isinstance(comments, list) else []


# One comment ----------------------------------------------------------------------


def _parse_comment(
    resource: Any,
    *,
    video_id: str | None = None,
    channel_id: str | None = None,
    parent_id: str | None = None,
    top_level: bool = False,
) -> Mention:
    """A youtube#comment as a Mention; PayloadError when it lacks an id, a snippet or a valid publishedAt.

    video_id, channel_id and parent_id are the thread's, used when the comment
    does not carry its own.
    """
    if not isinstance(resource, dict):
        raise PayloadError(f"a comment is a JSON object, not {type(resource).__name__}")
    comment_id = _str(resource.get("id"))
    if comment_id is None:
        raise PayloadError("a comment has no id")
    snippet = resource.get("snippet")
    if not isinstance(snippet, dict):
        raise PayloadError(f"comment {comment_id} has no snippet")
    created_at = _time(snippet.get("publishedAt"))
    if created_at is None:
        raise PayloadError(f"comment {comment_id} has no usable publishedAt")

    video_id = _str(snippet.get("videoId")) or video_id
    channel_id = _str(snippet.get("channelId")) or channel_id
    parent = None if top_level else _parent_of(comment_id, snippet) or parent_id
    return Mention(
        platform=PLATFORM,
        remote_id=comment_id,
        text=_text(snippet),
        created_at=created_at,
        author=_author(snippet),
        url=comment_url(video_id, comment_id),
        kind=Kind.REPLY if parent else Kind.COMMENT,
        parent_id=parent,
        thread_id=parent or comment_id,
        edited_at=_edited_at(snippet, created_at),
        metrics=_metrics(snippet),
        extra=_extra(snippet, video_id, channel_id),
    )


def _parent_of(comment_id: str, snippet: dict) -> str | None:
    """snippet.parentId, else the PARENT of a reply id shaped "PARENT.suffix"."""
    parent = _str(snippet.get("parentId"))
    if parent:
        return parent
    head, dot, _ = comment_id.partition(".")
    return head if dot and head else None


def comment_url(video_id: str | None, comment_id: str) -> str | None:
    """The watch page highlighting this comment; None while the video is unknown."""
    if not video_id:
        return None
    return WATCH_URL + urlencode({"v": video_id, "lc": comment_id})


def _author(snippet: dict) -> Author:
    name = snippet.get("authorDisplayName")
    handle = strip_controls(name).strip().removeprefix("@").strip() if isinstance(name, str) else ""
    channel = snippet.get("authorChannelId")
    remote_id = channel.get("value") if isinstance(channel, dict) else channel
    return Author(
        handle=handle or "[deleted]",
        remote_id=_str(remote_id),
        url=_str(snippet.get("authorChannelUrl")),
        followers=None,
    )


def _edited_at(snippet: dict, created_at: datetime) -> datetime | None:
    updated = _time(snippet.get("updatedAt"))
    return updated if updated is not None and updated != created_at else None


def _metrics(snippet: dict) -> dict[str, int]:
    likes = as_int(snippet.get("likeCount"))
    return {"likes": likes} if likes is not None else {}


def _extra(snippet: dict, video_id: str | None, channel_id: str | None) -> dict[str, object]:
    extra: dict[str, object] = {"video_id": video_id, "channel_id": channel_id}
    for key, field in (("moderation_status", "moderationStatus"), ("viewer_rating", "viewerRating")):
        value = _str(snippet.get(field))
        if value is not None:
            extra[key] = value
    return extra


# Text ----------------------------------------------------------------------------------


def _text(snippet: dict) -> str:
    """textOriginal as typed; else textDisplay, from HTML only when it is HTML."""
    original = snippet.get("textOriginal")
    if isinstance(original, str) and original:
        return _literal(original)
    display = snippet.get("textDisplay")
    if not isinstance(display, str):
        return ""
    return html_to_text(display) if _looks_like_html(display) else _literal(display)


def _literal(text: str) -> str:
    """Text that is not HTML: only line endings normalised and NULs dropped."""
    return text.replace("\r\n", "\n").replace("\x00", "")


def _looks_like_html(text: str) -> bool:
    """True for textFormat=html output: tags or entities, and no bare "<" or "&".

    In HTML every literal "<" and "&" the author typed is escaped, so a bare one
    means the text is plain (textFormat=plainText), whatever else it contains.
    """
    if not (_TAG.search(text) or _ENTITY.search(text)):
        return False
    bare = _ENTITY.sub("", _TAG.sub("", text))
    return "<" not in bare and "&" not in bare


def html_to_text(markup: str) -> str:
    """<br> → newline, other tags dropped (keeping their content), entities decoded."""
    return clean_text(_TAG.sub("", _BREAK.sub("\n", markup)))


# Errors -------------------------------------------------------------------------------


def _first_error(error: dict) -> dict:
    errors = error.get("errors")
    if isinstance(errors, list):
        for entry in errors:
            if isinstance(entry, dict):
                return entry
    return {}


def _detail_reason(error: dict) -> str | None:
    """The classic reason for a google.rpc ErrorInfo in ``details`` that we know, else None."""
    details = error.get("details")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and detail.get("reason") in _DETAIL_REASONS:
            return _DETAIL_REASONS[detail["reason"]]
    return None


def _plain(message: Any) -> str:
    """An error message as one line of plain text."""
    if not isinstance(message, str):
        return ""
    text = html.unescape(_TAG.sub("", message))
    return " ".join(strip_controls(text).split())


def _error_sentence(payload: dict, reason: str, message: str) -> str:
    error = payload.get("error")
    code = as_int(error.get("code")) if isinstance(error, dict) else None
    head = f"YouTube API error {code} ({reason})" if code else f"YouTube API error ({reason})"
    sentence = first_sentence(message)
    return f"{head}: {sentence}" if sentence else head + "."


def error_sentence(payload: Any) -> str | None:
    """One plain-text sentence describing an API error body: "YouTube API error 403 (forbidden): …".
    None when the body is not an error."""
    failure = error_reason(payload)
    return None if failure is None else _error_sentence(payload, *failure)


def first_sentence(message: str) -> str:
    """The first sentence of a plain-text message, at most 300 characters, ending in punctuation."""
    sentence = _SENTENCE_END.split(message, maxsplit=1)[0].strip()
    if len(sentence) > _MAX_ERROR_MESSAGE:
        sentence = sentence[: _MAX_ERROR_MESSAGE - 1].rstrip() + "…"
    if sentence and sentence[-1] not in ".!?…":
        sentence += "."
    return sentence


# Small helpers -----------------------------------------------------------------------


def _str(value: Any) -> str | None:
    """A non-blank string, else None."""
    return value if isinstance(value, str) and value.strip() else None


def _time(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except (ValueError, OverflowError, OSError):  # PayloadError is a ValueError
        return None
