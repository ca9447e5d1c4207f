"""Triage rules: `[[rules]]` tables in commwatch.toml, data only, never code.

    [[rules]]
    name = "vip detractor"                       # optional; default "rule 1", "rule 2", …
    match = { sentiment_below = -0.5, followers_at_least = 10000 }
    actions = { tag = ["vip-detractor"], escalate = "pr" }

Conditions (all must hold):
    platform, source, lang          a name or a list of names
    keywords_any, keywords_all,     lists of words or phrases: case-insensitive,
    keywords_none                   whole words, in the title and the text
    sentiment_below, sentiment_above   VADER compound, -1 … 1
    priority_at_least               low | medium | high | urgent
    followers_at_least              an integer
    author_in                       a list of handles (without @)
    is_question, is_reply_to_us     true or false ("us": the brand's accounts)
    overdue                         true or false: past its [sla] response target, unanswered

Actions: tag (list), assign (name), priority (level), escalate (target name),
close (true: e.g. spam), snooze (duration such as "4h").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from commwatch.model import Level, is_name, is_tag

LEVELS = [lvl.value for lvl in Level]
_LIST_CONDITIONS = ("platform", "source", "lang")
_KEYWORD_CONDITIONS = ("keywords_any", "keywords_all", "keywords_none")
_NUMBER_CONDITIONS = ("sentiment_below", "sentiment_above")
CONDITIONS = (*_LIST_CONDITIONS, *_KEYWORD_CONDITIONS, *_NUMBER_CONDITIONS, "priority_at_least",
              "followers_at_least", "author_in", "is_question", "is_reply_to_us", "overdue")  # fmt: skip
ACTIONS = ("tag", "assign", "priority", "escalate", "close", "snooze")


class RuleError(ValueError):
    """A rule that cannot be used; `key` is dotted from the rules array: rules[2].match.platform."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


@dataclass
class Rule:
    name: str
    match: dict[str, Any]
    actions: dict[str, Any]
    _patterns: dict[str, list[tuple[str, re.Pattern]]] = field(default_factory=dict, repr=False)


@dataclass
class Check:
    condition: str
    passed: bool
    why: str


def parse_rules(raw: list[dict[str, Any]], targets: set[str]) -> list[Rule]:
    from commwatch.timeutil import parse_duration

    rules = []
    for index, table in enumerate(raw):
        key = f"rules[{index}]"
        unknown = set(table) - {"name", "match", "actions"}
        if unknown:
            raise RuleError(f"{key}.{sorted(unknown)[0]}", "unknown key (a rule has name, match and actions)")
        name = table.get("name", f"rule {index + 1}")
        if not isinstance(name, str) or not name.strip():
            raise RuleError(f"{key}.name", "must be a non-empty string")
        match, actions = table.get("match", {}), table.get("actions")
        if not isinstance(match, dict):
            raise RuleError(f"{key}.match", "must be a table of conditions")
        if not isinstance(actions, dict) or not actions:
            raise RuleError(f"{key}.actions", "must be a table with at least one action")
        for cond, value in match.items():
            _check_condition(f"{key}.match.{cond}", cond, value)
        for action, value in actions.items():
            where = f"{key}.actions.{action}"
            if action not in ACTIONS:
                raise RuleError(where, f"unknown action (known: {', '.join(ACTIONS)})")
            if action == "tag" and not (isinstance(value, list) and value and all(isinstance(v, str) and is_tag(v.strip()) for v in value)):
                raise RuleError(where, "must be a list of tags (letters, digits and - _ / : . + without spaces)")
            if action in ("assign", "escalate") and not (isinstance(value, str) and is_name(value)):
                raise RuleError(where, "must be a name (a non-empty string without control characters)")
            if action == "escalate" and value not in targets:
                raise RuleError(where, f"no target {value!r} (targets: {', '.join(sorted(targets)) or 'none'})")
            if action == "priority" and value not in LEVELS:
                raise RuleError(where, f"must be one of {', '.join(LEVELS)}")
            if action == "close" and value is not True:
                raise RuleError(where, "must be true")
            if action == "snooze":
                try:
                    parse_duration(value if isinstance(value, str) else "")
                except ValueError as exc:
                    raise RuleError(where, str(exc)) from None
        rule = Rule(name=name.strip(), match=match, actions=actions)
        for cond in _KEYWORD_CONDITIONS:
            if cond in match:
                rule._patterns[cond] = [(kw, _word_pattern(kw)) for kw in match[cond]]
        rules.append(rule)
    return rules


