"""docs/site-reference.md is generated from the config models and kept current."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from storepixel.config.reference import INTRO, site_reference, undocumented
from storepixel.config.site import parse_site

PAGE = Path(__file__).resolve().parents[3] / "docs" / "site-reference.md"


def test_the_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == site_reference(), (
        "docs/site-reference.md is stale: run `PYTHONPATH=src python tools/site_reference.py`"
    )


def test_every_key_has_a_description() -> None:
    assert undocumented() == [], "add Field(description=...) to these site-config keys"


def test_the_example_is_a_valid_site() -> None:
    (example,) = re.findall(r"```yaml\n(.*?)```", INTRO, re.S)
    site = parse_site(yaml.safe_load(example))
    assert site.camera("door").zones[0].kind == "queue"


def test_the_page_reads_in_one_sitting() -> None:
    # 300 lines with performance.pose_burst_fps (issue 18); a few more keys still read in one go,
    # a new section should make the page shorter elsewhere.
    assert len(site_reference().splitlines()) < 310
