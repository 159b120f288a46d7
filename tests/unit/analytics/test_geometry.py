"""Geometry: the image y-down direction convention, containment, polygon simplicity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storepixel.analytics.geometry import (
    DirectedLine,
    Polygon,
    polygon_problem,
    to_normalised,
)


def test_issue_example_down_the_image_is_in() -> None:
    """The issue's entrance line [[0.1, 0.6], [0.9, 0.6]]: below it (y larger) is the `in` side."""
    line = DirectedLine((0.1, 0.6), (0.9, 0.6))
    below, above = line.side([[0.5, 0.7], [0.5, 0.5]])
    assert below > 0 > above
    # Reversing the line swaps the sides.
    assert DirectedLine((0.9, 0.6), (0.1, 0.6)).side([[0.5, 0.7]])[0] < 0


def test_walking_direction_rule_for_a_vertical_line() -> None:
    """Walking down the image along a vertical line, your right hand points to image-left."""
    line = DirectedLine((0.5, 0.1), (0.5, 0.9))
    left_of_image, right_of_image = line.side([[0.4, 0.5], [0.6, 0.5]])
    assert left_of_image > 0 > right_of_image


def test_along_measures_the_segment_extent() -> None:
    line = DirectedLine((0.2, 0.5), (0.6, 0.5))
    assert line.along([[0.2, 0.9], [0.4, 0.1], [0.6, 0.5], [0.7, 0.5]]).tolist() == pytest.approx(
        [0.0, 0.5, 1.0, 1.25]
    )


def test_to_normalised_uses_width_then_height() -> None:
    assert to_normalised([[320, 120]], (640, 480)).tolist() == [[0.5, 0.25]]
    with pytest.raises(ValueError):
        to_normalised([[1, 1]], (0, 480))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2)), min_size=1, max_size=30),
    st.integers(3, 9),
    st.floats(0.05, 0.45),
    st.floats(0, 2 * np.pi),
)
def test_contains_matches_convex_half_plane_test(
    points: list[tuple[float, float]], n: int, radius: float, phase: float
) -> None:
    """For a convex polygon, inside ⇔ on the same side of every edge (an independent check)."""
    ang = phase + np.linspace(0, 2 * np.pi, n, endpoint=False)
    poly = np.stack([0.5 + radius * np.cos(ang), 0.5 + radius * np.sin(ang)], axis=1)
    pts = np.asarray(points)
    edges = [(poly[i], poly[(i + 1) % n]) for i in range(n)]
    crosses = np.stack(
        [(b[0] - a[0]) * (pts[:, 1] - a[1]) - (b[1] - a[1]) * (pts[:, 0] - a[0]) for a, b in edges]
    )
    clear = np.abs(crosses).min(axis=0) > 1e-9  # skip points exactly on an edge
    expected = np.all(crosses > 0, axis=0) | np.all(crosses < 0, axis=0)
    got = Polygon(poly).contains(pts)
    assert (got[clear] == expected[clear]).all()
    depth = Polygon(poly).signed_depth(pts)
    assert ((depth[clear] > 0) == got[clear]).all()


@settings(max_examples=80, deadline=None)
@given(st.integers(4, 7), st.data())
def test_points_in_convex_position_are_simple_only_in_cyclic_order(
    n: int, data: st.DataObject
) -> None:
    """n points on a circle form a simple polygon iff taken in circular order (either way round)."""
    order = data.draw(st.permutations(range(n)))
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    circle = np.stack([0.5 + 0.4 * np.cos(ang), 0.5 + 0.4 * np.sin(ang)], axis=1)
    rotations = {tuple(np.roll(np.arange(n), r)) for r in range(n)}
    cyclic = rotations | {tuple(reversed(r)) for r in rotations}
    assert (polygon_problem(circle[list(order)]) is None) == (tuple(order) in cyclic)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=3, max_size=12), st.data())
def test_star_shaped_polygons_are_simple(radii: list[float], data: st.DataObject) -> None:
    n = len(radii)
    gaps = data.draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n))
    # Every angular gap under half a turn: the centre sees every edge, so no edges can cross.
    assume(max(gaps) / sum(gaps) < 0.45)
    ang = np.cumsum(gaps) / np.sum(gaps) * 2 * np.pi
    r = np.asarray(radii) * 0.45
    poly = np.stack([0.5 + r * np.cos(ang), 0.5 + r * np.sin(ang)], axis=1)
    assert polygon_problem(poly) is None


@pytest.mark.parametrize(
    ("points", "problem"),
    [
        ([(0, 0), (1, 1), (1, 0), (0, 1)], "cross"),
        ([(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9), (0.5, 0.5)], "cross"),
        ([(0, 0), (1, 0)], "at least 3"),
        ([(0, 0), (0.5, 0), (1, 0)], "turns back"),
        ([(0, 0), (0, 0), (1, 0), (1, 1)], "same"),
        ([(0, 0), (1, 0), (1, 1), (0.5, 0), (0, 1)], "cross"),  # a vertex touching an edge
        ([(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)], None),
        ([(0.1, 0.1), (0.9, 0.1), (0.5, 0.5), (0.9, 0.9), (0.1, 0.9)], None),  # concave is fine
    ],
)
def test_polygon_problems(points: list[tuple[float, float]], problem: str | None) -> None:
    found = polygon_problem(points)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_every_pair_of_edges_is_checked() -> None:
    """A crossing between the first and the next-to-last edge is found too."""
    pts = [(0.1, 0.5), (0.9, 0.5), (0.9, 0.9), (0.5, 0.1), (0.1, 0.9)]
    for rot in range(len(pts)):
        rotated = list(itertools.islice(itertools.cycle(pts), rot, rot + len(pts)))
        assert polygon_problem(rotated) is not None
