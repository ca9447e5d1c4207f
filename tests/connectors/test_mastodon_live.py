"""The Mastodon connector through the real Mastodon.py client against fake Mastodon servers, the real
sync engine, outbox and CLI."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from commwatch import config as config_module
from commwatch.app.session import Session
from commwatch.app.sync import run_sync
from commwatch.connector import MissingCredentials, PermanentError, ReplyTarget, SourceConfig, TransientError
from commwatch.store.db import open_store
from commwatch_mastodon import MastodonConnector
from fakes.mastodon_server import BRAND, HOME, TOKEN, Federation

ENV = {"MASTODON_ACCESS_TOKEN": TOKEN}
OTHER = "fosstodon.example"


@pytest.fixture
def fed():
    federation = Federation()
    federation.server(HOME)
    federation.server(OTHER)
    with federation.serving():
        yield federation


@pytest.fixture(autouse=True)
def slept(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(MastodonConnector, "sleep", staticmethod(waits.append))
    return waits


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


def home(fed: Federation):
    return fed.servers[HOME]


def world(fed: Federation, tagged: int = 30) -> dict:
    """A complaint mentioning the brand (with a content warning), a reply to it, `tagged` posts with
    #acmecloud from another server, and a direct message to the brand."""
    complaint = fed.post(f"dana@{OTHER}", f'<p><span class="h-card"><a href="https://{HOME}/@{BRAND}" class="u-url '
                         f'mention">@<span>{BRAND}</span></a></span> deploys fail since the update</p>',
                         mentions=[f"{BRAND}@{HOME}", f"li@{OTHER}"], spoiler="outage rant", tags=["acmecloud"])  # fmt: skip
    follow_up = fed.post(f"li@{OTHER}", f"<p>@{BRAND} same here</p>", mentions=[f"{BRAND}@{HOME}"], reply_to=complaint)
    for i in range(tagged):
        fed.post(f"user{i}@{OTHER}", f"<p>trying <a href=\"https://{HOME}/tags/acmecloud\" class=\"mention hashtag\">"
                                    f"#<span>acmecloud</span></a> number {i}</p>", tags=["acmecloud"])  # fmt: skip
    dm = fed.post(f"sam@{HOME}", f"<p>@{BRAND} my invoice is wrong</p>", mentions=[f"{BRAND}@{HOME}"], visibility="direct")
    return {"complaint": complaint, "follow_up": follow_up, "dm": dm}


def make_config(fed: Federation, **options) -> config_module.Config:
    table = {"connector": "mastodon", "instance": f"https://{HOME}", "api_base": home(fed).url, **options}
    cfg = config_module.parse({"sources": {"masto": table}})
    config_module.validate_sources(cfg)
    return cfg


def sync(db, cfg, env=ENV):
    [source] = run_sync(db, cfg, env=env).sources
    return source


def stored(db) -> dict[str, dict]:
    return {json.loads(r["extra"])["uri"]: dict(r) for r in db.execute("SELECT * FROM mentions")}


def connector(fed: Federation, env=ENV, **options) -> MastodonConnector:
    options = {"instance": f"https://{HOME}", **options}
    return MastodonConnector(SourceConfig("masto", "mastodon", api_base=home(fed).url, options=options), env)


# Fetching -------------------------------------------------------------------------------------------


def test_first_sync_stores_everything_once_and_a_second_asks_one_request_per_stream(fed, db):
    posts = world(fed, tagged=60)
    cfg = make_config(fed, hashtags=["acmecloud"], public_instances=[fed.servers[OTHER].url], backfill=200)
    first = sync(db, cfg)
    assert first.status == "ok", first.message
    rows = stored(db)
    assert len(rows) == len(db.execute("SELECT * FROM mentions").fetchall()) == 63  # every post once, by uri
    complaint = rows[posts["complaint"].uri]
    assert complaint["author_handle"] == f"dana@{OTHER}" and complaint["kind"] == "mention"
    assert complaint["text"] == f"CW: outage rant\n\n@{BRAND} deploys fail since the update"
    dm = rows[posts["dm"].uri]
    assert dm["author_handle"] == f"sam@{HOME}"  # a local account, with its server's domain
    assert json.loads(dm["extra"])["visibility"] == "direct"
    follow_up = rows[posts["follow_up"].uri]
    assert follow_up["parent_id"] == complaint["remote_id"] and follow_up["kind"] == "mention"
    tag_calls = home(fed).calls("/api/v1/timelines/tag/acmecloud")
    assert [c.params.get("max_id") is not None for c in tag_calls] == [False, True]  # 40, then back to 62 of 200

    before = {d: len(s.requests) for d, s in fed.servers.items()}
    second = sync(db, cfg)
    assert second.status == "ok" and second.new == 0
    # one request per stream (mentions and the tag at home, the tag on the other server), plus the
    # /api/v2/instance Mastodon.py reads once per server before a hashtag timeline
    home_reads = [r.path for r in home(fed).requests[before[HOME]:]]
    other_reads = [r.path for r in fed.servers[OTHER].requests[before[OTHER]:]]
    assert sorted(home_reads) == ["/api/v1/notifications", "/api/v1/timelines/tag/acmecloud", "/api/v2/instance"]
    assert sorted(other_reads) == ["/api/v1/timelines/tag/acmecloud", "/api/v2/instance"]
    assert second.requests == 5
    assert all("min_id" in r.params for r in home(fed).requests[before[HOME]:] if r.path != "/api/v2/instance")


