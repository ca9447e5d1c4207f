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
    days = report["volume"]["by_day"]  # every day of the period is charted, zeros included
    assert [d["day"] for d in days] == [f"2025-01-0{i}" for i in range(1, 8)]
    assert all(d["total"] == 0 and not d["gap"] for d in days)  # nothing was ever synced here: no gaps either
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


# The report a manager forwards: comparison, the time axis, top posts, share of voice, people ----------------


def test_headline_figures_beside_the_previous_period_of_equal_length(conn):
    # Mar 4–8 against Feb 28–Mar 4: mentions 5, 6, 7, 8, 9 against 1, 2, 3, 4 (worked out in report_store.py).
    report = build_report(conn, Scope(InboxFilter(status=None, since="2026-03-04T00:00:00Z", limit=None), UNTIL), NOW)
    assert report["period"]["previous"] == {"since": "2026-02-28T00:00:00Z", "until": "2026-03-04T00:00:00Z"}
    h = report["headline"]
    assert (h["mentions"]["current"], h["mentions"]["previous"], h["mentions"]["change"]) == (5, 4, 0.25)
    assert h["mentions"]["change_unit"] == "ratio" and h["mentions"]["direction"] == "up"
    # 2 of 4 scored negative in both: no change, in points
    assert (h["negative_share"]["current"], h["negative_share"]["previous"], h["negative_share"]["change"]) == (0.5, 0.5, 0)
    assert h["negative_share"]["direction"] == "same"
    # replied 1 of 5 against 2 of 4: down 30 points, and up is better
    assert (h["replied_share"]["change"], h["replied_share"]["change_unit"], h["replied_share"]["better"]) == (-0.3, "points", "up")
    # first response: 86400 s (5) against the median of 9000 (1) and 600 (2)
    assert (h["median_first_response_s"]["current"], h["median_first_response_s"]["previous"]) == (86400.0, 4800.0)
    assert h["median_first_response_s"]["change"] == 17.0
    assert (h["escalations"]["current"], h["escalations"]["previous"], h["escalations"]["change"]) == (2, 1, 1.0)
    assert "sla_attainment" not in h  # no [sla]: no such figure


def test_compare_off_leaves_the_previous_values_empty(conn):
    report = build_report(conn, period(), NOW, compare=False)
    assert "previous" not in report["period"]
    assert all(m["previous"] is None and m["change"] is None for m in report["headline"].values())


def test_days_without_a_sync_are_gaps_not_zeros(conn):
    with conn:
        conn.executemany("INSERT INTO sync_runs (started_at, finished_at, status, exit_code) VALUES (?, ?, 'ok', 0)",
                         [("2026-03-02T06:00:00Z", "2026-03-02T06:01:00Z"), ("2026-03-05T06:00:00Z", "2026-03-05T06:01:00Z")])  # fmt: skip
    days = build_report(conn, period(), NOW)["volume"]["by_day"]
    # Mar 1 is before the first sync (imported or back-filled): not a gap; Mar 3, 4, 6 and 7 saw no sync.
    assert [d["day"] for d in days if d["gap"]] == ["2026-03-03", "2026-03-04", "2026-03-06", "2026-03-07"]
    assert [d["total"] for d in days] == [2, 1, 1, 1, 1, 1, 2]  # what was stored is still counted


def test_under_three_days_the_axis_is_hourly(conn):
    report = build_report(conn, Scope(InboxFilter(status=None, since="2026-03-07T00:00:00Z", limit=None), UNTIL), NOW)
    days = report["volume"]["by_day"]
    assert report["volume"]["granularity"] == "hour" and len(days) == 24
    assert {d["day"]: d["total"] for d in days if d["total"]} == {"2026-03-07 12:00": 1, "2026-03-07 23:00": 1}


def test_days_are_the_readers_days(conn):
    from zoneinfo import ZoneInfo

    days = build_report(conn, period(), NOW, zone=ZoneInfo("Asia/Tokyo"))["volume"]["by_day"]
    # 1 and 2 are 09:00 and 10:00 on Mar 1 in Tokyo; 5 is 11:30 on Mar 4; 8 is 08:59 on Mar 8.
    assert days[0]["day"] == "2026-03-01" and days[0]["start"] == SINCE and days[0]["total"] == 2
    assert {d["day"]: d["total"] for d in days}["2026-03-08"] == 1
    assert sum(d["total"] for d in days) == 9


def test_top_posts_by_reach_and_the_top_negative_with_whether_they_were_answered(report):
    t = report["top_posts"]
    assert t["most_engaged"] == []  # no platform metrics in this store
    assert [(p["id"], p["followers"]) for p in t["widest_reach"]] == [(7, 52000), (6, 50000), (2, 1200), (1, 1000), (5, 80)]
    assert [(p["id"], p["answered"]) for p in t["top_negative"]] == [(7, False), (6, False), (2, True), (1, True)]
    assert t["top_negative"][0]["author"] == "dana" and t["top_negative"][0]["sentiment"] == "negative"


def test_share_of_voice_per_platform_and_source_with_the_mix_of_each(report):
    v = report["share_of_voice"]
    x = v["by_platform"][0]
    assert (x["name"], x["mentions"], x["share"]) == ("x", 5, 0.5556)
    assert {k: s["share"] for k, s in x["sentiment"].items()} == {"negative": 0.8, "neutral": 0.0, "positive": 0.2}
    youtube = next(g for g in v["by_platform"] if g["name"] == "youtube")
    assert youtube["sentiment"]["neutral"]["share"] == 1.0  # 9 is unscored: only 5 counts
    assert [(g["name"], g["mentions"], g["share"]) for g in v["by_source"]] == [("demo", 9, 1.0)]


def test_people_assigned_answered_how_fast_and_escalations_handled(conn):
    from commwatch.app.verbs import Verbs
    from commwatch.config import Config

    verbs = Verbs(conn, Config(), actor="maria")
    verbs.assign(3, "bo")
    verbs.assign(4, "bo")
    [maria, bo] = build_report(conn, period(), NOW)["people"]  # the busiest first
    assert bo == {"person": "bo", "assigned": 2, "replied": 0, "median_first_response_s": None, "escalations_handled": 0}
    # maria's reply events: 1 after 2h30m, 2 after 4h (the event, not the outbox row), 5 after a day;
    # she handled 1's escalation (her reply) and 6's (her close); 7's is pending.
    assert maria == {"person": "maria", "assigned": 0, "replied": 3, "median_first_response_s": 14400.0,
                     "escalations_handled": 2}  # fmt: skip


def test_recurring_words_leave_out_the_brands_own_names(conn):
    from commwatch.report.keywords import words_of

    k = build_report(conn, period(), NOW, exclude_words=words_of(["x:billing", "(refund OR @billing) -is:retweet"]))
    k = k["negative_keywords"]
    assert [(w["term"], w["mentions"]) for w in k["words"]] == [("page", 3), ("down", 2)]
    assert k["phrases"] == []  # "billing page" has a brand word in it
