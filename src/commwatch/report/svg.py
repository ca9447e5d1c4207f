"""Inline SVG charts for the HTML report: plain shapes with fill attributes, no scripts, no fonts to fetch.

Every text and tooltip is escaped; colours are attributes (not CSS) so the charts
keep them where a mail client strips <style>.
"""

from __future__ import annotations

from html import escape

from commwatch.report.charts import clean

FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="11"'


def _t(text: object) -> str:
    return escape(clean(str(text)), quote=True)


def _svg(chart_id: str, label: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" aria-label="{_t(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>'
        f"<title>{_t(label)}</title>{''.join(body)}</svg>"
    )


def columns(
    chart_id: str,
    label: str,
    days: list[str],
    series: list[tuple[str, str, list[float]]],
    *,
    width: int = 720,
    height: int = 220,
    percent: bool = False,
    gaps: list[bool] | None = None,
    counts: bool = False,
) -> str:
    """Stacked columns, one per day; series = [(name, colour, value per day)], stacked in order. `gaps`:
    days drawn hatched (no sync ran: not listening, not quiet). `counts`: each column's total above it."""
    left, right, top, bottom = 44, 8, 10, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s[2][i] for s in series) for i in range(len(days))]
    peak = 1.0 if percent else max(totals, default=0) or 1
    step = plot_w / max(len(days), 1)
    gap = min(2.0, step * 0.2)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#555">{_t("100%" if percent else _num(peak))}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#555">0</text>',
    ]
    body.insert(0, f'<defs><pattern id="{chart_id}-gap" width="6" height="6" patternUnits="userSpaceOnUse" '
                   'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f3f3"/>'
                   '<line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/></pattern></defs>')
    show_counts = counts and len(days) <= 45
    for i, day in enumerate(days):
        x = left + i * step
        y = top + plot_h
        if gaps and i < len(gaps) and gaps[i]:
            body.append(f'<rect class="gap" x="{x + gap / 2:.1f}" y="{top}" width="{max(step - gap, 0.5):.1f}" '
                        f'height="{plot_h}" fill="url(#{chart_id}-gap)"><title>{_t(day + ": no sync ran")}</title></rect>')  # fmt: skip
        if show_counts and totals[i]:
            cy = top + plot_h - (plot_h if percent else totals[i] / peak * plot_h) - 3
            body.append(f'<text class="count" x="{x + step / 2:.1f}" y="{max(cy, top + 8):.1f}" text-anchor="middle" '
                        f'font-size="9" fill="#333">{_t(_num(totals[i]))}</text>')  # fmt: skip
        scale = (1 / totals[i] if totals[i] else 0) if percent else 1 / peak
        for name, colour, values in series:
            v = values[i]
            if v <= 0:
                continue
            h = v * scale * plot_h
            y -= h
            tip = f"{day} {name}: {_num(v)}" + (f" ({v / totals[i]:.0%})" if totals[i] else "")
            body.append(
                f'<rect class="bar" x="{x + gap / 2:.1f}" y="{y:.1f}" width="{max(step - gap, 0.5):.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{_t(tip)}</title></rect>'
            )
    every = max(1, round(len(days) / 10 + 0.49))
    for i in range(0, len(days), every):
        x = left + i * step + step / 2
        tick = days[i][11:16] if len(days[i]) > 10 else days[i][5:]  # an hour, or a local day
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#555">{_t(tick)}</text>')
    body.append(_legend([(n, c) for n, c, _ in series], left, height - 8))
    return _svg(chart_id, label, width, height, body)


def hbars(chart_id: str, label: str, rows: list[tuple[str, float, str]], *, width: int = 720, row_h: int = 22) -> str:
    """Horizontal bars: rows = [(label, value, colour)], the value written after each bar."""
    left, right = 150, 70
    peak = max((v for _, v, _ in rows), default=0) or 1
    height = row_h * len(rows) + 6
    body = []
    for i, (name, value, colour) in enumerate(rows):
        y = 3 + i * row_h
        w = value / peak * (width - left - right)
        body.append(f'<text x="{left - 6}" y="{y + row_h * 0.65:.1f}" text-anchor="end" fill="#222">{_t(_cut(name, 24))}</text>')
        if value > 0:
            body.append(
                f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row_h - 6}" '
                f'fill="{colour}"><title>{_t(f"{name}: {_num(value)}")}</title></rect>'
            )
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + row_h * 0.65:.1f}" fill="#222">{_t(_num(value))}</text>')
    return _svg(chart_id, label, width, height, body)


def mix_bar(parts: list[tuple[float, str]], *, width: int = 120, height: int = 10) -> str:
    """A small stacked bar of shares (a sentiment mix), inline in a table cell."""
    total = sum(v for v, _ in parts) or 1
    x, rects = 0.0, []
    for value, colour in parts:
        w = value / total * width
        if w > 0:
            rects.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}"/>')
        x += w
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"{''.join(rects)}</svg>")  # fmt: skip


def _legend(items: list[tuple[str, str]], x: float, y: float) -> str:
    parts = []
    for name, colour in items:
        parts.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y}" fill="#333">{_t(name)}</text>')
        x += 24 + 7 * len(name)
    return "".join(parts)


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
