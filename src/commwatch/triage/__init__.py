"""Triage: the sentiment and priority of a mention, filled in before it is stored.

triaged.py applies them to a mention; scorer.py is the trained sentiment model
(textfeatures, lang and lexicon are what it reads; learn and corpora train it);
sentiment.py is VADER, whose scores the model uses as features; priority.py,
rules.py, alerts.py and sla.py are pure functions of a mention and the config.
Nothing here is imported when the package is: the rules grammar (rules.py) is
read by every command that loads the config.
"""
