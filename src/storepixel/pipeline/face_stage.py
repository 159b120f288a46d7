"""The face stage (opt-in): one age/gender estimate and/or one face descriptor per visit.

Built only when a site turns ``faces.attributes`` or ``faces.visitors`` on
(:func:`storepixel.pipeline.factory.face_stage`); otherwise no face model is loaded and nothing
biometric is computed. It runs after the tracker and analytics, on the masked frame: every
``look_interval_s`` while confirmed people are due a look, YuNet looks at the whole frame once and
each face is given to the person whose head it is in (the top ``HEAD`` of their box). Per person
only the best face so far is kept, in memory: its crop, scored by YuNet's confidence, size and how
frontal it is. When the person is gone (``FORGET_S`` unseen, or the footage ends), that one face
is estimated and/or described once, and the crop is dropped.

What comes out is already aggregate or anonymous: ``counts`` adds one to (hour, zone, attribute,
value) per visit, for every zone the person entered and for the whole view (``WHOLE_VIEW``), and
``visits`` holds (first seen, last seen, descriptor) with no track id. Nothing about a face is
kept per person (``storepixel.store.faces`` writes these).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.types import Event, EventKind, Tracks, TrackState

HEAD = 0.4  # of the person box, from the top: where their face can be
FORGET_S = 5.0  # unseen this long: the visit is over for the face stage
MARGIN = 0.5  # of the face size, kept around the best face (alignment needs the surroundings)
WHOLE_VIEW = "*"  # the zone id of counts for the camera's whole view


class _Faces(Protocol):
    def detect(self, image: NDArray[np.uint8]) -> NDArray[np.float32]: ...


class _Attributes(Protocol):
    def estimate(self, image: NDArray[np.uint8], face: NDArray[np.float32]) -> tuple[str, str]: ...


class _Descriptor(Protocol):
    def describe(
        self, image: NDArray[np.uint8], face: NDArray[np.float32]
    ) -> NDArray[np.float32]: ...


@dataclass(slots=True)
class _Person:
    first_t: float
    last_t: float
    looked_t: float | None = None
    zones: set[str] = field(default_factory=set)
    quality: float = 0.0
    crop: NDArray[np.uint8] | None = None  # the best face so far, with a margin; memory only
    face: NDArray[np.float32] | None = None  # its YuNet row, in crop pixels


@dataclass(frozen=True, slots=True)
class VisitFace:
    """One visit's descriptor, with no track id (matched to visitors by the store)."""

    first_t: float
    last_t: float
    descriptor: NDArray[np.float32]


def quality(face: NDArray[np.float32]) -> float:
    """Confidence x width x frontality (eye distance against face width; a profile is low).

    >>> row = np.array([0, 0, 40, 40, 10, 15, 26, 15, 18, 22, 12, 30, 24, 30, 0.9], np.float32)
    >>> round(quality(row), 3)
    36.0
    """
    w = float(face[2])
    eyes = float(np.hypot(face[6] - face[4], face[7] - face[5]))
    return float(face[14]) * w * min(1.0, eyes / (0.4 * w)) if w > 0 else 0.0


