"""The live YouTube connector against a fake Data API server, through the real sync engine and CLI."""

from __future__ import annotations

import json
from pathlib import Path
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest

import commwatch_youtube.quota as yt_quota
import commwatch_youtube.writes as yt_writes
from commwatch import config as config_module
from commwatch import timeutil
from commwatch.connector import (
    MissingCredentials,
    PermanentError,
    ReplyTarget,
    SourceConfig,
    SourceOptionError,
    TransientError,
)
from commwatch.store.db import open_store
from commwatch.store.mentions import load_cursors, units_used
from commwatch.app.sync import run_sync
from commwatch_youtube import YouTubeConnector
from commwatch_youtube.streams import SEARCH_CALLS_PER_DAY
from fakes.youtube_server import ACME_CHANNEL, API_KEY, ENV, OTHER_CHANNEL, REFRESH_TOKEN, YouTubeFake

LAUNCH = "AcmeLaunch1"  # a video with more than one page of threads
EDGE = "AcmeEdgeCdn"
READ_ENV = {"YOUTUBE_API_KEY": API_KEY}


@pytest.fixture
def youtube():
    fake = YouTubeFake()
    with fake.serving():
        yield fake


@pytest.fixture(autouse=True)
def slept(monkeypatch):
    """Retries wait through this list instead of the clock."""
    waits: list[float] = []
    monkeypatch.setattr(YouTubeConnector, "sleep", staticmethod(waits.append))
    return waits


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


def world(fake: YouTubeFake, threads: int = 130) -> dict[str, str]:
    """Acme Cloud's channel: LAUNCH with `threads` threads (a few with long reply chains), EDGE with 3.
    Returns the newest thread with each number of replies: {"t12": id, "t7": id, "t2": id, …}."""
    fake.add_video(LAUNCH, title="Acme Cloud launch week")
    fake.add_video(EDGE, title="Acme Edge CDN deep dive")
    named = {}
    for i in range(threads):
        replies = 12 if i % 45 == 0 else (7 if i % 50 == 7 else i % 3)
        named[f"t{replies}"] = fake.add_thread(LAUNCH, f"launch comment {i}", replies=replies)
    for i in range(3):
        fake.add_thread(EDGE, f"cdn question {i}", replies=1)
    return named


def make_config(fake: YouTubeFake, **options) -> config_module.Config:
    table = {"connector": "youtube", "api_base": fake.url, **options}
    cfg = config_module.parse({"sources": {"yt": table}})
    config_module.validate_sources(cfg)
    return cfg


def sync(db, cfg, env=READ_ENV):
    [source] = run_sync(db, cfg, env=env).sources
    return source


def today() -> str:
    return YouTubeConnector.quota_day(timeutil.now())


def stored(db) -> dict[str, dict]:
    return {r["remote_id"]: dict(r) for r in db.execute("SELECT * FROM mentions")}


def connector(fake: YouTubeFake, env=ENV, **options) -> YouTubeConnector:
    options = options or {"channel_id": ACME_CHANNEL}
    return YouTubeConnector(SourceConfig("yt", "youtube", api_base=fake.url, options=options), env)


# Fetching ---------------------------------------------------------------------------------------


def test_first_sync_stores_every_comment_and_reply_once_and_records_every_unit(youtube, db):
    named = world(youtube)
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL))
    assert (source.status, source.message) == ("ok", "")
    rows = stored(db)
    assert set(rows) == youtube.comment_ids() and source.new == len(rows)
    # 133 threads = 2 pages; replies beyond the 5 inline ones come from comments.list, only where needed
    partial = {t.top.id for t in youtube.threads.values() if len(t.replies) > youtube.inline_replies}
    assert youtube.count("commentThreads") == 2
    assert {r.params["parentId"] for r in youtube.calls("comments")} == partial
    assert all(r.params["textFormat"] == "plainText" for r in youtube.requests)
    # units: what the server counted is what the store recorded
    assert units_used(db, "yt", today()) == youtube.units == source.units == source.requests
    # a reply that only comments.list returned still knows its video and links to itself
    late = sorted(youtube.threads[named["t12"]].replies, key=lambda c: c.published)[0]
    extra = json.loads(rows[late.id]["extra"])
    assert extra["video_id"] == LAUNCH
    assert rows[late.id]["url"] == f"https://www.youtube.com/watch?v={LAUNCH}&lc={late.id}"
    assert rows[late.id]["kind"] == "reply" and rows[late.id]["parent_id"] == named["t12"]


