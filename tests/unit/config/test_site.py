"""Site configuration: the issue's example loads; every mistake is one line naming file and key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepixel.config.site import SiteConfig, dump_site, load_site, parse_site
from storepixel.errors import ConfigError

EXAMPLE = """\
site: {id: demo, name: Demo Store, timezone: Europe/Lisbon}
cameras:
  - id: cam1
    source: path/or/rtsp-url
    analysis_fps: 5
    lines:   [{id: entrance, points: [[0.1, 0.6], [0.9, 0.6]]}]
    zones:   [{id: aisle-1, kind: area, polygon: [[0.2,0.3],[0.8,0.3],[0.8,0.9],[0.2,0.9]]}]
    privacy_masks: [{polygon: [[0,0],[0.2,0],[0.2,0.2],[0,0.2]]}]
"""
BASE: dict[str, Any] = yaml.safe_load(EXAMPLE)


def write(tmp_path: Path, data: Any, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def error_of(path: Path, camera: str = "cam1") -> str:
    with pytest.raises(ConfigError) as info:
        load_site(path).camera(camera)
    message = str(info.value)
    assert "\n" not in message, message
    assert str(path) in message, message
    return message


def test_issue_example_loads_with_defaults(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, EXAMPLE))
    cam = site.camera("cam1")
    assert site.site.tz.key == "Europe/Lisbon" and site.path == tmp_path / "site.yaml"
    assert cam.analysis_fps == 5 and cam.detector is None
    assert cam.lines[0].points == [(0.1, 0.6), (0.9, 0.6)] and cam.lines[0].hysteresis == 0.02
    assert cam.lines[0].footfall is True  # a line counts as an entrance unless marked otherwise
    zone = cam.zones[0]
    assert (zone.kind, zone.presence_s, zone.grace_s) == ("area", 1.0, 2.0)
    assert len(cam.privacy_masks) == 1


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, EXAMPLE))
    site.cameras[0].zones[0].min_presence_s = 3.5
    again = load_site(dump_site(site, tmp_path / "out" / "copy.yaml"))
    assert again.model_dump() == site.model_dump()
    assert "min_presence_s: 3.5" in (tmp_path / "out" / "copy.yaml").read_text()


def test_inner_line_is_not_footfall_and_round_trips(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["cameras"][0]["lines"].append(
        {"id": "fitting-room", "points": [[0.5, 0.1], [0.5, 0.4]], "footfall": False}
    )
    site = load_site(write(tmp_path, data))
    assert [ln.footfall for ln in site.camera("cam1").lines] == [True, False]
    out = dump_site(site, tmp_path / "copy.yaml")
    again = load_site(out)
    assert again.model_dump() == site.model_dump()
    assert [ln.footfall for ln in again.camera("cam1").lines] == [True, False]
    assert "footfall: false" in out.read_text()


def _set(path: list[Any], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


CASES = [
    # (what, mutation, key path, expected phrase)
    (
        "unknown key",
        _set(["cameras", 0, "zones", 0, "colour"], "red"),
        "cameras[0].zones[0].colour",
        "unknown key 'colour'; expected one of: id, name, kind",
    ),
    (
        "self-intersecting polygon",
        _set(
            ["cameras", 0, "zones", 0, "polygon"], [[0.2, 0.3], [0.8, 0.9], [0.8, 0.3], [0.2, 0.9]]
        ),
        "cameras[0].zones[0].polygon",
        "edges 1 and 3 cross",
    ),
    (
        "one-point line",
        _set(["cameras", 0, "lines", 0, "points"], [[0.1, 0.6]]),
        "cameras[0].lines[0].points",
        "expected exactly 2 points",
    ),
    (
        "same point twice",
        _set(["cameras", 0, "lines", 0, "points"], [[0.1, 0.6], [0.1, 0.6]]),
        "cameras[0].lines[0].points",
        "2 distinct points",
    ),
    (
        "pixels instead of fractions",
        _set(["cameras", 0, "lines", 0, "points"], [[64, 288], [0.9, 0.6]]),
        "cameras[0].lines[0].points[0][0]",
        "normalised coordinate between 0 and 1",
    ),
    (
        "two-point polygon",
        _set(["cameras", 0, "privacy_masks", 0, "polygon"], [[0, 0], [1, 1]]),
        "cameras[0].privacy_masks[0].polygon",
        "at least 3 points",
    ),
    (
        "self-intersecting ignore area",
        _set(
            ["cameras", 0, "ignore_areas"],
            [{"polygon": [[0.2, 0.3], [0.8, 0.9], [0.8, 0.3], [0.2, 0.9]]}],
        ),
        "cameras[0].ignore_areas[0].polygon",
        "edges 1 and 3 cross",
    ),
    (
        "footfall flag not a boolean",
        _set(["cameras", 0, "lines", 0, "footfall"], "sometimes"),
        "cameras[0].lines[0].footfall",
        "expected a valid boolean",
    ),
    (
        "bad zone kind",
        _set(["cameras", 0, "zones", 0, "kind"], "till"),
        "cameras[0].zones[0].kind",
        "expected 'area', 'queue', 'shelf' or 'staff'",
    ),
    (
        "zone id reuses a line id",
        _set(["cameras", 0, "zones", 0, "id"], "entrance"),
        "cameras[0].zones[0].id",
        "already used by lines[0]",
    ),
    ("unknown timezone", _set(["site", "timezone"], "Mars/Olympus"), "site.timezone", "IANA name"),
    (
        "bad fps",
        _set(["cameras", 0, "analysis_fps"], 0),
        "cameras[0].analysis_fps",
        "greater than 0",
    ),
    (
        "detector typo",
        _set(["cameras", 0, "detector"], {"confidance": 0.5}),
        "cameras[0].detector.confidance",
        "unknown key 'confidance'",
    ),
    (
        "id with a space",
        _set(["cameras", 0, "id"], "front door"),
        "cameras[0].id",
        "letters, digits",
    ),
    ("no cameras", _set(["cameras"], []), "cameras", "at least 1 item"),
    (
        "top-level typo",
        _set(["camera"], []),
        "camera",
        "unknown key 'camera' (did you mean 'cameras'?); expected one of: site, cameras",
    ),
]


@pytest.mark.parametrize(("what", "mutate", "key", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_one_line_naming_the_key(
    tmp_path: Path, what: str, mutate: Any, key: str, expected: str
) -> None:
    data = copy.deepcopy(BASE)
    mutate(data)
    camera = data["cameras"][0]["id"] if data.get("cameras") else "cam1"
    message = error_of(write(tmp_path, data), camera)
    assert f": {key}" in message and expected in message, message


def test_a_misspelt_key_is_reported_before_the_missing_one_it_hides(tmp_path: Path) -> None:
    """Issue 15, defect 9: ``camras:`` reported only "cameras: missing required key"."""
    data = copy.deepcopy(BASE)
    data["camras"] = data.pop("cameras")
    message = error_of(write(tmp_path, data))
    assert ": camras: unknown key 'camras' (did you mean 'cameras'?)" in message, message
    assert message.endswith("(+1 more problem)"), message


def test_errors_inside_a_camera_name_the_camera(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["cameras"][0]["zones"][0]["polygon"] = [[0, 0], [1, 1], [1, 0], [0, 1]]
    assert "(camera 'cam1')" in error_of(write(tmp_path, data))


def test_unknown_camera_lists_the_known_ones(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["cameras"].append({"id": "till-cam"})
    message = error_of(write(tmp_path, data), camera="cam9")
    assert message.endswith("no camera 'cam9'; known cameras: cam1, till-cam")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "got an empty file"),
        ("- just\n- a list\n", "expected a mapping"),
        ("site: {id: x\ncameras: [", "not valid YAML at line"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="site config not found"):
        load_site(tmp_path / "nope.yaml")


def test_relative_detector_model_path_is_next_to_the_site_file(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["cameras"][0]["detector"] = {"format": "yolov8", "path": "models/person.onnx"}
    cam = load_site(write(tmp_path, data)).camera("cam1")
    assert cam.detector is not None and cam.detector.path == tmp_path / "models" / "person.onnx"


_POLY_KEYS = [("lines", "points", 2), ("zones", "polygon", 4), ("privacy_masks", "polygon", 4)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(_POLY_KEYS),
    st.data(),
    st.floats(1.0001, 1e4) | st.floats(-1e4, -0.0001),
)
def test_any_out_of_range_coordinate_is_named_exactly(
    tmp_path: Path, where: tuple[str, str, int], data: st.DataObject, bad: float
) -> None:
    group, key, n = where
    point = data.draw(st.integers(0, n - 1))
    axis = data.draw(st.integers(0, 1))
    site = copy.deepcopy(BASE)
    site["cameras"][0][group][0][key][point][axis] = bad
    with pytest.raises(ConfigError) as info:
        parse_site(site, source="x.yaml")
    message = str(info.value)
    assert message.startswith(f"x.yaml: cameras[0].{group}[0].{key}[{point}][{axis}] ")
    assert "between 0 and 1" in message and "\n" not in message


@settings(max_examples=60, deadline=None)
@given(st.integers(4, 7), st.data())
def test_zone_polygons_must_be_simple(n: int, data: st.DataObject) -> None:
    """Points on a circle in any non-circular order cross themselves and are refused; in circular
    order (either direction) they load."""
    order = data.draw(st.permutations(range(n)))
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = [[round(0.5 + 0.4 * np.cos(a), 6), round(0.5 + 0.4 * np.sin(a), 6)] for a in ang]
    site = copy.deepcopy(BASE)
    site["cameras"][0]["zones"][0]["polygon"] = [pts[i] for i in order]
    rotations = [list(np.roll(np.arange(n), r)) for r in range(n)]
    cyclic = list(order) in rotations or list(order)[::-1] in rotations
    if cyclic:
        assert isinstance(parse_site(site), SiteConfig)
    else:
        with pytest.raises(ConfigError, match=r"cameras\[0\]\.zones\[0\]\.polygon .*cross"):
            parse_site(site)
