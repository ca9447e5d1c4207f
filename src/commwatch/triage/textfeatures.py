"""What the sentiment model reads in a text: words (negation marked), word pairs and the
character n-grams of each word, hashed into a fixed number of buckets.

Pure Python and deterministic across processes (CRC-32, never Python's salted `hash`),
so training (tools/train_sentiment.py, `commwatch triage train`) and scoring see the
same features. The model is linear, so a word's whole contribution (its own weight
plus its n-grams') can be cached per word: that is what makes scoring fast.

Normalisation: HTML entities decoded, lower case, links → "http", @handles →
"@user", digits in words → "0" (not in emoticons such as <3), a letter repeated three times or more → twice, emoji
variation selectors and skin tones dropped, a hashtag read as its word.
"""

from __future__ import annotations

import html
import re
from zlib import crc32

BUCKETS = 1 << 20  # hashed feature space (a power of two)
MASK = BUCKETS - 1
NGRAMS = (2, 3, 4, 5)  # character n-grams of each word, padded with spaces
MAX_WORD = 24  # longer words (tokens of pasted junk) contribute their first MAX_WORD characters' n-grams
NEGATION_SCOPE = 3  # words after a negator read as negated (punctuation, an emoji or "but" ends it sooner)

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)[@＠]\w+")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_NOISE = {0xFE0E: None, 0xFE0F: None, 0x200D: " "} | {cp: None for cp in range(0x1F3FB, 0x1F400)}
# A word: letters and digits with the combining marks of the scripts we read (Latin accents,
# Arabic harakat, Devanagari matras), apostrophes inside; anything else that is not a space is
# a token of its own (punctuation, each emoji).
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
_EMOTICON = r"[<>]?[:;=8xX][\-o*'’^]?[)\](\[dDpP/\\|@3*$]+|[)\](\[dDpP/\\|@3]+[\-o*'’^]?[:;=8]|<3+|</3|\^_*\^|-_+-|[oO0]_[oO0]"
_TOKEN = re.compile(rf"@user|{_EMOTICON}|(?:[^\W_]|[{_MARKS}])+(?:['’](?:[^\W_]|[{_MARKS}])+)*|[^\w\s]")
_CONTRAST = frozenset("but however though although pero aunque mas porém mais cependant aber doch jedoch ma però لكن lekin par".split())

# Words that turn what follows around, in the languages the model is trained on.
NEGATORS = frozenset("""
not no never cannot cant dont doesnt didnt isnt wasnt arent werent wont wouldnt shouldnt couldnt aint nor
neither nobody nothing none without hardly
nunca jamás jamas ni sin tampoco nadie nada ningún ninguno ninguna
não nao nem sem nenhum nenhuma ninguém
ne pas jamais rien sans aucun aucune personne plus
nicht kein keine keinen keinem keiner nie niemals ohne nichts niemand
non mai senza niente nessuno nessuna né
nahi nahin nhi na mat
لا لم لن ما ليس غير بدون
नहीं ना मत न
""".split())


def normalise(text: str) -> str:
    # Each step only when it can change something: most posts have no entity, link or handle.
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = text.translate(_NOISE)
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" http ", text)
    if "@" in text or "＠" in text:
        text = _HANDLE.sub(" @user ", text)
    return _REPEAT.sub(r"\1\1", text)


def tokens(text: str) -> list[str]:
    """The normalised text's tokens, each word after a negator marked with a leading "~"."""
    out: list[str] = []
    negated = 0
    for token in _TOKEN.findall(normalise(text)):
        if not token[0].isalnum() or token in _CONTRAST:  # punctuation, emoticons, emoji, "but": the scope ends
            negated = 0
            out.append(token)
            continue
        if token[0].isdigit() or token[-1].isdigit():
            token = _DIGITS.sub("0", token)
        out.append("~" + token if negated else token)
        negated = max(0, negated - 1)
        if token in NEGATORS or token.endswith(("n't", "n’t")):
            negated = NEGATION_SCOPE
    return out


def bucket(feature: str) -> int:
    return crc32(feature.encode("utf-8", "surrogatepass")) & MASK


NEGATED = bucket("negated")  # every negated word also lights this one


def word_features(token: str) -> list[int]:
    """The buckets one token lights up: the token itself, and the n-grams of its word. A negated
    word ("~good") lights only itself and NEGATED: its spelling would otherwise carry the
    unnegated word's sentiment ("not bad" read through "bad")."""
    if token.startswith("~"):
        return [bucket("w " + token), NEGATED]
    found = [bucket("w " + token)]
    padded = f" {token[:MAX_WORD]} "
    size = len(padded)
    for n in NGRAMS:
        if n > size:
            break
        found.extend(bucket(f"{n}{padded[i:i + n]}") for i in range(size - n + 1))
    return found


def pair_bucket(first: str, second: str) -> int:
    return bucket(f"p {first} {second}")
