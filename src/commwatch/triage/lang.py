"""Which language a short social post is in, without a model download: the script first
(Arabic, Devanagari, CJK, Cyrillic… settle it), then, for Latin script, the function
words and letters each language uses most. Returns an ISO 639-1 code, or "und" when a
post is too short or too mixed to say (an emoji, a link, "lol").

Tuned for tweets and comments: about 0.95 on the UMSAB validation tweets of the
languages the sentiment model is trained on (see benchmarks/). Romanised Hindi
("kya hua, bilkul nahi") is "hi" like Devanagari Hindi.
"""

from __future__ import annotations

import re

UNDETERMINED = "und"

# Script ranges that decide the language (or a close family) on their own.
_SCRIPTS = [
    (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"), "zh"),
    (re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"), "ar"),
    (re.compile(r"[\u0900-\u097f]"), "hi"),
    (re.compile(r"[\u0980-\u09ff]"), "bn"),
    (re.compile(r"[\u0b80-\u0bff]"), "ta"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u10a0-\u10ff]"), "ka"),
    (re.compile(r"[\u0530-\u058f]"), "hy"),
]
_PERSIAN = re.compile(r"[پچژگ]")
_URDU = re.compile(r"[ٹڈڑںے]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")

# The most frequent short words of each language, as found in tweets.
_STOPWORDS = {
    "en": "the a an and or but is are was were be been am i you he she it we they me my your our their this that "
          "these those to of in on at for with from by as not no so if just what how why when who do does did "
          "have has had will would can could should im it's i'm don't can't dont cant its u ur lol yes get got "
          "like about all out up there one more than too very really",
    "es": "el la los las un una unos y o pero es son era fue ser estoy está están estar que de del en con por "
          "para como más muy no sí ya lo le les se me te mi tu su nos yo tú él ella hay este esta eso esto qué "
          "cuando donde porque todo todos también hoy bien",
    "pt": "o a os as um uma e ou mas é são era foi ser estou está estão que de do da dos das em no na nos nas com "
          "por para como mais muito não sim já lo lhe se me te meu minha seu sua eu você ele ela tem este esta "
          "isso isto quando onde porque tudo também hoje bem vai pra né",
    "fr": "le la les un une des et ou mais est sont était être suis es que qui de du en dans sur avec pour par "
          "comme plus très ne pas oui je tu il elle on nous vous ils elles me te se mon ma mes ton ta son sa "
          "ce cette ces c'est j'ai au aux tout tous aussi bien fait quand",
    "de": "der die das den dem des ein eine einen einem und oder aber ist sind war waren sein bin bist dass "
          "zu von mit für auf an im in aus bei nach wie mehr sehr nicht ja nein ich du er sie es wir ihr mich "
          "mir dich dir sich mein dein auch noch schon nur wenn was wer hat haben wird",
    "it": "il lo la i gli le un uno una e o ma è sono era essere che di del della dei delle in con per come "
          "più molto non sì io tu lui lei noi voi mi ti si mio mia suo sua questo questa anche ancora già "
          "quando dove perché tutto tutti ho ha hanno sei",
    "nl": "de het een en of maar is zijn was waren dat die van in op met voor door als meer zeer niet ja nee "
          "ik jij je hij zij wij jullie mij me mijn ook nog al wel er om wat dit deze echt heel zo geen nu "
          "naar bij kan wordt hebben heb",
    "sv": "och att det som en ett är var för på med av till inte jag du han hon vi ni de mig dig min din "
          "också har hade kan ska",
    "da": "og at det som en et er var for på med af til ikke jeg du han hun vi de mig dig min din også har "
          "kan skal",
    "no": "og at det som en et er var for på med av til ikke jeg du han hun vi de meg deg min din også har "
          "kan skal",
    "fi": "ja on ei se että oli olen ovat minä sinä hän me te he mutta kun niin myös vain tämä",
    "pl": "i w na z do że nie jest się to jak ale po o co tak jestem był jego jej ich mnie mi ty ja już "
          "tylko bardzo",
    "cs": "a v na s z do že ne je se to jak ale po o co tak jsem byl jeho její mě mi ty já už jen velmi",
    "tr": "ve bir bu da de için ile ne çok daha var yok ben sen o biz siz onlar ama gibi mi mı değil",
    "id": "dan yang di ke dari ini itu dengan untuk tidak ada saya aku kamu dia kami mereka juga sudah akan "
          "bisa tapi atau",
    "ro": "și în de la cu pe nu este să că o un din care mai sunt am ai",
    "hu": "a az és egy hogy nem is van volt de meg már csak mint vagy",
    "ca": "el la els les i o però és són que de del en amb per com més molt no sí jo tu ell ella",
    "hi": "hai hain ki ke ka ko se mein main bhi aur ho tha thi nahi nahin kya ye yeh wo woh ek kuch "
          "kar karo raha rahe hum tum aap mera meri tera teri apna abhi sab bahut log",
    "tl": "ang ng sa na at ay mga ko mo siya ako ikaw kami tayo hindi oo po",
}
# Each function word → the languages that use it (one lookup a word).
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in set(_words.split()):
        FUNCTION_WORDS[_word] = FUNCTION_WORDS.get(_word, ()) + (_lang,)
# Letters that point to one language among the Latin-script ones.
_LETTERS = {
    "es": "ñ¿¡", "pt": "ãõ", "de": "ßä", "fr": "èêëœ", "it": "ìò", "pl": "ąęłśźżćń", "tr": "ığş",
    "cs": "řěů", "ro": "șțăâî", "hu": "őű", "vi": "ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    "sv": "å", "da": "æø", "no": "æø",
}
# Letters shared by a few languages: a weaker hint each.
_SHARED_LETTERS = {"é": {"fr": 1.0, "es": 0.5, "pt": 0.5, "it": 0.3}, "à": {"fr": 1.0, "pt": 0.5, "it": 0.5},
                   "ç": {"fr": 0.7, "pt": 0.7}, "á": {"es": 0.7, "pt": 0.7}, "í": {"es": 0.7, "pt": 0.5},
                   "ó": {"es": 0.7, "pt": 0.5}, "ú": {"es": 0.7, "pt": 0.5}, "ô": {"pt": 0.7, "fr": 0.7},
                   "â": {"pt": 0.7, "fr": 0.5}, "ü": {"de": 1.0, "tr": 0.8, "hu": 0.6},
                   "ö": {"de": 1.0, "tr": 0.8, "hu": 0.8, "sv": 0.5, "fi": 0.5}, "ù": {"fr": 1.0, "it": 0.5}, "û": {"fr": 1.0}}
_ELISION = re.compile(r"\b(?:l|d|j|qu|n|c|s|m|t)['’][^\W\d_]", re.IGNORECASE)  # l'approche, j'ai, qu'il


_HINTS: dict[str, list[tuple[str, float]]] = {}
for _lang, _letters in _LETTERS.items():
    for _ch in _letters:
        _HINTS.setdefault(_ch, []).append((_lang, 1.5))
for _ch, _weights in _SHARED_LETTERS.items():
    _HINTS.setdefault(_ch, []).extend(_weights.items())
_HINT = re.compile("[" + "".join(sorted(_HINTS)) + "]")
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\W\d_]")  # a letter outside the Latin blocks


def detect(text: str | None) -> str:
    """The language of `text` as an ISO 639-1 code, or "und"."""
    if not text:
        return UNDETERMINED
    if "http" in text or "www." in text or "@" in text or "#" in text:
        text = _NOISE.sub(" ", text)
    if not text.isascii():
        others = _NON_LATIN.findall(text)
        if others:
            found = _script("".join(others), len(_LETTER.findall(text)))
            if found:
                return _refine(found, text)
    return _latin(text.lower())


def _script(others: str, letters: int) -> str | None:
    """The script that holds a third of the letters, if one does."""
    for pattern, code in _SCRIPTS:
        found = len(pattern.findall(others))
        if found and found * 3 >= letters:
            return code
    return None


def _refine(code: str, text: str) -> str:
    if code == "ar":
        return "fa" if _PERSIAN.search(text) else "ur" if _URDU.search(text) else "ar"
    if code == "ru" and _UKRAINIAN.search(text):
        return "uk"
    return code


def _latin(text: str) -> str:
    scores: dict[str, float] = {}
    words = _WORD.findall(text)
    for word in words:
        for lang in FUNCTION_WORDS.get(word, ()):
            scores[lang] = scores.get(lang, 0) + 1
    if not text.isascii():
        for ch in _HINT.findall(text):
            for lang, weight in _HINTS[ch]:
                scores[lang] = scores.get(lang, 0) + weight
    if "'" in text or "’" in text:
        scores["fr"] = scores.get("fr", 0) + 0.7 * min(len(_ELISION.findall(text)), 2)
    if not scores:
        # No function word of any language: plain ASCII words are most likely English ("worst
        # support ever"); a single word or accented letters are anyone's.
        return "en" if len(words) >= 2 and text.isascii() else UNDETERMINED
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if top >= 1 and top > second:
        return best
    if top >= 1 and any(lang == "en" and score == top for lang, score in ranked):
        return "en"  # a tie that includes English: short English posts share "a", "me", "no"…
    return UNDETERMINED
