"""The detail pane: the selected mention in full, scrollable, focusable with Enter."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from commwatch.tui.keymap import DETAIL_KEYS


class DetailPane(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding(k.keys, k.action, k.label, show=k.action != "scroll_up",
                key_display="j/k" if k.action == "scroll_down" else k.shown.split()[0])  # fmt: skip
        for k in DETAIL_KEYS
    ]

    class Back(Message):
        """Esc: back to the list."""

    def compose(self):
        yield Static(Text("nothing selected", style="dim"), id="detail-body")

    def show(self, text: Text, *, keep_scroll: bool = False) -> None:
        self.query_one("#detail-body", Static).update(text)
        if not keep_scroll:
            self.scroll_home(animate=False)

    def action_back(self) -> None:
        self.post_message(self.Back())
