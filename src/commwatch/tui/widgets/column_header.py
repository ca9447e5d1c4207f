"""The column names above the list, sized like its rows."""

from __future__ import annotations

from textual.widget import Widget

from commwatch.tui import format


class ColumnHeader(Widget):
    def render(self):
        return format.header_line(self.size.width, self.app.config.sla is not None)
