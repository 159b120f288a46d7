"""Reusable core of the tracking accuracy harness (MOTChallenge-format sequences).

Loads a sequence (images, ``gt/gt.txt``, public detections), runs a tracker over per-frame
detections, and scores the result with maintained libraries: py-motmetrics for CLEAR (MOTA) and
identity (IDF1, ID switches) metrics, TrackEval for HOTA. Kept free of the ``trackers`` /
``supervision`` imports so the integration test can use it without them.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from storepixel.tracking import Tracker, TrackerConfig
from storepixel.tracking.association import normalised_distance
from storepixel.tracking.mot_io import read_mot_file, tracks_to_mot_rows
from storepixel.tracking.offline import TrackLog
from storepixel.types import Detections
from storepixel.vision.nms import box_iou

F64 = NDArray[np.float64]

# Sequences without a seqinfo.ini: frame rate from the dataset's documentation.
KNOWN_FPS = {"pets09-s3mf1": 7.0, "tud-campus": 25.0}
# Footage a truth folder's seqinfo.ini names (``video = caviar/X.mpg``) is looked up here: the
# shared evaluation folder beside the checkout, or $STOREPIXEL_EVAL; failing that, in the
# checkout itself (``video = data/samples/vtest.avi``: the sample the set-up fetches).
EVAL_ROOT = Path(os.environ.get("STOREPIXEL_EVAL", Path(__file__).parents[4] / "shared" / "eval"))
CHECKOUT = Path(__file__).parents[3]
IMAGE_DIRS = ("img1", "img")
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm"}
DET_FILES = ("det/det.txt", "img1/det.txt", "img/det.txt")
MOT_MATCH_IOU = 0.5  # CLEAR/ID metrics: a hypothesis matches ground truth at IoU >= 0.5


@dataclass(slots=True)
class Sequence:
    name: str
    root: Path
    image_dir: Path  # image folder, or the video file
    fps: float
    n_frames: int
    gt: F64  # (N, 6): frame, id, x, y, w, h
    det: F64 | None  # (N, 6): frame, x, y, w, h, score in [0, 1]
    frame_size: tuple[int, int] | None = None  # (width, height) of the images
    meta: dict[str, str] = field(default_factory=dict)
    # Truth labelled on every ``labelled_every``-th frame only (1, 1+k, ...): the others are not
    # scored. Our own CAVIAR truth is boxed on every 5th frame.
    labelled_every: int = 1
    # (N, 6) frame, id, x, y, w, h of "don't care" boxes (ground-truth flag 0: a figure too
    # small or hidden to call): hypotheses on them are neither hits nor false positives.
    ignore: F64 = field(default_factory=lambda: np.zeros((0, 6)))
    # Truth that covers only the start of the footage (``labelled_last`` in seqinfo.ini): frames
    # after it are run through but not scored.
    labelled_last: int | None = None

    def frame_numbers(self) -> range:
        return range(1, self.n_frames + 1)

    def scored_frames(self) -> range:
        last = min(self.n_frames, self.labelled_last or self.n_frames)
        return range(1, last + 1, self.labelled_every)


def _seqinfo(root: Path) -> dict[str, str]:
    ini = root / "seqinfo.ini"
    if not ini.is_file():
        return {}
    parser = configparser.ConfigParser()
    parser.read(ini)
    return dict(parser["Sequence"]) if parser.has_section("Sequence") else {}


def normalise_scores(scores: F64) -> F64:
    """Map detector scores to [0, 1].

    MOTChallenge public detections carry the detector's raw score: probabilities for some
    sequences, DPM/ACF margins up to ~100+ for MOT15 (TUD-Campus). Raw margins are divided by 100
    and clipped, which keeps their order and puts their median near the 0.5 split of the trackers.
    """
    scores = np.asarray(scores, np.float64)
    if len(scores) and scores.max() > 1.0:
        scores = scores / 100.0
    return np.clip(scores, 0.0, 1.0)


def load_sequence(root: str | Path, fps: float | None = None) -> Sequence:
    """Load a MOTChallenge-layout folder: ``img1/`` or ``img/`` (or one video file),
    ``gt/gt.txt``, and a det file if there is one."""
    root = Path(root)
    info = _seqinfo(root)
    image_dir = next((root / d for d in IMAGE_DIRS if (root / d).is_dir()), None)
    if "video" in info:  # our own truth for footage kept outside the repository
        footage = EVAL_ROOT / info["video"]
        if not footage.exists() and (CHECKOUT / info["video"]).exists():
            footage = CHECKOUT / info["video"]
        n_frames, video_fps, size = _video_info(footage)
        image_dir, fps = footage, fps or video_fps
    elif image_dir is not None:
        n_frames = sum(1 for p in image_dir.iterdir() if p.suffix.lower() in {".jpg", ".png"})
        size = _image_size(
            min(p for p in image_dir.iterdir() if p.suffix.lower() in {".jpg", ".png"})
        )
    else:
        video = next(
            (p for p in sorted(root.iterdir()) if p.suffix.lower() in VIDEO_SUFFIXES), None
        )
        if video is None:
            raise FileNotFoundError(f"no image folder ({', '.join(IMAGE_DIRS)}) or video in {root}")
        image_dir = video
        n_frames, video_fps, size = _video_info(video)
        fps = fps or video_fps
    if fps is None:
        fps = float(info["framerate"]) if "framerate" in info else KNOWN_FPS.get(root.name)
    if fps is None:
        raise ValueError(f"frame rate of {root} unknown: add seqinfo.ini or pass fps")
    gt_raw = read_mot_file(root / "gt" / "gt.txt")
    # MOT16+ ground truth marks ignored rows with flag 0 in column 7; MOT15 uses -1 (all count).
    keep = gt_raw[:, 6] != 0
    gt, ignore = gt_raw[keep][:, :6], gt_raw[~keep][:, :6]
    every = int(info.get("labelled_every", 1))
    last = int(info["labelled_last"]) if "labelled_last" in info else None
    det = None
    det_path = next((root / d for d in DET_FILES if (root / d).is_file()), None)
    if det_path is not None:
        raw = read_mot_file(det_path)
        det = np.column_stack([raw[:, 0], raw[:, 2:6], normalise_scores(raw[:, 6])])
    if every == 1:
        ignore = np.zeros((0, 6))  # MOT16+ flag-0 rows: dropped, as the harness always did
    if last is not None:
        gt, ignore = gt[gt[:, 0] <= last], ignore[ignore[:, 0] <= last]
    return Sequence(
        root.name, root, image_dir, float(fps), n_frames, gt, det, size, info, every, ignore, last
    )


def _video_info(path: Path) -> tuple[int, float | None, tuple[int, int]]:
    """Frames decoded, container frame rate and frame size of a video (decodes it once)."""
    from storepixel.sources import open_source

    source = open_source(path)
    n, size = 0, (0, 0)
    for frame in source:
        n, size = n + 1, (frame.width, frame.height)
    return n, getattr(source, "fps", None), size


def _image_size(path: Path) -> tuple[int, int]:
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"unreadable image {path}")
    return int(img.shape[1]), int(img.shape[0])


def public_detections(seq: Sequence) -> dict[int, Detections]:
    """Public detections per 1-based frame number."""
    out: dict[int, Detections] = {}
    det = seq.det if seq.det is not None else np.zeros((0, 6))
    for f in seq.frame_numbers():
        rows = det[det[:, 0] == f]
        xyxy = np.column_stack(
            [rows[:, 1], rows[:, 2], rows[:, 1] + rows[:, 3], rows[:, 2] + rows[:, 4]]
        )
        out[f] = Detections(xyxy.astype(np.float32), rows[:, 5].astype(np.float32))
    return out


def iter_images(seq: Sequence) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """(1-based frame number, BGR image) through the product's own frame source.

    ``fps`` is passed for image folders; a video keeps its own timestamps, and frame numbers are
    the decoded frame's position in the file, as in the CLI's MOT output."""
    from storepixel.sources import open_source

    for frame in open_source(seq.image_dir, camera_id=seq.name, fps=seq.fps):
        yield frame.index + 1, frame.image


MotRows = list[tuple[int, int, float, float, float, float, float]]


def run_storepixel(
    seq: Sequence,
    detections: dict[int, Detections],
    config: TrackerConfig | None = None,
    images: Mapping[int, NDArray[np.uint8]] | None = None,
    include_lost: bool = False,
    offline: bool = False,
    static_after_s: float | None = None,
) -> MotRows:
    """Our tracker over the sequence, timed by the frame rate; rows are confirmed tracks as
    reported online, or with ``offline`` what ``storepixel track`` writes for a file (tentative
    frames of confirmed tracks backfilled, gaps interpolated, tracks of one person hidden for a
    moment stitched: ``TrackLog``).

    With images, detections first pass the camera's static-object watch as in the product
    (``static_after_s``: None = the camera default, 0 = off); an older checkout without it
    (a release compared with ``--label``) runs without."""
    static, static_tracks = _static_objects(static_after_s) if images else (None, None)
    tracker = Tracker(config)
    log = TrackLog(tracker.config.max_lost_s)
    rows: MotRows = []
    for f in seq.frame_numbers():
        image = images.get(f) if images is not None else None
        t = (f - 1) / seq.fps
        dets = detections[f]
        if static is not None and image is not None:
            dets = static.apply(dets, image, t)
        tracks = tracker.update(dets, t, image=image, frame_size=seq.frame_size)
        rows.extend(tracks_to_mot_rows(f, tracks, include_lost=include_lost))
        log.add(f, t, tracks, frame_size=seq.frame_size)
    if not offline:
        return rows
    if static is None or static_tracks is None:
        return log.rows()
    return log.rows(drop=static_tracks(log.boxes(), static.found))


def _static_objects(static_after_s: float | None) -> tuple[Any, Any]:
    try:
        from storepixel.config.site import CameraConfig
        from storepixel.pipeline.static import StaticObjects, static_tracks
    except ImportError:  # a release from before static objects
        return None, None
    after = (
        CameraConfig.model_validate({"id": "bench"}).static_after_s
        if static_after_s is None
        else static_after_s
    )
    return (StaticObjects(after), static_tracks) if after > 0 else (None, None)


TrackerFn = Callable[[Sequence, dict[int, Detections]], MotRows]


# ---------------------------------------------------------------------------------------------
# Metrics


def _rows_by_frame(rows: F64, frames: Iterable[int]) -> list[tuple[NDArray[np.int64], F64]]:
    out = []
    for f in frames:
        r = rows[rows[:, 0] == f]
        out.append((r[:, 1].astype(np.int64), r[:, 2:6].astype(np.float64)))
    return out


def _xywh_to_xyxy(b: F64) -> F64:
    return np.column_stack([b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]])


SMALL_PERSON_PX = 60  # "small": a person whose true box is under this many pixels tall


def detection_pr(
    seq: Sequence, detections: dict[int, Detections], min_score: float
) -> dict[str, float]:
    """Precision and recall of raw detections at ``min_score`` (one-to-one, IoU >= 0.5) on the
    labelled frames, and the recall of people under ``SMALL_PERSON_PX`` tall (NaN: none)."""
    tp = n_det = tp_small = 0
    n_gt = len(seq.gt)
    n_small = int((seq.gt[:, 5] < SMALL_PERSON_PX).sum())
    for f in seq.scored_frames():
        d = detections[f]
        found = d.xyxy[d.confidence >= min_score].astype(np.float64)
        rows = np.column_stack([np.full(len(found), f), np.zeros(len(found)), found[:, :2]])
        rows = np.column_stack([rows, found[:, 2:] - found[:, :2]]).reshape(-1, 6)
        boxes = _xywh_to_xyxy(scoreable(seq, rows)[:, 2:6]) if len(found) else found
        g = seq.gt[seq.gt[:, 0] == f]
        n_det += len(boxes)
        if len(boxes) == 0 or len(g) == 0:
            continue
        iou = box_iou(_xywh_to_xyxy(g[:, 2:6]), boxes)
        r, c = linear_sum_assignment(-iou)
        hit = iou[r, c] >= MOT_MATCH_IOU
        tp += int(hit.sum())
        tp_small += int((hit & (g[r, 5] < SMALL_PERSON_PX)).sum())
    return {
        "det_precision": tp / n_det if n_det else 0.0,
        "det_recall": tp / n_gt if n_gt else 0.0,
        "det_recall_small": tp_small / n_small if n_small else float("nan"),
        "n_small": n_small,
    }


def _accumulate(seq: Sequence, hyp: F64) -> Any:
    """py-motmetrics' frame-by-frame matching of ``hyp`` to the truth on the scored frames."""
    import motmetrics as mm

    if not hasattr(np, "asfarray"):  # motmetrics 1.4.0 predates numpy 2
        np.asfarray = lambda a, dtype=float: np.asarray(a, dtype=dtype)  # type: ignore[attr-defined]
    acc = mm.MOTAccumulator(auto_id=True)
    gts = _rows_by_frame(seq.gt, seq.scored_frames())
    hyps = _rows_by_frame(hyp, seq.scored_frames())
    for (gid, gbox), (hid, hbox) in zip(gts, hyps, strict=True):
        dist = mm.distances.iou_matrix(gbox, hbox, max_iou=1 - MOT_MATCH_IOU)
        acc.update(gid.tolist(), hid.tolist(), dist)
    return acc


