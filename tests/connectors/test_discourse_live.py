"""The Discourse connector against a fake Discourse site, through the real sync engine, outbox and CLI."""

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
from commwatch_discourse import DiscourseConnector
from fakes.discourse_server import BOT, ENV, KEY, DiscourseFake

SITE = "https://forum.acme.dev"


@pytest.fixture
def forum():
    fake = DiscourseFake()
    with fake.serving():
        yield fake


@pytest.fixture(autouse=True)
def slept(monkeypatch):
    """Retries and 429 waits go through this list instead of the clock."""
    waits: list[float] = []
    monkeypatch.setattr(DiscourseConnector, "sleep", staticmethod(waits.append))
    return waits


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "inbox.db")


def world(fake: DiscourseFake, topics: int = 40) -> None:
    """Acme Cloud's forum: a billing thread with a reply, a quote and a mention of the brand's account,
    then `topics` questions of two posts each (support and its billing subcategory, announcements)."""
    billing = fake.add_topic("Billing page broken", "The invoice page shows a 500 error since Monday", category=9,
                             tags=["billing"])  # fmt: skip
    fake.add_post(billing, f"Same here, and nobody answered yet @{BOT}", author="priya", reply_to=1)
    fake.add_post(billing, f'[quote="dana, post:1, topic:{billing.id}"]\nThe invoice page shows a 500\n[/quote]\n\n'
                           "Still broken :slight_smile:", author="li")  # fmt: skip
    for i in range(topics):
        topic = fake.add_topic(f"Question {i} about deploys", f"How do I deploy service number {i} with Acme?",
                               category=(5, 9, 7)[i % 3], author=f"user{i % 7}")  # fmt: skip
        fake.add_post(topic, f"Try the CLI, it worked for me on service {i}.", author="helper", reply_to=1)


def make_config(fake: DiscourseFake, **options) -> config_module.Config:
    table = {"connector": "discourse", "site": SITE, "api_base": fake.url, **options}
    cfg = config_module.parse({"sources": {"forum": table}})
    config_module.validate_sources(cfg)
    return cfg


def sync(db, cfg, env=ENV):
    [source] = run_sync(db, cfg, env=env).sources
    return source


def stored(db) -> dict[str, dict]:
    return {r["remote_id"]: dict(r) for r in db.execute("SELECT * FROM mentions")}


def connector(fake: DiscourseFake, env=ENV, **options) -> DiscourseConnector:
    return DiscourseConnector(SourceConfig("forum", "discourse", api_base=fake.url, options={"site": SITE, **options}), env)


# Fetching ------------------------------------------------------------------------------------------


def test_first_sync_stores_every_post_once_and_a_second_asks_one_request_per_stream(forum, db):
    world(forum, topics=70)  # 143 posts: three pages of /posts.json, and an empty fourth says that was all
    cfg = make_config(forum, mentions=True, query="invoice", backfill=1000)
    first = sync(db, cfg)
    assert first.status == "ok", first.message
    rows = stored(db)
    assert set(rows) == forum.post_ids()
    befores = [r.params.get("before") for r in forum.calls("/posts")]
    assert befores[0] is None and len(befores) == 4 and int(befores[1][0]) > int(befores[2][0]) > int(befores[3][0])

    billing = rows["101"]
    assert billing["author_handle"] == "dana" and billing["title"] == "Billing page broken"
    assert billing["url"] == f"{SITE}/t/billing-page-broken/11/1" and billing["kind"] == "post"
    assert json.loads(billing["extra"])["category_id"] == 9
    reply = rows["102"]
    # read first from the notification, then again with its parent known: still a mention
    assert reply["kind"] == "mention" and reply["parent_id"] == "101" and reply["thread_id"] == "11"
    assert rows["103"]["text"] == "> dana:\n> The invoice page shows a 500\n\nStill broken :slight_smile:"

    before = len(forum.requests)
    second = sync(db, cfg)
    assert second.status == "ok" and second.new == 0
    assert len(forum.requests) - before == 3 == second.requests  # mentions, latest, search: one each