class FaceStage:
    """Per camera; ``pseudonym`` maps the tracker's ids to the events' track ids."""

    def __init__(
        self,
        faces: _Faces,
        pseudonym: Callable[[int], str],
        *,
        attributes: _Attributes | None = None,
        descriptor: _Descriptor | None = None,
        look_interval_s: float = 0.5,
        min_face_px: int = 24,
    ) -> None:
        self.faces = faces
        self.attributes = attributes
        self.descriptor = descriptor
        self.pseudonym = pseudonym
        self.look_interval_s = look_interval_s
        self.min_face_px = min_face_px
        self.counts: Counter[tuple[float, str, str, str]] = Counter()
        self.visits: list[VisitFace] = []
        self.looks = 0  # frames YuNet looked at
        self.estimates = 0  # age/gender estimates (one per visit with a face)
        self.descriptors = 0  # descriptors computed (one per visit with a face)
        self.cpu_s = 0.0  # process CPU seconds in face models
        self._people: dict[int, _Person] = {}
        self._ids: dict[str, int] = {}

    def observe(
        self, image: NDArray[np.uint8], tracks: Tracks, t: float, events: list[Event]
    ) -> None:
        """Follow the confirmed people of one settled frame (``image``: masked)."""
        confirmed = np.flatnonzero(tracks.state == TrackState.CONFIRMED)
        due: list[int] = []
        for i in confirmed.tolist():
            tid = int(tracks.ids[i])
            person = self._people.get(tid)
            if person is None:
                person = self._people[tid] = _Person(t, t)
                self._ids[self.pseudonym(tid)] = tid
            person.last_t = t
            if person.looked_t is None or t - person.looked_t >= self.look_interval_s - 1e-6:
                due.append(i)
        for e in events:
            if e.kind == EventKind.ZONE_ENTER and e.scope_id and e.track_id in self._ids:
                self._people[self._ids[e.track_id]].zones.add(e.scope_id)
        if due:
            start = time.process_time()
            self._look(image, tracks, due, t)
            self.cpu_s += time.process_time() - start
        for tid in [k for k, p in self._people.items() if t - p.last_t > FORGET_S]:
            self._close(tid)

    def finish(self) -> None:
        """The footage ended: close every visit still open."""
        for tid in list(self._people):
            self._close(tid)

    def _look(self, image: NDArray[np.uint8], tracks: Tracks, due: list[int], t: float) -> None:
        self.looks += 1
        found = self.faces.detect(image)
        for i in due:
            self._people[int(tracks.ids[i])].looked_t = t
        if not len(found):
            return
        centres = found[:, :2] + found[:, 2:4] / 2
        for i in due:
            x0, y0, x1, y1 = (float(v) for v in tracks.xyxy[i])
            head = (
                (centres[:, 0] >= x0)
                & (centres[:, 0] <= x1)
                & (centres[:, 1] >= y0)
                & (centres[:, 1] <= y0 + HEAD * (y1 - y0))
                & (found[:, 2] >= self.min_face_px)
            )
            if not head.any():
                continue
            rows = found[head]
            best = rows[int(np.argmax([quality(r) for r in rows]))]
            person = self._people[int(tracks.ids[i])]
            q = quality(best)
            if q > person.quality:
                person.quality = q
                person.crop, person.face = _crop(image, best)

    def _close(self, tid: int) -> None:
        person = self._people.pop(tid)
        self._ids = {k: v for k, v in self._ids.items() if v != tid}
        if person.crop is None or person.face is None:
            return
        start = time.process_time()
        if self.attributes is not None:
            band, gender = self.attributes.estimate(person.crop, person.face)
            self.estimates += 1
            hour = float(np.floor(person.first_t / 3600.0) * 3600.0)
            for zone in sorted(person.zones | {WHOLE_VIEW}):
                self.counts[(hour, zone, "age_band", band)] += 1
                self.counts[(hour, zone, "gender", gender)] += 1
        if self.descriptor is not None:
            vec = self.descriptor.describe(person.crop, person.face)
            self.descriptors += 1
            self.visits.append(VisitFace(person.first_t, person.last_t, vec))
        self.cpu_s += time.process_time() - start


def _crop(
    image: NDArray[np.uint8], face: NDArray[np.float32]
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """The face with a margin, copied, and its row shifted into the copy's pixels."""
    x, y, w, h = (float(v) for v in face[:4])
    x0 = max(0, int(x - MARGIN * w))
    y0 = max(0, int(y - MARGIN * h))
    x1 = min(image.shape[1], int(x + w * (1 + MARGIN)) + 1)
    y1 = min(image.shape[0], int(y + h * (1 + MARGIN)) + 1)
    row = face.copy()
    row[[0, 4, 6, 8, 10, 12]] -= x0  # x of the box and of each landmark
    row[[1, 5, 7, 9, 11, 13]] -= y0
    return image[y0:y1, x0:x1].copy(), row