def switch_events(seq: Sequence, rows: Iterable[tuple[float, ...]]) -> list[dict[str, Any]]:
    """Every ID switch of ``rows`` against the truth, to tell which crossings a tracker loses:
    the frame, the truth id, its hypothesis id before and after, whom the new hypothesis id was
    on before (None: a new track) and the nearest other true person (distance in box heights,
    between box tops)."""
    hyp = scoreable(seq, np.array([list(r[:6]) for r in rows], np.float64).reshape(-1, 6))
    ev = _accumulate(seq, hyp).mot_events
    frames = list(seq.scored_frames())
    last_on: dict[int, int] = {}  # hypothesis id -> truth id it last matched
    has: dict[int, int] = {}  # truth id -> hypothesis id it last matched
    out: list[dict[str, Any]] = []
    for (k, _), kind, oid, hid in zip(ev.index, ev["Type"], ev["OId"], ev["HId"], strict=True):
        if kind not in ("MATCH", "SWITCH"):
            continue
        o, h = int(oid), int(hid)
        if kind == "SWITCH":
            f = frames[k]
            g = seq.gt[seq.gt[:, 0] == f]
            me, others = g[g[:, 1] == o][0], g[g[:, 1] != o]
            near: tuple[int | None, float | None] = (None, None)
            if len(others):
                d = normalised_distance(
                    _xywh_to_xyxy(me[None, 2:6]), _xywh_to_xyxy(others[:, 2:6]), "top"
                )
                j = int(np.argmin(d[0]))
                near = (int(others[j, 1]), round(float(d[0, j]), 2))
            out.append(
                {
                    "frame": f,
                    "truth": o,
                    "before": has.get(o),
                    "after": h,
                    "after_was_on": last_on.get(h),
                    "nearest": near[0],
                    "nearest_heights": near[1],
                }
            )
        last_on[h], has[o] = o, h
    return out


