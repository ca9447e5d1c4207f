"""Drawing on a terminal. Every stored value is data: it goes through commwatch.text, never into markup.

Control and invisible characters become visible stand-ins (commwatch.text), and
text reaches Rich as Text objects, never as markup, so "[bold]" in a tweet
prints as "[bold]".
"""

from __future__ import annotations

import sys
from typing import Any

from commwatch.text import (
    LEVEL_STYLE,
    SENTIMENT_STYLE,
    age,
    cells,
    counted,
    due,
    excerpt,
    field,
    fields,
    followers,
    inert,
    json_text,
    platform_short,
    sentiment_words,
    when,
)


def print_json(value: Any) -> None:
    """JSON on stdout; C0 is escaped by JSON itself, C1 and invisible characters as \\uNNNN."""
    sys.stdout.write(json_text(value))
    sys.stdout.write("\n")


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False, markup=False)


# Inbox columns, most important first: at any width the id stays whole, the text keeps at least
# MIN_TEXT cells, and the columns that do not fit after that are left out, last ones first.
COLUMN_ORDER = ("ID", "PRI", "DUE", "AGE", "", "AUTHOR", "SENT", "STATUS", "TAGS")
SHOWN_ORDER = ("ID", "PRI", "", "AUTHOR", "SENT", "STATUS", "TAGS", "AGE", "DUE")
MIN_TEXT = 24  # the text is what a person reads: narrow columns go before it gets shorter
GAP = 2  # cells between columns


def inbox_table(mentions: list[dict[str, Any]], total: int | None = None, with_due: bool = False,
                cap: int | None = None) -> None:  # fmt: skip
    """One line per mention; the columns that fit, the id always whole, the text in what is left."""
    from rich.table import Table
    from rich.text import Text

    out = console()
    rows = []
    for m in mentions:
        level, label = m["priority"]["level"] or "", m["sentiment"]["label"] or ""
        late = bool(m.get("sla") and m["sla"]["breached"])
        row = {
            "ID": Text(str(m["id"])),
            "PRI": Text(level, style=LEVEL_STYLE.get(level, "")),
            "": Text(platform_short(m["platform"])),
            "AUTHOR": Text(excerpt("@" + (m["author"]["handle"] or ""), 16, is_field=True)),
            "SENT": Text(label[:3], style=SENTIMENT_STYLE.get(label, "")),
            "STATUS": Text(m["status"]),
            "TAGS": Text(excerpt(" ".join(m["tags"]), 20, is_field=True)),
            "AGE": Text(age(m["created_at"])),
            "DUE": Text(due(m.get("sla")), style="bold red" if late else ""),
        }
        text = f"{m['title']} — {m['text']}" if m.get("title") else m["text"]
        rows.append((row, text))
    # A column that says nothing is left out: no tags anywhere, or one status for every row (the filter's).
    same_status = len({m["status"] for m in mentions}) == 1
    empty = {"DUE": not with_due, "STATUS": same_status, "TAGS": not any(m["tags"] for m in mentions)}
    wanted = [c for c in COLUMN_ORDER if not empty.get(c)]
    widths = {c: max([cells(c)] + [r[c].cell_len for r, _ in rows]) for c in wanted}
    chosen, used = [], MIN_TEXT
    for column in wanted:  # the id first, whatever the width
        if column == "ID" or used + widths[column] + GAP <= out.width:
            chosen.append(column)
            used += widths[column] + GAP
    chosen = [c for c in SHOWN_ORDER if c in chosen]
    text_width = max(MIN_TEXT, out.width - used + MIN_TEXT)
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False, collapse_padding=True)
    for column in chosen:
        table.add_column(column, no_wrap=True, min_width=widths[column], max_width=widths[column],
                         justify="right" if column in ("ID", "AGE", "DUE") else "left")  # fmt: skip
    table.add_column("TEXT", no_wrap=True, overflow="ellipsis")
    for cells_of, text in rows:
        table.add_row(*(cells_of[c] for c in chosen), Text(excerpt(text, text_width)))
    out.print(table)
    if total is not None and total > len(mentions):
        console(stderr=True).print(Text(f"{len(mentions)} of {counted(total, cap)} shown; --limit 0 for all",
                                        style="dim"))  # fmt: skip


