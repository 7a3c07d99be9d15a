"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/<target>/).

    .venv/bin/python tests/fuzz/make_corpus.py

Seeds are what `lwai compile` writes (model.lwfb, model.json) for small shared models, one
model with every int8 library kernel in it (from tests/kernel_cases.py), and the hand-built
graph of tests/lwfb_cases.py (per-channel quantization, dequantize to float). The files are
committed (about 320 KB in all); rerun this after a format change and commit the result.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kernel_cases import batch_model, generate
from lwfb_cases import tiny_graph

from conftest import shared_model
from lwai.codegen.graph import to_json
from lwai.codegen.lwfb import to_lwfb
from lwai.compiler import compile_model

SHARED = (
    "hello_world_int8",
    "simple_add_model",
    "micro_speech_quantized",
    "trained_lstm_int8",  # lstm_s8 (state in the arena)
    "keyword_scrambled_8bit",  # svdf_state8_s8, softmax_s8_s16, quantize_s16_*
)
# One case of each int8 kernel group, and the four conversions.
GROUPS = [
    "conv2d_int8",
    "depthwise_conv2d_int8",
    "avg_pool2d_int8",
    "max_pool2d_int8",
    "add_int8",
    "mul_int8",
    "softmax_int8",
]
TARGETS = {"lwfb": "model.lwfb", "run": "model.lwfb", "params": "model.lwfb", "json": "model.json"}


def _compiled(model: Path, work: Path) -> Path:
    out = work / model.stem
    compile_model(model, out)
    return out


def main() -> int:
    corpus = HERE / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        outs = {name: _compiled(shared_model(f"{name}.tflite"), work) for name in SHARED}
        cases = [c for g in GROUPS for c in generate(g, 1, 7)] + generate("convert", 4, 7)
        ops = work / "ops_int8.tflite"
        ops.write_bytes(batch_model(cases)[0])
        outs["ops_int8"] = _compiled(ops, work)
        for target, name in TARGETS.items():
            dest = corpus / target
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            suffix = Path(name).suffix
            for model, out in outs.items():
                shutil.copy(out / name, dest / f"{model}{suffix}")
            tiny = tiny_graph()
            if suffix == ".lwfb":
                (dest / f"tiny{suffix}").write_bytes(to_lwfb(tiny))
            else:
                (dest / f"tiny{suffix}").write_text(to_json(tiny))
    total = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"corpus: {total} bytes in {corpus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
