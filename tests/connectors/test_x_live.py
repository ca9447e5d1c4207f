"""The live X connector against a fake X API v2 (tests/fakes/x_server.py), through the real sync engine and CLI."""

import json
import logging
import math
import signal
import socket
import sqlite3
import time

import pytest

from commwatch import config as config_module
from commwatch.connector import (
    ConnectorError,
    MissingCredentials,
    PermanentError,
    RateLimited,
    ReplyTarget,
    SourceConfig,
    TransientError,
)
from commwatch.exitcodes import ExitCode
from commwatch.store.db import open_store
from commwatch.store.mentions import load_cursors
from commwatch.app.sync import run_sync
from commwatch_x import XConnector
from fakes.x_server import running

BEARER = "AAAAbearer-secret-value-0001"
USER_KEYS = {
    "X_API_KEY": "consumer-key-value-0002",
    "X_API_SECRET": "consumer-secret-value-0003",
    "X_ACCESS_TOKEN": "2000000-access-token-value-0004",
    "X_ACCESS_TOKEN_SECRET": "access-token-secret-value-0005",
}
SECRETS = [BEARER, *USER_KEYS.values()]
ENV = {"X_BEARER_TOKEN": BEARER}
SEARCH, MENTIONS = "/2/tweets/search/recent", "/2/users/*/mentions"


@pytest.fixture
def x():
    with running() as fake:
        fake.add_user("acmecloud", me=True, followers=250000)
        yield fake


@pytest.fixture
def dana(x):
    return x.add_user("dana", followers=1200)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    """Sleeps the connector asked for, without sleeping; requests time out fast."""
    asked = []
    monkeypatch.setattr(XConnector, "sleep", staticmethod(asked.append))
    monkeypatch.setattr(XConnector, "timeout", (2.0, 2.0))
    return asked


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


def config(x, **sources):
    """sources: name -> options; every source is an x source pointed at the fake."""
    tables = {name: {"connector": "x", "api_base": x.url, **options} for name, options in sources.items()}
    cfg = config_module.parse({"sources": tables})
    config_module.validate_sources(cfg)
    return cfg


def one(x, **options):
    return config(x, bx={"query": "acme", **options})


def stored(db):
    return [r[0] for r in db.execute("SELECT remote_id FROM mentions")]


def by_name(result):
    return {s.name: s for s in result.sources}


def sync(db, cfg, env=ENV):
    return run_sync(db, cfg, env=env)


# Reading -----------------------------------------------------------------------


def test_first_sync_follows_every_token_and_a_quiet_sync_costs_one_request_per_stream(x, dana, db):
    ids = x.add_tweets(dana, 250, "acme is down again {i} @acmecloud")
    x.page_limit = 70  # short pages that still carry a token
    cfg = one(x, mentions="acmecloud")
    first = sync(db, cfg).sources[0]
    assert (first.status, first.new) == ("ok", 250), first.message
    assert sorted(stored(db)) == sorted(ids)
    pages = math.ceil(250 / 70)
    assert x.count("GET", SEARCH) == pages and x.count("GET", MENTIONS) == pages
    assert x.count("GET", "/2/users/by/username/acmecloud") == 1
    assert first.requests == 2 * pages + 1
    request = x.log("GET", SEARCH)[0]
    assert request.auth == "Bearer" and request.query["query"] == "acme" and request.query["max_results"] == "100"
    assert request.query["expansions"] == "author_id"
    assert set(request.query["user.fields"].split(",")) == {"username", "name", "public_metrics", "verified"}
    assert set(request.query["tweet.fields"].split(",")) >= {"created_at", "conversation_id", "referenced_tweets"}
    assert "pagination_token" in x.log("GET", MENTIONS)[1].query and "next_token" in x.log("GET", SEARCH)[1].query
    row = db.execute("SELECT author_handle, author_followers, url FROM mentions WHERE remote_id = ?", (ids[0],)).fetchone()
    assert tuple(row) == ("dana", 1200, f"https://x.com/dana/status/{ids[0]}")

    x.reset_log()
    second = sync(db, cfg).sources[0]
    assert (second.status, second.new) == ("ok", 0)
    assert [(r.method, r.path.split("/")[-1]) for r in x.log()] == [("GET", "recent"), ("GET", "mentions")]
    assert all(r.query["since_id"] == max(ids, key=int) for r in x.log())
    assert second.requests == 2


