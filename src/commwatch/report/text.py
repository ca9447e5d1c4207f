"""The report drawn as text lines, from the data build_report returns (never from the store).

Each line is a list of (text, style) spans; style is '' or a colour/weight name the
CLI may apply on a terminal. Joined, the spans are the plain text: every line fits
`width` cells. `fancy` draws with block characters; plain draws with ASCII only.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Any

from commwatch.report.charts import bar, cells, change, chunks, clean, duration, figure, fit, number, percent, spark, stack

Line = list[tuple[str, str]]
SENTIMENT_STYLE = {"negative": "red", "neutral": "", "positive": "green"}
DAILY_ROWS = 31  # longer periods are shown as sparklines only


def render(report: dict[str, Any], width: int = 80, fancy: bool = True) -> list[Line]:
    width = max(60, width)
    out: list[Line] = []
    for section in (_header, _headline, _volume, _sentiment, _response, _voice, _top, _team, _tags, _keywords, _people,
                    _alerts):  # fmt: skip
        lines = section(report, width, fancy)
        if lines:
            out.extend(lines)
            out.append([])
    return out[:-1]


def plain(lines: list[Line]) -> str:
    return "".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines)


def _heading(title: str, note: str = "") -> Line:
    return [(title, "bold")] + ([("  " + note, "dim")] if note else [])


def _day(day: str) -> str:
    """'2026-11-15' → '11-15 Sun'; an hour '2026-11-15 14:00' → '15 14:00'."""
    if len(day) > 10:
        return f"{day[8:10]} {day[11:16]}"
    return f"{day[5:]} {date.fromisoformat(day).strftime('%a')}"


def _count(n: int, noun: str) -> str:
    return f"{number(n)} {noun}{'' if n == 1 else 's'}"


def _when(iso: str | None, zone: str = "UTC") -> str:
    """An ISO UTC time as the reader's local time, 'YYYY-MM-DD HH:MM'."""
    if not iso:
        return "-"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return iso.replace("T", " ")[:16]
    return moment.strftime("%Y-%m-%d %H:%M")


