"""Shared test fixtures: the reference models and the TFLite Micro oracle."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_MODELS = Path(os.environ.get("LWAI_SHARED_MODELS", REPO.parent / "shared" / "models"))
LWAI = REPO / ".venv" / "bin" / "lwai"
# One object cache for every SCons build of the run (SConstruct: LWAI_SCONS_CACHE): the
# hundreds of images the tests build share their runtime and kernel objects. Builds that
# check what the compiler makes of a tree (tests/test_reproducible.py) drop it.
os.environ.setdefault("LWAI_SCONS_CACHE", str(REPO / "build" / "scons-cache"))


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


def need_toolchain(target: str) -> None:
    """Skip a Cortex-M case on a machine without QEMU or the Arm cross compiler."""
    if target != "host" and (
        shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None
    ):
        pytest.skip("qemu-system-arm / arm-none-eabi-gcc not installed")


def arena_config(target: str, tmp_path: Path, arena: int) -> str | None:
    """The target's defconfig with an arena of ``arena`` bytes (None on the host: the
    default there is large), for images that pack hundreds of cases."""
    if target == "host":
        return None
    from lwai import driver
    from lwai.config import defconfig_path

    path = tmp_path / "arena.config"
    text = defconfig_path(driver.TARGET_DEFCONFIG[target]).read_text()
    path.write_text(text + f"CONFIG_LWAI_ARENA_SIZE={arena}\n")
    return str(path)


def tflm_invocations(
    model: bytes, feeds: list[np.ndarray], reset_every: int = 0, arena: int = 2 << 20
) -> list[np.ndarray]:
    """TFLite Micro invoked once per leading-axis slice of the feeds (state carried), the
    outputs stacked the same way; reset() before invocations K, 2K, ... (K = reset_every)."""
    import tflite
    from tflite_micro.python.tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(bytes(model), arena_size=arena)
    n_out = tflite.Model.GetRootAsModel(model, 0).Subgraphs(0).OutputsLength()
    outs = []
    for k in range(feeds[0].shape[0]):
        if reset_every and k and k % reset_every == 0:
            interp.reset()
        for i, x in enumerate(feeds):
            interp.set_input(x[k], i)
        interp.invoke()  # CIRCULAR_BUFFER's abort is a status (15), not an exception
        outs.append([np.array(interp.get_output(j)) for j in range(n_out)])
    return [np.stack([o[j] for o in outs]) for j in range(n_out)]
