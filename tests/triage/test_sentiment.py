import subprocess
import sys

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from commwatch.triage.sentiment import SEGMENT_CHARS, label_for, prepare, score_text, segments

VADER = SentimentIntensityAnalyzer()


def plain(text: str) -> float:
    return VADER.polarity_scores(text)["compound"]


SHORT = [
    "VADER is smart, handsome, and funny!",
    "The support team never answered. Worst experience ever :(",
    "At least it isn't a horrible book.",
    "is fine I guess",
    "It was GOOD but the ending was not great!!!",
    "lol 😂 this update",
    "",
]


@pytest.mark.parametrize("text", SHORT)
def test_short_text_scores_exactly_as_plain_vader(text):
    assert score_text(text).score == plain(text)


def test_importing_the_module_does_not_import_vader():
    code = "import sys, commwatch.triage.sentiment; print('vaderSentiment' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_emoji_with_variation_selector_scores_like_the_bare_emoji():
    assert score_text("love it ❤️").score == score_text("love it ❤").score == plain("love it ❤")
    assert score_text("❤️").score == plain("❤") > 0.05
    assert score_text("☹️").score == plain("☹") < -0.05
    assert score_text("ok ❤︎").score == score_text("ok ❤").score  # U+FE0E text presentation


def test_skin_tones_and_joiners_are_removed():
    assert score_text("great job 👏🏽").score == score_text("great job 👏").score
    assert "skin" not in prepare("👍🏿")
    assert prepare("👨\u200d👩\u200d👧").split() == ["man", "woman", "girl"]


def test_an_emoji_does_not_swallow_the_next_word():
    assert prepare("❤great").split() == ["red", "heart", "great"]
    assert prepare("ok😂!") == "ok face with tears of joy!"  # as VADER spells it


def test_none_and_bytes_never_raise():
    assert score_text(None).score == 0.0 and score_text(None).label == "neutral"
    assert score_text(b"I love this product").score == plain("I love this product")
    assert score_text("I love it ❤️".encode()).score == score_text("I love it ❤").score
    assert score_text(b"terrible \xff\xfe service").label == "negative"
    assert score_text("   \n ").score == 0.0


@pytest.mark.parametrize(
    "compound, label",
    [(0.05, "positive"), (0.0501, "positive"), (0.0499, "neutral"), (0.0, "neutral"),
     (-0.0499, "neutral"), (-0.05, "negative"), (-0.9, "negative"), (1.0, "positive")],
)  # fmt: skip
def test_labels_use_vaders_thresholds(compound, label):
    assert label_for(compound) == label


def long_text(chars: int) -> str:
    sentences = [
        "The new dashboard is great and the docs are wonderful.",
        "Billing charged me twice and support never replied, which is awful.",
        "I deployed on Tuesday.",
        "Honestly the CLI is fine I guess!",
        "Why does the export keep failing?",
    ]
    out, i = [], 0
    while sum(map(len, out)) + len(out) < chars:
        out.append(sentences[i % len(sentences)])
        i += 1
        if i % 7 == 0:
            out.append("\n")
    return " ".join(out)[:chars]


def test_a_long_text_is_scored_in_segments_weighted_by_length():
    text = long_text(40_000)
    parts = segments(text)
    assert len(parts) >= 40
    assert all(0 < len(p) <= SEGMENT_CHARS for p in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, nothing added
    expected = round(sum(plain(p) * len(p) for p in parts) / sum(len(p) for p in parts), 4)
    result = score_text(text)
    assert result.score == expected
    assert result.label == label_for(expected)


def test_segments_end_at_sentence_or_line_boundaries():
    text = long_text(5_000)
    for part in segments(text)[:-1]:
        assert part.endswith((".", "!", "?")), part[-30:]


def test_a_sentence_longer_than_a_segment_is_cut_at_spaces_or_hard():
    words = ("word " * 700).strip()  # one 3,499-character sentence
    parts = segments(words)
    assert all(len(p) <= SEGMENT_CHARS for p in parts)
    assert " ".join(parts).split() == words.split()
    blob = "x" * 2_500
    assert [len(p) for p in segments(blob)] == [1000, 1000, 500]


def test_a_text_that_fits_is_one_segment():
    text = long_text(SEGMENT_CHARS)
    assert segments(text) == [text]
    assert score_text(text).score == plain(text)
    assert segments("") == [] and segments("  \n ") == []


def test_emoji_count_at_their_spelled_out_length():
    text = "😂" * 200  # 200 characters, about 4,600 once VADER spells them out
    parts = segments(prepare(text))
    assert len(parts) > 1 and all(len(p) <= SEGMENT_CHARS for p in parts)
    assert score_text(text).score > 0.05


def test_scores_are_rounded_to_four_decimals():
    for text in (long_text(12_345), "good", "bad bad terrible"):
        score = score_text(text).score
        assert score == round(score, 4) and -1 <= score <= 1
