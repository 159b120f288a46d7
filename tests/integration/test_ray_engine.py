"""The Ray engine on a real multi-node cluster on this machine (``ray.cluster_utils.Cluster``: a
head with no CPUs, so every task and actor runs on a worker node the tests can kill).

- a folder of real clips (``analyze``'s file units): Ray stores exactly the local engine's events;
- a DVR backlog over the GStreamer playback server (one recording per window): the same, with a
  worker node killed mid-job (none lost, none twice); the local engine run again over the same
  range → nothing new;
- a unit that fails on every try is reported and the others carry on;
- the describer's rate limit and budget hold for the whole cluster: workers share one limiter;
- a live RTSP camera as a restartable actor: its node killed → it resumes on the other node and
  events go on, one actor at a time.

One cluster for the module: Ray's start-up is the slow part.
"""

from __future__ import annotations

import functools
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storepixel.config.site import parse_site
from storepixel.engine import Unit, UnitOutcome, run_units
from storepixel.store import open_store
from storepixel.store.queries import coverage, iter_events
from tests.fixtures.helpers import wait_for
from tests.fixtures.rtsp_server import RtspCamera

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")
cloudpickle = pytest.importorskip("ray.cloudpickle")

pytestmark = pytest.mark.slow

GEOMETRY = {  # vtest.avi's walkway, as in test_run_rtsp
    "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}],
    "zones": [
        {"id": "west", "polygon": [[0.0, 0.26], [0.45, 0.3], [0.45, 0.56], [0.0, 0.46]]},
        {"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]},
    ],
}
SITE = parse_site(
    {
        "site": {"id": "shop", "timezone": "UTC"},
        "cameras": [{"id": "door", "analysis_fps": 5, **GEOMETRY}],
    }
)
T0 = 1_765_000_000.0
CLIP_S = 3.0
# Units defined here travel by value: a worker needs storepixel, not this test folder.
cloudpickle.register_pickle_by_value(__import__(__name__))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    c = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    c.add_node(num_cpus=1)
    c.add_node(num_cpus=1)
    ray.init(address=c.address, namespace="storepixel", log_to_driver=False)
    try:
        yield c
    finally:
        ray.shutdown()
        c.shutdown()


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, vtest_path: Path) -> list[Path]:
    """A folder of three short real clips: vtest.avi cut at 0, 20 and 40 s."""
    import av

    folder = tmp_path_factory.mktemp("clips")
    out = []
    for k, offset in enumerate((0.0, 20.0, 40.0)):
        dest = folder / f"clip{k}.mp4"
        with av.open(str(vtest_path)) as src, av.open(str(dest), "w") as sink:
            stream_in = src.streams.video[0]
            rate = stream_in.average_rate or 10
            stream = sink.add_stream("libx264", rate=rate, options={"preset": "ultrafast"})
            stream.width = stream_in.codec_context.width
            stream.height = stream_in.codec_context.height
            stream.pix_fmt = "yuv420p"
            for i, frame in enumerate(src.decode(stream_in)):
                if i < offset * rate:
                    continue
                if i >= (offset + CLIP_S) * rate:
                    break
                frame.pts = None
                sink.mux(stream.encode(frame))
            sink.mux(stream.encode())
        out.append(dest)
    return out


def marked(marks: str, run: Any) -> UnitOutcome:
    """A unit's body that first notes the node its try started on (to kill that node)."""
    node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else "local"
    with open(marks, "a") as f:
        f.write(f"{node}\n")
    result: UnitOutcome = run()
    return result


def with_marks(units: list[Unit], marks: Path) -> list[Unit]:
    return [Unit(u.key, functools.partial(marked, str(marks), u.run)) for u in units]


def stored(url: str) -> list[tuple[str, str, float]]:
    with open_store(url) as store:
        return sorted((e.id, e.kind, round(e.time, 3)) for e in iter_events(store))


def run_local(units: list[Unit], url: str) -> list[Any]:
    outcomes = list(run_units(units))
    assert all(o.ok for o in outcomes), outcomes
    events = stored(url)
    assert len(events) >= 3, f"no events to compare: {outcomes}"
    return events


