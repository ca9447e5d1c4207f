"""Every report figure on a small store whose answers were worked out by hand (see report_store.py)."""

import pytest

from commwatch.report.build import build_report
from commwatch.report.scope import Scope
from commwatch.store.inbox import InboxFilter

from report_store import EXPECTED, NOW, SINCE, UNTIL, build


@pytest.fixture
def conn(tmp_path, monkeypatch):
    return build(tmp_path / "inbox.db", monkeypatch)


def period(**filters) -> Scope:
    return Scope(InboxFilter(status=None, since=SINCE, limit=None, **filters), UNTIL)


@pytest.fixture
def report(conn):
    return build_report(conn, period(), NOW)


def test_period_and_days(report):
    p = report["period"]
    assert (p["since"], p["until"], p["days"], p["filters"]) == (SINCE, UNTIL, 7, {})
    assert [d["day"] for d in report["volume"]["by_day"]] == [f"2026-03-0{i}" for i in range(1, 8)]


def test_volume_per_day_and_platform(report):
    v = report["volume"]
    assert v["total"] == EXPECTED["total"]
    assert {d["day"]: d["platforms"] for d in v["by_day"]} == EXPECTED["by_day"]
    assert [d["total"] for d in v["by_day"]] == [2, 1, 1, 1, 1, 1, 2]
    assert [(p["platform"], p["mentions"], p["share"]) for p in v["by_platform"]] == EXPECTED["by_platform"]


def test_sentiment_mix_and_trend(report):
    s = report["sentiment"]
    assert {k: (m["mentions"], m["share"]) for k, m in s["mix"].items()} == EXPECTED["mix"]
    assert (s["unscored"], s["net"]) == (EXPECTED["unscored"], EXPECTED["net"])
    assert {d["day"]: d["negative_share"] for d in s["by_day"]} == EXPECTED["negative_share_by_day"]
    first = s["by_day"][0]
    assert (first["negative"], first["neutral"], first["positive"], first["net"]) == (2, 0, 0, -1.0)


def test_replies_and_time_to_first_reply_across_time_zones(report):
    r = report["response"]
    assert (r["mentions"], r["replied"], r["unanswered"], r["reply_rate"]) == (
        EXPECTED["total"], EXPECTED["replied"], EXPECTED["unanswered"], EXPECTED["reply_rate"])  # fmt: skip
    assert r["first_reply"] == EXPECTED["first_reply"]


def test_backlog_by_age_is_as_of_now_over_every_date(report):
    b = report["response"]["backlog"]
    e = EXPECTED["backlog"]
    assert (b["total"], b["oldest"]) == (e["total"], e["oldest"])
    assert {a["age"]: a["mentions"] for a in b["by_age"]} == e["by_age"]


def test_escalations_and_how_fast_they_were_handled(report):
    x, e = report["response"]["escalations"], EXPECTED["escalations"]
    assert (x["escalated"], x["handled"], x["pending"]) == (e["escalated"], e["handled"], e["pending"])
    assert x["time_to_handle"] == {"median_s": e["median_s"], "p90_s": e["p90_s"]}
    assert [(t["target"], t["escalations"]) for t in x["by_target"]] == e["by_target"]


def test_top_tags(report):
    t = report["tags"]
    assert t["tagged_mentions"] == EXPECTED["tags"]["tagged"]
    assert [(row["tag"], row["mentions"]) for row in t["top"]] == EXPECTED["tags"]["top"]


def test_negative_keywords_and_phrases(report):
    k = report["negative_keywords"]
    assert (k["negative_mentions"], k["read"]) == (4, 4)
    assert [(w["term"], w["mentions"]) for w in k["words"]] == EXPECTED["words"]
    assert [(p["term"], p["mentions"]) for p in k["phrases"]] == EXPECTED["phrases"]


