"""The verbs a manager uses: tag, untag, assign, snooze, close, reopen, escalate, priority.

The CLI and the TUI both call these (through the Session). Each verb resolves
the mention, makes its change and event in one transaction (effects.py), and
returns the mention as it now is. A verb that queued something to send (an
escalation to a target) tells the session, which delivers what is due.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from commwatch import timeutil
from commwatch.app.effects import SYSTEM, Effects, person
from commwatch.app.errors import ActionError, MentionNotFound
from commwatch.config import Config
from commwatch.model import LEVEL_BANDS, Status, is_name, is_tag, iso
from commwatch.store import manage
from commwatch.store.db import transaction
from commwatch.store.mentions import get, resolve_id

PRIORITY_CHOICES = (*LEVEL_BANDS, "auto")  # auto: back to the computed priority


def default_actor() -> str:
    try:
        return os.environ.get("COMMWATCH_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class Verbs:
    def __init__(self, conn: sqlite3.Connection, config: Config, actor: str | None = None,
                 on_queued: Callable[[], None] | None = None):  # fmt: skip
        self.conn = conn
        self.config = config
        self.actor = person(actor or default_actor())
        self.on_queued = on_queued or (lambda: None)

    def resolve(self, ref: str | int) -> int:
        return resolve(self.conn, ref)

    def _change(self, ref: str | int, apply: Callable[[Effects, int], Any]) -> dict[str, Any]:
        mention_id = self.resolve(ref)
        with transaction(self.conn):
            apply(Effects(self.conn, self.actor, timeutil.now_iso()), mention_id)
        return get(self.conn, mention_id)

    def tag(self, ref: str | int, tags: list[str]) -> dict[str, Any]:
        tags = valid_tags(tags)
        return self._change(ref, lambda fx, mid: fx.tag(mid, tags))

    def untag(self, ref: str | int, tags: list[str]) -> dict[str, Any]:
        tags = valid_tags(tags)
        return self._change(ref, lambda fx, mid: fx.untag(mid, tags))

    def who(self, name: str | None) -> str | None:
        """A person's name as stored: `me`/`@me` is whoever is acting; with [team] members, one of them
        (matched without case), anyone else refused with the list."""
        name = (name or "").strip()
        if not name:
            return None
        me = name.lower() in ("me", "@me")
        if me:
            name = self.actor
        if not is_name(name):
            raise ActionError(f"{name!r} is not a name (no control or invisible characters)")
        if self.config.team:
            for member in self.config.team:
                if member.lower() == name.lower():
                    return member
            hint = " (me is $COMMWATCH_USER, else your login name)" if me else ""
            raise ActionError(f"{name!r} is not in the team{hint}; [team] members: {', '.join(self.config.team)}")
        return name

    def assign(self, ref: str | int, assignee: str | None) -> dict[str, Any]:
        assignee = self.who(assignee)
        return self._change(ref, lambda fx, mid: fx.assign(mid, assignee))

    def snooze(self, ref: str | int, duration: str) -> dict[str, Any]:
        try:
            until = iso(timeutil.now() + timeutil.parse_duration(duration))
        except ValueError as exc:
            raise ActionError(str(exc)) from None
        return self._change(ref, lambda fx, mid: fx.snooze(mid, until))

    def close(self, ref: str | int) -> dict[str, Any]:
        return self._change(ref, lambda fx, mid: fx.set_status(mid, Status.CLOSED, "close"))

    def reopen(self, ref: str | int) -> dict[str, Any]:
        return self._change(ref, lambda fx, mid: fx.set_status(mid, Status.OPEN, "reopen"))

    def note(self, ref: str | int, text: str) -> dict[str, Any]:
        """An internal note: in the history and found by search, never sent anywhere."""
        text = (text or "").strip()
        if not text:
            raise ActionError("the note is empty")
        return self._change(ref, lambda fx, mid: fx.note(mid, text))

    def mark_replied(self, ref: str | int) -> dict[str, Any]:
        """Answered elsewhere (a call, a DM, an e-mail): replied, first response now."""
        mention_id = self.resolve(ref)
        if get(self.conn, mention_id)["ours"]:
            raise ActionError(f"#{mention_id} is one of ours: it is an answer, not something to answer")
        return self._change(mention_id, lambda fx, mid: fx.mark_replied(mid))

    def set_priority(self, ref: str | int, level: str) -> dict[str, Any]:
        """A person's priority for the mention (`auto`: back to the computed one); re-syncs keep it."""
        if level not in PRIORITY_CHOICES:
            raise ActionError(f"{level!r} is not a priority (choose {', '.join(PRIORITY_CHOICES)})")
        return self._change(ref, lambda fx, mid: fx.set_priority(mid, None if level == "auto" else level))

    def label(self, ref: str | int, label: str) -> dict[str, Any]:
        """Set the sentiment by hand (negative, neutral, positive), or `auto` to give it back to the model."""
        from commwatch.app.score import LABELS

        label = label.strip().lower()
        if len(label) >= 3:  # "neg", "neu", "pos" will do
            label = next((name for name in (*LABELS, "auto") if name.startswith(label)), label)
        if label not in (*LABELS, "auto"):
            raise ActionError(f"{label!r} is not a label (negative, neutral, positive, or auto for the model's)")
        keywords = self.config.urgent_keywords
        return self._change(ref, lambda fx, mid: fx.label(mid, None if label == "auto" else label, keywords))

    def escalate(self, ref: str | int, target: str | None = None, note: str | None = None) -> dict[str, Any]:
        """Mark the mention escalated and queue its delivery to the target; the session then delivers it."""
        if target is not None and target not in self.config.targets:
            known = ", ".join(sorted(self.config.targets)) or "none configured"
            raise ActionError(f"no escalation target {target!r} (targets: {known})")
        mention = self._change(ref, lambda fx, mid: fx.escalate(mid, target, note))
        if target is not None:
            self.on_queued()
        return mention

    def undo_escalation(self, ref: str | int) -> tuple[dict[str, Any], str]:
        """Reopen an escalated mention and cancel the delivery of its last escalation if it has not gone out
        yet; returns the mention and one sentence saying what happened to the delivery."""
        mention_id = self.resolve(ref)
        outbox_id = manage.last_detail(self.conn, mention_id, "escalate").get("outbox")
        said = "it had no target to deliver to" if outbox_id is None else self.cancel_delivery(outbox_id)
        return self.reopen(mention_id), said

    def cancel_queued_reply(self, ref: str | int, outbox_id: int) -> tuple[dict[str, Any], str]:
        """Cancel a reply still waiting in the outbox; returns the mention and what happened to the reply."""
        mention_id = self.resolve(ref)
        said = self.cancel_delivery(outbox_id).replace("its delivery", "the reply")
        return get(self.conn, mention_id), said

    def cancel_delivery(self, outbox_id: int) -> str:
        from commwatch.app.outbox import OutboxWorker

        why_not = OutboxWorker(self.conn, {}).cancel(outbox_id, self.actor)
        return "its delivery was cancelled" if why_not is None else f"its delivery was not cancelled: {why_not}"

    def wake_snoozed(self) -> list[int]:
        """Reopen mentions whose snooze has run out; returns their ids."""
        at = timeutil.now_iso()
        if not manage.due_snoozes(self.conn, at):  # the usual case: no write lock taken
            return []
        with transaction(self.conn):
            due = manage.due_snoozes(self.conn, at)
            effects = Effects(self.conn, SYSTEM, at)
            for mention_id in due:
                effects.wake(mention_id)
        return due


def resolve(conn: sqlite3.Connection, ref: str | int) -> int:
    """A local id ("42") or PLATFORM:REMOTE_ID → the local id; MentionNotFound when there is none."""
    mention_id = resolve_id(conn, str(ref))
    if mention_id is None:
        raise MentionNotFound(str(ref))
    return mention_id


def valid_tags(tags: list[str]) -> list[str]:
    cleaned = [t.strip() for t in tags]
    for t in cleaned:
        if not is_tag(t):
            raise ActionError(f"{t!r} is not a tag (letters, digits and - _ / : . + without spaces)")
    if not cleaned:
        raise ActionError("name at least one tag")
    return cleaned
