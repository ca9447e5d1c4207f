"""The live Reddit connector against a fake Reddit over real HTTP, through the real engine and CLI."""

import json
import signal
import sqlite3
import time
from dataclasses import dataclass

import prawcore.sessions
import pytest

from commwatch import config as config_module
from commwatch import registry
from commwatch.connector import (
    FETCH,
    MODERATE,
    REPLY,
    MissingCredentials,
    PermanentError,
    ReplyTarget,
    SourceConfig,
    SourceOptionError,
    TransientError,
)
from commwatch.exitcodes import ExitCode
from commwatch.store.db import open_store
from commwatch.store.mentions import load_cursors
from commwatch.app.sync import run_sync
from commwatch_reddit import RedditConnector

from fakes.reddit_server import CLIENT_ID, CLIENT_SECRET, PASSWORD, REFRESH_TOKEN, USERNAME, FakeReddit

SCRIPT_ENV = {
    "REDDIT_CLIENT_ID": CLIENT_ID,
    "REDDIT_CLIENT_SECRET": CLIENT_SECRET,
    "REDDIT_USERNAME": USERNAME,
    "REDDIT_PASSWORD": PASSWORD,
}
APP_ONLY_ENV = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": CLIENT_SECRET}
REFRESH_ENV = {**APP_ONLY_ENV, "REDDIT_REFRESH_TOKEN": REFRESH_TOKEN}
WRONG = "wrong-password-123"
SECRETS = (CLIENT_SECRET, PASSWORD, REFRESH_TOKEN, WRONG, "tok-")


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch):
    """prawcore pauses 0–4 s between its retries of a 5xx or timeout; the retries themselves still happen."""
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)


@pytest.fixture
def fake():
    server = FakeReddit().start()
    yield server
    server.stop()


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


@dataclass
class Seeded:
    posts: list  # r/acme posts, oldest first
    comments: list
    mention: str
    message: str
    devops_post: str


def seed(fake: FakeReddit, posts: int = 3) -> Seeded:
    names = [fake.add_post("acme", f"Acme Cloud question {i}", f"How to scale acme cloud workers? #{i}")
             for i in range(posts)]  # fmt: skip
    comments = [
        fake.add_comment(names[0], "Same here, Acme Cloud support was quick & helpful <3"),
        fake.add_comment(names[0], "[deleted]", author="[deleted]"),
    ]
    comments.append(fake.add_comment(names[0], "replying to the first one", parent=comments[0]))
    devops = fake.add_post("devops", "Acme Cloud vs the rest", "We moved off acme cloud last year", author="[deleted]")
    return Seeded(names, comments, fake.add_mention(), fake.add_message(), devops)


def make_config(fake: FakeReddit, sources: dict | None = None, **options) -> config_module.Config:
    tables = sources or {"brand-reddit": options}
    tables = {name: {"connector": "reddit", "api_base": fake.url, **opts} for name, opts in tables.items()}
    cfg = config_module.parse({"sources": tables})
    config_module.validate_sources(cfg)
    return cfg


ALL = {"query": "acme cloud", "subreddits": ["acme"], "mentions": True}


def live(fake: FakeReddit | None, env=SCRIPT_ENV, **options) -> RedditConnector:
    """The connector on its own, as the outbox builds it (api_base None: Reddit itself, never contacted)."""
    source = SourceConfig("brand-reddit", "reddit", api_base=fake.url if fake else None, options=options)
    return RedditConnector(source, env)