def test_new_posts_arrive_edits_update_and_a_hidden_post_is_updated_not_duplicated(forum, db):
    world(forum, topics=5)
    cfg = make_config(forum)
    sync(db, cfg)
    topic = forum.topics[12]
    fresh = forum.add_post(topic, "A new answer with a workaround for the deploy bug", author="sam", reply_to=2)
    first_post = topic.posts[0]
    forum.edit(first_post, "How do I deploy service number 0 with Acme? (edited: solved)")
    result = sync(db, cfg)
    rows = stored(db)
    assert result.new == 1 and rows[str(fresh.id)]["parent_id"] == str(topic.posts[1].id)
    # the edited post is not newer than the cursor: the latest stream does not see edits (documented)
    assert "edited" not in rows[str(first_post.id)]["text"]

    fresh.hidden = True
    forum.add_post(topic, "one more post so the page is read again", author="sam")
    connector_rows = DiscourseConnector.parse({"latest_posts": forum._latest({})})
    hidden = next(m for m in connector_rows if m.remote_id == str(fresh.id))
    assert hidden.text == "(hidden by the forum)" and hidden.extra["hidden"] is True


def test_the_first_sync_backfills_at_most_backfill_posts_then_reads_only_what_is_new(forum, db):
    world(forum, topics=40)
    cfg = make_config(forum, backfill=30)
    sync(db, cfg)
    newest = sorted(forum.post_ids(), key=int)[-30:]
    assert set(stored(db)) == set(newest)
    added = forum.add_post(forum.topics[11], "billing works again, thanks", author="dana")
    result = sync(db, cfg)
    assert result.new == 1 and str(added.id) in stored(db)


def test_categories_by_slug_include_subcategories_and_keywords_filter_on_our_side(forum, db):
    world(forum, topics=9)
    cfg = make_config(forum, categories=["support"], keywords=["deploy", "invoice page"])
    sync(db, cfg)
    rows = stored(db)
    categories = {json.loads(r["extra"])["category_id"] for r in rows.values()}
    assert categories == {5, 9}  # billing (9) is a subcategory of support (5); announcements (7) left out
    assert all("deploy" in (r["text"] + (r["title"] or "")).lower() or "invoice page" in r["text"] for r in rows.values())
    assert "101" in rows and "102" not in rows  # the reply says neither keyword
    before = len(forum.requests)
    sync(db, cfg)
    assert len(forum.requests) - before == 1  # the categories are remembered: no /site.json again
    with pytest.raises(Exception, match="no category 'suport'"):
        list(connector(forum, categories=["suport"]).fetch("latest", None))


def test_search_reads_whole_posts_and_the_next_search_starts_the_day_before_the_newest(forum, db):
    world(forum, topics=3)
    cfg = make_config(forum, latest=False, query="invoice")
    sync(db, cfg)
    rows = stored(db)
    assert set(rows) == {"101", "103"}
    assert rows["101"]["text"] == "The invoice page shows a 500 error since Monday"  # not the blurb
    [fetch] = forum.calls("/t/11/posts")
    assert sorted(fetch.params["post_ids[]"]) == ["101", "103"]
    sync(db, cfg)
    last = forum.calls("/search")[-1].params["q"][0]
    assert last == "invoice order:latest after:2026-01-09"


def test_mentions_need_credentials_and_private_messages_are_read_as_the_brand(forum, db):
    world(forum, topics=2)
    pm = forum.add_topic("Refund for invoice 7731", "Could you refund my double charge?", author="dana",
                         private_with=(BOT,))  # fmt: skip
    result = sync(db, make_config(forum, mentions=True), env={})
    assert result.status == "failed"
    assert "DISCOURSE_API_KEY" in result.message and "DISCOURSE_API_USERNAME" in result.message
    assert set(stored(db)) == forum.post_ids()  # the latest stream read the public posts anyway
    result = sync(db, make_config(forum, mentions=True))
    message = stored(db)[str(pm.posts[0].id)]
    assert result.status == "ok" and json.loads(message["extra"])["private_message"] is True
    assert json.loads(message["extra"])["notification"] == "private_message"