def test_new_posts_arrive_on_the_next_sync_exactly_once(x, dana, db):
    x.add_tweets(dana, 30, "acme {i}")
    cfg = one(x)
    sync(db, cfg)
    fresh = x.add_tweets(dana, 3, "acme again {i}")
    result = sync(db, cfg).sources[0]
    assert (result.status, result.new) == ("ok", 3)
    assert sync(db, cfg).sources[0].new == 0
    assert len(stored(db)) == 33 == len(set(stored(db)))
    assert load_cursors(db, "bx")["search"]["since_id"] == fresh[-1]


def test_a_rate_limit_midway_keeps_the_pages_and_the_next_sync_resumes(x, dana, db, sleeps):
    ids = x.add_tweets(dana, 250, "acme {i}")
    reset = int(time.time()) + 900
    x.inject("429", reset=reset, path=SEARCH, after=1)
    cfg = one(x)
    failed = sync(db, cfg).sources[0]
    assert failed.status == "limited" and failed.new == 100
    assert "rate limit" in failed.message and "about 15 min" in failed.message
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(reset)) in failed.message  # when to retry
    assert sleeps == [] and x.count("GET", SEARCH) == 2  # 900 s is beyond rate_limit_wait: no waiting, no retry
    cursor = load_cursors(db, "bx")["search"]
    assert cursor["next_token"] and cursor["pending_newest"] == ids[-1] and "since_id" not in cursor

    later = x.add_tweets(dana, 5, "acme later {i}")  # posted while the source waits
    x.reset_log()
    resumed = sync(db, cfg).sources[0]
    assert (resumed.status, resumed.new) == ("ok", 150)
    assert x.log("GET", SEARCH)[0].query["next_token"] == cursor["next_token"]
    assert sync(db, cfg).sources[0].new == 5
    assert sorted(stored(db)) == sorted(ids + later)


def test_the_usage_cap_is_reported_and_never_retried(x, dana, db, sleeps):
    x.add_tweets(dana, 5, "acme {i}")
    x.inject("usage-capped", times=10)
    result = sync(db, one(x)).sources[0]
    assert result.status == "limited" and result.message.startswith("monthly usage cap reached")
    assert x.count() == 1 and sleeps == []


def test_a_429_without_a_reset_header_is_not_retried(x, dana, db, sleeps):
    x.add_tweets(dana, 5, "acme {i}")
    x.inject("429", reset=None, times=10)
    result = sync(db, one(x)).sources[0]
    assert result.status == "limited" and "did not say when it resets" in result.message
    assert "retry after" not in result.message and x.count() == 1 and sleeps == []


def test_a_rate_limit_that_resets_within_rate_limit_wait_is_waited_for(x, dana, db, sleeps):
    ids = x.add_tweets(dana, 150, "acme {i}")
    x.inject("429", reset=int(time.time()) + 5, after=1)
    result = sync(db, one(x, rate_limit_wait=30)).sources[0]
    assert (result.status, result.new) == ("ok", 150)
    assert len(sleeps) == 1 and 4 <= sleeps[0] <= 31
    assert x.count("GET", SEARCH) == 3 and sorted(stored(db)) == sorted(ids)


def test_server_errors_are_retried_with_backoff(x, dana, db, sleeps):
    x.add_tweets(dana, 20, "acme {i}")
    x.inject("5xx", status=503, times=2)
    result = sync(db, one(x)).sources[0]
    assert (result.status, result.new) == ("ok", 20)
    assert sleeps == [0.5, 1.0] and x.count("GET", SEARCH) == 3 and result.requests == 3


