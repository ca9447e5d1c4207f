"""`e`: pick a target from [targets] and say why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from commwatch.text import field

NO_TARGET = "\0none"


class EscalateScreen(ModalScreen[tuple[str | None, str | None] | None]):
    """Returns (target or None, note or None), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "cancel", key_display="Esc")]

    def __init__(self, mention_id: int, targets: dict[str, str]):
        super().__init__()
        self.mention_id = mention_id
        self.targets = targets  # name → type

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="escalate-box"):
            yield Static(Text(f"Escalate #{self.mention_id}", style="bold"), classes="dialog-title")
            yield Static(Text("Target (↑↓, Enter to choose; Tab to the note)", style="dim"))
            options = [Option(Text(f"{field(name)}  ({kind})"), id=name) for name, kind in sorted(self.targets.items())]
            options.append(Option(Text("record only, no target", style="dim"), id=NO_TARGET))
            yield OptionList(*options, id="target-list")
            yield Input(placeholder="note: why, for whoever picks it up (Enter escalates)", id="escalate-note")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#escalate-note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        picker = self.query_one(OptionList)
        option = picker.get_option_at_index(picker.highlighted or 0)
        target = None if option.id == NO_TARGET else option.id
        self.dismiss((target, event.value.strip() or None))

    def action_cancel(self) -> None:
        self.dismiss(None)
