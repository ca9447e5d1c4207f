"""The YouTube Data API v3 parser: response bodies in, Mentions out (no network)."""

from __future__ import annotations

import ast
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import commwatch_youtube.parse as parse_module
from commwatch.connector import PayloadError, split
from commwatch.model import Kind
from commwatch_youtube import YouTubeConnector
from commwatch_youtube.parse import error_reason, parse_response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "youtube"

ACME = "UCacmecloudXq7Lm2Np4Rs8T"
T_DEPLOY = "UgxAcmeDeploy1dana0042AaABAg"  # thread on AcmeDeploy1, 5 replies, 2 inline
T_BILLING = "UgyAcmeBilling0deleted7AaABAg"  # deleted author, held for review
T_CDN = "Ugw2AcmeEdgeCDNmaria15AaABAg"  # Spanish, legacy display name, Arabic reply
MISSING = object()


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def by_id(mentions):
    return {m.remote_id: m for m in mentions}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def comment(comment_id: str = "UgzBuiltComment0AaABAg", **snippet):
    """A youtube#comment resource; pass MISSING to leave a snippet field out."""
    fields = {"publishedAt": "2024-05-20T12:00:00Z", **snippet}
    return {
        "kind": "youtube#comment",
        "id": comment_id,
        "snippet": {k: v for k, v in fields.items() if v is not MISSING},
    }


def one(**snippet):
    [mention] = parse_response(comment(**snippet))
    return mention


@pytest.fixture(scope="module")
def threads():
    return by_id(parse_response(load("comment_threads.json")))


# commentThreads.list ---------------------------------------------------------------


def test_thread_list_gives_each_top_level_comment_then_its_inline_replies():
    mentions = parse_response(load("comment_threads.json"))
    assert [(m.remote_id, m.kind) for m in mentions] == [
        (T_DEPLOY, Kind.COMMENT),
        (T_DEPLOY + ".A3kFq9Zr1LwA3kFr0Tq2Xy", Kind.REPLY),
        (T_DEPLOY + ".A3kG7hPq2mNA3kG7hPq2mN", Kind.REPLY),
        (T_BILLING, Kind.COMMENT),
        (T_CDN, Kind.COMMENT),
        (T_CDN + ".A3mZ1cVb8nQA3mZ1cVb8nQ", Kind.REPLY),
    ]
    assert {m.platform for m in mentions} == {"youtube"}
    assert all(isinstance(m.remote_id, str) for m in mentions)


def test_top_level_comment_maps_every_field(threads):
    m = threads[T_DEPLOY]
    assert m.key == ("youtube", T_DEPLOY)
    assert m.kind is Kind.COMMENT
    assert m.text == "Deploys to eu-west went from 9 min to 40s after the upgrade 🚀🔥 thanks Acme Cloud!"
    assert m.created_at == at(2024, 5, 14, 9, 21, 44)
    assert m.created_at.tzinfo is not None
    assert m.edited_at == at(2024, 5, 14, 9, 25, 2)
    assert m.url == f"https://www.youtube.com/watch?v=AcmeDeploy1&lc={T_DEPLOY}"
    assert m.parent_id is None
    assert m.thread_id == T_DEPLOY
    assert m.title is None and m.lang is None
    assert m.author.handle == "dana_ops"
    assert m.author.remote_id == "UCdanaopsK3v9Qp2Lx7Wm4Tz"
    assert m.author.url == "http://www.youtube.com/@dana_ops"
    assert m.author.followers is None
    assert m.metrics == {"likes": 42, "replies": 5}
    assert m.extra == {
        "video_id": "AcmeDeploy1",
        "channel_id": ACME,
        "total_reply_count": 5,
        "can_reply": True,
        "viewer_rating": "none",
    }


