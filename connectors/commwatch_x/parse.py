"""Normalise X API v2 response bodies (search/recent, user mentions, tweet lookup) into Mentions.

Works on the raw decoded JSON, never on tweepy objects, so that one odd item
(a tweet without `text`, an unknown author) cannot sink a whole page.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from commwatch.connector import PayloadError, Rejected, as_int, clean_text, each, parse_time, strip_controls
from commwatch.model import Author, Kind, Mention

PLATFORM = "x"
BASE = "https://x.com"
_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here

# Mention.metrics key -> the public_metrics names that feed it, live name first.
_METRICS = {
    "likes": ("like_count",),
    "replies": ("reply_count",),
    "reposts": ("retweet_count", "repost_count"),
    "quotes": ("quote_count",),
    "bookmarks": ("bookmark_count",),
    "impressions": ("impression_count",),
}


def parse_page(payload: Any) -> list[Mention | Rejected]:
    """The mentions in one decoded X API v2 response body, in the order X sent them.

    An item that cannot be a mention (no id, no text, not an object) comes back as a
    Rejected saying why; a body that is not an X API v2 response at all raises PayloadError.
    """
    items = _data_items(payload)
    includes = _as_dict(payload.get("includes"))
    users = _index(includes.get("users"))
    tweets = _index(includes.get("tweets") or includes.get("posts"))
    return each(items, lambda item: _mention(item, users, tweets))


# The page ---------------------------------------------------------------------


def _data_items(payload: Any) -> list[Any]:
    if not isinstance(payload, dict):
        raise PayloadError(f"an X API response body is a JSON object, not {type(payload).__name__}.")
    if not any(key in payload for key in ("data", "meta", "errors")):
        raise PayloadError("this is not an X API v2 response body: it has no data, meta or errors.")
    data = payload.get("data")
    if data is None:  # an empty result has no `data` key at all
        return []
    if isinstance(data, dict):  # single-tweet lookup (or a user lookup, whose items are skipped)
        return [data]
    if not isinstance(data, list):
        raise PayloadError(f"the X response's data is a {type(data).__name__}, not a list of posts.")
    return data


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _index(objects: Any) -> dict[str, dict[str, Any]]:
    """Included objects by their id as a string."""
    if not isinstance(objects, list):
        return {}
    index = {}
    for obj in objects:
        if isinstance(obj, dict) and (key := _id(obj.get("id"))):
            index[key] = obj
    return index


def _id(value: Any) -> str | None:
    """An X id as a string of digits; ints are converted exactly, floats (already rounded) refused."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value < 10**20 else None
    if isinstance(value, str):
        value = value.strip()
        return value if value.isascii() and value.isdigit() and len(value) <= 20 else None
    return None


# One tweet --------------------------------------------------------------------


def _mention(item: Any, users: dict[str, dict], tweets: dict[str, dict]) -> Mention | None:
    if not isinstance(item, dict):
        raise PayloadError(f"a post is a JSON object, not {type(item).__name__}")
    if "username" in item and "text" not in item:
        return None  # a user lookup's user: rightly not a mention
    tweet_id = _id(item.get("id"))
    if tweet_id is None:
        raise PayloadError(f"the post's id is {_shape(item.get('id'))}, not a string of digits")
    text = _text(item)
    if text is None:
        raise PayloadError(f"post {tweet_id} has {_shape(item.get('text'))} for text")
    author = _author(_id(item.get("author_id")), users)
    kind, parent_id, extra = _references(item, tweets)
    reply_to_user = _id(item.get("in_reply_to_user_id"))
    if reply_to_user:
        extra["in_reply_to_user_id"] = reply_to_user
    edits = _edit_history(item)
    if edits:
        extra["edit_history_tweet_ids"] = edits
    lang = item.get("lang")
    posted_at = _created_at(item.get("created_at"), tweet_id)  # this version's time
    return Mention(
        platform=PLATFORM,
        remote_id=tweet_id,
        text=text,
        created_at=_snowflake_time(edits[0]) if edits else posted_at,  # an edit keeps the original's time
        author=author,
        url=_status_url(author, tweet_id),
        kind=kind,
        parent_id=parent_id,
        thread_id=_id(item.get("conversation_id")),
        lang=lang if isinstance(lang, str) and lang else None,
        edited_at=posted_at if edits else None,
        metrics=_metrics(item),
        extra=extra,
    )