def test_new_posts_are_read_forward_with_min_id_page_after_page(fed, db):
    world(fed, tagged=5)
    cfg = make_config(fed, mentions=False, hashtags=["acmecloud"])
    sync(db, cfg)
    fresh = [fed.post(f"new{i}@{OTHER}", f"<p>#acmecloud news {i}</p>", tags=["acmecloud"]) for i in range(90)]
    result = sync(db, cfg)
    assert result.new == 90 and {p.uri for p in fresh} <= set(stored(db))
    pages = home(fed).calls("/api/v1/timelines/tag/acmecloud")[-3:]
    assert all("min_id" in p.params and "since_id" not in p.params for p in pages)
    assert int(pages[1].params["min_id"][0]) > int(pages[0].params["min_id"][0])


def test_the_first_sync_backfills_at_most_backfill_items(fed, db):
    world(fed, tagged=60)
    sync(db, make_config(fed, mentions=False, hashtags=["acmecloud"], backfill=25))
    assert len(stored(db)) == 25


def test_a_post_seen_through_two_servers_is_one_mention(fed, db):
    posts = world(fed, tagged=3)
    cfg = make_config(fed, mentions=False, hashtags=["acmecloud"], public_instances=[fed.servers[OTHER].url])
    sync(db, cfg)
    row = stored(db)[posts["complaint"].uri]
    assert row["remote_id"] in (home(fed).id_of(posts["complaint"]), fed.servers[OTHER].id_of(posts["complaint"]))
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 4
    fed.servers[OTHER].by_id[fed.servers[OTHER].id_of(posts["complaint"])].favourites = 9
    sync(db, cfg)
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 4


def test_mentions_and_search_need_the_token_and_hashtags_read_without(fed, db):
    world(fed, tagged=3)
    result = sync(db, make_config(fed, hashtags=["acmecloud"], query="deploys"), env={})
    assert result.status == "failed" and "set MASTODON_ACCESS_TOKEN" in result.message
    assert len(stored(db)) == 4  # the hashtag stream read anonymously


def test_search_keeps_only_what_is_after_the_cursor(fed, db):
    world(fed, tagged=3)
    cfg = make_config(fed, mentions=False, query="deploys")
    sync(db, cfg)
    assert len(stored(db)) == 1
    fed.post(f"kim@{OTHER}", "<p>deploys are slow today</p>")
    result = sync(db, cfg)
    assert result.new == 1 and len(stored(db)) == 2


def test_a_killed_sync_resumes_where_it_stopped(cli, workdir, fed):
    world(fed, tagged=5)
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.masto]\nconnector = "mastodon"\ninstance = "https://{HOME}"\n'
        f'api_base = "{home(fed).url}"\nmentions = false\nhashtags = ["acmecloud"]\n'
    )
    assert cli("sync", "--quiet", env=ENV).returncode == 0
    for i in range(130):
        fed.post(f"new{i}@{OTHER}", f"<p>#acmecloud wave {i}</p>", tags=["acmecloud"])
    release = home(fed).pause("/api/v1/timelines/tag/acmecloud", skip=2)  # hold the third page
    proc = cli.popen("sync", "--quiet", env=ENV)
    conn = open_store(workdir / "inbox.db")
    try:
        assert home(fed).paused.wait(60)
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM mentions").fetchone()[0] < 6 + 80 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 6 + 80
    r = cli("sync", "--json", env=ENV)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new"] == 50
    rows = conn.execute("SELECT json_extract(extra, '$.uri'), count(*) FROM mentions GROUP BY 1").fetchall()
    assert len(rows) == 136 and all(n == 1 for _, n in rows)


