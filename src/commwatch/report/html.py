"""The report as one self-contained HTML file: inline SVG charts, no scripts, nothing fetched.

Drawn from the data build_report returns, like the terminal view. Every value
that came from a platform (handles, names, tags, words) is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Any

from commwatch.report import svg
from commwatch.report.charts import change, clean, duration, figure, number, percent

PLATFORM_COLOURS = {"x": "#1f77b4", "reddit": "#ff7f0e", "youtube": "#9467bd", "discourse": "#17becf", "mastodon": "#8c564b", "bluesky": "#0085ff"}  # no red: red means negative
OTHER_COLOURS = ["#8c564b", "#17becf", "#7f7f7f", "#bcbd22"]
SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#b5b5b5", "positive": "#2ca02c"}

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 760px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.muted { color: #666; } table { border-collapse: collapse; margin: 6px 0; }
td, th { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; } th { color: #555; font-weight: 600; }
td.n, th.n { text-align: right; } .cards td { padding: 6px 18px 6px 0; } .big { font-size: 20px; font-weight: 600; } .change { font-size: 12px; }
h3 { font-size: 15px; margin: 14px 0 4px; } a { color: #1f4f99; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
"""


def _e(value: Any) -> str:
    return escape(clean(str(value)), quote=True) if value is not None else ""


