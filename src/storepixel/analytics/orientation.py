"""Which way a person faces, from 2-D body keypoints (COCO-17 order, ``vision.pose.KP``).

In the image (x right, y down), a person's left shoulder shows on the *right* when they face the
camera and on the left when they turn their back to it, so the shoulder line, from right
shoulder to left, turned a quarter (``(-dy, dx)``) points where the chest points, projected onto
the image. Hips stand in for shoulders when those are hidden. Seen side-on the shoulders overlap
and that vector shrinks; the head then tells: the nose sits ahead of the ears. Both cues are
added, each in units of the person's torso length so neither dominates by scale alone.

>>> import numpy as np
>>> from storepixel.vision.pose import KP
>>> kp = np.zeros((17, 3), np.float32)
>>> for name, x, y in [("left_shoulder", 60, 40), ("right_shoulder", 40, 40),
...                    ("left_hip", 57, 90), ("right_hip", 43, 90)]:
...     kp[KP[name]] = (x, y, 0.9)
>>> (facing_direction(kp).round(2) + 0.0).tolist()  # left shoulder on the right: facing down
[0.0, 1.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from storepixel.vision.pose import KP

MIN_SCORE = 0.5  # a keypoint below this is treated as not seen


def _seen(kp: NDArray[np.float32], *names: str) -> bool:
    return all(float(kp[KP[n], 2]) >= MIN_SCORE for n in names)


def _point(kp: NDArray[np.float32], name: str) -> NDArray[np.float64]:
    return kp[KP[name], :2].astype(np.float64)


def torso_centre(kp: NDArray[np.float32]) -> NDArray[np.float64] | None:
    """Mid-point of the seen shoulders and hips (``None``: none of them seen)."""
    names = [
        n for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip") if _seen(kp, n)
    ]
    if not names:
        return None
    return np.mean([_point(kp, n) for n in names], axis=0)


def facing_direction(kp: NDArray[np.float32]) -> NDArray[np.float64] | None:
    """Unit vector (image) the person faces, or ``None`` when the pose cannot tell (shoulders and
    hips hidden, or the cues cancel out)."""
    if _seen(kp, "left_shoulder", "right_shoulder"):
        left, right = _point(kp, "left_shoulder"), _point(kp, "right_shoulder")
    elif _seen(kp, "left_hip", "right_hip"):
        left, right = _point(kp, "left_hip"), _point(kp, "right_hip")
    else:
        return None
    span = left - right
    chest = np.array([-span[1], span[0]])
    torso = _torso_length(kp)
    front = chest / torso
    ears = [e for e in ("left_ear", "right_ear") if _seen(kp, e)]
    if _seen(kp, "nose") and ears:
        ear_mid = np.mean([_point(kp, e) for e in ears], axis=0)
        head = _point(kp, "nose") - ear_mid
        head[1] = 0.0  # nodding down at a shelf is not turning: only the sideways part counts
        front = front + 2.0 * head / torso
    norm = float(np.hypot(*front))
    if norm < 0.15:  # under ~1/7 of a torso: too foreshortened to say
        return None
    return front / norm


def _torso_length(kp: NDArray[np.float32]) -> float:
    shoulders = [_point(kp, n) for n in ("left_shoulder", "right_shoulder") if _seen(kp, n)]
    hips = [_point(kp, n) for n in ("left_hip", "right_hip") if _seen(kp, n)]
    if shoulders and hips:
        return max(float(np.hypot(*(np.mean(shoulders, 0) - np.mean(hips, 0)))), 1.0)
    pts = shoulders or hips
    return max(2.0 * float(np.hypot(*(pts[0] - pts[-1]))), 1.0)


def faces(kp: NDArray[np.float32], targets: NDArray[np.float64]) -> bool | None:
    """Whether any of ``targets`` (pixel points, e.g. a shelf's outline) lies in front of the
    person's body plane; ``None`` when the pose cannot tell. "In front" is all a single camera
    can judge reliably: it sees the facing direction foreshortened, so an angle finer than the
    half-plane would depend on the camera's height and tilt."""
    front = facing_direction(kp)
    centre = torso_centre(kp)
    if front is None or centre is None:
        return None
    to = np.asarray(targets, np.float64).reshape(-1, 2) - centre
    return bool((to @ front > 0).any())