def run_on_ray_killing_a_node(cluster: Any, units: list[Unit], marks: Path) -> list[UnitOutcome]:
    """Run on the cluster; once the first try starts, kill its node (a spot machine reclaimed)
    and let a fresh one join."""
    marks.touch()
    outcomes: list[UnitOutcome] = []
    job = threading.Thread(
        target=lambda: outcomes.extend(run_units(with_marks(units, marks), engine="ray"))
    )
    job.start()
    assert wait_for(lambda: marks.read_text().strip() != "", 60)
    victim = marks.read_text().split()[0]
    node = next(n for n in cluster.worker_nodes if n.node_id == victim)
    cluster.remove_node(node, allow_graceful=False)
    cluster.add_node(num_cpus=1)
    job.join(240)
    assert not job.is_alive()
    assert len(marks.read_text().split()) > len(units), "the lost unit was tried again"
    return outcomes


def test_folder_of_clips_on_ray_equals_local(
    cluster: Any, clips: list[Path], tmp_path: Path
) -> None:
    from storepixel.pipeline.file_units import expand_videos, file_units

    videos = expand_videos([clips[0].parent])
    local, on_ray = (f"sqlite:///{tmp_path / name}" for name in ("local.db", "ray.db"))
    open_store(on_ray).close()  # created once, as the commands do, before the workers open it
    expected = run_local(file_units(SITE, "door", videos, local), local)

    outcomes = list(run_units(file_units(SITE, "door", videos, on_ray), engine="ray"))
    assert sorted(o.key for o in outcomes) == sorted(map(str, videos))
    assert all(o.ok for o in outcomes), outcomes
    assert stored(on_ray) == expected