def test_inline_reply_points_at_its_parent_and_is_not_edited_when_times_match(threads):
    reply_id = T_DEPLOY + ".A3kFq9Zr1LwA3kFr0Tq2Xy"
    m = threads[reply_id]
    assert m.kind is Kind.REPLY
    assert m.parent_id == T_DEPLOY
    assert m.thread_id == T_DEPLOY
    assert m.text == "@dana_ops glad it helped! The new build cache is on by default now."
    assert m.author.handle == "AcmeCloud"
    assert m.author.remote_id == ACME
    assert m.created_at == at(2024, 5, 14, 10, 2, 11)  # "…11Z", no fraction
    assert m.edited_at is None
    assert m.url == f"https://www.youtube.com/watch?v=AcmeDeploy1&lc={reply_id}"
    assert m.metrics == {"likes": 3}  # no "replies" on a reply
    assert m.extra == {"video_id": "AcmeDeploy1", "channel_id": ACME, "viewer_rating": "none"}


def test_inline_reply_without_video_id_inherits_the_threads(threads):
    reply_id = T_DEPLOY + ".A3kG7hPq2mNA3kG7hPq2mN"
    m = threads[reply_id]
    assert m.extra["video_id"] == "AcmeDeploy1"
    assert m.url == f"https://www.youtube.com/watch?v=AcmeDeploy1&lc={reply_id}"
    assert m.text == "東京リージョンでも同じくらい速くなりました！ありがとうございます 🙏"
    assert m.author.handle == "ストレージ太郎"
    assert m.metrics == {"likes": 0}
    # publishedAt "…02Z" and updatedAt "…02.000Z" are the same instant: not an edit
    assert m.created_at == at(2024, 5, 14, 11, 30, 2)
    assert m.edited_at is None


def test_deleted_author_and_plain_text_with_literal_angle_brackets(threads):
    m = threads[T_BILLING]
    # textFormat=plainText, no textOriginal: "<" and "<b>" are what the person typed
    assert m.text == "billing page says usage < 5 GB but I was charged for 7 GB?? R&D pls fix <b>now</b>"
    assert m.author.handle == "[deleted]"
    assert m.author.remote_id is None
    assert m.author.url is None
    assert m.metrics == {"replies": 0}  # no likeCount
    assert m.edited_at is None
    assert m.extra == {
        "video_id": "acmeBilling",
        "channel_id": ACME,
        "total_reply_count": 0,
        "can_reply": False,
        "moderation_status": "heldForReview",
        "viewer_rating": "none",
    }


def test_legacy_display_name_crlf_and_emoji_with_variation_selector(threads):
    m = threads[T_CDN]
    assert m.author.handle == "María José Núñez"
    assert m.text == (
        "¡Excelente servicio! \u2764\ufe0f El CDN de Acme Cloud bajó la latencia en Bogotá de 180 ms a 35 ms.\n"
        "Único problema: la factura llega en inglés."
    )
    assert m.created_at == at(2024, 5, 15, 18, 7, 2)
    assert m.extra["viewer_rating"] == "like"
    assert m.metrics == {"likes": 7, "replies": 1}


def test_right_to_left_reply(threads):
    m = threads[T_CDN + ".A3mZ1cVb8nQA3mZ1cVb8nQ"]
    assert m.text == "نفس التجربة في الرياض، الأداء ممتاز 👍🏽"
    assert m.author.handle == "عمر_السحابة"
    assert m.parent_id == m.thread_id == T_CDN
    assert m.extra["video_id"] == "acmeEdgeCDN"


# comments.list?parentId=… --------------------------------------------------------------


def test_comment_list_replies_have_parents_but_no_video_yet():
    mentions = by_id(parse_response(load("comment_replies.json")))
    assert len(mentions) == 3
    for m in mentions.values():
        assert m.kind is Kind.REPLY
        assert m.parent_id == T_DEPLOY
        assert m.thread_id == T_DEPLOY
        assert m.extra["video_id"] is None
        assert m.url is None  # the connector fills in the video, then the link
        assert m.extra["channel_id"] == ACME

    priya = mentions[T_DEPLOY + ".A3kHx2Lp9QbA3kHx2Lp9Qb"]
    assert priya.author.handle == "priya-dev"
    assert priya.created_at == at(2024, 5, 14, 12, 45, 10)
    assert priya.edited_at == at(2024, 5, 14, 13, 2, 44)
    assert priya.extra["viewer_rating"] == "like"
    assert priya.metrics == {"likes": 4}

    spam = mentions[T_DEPLOY + ".A3kK0vBn5MdA3kK0vBn5Md"]
    assert spam.extra["moderation_status"] == "likelySpam"
    assert spam.text == "FREE cloud credits 💰💰 visit acme-cloud-credits.example 👉👉"