def test_a_killed_sync_resumes_mid_walk_without_gaps_or_repeats(cli, workdir, forum):
    world(forum, topics=120)  # 243 posts: five pages
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.forum]\nconnector = "discourse"\nsite = "{SITE}"\n'
        f'api_base = "{forum.url}"\nbackfill = 1000\n'
    )
    release = forum.pause("/posts", skip=2)  # hold the third page
    proc = cli.popen("sync", "--quiet", env=ENV)
    try:
        assert forum.paused.wait(60), "the sync never reached the third page"
        conn = open_store(workdir / "inbox.db")
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM mentions").fetchone()[0] < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    partial = {r[0] for r in conn.execute("SELECT remote_id FROM mentions")}
    assert len(partial) == 100
    newer = forum.add_post(forum.topics[11], "posted while the sync was down", author="li")
    r = cli("sync", "--json", env=ENV)
    assert r.returncode == 0, r.stderr
    rows = conn.execute("SELECT remote_id, count(*) FROM mentions GROUP BY remote_id").fetchall()
    assert {row[0] for row in rows} == forum.post_ids() and all(row[1] == 1 for row in rows)
    assert str(newer.id) in {row[0] for row in rows}
    resumed = [r.params.get("before", [None])[0] for r in forum.calls("/posts")][3:]
    assert resumed[0] is not None  # the resumed walk went on from where it stopped, not from the top


# Limits and faults ------------------------------------------------------------------------------------


def test_a_short_429_is_waited_out_and_a_long_one_stops_the_source_until_it_may_resume(forum, db, slept):
    world(forum, topics=30)
    cfg = make_config(forum, backfill=1000)
    forum.limit("/posts", wait=12)
    result = sync(db, cfg)
    assert result.status == "ok" and slept == [12] and set(stored(db)) == forum.post_ids()

    forum.add_post(forum.topics[11], "new after the limit", author="li")
    forum.limit("/posts", wait=900)
    result = sync(db, cfg)
    assert result.status == "limited" and "15 minutes" in result.message and "retry after" in result.message
    result = sync(db, cfg)
    assert result.status == "ok" and result.new == 1


def test_server_errors_are_retried_then_reported_and_a_web_page_is_a_clear_sentence(forum, db, slept):
    world(forum, topics=3)
    cfg = make_config(forum)
    forum.fail("/posts", 502, times=2)
    assert sync(db, cfg).status == "ok" and slept == [1.0, 2.0]
    forum.fail("/posts", 503, times=3)
    result = sync(db, cfg)
    assert result.status == "failed" and "HTTP 503 3 times in a row" in result.message
    forum.garbage("/posts")
    result = sync(db, cfg)
    assert result.status == "failed" and "a web page, not JSON" in result.message and "<" not in result.message


def test_a_wrong_key_and_a_private_forum_are_one_sentence_naming_the_variables(forum, db):
    world(forum, topics=2)
    result = sync(db, make_config(forum), env={"DISCOURSE_API_KEY": "wrong-key-0123456789", "DISCOURSE_API_USERNAME": BOT})
    assert result.status == "failed" and "DISCOURSE_API_KEY" in result.message and "wrong-key" not in result.message
    forum.login_required = True
    result = sync(db, make_config(forum), env={})
    assert result.status == "failed"
    assert "does not let visitors read" in result.message and "set DISCOURSE_API_KEY and DISCOURSE_API_USERNAME" in result.message


def test_a_timeout_is_retried(forum, db, monkeypatch, slept):
    world(forum, topics=2)
    monkeypatch.setattr(DiscourseConnector, "timeout", 0.3)
    forum.delay("/posts", 1.0)
    result = sync(db, make_config(forum))
    assert result.status == "ok" and slept == [1.0]


def test_renamed_variables_are_read_and_named(forum, db):
    world(forum, topics=2)
    cfg = make_config(forum, mentions=True, api_key_env="FORUM_KEY", api_username_env="FORUM_USER")
    result = sync(db, cfg, env={"FORUM_KEY": KEY, "FORUM_USER": BOT})
    assert result.status == "ok" and forum.requests[0].user == BOT
    assert DiscourseConnector.missing({}, write=True, options=cfg.sources["forum"].options) == [["FORUM_KEY", "FORUM_USER"]]


# Replying ---------------------------------------------------------------------------------------------


def target(fake: DiscourseFake, post_id: int) -> ReplyTarget:
    post = fake.posts[post_id]
    return ReplyTarget("discourse", str(post.id), "reply", post.user.username, thread_id=str(post.topic_id),
                       extra={"topic_id": post.topic_id, "post_number": post.number, "user_id": post.user.id})  # fmt: skip


