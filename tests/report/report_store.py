"""A small store with hand-computed answers for every report figure, built with the real store API.

The period is 2026-03-01 (inclusive) to 2026-03-08 (exclusive), UTC; the report runs at NOW.
Mentions are created in several time zones; replies, escalations and closes happen at set times.
Every expected figure is written out in EXPECTED with how it was worked out.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from commwatch import timeutil
from commwatch.app.verbs import Verbs
from commwatch.config import Config, Target
from commwatch.model import Author, Kind, Level, Mention, Priority, Sentiment
from commwatch.store import conversations, manage, outbox
from commwatch.store.db import open_store, transaction
from commwatch.store.mentions import save_page

SINCE = "2026-03-01T00:00:00Z"
UNTIL = "2026-03-08T00:00:00Z"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# id: (platform, created, label, handle, followers, text)
MENTIONS = {
    # Tokyo 09:00 = 00:00 UTC, Mar 1
    1: ("x", datetime(2026, 3, 1, 9, 0, tzinfo=tz(9)), "negative", "ana", 1000,
        "Refund please, the billing page charged me twice"),
    # New York 20:00 on Feb 28 = 01:00 UTC, Mar 1
    2: ("x", datetime(2026, 2, 28, 20, 0, tzinfo=tz(-5)), "negative", "ana", 1200,
        "billing page broken again, refund now"),
    3: ("reddit", at("2026-03-02T12:00:00Z"), "positive", "bob", None, "Love the new dashboard"),
    # Cairo noon = 10:00 UTC, Mar 3
    4: ("reddit", datetime(2026, 3, 3, 12, 0, tzinfo=tz(2)), "positive", "bob", None, "dashboard is great"),
    # São Paulo 23:30 on Mar 3 = 02:30 UTC on Mar 4: counted on Mar 4
    5: ("youtube", datetime(2026, 3, 3, 23, 30, tzinfo=tz(-3)), "neutral", "carl", 80, "Is there an export button?"),
    6: ("x", at("2026-03-05T08:00:00Z"), "negative", "dana", 50000, "status page down, billing page timeout"),
    7: ("x", at("2026-03-06T10:00:00Z"), "negative", "dana", 52000, "Still down. Refund!"),
    8: ("x", at("2026-03-07T23:59:59Z"), "positive", "eve", 10, "thanks team"),
    9: ("youtube", at("2026-03-07T12:00:00Z"), None, "frank", 5, "first"),  # no sentiment score
    # Outside the period: before it, and exactly at its (exclusive) end.
    10: ("x", at("2026-02-20T00:00:00Z"), "negative", "gus", 7, "refund refund billing page"),
    11: ("x", at("2026-03-08T00:00:00Z"), "negative", "ana", 1300, "billing page again"),
}


def mention(remote_id: int) -> Mention:
    platform, created, label, handle, followers, text = MENTIONS[remote_id]
    return Mention(
        platform=platform,
        remote_id=str(remote_id),
        text=text,
        created_at=created,
        author=Author(handle=handle, name=handle.title(), followers=followers),
        kind=Kind.POST,
        sentiment=Sentiment(score={"negative": -0.6, "positive": 0.6}.get(label, 0.0), label=label) if label else None,
        priority=Priority(score=10, level=Level.LOW, reasons=[]),
    )


def build(path, monkeypatch):
    """The store, with local id == remote id (saved in order)."""
    conn = open_store(path)
    for i in MENTIONS:
        save_page(conn, "demo", [mention(i)], "2026-03-09T00:00:00Z")
    assert [r[0] for r in conn.execute("SELECT id FROM mentions ORDER BY id")] == list(MENTIONS)
    actions = Verbs(conn, Config(targets={"pr": Target("pr", "slack", {})}), actor="maria")

    def clock(when: str):
        monkeypatch.setattr(timeutil, "now", lambda: at(when))

    clock("2026-03-09T00:00:00Z")
    actions.tag(1, ["billing", "refund"])
    actions.tag(2, ["billing"])
    actions.tag(6, ["outage", "billing"])
    actions.tag(8, ["praise"])
    actions.tag(10, ["billing"])  # outside the period

    # 1: escalated at 00:30, answered (reply event) at 02:30 UTC.
    clock("2026-03-01T00:30:00Z")
    actions.escalate(1, "pr")
    _reply_event(conn, 1, "2026-03-01T02:30:00Z")
    # 2: a sent outbox reply at 01:10 with no event, then a reply event at 05:00: the first is 01:10.
    _outbox_reply(conn, 2, sent_at="2026-03-01T01:10:00Z")
    _reply_event(conn, 2, "2026-03-01T05:00:00Z")
    # 5: the reply event was written with an offset: 23:30 at -03:00 on Mar 4 = 02:30 UTC on Mar 5.
    _reply_event(conn, 5, "2026-03-04T23:30:00-03:00")
    # 6: escalated at 09:00, closed at 12:00.
    clock("2026-03-05T09:00:00Z")
    actions.escalate(6, "pr")
    clock("2026-03-05T12:00:00Z")
    actions.close(6)
    # 7: escalated at 11:00 and never handled.
    clock("2026-03-06T11:00:00Z")
    actions.escalate(7)
    # 8: closed without a reply. 10 (outside the period): escalated, never answered.
    clock("2026-03-08T09:00:00Z")
    actions.close(8)
    actions.escalate(10, "pr")
    # A sent reply whose outbox row failed does not count.
    with transaction(conn):
        outbox.add(conn, "reply", 3, "demo", {"text": "thanks!"}, "maria", "2026-03-02T13:00:00Z")
        conn.execute("UPDATE outbox SET status = 'failed' WHERE mention_id = 3")
    return conn


def _reply_event(conn, mention_id: int, when: str) -> None:
    """A reply recorded as the outbox records one: its time is the first response unless one is earlier."""
    with transaction(conn):
        conversations.set_answered(conn, mention_id, when)
        manage.record_event(conn, mention_id, when, "maria", "reply", {"reply_id": f"r{mention_id}", "url": None})


def _outbox_reply(conn, mention_id: int, sent_at: str) -> None:
    with transaction(conn):
        oid = outbox.add(conn, "reply", mention_id, "demo", {"text": "Sorry, DM us"}, "maria", sent_at)
        outbox.settle(conn, oid, "sent", sent_at, result={"remote_id": f"o{mention_id}", "url": f"https://x.com/r/o{mention_id}"})
        conversations.set_answered(conn, mention_id, sent_at)


H = 3600
D = 86400
EXPECTED = {
    # Mentions 1–9 are in the period; 10 is before it and 11 at its exclusive end.
    "total": 9,
    "by_day": {  # UTC days: 1 and 2 are both Mar 1 in UTC; 5 is Mar 4 in UTC
        "2026-03-01": {"x": 2}, "2026-03-02": {"reddit": 1}, "2026-03-03": {"reddit": 1},
        "2026-03-04": {"youtube": 1}, "2026-03-05": {"x": 1}, "2026-03-06": {"x": 1},
        "2026-03-07": {"x": 1, "youtube": 1},
    },  # fmt: skip
    "by_platform": [("x", 5, 0.5556), ("reddit", 2, 0.2222), ("youtube", 2, 0.2222)],
    # 8 scored: 4 negative (1 2 6 7), 1 neutral (5), 3 positive (3 4 8); 9 is unscored.
    "mix": {"negative": (4, 0.5), "neutral": (1, 0.125), "positive": (3, 0.375)},
    "unscored": 1,
    "net": -0.125,  # (3 - 4) / 8
    "negative_share_by_day": {"2026-03-01": 1.0, "2026-03-02": 0.0, "2026-03-03": 0.0, "2026-03-04": 0.0,
                              "2026-03-05": 1.0, "2026-03-06": 1.0, "2026-03-07": 0.0},  # fmt: skip
    # Replied: 1 (event 02:30 - 00:00 = 2h30m = 9000 s), 2 (outbox 01:10 - 01:00 = 600 s),
    # 5 (event 02:30 Mar 5 - 02:30 Mar 4 = 86400 s). Sorted 600, 9000, 86400:
    # median = 9000; p90 at rank 0.9 * 2 = 1.8: 9000 + 0.8 * (86400 - 9000) = 70920.
    "replied": 3,
    "unanswered": 6,
    "reply_rate": 0.3333,
    "first_reply": {"answered": 3, "median_s": 9000.0, "p90_s": 70920.0},
    # Backlog at NOW (2026-03-10 12:00), any date: open or escalated and not replied:
    # 3 (8d), 4 (7d 2h), 7 (4d 2h), 9 (3d exactly: not under 3d), 10 (18d 12h), 11 (2d 12h).
    "backlog": {"total": 6, "oldest": "2026-02-20T00:00:00Z",
                "by_age": {"<1d": 0, "1-3d": 1, "3-7d": 2, "7-30d": 3, ">30d": 0}},  # fmt: skip
    # Escalations of the period's mentions: 1 (handled by its reply 2h later), 6 (closed 3h later),
    # 7 (pending). 10's is outside the period. median(7200, 10800) = 9000; p90 = 7200 + 0.9 * 3600.
    "escalations": {"escalated": 3, "handled": 2, "pending": 1, "median_s": 9000.0, "p90_s": 10440.0,
                    "by_target": [("pr", 2), (None, 1)]},  # fmt: skip
    "tags": {"tagged": 4, "top": [("billing", 3), ("outage", 1), ("praise", 1), ("refund", 1)]},
    # Negative in the period: 1, 2, 6, 7. billing/page/refund each in three, down in two (6, 7);
    # "billing page" in three; "down. Refund" is not a phrase (a full stop between).
    "words": [("billing", 3), ("page", 3), ("refund", 3), ("down", 2)],
    "phrases": [("billing page", 3)],
    # Advocates: bob (3 and 4). Detractors: dana (6, 7; reach 52000 from the latest) and ana
    # (1, 2; 1200 from the latest in the period), same count, so more reach first.
    "advocates": [("reddit", "bob", 2, None)],
    "detractors": [("x", "dana", 2, 52000), ("x", "ana", 2, 1200)],
}


# Reading the terminal view back ------------------------------------------------------


def figures_from_text(out: str) -> dict:
    """The numbers a reader sees in the terminal report, read back from its text."""
    def rows(section: str) -> list[list[str]]:
        block = re.search(rf"^{section}\b.*?\n(.*?)(?:\n\n|\Z)", out, re.S | re.M).group(1)
        return [line.split() for line in block.splitlines()]

    found: dict = {"total": int(re.search(r"^VOLUME\s+([\d,]+) mentions", out, re.M).group(1).replace(",", ""))}
    platform_rows = rows("VOLUME")
    start = next(i for i, r in enumerate(platform_rows) if r == ["by", "platform"])
    found["platforms"] = {r[0]: (int(r[-2].replace(",", "")), r[-1]) for r in platform_rows[start + 1 :]}
    found["mix"] = {r[0]: (int(r[-2].replace(",", "")), r[-1]) for r in rows("SENTIMENT")[:3]}
    replied = re.search(r"replied\s+([\d,]+) of ([\d,]+) \((\d+%)\), ([\d,]+) not answered", out)
    found["replied"] = replied.groups()
    found["first_reply"] = re.search(r"first reply\s+median (.+?), 90% within (.+?)\n", out).groups()
    found["backlog"] = int(re.search(r"waiting now\s+([\d,]+) need a reply", out).group(1))
    found["backlog_by_age"] = {r[0]: int(r[-1]) for r in rows("RESPONSE") if r and r[0] in ("<1d", "1-3d", "3-7d", "7-30d", ">30d")}
    found["escalations"] = re.search(r"escalations\s+(\d+): (\d+) handled, (\d+) pending", out).groups()
    found["tags"] = {r[0]: int(r[-1]) for r in rows("TAGS")}
    found["words"] = [(r[0], int(r[1])) for r in rows("NEGATIVE MENTIONS SAY")[1:]]
    found["detractors"] = [(r[0], r[-3], int(r[-2]), r[-1]) for r in rows("DETRACTORS")[1:]]
    return found


def figures_from_json(r: dict) -> dict:
    from commwatch.report.charts import duration

    x = r["response"]
    return {
        "total": r["volume"]["total"],
        "platforms": {p["platform"]: (p["mentions"], f"{p['share'] * 100:.0f}%") for p in r["volume"]["by_platform"]},
        "mix": {k: (m["mentions"], f"{m['share'] * 100:.0f}%") for k, m in r["sentiment"]["mix"].items()},
        "replied": (str(x["replied"]), str(x["mentions"]), f"{x['reply_rate'] * 100:.0f}%", str(x["unanswered"])),
        "first_reply": (duration(x["first_reply"]["median_s"]), duration(x["first_reply"]["p90_s"])),
        "backlog": x["backlog"]["total"],
        "backlog_by_age": {a["age"]: a["mentions"] for a in x["backlog"]["by_age"]},
        "escalations": tuple(str(x["escalations"][k]) for k in ("escalated", "handled", "pending")),
        "tags": {t["tag"]: t["mentions"] for t in r["tags"]["top"]},
        "words": [(w["term"], w["mentions"]) for w in r["negative_keywords"]["words"]],
        "detractors": [("@" + a["handle"], a["platform"], a["mentions"], f"{a['reach']:,}" if a["reach"] else "-")
                       for a in r["detractors"]["top"]],
    }  # fmt: skip
