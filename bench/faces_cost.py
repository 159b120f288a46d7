"""What the opt-in face features cost, and how well the descriptor tells people apart.

    PYTHONPATH=src .venv/bin/python bench/faces_cost.py

1. Per face, on the labelled stills in ``../shared/eval/stills/faces/knn_examples`` (YuNet finds
   one face per photo): ms of process CPU for the age/gender pair (both ONNX models) and for the
   dlib descriptor, and the descriptor distances between photos of the same person and of
   different people (dlib's threshold is 0.6).
2. Per run, on ``short_hamilton_clip.mp4`` (640x360, people facing the camera) analysed as a
   one-camera site at 5 fps: process CPU of the whole analysis with the features off, with
   attributes only and with both, and what the face stage did (YuNet looks, estimates,
   descriptors, CPU inside it).
Results: ``bench/results/faces.json`` (with the load average at the time; CPU times, not wall).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cv2
import numpy as np

from storepixel.config.site import SiteConfig
from storepixel.describe.faces import FaceBlur
from storepixel.faces.attributes import AgeGender
from storepixel.faces.descriptor import FaceDescriptor, distance
from storepixel.faces.keys import create_key
from storepixel.pipeline.file_job import analyze_file

EVAL = next(
    (p / "shared/eval" for p in Path(__file__).resolve().parents if (p / "shared/eval").is_dir()),
    Path("../shared/eval"),
)
FACES = EVAL / "stills/faces"
OUT = Path(__file__).parent / "results/faces.json"


def per_face() -> dict[str, object]:
    blur, ages, descriptor = FaceBlur(), AgeGender(), FaceDescriptor()
    people, age_ms, desc_ms = [], [], []
    for path in sorted((FACES / "knn_examples/train").glob("*/*")):
        image = cv2.imread(str(path))
        rows = blur.detect(image) if image is not None else []
        if len(rows) != 1:
            continue
        start = time.process_time()
        ages.estimate(image, rows[0])
        age_ms.append((time.process_time() - start) * 1000)
        start = time.process_time()
        vec = descriptor.describe(image, rows[0])
        desc_ms.append((time.process_time() - start) * 1000)
        people.append((path.parent.name, vec))
    same = [distance(a, b) for i, (p, a) in enumerate(people) for q, b in people[i + 1 :] if p == q]
    other = [
        distance(a, b) for i, (p, a) in enumerate(people) for q, b in people[i + 1 :] if p != q
    ]
    return {
        "faces": len(people),
        "people": len({p for p, _ in people}),
        "age_gender_ms_per_face": round(float(np.median(age_ms)), 2),
        "descriptor_ms_per_face": round(float(np.median(desc_ms)), 2),
        "same_person_distance_max": round(max(same), 3),
        "different_people_distance_min": round(min(other), 3),
    }


def per_run(tmp: Path) -> dict[str, object]:
    clip = FACES / "short_hamilton_clip.mp4"
    out: dict[str, object] = {}
    for name, faces in (
        ("off", {}),
        ("attributes", {"attributes": True}),
        ("both", {"attributes": True, "visitors": True, "key_file": str(tmp / "k")}),
    ):
        site = SiteConfig.model_validate(
            {"site": {"id": "bench"}, "cameras": [{"id": "cam1"}], "faces": faces}
        )
        start = time.process_time()
        analysis = analyze_file(clip, site, site.cameras[0], None, start=1714557600.0)
        cpu = time.process_time() - start
        stage = analysis.faces
        out[name] = {
            "frames": analysis.frames,
            "cpu_s": round(cpu, 2),
            "cpu_ms_per_frame": round(cpu / analysis.frames * 1000, 1),
            "face_stage_cpu_s": None if stage is None else round(stage.cpu_s, 2),
            "looks": None if stage is None else stage.looks,
            "estimates": None if stage is None else stage.estimates,
            "descriptors": None if stage is None else stage.descriptors,
        }
    return out


def main() -> None:
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"faces-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    create_key(tmp / "k")
    result = {
        "command": "PYTHONPATH=src .venv/bin/python bench/faces_cost.py",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "per_face": per_face(),
        "hamilton_clip_5fps": per_run(tmp),
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
