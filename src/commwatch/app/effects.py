"""Each change to a mention together with the event that remembers it: the one place both are written.

A manager's verbs (verbs.py) and the rules (rules.py) change mentions only
through these, so a tag added by `commwatch tag`, by `t` in the TUI or by a
rule is the same row and the same event, differing only in the actor.
Call them inside a transaction; each returns the event's detail, or None when
nothing changed (and then no event is written).
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

from commwatch.model import Status
from commwatch.store import conversations, manage, outbox

SYSTEM = "commwatch"  # the actor of what commwatch does by itself (waking snoozes, deliveries)


def is_person(actor: str) -> bool:
    """People are every actor but the rules ("rule:NAME") and commwatch itself."""
    return not actor.startswith("rule:") and actor != SYSTEM


def person(name: str) -> str:
    """A person's actor name, never mistaken for a rule or for commwatch (a login named
    "commwatch" acts as "user:commwatch"), so a person's decisions always win over rules."""
    return f"user:{name}" if name == SYSTEM or name.lower().startswith("rule:") else name


def _holding(change):
    """Lock the mention's row for the rest of the transaction before the change reads it: two people
    acting on one mention at once (PostgreSQL, several machines) then queue up, and what each saw
    before changing it is true, so its history is too. (SQLite lets one writer in at a time already.)"""

    @functools.wraps(change)
    def held(self, mention_id: int, *args, **kwargs):
        manage.hold(self.conn, mention_id)
        return change(self, mention_id, *args, **kwargs)

    return held


class Effects:
    def __init__(self, conn: sqlite3.Connection, actor: str, at: str):
        self.conn = conn
        self.actor = actor
        self.at = at

    def record(self, mention_id: int, action: str, detail: dict[str, Any]) -> dict[str, Any]:
        """An event alone, for what changed elsewhere (replied-on-platform)."""
        manage.record_event(self.conn, mention_id, self.at, self.actor, action, detail)
        return detail

    _event = record

    @_holding
    def tag(self, mention_id: int, tags: list[str]) -> dict[str, Any] | None:
        added = manage.add_tags(self.conn, mention_id, tags)
        return self._event(mention_id, "tag", {"tags": added}) if added else None

    @_holding
    def untag(self, mention_id: int, tags: list[str]) -> dict[str, Any] | None:
        removed = manage.remove_tags(self.conn, mention_id, tags)
        return self._event(mention_id, "untag", {"tags": removed}) if removed else None

    @_holding
    def assign(self, mention_id: int, assignee: str | None) -> dict[str, Any] | None:
        before = manage.current(self.conn, mention_id)["assignee"]
        if before == assignee:
            return None
        manage.set_fields(self.conn, mention_id, assignee=assignee)
        return self._event(mention_id, "assign" if assignee else "unassign", {"from": before, "to": assignee})

    @_holding
    def set_status(self, mention_id: int, status: Status, action: str) -> dict[str, Any] | None:
        """close (CLOSED) or reopen (OPEN); nothing when the mention already has that status."""
        before = manage.current(self.conn, mention_id)["status"]
        if before == status.value:
            return None
        manage.set_fields(self.conn, mention_id, status=status.value, snoozed_until=None)
        return self._event(mention_id, action, {"from": before})

    @_holding
    def snooze(self, mention_id: int, until: str) -> dict[str, Any]:
        before = manage.current(self.conn, mention_id)["status"]
        manage.set_fields(self.conn, mention_id, status=Status.SNOOZED.value, snoozed_until=until)
        return self._event(mention_id, "snooze", {"from": before, "until": until})

    @_holding
    def wake(self, mention_id: int) -> dict[str, Any]:
        manage.set_fields(self.conn, mention_id, status=Status.OPEN.value, snoozed_until=None)
        return self._event(mention_id, "wake", {"reason": "snooze ended"})

    @_holding
    def escalate(self, mention_id: int, target: str | None, note: str | None) -> dict[str, Any]:
        """The escalation, the status and (with a target) its outbox row, all in the caller's transaction."""
        before = manage.current(self.conn, mention_id)["status"]
        escalation_id = manage.add_escalation(self.conn, mention_id, self.at, self.actor, target, note)
        manage.set_fields(self.conn, mention_id, status=Status.ESCALATED.value, snoozed_until=None)
        detail: dict[str, Any] = {"escalation": escalation_id, "target": target, "note": note, "from": before}
        if target is not None:
            detail["outbox"] = outbox.add(self.conn, "escalation", mention_id, target, {"escalation": escalation_id},
                                          self.actor, self.at)  # fmt: skip
        return self._event(mention_id, "escalate", detail)

    @_holding
    def note(self, mention_id: int, text: str) -> dict[str, Any]:
        """An internal note: in the history and found by search, never sent anywhere."""
        note_id = conversations.add_note(self.conn, mention_id, self.at, self.actor, text)
        return self._event(mention_id, "note", {"note": note_id, "text": text})

    @_holding
    def mark_replied(self, mention_id: int) -> dict[str, Any] | None:
        """Answered elsewhere (a call, a DM, an e-mail): replied, first response now unless one is known."""
        if not conversations.set_answered(self.conn, mention_id, self.at):
            return None  # already replied
        return self._event(mention_id, "mark-replied", {})

    @_holding
    def set_priority(self, mention_id: int, level: str | None) -> dict[str, Any] | None:
        """Override the computed priority (None: back to the computed one)."""
        effective, override = manage.priority_of(self.conn, mention_id)
        if override == level:
            return None
        manage.set_priority(self.conn, mention_id, level)
        after, _ = manage.priority_of(self.conn, mention_id)
        return self._event(mention_id, "priority", {"from": effective, "to": after, "override": level})

    @_holding
    def label(self, mention_id: int, label: str | None, urgent_keywords: list[str]) -> dict[str, Any] | None:
        """Set the sentiment by hand (kept by re-syncs, rules and re-scoring; the priority follows
        it), or give it back to the model (None: scored again now)."""
        from commwatch.app.score import hand_label, retriaged
        from commwatch.store.mentions import get, set_triage

        m = get(self.conn, mention_id)
        before = m["sentiment"]
        if label is None and before["by"] is None:
            return None
        if label is not None and before["by"] is not None and before["label"] == label:
            return None
        chosen = hand_label(m, label, self.actor) if label is not None else None
        sentiment, priority = retriaged(m, urgent_keywords, label=chosen)
        set_triage(self.conn, mention_id, sentiment, priority)
        return self._event(mention_id, "label", {"from": before["label"], "to": sentiment.label,
                                                 "by_hand": label is not None})  # fmt: skip
