"""The inbox list: a Line API widget that draws only the rows on screen.

It never holds the inbox: each visible line asks the InboxPager for its row,
and the pager loads the page it falls in. Moving the cursor repaints two lines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from commwatch.tui import format
from commwatch.tui.keymap import LIST_KEYS
from commwatch.tui.pager import InboxPager

# The footer shows j/k and g/G as pairs: the first of each pair carries both keys.
FOOTER = {"cursor_down": ("j/k", "move"), "top": ("g/G", "top/end"), "focus_detail": ("⏎", "detail")}


def _bindings():
    return [
        Binding(k.keys, k.action, FOOTER.get(k.action, ("", k.label))[1], show=k.action in FOOTER,
                key_display=FOOTER.get(k.action, (k.shown.split()[0],))[0])  # fmt: skip
        for k in LIST_KEYS
    ]


class MentionList(ScrollView, can_focus=True):
    BINDINGS = _bindings()
    COMPONENT_CLASSES = {"mention-list--cursor", "mention-list--placeholder"}

    class Highlighted(Message):
        """The cursor is on another row (or the same row with fresh data)."""

        def __init__(self, index: int, mention: dict | None):
            super().__init__()
            self.index = index
            self.mention = mention

    class Chosen(Message):
        """Enter: read this one in full."""

    def __init__(self, pager: InboxPager, clock: Callable[[], datetime], **kwargs):
        super().__init__(**kwargs)
        self.pager = pager
        self.clock = clock
        self.cursor = 0
        self._strips: dict[tuple[int, int, bool], Strip] = {}

    # Data ------------------------------------------------------------------

    def reset(self, pager: InboxPager, cursor: int = 0) -> None:
        """Show another pager (new filter, or fresh data) with the cursor at `cursor`."""
        self.pager = pager
        self._strips.clear()
        self._resize()
        self.move_to(cursor, force=True)
        self.refresh()

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.pager.rows)

    def rows_changed(self) -> None:
        """The pager learnt its size (a count arrived): redraw without moving."""
        self._resize()
        self.refresh()

    @property
    def current(self) -> dict | None:
        return self.pager.get(self.cursor)

    # Drawing ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        selected = index == self.cursor
        key = (index, width, selected)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        if index >= self.pager.rows:
            return Strip.blank(width, self.rich_style)
        row = self.pager.get(index)
        if row is None:
            if index >= self.pager.rows:  # the load just found the end
                self.call_later(self.rows_changed)
                return Strip.blank(width, self.rich_style)
            text = format.placeholder_line(width)
        else:
            text = format.row_line(row, width, self.clock(), selected, self.app.config.sla is not None)
        style = self.rich_style
        if selected:
            style += self.get_component_rich_style("mention-list--cursor")
        text.stylize_before(style)
        strip = Strip(list(text.render(self.app.console)), width).crop_extend(0, width, style)
        if len(self._strips) > 512:
            self._strips.clear()
        self._strips[key] = strip
        if self.pager.rows != self.virtual_size.height:
            self.call_later(self._resize)
        return strip

    def on_resize(self) -> None:
        self._strips.clear()
        self._resize()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # Moving ----------------------------------------------------------------

    def move_to(self, index: int, force: bool = False) -> None:
        last = self.pager.rows - 1
        index = max(0, min(index, last)) if last >= 0 else 0
        if self.pager.get(index) is None and index > 0:  # past the end we just found
            index = max(0, self.pager.rows - 1)
        if index == self.cursor and not force:
            return
        old, self.cursor = self.cursor, index
        self._strips = {k: v for k, v in self._strips.items() if k[0] not in (old, index)}
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(index, self.pager.get(index)))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_top(self) -> None:
        self.move_to(0)

    def action_bottom(self) -> None:
        if self.pager.total is None:
            self.pager.count()  # the end is asked for: count now
            self._resize()
        self.move_to(self.pager.rows - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_focus_detail(self) -> None:
        self.post_message(self.Chosen())

    def on_click(self, event) -> None:
        self.move_to(int(self.scroll_offset.y) + event.y)