def stored(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT remote_id FROM mentions ORDER BY remote_id")]


def sync(db, cfg, env=SCRIPT_ENV):
    result = run_sync(db, cfg, env=env)
    for source in result.sources:
        assert not any(secret in source.message for secret in SECRETS), source.message
    return result


# Fetching -----------------------------------------------------------------------------


def test_it_declares_the_live_capabilities():
    cls = registry.load("reddit")
    assert {FETCH, REPLY, MODERATE} <= cls.capabilities
    assert cls.moderation_actions == ("remove", "approve", "spam") and cls.reply_limit == 10000
    assert {"query", "subreddits", "keywords", "mentions", "user_agent", "backfill"} == set(cls.options)


def test_first_sync_reads_every_stream_and_ignores_private_messages(fake, db):
    s = seed(fake)
    result = sync(db, make_config(fake, **ALL))
    [source] = result.sources
    assert source.status == "ok", source.message
    ids = set(stored(db))
    assert set(s.posts) | set(s.comments) | {s.mention, s.devops_post} <= ids
    assert s.message not in ids  # t4
    assert source.new == len(ids)
    rows = {r["remote_id"]: r for r in db.execute("SELECT * FROM mentions")}
    mention = rows[s.mention]
    assert mention["kind"] == "mention" and mention["thread_id"].startswith("t3_") and "/comments/" in mention["url"]
    assert rows[s.devops_post]["author_handle"] == "[deleted]"
    assert rows[s.comments[0]]["text"] == "Same here, Acme Cloud support was quick & helpful <3"  # raw_json: unescaped
    assert rows[s.comments[2]]["kind"] == "reply" and rows[s.comments[2]]["parent_id"] == s.comments[0]
    # one token request, then one request per stream
    assert fake.count("POST", "/api/v1/access_token") == 1
    paths = sorted(r.path for r in fake.api_calls())
    assert paths == ["/message/mentions", "/r/acme/comments", "/r/acme/new", "/search"]
    assert fake.calls(path="/message/mentions")[0].params["mark"] == "false"
    assert fake.calls(path="/search")[0].params == {
        "q": "acme cloud", "sort": "new", "t": "all", "type": "link", "limit": "100", "raw_json": "1"}  # fmt: skip
    assert source.requests == 5


def test_a_second_sync_with_nothing_new_costs_one_request_per_stream(fake, db):
    seed(fake, posts=150)
    cfg = make_config(fake, **ALL, backfill=200)
    assert sync(db, cfg).sources[0].status == "ok"
    fake.requests.clear()
    again = sync(db, cfg).sources[0]
    assert (again.status, again.new) == ("ok", 0)
    assert len(fake.api_calls()) == 4 and all("after" not in r.params for r in fake.api_calls())
    assert fake.count("POST", "/api/v1/access_token") == 1
    assert again.requests == 5


def test_new_items_are_stored_exactly_once(fake, db):
    seed(fake)
    cfg = make_config(fake, **ALL)
    sync(db, cfg)
    before = set(stored(db))
    fresh = [fake.add_post("acme", f"Acme Cloud news {i}", "acme cloud") for i in range(130)]  # two pages
    fresh.append(fake.add_mention("u/acmecloud thanks for the fix"))
    fake.requests.clear()
    second = sync(db, cfg).sources[0]
    assert set(stored(db)) - before >= set(fresh)
    assert second.new == len(set(stored(db)) - before)
    assert [r.params.get("after") is not None for r in fake.calls(path="/r/acme/new")] == [False, True]
    assert sync(db, cfg).sources[0].new == 0


def test_a_first_sync_reads_at_most_backfill_items_per_stream(fake, db):
    seed(fake, posts=250)
    result = sync(db, make_config(fake, subreddits=["acme"], backfill=120)).sources[0]
    rows = db.execute("SELECT count(*) FROM mentions WHERE kind = 'post'").fetchone()[0]
    assert rows == 120 and result.status == "ok"
    assert [r.params["limit"] for r in fake.calls(path="/r/acme/new")] == ["100", "20"]


def test_a_429_keeps_the_pages_before_it_and_the_next_sync_completes(fake, db):
    s = seed(fake, posts=250)
    fake.fail(429, path="/r/acme/new", skip=1, retry_after="42")
    cfg = make_config(fake, subreddits=["acme"], backfill=300)
    first = sync(db, cfg).sources[0]
    assert first.status == "limited"
    assert ": Reddit is rate limiting this app (HTTP 429)" in first.message
    assert "retry after" in first.message  # from retry-after: 42
    assert len(set(stored(db)) & set(s.posts)) == 100  # the first page stayed
    assert not set(s.comments) & set(stored(db))  # the limit is the app's: the source's other stream waits too
    gap = load_cursors(db, "brand-reddit")["sub:acme"]["gap"]
    assert gap["read"] == 100 and gap["top"]["name"] == s.posts[-1]
    late = fake.add_post("acme", "Acme Cloud late arrival", "acme cloud")
    fake.requests.clear()
    second = sync(db, cfg).sources[0]
    assert second.status == "ok", second.message
    assert set(s.posts) | {late} | set(s.comments) <= set(stored(db))
    assert second.new == 150 + 1 + 3  # the other posts, the late one, the comments: nothing read twice
    afters = [r.params.get("after") for r in fake.calls(path="/r/acme/new")]
    assert len(afters) == 3 and afters[0] == gap["after"] and afters[1] and afters[2] is None  # the gap, then the top
    mark = {"name": late, "utc": fake.find(late)["created_utc"]}
    assert load_cursors(db, "brand-reddit")["sub:acme"] == {"mark": mark, "gap": None}


def test_after_a_429_the_other_streams_send_nothing(fake, db):
    seed(fake)
    fake.fail(429, path="/search")  # no retry-after: x-ratelimit-reset says when
    source = sync(db, make_config(fake, **ALL)).sources[0]
    assert source.status == "limited" and "HTTP 429" in source.message and "retry after" in source.message
    assert [r.path for r in fake.api_calls()] == ["/search"]
    assert sync(db, make_config(fake, **ALL)).sources[0].status == "ok"


def test_a_vanished_resume_point_restarts_from_the_top(fake, db):
    s = seed(fake, posts=150)
    fake.fail(503, times=3, path="/r/acme/new", skip=1)
    cfg = make_config(fake, subreddits=["acme"], backfill=150)
    assert sync(db, cfg).sources[0].status == "failed"
    gap = load_cursors(db, "brand-reddit")["sub:acme"]["gap"]
    fake.delete(gap["after"])  # removed by a moderator meanwhile: Reddit answers an empty page after it
    assert sync(db, cfg).sources[0].status == "ok"
    assert set(s.posts) - {gap["after"]} <= set(stored(db))


@pytest.mark.parametrize("cursor", [{"mark": "t3_zz", "gap": 7}, {"gap": {"top": {}, "after": 3}}, {"page": 2}])
def test_a_cursor_this_version_did_not_write_starts_a_first_walk(fake, cursor):
    s = seed(fake, posts=5)
    pages = list(live(fake, subreddits=["acme"]).fetch("sub:acme", cursor))
    assert {m.remote_id for p in pages for m in p.mentions} == set(s.posts)
    assert pages[-1].cursor["mark"]["name"] == s.posts[-1] and pages[-1].cursor["gap"] is None


def test_server_errors_fail_only_their_source(fake, db):
    seed(fake)
    fake.fail(503, times=3, path="/search")
    cfg = make_config(fake, {"broken": {"query": "acme cloud"}, "fine": {"subreddits": ["acme"]}})
    by = {s.name: s for s in sync(db, cfg).sources}
    assert by["broken"].status == "failed" and by["fine"].status == "ok" and by["fine"].new > 0
    assert by["broken"].message == "Reddit answered the search with HTTP 503 (after two retries); try again later."
    assert fake.count("GET", "/search") == 3  # prawcore's own retries, then TransientError


def test_a_500_with_an_empty_body_is_transient(fake):
    seed(fake)
    fake.fail(500, times=3, path="/r/acme/comments")
    with pytest.raises(TransientError, match="HTTP 500"):
        list(live(fake, subreddits=["acme"]).fetch("subcomments:acme", None))


def test_timeouts_are_transient(fake, monkeypatch):
    seed(fake)
    monkeypatch.setattr(RedditConnector, "timeout", 0.3)
    for _ in range(3):
        fake.slow(2, path="/search")
    connector = live(fake, query="acme")
    connector.streams()
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"did not answer the search within 0\.3 s \(after two retries\)"):
        list(connector.fetch("search", None))
    assert time.monotonic() - started < 4  # each try gave up after 0.3 s (prawcore alone would wait 16 s)


