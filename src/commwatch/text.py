"""Showing stored data safely, in any face: every field is data, never a terminal command.

Everything commwatch prints came from a platform or a person: text, titles, ids,
handles, source names, tags, assignees, notes, errors. Any of it may carry
control characters that a terminal would obey (ESC sequences that set the
clipboard or clear the screen, C1 controls such as CSI U+009B) or invisible
characters that hide or reorder what is shown (bidi overrides and isolates,
zero-width spaces, line separators, BOMs). `inert` replaces each with a visible
stand-in (ESC → ␛, others → \\xNN or \\uNNNN) so what is shown is what was stored.

Two strengths:
- prose (`inert(text)`): mention text keeps newlines and tabs, and keeps ZERO
  WIDTH JOINER / NON-JOINER (U+200D, U+200C), which emoji sequences and Persian
  or Indic writing need and which can neither move nor hide other text;
- fields (`field(value)`): one line, nothing invisible kept at all. Ids, handles,
  tags, assignees and source names are compared by people, so every invisible
  character is shown.

Widths are in terminal cells (East Asian wide characters take two), so a
column of ids never loses its digits to a wide line of Japanese beside it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

# Every character a terminal obeys or that shows nothing (Unicode 14 categories Cc, Cf, Zl, Zp,
# and the Hangul fillers): C0, DEL, C1, the soft hyphen, bidi marks, embeddings, overrides and
# isolates, zero-width spaces and joiners, invisible operators, the BOM, interlinear annotation
# marks, the tag characters that can smuggle hidden ASCII. Fields show all of them.
_HIDDEN_ABOVE_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_HIDDEN = "\x00-\x1f" + _HIDDEN_ABOVE_C0
_UNSAFE_FIELD = re.compile(f"[{_HIDDEN}]")
# Prose keeps what writing needs and cannot hide or reorder anything: tab and newline; ZERO WIDTH
# (NON-)JOINER (emoji sequences, Persian and Indic words); the prepended concatenation marks of
# Arabic, Syriac and Kaithi numbers and Egyptian hieroglyph layout controls, which show as marks;
# and tag characters inside an emoji flag sequence (🏴 + tags + CANCEL TAG, the flag of Scotland).
_UNSAFE_PROSE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_FLAG_SEQUENCE = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")
_SPACE = re.compile(r"[\t\n ]+")


def _visible(match: re.Match) -> str:
    ch = match.group()
    if ch == "\x1b":
        return "␛"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: Any, *, single_line: bool = False) -> str:
    """Prose with every control and invisible character made visible; `single_line` folds whitespace."""
    if text is None or text == "":
        return ""
    text = str(text)
    if "\U0001F3F4" in text:  # keep emoji flag sequences whole; show any other tag character
        parts = _FLAG_SEQUENCE.split(text)
        flags = _FLAG_SEQUENCE.findall(text)
        text = "".join(_UNSAFE_PROSE.sub(_visible, p) + (flags[i] if i < len(flags) else "") for i, p in enumerate(parts))
    else:
        text = _UNSAFE_PROSE.sub(_visible, text)
    if single_line:
        text = _SPACE.sub(" ", text).strip()
    return text


def field(value: Any) -> str:
    """An id, handle, tag, assignee, source or actor: one line, every control and invisible character shown."""
    if value is None or value == "":
        return ""
    return _UNSAFE_FIELD.sub(_visible, str(value))


def fields(values: Any, sep: str = " ") -> str:
    return sep.join(field(v) for v in values or ())


# Widths ----------------------------------------------------------------------


def char_cells(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(text: str) -> int:
    """Terminal cells `text` takes (wide characters count two, combining marks none)."""
    if text.isascii():
        return len(text)
    return sum(char_cells(ch) for ch in text)


def excerpt(text: Any, width: int, *, is_field: bool = False) -> str:
    """One line of at most `width` cells, cut with … when longer."""
    text = field(text) if is_field else inert(text, single_line=True)
    if cells(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_cells(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" if width > 0 else ""


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` (already cut to fit) padded with spaces to `width` cells."""
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


