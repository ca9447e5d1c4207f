"""Replying, finding an earlier reply, hiding and unhiding: user-context calls.

A reply is posted once and never retried here: a 5xx, a timeout or an
unreadable answer may hide a post that went through, so they raise
TransientError and the outbox asks `find_reply` before sending again.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from commwatch.connector import ConnectorError, PermanentError, PostedReply, ReplyTarget, TransientError

from commwatch_x.client import Api, Refused

TIMELINE_PAGES = 32  # 100 posts each: X serves a timeline's newest 3,200 posts
_URL = re.compile(r"https?://\S+")
_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w{1,15})+(?=\s|$)")


def post_reply(api: Api, target: ReplyTarget, text: str, username: str | None) -> PostedReply:
    what = f"the reply to post {target.remote_id}"
    try:
        body = api.call(what, api.client.create_tweet, text=text, in_reply_to_tweet_id=target.remote_id,
                        user_auth=True, write=True, retry=False)  # fmt: skip
    except Refused as exc:
        raise PermanentError(f"X refused {what} ({exc.status}: {exc.reason})") from None
    data = body.get("data") if isinstance(body, dict) else None
    reply_id = data.get("id") if isinstance(data, dict) else None
    if not _is_id(reply_id):
        raise TransientError(f"X's answer to {what} had no post id, so it may or may not have been posted")
    return PostedReply(reply_id, status_url(username, reply_id))


def find_reply(api: Api, target: ReplyTarget, text: str, me: dict[str, str]) -> PostedReply | None:
    """Our reply to `target` with this text, looked up in our own timeline since the target was posted.

    Post ids grow with time, so our reply's id is above the target's: `since_id`
    keeps the walk short. Text is compared after normalising what X changes
    (entities, links shortened to t.co, the @handles it puts in front).
    """
    wanted = normalise(text)
    what = "the search for an earlier reply in our own posts"
    token = None
    for _ in range(TIMELINE_PAGES):
        params: dict[str, Any] = {"since_id": target.remote_id, "max_results": 100,
                                  "tweet_fields": ["referenced_tweets", "conversation_id", "created_at"]}  # fmt: skip
        if token:
            params["pagination_token"] = token
        body = api.call(what, api.client.get_users_tweets, me["id"], user_auth=True, write=True, **params)
        if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
            raise ConnectorError(f"X sent a malformed answer to {what}")
        for tweet in body.get("data", []):
            if not isinstance(tweet, dict) or not _is_id(tweet.get("id")):
                continue
            if _replied_to(tweet) == target.remote_id and normalise(str(tweet.get("text", ""))) == wanted:
                return PostedReply(tweet["id"], status_url(me.get("username"), tweet["id"]))
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        token = meta.get("next_token")
        if not token:
            return None
    raise TransientError(f"our account posted too much since post {target.remote_id} to tell whether it was answered")


def set_hidden(api: Api, target: ReplyTarget, action: str) -> None:
    hidden = action == "hide"
    method = api.client.hide_reply if hidden else api.client.unhide_reply
    what = f"{'hiding' if hidden else 'unhiding'} post {target.remote_id}"
    try:
        body = api.call(what, method, target.remote_id, user_auth=True, write=True)
    except Refused as exc:
        if exc.status == 403:
            raise PermanentError(
                f"X refused {what}: only replies in a conversation our account started can be hidden ({exc.reason})"
            ) from None
        if exc.status == 404:
            raise PermanentError(f"post {target.remote_id} no longer exists on X") from None
        raise PermanentError(f"X refused {what} ({exc.status}: {exc.reason})") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("hidden") is not hidden:
        raise ConnectorError(f"X's answer to {what} does not say it was done")


def who_am_i(api: Api) -> dict[str, str]:
    """Our account's id and username (GET /2/users/me)."""
    what = "the lookup of our own account"
    body = api.call(what, api.client.get_me, user_auth=True, write=True)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not _is_id(data.get("id")):
        raise ConnectorError(f"X sent a malformed answer to {what}")
    return {"id": data["id"], "username": str(data.get("username") or "")}


def normalise(text: str) -> str:
    """Text as compared by find_reply: entities decoded, links and leading @handles dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _URL.sub("<link>", text)
    text = _LEADING_MENTIONS.sub("", text)
    return " ".join(text.split())


def status_url(username: str | None, post_id: str) -> str:
    return f"https://x.com/{username}/status/{post_id}" if username else f"https://x.com/i/web/status/{post_id}"


def _replied_to(tweet: dict[str, Any]) -> str | None:
    refs = tweet.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return None


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20