def _motmetrics(seq: Sequence, hyp: F64) -> dict[str, float]:
    import motmetrics as mm

    acc = _accumulate(seq, hyp)
    mh = mm.metrics.create()
    names = ["mota", "motp", "idf1", "num_switches", "precision", "recall"]
    names += ["num_false_positives", "num_misses", "mostly_tracked", "num_unique_objects"]
    summary = mh.compute(acc, metrics=names, name=seq.name)
    row = summary.iloc[0]
    ev = acc.mot_events
    switches = ev[ev["Type"] == "SWITCH"]
    near = crossing_frames(seq)
    at_crossing = sum(
        1 for (fi, _), oid in zip(switches.index, switches["OId"], strict=True) if (fi, oid) in near
    )
    return {
        "idsw_cross": at_crossing,
        "crossings": crossing_count(seq),
        "mota": float(row["mota"]),
        "idf1": float(row["idf1"]),
        "idsw": int(row["num_switches"]),
        "precision": float(row["precision"]),
        "recall": float(row["recall"]),
        "fp": int(row["num_false_positives"]),
        "fn": int(row["num_misses"]),
        "mt": int(row["mostly_tracked"]),
        "gt_ids": int(row["num_unique_objects"]),
    }


CROSSING_WINDOW_S = 1.0  # an ID switch this close in time to a person's overlap is "at a crossing"