@pytest.fixture(scope="module")
def dvr(clips: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The GStreamer RTSP server as a DVR: one recording per 10 s window from T0 (the clips),
    404 for any other window; yields the playback URL template."""
    from datetime import UTC, datetime

    from tests.fixtures.rtsp_server import SERVER_SCRIPT, SYSTEM_PYTHON, _gst_missing, free_port

    if reason := _gst_missing():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("dvr")
    for k, clip in enumerate(clips):
        name = datetime.fromtimestamp(T0 + 10 * k, UTC).strftime("%Y%m%dT%H%M%SZ")
        (folder / f"{name}.mp4").symlink_to(clip)
    port = free_port()
    args = ["--playback", str(folder), "--path", "/Streaming/tracks/101", str(port)]
    server = subprocess.Popen(
        [SYSTEM_PYTHON, str(SERVER_SCRIPT), *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "READY"
        yield (
            f"rtsp://127.0.0.1:{port}/Streaming/tracks/101"
            "?starttime={start:%Y%m%dT%H%M%SZ}&endtime={end:%Y%m%dT%H%M%SZ}"
        )
    finally:
        server.kill()
        server.wait(10)


def test_backlog_on_ray_equals_local_when_a_node_dies_mid_job(
    cluster: Any, dvr: str, tmp_path: Path
) -> None:
    from storepixel.pipeline.backlog import grid, window_units

    site = parse_site(
        {
            "site": {"id": "shop", "timezone": "UTC"},
            "cameras": [{"id": "door", "analysis_fps": 5, "playback_url": dvr, **GEOMETRY}],
        }
    )
    windows = [("door", a, b) for a, b in grid(T0, T0 + 30, 10.0)]
    local, on_ray = (f"sqlite:///{tmp_path / name}" for name in ("local.db", "ray.db"))
    open_store(on_ray).close()  # created once, as the commands do, before the workers open it
    expected = run_local(window_units(site, windows, local, retry_wait_s=0.5), local)

    units = window_units(site, windows, on_ray, retry_wait_s=0.5)
    outcomes = run_on_ray_killing_a_node(cluster, units, tmp_path / "marks.txt")
    assert sorted(o.key for o in outcomes) == sorted(u.key for u in units)
    assert all(o.ok and o.counts.get("done") == 1 for o in outcomes), outcomes
    assert stored(on_ray) == expected  # none lost, none twice

    again = list(run_units(window_units(site, windows, on_ray)))  # local, same range
    assert sum(o.counts["events_new"] for o in again) == 0
    assert stored(on_ray) == expected


def test_a_failing_unit_never_stops_the_others(cluster: Any, clips: list[Path], tmp_path: Path):
    from storepixel.pipeline.file_units import file_units

    url = f"sqlite:///{tmp_path / 'fail.db'}"
    good = file_units(SITE, "door", clips[:1], url)
    bad = Unit("broken", functools.partial(SITE.camera, "no-such-camera"))  # raises every try
    outcomes = {o.key: o for o in run_units([bad, *good], engine="ray", retries=1)}
    assert outcomes[good[0].key].ok
    failed = outcomes["broken"]
    assert not failed.ok and failed.attempts == 2 and "no-such-camera" in failed.detail
    assert "\n" not in failed.detail


# -- the describer's limits, shared by the cluster ------------------------------------------------


def chunk(start: float) -> Any:
    """A 6 s people-chunk of random pictures (the describer only needs its frames and boxes)."""
    import numpy as np

    from storepixel.describe.chunker import Chunk, ChunkFrame

    rng = np.random.default_rng(int(start))
    frames = [
        ChunkFrame(start + i, rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), ((3, box),))
        for i, box in enumerate([(10.0, 20.0, 35.0, 110.0)] * 7)
    ]
    return Chunk("cam1", start, start + 6.0, frames, {3})


def describe_some(
    store_url: str, base_url: str, site_id: str, starts: list[float], stop: str, **limits: int
) -> int:
    """A worker's describer (with the limits ``describer_for`` gives it on a cluster) describing
    a few chunks, until they have all ended or the ``stop`` file appears."""
    from storepixel.config.describe import DescribeConfig
    from storepixel.describe.service import CameraContext, Describer
    from storepixel.engine.ray_limits import cluster_limits

    config = DescribeConfig.model_validate(
        {"provider": "gemini", "base_url": base_url, "blur_faces": False, **limits}
    )
    with open_store(store_url) as store:
        shared = cluster_limits(site_id, store_url, "UTC")
        assert shared is not None, "inside a Ray task the limits are the cluster's"
        describer = Describer(store, site_id, ZoneInfo("UTC"), limits=shared, retry_waiting_s=3600)
        for start in starts:
            describer.submit(chunk(start), CameraContext("cam1", config))
        while not Path(stop).exists() and not describer.wait_idle(0.2):
            pass
        describer.close(timeout=0)  # chunks still waiting for a turn stay waiting, unsent
        return len(describer.outcomes)


@pytest.mark.parametrize(
    ("limits", "allowed"),
    [({"requests_per_minute": 2}, 2), ({"daily_tokens_per_site": 2500}, 3)],
    ids=["requests-per-minute", "daily-budget"],
)
def test_workers_share_one_rate_limit_and_budget(
    cluster: Any, tmp_path: Path, limits: dict[str, int], allowed: int
) -> None:
    """3 workers x 2 chunks at once; per-worker limiters would let all 6 through."""
    from storepixel.engine.ray_limits import actor_name
    from storepixel.store import descriptions as db
    from tests.fixtures.vlm_server import VlmServer

    pytest.importorskip("google.genai")
    site_id = "rpm" if "requests_per_minute" in limits else "budget"
    url = f"sqlite:///{tmp_path / 'describe.db'}"
    open_store(url).close()
    stop = tmp_path / "stop"
    task = ray.remote(describe_some).options(
        num_cpus=0, runtime_env={"env_vars": {"GEMINI_API_KEY": "test-key"}}
    )
    server = VlmServer().start()
    try:
        refs = [
            task.remote(url, server.gemini_url, site_id, starts, str(stop), **limits)
            for starts in ([T0 + 100 * (2 * w + i) for i in (0, 1)] for w in range(3))
        ]
        # the first requests go at once; then time for one too many to show up
        assert wait_for(lambda: len(server.received) >= 1, 120, every=0.2)
        ray.wait(refs, num_returns=len(refs), timeout=5.0)
        stop.touch()
        assert sum(ray.get(refs, timeout=60)) == 6
    finally:
        server.stop()
    assert 1 <= len(server.received) <= allowed
    if "requests_per_minute" in limits:  # 4 chunks left waiting for their turn: exactly 2 sent
        assert len(server.received) == allowed
    shared = ray.get_actor(actor_name(site_id, url), namespace="storepixel")
    assert ray.get(shared.count.remote()) == len(server.received)  # one limiter let them through
    with open_store(url) as store:
        chunks = db.list_chunks(store)
        _, (site_tokens, _) = db.spent_today(store, site_id, "cam1", ZoneInfo("UTC"))
    assert len(chunks) == 6 and {c["status"] for c in chunks} == {"done", "waiting"}
    assert site_tokens <= limits.get("daily_tokens_per_site", site_tokens)


# -- a live camera as a restartable actor -------------------------------------------------------


def test_camera_actor_moves_to_another_node_when_its_node_dies(
    cluster: Any, rtsp_clip: Path, tmp_path: Path
) -> None:
    from storepixel.engine.ray_cameras import actor_name, start_cameras

    camera = RtspCamera(rtsp_clip)
    camera.start()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    site = parse_site(
        {
            "site": {"id": "shop", "timezone": "UTC"},
            "cameras": [{"id": "door", "source": camera.url(), "analysis_fps": 5, **GEOMETRY}],
        }
    )
    try:
        actors = start_cameras(ray, site, url)
        actor = actors["door"]
        first = ray.get(actor.health.remote(), timeout=60)
        assert wait_for(lambda: ray.get(actor.health.remote())["frames"] >= 10, 60, every=0.5)
        assert wait_for(lambda: len(stored(url)) > 0, 60, every=1.0), (
            "events are written as they happen"
        )
        with pytest.raises(Exception, match="already runs"):
            start_cameras(ray, site, url)  # never two of one camera

        def runs_now() -> set[str]:
            with open_store(url) as store:
                return {c.run_id for c in coverage(store, camera_id="door")}

        # The first run's coverage is written with its events, a second at a time: wait for it
        # before the kill, so the check below compares two runs rather than racing the writer.
        assert wait_for(lambda: len(runs_now()) == 1, 30, every=0.5)
        first_runs = runs_now()
        node = next(n for n in cluster.worker_nodes if n.node_id == first["node_id"])
        cluster.remove_node(node, allow_graceful=False)
        before = len(stored(url))

        def node_now() -> str | None:
            try:  # a call caught by the restart is answered once the actor is back
                return str(ray.get(actor.health.remote(), timeout=60)["node_id"])
            except ray.exceptions.RayError:
                return None

        assert wait_for(lambda: node_now() not in (None, first["node_id"]), 120, every=1.0)
        assert wait_for(lambda: len(stored(url)) > before, 90, every=1.0), (
            "events go on after the move"
        )
        assert wait_for(lambda: bool(runs_now() - first_runs), 60, every=1.0), (
            "the moved camera records its own coverage"
        )
        assert ray.get_actor(actor_name("shop", "door"), namespace="storepixel")
        ray.get(actor.stop.remote(), timeout=60)
        ray.kill(actor, no_restart=True)
        cluster.add_node(num_cpus=1)
    finally:
        camera.kill()
    with open_store(url) as store:  # two runs, one after the other: never both at once
        intervals = coverage(store, camera_id="door")
    runs = sorted(
        {c.run_id for c in intervals},
        key=lambda r: min(c.start for c in intervals if c.run_id == r),
    )
    assert len(runs) == 2, intervals
    first_end = max(c.end for c in intervals if c.run_id == runs[0])
    assert min(c.start for c in intervals if c.run_id == runs[1]) >= first_end - 0.01
