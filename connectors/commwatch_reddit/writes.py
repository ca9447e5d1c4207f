"""Replying and moderating on Reddit: the requests, and what Reddit's answers mean.

Every function takes the source's ``Client`` and raises commwatch's errors:
PermanentError when retrying cannot help, RateLimited, TransientError, or
ConnectorError.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from commwatch.connector import ConnectorError, PermanentError, PostedReply, RateLimited, ReplyTarget, TransientError
from commwatch_reddit.listing import children_of

if TYPE_CHECKING:
    from commwatch_reddit.client import Client

FIND_REPLY_PAGES = 10  # 1000 comments: as far back as Reddit lists an account's comments
_FULLNAME = re.compile(r"t[13]_[0-9a-z]+")
_BASE = "https://www.reddit.com"
_WAIT = re.compile(r"(\d+)\s+(second|minute)", re.IGNORECASE)


def reply(client: Client, target: ReplyTarget, text: str, max_wait: float) -> PostedReply:
    """POST /api/comment/ once; the new comment's fullname and link."""
    thing = thing_id(target)
    sub = target.extra.get("subreddit")
    try:
        with client.monitor.send_once():
            body = client.call("POST", "/api/comment/", data={"thing_id": thing, "text": text},
                               where="the reply", max_wait=max_wait)  # fmt: skip
    except PermanentError as exc:
        if getattr(exc, "status", None) != 403:
            raise
        raise PermanentError(
            f"Reddit refused the reply (HTTP 403): the thread may be locked or archived, "
            f"or u/{client.me()} may be banned from {_where(sub)}"
        ) from exc
    answer = body.get("json") if isinstance(body, dict) else None
    answer = answer if isinstance(answer, dict) else {}
    if answer.get("errors"):
        raise _comment_error(answer["errors"], sub)
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    for child in data.get("things") or []:
        posted = _posted(child.get("data") if isinstance(child, dict) else None)
        if posted is not None:
            return posted
    # Posted, but Reddit did not return it (it happens in quarantined subreddits): look it up.
    found = find_reply(client, target, text, max_wait)
    if found is not None:
        return found
    raise TransientError("Reddit accepted the reply without returning it, and it is not in the account's comments yet.")


def find_reply(client: Client, target: ReplyTarget, text: str, max_wait: float) -> PostedReply | None:
    """Our comment answering `target` with this text, from GET /user/ME/comments (newest first)."""
    thing = thing_id(target)
    me = client.me()
    want = _normalised(text)
    after = None
    for _ in range(FIND_REPLY_PAGES):
        params: dict[str, Any] = {"limit": 100, "sort": "new"}
        if after:
            params["after"] = after
        body = client.call("GET", f"/user/{me}/comments", params=params, where=f"u/{me}'s comments", max_wait=max_wait)
        children, after = children_of(body)
        for child in children:
            data = child["data"]
            if data.get("parent_id") == thing and _normalised(data.get("body")) == want:
                return _posted(data)
        if not after:
            break
    return None


def moderate(client: Client, target: ReplyTarget, action: str, max_wait: float) -> None:
    """POST /api/remove/ (spam=true for "spam") or /api/approve/; Reddit answers {}."""
    thing = thing_id(target)
    if action == "approve":
        path, data = "/api/approve/", {"id": thing}
    else:
        path, data = "/api/remove/", {"id": thing, "spam": "true" if action == "spam" else "false"}
    try:
        client.call("POST", path, data=data, where=f"the {action}", max_wait=max_wait)
    except PermanentError as exc:
        if getattr(exc, "status", None) != 403:
            raise
        raise PermanentError(f"u/{client.me()} is not a moderator of {_where(target.extra.get('subreddit'))}") from exc


def thing_id(target: ReplyTarget) -> str:
    if not _FULLNAME.fullmatch(target.remote_id or ""):
        raise PermanentError(f"{target.remote_id!r} is not a Reddit post or comment id (t3_… or t1_…)")
    return target.remote_id


def _where(subreddit: Any) -> str:
    return f"r/{subreddit}" if isinstance(subreddit, str) and subreddit else "the subreddit of this mention"


def _normalised(text: Any) -> str:
    """Text compared the way Reddit may have stored it: entities decoded, whitespace runs collapsed."""
    return " ".join(html.unescape(text).split()) if isinstance(text, str) else ""


def _posted(data: Any) -> PostedReply | None:
    if not isinstance(data, dict):
        return None
    name = data.get("name")
    if not isinstance(name, str) or not _FULLNAME.fullmatch(name):
        short = data.get("id")
        if not isinstance(short, str) or not short:
            return None
        name = f"t1_{short}"
    permalink = data.get("permalink")
    url = _BASE + permalink if isinstance(permalink, str) and permalink.startswith("/") else None
    return PostedReply(remote_id=name, url=url)


def _comment_error(errors: Any, subreddit: Any) -> ConnectorError:
    """Reddit's `json.errors` ([[code, message, field], …]) for a comment → the error to raise."""
    first = errors[0] if isinstance(errors, list) and errors else errors
    first = first if isinstance(first, list) and first else [str(first)]
    code = str(first[0])
    message = str(first[1]) if len(first) > 1 else code
    if code == "RATELIMIT":
        match = _WAIT.search(message)
        retry_at = None
        if match:
            seconds = int(match.group(1)) * (60 if match.group(2).lower() == "minute" else 1)
            retry_at = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        return RateLimited(f"Reddit is limiting how often this account may comment: {message}", retry_at=retry_at)
    place = f" in r/{subreddit}" if isinstance(subreddit, str) and subreddit else ""
    return PermanentError(f"Reddit refused the reply{place}: {message} ({code})")
