"""Applying triage rules to stored mentions; every change is an event attributed to the rule.

Called inside the transaction that stored the mentions (sync) or by
`commwatch rules apply`. Applying a rule twice changes nothing the second time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from commwatch import timeutil
from commwatch.actions import record_escalation
from commwatch.config import Config
from commwatch.model import Status, iso
from commwatch.store import manage
from commwatch.store.mentions import get
from commwatch.triage.rules import Rule, matches


@dataclass
class RuleOutcome:
    matched: int = 0
    escalated: int = 0
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (mention id, rule, action)


def is_reply_to_us(conn: sqlite3.Connection, mention: dict, brand_handles: list[str]) -> bool:
    """The mention answers a stored post by one of our handles."""
    if not mention["parent_id"] or not brand_handles:
        return False
    row = conn.execute(
        "SELECT author_handle FROM mentions WHERE platform = ? AND remote_id = ?",
        (mention["platform"], mention["parent_id"]),
    ).fetchone()
    return bool(row) and row["author_handle"].lower() in {h.lower().lstrip("@") for h in brand_handles}


def apply_rules(conn: sqlite3.Connection, config: Config, mention_ids: list[int], at: str | None = None) -> RuleOutcome:
    """Run every rule over these mentions. Call inside a transaction."""
    at = at or timeutil.now_iso()
    outcome = RuleOutcome()
    for mention_id in mention_ids:
        mention = get(conn, mention_id)
        ours = is_reply_to_us(conn, mention, config.brand_handles)
        for rule in config.rules:
            if matches(rule, mention, is_reply_to_us=ours):
                outcome.matched += 1
                _act(conn, rule, mention_id, at, outcome)
                mention = get(conn, mention_id)  # later rules see earlier rules' changes
    return outcome


def _act(conn: sqlite3.Connection, rule: Rule, mention_id: int, at: str, outcome: RuleOutcome) -> None:
    actor = f"rule:{rule.name}"

    def event(action: str, detail: dict) -> None:
        manage.record_event(conn, mention_id, at, actor, action, detail)
        outcome.changes.append((mention_id, rule.name, action))

    row = manage.current(conn, mention_id)
    a = rule.actions
    if "tag" in a:
        added = manage.add_tags(conn, mention_id, [t.strip() for t in a["tag"]])
        if added:
            event("tag", {"tags": added})
    if "assign" in a and row["assignee"] != a["assign"]:
        manage.set_fields(conn, mention_id, assignee=a["assign"])
        event("assign", {"from": row["assignee"], "to": a["assign"]})
    if "priority" in a:
        level = conn.execute("SELECT priority_level FROM mentions WHERE id = ?", (mention_id,)).fetchone()[0]
        if level != a["priority"]:
            manage.set_priority_level(conn, mention_id, a["priority"])
            event("priority", {"from": level, "to": a["priority"]})
    if "escalate" in a and a["escalate"] not in manage.escalation_targets(conn, mention_id):
        escalation_id = record_escalation(conn, mention_id, at, actor, a["escalate"], f"rule {rule.name}")
        event("escalate", {"escalation": escalation_id, "target": a["escalate"], "from": row["status"]})
        outcome.escalated += 1
    elif a.get("close") and row["status"] != Status.CLOSED.value:
        manage.set_fields(conn, mention_id, status=Status.CLOSED.value, snoozed_until=None)
        event("close", {"from": row["status"]})
    elif "snooze" in a and row["status"] == Status.OPEN.value:
        until = iso(timeutil.now() + timeutil.parse_duration(a["snooze"]))
        manage.set_fields(conn, mention_id, status=Status.SNOOZED.value, snoozed_until=until)
        event("snooze", {"from": row["status"], "until": until})