def test_an_incremental_sync_with_nothing_new_costs_one_request_and_one_unit_per_stream(youtube, db):
    world(youtube)
    cfg = make_config(youtube, channel_id=ACME_CHANNEL, video_ids=[LAUNCH, EDGE])
    assert sync(db, cfg).status == "ok"
    before, units_before = len(youtube.requests), youtube.units
    again = sync(db, cfg)
    fresh = youtube.requests[before:]
    assert [(r.path, "pageToken" in r.params) for r in fresh] == [("commentThreads", False)] * 3
    assert youtube.units - units_before == 3 == again.units == again.requests
    assert (again.status, again.new, again.updated) == ("ok", 0, 0)
    assert units_used(db, "yt", today()) == youtube.units


def test_new_comments_and_replies_arrive_and_only_changed_threads_are_completed(youtube, db):
    named = world(youtube)
    cfg = make_config(youtube, channel_id=ACME_CHANNEL)
    first = sync(db, cfg)
    before = len(youtube.requests)
    youtube.add_reply(named["t12"], "still broken for me")  # partial thread with a new reply
    youtube.add_reply(named["t1"], "same here")  # inline replies stay complete (2 ≤ 5)
    fresh_thread = youtube.add_thread(LAUNCH, "refund please, the outage cost us a day", replies=8)
    second = sync(db, cfg)
    assert second.status == "ok"
    asked = [r.params.get("parentId") for r in youtube.requests[before:] if r.path == "comments"]
    assert sorted(asked) == sorted([named["t12"], fresh_thread])  # t7 and the others did not change
    assert youtube.count("commentThreads") == 3  # one page was enough
    assert set(stored(db)) == youtube.comment_ids()
    assert first.new + second.new == len(youtube.comment_ids())  # nothing counted twice
    assert units_used(db, "yt", today()) == youtube.units


def test_budget_exhaustion_stops_cleanly_and_the_next_day_resumes_with_everything_exactly_once(youtube, db, monkeypatch):
    world(youtube, threads=330)  # 4 pages of threads, 15 of them with partial inline replies
    total = youtube.comment_ids()
    day_one = today()
    cfg = make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=3)
    first = sync(db, cfg)
    assert first.status == "limited"
    assert first.message.startswith("daily budget of 3 units reached (sources.yt.daily_quota); resets at midnight Pacific (")
    assert "(retry after " in first.message
    assert youtube.units == 3 == units_used(db, "yt", day_one)
    kept = set(stored(db))
    assert kept and kept < total

    # Same day: the budget is spent, so nothing is asked at all.
    assert sync(db, cfg).status == "limited" and youtube.units == 3

    # Next Pacific day: three more units of progress; then a raised budget finishes the job.
    tomorrow = timeutil.now() + timedelta(days=1)
    monkeypatch.setattr(timeutil, "now", lambda: tomorrow)
    second = sync(db, cfg)
    assert second.status == "limited" and youtube.units == 6
    assert units_used(db, "yt", YouTubeConnector.quota_day(tomorrow)) == 3
    assert kept < set(stored(db))
    done = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=100))
    assert (done.status, done.message) == ("ok", "")
    assert set(stored(db)) == total
    assert first.new + second.new + done.new == len(total)
    assert units_used(db, "yt", day_one) + units_used(db, "yt", YouTubeConnector.quota_day(tomorrow)) == youtube.units
    # each sync walked on from the saved page token instead of starting over; the last one then
    # looked at the top once for what arrived meanwhile
    pages = youtube.calls("commentThreads")
    assert ["pageToken" in r.params for r in pages][-1] is False
    assert len(pages) <= 4 + 3  # 4 pages; a page is asked again only when the budget ran out inside it


def test_a_page_token_that_expired_restarts_the_walk_from_the_top(youtube, db):
    youtube.add_video(LAUNCH)
    for i in range(250):
        youtube.add_thread(LAUNCH, f"comment {i}", replies=i % 2)
    first = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=2))
    assert first.status == "limited" and "walk" in load_cursors(db, "yt")["channel"]
    youtube.reject_page_tokens = 1
    done = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=50))
    assert (done.status, done.message) == ("ok", "")
    assert [("pageToken" in r.params, r.status) for r in youtube.calls("commentThreads")[2:4]] == [(True, 400), (False, 200)]
    assert set(stored(db)) == youtube.comment_ids()
    assert units_used(db, "yt", today()) == youtube.units


