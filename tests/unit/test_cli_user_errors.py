"""The CLI defects a new user met (issue 15): a mistyped store path, markup in error messages,
keys for sites that do not exist, ``--version``, ``--camera`` on a one-camera site."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.helpers import cut_clip, storepixel
from tests.unit.test_cli import assert_one_line_error
from tests.unit.test_cli_web import cli

SITE = "site: {id: lisbon}\ncameras: [{id: door, analysis_fps: 2}]\n"


@pytest.mark.parametrize(
    "command",
    [("events", "export"), ("users", "list"), ("keys", "list")],
    ids=lambda c: " ".join(c),
)
def test_reading_commands_refuse_a_store_that_does_not_exist(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Defect 3: ``events export --db sqlite:///data/dmeo.db`` printed "0 events" and created
    an empty database and its folder."""
    typo = tmp_path / "dmeo" / "dmeo.db"
    result = cli(*command, "--db", f"sqlite:///{typo}")
    assert_one_line_error(result, "no store at", str(typo))
    assert not typo.parent.exists()


def test_writing_commands_still_create_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new" / "s.db"
    made = cli(
        "users", "create", "ana", "--password-stdin", "--db", f"sqlite:///{db}", stdin="x" * 12
    )
    assert made.returncode == 0, made.stderr
    assert db.exists()
    assert cli("users", "list", "--db", f"sqlite:///{db}").stdout == "ana\tviewer\n"


def test_error_messages_are_printed_as_they_are_not_as_markup(tmp_path: Path) -> None:
    """Defect 4: ``track "clip[cam2].mp4"`` reported ``video not found: …/clip.mp4``."""
    result = cli("track", tmp_path / "clip[cam2].mp4", "--mot", tmp_path / "o.txt")
    assert_one_line_error(result, "video not found", "clip[cam2].mp4")
    site = tmp_path / "site.yaml"
    site.write_text(
        "site: {id: s}\ncameras: [{id: c, zones: [{id: z, polygon: [[0, 0], [1, 1]]}]}]\n"
    )
    result = cli("doctor", "--site", site)
    assert_one_line_error(result, "at least 3 points [[x, y], ...]")


def test_keys_are_only_created_for_a_site_that_exists(tmp_path: Path) -> None:
    """Defect 6: ``keys create --site nosuchsite`` made an active key for no site."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    bad = cli("keys", "create", "--site", "nosuchsite", "--scope", "read", "--db", db)
    assert_one_line_error(bad, "site config not found: nosuchsite")
    site = tmp_path / "lisbon.yaml"
    site.write_text(SITE)
    good = cli("keys", "create", "--site", site, "--scope", "read", "--db", db)
    assert good.returncode == 0 and good.stdout.startswith("spk_"), good.stderr
    listed = cli("keys", "list", "--db", db).stdout.splitlines()
    assert len(listed) == 1 and listed[0].split("\t")[1:4] == ["lisbon", "read", "active"]


def test_version() -> None:
    """Defect 10: ``storepixel --version`` did not exist."""
    from importlib.metadata import version

    result = storepixel("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"storepixel {version('storepixel')}"


def test_camera_may_be_left_out_when_the_site_has_one(tmp_path: Path, vtest_path: Path) -> None:
    """Defect 10: ``analyze`` needed ``--camera`` even for a one-camera site."""
    clip = cut_clip(vtest_path, tmp_path / "clip.mp4", 10)
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = cli("analyze", clip, "--site", site, "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    assert '"camera": "door"' in result.stdout
    site.write_text(SITE.replace("[{id: door", "[{id: back}, {id: door"))
    result = cli("analyze", clip, "--site", site, "--db", db)
    assert_one_line_error(result, "--camera", "back, door")
