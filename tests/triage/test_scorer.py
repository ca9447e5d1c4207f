"""The trained sentiment model as shipped: what it reads, what it says and why, in which languages,
and that scoring needs neither numpy nor anything a read-only command loads."""

import math
import subprocess
import sys

import pytest

from commwatch.triage import lang, lexicon, scorer
from commwatch.triage import textfeatures as tf
from commwatch.triage.sentiment import vader_scores


@pytest.fixture(scope="module")
def model():
    return scorer.SentimentModel.load(scorer.SHIPPED)


@pytest.mark.parametrize("text", [
    "I love this product! 😍", "Die neue Version ist wirklich großartig, danke!", "not bad at all, @acme http://x.co",
    "El soporte es pésimo, nadie contesta", "الخدمة سيئة جدا", "", "👍", "a" * 3000,
])  # fmt: skip
def test_the_cached_fast_path_reads_exactly_the_training_features(model, text):
    """Scoring sums cached per-token contributions; training reads token_buckets: the same logits."""
    language = lang.detect(text)
    tokens = tf.tokens(text)
    fast, _ = model.logits(tokens, language, vader_scores(text))
    k = model.scale * scorer.length_scale(tokens)
    slow = list(model.bias)
    for bucket in scorer.token_buckets(tokens, language, model.languages):
        for c in range(3):
            slow[c] += model.weights[3 * bucket + c] * k
    for position, value in scorer.dense_values(vader_scores(text), language, model.languages, tokens):
        for c in range(3):
            slow[c] += model.dense[position][c] * value
    assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(fast, slow))


def test_a_saved_model_loads_back_the_same(model, tmp_path):
    copy = scorer.SentimentModel(dict(model.header), model.weights)
    copy.save(tmp_path / "m.cwsm")
    again = scorer.SentimentModel.load(tmp_path / "m.cwsm")
    assert again.id == copy.id == model.id  # the id is the weights' hash
    for text in ("great support", "this is broken again", "meh"):
        assert again.score(text) == model.score(text)
    (tmp_path / "bad.cwsm").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a commwatch sentiment model"):
        scorer.SentimentModel.load(tmp_path / "bad.cwsm")


@pytest.mark.parametrize("text, label", [
    ("I love this product!", "positive"),
    ("worst support ever, still waiting for my refund :(", "negative"),
    ("Die neue Version ist wirklich großartig, danke!", "positive"),  # "Die" is not the English word
    ("Le service client ne répond jamais, c'est nul", "negative"),
    ("El soporte es pésimo, nadie contesta", "negative"),
    ("Ottimo servizio, grazie mille", "positive"),
    ("O aplicativo é péssimo, não funciona", "negative"),
    ("Adorei o novo recurso, muito bom!", "positive"),
    ("Das Update ist furchtbar, nichts funktioniert", "negative"),
    ("الخدمة سيئة جدا", "negative"),
])  # fmt: skip
def test_plain_posts_in_each_claimed_language(model, text, label):
    assert model.score(text).label == label


def test_a_reading_has_probabilities_confidence_and_reasons(model):
    s = model.score("worst support ever, still waiting for my refund :(")
    assert set(s.probabilities) == {"negative", "neutral", "positive"}
    assert math.isclose(sum(s.probabilities.values()), 1.0, abs_tol=1e-3)
    assert s.confidence == s.probabilities["negative"] and s.score == pytest.approx(
        s.probabilities["positive"] - s.probabilities["negative"], abs=1e-3)
    assert s.lang == "en" and any('"worst"' in r for r in s.reasons)
    assert not any(r.startswith(('"my"', '","', '"ever"')) for r in s.reasons[:1])  # function words are no reason


def test_a_language_it_was_not_trained_on_says_so(model):
    dutch = model.score("Dit is echt een slechte service, ik ben niet blij")
    assert dutch.lang == "nl" and any("language nl: not one the model was trained on" in r for r in dutch.reasons)
    hindi = model.score("kya bakwas service hai yaar, bilkul bekar")
    assert hindi.lang == "hi"
    assert ("hi" in model.claimed) or any("language hi" in r for r in hindi.reasons)
    assert not any("language" in r for r in model.score("worst support ever").reasons)


def test_a_platforms_language_wins_over_detection(model):
    assert model.score("merci", "fr").lang == "fr" and model.score("merci", "pt-BR").lang == "pt"


@pytest.mark.parametrize("text, code", [
    ("the dashboard is down again and nobody answers", "en"), ("el panel no funciona y nadie responde", "es"),
    ("o painel não funciona e ninguém responde", "pt"), ("le tableau de bord ne marche pas", "fr"),
    ("das Dashboard funktioniert nicht und niemand antwortet", "de"), ("il pannello non funziona e nessuno risponde", "it"),
    ("لوحة التحكم لا تعمل", "ar"), ("डैशबोर्ड काम नहीं कर रहा है", "hi"), ("kya hua, bilkul nahi chal raha hai", "hi"),
    ("het dashboard werkt niet en niemand antwoordt", "nl"), ("Bu ürün çok kötü, hiç beğenmedim", "tr"),
    ("これは最悪です", "ja"), ("Это ужасный сервис", "ru"), ("服务太差了", "zh"), ("😂😂", "und"), ("", "und"),
])  # fmt: skip
def test_language_detection(text, code):
    assert lang.detect(text) == code


def test_negation_and_the_lexicon():
    assert tf.tokens("I don't like it :( but ok") == ["i", "don't", "~like", "~it", ":(", "but", "ok"]
    assert tf.tokens("nicht gut. gut") == ["nicht", "~gut", ".", "gut"]
    assert lexicon.polarity("großartigen") == 1 and lexicon.polarity("enttäuschend") == -1
    assert scorer.lexicon_counts(["pas", "~génial", "nul"]) == (0, 2)  # "not great" counts as negative
    assert tf.word_features("~bad") == [tf.bucket("w ~bad"), tf.NEGATED]  # not read through "bad"


def test_the_shipped_model_is_small_and_claims_what_it_was_checked_on(model):
    assert scorer.SHIPPED.stat().st_size <= 20 * 1024 * 1024
    assert set(model.claimed) <= set(model.languages) and "en" in model.claimed
    for name, figures in model.header["validation"].items():
        code = "en" if name == "tweeteval" else name.removeprefix("umsab-")
        if code in model.claimed:
            assert figures["model"]["macro_recall"] >= figures["vader"]["macro_recall"] + 0.05, name


def test_scoring_needs_no_numpy_and_read_only_commands_load_no_model():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from commwatch.triage.scorer import current\n"
            "print(current().score('great stuff').label)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "positive", out.stderr
    check = ("import sys\nfrom commwatch.cli.main import app\n"
             "try:\n    app(['--help'], prog_name='commwatch')\nexcept SystemExit:\n    pass\n"
             "print('LOADED' if 'commwatch.triage.scorer' in sys.modules or 'numpy' in sys.modules else 'CLEAN')")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert out.stdout.strip().endswith("CLEAN"), out.stdout + out.stderr
