"""A mention's history as sentences people read ("assigned to ana (was bo)"), the same in the CLI
and the TUI. The stored event keeps its structured detail; `--json` shows that."""

from __future__ import annotations

from typing import Any

from commwatch.text import field, fields, inert, when

_KINDS = {"escalation": "escalation", "reply": "reply", "overdue": "overdue alert", "alert": "alert"}


def describe(action: str, detail: dict[str, Any], zone=None) -> str:
    """One line for one event; every stored value inert. An action this version does not know
    (written by a newer one, or a plugin) is shown as its name and key=value pairs."""
    d = detail or {}
    kind, _, outcome = action.rpartition("-")
    if kind in _KINDS and outcome in ("delivered", "failed", "cancelled"):
        return _delivery(_KINDS[kind], outcome, d)
    say = _SENTENCES.get(action)
    if say is None:
        pairs = ", ".join(f"{field(k)}={_value(v)}" for k, v in d.items() if v is not None)
        return field(action) + (f": {pairs}" if pairs else "")
    return say(d, zone)


def rule_actions(actions: dict[str, Any]) -> str:
    """A rule's actions as words: "tag billing, assign to billing-team, escalate to team"."""
    words = {
        "tag": lambda v: "tag " + fields(v if isinstance(v, list) else [v], " "),
        "assign": lambda v: f"assign to {field(v)}",
        "priority": lambda v: f"priority {field(v)}",
        "escalate": lambda v: f"escalate to {field(v)}" if v else "escalate",
        "close": lambda v: "close" if v else "",
        "snooze": lambda v: f"snooze for {field(v)}",
    }
    said = [words[k](v) if k in words else f"{field(k)} {_value(v)}" for k, v in actions.items()]
    return ", ".join(s for s in said if s) or "nothing"


def _delivery(kind: str, outcome: str, d: dict[str, Any]) -> str:
    if outcome == "delivered":
        return f"{kind} delivered" + (f" to {field(d['target'])}" if d.get("target") else "")
    if outcome == "cancelled":
        return f"{kind} cancelled before it was sent"
    return f"{kind} could not be sent: {_value(d.get('error') or 'no reason given')}"


def _was(d: dict[str, Any]) -> str:
    return f" (was {field(d['from'])})" if d.get("from") else ""


def _escalate(d: dict[str, Any], zone) -> str:
    said = "escalated" + (f" to {field(d['target'])}" if d.get("target") else "")
    return said + (f": {_value(d['note'])}" if d.get("note") else "")


def _priority(d: dict[str, Any], zone) -> str:
    if d.get("override") is None:
        return f"priority back to the computed one ({field(d.get('to'))}){_was(d)}"
    return f"priority set to {field(d['override'])}{_was(d)}"


def _value(value: Any) -> str:
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return inert(text, single_line=True)


_SENTENCES = {
    "tag": lambda d, z: "tagged " + fields(d.get("tags") or [], ", "),
    "untag": lambda d, z: "untagged " + fields(d.get("tags") or [], ", "),
    "assign": lambda d, z: f"assigned to {field(d.get('to'))}{_was(d)}",
    "unassign": lambda d, z: f"unassigned{_was(d)}",
    "close": lambda d, z: f"closed{_was(d)}",
    "reopen": lambda d, z: f"reopened{_was(d)}",
    "snooze": lambda d, z: f"snoozed until {when(d.get('until'), z)}",
    "wake": lambda d, z: "back in the inbox: " + _value(d.get("reason") or "woken"),
    "escalate": _escalate,
    "note": lambda d, z: "note: " + _value(d.get("text", "")),
    "mark-replied": lambda d, z: "marked replied (answered outside commwatch)",
    "priority": _priority,
    "label": lambda d, z: (f"labelled {field(d.get('to'))}" if d.get("by_hand") else
                           f"sentiment back to the model's reading: {field(d.get('to'))}") + _was(d),
    "reply-queued": lambda d, z: "reply written" + (f" (via {field(d['source'])})" if d.get("source") else "")
    + ": " + _value(d.get("text", "")),
    "reply": lambda d, z: "reply posted" + (f": {_value(d.get('url') or d.get('reply_id'))}"
                                            if d.get("url") or d.get("reply_id") else ""),  # fmt: skip
    "moderate": lambda d, z: f"moderated: {field(d.get('action'))}" + (" and banned the author" if d.get("ban") else "")
    + (f" for {d['days']} days" if d.get("days") else "") + (f" ({_value(d['reason'])})" if d.get("reason") else ""),
    "replied-on-platform": lambda d, z: "answered on the platform"
    + (f" by @{field(d['author'])}" if d.get("author") else "")
    + (f" at {when(d['at'], z)}" if d.get("at") else "")
    + (f": {_value(d['url'])}" if d.get("url") else ""),
}
