"""The list's data: pages on demand, a size known only when it has to be."""

from commwatch.app.views import Views
from commwatch.config import Config
from commwatch.store.db import open_store
from commwatch.store.inbox import InboxFilter, list_mentions
from commwatch.tui.pager import InboxPager

from tuikit import add_synthetic


def test_pages_load_as_needed_and_agree_with_the_store(tmp_path):
    add_synthetic(tmp_path / "i.db", 1234)
    conn = open_store(tmp_path / "i.db")
    pager = InboxPager(Views(conn, Config()), InboxFilter(), page_size=100)
    assert pager.get(0)["id"] == list_mentions(conn, InboxFilter(limit=1))[0]["id"]
    assert pager.queries == 1 and pager.total is None and pager.label == "100+" and pager.rows == 200
    everything = list_mentions(conn, InboxFilter(limit=None))
    assert [pager.get(i)["id"] for i in range(0, 1234, 37)] == [m["id"] for m in everything[::37]]
    assert pager.total == 1234 and pager.label == "1,234"  # the short last page told
    assert pager.get(1234) is None
    assert pager.queries == 13


def test_only_a_bounded_number_of_pages_is_kept(tmp_path):
    add_synthetic(tmp_path / "i.db", 3000)
    pager = InboxPager(Views(open_store(tmp_path / "i.db"), Config()), InboxFilter(), page_size=50, max_pages=4)
    for i in range(0, 3000, 50):
        pager.get(i)
    assert len(pager._pages) == 4
    assert pager.cached(0) is None and pager.cached(2999) is not None


def test_jumping_far_ahead_and_past_the_end(tmp_path):
    add_synthetic(tmp_path / "i.db", 250)
    pager = InboxPager(Views(open_store(tmp_path / "i.db"), Config()), InboxFilter(), page_size=100)
    assert pager.get(900) is None  # an empty page beyond the end
    assert pager.total is None and pager.rows <= 900
    assert pager.get(249) is not None and pager.total == 250


def test_count_and_find(tmp_path):
    add_synthetic(tmp_path / "i.db", 500)
    conn = open_store(tmp_path / "i.db")
    pager = InboxPager(Views(conn, Config()), InboxFilter(), page_size=100)
    assert pager.count() == 500 and pager.rows == 500
    target = pager.get(321)["id"]
    assert pager.find(target, near=300, before=50, after=50) == 321
    assert pager.find(target, near=0, before=0, after=100) is None


def test_an_empty_inbox(tmp_path):
    pager = InboxPager(Views(open_store(tmp_path / "i.db"), Config()), InboxFilter(), page_size=100)
    assert pager.get(0) is None and pager.total == 0 and pager.rows == 0 and pager.label == "0"
