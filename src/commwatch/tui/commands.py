"""The command palette (Ctrl+P): every verb by name, and those without a key of their own."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from commwatch.tui.keymap import INBOX_KEYS

# (title, help, screen action, its argument)
EXTRA = [
    ("Untag", "remove tags from the selected mention", "untag", None),
    ("Reopen", "reopen the selected closed, snoozed or escalated mention", "reopen", None),
    ("Unassign", "clear the selected mention's assignee", "unassign", None),
    ("Set priority", "low, medium, high, urgent, or auto (kept by re-syncs and rules)", "priority", None),
    ("Mark replied", "answered elsewhere (a call, a DM, an e-mail)", "mark_replied", None),
    ("Show overdue mentions", "past the [sla] response target, most overdue first", "view", "overdue"),
    ("Show open mentions", "the default view", "view", "open"),
    ("Show snoozed mentions", "status: snoozed", "view", "snoozed"),
    ("Show escalated mentions", "status: escalated", "view", "escalated"),
    ("Show closed mentions", "status: closed", "view", "closed"),
    ("Show every status", "open, snoozed, escalated and closed", "view", "all"),
    ("Show mentions that need a reply", "open or escalated, not replied to", "view", "needs-reply"),
    ("Clear filters and search", "back to the open inbox", "clear_filters", None),
    ("Retry the outbox", "send the replies that are due (as `commwatch outbox retry`)", "retry_outbox", None),
]


def _commands() -> list[tuple[str, str, str, object]]:
    keyed = [(f"{k.label.capitalize()}  ({k.shown})", k.help, k.action, None) for k in INBOX_KEYS
             if k.action not in ("help", "quit")]  # fmt: skip
    return EXTRA + keyed


class InboxCommands(Provider):
    def _run(self, action: str, argument: object) -> None:
        method = getattr(self.screen, f"action_{action}")
        method() if argument is None else method(argument)

    async def discover(self) -> Hits:
        for title, help, action, argument in _commands():
            yield DiscoveryHit(title, partial(self._run, action, argument), help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help, action, argument in _commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action, argument), text=title, help=help)
