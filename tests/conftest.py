"""Shared test fixtures: the reference models and the TFLite Micro oracle."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_MODELS = Path(os.environ.get("LWAI_SHARED_MODELS", REPO.parent / "shared" / "models"))
LWAI = REPO / ".venv" / "bin" / "lwai"


def shared_model(name: str) -> Path:
    path = SHARED_MODELS / name
    if not path.is_file():
        pytest.skip(f"{path} not present (the shared models live beside the repository)")
    return path


def tflm_outputs(
    model: Path | bytes, inputs: list[np.ndarray], n_outputs: int = 1, arena: int = 300_000
) -> list[np.ndarray]:
    """Outputs of the TFLite Micro reference interpreter (tflite-micro on PyPI)."""
    from tflite_micro.python.tflite_micro import runtime

    if isinstance(model, (bytes, bytearray)):
        interp = runtime.Interpreter.from_bytes(bytes(model), arena_size=arena)
    else:
        interp = runtime.Interpreter.from_file(str(model), arena_size=arena)
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(n_outputs)]


def random_inputs(specs: list[dict], seed: int) -> list[np.ndarray]:
    """Inputs spanning each dtype's range (int) or [-1, 1) scaled for float models."""
    rng = np.random.default_rng(seed)
    xs = []
    for spec in specs:
        dt = np.dtype(spec["dtype"])
        if dt.kind == "i":
            info = np.iinfo(dt)
            xs.append(rng.integers(info.min, info.max + 1, spec["shape"], dtype=dt))
        else:
            xs.append(rng.uniform(-3.0, 3.0, spec["shape"]).astype(dt))
    return xs
