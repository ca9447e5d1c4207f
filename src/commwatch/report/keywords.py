"""What negative mentions keep saying: words and two-word phrases, counted once per mention.

Tokens are runs of letters (any script), lower-cased, with URLs, @handles and
numbers dropped; '#devops' counts as 'devops', "l'app" as 'app'. Stop words of
English, Spanish, French, German, Portuguese, Italian and Dutch are skipped. A
phrase is two adjacent words of one clause (punctuation ends it), neither a stop
word. The newest SAMPLE negative mentions of the period are read (a bound on time
and memory; the result says how many were read).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from typing import Any

from commwatch.report.scope import Scope

SAMPLE = 20_000
TOP = 10
MIN_MENTIONS = 2  # "recurring": said in at least two mentions

_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)u/\w+|@\w+")
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”«»…|/\n]+")
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|dell|all|nell|un)'(?=\w)")  # French and Italian: l'app → app
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can can't cannot could couldn't did didn't do does doesn't doing don't during each few
    for from further get gets got had hadn't has hasn't have haven't having he her here hers herself him himself his
    how i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor not now of
    off on once only or other ought our ours ourselves out over own same she should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they're this those through to too under
    until up very was wasn't we we're were weren't what what's when where which while who whom why will with won't
    would wouldn't you you're your yours yourself yourselves im dont cant wont ive thats its u ur yet even still
    really one thing via amp rt lol ok okay yes yeah pls please thanks thank hey hi us got get
    el la los las un una unos unas y o de del al en con por para que qué es son está están ser fue se su sus lo le les
    mi mis tu tus no sí si pero más muy ya como cuando donde porque este esta esto estos estas ese esa eso hay me te
    nos nuestro nuestra todo todos hoy
    le la les un une des et ou de du au aux en dans par pour que qui quoi est sont été être ce cet cette ces il elle
    ils elles je tu nous vous on ne pas plus mais très avec sur se sa son ses mon ma mes ton ta tes leur leurs c'est
    j'ai qu'il n'est d'un d'une y a été fait
    der die das den dem des ein eine einer eines einem und oder zu zum zur von vom mit auf für ist sind war waren
    sein bin bist nicht kein keine aber auch noch schon sehr wie wenn dass es er sie wir ihr ich du man im am an in
    bei nach aus so was wer hat habe haben mein dein unser euer
    o a os as um uma uns umas e ou de do da dos das em no na nos nas por para com que não sim mais muito já como
    quando onde porque este esta isso isto esse essa eu ele ela eles elas nós você vocês meu minha seu sua é foi são
    il lo gli i una uno e o di del della dei delle da dal in nel nella con su per che non sì più ma molto già come
    quando dove perché questo questa quello quella io tu lui lei noi voi loro mio mia è sono era stato
    de het een en of van in op met voor aan dat die dit is zijn was niet geen maar ook nog al wel heel hoe als
    wat wie ik jij je hij zij wij jullie ze mijn
    """.split()
)


def tokens(text: str) -> list[str | None]:
    """The words of `text` in order, with None where a stop word or punctuation breaks a phrase."""
    out: list[str | None] = []
    for clause in _CLAUSE.split(_NOISE.sub(" ", text.casefold().replace("’", "'"))):
        words = (_ELISION.sub("", w) for w in _WORD.findall(clause))
        out += [None if w in STOPWORDS or len(w) < 2 else w for w in words]
        out.append(None)
    return out


def terms(text: str) -> tuple[set[str], set[str]]:
    """(words, two-word phrases) of one text, each once."""
    seq = tokens(text)
    words = {w for w in seq if w}
    phrases = {f"{a} {b}" for a, b in zip(seq, seq[1:]) if a and b and a != b}
    return words, phrases


def negative_keywords(
    conn: sqlite3.Connection, scope: Scope, negative: int, sample: int = SAMPLE, top: int = TOP,
    exclude: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """`negative`: how many negative mentions the period has (from the sentiment mix). `exclude`: words
    never counted (the brand's own names: they lead every list and say nothing), nor phrases with them."""
    # "+m.sentiment_label": not an index term, so the newest are found by walking created_at backwards.
    where, params = scope.where_and(f"{scope.plus}m.sentiment_label = 'negative'")
    rows = conn.execute(
        f"SELECT m.title, m.text FROM mentions m{where} ORDER BY m.created_at DESC LIMIT ?", [*params, sample]
    )
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    read = 0
    for title, text in rows:
        w, p = terms(f"{title}\n{text}" if title else text or "")
        if exclude:
            w = {x for x in w if x not in exclude}
            p = {x for x in p if not exclude.intersection(x.split(" "))}
        words.update(w)
        phrases.update(p)
        read += 1
    return {
        "negative_mentions": negative,
        "read": read,
        "words": _top(words, top),
        "phrases": _top(phrases, top),
    }


def words_of(texts: list[str]) -> frozenset[str]:
    """The words of some names and queries ("x:acmecloud", "(acme OR @acme_support) -is:retweet"),
    as `tokens` would see them, handles included: what the brand calls itself."""
    found: set[str] = set()
    for text in texts:
        plain = text.split(":", 1)[1] if text.count(":") == 1 and text.split(":")[0] in _PLATFORMS else text
        plain = plain.replace("@", " ").replace("u/", " ").replace("#", " ")
        joined = re.findall(r"[^\W_]+(?:_[^\W_]+)+", plain)  # acme_support: whole, not "support"
        found.update(w.casefold() for w in joined)
        for w in joined:
            plain = plain.replace(w, " ")
        found.update(w for w in tokens(plain) if w)
    return frozenset(found - {"or", "and", "not", "is", "retweet", "reply", "lang"})


_PLATFORMS = {"x", "reddit", "youtube", "bluesky", "mastodon", "discourse"}


def _top(counts: Counter[str], top: int) -> list[dict[str, Any]]:
    ranked = sorted(((t, n) for t, n in counts.items() if n >= MIN_MENTIONS), key=lambda tn: (-tn[1], tn[0]))
    return [{"term": t, "mentions": n} for t, n in ranked[:top]]
