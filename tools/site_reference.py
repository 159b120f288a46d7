"""Rewrite docs/site-reference.md from the config models (run after changing a config field).

PYTHONPATH=src .venv/bin/python tools/site_reference.py
"""

from __future__ import annotations

from pathlib import Path

from storepixel.config.reference import site_reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "site-reference.md"

if __name__ == "__main__":
    PAGE.write_text(site_reference(), encoding="utf-8")
    print(f"wrote {PAGE}")
