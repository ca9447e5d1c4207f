"""Text charts and cell-width helpers for the terminal report. Pure functions on numbers and strings.

`fancy` charts use block characters (█▏▎… and ▁▂▃…); the plain ones use ASCII only,
for pipes, files and mail.
"""

from __future__ import annotations

import math

from commwatch.text import cells, excerpt, inert, pad

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARK = "▁▂▃▄▅▆▇█"
_SPARK_ASCII = "_.-:=+*#"

__all__ = ["bar", "stack", "spark", "chunks", "cells", "clean", "fit", "number", "percent", "duration", "figure",
           "change"]


def bar(value: float, top: float, width: int, fancy: bool) -> str:
    """A horizontal bar `value/top` of `width` cells, in eighths of a cell when fancy."""
    if top <= 0 or value <= 0:
        return ""
    cells = value / top * width
    if not fancy:
        return "#" * max(1, round(cells))
    whole, eighths = int(cells), round((cells - int(cells)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    text = "█" * whole + (_EIGHTHS[eighths] if eighths else "")
    return text or "▏"


def stack(parts: list[float], width: int, chars: str) -> list[str]:
    """Split `width` cells among parts in proportion (largest remainders), one run of chars[i] each."""
    total = sum(parts)
    if total <= 0:
        return ["" for _ in parts]
    exact = [p / total * width for p in parts]
    cells = [math.floor(e) for e in exact]
    for i in sorted(range(len(parts)), key=lambda i: exact[i] - cells[i], reverse=True)[: width - sum(cells)]:
        cells[i] += 1
    return [chars[i] * n for i, n in enumerate(cells)]


def spark(values: list[float | None], fancy: bool) -> str:
    """One character per value, scaled from 0 to the largest; None (no data) is a space."""
    ramp = _SPARK if fancy else _SPARK_ASCII
    top = max((v for v in values if v is not None), default=0)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif top <= 0:
            out.append(ramp[0])
        else:
            out.append(ramp[min(len(ramp) - 1, int(v / top * (len(ramp) - 1) + 0.5))])
    return "".join(out)


def chunks(n: int, most: int) -> int:
    """How many consecutive values to merge so that n values fit in `most` characters."""
    return max(1, math.ceil(n / most)) if most > 0 else n


def clean(text: str | None) -> str:
    """One line, with every control and invisible character made visible (commwatch.text)."""
    return inert(text, single_line=True)


def fit(text: str | None, width: int, *, right: bool = False) -> str:
    """`text` made safe, cut with … to `width` cells, and padded to exactly that."""
    return pad(excerpt(text, width), width, right)


def number(n: int | float | None) -> str:
    return "-" if n is None else f"{n:,}"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def duration(seconds: float | None) -> str:
    """45s, 12m, 2h 15m, 3d 4h."""
    if seconds is None:
        return "-"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h}h {m}m" if m else f"{h}h"
    d, h = divmod(s // 3600, 24)
    return f"{d}d {h}h" if h else f"{d}d"


def figure(value: float | None, unit: str) -> str:
    """A headline figure as a person reads it: a share as a percentage, a duration as 2h 15m, else a count."""
    if unit == "share":
        return percent(value)
    if unit == "duration":
        return duration(value)
    return number(value)


def change(m: dict, fancy: bool = True) -> tuple[str, str | None]:
    """('▲ +34%' or '▼ -5 pts', 'good' | 'bad' | None) for a headline figure beside its previous value."""
    direction = m.get("direction")
    if direction is None:
        return "", None
    arrow = {"up": "▲" if fancy else "^", "down": "▼" if fancy else "v", "same": "="}[direction]
    if m.get("change") is None:
        text = f"{arrow} new" if direction == "up" else arrow
    elif m.get("change_unit") == "points":
        text = f"{arrow} {m['change'] * 100:+.0f} pts"
    else:
        text = f"{arrow} {m['change'] * 100:+.0f}%"
    better = m.get("better")
    return text, (None if not better or direction == "same" else ("good" if direction == better else "bad"))
