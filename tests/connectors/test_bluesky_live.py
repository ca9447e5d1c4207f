"""The Bluesky connector through the real atproto client against a fake Bluesky, the sync engine, outbox and CLI."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path

import pytest

from commwatch import config as config_module
from commwatch.app.session import Session
from commwatch.app.sync import run_sync
from commwatch.connector import PermanentError, ReplyTarget, SourceConfig, TransientError
from commwatch.store.db import open_store
from commwatch_bluesky import BlueskyConnector
from commwatch_bluesky.writes import graphemes
from fakes.bluesky_server import BRAND, ENV, PASSWORD, BlueskyFake, did_of


@pytest.fixture
def sky():
    fake = BlueskyFake()
    with fake.serving():
        yield fake


@pytest.fixture(autouse=True)
def slept(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(BlueskyConnector, "sleep", staticmethod(waits.append))
    return waits


@pytest.fixture
def env(tmp_path):
    return {**ENV, "XDG_STATE_HOME": str(tmp_path / "state")}


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


def world(fake: BlueskyFake, posts: int = 30) -> dict:
    complaint = fake.post("dana.bsky.social", f"@{BRAND} deploys fail, see status.acme.dev/incid...", mentions=[BRAND],
                          links={"status.acme.dev/incid...": "https://status.acme.dev/incidents/42"})  # fmt: skip
    ours = fake.post(BRAND, "We are looking into the acme deploy failures")
    answer = fake.post("li.bsky.social", "still failing for me on acme", reply_to=ours)
    quote = fake.post("kim.bsky.social", "acme cloud, this is bad", quote=ours)
    for i in range(posts):
        fake.post(f"user{i}.bsky.social", f"trying acme cloud number {i}")
    return {"complaint": complaint, "ours": ours, "answer": answer, "quote": quote}


def make_config(fake: BlueskyFake, **options) -> config_module.Config:
    cfg = config_module.parse({"sources": {"sky": {"connector": "bluesky", "api_base": fake.url, **options}}})
    config_module.validate_sources(cfg)
    return cfg


def sync(db, cfg, env):
    [source] = run_sync(db, cfg, env=env).sources
    return source


def stored(db) -> dict[str, dict]:
    return {r["remote_id"]: dict(r) for r in db.execute("SELECT * FROM mentions")}


def connector(fake: BlueskyFake, env, **options) -> BlueskyConnector:
    return BlueskyConnector(SourceConfig("sky", "bluesky", api_base=fake.url, options={"query": "acme", **options}), env)


# Fetching -------------------------------------------------------------------------------------------------


def test_first_sync_stores_everything_and_a_second_asks_one_request_per_stream(sky, db, env):
    posts = world(sky, posts=150)
    cfg = make_config(sky, query="acme", backfill=500)
    first = sync(db, cfg, env)
    assert first.status == "ok", first.message
    rows = stored(db)
    assert set(rows) == {p.uri for p in sky.posts}
    complaint = rows[posts["complaint"].uri]
    assert complaint["kind"] == "mention" and complaint["author_handle"] == "dana.bsky.social"
    assert complaint["text"] == f"@{BRAND} deploys fail, see https://status.acme.dev/incidents/42"
    assert complaint["url"] == f"https://bsky.app/profile/dana.bsky.social/post/{posts['complaint'].uri.rsplit('/', 1)[1]}"
    answer = rows[posts["answer"].uri]
    assert answer["parent_id"] == posts["ours"].uri and answer["thread_id"] == posts["ours"].uri
    assert json.loads(rows[posts["quote"].uri]["extra"])["quoted"] == posts["ours"].uri
    assert rows[posts["ours"].uri]["ours"] == 1
    searches = sky.calls("app.bsky.feed.searchPosts")
    assert [s.params.get("cursor", [None])[0] for s in searches] == [None, "100"]

    before = len(sky.requests)
    second = sync(db, cfg, env)
    assert second.status == "ok" and second.new == 0 and second.requests == 2
    assert [r.nsid for r in sky.requests[before:]] == ["app.bsky.notification.listNotifications", "app.bsky.feed.searchPosts"]
    assert sky.calls("app.bsky.feed.searchPosts")[-1].params["since"] == [max(json.loads(r["extra"])["indexed_at"]
                                                                              for r in rows.values())]  # fmt: skip
    assert sky.sessions_created == 1  # the session was kept between runs


def test_new_posts_arrive_and_the_first_sync_backfills_at_most_backfill(sky, db, env):
    world(sky, posts=60)
    cfg = make_config(sky, query="acme", mentions=False, backfill=20)
    sync(db, cfg, env)
    assert len(stored(db)) == 20
    fresh = [sky.post(f"new{i}.bsky.social", f"acme news {i}") for i in range(130)]
    result = sync(db, cfg, env)
    assert result.new == 130 and {p.uri for p in fresh} <= set(stored(db))


def test_a_killed_search_resumes_with_until_without_gaps_or_repeats(cli, workdir, sky, env):
    world(sky, posts=20)
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.sky]\nconnector = "bluesky"\napi_base = "{sky.url}"\nquery = "acme"\n'
        "mentions = false\nbackfill = 1000\n"
    )
    assert cli("sync", "--quiet", env=env).returncode == 0
    for i in range(350):
        sky.post(f"wave{i}.bsky.social", f"acme wave {i}")
    release = sky.pause("app.bsky.feed.searchPosts", skip=2)  # hold the third page
    proc = cli.popen("sync", "--quiet", env=env)
    conn = open_store(workdir / "inbox.db")
    try:
        assert sky.paused.wait(60)
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM mentions").fetchone()[0] < 24 + 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 224  # 24 before, then two pages
    late = sky.post("late.bsky.social", "acme posted while the sync was down")
    r = cli("sync", "--json", env=env)
    assert r.returncode == 0, r.stderr
    resumed = sky.calls("app.bsky.feed.searchPosts")[4]
    assert "until" in resumed.params  # went on from where it stopped, not from the top
    assert {row[0] for row in conn.execute("SELECT remote_id FROM mentions")} == {p.uri for p in sky.posts} - {late.uri}
    cli("sync", "--quiet", env=env)
    assert conn.execute("SELECT count(*) FROM mentions WHERE remote_id = ?", (late.uri,)).fetchone()[0] == 1


def test_an_expired_session_is_refreshed_and_a_revoked_one_signs_in_again(sky, db, env):
    world(sky, posts=3)
    cfg = make_config(sky, query="acme")
    sync(db, cfg, env)
    sky.expire_tokens()  # the server no longer takes the access token: refresh, or sign in
    sky.revoke_refresh()
    sky.post("new.bsky.social", "acme after the revoke")
    result = sync(db, cfg, env)
    assert result.status == "ok" and result.new == 1 and sky.sessions_created == 2


def test_the_session_file_is_private_and_no_secret_reaches_the_database(sky, db, env, tmp_path):
    world(sky, posts=2)
    sync(db, make_config(sky, query="acme"), env)
    [state] = list((tmp_path / "state" / "commwatch" / "bluesky").iterdir())
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    token = state.read_text().split("::")[2]
    dump = "\n".join(db.iterdump())
    assert token not in dump and PASSWORD not in dump


def test_missing_credentials_skip_the_source_saying_search_needs_them(sky, db, tmp_path):
    result = sync(db, make_config(sky, query="acme"), {"XDG_STATE_HOME": str(tmp_path)})
    assert result.status == "skipped"
    assert result.message == ("set BLUESKY_HANDLE, BLUESKY_APP_PASSWORD to enable it "
                              "(Bluesky's search and notifications need a signed-in account)")  # fmt: skip


def test_a_wrong_password_is_one_sentence_without_it(sky, db, tmp_path):
    result = sync(db, make_config(sky, query="acme"), {**ENV, "BLUESKY_APP_PASSWORD": "wrong-pass-1234",
                                                        "XDG_STATE_HOME": str(tmp_path)})  # fmt: skip
    assert result.status == "failed" and "BLUESKY_APP_PASSWORD" in result.message and "wrong-pass" not in result.message


def test_a_short_429_is_waited_out_and_a_long_one_stops_the_source(sky, db, env, slept):
    world(sky, posts=3)
    cfg = make_config(sky, query="acme")
    sync(db, cfg, env)
    sky.limit_next(1, reset_in=12)
    assert sync(db, cfg, env).status == "ok" and len(slept) == 1 and 10 <= slept[0] <= 13
    sky.limit_next(5, reset_in=900)
    result = sync(db, cfg, env)
    assert result.status == "limited" and "15 minutes" in result.message and "retry after" in result.message


def test_server_errors_are_retried_then_reported(sky, db, env, slept):
    world(sky, posts=3)
    cfg = make_config(sky, query="acme", mentions=False)
    sky.fail("app.bsky.feed.searchPosts", 503, times=2)
    assert sync(db, cfg, env).status == "ok" and slept == [1.0, 2.0]
    sky.fail("app.bsky.feed.searchPosts", 500, times=3)
    result = sync(db, cfg, env)
    assert result.status == "failed" and "HTTP 500 3 times in a row" in result.message


# Replying ---------------------------------------------------------------------------------------------------


def target_of(db, uri: str) -> ReplyTarget:
    from commwatch.app.replies import target_of as app_target_of
    from commwatch.store.mentions import get

    row = db.execute("SELECT id FROM mentions WHERE remote_id = ?", (uri,)).fetchone()
    return app_target_of(get(db, row[0]))


def test_a_reply_is_posted_once_as_a_proper_reply_and_find_reply_finds_it(sky, db, env):
    posts = world(sky, posts=2)
    sync(db, make_config(sky, query="acme"), env)
    c = connector(sky, env)
    target = target_of(db, posts["answer"].uri)  # a reply in our thread: its root is our post
    posted = c.reply(target, "Sorry Li, a fix is rolling out now.")
    [create] = [r for r in sky.calls("com.atproto.repo.createRecord") if r.body["collection"] == "app.bsky.feed.post"]
    record = create.body["record"]
    strip = lambda ref: {k: v for k, v in ref.items() if k != "$type"}  # noqa: E731 (the SDK adds the type)
    assert record["text"] == "Sorry Li, a fix is rolling out now." and create.body["repo"] == did_of(BRAND)
    assert strip(record["reply"]["parent"]) == {"uri": posts["answer"].uri, "cid": posts["answer"].cid}
    assert strip(record["reply"]["root"]) == {"uri": posts["ours"].uri, "cid": posts["ours"].cid}
    assert posted.url.startswith(f"https://bsky.app/profile/{BRAND}/post/")
    assert c.find_reply(target, "Sorry Li,  a fix is rolling out now.") == posted
    assert c.find_reply(target, "another text") is None

    top = target_of(db, posts["complaint"].uri)  # a top-level post is its own root
    c.reply(top, "Thanks Dana!")
    last = sky.calls("com.atproto.repo.createRecord")[-1].body["record"]["reply"]
    assert strip(last["root"]) == strip(last["parent"]) == {"uri": posts["complaint"].uri, "cid": posts["complaint"].cid}


def test_through_the_outbox_a_timed_out_reply_is_found_not_repeated(sky, db, env, monkeypatch):
    posts = world(sky, posts=2)
    cfg = make_config(sky, query="acme")
    sync(db, cfg, env)
    monkeypatch.setattr(BlueskyConnector, "timeout", 0.4)
    sky.delay("com.atproto.repo.createRecord", 1.2)
    session = Session(cfg, Path("unused.db"), conn=db, env=env)
    mention = db.execute("SELECT id FROM mentions WHERE remote_id = ?", (posts["complaint"].uri,)).fetchone()[0]
    first = session.replies.send(session.replies.draft(str(mention), "Thanks for the report, fixing now."))
    assert first.status == "pending" and "may or may not" in first.message
    time.sleep(1.4)
    assert [d.status for d in session.outbox.flush()] == ["sent"]
    assert len(sky.calls("com.atproto.repo.createRecord")) == 1


def test_300_graphemes_are_checked_before_queuing(sky, db, env):
    posts = world(sky, posts=1)
    cfg = make_config(sky, query="acme")
    sync(db, cfg, env)
    session = Session(cfg, Path("unused.db"), conn=db, env=env)
    mention = db.execute("SELECT id FROM mentions WHERE remote_id = ?", (posts["complaint"].uri,)).fetchone()[0]
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points
    assert graphemes(family * 300) == 300 and graphemes("e\u0301" * 3 + "\U0001f1e9\U0001f1ea") == 4
    session.replies.draft(str(mention), family * 300)  # 1,500 code points, 300 graphemes: fine
    from commwatch.app.errors import ActionError

    with pytest.raises(ActionError, match="301 characters; Bluesky allows 300"):
        session.replies.draft(str(mention), "x" * 301)


def test_a_5xx_on_the_post_is_never_repeated_here(sky, db, env):
    posts = world(sky, posts=1)
    sync(db, make_config(sky, query="acme"), env)
    sky.fail("com.atproto.repo.createRecord", 502)
    with pytest.raises(TransientError, match="may or may not"):
        connector(sky, env).reply(target_of(db, posts["complaint"].uri), "hello")
    assert len(sky.calls("com.atproto.repo.createRecord")) == 1


# Moderating ----------------------------------------------------------------------------------------------------


def test_each_moderation_action_reaches_its_endpoint(sky, db, env):
    posts = world(sky, posts=1)
    sync(db, make_config(sky, query="acme"), env)
    c = connector(sky, env)
    complaint, answer = target_of(db, posts["complaint"].uri), target_of(db, posts["answer"].uri)
    dana = did_of("dana.bsky.social")
    c.moderate(complaint, "mute")
    assert dana in sky.muted
    c.moderate(complaint, "unmute")
    assert dana not in sky.muted
    c.moderate(complaint, "block")
    assert [r["subject"] for k, r in sky.records.items() if k[1] == "app.bsky.graph.block"] == [dana]
    c.moderate(complaint, "unblock")
    assert not [k for k in sky.records if k[1] == "app.bsky.graph.block"]
    c.moderate(complaint, "mute-thread")
    assert posts["complaint"].uri in sky.muted_threads
    c.moderate(answer, "hide")  # a reply in the thread our post started
    [gate] = [r for k, r in sky.records.items() if k[1] == "app.bsky.feed.threadgate"]
    assert gate["post"] == posts["ours"].uri and gate["hiddenReplies"] == [posts["answer"].uri]
    with pytest.raises(PermanentError, match="thread the brand's account started"):
        c.moderate(complaint, "hide")
    c.moderate(complaint, "report", reason="impersonating our support")
    c.moderate(complaint, "report-spam")
    assert [(r["reasonType"].split("#")[1], r["reason"], r["subject"]["uri"]) for r in sky.reports] == [
        ("reasonOther", "impersonating our support", posts["complaint"].uri), ("reasonSpam", "", posts["complaint"].uri)]


def test_moderate_through_the_cli(cli, workdir, sky, env):
    world(sky, posts=1)
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.sky]\nconnector = "bluesky"\napi_base = "{sky.url}"\nquery = "acme"\n'
    )
    assert cli("sync", "--quiet", env=env).returncode == 0
    mention = cli.json("inbox", "--json", "--search", "deploys", env=env)[0]["id"]
    r = cli("moderate", str(mention), "report", "--reason", "spam links", env=env)
    assert r.returncode == 0, r.stderr
    assert "moderated: report (spam links)" in cli("show", str(mention), env=env).stdout


def test_doctor_live_says_who_is_signed_in(cli, workdir, sky, env):
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.sky]\nconnector = "bluesky"\napi_base = "{sky.url}"\nquery = "acme"\n'
    )
    r = cli("doctor", "--live", env=env)
    assert f"signed in as @{BRAND}" in r.stdout, r.stdout + r.stderr
    assert PASSWORD not in r.stdout + r.stderr


def test_an_unreachable_server_is_one_sentence_for_the_source_not_one_per_stream(db, env):
    cfg = config_module.parse({"sources": {"sky": {"connector": "bluesky", "api_base": "http://127.0.0.1:9",
                                                   "query": "acme"}}})  # fmt: skip
    config_module.validate_sources(cfg)
    result = sync(db, cfg, env)
    assert result.status == "failed"
    assert result.message == "mentions: Bluesky did not answer the sign-in (could not connect); try again later"
