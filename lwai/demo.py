"""``lwai demo`` / ``make demo``: the project's own model, end to end on the default board.

The demo model is the classic sine regressor (1 -> 16 -> 16 -> 1, ReLU), trained here in
NumPy in a second or two, quantized to int8 the way TFLite's converter does (asymmetric
activations, symmetric per-channel weights, int32 biases) and written by lwai's own
TFLite writer, so the demo needs nothing from outside the repository.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from lwai.tflite_writer import ModelBuilder

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "build" / "demo"
BATCH = 8  # points evaluated by one inference


def train_sine(seed: int = 2, steps: int = 3000) -> list[tuple[np.ndarray, np.ndarray]]:
    """Float weights [(W [out, in], b [out])...] of a 1-16-16-1 ReLU MLP fitting sin(x)."""
    rng = np.random.default_rng(seed)
    sizes = [1, 16, 16, 1]
    params = [
        [rng.normal(0, np.sqrt(2.0 / i), (o, i)).astype(np.float64), np.zeros(o)]
        for i, o in itertools.pairwise(sizes)
    ]
    m = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    v = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    lr, b1, b2 = 0.01, 0.9, 0.999
    for t in range(1, steps + 1):
        x = rng.uniform(0, 2 * np.pi, (128, 1))
        y = np.sin(x)
        acts = [x]
        for k, (w, b) in enumerate(params):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if k < len(params) - 1 else z)
        grad = 2 * (acts[-1] - y) / len(x)
        for k in range(len(params) - 1, -1, -1):
            w, _ = params[k]
            gw, gb = grad.T @ acts[k], grad.sum(0)
            grad = (grad @ w) * (acts[k] > 0)
            for j, g in enumerate((gw, gb)):
                m[k][j] = b1 * m[k][j] + (1 - b1) * g
                v[k][j] = b2 * v[k][j] + (1 - b2) * g * g
                mh, vh = m[k][j] / (1 - b1**t), v[k][j] / (1 - b2**t)
                params[k][j] = params[k][j] - lr * mh / (np.sqrt(vh) + 1e-8)
    return [(w.astype(np.float32), b.astype(np.float32)) for w, b in params]


def _act_qparams(lo: float, hi: float) -> tuple[float, int]:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 or 1.0
    zp = int(np.clip(round(-128 - lo / scale), -128, 127))
    return float(np.float32(scale)), zp


def forward_float(params, x: np.ndarray) -> list[np.ndarray]:
    acts = [x]
    for k, (w, b) in enumerate(params):
        z = acts[-1] @ w.T + b
        acts.append(np.maximum(z, 0) if k < len(params) - 1 else z)
    return acts


def build_sine_model(params) -> bytes:
    """Post-training int8 quantization, calibrated on a grid over [0, 2pi]."""
    calib = forward_float(params, np.linspace(0, 2 * np.pi, 1000, dtype=np.float32)[:, None])
    qa = [_act_qparams(float(a.min()), float(a.max())) for a in calib]
    mb = ModelBuilder("lwai demo: sine regressor")
    x = mb.add_tensor("x", (BATCH, 1), "int8", scale=qa[0][0], zero_point=qa[0][1])
    mb.inputs = [x]
    cur = x
    for k, (w, b) in enumerate(params):
        w_scale = np.maximum(np.abs(w).max(axis=1), 1e-8) / 127.0
        wq = np.clip(np.round(w / w_scale[:, None]), -127, 127).astype(np.int8)
        b_scale = qa[k][0] * w_scale
        bq = np.round(b / b_scale).astype(np.int32)
        wt = mb.add_tensor(
            f"w{k}", w.shape, "int8", data=wq, scale=list(w_scale), zero_point=[0] * len(w_scale)
        )
        bt = mb.add_tensor(
            f"b{k}", b.shape, "int32", data=bq, scale=list(b_scale), zero_point=[0] * len(b_scale)
        )
        out = mb.add_tensor(
            f"y{k}", (BATCH, w.shape[0]), "int8", scale=qa[k + 1][0], zero_point=qa[k + 1][1]
        )
        act = "RELU" if k < len(params) - 1 else "NONE"
        mb.add_op("FULLY_CONNECTED", [cur, wt, bt], [out], {"activation": act})
        cur = out
    mb.outputs = [cur]
    return mb.build()


def demo_model_path() -> Path:
    """Writes (once) and returns the demo .tflite."""
    path = DEMO_DIR / "sine_int8.tflite"
    if not path.is_file():
        DEMO_DIR.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_sine_model(train_sine()))
    return path


def reference_outputs(model: Path, x: np.ndarray) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_file(str(model), arena_size=16384)
    interp.set_input(x, 0)
    interp.invoke()
    return interp.get_output(0)


def main(args: argparse.Namespace | None = None) -> int:
    from lwai.driver import run_model

    target = getattr(args, "target", None) or "qemu-cortex-m4"
    model = demo_model_path()
    from lwai.driver import compile_cached

    _, report, _ = compile_cached(model, target)
    (inp,) = report["inputs"]
    (outp,) = report["outputs"]
    xs = np.linspace(0.3, 2 * np.pi - 0.3, BATCH, dtype=np.float32)
    xq = np.clip(np.round(xs / inp["scale"]) + inp["zero_point"], -128, 127).astype(np.int8)
    xq = xq.reshape(BATCH, 1)
    (got,), info = run_model(model, [xq], DEMO_DIR / f"run-{target}", target=target)
    ref = reference_outputs(model, xq)
    deq = (got.astype(np.float32) - outp["zero_point"]) * outp["scale"]
    print(
        f"lwai demo: {model.name} on {target} (arena {report['arena_bytes']} B, "
        f"weights {report['weights_bytes']} B, {info['ticks']} "
        f"{info['result'].unit if hasattr(info['result'], 'unit') else 'ticks'} per inference)"
    )
    print(f"{'x':>8} {'sin(x)':>9} {'lwai int8':>10} {'tflm int8':>10} {'lwai ~y':>9}  same")
    for i in range(BATCH):
        same = "yes" if got[i, 0] == ref[i, 0] else "NO"
        print(
            f"{xs[i]:8.3f} {np.sin(xs[i]):9.4f} {int(got[i, 0]):10d} {int(ref[i, 0]):10d} "
            f"{deq[i, 0]:9.4f}  {same}"
        )
    equal = bool(np.array_equal(got, ref))
    print(
        "lwai output equals the TFLite Micro reference bit for bit"
        if equal
        else "lwai output DIFFERS from the TFLite Micro reference"
    )
    return 0 if equal else 1
