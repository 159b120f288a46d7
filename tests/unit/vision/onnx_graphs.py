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
) -> Path:
    """Save a model whose outputs are ``outputs`` (each plus 0 × the input's mean).

    ``probe = (output, index, channel, scale)`` adds ``scale × mean(input[:, channel])`` at
    ``index`` of that output. ``reshape_input`` first reshapes the input to that fixed shape, so
    the model fails at run time on any other input size.
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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # readable by every onnxruntime this project supports
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
