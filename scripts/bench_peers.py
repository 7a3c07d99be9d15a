"""The peers `make bench` measures lwai against: TensorFlow Lite Micro (its Python interpreter:
outputs, µs per inference, the smallest working arena) and LiteRT (µs per inference), and
the machine and tool versions the figures come from. Used by scripts/bench.py."""

from __future__ import annotations

import importlib.metadata
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MIN_SECONDS = 0.2  # host timing: at least this long per measurement
TRIALS = 3  # host timing: the best of this many measurements (shared, noisy machines)
BIG_ARENA = 16 << 20


# --- the machine and the tools ---------------------------------------------------------


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model", "Hardware")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def pkg(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    try:
        import tvm

        tvm_version = tvm.__version__
    except ImportError:
        tvm_version = "not installed"
    return {
        "machine": platform.machine(),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "tvm": tvm_version,
        "tflite-micro": pkg("tflite-micro"),
        "ai-edge-litert": pkg("ai-edge-litert"),
        "gcc": _first_line(["gcc", "--version"]),
        "arm-none-eabi-gcc": _first_line(["arm-none-eabi-gcc", "--version"]),
        "qemu-system-arm": _first_line(["qemu-system-arm", "--version"]),
        "qemu-arm": _first_line(["qemu-arm", "--version"]),
    }


# --- TensorFlow Lite Micro -------------------------------------------------------------


def best_us(once) -> float:
    """µs per call of once(): the best of TRIALS loops of at least MIN_SECONDS each."""
    best = math.inf
    for _ in range(TRIALS):
        n, t0 = 0, time.perf_counter()
        while n < 3 or time.perf_counter() - t0 < MIN_SECONDS:
            once()
            n += 1
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


def tflm_runtime():
    from tflite_micro.python.tflite_micro import runtime

    return runtime


class _QuietStderr:
    """Silences file descriptor 2 (TFLM prints to it when asked past the last tensor)."""

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)

    def __exit__(self, *exc):
        os.dup2(self.saved, 2)
        os.close(self.saved)


def tflm_inputs(path: Path, seed: int) -> list[np.ndarray]:
    """Deterministic bench inputs, from TFLM's own input details."""
    it = tflm_runtime().Interpreter.from_file(str(path), arena_size=BIG_ARENA)
    rng = np.random.default_rng(seed)
    inputs = []
    i = 0
    while True:
        try:
            with _QuietStderr():
                d = it.get_input_details(i)
        except Exception:  # noqa: BLE001 -- TFLM raises on an index past the last input
            break
        shape, dtype = tuple(int(s) for s in d["shape"]), np.dtype(d["dtype"])
        if dtype.kind == "f":
            x = rng.uniform(0.0, 2 * math.pi, size=shape).astype(dtype)
        else:
            info = np.iinfo(dtype)
            x = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
        inputs.append(x)
        i += 1
    return inputs


def tflm_run(path: Path, inputs: list[np.ndarray]) -> tuple[list[np.ndarray], float]:
    """TFLM's outputs and its µs per inference (invoke() loop, perf_counter)."""
    it = tflm_runtime().Interpreter.from_file(str(path), arena_size=BIG_ARENA)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    outputs = []
    i = 0
    while True:
        try:
            with _QuietStderr():
                outputs.append(np.array(it.get_output(i)))

        except Exception:  # noqa: BLE001 -- past the last output
            break
        i += 1

    def once() -> None:
        for i, x in enumerate(inputs):
            it.set_input(x, i)
        it.invoke()

    return outputs, best_us(once)


def _tflm_probe(path: Path, inputs: list[np.ndarray], arena: int) -> bool:
    """Does TFLM construct and invoke the model with `arena` bytes? Runs in a forked child,
    since a too-small arena may crash the process rather than raise."""
    pid = os.fork()
    if pid == 0:  # child: silence TFLM's allocation messages, report by exit status
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            it = tflm_runtime().Interpreter.from_file(str(path), arena_size=arena)
            for i, x in enumerate(inputs):
                it.set_input(x, i)
            it.invoke()
            it.get_output(0)
            code = 0
        except BaseException:  # noqa: BLE001 -- any failure is "does not fit"
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def tflm_min_arena(path: Path, inputs: list[np.ndarray]) -> tuple[int, int]:
    """The smallest arena_size (bytes) that works, by bisection; and the number of probes."""
    probes = 0
    lo, hi = 0, 1024  # lo fails (or is 0), hi works
    while True:
        probes += 1
        if _tflm_probe(path, inputs, hi):
            break
        lo, hi = hi, hi * 2
        if hi > BIG_ARENA:
            raise RuntimeError(f"{path.name}: TFLM fails even with {BIG_ARENA} bytes")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        probes += 1
        if _tflm_probe(path, inputs, mid):
            hi = mid
        else:
            lo = mid
    return hi, probes


# --- LiteRT ----------------------------------------------------------------------------


def litert_us(path: Path, inputs: list[np.ndarray]) -> float:
    """LiteRT's µs per inference, measured in a child process: LiteRT aborts the whole
    process on some models lwai and TFLM run (keyword_scrambled_8bit: heap corruption in
    its int16 SVDF), and a peer's crash must be a reported failure, not the end of the run.
    Raises RuntimeError naming how the child ended."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lwai-litert-") as tmp:
        feeds = Path(tmp) / "inputs.npz"
        np.savez(feeds, *inputs)
        run = subprocess.run(
            [sys.executable, __file__, "--litert", str(path), str(feeds)],
            capture_output=True,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        lines = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
        last = lines[-1] if lines else "no message"
        if run.returncode < 0:  # killed by a signal: LiteRT itself aborted
            raise RuntimeError(f"LiteRT crashed (signal {-run.returncode}): {last}")
        raise RuntimeError(last)  # a Python error of LiteRT's, e.g. a model it refuses
    return float(run.stdout.strip().splitlines()[-1])


def _litert_us_here(path: Path, inputs: list[np.ndarray]) -> float:
    """LiteRT (default resolver: XNNPACK), one thread: µs per inference."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    details = it.get_input_details()
    for d, x in zip(details, inputs):
        it.set_tensor(d["index"], x.reshape(d["shape"]))
    it.invoke()

    def once() -> None:
        for d, x in zip(details, inputs):
            it.set_tensor(d["index"], x.reshape(d["shape"]))
        it.invoke()

    return best_us(once)


if __name__ == "__main__":  # the child of litert_us: --litert MODEL INPUTS.npz
    if len(sys.argv) != 4 or sys.argv[1] != "--litert":
        sys.exit("usage: bench_peers.py --litert MODEL INPUTS.npz")
    with np.load(sys.argv[3]) as npz:
        feeds = [npz[f"arr_{i}"] for i in range(len(npz.files))]
    print(_litert_us_here(Path(sys.argv[2]), feeds))