def test_server_errors_that_persist_fail_only_that_source(x, dana, db, sleeps):
    x.add_tweets(dana, 20, "acme {i} @acmecloud")
    x.inject("5xx", status=502, times=100, path=SEARCH)
    result = by_name(sync(db, config(x, searching={"query": "acme"}, mentioned={"mentions": "@acmecloud"})))
    assert result["searching"].status == "failed"
    assert result["searching"].message == "X answered 502 to recent search 3 times in a row; the next sync will try again"
    assert (result["mentioned"].status, result["mentioned"].new) == ("ok", 20)
    assert x.count("GET", SEARCH) == 3


def test_timeouts_are_retried_then_reported(x, dana, db, monkeypatch):
    monkeypatch.setattr(XConnector, "timeout", (0.3, 0.3))
    x.add_tweets(dana, 5, "acme {i}")
    x.inject("slow", delay=1)
    assert sync(db, one(x)).sources[0].new == 5  # one slow answer: retried
    x.inject("slow", delay=1, times=3)
    result = sync(db, one(x)).sources[0]
    assert result.status == "failed" and result.message.startswith("X took too long to answer recent search 3 times")


def test_an_unreachable_api_is_retried_then_reported(db, sleeps):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = config_module.parse({"sources": {"bx": {"connector": "x", "api_base": f"http://127.0.0.1:{port}", "query": "acme"}}})
    result = sync(db, cfg).sources[0]
    assert result.status == "failed" and result.message.startswith("could not reach X (ConnectionError) for recent search 3 times")
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("fault", ["malformed", "not-x"])
def test_a_malformed_page_fails_the_source_and_keeps_earlier_pages(x, dana, db, fault):
    ids = x.add_tweets(dana, 250, "acme {i}")
    x.inject(fault, after=1)
    cfg = one(x)
    result = sync(db, cfg).sources[0]
    assert result.status == "failed" and "malformed recent search page" in result.message
    assert result.new == 100 and len(stored(db)) == 100
    assert sync(db, cfg).sources[0].status == "ok"
    assert sorted(stored(db)) == sorted(ids)


def test_an_errors_array_beside_data_keeps_the_posts(x, dana, db):
    ids = x.add_tweets(dana, 12, "acme {i}")
    x.inject("errors")
    result = sync(db, one(x)).sources[0]
    assert (result.status, result.new) == ("ok", 12) and sorted(stored(db)) == sorted(ids)


def test_max_per_sync_bounds_the_reads_and_the_next_syncs_carry_on(x, dana, db):
    ids = x.add_tweets(dana, 250, "acme {i}")
    cfg = one(x, max_per_sync=120)
    assert sync(db, cfg).sources[0].new == 120
    assert [r.query["max_results"] for r in x.log("GET", SEARCH)] == ["100", "20"]
    assert load_cursors(db, "bx")["search"]["next_token"]
    assert sync(db, cfg).sources[0].new == 120
    assert sync(db, cfg).sources[0].new == 10
    assert sorted(stored(db)) == sorted(ids) and "next_token" not in load_cursors(db, "bx")["search"]


def test_a_token_x_no_longer_accepts_restarts_the_run(x, dana, db):
    ids = x.add_tweets(dana, 250, "acme {i}")
    cfg = one(x, max_per_sync=100)
    sync(db, cfg)
    x.expire_tokens()
    x.reset_log()
    result = sync(db, config(x, bx={"query": "acme"})).sources[0]
    assert result.status == "ok", result.message
    assert x.log("GET", SEARCH)[0].status == 400 and "next_token" not in x.log("GET", SEARCH)[1].query
    assert sorted(stored(db)) == sorted(ids)


