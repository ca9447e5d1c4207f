from datetime import datetime

import pytest

from commwatch.model import Author, Kind, Level, Mention, Priority, Sentiment
from commwatch.store import manage
from commwatch.store.db import SCHEMA_VERSION, StoreError, open_store, transaction
from commwatch.store.inbox import InboxFilter, count_mentions, list_mentions
from commwatch.store.search import parse
from commwatch.store.mentions import get, load_cursors, resolve_id, save_page

NOW = "2026-01-15T12:00:00Z"


def mention(remote_id, text="hello", *, platform="x", followers=10, likes=0, score=0, level=Level.LOW, label="neutral",
            created="2026-01-15T10:00:00Z", handle="ann"):  # fmt: skip
    return Mention(
        platform=platform,
        remote_id=remote_id,
        text=text,
        created_at=datetime.fromisoformat(created.replace("Z", "+00:00")),
        author=Author(handle=handle, name=handle.title(), followers=followers),
        kind=Kind.POST,
        metrics={"likes": likes},
        sentiment=Sentiment(score=-0.6 if label == "negative" else 0.0, label=label),
        priority=Priority(score=score, level=level, reasons=["because"]),
    )


@pytest.fixture
def db(either_store):
    return either_store


@pytest.mark.sqlite_only
def test_schema_version_matches_the_migrations(db):
    from sqlite_utils import Database

    from commwatch.store.schema import migrations

    assert SCHEMA_VERSION == len(migrations.pending(Database(memory=True)))
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrations.pending(Database(db)) == []


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "inbox.db"
    open_store(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer commwatch"):
        open_store(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "inbox.db"
    path.write_text("this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be opened"):
        open_store(path)


def test_saving_twice_stores_each_mention_once(db):
    page = [mention("1"), mention("2"), mention("2")]
    first = save_page(db, "s", page, NOW, cursor=("search", {"since_id": "2"}))
    again = save_page(db, "s", page, NOW, cursor=("search", {"since_id": "2"}))
    assert (first.new, first.updated) == (2, 0)
    assert (again.new, again.updated) == (0, 0)  # nothing changed: nothing rewritten
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 2
    assert load_cursors(db, "s") == {"search": {"since_id": "2"}}


def test_resync_updates_platform_fields_but_never_the_managers_work(db):
    save_page(db, "s", [mention("1", "first text", likes=1)], NOW)
    mid = resolve_id(db, "x:1")
    with transaction(db):
        manage.set_fields(db, mid, status="closed", assignee="maria", replied=1)
        manage.add_tags(db, mid, ["bug"])
    result = save_page(db, "other-source", [mention("1", "edited text", likes=50, followers=999)], NOW)
    assert (result.new, result.updated) == (0, 1)
    m = get(db, mid)
    assert m["text"] == "edited text" and m["metrics"] == {"likes": 50} and m["author"]["followers"] == 999
    assert (m["status"], m["assignee"], m["replied"], m["tags"]) == ("closed", "maria", True, ["bug"])
    assert m["source"] == "s"  # first source to see it keeps it


def test_a_known_parent_and_a_mention_kind_survive_a_reading_that_does_not_know_them(db):
    """A forum post read from a notification (kind mention, parent unknown), then from a listing
    (a reply, parent known), then again from the notification: mention, with its parent."""
    delivered = mention("7")
    delivered.kind = Kind.MENTION
    save_page(db, "s", [delivered], NOW)
    listed = mention("7")
    listed.kind, listed.parent_id = Kind.REPLY, "6"
    assert save_page(db, "s", [listed], NOW).updated == 1  # the parent became known: rewritten
    save_page(db, "s", [delivered], NOW)
    m = get(db, resolve_id(db, "x:7"))
    assert (m["kind"], m["parent_id"]) == ("mention", "6")
    moved = mention("7")
    moved.parent_id = "5"  # a parent the platform now names differently is taken
    moved.text = "edited"
    save_page(db, "s", [moved], NOW)
    assert get(db, resolve_id(db, "x:7"))["parent_id"] == "5"


def test_a_mention_the_store_refuses_is_set_aside_alone(db):
    bad = mention("2")
    bad.text = None  # NOT NULL
    huge = mention("3")
    huge.author.followers = 2**64  # more than SQLite's INTEGER holds
    saved = save_page(db, "s", [mention("1"), bad, huge, mention("4")], NOW, cursor=("search", {"since_id": "4"}))
    assert [m.remote_id for m, _ in saved.failed] == ["2", "3"]
    assert "IntegrityError" in saved.failed[0][1]
    assert "OverflowError" in saved.failed[1][1] or "out of range" in saved.failed[1][1]  # SQLite's binding; PostgreSQL's bigint
    assert [r[0] for r in db.execute("SELECT remote_id FROM mentions ORDER BY id")] == ["1", "4"]
    assert load_cursors(db, "s") == {"search": {"since_id": "4"}}


def test_page_and_cursor_commit_together(db):
    def crash(conn, saved):  # anything failing inside the page's transaction
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        save_page(db, "s", [mention("1")], NOW, cursor=("search", {"since_id": "1"}), then=crash)
    assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 0
    assert load_cursors(db, "s") == {}


def test_ids_stay_strings(db):
    big = "1850000000000000001"
    save_page(db, "s", [mention(big)], NOW)
    assert get(db, resolve_id(db, f"x:{big}"))["remote_id"] == big


def test_inbox_order_and_filters(db):
    save_page(db, "s", [
        mention("1", "thanks, love it", score=10, created="2026-01-15T11:00:00Z", label="positive"),
        mention("2", "refund my money now", score=90, level=Level.URGENT, label="negative"),
        mention("3", "is the api down?", score=40, level=Level.MEDIUM, created="2026-01-15T11:30:00Z"),
        mention("4", "old news", score=40, level=Level.MEDIUM, created="2026-01-10T11:30:00Z", platform="reddit"),
    ], NOW)  # fmt: skip
    ids = lambda **kw: [m["remote_id"] for m in list_mentions(db, InboxFilter(**kw))]  # noqa: E731
    assert ids() == ["2", "3", "4", "1"]  # priority, then newest
    assert ids(platform="reddit") == ["4"]
    assert ids(sentiment="negative") == ["2"]
    assert ids(since="2026-01-15T00:00:00Z") == ["2", "3", "1"]
    assert ids(search="refund") == ["2"]
    assert ids(search="ANN") == ["2", "3", "4", "1"]  # author handles are searched too
    assert ids(limit=2) == ["2", "3"]
    assert count_mentions(db, InboxFilter()) == 4
    mid = resolve_id(db, "x:2")
    with transaction(db):
        manage.add_tags(db, mid, ["billing"])
        manage.set_fields(db, mid, assignee="maria")
        manage.set_fields(db, resolve_id(db, "x:3"), status="closed")
    assert ids(tag="billing") == ["2"]
    assert ids(assignee="maria") == ["2"]
    assert ids() == ["2", "4", "1"]
    assert ids(status=None) == ["2", "3", "4", "1"]
    assert ids(status="closed") == ["3"]


@pytest.mark.parametrize("hostile", ['"unbalanced', "AND OR NOT", "col:refund", "NEAR(a b)", "*", "-refund", "a'b"])
def test_search_text_is_never_fts_syntax(db, hostile):
    save_page(db, "s", [mention("1", "refund please")], NOW)
    list_mentions(db, InboxFilter(search=hostile))  # must not raise


def test_search_terms_are_quoted_and_prefixes_kept():
    assert parse('refund "right now" pric*').fts() == '("refund") AND ("right now") AND ("pric"*)'


@pytest.mark.sqlite_only
def test_default_view_and_filters_use_indexes(db):
    from commwatch.store.inbox import ORDER, build_query

    for f in (InboxFilter(), InboxFilter(platform="x"), InboxFilter(sentiment="negative"), InboxFilter(status=None),
              InboxFilter(assignee="a"), InboxFilter(source="s")):  # fmt: skip
        sql, params = build_query(f)
        plan = " ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql} {ORDER} LIMIT 50", params))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (f, plan)
        assert "TEMP B-TREE" not in plan, (f, plan)  # no sort of the whole table


