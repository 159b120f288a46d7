"""Site configuration: site → cameras → lines, zones and privacy masks, loaded from YAML.

Coordinates are normalised (0–1 of the frame's width and height, origin top-left), so a zone drawn
on the main stream also fits the substream. Every problem is reported as one line naming the file,
the key path and what was expected.

>>> site = SiteConfig.model_validate({
...     "site": {"id": "demo", "name": "Demo Store", "timezone": "Europe/Lisbon"},
...     "cameras": [{"id": "cam1", "source": "door.mp4",
...                  "lines": [{"id": "entrance", "points": [[0.1, 0.6], [0.9, 0.6]]}],
...                  "zones": [{"id": "till", "polygon": [[0.2, 0.3], [0.8, 0.3], [0.8, 0.9]]}]}],
... })
>>> cam = site.camera("cam1")
>>> cam.analysis_fps, cam.zones[0].kind, cam.zones[0].presence_s, cam.zones[0].grace_s
(5.0, 'area', 1.0, 2.0)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from storepixel.analytics.geometry import polygon_problem
from storepixel.config.describe import DescribeConfig, for_camera
from storepixel.config.detector import DetectorConfig
from storepixel.config.faces import FacesConfig
from storepixel.config.integrations import (
    AlertRuleConfig,
    ForwardConfig,
    OutputConfig,
    RetentionConfig,
)
from storepixel.errors import ConfigError
from storepixel.files import read_yaml
from storepixel.validation import describe_validation_error, first_problem

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
Identifier = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="Letters, digits and _ . : - (up to 128; starts with a letter or digit). "
        "Used in events, metrics and URLs, so it should not change once data exists.",
    ),
]
Coordinate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate]
ZoneKind = Literal["area", "queue", "shelf", "staff"]

# Per kind: (minimum presence, exit grace) in seconds when the zone does not set them. A queue
# needs a longer presence so that people walking across it are not "waiting"; a shelf a shorter
# grace because people step back and forth in front of it.
ZONE_DEFAULTS: dict[str, tuple[float, float]] = {
    "area": (1.0, 2.0),
    "queue": (3.0, 3.0),
    "shelf": (2.0, 1.5),
    "staff": (1.0, 2.0),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_polygon(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    problem = polygon_problem(points)
    if problem and len(points) < 3:
        raise ValueError(f"expected at least 3 points [[x, y], ...], got {len(points)}")
    if problem:
        raise ValueError(f"{problem}; expected a simple polygon of at least 3 points")
    return points


class LineConfig(_Model):
    """A directed counting line: crossing it from the walker's left to right is ``in``."""

    id: Identifier
    name: str | None = Field(None, description="Label for reports; defaults to the id.")
    points: list[Point] = Field(
        description="Exactly two distinct points [[x1, y1], [x2, y2]], normalised. Walking from "
        "the first to the second, a crossing from your left to your right is 'in' (for a line "
        "drawn left to right, moving down the image is 'in')."
    )
    hysteresis: float = Field(
        0.02,
        ge=0.0,
        le=0.25,
        description="Half-width of the band around the line (normalised units) a person must "
        "clear on the far side before a crossing counts; jitter inside the band counts nothing.",
    )
    footfall: bool = Field(
        True,
        description="Counts toward the site's footfall (entrances); set false for inner lines "
        "such as aisle or fitting-room entrances.",
    )
    hidden_side: Literal["in", "out"] | None = Field(
        None,
        description="For a door the camera sees from the side (a shop door in a corridor's "
        "wall): the side of the line it cannot see. Someone who first appears at the line counts "
        "as coming from that side, and someone last seen at the line who stays unseen for 3 s as "
        "gone into it. Leave unset when both sides are in view.",
    )

    @field_validator("points")
    @classmethod
    def _two_distinct(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if len(points) != 2:
            raise ValueError(
                f"expected exactly 2 points [[x1, y1], [x2, y2]], got {len(points)} point(s)"
            )
        if points[0] == points[1]:
            raise ValueError("expected 2 distinct points, got the same point twice")
        return points


class StaticObjectConfig(_Model):
    """A static-object candidate the installer has decided on, where it stands in the picture."""

    box: tuple[float, float, float, float] = Field(
        description="[x1, y1, x2, y2], normalised (0-1) to the frame."
    )
    decision: Literal["confirmed", "dismissed"] = Field(
        description="'confirmed': not a person; 'dismissed': a real person's place, count it."
    )

    @field_validator("box")
    @classmethod
    def _ordered(cls, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = box
        if not (0.0 <= x1 < x2 <= 1.0 and 0.0 <= y1 < y2 <= 1.0):
            raise ValueError("expected 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1")
        return box


class ZoneConfig(_Model):
    """A polygon where people are counted in and out: an area, a queue or a shelf front."""

    id: Identifier
    name: str | None = Field(None, description="Label for reports; defaults to the id.")
    kind: ZoneKind = Field(
        "area",
        description="area: visits, dwell, occupancy. queue: also joins/leaves, waiting time and "
        "queue length. shelf: like area, tuned for short stops in front of a shelf. staff: where "
        "only staff go (behind a counter); whoever stays there 5 s is counted as staff "
        "(docs/people.md).",
    )
    polygon: list[Point] = Field(
        description="At least 3 normalised points forming a simple (not self-crossing) polygon."
    )
    min_presence_s: float | None = Field(
        None,
        ge=0.0,
        le=3600.0,
        description="Seconds a person must be inside before the visit counts (default by kind: "
        "area 1, queue 3, shelf 2).",
    )
    exit_grace_s: float | None = Field(
        None,
        ge=0.0,
        le=3600.0,
        description="Seconds a person may be outside or hidden and still be in the same visit "
        "(default by kind: area 2, queue 3, shelf 1.5).",
    )
    hysteresis: float = Field(
        0.01,
        ge=0.0,
        le=0.25,
        description="Distance (normalised) a foot point must be inside, or outside, the edge "
        "before the person's side changes; stops jitter on the edge flickering membership.",
    )

    @field_validator("polygon")
    @classmethod
    def _simple(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return _check_polygon(points)

    @property
    def presence_s(self) -> float:
        """Minimum presence in effect (the zone's own value or its kind's default)."""
        return (
            self.min_presence_s if self.min_presence_s is not None else ZONE_DEFAULTS[self.kind][0]
        )

    @property
    def grace_s(self) -> float:
        """Exit grace in effect (the zone's own value or its kind's default)."""
        return self.exit_grace_s if self.exit_grace_s is not None else ZONE_DEFAULTS[self.kind][1]


class ShelfConfig(_Model):
    """A shelf face or display whose funnel is measured from body pose (docs/shelves.md): who
    passed within reach, who stopped facing it, whose hand went in."""

    id: Identifier
    name: str | None = Field(None, description="Label for reports; defaults to the id.")
    polygon: list[Point] = Field(
        description="The shelf face or display as seen in the frame: at least 3 normalised "
        "points (a simple polygon) around where hands go to take a product."
    )
    product: str | None = Field(None, description="Product shown here (planogram).")
    brand: str | None = Field(None, description="Brand shown here (planogram).")
    category: str | None = Field(None, description="Category shown here (planogram).")
    min_attention_s: float = Field(
        1.0,
        ge=0.0,
        le=600.0,
        description="Seconds a person must stand still facing the shelf for a shelf_attention.",
    )

    @field_validator("polygon")
    @classmethod
    def _simple(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return _check_polygon(points)


class _Area(_Model):
    """An optionally named simple polygon of the frame."""

    id: Identifier | None = Field(None, description="Optional name, for your own reference.")
    polygon: list[Point] = Field(description="At least 3 normalised points (a simple polygon).")

    @field_validator("polygon")
    @classmethod
    def _simple(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return _check_polygon(points)


class PrivacyMaskConfig(_Area):
    """A polygon blanked in every frame before any model sees it."""


class IgnoreAreaConfig(_Area):
    """Where no visitor can stand: people whose feet fall inside are not tracked or counted (a
    poster or screen showing people, mannequins, a window onto the street)."""


class PerformanceConfig(_Model):
    """How a camera saves work (the ``performance`` section; see docs/tuning.md).

    Every option keeps what is counted: skipped frames still advance capture time, with the
    tracker holding each person where the detector last saw them.
    """

    gate: bool = Field(
        default=True,
        description="Skip the detector on frames where nothing changed that the tracks do not "
        "explain (an empty shop, people standing still).",
    )
    track_interval_s: float = Field(
        default=1.0,
        ge=0.0,
        le=10.0,
        description="With the gate on: people standing still are re-detected at least this often "
        "(seconds); 0 = whenever anything changes while people are in view.",
    )
    walk_interval_s: float = Field(
        default=0.4,
        ge=0.0,
        le=2.0,
        description="With the gate on: people walking are detected at least this often "
        "(seconds), and at least every second analysed frame; the frame in between gets boxes "
        "interpolated between the detections around it, or is detected after all if someone "
        "appeared or was lost. 0 = every frame.",
    )
    idle_interval_s: float = Field(
        default=30.0,
        ge=0.0,
        le=3600.0,
        description="With the gate on: the detector looks at an unchanged scene at least this "
        "often (seconds).",
    )
    region: bool = Field(
        default=False,
        description="Run the detector only on the part of the frame around the zones and lines "
        "(when that is well under the whole frame).",
    )
    pose_burst_fps: float = Field(
        default=0.0,
        ge=0.0,
        le=120.0,
        description="Cameras with shelves: while someone stands at a shelf, look at their pose "
        "this often (frames a second, up to the source's rate), on decoded frames between the "
        "analysed ones too, so that a short reach is seen in several poses. 0 = only on analysed "
        "frames. Files only (analyze, bench); docs/shelves.md has what it costs and gains.",
    )


class CameraConfig(_Model):
    """One camera: where its video comes from, how often to analyse it, and what to count."""

    id: Identifier
    name: str | None = Field(None, description="Label for reports; defaults to the id.")
    source: str | None = Field(
        None,
        description="File path, rtsp:// or http(s):// URL, or a USB device; may be left out "
        "when the video is given on the command line.",
    )
    playback_url: str | None = Field(
        None,
        description="The camera's recordings on a DVR/NVR, for `storepixel backlog run`: a URL "
        "template with the window's {start} and {end} (UTC; {start_local}/{end_local} in the "
        "site's time zone) in Python format syntax, e.g. rtsp://HOST/Streaming/tracks/101?"
        "starttime={start:%Y%m%dT%H%M%SZ}&endtime={end:%Y%m%dT%H%M%SZ}.",
    )
    analysis_fps: float = Field(
        5.0, gt=0.0, le=60.0, description="Frames per second of capture time to analyse."
    )
    transport: Literal["tcp", "udp"] | None = Field(
        default=None, description="RTSP transport for `storepixel run`; empty = tcp."
    )
    loop: bool | None = Field(
        default=None, description="`storepixel run` replays a file source forever (demos)."
    )
    detector: DetectorConfig | None = Field(
        None, description="Person detector settings; empty = the bundled default."
    )
    lines: list[LineConfig] = Field(
        default_factory=list, description="Counting lines (entrances, aisles): in and out."
    )
    zones: list[ZoneConfig] = Field(
        default_factory=list,
        description="Areas, queues and shelf fronts: visits, dwell, occupancy, waiting time.",
    )
    privacy_masks: list[PrivacyMaskConfig] = Field(
        default_factory=list,
        description="Areas blanked before any model sees the frame, and in every image shown.",
    )
    ignore_areas: list[IgnoreAreaConfig] = Field(
        default_factory=list,
        description="Detections whose foot point falls inside are dropped before tracking; "
        "unlike a privacy mask, the pixels stay visible to the detector.",
    )
    performance: PerformanceConfig | None = Field(
        default=None,
        description="Work-saving options; empty = the defaults (gate on, region off).",
    )
    static_after_s: float = Field(
        default=10.0,
        ge=0.0,
        le=86400.0,
        description="A person-shaped thing detected in the same place with no motion of its own "
        "(not a pixel of it changing) for this many seconds is a static object (a mannequin, a "
        "poster, a reflection) and is not tracked or counted until it moves; 0 = off.",
    )
    static_objects: list[StaticObjectConfig] = Field(
        default_factory=list,
        description="The installer's word on static-object candidates (shown in the camera "
        "editor): 'confirmed' (not a person: suppressed at once, counted again if it moves) or "
        "'dismissed' (a person's place: never suppressed).",
    )
    shelves: list[ShelfConfig] = Field(
        default_factory=list,
        description="Shelves whose pass / attention / reach funnel is measured from body pose. "
        "The pose model runs only on people near one of them; a camera without shelves runs "
        "no pose model at all.",
    )
    describe: dict[str, Any] | None = Field(
        default=None,
        description="Keys of the site's `describe:` block this camera overrides (e.g. model).",
    )

    @field_validator("playback_url")
    @classmethod
    def _playback_template(cls, value: str | None) -> str | None:
        from storepixel.sources.playback import template_problem

        if value is not None and (problem := template_problem(value)):
            raise ValueError(problem)  # never echoes the URL: it may hold a password
        return value

    @model_validator(mode="after")
    def _unique_scope_ids(self) -> CameraConfig:
        # Lines, zones and shelves share one namespace: all are the ``scope_id`` of events.
        seen: dict[str, str] = {}
        ids = [(f"lines[{i}]", ln.id) for i, ln in enumerate(self.lines)]
        ids += [(f"zones[{i}]", z.id) for i, z in enumerate(self.zones)]
        ids += [(f"shelves[{i}]", sh.id) for i, sh in enumerate(self.shelves)]
        for where, scope_id in ids:
            if scope_id in seen:
                raise ValueError(
                    f"{where}.id: {scope_id!r} is already used by {seen[scope_id]}; "
                    "expected ids unique among the camera's lines, zones and shelves"
                )
            seen[scope_id] = where
        return self

    def line(self, line_id: str) -> LineConfig:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise ConfigError(f"camera {self.id!r} has no line {line_id!r}")

    def shelf(self, shelf_id: str) -> ShelfConfig:
        for shelf in self.shelves:
            if shelf.id == shelf_id:
                return shelf
        raise ConfigError(f"camera {self.id!r} has no shelf {shelf_id!r}")

    def zone(self, zone_id: str) -> ZoneConfig:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise ConfigError(f"camera {self.id!r} has no zone {zone_id!r}")


class SiteInfo(_Model):
    """The store itself."""

    id: Identifier
    name: str | None = Field(None, description="Display name; defaults to the id.")
    timezone: str = Field(
        "UTC",
        description="IANA timezone of the store (e.g. Europe/Lisbon): reports show local time; "
        "events and metrics are stored in UTC.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; expected an IANA name such as Europe/Lisbon or UTC"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SearchConfig(_Model):
    """Search over what happened (``storepixel search``; needs ``storepixel[search]``)."""

    index: bool = Field(
        False,
        description="Keep the search index current as events arrive, off the counting path. "
        "Off: `storepixel search` and the search API index what arrived when they run.",
    )


class SiteConfig(_Model):
    """A whole site file. ``camera(id)`` picks one camera with a helpful error."""

    site: SiteInfo = Field(description="The store: its id, name and time zone.")
    cameras: list[CameraConfig] = Field(min_length=1, description="The store's cameras.")
    alerts: list[AlertRuleConfig] = Field(default_factory=list, description="Alert rules.")
    outputs: list[OutputConfig] = Field(
        default_factory=list, description="Webhooks, MQTT, GA4, Segment fed from the outbox."
    )
    retention: RetentionConfig = Field(
        default_factory=lambda: RetentionConfig(), description="How long each kind of data is kept."
    )
    search: SearchConfig = Field(
        default_factory=lambda: SearchConfig(index=False), description=SearchConfig.__doc__
    )
    describe: DescribeConfig | None = Field(
        default=None,
        description="Describe people-chunks with a vision-language model (default: off).",
    )
    forward: ForwardConfig | None = Field(
        default=None,
        description="Forward this store's rows to a central server while running (default: off).",
    )
    faces: FacesConfig = Field(
        default_factory=lambda: FacesConfig(),
        description="Opt-in face features: aggregate age/gender, returning visitors (off).",
    )

    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_camera_ids(self) -> SiteConfig:
        seen: set[str] = set()
        for i, cam in enumerate(self.cameras):
            if cam.id in seen:
                raise ValueError(
                    f"cameras[{i}].id: {cam.id!r} is used twice; expected unique camera ids"
                )
            seen.add(cam.id)
        for i, cam in enumerate(self.cameras):
            if cam.describe:
                try:
                    for_camera(self.describe, cam.describe)
                except ConfigError as err:
                    raise ValueError(f"cameras[{i}].{err}") from None
        return self

    def describe_for(self, camera_id: str) -> DescribeConfig:
        """The describe settings of one camera (the site's, with the camera's overrides)."""
        return for_camera(self.describe, self.camera(camera_id).describe)

    @model_validator(mode="after")
    def _alerts_and_outputs(self) -> SiteConfig:
        ids: set[str] = set()
        for i, rule in enumerate(self.alerts):
            if rule.id in ids:
                raise ValueError(f"alerts[{i}].id: {rule.id!r} is used twice")
            ids.add(rule.id)
            cams = [c for c in self.cameras if rule.camera in (None, c.id)]
            if not cams:
                raise ValueError(f"alerts[{i}].camera: no camera {rule.camera!r}")
            if rule.zone is not None and not any(z.id == rule.zone for c in cams for z in c.zones):
                raise ValueError(f"alerts[{i}].zone: no camera has a zone {rule.zone!r}")
        names: set[str] = set()
        for i, out in enumerate(self.outputs):
            if out.id is None:
                out.id = f"{out.kind}-{i + 1}"
            if out.id in names:
                raise ValueError(f"outputs[{i}].id: {out.id!r} is used twice")
            names.add(out.id)
        return self

    @property
    def path(self) -> Path | None:
        """The file this configuration was loaded from, if any."""
        return self._path

    def camera(self, camera_id: str | None) -> CameraConfig:
        """The camera with this id; ``ConfigError`` listing the known ids otherwise. ``None``
        means the site's only camera (an error naming them when it has several)."""
        if camera_id is None:
            if len(self.cameras) == 1:
                return self.cameras[0]
            known = ", ".join(c.id for c in self.cameras)
            raise ConfigError(f"this site has several cameras: name one with --camera ({known})")
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        known = ", ".join(c.id for c in self.cameras)
        where = f"{self._path}: " if self._path else ""
        raise ConfigError(f"{where}no camera {camera_id!r}; known cameras: {known}")


# --- YAML load / save ----------------------------------------------------------------------------


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate a site YAML file; ``ConfigError`` (one line) on any problem.

    Relative detector model paths are resolved against the file's folder.
    """
    path = Path(path)
    data = read_yaml(path, "site config")
    site = parse_site(data, source=str(path))
    site._path = path
    for cam in site.cameras:
        det = cam.detector
        if det is not None and det.path is not None and not det.path.is_absolute():
            cam.detector = det.model_copy(update={"path": (path.parent / det.path).resolve()})
    return site


def parse_site(data: Any, source: str = "site config") -> SiteConfig:
    """Validate already-parsed YAML/JSON data; ``source`` names it in error messages."""
    if not isinstance(data, dict):
        got = "an empty file" if data is None else type(data).__name__
        raise ConfigError(f"{source}: expected a mapping with keys 'site' and 'cameras', got {got}")
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_error(exc, data)}") from None


def site_yaml(site: SiteConfig) -> str:
    """``site`` as YAML text (unset optional keys left out)."""
    data = site.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)


def dump_site(site: SiteConfig, path: str | Path) -> Path:
    """Write ``site`` as YAML and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(site_yaml(site), encoding="utf-8")
    return out


# --- one-line error messages ---------------------------------------------------------------------


def _camera_hint(loc: tuple[int | str, ...], data: Any) -> str:
    """`` (camera 'cam1')`` when the error is inside a camera whose id can be read."""
    if len(loc) >= 2 and loc[0] == "cameras" and isinstance(loc[1], int):
        cams = data.get("cameras") if isinstance(data, dict) else None
        if isinstance(cams, list) and loc[1] < len(cams) and isinstance(cams[loc[1]], dict):
            cam_id = cams[loc[1]].get("id")
            if isinstance(cam_id, str):
                return f" (camera {cam_id!r})"
    return ""


_SUBPATH = re.compile(r"^((?:[a-z_]+\[\d+\]\.)*[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?): (.*)$")


def describe_error(exc: ValidationError, data: Any = None) -> str:
    """The first validation error as ``key.path (camera 'x'): what was expected`` (+ how many more).

    Only the first is shown so the message stays one line; fixing it reveals the next.
    """
    errors = exc.errors()
    message = describe_validation_error(errors, SiteConfig)
    where, _, what = message.partition(": ")
    first = first_problem(errors)
    # Model-level checks (unique ids) name the offending sub-key first: fold it into the path.
    found = _SUBPATH.match(what) if first["type"] == "value_error" else None
    if found:
        where = f"{where}.{found.group(1)}" if where != "top level" else found.group(1)
        what = found.group(2)
    return f"{where}{_camera_hint(tuple(first['loc']), data)}: {what}"
