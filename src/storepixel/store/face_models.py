"""Tables of the opt-in face features (site ``faces:``). Never an image, never a per-person
attribute.

``face_attribute_counts``: how many visits were estimated in each age band / gender, per site,
camera, analysis run, zone (``*`` = the camera's whole view) and hour. Aggregates only: no track
or visitor id, no time finer than the hour; reads suppress groups below the site's ``min_count``
(:mod:`storepixel.store.faces`). Keyed by run so re-analysing a file replaces its counts.

``visitor_faces``: one row per returning-visitor id: the face descriptor sealed with the site key
(AES-256-GCM, :mod:`storepixel.faces.keys`; ``key_id`` is the key's fingerprint, never the key),
when it was first and last seen (the descriptor is replaced at each visit, so ``last_seen`` is
its age, which retention ``visitors`` goes by).

``visitor_visits``: one row per visit of a visitor (site, camera, run, time): what return rates
are counted from. Deleted with the visitor, and after retention ``visitors``.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.models import ID, NAME, Base, UTCTime


class FaceAttributeCount(Base):
    __tablename__ = "face_attribute_counts"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    hour_start: Mapped[float] = mapped_column(UTCTime(), primary_key=True)
    attribute: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "site_id", "hour_start"),)


class VisitorFace(Base):
    __tablename__ = "visitor_faces"

    visitor_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    descriptor: Mapped[bytes] = mapped_column(LargeBinary)  # sealed; see storepixel.faces.keys
    key_id: Mapped[str] = mapped_column(String(16))
    first_seen: Mapped[float] = mapped_column(UTCTime())
    last_seen: Mapped[float] = mapped_column(UTCTime())
    first_run_id: Mapped[str] = mapped_column(String(ID))

    __table_args__ = (Index(None, "site_id", "last_seen"),)


class VisitorVisit(Base):
    __tablename__ = "visitor_visits"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    visitor_id: Mapped[str] = mapped_column(String(ID))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    run_id: Mapped[str] = mapped_column(String(ID))
    time: Mapped[float] = mapped_column(UTCTime())

    __table_args__ = (
        Index(None, "site_id", "time"),
        Index(None, "visitor_id"),
        Index(None, "run_id"),
    )
