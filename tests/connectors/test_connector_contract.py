"""Every installed connector (built-in, third-party, and the test plugin) keeps the same contract."""

import json
from datetime import timezone

import pytest

from commwatch import registry
from commwatch.app.ingest import unpack
from commwatch.connector import FETCH, IMPORT, MODERATE, REPLY, Connector, PayloadError, Rejected, SourceConfig
from commwatch.model import Mention

NAMES = list(registry.available())


def test_the_built_in_connectors_are_registered():
    assert {"demo", "x", "reddit", "youtube", "discourse", "mastodon", "bluesky"} <= set(NAMES)


def test_listing_imports_no_connector():
    import subprocess
    import sys

    code = (
        "import sys; from commwatch import registry; names = list(registry.available()); "
        "print(sorted(m for m in sys.modules if m.startswith('commwatch_') or m in ('tweepy', 'praw', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_unknown_name_lists_what_is_installed():
    with pytest.raises(registry.UnknownConnector) as info:
        registry.load("myspace")
    assert "installed: " in str(info.value) and "x" in info.value.installed


@pytest.fixture(params=NAMES)
def connector_class(request) -> type[Connector]:
    return registry.load(request.param)


def test_declares_what_it_is(connector_class):
    cls = connector_class
    assert issubclass(cls, Connector)
    assert cls.name in NAMES and registry.load(cls.name) is cls
    assert cls.description and cls.platforms
    assert cls.capabilities and cls.capabilities <= {FETCH, IMPORT, REPLY, MODERATE}
    assert all(isinstance(v, str) for v in (*cls.credentials, *cls.options))


@pytest.mark.parametrize("garbage", [None, "text", 42, [], {}, {"unexpected": True}, {"data": "not a list"}, [1, 2]])
def test_parse_refuses_garbage_with_payload_error_only(connector_class, garbage):
    if IMPORT not in connector_class.capabilities:
        pytest.skip("no import capability")
    try:
        result = connector_class.parse(garbage)
    except PayloadError as exc:
        assert str(exc)
    else:
        assert all(isinstance(x, Rejected) for x in result)


# Hostile values where each platform keeps its items: a bad item must come back as a Rejected (or a
# mention) and never as an exception that would sink its page.
HOSTILE = [None, True, 1e400, float("nan"), 10**400, "\ud83d", "\x00", [], {}, [[[[[]]]]], {"id": {"id": 1}}, "9" * 5000]
ENVELOPES = [
    lambda v: {"data": [v, {"id": v, "text": v, "author_id": v, "created_at": v, "public_metrics": {"like_count": v}}],
               "includes": {"users": [{"id": v, "username": v, "public_metrics": {"followers_count": v}}]}, "meta": {}},
    lambda v: {"kind": "Listing", "data": {"children": [v, {"kind": "t1", "data": {"id": v, "name": v, "body": v,
               "created_utc": v, "author": v, "score": v, "replies": v, "edited": v}}]}},
    lambda v: {"kind": "youtube#commentThreadListResponse", "items": [v, {"kind": "youtube#commentThread", "id": v,
               "snippet": {"videoId": v, "totalReplyCount": v, "topLevelComment": {"id": v, "snippet": {
                   "textOriginal": v, "publishedAt": v, "likeCount": v, "authorDisplayName": v}}}}]},
    lambda v: {"latest_posts": [v, {"id": v, "topic_id": v, "post_number": v, "username": v, "created_at": v,
               "cooked": v, "raw": v, "reply_to_post_number": v, "actions_summary": [v, {"id": 2, "count": v}],
               "reads": v, "version": v, "updated_at": v, "user_id": v}]},
    lambda v: {"id": v, "title": v, "tags": v, "post_stream": {"posts": [v, {"id": 9, "topic_id": 1, "post_number": 1,
               "username": "dana", "created_at": "2026-01-01T00:00:00Z", "cooked": v, "topic_slug": v}]}},
    lambda v: {"notifications": [v, {"id": v, "notification_type": v, "topic_id": v, "data": v}]},
    lambda v: [v, {"id": v, "uri": v, "created_at": v, "content": v, "spoiler_text": v, "in_reply_to_id": v,
               "account": {"id": v, "acct": v, "url": v, "followers_count": v}, "favourites_count": v, "reblog": v,
               "mentions": [v, {"acct": v}], "tags": [v, {"name": v}], "media_attachments": v}],
    lambda v: [{"id": v, "type": "mention", "account": v, "status": v}, {"id": "1", "type": v, "account": {}}],
    lambda v: {"accounts": [], "statuses": [v], "hashtags": []},
    lambda v: {"posts": [v, {"uri": v, "cid": v, "author": {"did": v, "handle": v}, "indexedAt": v, "likeCount": v,
               "record": {"text": v, "createdAt": v, "langs": v, "facets": [v, {"index": v, "features": v}],
                          "reply": v, "embed": v}}]},
    lambda v: {"notifications": [v, {"uri": "at://a/b/c", "reason": "mention", "author": {"handle": "h"}, "record": v}]},
    lambda v: {"thread": {"post": v, "parent": v, "replies": [v, {"post": v}]}},
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_a_hostile_item_is_set_aside_never_raised(connector_class, value):
    if IMPORT not in connector_class.capabilities:
        pytest.skip("no import capability")
    for envelope in ENVELOPES:
        try:
            result = connector_class.parse(envelope(value))
        except PayloadError:
            continue  # not this platform's envelope
        for x in result:
            assert isinstance(x, (Rejected, Mention)), x
            if isinstance(x, Rejected):
                assert x.reason


def test_fetch_pages_are_resumable(connector_class, tmp_path):
    cls = connector_class
    if FETCH not in cls.capabilities or cls.credentials or cls.options:
        pytest.skip("needs credentials or options to fetch; covered by its own fake-server tests")
    connector = cls(SourceConfig(name="contract", connector=cls.name), env={})
    total = 0
    for stream in connector.streams():
        last = None
        for page in connector.fetch(stream, None):
            json.dumps(page.cursor)  # must be storable
            mentions = unpack(page)[0]  # its mentions, and its raw payloads parsed as commwatch would
            for m in mentions:
                assert m.platform in cls.platforms
                assert isinstance(m.remote_id, str) and m.remote_id
                assert m.created_at.tzinfo is not None and m.created_at.utcoffset() == timezone.utc.utcoffset(None)
            total += len(mentions)
            last = page.cursor
        if last is not None:
            assert list(connector.fetch(stream, last)) == []  # nothing new after the last cursor
    assert total > 0
