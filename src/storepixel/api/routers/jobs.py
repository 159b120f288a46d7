"""Video jobs: upload a file for one camera, follow its progress, cancel it."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from storepixel.api.deps.auth import Principal, current_principal, site_admin, site_ingest
from storepixel.api.errors import BadInput, Conflict, TooManyRequests
from storepixel.api.jobs import JobRunner, probe_video
from storepixel.api.state import AppState, get_state
from storepixel.api.uploads import receive_upload
from storepixel.config.site import SiteConfig
from storepixel.store import accounts
from storepixel.timeutil import parse_when

router = APIRouter(prefix="/api/sites/{site}/jobs", tags=["jobs"])
MAX_PENDING_JOBS = 16  # queued uploads hold disk space until analysed: keep the queue short

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "camera"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "camera": {"type": "string", "description": "Camera id of the site."},
                        "start": {
                            "type": "string",
                            "description": "Capture time of the first frame, ISO 8601 (no "
                            "offset = site time zone). Default: from the file.",
                        },
                    },
                }
            }
        },
    }
}


def _runner(state: AppState) -> JobRunner:
    if state.jobs is None:
        raise Conflict("video jobs are not enabled in this process")
    return state.jobs


@router.post("", status_code=202, openapi_extra=UPLOAD_BODY)
async def create_job(
    request: Request,
    site: SiteConfig = Depends(site_ingest),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> JSONResponse:
    """Upload a video (multipart: ``file``, ``camera``, optional ``start``) and analyse it in the
    background. Answers 202 with the job; poll ``GET …/jobs/{id}`` for progress."""
    runner = _runner(state)
    if runner.pending() >= MAX_PENDING_JOBS:  # refused before a byte of the upload is read
        raise TooManyRequests(
            f"{MAX_PENDING_JOBS} videos are already waiting or being analysed; try again later"
        )
    upload = await receive_upload(request, state.data_dir / "uploads", state.max_upload_bytes)
    try:
        camera = upload.fields.get("camera", "").strip()
        if not camera:
            raise BadInput("missing form field 'camera' (the camera id this video is from)")
        state.sites.camera(site.site.id, camera)
        start_text = upload.fields.get("start", "").strip()
        start = parse_when(start_text, site.site.tz, "start") if start_text else None
        assert upload.path is not None and upload.filename is not None
        await asyncio.to_thread(probe_video, upload.path, upload.filename)
        job = runner.submit(
            site.site.id,
            camera,
            upload.path,
            upload.folder,
            upload.filename,
            upload.size,
            start,
            who.actor,
        )
    except BaseException:
        upload.discard()
        raise
    return JSONResponse(job, status_code=202)


@router.get("")
def list_jobs(
    limit: int = Query(100, ge=1, le=1000),
    site: SiteConfig = Depends(site_ingest),
    state: AppState = Depends(get_state),
) -> list[dict[str, Any]]:
    """Most recent jobs first."""
    return _runner(state).list(site.site.id, limit)


@router.get("/{job_id}")
def get_job(
    job_id: str, site: SiteConfig = Depends(site_ingest), state: AppState = Depends(get_state)
) -> dict[str, Any]:
    return _runner(state).get(site.site.id, job_id)


@router.delete("/{job_id}")
def cancel_job(
    job_id: str,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Cancel a queued or running job (nothing of it is stored); 409 if it already ended."""
    job = _runner(state).cancel(site.site.id, job_id)
    accounts.audit(state.store, who.actor, "job.cancel", f"{site.site.id}/job:{job_id}")
    return job
