"""Synthetic store-camera scenes for tuning the tracker on more than two short clips.

A fixed camera looks down at a shop floor: people enter at an edge, walk between waypoints, stop
to browse, pass behind shelves and behind each other, and leave. A simulated detector sees only
the visible part of each person, misses partly hidden people more often (with misses correlated
in time, as real detectors' are), scores them lower, and adds a few false boxes. Ground truth is
the visible box of every person at least ``GT_MIN_VISIBLE`` visible.

The real clips decide whether the tracker works; these scenes decide whether a default is
principled, because they vary what the clips cannot: frame rate, occlusion length, crowding.
Everything is seeded, so a scene is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from storepixel.evaluation.mot import Sequence
from storepixel.types import Detections

W, H = 1280, 720
SIM_FPS = 25.0
GT_MIN_VISIBLE = 0.3
_GRID = (6, 12)  # samples across x, y of a box to estimate its visible fraction


@dataclass(frozen=True, slots=True)
class SceneSpec:
    n_people: int = 12
    duration_s: float = 60.0
    n_shelves: int = 3
    fp_per_frame: float = 0.15  # spurious boxes per analysed frame
    det_jitter: float = 0.04  # box edge noise, in heights
    miss_rate_visible: float = 0.08  # fraction of frames a fully visible person is missed
    walk_speed: tuple[float, float] = (0.45, 0.9)  # heights per second
    stop_s: tuple[float, float] = (0.0, 6.0)  # browsing stops at waypoints


def person_height(y_foot: float) -> float:
    """Perspective: people are ~12% of the frame height at the back, ~50% at the front."""
    t = np.clip((y_foot - 0.35 * H) / (0.65 * H), 0.0, 1.0)
    return float(H * (0.12 + 0.38 * t))


def _walk(rng: np.random.Generator, spec: SceneSpec) -> tuple[float, NDArray[np.float64]]:
    """One person's foot-point path sampled at SIM_FPS: (start time, (T, 2) positions)."""
    side = rng.integers(3)
    if side == 0:
        start = np.array([-0.02 * W, rng.uniform(0.45, 0.95) * H])
    elif side == 1:
        start = np.array([1.02 * W, rng.uniform(0.45, 0.95) * H])
    else:
        start = np.array([rng.uniform(0.1, 0.9) * W, 1.15 * H])
    goals = [np.array([rng.uniform(0.1, 0.9) * W, rng.uniform(0.42, 0.95) * H])]
    for _ in range(rng.integers(0, 3)):
        goals.append(np.array([rng.uniform(0.1, 0.9) * W, rng.uniform(0.42, 0.95) * H]))
    exit_side = rng.integers(3)
    end = {
        0: np.array([-0.1 * W, rng.uniform(0.45, 0.95) * H]),
        1: np.array([1.1 * W, rng.uniform(0.45, 0.95) * H]),
        2: np.array([rng.uniform(0.1, 0.9) * W, 1.3 * H]),
    }[int(exit_side)]
    speed = rng.uniform(*spec.walk_speed)
    dt = 1.0 / SIM_FPS
    pos = start.copy()
    path = [pos.copy()]
    for gi, goal in enumerate([*goals, end]):
        while True:
            d = goal - pos
            step = speed * person_height(pos[1]) * dt
            if np.linalg.norm(d) <= step:
                pos = goal.copy()
                path.append(pos.copy())
                break
            # A little sideways sway so paths are not ruler-straight.
            direction = d / np.linalg.norm(d)
            sway = np.array([-direction[1], direction[0]]) * rng.normal(0, 0.15) * step
            pos = pos + direction * step + sway
            path.append(pos.copy())
        if gi < len(goals):
            for _ in range(int(rng.uniform(*spec.stop_s) * SIM_FPS)):
                path.append(pos + rng.normal(0, 0.01 * person_height(pos[1]), 2))
    t0 = rng.uniform(0, spec.duration_s * 0.7)
    return t0, np.array(path)


def _box(foot: NDArray[np.float64]) -> NDArray[np.float64]:
    h = person_height(foot[1])
    w = 0.4 * h
    return np.array([foot[0] - w / 2, foot[1] - h, foot[0] + w / 2, foot[1]])


def _shelves(rng: np.random.Generator, n: int) -> list[NDArray[np.float64]]:
    """Shelf units: the front face hides the lower body of people standing just behind it."""
    out = []
    for _ in range(n):
        y2 = rng.uniform(0.55, 0.9) * H
        h = 0.28 * person_height(y2)
        x1 = rng.uniform(0.05, 0.7) * W
        out.append(np.array([x1, y2 - h, x1 + rng.uniform(0.12, 0.25) * W, y2]))
    return out


