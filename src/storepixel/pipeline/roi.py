"""The detection region: the part of the frame where counting can happen, plus room around it.

Lines and zones test a person's foot point, so only people standing near them matter. The region
is the bounding box of every zone and line, grown by ``margin`` of the frame on each side and by
``head_room`` above (a person's body rises above their feet), clipped to the frame. When it would
cover most of the frame anyway (``max_fraction``) there is no region: cropping then saves little
and every person in view is kept.

>>> from storepixel.config.site import CameraConfig
>>> cam = CameraConfig.model_validate({"id": "door",
...     "lines": [{"id": "in", "points": [[0.4, 0.7], [0.6, 0.7]]}]})
>>> detection_region(cam)
(0.3, 0.25, 0.7, 0.8)
>>> to_pixels(detection_region(cam), 1280, 720)
(384, 180, 896, 576)
"""

from __future__ import annotations

import math

from storepixel.config.site import CameraConfig

NormalisedRegion = tuple[float, float, float, float]  # x0, y0, x1, y1 in 0–1 of the frame


def detection_region(
    camera: CameraConfig,
    margin: float = 0.1,
    head_room: float = 0.35,
    max_fraction: float = 0.7,
) -> NormalisedRegion | None:
    """The normalised region around ``camera``'s zones and lines, or ``None`` for the whole
    frame (no geometry, or a region covering more than ``max_fraction`` of the frame)."""
    points = [p for z in camera.zones for p in z.polygon]
    points += [p for ln in camera.lines for p in ln.points]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = max(0.0, min(xs) - margin), min(1.0, max(xs) + margin)
    y0, y1 = max(0.0, min(ys) - margin - head_room), min(1.0, max(ys) + margin)
    if (x1 - x0) * (y1 - y0) > max_fraction:
        return None
    return (round(x0, 6), round(y0, 6), round(x1, 6), round(y1, 6))


def to_pixels(region: NormalisedRegion, width: int, height: int) -> tuple[int, int, int, int]:
    """The region in pixels of a ``width``×``height`` frame (grown outwards to whole pixels)."""
    x0, y0, x1, y1 = region
    return (
        max(0, math.floor(x0 * width)),
        max(0, math.floor(y0 * height)),
        min(width, math.ceil(x1 * width)),
        min(height, math.ceil(y1 * height)),
    )
