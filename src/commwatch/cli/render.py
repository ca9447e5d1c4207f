"""Showing mentions on a terminal. Mention text is data: it is never interpreted.

Control characters (ANSI escapes, carriage returns, bidi overrides) are
replaced by visible stand-ins, and text reaches Rich as Text objects, never as
markup, so "[bold]" in a tweet prints as "[bold]".
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from typing import Any

# C0 (but tab/newline), DEL, C1, and the Unicode bidi controls that reorder what is shown.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str | None, *, single_line: bool = False) -> str:
    """Text with every control character made visible (ESC → ␛, others → \\xNN or \\uNNNN)."""
    if not text:
        return ""

    def visible(match: re.Match) -> str:
        ch = match.group()
        if ch == "\x1b":
            return "␛"
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    text = _UNSAFE.sub(visible, text)
    if single_line:
        text = " ".join(text.split())
    return text


def excerpt(text: str | None, width: int) -> str:
    text = inert(text, single_line=True)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def age(created_at: str | None, now: datetime | None = None) -> str:
    if not created_at:
        return ""
    then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def followers(n: int | None) -> str:
    if n is None:
        return ""
    for suffix, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def print_json(value: Any) -> None:
    """JSON on stdout; escapes keep control characters in mention text inert."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False, markup=False)


LEVEL_STYLE = {"urgent": "bold red", "high": "red", "medium": "yellow", "low": "dim"}
SENTIMENT_STYLE = {"negative": "red", "neutral": "", "positive": "green"}


def inbox_table(mentions: list[dict[str, Any]], total: int | None = None) -> None:
    """One line per mention; the text gets whatever width the other columns leave."""
    from rich.table import Table
    from rich.text import Text

    out = console()
    wide = out.width >= 120
    headers = ["ID", "PRI", "", "AUTHOR", "SENT"] + (["STATUS", "TAGS"] if wide else []) + ["AGE"]
    rows = []
    for m in mentions:
        level, label = m["priority"]["level"] or "", m["sentiment"]["label"] or ""
        cells = [
            Text(str(m["id"])),
            Text(level, style=LEVEL_STYLE.get(level, "")),
            Text(PLATFORM_SHORT.get(m["platform"], m["platform"])),
            Text(excerpt("@" + m["author"]["handle"], 16)),
            Text(label[:3], style=SENTIMENT_STYLE.get(label, "")),
        ]
        if wide:
            cells += [Text(m["status"]), Text(excerpt(" ".join(m["tags"]), 20))]
        cells.append(Text(age(m["created_at"])))
        text = f"{m['title']} — {m['text']}" if m.get("title") else m["text"]
        rows.append((cells, text))
    widths = [max([len(h)] + [len(cells[i].plain) for cells, _ in rows]) for i, h in enumerate(headers)]
    text_width = max(10, out.width - sum(widths) - 2 * len(widths))
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    for header in headers:
        table.add_column(header, no_wrap=True, justify="right" if header in ("ID", "AGE") else "left")
    table.add_column("TEXT", no_wrap=True)
    for cells, text in rows:
        table.add_row(*cells, Text(excerpt(text, text_width)))
    out.print(table)
    if total is not None and total > len(mentions):
        out.print(Text(f"{len(mentions)} of {total} shown; --limit N for more", style="dim"))


PLATFORM_SHORT = {"x": "X", "reddit": "RD", "youtube": "YT"}


def mention_detail(
    m: dict[str, Any], history: list[dict[str, Any]], thread: list[dict[str, Any]], replies: list[dict[str, Any]]
) -> None:
    from rich.text import Text

    out = console()
    a = m["author"]
    head = Text()
    head.append(f"#{m['id']} ", style="bold")
    head.append(f"{m['platform']}:{m['remote_id']}  ")
    head.append(f"{m['status']}", style="bold")
    if m["snoozed_until"]:
        head.append(f" until {m['snoozed_until']}")
    out.print(head)
    who = f"@{inert(a['handle'])}"
    if a["name"]:
        who += f" ({inert(a['name'], single_line=True)})"
    if a["followers"] is not None:
        who += f" · {followers(a['followers'])} followers"
    if a["verified"]:
        who += " · verified"
    out.print(Text(who))
    out.print(Text(f"{m['created_at']} · {m['kind']} · source {m['source']}", style="dim"))
    if m["url"]:
        out.print(Text(inert(m["url"]), style="dim"))
    out.print()
    if m["title"]:
        out.print(Text(inert(m["title"]), style="bold"))
    out.print(Text(inert(m["text"])))
    out.print()
    s, p = m["sentiment"], m["priority"]
    out.print(Text(f"sentiment {s['label']} ({s['score']:+.2f})", style=SENTIMENT_STYLE.get(s["label"] or "", "")))
    line = Text(f"priority {p['level']} ({p['score']})", style=LEVEL_STYLE.get(p["level"] or "", ""))
    if p["reasons"]:
        line.append(": " + "; ".join(inert(r) for r in p["reasons"]), style="")
    out.print(line)
    out.print(Text(f"tags: {' '.join(m['tags']) or '-'} · assignee: {m['assignee'] or '-'} · replied: {'yes' if m['replied'] else 'no'}"))
    if m["metrics"]:
        out.print(Text("metrics: " + ", ".join(f"{k} {v}" for k, v in sorted(m["metrics"].items())), style="dim"))
    if thread:
        out.print()
        out.print(Text("Thread (stored)", style="bold"))
        for t in thread:
            marker = "↳ " if t["parent_id"] else ""
            head = f"  {marker}#{t['id']} @{excerpt(t['author']['handle'], 20)} {age(t['created_at'])}: "
            out.print(Text(head + excerpt(t["text"], max(20, out.width - len(head)))))
    if replies:
        out.print()
        out.print(Text("Replies sent", style="bold"))
        for r in replies:
            out.print(Text(f"  {r['sent_at']} {r['actor']}: {excerpt(r['text'], max(20, out.width - 40))}"))
            if r.get("url") or r.get("remote_id"):
                out.print(Text(f"    {inert(r.get('url') or r['remote_id'])}", style="dim"))
    out.print()
    out.print(Text("History", style="bold"))
    if not history:
        out.print(Text("  no changes yet", style="dim"))
    for e in history:
        detail = ", ".join(f"{k}={inert(str(v), single_line=True)}" for k, v in e["detail"].items() if v is not None)
        out.print(Text(f"  {e['at']}  {e['actor']}  {e['action']}" + (f"  {detail}" if detail else "")))
