"""Helpers the model-conversion tools share (standard library only: they run before any venv)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any


def sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB blocks (models are tens of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd: list[str], cwd: Path | None = None) -> None:
    """Run a step of the conversion, echoing it first, and stop on its failure."""
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def canonical_names(graph: Any, rename: dict[str, str]) -> None:
    """Name nodes, constants and tensors by position (adding to ``rename``).

    tf2onnx numbers the constants it folds in an order that varies between runs; naming by
    position in the (stable) node order makes the file byte-identical on every run.
    """
    constants = {t.name for t in graph.initializer}
    for i, node in enumerate(graph.node):
        node.name = f"{node.op_type}_{i}"
        for name in node.input:
            if name in constants and name not in rename:
                rename[name] = f"const_{len(rename)}"
        for j, name in enumerate(node.output):
            rename.setdefault(name, f"{node.op_type}_{i}_out{j}")


def apply_names(graph: Any, rename: dict[str, str]) -> None:
    """Rename an ONNX graph's tensors and put its initializers in first-use order, so running
    a conversion again writes the same bytes (the manifest's sha256 is reproducible)."""
    for node in graph.node:
        node.input[:] = [rename.get(i, i) for i in node.input]
        node.output[:] = [rename.get(o, o) for o in node.output]
    for value in list(graph.input) + list(graph.output):
        value.name = rename.get(value.name, value.name)
    for init in graph.initializer:
        init.name = rename.get(init.name, init.name)
    first_use = {name: i for i, name in enumerate(rename.values())}
    inits = sorted(graph.initializer, key=lambda t: first_use.get(t.name, len(first_use)))
    inits = [type(t).FromString(t.SerializeToString()) for t in inits]
    del graph.initializer[:]
    graph.initializer.extend(inits)