def test_advocates_and_detractors(report):
    for key in ("advocates", "detractors"):
        got = [(a["platform"], a["handle"], a["mentions"], a["reach"]) for a in report[key]["top"]]
        assert got == EXPECTED[key]
        assert report[key]["authors"] == len(EXPECTED[key])
    assert report["advocates"]["top"][0]["name"] == "Bob"


def test_own_accounts_are_neither_advocates_nor_detractors(conn):
    report = build_report(conn, period(), NOW, own=("DANA",))
    assert [a["handle"] for a in report["detractors"]["top"]] == ["ana"]


def test_filters_narrow_every_figure(conn):
    report = build_report(conn, period(platform="reddit"), NOW)
    assert report["period"]["filters"] == {"platform": "reddit"}
    assert report["volume"]["total"] == 2
    assert report["response"]["replied"] == 0
    assert report["response"]["backlog"]["total"] == 2  # 3 and 4
    assert report["tags"]["top"] == []
    report = build_report(conn, period(tag="billing"), NOW)
    assert report["volume"]["total"] == 3  # 1, 2, 6
    assert report["response"]["escalations"]["escalated"] == 2  # 1 and 6


def test_an_empty_period(conn):
    report = build_report(conn, Scope(InboxFilter(status=None, since="2025-01-01T00:00:00Z", limit=None),
                                      "2025-01-08T00:00:00Z"), NOW)  # fmt: skip
    assert report["volume"]["total"] == 0
    assert report["volume"]["by_day"] == []  # the store has nothing that old: no empty days are charted
    assert report["sentiment"]["net"] is None
    assert report["response"]["reply_rate"] is None
    assert report["response"]["first_reply"] == {"answered": 0, "median_s": None, "p90_s": None}
    assert report["advocates"] == {"authors": 0, "top": []}


def test_without_since_the_period_starts_at_the_first_mention(conn):
    report = build_report(conn, Scope(InboxFilter(status=None, limit=None), UNTIL), NOW)
    assert report["period"]["since"] == "2026-02-20T00:00:00Z"
    assert report["volume"]["total"] == 10


def test_alerts_absent_table_means_none_recorded(conn, report):
    conn.execute("DROP TABLE IF EXISTS alerts")
    report = build_report(conn, period(), NOW)
    assert report["alerts"] == {"recorded": False, "fired": 0, "recent": []}


def test_alerts_fired_in_the_period(conn):
    conn.execute(
        "CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, name TEXT, metric TEXT, fired_at TEXT, "
        "window_start TEXT, window_end TEXT, count INTEGER, baseline_mean FLOAT, baseline_std FLOAT, "
        "threshold FLOAT, target TEXT)"
    )
    conn.execute("DELETE FROM alerts")
    for name, fired in (("spike", "2026-03-05T10:00:00Z"), ("spike", "2026-02-01T00:00:00Z")):
        conn.execute("INSERT INTO alerts (name, metric, fired_at, count, baseline_mean) VALUES (?, 'negative', ?, 42, 5.0)",
                     (name, fired))  # fmt: skip
    a = build_report(conn, period(), NOW)["alerts"]
    assert (a["recorded"], a["fired"], a["time_column"]) == (True, 1, "fired_at")
    assert a["recent"][0]["fired_at"] == "2026-03-05T10:00:00Z" and a["recent"][0]["count"] == 42


def test_percentiles_interpolate_between_ranks(conn):
    from commwatch.report.stats import percentiles

    values = "SELECT column1 AS v FROM (VALUES (10), (1), (3), (2))"
    n, p = percentiles(conn, "", values, [])  # 1 2 3 10: the median is 2.5; p90 at rank 2.7: 3 + 0.7 * 7
    assert (n, p[0.5], p[0.9]) == (4, 2.5, pytest.approx(7.9))
    assert percentiles(conn, "", "SELECT 5 AS v", []) == (1, {0.5: 5, 0.9: 5})
    assert percentiles(conn, "", "SELECT NULL AS v", []) == (0, {0.5: None, 0.9: None})