def test_an_exhausted_allowance_stops_instead_of_sleeping(fake, db):
    seed(fake)
    fake.ratelimit_remaining, fake.ratelimit_reset = 1.0, 500.0  # the first API answer says 0 left for 500 s
    started = time.monotonic()
    source = sync(db, make_config(fake, **ALL)).sources[0]
    assert time.monotonic() - started < 10
    assert source.status == "limited" and "used up for the next" in source.message and "retry after" in source.message
    assert len(fake.api_calls()) == 1  # the other streams did not send anything


@pytest.mark.parametrize(
    "headers",
    [
        {"x-ratelimit-remaining": "991, 98", "x-ratelimit-used": "9, 2", "x-ratelimit-reset": "300, 300"},
        {"x-ratelimit-remaining": "plenty", "x-ratelimit-used": "1", "x-ratelimit-reset": "300"},
        {"x-ratelimit-remaining": "598.0"},
    ],
)
def test_odd_rate_limit_headers_do_not_break_prawcores_limiter(fake, db, headers):
    s = seed(fake)
    fake.ratelimit_headers = headers
    source = sync(db, make_config(fake, **ALL)).sources[0]
    assert source.status == "ok", source.message
    assert set(s.posts) <= set(stored(db))


def test_an_expired_token_is_renewed_once(fake, db):
    seed(fake)
    fake.fail(401, path="/search")  # no www-authenticate header: prawcore alone would raise KeyError
    source = sync(db, make_config(fake, query="acme cloud")).sources[0]
    assert source.status == "ok", source.message
    assert fake.count("POST", "/api/v1/access_token") == 2 and fake.count("GET", "/search") == 2