def test_quota_exceeded_stops_every_stream_until_midnight_pacific(youtube, db):
    world(youtube, threads=20)
    youtube.quota_limit = 1
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, video_ids=[LAUNCH, EDGE]))
    assert source.status == "limited"
    assert source.message.startswith(
        "channel: YouTube's daily quota for this project is used up; it resets at midnight Pacific ("
    )
    assert "<" not in source.message
    assert len(youtube.requests) == 2  # the first stream's page, then one refusal; the videos were not asked
    assert units_used(db, "yt", today()) == youtube.units == 1
    tops = {t.top.id for t in youtube.threads.values()}
    assert tops <= set(stored(db))  # the channel's page was kept


def test_disabled_comments_are_remembered_and_not_asked_again_for_a_week(youtube, db, monkeypatch):
    world(youtube, threads=5)
    youtube.add_video("AcmeNoComments", comments_disabled=True)
    cfg = make_config(youtube, video_ids=["AcmeNoComments", EDGE])
    first = sync(db, cfg)
    assert (first.status, first.message) == ("ok", "")
    assert "comments_disabled" in load_cursors(db, "yt")["video:AcmeNoComments"]
    assert youtube.count("commentThreads", videoId="AcmeNoComments") == 1
    second = sync(db, cfg)
    assert second.status == "ok"
    assert youtube.count("commentThreads", videoId="AcmeNoComments") == 1  # not asked again
    assert units_used(db, "yt", today()) == youtube.units
    # a week later it asks again, and comments turned back on are picked up
    youtube.videos["AcmeNoComments"].comments_disabled = False
    reply_id = youtube.threads[youtube.add_thread("AcmeNoComments", "finally open", replies=1)].replies[0].id
    later = datetime.now(timezone.utc) + timedelta(days=8)
    monkeypatch.setattr(yt_quota, "utcnow", lambda: later)
    assert sync(db, cfg).status == "ok"
    assert reply_id in stored(db)
    assert "comments_disabled" not in load_cursors(db, "yt")["video:AcmeNoComments"]


def test_an_invalid_key_is_one_plain_sentence_naming_the_variable_and_never_the_key(youtube, db):
    world(youtube, threads=5)
    bad = "AIzaWrongKeyValue-987654321"
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, video_ids=[LAUNCH]), env={"YOUTUBE_API_KEY": bad})
    assert source.status == "failed"
    assert source.message == (
        "channel: YouTube rejected the API key in YOUTUBE_API_KEY (keyInvalid): API key not valid."
    )
    assert bad not in source.message and "<" not in source.message and "http" not in source.message
    assert len(youtube.requests) == 1  # the other stream did not try the same key
    assert units_used(db, "yt", today()) == youtube.units == 0


def test_a_missing_video_fails_only_its_stream_with_a_clear_sentence(youtube, db):
    world(youtube, threads=5)
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, video_ids=["NoSuchVid01"]))
    assert source.status == "failed"
    assert source.message.startswith("video:NoSuchVid01: YouTube has no video NoSuchVid01")
    assert "<" not in source.message
    assert set(stored(db)) == youtube.comment_ids()  # the channel stream carried on
    assert units_used(db, "yt", today()) == youtube.units


def test_server_errors_are_retried_with_backoff_then_reported(youtube, db, slept):
    world(youtube, threads=5)
    cfg = make_config(youtube, channel_id=ACME_CHANNEL)
    youtube.fail("commentThreads", 503, times=2)
    ok = sync(db, cfg)
    assert ok.status == "ok" and slept == [1.0, 2.0]
    youtube.fail("commentThreads", 500, reason="backendError", times=3)
    bad = sync(db, cfg)
    assert bad.status == "failed"
    assert bad.message == "YouTube answered commentThreads.list with HTTP 500 (backendError) 3 times in a row; try again later"
    assert youtube.count("commentThreads") == 3 + 3
    assert units_used(db, "yt", today()) == youtube.units  # every answered request costs its unit, failed or not


