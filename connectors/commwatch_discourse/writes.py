"""Replying and moderating on a Discourse site (needs an API key and the user it acts as).

* reply         POST /posts.json {topic_id, raw, reply_to_post_number}; never repeated here once it
                may have reached the site: the outbox asks `find_reply` (our post in that topic answering
                that post number, with this text) before sending again
* limits        the site's minimum and maximum post length, from /site.json (or /site/settings.json),
                checked before a reply is queued
* moderation    flags (POST /post_actions), hide (a staff flag that takes action), unhide, delete,
                recover, lock/unlock a post, close/open and unlist/list its topic, silence/unsilence
                its author (staff, with a reason and a number of days)
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from commwatch.connector import NotSent, PermanentError, PostedReply, ReplyTarget, TransientError, as_int
from commwatch_discourse.api import Api, ApiError

DEFAULT_LIMITS = (20, 32_000)  # Discourse's defaults for min_post_length and max_post_length
FIND_CHUNKS = 20  # post_ids[] requests (50 posts each) find_reply reads after the post before giving up

FLAGS = {"flag-off-topic": 3, "flag-inappropriate": 4, "notify-moderators": 7, "flag-spam": 8}
# action: (method, path template, body); {post} is the post id, {topic} the topic id, {user} its author's id
CHANGES: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "hide": ("POST", "/post_actions.json", None),  # a staff flag with take_action hides the post
    "unhide": ("PUT", "/posts/{post}/unhide.json", None),
    "delete": ("DELETE", "/posts/{post}.json", None),
    "recover": ("PUT", "/posts/{post}/recover.json", None),
    "lock": ("PUT", "/posts/{post}/locked.json", {"locked": "true"}),
    "unlock": ("PUT", "/posts/{post}/locked.json", {"locked": "false"}),
    "close": ("PUT", "/t/{topic}/status.json", {"status": "closed", "enabled": "true"}),
    "open": ("PUT", "/t/{topic}/status.json", {"status": "closed", "enabled": "false"}),
    "unlist": ("PUT", "/t/{topic}/status.json", {"status": "visible", "enabled": "false"}),
    "list": ("PUT", "/t/{topic}/status.json", {"status": "visible", "enabled": "true"}),
    "silence": ("PUT", "/admin/users/{user}/silence.json", None),
    "unsilence": ("PUT", "/admin/users/{user}/unsilence.json", None),
}
ACTIONS = (*FLAGS, *CHANGES)
DEFAULT_SILENCE_DAYS = 7


def limits(api: Api) -> tuple[int, int]:
    """(min_post_length, max_post_length) of the site; Discourse's defaults when it does not say."""
    for path in ("/site.json", "/site/settings.json"):
        try:
            body = api.get("the site's settings", path)
        except ApiError:
            continue
        if isinstance(body, dict) and "max_post_length" in body:
            low, high = as_int(body.get("min_post_length")), as_int(body.get("max_post_length"))
            return (low if low is not None else DEFAULT_LIMITS[0], high or DEFAULT_LIMITS[1])
    return DEFAULT_LIMITS


def check(text: str, site_limits: tuple[int, int], host: str) -> None:
    low, high = site_limits
    length = len(text.strip())
    if length < low:
        raise PermanentError(f"the reply is {length} characters; {host} wants posts of at least {low}")
    if length > high:
        raise PermanentError(f"the reply is {length:,} characters; {host} allows at most {high:,}")


def reply(api: Api, target: ReplyTarget, text: str) -> PostedReply:
    topic, number = where(target)
    body: dict[str, Any] = {"topic_id": topic, "raw": text}
    if number and number > 1:
        body["reply_to_post_number"] = number
    try:
        posted = api.send("POST", "the reply", "/posts.json", body, safe=False)
    except ApiError as exc:
        raise PermanentError(_refused("the reply", exc)) from None
    post_id = as_int(posted.get("id")) if isinstance(posted, dict) else None
    if post_id is None:
        raise TransientError(f"Discourse at {api.host} accepted the reply but did not say which post it created")
    return PostedReply(str(post_id), _url(api, posted, topic))


