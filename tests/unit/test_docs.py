"""The user docs: generated tables current, pages short, links that lead somewhere."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Pages still being cut down to a user page (their history moves to docs/dev/).
NOT_YET_SHORT: set[str] = set()  # every user page is short now


def _sizing_tables():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("sizing_tables", ROOT / "bench/sizing_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sizing_tables_are_generated_from_the_results() -> None:
    tables = _sizing_tables()
    page = (DOCS / "sizing.md").read_text(encoding="utf-8")
    results = json.loads((ROOT / "bench/results/sizing.json").read_text(encoding="utf-8"))
    assert tables.render(page, results) == page, (
        "docs/sizing.md is stale: run `.venv/bin/python bench/sizing_tables.py`"
    )


def test_every_measurement_has_its_command() -> None:
    results = json.loads((ROOT / "bench/results/sizing.json").read_text(encoding="utf-8"))
    rows = [row for name in ("live", "files", "latency", "memory") for row in results[name]]
    assert rows and all(row["command"].strip() for row in rows)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_user_pages_read_in_one_sitting(page: str) -> None:
    if page in NOT_YET_SHORT:
        pytest.skip(f"{page} is being cut down")
    assert len((DOCS / page).read_text(encoding="utf-8").splitlines()) < 300


@pytest.mark.parametrize(
    "page",
    ["README.md", *sorted(str(p.relative_to(ROOT)) for p in DOCS.rglob("*.md"))],
)
def test_relative_links_lead_to_files(page: str) -> None:
    path = ROOT / page
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        file = (path.parent / target.split("#")[0]).resolve()
        assert file.exists(), f"{page}: link to {target} leads nowhere"