def mention_detail(detail, zone=None) -> None:
    """`show`: a views.MentionDetail, every stored value inert, times in `zone`."""
    from datetime import datetime, timezone

    from rich.text import Text

    now = datetime.now(timezone.utc)
    m = detail.mention
    out = console()
    a = m["author"]
    head = Text()
    head.append(f"#{m['id']} ", style="bold")
    head.append(f"{field(m['platform'])}:{field(m['remote_id'])}  ")
    head.append(f"{m['status']}", style="bold")
    if m["snoozed_until"]:
        head.append(f" until {when(m['snoozed_until'], zone)}")
    out.print(head)
    who = f"@{field(a['handle'])}"
    if a["name"]:
        who += f" ({inert(a['name'], single_line=True)})"
    if a["followers"] is not None:
        who += f" · {followers(a['followers'])} followers"
    if a["verified"]:
        who += " · verified"
    out.print(Text(who))
    out.print(Text(f"{when(m['created_at'], zone, now)} · {field(m['kind'])} · source {field(m['source'])}", style="dim"))
    if m["url"]:
        out.print(Text(field(m["url"]), style="dim"))
    out.print()
    if m["title"]:
        out.print(Text(inert(m["title"]), style="bold"))
    out.print(Text(inert(m["text"])))
    out.print()
    s, p = m["sentiment"], m["priority"]
    if s["label"]:
        out.print(Text(sentiment_words(s, m.get("lang")), style=SENTIMENT_STYLE.get(s["label"], "")))
    line = Text(f"priority {p['level']} ({p['score']})", style=LEVEL_STYLE.get(p["level"] or "", ""))
    if p.get("override"):
        line.append(" set by hand or rule", style="")
    if p["reasons"]:
        line.append(": " + "; ".join(inert(r, single_line=True) for r in p["reasons"]), style="")
    out.print(line)
    replied = f"yes, first response {when(m['first_response_at'], zone)}" if m["first_response_at"] else (
        "yes" if m["replied"] else "no")
    out.print(Text(f"tags: {fields(m['tags']) or '-'} · assignee: {field(m['assignee']) or '-'} · "
                   f"replied: {replied}" + (" · ours (one of the brand's accounts)" if m.get("ours") else "")))  # fmt: skip
    if m.get("sla"):
        late = m["sla"]["breached"]
        out.print(Text(f"first response due {when(m['sla']['due_at'], zone)} ({due(m['sla'])})",
                       style="bold red" if late else ""))  # fmt: skip
    if m["metrics"]:
        out.print(Text("metrics: " + ", ".join(f"{field(k)} {field(v)}" for k, v in sorted(m["metrics"].items())),
                       style="dim"))  # fmt: skip
    if detail.thread:
        out.print()
        out.print(Text("Conversation (stored)", style="bold"))
        for depth, t in detail.tree():
            marker = "▶ " if t["id"] == m["id"] else "  "
            who = f"@{excerpt(t['author']['handle'], 20, is_field=True)}" + (" (ours)" if t.get("ours") else "")
            head = f"{marker}{'  ' * min(depth, 8)}{'↳ ' if depth else ''}#{t['id']} {who} {age(t['created_at'])}: "
            line = Text(head, style="green" if t.get("ours") else "")
            line.append(excerpt(t["text"], max(20, out.width - cells(head))))
            out.print(line)
    if detail.replies:
        out.print()
        out.print(Text("Replies sent", style="bold"))
        for r in detail.replies:
            out.print(Text(f"  {when(r['sent_at'], zone)} {field(r['actor'])}: {excerpt(r['text'], max(20, out.width - 40))}"))
            if r.get("url") or r.get("remote_id"):
                out.print(Text(f"    {field(r.get('url') or r['remote_id'])}", style="dim"))
    out.print()
    out.print(Text("History", style="bold"))
    if not detail.history:
        out.print(Text("  no changes yet", style="dim"))
    from commwatch.app.history import describe

    for e in detail.history:
        out.print(Text(f"  {when(e['at'], zone)}  {field(e['actor'])}  {describe(e['action'], e['detail'], zone)}"))


def alert_line(a: dict[str, Any], zone=None) -> str:
    return (f"{when(a['fired_at'], zone)}  {field(a['name'])}: {a['count']} {field(a['metric'])} mentions in {a['window']} "
            f"(baseline {a['baseline_mean']:.1f} ± {a['baseline_std']:.1f}, threshold {a['threshold']:.1f})"
            + (f" → {field(a['target'])}" if a["target"] else ""))  # fmt: skip


NEXT_STEP = {  # what a person does about several deliveries in one state
    "pending": "each is retried after its backoff (`commwatch outbox` lists them)",
    "waiting": "nothing was sent; they go once that is set",
    "failed": "fix it, then `commwatch outbox retry --failed`",
}


def delivery_lines(deliveries: list[dict[str, Any]], statuses: tuple[str, ...] = ("failed", "waiting")) -> list[str]:
    """One line per reason deliveries did not go out (id, kind, status, message each), with what to do."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in deliveries:
        if d["status"] in statuses:
            reason = d["message"].split("; will retry after")[0] if d["status"] == "pending" else d["message"]
            groups.setdefault((d["status"], reason), []).append(d)
    lines = []
    for (status, reason), group in groups.items():
        if len(group) == 1:
            d = group[0]
            lines.append(f"{d['kind'] or 'delivery'} {d['id']} {status}: {inert(d['message'], single_line=True)}")
            continue
        ids = f"{group[0]['id']}…{group[-1]['id']}"
        lines.append(f"{len(group)} deliveries ({ids}) {status}: {inert(reason, single_line=True)}; {NEXT_STEP[status]}")
    return lines


def doctor_lines(found, width: int | None = None) -> list[str]:
    """`doctor`: each subject once, its findings under it, then a count of what needs attention;
    with `width`, long findings wrap under their own text."""
    import textwrap

    lines: list[str] = []
    subject = None
    for finding in found:
        if finding.subject != subject:
            subject = finding.subject
            lines.append(inert(subject, single_line=True))
        line = f"  {finding.state:<8} {inert(finding.message, single_line=True)}"
        lines += textwrap.wrap(line, width, subsequent_indent=" " * 11, break_on_hyphens=False) if width else [line]
    problems = sum(f.state == "problem" for f in found)
    warnings = sum(f.state == "warning" for f in found)
    if problems or warnings:
        counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((problems, "problem"), (warnings, "warning")) if n]
        lines.append(" and ".join(counts) + ".")
    else:
        lines.append("Everything is set up.")
    return lines