def test_a_slow_answer_times_out_and_is_retried(youtube, db, monkeypatch):
    world(youtube, threads=5)
    monkeypatch.setattr(YouTubeConnector, "timeout", 0.4)
    youtube.delay("commentThreads", 1.2)
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL))
    assert source.status == "ok" and set(stored(db)) == youtube.comment_ids()
    youtube.wait_idle()
    assert youtube.count("commentThreads") >= 2  # the slow one, then the retry
    assert units_used(db, "yt", today()) == youtube.units


def test_an_unreachable_server_is_transient_and_the_message_has_no_url_or_key(db, slept):
    cfg = config_module.parse({"sources": {"yt": {"connector": "youtube", "api_base": "http://127.0.0.1:9", "channel_id": ACME_CHANNEL}}})
    source = sync(db, cfg)
    assert source.status == "failed"
    assert source.message == "YouTube did not answer commentThreads.list (could not connect) 3 times in a row; try again later"
    assert slept == [1.0, 2.0] and units_used(db, "yt", today()) == 0  # nothing reached YouTube, nothing spent


def test_a_body_that_is_not_json_is_a_connector_error(youtube, db):
    world(youtube, threads=5)
    youtube.garbage("commentThreads")
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL))
    assert source.status == "failed"
    assert source.message == "YouTube sent a commentThreads.list response that is not valid JSON (HTTP 200)"
    assert units_used(db, "yt", today()) == youtube.units == 1


def test_budget_running_out_between_replies_keeps_the_page_and_the_completed_threads(youtube, db):
    named = world(youtube, threads=100)  # two pages (103 threads), 5 with partial inline replies
    cfg = make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=2)
    first = sync(db, cfg)
    assert first.status == "limited" and "daily budget of 2 units" in first.message
    newest_long = youtube.threads[named["t12"]]  # the first partial thread on the page
    assert {c.id for c in (newest_long.top, *newest_long.replies)} <= set(stored(db))
    assert load_cursors(db, "yt")["channel"] == {"replies": {named["t12"]: 12}}  # remembered; page not passed
    done = sync(db, make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=50))
    assert done.status == "ok" and set(stored(db)) == youtube.comment_ids()
    assert first.new + done.new == len(youtube.comment_ids())
    # the completed thread was not fetched again
    partial = [t for t in youtube.threads.values() if len(t.replies) > youtube.inline_replies]
    assert youtube.count("comments") == len(partial) == 5


def test_search_finds_new_videos_in_its_own_bucket_and_watches_them(youtube, db, monkeypatch):
    now = datetime.now(timezone.utc)
    world(youtube, threads=3)
    youtube.add_video("OtherReview", channel=OTHER_CHANNEL, title="Acme Cloud honest review", published=now - timedelta(days=1))
    youtube.add_video("OldReview", channel=OTHER_CHANNEL, title="Acme Cloud review 2019", published=now - timedelta(days=400))
    youtube.add_video("OwnLaunch", title="Acme Cloud launch recap", published=now - timedelta(hours=5))
    review = youtube.add_thread("OtherReview", "acme cloud billing is a mess", replies=6)
    youtube.add_thread("OwnLaunch", "congrats on the launch")
    cfg = make_config(youtube, channel_id=ACME_CHANNEL, query="acme cloud")
    first = sync(db, cfg)
    assert (first.status, first.message) == ("ok", "")
    assert youtube.search_calls == 1
    [search] = youtube.calls("search")
    assert (search.params["type"], search.params["order"], search.params["q"]) == ("video", "date", "acme cloud")
    rows = stored(db)
    assert set(rows) == youtube.comment_ids()
    assert json.loads(rows[review]["extra"])["video_id"] == "OtherReview"
    assert youtube.count("commentThreads", videoId="OwnLaunch") == 0  # the channel stream covers it
    assert units_used(db, "yt", today()) == youtube.units  # search.list spends its own bucket, not units

    before = len(youtube.requests)
    sync(db, cfg)  # within the hour: no search; one request per stream and watched video
    assert [r.path for r in youtube.requests[before:]] == ["commentThreads", "commentThreads"]

    later = now + timedelta(hours=2)
    monkeypatch.setattr(yt_quota, "utcnow", lambda: later)
    sync(db, cfg)
    assert youtube.search_calls == 2
    # The bucket counts this Pacific day's calls: two hours later may be the next day (07:00-08:00 UTC in winter).
    same_day = yt_quota.quota_day(later) == yt_quota.quota_day(now)
    assert load_cursors(db, "yt")["search"]["calls"] == (2 if same_day else 1)


