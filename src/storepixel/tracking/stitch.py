"""Offline tracklet stitching: one person hidden for a moment keeps one id in a file's output.

When the online tracker loses someone (behind a post, a sign, another person) and does not
recover them, they come back under a new id. Over a whole file we can look back: a track that
*ends* (its last sighting) and another that *starts* (its first sighting) shortly after, never
seen at the same time, are one person if the new one starts where the old one's motion puts it.

- **Motion**: each end's velocity is fitted (least squares) to its last ``velocity_window_s`` of
  sightings and carried forward at constant velocity to the start's time; each start's is
  fitted to its first sightings and carried back to the end's time. Both misses count.
- **Uncertainty that follows the person and the gap**: the position error allowed is
  ``height × (position_noise + speed_noise × gap)``: in body heights, so the same rule holds for a
  30 px person far away and a 300 px one close by, on any camera and frame rate; it grows with
  the time unseen because a person may turn, stop or speed up.
- **Heading**: the velocities at the end and at the start must agree within what each was
  measured to (the fit's standard error) plus ``speed_noise`` × gap: someone who walked into a
  doorway is not the one who walks out of it a moment later.
- **Size**: the box's height and width must agree too (log ratios, each carried along its own
  trend), so a person does not continue a reflection or a bag.
- **Globally**: every end against every start at once (min-cost assignment, one join per end
  and per start); the cost is the negative log-likelihood of the miss, so a short, well-predicted
  gap beats a long, loosely predicted one. A start may continue an end that itself continued
  another: chains come out of one assignment.

- **Out of the picture**: with the frame size known, an end whose motion takes it out of the
  frame (or a start whose motion brings it in from outside) is someone leaving or arriving: a
  new visit, never joined.

No colour: the tracker's descriptor is not kept in the output, and on the clips measured
(docs/dev/accuracy-history.md) the clothing-colour distance did not tell the right joins from
the wrong ones.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class StitchConfig:
    """How far a hidden person may be from where their motion puts them, in body heights.

    - ``position_noise`` 0.2: a box's centre moves that much with detector jitter and a body half
      hidden at the moment it disappears or reappears;
    - ``speed_noise`` 0.4 per second: how far a walker (about 0.8 heights a second) may depart
      from constant velocity per second unseen — turning, stopping, starting;
    - ``size_noise`` 0.2: log of the height or width ratio (a box cut by an occluder is
      shorter, a stride is wider);
    - ``gate`` 13.28 and ``velocity_gate`` 9.21: chi-square at 99 % for the place and size
      (4 degrees of freedom: x, y, height, width) and for the change of velocity (2): misses
      beyond either are never joined;
    - ``velocity_window_s`` 1.0: the sightings the end's and start's velocities are fitted to.
    """

    position_noise: float = 0.2
    speed_noise: float = 0.4
    size_noise: float = 0.2
    gate: float = 13.28
    velocity_gate: float = 9.21
    velocity_window_s: float = 1.0


@dataclass(frozen=True, slots=True)
class Tracklet:
    """One id's sightings: times (s, increasing) and xyxy boxes."""

    id: int
    times: F64
    boxes: F64


def stitch(
    tracklets: list[Tracklet],
    max_gap_s: float,
    config: StitchConfig | None = None,
    frame_size: tuple[int, int] | None = None,
) -> dict[int, int]:
    """Which tracklets continue which: ``{later id: earlier id}`` (a chain maps every later id
    to the chain's first id). Only tracklets unseen for ``0 < gap <= max_gap_s`` between one's
    last and the other's first sighting are considered; two seen at the same time never join.
    With ``frame_size`` (width, height), someone whose motion takes them out of the picture
    (or brings the new one in from outside it) walked out of view: a new visit, never joined."""
    cfg = config or StitchConfig()
    if len(tracklets) < 2 or max_gap_s <= 0:
        return {}
    ends = [_state(t.times, t.boxes, cfg.velocity_window_s, last=True) for t in tracklets]
    starts = [_state(t.times, t.boxes, cfg.velocity_window_s, last=False) for t in tracklets]
    # Candidate pairs only where the gap fits (starts sorted by time: a long file's thousands
    # of tracks meet only their few neighbours in time).
    order = sorted(range(len(tracklets)), key=lambda j: starts[j].time)
    start_times = [starts[j].time for j in order]
    edges: dict[tuple[int, int], float] = {}
    for i, end in enumerate(ends):
        lo = bisect.bisect_right(start_times, end.time)
        hi = bisect.bisect_right(start_times, end.time + max_gap_s)
        for j in order[lo:hi]:
            c = _cost(end, starts[j], starts[j].time - end.time, cfg, frame_size)
            if i != j and np.isfinite(c):
                edges[i, j] = c
    # Leaving an end and a start apart costs as much as the worst join the gate lets through,
    # so any join within the gate beats none, and where joins compete the cheapest set wins.
    loosest = 2 * float(np.log(_sigma(max_gap_s, cfg) / _sigma(0, cfg)))
    unmatched = 0.5 * (cfg.gate + cfg.velocity_gate) + loosest
    follows: dict[int, int] = {}
    for group in _groups(edges):  # joins compete only within a group of linked ends and starts
        rows = sorted({i for i, _ in group})
        cols = sorted({j for _, j in group})
        cost = np.full((len(rows), len(cols)), np.inf)
        for i, j in group:
            cost[rows.index(i), cols.index(j)] = edges[i, j]
        for r, c in _assign(cost, unmatched):
            follows[tracklets[cols[c]].id] = tracklets[rows[r]].id
    return {later: _root(later, follows) for later in follows}


