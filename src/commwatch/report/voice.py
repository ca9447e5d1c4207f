"""Share of voice: how much of the period's conversation each platform and each source carried, and the
sentiment mix of each. The counts come from the volume pass (volume.py), which sums them per bucket."""

from __future__ import annotations

from typing import Any

LABELS = ("negative", "neutral", "positive")


def share_of_voice(counts: dict[tuple[str, str, str | None], int]) -> dict[str, list[dict[str, Any]]]:
    """counts: {("platform" | "source", name, label or None for unscored): mentions}."""
    total = sum(n for (col, _, _), n in counts.items() if col == "platform")
    return {"by_platform": _shares(counts, "platform", total), "by_source": _shares(counts, "source", total)}


def _shares(counts: dict, column: str, total: int) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, int]] = {}
    for (col, name, label), n in counts.items():
        if col != column:
            continue
        group = groups.setdefault(name or "", {label: 0 for label in (*LABELS, "unscored")})
        group[label if label in LABELS else "unscored"] += n
    out = []
    for name, group in groups.items():
        n = sum(group.values())
        if not n:
            continue
        scored = n - group["unscored"]
        out.append({"name": name, "mentions": n, "share": round(n / total, 4) if total else None,
                    "sentiment": {label: {"mentions": group[label],
                                          "share": round(group[label] / scored, 4) if scored else None}
                                  for label in LABELS}})  # fmt: skip
    return sorted(out, key=lambda g: (-g["mentions"], g["name"]))