def test_a_429_is_waited_out_and_a_spent_budget_far_from_reset_stops_the_source(fed, db, slept):
    world(fed, tagged=3)
    cfg = make_config(fed, hashtags=["acmecloud"])
    home(fed).limit_next(1)
    home(fed).reset_in = 20
    assert sync(db, cfg).status == "ok" and len(slept) == 1 and 15 <= slept[0] <= 21

    home(fed).remaining = 0
    home(fed).reset_in = 600
    result = sync(db, cfg)
    assert result.status == "limited" and "10 minutes" in result.message and "retry after" in result.message


def test_server_errors_are_retried_then_reported(fed, db, slept):
    world(fed, tagged=3)
    cfg = make_config(fed, mentions=False, hashtags=["acmecloud"])
    home(fed).fail("/api/v1/timelines/tag/acmecloud", 502, times=2)
    assert sync(db, cfg).status == "ok" and slept == [1.0, 2.0]
    home(fed).fail("/api/v1/timelines/tag/acmecloud", 503, times=3)
    result = sync(db, cfg)
    assert result.status == "failed" and "HTTP 503 3 times in a row" in result.message


def test_a_refused_token_is_one_sentence_naming_the_variable(fed, db):
    world(fed, tagged=1)
    result = sync(db, make_config(fed, token_env="ACME_MASTODON"), env={"ACME_MASTODON": "not-the-token-123"})
    assert result.status == "failed" and "ACME_MASTODON" in result.message and "not-the-token" not in result.message


# Replying -------------------------------------------------------------------------------------------------


def target_of(db, uri: str) -> ReplyTarget:
    from commwatch.app.replies import target_of as app_target_of
    from commwatch.store.mentions import get

    row = db.execute("SELECT id FROM mentions WHERE json_extract(extra, '$.uri') = ?", (uri,)).fetchone()
    return app_target_of(get(db, row[0]))


def test_a_reply_is_posted_once_to_the_right_status_with_the_mentions_and_visibility(fed, db):
    posts = world(fed, tagged=1)
    sync(db, make_config(fed))
    c = connector(fed)
    target = target_of(db, posts["complaint"].uri)
    posted = c.reply(target, "Sorry Dana, a fix is rolling out now.")
    [create] = home(fed).calls("/api/v1/statuses", "POST")
    assert create.body["status"] == f"@dana@{OTHER} @li@{OTHER} Sorry Dana, a fix is rolling out now."
    assert create.body["in_reply_to_id"] == home(fed).id_of(posts["complaint"])
    assert create.body["visibility"] == "public" and create.body["spoiler_text"] == "outage rant"
    assert c.find_reply(target, "Sorry Dana,  a fix is rolling out now.") == posted
    assert c.find_reply(target, "something else") is None

    dm_target = target_of(db, posts["dm"].uri)
    c.reply(dm_target, "We will check your invoice.")
    assert home(fed).calls("/api/v1/statuses", "POST")[-1].body["visibility"] == "direct"


def test_a_mention_read_on_another_server_is_answered_by_its_uri(fed, db):
    posts = world(fed, tagged=2)
    sync(db, make_config(fed, mentions=False, hashtags=["acmecloud"], public_instances=[fed.servers[OTHER].url]))
    other = fed.servers[OTHER]
    row = db.execute("SELECT remote_id FROM mentions WHERE remote_id = ?", (other.id_of(posts["complaint"]),)).fetchone()
    target = target_of(db, posts["complaint"].uri)
    target.remote_id, target.extra = other.id_of(posts["complaint"]), {**target.extra, "server": other.url, "id_here": None}
    connector(fed).reply(target, "Looking into it.")
    assert home(fed).calls("/api/v1/statuses", "POST")[-1].body["in_reply_to_id"] == home(fed).id_of(posts["complaint"])
    assert row is None or row[0]


def test_through_the_outbox_a_timed_out_post_is_found_not_repeated(fed, db, monkeypatch):
    posts = world(fed, tagged=1)
    cfg = make_config(fed)
    sync(db, cfg)
    monkeypatch.setattr(MastodonConnector, "timeout", 0.4)
    home(fed).delay("/api/v1/statuses", 1.2)
    session = Session(cfg, Path("unused.db"), conn=db, env=ENV)
    mention = db.execute("SELECT id FROM mentions WHERE json_extract(extra, '$.uri') = ?", (posts["complaint"].uri,)).fetchone()[0]
    first = session.replies.send(session.replies.draft(str(mention), "Thanks for the report, fixing now."))
    assert first.status == "pending" and "may or may not" in first.message
    time.sleep(1.4)
    assert [d.status for d in session.outbox.flush()] == ["sent"]
    assert len(home(fed).calls("/api/v1/statuses", "POST")) == 1