def _groups(edges: dict[tuple[int, int], float]) -> list[list[tuple[int, int]]]:
    """The candidate pairs split into groups that share no end and no start (connected
    components of the bipartite graph of ends and starts)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for i, j in edges:
        parent[find(("end", i))] = find(("start", j))
    groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, j in edges:
        groups.setdefault(find(("end", i)), []).append((i, j))
    return list(groups.values())


def _assign(cost: F64, unmatched: float) -> list[tuple[int, int]]:
    """Min-cost one-to-one joins of rows (ends) to columns (starts), each left unjoined for
    ``unmatched`` / 2 (the usual square extension with dummy rows and columns)."""
    n, m = cost.shape
    big = 1e9
    full = np.zeros((n + m, m + n))
    full[:n, :m] = np.where(np.isfinite(cost), cost, big)
    full[:n, m:] = np.where(np.eye(n), unmatched / 2, big)
    full[n:, :m] = np.where(np.eye(m), unmatched / 2, big)
    rows, cols = linear_sum_assignment(full)
    pairs = [(i, j) for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if i < n and j < m]
    return [(i, j) for i, j in pairs if np.isfinite(cost[i, j])]


def _sigma(gap: float, cfg: StitchConfig) -> float:
    """Position uncertainty after ``gap`` seconds unseen, in body heights."""
    return cfg.position_noise + cfg.speed_noise * gap


def _root(tid: int, follows: dict[int, int]) -> int:
    while tid in follows:
        tid = follows[tid]
    return tid


@dataclass(frozen=True, slots=True)
class _Motion:
    """Centre x, centre y, log height and log width at one end of a tracklet, and their rates
    per second."""

    time: float
    value: F64  # (cx, cy, log h, log w)
    rate: F64
    rate_error: F64  # standard error of the fitted rate of cx, cy (px/s); inf: not measured
    height: float


def _state(times: F64, boxes: F64, window_s: float, last: bool) -> _Motion:
    values = np.column_stack(
        [
            (boxes[:, 0] + boxes[:, 2]) / 2,
            (boxes[:, 1] + boxes[:, 3]) / 2,
            np.log(np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)),
            np.log(np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)),
        ]
    )
    at = -1 if last else 0
    near = np.abs(times - times[at]) <= window_s
    t, v = times[near], values[near]
    rate, rate_error = np.zeros(4), np.full(2, np.inf)
    if len(t) >= 2 and np.ptp(t) > 0:
        dt = t - t.mean()
        rate = (dt @ (v - v.mean(axis=0))) / float(dt @ dt)  # least-squares slope per column
        if len(t) >= 3:  # the slope's standard error, from the fit's own residuals
            residual = v[:, :2] - v[:, :2].mean(axis=0) - np.outer(dt, rate[:2])
            rate_error = np.sqrt((residual**2).sum(axis=0) / (len(t) - 2) / float(dt @ dt))
    # The fitted line's value at the end, less noisy than the last box alone.
    value = v.mean(axis=0) + rate * (times[at] - t.mean())
    return _Motion(float(times[at]), value, rate, rate_error, float(np.exp(value[2])))


def _cost(
    end: _Motion,
    start: _Motion,
    gap: float,
    cfg: StitchConfig,
    frame_size: tuple[int, int] | None,
) -> float:
    """Negative log-likelihood of the start continuing the end (inf beyond the gate)."""
    if frame_size is not None and (
        _outside(end.value[:2] + end.rate[:2] * gap, frame_size)
        or _outside(start.value[:2] - start.rate[:2] * gap, frame_size)
    ):
        return np.inf
    height = (end.height + start.height) / 2
    sigma = _sigma(gap, cfg)
    scale = np.array([sigma * height, sigma * height, cfg.size_noise, cfg.size_noise])
    forward = (start.value - (end.value + end.rate * gap)) / scale
    backward = (end.value - (start.value - start.rate * gap)) / scale
    # Walking on means walking the same way: the two velocities may differ by what the speed
    # noise allows over the gap plus what each was measured to within (a steady walker's
    # velocity is known well, a half-hidden, jumping box's is not), so a person who walked
    # into a doorway is not taken for the one who walks out of it.
    spread = np.sqrt(end.rate_error**2 + start.rate_error**2) + cfg.speed_noise * gap * height
    turn = (start.rate[:2] - end.rate[:2]) / spread
    place = (float(forward @ forward) + float(backward @ backward)) / 2
    velocity = float(turn @ turn)
    if place > cfg.gate or velocity > cfg.velocity_gate:
        return np.inf
    d2 = place + velocity
    # 2-D position: the likelihood's normaliser grows as sigma², so a loose, long gap costs
    # more than a tight, short one that fits as well.
    return 0.5 * d2 + 2 * float(np.log(sigma / _sigma(0, cfg)))


def _outside(centre: F64, frame_size: tuple[int, int]) -> bool:
    return not (0 <= centre[0] <= frame_size[0] and 0 <= centre[1] <= frame_size[1])