def _overlaps(seq: Sequence) -> list[tuple[int, int, int]]:
    """(scored-frame index, id a, id b) for every pair of truth boxes that overlap in a frame."""
    out = []
    for k, (gid, box) in enumerate(_rows_by_frame(seq.gt, seq.scored_frames())):
        if len(gid) < 2:
            continue
        iou = box_iou(_xywh_to_xyxy(box), _xywh_to_xyxy(box))
        for i, j in zip(*np.nonzero(np.triu(iou, 1) > 0), strict=True):
            out.append((k, int(gid[i]), int(gid[j])))
    return out


def crossing_frames(seq: Sequence) -> set[tuple[int, int]]:
    """(scored-frame index, truth id) within ``CROSSING_WINDOW_S`` of that person's box
    overlapping another person's: where a switch counts as "at a crossing"."""
    w = max(1, round(CROSSING_WINDOW_S * seq.fps / seq.labelled_every))
    out: set[tuple[int, int]] = set()
    for k, a, b in _overlaps(seq):
        for d in range(-w, w + 1):
            out.update({(k + d, a), (k + d, b)})
    return out


def crossing_count(seq: Sequence) -> int:
    """Crossings in the truth: runs of frames in which one pair of people's boxes overlap (a
    gap of more than the crossing window starts a new one)."""
    w = max(1, round(CROSSING_WINDOW_S * seq.fps / seq.labelled_every))
    last: dict[tuple[int, int], int] = {}
    n = 0
    for k, a, b in _overlaps(seq):
        if k - last.get((a, b), -(10**9)) > w:
            n += 1
        last[(a, b)] = k
    return n