def test_an_exhausted_search_bucket_stops_searching_for_the_day_but_not_the_rest(youtube, db):
    world(youtube, threads=3)
    youtube.search_limit = 0
    cfg = make_config(youtube, channel_id=ACME_CHANNEL, query="acme cloud")
    first = sync(db, cfg)
    assert (first.status, first.message) == ("ok", "")
    assert set(stored(db)) == youtube.comment_ids()
    assert load_cursors(db, "yt")["search"]["calls"] == SEARCH_CALLS_PER_DAY  # the day's allowance is spent
    sync(db, cfg)
    assert youtube.count("search") == 1 and youtube.search_calls == 0


def test_missing_key_skips_the_source(youtube, db):
    source = sync(db, make_config(youtube, channel_id=ACME_CHANNEL), env={})
    assert (source.status, source.message) == ("skipped", "set YOUTUBE_API_KEY to enable it")


@pytest.mark.parametrize(
    "options, key",
    [
        ({"channel_id": "acmecloud"}, "channel_id"),
        ({"channel_id": 42}, "channel_id"),
        ({"video_ids": "AcmeLaunch1"}, "video_ids"),
        ({"video_ids": ["https://www.youtube.com/watch?v=AcmeLaunch1"]}, "video_ids"),
        ({"channel_id": ACME_CHANNEL, "query": ["acme"]}, "query"),
        ({"channel_id": ACME_CHANNEL, "daily_quota": 0}, "daily_quota"),
        ({"channel_id": ACME_CHANNEL, "daily_quota": True}, "daily_quota"),
        ({"channel_id": ACME_CHANNEL, "daily_quota": "2000"}, "daily_quota"),
        ({"video_ids": [], "query": ""}, "channel_id"),
    ],
)
def test_bad_options_name_their_key(options, key):
    with pytest.raises(SourceOptionError) as info:
        YouTubeConnector(SourceConfig("yt", "youtube", options=options), READ_ENV)
    assert info.value.key == key and str(info.value)


def test_a_bad_option_is_a_config_error_naming_the_key(youtube):
    with pytest.raises(config_module.ConfigError) as info:
        make_config(youtube, channel_id=ACME_CHANNEL, daily_quota=-5)
    assert info.value.key == "sources.yt.daily_quota" and "must be a positive" in str(info.value)


def test_streams_and_declarations():
    c = YouTubeConnector(
        SourceConfig("yt", "youtube", options={"channel_id": ACME_CHANNEL, "video_ids": ["a1", "b2", "a1"], "query": " acme "}),
        READ_ENV,
    )
    assert c.streams() == ["channel", "video:a1", "video:b2", "search"]
    assert c.daily_quota == 2000 and c.query == "acme"
    assert c.moderation_actions == ("hold", "publish", "reject") and c.reply_limit == 10_000


@pytest.mark.parametrize(
    "moment, day",
    [
        ("2026-01-16T07:59:59+00:00", "2026-01-15"),  # 23:59 PST
        ("2026-01-16T08:00:00+00:00", "2026-01-16"),
        ("2026-07-01T06:59:59+00:00", "2026-06-30"),  # 23:59 PDT
        ("2026-07-01T07:00:00+00:00", "2026-07-01"),
    ],
)
def test_the_quota_day_turns_at_midnight_pacific(moment, day):
    assert YouTubeConnector.quota_day(datetime.fromisoformat(moment)) == day


def test_the_pacific_rules_hold_without_a_tz_database(monkeypatch):
    monkeypatch.setattr(yt_quota, "_PACIFIC_TZ", None)
    assert yt_quota.quota_day(datetime(2026, 3, 8, 7, 59, tzinfo=timezone.utc)) == "2026-03-07"
    assert yt_quota.next_reset(datetime(2026, 3, 8, 12, tzinfo=timezone.utc)) == datetime(2026, 3, 9, 7, tzinfo=timezone.utc)
    assert yt_quota.next_reset(datetime(2026, 11, 1, 12, tzinfo=timezone.utc)) == datetime(2026, 11, 2, 8, tzinfo=timezone.utc)


# Through the command line ------------------------------------------------------------------------


