"""Store analytics accuracy: line counts, zone visits and dwell on MOTChallenge ground truth.

    .venv/bin/python bench/analytics_accuracy.py [SEQ_DIR --site SITE.yaml] [--tracks OUT.txt]
        [--run-tracker] [--analyze LABEL=SUMMARY.json] [--write-docs]
        [--runtime auto|onnxruntime|openvino]

With no arguments it runs both shared sequences with their sites in ``bench/sites/``. For each
line and zone it prints, side by side, from the same ground-truth tracks:

- **reference**: the quantity straight from its definition, computed offline per track — every
  pass of a foot point through the line segment (consecutive GT positions); per zone, the runs of
  frames whose foot point is inside, runs closer than the zone's exit grace merged and runs shorter
  than its minimum presence dropped; dwell = last − first frame inside.
- **storepixel**: ``CameraAnalytics`` fed the GT boxes frame by frame (all as confirmed tracks).
- **supervision**: ``sv.LineZone`` (bottom-centre anchor, direction matched to ours) and
  ``sv.PolygonZone`` (bottom-centre) with the timer of supervision's time-in-zone example: one
  visit per tracker id that was ever in the zone, dwell from its first to its last frame there.

The same two methods also run on **noisy GT** — every box shifted by Gaussian noise of
``--noise`` × its height and ``--drop`` of the rows removed (missed detections), averaged over
``--seeds`` seeds — and are scored against the reference from the clean GT: that is what a real
detector does to the foot points, and where hysteresis, presence and grace earn their keep.

``--tracks OUT.txt`` (a MOTChallenge result file, e.g. from ``storepixel track``) or
``--run-tracker public|bundled`` (our tracker on the sequence's public detections, or on the
bundled detector's boxes as ``analyze`` runs them) adds the same numbers from tracker output, with
the count error and median-dwell error against the reference.
``--stays`` also prints, per zone, every stay of the reference (GT id, first and last second
inside) and of the tracker run (track id, first and last second, and the GT people its boxes
covered then), to see which visits are split, merged or missed.
``--analyze new=SUMMARY.json`` (repeatable) adds a column from ``storepixel analyze --json`` run
on the sequence's video with the same site: the product's own counts (change gate, adaptive
detector passes and all), e.g. two releases side by side.
Truth labelled on every k-th frame only (``labelled_every`` in seqinfo.ini, as the plaza's):
the reference and the GT columns use those frames (10 fps / 5 = 2 fps: fine for lines and
visits; dwell to ±0.5 s); tracker runs use every frame.
``--tracker-config '{"appearance_gate": 0.45}'`` overrides ``TrackerConfig`` fields of the tracker
runs (ablations), as in ``bench/mot_eval.py``.
``--write-docs`` regenerates the tables of the "## Store analytics" section of
docs/dev/accuracy-history.md (the sequences' table, then the synthetic scenes' one with
``--synthetic``); its text is kept by hand.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import warnings
from collections.abc import Iterable, Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storepixel.analytics.engine import CameraAnalytics
from storepixel.analytics.geometry import DirectedLine, Polygon
from storepixel.config.site import CameraConfig, load_site
from storepixel.evaluation.mot import (
    Sequence,
    iter_images,
    load_sequence,
    public_detections,
    replace_tables,
)
from storepixel.tracking.mot_io import read_mot_file
from storepixel.types import Detections, Tracks, TrackState

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
SITES = Path(__file__).resolve().parent / "sites"
DEFAULT_RUNS = [
    (SHARED_EVAL / "tud-campus", SITES / "tud-campus.yaml"),
    (SHARED_EVAL / "pets09-s3mf1", SITES / "pets09-s3mf1.yaml"),
]
DOCS = (
    REPO / "docs" / "dev" / "accuracy-history.md"
)  # the tables of record; docs/accuracy.md sums up
SECTION = "## Store analytics"
ANCHOR = 1_700_000_000.0  # any fixed capture time: the footage's t = 0

F64 = NDArray[np.float64]


@dataclass(slots=True)
class Numbers:
    """What one method reports: per line (in, out); per zone, visits and their dwells, and (where
    known) each stay as (track or GT id, first, last second inside)."""

    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    dwells: dict[str, list[float]] = field(default_factory=dict)
    stays: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)

    def median_dwell(self, zone: str) -> float | None:
        d = self.dwells.get(zone, [])
        return float(np.median(d)) if d else None


# --- tracks ------------------------------------------------------------------------------------


def tracks_by_frame(rows: F64, frames: Iterable[int]) -> dict[int, tuple[NDArray[np.int64], F64]]:
    """MOT rows (frame, id, x, y, w, h, ...) → per 1-based frame of ``frames`` (all of a tracker's
    frames; a sequence's labelled ones for its truth): ids and xyxy boxes."""
    out: dict[int, tuple[NDArray[np.int64], F64]] = {}
    for f in frames:
        r = rows[rows[:, 0] == f]
        xyxy = np.column_stack([r[:, 2], r[:, 3], r[:, 2] + r[:, 4], r[:, 3] + r[:, 5]])
        out[f] = (r[:, 1].astype(np.int64), xyxy)
    return out


def foot(xyxy: F64) -> F64:
    return np.column_stack([(xyxy[:, 0] + xyxy[:, 2]) / 2, xyxy[:, 3]])


def perturb(rows: F64, rng: np.random.Generator, noise: float, drop: float) -> F64:
    """GT rows with detector-like jitter (σ = ``noise`` × box height) and missed detections."""
    keep = rng.random(len(rows)) >= drop
    out = rows[keep].copy()
    sigma = noise * out[:, 5:6]
    out[:, 2:4] += rng.normal(0.0, 1.0, (len(out), 2)) * sigma
    return out


def mean_numbers(runs: list[Numbers]) -> Numbers:
    """Averages over seeds (visits and counts as means; dwell: mean of the per-run medians)."""
    first = runs[0]
    out = Numbers()
    for lid in first.lines:
        out.lines[lid] = tuple(float(np.mean([r.lines[lid][k] for r in runs])) for k in (0, 1))  # type: ignore[assignment]
    for zid in first.visits:
        out.visits[zid] = float(np.mean([r.visits[zid] for r in runs]))  # type: ignore[assignment]
        medians = [m for r in runs if (m := r.median_dwell(zid)) is not None]
        out.dwells[zid] = [float(np.mean(medians))] if medians else []
    return out


# --- reference: the definitions, offline, per track ---------------------------------------------


def reference(seq: Sequence, frames: dict[int, tuple[NDArray[np.int64], F64]], cam: CameraConfig):
    w, h = seq.frame_size or (1, 1)
    per_track: dict[int, list[tuple[float, F64]]] = {}
    for f, (ids, xyxy) in frames.items():
        pts = foot(xyxy) / [w, h]
        for tid, p in zip(ids.tolist(), pts, strict=True):
            per_track.setdefault(tid, []).append(((f - 1) / seq.fps, p))
    out = Numbers()
    for ln in cam.lines:
        line = DirectedLine(*ln.points)
        n_in = n_out = 0
        for path in per_track.values():
            pts = np.array([p for _, p in path])
            d, u = line.side(pts), line.along(pts)
            for i in range(1, len(pts)):
                if (d[i - 1] >= 0) == (d[i] >= 0):
                    continue
                u_cross = u[i - 1] + (u[i] - u[i - 1]) * d[i - 1] / (d[i - 1] - d[i])
                if 0 <= u_cross <= 1:
                    n_in += d[i] >= 0
                    n_out += d[i] < 0
        out.lines[ln.id] = (int(n_in), int(n_out))
    for z in cam.zones:
        poly = Polygon(z.polygon)
        dwells: list[float] = []
        out.stays[z.id] = []
        for tid, path in per_track.items():
            times = np.array([t for t, _ in path])
            inside = poly.contains(np.array([p for _, p in path]))
            runs: list[list[float]] = []
            for t in times[inside]:
                if runs and t - runs[-1][1] < z.grace_s + 1e-9:
                    runs[-1][1] = t
                else:
                    runs.append([t, t])
            runs = [r for r in runs if r[1] - r[0] >= z.presence_s - 1e-9]
            dwells += [b - a for a, b in runs]
            out.stays[z.id] += [(tid, a, b) for a, b in runs]
        out.visits[z.id] = len(dwells)
        out.dwells[z.id] = dwells
    return out


# --- storepixel ---------------------------------------------------------------------------------


def storepixel(
    seq: Sequence, frames: dict[int, tuple[NDArray[np.int64], F64]], cam: CameraConfig, site: str
) -> Numbers:
    ca = CameraAnalytics(site, cam, run_anchor=ANCHOR)
    size = seq.frame_size or (1, 1)
    for f in sorted(frames):  # truth labelled every k-th frame: fed at that rate
        ids, xyxy = frames[f]
        state = np.full(len(ids), TrackState.CONFIRMED, np.int8)
        ca.update(Tracks(ids, xyxy, np.ones(len(ids)), state), ANCHOR + (f - 1) / seq.fps, size)
    ca.flush(ANCHOR + seq.n_frames / seq.fps)
    return _numbers(ca)


def _numbers(ca: CameraAnalytics) -> Numbers:
    out = Numbers()
    for lid, c in ca.lines.items():
        out.lines[lid] = (c.in_count, c.out_count)
    for zid, z in ca.zones.items():
        out.visits[zid] = z.visits
        out.dwells[zid] = list(z.dwells)
    return out


# --- supervision --------------------------------------------------------------------------------


def supervision(
    seq: Sequence, frames: dict[int, tuple[NDArray[np.int64], F64]], cam: CameraConfig
) -> Numbers:
    # Imported here only: supervision pulls opencv-python, which can shadow the headless cv2.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import supervision as sv

    w, h = seq.frame_size or (1, 1)
    anchor = [sv.Position.BOTTOM_CENTER]
    line_zones = {}
    for ln in cam.lines:
        (ax, ay), (bx, by) = ((x * w, y * h) for x, y in ln.points)
        # supervision counts "in" towards the left of start→end; ours towards the right: swap.
        line_zones[ln.id] = sv.LineZone(
            start=sv.Point(bx, by), end=sv.Point(ax, ay), triggering_anchors=anchor
        )
    poly_zones = {
        z.id: sv.PolygonZone(
            np.round(np.array(z.polygon) * [w, h]).astype(np.int64), triggering_anchors=anchor
        )
        for z in cam.zones
    }
    # supervision's time-in-zone example: a timer per tracker id from its first frame in the zone;
    # a visit per id that ever entered, dwell = last − first frame in the zone.
    first_in: dict[str, dict[int, float]] = {z: {} for z in poly_zones}
    last_in: dict[str, dict[int, float]] = {z: {} for z in poly_zones}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in sorted(frames):
            ids, xyxy = frames[f]
            t = (f - 1) / seq.fps
            det = sv.Detections(xyxy=xyxy.astype(np.float32), tracker_id=ids)
            if len(det):
                for lz in line_zones.values():
                    lz.trigger(det)
            for zid, pz in poly_zones.items():
                mask = pz.trigger(det) if len(det) else np.zeros(0, bool)
                for tid in ids[mask].tolist():
                    first_in[zid].setdefault(tid, t)
                    last_in[zid][tid] = t
    out = Numbers()
    for zid in poly_zones:
        out.visits[zid] = len(first_in[zid])
        out.dwells[zid] = [last_in[zid][i] - first_in[zid][i] for i in first_in[zid]]
    for lid, lz in line_zones.items():
        out.lines[lid] = (lz.in_count, lz.out_count)
    return out


# --- report -------------------------------------------------------------------------------------


def _num(v: float | None, dwell: bool = False) -> str:
    if v is None:
        return "–"
    if dwell or not float(v).is_integer():
        return f"{v:.2f}" if dwell else f"{v:.1f}"
    return str(int(v))


def _cell(got: float | None, want: float | None, dwell: bool, with_error: bool) -> str:
    text = _num(got, dwell)
    if not with_error or got is None or want is None:
        return text
    if want == 0:
        return text if got == 0 else f"{text} (+{_num(got)})"
    return f"{text} ({100 * (got - want) / abs(want):+.0f} %)"


def table(name: str, cam: CameraConfig, cols: dict[str, Numbers]) -> list[str]:
    """Markdown rows; columns other than the GT ones show their error against the reference."""
    ref = cols["reference (GT)"]
    head = "| sequence | quantity | " + " | ".join(cols) + " |"
    rows = [head, "|" + "---|" * (len(cols) + 2)]
    plain = {"reference (GT)", "storepixel (GT)", "supervision (GT)"}

    def add(q: str, get, dwell: bool = False) -> None:  # type: ignore[no-untyped-def]
        cells = [_cell(get(c), get(ref), dwell, k not in plain) for k, c in cols.items()]
        rows.append(f"| {name} | {q} | " + " | ".join(cells) + " |")

    for ln in cam.lines:
        for k, label in ((0, "in"), (1, "out")):
            add(f"line `{ln.id}` {label}", lambda c, i=ln.id, k=k: c.lines[i][k])
    for z in cam.zones:
        add(f"zone `{z.id}` visits", lambda c, i=z.id: c.visits[i])
        add(f"zone `{z.id}` median dwell (s)", lambda c, i=z.id: c.median_dwell(i), dwell=True)
    return rows


# Overrides of ``TrackerConfig`` for the tracker runs (``--tracker-config``), for ablations.
CONFIG_OVERRIDES: dict[str, object] = {}
# The detector config's runtime for ``--run-tracker bundled`` (``--runtime``).
RUNTIME = "auto"


class _Replay:
    """A detector that answers with detections already computed for each frame index."""

    def __init__(self, dets: dict[int, Detections]) -> None:
        self.dets = dets
        self.index = 0

    def detect(self, image: NDArray[np.uint8]) -> Detections:
        self.index += 1
        return self.dets[self.index]


def pipeline_numbers(
    seq: Sequence, detections: str, cam: CameraConfig, site: str
) -> tuple[Numbers, dict[int, tuple[NDArray[np.int64], F64]]]:
    """Detections → static-object watch → tracker → analytics through ``CameraPipeline``, frame
    by frame, as ``storepixel analyze`` runs them (``bundled``: the default detector; ``public``:
    the sequence's own detections) but on every frame, without analyze's change gate and with
    the detector's fixed passes (``--analyze`` scores analyze's own summary). Also returns the
    confirmed tracks of each frame."""
    from storepixel.pipeline.factory import camera_static_objects

    images = dict(iter_images(seq))
    if detections == "public":
        dets = public_detections(seq)
    else:
        from storepixel.config.detector import DetectorConfig
        from storepixel.vision.detector import load_detector

        detector = load_detector(DetectorConfig(runtime=RUNTIME))  # type: ignore[arg-type]
        dets = {f: detector.detect(img) for f, img in images.items()}
    return _pipeline(seq, dets, images, cam, site, static=camera_static_objects(cam))


def _pipeline(
    seq: Sequence,
    dets: dict[int, Detections],
    images: Mapping[int, NDArray[np.uint8]],
    cam: CameraConfig,
    site: str,
    appearance: bool = True,
    static: object = None,
) -> tuple[Numbers, dict[int, tuple[NDArray[np.int64], F64]]]:
    from storepixel.events.ids import track_pseudonym
    from storepixel.pipeline.camera import CameraPipeline
    from storepixel.pipeline.ignore import IgnoreAreas
    from storepixel.tracking.tracker import Tracker, TrackerConfig
    from storepixel.types import Event, EventKind, Frame

    ca = CameraAnalytics(site, cam, run_anchor=ANCHOR)
    tracker = Tracker(TrackerConfig(**{**CONFIG_OVERRIDES, "appearance": appearance}))  # type: ignore[arg-type]
    # As analyze builds it (the detections were found on the unmasked picture; the shared
    # sequences' sites have no privacy masks).
    ignore = IgnoreAreas([a.polygon for a in cam.ignore_areas])
    pipeline = CameraPipeline(_Replay(dets), tracker, None, ca, ignore=ignore, static=static)  # type: ignore[arg-type]
    confirmed: dict[int, tuple[NDArray[np.int64], F64]] = {}
    events: list[Event] = []
    for f in range(1, seq.n_frames + 1):
        t = (f - 1) / seq.fps
        (result,) = pipeline.process(Frame(seq.name, f - 1, t, ANCHOR + t, images[f]))
        seen = result.tracks.confirmed()
        confirmed[f] = (seen.ids, seen.xyxy.astype(np.float64))
        events += result.events
    events += ca.flush(ANCHOR + seq.n_frames / seq.fps)
    numbers = _numbers(ca)
    ids = {int(i) for ids, _ in confirmed.values() for i in ids.tolist()}
    raw = {track_pseudonym(site, cam.id, ANCHOR, i): i for i in ids}
    for e in events:
        if e.kind == EventKind.ZONE_EXIT and e.scope_id is not None:
            last, dwell = e.time - ANCHOR, float(e.properties["dwell_s"])  # type: ignore[arg-type]
            first = max(0.0, last - dwell)  # rounding at t = 0 would print -0.00
            numbers.stays.setdefault(e.scope_id, []).append((raw[e.track_id], first, last))
    return numbers, confirmed


def analyze_numbers(summary: Path) -> Numbers:
    """The line counts, zone visits and median dwell of a ``storepixel analyze --json`` summary
    (its ``dwell_p50_s`` is the zone's median dwell)."""
    data = json.loads(summary.read_text())
    out = Numbers()
    for lid, c in data["lines"].items():
        out.lines[lid] = (int(c["in"]), int(c["out"]))
    for zid, z in data["zones"].items():
        out.visits[zid] = int(z["visits"])
        out.dwells[zid] = [] if z["dwell_p50_s"] is None else [float(z["dwell_p50_s"])]
    return out


def evaluate(
    seq_dir: Path,
    site_path: Path,
    tracks: Path | None = None,
    run_tracker: str | None = None,
    noise: float = 0.03,
    drop: float = 0.1,
    seeds: int = 20,
    stays: list[str] | None = None,
    analyzed: Mapping[str, Path] | None = None,
) -> list[str]:
    seq = load_sequence(seq_dir)
    site = load_site(site_path)
    cam = site.cameras[0]
    gt = tracks_by_frame(seq.gt, seq.scored_frames())
    cols = {
        "reference (GT)": reference(seq, gt, cam),
        "storepixel (GT)": storepixel(seq, gt, cam, site.site.id),
        "supervision (GT)": supervision(seq, gt, cam),
    }
    if seeds > 0:
        ours, theirs = [], []
        for seed in range(seeds):
            noisy = tracks_by_frame(
                perturb(seq.gt, np.random.default_rng(seed), noise, drop), seq.scored_frames()
            )
            ours.append(storepixel(seq, noisy, cam, site.site.id))
            theirs.append(supervision(seq, noisy, cam))
        cols["storepixel (noisy GT)"] = mean_numbers(ours)
        cols["supervision (noisy GT)"] = mean_numbers(theirs)
    if tracks is not None:
        frames = tracks_by_frame(read_mot_file(tracks), seq.frame_numbers())
        cols["storepixel (tracks)"] = storepixel(seq, frames, cam, site.site.id)
        cols["supervision (tracks)"] = supervision(seq, frames, cam)
    elif run_tracker is not None:
        ours_t, frames = pipeline_numbers(seq, run_tracker, cam, site.site.id)
        cols["storepixel (tracks)"] = ours_t
        cols["supervision (tracks)"] = supervision(seq, frames, cam)
        if stays is not None:
            stays += stay_lines(seq, cols["reference (GT)"], ours_t, frames, gt)
    for label, summary in (analyzed or {}).items():
        cols[f"analyze {label}"] = analyze_numbers(summary)
    return table(seq.name, cam, cols)


def stay_lines(
    seq: Sequence,
    ref: Numbers,
    ours: Numbers,
    frames: dict[int, tuple[NDArray[np.int64], F64]],
    gt: dict[int, tuple[NDArray[np.int64], F64]],
) -> list[str]:
    """Each zone's stays, reference and tracker's; a track's stay lists the GT ids its confirmed
    boxes overlapped (IoU ≥ 0.5) between its first and last second inside."""
    from storepixel.vision.nms import box_iou

    out = []
    for zid, ref_stays in ref.stays.items():
        out.append(f"{seq.name} zone {zid}")
        out += [f"  GT {g}: {a:.2f}-{b:.2f} s ({b - a:.2f} s)" for g, a, b in sorted(ref_stays)]
        for tid, a, b in sorted(ours.stays.get(zid, []), key=lambda s: s[1]):
            who: dict[int, int] = {}
            for f in range(round(a * seq.fps) + 1, round(b * seq.fps) + 2):
                ids, boxes = frames[f]
                gids, gboxes = gt.get(f, (np.zeros(0, np.int64), np.zeros((0, 4))))
                if tid not in ids.tolist() or not len(gids):
                    continue
                iou = box_iou(boxes[ids == tid], gboxes)[0]
                if iou.max() >= 0.5:
                    g = int(gids[iou.argmax()])
                    who[g] = who.get(g, 0) + 1
            covered = ", ".join(f"GT {g} ×{n}" for g, n in who.items()) or "none"
            out.append(f"  track {tid}: {a:.2f}-{b:.2f} s ({b - a:.2f} s), frames on {covered}")
    return out


# Synthetic store scenes (bench/synth.py): three floor zones with the product's area defaults.
SYNTH_CAMERA = {
    "id": "synth",
    "zones": [
        {"id": "left", "polygon": [[0.08, 0.5], [0.42, 0.5], [0.42, 0.95], [0.08, 0.95]]},
        {"id": "centre", "polygon": [[0.33, 0.45], [0.67, 0.45], [0.67, 0.75], [0.33, 0.75]]},
        {"id": "right", "polygon": [[0.58, 0.5], [0.92, 0.5], [0.92, 0.95], [0.58, 0.95]]},
    ],
}


def synthetic(n_scenes: int, fps_list: tuple[float, ...] = (5.0, 10.0, 25.0)) -> list[str]:
    """Mean absolute error of zone visits and median dwell over seeded synthetic scenes: the
    reference from where people really stood (``synth.true_boxes``), storepixel through
    ``CameraPipeline`` on the simulated detections, supervision on the same confirmed tracks.
    Each rate runs twice: on blank frames (boxes only), then on the scenes' drawn frames
    (``synth.Frames``), where the tracker also has the colour cue."""
    from synth import Frames, H, W, simulate, true_boxes

    cam = CameraConfig.model_validate(SYNTH_CAMERA)
    blank = np.zeros((H, W, 3), np.uint8)
    lines = [
        "| fps | zone-visits (scenes × zones) | storepixel visits | supervision visits | "
        "storepixel median dwell | supervision median dwell |",
        "|---|---|---|---|---|---|",
    ]
    for fps, drawn in [(fps, False) for fps in fps_list] + [(fps, True) for fps in fps_list]:
        err: dict[str, list[float]] = {k: [] for k in ("v_ours", "v_sv", "d_ours", "d_sv")}
        n_ref = 0
        for seed in range(1, n_scenes + 1):
            seq, dets = simulate(seed, fps)
            ref = reference(seq, tracks_by_frame(true_boxes(seed, fps), seq.n_frames), cam)
            # A blank frame carries no colours: the tracker then runs boxes-only, as it would
            # without a frame.
            images = Frames(seed, fps) if drawn else {f: blank for f in dets}
            ours, frames = _pipeline(seq, dets, images, cam, "synth", appearance=drawn)
            theirs = supervision(seq, frames, cam)
            for z in cam.zones:
                want, dwell = ref.visits[z.id], ref.median_dwell(z.id)
                if not want or dwell is None:
                    continue
                n_ref += want
                for key, got in (("ours", ours), ("sv", theirs)):
                    err[f"v_{key}"].append(abs(got.visits[z.id] - want) / want)
                    d = got.median_dwell(z.id)
                    err[f"d_{key}"].append(1.0 if d is None else abs(d - dwell) / dwell)
        cells = [
            f"{100 * float(np.mean(err[k])):.0f} %" for k in ("v_ours", "v_sv", "d_ours", "d_sv")
        ]
        label = f"{fps:g}, drawn frames" if drawn else f"{fps:g}"
        lines.append(f"| {label} | {n_ref} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines


def write_docs(tables: list[str]) -> None:
    """Regenerate the tables of the "## Store analytics" section; its text is kept by hand."""
    replace_tables(DOCS, SECTION, tables)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seq", nargs="?", type=Path, help="MOTChallenge sequence folder")
    ap.add_argument("--site", type=Path, help="site YAML with the lines/zones (first camera)")
    ap.add_argument("--tracks", type=Path, help="tracker output (MOTChallenge rows) to compare")
    ap.add_argument(
        "--run-tracker",
        choices=("public", "bundled"),
        help="add our tracker's output on the public detections or the bundled detector's",
    )
    ap.add_argument("--noise", type=float, default=0.03, help="box jitter σ, × box height")
    ap.add_argument("--drop", type=float, default=0.1, help="fraction of GT rows dropped")
    ap.add_argument("--seeds", type=int, default=20, help="noisy runs to average (0: none)")
    ap.add_argument("--write-docs", action="store_true", help=f"update {SECTION!r} in docs")
    ap.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "openvino"],
        help="what runs the bundled detector (the detector config's runtime)",
    )
    ap.add_argument("--synthetic", type=int, default=0, help="synthetic scenes per frame rate")
    ap.add_argument("--stays", action="store_true", help="list every zone stay (with a tracker)")
    ap.add_argument(
        "--analyze",
        action="append",
        default=[],
        metavar="LABEL=SUMMARY.json",
        help="add a column from `storepixel analyze --json` on the sequence's video (repeatable)",
    )
    ap.add_argument(
        "--tracker-config", type=json.loads, default={}, help="TrackerConfig overrides (JSON)"
    )
    args = ap.parse_args(argv)
    analyzed = {k: Path(v) for k, _, v in (a.partition("=") for a in args.analyze)}
    if analyzed and args.seq is None:
        ap.error("--analyze needs the sequence folder and --site it was analysed with")
    CONFIG_OVERRIDES.update(args.tracker_config)
    global RUNTIME
    RUNTIME = args.runtime
    if args.seq is not None:
        if args.site is None:
            ap.error("a sequence needs --site")
        runs = [(args.seq, args.site)]
    elif args.tracks is not None:
        ap.error("--tracks needs the sequence folder and --site it belongs to")
    else:
        runs = DEFAULT_RUNS
    lines: list[str] = []
    stays: list[str] | None = [] if args.stays else None
    for seq_dir, site_path in runs:
        with redirect_stdout(io.StringIO()):  # keep library chatter out of the table
            rows = evaluate(
                seq_dir,
                site_path,
                args.tracks,
                args.run_tracker,
                args.noise,
                args.drop,
                args.seeds,
                stays,
                analyzed,
            )
        lines += rows if not lines else rows[2:]
    tables = ["\n".join(lines)]
    print(tables[0])
    if stays:
        print("\n".join(stays))
    if args.synthetic:
        tables.append("\n".join(synthetic(args.synthetic)))
    if args.write_docs:
        write_docs(tables)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