def _hota(seq: Sequence, hyp: F64) -> dict[str, float]:
    """HOTA from TrackEval's reference implementation, fed in memory (no file layout needed)."""
    from trackeval.metrics import HOTA

    gts = _rows_by_frame(seq.gt, seq.scored_frames())
    hyps = _rows_by_frame(hyp, seq.scored_frames())
    gid_map = {v: i for i, v in enumerate(np.unique(seq.gt[:, 1]).astype(np.int64))}
    hid_map = (
        {v: i for i, v in enumerate(np.unique(hyp[:, 1]).astype(np.int64))} if len(hyp) else {}
    )
    data: dict[str, object] = {
        "num_timesteps": len(gts),
        "num_gt_dets": len(seq.gt),
        "num_tracker_dets": sum(len(h) for h, _ in hyps),
        "num_gt_ids": len(gid_map),
        "num_tracker_ids": len(hid_map),
        "gt_ids": [np.array([gid_map[i] for i in g], np.int64) for g, _ in gts],
        "tracker_ids": [np.array([hid_map[i] for i in h], np.int64) for h, _ in hyps],
        "similarity_scores": [
            box_iou(_xywh_to_xyxy(gb), _xywh_to_xyxy(hb))
            for (_, gb), (_, hb) in zip(gts, hyps, strict=True)
        ],
    }
    res = HOTA().eval_sequence(data)
    return {
        "hota": float(np.mean(res["HOTA"])),
        "deta": float(np.mean(res["DetA"])),
        "assa": float(np.mean(res["AssA"])),
    }


