"""The demo connector: bundled raw API responses about "Acme Cloud", parsed by each platform's connector."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import pytest

from commwatch import registry
from commwatch.app.ingest import unpack
from commwatch.connector import FETCH, ConnectorError, SourceConfig

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 3, 1, 9, 30, 0, tzinfo=timezone.utc)  # a "first sync" time well after the anchor
STREAMS = ["x", "reddit", "youtube"]


def make(clock: datetime | None = NOW):
    connector = registry.load("demo")(SourceConfig(name="demo", connector="demo"), {})
    if clock is not None:
        connector.clock = lambda: clock
    return connector


def manifest() -> dict:
    return json.loads(resources.files("commwatch_demo").joinpath("data").joinpath("manifest.json").read_text("utf-8"))


def raw(relative: str):
    node = resources.files("commwatch_demo").joinpath("data")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return json.loads(node.read_text("utf-8"))


@pytest.fixture(scope="module")
def first_sync() -> dict:
    """Every page of every stream, fetched from scratch at NOW."""
    connector = make()
    return {stream: list(connector.fetch(stream, None)) for stream in connector.streams()}


def mentions_of(pages) -> list:
    """The pages' mentions as commwatch stores them: raw payloads parsed by their platforms' connectors."""
    return [m for page in pages for m in unpack(page)[0]]


# What it is ------------------------------------------------------------------------------


def test_registered_as_an_offline_fetch_connector():
    cls = registry.load("demo")
    assert cls.name == "demo" and cls.description
    assert cls.platforms == ("x", "reddit", "youtube")
    assert cls.capabilities == frozenset({FETCH})
    assert cls.credentials == () and cls.options == ()
    assert make().streams() == STREAMS  # no environment needed


def test_the_data_is_package_data_and_every_listed_file_exists():
    data = resources.files("commwatch_demo").joinpath("data")
    listed = {f["file"] for files in manifest()["streams"].values() for f in files}
    for relative in listed:
        assert isinstance(raw(relative), (dict, list))
    on_disk = {
        f"{d.name}/{f.name}" for d in data.iterdir() if d.is_dir() for f in d.iterdir() if f.name.endswith(".json")
    }
    assert on_disk == listed  # nothing stale left behind, nothing missing


def test_committed_data_matches_the_generator(tmp_path):
    script = ROOT / "tools" / "make_demo_data.py"
    if not script.exists():
        pytest.skip("not a source checkout")
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    committed = ROOT / "connectors" / "commwatch_demo" / "data"
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    assert generated == sorted(p.relative_to(committed) for p in committed.rglob("*.json"))
    for rel in generated:
        assert (tmp_path / rel).read_bytes() == (committed / rel).read_bytes(), f"{rel} differs: rerun the script"


# Volume and integrity ---------------------------------------------------------------------------


def test_hundreds_of_mentions_on_all_three_platforms(first_sync):
    counts = {stream: len(mentions_of(pages)) for stream, pages in first_sync.items()}
    assert sum(counts.values()) >= 300
    assert all(n >= 50 for n in counts.values()), counts
    for stream, pages in first_sync.items():
        assert {m.platform for m in mentions_of(pages)} == {stream}


def test_every_file_parses_to_the_mentions_it_holds(first_sync):
    """No file or item silently dropped: only t4 private messages and `errors` entries are not mentions."""
    info = manifest()
    for stream, pages in first_sync.items():
        files = info["streams"][stream]
        assert len(pages) == len(files)
        for entry, page in zip(files, pages):
            assert len(unpack(page)[0]) == entry["mentions"], entry["file"]
            assert page.requests == 1
        assert len(mentions_of(pages)) == info["totals"][stream]


def test_platform_and_remote_id_are_unique(first_sync):
    keys = collections.Counter(m.key for pages in first_sync.values() for m in mentions_of(pages))
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_mention_has_an_author_a_url_and_text_or_title(first_sync):
    for pages in first_sync.values():
        for m in mentions_of(pages):
            assert m.author.handle
            assert m.url and m.url.startswith("https://"), m.key
            assert m.text or m.title, m.key


def test_replies_listed_by_parent_get_their_video_from_the_request(first_sync):
    listed = [f for f in manifest()["streams"]["youtube"] if "context" in f]
    assert listed
    for m in mentions_of(first_sync["youtube"]):
        assert m.extra.get("video_id"), m.key
        assert m.url == f"https://www.youtube.com/watch?v={m.extra['video_id']}&lc={m.remote_id}"


# Cursors ------------------------------------------------------------------------------------------


def test_each_page_cursor_counts_the_pages_delivered(first_sync):
    shifts = set()
    for pages in first_sync.values():
        assert [p.cursor["page"] for p in pages] == list(range(1, len(pages) + 1))
        shifts |= {p.cursor["shift"] for p in pages}
        json.dumps([p.cursor for p in pages])
    assert shifts == {int((NOW - datetime(2026, 1, 15, 12, tzinfo=timezone.utc)).total_seconds())}


@pytest.mark.parametrize("stream", STREAMS)
def test_resuming_mid_way_yields_only_the_remaining_pages(first_sync, stream):
    pages = first_sync[stream]
    middle = len(pages) // 2
    cursor = pages[middle - 1].cursor  # as committed with the page before the crash
    later = make(NOW + timedelta(days=3))  # a different clock must not matter: the cursor has the shift
    resumed = list(later.fetch(stream, cursor))
    assert [p.cursor for p in resumed] == [p.cursor for p in pages[middle:]]
    expected = [(m.key, m.created_at, m.edited_at) for m in mentions_of(pages[middle:])]
    assert [(m.key, m.created_at, m.edited_at) for m in mentions_of(resumed)] == expected


@pytest.mark.parametrize("stream", STREAMS)
def test_a_finished_cursor_yields_nothing(first_sync, stream):
    last = first_sync[stream][-1].cursor
    assert list(make(NOW + timedelta(hours=1)).fetch(stream, last)) == []
    assert list(make().fetch(stream, {"page": 999, "shift": 0})) == []


def test_the_shift_comes_from_the_cursor_and_moves_created_and_edited_alike(first_sync):
    shift = first_sync["x"][0].cursor["shift"]
    replay = make(NOW + timedelta(days=30))
    for stream, pages in first_sync.items():
        again = mentions_of(replay.fetch(stream, {"page": 0, "shift": shift}))
        assert [(m.key, m.created_at, m.edited_at) for m in again] == [
            (m.key, m.created_at, m.edited_at) for m in mentions_of(pages)
        ]
        unshifted = {m.key: m for m in mentions_of(make().fetch(stream, {"page": 0, "shift": 0}))}
        for m in again:
            base = unshifted[m.key]
            assert m.created_at - base.created_at == timedelta(seconds=shift)
            if base.edited_at is not None:
                assert m.edited_at - base.edited_at == timedelta(seconds=shift)


def test_edited_mentions_exist_on_every_platform(first_sync):
    for stream, pages in first_sync.items():
        assert any(m.edited_at for m in mentions_of(pages)), stream


def test_newest_mention_is_about_now_at_the_first_sync():
    connector = make(clock=None)  # the real clock
    before = datetime.now(timezone.utc)
    newest = max(m.created_at for s in STREAMS for m in mentions_of(connector.fetch(s, None)))
    after = datetime.now(timezone.utc)
    assert before - timedelta(minutes=1) <= newest <= after


def test_a_week_of_traffic_with_an_outage_spike(first_sync):
    times = sorted(m.created_at for pages in first_sync.values() for m in mentions_of(pages))
    assert timedelta(days=6) <= times[-1] - times[0] <= timedelta(days=8)
    anchor_now = NOW  # the anchor maps to NOW
    outage = (anchor_now - timedelta(days=2, hours=22, minutes=13), anchor_now - timedelta(days=2, hours=18, minutes=40))
    in_outage = sum(outage[0] <= t <= outage[1] for t in times)
    assert in_outage >= 30  # ~3.5 hours out of 168 hold a large share of the week


def test_a_cursor_it_never_wrote_starts_over():
    pages = list(make().fetch("reddit", {"page": "three", "shift": "soon"}))
    assert pages[0].cursor["page"] == 1


def test_an_unknown_stream_is_a_connector_error():
    with pytest.raises(ConnectorError, match="no stream named"):
        list(make().fetch("myspace", None))


# The traps in the data --------------------------------------------------------------------------


def all_raw(stream: str) -> list:
    return [(entry, raw(entry["file"])) for entry in manifest()["streams"][stream]]


def test_x_pages_have_the_real_api_traps():
    pages = [body for _, body in all_raw("x")]
    assert 8 <= len(pages) <= 12
    assert all("next_token" in p["meta"] for p in pages[:-1]) and "next_token" not in pages[-1]["meta"]
    assert any(p["meta"]["result_count"] < 10 and "next_token" in p["meta"] for p in pages)  # short page, not the end
    assert any("errors" in p and p["data"] for p in pages)
    tweets = [t for p in pages for t in p["data"]]
    users = {u["id"]: u for p in pages for u in p["includes"]["users"]}
    assert all(isinstance(t["id"], str) and len(t["id"]) == 19 for t in tweets)
    assert all(t["created_at"].endswith(".000Z") for t in tweets)
    assert any("&amp;" in t["text"] for t in tweets)
    assert any(len(t["edit_history_tweet_ids"]) > 1 for t in tweets)
    assert {t["lang"] for t in tweets} >= {"en", "es", "de", "pt", "ja", "fr"}
    assert any(u["verified"] and u["public_metrics"]["followers_count"] >= 250_000 for u in users.values())
    assert any(t["author_id"] not in users for t in tweets)  # its author is in `errors` instead


def test_x_empty_result_has_no_data_and_parses_to_nothing():
    assert registry.load("x").parse({"meta": {"result_count": 0}}) == []


def test_reddit_listings_have_the_real_api_traps():
    children = [c for _, body in all_raw("reddit") for c in body["data"]["children"]]
    kinds = collections.Counter(c["kind"] for c in children)
    assert kinds["t3"] >= 30 and kinds["t1"] >= 40 and kinds["t4"] >= 1
    data = [c["data"] for c in children]
    mentions = [d for d in data if d.get("type") == "username_mention"]
    assert mentions and all("link_id" not in d and "permalink" not in d and d["context"] for d in mentions)
    assert any(d["author"] == "[deleted]" and "author_fullname" not in d for d in data)
    assert any(d.get("body") == "[removed]" for d in data) and any(d.get("selftext") == "[removed]" for d in data)
    longest = max(len(d.get("selftext") or "") for d in data)
    assert 39_000 <= longest <= 40_000
    assert any(isinstance(d.get("edited"), float) for d in data)
    assert all(isinstance(d["created_utc"], float) for d in data)
    assert any("\x1b[" in (d.get("body") or "") for d in data)


def test_youtube_responses_have_the_real_api_traps():
    bodies = all_raw("youtube")
    threads = [it for _, b in bodies if b["kind"] == "youtube#commentThreadListResponse" for it in b["items"]]
    listed = [(e, b) for e, b in bodies if b["kind"] == "youtube#commentListResponse"]
    assert any("nextPageToken" in b for _, b in bodies if b["kind"] == "youtube#commentThreadListResponse")
    partial = [t for t in threads if t["snippet"]["totalReplyCount"] > len(t.get("replies", {}).get("comments", []))]
    assert partial and listed
    assert all("totalResults" not in b["pageInfo"] for _, b in listed)
    replies = [c for _, b in listed for c in b["items"]]
    assert replies and all("videoId" not in c["snippet"] and "." in c["id"] for c in replies)
    stamps = [t["snippet"]["topLevelComment"]["snippet"]["publishedAt"] for t in threads]
    assert any(s.endswith(".000Z") for s in stamps) and any(not s.endswith(".000Z") for s in stamps)
    texts = [t["snippet"]["topLevelComment"]["snippet"]["textOriginal"] for t in threads]
    assert any("<" in s for s in texts)
    assert any("[bold red]FREE[/bold red]" in s and "[link=http://evil]click[/link]" in s for s in texts)


def test_the_hostile_and_human_variety_survives_parsing(first_sync):
    everything = [m for pages in first_sync.values() for m in mentions_of(pages)]
    texts = [m.text for m in everything]
    assert any("\x1b[31m" in t for t in texts)  # the store keeps what was said; display renders it inert
    assert any("[link=http://evil]" in t for t in texts)
    assert any("\u2764\ufe0f" in t for t in texts)
    assert not any("&amp;" in t for t in texts)
    assert any(m.author.handle == "[deleted]" for m in everything)
    for word in ("refund", "outage", "hacked", "lawsuit"):
        assert sum(word in (m.text + (m.title or "")).lower() for m in everything) >= 2, word
    loud = [m for m in everything if (m.author.followers or 0) >= 250_000]
    assert loud and all(m.author.verified for m in loud)
    t4 = {c["data"]["name"] for _, b in all_raw("reddit") for c in b["data"]["children"] if c["kind"] == "t4"}
    assert t4 and not t4 & {m.remote_id for m in everything}
