"""`?`: every key, from the same table the bindings are made of."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from commwatch.tui.keymap import DETAIL_KEYS, INBOX_KEYS, LIST_KEYS, PALETTE_KEY


SECTIONS = [("The list", LIST_KEYS), ("The selected mention", INBOX_KEYS),
            ("The detail pane (after Enter)", DETAIL_KEYS), ("Everything else", [PALETTE_KEY])]  # fmt: skip


def help_text() -> Text:
    out = Text()
    for title, keys in SECTIONS:
        out.append(title + "\n", style="bold underline")
        for k in keys:
            if not k.paired:
                out.append(f"  {k.shown:<15}", style="bold")
                out.append(k.help + "\n")
    out.rstrip()
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close", key_display="Esc")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("commwatch — keys", style="bold"), id="help-title")
            yield Static(help_text(), id="help-keys")
            yield Static(Text("Esc, ? or q closes this help.", style="dim"), id="help-close")

    def action_dismiss(self) -> None:
        self.dismiss(None)
