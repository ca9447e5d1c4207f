"""Mentions → rich Text for the list and the detail pane.

Every string that came from a platform or a person goes through commwatch.text
(inert prose, or `field` for ids, handles, tags, names) and into a Text object,
never into markup: a tweet saying "[bold]" or carrying an escape sequence is
shown as written, with the control characters visible.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from commwatch.app.history import describe
from commwatch.text import (
    sentiment_words,
    LEVEL_STYLE,
    SENTIMENT_STYLE,
    STATUS_STYLE,
    age,
    due,
    excerpt,
    field,
    fields,
    followers,
    inert,
    pad,
    platform_short,
    when,
)

# (header, width, right-aligned); the text takes what is left
COLUMNS = [("ID", 9, True), ("PRI", 6, False), ("", 2, False), ("AUTHOR", 16, False), ("SENT", 4, False),
           ("STATUS", 9, False), ("TAGS", 14, False), ("AGE", 4, True), ("DUE", 8, True)]  # fmt: skip
NARROW = 100  # below this width STATUS and TAGS are left out


def _columns(width: int, with_due: bool) -> list[tuple[str, int, bool]]:
    """The columns that fit; DUE only when response-time targets are configured."""
    return [c for c in COLUMNS if (width >= NARROW or c[0] not in ("STATUS", "TAGS")) and (with_due or c[0] != "DUE")]


def header_line(width: int, with_due: bool = False) -> Text:
    line = Text(style="bold")
    for name, size, right in _columns(width, with_due):
        line.append((name.rjust(size) if right else name.ljust(size)) + " ")
    line.append("TEXT")
    line.truncate(width)
    return line


def _cell(line: Text, value: str, size: int, right: bool = False, style: str = "") -> None:
    line.append(pad(excerpt(value, size, is_field=True), size, right), style=style)
    line.append(" ")


def row_line(m: dict[str, Any], width: int, now: datetime, selected: bool = False, with_due: bool = False) -> Text:
    """One mention on one line, exactly `width` cells; the selected one is marked ▸ (seen without colour too)."""
    level = m["priority"]["level"] or ""
    label = m["sentiment"]["label"] or ""
    cells = {
        "ID": (str(m["id"]), ""),
        "PRI": (level, LEVEL_STYLE.get(level, "")),
        "": (platform_short(m["platform"]), ""),
        "AUTHOR": ("@" + (m["author"]["handle"] or ""), ""),
        "SENT": (label[:3], SENTIMENT_STYLE.get(label, "")),
        "STATUS": (m["status"] + ("*" if m["replied"] else ""), STATUS_STYLE.get(m["status"], "")),
        "TAGS": (" ".join(m["tags"]), "italic"),
        "AGE": (age(m["created_at"], now), "dim"),
        "DUE": (due(m.get("sla"), now), "bold red" if (m.get("sla") or {}).get("breached") else ""),
    }
    line = Text(no_wrap=True, end="")
    used = 0
    for name, size, right in _columns(width, with_due):
        value, style = cells[name]
        if name == "ID":
            value = ("▸ " if selected else "") + value
        _cell(line, value, size, right, style)
        used += size + 1
    text = f"{m['title']} — {m['text']}" if m.get("title") else (m["text"] or "")
    line.append(excerpt(text, max(width - used, 0)))
    line.truncate(width, pad=True)
    return line


def placeholder_line(width: int) -> Text:
    line = Text("…", style="dim", no_wrap=True, end="")
    line.truncate(width, pad=True)
    return line


def _when(at: str | None, now: datetime, zone=None) -> str:
    return when(at, zone, now)


def detail_text(m: dict[str, Any], now: datetime, extras=None, zone=None) -> Text:
    """The whole mention: text, author, scores with reasons, tags, assignee; then thread,
    replies and history once `extras` (a views.MentionDetail, loaded in the background) are there."""
    out = Text(end="")
    a = m["author"]
    out.append(f"#{m['id']} ", style="bold")
    out.append(f"{field(m['platform'])}:{field(m['remote_id'])}  ")
    out.append(m["status"], style="bold " + STATUS_STYLE.get(m["status"], ""))
    if m["snoozed_until"]:
        out.append(f" until {when(m['snoozed_until'], zone)}")
    out.append("\n")
    out.append("@" + field(a["handle"]), style="bold")
    if a["name"]:
        out.append(f" ({inert(a['name'], single_line=True)})")
    if a["followers"] is not None:
        out.append(f" · {followers(a['followers'])} followers")
    if a["verified"]:
        out.append(" · verified")
    if a.get("url"):
        out.append(" · " + field(a["url"]), style="underline")
    out.append("\n")
    out.append(f"{_when(m['created_at'], now, zone)} · {field(m['kind'])} · source {field(m['source'])}", style="dim")
    out.append("\n")
    if m["url"]:
        out.append(field(m["url"]), style="dim underline")
        out.append("\n")
    out.append("\n")
    if m.get("title"):
        out.append(inert(m["title"]), style="bold")
        out.append("\n")
    out.append(inert(m["text"]))
    out.append("\n\n")

    s, p = m["sentiment"], m["priority"]
    if p["level"]:
        out.append(f"priority {p['level']} ({p['score']})", style=LEVEL_STYLE.get(p["level"], ""))
        if p.get("override"):
            out.append(" set by hand or rule")
        if p["reasons"]:
            out.append(": " + "; ".join(inert(r, single_line=True) for r in p["reasons"]))
        out.append("\n")
    if s["label"]:
        out.append(sentiment_words(s, m.get("lang")), style=SENTIMENT_STYLE.get(s["label"], ""))
        out.append("\n")
    replied = f"yes, first response {_when(m['first_response_at'], now, zone)}" if m.get("first_response_at") else (
        "yes" if m["replied"] else "no")
    out.append(f"tags: {fields(m['tags']) or '-'} · assignee: {field(m['assignee']) or '-'} · replied: {replied}\n")
    if m.get("ours"):
        out.append("ours: one of the brand's accounts wrote it\n", style="green")
    if m.get("sla"):
        late = m["sla"]["breached"]
        out.append(f"first response due {when(m['sla']['due_at'], zone)} ({due(m['sla'], now)})\n",
                   style="bold red" if late else "")  # fmt: skip
    if m["metrics"]:
        out.append("metrics: " + ", ".join(f"{field(k)} {field(v)}" for k, v in sorted(m["metrics"].items())),
                   style="dim")  # fmt: skip
        out.append("\n")

    if extras is None:
        out.append("\nloading thread, replies and history…", style="dim")
        return out
    if extras.thread:
        out.append("\nConversation (stored)\n", style="bold")
        for depth, t in extras.tree():
            here = t["id"] == m["id"]
            who = f"@{excerpt(t['author']['handle'], 20, is_field=True)}" + (" (ours)" if t.get("ours") else "")
            out.append(f"{'▶ ' if here else '  '}{'  ' * min(depth, 8)}{'↳ ' if depth else ''}#{t['id']} {who} "
                       f"{age(t['created_at'], now)}: ", style="green" if t.get("ours") else "bold" if here else "dim")
            out.append(excerpt(t["text"], 200) + "\n")
    if extras.replies:
        out.append("\nReplies sent\n", style="bold")
        for r in extras.replies:
            out.append(f"  {when(r['sent_at'], zone)} {field(r['actor'])}: ", style="dim")
            out.append(inert(r["text"]) + "\n")
            if r.get("url") or r.get("remote_id"):
                out.append(f"    {field(r.get('url') or r['remote_id'])}\n", style="dim")
    out.append("\nHistory\n", style="bold")
    if not extras.history:
        out.append("  no changes yet\n", style="dim")
    for e in extras.history:
        out.append(f"  {when(e['at'], zone)}  {field(e['actor'])}  ", style="dim")
        out.append(describe(e["action"], e["detail"], zone) + "\n")
    return out
