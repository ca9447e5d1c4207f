"""The verbs on the selected mention, each one call of the session's verbs, and undo (mixed into InboxScreen).

Every change goes through commwatch.app (session.verbs) exactly as the CLI's
does, and pushes its inverse (undo.inverse_of) so `u` can apply it, again
through the session's verbs.
"""

from __future__ import annotations

from typing import Any

from textual import work

from commwatch.app.errors import ActionError, DatabaseFailure
from commwatch.app.verbs import PRIORITY_CHOICES
from commwatch.model import is_name, is_tag
from commwatch.text import field, fields, inert, when
from commwatch.tui.screens.escalate import EscalateScreen
from commwatch.tui.screens.prompt import PromptScreen
from commwatch.tui.undo import Change, inverse_of

DONE = {"tag": "tagged", "untag": "untagged", "assign": "assigned", "unassign": "unassigned", "close": "closed",
        "reopen": "reopened", "snooze": "snoozed", "escalate": "escalated", "priority": "priority",
        "note": "note added", "mark-replied": "marked replied", "label": "sentiment"}  # fmt: skip


class Verbs:
    """tag, untag, assign, unassign, snooze, close, reopen, escalate, priority, open in the browser, undo."""

    @property
    def verbs(self):
        return self.app.session.verbs

    def selected(self) -> dict[str, Any] | None:
        m = self.mentions.current
        if m is None:
            self.notify("nothing selected", severity="warning")
        return m

    def apply(self, action: str, mention_id: int, call, advance: bool = False) -> dict | None:
        """Run one verb on a mention, remember its inverse, and show the result."""
        try:
            before = self.app.session.views.mention(mention_id)
            after = call(mention_id)
        except ActionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        except DatabaseFailure as exc:
            self.notify(f"database: {exc}", severity="error", markup=False)
            return None
        change = inverse_of(action, before, after)
        if change is None:
            self.notify(f"#{mention_id}: nothing to change", markup=False)
            return after
        self.undo.push(change)
        self.notify(_summary(action, after, self.app.session.zone), markup=False)
        near = self.mentions.cursor
        self.reload(keep=mention_id, near=near)
        current = self.mentions.current
        if advance and current is not None and current["id"] == mention_id:
            self.mentions.move_to(near + 1)
        return after

    def action_tag(self) -> None:
        m = self.selected()
        if m is None:
            return
        # Stored tags are data: shown inert, and offered for completion only when they are real tags.
        known = self.app.session.views.tags()
        hint = "existing: " + ", ".join(f"{field(t)} ({n})" for t, n in known[:12]) if known else "no tags yet"
        prompt = PromptScreen(f"Tag #{m['id']} (several: separate with spaces)", placeholder="billing bug",
                              hint=hint + "  ·  Tab completes", suggestions=[t for t, _ in known if is_tag(t)])  # fmt: skip
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "tag", m["id"], lambda i: self.verbs.tag(i, value.split())))  # fmt: skip

    def action_untag(self) -> None:
        m = self.selected()
        if m is None:
            return
        if not m["tags"]:
            self.notify(f"#{m['id']} has no tags", severity="warning")
            return
        tags = [t for t in m["tags"] if is_tag(t)]
        prompt = PromptScreen(f"Remove tags from #{m['id']}", value=" ".join(tags),
                              hint="the tags to remove: " + fields(m["tags"]), suggestions=tags)  # fmt: skip
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "untag", m["id"], lambda i: self.verbs.untag(i, value.split())))  # fmt: skip

    def action_assign(self) -> None:
        m = self.selected()
        if m is None:
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            name = None if value.strip() in ("", "-") else value.strip()
            self.apply("assign" if name else "unassign", m["id"], lambda i: self.verbs.assign(i, name))

        current = m["assignee"] if m["assignee"] and is_name(m["assignee"]) else ""
        team = self.app.config.team
        hint = ("team: " + ", ".join(team) + "; Tab completes" if team else "a name") + "; me; empty or - unassigns"
        self.app.push_screen(PromptScreen(f"Assign #{m['id']} to", value=current, hint=hint,
                                          suggestions=[*team, "me"]), done)  # fmt: skip

    def action_label(self) -> None:
        m = self.selected()
        if m is None:
            return
        now = m["sentiment"]["label"] + (" (by hand)" if m["sentiment"]["by"] else " (the model's)")
        prompt = PromptScreen(f"Sentiment of #{m['id']}", placeholder="negative",
                              hint=f"now {now}; negative, neutral, positive, or auto for the model's; Tab completes",
                              suggestions=["negative", "neutral", "positive", "auto"])  # fmt: skip
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "label", m["id"], lambda i: self.verbs.label(i, value.strip())))  # fmt: skip

    def action_unassign(self) -> None:
        m = self.selected()
        if m is not None:
            self.apply("unassign", m["id"], lambda i: self.verbs.assign(i, None))

    def action_snooze(self) -> None:
        m = self.selected()
        if m is None:
            return
        prompt = PromptScreen(f"Snooze #{m['id']} for", value="2h", hint="30m, 2h, 3d, 1w: back in the inbox then")
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "snooze", m["id"], lambda i: self.verbs.snooze(i, value.strip())))  # fmt: skip

    def action_close(self) -> None:
        m = self.selected()
        if m is not None:
            self.apply("close", m["id"], self.verbs.close, advance=True)

    def action_reopen(self) -> None:
        m = self.selected()
        if m is not None:
            self.apply("reopen", m["id"], self.verbs.reopen)

    def action_escalate(self) -> None:
        m = self.selected()
        if m is None:
            return
        targets = {name: t.type for name, t in self.app.config.targets.items()}

        def done(answer) -> None:
            if answer is None:
                return
            target, note = answer
            # A target's delivery is started by the session itself, in the background (as in the CLI).
            self.apply("escalate", m["id"], lambda i: self.verbs.escalate(i, target, note))

        self.app.push_screen(EscalateScreen(m["id"], targets), done)

    def action_priority(self) -> None:
        m = self.selected()
        if m is None:
            return
        now = m["priority"]["level"] + ("" if m["priority"]["override"] else ", computed")
        prompt = PromptScreen(f"Priority of #{m['id']} (now {now})", placeholder="urgent",
                              hint=" · ".join(PRIORITY_CHOICES) + "  (auto: back to the computed one)",
                              suggestions=list(PRIORITY_CHOICES))  # fmt: skip
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "priority", m["id"], lambda i: self.verbs.set_priority(i, value.strip().lower())))  # fmt: skip

    def action_note(self) -> None:
        m = self.selected()
        if m is None:
            return
        prompt = PromptScreen(f"Note on #{m['id']}", placeholder="called the customer, refund approved",
                              hint="internal: in the history and found by search, never sent anywhere")  # fmt: skip
        self.app.push_screen(prompt, lambda value: value and value.strip() and self.apply(
            "note", m["id"], lambda i: self.verbs.note(i, value.strip())))  # fmt: skip

    def action_mark_replied(self) -> None:
        m = self.selected()
        if m is not None:
            self.apply("mark-replied", m["id"], self.verbs.mark_replied)

    def action_open_url(self) -> None:
        m = self.selected()
        if m is None:
            return
        if not m["url"]:
            self.notify(f"#{m['id']} has no link", severity="warning")
            return
        self._open_url(m["url"])

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_url(self, url: str) -> None:
        try:
            ok = self.app.browser(url)
        except Exception as exc:  # a broken $BROWSER
            ok, why = False, f": {exc}"
        else:
            why = ""
        if ok is False:
            self.app.call_from_thread(self.notify, f"no browser could open {inert(url)}{why}", severity="warning",
                                      markup=False)  # fmt: skip

    # Undo --------------------------------------------------------------------

    def action_undo(self) -> None:
        change: Change | None = self.undo.pop()
        if change is None:
            self.notify("nothing to undo")
            return
        if change.inverse is None:
            self.notify(f"{change.done}: {change.why_not}", severity="warning", markup=False)
            return
        try:
            result = change.inverse(self.verbs)
        except (ActionError, DatabaseFailure) as exc:
            self.notify(f"could not undo ({change.done}): {exc}", severity="error", markup=False)
            return
        said = f"; {result[1]}" if isinstance(result, tuple) else ""
        self.notify(f"undone: {change.done}{said}", markup=False)
        self.reload(keep=change.mention_id, near=self.mentions.cursor, moved=1)


def _summary(action: str, m: dict, zone=None) -> str:
    what = DONE.get(action, action)
    if action in ("tag", "untag"):
        what += ": " + (fields(m["tags"]) or "no tags left")
    elif action == "assign":
        what += f" to {field(m['assignee'])}"
    elif action == "priority":
        what += f" {m['priority']['level']}" + ("" if m["priority"]["override"] else " (computed)")
    elif action == "label":
        what += f" {m['sentiment']['label']}" + (" (by hand)" if m["sentiment"]["by"] else " (the model's)")
    elif action == "snooze":
        what += f" until {when(m['snoozed_until'], zone)}"
    return f"#{m['id']} {what}"