def _header(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    p = r["period"]
    zone = p.get("zone") or "UTC"
    arrow = "→" if fancy else "->"
    lines = [_heading(f"commwatch report  {_when(p['since'], zone)} {arrow} {_when(p['until'], zone)} {zone}")]
    if p.get("previous"):
        lines.append([(f"  compared with {_when(p['previous']['since'], zone)} {arrow} "
                       f"{_when(p['previous']['until'], zone)}", "dim")])  # fmt: skip
    filters = " ".join(f"{k}={v}" for k, v in p["filters"].items())
    if filters:
        lines.append([(fit("filters: " + filters, width).rstrip(), "dim")])
    return lines


HEADLINE = {"mentions": "mentions", "negative_share": "negative", "replied_share": "replied",
            "median_first_response_s": "median first reply", "sla_attainment": "on target",
            "escalations": "escalations"}  # fmt: skip


def _headline(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    h = r.get("headline") or {}
    compared = any(m["previous"] is not None for m in h.values())
    lines = [_heading("AT A GLANCE", "this period, and the one before it" if compared else "")]
    for key, label in HEADLINE.items():
        m = h.get(key)
        if m is None:
            continue
        value = figure(m["current"], m["unit"])
        line: Line = [(f"  {label:<20}{value:>10}", "")]
        if m["previous"] is not None:
            text, news = change(m, fancy)
            line += [(f"  {text:<10}", {"good": "green", "bad": "red"}.get(news, "")),
                     (f"was {figure(m['previous'], m['unit'])}", "dim")]  # fmt: skip
        lines.append(line)
    return lines


def _volume(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    v = r["volume"]
    lines = [_heading("VOLUME", f"{number(v['total'])} mentions")]
    days = v["by_day"]
    if days:
        totals = [d["total"] for d in days]
        peak = max(days, key=lambda d: d["total"])
        step = chunks(len(totals), width - 16)
        series = [sum(totals[i : i + step]) for i in range(0, len(totals), step)]
        hourly = v.get("granularity") == "hour"
        unit = ("per hour" if hourly else "per day") if step == 1 else f"per {step} {'hours' if hourly else 'days'}"
        lines.append([(fit("  " + unit, 14), "dim"), (spark(series, fancy), "cyan")])
        lines.append([(" " * 14 + f"peak {number(peak['total'])} on {peak['day']}", "dim")])
        if v.get("gaps"):
            lines.append([(" " * 14 + f"{_count(v['gaps'], 'day' if not hourly else 'hour')} without a sync "
                           "(marked: not listening, not quiet)", "yellow")])  # fmt: skip
        if len(days) <= DAILY_ROWS:
            top = max(totals)
            for d in days:
                if d.get("gap") and not d["total"]:
                    lines.append([(f"  {_day(d['day'])}  ", ""), (fit("· no sync", width - 26), "yellow"), (f"{'-':>8}", "dim")])
                    continue
                lines.append([(f"  {_day(d['day'])}  ", ""), (fit(bar(d["total"], top, width - 26, fancy), width - 26), "cyan"),
                              (f"{number(d['total']):>8}", "")])  # fmt: skip
    if v["by_platform"]:
        lines.append([("  by platform", "dim")])
        top = max(p["mentions"] for p in v["by_platform"])
        for p in v["by_platform"]:
            lines.append([(f"  {fit(p['platform'], 10)}", ""), (fit(bar(p["mentions"], top, width - 32, fancy), width - 32), "cyan"),
                          (f"{number(p['mentions']):>10} {percent(p['share']):>6}", "")])  # fmt: skip
    return lines


def _sentiment(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    s = r["sentiment"]
    net = "-" if s["net"] is None else f"{s['net']:+.2f}"
    lines = [_heading("SENTIMENT", f"net {net} (positive minus negative, per scored mention)")]
    top = max((m["mentions"] for m in s["mix"].values()), default=0)
    for label, m in s["mix"].items():
        lines.append([(f"  {label:<10}", ""), (fit(bar(m["mentions"], top, width - 32, fancy), width - 32), SENTIMENT_STYLE[label]),
                      (f"{number(m['mentions']):>10} {percent(m['share']):>6}", "")])  # fmt: skip
    if s["unscored"]:
        lines.append([(f"  {_count(s['unscored'], 'mention')} without a sentiment score", "dim")])
    days = s["by_day"]
    if not days:
        return lines
    step = chunks(len(days), width - 26)
    shares = []
    for i in range(0, len(days), step):
        group = days[i : i + step]
        neg = sum(d["negative"] for d in group)
        scored = sum(d["negative"] + d["neutral"] + d["positive"] for d in group)
        shares.append(neg / scored if scored else None)
    lines.append([(fit("  negative share", 24), "dim"), (spark(shares, fancy), "red")])
    if len(days) <= DAILY_ROWS:
        chars = "█▒░" if fancy else "-.+"
        bar_width = width - 36
        legend = f"  per day: {chars[0]} negative {chars[1]} neutral {chars[2]} positive"
        lines.append([(fit(legend, bar_width + 13) + " neg  neu  pos  neg%", "dim")])
        for d in days:
            runs = stack([d["negative"], d["neutral"], d["positive"]], bar_width, chars)
            line: Line = [(f"  {_day(d['day'])}  ", "")]
            line += [(run, style) for run, style in zip(runs, ("red", "", "green"))]
            line.append((" " * (bar_width - sum(len(x) for x in runs)), ""))
            line.append((f" {d['negative']:>4} {d['neutral']:>4} {d['positive']:>4}  {percent(d['negative_share']):>4}", ""))
            lines.append(line)
    return lines


def _response(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    x = r["response"]
    first = x["first_reply"]
    lines = [_heading("RESPONSE")]
    lines.append([(f"  replied        {number(x['replied'])} of {number(x['mentions'])} ({percent(x['reply_rate'])})"
                   f", {number(x['unanswered'])} not answered", "")])  # fmt: skip
    if first["answered"]:
        lines.append([(f"  first reply    median {duration(first['median_s'])}, 90% within {duration(first['p90_s'])}", "")])
        for label, rows in (("by platform", x["first_reply_by_platform"]), ("by priority", x["first_reply_by_level"])):
            parts = ", ".join(f"{clean(w['key'])} {duration(w['median_s'])}" for w in rows)
            lines.append([(f"    {label:<13}" + fit(parts, width - 17).rstrip(), "dim")])
    else:
        lines.append([("  first reply    no replies recorded", "dim")])
    sla = x.get("sla")
    if sla and sla["with_target"]:
        lines.append([(f"  on target      {percent(sla['attainment'])} of {number(sla['with_target'])} answered within "
                       f"their target; {number(sla['answered_late'])} late, {number(sla['overdue'])} overdue now", "")])
    b = x["backlog"]
    oldest = f", oldest from {_when(b['oldest'])}" if b["oldest"] else ""
    lines.append([(f"  waiting now    {number(b['total'])} need a reply (any date){oldest}", "")])
    top = max((a["mentions"] for a in b["by_age"]), default=0)
    for a in b["by_age"]:
        lines.append([(f"    {a['age']:<7}", ""), (fit(bar(a["mentions"], top, width - 25, fancy), width - 25), "yellow"),
                      (f"{number(a['mentions']):>12}", "")])  # fmt: skip
    e = x["escalations"]
    if e["escalated"]:
        t = e["time_to_handle"]
        lines.append([(f"  escalations    {e['escalated']}: {e['handled']} handled, {e['pending']} pending", "")])
        if e["handled"]:
            lines.append([(f"  handled in     median {duration(t['median_s'])}, 90% within {duration(t['p90_s'])}", "")])
        targets = ", ".join(f"{t['target'] or '(no target)'} {t['escalations']}" for t in e["by_target"])
        lines.append([("  targets        " + fit(targets, width - 17).rstrip(), "dim")])
    else:
        lines.append([("  escalations    none", "dim")])
    return lines


def _voice(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    v = r.get("share_of_voice")
    if not v or not v["by_platform"]:
        return []
    lines = [_heading("SHARE OF VOICE", "and the sentiment of each")]
    for title, rows in (("by platform", v["by_platform"]), ("by source", v["by_source"])):
        lines.append([(f"  {title}", "dim")])
        top = max(g["mentions"] for g in rows)
        for g in rows:
            mix = " ".join(f"{label[:3]} {percent(g['sentiment'][label]['share']):>4}" for label in ("negative", "neutral", "positive"))
            lines.append([(f"  {fit(g['name'] or '-', 14)}", ""), (fit(bar(g["mentions"], top, width - 60, fancy), width - 60), "cyan"),
                          (f"{number(g['mentions']):>8} {percent(g['share']):>5}  ", ""), (mix, "dim")])  # fmt: skip
    return lines


TOP_ROWS = 3  # posts per list on a terminal (the JSON and HTML have all)


def _top(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    t = r.get("top_posts")
    if not t:
        return []
    lines = [_heading("TOP POSTS", "links in --json and --html")]
    for key, title in (("most_engaged", "most engaged"), ("widest_reach", "widest reach"), ("top_negative", "top negative")):
        lines.append([(f"  {title}", "dim")])
        if not t[key]:
            lines.append([("    none", "dim")])
        for p in t[key][:TOP_ROWS]:
            answered = "answered" if p["answered"] else "not answered"
            about = {"most_engaged": f"{number(p['engagement'])} engagement",
                     "widest_reach": f"{_short(p['followers'])} followers"}.get(
                key, f"{number(p['engagement'])} eng. · {_short(p['followers'])} fol.")  # fmt: skip
            head = f"@{clean(p['author'])} ({clean(p['platform'])}) · {about} · "
            tail = f"{p['sentiment'] or '-'} · {answered}"
            lines.append([("    ", ""), (fit(head, width - 6 - len(tail)), ""),
                          (tail, SENTIMENT_STYLE.get(p["sentiment"] or "neutral", "") or ("yellow" if not p["answered"] else ""))])  # fmt: skip
            said = (p["title"] + ": " if p["title"] else "") + (p["text"] or "")
            lines.append([("      ", ""), (fit(said, width - 8).rstrip(), "dim")])
    return lines


def _short(n: int | None) -> str:
    if n is None:
        return "-"
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def _team(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    people = r.get("people")
    if people is None:
        return []
    lines = [_heading("PEOPLE", "assigned, answered, first reply, escalations handled")]
    if not people:
        return lines + [[("  nobody was assigned or answered in the period", "dim")]]
    name_width = width - 52
    lines.append([(f"  {fit('person', name_width)}{'assigned':>10}{'answered':>10}{'median reply':>14}{'escalations':>14}", "dim")])
    for p in people:
        lines.append([(f"  {fit(p['person'], name_width)}{number(p['assigned']):>10}{number(p['replied']):>10}"
                       f"{duration(p['median_first_response_s']):>14}{number(p['escalations_handled']):>14}", "")])  # fmt: skip
    return lines


def _tags(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    t = r["tags"]
    lines = [_heading("TAGS", _count(t["tagged_mentions"], "tagged mention"))]
    if not t["top"]:
        return lines + [[("  no tags", "dim")]]
    top = t["top"][0]["mentions"]
    for row in t["top"]:
        lines.append([(f"  {fit(row['tag'], 20)}", ""), (fit(bar(row["mentions"], top, width - 34, fancy), width - 34), "cyan"),
                      (f"{number(row['mentions']):>10}", "")])  # fmt: skip
    return lines


def _keywords(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    k = r["negative_keywords"]
    note = _count(k["negative_mentions"], "negative mention")
    if k["read"] < k["negative_mentions"]:
        note += f", newest {number(k['read'])} read"
    lines = [_heading("NEGATIVE MENTIONS SAY", note)]
    if not k["words"] and not k["phrases"]:
        return lines + [[("  nothing recurs", "dim")]]
    col = (width - 4) // 2
    lines.append([(f"  {fit('words', col)}{fit('phrases', col)}", "dim")])
    for i in range(max(len(k["words"]), len(k["phrases"]))):
        cells_ = []
        for items in (k["words"], k["phrases"]):
            if i < len(items):
                n = number(items[i]["mentions"])
                cells_.append(fit(items[i]["term"], col - len(n) - 3) + n + "   ")
            else:
                cells_.append(" " * col)
        lines.append([("  " + "".join(cells_), "")])
    return lines


def _people(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    lines: list[Line] = []
    for key, title, label in (("advocates", "ADVOCATES", "positive"), ("detractors", "DETRACTORS", "negative")):
        group = r[key]
        if lines:
            lines.append([])
        lines.append(_heading(title, f"{_count(group['authors'], 'author')} with 2+ {label} mentions"))
        if not group["top"]:
            lines.append([("  none", "dim")])
            continue
        name_width = width - 40
        lines.append([(f"  {fit('author', name_width)}{'platform':<10}{'mentions':>10}{'reach':>14}", "dim")])
        for a in group["top"]:
            who = "@" + clean(a["handle"]) + (f" ({clean(a['name'])})" if a["name"] else "")
            lines.append([(f"  {fit(who, name_width)}{fit(a['platform'], 10)}{number(a['mentions']):>10}"
                           f"{number(a['reach']):>14}", SENTIMENT_STYLE[label])])  # fmt: skip
    return lines


def _alerts(r: dict[str, Any], width: int, fancy: bool) -> list[Line]:
    a = r["alerts"]
    if not a["recorded"]:
        return [_heading("ALERTS"), [("  no alerts recorded", "dim")]]
    lines = [_heading("ALERTS", f"{number(a['fired'])} fired in the period")]
    if not a["fired"]:
        return lines + [[("  none fired", "dim")]]
    for alert in a["recent"]:
        when = _when(str(alert.get(a["time_column"]) or "")) if a["time_column"] else ""
        lines.append([(fit(f"  {when}  {_alert_summary(alert)}", width).rstrip(), "yellow")])
    if a["fired"] > len(a["recent"]):
        lines.append([(f"  … and {a['fired'] - len(a['recent']):,} earlier", "dim")])
    return lines


def _alert_summary(alert: dict[str, Any]) -> str:
    """'spike  negative: 42 (usual 5.1)' from the alerts table's columns, whichever of them exist."""
    name = next((str(alert[k]) for k in ("name", "rule", "title", "kind") if alert.get(k)), "alert")
    what = f"  {alert['metric']}" if alert.get("metric") else ""
    if alert.get("count") is not None:
        what += f": {alert['count']}"
        if isinstance(alert.get("baseline_mean"), (int, float)):
            what += f" (usual {alert['baseline_mean']:.1f})"
    message = next((str(alert[k]) for k in ("message", "summary") if alert.get(k)), "")
    return f"{name}{what}" + (f"  {message}" if message else "")


def widest(lines: list[Line]) -> int:
    return max((cells("".join(t for t, _ in line).rstrip()) for line in lines), default=0)