# Numbers and times -------------------------------------------------------------


def when(at: str | None, zone: Any = None, now: datetime | None = None) -> str:
    """An ISO UTC time as people read it, in their zone: '2026-12-01 14:00 CET', and how long ago
    when `now` is given: '2026-12-01 14:00 CET (2d ago)'."""
    if not at:
        return ""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    local = moment.astimezone(zone) if zone is not None else moment
    text = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or local.strftime("%z"))
    if now is not None:
        gap = (now - moment).total_seconds()
        text += f" ({_relative(gap)} ago)" if gap >= 0 else f" (in {_relative(-gap)})"
    return text


def followers(n: int | None) -> str:
    if n is None:
        return ""
    for suffix, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def age(created_at: str | None, now: datetime | None = None) -> str:
    """'5m', '3h', '2d': how long ago an ISO UTC time was."""
    if not created_at:
        return ""
    then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    return _relative(((now or datetime.now(timezone.utc)) - then).total_seconds())


def _relative(seconds: float) -> str:
    """How long ago, as the tables say it: '45s', '12m', '3h', '2d'."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def span(seconds: float) -> str:
    """'45s', '12m', '47h', '5d': a length of time in one unit, rounded down; hours up to three days
    (a response target is counted in hours)."""
    seconds = max(0, int(seconds))
    for unit, size, since in (("d", 86400, 3 * 86400), ("h", 3600, 3600), ("m", 60, 60)):
        if seconds >= since:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def due(sla: dict[str, Any] | None, now: datetime | None = None) -> str:
    """A mention's response deadline as people read it: 'in 2h', '3h late', or '' without one."""
    if not sla or not sla.get("due_at"):
        return ""
    at = datetime.fromisoformat(sla["due_at"].replace("Z", "+00:00"))
    left = (at - (now or datetime.now(timezone.utc))).total_seconds()
    return f"in {span(left)}" if left > 0 else f"{span(-left)} late"


# JSON --------------------------------------------------------------------------

_UNSAFE_IN_JSON = re.compile(f"[{_HIDDEN_ABOVE_C0}]")  # JSON escapes C0 itself


def json_text(value: Any, indent: int | None = 2) -> str:
    """JSON that a terminal cannot act on: C0 is escaped by json itself, C1 and
    invisible characters are written as \\uNNNN (the same data once decoded)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


def _json_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON writes a character beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# How things look, the same in every face ----------------------------------------------

LEVEL_STYLE = {"urgent": "bold red", "high": "red", "medium": "yellow", "low": "dim"}
SENTIMENT_STYLE = {"negative": "red", "neutral": "", "positive": "green"}
STATUS_STYLE = {"open": "", "snoozed": "cyan", "escalated": "magenta", "closed": "dim"}
PLATFORM_SHORT = {"x": "X", "reddit": "RD", "youtube": "YT", "bluesky": "BS", "mastodon": "MA", "discourse": "DC"}


def platform_short(platform: str) -> str:
    return PLATFORM_SHORT.get(platform) or field(platform[:2]).upper()


def sentiment_words(s: dict, lang: str | None = None) -> str:
    """`show` and the TUI detail: the label, how sure, who set it, the language and why."""
    said = f"sentiment {s['label']}"
    if s.get("by"):
        said += f", set by hand by {field(s['by'])}"
    elif s.get("confidence") is not None:
        said += f" ({s['confidence']:.0%} sure)"
    else:
        said += f" ({s['score']:+.2f})"
    if lang:
        said += f" · {field(lang)}"
    reasons = [r for r in s.get("reasons") or [] if not s.get("by")]
    if reasons:
        said += ": " + "; ".join(inert(r, single_line=True) for r in reasons)
    return said


def counted(n: int, cap: int | None) -> str:
    """A count from a capped counter: "1,234", or "10,000+" when counting stopped at the cap."""
    return f"{cap:,}+" if cap is not None and n > cap else f"{n:,}"