@pytest.mark.parametrize(
    "env, words",
    [
        ({**SCRIPT_ENV, "REDDIT_PASSWORD": WRONG}, "Reddit refused the login: check REDDIT_USERNAME and REDDIT_PASSWORD"),
        ({**SCRIPT_ENV, "REDDIT_CLIENT_SECRET": WRONG},
         "Reddit refused the app credentials: check REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET."),
        ({**APP_ONLY_ENV, "REDDIT_REFRESH_TOKEN": WRONG}, "Reddit refused the refresh token: check REDDIT_REFRESH_TOKEN"),
    ],
)  # fmt: skip
def test_a_refused_login_fails_the_source_once_in_one_sentence(fake, db, env, words):
    seed(fake)
    source = sync(db, make_config(fake, **ALL), env=env).sources[0]
    assert source.status == "failed" and source.message.startswith(words)
    assert source.message.count(". ") == 0 and "\n" not in source.message
    assert fake.count("POST", "/api/v1/access_token") == 1 and fake.api_calls() == []


def test_refresh_token_and_app_only_logins(fake, db):
    s = seed(fake)
    assert sync(db, make_config(fake, mentions=True), env=REFRESH_ENV).sources[0].new == 1
    assert sync(db, make_config(fake, subreddits=["acme"]), env=APP_ONLY_ENV).sources[0].status == "ok"
    grants = {r.form["grant_type"] for r in fake.calls("POST", "/api/v1/access_token")}
    assert grants == {"refresh_token", "client_credentials"}
    assert set(s.posts) <= set(stored(db))
    skipped = sync(db, make_config(fake, **ALL), env=APP_ONLY_ENV).sources[0]
    assert skipped.status == "skipped"
    assert skipped.message.startswith("set REDDIT_USERNAME and REDDIT_PASSWORD (or REDDIT_REFRESH_TOKEN) to enable it")