def _visible(
    box: NDArray[np.float64], occluders: list[NDArray[np.float64]]
) -> tuple[float, NDArray[np.float64] | None]:
    """Fraction of the box visible in frame and not hidden, and the visible part's bounds."""
    xs = np.linspace(box[0], box[2], _GRID[0])
    ys = np.linspace(box[1], box[3], _GRID[1])
    gx, gy = np.meshgrid(xs, ys)
    vis = (gx >= 0) & (gx < W) & (gy >= 0) & (gy < H)
    for o in occluders:
        vis &= ~((gx >= o[0]) & (gx <= o[2]) & (gy >= o[1]) & (gy <= o[3]))
    frac = float(vis.mean())
    if not vis.any():
        return 0.0, None
    return frac, np.array([gx[vis].min(), gy[vis].min(), gx[vis].max(), gy[vis].max()])


def true_boxes(seed: int, fps: float, spec: SceneSpec | None = None) -> NDArray[np.float64]:
    """Every person's whole box (hidden or not) while their feet are in the picture, as MOT
    rows ``(frame, id, x, y, w, h)``: where people really stood, for analytics references.
    Draws the same people as ``simulate(seed, fps, spec)``."""
    spec = spec or SceneSpec()
    rng = np.random.default_rng(seed)
    _shelves(rng, spec.n_shelves)  # drawn first in ``simulate``: keep the generator in step
    people = [_walk(rng, spec) for _ in range(spec.n_people)]
    rows: list[list[float]] = []
    for f in range(1, int(spec.duration_s * fps) + 1):
        t = (f - 1) / fps
        for i, (t0, path) in enumerate(people):
            k = round((t - t0) * SIM_FPS)
            if 0 <= k < len(path) and 0 <= path[k][0] < W and 0 <= path[k][1] < H:
                b = _box(path[k])
                rows.append([f, i + 1, b[0], b[1], b[2] - b[0], b[3] - b[1]])
    return np.array(rows, np.float64).reshape(-1, 6)


def simulate(
    seed: int, fps: float, spec: SceneSpec | None = None
) -> tuple[Sequence, dict[int, Detections]]:
    """A scene analysed at ``fps``: ground truth as a ``Sequence`` and per-frame detections."""
    spec = spec or SceneSpec()
    rng = np.random.default_rng(seed)
    shelves = _shelves(rng, spec.n_shelves)
    people = [_walk(rng, spec) for _ in range(spec.n_people)]
    n_frames = int(spec.duration_s * fps)
    # Detector misses as a two-state chain in time: a missed person tends to stay missed for a
    # few tenths of a second (pose, blur), whatever the analysis rate.
    miss_state = np.zeros(spec.n_people, bool)
    gt_rows: list[list[float]] = []
    dets: dict[int, Detections] = {}
    mean_miss_s = 0.25
    for f in range(1, n_frames + 1):
        t = (f - 1) / fps
        feet: list[NDArray[np.float64] | None] = []
        for t0, path in people:
            k = round((t - t0) * SIM_FPS)
            feet.append(path[k] if 0 <= k < len(path) else None)
        boxes = [None if p is None else _box(p) for p in feet]
        xyxy: list[NDArray[np.float64]] = []
        conf: list[float] = []
        leave = 1.0 - np.exp(-(1.0 / fps) / mean_miss_s)
        enter = leave * spec.miss_rate_visible / (1 - spec.miss_rate_visible)
        for i, b in enumerate(boxes):
            if b is None:
                continue
            y = b[3]
            # Nearer people (larger foot y) hide farther ones; shelves hide people just behind.
            front = [o for j, o in enumerate(boxes) if o is not None and j != i and o[3] > y]
            hiding = front + [s for s in shelves if s[3] - 2 * (s[3] - s[1]) < y < s[3]]
            frac, vbox = _visible(b, hiding)
            if frac >= GT_MIN_VISIBLE and vbox is not None:
                gt_rows.append([f, i + 1, vbox[0], vbox[1], vbox[2] - vbox[0], vbox[3] - vbox[1]])
            miss_state[i] = rng.random() < (1 - leave if miss_state[i] else enter)
            p_det = 0.0 if frac < 0.3 else min(1.0, (frac - 0.3) / 0.4)
            if vbox is None or miss_state[i] or rng.random() > p_det:
                continue
            h = vbox[3] - vbox[1]
            noisy = vbox + rng.normal(0, spec.det_jitter * h, 4)
            xyxy.append(noisy)
            conf.append(float(np.clip(rng.normal(0.55 + 0.35 * frac, 0.12), 0.05, 0.99)))
        for _ in range(rng.poisson(spec.fp_per_frame)):
            foot = np.array([rng.uniform(0, W), rng.uniform(0.4, 1.0) * H])
            xyxy.append(_box(foot) * rng.uniform(0.9, 1.1))
            conf.append(float(rng.uniform(0.1, 0.65)))
        dets[f] = Detections(np.array(xyxy, np.float32).reshape(-1, 4), np.array(conf, np.float32))
    gt = np.array(gt_rows, np.float64).reshape(-1, 6)
    seq = Sequence(
        f"synth-{seed}-{fps:g}fps", Path("."), Path("."), fps, n_frames, gt, None, (W, H)
    )
    return seq, dets


