"""Convert the bundled BlazePose landmark model from its npm package to ONNX (a one-off dev step).

Nothing here runs at install or run time: the output (``pose_lite.onnx``, its entry in
``MANIFEST.json`` and its section of ``NOTICE``) is committed under
``src/storepixel/vision/models/``. Re-running it reproduces the file from the registry package
alone, never from a model hub:

    python tools/convert_blazepose.py                   # scratch space: /tmp/storepixel-blazepose
    python tools/convert_blazepose.py --variant full    # the 6.4 MB model, for bench/pose_models.py

Stages: ``npm pack`` the pinned ``@mediapipe/pose`` → a throwaway venv with the pinned converters
→ ``tf2onnx`` from the ``.tflite`` file (opset 17) → keep only the two outputs storepixel reads
(the 39 x 5 landmarks and the pose-presence flag; the segmentation mask and heatmap are cut, so
their layers are not computed) → a free batch dimension (every Reshape keeps the batch) → parity
against the TFLite interpreter on random crops. The first stage uses only the standard library;
the conversion re-runs this file inside the venv.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

from toolkit import apply_names, canonical_names, run, sha256

NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
UPSTREAM = "https://github.com/google/mediapipe"
UPSTREAM_LICENSE = "Apache-2.0"
UPSTREAM_COPYRIGHT = "Copyright 2020-2023 The MediaPipe Authors"
OPSET = 17
SIZE = 256
PARITY_TOLERANCE = 1e-2  # pixels of the 256x256 crop (float32 reordering; measured 3.7e-3)
PIP_PINS = [
    "tensorflow-cpu==2.21.0",
    "tf2onnx==1.17.0",
    "onnx==1.17.0",
    "onnxruntime==1.32.0",
]
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "src/storepixel/vision/models"
NOTICE_BEGIN = "=" * 30 + " pose_lite.onnx (BlazePose) " + "=" * 30
NOTICE_END = "=" * 30 + " end of pose_lite.onnx " + "=" * 30


# --- stage 1: fetch the package and build the converter venv (standard library only) -----------


def tarball_path(workdir: Path) -> Path:
    return workdir / f"mediapipe-pose-{NPM_VERSION}.tgz"


def fetch_package(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    if not tarball_path(workdir).exists():
        run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}"], cwd=workdir)
    if not (workdir / "package/package.json").exists():
        with tarfile.open(tarball_path(workdir)) as tar:
            tar.extractall(workdir, filter="data")


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin/python"
    marker = venv / ".storepixel-ready"
    if marker.exists():
        return python
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "-q", *PIP_PINS])
    marker.touch()
    return python


# --- stage 2: convert (inside the converter venv) ------------------------------------------------


def to_onnx(tflite: Path, raw: Path) -> None:
    run([sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--opset", str(OPSET),
         "--output", str(raw)])  # fmt: skip


def tidy(raw: Path, out: Path) -> None:
    """Keep the landmark and presence outputs (named ``landmarks`` and ``presence``), name the
    input ``crop`` with a free batch size, drop shape hints and name constants by position so
    the file is the same on every run."""
    import onnx
    from onnx import utils

    model = onnx.load(str(raw))
    graph = model.graph
    shapes = {o.name: [d.dim_value for d in o.type.tensor_type.shape.dim] for o in graph.output}
    landmarks = next(n for n, s in shapes.items() if s == [1, 195])
    presence = next(n for n, s in shapes.items() if s == [1, 1])
    cut = raw.with_suffix(".cut.onnx")
    utils.extract_model(str(raw), str(cut), [graph.input[0].name], [landmarks, presence])
    model = onnx.load(str(cut))
    graph = model.graph
    rename = {graph.input[0].name: "crop", landmarks: "landmarks", presence: "presence"}
    canonical_names(graph, rename)
    apply_names(graph, rename)
    del graph.value_info[:]
    for value in list(graph.input) + list(graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    # Reshapes that pin the batch to 1 would defeat batching: free them.
    consts = {t.name: t for t in graph.initializer}
    freed = 0
    for node in graph.node:
        if node.op_type == "Reshape" and node.input[1] in consts:
            shape = onnx.numpy_helper.to_array(consts[node.input[1]]).copy()
            if len(shape) and shape[0] == 1:
                shape[0] = -1 if -1 not in shape[1:] else 0
                consts[node.input[1]].CopyFrom(onnx.numpy_helper.from_array(shape, node.input[1]))
                freed += 1
    print(f"freed the batch in {freed} Reshape nodes")
    model.doc_string = f"BlazePose landmarks from npm {NPM_PACKAGE}@{NPM_VERSION}"
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def check_parity(tflite: Path, onnx_path: Path) -> float:
    """Max abs difference of the landmarks (crop pixels) between TFLite and ONNX, and a batch of
    three equal to three single runs."""
    import numpy as np
    import onnxruntime as ort
    import tensorflow as tf

    interp = tf.lite.Interpreter(model_path=str(tflite))
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    outs = {tuple(o["shape"]): o["index"] for o in interp.get_output_details()}
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    crops = rng.uniform(0.0, 1.0, (3, SIZE, SIZE, 3)).astype(np.float32)
    worst = 0.0
    singles = []
    for crop in crops:
        interp.set_tensor(inp["index"], crop[None])
        interp.invoke()
        ref = interp.get_tensor(outs[(1, 195)])
        got = session.run(["landmarks"], {"crop": crop[None]})[0]
        singles.append(got)
        worst = max(worst, float(np.abs(got - ref).max()))
    batch = session.run(["landmarks"], {"crop": crops})[0]
    worst = max(worst, float(np.abs(batch - np.concatenate(singles)).max()))
    return worst


def convert_stage(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    tflite = workdir / f"package/pose_landmark_{args.variant}.tflite"
    raw = workdir / f"pose_{args.variant}.raw.onnx"
    to_onnx(tflite, raw)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / f"pose_{args.variant}.onnx"
    tidy(raw, onnx_path)
    diff = check_parity(tflite, onnx_path)
    print(f"parity vs TFLite: max abs diff {diff:.2e} px (batch of 3 included)")
    if diff > PARITY_TOLERANCE:
        raise SystemExit(f"parity check failed: {diff:.2e} > {PARITY_TOLERANCE}")
    if args.manifest:
        write_manifest(workdir, out_dir, onnx_path, tflite, diff)


def write_manifest(
    workdir: Path, out_dir: Path, onnx_path: Path, tflite: Path, diff: float
) -> None:
    pkg = json.loads((workdir / "package/package.json").read_text())
    entry: dict[str, Any] = {
        "description": "BlazePose GHUM 3D landmarks (lite), one person per 256x256 crop: "
        "33 body keypoints + 6 auxiliary, with visibility and presence",
        "sha256": sha256(onnx_path),
        "size_bytes": onnx_path.stat().st_size,
        "source": {
            "registry": "npm",
            "package": pkg["name"],
            "version": pkg["version"],
            "tarball_sha256": sha256(tarball_path(workdir)),
            "files": [tflite.name],
            "file_sha256": sha256(tflite),
            "package_license": pkg["license"],
        },
        "upstream": {
            "project": UPSTREAM,
            "license": UPSTREAM_LICENSE,
            "copyright": UPSTREAM_COPYRIGHT,
        },
        "conversion": {
            "tool": "tools/convert_blazepose.py",
            "opset": OPSET,
            "converters": PIP_PINS,
            "parity_max_abs_diff_vs_tflite_px": float(f"{diff:.3g}"),
        },
        "inputs": [
            {
                "name": "crop",
                "shape": ["batch", SIZE, SIZE, 3],
                "dtype": "float32",
                "layout": "NHWC, RGB scaled to [0, 1]; a square crop around the person",
            }
        ],
        "outputs": [
            {
                "name": "landmarks",
                "shape": ["batch", 195],
                "meaning": "39 landmarks x (x, y, z, visibility, presence): x, y in crop "
                "pixels (0-256), visibility and presence are logits (sigmoid them); the first "
                "33 are the BlazePose body keypoints",
            },
            {
                "name": "presence",
                "shape": ["batch", 1],
                "meaning": "pose presence score in 0-1 (a person is in the crop)",
            },
        ],
    }
    manifest_path = out_dir / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"models": {}}
    manifest["models"][onnx_path.name] = entry
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    notice_path = out_dir / "NOTICE"
    text = notice_path.read_text() if notice_path.exists() else ""
    if NOTICE_BEGIN in text:
        head, rest = text.split(NOTICE_BEGIN, 1)
        text = head + rest.split(NOTICE_END, 1)[1].lstrip("\n")
    section = [
        NOTICE_BEGIN,
        f"{onnx_path.name} is converted from {tflite.name} in the npm package "
        f"{pkg['name']}@{pkg['version']} (licence: {pkg['license']}),",
        f"the BlazePose model of MediaPipe, {UPSTREAM} ({UPSTREAM_LICENSE}, {UPSTREAM_COPYRIGHT}).",
        "Changes: format conversion TFLite -> ONNX, the segmentation and heatmap outputs cut,",
        "a free batch dimension, tensor renaming. The Apache-2.0 text is given above (NanoDet).",
        NOTICE_END,
    ]
    notice_path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes), MANIFEST.json and NOTICE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/storepixel-blazepose", help="scratch directory")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where the model files go")
    parser.add_argument("--variant", choices=["lite", "full", "heavy"], default="lite")
    parser.add_argument(
        "--stage", choices=["all", "convert"], default="all", help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--no-manifest",
        dest="manifest",
        action="store_false",
        help="only write the model (for trials of other variants)",
    )
    args = parser.parse_args()
    if args.stage == "convert":
        convert_stage(args)
        return
    workdir = Path(args.workdir)
    fetch_package(workdir)
    python = ensure_venv(workdir / "venv")
    cmd = [
        str(python),
        __file__,
        "--stage",
        "convert",
        "--workdir",
        str(workdir),
        "--variant",
        args.variant,
        "--out",
        str(Path(args.out).resolve()),
    ]
    if not args.manifest:
        cmd.append("--no-manifest")
    run(cmd)


if __name__ == "__main__":
    main()
