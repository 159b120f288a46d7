"""Backlog planning and bad input: playback URL templates, the window grid, one-line CLI errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.config.site import parse_site
from storepixel.errors import ConfigError, SourceError
from storepixel.pipeline.backlog import grid, parse_window, window_units
from storepixel.pipeline.file_units import expand_videos, file_units
from storepixel.sources.playback import render_template
from storepixel.store import open_store
from storepixel.store.backlog import backlog_status, begin_window, finish_window, window_id
from storepixel.store.engine import worker_url

HIK = "rtsp://admin:pa55@dvr:554/Streaming/tracks/101?starttime={start:%Y%m%dT%H%M%SZ}"
runner = CliRunner()


def site_data(**camera: object) -> dict[str, object]:
    return {
        "site": {"id": "shop", "name": "Shop", "timezone": "Europe/Lisbon"},
        "cameras": [{"id": "door", **camera}, {"id": "till"}],
    }


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        (HIK + "&endtime={stop}", "unknown field {stop}"),
        ("rtsp://admin:pa55@dvr/tracks/101?starttime={start", "not a valid template"),
        ("rtsp://admin:pa55@dvr/tracks/101", "no {start} or {start_local} field"),
        ("ftp://admin:pa55@dvr/{start}", "expected an rtsp://"),
    ],
)
def test_malformed_template_is_one_line_naming_the_camera(template: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_site(site_data(playback_url=template), source="site.yaml")
    message = str(err.value)
    assert message.startswith("site.yaml: cameras[0].playback_url (camera 'door'): ")
    assert problem in message and "\n" not in message and "pa55" not in message


def test_template_renders_utc_and_local_times() -> None:
    site = parse_site(
        site_data(
            playback_url=HIK + "&endtime={end:%Y%m%dT%H%M%SZ}&day={start_local:%Y_%m_%d_%H_%M}"
        )
    )
    url = render_template(site.cameras[0].playback_url or "", 1_783_000_800.0, 1_783_001_700.0)
    assert "starttime=20260702T140000Z&endtime=20260702T141500Z" in url
    url = render_template(
        site.cameras[0].playback_url or "", 1_783_000_800.0, 1_783_001_700.0, site.site.tz
    )
    assert url.endswith("day=2026_07_02_15_00")  # Lisbon is UTC+1 in summer


def test_windows_lie_on_a_fixed_grid() -> None:
    assert parse_window("15m") == 900.0
    assert grid(1000.0, 1900.0, 900.0) == [(900.0, 1800.0), (1800.0, 2700.0)]
    assert grid(900.0, 1800.0, 900.0) == [(900.0, 1800.0)]
    for bad in ("0m", "15 minutes", "-5s", ""):
        with pytest.raises(ConfigError, match="--window"):
            parse_window(bad)
    with pytest.raises(ConfigError, match="--to must be after --from"):
        grid(10.0, 10.0, 5.0)


def test_units_pickle_for_other_processes(tmp_path: Path) -> None:
    site = parse_site(site_data(playback_url=HIK))
    units = window_units(site, [("door", 0.0, 900.0)], "sqlite:///x.db")
    units += file_units(site, "door", [tmp_path / "a.mp4"], "sqlite:///x.db")
    again = pickle.loads(pickle.dumps(units))
    assert [u.key for u in again] == ["door@1970-01-01T00:00:00Z", str(tmp_path / "a.mp4")]


def test_worker_url_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert worker_url("sqlite:///data/x.db") == f"sqlite:///{tmp_path}/data/x.db"
    assert worker_url(f"sqlite:///{tmp_path}/y.db") == f"sqlite:///{tmp_path}/y.db"


def test_folder_expands_to_its_videos(tmp_path: Path) -> None:
    (tmp_path / "day1").mkdir()
    for name in ("day1/b.mp4", "a.MKV", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in expand_videos([tmp_path])] == ["a.MKV", "b.mp4"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no video files"):
        expand_videos([tmp_path / "empty"])
    with pytest.raises(SourceError, match="video not found"):
        expand_videos([tmp_path / "missing.mp4"])


def test_status_counts_and_rate() -> None:
    store = open_store("sqlite://")
    begin_window(store, "shop", "door", 0.0, 60.0)
    finish_window(store, window_id("shop", "door", 0.0, 60.0), "done", footage_s=60.0)
    begin_window(store, "shop", "door", 60.0, 120.0)
    summary = backlog_status(store, "shop")
    assert (summary["done"], summary["pending"], summary["total"]) == (1, 1, 2)
    assert summary["footage_s"] == 60.0 and summary["windows_per_minute"] > 0


def write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--camera", "till"], "camera 'till' has no playback_url"),
        (["--window", "soon"], "--window: expected a length"),
        (["--engine", "spark"], "--engine must be local or ray"),
        (["--ray-address", "10.0.0.1:6379"], "--ray-address needs --engine ray"),
    ],
)
def test_backlog_run_bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    site = write(tmp_path, site_data(playback_url=HIK))
    base = ["backlog", "run", "--site", str(site), "--db", f"sqlite:///{tmp_path}/s.db"]
    base += ["--from", "2026-12-07T10:00", "--to", "2026-12-07T11:00"]
    result = runner.invoke(app, base + args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert "pa55" not in result.output


def test_analyze_batch_refuses_single_file_options(tmp_path: Path) -> None:
    site = write(tmp_path, site_data())
    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"x")
    result = runner.invoke(
        app,
        [
            *("analyze", str(tmp_path / "a.mp4"), str(tmp_path / "b.mp4"), "--site", str(site)),
            *("--camera", "door", "--report", str(tmp_path / "r.html")),
        ],
    )
    assert result.exit_code == 2 and "--report work on one file" in result.output


def test_batch_of_unreadable_files_fails_each_with_its_reason(tmp_path: Path) -> None:
    site = write(tmp_path, site_data())
    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"not a video")
    result = runner.invoke(
        app,
        [
            *("analyze", str(tmp_path), "--site", str(site), "--camera", "door"),
            *("--db", f"sqlite:///{tmp_path}/s.db"),
        ],
    )
    assert result.exit_code == 1
    assert result.output.count("not a readable video") == 2
    assert "0 file(s) analysed (0 new events), 2 failed" in result.output