def test_a_since_id_older_than_the_search_window_is_dropped(x, dana, db):
    x.add_tweets(dana, 10, "acme {i}")
    cfg = one(x)
    sync(db, cfg)
    newer = x.add_tweets(dana, 2, "acme {i}")
    x.oldest_since_id = int(newer[0])  # the stored since_id fell out of the 7-day window
    result = sync(db, cfg).sources[0]
    assert (result.status, result.new, result.updated) == ("ok", 2, 0)
    assert len(stored(db)) == 12


def test_a_changed_query_starts_afresh(x, dana, db):
    x.add_tweets(dana, 5, "acme {i}")
    sync(db, one(x))
    x.reset_log()
    sync(db, config(x, bx={"query": "acme is"}))
    assert "since_id" not in x.log("GET", SEARCH)[0].query


def test_missing_bearer_token_skips_the_source(x, db):
    result = sync(db, one(x), env={}).sources[0]
    assert (result.status, result.message) == ("skipped", "set X_BEARER_TOKEN to enable it")
    assert x.count() == 0


@pytest.mark.parametrize(
    "options, key, words",
    [
        ({}, "query", "set query, mentions or both"),
        ({"query": "  "}, "query", "non-empty"),
        ({"mentions": "acme cloud"}, "mentions", "X username"),
        ({"query": "acme", "max_per_sync": 0}, "max_per_sync", "above 0"),
        ({"query": "acme", "max_per_sync": True}, "max_per_sync", "whole number"),
        ({"query": "acme", "rate_limit_wait": -1}, "rate_limit_wait", "0 or more"),
    ],
)
def test_option_errors_are_config_errors_naming_the_key(x, options, key, words):
    with pytest.raises(config_module.ConfigError) as info:
        config(x, bx=options)  # checked when the config is read, before any credential is needed
    assert info.value.key == f"sources.bx.{key}" and words in str(info.value)


def test_an_unknown_mentions_account_is_one_clear_line(x, db):
    result = sync(db, config(x, bx={"mentions": "nobody_here"})).sources[0]
    assert result.status == "failed" and result.message == (
        "X has no account @nobody_here to watch for mentions (check the source's mentions option)"
    )


def test_a_rejected_bearer_token_names_the_variable_and_never_the_secret(x, db):
    x.bearer = "the-right-one"
    result = sync(db, one(x)).sources[0]
    assert result.status == "failed" and "check X_BEARER_TOKEN" in result.message
    assert not any(secret in result.message for secret in SECRETS)


def test_debug_logging_never_shows_the_bearer_token(x, dana, db, caplog):
    x.add_tweets(dana, 3, "acme {i}")
    with caplog.at_level(logging.DEBUG):
        assert sync(db, one(x)).sources[0].new == 3
    assert "Received API response" in caplog.text and BEARER not in caplog.text


def test_a_forbidden_read_names_the_plan(x, db):
    x.inject("status", status=403, detail="When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.")
    result = sync(db, one(x)).sources[0]
    assert result.status == "failed" and "plan or project does not allow it" in result.message


# Writing -----------------------------------------------------------------------


def connector(x, env=None, **options):
    source = SourceConfig(name="bx", connector="x", api_base=x.url, options={"query": "acme", **options})
    return XConnector(source, {**ENV, **USER_KEYS} if env is None else env)


def target(x, tweet_id):
    tweet = x.tweets[tweet_id]
    return ReplyTarget("x", tweet_id, "post", x.users[tweet["author_id"]]["username"], thread_id=tweet["conversation_id"])