def evaluate(
    seq: Sequence, rows: Iterable[tuple[float, ...]], scope: bool = False
) -> dict[str, float]:
    """MOTA, IDF1, ID switches, precision/recall (motmetrics) and HOTA (TrackEval).

    ``scope``: first drop hypothesis boxes outside what the ground truth annotates at all —
    shorter than half its smallest person and matching no ground-truth box (IoU < 0.5): the
    same rule as the detector's "P scope" (TUD-Campus boxes only the pedestrians, not the
    people seen through the windows behind them)."""
    hyp = scoreable(seq, np.array([list(r[:6]) for r in rows], np.float64).reshape(-1, 6))
    if scope:
        hyp = _in_scope(seq, hyp)
    return {**_motmetrics(seq, hyp), **_hota(seq, hyp)}


def scoreable(seq: Sequence, hyp: F64) -> F64:
    """Hypothesis rows on labelled frames, less those on a "don't care" box (IoU >= 0.5 with a
    flag-0 truth box of the frame, as MOTChallenge treats its ignored regions)."""
    frames = seq.scored_frames()
    hyp = hyp[((hyp[:, 0] - 1) % seq.labelled_every == 0) & (hyp[:, 0] < frames.stop)]
    if not len(seq.ignore) or not len(hyp):
        return hyp
    keep = np.ones(len(hyp), bool)
    for f in np.unique(seq.ignore[:, 0]):
        at = np.flatnonzero(hyp[:, 0] == f)
        if len(at):
            ign = seq.ignore[seq.ignore[:, 0] == f]
            iou = box_iou(_xywh_to_xyxy(hyp[at, 2:6]), _xywh_to_xyxy(ign[:, 2:6]))
            keep[at] = iou.max(axis=1) < MOT_MATCH_IOU
    return hyp[keep]


def _in_scope(seq: Sequence, hyp: F64) -> F64:
    min_h = float(seq.gt[:, 5].min()) if len(seq.gt) else 0.0
    keep = np.ones(len(hyp), bool)
    for i, r in enumerate(hyp):
        if r[5] >= 0.5 * min_h:
            continue
        g = seq.gt[seq.gt[:, 0] == r[0]]
        iou = box_iou(_xywh_to_xyxy(g[:, 2:6]), _xywh_to_xyxy(r[None, 2:6]))
        keep[i] = bool(len(g)) and float(iou.max()) >= MOT_MATCH_IOU
    return hyp[keep]


# ---------------------------------------------------------------------------------------------
# Docs


def replace_tables(path: Path, section: str, tables: list[str]) -> None:
    """Replace the first ``len(tables)`` Markdown tables of ``section`` in ``path``, in order,
    leaving everything else (the prose of the section, the other sections) as it is.

    Several benchmarks share docs/dev/accuracy-history.md, each owning one section; only the
    numbers are regenerated, the text around them is written by hand."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == section), None)
    if start is None:
        raise SystemExit(f"{path}: no {section!r} section to update")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    blocks: list[tuple[int, int]] = []
    i = start + 1
    while i < end:
        if lines[i].startswith("|"):
            j = i
            while j < end and lines[j].startswith("|"):
                j += 1
            blocks.append((i, j))
            i = j
        else:
            i += 1
    if len(blocks) < len(tables):
        raise SystemExit(f"{path}: {section!r} has {len(blocks)} tables, {len(tables)} to write")
    for (a, b), table in reversed(list(zip(blocks, tables, strict=False))):
        lines[a:b] = table.strip("\n").splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
