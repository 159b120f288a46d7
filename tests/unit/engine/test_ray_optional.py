"""Ray is an optional extra: without it the local engine works and `--engine ray` is one clear
line, before anything is opened."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from storepixel.engine import Unit, UnitOutcome, run_units
from storepixel.errors import ConfigError
from tests.unit.test_cli import assert_one_line_error
from tests.unit.test_cli_web import cli


@pytest.fixture()
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError


def test_local_engine_needs_no_ray(no_ray: None) -> None:
    unit = Unit("a", lambda: UnitOutcome("a", True, "done"))
    assert [o.ok for o in run_units([unit])] == [True]


def test_ray_engine_without_the_extra_is_one_clear_error(no_ray: None) -> None:
    with pytest.raises(ConfigError, match=r"pip install 'storepixel\[ray\]'"):
        list(run_units([], engine="ray"))


def test_run_on_ray_without_the_extra_is_one_line(no_ray: None, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("site: {id: shop}\ncameras: [{id: door, source: rtsp://127.0.0.1:9/x}]\n")
    result = cli("run", "--site", site, "--db", f"sqlite:///{tmp_path}/s.db", "--engine", "ray")
    assert_one_line_error(result, "storepixel[ray]")
    assert not (tmp_path / "s.db").exists()  # checked before anything was opened


def test_an_unreachable_cluster_is_one_clear_error_at_once() -> None:
    pytest.importorskip("ray")
    with pytest.raises(ConfigError, match=r"cannot reach the Ray cluster at 127\.0\.0\.1:9"):
        list(run_units([], engine="ray", address="127.0.0.1:9"))