def test_reply_posts_once_and_find_reply_finds_it(x, dana):
    mention = target(x, x.add_tweet(dana, "acme billed me twice & nobody answers"))
    other = target(x, x.add_tweet(dana, "acme, another thing"))
    cx = connector(x)
    text = "Hi Dana, sorry & thanks: DM us at https://acme.example/help"
    assert cx.find_reply(mention, text) is None
    posted = cx.reply(mention, text)
    assert posted.remote_id in x.tweets and posted.url == f"https://x.com/acmecloud/status/{posted.remote_id}"
    [post] = x.log("POST", "/2/tweets")
    assert post.auth == "OAuth" and post.body == {"text": text, "reply": {"in_reply_to_tweet_id": mention.remote_id}}
    assert x.tweets[posted.remote_id]["text"].startswith("@dana Hi Dana, sorry &amp; thanks")  # as X serves it
    assert cx.find_reply(mention, text) == posted
    assert cx.find_reply(mention, "  Hi Dana,  sorry & thanks: DM us at https://t.co/xyz ") == posted
    assert cx.find_reply(mention, "a different text") is None
    assert cx.find_reply(other, text) is None
    assert x.count("POST") == 1 and x.count("GET", "/2/users/me") == 1
    timeline = x.log("GET", "/2/users/*/tweets")[-1]
    assert timeline.auth == "OAuth" and timeline.query["since_id"] == other.remote_id


def test_find_reply_walks_every_page_of_our_posts(x, dana):
    mention = target(x, x.add_tweet(dana, "acme?"))
    cx = connector(x)
    posted = cx.reply(mention, "first")
    for i in range(230):
        x.add_tweet(x.me, f"unrelated post {i}")
    assert cx.find_reply(mention, "first").remote_id == posted.remote_id
    assert x.count("GET", "/2/users/*/tweets") == 3


def test_a_reply_is_never_retried_and_a_timed_out_one_is_found_afterwards(x, dana, monkeypatch, sleeps):
    mention = target(x, x.add_tweet(dana, "acme?"))
    cx = connector(x)
    x.inject("5xx", status=503, method="POST")
    with pytest.raises(TransientError, match="may or may not have taken effect"):
        cx.reply(mention, "sorry")
    assert x.count("POST") == 1 and sleeps == []
    assert cx.find_reply(mention, "sorry") is None  # the 503 posted nothing

    monkeypatch.setattr(XConnector, "timeout", (0.3, 0.3))
    slow = connector(x)
    x.inject("slow", delay=0.8, method="POST")  # X posts it, but answers too late
    with pytest.raises(TransientError, match="took too long"):
        slow.reply(mention, "sorry")
    assert x.count("POST") == 2
    deadline = time.time() + 5
    while time.time() < deadline and not any(t["author_id"] == x.me for t in x.tweets.values()):
        time.sleep(0.05)
    found = connector(x).find_reply(mention, "sorry")
    assert found is not None and x.tweets[found.remote_id]["referenced_tweets"][0]["id"] == mention.remote_id


def test_reply_refusals(x, dana):
    mention = target(x, x.add_tweet(dana, "acme?"))
    cx = connector(x)
    cx.reply(mention, "same words")
    with pytest.raises(PermanentError, match="duplicate content"):
        cx.reply(mention, "same words")
    x.inject("429", reset=int(time.time()) + 600, method="POST")
    with pytest.raises(RateLimited) as info:
        cx.reply(mention, "other words")
    assert info.value.retry_at is not None
    x.inject("status", status=401, method="POST")
    with pytest.raises(ConnectorError) as info:
        cx.reply(mention, "other words")
    message = str(info.value)
    assert "X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET" in message
    assert not any(secret in message for secret in SECRETS)
    with pytest.raises(PermanentError, match="empty"):
        cx.reply(mention, "  ")


def test_writes_need_the_user_context_keys(x, dana):
    mention = target(x, x.add_tweet(dana, "acme?"))
    cx = connector(x, env={**ENV, "X_API_KEY": "k"})
    for call in (lambda: cx.reply(mention, "hi"), lambda: cx.find_reply(mention, "hi"),
                 lambda: cx.moderate(mention, "hide")):  # fmt: skip
        with pytest.raises(MissingCredentials) as info:
            call()
        assert info.value.variables == ["X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"]
    assert x.count() == 0


