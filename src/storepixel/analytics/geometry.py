"""Plane geometry on normalised coordinates (0–1 of width/height, origin top-left, y down).

Everything here is vectorised over N points. A directed line's *right-hand side* is the side a
walker going from its first point to its second has on the right; in image coordinates (y down)
that is where the 2-D cross product ``(b - a) × (p - a)`` is positive. Crossing from left to right
is ``in``: for a line drawn left to right, moving down the image.

>>> line = DirectedLine((0.1, 0.6), (0.9, 0.6))
>>> line.side([[0.5, 0.7], [0.5, 0.5]]).round(3).tolist()  # below the line = right = "in" side
[0.1, -0.1]
>>> Polygon([(0.2, 0.3), (0.8, 0.3), (0.8, 0.9), (0.2, 0.9)]).contains([[0.5, 0.5], [0.1, 0.5]])
array([ True, False])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]
PointLike = Sequence[float]

_EPS = 1e-12


def as_points(points: ArrayLike) -> F64:
    """``points`` as a float64 (N, 2) array (a single point becomes N=1)."""
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def to_normalised(points_px: ArrayLike, frame_size: tuple[int, int]) -> F64:
    """Pixel points → normalised, with ``frame_size = (width, height)`` (as ``Frame`` reports)."""
    width, height = frame_size
    if width <= 0 or height <= 0:
        raise ValueError(f"frame size must be positive, got {frame_size}")
    return as_points(points_px) / np.array([width, height], dtype=np.float64)


def cross(a: F64, b: F64, p: F64) -> F64:
    """``(b - a) × (p - a)`` for each row of ``p``: > 0 right of a→b in image coordinates."""
    return (b[0] - a[0]) * (p[:, 1] - a[1]) - (b[1] - a[1]) * (p[:, 0] - a[0])


class DirectedLine:
    """A counting line from ``a`` to ``b``: signed distance (right = positive) and extent."""

    def __init__(self, a: PointLike, b: PointLike) -> None:
        self.a = np.asarray(a, dtype=np.float64).reshape(2)
        self.b = np.asarray(b, dtype=np.float64).reshape(2)
        self.direction = self.b - self.a
        self.length = float(np.hypot(*self.direction))
        if self.length <= _EPS:
            raise ValueError("a line needs two distinct points")

    def side(self, points: ArrayLike) -> F64:
        """Signed distance of each point from the infinite line; positive = right ("in") side."""
        return cross(self.a, self.b, as_points(points)) / self.length

    def along(self, points: ArrayLike) -> F64:
        """Projection onto the segment: 0 at ``a``, 1 at ``b`` (outside [0, 1] = beside an end)."""
        rel = as_points(points) - self.a
        return (rel @ self.direction) / (self.length**2)


def polygon_area(vertices: ArrayLike) -> float:
    """Signed area (shoelace); positive when the vertices go clockwise on screen (y down)."""
    v = as_points(vertices)
    x, y = v[:, 0], v[:, 1]
    return float(0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _orient(p: F64, q: F64, r: F64) -> float:
    return float((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))


def _on_segment(p: F64, q: F64, r: F64) -> bool:
    """``r`` (known collinear with p-q) lies within the bounding box of p-q."""
    return bool(
        min(p[0], q[0]) - _EPS <= r[0] <= max(p[0], q[0]) + _EPS
        and min(p[1], q[1]) - _EPS <= r[1] <= max(p[1], q[1]) + _EPS
    )


def segments_intersect(p1: F64, p2: F64, q1: F64, q2: F64) -> bool:
    """Closed segments p1-p2 and q1-q2 share at least one point (touching counts)."""
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    if ((d1 > _EPS and d2 < -_EPS) or (d1 < -_EPS and d2 > _EPS)) and (
        (d3 > _EPS and d4 < -_EPS) or (d3 < -_EPS and d4 > _EPS)
    ):
        return True
    return (
        (abs(d1) <= _EPS and _on_segment(q1, q2, p1))
        or (abs(d2) <= _EPS and _on_segment(q1, q2, p2))
        or (abs(d3) <= _EPS and _on_segment(p1, p2, q1))
        or (abs(d4) <= _EPS and _on_segment(p1, p2, q2))
    )


def polygon_problem(vertices: ArrayLike) -> str | None:
    """Why ``vertices`` is not a simple polygon (edges crossing, repeated points…), else ``None``.

    >>> polygon_problem([(0, 0), (1, 1), (1, 0), (0, 1)])  # a bow-tie
    'edges 1 and 3 cross (a simple polygon may not cross itself)'
    """
    v = as_points(vertices)
    n = len(v)
    if n < 3:
        return f"a polygon needs at least 3 points, got {n}"
    edges = [(v[i], v[(i + 1) % n]) for i in range(n)]
    for i, (p, q) in enumerate(edges):
        if np.hypot(*(q - p)) <= _EPS:
            return f"points {i + 1} and {(i + 1) % n + 1} are the same"
    for i in range(n):
        # Adjacent edges share a vertex; they are only wrong if they fold back over each other.
        p, q = edges[i]
        _, r = edges[(i + 1) % n]
        if abs(_orient(p, q, r)) <= _EPS and float(np.dot(q - p, r - q)) < 0:
            return f"the outline turns back on itself at point {(i + 1) % n + 1}"
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # the first and last edges are adjacent
            if segments_intersect(*edges[i], *edges[j]):
                return f"edges {i + 1} and {j + 1} cross (a simple polygon may not cross itself)"
    if abs(polygon_area(v)) <= _EPS:
        return "the points enclose no area (all on one line)"
    return None


class Polygon:
    """A simple polygon: vectorised containment and distance to its outline."""

    def __init__(self, vertices: ArrayLike) -> None:
        self.vertices = as_points(vertices)
        if len(self.vertices) < 3:
            raise ValueError("a polygon needs at least 3 points")
        self._x0, self._y0 = self.vertices[:, 0], self.vertices[:, 1]
        nxt = np.roll(self.vertices, -1, axis=0)
        self._x1, self._y1 = nxt[:, 0], nxt[:, 1]

    def contains(self, points: ArrayLike) -> NDArray[np.bool_]:
        """Even-odd ray casting for each of N points (points exactly on the outline: either)."""
        p = as_points(points)
        x, y = p[:, 0:1], p[:, 1:2]
        straddles = (self._y0 > y) != (self._y1 > y)  # (N, K): edge spans the point's row
        dy = np.where(self._y1 == self._y0, 1.0, self._y1 - self._y0)
        x_at = self._x0 + (y - self._y0) * (self._x1 - self._x0) / dy
        hits = straddles & (x < x_at)
        return np.asarray(np.count_nonzero(hits, axis=1) % 2 == 1)

    def edge_distance(self, points: ArrayLike) -> F64:
        """Euclidean distance (normalised units) from each point to the nearest outline edge."""
        p = as_points(points)
        ax, ay = self._x0[None, :], self._y0[None, :]
        dx, dy = (self._x1 - self._x0)[None, :], (self._y1 - self._y0)[None, :]
        px, py = p[:, 0:1], p[:, 1:2]
        t = ((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, _EPS)
        t = np.clip(t, 0.0, 1.0)
        dist = np.hypot(px - (ax + t * dx), py - (ay + t * dy))
        return np.asarray(dist.min(axis=1), dtype=np.float64)

    def signed_depth(self, points: ArrayLike) -> F64:
        """Distance to the outline, positive inside and negative outside."""
        depth = self.edge_distance(points)
        return np.where(self.contains(points), depth, -depth)
