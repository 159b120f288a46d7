"""The describer: a persisted queue of people-chunks and the workers that describe them.

``submit`` only puts a closed chunk on an in-memory queue, so the counting thread is never
blocked or slowed. Workers (``concurrency`` of them) then, per chunk:

1. choose its frames and derive its key; record it as ``pending`` in the store (a key already
   ``done`` or ``failed`` is skipped: re-analysing footage never pays twice);
2. check the daily budgets: over budget, the chunk is recorded ``waiting`` and kept for a later
   round;
3. claim it (pending/waiting → sending, one UPDATE), make its pictures (mask already applied,
   faces blurred, grounding marks), and send it, within the rate limits, up to ``max_tries``
   times with back-off that honours ``Retry-After``. Each request writes one ledger row;
4. check the answer (one repair request if it is not valid JSON for the schema), ground times
   and subjects, store it as ``done`` and hand its alerts, as ``vlm_alert`` events, to
   ``on_events``. Garbage every try → ``failed`` with the reason; the provider down or
   refusing every try → ``waiting`` (tried again every ``retry_waiting_s`` while this process
   holds the chunk's pictures; after a restart ``resume`` queues them again from the pictures
   kept on disk when the site keeps media, and a file can simply be analysed again).
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.config.describe import DescribeConfig
from storepixel.describe.chunker import Chunk, ChunkFrame
from storepixel.describe.control import Limits, Spent, backoff
from storepixel.describe.media import (
    CLIP_FPS,
    ChunkMedia,
    MediaMaker,
    clip_sampled_frames,
    kept_media,
)
from storepixel.describe.prompt import REPAIR, SYSTEM, chunk_text
from storepixel.describe.providers import Provider, ProviderError, Request, make_provider
from storepixel.describe.schema import (
    PROMPT_VERSION,
    AnswerError,
    Grounded,
    ground,
    parse_description,
    response_schema,
)
from storepixel.errors import StorepixelError
from storepixel.events.ids import event_id, track_pseudonym
from storepixel.store import Store
from storepixel.store import descriptions as db
from storepixel.types import Event

log = logging.getLogger(__name__)

VLM_ALERT = "vlm_alert"


def chunk_key(
    site_id: str, camera_id: str, start: float, end: float, times: Sequence[float]
) -> str:
    """The chunk's identity: camera, capture times, frames sent and prompt version."""
    text = "\x1f".join(
        [site_id, camera_id, f"{start:.3f}", f"{end:.3f}", PROMPT_VERSION]
        + [f"{t:.3f}" for t in times]
    )
    return "d" + hashlib.sha256(text.encode()).hexdigest()[:31]


@dataclass(slots=True)
class CameraContext:
    """What the describer needs to know about a chunk's camera."""

    camera_id: str
    config: DescribeConfig
    scopes: list[str] = field(default_factory=list)  # zone/line names for the prompt
    run_anchor: float = 0.0  # seeds track pseudonyms, as the analytics engine does
    source: str | None = None


