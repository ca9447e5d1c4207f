"""Undo: the inverse of each change, applied through the session's verbs like any other change.

tag → untag the tags it added; untag → tag them back; assign/unassign → assign
the previous assignee; close, snooze → reopen; escalate → reopen and cancel its
delivery if it has not gone out yet (and say whether it had); reopen from closed →
close; priority → the priority set before (or `auto`). A reply still waiting in
the outbox is cancelled; one that reached the platform cannot be undone, and undo says so.
The inverse is itself recorded in the mention's history (as untag, reopen, …),
so the events table tells the whole story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commwatch.app.verbs import Verbs

Inverse = Callable[[Verbs], Any]  # the mention, or (the mention, a sentence to add)


@dataclass
class Change:
    mention_id: int
    done: str  # "closed #42"
    inverse: Inverse | None  # None: cannot be undone (a reply)
    why_not: str = ""


class UndoStack:
    def __init__(self, limit: int = 100):
        self._changes: list[Change] = []
        self.limit = limit

    def __len__(self) -> int:
        return len(self._changes)

    def push(self, change: Change) -> None:
        self._changes.append(change)
        del self._changes[: -self.limit]

    def pop(self) -> Change | None:
        return self._changes.pop() if self._changes else None


def inverse_of(action: str, before: dict[str, Any], after: dict[str, Any]) -> Change | None:
    """What undoes `action`, given the mention before and after it; None when it changed nothing."""
    mid = after["id"]
    if action == "tag":
        added = [t for t in after["tags"] if t not in before["tags"]]
        return Change(mid, f"tagged #{mid} {' '.join(added)}", lambda a: a.untag(mid, added)) if added else None
    if action == "untag":
        removed = [t for t in before["tags"] if t not in after["tags"]]
        return Change(mid, f"untagged #{mid} {' '.join(removed)}", lambda a: a.tag(mid, removed)) if removed else None
    if action in ("assign", "unassign"):
        if before["assignee"] == after["assignee"]:
            return None
        previous = before["assignee"]
        return Change(mid, f"assigned #{mid} to {after['assignee'] or 'nobody'}", lambda a: a.assign(mid, previous))
    if action == "escalate":  # reopen it, and cancel its delivery if it has not gone out yet
        return Change(mid, f"escalated #{mid}", lambda a: a.undo_escalation(mid))  # (mention, what became of its delivery)
    if action in ("close", "snooze"):
        if (before["status"], before["snoozed_until"]) == (after["status"], after["snoozed_until"]):
            return None
        return Change(mid, f"{_PAST[action]} #{mid}", lambda a: a.reopen(mid))
    if action == "reopen":
        if before["status"] == after["status"]:
            return None
        if before["status"] == "closed":
            return Change(mid, f"reopened #{mid}", lambda a: a.close(mid))
        return Change(mid, f"reopened #{mid}", None, f"reopening a {before['status']} mention cannot be undone")
    if action == "priority":
        if before["priority"]["override"] == after["priority"]["override"]:
            return None
        previous = before["priority"]["override"] or "auto"
        return Change(mid, f"set the priority of #{mid} to {after['priority']['level']}",
                      lambda a: a.set_priority(mid, previous))  # fmt: skip
    if action == "label":
        if before["sentiment"] == after["sentiment"]:
            return None
        previous = before["sentiment"]["label"] if before["sentiment"]["by"] else "auto"
        return Change(mid, f"labelled #{mid} {after['sentiment']['label']}", lambda a: a.label(mid, previous))
    if action == "note":
        return Change(mid, f"added a note to #{mid}", None, "a note stays in the history")
    if action == "mark-replied":
        if before["replied"] == after["replied"]:
            return None
        return Change(mid, f"marked #{mid} replied", None, "a recorded answer cannot be undone")
    if action == "reply":
        return Change(mid, f"replied to #{mid}", None, "replies cannot be undone: it is posted on the platform")
    raise ValueError(f"no inverse for {action!r}")


def queued_reply(mention_id: int, outbox_id: int) -> Change:
    """A reply that did not go out at once waits in the outbox: undo cancels it there if it is still waiting."""
    return Change(mention_id, f"queued a reply to #{mention_id}",
                  lambda a: a.cancel_queued_reply(mention_id, outbox_id))  # fmt: skip


_PAST = {"close": "closed", "snooze": "snoozed", "escalate": "escalated"}
