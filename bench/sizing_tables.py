"""The tables of docs/sizing.md, generated from bench/results/sizing.json.

    .venv/bin/python bench/sizing_tables.py          # rewrite the tables in docs/sizing.md
    .venv/bin/python bench/sizing_tables.py --check  # exit 1 if they are stale

Each table sits between ``<!-- table:NAME -->`` and ``<!-- /table:NAME -->`` in the page; the
prose around them is hand-written. Add a measurement to the JSON (with its command), run this.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "sizing.json"
PAGE = ROOT / "docs" / "sizing.md"
TARGET_FPS = 5.0
KEEP_UP = 0.98  # every camera analysed at ≥ 4.9 of 5 fps, lag p99 under 1 s


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if value is None else fmt.format(value)


def keeps_up(row: dict[str, Any]) -> bool:
    lag = row.get("lag_p99_s")
    return row["fps_min"] >= KEEP_UP * TARGET_FPS and lag is not None and lag < 1.0


def live(rows: list[dict[str, Any]]) -> str:
    out = [
        "| scene | detector | cameras | slowest camera, fps of 5 | lag p99 | CPU ms per "
        "analysed frame | keeps up | load before | command |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['scene']} | {r['detector']} | {r['cameras']} | {_num(r['fps_min'])} | "
            f"{_num(r['lag_p99_s'], '{:.2f} s')} | {_num(r['cpu_ms_per_frame'], '{:.1f}')} | "
            f"{'**yes**' if keeps_up(r) else 'no'} | {r['load_before']} | `{r['command']}` |"
        )
    return "\n".join(out)


def files(rows: list[dict[str, Any]]) -> str:
    out = [
        "| footage | analysed | × real time | CPU ms per analysed frame | detector on every "
        "frame (× real time) | load before | command |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['footage']} | {r['analysed_fps']} fps | **{r['x_real_time']:.1f}×** | "
            f"{1000 * r['cpu_s'] / r['frames']:.1f} | {r['naive_x_real_time']:.1f}× | "
            f"{r['load_before']} | `{r['command']}` |"
        )
    return "\n".join(out)


def latency(rows: list[dict[str, Any]]) -> str:
    out = ["| what | n | p50 | p99 | load before | command |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r['what']} | {r['n']} | {r['p50_s']:.2f} s | {r['p99_s']:.2f} s | "
            f"{r['load_before']} | `{r['command']}` |"
        )
    return "\n".join(out)


def memory(rows: list[dict[str, Any]]) -> str:
    out = ["| what | resident memory | command |", "|---|---|---|"]
    for r in rows:
        out.append(f"| {r['what']} | {r['rss_mb']} MB | `{r['command']}` |")
    return "\n".join(out)


TABLES: dict[str, Callable[[list[dict[str, Any]]], str]] = {
    "live": live,
    "files": files,
    "latency": latency,
    "memory": memory,
}


def render(page: str, results: dict[str, Any]) -> str:
    """``page`` with every marked table replaced by the one generated from ``results``."""
    for name, table in TABLES.items():
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(\n<!-- /table:{name} -->)", re.S)
        if not pattern.search(page):
            raise SystemExit(f"{PAGE}: no <!-- table:{name} --> … <!-- /table:{name} --> block")
        body = table(results[name])
        page = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), page)
    return page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args()
    page = PAGE.read_text(encoding="utf-8")
    new = render(page, json.loads(RESULTS.read_text(encoding="utf-8")))
    if args.check:
        if new != page:
            print(f"{PAGE} is stale: run bench/sizing_tables.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(new, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