def test_search_follows_edits_and_ignores_status_changes(db):
    save_page(db, "s", [mention("1", "the dashboard is slow")], NOW)
    assert [m["remote_id"] for m in list_mentions(db, InboxFilter(search="dashboard"))] == ["1"]
    save_page(db, "s", [mention("1", "the billing page is slow")], NOW)  # edited on the platform
    assert list_mentions(db, InboxFilter(search="dashboard")) == []
    assert [m["remote_id"] for m in list_mentions(db, InboxFilter(search="billing"))] == ["1"]
    if db.dialect == "postgres":
        return  # an expression index: PostgreSQL keeps it in step by itself
    before = db.execute("SELECT count(*) FROM mentions_fts_data").fetchone()[0]
    with transaction(db):
        manage.set_fields(db, 1, status="closed")
    assert db.execute("SELECT count(*) FROM mentions_fts_data").fetchone()[0] == before
    assert db.execute("INSERT INTO mentions_fts(mentions_fts, rank) VALUES ('integrity-check', 1)") is not None


@pytest.mark.sqlite_only
def test_a_narrow_search_reads_its_matches_by_id(db):
    from commwatch.store.inbox import ORDER, _few_matches, build_query

    save_page(db, "s", [mention(str(i), "refund" if i == 3 else "hello") for i in range(10)], NOW)
    f = InboxFilter(search="refund")
    ids = _few_matches(db, f)
    assert ids == [4]  # local id of remote "3"
    sql, params = build_query(f, match_ids=ids)
    plan = " ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql} {ORDER} LIMIT 50", params))
    assert "INTEGER PRIMARY KEY" in plan, plan
    assert [m["remote_id"] for m in list_mentions(db, f)] == ["3"]


