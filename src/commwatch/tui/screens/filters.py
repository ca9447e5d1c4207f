"""`f`: which mentions the list shows. The search (`/`) is kept as it is."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from commwatch.model import InboxFilter
from commwatch.tui.screens.prompt import LastWordSuggester

STATUSES = ("open", "snoozed", "escalated", "closed")
SENTIMENTS = ("negative", "neutral", "positive")
ALL = "all"


class FilterScreen(ModalScreen[InboxFilter | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", key_display="Esc"),
        Binding("ctrl+s", "apply", "apply", key_display="^s"),
    ]

    def __init__(self, current: InboxFilter, platforms: list[str], tags: list[str]):
        super().__init__()
        self.current = current
        self.platforms = sorted(set(platforms) | ({current.platform} if current.platform else set()))
        self.tags = tags

    def compose(self) -> ComposeResult:
        f = self.current

        def choices(values):
            return [(ALL, ALL)] + [(v, v) for v in values]

        with Vertical(classes="dialog", id="filter-box"):
            yield Static(Text("Filter the inbox", style="bold"), classes="dialog-title")
            with Grid(id="filter-grid"):
                yield Label("status")
                yield Select(choices(STATUSES), value=f.status or ALL, allow_blank=False, id="f-status")
                yield Label("platform")
                yield Select(choices(self.platforms), value=f.platform or ALL, allow_blank=False, id="f-platform")
                yield Label("sentiment")
                yield Select(choices(SENTIMENTS), value=f.sentiment or ALL, allow_blank=False, id="f-sentiment")
                yield Label("tag")
                yield Input(f.tag or "", placeholder="any tag", suggester=LastWordSuggester(self.tags), id="f-tag")
                yield Label("assignee")
                yield Input(f.assignee or "", placeholder="anyone", id="f-assignee")
                yield Label("")
                yield Checkbox("needs a reply (not answered yet)", f.needs_reply, id="f-needs-reply")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply (^s)", variant="primary", id="apply")
                yield Button("Clear", id="clear")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-status", Select).focus()

    def _value(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value in (ALL, Select.BLANK) else str(value)

    def chosen(self) -> InboxFilter:
        return replace(
            self.current,
            status=self._value("#f-status"),
            platform=self._value("#f-platform"),
            sentiment=self._value("#f-sentiment"),
            tag=self.query_one("#f-tag", Input).value.strip() or None,
            assignee=self.query_one("#f-assignee", Input).value.strip() or None,
            needs_reply=self.query_one("#f-needs-reply", Checkbox).value,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.action_apply()
        elif event.button.id == "clear":
            self.dismiss(InboxFilter(search=self.current.search))
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)
