"""The sync engine against the scripted test plugin (a real registered connector)."""

import threading

import pytest

from commwatch import config as config_module
from commwatch.store.db import open_store
from commwatch.store.mentions import load_cursors
from commwatch.app.sync import SyncLocked, redact, run_sync, sync_lock

from helpers import mentions, write_script


def make_config(tmp_path, sources: dict) -> config_module.Config:
    tables = {}
    for name, streams in sources.items():
        if isinstance(streams, dict) and "connector" in streams:
            tables[name] = streams
        else:
            script = write_script(tmp_path / f"{name}.json", streams)
            tables[name] = {"connector": "scripted", "script": str(script)}
    cfg = config_module.parse({"sources": tables})
    config_module.validate_sources(cfg)
    return cfg


@pytest.fixture
def db(either_store):
    return either_store


def count(db):
    return db.execute("SELECT count(*) FROM mentions").fetchone()[0]


def test_pages_land_with_their_cursor_and_a_second_sync_adds_nothing(tmp_path, db):
    cfg = make_config(tmp_path, {"a": {"s1": [mentions("1", "2"), mentions("3")], "s2": [mentions("9")]}})
    first = run_sync(db, cfg)
    assert [(s.name, s.status, s.new, s.pages) for s in first.sources] == [("a", "ok", 4, 3)]
    assert load_cursors(db, "a") == {"s1": {"step": 2}, "s2": {"step": 1}}
    second = run_sync(db, cfg)
    assert [(s.status, s.new, s.pages) for s in second.sources] == [("ok", 0, 0)]
    assert count(db) == 4


def test_triage_runs_on_every_mention(tmp_path, db):
    cfg = make_config(tmp_path, {"a": {"s": [mentions("1:I want a refund, this outage is a disgrace!", "2:love it, thanks!")]}})
    result = run_sync(db, cfg)
    rows = {r["remote_id"]: r for r in db.execute("SELECT * FROM mentions")}
    assert rows["1"]["sentiment_label"] == "negative" and rows["2"]["sentiment_label"] == "positive"
    assert rows["1"]["priority_score"] > rows["2"]["priority_score"]
    assert "refund" in rows["1"]["priority_reasons"]
    assert result.sources[0].negative == 1


def test_a_failing_source_keeps_its_pages_and_the_others_carry_on(tmp_path, db):
    cfg = make_config(tmp_path, {
        "good": {"s": [mentions("1", "2", prefix="g")]},
        "bad": {"s": [mentions("1", prefix="b"), {"error": "the API answered 503 three times"}, mentions("2", prefix="b")]},
        "buggy": {"s": [{"crash": "KeyError: 'data'"}]},
    })  # fmt: skip
    result = run_sync(db, cfg)
    by = {s.name: s for s in result.sources}
    assert (by["good"].status, by["good"].new) == ("ok", 2)
    assert (by["bad"].status, by["bad"].new) == ("failed", 1)
    assert by["bad"].message == "the API answered 503 three times"
    assert by["buggy"].status == "failed" and by["buggy"].message.startswith("unexpected RuntimeError")
    assert load_cursors(db, "bad") == {"s": {"step": 1}}  # resumes after the last committed page
    fixed = make_config(tmp_path, {"bad": {"s": [mentions("1", prefix="b"), mentions("3", prefix="b"), mentions("2", prefix="b")]}})
    again = run_sync(db, fixed)
    assert again.sources[0].new == 2 and count(db) == 5


def test_missing_credentials_skip_the_source(tmp_path, db):
    script = write_script(tmp_path / "s.json", {"s": [mentions("1")]})
    cfg = make_config(tmp_path, {
        "needs": {"connector": "scripted", "script": str(script), "require_env": "SCRIPTED_TOKEN"},
        "free": {"s": [mentions("2")]},
    })  # fmt: skip
    result = run_sync(db, cfg, env={})
    by = {s.name: s for s in result.sources}
    assert by["needs"].status == "skipped" and by["needs"].message == "set SCRIPTED_TOKEN to enable it"
    assert by["free"].new == 1 and not result.failed
    assert run_sync(db, cfg, env={"SCRIPTED_TOKEN": "t0ken"}).sources[0].new == 1


