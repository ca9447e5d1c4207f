"""`r`: write a reply, or start from a saved one, with the count against the platform's limit.

Templates are filled in by the application layer (replies.render_template), and
the draft is checked there (Replier.draft: empty, too long, no source can reply)
before the confirmation shows exactly what would be posted.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from commwatch.app.errors import ActionError
from commwatch.app.replies import Draft, render_template
from commwatch.text import excerpt, field


class ComposerScreen(ModalScreen[Draft | None]):
    BINDINGS = [
        Binding("ctrl+s", "review", "review & post", key_display="^s"),
        Binding("escape", "cancel", "cancel", key_display="Esc"),
    ]

    def __init__(self, mention: dict, templates: dict[str, str], limit: int | None, source: str,
                 drafter: Callable[[str], Draft]):  # fmt: skip
        super().__init__()
        self.mention = mention
        self.templates = templates
        self.limit = limit
        self.source = source
        self.drafter = drafter

    def compose(self) -> ComposeResult:
        m = self.mention
        with Vertical(classes="dialog", id="composer"):
            title = Text(f"Reply to @{excerpt(m['author']['handle'], 30, is_field=True)} on {field(m['platform'])} ", style="bold")
            title.append(f"(#{m['id']}, as source {field(self.source)})", style="dim")
            yield Static(title, classes="dialog-title")
            yield Static(Text(excerpt(m["text"], 300), style="italic dim"), id="composer-quote")
            with Horizontal(id="composer-main"):
                with Vertical(id="composer-templates"):
                    yield Static(Text("Saved replies", style="bold"))
                    options = [Option(name, id=name) for name in sorted(self.templates)]
                    picker = OptionList(*options, id="template-list")
                    if not options:
                        picker.add_option(Option(Text("none in commwatch.toml", style="dim"), disabled=True))
                    yield picker
                yield TextArea("", id="reply-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="char-count")
                yield Static("", id="composer-error")
                yield Button("Review & post (^s)", variant="primary", id="review")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reply-text", TextArea).focus()
        self._count()

    # Text ------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.query_one("#reply-text", TextArea).text

    def _count(self) -> None:
        n = len(self.text.strip())
        over = self.limit is not None and n > self.limit
        label = Text(f"{n}/{self.limit}" if self.limit else f"{n}", style="bold red" if over else "")
        label.append(" characters", style="dim")
        self.query_one("#char-count", Static).update(label)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._count()
        self._error("")

    def _error(self, message: str) -> None:
        self.query_one("#composer-error", Static).update(Text(message, style="bold red"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = event.option.id
        try:
            text = render_template(self.templates[name], self.mention)
        except ActionError as exc:
            self._error(f"template {name}: {exc}")
            return
        area = self.query_one("#reply-text", TextArea)
        area.load_text(text)
        area.focus()
        self._count()

    # Leaving ---------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "review":
            self.action_review()
        else:
            self.action_cancel()

    def action_review(self) -> None:
        try:
            draft = self.drafter(self.text)
        except ActionError as exc:
            self._error(str(exc))
            return
        self.dismiss(draft)

    def action_cancel(self) -> None:
        self.dismiss(None)