def _shape(value: Any) -> str:
    """How a wrong value looks, for a reject's reason: "missing", "a list", "an empty string"."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"{value[:24]!r}"
    return {"bool": "a boolean", "int": "a number", "float": "a number", "list": "a list", "dict": "an object"}.get(
        type(value).__name__, type(value).__name__)


def _text(item: dict[str, Any]) -> str | None:
    """The full text: long posts carry it in note_tweet.text, `text` being a truncated preview."""
    text = item.get("text")
    if not isinstance(text, str):
        return None
    note = _as_dict(item.get("note_tweet")).get("text")
    return clean_text(note if isinstance(note, str) and note else text)


def _created_at(value: Any, tweet_id: str) -> datetime:
    """created_at when X sent it (it must be requested); otherwise the time inside the snowflake id."""
    if value is not None:
        try:
            return parse_time(value)
        except PayloadError:
            pass
    return _snowflake_time(tweet_id)


def _snowflake_time(tweet_id: str) -> datetime:
    millis = (int(tweet_id) >> 22) + _TWITTER_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)


def _author(author_id: str | None, users: dict[str, dict]) -> Author:
    user = users.get(author_id) if author_id else None
    username = user.get("username") if user else None
    if not isinstance(username, str) or not username:
        return Author(handle=author_id or "unknown", remote_id=author_id)
    handle = strip_controls(username)
    name = user.get("name")
    return Author(
        handle=handle,
        name=strip_controls(name) if isinstance(name, str) else None,
        followers=as_int(_as_dict(user.get("public_metrics")).get("followers_count")),
        verified=user.get("verified") is True,
        remote_id=author_id,
        url=f"{BASE}/{handle}",
    )


def _status_url(author: Author, tweet_id: str) -> str:
    if author.url:  # set only when the username is known
        return f"{author.url}/status/{tweet_id}"
    return f"{BASE}/i/web/status/{tweet_id}"


def _references(item: dict[str, Any], tweets: dict[str, dict]) -> tuple[Kind, str | None, dict[str, Any]]:
    """Kind, parent id and the extra keys that referenced_tweets implies."""
    kind, parent_id, extra = Kind.POST, None, {}
    refs = item.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else []:
        ref = _as_dict(ref)
        ref_id = _id(ref.get("id"))
        if ref_id is None:
            continue
        ref_type = ref.get("type")
        if ref_type == "replied_to":
            kind, parent_id = Kind.REPLY, ref_id
        elif ref_type == "quoted":
            extra["quoted_id"] = ref_id
            quoted_text = tweets.get(ref_id, {}).get("text")
            if isinstance(quoted_text, str):
                extra["quoted_text"] = clean_text(quoted_text)
        elif ref_type in ("retweeted", "reposted"):
            extra["retweeted_id"] = ref_id
    return kind, parent_id, extra


def _edit_history(item: dict[str, Any]) -> list[str]:
    """The ids of every version, oldest first, when the post was edited; [] otherwise."""
    history = item.get("edit_history_tweet_ids")
    if not isinstance(history, list):
        return []
    ids = [i for i in map(_id, history) if i]
    return ids if len(ids) > 1 else []


def _metrics(item: dict[str, Any]) -> dict[str, int]:
    public = _as_dict(item.get("public_metrics"))
    private = _as_dict(item.get("non_public_metrics"))
    metrics = {}
    for key, names in _METRICS.items():
        for name in names:
            value = as_int(public.get(name, private.get(name)))
            if value is not None:
                metrics[key] = value
                break
    return metrics