def test_connectors_without_live_fetch_are_skipped_with_a_pointer_to_import(tmp_path, db):
    cfg = make_config(tmp_path, {"saved": {"connector": "importonly"}})
    source = run_sync(db, cfg).sources[0]
    assert source.status == "skipped" and "commwatch import importonly" in source.message


def test_only_and_disabled_sources(tmp_path, db):
    cfg = make_config(tmp_path, {"a": {"s": [mentions("1", prefix="a")]}, "b": {"s": [mentions("1", prefix="b")]}})
    cfg.sources["b"].enabled = False
    assert [s.name for s in run_sync(db, cfg).sources] == ["a"]
    assert [s.name for s in run_sync(db, cfg, only=["b"]).sources] == ["b"]


def test_run_records(tmp_path, db):
    cfg = make_config(tmp_path, {"a": {"s": [mentions("1")]}})
    result = run_sync(db, cfg)
    run = db.execute("SELECT status, finished_at FROM sync_runs WHERE id = ?", (result.run_id,)).fetchone()
    assert run["status"] == "ok" and run["finished_at"]
    row = db.execute("SELECT source, status, new, pages FROM source_runs WHERE run_id = ?", (result.run_id,)).fetchone()
    assert tuple(row) == ("a", "ok", 1, 1)


def test_the_lock_admits_one_sync(tmp_path):
    path = tmp_path / "inbox.db"
    with sync_lock(path):
        with pytest.raises(SyncLocked, match="another commwatch sync"):
            with sync_lock(path):
                pass
    with sync_lock(path):  # released
        pass


def test_secrets_are_redacted_from_messages():
    env = {"YOUTUBE_API_KEY": "AIzaSecretValue", "HOME": "/root", "X_BEARER_TOKEN": "abc"}
    text = "GET https://example/v3/commentThreads?key=AIzaSecretValue failed in /root"
    assert redact(text, env) == "GET https://example/v3/commentThreads?key=*** failed in /root"


def test_concurrent_reader_is_not_locked_out(tmp_path, db):
    """The TUI (or `inbox`) reads while a sync writes: WAL + busy timeout."""
    cfg = make_config(tmp_path, {"a": {"s": [mentions(*[str(i) for i in range(50)]) for _ in range(20)]}})
    reader = open_store(db.location)
    errors = []

    def read():
        try:
            for _ in range(200):
                reader.execute("SELECT count(*) FROM mentions").fetchone()
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    t = threading.Thread(target=read)
    t.start()
    run_sync(db, cfg)
    t.join()
    assert errors == []


def test_quota_units_are_recorded_with_their_page_and_known_before_the_next_sync(tmp_path, db):
    from commwatch.store.mentions import units_used
    from commwatch import timeutil

    cfg = make_config(tmp_path, {"yt": {"s": [{**mentions("1"), "units": 3}, {**mentions("2"), "units": 2}]}})
    result = run_sync(db, cfg)
    assert result.sources[0].units == 5
    assert units_used(db, "yt", timeutil.now().date().isoformat()) == 5


def test_every_failing_stream_is_named_once(tmp_path, db):
    cfg = make_config(tmp_path, {"a": {"s1": [{"error": "r/secret is private"}], "s2": [{"error": "HTTP 503"}],
                                       "s3": [{"error": "HTTP 503"}], "s4": [mentions("1")]}})  # fmt: skip
    [source] = run_sync(db, cfg).sources
    assert source.status == "failed" and source.new == 1
    assert source.message == "s1: r/secret is private; s2: HTTP 503; s3: HTTP 503"
