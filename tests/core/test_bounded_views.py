"""Views whose cost does not grow with the inbox (issue 15): every listing is read either by its few
matching ids or along an order index (never a scan of the table, never a sort of every match),
counts stop at a cap, the TUI pages by key from either end, and the planner gets statistics."""

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from commwatch.app.views import COUNT_CAP, Views
from commwatch.config import Config
from commwatch.model import Author, InboxFilter, Level, Mention, Priority, Sentiment
from commwatch.store import inbox
from commwatch.store.db import open_store, refresh_statistics
from commwatch.store.mentions import save_page
from commwatch.tui.pager import InboxPager

N = 3000
FILTERS = {
    "all": {"status": None}, "platform": {"platform": "x"}, "sentiment": {"sentiment": "negative"},
    "tag": {"tag": "billing"}, "assignee": {"assignee": "ana"}, "source": {"source": "s1"},
    "since": {"since": "2026-11-20T00:00:00Z"}, "needs_reply": {"needs_reply": True}, "search": {"search": "word3"},
}  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("bounded") / "inbox.db"
    conn = open_store(path)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    labels = ["negative", "neutral", "positive"]
    for page in range(N // 500):
        batch = []
        for i in range(page * 500, page * 500 + 500):
            m = Mention(platform="xr"[i % 2] if i % 2 else "x", remote_id=str(i), text=f"word{i % 7} word{i % 11} text",
                        created_at=start + timedelta(minutes=10 * i), author=Author(handle=f"a{i % 50}"))  # fmt: skip
            m.sentiment = Sentiment(score=0.0, label=labels[i % 3])
            m.priority = Priority(score=i * 37 % 101, level=Level.for_score(i * 37 % 101))
            batch.append(m)
        save_page(conn, f"s{page % 2}", batch, "2026-12-01T00:00:00Z")
    with conn:
        conn.execute("INSERT INTO mention_tags (mention_id, tag) SELECT id, 'billing' FROM mentions WHERE id % 40 = 0")
        conn.execute("UPDATE mentions SET assignee = 'ana' WHERE id % 90 = 0")
    refresh_statistics(conn)
    return conn


def plan_text(conn, f: InboxFilter) -> tuple[dict, str]:
    how = inbox.plan(conn, f)
    sql, params = inbox.build_query(f, **how)
    sql += f" {inbox._order(f, None)} LIMIT 50"
    return how, "\n".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize("names", [(n,) for n in FILTERS] + list(itertools.combinations(FILTERS, 2)))
@pytest.mark.parametrize("sort", ["priority", "newest"])
def test_every_listing_reads_few_ids_or_walks_an_order_index(db, names, sort):
    f = InboxFilter(sort=sort, **{k: v for n in names for k, v in FILTERS[n].items()})
    how, text = plan_text(db, f)
    if "match_ids" in how:
        assert len(how["match_ids"]) <= inbox.FEW_MATCHES  # a sort of at most that many rows
        return
    assert not any(line.strip() == "SCAN m" for line in text.splitlines()), text  # no table scan
    if how.get("walk"):
        assert "TEMP B-TREE FOR ORDER BY" not in text, text  # the first page without sorting every match


def test_listings_give_the_same_rows_whatever_the_plan(db):
    views = Views(db, Config())
    for names in itertools.combinations(FILTERS, 2):
        f = InboxFilter(limit=None, **{k: v for n in names for k, v in FILTERS[n].items()})
        planned = [m["id"] for m in views.inbox(f)]
        sql, params = inbox.build_query(f)  # the planner's own choice, every row, then the order
        plain = [r[0] for r in db.execute(sql.replace("m.*", "m.id", 1) + f" {inbox.ORDER}", params)]
        assert planned == plain, names


def test_counts_stop_at_the_cap(db):
    views = Views(db, Config())
    f = InboxFilter(status=None)
    assert views.count(f, cap=COUNT_CAP) == COUNT_CAP + 1 and views.count(f) == N
    assert views.count(InboxFilter(status=None, tag="billing"), cap=COUNT_CAP) == N // 40


@pytest.mark.parametrize("sort", ["priority", "newest", "oldest"])
def test_the_tui_pages_by_key_from_either_end_and_agrees_with_offsets(db, sort):
    views = Views(db, Config())
    f = InboxFilter(status=None, sort=sort, limit=None)
    everything = [m["id"] for m in views.inbox(f)]
    pager = InboxPager(views, f, page_size=100)
    assert [pager.get(i)["id"] for i in range(0, 350)] == everything[:350]  # j, page after page, by key
    pager = InboxPager(views, f, page_size=100)
    pager.count()
    last = pager.get(N - 1)  # G: the last page read from the end
    assert last["id"] == everything[-1]
    assert [pager.get(i)["id"] for i in range(N - 1, N - 260, -1)] == everything[N - 259:][::-1]  # k, back up
    if views.keyed(f):
        assert pager.queries <= 4  # every page after the first came from a neighbour's key


def test_statistics_are_gathered_when_the_inbox_has_grown(tmp_path):
    conn = open_store(tmp_path / "s.db")
    assert refresh_statistics(conn) is False  # nothing worth analysing yet
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    batch = []
    for i in range(1200):
        m = Mention(platform="x", remote_id=str(i), text="t", created_at=start, author=Author(handle="a"))
        m.sentiment, m.priority = Sentiment(0.0, "neutral"), Priority(10, Level.LOW)
        batch.append(m)
    save_page(conn, "s", batch, "2026-12-01T00:00:00Z")
    assert refresh_statistics(conn) is True
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    assert refresh_statistics(conn) is False  # fresh: nothing to do


def test_a_count_cap_is_said_as_such(cli, workdir):
    from helpers import write_script

    items = [{"id": str(i), "text": f"mention {i}", "author": "ann"} for i in range(COUNT_CAP + 5)]
    script = write_script(workdir / "s.json", {"s": [{"mentions": items}]})
    (workdir / "commwatch.toml").write_text(f'[store]\npath = "inbox.db"\n[sources.s]\nconnector = "scripted"\nscript = "{script}"\n')
    assert cli("sync", "--quiet").returncode == 0
    r = cli("inbox", "--json", "--limit", "10")
    assert f"10 of {COUNT_CAP:,}+ shown; --limit 0 for all" in r.stderr
    assert len(cli.json("inbox", "--limit", "0")) == COUNT_CAP + 5
