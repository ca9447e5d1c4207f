"""Rules are data: validated with named keys, evaluated with reasons."""

import pytest

from commwatch import config as config_module
from commwatch.triage.rules import evaluate, matches

MENTION = {
    "platform": "x", "source": "brand-x", "lang": "en", "title": None,
    "text": "I want my MONEY back, this is a scam. Filing a small  claims case?",
    "author": {"handle": "Dana", "followers": 25000},
    "sentiment": {"score": -0.7, "label": "negative"},
    "priority": {"score": 80, "level": "urgent", "reasons": ["very negative (-0.70)", "question"]},
}  # fmt: skip


def rule(match, actions=None):
    cfg = config_module.parse({"targets": {"pr": {"type": "slack", "url_env": "X"}},
                               "rules": [{"name": "r", "match": match, "actions": actions or {"tag": ["t"]}}]})  # fmt: skip
    return cfg.rules[0]


@pytest.mark.parametrize(
    "match, expected",
    [
        ({"platform": "x"}, True),
        ({"platform": ["reddit", "youtube"]}, False),
        ({"source": "brand-x", "lang": ["en", "de"]}, True),
        ({"keywords_any": ["money back", "refund"]}, True),
        ({"keywords_any": ["mone"]}, False),  # whole words only
        ({"keywords_all": ["scam", "small claims"]}, True),  # phrases match across extra spaces
        ({"keywords_none": ["scam"]}, False),
        ({"sentiment_below": -0.5}, True),
        ({"sentiment_above": 0.0}, False),
        ({"priority_at_least": "high"}, True),
        ({"followers_at_least": 25001}, False),
        ({"author_in": ["@dana"]}, True),
        ({"is_question": True}, True),
        ({"is_reply_to_us": True}, False),
    ],
)
def test_conditions(match, expected):
    assert matches(rule(match), MENTION) is expected


def test_evaluate_explains_each_condition():
    checks = evaluate(rule({"keywords_any": ["scam"], "followers_at_least": 100000}), MENTION)
    assert [(c.condition, c.passed, c.why) for c in checks] == [
        ("keywords_any", True, "found: scam"),
        ("followers_at_least", False, "25000 followers"),
    ]


@pytest.mark.parametrize(
    "table, key",
    [
        ({"match": {"sentiment_below": -2}, "actions": {"tag": ["a"]}}, "rules[0].match.sentiment_below"),
        ({"match": {"mood": "angry"}, "actions": {"tag": ["a"]}}, "rules[0].match.mood"),
        ({"match": {}, "actions": {"escalate": "legal"}}, "rules[0].actions.escalate"),
        ({"match": {}, "actions": {"tag": "a"}}, "rules[0].actions.tag"),
        ({"match": {}, "actions": {"priority": "critical"}}, "rules[0].actions.priority"),
        ({"match": {}, "actions": {"snooze": "later"}}, "rules[0].actions.snooze"),
        ({"match": {}, "actions": {"delete": True}}, "rules[0].actions.delete"),
        ({"match": {}}, "rules[0].actions"),
        ({"match": {}, "actions": {"tag": ["a"]}, "when": "now"}, "rules[0].when"),
    ],
)
def test_bad_rules_are_config_errors_naming_the_key(table, key):
    with pytest.raises(config_module.ConfigError) as info:
        config_module.parse({"targets": {"pr": {"type": "slack", "url_env": "SLACK_PR"}}, "rules": [table]})
    assert info.value.key == key