def write_config(workdir, fake, **options) -> None:
    lines = ['[store]\npath = "inbox.db"\n', "[sources.yt]", 'connector = "youtube"', f'api_base = "{fake.url}"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    (workdir / "commwatch.toml").write_text("\n".join(lines) + "\n")


def test_cli_sync_reports_units_and_a_second_run_costs_one_unit(cli, workdir, youtube):
    world(youtube, threads=30)
    write_config(workdir, youtube, channel_id=ACME_CHANNEL)
    r = cli("sync", "--json", env=READ_ENV)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["new"] == len(youtube.comment_ids())
    assert summary["sources"][0]["units"] == youtube.units
    r = cli("sync", "--json", env=READ_ENV)
    assert json.loads(r.stdout)["sources"][0]["units"] == 1
    r = cli("sync", "--quiet", env={"YOUTUBE_API_KEY": "AIzaNotTheRightKey42"})
    assert r.returncode == 5 and r.stdout == ""
    assert "YOUTUBE_API_KEY" in r.stderr and "AIzaNotTheRightKey42" not in r.stderr and "<" not in r.stderr


def test_cli_sync_killed_mid_way_then_rerun_stores_everything_exactly_once(cli, workdir, youtube):
    world(youtube, threads=420)  # 5 pages of threads
    write_config(workdir, youtube, channel_id=ACME_CHANNEL)
    release = youtube.pause("commentThreads", skip=2)  # hold the third page
    proc = cli.popen("sync", "--quiet", env=READ_ENV)
    try:
        assert youtube.paused.wait(60), "the sync never reached the third page"
        conn = open_store(workdir / "inbox.db")
        deadline = time.monotonic() + 60
        while units_used(conn, "yt", today()) < youtube.units and time.monotonic() < deadline:
            time.sleep(0.05)  # let the writer commit the pages fetched before the paused one
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    partial = {r["remote_id"] for r in conn.execute("SELECT remote_id FROM mentions")}
    assert partial and partial < youtube.comment_ids()
    r = cli("sync", "--json", env=READ_ENV)
    assert r.returncode == 0, r.stderr
    rows = conn.execute("SELECT remote_id, count(*) AS n FROM mentions GROUP BY remote_id").fetchall()
    assert {row["remote_id"] for row in rows} == youtube.comment_ids()
    assert json.loads(r.stdout)["new"] == len(youtube.comment_ids()) - len(partial)
    youtube.wait_idle()
    # the request in flight when the process died is the only unit nobody recorded
    assert units_used(conn, "yt", today()) == youtube.units - 1


# Replying ------------------------------------------------------------------------------------------


def target_of(fake: YouTubeFake, comment_id: str) -> ReplyTarget:
    for thread in fake.threads.values():
        for c in (thread.top, *thread.replies):
            if c.id == comment_id:
                return ReplyTarget(
                    platform="youtube",
                    remote_id=c.id,
                    kind="reply" if c.parent_id else "comment",
                    author_handle=c.author,
                    parent_id=c.parent_id,
                    thread_id=c.parent_id or c.id,
                    extra={"video_id": c.video_id},
                )
    raise KeyError(comment_id)


def test_reply_posts_once_and_find_reply_finds_it(youtube):
    named = world(youtube, threads=5)
    c = connector(youtube)
    target = target_of(youtube, named["t1"])
    posted = c.reply(target, "Hi Dana, sorry about that! Could you DM us the details?")
    assert len(youtube.inserted) == 1 and c.last_units == 50
    [insert] = [r for r in youtube.calls("comments") if r.method == "POST"]
    assert insert.params == {"part": "snippet"} and insert.auth == "bearer"
    assert insert.body == {"snippet": {"parentId": named["t1"], "textOriginal": "Hi Dana, sorry about that! Could you DM us the details?"}}
    assert posted.remote_id.startswith(named["t1"] + ".")
    assert posted.url == f"https://www.youtube.com/watch?v={LAUNCH}&lc={posted.remote_id}"

    found = c.find_reply(target, "Hi Dana,  sorry about that!\nCould you DM us the details? ")
    assert found == posted
    assert c.find_reply(target, "a different text") is None
    assert youtube.count("channels") == 1  # our channel id is asked once
    assert len(youtube.inserted) == 1
    assert all(r.auth == "bearer" for r in youtube.calls("comments"))


def test_answering_a_reply_answers_its_thread(youtube):
    named = world(youtube, threads=5)
    reply_id = youtube.threads[named["t2"]].replies[0].id
    c = connector(youtube)
    c.reply(target_of(youtube, reply_id), "thanks!")
    assert youtube.inserted[0].parent_id == named["t2"]


def test_a_failed_reply_is_not_sent_again_and_too_long_text_is_permanent(youtube, monkeypatch):
    named = world(youtube, threads=5)
    c = connector(youtube)
    target = target_of(youtube, named["t1"])
    youtube.fail("comments", 503)
    with pytest.raises(TransientError, match="may or may not have been applied"):
        c.reply(target, "hello")
    assert len([r for r in youtube.calls("comments") if r.method == "POST"]) == 1
    with pytest.raises(PermanentError, match="at most 10,000"):
        c.reply(target, "x" * 10_001)
    monkeypatch.setattr(yt_writes, "REPLY_LIMIT", 20_000)  # let YouTube itself refuse it
    with pytest.raises(PermanentError, match="too long") as info:
        c.reply(target, "x" * 10_001)
    assert "<" not in str(info.value) and youtube.inserted == []


@pytest.mark.parametrize(
    "action, ban, params",
    [
        ("hold", False, {"moderationStatus": "heldForReview"}),
        ("publish", False, {"moderationStatus": "published"}),
        ("reject", False, {"moderationStatus": "rejected"}),
        ("reject", True, {"moderationStatus": "rejected", "banAuthor": "true"}),
    ],
)
def test_moderation(youtube, action, ban, params):
    named = world(youtube, threads=5)
    c = connector(youtube)
    c.moderate(target_of(youtube, named["t0"]), action, ban=ban)
    [call] = youtube.calls("comments/setModerationStatus")
    assert call.method == "POST" and call.params == {"id": named["t0"], **params} and call.status == 204
    assert c.last_units == 50 and youtube.units == 50


def test_moderation_refusals_are_permanent_sentences(youtube):
    named = world(youtube, threads=5)
    c = connector(youtube)
    target = target_of(youtube, named["t0"])
    with pytest.raises(PermanentError, match="only together with reject"):
        c.moderate(target, "hold", ban=True)
    assert youtube.requests == []
    youtube.forbid_moderation = True
    with pytest.raises(PermanentError) as info:
        c.moderate(target, "reject")
    assert "must own the channel or video" in str(info.value) and "<" not in str(info.value)


def test_the_access_token_is_refreshed_when_it_expires_and_after_a_401(youtube):
    named = world(youtube, threads=5)
    c = connector(youtube)
    target = target_of(youtube, named["t0"])
    c.moderate(target, "hold")
    c.moderate(target, "publish")
    assert youtube.count("/token") == 1  # cached
    youtube.expire_tokens()  # revoked early: the next call gets a 401
    c.moderate(target, "hold")
    assert youtube.count("/token") == 2
    assert [r.status for r in youtube.calls("comments/setModerationStatus")] == [204, 204, 401, 204]
    assert c.last_units == 50  # the refused attempt cost nothing
    youtube.token_lifetime = 0  # tokens that expire at once are refreshed before each call
    c2 = connector(youtube)
    c2.moderate(target, "hold")
    c2.moderate(target, "hold")
    assert youtube.count("/token") == 4


def test_oauth_problems_name_the_variables_and_never_their_values(youtube):
    named = world(youtube, threads=5)
    target = target_of(youtube, named["t0"])
    with pytest.raises(MissingCredentials) as info:
        connector(youtube, env=READ_ENV).reply(target, "hi")
    assert info.value.variables == ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"]
    youtube.revoke_refresh_token = True
    with pytest.raises(PermanentError) as info:
        connector(youtube).reply(target, "hi")
    assert "YOUTUBE_REFRESH_TOKEN (invalid_grant)" in str(info.value) and REFRESH_TOKEN not in str(info.value)
    assert youtube.inserted == []


def test_reply_units_are_recorded_through_the_outbox(youtube, db):
    """A reply sent by commwatch's outbox spends 50 units, and the store knows it."""
    from commwatch.app.session import Session

    world(youtube)
    cfg = make_config(youtube, channel_id=ACME_CHANNEL)
    sync(db, cfg)
    before = units_used(db, "yt", today())
    mention_id = db.execute("SELECT id FROM mentions WHERE kind = 'comment' LIMIT 1").fetchone()[0]
    replier = Session(cfg, Path("unused.db"), conn=db, env=ENV).replies
    delivery = replier.send(replier.draft(str(mention_id), "Thanks for the report!"))
    assert delivery.status == "sent"
    assert units_used(db, "yt", today()) == before + 50
