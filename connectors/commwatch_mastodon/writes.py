"""Replying and moderating as the brand's account, on its own server (the token's).

A mention may have been read through another server: its id there means nothing on
ours, so the status is first looked up on our server by its global `uri`
(``search_v2(uri, resolve=True)``).

* reply       Mastodon.py's status_reply: mentions the author and everyone mentioned (not
              us), keeps the visibility and content warning of the post answered; sent with
              an Idempotency-Key, and never repeated here: the outbox asks `find_reply`
              (our status whose in_reply_to_id is the mention, with this text)
* limits      the server's own maximum (``/api/v2/instance``: configuration.statuses.
              max_characters, 500 when it does not say), checked before queuing
* moderation  mute/unmute and block/unblock the author, mute/unmute the conversation,
              report (to our server's moderators; report-forward also to the author's
              server), dismiss the notification; suspend and limit with ``admin = true``
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from commwatch.connector import NotSent, PermanentError, PostedReply, ReplyTarget, TransientError
from commwatch_mastodon.client import ApiError, Server
from commwatch_mastodon.content import plain_text

DEFAULT_LIMIT = 500
ACTIONS = ("mute", "unmute", "block", "unblock", "mute-conversation", "unmute-conversation", "report",
           "report-forward", "dismiss")  # fmt: skip
ADMIN_ACTIONS = ("suspend", "limit")


def limit(server: Server) -> int:
    try:
        info = server.call("the server's settings", "instance_v2")
    except ApiError:
        return DEFAULT_LIMIT
    statuses = ((info or {}).get("configuration") or {}).get("statuses") or {}
    value = statuses.get("max_characters")
    return value if isinstance(value, int) and value > 0 else DEFAULT_LIMIT


def check(target: ReplyTarget, text: str, maximum: int, host: str) -> None:
    """Mastodon counts a mention by its name without the domain, and the reply starts with them."""
    prefix = sum(len(acct.split("@")[0]) + 2 for acct in _addressed(target))
    if prefix + len(text) > maximum:
        raise PermanentError(f"the reply and its mentions are {prefix + len(text)} characters; {host} allows {maximum}")


def local_status(server: Server, target: ReplyTarget) -> Any:
    """The target as our server knows it."""
    extra = target.extra if isinstance(target.extra, dict) else {}
    read_from = extra.get("server")
    if read_from == server.url or (read_from is None and not extra.get("uri")):
        try:
            return server.call("the status", "status", extra.get("id_here") or target.remote_id)
        except ApiError as exc:
            raise PermanentError(f"{exc}: the post may have been deleted") from None
    uri = extra.get("uri") or target.url
    if not uri:
        raise PermanentError("this post's address is not known: sync the source again")
    found = server.call("the lookup of the post", "search_v2", uri, resolve=True, result_type="statuses")
    statuses = found.get("statuses") if isinstance(found, dict) else None
    if not statuses:
        raise PermanentError(f"{server.host} could not find this post (deleted, or its server blocks ours)")
    return statuses[0]


def reply(server: Server, target: ReplyTarget, text: str) -> PostedReply:
    status = local_status(server, target)
    key = hashlib.sha256(f"{status['id']}\n{normalise(text)}".encode()).hexdigest()[:32]
    try:
        posted = server.call("the reply", "status_reply", status, text, idempotency_key=key, safe=False)
    except ApiError as exc:
        raise PermanentError(str(exc)) from None
    if not isinstance(posted, dict) or posted.get("id") is None:
        raise TransientError(f"{server.host} accepted the reply but did not say which post it created")
    return PostedReply(str(posted["id"]), posted.get("url") or posted.get("uri"))


def find_reply(server: Server, target: ReplyTarget, text: str) -> PostedReply | None:
    status = local_status(server, target)
    me = server.whoami()
    context = server.call("the replies to the post", "status_context", status["id"])
    wanted = normalise(text)
    for reply_ in (context or {}).get("descendants") or []:
        account = reply_.get("account") or {}
        if str(account.get("id")) != str(me["id"]) or str(reply_.get("in_reply_to_id")) != str(status["id"]):
            continue
        said = normalise(plain_text(reply_.get("content") or ""))
        if said == wanted or said.endswith(" " + wanted):  # after the mentions status_reply put first
            return PostedReply(str(reply_["id"]), reply_.get("url") or reply_.get("uri"))
    return None


def moderate(server: Server, target: ReplyTarget, action: str, reason: str | None, admin: bool) -> None:
    if action in ADMIN_ACTIONS and not admin:
        raise NotSent(f"{action} is an admin action: set admin = true on the source (and use an admin's token)")
    if action not in ACTIONS + ADMIN_ACTIONS:
        raise PermanentError(f"Mastodon moderation actions are {', '.join(ACTIONS + ADMIN_ACTIONS)}; not {action!r}")
    if action == "dismiss":
        notification = (target.extra or {}).get("notification_id")
        if not notification:
            raise NotSent("this mention did not come as a notification: there is nothing to dismiss")
        return _do(server, action, "notifications_dismiss", notification)
    status = local_status(server, target)
    account = status["account"]["id"]
    calls = {
        "mute": ("account_mute", account), "unmute": ("account_unmute", account),
        "block": ("account_block", account), "unblock": ("account_unblock", account),
        "mute-conversation": ("status_mute", status["id"]), "unmute-conversation": ("status_unmute", status["id"]),
    }  # fmt: skip
    if action in calls:
        return _do(server, action, *calls[action])
    if action in ("report", "report-forward"):
        return _do(server, action, "report", account, status_ids=[status["id"]], comment=reason or "",
                   forward=action == "report-forward")  # fmt: skip
    api_action = {"suspend": "suspend", "limit": "silence"}[action]
    return _do(server, action, "admin_account_moderate", account, action=api_action, text=reason)


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _addressed(target: ReplyTarget) -> list[str]:
    extra = target.extra if isinstance(target.extra, dict) else {}
    return [target.author_handle, *[a for a in extra.get("mentions") or [] if a != target.author_handle]]


def _do(server: Server, what: str, method: str, *args: Any, **kwargs: Any) -> None:
    try:
        server.call(what, method, *args, **kwargs)
    except ApiError as exc:
        if exc.status == 403:
            raise PermanentError(f"{exc}: the token's account may not {what} here") from None
        raise PermanentError(str(exc)) from None
