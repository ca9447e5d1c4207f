"""Replying and moderating as the signed-in account.

* reply      a post whose ``reply`` holds strong refs (uri and cid) to the parent and the thread's
             root (the parent's own root, else the parent); 300 graphemes at most, checked before
             queuing; never repeated here: the outbox asks `find_reply`, which reads our recent
             posts (getAuthorFeed, posts with replies) for a reply to that parent with this text
* moderate   mute/unmute and block/unblock the author, mute-thread, hide a reply in a thread we
             started (the root's threadgate ``hiddenReplies``), report (createReport; --reason is
             the text, report-spam files it as spam)
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from typing import Any

from commwatch.connector import NotSent, PermanentError, PostedReply, ReplyTarget, TransientError
from commwatch_bluesky.client import Account, ApiError

LIMIT = 300  # graphemes
FIND_PAGES = 5  # pages of our own recent posts find_reply reads
ACTIONS = ("mute", "unmute", "block", "unblock", "mute-thread", "unmute-thread", "hide", "report", "report-spam")


def graphemes(text: str) -> int:
    """User-perceived characters, as Bluesky counts them: a base character with its combining marks,
    variation selectors, skin tones and ZWJ-joined emoji, or a pair of regional indicators, is one."""
    count, joined, flags = 0, False, 0
    for ch in text:
        code = ord(ch)
        extends = unicodedata.combining(ch) or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or \
            0xE0020 <= code <= 0xE007F or unicodedata.category(ch) == "Me"  # fmt: skip
        if ch == "\u200d":
            joined = True
            continue
        if extends:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:  # regional indicators pair into one flag
            flags += 1
            if flags % 2 == 0:
                continue
        else:
            flags = 0
        if joined:
            joined = False
            continue
        count += 1
    return count


def check(text: str) -> None:
    n = graphemes(text)
    if n > LIMIT:
        raise PermanentError(f"the reply is {n} characters; Bluesky allows {LIMIT}")


def reply(account: Account, target: ReplyTarget, text: str) -> PostedReply:
    check(text)
    parent, root = _refs(account, target)
    from atproto import models

    ref = models.AppBskyFeedPost.ReplyRef(parent=models.ComAtprotoRepoStrongRef.Main(**parent),
                                          root=models.ComAtprotoRepoStrongRef.Main(**root))  # fmt: skip
    try:
        posted = account.call("the reply", lambda c: c.send_post(text=text, reply_to=ref, profile_identify=account.did),
                              safe=False)  # fmt: skip
    except ApiError as exc:
        raise PermanentError(str(exc)) from None
    uri = posted.get("uri") if isinstance(posted, dict) else None
    if not isinstance(uri, str):
        raise TransientError("Bluesky accepted the reply but did not say which post it created")
    return PostedReply(uri, f"https://bsky.app/profile/{account.handle}/post/{uri.rsplit('/', 1)[-1]}")


def find_reply(account: Account, target: ReplyTarget, text: str) -> PostedReply | None:
    wanted, cursor = normalise(text), None
    for _ in range(FIND_PAGES):
        params: dict[str, Any] = {"actor": account.did, "filter": "posts_with_replies", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = account.call("our recent posts", lambda c: c.app.bsky.feed.get_author_feed(params=params))
        for item in page.get("feed") or []:
            post = item.get("post") if isinstance(item, dict) else None
            record = post.get("record") if isinstance(post, dict) else None
            reply_ref = record.get("reply") if isinstance(record, dict) else None
            parent = (reply_ref or {}).get("parent") or {}
            if parent.get("uri") == target.remote_id and normalise(record.get("text") or "") == wanted:
                uri = post["uri"]
                return PostedReply(uri, f"https://bsky.app/profile/{account.handle}/post/{uri.rsplit('/', 1)[-1]}")
        cursor = page.get("cursor")
        if not cursor:
            return None
    raise TransientError(f"could not find our reply among our last {FIND_PAGES * 100} posts; check on Bluesky")


def moderate(account: Account, target: ReplyTarget, action: str, reason: str | None) -> None:
    if action not in ACTIONS:
        raise PermanentError(f"Bluesky moderation actions are {', '.join(ACTIONS)}; not {action!r}")
    extra = target.extra if isinstance(target.extra, dict) else {}
    actor = extra.get("author_did") or target.author_handle
    try:
        if action == "mute":
            account.call(action, lambda c: c.app.bsky.graph.mute_actor({"actor": actor}))
        elif action == "unmute":
            account.call(action, lambda c: c.app.bsky.graph.unmute_actor({"actor": actor}))
        elif action == "block":
            record = {"$type": "app.bsky.graph.block", "subject": actor, "createdAt": _now()}
            account.call(action, lambda c: c.com.atproto.repo.create_record(
                {"repo": account.did, "collection": "app.bsky.graph.block", "record": record}))  # fmt: skip
        elif action == "unblock":
            _unblock(account, actor)
        elif action in ("mute-thread", "unmute-thread"):
            root = target.thread_id or target.remote_id
            call = "mute_thread" if action == "mute-thread" else "unmute_thread"
            account.call(action, lambda c: getattr(c.app.bsky.graph, call)({"root": root}))
        elif action == "hide":
            _hide(account, target)
        else:
            parent, _ = _refs(account, target)
            kind = "reasonSpam" if action == "report-spam" else "reasonOther"
            data = {"reasonType": f"com.atproto.moderation.defs#{kind}", "reason": reason or "",
                    "subject": {"$type": "com.atproto.repo.strongRef", **parent}}  # fmt: skip
            account.call(action, lambda c: c.com.atproto.moderation.create_report(data))
    except ApiError as exc:
        raise PermanentError(str(exc)) from None


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# Pieces ---------------------------------------------------------------------------------------------------


def _refs(account: Account, target: ReplyTarget) -> tuple[dict, dict]:
    """Strong refs {uri, cid} of the target and of its thread's root, asking for the post when not stored."""
    extra = target.extra if isinstance(target.extra, dict) else {}
    cid, root_uri, root_cid = extra.get("cid"), target.thread_id, extra.get("root_cid")
    if not cid or (root_uri and root_uri != target.remote_id and not root_cid):
        found = account.call("the post", lambda c: c.app.bsky.feed.get_posts({"uris": [target.remote_id]}))
        posts = found.get("posts") or []
        if not posts:
            raise PermanentError("Bluesky no longer has this post (deleted, or its author blocks us)")
        cid = posts[0].get("cid")
        reply_ref = (posts[0].get("record") or {}).get("reply") or {}
        root = reply_ref.get("root") or {}
        root_uri, root_cid = root.get("uri"), root.get("cid")
    parent = {"uri": target.remote_id, "cid": cid}
    if not root_uri or root_uri == target.remote_id or not root_cid:
        return parent, parent
    return parent, {"uri": root_uri, "cid": root_cid}


