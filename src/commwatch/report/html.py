"""The report as one self-contained HTML file: inline SVG charts, no scripts, nothing fetched.

Drawn from the data build_report returns, like the terminal view. Every value
that came from a platform (handles, names, tags, words) is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from commwatch.report import svg
from commwatch.report.charts import clean, duration, number, percent

PLATFORM_COLOURS = {"x": "#1f77b4", "reddit": "#ff7f0e", "youtube": "#9467bd", "discourse": "#17becf", "mastodon": "#8c564b", "bluesky": "#0085ff"}  # no red: red means negative
OTHER_COLOURS = ["#8c564b", "#17becf", "#7f7f7f", "#bcbd22"]
SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#b5b5b5", "positive": "#2ca02c"}

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 760px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.muted { color: #666; } table { border-collapse: collapse; margin: 6px 0; }
td, th { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; } th { color: #555; font-weight: 600; }
td.n, th.n { text-align: right; } .cards td { padding: 6px 18px 6px 0; } .big { font-size: 20px; font-weight: 600; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
"""


def _e(value: Any) -> str:
    return escape(clean(str(value)), quote=True) if value is not None else ""


def render(report: dict[str, Any]) -> str:
    p = report["period"]
    filters = ", ".join(f"{k} = {v}" for k, v in p["filters"].items())
    title = f"commwatch report {p['since'][:10]} to {p['until'][:10]}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">Mentions created from {_e(p["since"])} to {_e(p["until"])} (UTC)'
        + (f"; filters: {_e(filters)}" if filters else "")
        + f'. Generated {_e(report["generated_at"])}.</p>',
        _cards(report),
        _volume(report),
        _sentiment(report),
        _response(report),
        _tags(report),
        _keywords(report),
        _people(report),
        _alerts(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(r: dict[str, Any]) -> str:
    x = r["response"]
    cards = [
        ("mentions", number(r["volume"]["total"])),
        ("negative", percent(r["sentiment"]["mix"]["negative"]["share"])),
        ("replied", percent(x["reply_rate"])),
        ("median first reply", duration(x["first_reply"]["median_s"])),
        ("need a reply now", number(x["backlog"]["total"])),
        ("escalations", number(x["escalations"]["escalated"])),
    ]
    cells = "".join(f'<td><div class="big">{_e(v)}</div><div class="muted">{_e(k)}</div></td>' for k, v in cards)
    return f'<table class="cards" id="summary"><tr>{cells}</tr></table>'


def _platform_colours(names: list[str]) -> dict[str, str]:
    others = iter(OTHER_COLOURS * 10)
    return {n: PLATFORM_COLOURS.get(n) or next(others) for n in names}


def _volume(r: dict[str, Any]) -> str:
    v = r["volume"]
    days = [d["day"] for d in v["by_day"]]
    names = [p["platform"] for p in v["by_platform"]]
    colours = _platform_colours(names)
    series = [(n, colours[n], [d["platforms"].get(n, 0) for d in v["by_day"]]) for n in names]
    chart = svg.columns("chart-volume", "Mentions per day, by platform", days, series) if days else ""
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
    chart = svg.columns("chart-sentiment", "Sentiment per day (share of scored mentions)", days, series,
                        percent=True) if days else ""  # fmt: skip
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