def render(report: dict[str, Any]) -> str:
    p = report["period"]
    filters = ", ".join(f"{k} = {v}" for k, v in p["filters"].items())
    zone = p.get("zone") or "UTC"
    title = f"commwatch report {_local(p['since'], zone)[:10]} to {_local(p['until'], zone)[:10]}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">Mentions created from {_e(_local(p["since"], zone))} to {_e(_local(p["until"], zone))} '
        f"({_e(zone)})" + (f"; compared with {_e(_local(p['previous']['since'], zone))} to "
                           f"{_e(_local(p['previous']['until'], zone))}" if p.get("previous") else "")
        + (f"; filters: {_e(filters)}" if filters else "")
        + f'. Generated {_e(_local(report["generated_at"], zone))}.</p>',
        _cards(report),
        _volume(report),
        _sentiment(report),
        _response(report),
        _voice(report),
        _top(report),
        _team(report),
        _tags(report),
        _keywords(report),
        _people(report),
        _alerts(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


HEADLINE = {"mentions": "mentions", "negative_share": "negative", "replied_share": "replied",
            "median_first_response_s": "median first reply", "sla_attainment": "answered within target",
            "escalations": "escalations"}  # fmt: skip


def _cards(r: dict[str, Any]) -> str:
    """The headline figures, each with the previous period's value and the change (green good, red bad)."""
    h = r.get("headline") or {}
    cells = []
    for key, label in HEADLINE.items():
        m = h.get(key)
        if m is None:
            continue
        was = ""
        if m["previous"] is not None:
            text, news = change(m)
            colour = {"good": "#2ca02c", "bad": "#d62728"}.get(news, "#666")
            was = (f'<div class="change" style="color:{colour}">{_e(text)}</div>'
                   f'<div class="muted">was {_e(figure(m["previous"], m["unit"]))}</div>')  # fmt: skip
        cells.append(f'<td><div class="big">{_e(figure(m["current"], m["unit"]))}</div>'
                     f'<div class="muted">{_e(label)}</div>{was}</td>')  # fmt: skip
    waiting = r["response"]["backlog"]["total"]
    cells.append(f'<td><div class="big">{number(waiting)}</div><div class="muted">need a reply now</div></td>')
    return f'<table class="cards" id="summary"><tr>{"".join(cells)}</tr></table>'


def _local(value: str | None, zone: str) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return value


def _platform_colours(names: list[str]) -> dict[str, str]:
    others = iter(OTHER_COLOURS * 10)
    return {n: PLATFORM_COLOURS.get(n) or next(others) for n in names}


def _volume(r: dict[str, Any]) -> str:
    v = r["volume"]
    days = [d["day"] for d in v["by_day"]]
    names = [p["platform"] for p in v["by_platform"]]
    colours = _platform_colours(names)
    series = [(n, colours[n], [d["platforms"].get(n, 0) for d in v["by_day"]]) for n in names]
    unit = "hour" if v.get("granularity") == "hour" else "day"
    gaps = [bool(d.get("gap")) for d in v["by_day"]]
    chart = svg.columns("chart-volume", f"Mentions per {unit}, by platform", days, series, gaps=gaps,
                        counts=True) if days else ""  # fmt: skip
    if v.get("gaps"):
        chart += (f'<p class="muted">Hatched: {number(v["gaps"])} {unit}{"s" if v["gaps"] != 1 else ""} in which no sync '
                  "ran (commwatch was not listening; not a quiet day).</p>")  # fmt: skip
    rows = "".join(
        f'<tr><td>{_e(p["platform"])}</td><td class="n">{number(p["mentions"])}</td><td class="n">{percent(p["share"])}</td></tr>'
        for p in v["by_platform"]
    )
    return (
        f'<h2 id="volume">Volume: {number(v["total"])} mentions</h2>{chart}'
        f'<table><tr><th>platform</th><th class="n">mentions</th><th class="n">share</th></tr>{rows}</table>'
    )


def _sentiment(r: dict[str, Any]) -> str:
    s = r["sentiment"]
    days = [d["day"] for d in s["by_day"]]
    series = [(label, SENTIMENT_COLOURS[label], [d[label] for d in s["by_day"]]) for label in SENTIMENT_COLOURS]
    gaps = [bool(d.get("gap")) for d in s["by_day"]]
    chart = svg.columns("chart-sentiment", "Sentiment per day (share of scored mentions)", days, series,
                        percent=True, gaps=gaps, counts=True) if days else ""  # fmt: skip
    mix = svg.hbars("chart-sentiment-mix", "Sentiment mix",
                    [(label, m["mentions"], SENTIMENT_COLOURS[label]) for label, m in s["mix"].items()])  # fmt: skip
    net = "-" if s["net"] is None else f"{s['net']:+.2f}"
    unscored = f" {number(s['unscored'])} mentions have no score." if s["unscored"] else ""
    return (
        f'<h2 id="sentiment">Sentiment</h2>{mix}'
        f'<p class="muted">Net sentiment {net} (positive minus negative, per scored mention).{unscored}</p>{chart}'
    )


def _response(r: dict[str, Any]) -> str:
    x = r["response"]
    first, b, e = x["first_reply"], x["backlog"], x["escalations"]
    rows = [
        ("replied", f"{number(x['replied'])} of {number(x['mentions'])} ({percent(x['reply_rate'])})"),
        ("never answered", number(x["unanswered"])),
        ("time to first reply", f"median {duration(first['median_s'])}, 90% within {duration(first['p90_s'])}"
                                if first["answered"] else "no replies recorded"),
        *[(f"first reply, {kind}", ", ".join(f"{w['key']} {duration(w['median_s'])}" for w in rows))
          for kind, rows in (("by platform", x["first_reply_by_platform"]), ("by priority", x["first_reply_by_level"]))
          if rows],
        *([("answered within target", f"{percent(x['sla']['attainment'])} of {number(x['sla']['with_target'])}; "
                                      f"{number(x['sla']['answered_late'])} late, {number(x['sla']['overdue'])} overdue now")]
          if x.get("sla") and x["sla"]["with_target"] else []),
        ("escalations", f"{number(e['escalated'])}: {number(e['handled'])} handled, {number(e['pending'])} pending"),
        ("time to handle an escalation", f"median {duration(e['time_to_handle']['median_s'])}, "
                                         f"90% within {duration(e['time_to_handle']['p90_s'])}" if e["handled"] else "-"),
    ]  # fmt: skip
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    targets = ", ".join(f"{t['target'] or '(no target)'}: {t['escalations']}" for t in e["by_target"])
    backlog = svg.hbars("chart-backlog", "Mentions waiting for a reply, by age",
                        [(a["age"], a["mentions"], "#e6a100") for a in b["by_age"]])  # fmt: skip
    oldest = f", the oldest from {_e(b['oldest'])}" if b["oldest"] else ""
    return (
        f'<h2 id="response">Response</h2><table>{table}</table>'
        + (f'<p class="muted">Escalations by target: {_e(targets)}</p>' if targets else "")
        + f"<p>Waiting for a reply now, whenever posted: <b>{number(b['total'])}</b>{oldest}.</p>{backlog}"
    )


def _voice(r: dict[str, Any]) -> str:
    v = r.get("share_of_voice")
    if not v:
        return ""
    out = ['<h2 id="share-of-voice">Share of voice</h2>']
    for title, rows in (("Platform", v["by_platform"]), ("Source", v["by_source"])):
        body = "".join(
            f'<tr><td>{_e(g["name"] or "-")}</td><td class="n">{number(g["mentions"])}</td><td class="n">{percent(g["share"])}</td>'
            + "".join(f'<td class="n">{percent(g["sentiment"][label]["share"])}</td>' for label in SENTIMENT_COLOURS)
            + f"<td>{svg.mix_bar([(g['sentiment'][label]['mentions'], SENTIMENT_COLOURS[label]) for label in SENTIMENT_COLOURS])}</td></tr>"
            for g in rows
        )
        out.append(f'<table><tr><th>{title}</th><th class="n">mentions</th><th class="n">share</th><th class="n">negative</th>'
                   f'<th class="n">neutral</th><th class="n">positive</th><th>mix</th></tr>{body}</table>')  # fmt: skip
    return "".join(out)


def _top(r: dict[str, Any]) -> str:
    t = r.get("top_posts")
    if not t:
        return ""
    out = ['<h2 id="top-posts">Top posts</h2>']
    for key, title in (("most_engaged", "Most engaged"), ("widest_reach", "Widest reach"), ("top_negative", "Top negative")):
        out.append(f"<h3>{title}</h3>")
        if not t[key]:
            out.append('<p class="muted">None in the period.</p>')
            continue
        rows = []
        for p in t[key]:
            said = _e((p["title"] + ": " if p["title"] else "") + (p["text"] or ""))
            link = f'<a href="{_e(p["url"])}">{said}</a>' if p["url"] and str(p["url"]).startswith(("https://", "http://")) else said
            colour = SENTIMENT_COLOURS.get(p["sentiment"] or "", "#666")
            rows.append(f'<tr><td>@{_e(p["author"])}<div class="muted">{_e(p["platform"])}</div></td><td>{link}</td>'
                        f'<td class="n">{number(p["engagement"])}</td><td class="n">{number(p["followers"])}</td>'
                        f'<td style="color:{colour}">{_e(p["sentiment"] or "-")}</td>'
                        f'<td>{"answered" if p["answered"] else "not answered"}</td></tr>')  # fmt: skip
        out.append('<table><tr><th>author</th><th>post</th><th class="n">engagement</th><th class="n">followers</th>'
                   f'<th>sentiment</th><th>answered</th></tr>{"".join(rows)}</table>')  # fmt: skip
    return "".join(out)


def _team(r: dict[str, Any]) -> str:
    people = r.get("people")
    if people is None:
        return ""
    if not people:
        return '<h2 id="people">People</h2><p class="muted">Nobody was assigned or answered in the period.</p>'
    rows = "".join(
        f'<tr><td>{_e(p["person"])}</td><td class="n">{number(p["assigned"])}</td><td class="n">{number(p["replied"])}</td>'
        f'<td class="n">{_e(duration(p["median_first_response_s"]))}</td><td class="n">{number(p["escalations_handled"])}</td></tr>'
        for p in people
    )
    return ('<h2 id="people">People</h2><table><tr><th>person</th><th class="n">assigned</th><th class="n">answered</th>'
            f'<th class="n">median first reply</th><th class="n">escalations handled</th></tr>{rows}</table>')  # fmt: skip


def _tags(r: dict[str, Any]) -> str:
    t = r["tags"]
    if not t["top"]:
        return '<h2 id="tags">Tags</h2><p class="muted">No tagged mentions.</p>'
    chart = svg.hbars("chart-tags", "Top tags", [(row["tag"], row["mentions"], "#1f77b4") for row in t["top"]])
    n = t["tagged_mentions"]
    return f'<h2 id="tags">Tags</h2><p class="muted">{number(n)} tagged mention{"" if n == 1 else "s"}.</p>{chart}'


def _keywords(r: dict[str, Any]) -> str:
    k = r["negative_keywords"]
    note = f"{number(k['negative_mentions'])} negative mentions"
    if k["read"] < k["negative_mentions"]:
        note += f"; the newest {number(k['read'])} were read"
    tables = []
    for title, items in (("words", k["words"]), ("phrases", k["phrases"])):
        rows = "".join(f'<tr><td>{_e(i["term"])}</td><td class="n">{number(i["mentions"])}</td></tr>' for i in items)
        tables.append(f'<td><table><tr><th>{title}</th><th class="n">mentions</th></tr>{rows}</table></td>')
    body = f"<table><tr>{''.join(tables)}</tr></table>" if k["words"] or k["phrases"] else "<p>Nothing recurs.</p>"
    return f'<h2 id="keywords">What negative mentions say</h2><p class="muted">{note}.</p>{body}'


def _people(r: dict[str, Any]) -> str:
    out = []
    for key, title, label in (("advocates", "Advocates", "positive"), ("detractors", "Detractors", "negative")):
        group = r[key]
        out.append(f'<h2 id="{key}">{title}</h2><p class="muted">{number(group["authors"])} authors with 2 or more '
                   f"{label} mentions.</p>")  # fmt: skip
        if group["top"]:
            rows = "".join(
                f'<tr><td>@{_e(a["handle"])}</td><td>{_e(a["name"])}</td><td>{_e(a["platform"])}</td>'
                f'<td class="n">{number(a["mentions"])}</td><td class="n">{number(a["reach"])}</td></tr>'
                for a in group["top"]
            )
            out.append('<table><tr><th>author</th><th>name</th><th>platform</th><th class="n">mentions</th>'
                       f'<th class="n">reach</th></tr>{rows}</table>')  # fmt: skip
    return "".join(out)


def _alerts(r: dict[str, Any]) -> str:
    a = r["alerts"]
    if not a["recorded"]:
        return '<h2 id="alerts">Alerts</h2><p class="muted">No alerts recorded.</p>'
    if not a["fired"]:
        return '<h2 id="alerts">Alerts</h2><p class="muted">No alert fired in the period.</p>'
    columns = list(a["recent"][0])
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e(row.get(c))}</td>" for c in columns) + "</tr>" for row in a["recent"])
    more = f'<p class="muted">and {number(a["fired"] - len(a["recent"]))} earlier.</p>' if a["fired"] > len(a["recent"]) else ""
    return f'<h2 id="alerts">Alerts: {number(a["fired"])} fired</h2><table><tr>{head}</tr>{rows}</table>{more}'
