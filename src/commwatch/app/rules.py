"""Applying `[[rules]]` to stored mentions, and saying beforehand what they would do.

Rules run inside the transaction that stores new mentions (ingest.py), and again
on demand (`commwatch rules apply`). Every change goes through effects.py with
the actor `rule:NAME`. `plan()` decides what each action of a matching rule does,
and both `rules test` and the application use it, so the two always agree.

Precedence: a person's decision wins over rules run later.
- a rule never re-adds a tag a person removed;
- a rule never assigns a mention a person assigned or unassigned;
- a rule never changes the status (escalate, close, snooze) of a mention whose
  status a person set;
- a rule never overrides a priority a person set.
A rule's own priority is an override kept by every re-sync and import (like a
status) until a person sets another one or returns it to `auto`.
Applying the rules twice changes nothing the second time.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commwatch import timeutil
from commwatch.app.effects import Effects
from commwatch.config import Config
from commwatch.model import Status, iso
from commwatch.app.conversations import decorate
from commwatch.store import conversations, manage
from commwatch.store.mentions import get
from commwatch.triage.rules import Rule, evaluate

APPLY, ALREADY, HELD = "apply", "already", "held"


@dataclass
class Step:
    action: str  # tag | assign | priority | escalate | close | snooze
    value: Any
    outcome: str  # apply | already (nothing to change) | held (a person decided otherwise)
    why: str = ""


@dataclass
class RuleOutcome:
    matched: int = 0
    escalated: int = 0
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (mention id, rule, action)


def is_reply_to_us(conn: sqlite3.Connection, mention: dict[str, Any]) -> bool:
    """The mention answers a stored post of ours."""
    return bool(mention["parent_id"]) and conversations.is_ours(conn, mention["platform"], mention["parent_id"])


def _current(conn: sqlite3.Connection, config: Config, mention_id: int, now) -> dict[str, Any]:
    """The mention as rules see it: with its response-time state (the `overdue` condition)."""
    return decorate(get(conn, mention_id), config.sla, now)


def plan(rule: Rule, m: dict[str, Any], decisions: dict[str, Any], escalated_to: set[str | None]) -> list[Step]:
    """What each of the rule's actions would do to mention `m` now."""
    a = rule.actions
    steps: list[Step] = []
    if "tag" in a:
        tags = [t.strip() for t in a["tag"]]
        held = [t for t in tags if t in decisions["removed_tags"] and t not in m["tags"]]
        new = [t for t in tags if t not in m["tags"] and t not in held]
        if new:
            steps.append(Step("tag", new, APPLY))
        if held:
            steps.append(Step("tag", held, HELD, "a person removed it"))
        if not new and not held:
            steps.append(Step("tag", tags, ALREADY))
    if "assign" in a:
        if m["assignee"] == a["assign"]:
            steps.append(Step("assign", a["assign"], ALREADY))
        elif decisions["assignee"]:
            steps.append(Step("assign", a["assign"], HELD, f"a person assigned it to {m['assignee'] or 'nobody'}"))
        else:
            steps.append(Step("assign", a["assign"], APPLY))
    if "priority" in a:
        if m["priority"]["override"] == a["priority"]:
            steps.append(Step("priority", a["priority"], ALREADY))
        elif decisions["priority"]:
            steps.append(Step("priority", a["priority"], HELD, f"a person set it to {m['priority']['level']}"))
        else:
            steps.append(Step("priority", a["priority"], APPLY))
    status_step = None
    if "escalate" in a:
        done = a["escalate"] in escalated_to
        status_step = Step("escalate", a["escalate"], ALREADY if done else APPLY)
    elif a.get("close"):
        status_step = Step("close", True, ALREADY if m["status"] == Status.CLOSED.value else APPLY)
    elif "snooze" in a:
        if rule.name in decisions["snoozed_by"]:  # once: a snooze that ran out is not renewed by the same rule
            status_step = Step("snooze", a["snooze"], ALREADY, "this rule snoozed it before")
        elif m["status"] != Status.OPEN.value:
            status_step = Step("snooze", a["snooze"], ALREADY, f"it is {m['status']}")
        else:
            status_step = Step("snooze", a["snooze"], APPLY)
    if status_step is not None:
        if status_step.outcome == APPLY and decisions["status"]:
            status_step = Step(status_step.action, status_step.value, HELD, f"a person set it {m['status']}")
        steps.append(status_step)
    return steps


