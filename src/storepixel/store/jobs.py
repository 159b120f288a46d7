"""Rows of ``video_jobs``: uploaded videos waiting for, in or past analysis.

The web app's :class:`~storepixel.api.jobs.JobRunner` runs the jobs; this module only reads and
writes their rows, so the list of jobs survives a restart.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Table, insert, select, update

from storepixel.store import Store
from storepixel.store.web_models import VideoJobRecord

JOBS: Table = VideoJobRecord.__table__  # type: ignore[assignment]
ACTIVE = ("queued", "running")


def fail_unfinished(store: Store, reason: str) -> int:
    """Mark every queued or running job failed with ``reason``; how many there were."""
    with store.transaction() as conn:
        result = conn.execute(
            update(JOBS)
            .where(JOBS.c.status.in_(ACTIVE))
            .values(status="failed", error=reason, finished_at=time.time())
        )
    return int(result.rowcount or 0)


def insert_job(store: Store, **values: Any) -> None:
    with store.transaction() as conn:
        conn.execute(insert(JOBS).values(**values))


def get_job(store: Store, site_id: str, job_id: str) -> Any | None:
    """The job's row, or ``None`` (also for another site's job)."""
    with store.connect() as conn:
        return conn.execute(
            select(JOBS).where(JOBS.c.id == job_id, JOBS.c.site_id == site_id)
        ).first()


def list_jobs(store: Store, site_id: str, limit: int = 100) -> list[Any]:
    """The site's jobs, newest first."""
    stmt = (
        select(JOBS)
        .where(JOBS.c.site_id == site_id)
        .order_by(JOBS.c.created_at.desc(), JOBS.c.id)
        .limit(limit)
    )
    with store.connect() as conn:
        return list(conn.execute(stmt))


def update_job(store: Store, job_id: str, only_if: tuple[str, ...] = ACTIVE, **values: Any) -> None:
    """Change a job's row if its status is still one of ``only_if`` (a finished job stays so)."""
    with store.transaction() as conn:
        conn.execute(
            update(JOBS).where(JOBS.c.id == job_id, JOBS.c.status.in_(only_if)).values(**values)
        )
