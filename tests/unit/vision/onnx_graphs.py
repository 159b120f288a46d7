"""Tiny synthetic ONNX models shaped like real exports, to test decoders without any weights.

Each output is a fixed tensor; optionally one cell is replaced by a mean of one input channel, so
a test can see which channel order and scaling the adapter fed the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper


def write_model(
    path: Path,
    outputs: dict[str, NDArray[np.float32]],
    input_shape: tuple[int | str, ...] = (1, 3, 640, 640),
    input_name: str = "images",
    probe: tuple[str, tuple[int, ...], int, float] | None = None,
    reshape_input: tuple[int, ...] | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Save a model whose outputs are ``outputs`` (each plus 0 × the input's mean).

    ``probe = (output, index, channel, scale)`` adds ``scale × mean(input[:, channel])`` at
    ``index`` of that output. ``reshape_input`` first reshapes the input to that fixed shape, so
    the model fails at run time on any other input size. ``metadata``: the model's properties.
    """
    nodes, inits = [], []
    source = input_name
    if reshape_input is not None:
        inits.append(numpy_helper.from_array(np.array(reshape_input, np.int64), "fixed_shape"))
        nodes.append(helper.make_node("Reshape", [input_name, "fixed_shape"], ["reshaped"]))
        source = "reshaped"
    nodes += [
        helper.make_node("ReduceMean", [source], ["channel_means"], axes=[2, 3], keepdims=0),
        helper.make_node("ReduceMean", ["channel_means"], ["input_mean"], keepdims=0),
        helper.make_node("Mul", ["input_mean", "zero"], ["nothing"]),
    ]
    inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "zero"))
    graph_outputs = []
    for name, value in outputs.items():
        value = np.asarray(value, np.float32)
        inits.append(numpy_helper.from_array(value, f"{name}_const"))
        total = f"{name}_base"
        nodes.append(helper.make_node("Add", [f"{name}_const", "nothing"], [total]))
        if probe is not None and probe[0] == name:
            _, index, channel, scale = probe
            mask = np.zeros(value.shape, np.float32)
            mask[index] = scale
            inits.append(numpy_helper.from_array(mask, f"{name}_mask"))
            inits.append(numpy_helper.from_array(np.array([channel], np.int64), "probe_channel"))
            nodes += [
                helper.make_node("Gather", ["channel_means", "probe_channel"], ["probe"], axis=1),
                helper.make_node("ReduceMean", ["probe"], ["probe_scalar"], keepdims=0),
                helper.make_node("Mul", [f"{name}_mask", "probe_scalar"], [f"{name}_probe"]),
                helper.make_node("Add", [total, f"{name}_probe"], [f"{name}_probed"]),
            ]
            total = f"{name}_probed"
        nodes.append(helper.make_node("Identity", [total], [name]))
        graph_outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, value.shape))
    graph = helper.make_graph(
        nodes,
        "synthetic",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, list(input_shape))],
        graph_outputs,
        initializer=inits,
    )
    return _save(graph, path, metadata)


def write_spot_nanodet(
    path: Path, stride: int, sides: NDArray[np.float32], concatenated: bool = False
) -> Path:
    """A NanoDet-shaped model with a dynamic input that sees bright spots, one class.

    At each level, a cell's person score is high where its brightest blue pixel is white (max
    pooling over the cell, so the cell grid is the canvas's own) and low on black or grey; only
    level ``stride`` ever scores. Every cell's box logits are ``sides`` (4·(R+1) values).
    Outputs ``cls{s}``/``box{s}`` per stride, or NanoDet's one concatenated output.
    """
    nodes, inits, levels = [], [], []
    for name, value in {
        "channel0": np.array([0], np.int64),
        "cells_last": np.array([1, 1, -1], np.int64),
        "white_above": np.array(1.0, np.float32),  # normalised: white 2.6, grey 0.2, black -1.8
        "steep": np.array(4.0, np.float32),
        "sides": np.asarray(sides, np.float32).reshape(1, 1, -1),
    }.items():
        inits.append(numpy_helper.from_array(value, name))
    for s in (8, 16, 32):
        inits.append(numpy_helper.from_array(np.array(float(s == stride), np.float32), f"on{s}"))
        nodes += [
            helper.make_node(
                "MaxPool", ["images"], [f"pool{s}"], kernel_shape=[s, s], strides=[s, s]
            ),
            helper.make_node("Gather", [f"pool{s}", "channel0"], [f"blue{s}"], axis=1),
            helper.make_node("Reshape", [f"blue{s}", "cells_last"], [f"flat{s}"]),
            helper.make_node("Transpose", [f"flat{s}"], [f"cells{s}"], perm=[0, 2, 1]),
            helper.make_node("Sub", [f"cells{s}", "white_above"], [f"above{s}"]),
            helper.make_node("Mul", [f"above{s}", "steep"], [f"logit{s}"]),
            helper.make_node("Sigmoid", [f"logit{s}"], [f"score{s}"]),
            helper.make_node("Mul", [f"score{s}", f"on{s}"], [f"cls{s}"]),
            helper.make_node("Shape", [f"cells{s}"], [f"shape{s}"]),
            helper.make_node("Expand", ["sides", f"shape{s}"], [f"box{s}"]),
        ]
        levels.append(s)
    width = np.asarray(sides).size
    if concatenated:
        for s in levels:
            nodes.append(helper.make_node("Concat", [f"cls{s}", f"box{s}"], [f"out{s}"], axis=2))
        nodes.append(helper.make_node("Concat", [f"out{s}" for s in levels], ["output"], axis=1))
        outputs = [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, "n", 1 + width])]
    else:
        outputs = []
        for s in levels:
            outputs.append(
                helper.make_tensor_value_info(f"cls{s}", TensorProto.FLOAT, [1, f"n{s}", 1])
            )
            outputs.append(
                helper.make_tensor_value_info(f"box{s}", TensorProto.FLOAT, [1, f"n{s}", width])
            )
    graph = helper.make_graph(
        nodes,
        "spots",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, "h", "w"])],
        outputs,
        initializer=inits,
    )
    return _save(graph, path, None)


def _save(graph: onnx.GraphProto, path: Path, metadata: dict[str, str] | None) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # readable by every onnxruntime this project supports
    if metadata:
        helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