def test_reply_without_parent_id_takes_it_from_its_own_id():
    mentions = by_id(parse_response(load("comment_replies.json")))
    m = mentions[T_DEPLOY + ".A3kJ4sRt7WcA3kJ4sRt7Wc"]  # this fixture item has no parentId
    assert m.kind is Kind.REPLY
    assert m.parent_id == T_DEPLOY
    assert m.thread_id == T_DEPLOY
    assert m.text == "@priya-dev ap-south-1 gets the cache rollout next week ✅"


@pytest.mark.parametrize(
    ("comment_id", "parent_field", "kind", "parent_id"),
    [
        ("UgzTop00AaABAg", MISSING, Kind.COMMENT, None),  # comments.list?id= of a top-level comment
        ("UgzTop00AaABAg.A3xSuffix", MISSING, Kind.REPLY, "UgzTop00AaABAg"),
        ("UgzTop00AaABAg.A3xSuffix", "UgzOther0AaABAg", Kind.REPLY, "UgzOther0AaABAg"),
        (".A3xSuffix", MISSING, Kind.COMMENT, None),  # no parent before the dot
    ],
)
def test_kind_and_parent_come_from_parent_id_or_the_reply_id(comment_id, parent_field, kind, parent_id):
    payload = {"kind": "youtube#commentListResponse", "items": [comment(comment_id, parentId=parent_field)]}
    [m] = parse_response(payload)
    assert m.kind is kind
    assert m.parent_id == parent_id
    assert m.thread_id == (parent_id or comment_id)


def test_video_id_on_the_comment_is_used_when_the_thread_lacks_it():
    thread = {
        "kind": "youtube#commentThread",
        "id": "UgzThread0AaABAg",
        "snippet": {"topLevelComment": comment("UgzThread0AaABAg", videoId="acmeTutor42"), "totalReplyCount": 1},
        "replies": {"comments": [comment("UgzThread0AaABAg.A3yReply", parentId="UgzThread0AaABAg")]},
    }
    top, reply = parse_response(thread)
    assert top.extra["video_id"] == reply.extra["video_id"] == "acmeTutor42"
    assert reply.url == "https://www.youtube.com/watch?v=acmeTutor42&lc=UgzThread0AaABAg.A3yReply"


def test_items_without_a_kind_are_recognised_by_their_shape():
    top = comment("UgzNoKind0AaABAg")
    thread = {"id": "UgzNoKind0AaABAg", "snippet": {"videoId": "acmeTutor42", "topLevelComment": top}}
    reply = comment("UgzNoKind0AaABAg.A3zReply")
    del reply["kind"]
    mentions = parse_response({"items": [thread, reply]})
    assert [(m.remote_id, m.kind) for m in mentions] == [
        ("UgzNoKind0AaABAg", Kind.COMMENT),
        ("UgzNoKind0AaABAg.A3zReply", Kind.REPLY),
    ]
    assert mentions[0].extra["video_id"] == "acmeTutor42"
    assert [m.remote_id for m in parse_response(thread)] == ["UgzNoKind0AaABAg"]


# textFormat=html -----------------------------------------------------------------------------


def test_html_text_display_becomes_plain_text():
    mentions = by_id(parse_response(load("comment_threads_html.json")))
    assert mentions["UgzAcmeTutor42kenji01AaABAg"].text == (
        "Step 1: open the console\nStep 2: run #acmecloud deploy\n\nIt's \"fast\" & cheap <3"
    )
    # an escaped "<br>" the author typed stays text; the link keeps only its label
    reply = mentions["UgzAcmeTutor42kenji01AaABAg.A3pQ8wEr2TyA3pQ8wEr2Ty"]
    assert reply.text == "1:02 is where it breaks, the docs say to type <br> literally"


def test_text_original_wins_over_html_text_display():
    mentions = by_id(parse_response(load("comment_threads_html.json")))
    assert mentions["UgwAcmeTutor42claire9AaABAg"].text == "Merci ! *Très* clair 👏"