def test_the_servers_limit_is_checked_before_queuing(fed, db):
    posts = world(fed, tagged=1)
    home(fed).max_characters = 60
    cfg = make_config(fed)
    sync(db, cfg)
    session = Session(cfg, Path("unused.db"), conn=db, env=ENV)
    mention = db.execute("SELECT id FROM mentions WHERE json_extract(extra, '$.uri') = ?", (posts["complaint"].uri,)).fetchone()[0]
    from commwatch.app.errors import ActionError

    with pytest.raises(ActionError, match="allows 60"):
        session.replies.draft(str(mention), "x" * 51)  # 51 + "@dana @li " = 61
    assert not home(fed).calls("/api/v1/statuses", "POST")


def test_a_5xx_on_the_post_is_never_repeated_here(fed, db):
    posts = world(fed, tagged=1)
    sync(db, make_config(fed))
    home(fed).fail("/api/v1/statuses", 502)
    with pytest.raises(TransientError, match="may or may not"):
        connector(fed).reply(target_of(db, posts["complaint"].uri), "hello")
    assert len(home(fed).calls("/api/v1/statuses", "POST")) == 1


def test_replying_needs_the_token(fed):
    with pytest.raises(MissingCredentials):
        connector(fed, env={}).reply(ReplyTarget("mastodon", "1", "post", "dana"), "hi")


# Moderating --------------------------------------------------------------------------------------------------


def test_moderation_actions_reach_the_server(fed, db):
    posts = world(fed, tagged=1)
    sync(db, make_config(fed))
    c, server = connector(fed), home(fed)
    target = target_of(db, posts["complaint"].uri)
    account = target.extra["account_id"]
    for action in ("mute", "block", "mute-conversation"):
        c.moderate(target, action)
    assert account in server.muted and account in server.blocked and server.id_of(posts["complaint"]) in server.muted_statuses
    for action in ("unmute", "unblock", "unmute-conversation"):
        c.moderate(target, action)
    assert not server.muted and not server.blocked and not server.muted_statuses
    c.moderate(target, "report-forward", reason="spam links")
    assert server.reports[-1]["comment"] == "spam links" and server.reports[-1]["forward"] in (True, "1", "true", "True")
    c.moderate(target, "dismiss")
    assert target.extra["notification_id"] in server.dismissed
    with pytest.raises(PermanentError, match="admin = true"):
        c.moderate(target, "suspend")
    connector(fed, admin=True).moderate(target, "limit", reason="brigading")
    assert server.admin_actions == [(account, "silence")]


def test_moderate_through_the_cli(cli, workdir, fed):
    world(fed, tagged=1)
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.masto]\nconnector = "mastodon"\ninstance = "https://{HOME}"\n'
        f'api_base = "{home(fed).url}"\n'
    )
    assert cli("sync", "--quiet", env=ENV).returncode == 0
    mention = cli.json("inbox", "--json", "--search", "deploys", env=ENV)[0]["id"]
    r = cli("moderate", str(mention), "report", "--reason", "spam", env=ENV)
    assert r.returncode == 0, r.stderr
    assert "moderated: report (spam)" in cli("show", str(mention), env=ENV).stdout
    assert cli("moderate", str(mention), "report", "--days", "3", env=ENV).returncode != 0


def test_direct_messages_stay_out_of_reports_but_not_out_of_the_inbox(cli, workdir, fed):
    posts = world(fed, tagged=2)
    for i in range(3):  # the DM's words would otherwise recur
        fed.post(f"sam@{HOME}", f"<p>@{BRAND} invoice invoice problem {i}</p>", mentions=[f"{BRAND}@{HOME}"],
                 visibility="direct")  # fmt: skip
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.masto]\nconnector = "mastodon"\ninstance = "https://{HOME}"\n'
        f'api_base = "{home(fed).url}"\nhashtags = ["acmecloud"]\n'
    )
    assert cli("sync", "--quiet", env=ENV).returncode == 0
    inbox = cli.json("inbox", "--json", "--limit", "0", env=ENV)
    assert any(m["author"]["handle"] == f"sam@{HOME}" for m in inbox)
    report = cli("report", "--since", "3650d", "--json", env=ENV).stdout
    assert json.loads(report)["volume"]["total"] == len(inbox) - 4
    assert f"sam@{HOME}" not in report and "invoice" not in report
    assert posts["dm"].uri


def test_doctor_live_says_who_the_token_is(cli, workdir, fed):
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.masto]\nconnector = "mastodon"\ninstance = "https://{HOME}"\n'
        f'api_base = "{home(fed).url}"\n'
    )
    r = cli("doctor", "--live", env=ENV)
    assert f"signed in as {BRAND}@{HOME}" in r.stdout, r.stdout + r.stderr
    assert TOKEN not in r.stdout + r.stderr
    r = cli("doctor", env={})
    assert "MASTODON_ACCESS_TOKEN" in r.stdout
