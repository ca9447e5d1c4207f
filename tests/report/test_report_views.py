"""The terminal and HTML views draw the same figures the data holds, safely."""

import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from commwatch.model import Author, Level, Mention, Priority, Sentiment
from commwatch.report import html, text
from commwatch.report.build import build_report
from commwatch.report.scope import Scope
from commwatch.store.db import open_store
from commwatch.store.inbox import InboxFilter
from commwatch.store.mentions import save_page

from report_store import NOW, SINCE, UNTIL, build, figures_from_json, figures_from_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium); CI installs it"
)
BLOCKS = re.compile(r"[\u2500-\u259f]")  # box drawing and block elements


@pytest.fixture
def report(tmp_path, monkeypatch):
    conn = build(tmp_path / "inbox.db", monkeypatch)
    return build_report(conn, Scope(InboxFilter(status=None, since=SINCE, limit=None), UNTIL), NOW)


@pytest.mark.parametrize("fancy", [True, False])
def test_text_view_shows_the_json_figures_in_80_columns(report, fancy):
    lines = text.render(report, width=80, fancy=fancy)
    out = text.plain(lines)
    assert text.widest(lines) <= 80
    assert figures_from_text(out) == figures_from_json(report)
    assert "first reply    median 2h 30m, 90% within 19h 42m\n" in out  # 9000 s and 70920 s
    assert "escalations    3: 2 handled, 1 pending\n  handled in     median 2h 30m, 90% within 2h 54m\n" in out
    assert "ALERTS" in out
    if fancy:
        assert "█" in out and re.search("[▁▂▃▄▅▆▇]", out)
    else:
        assert not BLOCKS.search(out), "the plain view must not depend on block or box characters"


def test_text_view_says_no_alerts_recorded_without_the_table(tmp_path, monkeypatch):
    conn = build(tmp_path / "inbox.db", monkeypatch)
    conn.execute("DROP TABLE IF EXISTS alerts")
    r = build_report(conn, Scope(InboxFilter(status=None, since=SINCE, limit=None), UNTIL), NOW)
    assert "ALERTS\n  no alerts recorded" in text.plain(text.render(r))
    assert "No alerts recorded." in html.render(r)


HOSTILE_HANDLE = "ev\x1b[2Jil\u202e"
HOSTILE_NAME = '<script>alert("x")</script> \x1b[31mRED & "co"'


@pytest.fixture
def hostile(tmp_path):
    conn = open_store(tmp_path / "hostile.db")
    mentions = [
        Mention(platform="x", remote_id=str(i), text=f"<img src=x onerror=alert(1)> love it {i}",
                created_at=datetime(2026, 3, 2, i, tzinfo=timezone.utc),
                author=Author(handle=HOSTILE_HANDLE, name=HOSTILE_NAME, followers=9),
                sentiment=Sentiment(0.6, "positive"), priority=Priority(1, Level.LOW))
        for i in (1, 2)
    ]  # fmt: skip
    save_page(conn, "demo", mentions, "2026-03-03T00:00:00Z")
    return build_report(conn, Scope(InboxFilter(status=None, since=SINCE, limit=None), UNTIL), NOW)


def test_text_view_never_passes_control_characters(hostile):
    out = text.plain(text.render(hostile))
    assert "\x1b" not in out and "\u202e" not in out
    assert "@ev␛[2Jil" in out


def test_html_escapes_names_and_handles(hostile):
    page = html.render(hostile)
    assert "<script" not in page and "\x1b" not in page and "\u202e" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp; &quot;co&quot;" in page


def test_html_is_self_contained(report):
    page = html.render(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", page), "nothing may be fetched"
    assert not re.search(r"<link|@import|url\(\s*['\"]?(https?:)?//", page, re.I), "no style sheet or font from elsewhere"
    # links to the posts are fine: following one is the reader's choice, nothing loads by itself
    assert all(href.startswith("https://") for href in re.findall(r'<a href="([^"]*)"', page))
    assert page.count('class="chart"') == 5 and 'id="chart-volume"' in page and 'id="chart-sentiment"' in page


class _Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs: dict[str, int] = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self._current = a.get("id")
            self.svgs[self._current] = 0
        elif tag == "rect" and a.get("class") == "bar" and self._current:
            self.svgs[self._current] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._current = None


def _chromium(tmp_path, *args):
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@needs_chromium
def test_chromium_renders_the_charts(report, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = _Charts()
    charts.feed(dom.stdout)
    # Volume: one segment per (day, platform) with mentions: Mar 1 x; 2, 3 reddit; 4 youtube; 5, 6 x; 7 x + youtube.
    assert charts.svgs["chart-volume"] == 8
    # Sentiment per day: one segment per (day, label) with mentions (the unscored one is not drawn).
    assert charts.svgs["chart-sentiment"] == 7
    assert charts.svgs["chart-sentiment-mix"] == 3
    assert charts.svgs["chart-backlog"] == 3  # three of the five age buckets hold mentions
    assert charts.svgs["chart-tags"] == 4
    for section in ('id="summary"', 'id="share-of-voice"', 'id="top-posts"', 'id="people"', "was "):
        assert section in dom.stdout, f"{section} is not in the rendered page"

    shot = tmp_path / "report.png"
    result = _chromium(tmp_path, "--window-size=800,1400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    colours = _colours(shot.read_bytes())
    for name, rgb in {"x": (0x1F, 0x77, 0xB4), "reddit": (0xFF, 0x7F, 0x0E), "negative": (0xD6, 0x27, 0x28),
                      "positive": (0x2C, 0xA0, 0x2C), "backlog": (0xE6, 0xA1, 0x00)}.items():  # fmt: skip
        assert colours.get(rgb, 0) > 200, f"the {name} colour is not drawn on the screenshot"


def _colours(png: bytes) -> dict[tuple[int, int, int], int]:
    """Pixel counts per RGB colour of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", data)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    counts: dict[tuple[int, int, int], int] = {}
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 255
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 255
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels):
            rgb = (cur[x], cur[x + 1], cur[x + 2])
            counts[rgb] = counts.get(rgb, 0) + 1
        prev = cur
    return counts


def test_a_long_period_is_drawn_as_sparklines_within_80_columns(tmp_path):
    conn = open_store(tmp_path / "long.db")
    start = datetime(2025, 9, 1, tzinfo=timezone.utc)
    save_page(conn, "demo", [
        Mention(platform="reddit" if i % 3 else "x", remote_id=str(i), text="slow and broken again",
                created_at=start + timedelta(days=i * 1.5), author=Author(handle=f"u{i % 7}"),
                sentiment=Sentiment(-0.5 if i % 2 else 0.5, "negative" if i % 2 else "positive"),
                priority=Priority(1, Level.LOW))
        for i in range(120)
    ], "2026-03-01T00:00:00Z")  # fmt: skip
    r = build_report(conn, Scope(InboxFilter(status=None, since="2025-09-01T00:00:00Z", limit=None), UNTIL), NOW)
    assert r["period"]["days"] == 188 and r["volume"]["total"] == 120
    for fancy in (True, False):
        lines = text.render(r, width=80, fancy=fancy)
        out = text.plain(lines)
        assert text.widest(lines) <= 80
        assert "per 3 days" in out and "09-01 Mon" not in out  # no daily rows past a month
    page = html.render(r)
    assert page.count('class="bar"') > 120
