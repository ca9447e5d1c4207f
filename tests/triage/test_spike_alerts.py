"""Spike alerts on generated time series: flat, spike, slow growth, cooldown."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from commwatch import config as config_module
from commwatch.model import Author, Level, Mention, Priority, Sentiment
from commwatch.app.alerts import check_alerts
from commwatch.store.alerts import list_alerts
from commwatch.store.db import open_store
from commwatch.store.mentions import save_page
from commwatch.triage.alerts import detect

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def test_detect_thresholds():
    assert not detect(12, [10] * 24, k=3, min_count=5).fired  # flat 10: sqrt floor gives threshold 19.5
    assert detect(25, [10] * 24, k=3, min_count=5).fired
    assert not detect(4, [0] * 24, k=3, min_count=5).fired  # below min_count, however quiet before
    assert detect(5, [0] * 24, k=3, min_count=5).fired  # threshold 3 on a silent baseline
    d = detect(30, [8, 12] * 12, k=2, min_count=1)
    assert (d.mean, d.std) == (10, 2) and d.threshold == pytest.approx(10 + 2 * 10**0.5)


def store_series(db, hourly: list[int], label: str = "negative") -> None:
    """hourly[i] mentions in the hour ending (len - i) hours before NOW; the last entry is the current hour."""
    mentions, n = [], 0
    rng = random.Random(1)
    for i, count in enumerate(hourly):
        end = NOW - timedelta(hours=len(hourly) - 1 - i)
        for _ in range(count):
            n += 1
            at = end - timedelta(seconds=rng.randrange(1, 3600))
            mentions.append(Mention(platform="x", remote_id=str(n), text="bad", created_at=at, author=Author("a"),
                                    sentiment=Sentiment(-0.5, label), priority=Priority(40, Level.MEDIUM)))  # fmt: skip
    save_page(db, "s", mentions, "2026-03-10T12:00:00Z")


@pytest.fixture
def setup(either_store):
    db = either_store
    cfg = config_module.parse({"alerts": {"neg": {"metric": "negative", "window": "1h", "baseline": "1d",
                                                   "k": 3, "min_count": 5, "cooldown": "6h"}}})  # fmt: skip
    return db, cfg


def test_flat_series_fires_nothing(setup):
    db, cfg = setup
    store_series(db, [6] * 25)
    assert check_alerts(db, cfg, NOW) == []


def test_a_spike_fires_once_per_cooldown(setup):
    db, cfg = setup
    store_series(db, [6] * 24 + [40])
    [alert_id] = check_alerts(db, cfg, NOW)
    [alert] = list_alerts(db)
    assert alert["id"] == alert_id and alert["count"] == 40 and alert["baseline_mean"] == 6 and alert["window"] == "1h"
    assert check_alerts(db, cfg, NOW + timedelta(minutes=30)) == []  # still a spike, but within the cooldown
    assert check_alerts(db, cfg, NOW + timedelta(hours=7)) == []  # the spike has left the window


def test_slow_growth_does_not_fire(setup):
    db, cfg = setup
    store_series(db, [5 + i // 3 for i in range(25)])  # 5 … 13, one more every three hours
    assert check_alerts(db, cfg, NOW) == []


def test_positive_mentions_do_not_count_for_a_negative_alert(setup):
    db, cfg = setup
    store_series(db, [0] * 24 + [40], label="positive")
    assert check_alerts(db, cfg, NOW) == []


def test_alert_config_errors_name_the_key():
    with pytest.raises(config_module.ConfigError, match="alerts.neg.window"):
        config_module.parse({"alerts": {"neg": {"window": "soon"}}})
    with pytest.raises(config_module.ConfigError, match="alerts.neg.target"):
        config_module.parse({"alerts": {"neg": {"target": "pager"}}})
    with pytest.raises(config_module.ConfigError, match="alerts.neg.metric"):
        config_module.parse({"alerts": {"neg": {"metric": "angry"}}})
