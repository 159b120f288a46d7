"""Heatmap grids: added up per live hour, one row per analysed file, summed over a range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from storepixel.store import Store
from storepixel.store.heatmaps import GRID, add_grid, load_grid, render_png, set_grid

T0 = 1714557600.0


def test_add_set_and_load(store: Store) -> None:
    one = np.zeros(GRID)
    one[0, 0] = 1.5
    add_grid(store, "s", "c", T0, T0 + 3600, "live", one)
    add_grid(store, "s", "c", T0, T0 + 3600, "live", one)
    set_grid(store, "s", "c", T0 + 10, T0 + 70, "run1", one)
    set_grid(store, "s", "c", T0 + 10, T0 + 70, "run1", one)  # replaced, not added
    assert load_grid(store, "s", "c", T0, T0 + 3600)[0, 0] == 4.5
    assert load_grid(store, "s", "c", T0 + 100, T0 + 200)[0, 0] == 3.0  # only the live hour
    assert load_grid(store, "s", "other", T0, T0 + 3600).sum() == 0
    small = np.ones((12, 16))  # another grid size is resampled, person-seconds conserved
    add_grid(store, "s", "c2", T0, T0 + 60, "live", small)
    assert load_grid(store, "s", "c2", T0, T0 + 60).sum() == pytest.approx(small.sum())
    assert render_png(load_grid(store, "s", "c", T0, T0 + 1), None)[:4] == b"\x89PNG"


@pytest.mark.slow
def test_analyze_cli_stores_the_files_heatmap(clip: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from storepixel.cli import app
    from storepixel.store import open_store

    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}]}))
    db = f"sqlite:///{tmp_path / 's.db'}"
    args = [
        "analyze",
        str(clip),
        "--site",
        str(site),
        "--camera",
        "cam1",
        "--db",
        db,
        "--start",
        "2024-05-01T10:00:00Z",
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    with open_store(db) as store:
        assert load_grid(store, "demo", "cam1", T0, T0 + 60).sum() > 0