def test_missing_credentials_skip_the_source_naming_the_variables(fake, db):
    source = sync(db, make_config(fake, **ALL), env={}).sources[0]
    assert (source.status, source.message) == ("skipped", "set REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET to enable it")
    assert fake.requests == []


def test_keywords_filter_subreddit_streams_and_the_cursor_still_moves(fake, db):
    hits = [fake.add_post("acme", "Another OUTAGE today"), fake.add_post("acme", "why is the status\npage stale?")]
    misses = [fake.add_post("acme", "outages are rare"), fake.add_post("acme", "love the new dashboard"),
              fake.add_post("acme", "statuspage integration")]  # fmt: skip
    cfg = make_config(fake, subreddits=["acme"], keywords=["outage", "status page"])
    sync(db, cfg)
    assert set(stored(db)) == set(hits)
    fake.add_post("acme", "nothing to see")
    fake.requests.clear()
    assert sync(db, cfg).sources[0].new == 0
    assert load_cursors(db, "brand-reddit")["sub:acme"]["mark"]["name"] == fake.things[-1]["data"]["name"]
    assert len(fake.api_calls()) == 2
    assert not set(misses) & set(stored(db))


def test_subreddit_problems_fail_their_stream_with_a_clear_sentence(fake, db):
    seed(fake)
    fake.subreddits.update(secret="private", gone="banned")
    connector = live(fake, subreddits=["secret", "gone", "nosuchsub"])
    expected = {
        "sub:secret": "r/secret is private and this account is not an approved member (HTTP 403).",
        "sub:gone": "r/gone has been banned by Reddit (HTTP 404).",
        "sub:nosuchsub": "r/nosuchsub does not exist (Reddit sends it to its subreddit search).",
    }
    for stream, message in expected.items():
        with pytest.raises(PermanentError) as info:
            list(connector.fetch(stream, None))
        assert str(info.value) == message
    cfg = make_config(fake, subreddits=["secret", "acme"])
    source = sync(db, cfg).sources[0]
    assert source.status == "failed" and "r/secret is private" in source.message
    from_acme = "SELECT count(*) FROM mentions WHERE json_extract(extra, '$.subreddit') = 'acme'"
    assert db.execute(from_acme).fetchone()[0] > 0


@pytest.mark.parametrize(
    "options, key",
    [
        ({"subreddits": "acme"}, "subreddits"),
        ({"subreddits": ["acme", "no spaces"]}, "subreddits"),
        ({"query": "acme", "keywords": "outage"}, "keywords"),
        ({"query": "acme", "mentions": "yes"}, "mentions"),
        ({"query": "acme", "backfill": 0}, "backfill"),
        ({"query": "acme", "backfill": True}, "backfill"),
        ({"query": "acme", "backfill": 5000}, "backfill"),
        ({"query": ""}, "query"),
        ({}, "query"),
    ],
)
def test_options_are_checked(options, key):
    with pytest.raises(SourceOptionError) as info:
        live(None, **options)
    assert info.value.key == key


def test_a_bad_option_is_a_config_error_naming_the_key(fake):
    with pytest.raises(config_module.ConfigError) as info:
        make_config(fake, query="acme", backfill=0)
    assert info.value.key == "sources.brand-reddit.backfill" and "must be a whole number" in str(info.value)


def test_user_agent(fake):
    seed(fake)
    assert live(fake, query="acme").client().reddit.config.user_agent == f"commwatch/0.1.0 (by u/{USERNAME})"
    chosen = live(fake, query="acme", user_agent="acme-listener/2.0 (by u/acmecloud)")
    assert chosen.client().reddit.config.user_agent == "acme-listener/2.0 (by u/acmecloud)"
    from_env = live(fake, {**SCRIPT_ENV, "REDDIT_USER_AGENT": "acme-ops/3.1"}, query="acme", user_agent="ignored/1.0")
    assert from_env.client().reddit.config.user_agent == "acme-ops/3.1"
    list(from_env.fetch("search", None))
    assert fake.api_calls()[-1].agent.startswith("acme-ops/3.1 PRAW/")