def find_reply(api: Api, target: ReplyTarget, text: str) -> PostedReply | None:
    """Our post in the target's topic that answers the target, with this text (compared as plain words)."""
    topic, number = where(target)
    try:
        body = api.get(f"topic {topic}", f"/t/{topic}.json")
    except ApiError as exc:
        raise PermanentError(_refused("the lookup of earlier replies", exc)) from None
    stream = body.get("post_stream") if isinstance(body, dict) else None
    ids = stream.get("stream") if isinstance(stream, dict) else None
    if not isinstance(ids, list):
        raise TransientError(f"Discourse at {api.host} sent topic {topic} without its post stream")
    after = as_int(target.remote_id) or 0
    loaded = {p["id"]: p for p in stream.get("posts") or [] if isinstance(p, dict) and isinstance(p.get("id"), int)}
    later = [i for i in ids if isinstance(i, int) and i > after]
    missing = [i for i in later if i not in loaded]
    if len(missing) > FIND_CHUNKS * 50:
        raise TransientError(f"topic {topic} has more than {FIND_CHUNKS * 50} posts after this one; could not check them all")
    for start in range(0, len(missing), 50):
        page = api.get(f"the posts of topic {topic}", f"/t/{topic}/posts.json", {"post_ids[]": missing[start : start + 50]})
        posts = (page.get("post_stream") or {}).get("posts") if isinstance(page, dict) else None
        for p in posts or []:
            if isinstance(p, dict) and isinstance(p.get("id"), int):
                loaded[p["id"]] = p
    wanted = normalise(text)
    for post_id in later:
        p = loaded.get(post_id)
        if p is None or str(p.get("username", "")).lower() != api.username.lower():
            continue
        answers = as_int(p.get("reply_to_post_number"))
        if not (answers == number or (answers is None and (number or 1) == 1)):
            continue
        raw = p.get("raw")
        if not isinstance(raw, str):
            full = api.get(f"post {post_id}", f"/posts/{post_id}.json")
            raw = full.get("raw") if isinstance(full, dict) else None
        if isinstance(raw, str) and normalise(raw) == wanted:
            return PostedReply(str(post_id), _url(api, p, topic))
    return None


def moderate(api: Api, target: ReplyTarget, action: str, reason: str | None, days: int | None) -> None:
    if action not in ACTIONS:
        raise PermanentError(f"Discourse moderation actions are {', '.join(ACTIONS)}; not {action!r}")
    post = as_int(target.remote_id)
    topic, _ = where(target)
    if action in FLAGS or action == "hide":
        data: dict[str, Any] = {"id": post, "post_action_type_id": FLAGS.get(action, 4), "flag_topic": False}
        if action == "hide":
            data["take_action"] = True
        if action == "notify-moderators":
            data["message"] = reason or "Flagged from commwatch for a moderator to look at."
        elif reason:
            data["message"] = reason
        return _apply(api, action, "POST", "/post_actions.json", data, already_ok=True)
    method, path, data = CHANGES[action]
    user = target.extra.get("user_id") if isinstance(target.extra, dict) else None
    if action in ("silence", "unsilence"):
        if not isinstance(user, int):
            raise NotSent("this post's author id is not known: sync the source again, then silence")
        if action == "silence":
            if not reason or not reason.strip():
                raise NotSent("silencing needs a reason (--reason): Discourse shows it to the user")
            until = datetime.now(timezone.utc) + timedelta(days=days or DEFAULT_SILENCE_DAYS)
            data = {"silenced_till": until.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": reason.strip()}
    return _apply(api, action, method, path.format(post=post, topic=topic, user=user), data, already_ok=False)


def where(target: ReplyTarget) -> tuple[int, int | None]:
    """(topic id, post number) of the target post."""
    extra = target.extra if isinstance(target.extra, dict) else {}
    topic = as_int(extra.get("topic_id")) or as_int(target.thread_id)
    if topic is None:
        raise PermanentError("this post's topic is not known: sync the source again")
    return topic, as_int(extra.get("post_number"))


def normalise(text: str) -> str:
    """Text compared the way the site may have kept it: NFC, whitespace runs as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _apply(api: Api, action: str, method: str, path: str, data: dict | None, *, already_ok: bool) -> None:
    try:
        api.send(method, action, path, data, safe=True)  # each is idempotent: repeating it changes nothing
    except ApiError as exc:
        if already_ok and "already" in str(exc).lower():
            return  # flagged before: what the manager wanted is already so
        if exc.status == 404:
            raise PermanentError(f"Discourse at {api.host} has no such post or topic any more ({action})") from None
        if exc.status in (401, 403):
            raise PermanentError(f"{exc} — {action} needs a staff account (a moderator's or admin's key)") from None
        raise PermanentError(str(exc)) from None


def _refused(what: str, exc: ApiError) -> str:
    if exc.status == 404:
        return f"{exc} — the post or topic no longer exists"
    if exc.status == 403:
        return f"{exc} — the topic may be closed, or the account may not post there"
    return str(exc)


def _url(api: Api, post: dict, topic: int) -> str | None:
    number = as_int(post.get("post_number"))
    slug = post.get("topic_slug") if isinstance(post.get("topic_slug"), str) else "-"
    return f"{api.site}/t/{slug}/{topic}/{number}" if number else None