@pytest.mark.parametrize(
    ("original", "display", "expected"),
    [
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("Tom &amp; Jerry", "Tom &amp;amp; Jerry", "Tom &amp; Jerry"),  # textOriginal is what was typed
        ("line one\r\nline two", MISSING, "line one\nline two"),
        ("nul\x00byte", MISSING, "nulbyte"),
        ("", "fallback to display", "fallback to display"),
        (MISSING, "I <3 Acme", "I <3 Acme"),  # plainText keeps a literal "<"
        (MISSING, "5 < 6 and <br> is a tag", "5 < 6 and <br> is a tag"),
        (MISSING, "R&D <i>rocks</i>", "R&D <i>rocks</i>"),  # a bare "&" means plainText
        (MISSING, "line1<br />line2<BR>line3", "line1\nline2\nline3"),
        (MISSING, '<a href="http://www.youtube.com/@dana_ops">@dana_ops</a> thanks', "@dana_ops thanks"),
        (MISSING, "It&#39;s &quot;ok&quot;", 'It\'s "ok"'),
        (MISSING, "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        (MISSING, MISSING, ""),
        (MISSING, None, ""),
    ],
)
def test_text_selection_and_html_handling(original, display, expected):
    assert one(textOriginal=original, textDisplay=display).text == expected


def test_very_long_comment_is_kept_whole():
    body = ("Acme Cloud ✨ 東京 " * 700)[:10_000]
    m = one(textOriginal=body, textDisplay=body)
    assert len(m.text) == 10_000
    assert m.text == body


# Authors, times, metrics ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "handle"),
    [
        ("@dana_ops", "dana_ops"),
        ("Plain Legacy Name", "Plain Legacy Name"),
        ("  @spaced  ", "spaced"),
        ("@", "[deleted]"),
        ("", "[deleted]"),
        (None, "[deleted]"),
        (MISSING, "[deleted]"),
        ("@evil\x1b[31m\x07", "evil[31m"),
    ],
)
def test_author_handle(display_name, handle):
    assert one(authorDisplayName=display_name).author.handle == handle


@pytest.mark.parametrize(
    ("channel_id", "remote_id"),
    [
        ({"value": "UCdanaopsK3v9Qp2Lx7Wm4Tz"}, "UCdanaopsK3v9Qp2Lx7Wm4Tz"),
        ("UCdanaopsK3v9Qp2Lx7Wm4Tz", "UCdanaopsK3v9Qp2Lx7Wm4Tz"),  # older responses: a bare string
        ({}, None),
        ({"value": ""}, None),
        (MISSING, None),
    ],
)
def test_author_channel_id(channel_id, remote_id):
    assert one(authorChannelId=channel_id).author.remote_id == remote_id


@pytest.mark.parametrize(
    ("published", "updated", "created_at", "edited_at"),
    [
        ("2024-05-14T09:21:44.000Z", "2024-05-14T09:21:44.000Z", at(2024, 5, 14, 9, 21, 44), None),
        ("2024-05-14T09:21:44.000Z", "2024-05-14T09:21:44Z", at(2024, 5, 14, 9, 21, 44), None),
        ("2024-05-14T09:21:02Z", "2024-05-14T10:00:00Z", at(2024, 5, 14, 9, 21, 2), at(2024, 5, 14, 10)),
        ("2024-05-14T09:21:02Z", MISSING, at(2024, 5, 14, 9, 21, 2), None),
        ("2024-05-14T09:21:02Z", "not a time", at(2024, 5, 14, 9, 21, 2), None),
    ],
)
def test_timestamps(published, updated, created_at, edited_at):
    m = one(publishedAt=published, updatedAt=updated)
    assert m.created_at == created_at
    assert m.edited_at == edited_at


@pytest.mark.parametrize(
    ("like_count", "metrics"),
    [(12, {"likes": 12}), ("12", {"likes": 12}), (0, {"likes": 0}), ("lots", {}), (None, {}), (MISSING, {})],
)
def test_like_count(like_count, metrics):
    assert one(likeCount=like_count).metrics == metrics