def test_reply_lands_once_in_the_right_topic_under_the_right_post_and_find_reply_finds_it(forum):
    world(forum, topics=2)
    c = connector(forum)
    text = "Sorry about that, Priya! The invoice page is fixed now."
    posted = c.reply(target(forum, 102), text)
    [create] = forum.calls("/posts", "POST")
    assert create.body == {"topic_id": 11, "raw": text, "reply_to_post_number": 2} and create.user == BOT
    new = forum.posts[int(posted.remote_id)]
    assert new.topic_id == 11 and new.reply_to == 2 and posted.url == f"{SITE}/t/billing-page-broken/11/{new.number}"
    assert c.find_reply(target(forum, 102), "Sorry about that,  Priya!\nThe invoice page is fixed now. ") == posted
    assert c.find_reply(target(forum, 102), "another text entirely, long enough") is None
    assert c.find_reply(target(forum, 101), text) is None  # it answers post 2, not post 1
    assert len(forum.calls("/posts", "POST")) == 1


def test_a_reply_that_timed_out_is_found_not_posted_twice_through_the_outbox(forum, db, monkeypatch):
    world(forum, topics=2)
    cfg = make_config(forum)
    sync(db, cfg)
    monkeypatch.setattr(DiscourseConnector, "timeout", 0.3)
    forum.delay("/posts", 1.0)  # … for the POST: the site creates the post after we gave up
    session = Session(cfg, Path("unused.db"), conn=db, env=ENV)
    mention_id = db.execute("SELECT id FROM mentions WHERE remote_id = '102'").fetchone()[0]
    first = session.replies.send(session.replies.draft(str(mention_id), "Thanks Priya, we are on it right now."))
    assert first.status == "pending" and "may or may not" in first.message
    time.sleep(1.2)
    again = session.outbox.flush()
    assert [d.status for d in again] == ["sent"]
    assert len(forum.calls("/posts", "POST")) == 1
    mine = [p for p in forum.posts.values() if p.user.username == BOT]
    assert len(mine) == 1 and mine[0].reply_to == 2


def test_the_sites_length_limits_are_checked_before_queuing(forum, db):
    world(forum, topics=2)
    forum.min_post_length = 25
    cfg = make_config(forum)
    sync(db, cfg)
    session = Session(cfg, Path("unused.db"), conn=db, env=ENV)
    from commwatch.app.errors import ActionError

    with pytest.raises(ActionError, match="at least 25"):
        session.replies.draft("1", "Thanks, fixed!")
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0 and not forum.calls("/posts", "POST")


def test_replying_needs_the_key(forum):
    with pytest.raises(MissingCredentials):
        connector(forum, env={}).reply(target_for_nothing(), "hello there, this is long enough")


def target_for_nothing() -> ReplyTarget:
    return ReplyTarget("discourse", "101", "post", "dana", thread_id="11", extra={"topic_id": 11, "post_number": 1})


def test_a_closed_topic_refuses_the_reply_permanently(forum):
    world(forum, topics=1)
    forum.topics[11].closed = True
    with pytest.raises(PermanentError, match="closed"):
        connector(forum).reply(target(forum, 102), "We are looking into it, thanks for waiting.")


def test_a_5xx_on_the_reply_is_never_repeated_here(forum):
    world(forum, topics=1)
    forum.fail("/posts", 502)
    with pytest.raises(TransientError, match="may or may not have been applied"):
        connector(forum).reply(target(forum, 102), "We are looking into it, thanks for waiting.")
    assert len(forum.calls("/posts", "POST")) == 1