def _unblock(account: Account, actor: str) -> None:
    profile = account.call("the author's profile", lambda c: c.app.bsky.actor.get_profile({"actor": actor}))
    blocking = ((profile or {}).get("viewer") or {}).get("blocking")
    if not isinstance(blocking, str):
        return  # not blocked: what was wanted is so
    rkey = blocking.rsplit("/", 1)[-1]
    account.call("unblock", lambda c: c.com.atproto.repo.delete_record(
        {"repo": account.did, "collection": "app.bsky.graph.block", "rkey": rkey}))  # fmt: skip


def _hide(account: Account, target: ReplyTarget) -> None:
    root = target.thread_id or ""
    if not root.startswith(f"at://{account.did}/") or root == target.remote_id:
        raise NotSent("only a reply in a thread the brand's account started can be hidden")
    rkey = root.rsplit("/", 1)[-1]
    ident = {"repo": account.did, "collection": "app.bsky.feed.threadgate", "rkey": rkey}
    try:
        current = account.call("the thread's settings", lambda c: c.com.atproto.repo.get_record(ident))
        gate = dict(current.get("value") or {})
    except ApiError as exc:
        if exc.status not in (400, 404):
            raise
        gate = {}
    hidden = list(gate.get("hiddenReplies") or [])
    if target.remote_id in hidden:
        return
    gate.update({"$type": "app.bsky.feed.threadgate", "post": root, "hiddenReplies": [*hidden, target.remote_id]})
    gate.setdefault("createdAt", _now())
    account.call("hide", lambda c: c.com.atproto.repo.put_record({**ident, "record": gate}))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
