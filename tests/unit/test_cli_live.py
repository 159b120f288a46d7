"""`storepixel doctor` and `run` as users meet them: real subprocesses, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.fixtures.helpers import storepixel


def write_site(tmp_path: Path, *cameras: dict[str, object]) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump({"site": {"id": "shop"}, "cameras": list(cameras)}))
    return path


def test_doctor_reports_each_camera_and_fails_when_one_does(
    tmp_path: Path, vtest_path: Path
) -> None:
    (tmp_path / "page.txt").write_text("not a video")
    site = write_site(
        tmp_path,
        {"id": "good", "source": str(vtest_path), "analysis_fps": 20},
        {"id": "missing", "source": str(tmp_path / "gone.mp4")},
        {"id": "text", "source": "page.txt"},  # relative: found next to the site file
        {"id": "locked", "source": "rtsp://admin:hunter2@127.0.0.1:9/cam"},
        {"id": "nosource"},
    )
    result = storepixel("doctor", "--site", site, "--no-db", "--timeout", "2", "--json")
    assert result.returncode == 1, result.stderr
    checks = {c["subject"]: c for c in json.loads(result.stdout)}
    good = checks["camera good"]
    assert (good["status"], good["codec"], good["resolution"], good["fps"]) == (
        "warn",  # analysis_fps 20 is above the camera's 10
        "msmpeg4",
        "768x576",
        "10",
    )
    assert checks["camera missing"]["detail"].startswith("not_found")
    assert checks["camera text"]["detail"].startswith("not_a_video")
    assert checks["camera locked"]["detail"].startswith("unreachable")
    assert checks["camera nosource"]["status"] == "fail"
    assert checks["config"]["status"] == checks["detector (good)"]["status"] == "ok"
    assert "hunter2" not in result.stdout + result.stderr


def test_doctor_table_and_success_exit(tmp_path: Path, vtest_path: Path) -> None:
    site = write_site(tmp_path, {"id": "good", "source": str(vtest_path)})
    result = storepixel("doctor", "--site", site, "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "camera good" in result.stdout and "768x576" in result.stdout
    assert "all checks passed" in result.stdout


def test_invalid_site_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: {id: shop}\ncameras: []\n")
    for command in ("doctor", "run"):
        result = storepixel(command, "--site", bad)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "cameras" in lines[0], result.stderr


def test_run_for_a_while_on_a_file_camera(tmp_path: Path, vtest_path: Path) -> None:
    site = write_site(tmp_path, {"id": "cam1", "source": str(vtest_path), "loop": True})
    db = f"sqlite:///{tmp_path / 'live.db'}"
    result = storepixel("run", "--site", site, "--db", db, "--duration", "8", "--log-format=json")
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line)["msg"] for line in result.stderr.splitlines()]
    assert messages[-1] == "stopped cleanly" and "camera cam1 streaming" in messages
    # Live heatmaps come from a consumer of the event bus that every live run has (issue 15 #8).
    from storepixel.store import open_store
    from storepixel.store.heatmaps import load_grid

    with open_store(db) as store:
        assert load_grid(store, "shop", "cam1", 0, 4e9).sum() > 0
