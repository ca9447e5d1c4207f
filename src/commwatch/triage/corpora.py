"""Labelled text to train and evaluate the sentiment model on, read from files (never shipped).

`read_folder(DIR)` reads every labelled file in a folder, one set per file (or file pair):
    NAME_text.txt + NAME_labels.txt   TweetEval style: a text a line; labels 0 negative,
                                      1 neutral, 2 positive (or the words)
    *.jsonl                           {"text": …, "label": "negative"|"neutral"|"positive"
                                      (or 0/1/2), "lang": optional ISO code}
    *.tsv                             SemEval style: id TAB label word TAB text
    tweets_GroundTruth.txt            VADER's rated tweets: id TAB mean rating TAB text
`shared_corpora(DIR)` reads the layout of ../shared/data/sentiment (see its SOURCE.md) as
the training data and the validation sets the shipped model was chosen on.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

CLASSES = ("negative", "neutral", "positive")
UMSAB = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi", "italian": "it",
         "portuguese": "pt", "spanish": "es"}  # fmt: skip
VADER_THRESHOLD = 0.5  # a mean human rating at or beyond ±0.5 (of ±4) is positive or negative
# VADER's tweets count more in training: they stand for the plainly worded posts on which VADER
# is already good, and the model must not be worse there than VADER.
VADER_WEIGHT = 3.0
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)")
_ESCAPED = {"t": " ", "n": " ", "'": "'", '"': '"', "\\": "\\"}


@dataclass
class Example:
    text: str
    label: int  # index into CLASSES
    lang: str | None = None  # the language, when the set says
    weight: float = 1.0


class CorpusError(Exception):
    """A file that is not labelled text in a known layout."""


def label_index(value: object) -> int:
    if isinstance(value, str) and value.strip().lower() in CLASSES:
        return CLASSES.index(value.strip().lower())
    if isinstance(value, (int, str)) and str(value).strip() in ("0", "1", "2"):
        return int(str(value).strip())
    raise CorpusError(f"{value!r} is not a label (negative, neutral, positive or 0, 1, 2)")


def read_folder(folder: Path) -> dict[str, list[Example]]:
    """Every labelled set in `folder` (not its subfolders), by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder")
    sets: dict[str, list[Example]] = {}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.endswith("_text.txt") and (folder / name.replace("_text.txt", "_labels.txt")).exists():
            sets[name.removesuffix("_text.txt")] = read_pairs(path.with_name(name.removesuffix("_text.txt")))
        elif name.endswith(".jsonl"):
            sets[path.stem] = read_jsonl(path)
        elif name.endswith(".tsv"):
            sets[path.stem] = read_semeval(path)
        elif name == "tweets_GroundTruth.txt":
            sets[path.stem] = read_vader(path)
    if not sets:
        raise CorpusError(f"{folder} has no labelled files (NAME_text.txt with NAME_labels.txt, *.jsonl, *.tsv)")
    return sets


def read_pairs(prefix: Path, lang: str | None = None) -> list[Example]:
    texts = Path(f"{prefix}_text.txt").read_text(encoding="utf-8").split("\n")
    labels = Path(f"{prefix}_labels.txt").read_text(encoding="utf-8").split()
    if len(texts) < len(labels):
        raise CorpusError(f"{prefix}_text.txt has fewer lines than its labels")
    return [Example(text, label_index(label), lang) for text, label in zip(texts, labels)]


def read_jsonl(path: Path) -> list[Example]:
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            out.append(Example(str(item["text"]), label_index(item["label"]), item.get("lang")))
        except (ValueError, KeyError, TypeError, CorpusError) as exc:
            raise CorpusError(f"{path} line {number}: {exc}") from None
    return out


def read_semeval(path: Path) -> list[Example]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[1].strip() in CLASSES:
            out.append(Example(unescape(parts[2]), CLASSES.index(parts[1].strip()), "en"))
    return out


def read_vader(path: Path) -> list[Example]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rating = float(parts[1])
            label = 2 if rating >= VADER_THRESHOLD else 0 if rating <= -VADER_THRESHOLD else 1
            out.append(Example(parts[2], label, "en"))
    return out


def unescape(text: str) -> str:
    """SemEval's downloaded tweets: \\uXXXX escapes (surrogate pairs too), escaped quotes and tabs."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else _ESCAPED.get(m.group(2), m.group(0)),
                       text).strip()  # fmt: skip
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def dedup_key(text: str) -> str:
    """Two copies of a tweet (one with its link and @handle, one anonymised) share this key."""
    from commwatch.triage.textfeatures import normalise

    return re.sub(r"\W|_", "", re.sub(r"http|@user", "", normalise(text)))[:80]


def shared_corpora(folder: Path) -> tuple[list[Example], dict[str, list[Example]]]:
    """(training examples, validation sets) from the shared data folder's layout. A training
    text that is also in a validation set (TweetEval's validation tweets are SemEval tweets) is
    dropped; VADER's tweets are split 70/30 by a hash of their text."""
    folder = Path(folder)
    validation: dict[str, list[Example]] = {"tweeteval": read_pairs(folder / "tweeteval" / "val", "en")}
    train: list[Example] = []
    for name, code in UMSAB.items():
        validation[f"umsab-{code}"] = read_pairs(folder / "umsab" / name / "val", code)
        train += read_pairs(folder / "umsab" / name / "train", code)
    vader_train, vader_val = [], []
    for example in read_vader(folder / "tweets_GroundTruth.txt"):
        example.weight = VADER_WEIGHT
        (vader_val if zlib.crc32(example.text.encode()) % 10 < 3 else vader_train).append(example)
    validation["vader-tweets"] = vader_val
    train += vader_train
    for path in sorted((folder / "semeval2013-2016").glob("*.tsv")):
        train += read_semeval(path)
    held = {dedup_key(e.text) for rows in validation.values() for e in rows}
    seen: set[tuple[str | None, str]] = set()
    kept = []
    for example in train:
        key = dedup_key(example.text)
        if key and key not in held and (example.lang, key) not in seen:
            seen.add((example.lang, key))
            kept.append(example)
    return kept, validation
