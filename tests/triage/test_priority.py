from datetime import datetime, timezone

import pytest

from commwatch.model import Author, Level, Mention, Sentiment
from commwatch.triage.triaged import triage
from commwatch.triage.priority import level_for, prioritise
from commwatch.triage.scorer import current
from commwatch.triage.sentiment import score_text

KEYWORDS = ["refund", "outage", "hacked", "lawsuit", "down", "scam", "chargeback", "data breach"]


def mention(text, *, followers=None, verified=False, metrics=None, title=None) -> Mention:
    return Mention(
        platform="x",
        remote_id="1",
        text=text,
        created_at=datetime(2024, 5, 1, tzinfo=timezone.utc),
        author=Author(handle="someone", followers=followers, verified=verified),
        metrics=metrics or {},
        title=title,
    )


NEUTRAL = Sentiment(0.0, "neutral")


def score(m: Mention, sentiment: Sentiment = NEUTRAL, keywords=()):
    return prioritise(m, sentiment, urgent_keywords=list(keywords))


def triaged(text, **kwargs) -> Mention:
    m = mention(text, **kwargs)
    triage(m, KEYWORDS)
    return m


def test_an_angry_refund_demand_from_a_big_account_is_urgent():
    m = triaged("You charged me twice and support ignores me. I want a REFUND now, this is a scam!", followers=50_000)
    assert m.sentiment.label == "negative"
    assert m.priority.level is Level.URGENT
    assert "urgent keywords: refund, scam" in m.priority.reasons
    assert "reach: 50k followers" in m.priority.reasons


def test_praise_from_a_small_account_is_low():
    m = triaged("Just tried Acme Deploy, it's amazing! Love it ❤️", followers=40, metrics={"likes": 2})
    assert m.priority.level is Level.LOW
    assert m.priority.score < 10


def test_a_neutral_question_is_medium():
    m = triaged("How do I export my data from the dashboard?", followers=300)
    assert m.sentiment.label == "neutral"
    assert m.priority.level is Level.MEDIUM
    assert m.priority.reasons[0] == "question"


@pytest.mark.parametrize(
    "text",
    ["can I change my plan", "@acmecloud where is the export button", "u/acme_support: why is billing slow",
     "¿Puedo cambiar mi plan", "Cómo puedo cambiar mi plan", "Wie kann ich mein Passwort ändern",
     "Pourquoi la facture est en double", "Onde fica o botão de exportar", "Waarom werkt de export niet",
     "Perché non funziona l'esportazione", "Any ideas for a faster deploy", "is it just me or is the CLI slow"],
)  # fmt: skip
def test_questions_are_recognised_in_several_languages(text):
    assert "question" in score(mention(text)).reasons


@pytest.mark.parametrize(
    "text", ["Using the CLI now, works fine", "See https://acme.dev/docs?page=2 for details", "Done with the migration"]
)
def test_statements_are_not_questions(text):
    assert "question" not in score(mention(text)).reasons


def test_keywords_match_whole_words_and_phrases_case_insensitively():
    def reasons(text):
        return prioritise(mention(text), Sentiment(0.0, "neutral"), urgent_keywords=KEYWORDS).reasons

    assert "urgent keyword: refund" in reasons("REFUND please")
    assert "urgent keyword: data breach" in reasons("was there a Data  Breach yesterday")
    assert "urgent keyword: down" in reasons("site down.")
    assert not any("keyword" in r for r in reasons("refunded already, downloading now, scammer-free"))


def test_keywords_in_the_title_count():
    m = mention("see the post", title="Outage in eu-west")
    p = prioritise(m, Sentiment(0.0, "neutral"), urgent_keywords=KEYWORDS)
    assert p.reasons == ["urgent keyword: outage"]
    assert p.level is Level.MEDIUM


