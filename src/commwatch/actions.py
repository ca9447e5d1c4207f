"""The verbs a manager uses: tag, untag, assign, snooze, close, reopen, escalate.

The CLI and the TUI both call these. Each change and its event are written in
one transaction; each verb returns the mention as it now is.
"""

from __future__ import annotations

import getpass
import os
import re
import sqlite3
from typing import Any

from commwatch import timeutil
from commwatch.config import Config
from commwatch.model import Status, iso
from commwatch.store import manage, outbox
from commwatch.store.db import transaction
from commwatch.store.mentions import get, resolve_id

_TAG = re.compile(r"^[\w][\w\-/:.+]*$", re.UNICODE)


class ActionError(Exception):
    """The action cannot be done; the message says why in one sentence."""


class MentionNotFound(ActionError):
    def __init__(self, ref: str):
        super().__init__(f"no mention {ref!r} (use a local id from the inbox, or PLATFORM:REMOTE_ID)")


def default_actor() -> str:
    try:
        return os.environ.get("COMMWATCH_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class Actions:
    def __init__(self, conn: sqlite3.Connection, config: Config, actor: str | None = None):
        self.conn = conn
        self.config = config
        self.actor = actor or default_actor()

    def resolve(self, ref: str | int) -> int:
        mention_id = resolve_id(self.conn, str(ref))
        if mention_id is None:
            raise MentionNotFound(str(ref))
        return mention_id

    def _change(self, ref: str | int, action: str, apply) -> dict[str, Any]:
        mention_id = self.resolve(ref)
        at = timeutil.now_iso()
        with transaction(self.conn):
            row = manage.current(self.conn, mention_id)
            detail = apply(mention_id, row, at)
            if detail is not None:
                manage.record_event(self.conn, mention_id, at, self.actor, action, detail)
        return get(self.conn, mention_id)

    def tag(self, ref: str | int, tags: list[str]) -> dict[str, Any]:
        tags = _valid_tags(tags)

        def apply(mention_id, row, at):
            added = manage.add_tags(self.conn, mention_id, tags)
            return {"tags": added} if added else None

        return self._change(ref, "tag", apply)

    def untag(self, ref: str | int, tags: list[str]) -> dict[str, Any]:
        tags = _valid_tags(tags)

        def apply(mention_id, row, at):
            removed = manage.remove_tags(self.conn, mention_id, tags)
            return {"tags": removed} if removed else None

        return self._change(ref, "untag", apply)

    def assign(self, ref: str | int, assignee: str | None) -> dict[str, Any]:
        assignee = (assignee or "").strip() or None

        def apply(mention_id, row, at):
            if row["assignee"] == assignee:
                return None
            manage.set_fields(self.conn, mention_id, assignee=assignee)
            return {"from": row["assignee"], "to": assignee}

        return self._change(ref, "assign" if assignee else "unassign", apply)

    def snooze(self, ref: str | int, duration: str) -> dict[str, Any]:
        try:
            until = iso(timeutil.now() + timeutil.parse_duration(duration))
        except ValueError as exc:
            raise ActionError(str(exc)) from None

        def apply(mention_id, row, at):
            manage.set_fields(self.conn, mention_id, status=Status.SNOOZED.value, snoozed_until=until)
            return {"from": row["status"], "until": until}

        return self._change(ref, "snooze", apply)

    def close(self, ref: str | int) -> dict[str, Any]:
        return self._set_status(ref, Status.CLOSED, "close")

    def reopen(self, ref: str | int) -> dict[str, Any]:
        return self._set_status(ref, Status.OPEN, "reopen")

    def _set_status(self, ref: str | int, status: Status, action: str) -> dict[str, Any]:
        def apply(mention_id, row, at):
            if row["status"] == status.value:
                return None
            manage.set_fields(self.conn, mention_id, status=status.value, snoozed_until=None)
            return {"from": row["status"]}

        return self._change(ref, action, apply)

    def escalate(self, ref: str | int, target: str | None = None, note: str | None = None) -> dict[str, Any]:
        """Mark the mention escalated and queue its delivery to the target (sent by the outbox worker)."""
        if target is not None and target not in self.config.targets:
            known = ", ".join(sorted(self.config.targets)) or "none configured"
            raise ActionError(f"no escalation target {target!r} (targets: {known})")

        def apply(mention_id, row, at):
            escalation_id = record_escalation(self.conn, mention_id, at, self.actor, target, note)
            return {"escalation": escalation_id, "target": target, "note": note, "from": row["status"]}

        return self._change(ref, "escalate", apply)

    def wake_snoozed(self) -> list[int]:
        """Reopen mentions whose snooze has run out; returns their ids."""
        at = timeutil.now_iso()
        if not manage.due_snoozes(self.conn, at):  # the usual case: no write lock taken
            return []
        with transaction(self.conn):
            due = manage.due_snoozes(self.conn, at)
            for mention_id in due:
                manage.set_fields(self.conn, mention_id, status=Status.OPEN.value, snoozed_until=None)
                manage.record_event(self.conn, mention_id, at, "commwatch", "wake", {"reason": "snooze ended"})
        return due


def record_escalation(
    conn: sqlite3.Connection, mention_id: int, at: str, actor: str, target: str | None, note: str | None
) -> int:
    """Inside a transaction: the escalation, the status, and (with a target) its outbox row, together."""
    escalation_id = manage.add_escalation(conn, mention_id, at, actor, target, note)
    manage.set_fields(conn, mention_id, status=Status.ESCALATED.value, snoozed_until=None)
    if target is not None:
        outbox.add(conn, "escalation", mention_id, target, {"escalation": escalation_id}, actor, at)
    return escalation_id


def _valid_tags(tags: list[str]) -> list[str]:
    cleaned = [t.strip() for t in tags]
    for t in cleaned:
        if not _TAG.match(t):
            raise ActionError(f"{t!r} is not a tag (letters, digits and - _ / : . + without spaces)")
    if not cleaned:
        raise ActionError("name at least one tag")
    return cleaned