# Replies and moderation ---------------------------------------------------------------------


def target(fake: FakeReddit, fullname: str) -> ReplyTarget:
    data = fake.find(fullname)
    return ReplyTarget(platform="reddit", remote_id=fullname, kind="post" if fullname.startswith("t3_") else "comment",
                       author_handle=data["author"], extra={"subreddit": data["subreddit"]})  # fmt: skip


def connector_for(fake, env=SCRIPT_ENV) -> RedditConnector:
    return live(fake, env, query="acme")


def test_a_reply_is_posted_once_and_find_reply_finds_it(fake):
    s = seed(fake)
    connector = connector_for(fake)
    posted = connector.reply(target(fake, s.comments[0]), "Thanks Dana, glad it helped!")
    [post] = fake.calls("POST", "/api/comment/")
    assert post.form == {"thing_id": s.comments[0], "text": "Thanks Dana, glad it helped!", "api_type": "json"}
    assert posted.remote_id.startswith("t1_") and posted.url.startswith("https://www.reddit.com/r/acme/comments/")
    assert fake.find(posted.remote_id)["parent_id"] == s.comments[0]
    later = connector_for(fake)  # a later run (the outbox retrying after a crash) asks before posting again
    assert later.find_reply(target(fake, s.comments[0]), "  Thanks Dana,\nglad it helped! ") == posted
    assert later.find_reply(target(fake, s.comments[0]), "something else") is None
    assert later.find_reply(target(fake, s.posts[1]), "Thanks Dana, glad it helped!") is None
    assert fake.count("POST", "/api/comment/") == 1


def test_an_empty_things_answer_is_resolved_with_find_reply(fake):
    s = seed(fake)
    fake.comment_fault = "empty_things"
    posted = connector_for(fake).reply(target(fake, s.mention), "We're on it, u/pat_sre.")
    assert fake.find(posted.remote_id)["body"] == "We're on it, u/pat_sre."
    assert fake.count("POST", "/api/comment/") == 1 and fake.count("GET", f"/user/{USERNAME}/comments") == 1


def test_a_reply_whose_answer_is_lost_is_not_sent_again(fake):
    s = seed(fake)
    fake.comment_fault = "lost"  # Reddit creates the comment, then answers 500
    connector = connector_for(fake)
    with pytest.raises(TransientError, match="may have gone through; it was not sent again"):
        connector.reply(target(fake, s.posts[0]), "Hi! Could you DM us the details?")
    assert fake.count("POST", "/api/comment/") == 1  # prawcore would have retried the 500
    found = connector_for(fake).find_reply(target(fake, s.posts[0]), "Hi! Could you DM us the details?")
    assert found is not None and fake.find(found.remote_id)["author"] == USERNAME


def test_refresh_token_accounts_learn_their_name_for_find_reply(fake):
    s = seed(fake)
    connector = connector_for(fake, REFRESH_ENV)
    posted = connector.reply(target(fake, s.posts[0]), "hello from the Acme team")
    assert connector.find_reply(target(fake, s.posts[0]), "hello from the Acme team") == posted
    assert fake.count("GET", "/api/v1/me") == 1


def test_refused_replies(fake):
    s = seed(fake)
    connector = connector_for(fake)
    fake.comment_fault = "locked"
    with pytest.raises(PermanentError, match=r"refused the reply in r/acme: that thread is locked \(THREAD_LOCKED\)"):
        connector.reply(target(fake, s.posts[0]), "hello")
    with pytest.raises(PermanentError, match="Reddit allows 10000"):
        connector.reply(target(fake, s.posts[0]), "x" * 10001)
    with pytest.raises(PermanentError, match="not a Reddit post or comment id"):
        connector.reply(ReplyTarget("reddit", "t4_abc", "message", "someone"), "hello")
    app_only = connector_for(fake, APP_ONLY_ENV)
    with pytest.raises(MissingCredentials, match="REDDIT_USERNAME and REDDIT_PASSWORD"):
        app_only.reply(target(fake, s.posts[0]), "hello")
    assert fake.count("POST", "/api/comment/") == 1


