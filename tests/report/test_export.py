"""export: every mention with its triage, tags, assignee and replies; CSV that a spreadsheet cannot execute."""

import csv
import io
import json
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from commwatch import export
from commwatch.model import Author, Level, Mention, Priority, Sentiment
from commwatch.report.scope import Scope
from commwatch.store.db import open_store
from commwatch.store.inbox import InboxFilter
from commwatch.store.mentions import get, save_page
from commwatch.store.outbox import replies_sent

from report_store import SINCE, UNTIL, build

pytestmark = pytest.mark.both_stores  # every test here runs on SQLite and on PostgreSQL


@pytest.fixture
def conn(tmp_path, monkeypatch):
    return build(tmp_path / "inbox.db", monkeypatch)


def scope(until=None, **filters) -> Scope:
    return Scope(InboxFilter(**{"status": None, "limit": None, **filters}), until)


def jsonl(conn, s: Scope) -> list[dict]:
    out = io.StringIO()
    count = export.write(conn, s, "jsonl", out)
    lines = out.getvalue().splitlines()
    assert count == len(lines)
    return [json.loads(line) for line in lines]


def csv_rows(conn, s: Scope) -> list[dict]:
    out = io.StringIO(newline="")
    export.write(conn, s, "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def test_jsonl_is_the_mention_shape_plus_replies_oldest_first(conn):
    got = jsonl(conn, scope())
    assert [m["id"] for m in got] == [10, 1, 2, 3, 4, 5, 6, 7, 9, 8, 11]  # by created_at in UTC
    for m in got:
        assert m == {**get(conn, m["id"]), "replies": replies_sent(conn, m["id"])}
    by_id = {m["id"]: m for m in got}
    assert by_id[1]["tags"] == ["billing", "refund"] and by_id[1]["status"] == "escalated" and by_id[1]["replied"]
    assert by_id[2]["replies"] == [{"text": "Sorry, DM us", "remote_id": "o2", "url": "https://x.com/r/o2",
                                    "sent_at": "2026-03-01T01:10:00Z", "actor": "maria"}]  # fmt: skip
    assert by_id[3]["replies"] == []  # its outbox reply failed


@pytest.mark.parametrize(
    "s, ids",
    [
        (scope(since=SINCE, until=UNTIL), [1, 2, 3, 4, 5, 6, 7, 9, 8]),
        (scope(platform="reddit"), [3, 4]),
        (scope(tag="billing"), [10, 1, 2, 6]),
        (scope(sentiment="negative", since=SINCE), [1, 2, 6, 7, 11]),
        (scope(status="closed"), [6, 8]),
        (scope(needs_reply=True), [10, 3, 4, 7, 9, 11]),
        (scope(search="refund"), [10, 1, 2, 7]),
    ],
)
def test_inbox_filters_choose_what_is_exported(conn, s, ids):
    assert [m["id"] for m in jsonl(conn, s)] == ids


def test_csv_columns_flatten_triage_tags_and_replies(conn):
    rows = {int(r["id"]): r for r in csv_rows(conn, scope())}
    assert list(rows[1]) == export.CSV_COLUMNS
    one, two = rows[1], rows[2]
    assert (one["tags"], one["status"], one["replied"], one["sentiment_label"], one["sentiment_score"]) == (
        "billing; refund", "escalated", "true", "negative", "-0.6")  # a number, not neutralised: not text
    assert one["created_at"] == "2026-03-01T00:00:00Z"  # Tokyo 09:00, in UTC
    assert (two["reply_count"], two["first_reply_at"], two["reply_urls"], two["reply_texts"]) == (
        "1", "2026-03-01T01:10:00Z", "https://x.com/r/o2", "Sorry, DM us")
    assert rows[9]["sentiment_label"] == "" and rows[3]["author_followers"] == ""


TRICKY = {
    "a": "plain, with a comma",
    "b": 'she said "refund" twice',
    "c": "line one\nline two\r\nline three",
    "d": "emoji 🔥🙄 and ❤️ and 日本語",
    "e": "=HYPERLINK(\"http://evil\",\"click\")",
    "f": "+1 on this",
    "g": "-2+3",
    "h": "@SUM(A1:A9)",
    "i": "\t=1+1",
    "j": "\r=1+1",
    "k": "a = b is fine in the middle",
}


@pytest.fixture
def tricky(tmp_path):
    conn = open_store(tmp_path / "tricky.db")
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    mentions = [
        Mention(platform="x", remote_id=key, text=text, created_at=start + timedelta(minutes=i),
                author=Author(handle="=cmd|' /C calc'!A0" if key == "e" else f"user_{key}", name=text[:12]),
                sentiment=Sentiment(-0.5, "negative"), priority=Priority(50, Level.HIGH, ["-very negative"]))
        for i, (key, text) in enumerate(TRICKY.items())
    ]  # fmt: skip
    save_page(conn, "demo", mentions, "2026-03-02T00:00:00Z")
    return conn


def test_csv_round_trips_commas_quotes_newlines_and_emoji(tricky):
    rows = {r["remote_id"]: r for r in csv_rows(tricky, scope())}
    for key in "abcdk":
        assert rows[key]["text"] == TRICKY[key]


def test_csv_neutralises_formulas(tricky):
    rows = {r["remote_id"]: r for r in csv_rows(tricky, scope())}
    for key in "efghij":
        assert rows[key]["text"] == "'" + TRICKY[key], key
    assert rows["e"]["author_handle"] == "'=cmd|' /C calc'!A0"
    assert rows["e"]["author_name"] == "'" + TRICKY["e"][:12]
    assert rows["a"]["priority_reasons"] == "'-very negative"
    assert rows["a"]["sentiment_score"] == "-0.5" and rows["a"]["priority_score"] == "50"
    for r in rows.values():  # no text cell a spreadsheet would evaluate
        for column, value in r.items():
            assert not value.startswith(export.FORMULA_PREFIXES) or column == "sentiment_score", (column, value)


def test_csv_file_is_utf8_with_crlf_records(tricky, tmp_path):
    path = tmp_path / "out.csv"
    assert export.write_file(tricky, scope(), "csv", path) == len(TRICKY)
    raw = path.read_bytes()
    assert raw.startswith(b"id,platform,remote_id,") and b"\r\n" in raw
    assert "🔥🙄".encode() in raw
    assert not list(tmp_path.glob(".*partial"))


def test_a_failed_export_leaves_no_file(conn, tmp_path, monkeypatch):
    real = export.safe_cell

    def breaks_on_the_third_row(value):
        if value == "billing page broken again, refund now":
            raise RuntimeError("disk on fire")
        return real(value)

    monkeypatch.setattr(export, "safe_cell", breaks_on_the_third_row)
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        export.write_file(conn, scope(), "csv", path)
    assert not path.exists() and not list(tmp_path.glob(".*partial"))


def test_unknown_format_is_refused(conn):
    with pytest.raises(ValueError, match="csv or jsonl"):
        export.write(conn, scope(), "xml", io.StringIO())


def test_export_streams_in_bounded_memory(tmp_path):
    """Python-side memory while exporting 6,000 mentions stays far below what holding them would take."""
    conn = open_store(tmp_path / "many.db")
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    page = [
        Mention(platform="x", remote_id=str(i), text=f"mention number {i} " + "words " * 40,
                created_at=start + timedelta(seconds=i), author=Author(handle=f"u{i % 300}", followers=i),
                sentiment=Sentiment(0.1, "positive"), priority=Priority(1, Level.LOW, ["r"]))
        for i in range(6000)
    ]  # fmt: skip
    save_page(conn, "demo", page, "2026-01-02T00:00:00Z")

    class Sink(io.TextIOBase):
        size = 0

        def write(self, s):
            self.size += len(s)
            return len(s)

    for fmt in ("csv", "jsonl"):
        sink = Sink()
        tracemalloc.start()
        assert export.write(conn, scope(), fmt, sink) == 6000
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert sink.size > 1_500_000  # what was written
        assert peak < 300_000, f"{fmt}: peak {peak} bytes: rows are being collected"
