"""A self-contained HTML report of one analysis: tables, inline SVG charts, the heatmap.

Everything is inlined (no scripts, no fonts, no network), so the file opens anywhere and prints.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

Series = Sequence[tuple[float, float]]  # (POSIX seconds, value)

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d232b}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin-top:2rem}
.meta{color:#5b6673} table{border-collapse:collapse;margin:.5rem 0}
td,th{padding:.3rem .8rem;border-bottom:1px solid #dde3ea;text-align:right}
th:first-child,td:first-child{text-align:left} img{max-width:100%;border:1px solid #dde3ea}
svg text{font:11px system-ui,sans-serif;fill:#5b6673}
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def _svg_chart(series: Mapping[str, Series], tz: tzinfo, height: int = 180) -> str:
    """A minimal multi-series line chart; x is capture time in ``tz`` (named in the heading)."""
    points = [p for s in series.values() for p in s]
    if not points:
        return "<p class=meta>no data</p>"
    width, pad = 900, 36
    t0 = min(p[0] for p in points)
    t1 = max(p[0] for p in points) or t0 + 1
    vmax = max(max(p[1] for p in points), 1e-9)
    span = max(t1 - t0, 1.0)

    def xy(t: float, v: float) -> str:
        x = pad + (t - t0) / span * (width - 2 * pad)
        y = height - pad + 4 - v / vmax * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    colours = ["#2a6fdb", "#e0731b", "#2ea043", "#b7359a", "#8a6d3b", "#d1242f"]
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img">']
    parts.append(
        f'<line x1="{pad}" y1="{height - pad + 4}" x2="{width - pad}" y2="{height - pad + 4}" '
        'stroke="#aab4bf"/>'
    )
    parts.append(f'<text x="2" y="{pad}">{vmax:.1f}</text>')
    # First and last capture time, anchored inwards so neither runs off the chart.
    for t, anchor in ((t0, "start"), (t1, "end")):
        label = datetime.fromtimestamp(t, tz).strftime("%H:%M")
        x = xy(t, 0).split(",")[0]
        parts.append(f'<text x="{x}" y="{height - 6}" text-anchor="{anchor}">{label}</text>')
    for i, (name, s) in enumerate(series.items()):
        colour = colours[i % len(colours)]
        path = " ".join(xy(t, v) for t, v in s)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.append(
            f'<text x="{width - pad - 150}" y="{16 + 14 * i}" style="fill:{colour}">'
            f"{html.escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_report(
    summary: Mapping[str, Any],
    *,
    title: str,
    start: float,
    tz: tzinfo,
    occupancy: Mapping[str, Series] | None = None,
    crossings: Mapping[str, Series] | None = None,
    heatmap_png: bytes | None = None,
    transitions: Mapping[str, int] | None = None,
) -> str:
    """HTML for the ``--json`` summary plus per-minute charts and the heatmap; every time is
    shown in ``tz`` (the site's time zone), as on the dashboard."""
    rows_lines = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v['in']}</td><td>{v['out']}</td></tr>"
        for k, v in summary.get("lines", {}).items()
    )
    rows_zones = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v['visits']}</td><td>{_fmt(v['dwell_p50_s'])}</td>"
        f"<td>{_fmt(v['dwell_p90_s'])}</td><td>{_fmt(v['occupancy_avg'])}</td>"
        f"<td>{_fmt(v['occupancy_peak'])}</td></tr>"
        for k, v in summary.get("zones", {}).items()
    )
    started = datetime.fromtimestamp(start, tz).isoformat(timespec="seconds")
    zone = html.escape(str(tz))
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class=meta>camera {html.escape(str(summary.get('camera')))} · footage from "
        f"{started} ({zone}) · {summary.get('frames')} frames analysed over "
        f"{_fmt(float(summary.get('seconds') or 0))} s</p>",
        "<h2>Line crossings</h2>",
        "<table><tr><th>line</th><th>in</th><th>out</th></tr>" + rows_lines + "</table>"
        if rows_lines
        else "<p class=meta>no lines configured</p>",
        "<h2>Zones</h2>",
        "<table><tr><th>zone</th><th>visits</th><th>dwell p50 (s)</th><th>dwell p90 (s)</th>"
        "<th>occupancy avg</th><th>occupancy peak</th></tr>" + rows_zones + "</table>"
        if rows_zones
        else "<p class=meta>no zones configured</p>",
    ]
    if occupancy:
        body += [
            f"<h2>Occupancy per minute (time-weighted average; {zone} time)</h2>",
            _svg_chart(occupancy, tz),
        ]
    if crossings:
        body += [f"<h2>Line crossings per minute ({zone} time)</h2>", _svg_chart(crossings, tz)]
    if transitions:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{n}</td></tr>" for k, n in transitions.items()
        )
        body += [
            "<h2>Paths between zones</h2>",
            f"<table><tr><th>path</th><th>people</th></tr>{rows}</table>",
        ]
    if heatmap_png:
        b64 = base64.b64encode(heatmap_png).decode("ascii")
        body += [
            "<h2>Where people stood</h2>",
            f'<img alt="heatmap" src="data:image/png;base64,{b64}">',
        ]
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )


def write_report(path: str | Path, document: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    return out
