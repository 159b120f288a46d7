"""How often the change gate wakes the detector on a clip, and why: the same scene, any size.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/gate_probe.py CLIP [CLIP ...] \
        [--seconds 96] [--start 0] [--fps 5] [--site bench/sites/store-day.yaml] \
        [--gate threshold=16 ...] [--json OUT]

Each clip is read from the file at ``--fps`` analysed frames a second, through the camera pipeline
that ``storepixel analyze`` and the live daemon build (``build_camera_pipeline``: privacy mask,
change gate with the camera's performance settings, the bundled detector, tracker, analytics),
for the frames whose stream offset lies in ``[--start, --start + --seconds)``. It prints how many
analysed frames the detector ran on and the gate's reasons (``first``, ``idle``, ``change``,
``unsure``, ``moving``, ``still``, ...). ``--gate`` overrides ``GateSettings`` fields (a probe,
not a product option). ``--json`` also writes every frame's reason, so two runs can be compared
frame by frame.

On the store day (``bench/store_day.py``) the first 96 s are the empty scene: there every
detector run is a false trigger. ``bench/live_capacity.py`` serves the clip re-encoded as
1280×720 at 15 fps (``/tmp/storepixel-bench/store_day_720p15.mp4``): probing both shows whether
the gate reads the same scene the same way at both sizes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

from storepixel.config.site import load_site
from storepixel.pipeline.camera import CameraPipeline
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.pipeline.gate import ChangeGate, Decision
from storepixel.sources.file import VideoFileSource
from storepixel.vision.detector import load_detector

REPO = Path(__file__).resolve().parents[1]


def _override(gate: ChangeGate, pairs: list[str]) -> None:
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        kind = type(getattr(gate.settings, key))
        changes[key] = kind(value)
    gate.settings = dataclasses.replace(gate.settings, **changes)


def probe(
    clip: Path, pipeline: CameraPipeline, fps: float, start: float, seconds: float | None
) -> dict[str, Any]:
    """Run ``pipeline`` over ``clip``'s window; per analysed frame, the gate's reason."""
    gate = pipeline.gate
    assert gate is not None, "the camera's gate is off"
    reasons: list[tuple[float, str]] = []
    decide = gate.decide

    def recording(image: Any, timestamp: float, tracks: Any) -> Decision:
        decision = decide(image, timestamp, tracks)
        reasons.append((round(offset, 3), decision.reason))
        return decision

    gate.decide = recording  # type: ignore[method-assign]
    source = VideoFileSource(clip, analysis_fps=fps)
    size = (source.width, source.height)
    offset = 0.0
    try:
        for frame in source:
            offset = frame.offset_s
            if offset < start:
                continue
            if seconds is not None and offset >= start + seconds:
                break
            pipeline.process(frame)
    finally:
        source.close()
    counts = Counter(r for _, r in reasons)
    return {
        "clip": str(clip),
        "size": size,
        "frames": pipeline.frames,
        "detected": pipeline.detections_run,
        "detector_share": round(pipeline.detections_run / max(pipeline.frames, 1), 3),
        # detector passes run (adaptive passes skip some); None when the detector does not count
        "passes": getattr(pipeline.detector, "passes_run", None),
        "reasons": dict(counts.most_common()),
        "per_frame": reasons,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", type=Path, nargs="+")
    parser.add_argument("--seconds", type=float, default=None, help="window length (all: none)")
    parser.add_argument("--start", type=float, default=0.0, help="window start (stream offset)")
    parser.add_argument("--fps", type=float, default=5.0, help="analysed frames a second")
    parser.add_argument("--site", type=Path, default=REPO / "bench" / "sites" / "store-day.yaml")
    parser.add_argument("--gate", nargs="*", default=[], help="GateSettings overrides, key=value")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    site = load_site(args.site)
    camera = site.cameras[0]
    detector = load_detector()
    results = []
    for clip in args.clips:
        if not clip.is_file():
            raise SystemExit(f"{clip}: no such file")
        pipeline = build_camera_pipeline(camera, site.site.id, detector, run_anchor=0.0)
        assert pipeline.gate is not None
        _override(pipeline.gate, args.gate)
        result = probe(clip, pipeline, args.fps, args.start, args.seconds)
        results.append(result)
        shown = {k: v for k, v in result.items() if k != "per_frame"}
        print(json.dumps({**shown, "gate": dataclasses.asdict(pipeline.gate.settings)}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
