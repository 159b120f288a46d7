"""Gemini: one people-chunk sent as stills and as an inline H.264 clip; the input tokens of each.

    GEMINI_API_KEY=… python bench/describe_gemini_media.py [--model gemini-2.5-flash]
        [--base-url URL] [--out bench/results/describe_gemini_media.json]

The chunk is the first people-chunk of vtest.avi: the real detector and tracker, the default
``describe:`` settings, faces blurred, capture times and track numbers drawn on every frame.
Both ways carry the same account: the same prompt text, the same frames' pixels (``stills``:
the chosen frames, at most 1 a second; ``clip``: every candidate frame, up to 3 a second, which
the service samples at 1 a second).

With a key, both requests go through ``google-genai`` to the service (Google's, or ``--base-url``)
and the response's ``usageMetadata`` is recorded (``promptTokenCount`` and its per-modality
``promptTokensDetails``): ``"measured": true``. Without a key nothing is sent, and the script
writes the estimate from Google's documented accounting instead, ``"measured": false``: at
``MEDIA_RESOLUTION_LOW`` a still and a sampled video frame cost the same ~66 tokens, a clip is
sampled at 1 frame a second, and audio (32 tokens a second) is not counted because the clip has
no audio track (https://ai.google.dev/gemini-api/docs/tokens,
https://ai.google.dev/gemini-api/docs/media-resolution, https://ai.google.dev/gemini-api/docs/video-understanding).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import yaml  # noqa: E402

from storepixel.config.describe import DescribeConfig  # noqa: E402
from storepixel.config.site import parse_site  # noqa: E402
from storepixel.describe.chunker import Chunk, PeopleChunker  # noqa: E402
from storepixel.describe.media import MediaMaker, clip_sampled_frames  # noqa: E402
from storepixel.describe.prompt import SYSTEM, chunk_text  # noqa: E402
from storepixel.describe.providers import Request, make_provider  # noqa: E402
from storepixel.describe.schema import response_schema  # noqa: E402
from storepixel.pipeline.camera import FrameResult  # noqa: E402
from storepixel.pipeline.file_job import analyze_file  # noqa: E402

SITE = "site: {id: bench, timezone: UTC}\ncameras: [{id: cam, analysis_fps: 5}]"
SECONDS = 25.0  # enough of vtest.avi for its first chunk to close
DOCUMENTED_FRAME_TOKENS = 66  # MEDIA_RESOLUTION_LOW: a still or a sampled video frame


def first_chunk() -> Chunk:
    site = parse_site(yaml.safe_load(SITE))
    camera = site.camera("cam")
    config = DescribeConfig(provider="gemini")
    chunker = PeopleChunker(
        "cam",
        max_chunk_s=config.max_chunk_s,
        pad_s=config.pad_s,
        merge_gap_s=config.merge_gap_s,
        overlap_s=config.overlap_s,
        max_sent_ratio=config.max_sent_ratio,
    )
    chunks: list[Chunk] = []

    def observe(results: list[FrameResult]) -> None:
        for r in results:
            chunks.extend(chunker.update(r.frame.timestamp, r.frame.image, r.tracks))

    def first_seconds(frames: Any, total: int | None) -> Any:
        return itertools.takewhile(lambda f: f.offset_s < SECONDS, frames)

    analyze_file(
        REPO / "data/samples/vtest.avi", site, camera, None, progress=first_seconds, observe=observe
    )
    chunks += chunker.finish()
    return chunks[0]


def request(chunk: Chunk, config: DescribeConfig) -> tuple[Request, dict[str, Any]]:
    from zoneinfo import ZoneInfo

    maker = MediaMaker(config, ZoneInfo("UTC"))
    media = maker.make(chunk)
    text = chunk_text(
        context="Pedestrian walkway.",
        camera=chunk.camera_id,
        scopes=[],
        start=chunk.start,
        end=chunk.end,
        people=sorted(chunk.people),
        times=[p.time for p in media.pictures],
        tz=ZoneInfo("UTC"),
        clip=media.clip is not None,
    )
    req = Request(
        system=SYSTEM,
        text=text,
        images=[] if media.clip else [p.jpeg for p in media.pictures],
        schema=response_schema(),
        video=media.clip,
    )
    if media.clip is not None:
        shape = {"clip_bytes": len(media.clip), "clip_frames": len(media.pictures)}
        frames = clip_sampled_frames(chunk.seconds)
    else:
        shape = {"stills": len(media.pictures), "bytes": sum(len(p.jpeg) for p in media.pictures)}
        frames = len(media.pictures)
    shape["documented_image_tokens"] = frames * DOCUMENTED_FRAME_TOKENS
    return req, shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gemini-2.5-flash")
    parser.add_argument("--base-url", default=None)
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench/results/describe_gemini_media.json"
    )
    args = parser.parse_args()
    chunk = first_chunk()
    measured = bool(os.environ.get("GEMINI_API_KEY"))
    result: dict[str, Any] = {
        "command": "python bench/describe_gemini_media.py",
        "measured": measured,
        "service": (args.base_url or "https://generativelanguage.googleapis.com")
        if measured
        else None,
        "model": args.model,
        "chunk": {
            "video": "vtest.avi",
            "start_s": round(chunk.start, 2),
            "end_s": round(chunk.end, 2),
            "seconds": round(chunk.seconds, 2),
            "people": sorted(chunk.people),
        },
    }
    for mode in ("stills", "clip"):
        config = DescribeConfig.model_validate(
            {"provider": "gemini", "model": args.model, "base_url": args.base_url, "send_as": mode}
        )
        req, shape = request(chunk, config)
        row: dict[str, Any] = dict(shape)
        if measured:
            reply = make_provider(config).send(req)
            row.update(
                prompt_tokens=reply.tokens_in,
                output_tokens=reply.tokens_out,
                prompt_tokens_by_modality=reply.tokens_by_modality,
            )
        result[mode] = row
        print(mode, json.dumps(row), flush=True)
    key = "prompt_tokens" if measured else "documented_image_tokens"
    result["fewer_tokens"] = min(("stills", "clip"), key=lambda m: result[m][key])
    result["compared_by"] = key
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
