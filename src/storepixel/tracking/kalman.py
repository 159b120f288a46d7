"""Constant-velocity Kalman filter for one person box, driven by the real time between frames.

State ``[cx, cy, w, h, vx, vy, vw, vh]`` in pixels and pixels per second. All noise is expressed
in box heights (and seconds), so the same settings fit a person 40 px tall far from the camera and
one 400 px tall next to it, and the same settings fit 5 analysed frames per second or 25: the
process noise is integrated over the real ``dt`` (continuous white-noise acceleration), not
per frame.

While a track is unmatched its velocity decays towards zero (an Ornstein-Uhlenbeck velocity with
time constant ``tau``): a person hidden behind a shelf has often stopped, and a prediction that
keeps walking at the last speed for seconds drifts away from where they reappear. The drift is
bounded by ``speed * tau``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

_NDIM = 4


@dataclass(frozen=True, slots=True)
class MotionNoise:
    """Noise levels in box heights (per second where they are rates).

    A detector places a person's box to within a few percent of its height (``meas_pos``), and
    less tightly in width and height, which limbs, bags and partial occlusion change
    (``meas_size``). A walker's velocity changes by about a body height per second over a second
    (starting, stopping, turning: ``accel_pos``); box size changes slower. A new track's speed
    is unknown up to a brisk walk, ~0.8 heights/s (1.4 m/s for a 1.7 m person).
    """

    meas_pos: float = 0.05  # detector jitter of the box centre, in heights
    meas_size: float = 0.08  # width/height jitter (limbs, partial occlusion), in heights
    accel_pos: float = 1.0  # how fast walking velocity changes, heights/s per sqrt(s)
    accel_size: float = 0.3  # how fast the box grows/shrinks (walking to/from camera)
    init_speed: float = 0.8  # prior std of an unknown walking speed, heights/s (~1.4 m/s)


def xyxy_to_z(xyxy: NDArray[np.floating]) -> F64:
    """Box corners to the measurement ``[cx, cy, w, h]``."""
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], np.float64)


def z_to_xyxy(z: NDArray[np.floating]) -> F64:
    cx, cy, w, h = (float(v) for v in z[:_NDIM])
    w, h = max(w, 1.0), max(h, 1.0)
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], np.float64)


class BoxKalman:
    """Kalman filter over one box. Cheap enough per track: a store camera sees tens of people.

    >>> kf = BoxKalman(np.array([0, 0, 20, 60.0]), MotionNoise())
    >>> kf.predict(0.2)
    >>> kf.update(np.array([10, 0, 30, 60.0]))  # moved 10 px right in 0.2 s
    >>> bool(kf.mean[4] > 0)  # so it now has a rightward velocity
    True
    """

    __slots__ = ("cov", "mean", "noise")

    def __init__(self, xyxy: NDArray[np.floating], noise: MotionNoise) -> None:
        self.noise = noise
        z = xyxy_to_z(xyxy)
        h = max(z[3], 1.0)
        self.mean: F64 = np.concatenate([z, np.zeros(_NDIM)])
        std = np.array(
            [
                noise.meas_pos * h,
                noise.meas_pos * h,
                noise.meas_size * h,
                noise.meas_size * h,
                noise.init_speed * h,
                noise.init_speed * h,
                noise.accel_size * h,
                noise.accel_size * h,
            ]
        )
        self.cov: F64 = np.diag(std**2)

    @property
    def height(self) -> float:
        return max(float(self.mean[3]), 1.0)

    def xyxy(self) -> F64:
        return z_to_xyxy(self.mean)

    def predict(self, dt: float, tau: float | None = None) -> None:
        """Advance by ``dt`` seconds; with ``tau`` the velocity decays (track unmatched)."""
        if dt <= 0:
            return
        if tau is None or tau <= 0:
            decay, gain = 1.0, dt
        else:
            decay = float(np.exp(-dt / tau))
            gain = tau * (1.0 - decay)  # integral of the decaying velocity over dt
        f = np.eye(2 * _NDIM)
        f[:_NDIM, _NDIM:] = np.eye(_NDIM) * gain
        f[_NDIM:, _NDIM:] = np.eye(_NDIM) * decay
        if tau is not None and tau > 0:
            # A hidden box does not keep growing or shrinking: stop size velocity at once.
            f[6, 6] = f[7, 7] = 0.0
            f[2, 6] = f[3, 7] = 0.0

        h = self.height
        q_pos = (self.noise.accel_pos * h) ** 2
        q_size = (self.noise.accel_size * h) ** 2
        # Continuous white-noise acceleration integrated over dt.
        q11, q12, q22 = dt**3 / 3, dt**2 / 2, dt
        q = np.zeros((2 * _NDIM, 2 * _NDIM))
        for i, qs in enumerate((q_pos, q_pos, q_size, q_size)):
            q[i, i] = q11 * qs
            q[i, i + _NDIM] = q[i + _NDIM, i] = q12 * qs
            q[i + _NDIM, i + _NDIM] = q22 * qs

        self.mean = f @ self.mean
        self.cov = f @ self.cov @ f.T + q

    def update(self, xyxy: NDArray[np.floating], trust: float = 1.0) -> None:
        """Correct with a measured box; ``trust`` < 1 divides the measurement's weight (its
        variance is multiplied by ``1 / trust``) for a box that may not be only this person."""
        z = xyxy_to_z(xyxy)
        h = max(z[3], 1.0)
        n = self.noise
        var = np.array([n.meas_pos, n.meas_pos, n.meas_size, n.meas_size]) ** 2 * h * h
        r = np.diag(var / max(trust, 1e-6))
        hm = np.zeros((_NDIM, 2 * _NDIM))
        hm[:, :_NDIM] = np.eye(_NDIM)
        s = hm @ self.cov @ hm.T + r
        k = np.linalg.solve(s, hm @ self.cov).T  # cov Hᵀ S⁻¹ (S and cov are symmetric)
        self.mean = self.mean + k @ (z - hm @ self.mean)
        self.cov = (np.eye(2 * _NDIM) - k @ hm) @ self.cov
        self.cov = (self.cov + self.cov.T) / 2
