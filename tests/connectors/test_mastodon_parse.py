"""Mastodon response bodies (written here in Mastodon's shapes) into mentions, and `commwatch import mastodon`."""

from __future__ import annotations

import json

import pytest

from commwatch.connector import PayloadError, Rejected
from commwatch.model import Kind, Mention
from commwatch_mastodon import MastodonConnector

parse = MastodonConnector.parse


def account(acct: str, *, url: str | None = None, id: str = "1090", followers: int = 42) -> dict:
    user = acct.split("@")[0]
    return {"id": id, "username": user, "acct": acct, "display_name": user.title(), "followers_count": followers,
            "url": url or f"https://mastodon.social/@{user}", "bot": False, "locked": False}  # fmt: skip


def status(id: str, content: str, *, acct: str = "dana@fosstodon.org", **more) -> dict:
    body = {
        "id": id, "uri": f"https://fosstodon.org/users/dana/statuses/{id}9", "url": f"https://fosstodon.org/@dana/{id}9",
        "created_at": "2026-03-04T12:30:05.000Z", "account": account(acct), "content": content, "visibility": "public",
        "sensitive": False, "spoiler_text": "", "in_reply_to_id": None, "reblog": None, "language": "en",
        "replies_count": 2, "reblogs_count": 3, "favourites_count": 5, "edited_at": None, "media_attachments": [],
        "mentions": [{"id": "7", "username": "acmecloud", "acct": "acmecloud", "url": "https://mastodon.social/@acmecloud"}],
        "tags": [{"name": "acmecloud", "url": "https://mastodon.social/tags/acmecloud"}], "emojis": [], "card": None,
    }  # fmt: skip
    body.update(more)
    return body


def test_a_timeline_of_statuses_with_warning_boost_reply_and_a_local_account():
    body = [
        status("113", "<p>deploys fail since <a href=\"https://status.acme.dev/incidents/42\"><span class=\"invisible\">"
                      "https://</span><span class=\"ellipsis\">status.acme.dev/incide</span><span class=\"invisible\">"
                      "nts/42</span></a></p><p>second line<br>third</p>", spoiler_text="outage rant"),  # fmt: skip
        status("114", "<p>same &amp; worse</p>", acct="li", in_reply_to_id="113", edited_at="2026-03-04T13:00:00.000Z"),
        {**status("115", ""), "account": account("booster@example.net"), "reblog": status("100", "<p>the boosted post</p>")},
    ]
    first, reply, boosted = parse(body)
    assert first.text == "CW: outage rant\n\ndeploys fail since status.acme.dev/incide…\n\nsecond line\nthird"
    assert first.author.handle == "dana@fosstodon.org" and first.author.followers == 42
    assert first.metrics == {"likes": 5, "reposts": 3, "replies": 2} and first.lang == "en"
    assert first.extra["uri"] == "https://fosstodon.org/users/dana/statuses/1139" and first.extra["visibility"] == "public"
    assert first.extra["mentions"] == ["acmecloud@mastodon.social"] and first.extra["tags"] == ["acmecloud"]
    assert reply.author.handle == "li@mastodon.social"  # a local account: the domain of its profile
    assert (reply.kind, reply.parent_id, reply.thread_id) == (Kind.REPLY, "113", "113") and reply.text == "same & worse"
    assert reply.edited_at.isoformat() == "2026-03-04T13:00:00+00:00"
    assert boosted.remote_id == "100" and boosted.text == "the boosted post"
    assert boosted.extra["boosted_by"] == "booster@example.net"


def test_notifications_give_their_statuses_and_skip_the_rest():
    body = [
        {"id": "9001", "type": "mention", "created_at": "2026-03-04T12:30:05.000Z", "account": account("dana@fosstodon.org"),
         "status": status("113", "<p>@acmecloud help</p>")},
        {"id": "9000", "type": "follow", "created_at": "2026-03-04T12:00:00.000Z", "account": account("new@x.org")},
        # a favourite and a boost carry the account's own post: not something to answer
        {"id": "8999", "type": "favourite", "created_at": "2026-03-04T11:00:00.000Z", "account": account("fan@x.org"),
         "status": status("100", "<p>our launch post</p>", acct="acmecloud")},
        {"id": "8998", "type": "reblog", "created_at": "2026-03-04T11:00:00.000Z", "account": account("fan@x.org"),
         "status": status("100", "<p>our launch post</p>", acct="acmecloud")},
    ]  # fmt: skip
    [m] = parse(body)
    assert m.kind == Kind.MENTION and m.extra["notification_id"] == "9001" and m.text == "@acmecloud help"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: {"accounts": [], "statuses": s, "hashtags": []},  # search_v2
        lambda s: {"ancestors": s[:1], "descendants": s[1:]},  # a status context
        lambda s: [{"id": "5", "unread": True, "accounts": [], "last_status": x} for x in s],  # conversations
    ],
)
def test_search_context_and_conversations(wrap):
    found = parse(wrap([status("113", "<p>one</p>"), status("114", "<p>two</p>")]))
    assert [m.remote_id for m in found] == ["113", "114"] and all(isinstance(m, Mention) for m in found)


def test_media_descriptions_stand_in_for_an_empty_text():
    [m] = parse([status("120", "", media_attachments=[{"type": "image", "description": "a 502 error page"}])])
    assert m.text == "[image: a 502 error page]"


@pytest.mark.parametrize("garbage", [None, "text", 42, {"unexpected": True}])
def test_bodies_of_another_shape_are_refused(garbage):
    with pytest.raises(PayloadError):
        parse(garbage)


def test_a_bad_status_is_set_aside_and_its_neighbours_kept():
    found = parse([status("1", "<p>ok</p>"), {"id": "2", "content": "x"}, status("3", "<p>x</p>", created_at="yesterday")])
    assert [m.remote_id for m in found if isinstance(m, Mention)] == ["1"]
    assert [r.reason for r in found if isinstance(r, Rejected)] == ["a status without its account", "not a timestamp: 'yesterday'"]


def test_cli_import_stores_every_status_once_with_acct_and_plain_text(cli, workdir):
    timeline = [status("113", "<p>deploys <b>fail</b></p>", spoiler_text="rant"), status("114", "<p>two</p>", acct="li")]
    notifications = [{"id": "9", "type": "mention", "created_at": "2026-03-04T12:30:05.000Z",
                      "account": account("dana@fosstodon.org"), "status": status("113", "<p>deploys <b>fail</b></p>",
                                                                                spoiler_text="rant")},
                     {"id": "8", "type": "follow", "created_at": "2026-03-04T12:00:00.000Z", "account": account("x@y.z")}]  # fmt: skip
    (workdir / "tag.json").write_text(json.dumps(timeline))
    (workdir / "notifications.json").write_text(json.dumps(notifications))
    r = cli("import", "mastodon", "tag.json", "notifications.json")
    assert r.returncode == 0, r.stderr
    rows = cli.json("inbox", "--json", "--platform", "mastodon", "--status", "all")
    assert sorted((m["remote_id"], m["author"]["handle"], m["text"]) for m in rows) == [
        ("113", "dana@fosstodon.org", "CW: rant\n\ndeploys fail"), ("114", "li@mastodon.social", "two")]