def test_comment_with_only_an_id_and_a_time_does_not_crash():
    bare = {"kind": "youtube#comment", "id": "UgzBare0AaABAg", "snippet": {"publishedAt": "2024-05-20T12:00:00Z"}}
    [m] = parse_response(bare)
    assert m.text == ""
    assert m.author.handle == "[deleted]"
    assert m.author.remote_id is None and m.author.url is None
    assert m.kind is Kind.COMMENT
    assert m.thread_id == "UgzBare0AaABAg"
    assert m.url is None
    assert m.metrics == {}
    assert m.extra == {"video_id": None, "channel_id": None}


# Single resources, empty and malformed bodies --------------------------------------------------


def test_single_comment_resource_from_comments_insert():
    [m] = parse_response(load("comment_insert.json"))
    assert m.remote_id == T_BILLING + ".A3rT2yHj6UkA3rT2yHj6Uk"
    assert m.kind is Kind.REPLY
    assert m.parent_id == T_BILLING
    assert m.author.handle == "AcmeCloud"
    assert m.created_at == at(2024, 5, 15, 8, 0, 13)
    assert m.extra["video_id"] is None


def test_single_thread_resource_from_comment_threads_insert():
    [m] = parse_response(load("thread_insert.json"))
    assert m.remote_id == m.thread_id == "UgxAcmeTutor42pinned0AaABAg"
    assert m.kind is Kind.COMMENT
    assert m.text == "Pinned: the full tutorial code is in the description 📌"
    assert m.metrics == {"likes": 0, "replies": 0}
    assert m.extra["can_reply"] is True
    assert m.extra["total_reply_count"] == 0


@pytest.mark.parametrize(
    "payload",
    [
        load("comment_threads_empty.json"),
        {"kind": "youtube#commentThreadListResponse", "pageInfo": {"totalResults": 0}},
        {"kind": "youtube#commentListResponse", "items": None},
        {"items": []},
    ],
)
def test_empty_responses(payload):
    assert parse_response(payload) == []


def test_malformed_items_are_set_aside_with_reasons_and_the_rest_kept():
    mentions, rejects = split(parse_response(load("comment_threads_malformed.json")))
    assert [r.reason for r in rejects] == [
        "an item is a JSON object, not str",
        "a comment thread has no snippet",
        "comment UgzNoPublishedAt00AaABAg has no usable publishedAt",
        "comment UgzBadTopGoodReply0AaABAg has no usable publishedAt",  # its good reply is kept
        "comment UgzBadTopGoodReply0AaABAg.A3sNoSnippet00 has no snippet",
        "an item of kind 'youtube#video' is not a comment or a comment thread",
    ]
    assert [m.remote_id for m in mentions] == [
        "UgzBadTopGoodReply0AaABAg.A3sGoodReply00",
        "UgzStillValid00000AaABAg",
    ]
    reply, top = mentions
    assert reply.kind is Kind.REPLY
    assert reply.parent_id == "UgzBadTopGoodReply0AaABAg"
    assert reply.extra["video_id"] == "AcmeDeploy1"  # inherited from its thread
    assert top.text == "top-level comment without its own id"  # id taken from the thread
    assert top.metrics == {"replies": 3}  # "3" as a string still counts
    assert top.extra["total_reply_count"] == 3


@pytest.mark.parametrize("payload", [[], "{}", None, 42, b"{}", [{"kind": "youtube#comment"}]])
def test_a_body_that_is_not_an_object_is_refused(payload):
    with pytest.raises(PayloadError, match="JSON object"):
        parse_response(payload)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ({"kind": "youtube#videoListResponse", "items": []}, "not a YouTube comment response"),
        ({"hello": "world"}, "not a YouTube comment response"),
        ({"kind": "youtube#commentThreadListResponse", "items": {"0": {}}}, "'items'"),
        ({"kind": "youtube#comment", "id": "UgzNoSnippet0AaABAg"}, "cannot be read: comment UgzNoSnippet0AaABAg has no snippet"),
        ({"kind": "youtube#commentThread", "id": "UgzT", "snippet": {"topLevelComment": {}}}, "cannot be read: comment UgzT has no snippet"),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused(payload, match):
    with pytest.raises(PayloadError, match=match):
        parse_response(payload)


