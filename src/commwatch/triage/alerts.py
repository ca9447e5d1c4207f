"""Spike alerts: is the count in the last window unusually high against the trailing baseline?

    [alerts.negative-spike]
    metric = "negative"     # negative | all | tag:NAME
    window = "1h"           # the window just ended
    baseline = "7d"         # the windows before it that make the baseline
    k = 3.0                 # how many standard deviations above the mean
    min_count = 5           # never alert on fewer mentions than this
    cooldown = "6h"         # at most one alert per cooldown
    target = "pr"           # optional: deliver it there

The spread used is max(std, sqrt(mean), 1): a flat baseline (std 0) would
otherwise alert on one extra mention, and counts of rare events vary at least
as much as a Poisson process does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

METRICS_HELP = "negative, all, tag:NAME, or overdue"


@dataclass
class AlertRule:
    name: str
    metric: str
    window: timedelta
    baseline: timedelta
    k: float = 3.0
    min_count: int = 5
    cooldown: timedelta = timedelta(hours=6)
    target: str | None = None


@dataclass
class Detection:
    fired: bool
    count: int
    mean: float
    std: float
    threshold: float


def detect(count: int, baseline: list[int], k: float, min_count: int) -> Detection:
    n = len(baseline)
    mean = sum(baseline) / n if n else 0.0
    std = math.sqrt(sum((c - mean) ** 2 for c in baseline) / n) if n else 0.0
    threshold = mean + k * max(std, math.sqrt(mean), 1.0)
    return Detection(count >= min_count and count > threshold, count, mean, std, threshold)


class AlertConfigError(ValueError):
    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def parse_alerts(raw: dict[str, Any], targets: set[str]) -> list[AlertRule]:
    from commwatch.timeutil import parse_duration

    rules = []
    for name, table in raw.items():
        key = f"alerts.{name}"
        if not isinstance(table, dict):
            raise AlertConfigError(key, "must be a table ([alerts.NAME])")
        known = {"metric", "window", "baseline", "k", "min_count", "cooldown", "target"}
        for option in table:
            if option not in known:
                raise AlertConfigError(f"{key}.{option}", f"unknown key (known: {', '.join(sorted(known))})")
        metric = table.get("metric", "negative")
        if not (metric in ("negative", "all", "overdue") or (isinstance(metric, str) and metric.startswith("tag:") and metric[4:])):
            raise AlertConfigError(f"{key}.metric", f"must be {METRICS_HELP}")
        if metric == "overdue":  # once per mention that misses its [sla] target: no window, no baseline
            extra = sorted(set(table) - {"metric", "target"})
            if extra:
                raise AlertConfigError(f"{key}.{extra[0]}", "an overdue alert takes only metric and target")
            if table.get("target") not in targets:
                raise AlertConfigError(f"{key}.target", f"an overdue alert needs a target (targets: {', '.join(sorted(targets)) or 'none'})")
            rules.append(AlertRule(name, metric, timedelta(hours=1), timedelta(hours=2), target=table["target"]))
            continue
        durations = {}
        for option, default in (("window", "1h"), ("baseline", "7d"), ("cooldown", "6h")):
            try:
                durations[option] = parse_duration(str(table.get(option, default)))
            except ValueError as exc:
                raise AlertConfigError(f"{key}.{option}", str(exc)) from None
        if durations["baseline"] < 2 * durations["window"]:
            raise AlertConfigError(f"{key}.baseline", "must cover at least two windows")
        k, min_count = table.get("k", 3.0), table.get("min_count", 5)
        if isinstance(k, bool) or not isinstance(k, (int, float)) or k <= 0:
            raise AlertConfigError(f"{key}.k", "must be a positive number")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise AlertConfigError(f"{key}.min_count", "must be a whole number of at least 1")
        target = table.get("target")
        if target is not None and target not in targets:
            raise AlertConfigError(f"{key}.target", f"no target {target!r} (targets: {', '.join(sorted(targets)) or 'none'})")
        rules.append(AlertRule(name, metric, durations["window"], durations["baseline"], float(k), min_count,
                               durations["cooldown"], target))  # fmt: skip
    return rules
