"""What every frame source offers: iteration over ``Frame``s plus what is known up front."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from storepixel.types import Frame


class FrameSource(Protocol):
    camera_id: str
    fps: float | None  # the source's own frame rate, when known
    frame_count: int | None  # total frames, when the container says
    anchor: float  # capture time (POSIX seconds) of offset 0
    anchor_origin: str  # how the anchor was chosen, said to the user

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...