NOBODY = {"removed_tags": set(), "assignee": False, "status": False, "priority": False, "snoozed_by": set()}
Act = Callable[[Rule, list[Step], dict[str, Any]], dict[str, Any]]


def walk(config: Config, mention: dict[str, Any], ours: bool, decisions: dict[str, Any],
         escalated_to: set[str | None], act: Act) -> list[dict[str, Any]]:  # fmt: skip
    """Every rule in order against the mention as the rules before it left it. `act(rule, steps, mention)`
    carries out a matching rule's steps and returns the mention as it now is. Returns what `rules test` shows."""
    report = []
    for rule in config.rules:
        checks = evaluate(rule, mention, is_reply_to_us=ours)
        matched = all(c.passed for c in checks)
        steps = plan(rule, mention, decisions, escalated_to) if matched else []
        report.append({
            "rule": rule.name, "matches": matched, "actions": rule.actions,
            "checks": [{"condition": c.condition, "passed": c.passed, "why": c.why} for c in checks],
            "steps": [{"action": s.action, "value": s.value, "outcome": s.outcome, "why": s.why} for s in steps],
        })  # fmt: skip
        if matched:
            mention = act(rule, steps, mention)
            escalated_to |= {s.value for s in steps if s.action == "escalate" and s.outcome == APPLY}
    return report


def apply_rules(conn: sqlite3.Connection, config: Config, mention_ids: list[int], *, fresh: bool = False) -> RuleOutcome:
    """Run every rule over these mentions. Call inside a transaction.

    fresh: the mentions were stored in this very transaction (nobody has touched them yet).
    """
    at = timeutil.now_iso()
    outcome = RuleOutcome()
    if not config.rules:
        return outcome

    now = timeutil.now()

    def act(rule: Rule, steps: list[Step], m: dict[str, Any]) -> dict[str, Any]:
        outcome.matched += 1
        changed = _act(Effects(conn, f"rule:{rule.name}", at), rule, m["id"], steps, outcome)
        return _current(conn, config, m["id"], now) if changed else m

    for mention_id in mention_ids:
        mention = _current(conn, config, mention_id, now)
        if mention["ours"]:
            continue  # the brand's own posts are never someone's complaint
        decisions = NOBODY if fresh else manage.decisions(conn, mention_id)
        escalated_to = set() if fresh else manage.escalation_targets(conn, mention_id)
        walk(config, mention, is_reply_to_us(conn, mention), decisions, escalated_to, act)
    return outcome


def _act(fx: Effects, rule: Rule, mention_id: int, steps: list[Step], outcome: RuleOutcome) -> bool:
    changed = False
    for step in steps:
        if step.outcome != APPLY:
            continue
        if step.action == "tag":
            done = fx.tag(mention_id, step.value)
        elif step.action == "assign":
            done = fx.assign(mention_id, step.value)
        elif step.action == "priority":
            done = fx.set_priority(mention_id, step.value)
        elif step.action == "escalate":
            done = fx.escalate(mention_id, step.value, f"rule {rule.name}")
            outcome.escalated += 1
        elif step.action == "close":
            done = fx.set_status(mention_id, Status.CLOSED, "close")
        else:  # snooze
            done = fx.snooze(mention_id, iso(timeutil.now() + timeutil.parse_duration(step.value)))
        if done is not None:
            changed = True
            outcome.changes.append((mention_id, rule.name, step.action))
    return changed


def report(conn: sqlite3.Connection, config: Config, mention: dict[str, Any]) -> list[dict[str, Any]]:
    """`rules test`: the same walk as `rules apply`, carried out on a copy of the mention (nothing is
    written): for each rule, each condition with why it passed or not, and what each action would do."""

    def pretend(rule: Rule, steps: list[Step], m: dict[str, Any]) -> dict[str, Any]:
        m = copy.deepcopy(m)
        for s in steps:
            if s.outcome != APPLY:
                continue
            if s.action == "tag":
                m["tags"] = sorted({*m["tags"], *s.value})
            elif s.action == "assign":
                m["assignee"] = s.value
            elif s.action == "priority":
                m["priority"]["level"] = m["priority"]["override"] = s.value
            else:
                m["status"] = {"escalate": "escalated", "close": "closed", "snooze": "snoozed"}[s.action]
        return m

    mention = decorate(dict(mention), config.sla, timeutil.now())
    ours = is_reply_to_us(conn, mention)
    return walk(config, mention, ours, manage.decisions(conn, mention["id"]),
                set(manage.escalation_targets(conn, mention["id"])), pretend)  # fmt: skip