def test_reasons_are_in_order_of_contribution():
    m = triaged("This outage is a disaster, everything is broken and I am furious", followers=2_000_000,
                metrics={"likes": 340, "replies": 12})  # fmt: skip
    reasons = m.priority.reasons
    assert reasons[0].startswith("very negative (-0.")
    assert reasons[1:] == ["urgent keyword: outage", "reach: 2M followers", "engagement: 340 likes, 12 replies"]
    assert m.priority.score == 100 and m.priority.level is Level.URGENT


def test_more_negative_is_never_lower():
    scores = [prioritise(mention("x"), Sentiment(c, "negative"), urgent_keywords=[]).score
              for c in (-0.05, -0.2, -0.5, -0.8, -1.0)]  # fmt: skip
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert prioritise(mention("x"), Sentiment(0.9, "positive"), urgent_keywords=[]).score == 0


@pytest.mark.parametrize("text, compound", [("thanks", 0.4), ("is the API down?", 0.0), ("refund now, scam", -0.7)])
def test_more_followers_never_lower_the_score(text, compound):
    sentiment = Sentiment(compound, "x")
    scores = [prioritise(mention(text, followers=f), sentiment, urgent_keywords=KEYWORDS).score
              for f in (None, 0, 1, 50, 100, 999, 5_000, 50_000, 10**6, 10**9)]  # fmt: skip
    assert scores == sorted(scores)
    assert scores[-1] > scores[0]


def test_verified_adds_a_little():
    plain = score(mention("hello", followers=5_000))
    verified = score(mention("hello", followers=5_000, verified=True))
    assert 0 < verified.score - plain.score <= 5
    assert verified.reasons == ["reach: 5k followers, verified"]


def test_more_engagement_never_lowers_the_score():
    counts = (0, 1, 10, 100, 1_000, 10**5, 10**8)
    scores = [score(mention("hi", metrics={"likes": n, "score": n})).score for n in counts]
    assert scores == sorted(scores) and scores[-1] > scores[0]


def test_engagement_reason_names_the_biggest_metrics():
    p = prioritise(mention("hi", metrics={"score": 3400, "comments": 120, "impressions": 10**6}),
                   Sentiment(0.0, "neutral"), urgent_keywords=[])  # fmt: skip
    assert p.reasons == ["engagement: 3.4k points, 120 comments"]


@pytest.mark.parametrize("followers", [None, -5, 0, 10**12])
def test_score_is_bounded_and_odd_input_is_safe(followers):
    worst = mention("why is there an outage? refund! scam! lawsuit! hacked! chargeback!", followers=followers,
                    verified=True, metrics={"likes": 10**9, "replies": -3, "score": -50})  # fmt: skip
    for compound in (-1.0, 0.0, 1.0):
        p = prioritise(worst, Sentiment(compound, "x"), urgent_keywords=KEYWORDS)
        assert 0 <= p.score <= 100 and isinstance(p.score, int)
    nothing = prioritise(mention(""), Sentiment(0.0, "neutral"), urgent_keywords=[])
    assert nothing.score == 0 and nothing.level is Level.LOW and nothing.reasons == []


def test_deterministic():
    m = mention("Is the API down? Third outage this week, terrible", followers=12_345, metrics={"likes": 7})
    s = score_text(m.text)
    results = {repr(prioritise(m, s, urgent_keywords=KEYWORDS)) for _ in range(5)}
    assert len(results) == 1


@pytest.mark.parametrize(
    "points, level",
    [(0, Level.LOW), (24, Level.LOW), (25, Level.MEDIUM), (49, Level.MEDIUM),
     (50, Level.HIGH), (74, Level.HIGH), (75, Level.URGENT), (100, Level.URGENT)],
)  # fmt: skip
def test_level_thresholds(points, level):
    assert level_for(points) is level


def test_triage_scores_title_and_text_together():
    m = triaged("no details", title="Terrible, awful release")
    alone = current().score("Terrible, awful release\nno details")
    assert (m.sentiment.label, m.sentiment.score) == (alone.label, alone.score)
    assert m.sentiment.label == "negative" and m.sentiment.probabilities == alone.probabilities
    assert m.priority is not None