def test_upgrading_keeps_the_priority_a_rule_set_before_overrides_existed(tmp_path):
    """Schema 6 recorded a rule's priority only as an event; m007 turns the latest one into the override."""
    path = tmp_path / "old.db"
    db = open_store(path)
    save_page(db, "s", [mention("1", "invoice please")], NOW)  # computed: low, score 0
    with transaction(db):
        manage.record_event(db, 1, NOW, "rule:vip", "priority", {"from": "low", "to": "urgent"})
        db.execute("UPDATE mentions SET priority_level = 'urgent'")  # what schema 6 did, and lost on refresh
        db.execute("DROP TABLE rejects")  # back to schema 6
        for column in ("priority_override", "priority_auto_score"):
            db.execute(f"ALTER TABLE mentions DROP COLUMN {column}")
        db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m007_priority_override', 'm008_rejects')")
        db.execute("PRAGMA user_version = 6")
    db.close()
    db = open_store(path)
    assert get(db, 1)["priority"] | {"reasons": []} == {"score": 75, "level": "urgent", "reasons": [], "override": "urgent"}
    save_page(db, "s", [mention("1", "invoice please", likes=500)], NOW)  # a refresh keeps it now
    assert get(db, 1)["priority"]["level"] == "urgent"


def test_engagement_is_kept_beside_the_metrics_and_follows_them(db):
    save_page(db, "s", [mention("1", likes=3), mention("2")], NOW)
    rows = dict(db.execute("SELECT remote_id, engagement FROM mentions").fetchall())
    assert rows == {"1": 3, "2": 0}
    from commwatch.model import engagement

    assert engagement({}) is None and engagement({"reads": 50}) is None  # no counts of people acting: unknown
    assert engagement({"likes": 2, "reposts": 1, "replies": 4, "quotes": 1, "score": 10, "comments": 3, "reads": 99}) == 21
    save_page(db, "s", [mention("1", likes=10)], NOW)
    assert db.execute("SELECT engagement FROM mentions WHERE remote_id = '1'").fetchone()[0] == 10


def test_upgrading_computes_the_engagement_of_stored_posts(tmp_path):
    path = tmp_path / "old.db"
    db = open_store(path)
    save_page(db, "s", [mention("1", likes=7)], NOW)
    with transaction(db):
        db.execute("UPDATE mentions SET metrics = json('{\"likes\": 7, \"replies\": 2, \"reads\": 900}')")
        db.execute("ALTER TABLE mentions DROP COLUMN engagement")  # back to schema 11
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_engagement'")
        db.execute("PRAGMA user_version = 11")
    db.close()
    db = open_store(path)
    assert db.execute("SELECT engagement FROM mentions").fetchone()[0] == 9  # likes and replies; reads are not
