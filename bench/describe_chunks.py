"""People-chunks on real footage: coverage, seconds sent ÷ seconds with people, tokens per hour.

    .venv/bin/python bench/describe_chunks.py [--out bench/results/describe_chunks.json]
        [--clip NAME=PATH[:SITE.yaml:CAMERA]] …

Default clips: ``vtest.avi`` (data/samples), the store-day clip (bench/store_day.py, 3 minutes,
20 % busy; its site bench/sites/store-day.yaml) and every CAVIAR clip (../shared/eval/caviar,
corridor and shop-front cameras, skipped when absent). Each is analysed by the real pipeline
(detector, tracker: what ``analyze`` runs) and cut into people-chunks with the default
``describe:`` settings. Measured:

- ``covered``: fraction of analysed frames with a confirmed person whose time lies inside a
  chunk (must be 1.0: every stretch with someone in view is sent);
- ``sent_ratio``: seconds in chunks (overlaps of split chunks counted twice: they are sent
  twice) ÷ seconds with people, i.e. the union of every tracked person's visit (first to last
  confirmed sighting), so a person the detector misses for a moment is still there;
  ``sent_ratio_frames`` divides by the analysed frames that show a confirmed person instead
  (stricter: every detector dropout counts as nobody there);
- image tokens (frames chosen × 66, Gemini's low resolution) per hour with people and per hour
  of footage, beside the reference estimate (1 fps of every hour at 66 tokens = 237,600 an hour);
- ``clip_tokens_documented``: what the same chunks would cost sent as Gemini inline H.264 clips
  (``send_as: clip``), by Google's documented accounting, not measured: the service samples a
  clip at 1 frame a second and counts each sampled frame like a still at the same media
  resolution (66 at LOW); the clips carry no audio track, so no audio tokens.
  ``bench/describe_gemini_media.py`` measures both ways on the real service when a key is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from storepixel.config.describe import DescribeConfig  # noqa: E402
from storepixel.config.site import SiteConfig, load_site, parse_site  # noqa: E402
from storepixel.describe.chunker import Chunk, PeopleChunker  # noqa: E402
from storepixel.describe.cost import REFERENCE_TOKENS_PER_FRAME, reference_tokens  # noqa: E402
from storepixel.describe.frames import frame_budget, select_frames  # noqa: E402
from storepixel.describe.media import clip_sampled_frames  # noqa: E402
from storepixel.pipeline.camera import FrameResult  # noqa: E402
from storepixel.pipeline.factory import camera_mask  # noqa: E402
from storepixel.pipeline.file_job import analyze_file  # noqa: E402
from storepixel.store.queries import union_seconds  # noqa: E402
from storepixel.types import TrackState  # noqa: E402

CAVIAR = Path(os.environ.get("STOREPIXEL_EVAL", REPO.parent / "shared" / "eval")) / "caviar"
if not CAVIAR.is_dir():
    CAVIAR = Path("/work/shared/eval/caviar")
PLAIN_SITE = "site: {id: bench, timezone: UTC}\ncameras: [{id: cam, analysis_fps: 5}]"


def measure(
    video: Path, site: SiteConfig, camera_id: str, config: DescribeConfig
) -> dict[str, Any]:
    camera = site.camera(camera_id)
    mask = camera_mask(camera)
    chunker = PeopleChunker(
        camera_id,
        max_chunk_s=config.max_chunk_s,
        pad_s=config.pad_s,
        merge_gap_s=config.merge_gap_s,
        overlap_s=config.overlap_s,
        max_sent_ratio=config.max_sent_ratio,
        prepare=mask.apply if mask else None,
    )
    chunks: list[Chunk] = []
    present: list[float] = []
    visits: dict[int, list[float]] = {}  # track id → [first, last] confirmed sighting
    analysed_times: list[float] = []
    frames_sent = 0
    clip_frames = 0

    def take(chunk: Chunk) -> None:
        nonlocal frames_sent, clip_frames
        budget = frame_budget(chunk.seconds, config.chunk_tokens, config.tokens_per_frame)
        frames_sent += len(select_frames(chunk.frames, budget))
        clip_frames += clip_sampled_frames(chunk.seconds)
        chunk.frames = []  # keep only times: memory stays flat over long footage
        chunks.append(chunk)

    def observe(results: list[FrameResult]) -> None:
        for r in results:
            t = r.frame.timestamp
            analysed_times.append(t)
            confirmed = r.tracks.ids[r.tracks.state == TrackState.CONFIRMED]
            if len(confirmed):
                present.append(t)
            for tid in confirmed.tolist():
                visits.setdefault(tid, [t, t])[1] = t
            for c in chunker.update(t, r.frame.image, r.tracks):
                take(c)

    started = time.process_time()
    analysis = analyze_file(video, site, camera, None, start=0.0, observe=observe)
    for c in chunker.finish():
        take(c)
    cpu_s = time.process_time() - started
    step = 1.0 / camera.analysis_fps
    frames_people_s = len(present) * step
    # Seconds with people: while anyone's visit lasts (first to last confirmed sighting, plus
    # one analysis interval), so a person the detector misses for a moment still counts as there.
    people_s = union_seconds((a, b + step) for a, b in visits.values())
    footage_s = analysis.seconds
    inside = sum(any(c.start - 1e-6 <= t <= c.end + 1e-6 for c in chunks) for t in present)
    sent_s = sum(c.seconds for c in chunks)
    tokens = frames_sent * REFERENCE_TOKENS_PER_FRAME
    return {
        "video": video.name,
        "frames": analysis.frames,
        "footage_s": round(footage_s, 1),
        "people_s": round(people_s, 1),
        "frames_people_s": round(frames_people_s, 1),
        "occupancy": round(people_s / footage_s, 3) if footage_s else None,
        "chunks": len(chunks),
        "longest_chunk_s": round(max((c.seconds for c in chunks), default=0.0), 2),
        "covered": round(inside / len(present), 4) if present else 1.0,
        "sent_s": round(sent_s, 1),
        "sent_ratio": round(sent_s / people_s, 3) if people_s else None,
        "sent_ratio_frames": round(sent_s / frames_people_s, 3) if frames_people_s else None,
        "frames_sent": frames_sent,
        "image_tokens": tokens,
        "tokens_per_people_hour": round(tokens * 3600 / people_s) if people_s else None,
        "tokens_per_footage_hour": round(tokens * 3600 / footage_s) if footage_s else None,
        "clip_tokens_documented": clip_frames * REFERENCE_TOKENS_PER_FRAME,
        "reference_tokens_per_hour": reference_tokens(3600.0),
        "cpu_s": round(cpu_s, 1),
    }


def default_clips() -> list[tuple[str, Path, SiteConfig, str]]:
    plain = parse_site(__import__("yaml").safe_load(PLAIN_SITE))
    clips = [("vtest", REPO / "data/samples/vtest.avi", plain, "cam")]
    sys.path.insert(0, str(REPO / "bench"))
    from store_day import build  # type: ignore[import-not-found]

    store_day = build(REPO / "out" / "store_day_3min.mp4", minutes=3.0, busy=0.2)
    clips.append(("store-day", store_day, load_site(REPO / "bench/sites/store-day.yaml"), "plaza"))
    for path in sorted(CAVIAR.glob("*.mp*")):  # every CAVIAR clip there: both cameras
        clips.append((f"caviar-{path.stem}", as_mp4(path), plain, "cam"))
    return clips


def as_mp4(path: Path) -> Path:
    """``analyze`` reads self-contained containers only (MP4, AVI, MKV…): CAVIAR's MPEG-1
    program streams are re-encoded once into ``out/`` (never into the repository)."""
    if path.suffix == ".mp4":
        return path
    out = REPO / "out" / f"{path.stem}.mp4"
    if not out.exists():
        import av

        from storepixel.pipeline.annotate import VideoWriter

        with av.open(str(path)) as container:
            rate = float(container.streams.video[0].average_rate or 25)
            writer = VideoWriter(out, rate)
            for frame in container.decode(video=0):
                writer.write(frame.to_ndarray(format="bgr24"))
            writer.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench/results/describe_chunks.json")
    parser.add_argument("--only", nargs="*", help="clip names to run (default: all)")
    args = parser.parse_args()
    config = DescribeConfig(provider="gemini")
    rows = []
    for name, video, site, camera in default_clips():
        if args.only and name not in args.only:
            continue
        row = {"clip": name, **measure(video, site, camera, config)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    result = {
        "command": "python bench/describe_chunks.py",
        "settings": config.model_dump(
            include={
                "max_chunk_s",
                "pad_s",
                "merge_gap_s",
                "overlap_s",
                "max_sent_ratio",
                "chunk_tokens",
            }
        ),
        "load_avg": os.getloadavg(),
        "worst_sent_ratio_frames": max(
            (r["sent_ratio_frames"] for r in rows if r["sent_ratio_frames"]), default=None
        ),
        "clips": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