def test_moderation_hits_the_right_endpoints(fake):
    s = seed(fake)
    connector = connector_for(fake)
    connector.moderate(target(fake, s.comments[0]), "remove")
    connector.moderate(target(fake, s.posts[0]), "spam")
    connector.moderate(target(fake, s.comments[0]), "approve")
    assert fake.moderation == [
        ("remove", s.comments[0], "false"), ("remove", s.posts[0], "true"), ("approve", s.comments[0], "")]  # fmt: skip
    assert [r.path for r in fake.api_calls()] == ["/api/remove/", "/api/remove/", "/api/approve/"]


def test_moderation_without_mod_rights_is_permanent(fake):
    s = seed(fake)
    with pytest.raises(PermanentError) as info:
        connector_for(fake).moderate(target(fake, s.devops_post), "remove")
    assert str(info.value) == f"u/{USERNAME} is not a moderator of r/devops"
    with pytest.raises(PermanentError, match="not 'lock'"):
        connector_for(fake).moderate(target(fake, s.posts[0]), "lock")


# Through the command line ---------------------------------------------------------------------


def write_config(workdir, fake, **options):
    lines = ['[store]\npath = "inbox.db"\n', "[sources.brand-reddit]", 'connector = "reddit"']
    lines.append(f'api_base = "{fake.url}"')
    lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    (workdir / "commwatch.toml").write_text("\n".join(lines) + "\n")


def test_cli_sync_and_a_refused_login(cli, workdir, fake):
    s = seed(fake)
    write_config(workdir, fake, **ALL)
    r = cli("sync", "--quiet", env=SCRIPT_ENV)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert {m["remote_id"] for m in cli.json("inbox", "--limit", "100")} >= set(s.posts) | {s.mention}
    bad = cli("sync", env={**SCRIPT_ENV, "REDDIT_PASSWORD": WRONG})
    assert bad.returncode == ExitCode.FAILED
    assert "Reddit refused the login: check REDDIT_USERNAME and REDDIT_PASSWORD" in bad.stdout + bad.stderr
    skipped = cli("sync", "--json")
    assert skipped.returncode == 0 and "set REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET to enable it" in skipped.stdout
    for out in (r, bad, skipped):
        assert not any(secret in out.stdout + out.stderr for secret in SECRETS)
    database = (workdir / "inbox.db").read_bytes()
    assert not any(secret.encode() in database for secret in SECRETS)


def posts_in(workdir) -> int:
    try:
        with sqlite3.connect(f"file:{workdir / 'inbox.db'}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM mentions WHERE kind = 'post'").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_cli_sync_killed_mid_walk_resumes_with_every_item_once(cli, workdir, fake):
    s = seed(fake, posts=300)
    write_config(workdir, fake, subreddits=["acme"], backfill=300)
    fake.slow(60, path="/r/acme/new", skip=2)  # the third page hangs
    proc = cli.popen("sync", "--quiet", env=SCRIPT_ENV)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not (fake.count("GET", "/r/acme/new") == 3 and posts_in(workdir) == 200):
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert fake.count("GET", "/r/acme/new") == 3 and posts_in(workdir) == 200
    fake.clear_faults()
    late = fake.add_post("acme", "Acme Cloud: posted while commwatch was down")
    fake.requests.clear()
    assert cli("sync", "--quiet", env=SCRIPT_ENV).returncode == 0
    rows = cli.json("inbox", "--limit", "1000")
    ids = [m["remote_id"] for m in rows]
    assert len(ids) == len(set(ids)) and set(s.posts) | {late} <= set(ids)
    afters = [r.params.get("after") for r in fake.calls(path="/r/acme/new")]
    assert len(afters) == 2 and afters[0] is not None and afters[1] is None  # the missing page, then the top
