"""How a sync looks: live progress on a terminal, then a one-screen summary."""

from __future__ import annotations

import sys

from commwatch.cli.render import alert_line, console, delivery_lines
from commwatch.text import field, inert

STATUS_STYLE = {"ok": "green", "failed": "bold red", "skipped": "yellow", "limited": "yellow", "running": ""}


class LiveProgress:
    """One line per source on stderr, updated as pages are stored."""

    def __init__(self) -> None:
        from rich.live import Live

        self.rows: dict[str, object] = {}
        self.live = Live(self._render(), console=console(stderr=True), transient=True, refresh_per_second=8)

    def __enter__(self):
        self.live.__enter__()
        return self

    def __exit__(self, *exc):
        return self.live.__exit__(*exc)

    def update(self, event: str, source) -> None:
        self.rows[source.name] = source
        self.live.update(self._render())

    def _render(self):
        from rich.text import Text

        text = Text()
        for s in self.rows.values():
            state = s.status if s.status != "ok" else "syncing"
            text.append(f"{field(s.name):<20} {state:<8} {s.new:>6} new  {s.pages:>4} pages\n")
        return text


def print_summary(result, views, zone=None) -> None:
    """A table of counts per source, then one line for each source that did not sync, saying why."""
    from rich.table import Table
    from rich.text import Text

    out = console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    with_units = any(s.units for s in result.sources)  # quota-metered platforms (YouTube)
    with_rejects = result.rejected > 0
    columns = (("SOURCE", "STATUS", "NEW", "UPDATED", "NEGATIVE", "HIGH+", "ESCALATED") + (("REJECTED",) if with_rejects else ())
               + (("UNITS",) if with_units else ()))  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column in ("SOURCE", "STATUS") else "right", no_wrap=True)
    for s in result.sources:
        counts = ((s.new, s.updated, s.negative, s.urgent, s.escalated) + ((s.rejected,) if with_rejects else ())
                  + ((s.units,) if with_units else ()))  # fmt: skip
        table.add_row(Text(field(s.name)), Text(s.status, style=STATUS_STYLE.get(s.status, "")), *map(str, counts))
    out.print(table)
    for s in result.sources:
        if s.message:
            out.print(Text(f"{field(s.name)}: {s.status}: {inert(s.message, single_line=True)}",
                           style=STATUS_STYLE.get(s.status, "")))  # fmt: skip
    if result.rejected:
        out.print(Text(f"{result.rejected} items set aside: `commwatch rejects` says which and why", style="yellow"))
    sent = sum(d["status"] == "sent" for d in result.deliveries)
    if sent:
        out.print(Text(f"{sent} deliveries sent (replies, escalations, alerts)", style="dim"))
    for line in delivery_lines(result.deliveries, ("failed", "waiting", "pending")):
        out.print(Text(line, style="yellow"))
    for alert_id in result.alerts:
        out.print(Text("alert " + alert_line(views.alert(alert_id), zone), style="bold red"))
    new = sum(s.new for s in result.sources)
    ok = sum(1 for s in result.sources if s.status == "ok")
    out.print(Text(f"{new} new mentions from {ok} of {len(result.sources)} sources. `commwatch inbox` to triage.", style="bold"))


def print_failures(result) -> None:
    """--quiet: only what needs a person, on stderr (cron mails it): failed sources, items set aside,
    deliveries refused or waiting for set-up. A rate-limited source resumes by itself: not listed."""
    for s in result.failed:
        sys.stderr.write(f"commwatch: {field(s.name)}: {inert(s.message, single_line=True)}\n")
    for s in result.sources:
        if s.rejected:
            sys.stderr.write(f"commwatch: {field(s.name)}: {s.rejected} items set aside (`commwatch rejects`)\n")
    for line in delivery_lines(result.undelivered):
        sys.stderr.write(f"commwatch: {line}\n")