@dataclass(slots=True)
class _Job:
    chunk: Chunk
    camera: CameraContext
    submitted: float  # wall clock: chunk closed → stored latency
    frames: list[ChunkFrame] | None = None
    key: str | None = None
    media: ChunkMedia | None = None  # made once (kept on disk when the site stores media)
    resumed: bool = False  # picked up from the store after a restart
    cpu_start: float = 0.0  # the worker thread's CPU clock when it took the chunk


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a chunk ended in this process, for callers and benchmarks."""

    key: str
    camera_id: str
    status: str
    reason: str | None
    latency_s: float  # chunk closed (submitted) → stored
    alerts: int = 0
    submitted: float = 0.0  # wall clock when the chunk closed
    cpu_s: float = 0.0  # CPU time this process's worker spent on it (a loaded box's wall is not)


class Describer:
    """One per site (and store). Thread-safe ``submit``; ``close`` drains and stops workers."""

    def __init__(
        self,
        store: Store,
        site_id: str,
        tz: ZoneInfo,
        *,
        on_events: Callable[[list[Event]], object] | None = None,
        provider_for: Callable[[DescribeConfig], Provider] = make_provider,
        concurrency: int = 2,
        retry_waiting_s: float = 60.0,
        sleep: Callable[[float], bool] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.site_id = site_id
        self.tz = tz
        self.on_events = on_events
        self.retry_waiting_s = retry_waiting_s
        self.outcomes: list[Outcome] = []
        self._provider_for = provider_for
        self._providers: dict[tuple[str, str, str | None], Provider] = {}
        self._makers: dict[str, MediaMaker] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._waiting: list[_Job] = []
        self._busy = 0
        # Rate limits and budget reservations: this process's own, or a cluster's shared ones.
        self.limits = limits if limits is not None else Limits(self._ledger)
        self._idle = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._sleep = sleep or (lambda s: self._stop.wait(s))
        released = db.release_stale(store, "process stopped while sending; tried again")
        if released:
            log.warning("describe: %d chunks left sending by a stopped process now wait", released)
        self._workers = [
            threading.Thread(target=self._work, name=f"describe-{i}", daemon=True)
            for i in range(concurrency)
        ]
        for worker in self._workers:
            worker.start()
        self._retrier = threading.Thread(
            target=self._retry_loop, name="describe-retry", daemon=True
        )
        self._retrier.start()

    # -- any thread ---------------------------------------------------------------------------

    def submit(self, chunk: Chunk, camera: CameraContext) -> None:
        """Queue a closed chunk; returns at once."""
        with self._lock:
            self._busy += 1
        self._queue.put(_Job(chunk, camera, time.time()))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted chunk has ended (done, failed or waiting)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def close(self, timeout: float | None = None) -> None:
        """Finish what is queued (up to ``timeout``), then stop the workers."""
        self.wait_idle(timeout)
        self._stop.set()
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=5.0)

    def resume(self, cameras: dict[str, CameraContext]) -> dict[str, int]:
        """Queue again the chunks a stopped process left pending or waiting, for these cameras.

        A chunk can be sent again when the site keeps media (``describe.media.store``): its
        pictures were written when it was queued. Without them, a live chunk can never be
        described (its footage is gone) and is marked failed with the reason; a chunk from a
        file stays waiting: analysing that file again with ``--describe`` describes it.
        Counts: ``resumed``, ``failed`` (pictures lost), ``needs_file``.
        """
        counts = {"resumed": 0, "failed": 0, "needs_file": 0}
        for row in db.list_chunks(self.store, site_id=self.site_id, status=db.OPEN):
            camera = cameras.get(row["camera_id"])
            if camera is None:
                continue
            media = kept_media(camera.config, row["camera_id"], row["id"])
            if media is None:
                if (row["source"] or "live") == "live":
                    reason = (
                        "its pictures were lost when the process stopped (live footage is kept "
                        "only with describe.media.store)"
                    )
                    self._settle_lost(row["id"], reason)
                    counts["failed"] += 1
                else:
                    counts["needs_file"] += 1
                continue
            chunk = Chunk(
                row["camera_id"], row["start_time"], row["end_time"], [], set(row["track_ids"])
            )
            job = _Job(chunk, camera, time.time(), [], row["id"], media, resumed=True)
            with self._lock:
                self._busy += 1
            self._queue.put(job)
            counts["resumed"] += 1
        if any(counts.values()):
            log.info("describe: after a restart %s", counts)
        return counts

    def _settle_lost(self, key: str, reason: str) -> None:
        db.settle(self.store, key, "failed", reason=reason)

    # -- workers ------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._describe(job)
            except StorepixelError as err:  # e.g. the key was unset after start-up
                if job.key is not None:
                    self._end(job, "failed", str(err))
            except Exception:  # a bug must not kill the worker or lose the chunk
                log.exception("describe: chunk %s of %s", job.key, job.camera.camera_id)
                if job.key is not None:
                    self._end(job, "failed", "internal error (see the log)")
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _retry_loop(self) -> None:
        while not self._stop.wait(self.retry_waiting_s):
            with self._lock:
                jobs, self._waiting = self._waiting, []
                self._busy += len(jobs)
            for job in jobs:
                self._queue.put(job)

    def _maker(self, camera: CameraContext) -> MediaMaker:
        with self._lock:
            maker = self._makers.get(camera.camera_id)
            if maker is None or maker.config is not camera.config:
                maker = self._makers[camera.camera_id] = MediaMaker(camera.config, self.tz)
            return maker

    def _provider(self, config: DescribeConfig) -> Provider:
        key = (config.provider, config.model_name, config.base_url)
        with self._lock:
            if key not in self._providers:
                self._providers[key] = self._provider_for(config)
            return self._providers[key]

    def _ledger(self, camera_id: str) -> tuple[Spent, Spent]:
        """Today's measured spending of the camera and the site (the ledger)."""
        cam, site = db.spent_today(self.store, self.site_id, camera_id, self.tz)
        return Spent(*cam), Spent(*site)

    def _describe(self, job: _Job) -> None:
        job.cpu_start = time.thread_time()
        chunk, camera, config = job.chunk, job.camera, job.camera.config
        maker = self._maker(camera)
        if job.frames is None:
            job.frames = maker.selected(chunk)
            job.key = chunk_key(
                self.site_id, chunk.camera_id, chunk.start, chunk.end, [f.time for f in job.frames]
            )
            new = db.add_chunk(
                self.store,
                {
                    "id": job.key,
                    "site_id": self.site_id,
                    "camera_id": chunk.camera_id,
                    "start_time": chunk.start,
                    "end_time": chunk.end,
                    "provider": config.provider,
                    "model": config.model_name,
                    "prompt_version": PROMPT_VERSION,
                    "track_ids": sorted(chunk.people),
                    "sent_times": [round(f.time, 3) for f in job.frames],
                    "source": camera.source,
                },
            )
            if not new and db.chunk_status(self.store, job.key) in ("done", "failed", "sending"):
                self._record(job, "skipped", "already described")
                return
            if config.media.store:  # kept from now on, so it survives a restart while waiting
                job.media = maker.make(chunk, job.frames)
                maker.keep(job.key, chunk, job.media)
        assert job.key is not None
        if job.media is not None:
            sent = job.media
            images = clip_sampled_frames(chunk.seconds) if sent.clip else len(sent.pictures)
            estimate = images * config.tokens_per_frame + 400  # + prompt text, roughly
        else:
            estimate = maker.estimate_tokens(chunk, job.frames) + 400
        over = self.limits.reserve(config, chunk.camera_id, estimate)
        if over is not None:
            self._wait(job, over)
            return
        try:
            self._claimed(job, maker, estimate)
        finally:
            self.limits.unreserve(chunk.camera_id, estimate)

    def _claimed(self, job: _Job, maker: MediaMaker, estimate: int) -> None:
        chunk, camera, config = job.chunk, job.camera, job.camera.config
        assert job.key is not None and job.frames is not None
        if not db.claim(self.store, job.key):
            self._record(job, "skipped", "already taken")
            return
        media = job.media if job.media is not None else maker.make(chunk, job.frames)
        request = Request(
            system=SYSTEM,
            text=chunk_text(
                context=config.context,
                camera=chunk.camera_id,
                scopes=camera.scopes,
                start=chunk.start,
                end=chunk.end,
                people=sorted(chunk.people),
                times=[p.time for p in media.pictures],
                tz=self.tz,
                clip=media.clip is not None,
            ),
            images=[] if media.clip is not None else [p.jpeg for p in media.pictures],
            schema=response_schema(),
            video=media.clip,
            video_fps=CLIP_FPS,
        )
        self._send(job, request, estimate)

    def _send(self, job: _Job, request: Request, estimate: int) -> None:
        config = job.camera.config
        totals = {"tokens_in": 0, "tokens_out": 0, "cost": None, "attempts": 0}
        repaired = False
        last = "no try made"
        down = False
        for attempt in range(1, config.max_tries + 1):
            if self._stop.is_set():
                last, down = "stopped before the chunk was described", True
                break
            totals["attempts"] = attempt
            try:
                text = self._request(job, request, "describe", estimate, totals)
            except ProviderError as err:
                last, down = err.reason, True
                if not err.retryable:
                    break
                if attempt < config.max_tries:
                    self._sleep(
                        backoff(attempt, retry_after=err.retry_after, cap=config.max_backoff_s)
                    )
                continue
            down = False
            try:
                grounded = self._check(job, text)
            except AnswerError as err:
                last = f"invalid answer: {err}"
                if repaired:
                    continue
                repaired = True  # one repair request per chunk: the text, not the pictures again
                fix = Request(
                    system=SYSTEM,
                    text=REPAIR.format(error=err, answer=(text or "")[:4000]),
                    schema=request.schema,
                )
                try:
                    text = self._request(job, fix, "repair", 500, totals)
                    grounded = self._check(job, text)
                except (ProviderError, AnswerError) as again:
                    last = f"invalid answer: {err}; repair: {again}"
                    continue
            self._done(job, grounded, totals)
            return
        if down:
            db.settle(self.store, job.key or "", "waiting", reason=f"provider: {last}", **totals)
            self._wait(job, f"provider: {last}", settled=True)
        else:
            self._end(job, "failed", f"{last} (after {totals['attempts']} tries)", totals)

    def _request(
        self,
        job: _Job,
        request: Request,
        purpose: str,
        estimate: int,
        totals: dict[str, Any],
    ) -> str | None:
        """One request, within the limits, with its ledger row."""
        config = job.camera.config
        provider = self._provider(config)
        self.limits.wait_turn(config, estimate, self._stop)
        if self._stop.is_set():  # stopped while waiting for a turn: send nothing, keep the chunk
            raise ProviderError("stopped", "stopped before its turn to be sent", retryable=False)
        started = time.perf_counter()
        row: dict[str, Any] = {
            "chunk_id": job.key,
            "site_id": self.site_id,
            "camera_id": job.chunk.camera_id,
            "requested_at": time.time(),
            "provider": config.provider,
            "model": config.model_name,
            "prompt_version": PROMPT_VERSION,
            "purpose": purpose,
            "tokens_in": 0,
            "tokens_out": 0,
            "cost": None,
        }
        try:
            with self.limits.slot(config):
                reply = provider.send(request)
        except ProviderError as err:
            row.update(outcome=err.outcome, reason=err.reason[:500])
            row["latency_s"] = round(time.perf_counter() - started, 4)
            db.add_ledger(self.store, row)
            raise
        cost = config.cost(reply.tokens_in, reply.tokens_out)
        row.update(
            tokens_in=reply.tokens_in,
            tokens_out=reply.tokens_out,
            cost=cost,
            latency_s=round(time.perf_counter() - started, 4),
            outcome="ok",
            reason=None,
        )
        try:
            parse_description(reply.text)
        except AnswerError as err:
            row.update(outcome="invalid", reason=str(err)[:500])
        db.add_ledger(self.store, row)
        totals["tokens_in"] += reply.tokens_in
        totals["tokens_out"] += reply.tokens_out
        if cost is not None:
            totals["cost"] = (totals["cost"] or 0.0) + cost
        return reply.text

    def _check(self, job: _Job, text: str | None) -> Grounded:
        desc = parse_description(text)
        return ground(
            desc, start=job.chunk.start, end=job.chunk.end, people=set(job.chunk.people), tz=self.tz
        )

    def _done(self, job: _Job, grounded: Grounded, totals: dict[str, Any]) -> None:
        assert job.key is not None
        db.settle(
            self.store,
            job.key,
            "done",
            reason=None,
            summary=grounded.summary or None,
            observations=grounded.observations,
            items=grounded.items,
            people=grounded.people,
            alerts=grounded.alerts,
            flags=grounded.flags,
            **totals,
        )
        events = self._alert_events(job, grounded)
        if events and self.on_events is not None:
            try:
                self.on_events(events)
            except Exception:
                log.exception("describe: handing %d alerts on failed", len(events))
        self._record(job, "done", None, alerts=len(events))

    def _alert_events(self, job: _Job, grounded: Grounded) -> list[Event]:
        events = []
        for alert in grounded.alerts:
            subject = alert.get("subject")
            # A chunk resumed after a restart keeps its old run's track numbers, whose
            # pseudonyms this run cannot derive: the chunk stands in for the person then.
            if subject is not None and not job.resumed:
                track = track_pseudonym(
                    self.site_id, job.chunk.camera_id, job.camera.run_anchor, int(subject)
                )
            else:
                track = "c" + (job.key or "")[1:16]  # no person: the chunk stands in
            events.append(
                Event(
                    id=event_id(
                        VLM_ALERT, self.site_id, job.chunk.camera_id, None, track, alert["time"]
                    ),
                    kind=VLM_ALERT,
                    site_id=self.site_id,
                    camera_id=job.chunk.camera_id,
                    time=alert["time"],
                    track_id=track,
                    properties={
                        "alert_kind": alert["kind"],
                        "severity": alert["severity"],
                        "reason": alert["reason"],
                        "chunk_id": job.key,
                        "flags": alert["flags"],
                    },
                )
            )
        return events

    def _wait(self, job: _Job, reason: str, *, settled: bool = False) -> None:
        if not settled:
            db.settle(self.store, job.key or "", "waiting", reason=reason)
        with self._lock:
            self._waiting.append(job)
        self._record(job, "waiting", reason)

    def _end(
        self, job: _Job, status: str, reason: str, totals: dict[str, Any] | None = None
    ) -> None:
        db.settle(self.store, job.key or "", status, reason=reason, **(totals or {}))
        self._record(job, status, reason)

    def _record(self, job: _Job, status: str, reason: str | None, alerts: int = 0) -> None:
        outcome = Outcome(
            job.key or "",
            job.chunk.camera_id,
            status,
            reason,
            time.time() - job.submitted,
            alerts,
            job.submitted,
            time.thread_time() - job.cpu_start,
        )
        with self._lock:
            self.outcomes.append(outcome)
        log.info("describe: %s %s %s", job.chunk.camera_id, status, reason or "")
