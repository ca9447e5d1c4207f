"""A one-line question (tag, assign, snooze, search): Enter answers, Esc cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static


class LastWordSuggester(Suggester):
    """Completes the word being typed from known words ("billing bu" → "billing bug")."""

    def __init__(self, words: list[str]):
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = words

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ")
        if not last:
            return None
        taken = set(head.split())
        for word in self.words:
            if word.lower().startswith(last.lower()) and word != last and word not in taken:
                return (head + " " if head else "") + word
        return None


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "cancel", key_display="Esc"),
        Binding("tab", "complete", "complete", show=False, priority=True),
    ]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", hint: str = "",
                 suggestions: list[str] | None = None):  # fmt: skip
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.suggestions = suggestions

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            suggester = LastWordSuggester(self.suggestions) if self.suggestions else None
            yield Input(self.value, placeholder=self.placeholder, suggester=suggester, id="prompt-input")
            if self.hint:
                yield Static(Text(self.hint, style="dim"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_complete(self) -> None:
        """Tab takes the suggestion (→ at the end of the line does too)."""
        field = self.query_one(Input)
        field.cursor_position = len(field.value)
        field.action_cursor_right()

    def action_cancel(self) -> None:
        self.dismiss(None)
