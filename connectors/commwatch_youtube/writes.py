"""Replying and moderating: comments.insert, comments.list (our own replies), setModerationStatus.

All of these use OAuth (YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET, YOUTUBE_REFRESH_TOKEN).
comments.insert is never repeated here once it may have reached YouTube: the
outbox asks `find_reply` first. setModerationStatus is idempotent and is retried.
"""

from __future__ import annotations

import unicodedata

from commwatch.connector import PermanentError, PostedReply, ReplyTarget, TransientError
from commwatch_youtube.api import Api, ApiError
from commwatch_youtube.parse import comment_url

MODERATION_STATUS = {"hold": "heldForReview", "publish": "published", "reject": "rejected"}
REPLY_LIMIT = 10_000  # characters YouTube accepts in a comment
FIND_PAGES = 50  # comments.list pages (100 replies each) find_reply reads before giving up


def parent_comment(target: ReplyTarget) -> str:
    """The top-level comment a reply must hang from: YouTube threads are one level deep, so
    answering a reply means answering its thread."""
    if target.kind == "reply" or "." in target.remote_id:
        return target.parent_id or target.remote_id.split(".", 1)[0]
    return target.remote_id


def reply(api: Api, target: ReplyTarget, text: str) -> PostedReply:
    if len(text) > REPLY_LIMIT:
        raise PermanentError(f"the reply is {len(text)} characters; YouTube accepts at most {REPLY_LIMIT:,}")
    parent = parent_comment(target)
    body = {"snippet": {"parentId": parent, "textOriginal": text}}
    try:
        posted = api.write("comments.insert", "comments", {"part": "snippet"}, body, safe=False)
    except ApiError as exc:
        raise _refused("the reply", exc) from None
    comment_id = posted.get("id") if isinstance(posted, dict) else None
    if not isinstance(comment_id, str) or not comment_id:
        raise TransientError("YouTube accepted the reply but did not say which comment it created")
    return PostedReply(comment_id, comment_url(_video_id(target, posted), comment_id))


def find_reply(api: Api, target: ReplyTarget, text: str, my_channel: str) -> PostedReply | None:
    """Our channel's reply with this text in the target's thread, reading every page of it."""
    parent = parent_comment(target)
    wanted = normalise(text)
    token = None
    for _ in range(FIND_PAGES):
        params = {"part": "snippet", "parentId": parent, "textFormat": "plainText", "maxResults": 100}
        if token:
            params["pageToken"] = token
        try:
            # With OAuth so that textOriginal of our own comments comes back.
            page = api.read("comments.list", "comments", params, oauth=True, budgeted=False)
        except ApiError as exc:
            raise _refused("the lookup of earlier replies", exc) from None
        for item in page.get("items") or []:
            snippet = item.get("snippet") if isinstance(item, dict) else None
            if not isinstance(snippet, dict) or not isinstance(item.get("id"), str):
                continue
            author = snippet.get("authorChannelId")
            author = author.get("value") if isinstance(author, dict) else author
            said = snippet.get("textOriginal") or snippet.get("textDisplay")
            if author == my_channel and isinstance(said, str) and normalise(said) == wanted:
                return PostedReply(item["id"], comment_url(_video_id(target, item), item["id"]))
        following = page.get("nextPageToken")
        if not isinstance(following, str) or not following or following == token:
            return None
        token = following
    raise TransientError(f"the thread has more than {FIND_PAGES * 100} replies; could not check them all for ours")


def my_channel(api: Api) -> str:
    """The channel id of the account behind YOUTUBE_REFRESH_TOKEN (channels.list?mine=true)."""
    page = api.read("channels.list", "channels", {"part": "id", "mine": "true"}, oauth=True, budgeted=False)
    items = page.get("items")
    if isinstance(items, list) and items and isinstance(items[0], dict) and isinstance(items[0].get("id"), str):
        return items[0]["id"]
    raise PermanentError("the account behind YOUTUBE_REFRESH_TOKEN has no YouTube channel to reply as")


def moderate(api: Api, target: ReplyTarget, action: str, ban: bool) -> None:
    status = MODERATION_STATUS.get(action)
    if status is None:
        raise PermanentError(f"YouTube moderation actions are {', '.join(MODERATION_STATUS)}; not {action!r}")
    if ban and action != "reject":
        raise PermanentError("YouTube bans an author only together with reject")
    params = {"id": target.remote_id, "moderationStatus": status}
    if ban:
        params["banAuthor"] = "true"
    try:
        api.write("comments.setModerationStatus", "comments/setModerationStatus", params, None, safe=True)
    except ApiError as exc:
        if exc.status == 403 or exc.reason in ("forbidden", "insufficientPermissions"):
            raise PermanentError(
                "YouTube refused to moderate this comment: the account behind YOUTUBE_REFRESH_TOKEN "
                "must own the channel or video it was posted on"
            ) from None
        raise _refused("the moderation", exc) from None


def normalise(text: str) -> str:
    """Text compared the way YouTube may have kept it: NFC, whitespace runs as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _video_id(target: ReplyTarget, resource: dict) -> str | None:
    video = target.extra.get("video_id") if isinstance(target.extra, dict) else None
    if isinstance(video, str) and video:
        return video
    snippet = resource.get("snippet") if isinstance(resource, dict) else None
    video = snippet.get("videoId") if isinstance(snippet, dict) else None
    return video if isinstance(video, str) and video else None


def _refused(what: str, exc: ApiError) -> PermanentError:
    if exc.reason == "commentTextTooLong":
        return PermanentError(f"YouTube refused {what}: the text is too long (at most {REPLY_LIMIT:,} characters)")
    if exc.status == 404 or exc.reason in ("commentNotFound", "parentNotFound"):
        return PermanentError(f"YouTube refused {what}: the comment no longer exists")
    if exc.status == 403:
        return PermanentError(
            f"YouTube refused {what} (forbidden): the account behind YOUTUBE_REFRESH_TOKEN may not comment "
            "there, or replies are turned off"
        )
    return PermanentError(str(exc))
