"""The line above the list: what is shown (filter, search), how many, and what is new."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from commwatch.model import InboxFilter
from commwatch.text import field, inert


def describe_filter(f: InboxFilter) -> list[str]:
    parts = [f.status or "all statuses"]
    for name, value in (("platform", f.platform), ("sentiment", f.sentiment), ("tag", f.tag), ("assignee", f.assignee)):
        if value:
            parts.append(f"{name} {field(value)}")
    if f.needs_reply:
        parts.append("needs reply")
    if f.search:
        parts.append(f'search "{inert(f.search, single_line=True)}"')
    return parts


class StatusBar(Static):
    def show(self, f: InboxFilter, count_label: str, position: int | None, new: int, busy: str = "") -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" commwatch ", style="bold reverse")
        line.append("  " + " · ".join(describe_filter(f)))
        line.append(f"  ·  {count_label} mentions")
        if position is not None:
            line.append(f"  ·  row {position + 1:,}", style="dim")
        if new:
            line.append(f"  ·  {new} new", style="bold green")
        if busy:
            line.append(f"  ·  {busy}", style="dim italic")
        self.update(line)