# Clothing colours (BGR) and how common they are, roughly as in a high street: mostly black,
# grey, white, navy and denim, where colour alone often cannot tell two shoppers apart.
_CLOTHES = np.array(
    [
        (25, 25, 25),  # black
        (60, 60, 60),  # dark grey
        (125, 125, 125),  # grey
        (225, 225, 225),  # white
        (80, 40, 20),  # navy
        (140, 90, 50),  # denim
        (150, 180, 200),  # beige
        (40, 60, 100),  # brown
        (40, 40, 170),  # red
        (60, 120, 60),  # green
    ],
    np.float64,
)
_CLOTHES_P = np.array([3.0, 2.0, 1.0, 1.5, 1.5, 2.0, 1.0, 0.7, 0.5, 0.5])


class Frames(Mapping[int, NDArray[np.uint8]]):
    """The frames of a scene drawn on demand (``frames.get(f)``, 1-based), for trackers that use
    the picture: a grey floor with lighting that varies over the floor, shelves, and people as
    upper and lower body in clothing colours drawn from ``_CLOTHES``, far to near. The same
    people and shelves as ``simulate(seed, fps, spec)``; colours come from their own generator,
    so the detections do not change."""

    def __init__(self, seed: int, fps: float, spec: SceneSpec | None = None) -> None:
        self.spec = spec or SceneSpec()
        self.fps = fps
        rng = np.random.default_rng(seed)
        self.shelves = _shelves(rng, self.spec.n_shelves)
        self.people = [_walk(rng, self.spec) for _ in range(self.spec.n_people)]
        colours = np.random.default_rng(seed + 1_000_003)
        p = _CLOTHES_P / _CLOTHES_P.sum()
        self.clothes = _CLOTHES[colours.choice(len(_CLOTHES), (self.spec.n_people, 2), p=p)]
        # Sensor noise and uneven light: a fixed noise pattern and a brightness gradient.
        self.noise = colours.normal(0, 6, (H, W, 1))
        yy, xx = np.mgrid[0:H, 0:W]
        self.light = (0.8 + 0.4 * (0.5 + 0.5 * np.sin(xx / W * 3.0 + yy / H * 2.0)))[..., None]
        self.floor = self._shade(np.full((H, W, 3), 110.0), 0, H, 0, W)

    def _shade(self, colour: NDArray[np.float64], r0: int, r1: int, c0: int, c1: int) -> NDArray:
        lit = colour * self.light[r0:r1, c0:c1] + self.noise[r0:r1, c0:c1]
        return np.clip(lit, 0, 255).astype(np.uint8)

    def __len__(self) -> int:
        return int(self.spec.duration_s * self.fps)

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self) + 1))

    def __getitem__(self, f: int) -> NDArray[np.uint8]:
        if not 1 <= f <= len(self):
            raise KeyError(f)
        t = (f - 1) / self.fps
        img = self.floor.copy()
        items: list[tuple[float, NDArray[np.float64], list[NDArray[np.float64]]]] = []
        for s in self.shelves:
            items.append((float(s[3]), s, [np.array((70.0, 90.0, 110.0))]))
        for i, (t0, path) in enumerate(self.people):
            k = round((t - t0) * SIM_FPS)
            if 0 <= k < len(path):
                items.append((float(path[k][1]), _box(path[k]), list(self.clothes[i])))
        skin = np.array((90.0, 120.0, 170.0))
        for _, box, colours in sorted(items, key=lambda it: it[0]):
            x1, y1, x2, y2 = box
            if len(colours) == 1:  # a shelf fills its box
                self._fill(img, x1, y1, x2, y2, colours[0])
                continue
            # A person fills the middle of their box: head, torso (upper colour), legs.
            w, h = x2 - x1, y2 - y1
            bx1, bx2 = x1 + 0.2 * w, x2 - 0.2 * w
            self._fill(img, x1 + 0.35 * w, y1, x2 - 0.35 * w, y1 + 0.15 * h, skin)
            self._fill(img, bx1, y1 + 0.15 * h, bx2, y1 + 0.52 * h, colours[0])
            self._fill(img, bx1 + 0.05 * w, y1 + 0.52 * h, bx2 - 0.05 * w, y2, colours[1])
        return img

    def _fill(
        self, img: NDArray[np.uint8], x1: float, y1: float, x2: float, y2: float, colour: NDArray
    ) -> None:
        r0, r1 = int(max(0, y1)), int(min(H, y2))
        c0, c1 = int(max(0, x1)), int(min(W, x2))
        if r1 > r0 and c1 > c0:
            img[r0:r1, c0:c1] = self._shade(colour, r0, r1, c0, c1)