def test_hide_and_unhide_a_reply_to_our_post(x, dana):
    ours = x.add_tweet(x.me, "We are back up, sorry for the outage")
    rude = x.add_tweet(dana, "acme you clowns", reply_to=ours)
    elsewhere = x.add_tweet(dana, "acme elsewhere")
    reply_elsewhere = x.add_tweet(x.add_user("erin"), "agreed", reply_to=elsewhere)
    cx = connector(x)
    cx.moderate(target(x, rude), "hide")
    assert x.tweets[rude]["hidden"] is True
    cx.moderate(target(x, rude), "unhide")
    assert x.tweets[rude]["hidden"] is False
    puts = x.log("PUT")
    assert [(r.path, r.body, r.auth) for r in puts] == [
        (f"/2/tweets/{rude}/hidden", {"hidden": True}, "OAuth"),
        (f"/2/tweets/{rude}/hidden", {"hidden": False}, "OAuth"),
    ]
    with pytest.raises(PermanentError, match="only replies in a conversation our account started can be hidden"):
        cx.moderate(target(x, reply_elsewhere), "hide")
    with pytest.raises(PermanentError, match="no moderation action 'remove'"):
        cx.moderate(target(x, rude), "remove")
    with pytest.raises(PermanentError, match="cannot ban"):
        cx.moderate(target(x, rude), "hide", ban=True)
    assert x.count("PUT") == 3


# Through the command line ---------------------------------------------------------


def write_config(workdir, x, **options):
    table = {"connector": "x", "api_base": x.url, "query": "acme", **options}
    lines = ['[store]\npath = "inbox.db"\n', "[sources.brand-x]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    (workdir / "commwatch.toml").write_text("\n".join(lines) + "\n")


def test_cli_sync_then_a_quiet_resync(cli, workdir, x, dana):
    ids = x.add_tweets(dana, 130, "acme down {i} @acmecloud")
    write_config(workdir, x, mentions="acmecloud")
    r = cli("sync", "--json", env=ENV)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new"] == 130
    x.reset_log()
    r = cli("sync", "--json", env=ENV)
    assert (r.returncode, json.loads(r.stdout)["new"]) == (0, 0)
    assert x.count() == 2
    inbox = cli.json("inbox", "--limit", "1000")
    assert sorted(m["remote_id"] for m in inbox) == sorted(ids)


def test_cli_without_the_bearer_token_skips_and_says_what_to_set(cli, workdir, x):
    write_config(workdir, x)
    r = cli("sync")
    assert r.returncode == ExitCode.OK
    assert "X_BEARER_TOKEN" in r.stdout + r.stderr and x.count() == 0


def test_cli_never_prints_a_secret(cli, workdir, x, dana):
    x.add_tweets(dana, 3, "acme {i}")
    x.bearer = "something-else"
    write_config(workdir, x)
    r = cli("sync", env={**ENV, **USER_KEYS})
    assert r.returncode == ExitCode.FAILED and "X_BEARER_TOKEN" in r.stdout + r.stderr
    assert not any(secret in r.stdout + r.stderr for secret in SECRETS)
    assert all(secret not in json.dumps(rec.headers) for rec in x.log() for secret in SECRETS)


def test_cli_a_sync_killed_midway_resumes_with_every_post_once(cli, workdir, x, dana):
    ids = x.add_tweets(dana, 250, "acme {i}")
    x.page_limit = 50
    x.inject("slow", delay=60, path=SEARCH, after=3)  # the fourth page hangs
    write_config(workdir, x)
    proc = cli.popen("sync", "--quiet", env=ENV)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and _count(workdir / "inbox.db") < 150:
            time.sleep(0.1)
        assert _count(workdir / "inbox.db") == 150
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    x.reset_log()
    r = cli("sync", "--quiet", env=ENV)
    assert r.returncode == 0, r.stderr
    assert x.count("GET", SEARCH) == 2 and "next_token" in x.log("GET", SEARCH)[0].query
    stored_ids = [m["remote_id"] for m in cli.json("inbox", "--limit", "1000")]
    assert sorted(stored_ids) == sorted(ids)


def _count(path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
    except sqlite3.Error:
        return 0
