"""Decoded video frames to the BGR arrays the pipeline works on.

Almost every camera and file sends 8-bit 4:2:0 video in limited ("TV") range, which PyAV hands
over as ``yuv420p``. For those, OpenCV's I420 conversion does the job in a fraction of the time
of FFmpeg's swscale (which PyAV's ``to_ndarray(format="bgr24")`` runs): 0.17–0.21 ms against
0.34–1.78 ms a 720p frame (``bench/frame_convert.py``), and the whole store-day run took 21.0 /
23.1 s against 26.2 / 24.9 s (``bench/file_decoding.py``; docs/dev/performance.md). Both use
the BT.601 matrix and limited range; they differ by about one grey level (chroma interpolation
at edges). Anything else (full-range ``yuvj420p`` from MJPEG cameras, ``yuv420p`` flagged full
range, 4:2:2, odd sizes, hardware formats) goes through swscale, which knows every format.
"""

from __future__ import annotations

from typing import cast

import av
import cv2
import numpy as np
from numpy.typing import NDArray

JPEG_RANGE = 2  # FFmpeg's AVCOL_RANGE_JPEG: full-range samples, which OpenCV's I420 does not expect


def to_bgr(frame: av.VideoFrame) -> NDArray[np.uint8]:
    """``frame`` as an HxWx3 uint8 BGR array."""
    limited = frame.color_range != JPEG_RANGE  # unspecified counts as limited, as in swscale
    even = frame.width % 2 == 0 and frame.height % 2 == 0
    if frame.format.name == "yuv420p" and limited and even:
        # The three planes stacked (H*3/2 × W, row padding removed), as cv2 expects I420.
        planar = frame.to_ndarray()
        return cast("NDArray[np.uint8]", cv2.cvtColor(planar, cv2.COLOR_YUV2BGR_I420))
    return cast("NDArray[np.uint8]", frame.to_ndarray(format="bgr24"))
