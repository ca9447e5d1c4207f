"""The footer: every key that works here, wrapped onto as many lines as it needs.

Textual's Footer is one line; the inbox has more keys than 120 columns hold,
and a key that is scrolled out of sight is a key nobody finds.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key"}
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda screen: self._changed())

    def _changed(self) -> None:
        self.refresh(layout=True)

    def items(self) -> list[tuple[str, str]]:
        seen: set[str] = set()
        items = []
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append((self.app.get_key_display(binding), binding.description))
        if self.app.ENABLE_COMMAND_PALETTE:
            items.append(("^p", "palette"))
        return items

    def _lines(self, width: int) -> list[Text]:
        key_style = self.get_component_rich_style("key-bar--key")
        lines = [Text(no_wrap=True)]
        for key, label in self.items():
            cell = len(key) + 1 + len(label) + 2
            if lines[-1].cell_len and lines[-1].cell_len + cell > width:
                lines.append(Text(no_wrap=True))
            lines[-1].append(f" {key}", style=key_style)
            lines[-1].append(f" {label} ")
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        return Text("\n").join(self._lines(self.size.width))