# Moderating --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, method, path, body",
    [
        ("flag-spam", "POST", "/post_actions", {"id": 102, "post_action_type_id": 8, "flag_topic": False}),
        ("flag-inappropriate", "POST", "/post_actions", {"id": 102, "post_action_type_id": 4, "flag_topic": False}),
        ("flag-off-topic", "POST", "/post_actions", {"id": 102, "post_action_type_id": 3, "flag_topic": False}),
        ("notify-moderators", "POST", "/post_actions", {"id": 102, "post_action_type_id": 7, "flag_topic": False,
                                                         "message": "Flagged from commwatch for a moderator to look at."}),
        ("hide", "POST", "/post_actions", {"id": 102, "post_action_type_id": 4, "flag_topic": False, "take_action": True}),
        ("unhide", "PUT", "/posts/102/unhide", None),
        ("delete", "DELETE", "/posts/102", None),
        ("recover", "PUT", "/posts/102/recover", None),
        ("lock", "PUT", "/posts/102/locked", {"locked": "true"}),
        ("unlock", "PUT", "/posts/102/locked", {"locked": "false"}),
        ("close", "PUT", "/t/11/status", {"status": "closed", "enabled": "true"}),
        ("open", "PUT", "/t/11/status", {"status": "closed", "enabled": "false"}),
        ("unlist", "PUT", "/t/11/status", {"status": "visible", "enabled": "false"}),
        ("list", "PUT", "/t/11/status", {"status": "visible", "enabled": "true"}),
        ("unsilence", "PUT", "/admin/users/4/unsilence", None),
    ],
)  # fmt: skip
def test_each_moderation_action_sends_its_request(forum, action, method, path, body):
    world(forum, topics=1)
    connector(forum).moderate(target(forum, 102), action)
    [sent] = [r for r in forum.requests if r.method == method and r.path == path]
    assert sent.body == body and sent.user == BOT


def test_moderation_changes_the_forum(forum):
    world(forum, topics=1)
    c, post, topic = connector(forum), forum.posts[102], forum.topics[11]
    c.moderate(target(forum, 102), "hide")
    assert post.hidden
    c.moderate(target(forum, 102), "unhide")
    c.moderate(target(forum, 102), "close")
    c.moderate(target(forum, 102), "lock")
    assert not post.hidden and topic.closed and post.locked
    c.moderate(target(forum, 102), "flag-spam")
    c.moderate(target(forum, 102), "flag-spam")  # flagged already: what was wanted is so
    assert forum.flags.count((102, 8, BOT)) == 1


def test_silence_needs_a_reason_and_lasts_the_days_given(forum):
    world(forum, topics=1)
    c = connector(forum)
    with pytest.raises(PermanentError, match="needs a reason"):
        c.moderate(target(forum, 102), "silence")
    c.moderate(target(forum, 102), "silence", reason="Spamming the billing thread", days=3)
    [sent] = forum.calls("/admin/users/4/silence", "PUT")
    assert sent.body["reason"] == "Spamming the billing thread"
    assert forum.users["priya"].silenced_till == sent.body["silenced_till"]


def test_moderation_by_a_non_staff_key_says_it_needs_staff(forum):
    world(forum, topics=1)
    forum.user("helper_bot", "Helper")
    with pytest.raises(PermanentError, match="needs a staff account"):
        connector(forum, env={"DISCOURSE_API_KEY": KEY, "DISCOURSE_API_USERNAME": "helper_bot"}).moderate(
            target(forum, 102), "close")  # fmt: skip


def test_moderate_through_the_cli_records_reason_and_days(cli, workdir, forum):
    world(forum, topics=1)
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.forum]\nconnector = "discourse"\nsite = "{SITE}"\napi_base = "{forum.url}"\n'
    )
    assert cli("sync", "--quiet", env=ENV).returncode == 0
    mention = cli.json("inbox", "--json", "--search", "nobody answered", env=ENV)[0]["id"]
    r = cli("moderate", str(mention), "silence", "--reason", "Spam in billing", "--days", "3", env=ENV)
    assert r.returncode == 0, r.stderr
    show = cli("show", str(mention), env=ENV).stdout
    assert "moderated: silence for 3 days (Spam in billing)" in show
    r = cli("moderate", str(mention), "silence", env=ENV)
    assert r.returncode != 0 and "silencing needs a reason (--reason)" in r.stderr and "nothing was sent" in r.stderr
    assert "refused" not in r.stderr  # commwatch declined it: the forum was never asked
    r = cli("moderate", str(mention), "hide", "--reason", "x", env={**ENV, "DISCOURSE_API_KEY": ""})
    assert r.returncode != 0 and "set DISCOURSE_API_KEY" in r.stderr


def test_doctor_live_says_who_the_key_acts_as(cli, workdir, forum):
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.forum]\nconnector = "discourse"\nsite = "{SITE}"\napi_base = "{forum.url}"\n'
    )
    r = cli("doctor", "--live", env=ENV)
    assert "signed in as acme_support (staff: can moderate)" in r.stdout, r.stdout + r.stderr
    assert KEY not in r.stdout + r.stderr