def _check_condition(key: str, cond: str, value: Any) -> None:
    if cond not in CONDITIONS:
        raise RuleError(key, f"unknown condition (known: {', '.join(CONDITIONS)})")
    if cond in _LIST_CONDITIONS and not (isinstance(value, str) or _strings(value)):
        raise RuleError(key, "must be a name or a list of names")
    if cond in (*_KEYWORD_CONDITIONS, "author_in") and not (_strings(value) and value):
        raise RuleError(key, "must be a non-empty list of strings")
    if cond in _NUMBER_CONDITIONS and not (isinstance(value, (int, float)) and not isinstance(value, bool) and -1 <= value <= 1):
        raise RuleError(key, "must be a number from -1 to 1")
    if cond == "priority_at_least" and value not in LEVELS:
        raise RuleError(key, f"must be one of {', '.join(LEVELS)}")
    if cond == "followers_at_least" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        raise RuleError(key, "must be a whole number")
    if cond in ("is_question", "is_reply_to_us", "overdue") and not isinstance(value, bool):
        raise RuleError(key, "must be true or false")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _word_pattern(phrase: str) -> re.Pattern:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def evaluate(rule: Rule, m: dict[str, Any], *, is_reply_to_us: bool = False) -> list[Check]:
    """Each condition of the rule, whether the mention (a stored mention dict) passes it, and why."""
    text = "\n".join(t for t in (m.get("title"), m["text"]) if t)
    checks = []
    for cond, want in rule.match.items():
        if cond in _LIST_CONDITIONS:
            have = m.get(cond) or ""
            names = [want] if isinstance(want, str) else want
            checks.append(Check(cond, have.lower() in [n.lower() for n in names], f"{cond} is {have or 'unknown'}"))
        elif cond in _KEYWORD_CONDITIONS:
            found = [kw for kw, pattern in rule._patterns[cond] if pattern.search(text)]
            passed = {"keywords_any": bool(found), "keywords_all": len(found) == len(want),
                      "keywords_none": not found}[cond]  # fmt: skip
            checks.append(Check(cond, passed, f"found: {', '.join(found)}" if found else "none of them found"))
        elif cond == "sentiment_below":
            score = m["sentiment"]["score"] or 0.0
            checks.append(Check(cond, score < want, f"sentiment {score:+.2f}"))
        elif cond == "sentiment_above":
            score = m["sentiment"]["score"] or 0.0
            checks.append(Check(cond, score > want, f"sentiment {score:+.2f}"))
        elif cond == "priority_at_least":
            level = m["priority"]["level"] or "low"
            checks.append(Check(cond, LEVELS.index(level) >= LEVELS.index(want), f"priority {level}"))
        elif cond == "followers_at_least":
            followers = m["author"]["followers"] or 0
            checks.append(Check(cond, followers >= want, f"{followers} followers"))
        elif cond == "author_in":
            handle = m["author"]["handle"].lower()
            checks.append(Check(cond, handle in [h.lower().lstrip("@") for h in want], f"author @{handle}"))
        elif cond == "is_question":
            asked = "question" in (m["priority"]["reasons"] or [])
            checks.append(Check(cond, asked == want, "a question" if asked else "not a question"))
        elif cond == "is_reply_to_us":
            checks.append(Check(cond, is_reply_to_us == want, "replies to us" if is_reply_to_us else "not a reply to us"))
        elif cond == "overdue":
            sla = m.get("sla") or {}
            late = bool(sla.get("breached"))
            why = f"due {sla['due_at']}" if sla.get("due_at") else "no response target applies"
            checks.append(Check(cond, late == want, ("overdue, " if late else "not overdue, ") + why))
    return checks


def matches(rule: Rule, m: dict[str, Any], *, is_reply_to_us: bool = False) -> bool:
    return all(c.passed for c in evaluate(rule, m, is_reply_to_us=is_reply_to_us))