# Error bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "reason", "message", "sentence"),
    [
        (
            "error_quota_exceeded.json",
            "quotaExceeded",
            "The request cannot be completed because you have exceeded your quota.",
            "YouTube API error 403 (quotaExceeded): "
            "The request cannot be completed because you have exceeded your quota.",
        ),
        (
            "error_comments_disabled.json",
            "commentsDisabled",
            "The video identified by the videoId parameter has disabled comments.",
            "YouTube API error 403 (commentsDisabled): "
            "The video identified by the videoId parameter has disabled comments.",
        ),
        (
            "error_video_not_found.json",
            "videoNotFound",
            "The video identified by the videoId parameter could not be found.",
            "YouTube API error 404 (videoNotFound): "
            "The video identified by the videoId parameter could not be found.",
        ),
        (
            "error_key_invalid.json",
            "keyInvalid",
            "API key not valid. Please pass a valid API key.",
            "YouTube API error 400 (keyInvalid): API key not valid.",
        ),
        (
            "error_forbidden.json",
            "forbidden",
            "The comment could not be updated due to insufficient permissions. "
            "The request might not be properly authorized.",
            "YouTube API error 403 (forbidden): The comment could not be updated due to insufficient permissions.",
        ),
    ],
)
def test_error_bodies(fixture, reason, message, sentence):
    body = load(fixture)
    assert error_reason(body) == (reason, message)
    with pytest.raises(PayloadError) as caught:
        parse_response(body)
    assert str(caught.value) == sentence
    assert "<" not in str(caught.value)


def google_error(code=None, message=None, reason=None, **fields):
    """An error body in Google's JSON shape; only the given parts are filled in."""
    error = {k: v for k, v in {"code": code, "message": message, **fields}.items() if v is not None}
    if reason is not None:
        error["errors"] = [{"domain": "youtube.comment", "reason": reason, "message": message or ""}]
    return {"error": error}


PROCESSING_FAILURE = (
    "The API server failed to successfully process the request.\n"
    "  While this can be a transient error, it usually indicates that the request&#39;s input is invalid."
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (google_error(400, "Bad Request", "keyInvalid"), ("keyInvalid", "Bad Request")),  # the older key shape
        (
            google_error(400, "The comment is too long.", "commentTextTooLong"),
            ("commentTextTooLong", "The comment is too long."),
        ),
        (
            google_error(400, PROCESSING_FAILURE, "processingFailure"),
            (
                "processingFailure",
                "The API server failed to successfully process the request. While this can be a transient error, "
                "it usually indicates that the request's input is invalid.",
            ),
        ),
        (
            google_error(503, "The service is currently unavailable.", status="UNAVAILABLE"),
            ("UNAVAILABLE", "The service is currently unavailable."),
        ),
        (google_error(500), ("500", "")),
        (google_error(message="Backend <b>Error</b>", reason="backendError"), ("backendError", "Backend Error")),
        (
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
            ("invalid_grant", "Token has been expired or revoked."),
        ),
        ({"error": ["weird"]}, ("unknown", "")),
    ],
)
def test_error_reason(body, expected):
    assert error_reason(body) == expected
    with pytest.raises(PayloadError, match=expected[0]):
        parse_response(body)


@pytest.mark.parametrize("body", [load("comment_threads.json"), {"error": None, "items": []}, [], "error", None])
def test_error_reason_is_none_for_anything_but_an_error_body(body):
    assert error_reason(body) is None


def test_error_sentence_stays_short():
    body = {"error": {"code": 400, "message": "x" * 2000, "errors": [{"reason": "badRequest"}]}}
    with pytest.raises(PayloadError) as caught:
        parse_response(body)
    assert len(str(caught.value)) < 400
    assert str(caught.value).startswith("YouTube API error 400 (badRequest): xxx")
    assert str(caught.value).endswith("…")


# Wiring and dependencies -------------------------------------------------------------------------


def test_connector_parse_uses_this_parser():
    assert YouTubeConnector.parse(load("comment_threads.json")) == parse_response(load("comment_threads.json"))


def test_parser_imports_only_the_stdlib_and_the_public_api():
    tree = ast.parse(Path(parse_module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    stdlib = {"__future__", "html", "re", "datetime", "typing", "urllib.parse"}
    assert imported == stdlib | {"commwatch.connector", "commwatch.model"}
