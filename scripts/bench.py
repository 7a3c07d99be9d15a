"""`make bench`: measure lwai against TensorFlow Lite Micro and LiteRT; write docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench.py --out docs/BENCHMARKS.md

For every shared model in /work/shared/models (LWAI_MODELS overrides) that lwai compiles:
arena bytes (lwai's plan, the per-op lower bound, TFLM's smallest working arena by
bisection), a fresh compile time, host µs per inference (lwai, TFLM interpreter, LiteRT
1 thread), and on qemu-cortex-m4 instructions per inference, flash/RAM and the size
breakdown. Every lwai output is compared with TFLM's on the same inputs (int8: bit for bit,
float: max abs error <= 1e-5); the script exits 1 if any differs. Numbers are reports, not
assertions: nothing else fails the run.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MODELS_DIR = Path(os.environ.get("LWAI_MODELS", "/work/shared/models"))
SUPPORTED = (
    "hello_world_float",
    "hello_world_int8",
    "simple_add_model",
    "micro_speech_quantized",
    "person_detect",
)
UNSUPPORTED = {
    "keyword_scrambled": "not supported: SVDF",
    "keyword_scrambled_8bit": "not supported: SVDF",
    "trained_lstm_int8": "not supported: UNIDIRECTIONAL_SEQUENCE_LSTM",
}
M4_MODELS = ("hello_world_int8", "micro_speech_quantized", "person_detect")
M4_TARGET = "qemu-cortex-m4"
MIN_SECONDS = 0.2  # host timing: at least this long per measurement
TRIALS = 3  # host timing: the best of this many measurements (shared, noisy machines)
FLOAT_ATOL = 1e-5
BIG_ARENA = 16 << 20


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


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


# --- lwai ------------------------------------------------------------------------------


def compare(name: str, where: str, got: list[np.ndarray], want: list[np.ndarray]) -> str | None:
    """None if lwai's outputs match TFLM's, else what differs."""
    if len(got) != len(want):
        return f"{name} on {where}: {len(got)} outputs, TFLM has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        g = np.asarray(g).reshape(-1)
        w = np.asarray(w).reshape(-1)
        if g.dtype != w.dtype or g.size != w.size:
            return f"{name} on {where}: output {i} is {g.dtype}[{g.size}], TFLM {w.dtype}[{w.size}]"
        if w.dtype.kind == "f":
            err = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64))))
            if not err <= FLOAT_ATOL:
                return f"{name} on {where}: output {i} max abs error {err:.3g} > {FLOAT_ATOL}"
        elif not np.array_equal(g, w):
            n = int(np.count_nonzero(g != w))
            return f"{name} on {where}: output {i} differs from TFLM in {n} of {w.size} values"
    return None


def compile_seconds(path: Path) -> float:
    """A fresh, uncached compile for the host's defconfig."""
    from lwai.compiler import compile_model
    from lwai.driver import TARGET_DEFCONFIG

    with tempfile.TemporaryDirectory(prefix="lwai-bench-") as tmp:
        t0 = time.perf_counter()
        compile_model(path, Path(tmp) / "gen", defconfig=TARGET_DEFCONFIG["host"])
        return time.perf_counter() - t0


def lwai_host(path: Path, inputs: list[np.ndarray], work: Path) -> dict:
    """lwai on the host. One inference (its outputs are the ones checked, its time is a cold
    first run), then a loop of `repeat` inferences for the steady-state µs (the app re-reads
    the inputs before each run, outside the timed region); the loop's outputs are checked too."""
    from lwai.driver import run_model

    outputs, info = run_model(path, inputs, work / "once", target="host", repeat=1)
    ns = max(int(info["ticks"] or 1), 1)
    repeat = max(3, min(1_000_000, math.ceil(MIN_SECONDS * 1e9 / ns)))
    loop_ns = math.inf
    for _ in range(TRIALS):
        loop_outputs, loop = run_model(path, inputs, work / "loop", target="host", repeat=repeat)
        loop_ns = min(loop_ns, loop["ticks"])
    return {
        "outputs": outputs,
        "first_us": ns / 1000.0,
        "us": loop_ns / 1000.0,
        "repeat": repeat,
        "report": info["report"],
        "loop_outputs": loop_outputs,
    }


def lwai_m4(path: Path, inputs: list[np.ndarray], work: Path) -> tuple[list, dict]:
    from lwai.driver import run_model
    from lwai.elfsize import size_report

    outputs, info = run_model(path, inputs, work, target=M4_TARGET, repeat=1)
    sizes = size_report(info["image"])
    return outputs, {
        "instructions": int(info["ticks"]),
        "arena_bytes": int(info["report"]["arena_bytes"]),
        "weights_bytes": int(info["report"].get("weights_bytes", 0)),
        "flash_bytes": sizes["flash_bytes"],
        "ram_bytes": sizes["ram_bytes"],
        "stack_bytes": sizes.get("stack_bytes", 0),
        "breakdown": sizes.get("breakdown"),
        "runtime_objects": {
            o: v["text"]
            for o, v in sizes.get("objects", {}).items()
            if v["part"] == "runtime" and v["text"]
        },
        "image": str(info["image"]),
    }


# Kernel backends (issue 11): TFLite Micro with CMSIS-NN, built for the same QEMU boards and
# counted the same way (-icount shift=0, warm inference), as measured for the issue with
# ARM-software/CMSIS-NN 4ab83cc. No package registry ships TFLM's or CMSIS-NN's sources, so
# this run cannot rebuild the peer: these figures are the fixed anchors the goals name.
BACKEND_BOARDS = ("qemu-cortex-m4", "qemu-cortex-m55")
BACKEND_MODELS = ("hello_world_int8", "micro_speech_quantized", "person_detect")
TFLM_CMSIS_NN = {
    ("qemu-cortex-m4", "person_detect"): 22_928_400,
    ("qemu-cortex-m4", "micro_speech_quantized"): 1_495_320,
    ("qemu-cortex-m55", "person_detect"): 6_508_406,
    ("qemu-cortex-m55", "micro_speech_quantized"): 1_008_281,
}
TFLM_REFERENCE_M55 = {"person_detect": 92_170_031, "micro_speech_quantized": 9_843_719}
MOONSHOT = 0.8


def kernel_sets() -> list[str]:
    """The kernel sets to measure: CMSIS-NN only where the user's checkout is given."""
    sets = ["reference", "optimized"]
    return sets + (["cmsis-nn"] if os.environ.get("LWAI_CMSIS_NN_PATH") else [])


def lwai_backend(path: Path, inputs, work: Path, target: str, kernels: str) -> tuple[list, dict]:
    from lwai.driver import run_model
    from lwai.elfsize import size_report

    outputs, info = run_model(path, inputs, work, target=target, repeat=1, kernels=kernels)
    sizes = size_report(info["image"])
    report = info["report"]
    scratch = max((op.get("scratch_bytes", 0) for op in report["ops"]), default=0)
    return outputs, {
        "instructions": int(info["ticks"]),
        "flash_bytes": sizes["flash_bytes"],
        "kernels_text": sizes.get("breakdown", {}).get("kernels_text", 0),
        "ram_bytes": sizes["ram_bytes"],
        "arena_bytes": int(report["arena_bytes"]),
        "op_bound": int(report.get("arena_lower_bound") or 0),
        "max_scratch": int(scratch),
        "backends": sorted({op["backend"] for op in report["ops"]}),
    }


def _render_backends(results: list[dict]) -> list[str]:
    by = {(r["target"], r["name"], r["kernels"]): r for r in results if "instructions" in r}
    out = [
        "",
        "## Kernel backends (Cortex-M4 and Cortex-M55)",
        "",
        (
            "Each model compiled with `--kernels reference|optimized|cmsis-nn` (`lwai bench "
            "MODEL --target T --kernels K`), outputs checked against TFLM bit for bit. "
            "Instructions per warm inference under `-icount shift=0`; flash = text + rodata + "
            "data of the whole image; kernels = the kernels' text. CMSIS-NN runs only when "
            "`LWAI_CMSIS_NN_PATH` names a checkout (none in CI): the cmsis-nn rows here come from "
            "`LWAI_CMSIS_NN_PATH=<your ARM-software/CMSIS-NN checkout at 4ab83cc> make bench`."
        ),
        "",
        (
            "| board | model | kernels | instructions | vs reference | flash (B) | kernels (B) "
            "| flash vs reference (B) | arena (B) | op bound + largest scratch (B) |"
        ),
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if "instructions" not in r:
            out.append(
                f"| {r['target']} | {r['name']} | {r['kernels']} | skipped: {r['skipped']} "
                "| | | | | | |"
            )
            continue
        base = by.get((r["target"], r["name"], "reference"))
        out.append(
            f"| {r['target']} | {r['name']} | {r['kernels']} | {_int(r['instructions'])} "
            f"| {_ratio(base['instructions'], r['instructions']) if base else '—'} "
            f"| {_int(r['flash_bytes'])} | {_int(r['kernels_text'])} "
            f"| {(r['flash_bytes'] - base['flash_bytes']) if base else 0:+,} "
            f"| {_int(r['arena_bytes'])} | {_int(r['op_bound'] + r['max_scratch'])} |"
        )
    out += [
        "",
        "### Goals against TFLite Micro + CMSIS-NN",
        "",
        (
            "Anchor: TFLM (-O2, NDEBUG) with CMSIS-NN on the same QEMU board, counted the same "
            "way (fixed figures measured for issue 11; this run cannot rebuild TFLM). Ratio = "
            "anchor / lwai: above 1, lwai needs fewer instructions. Goal: lwai's own optimized "
            f"kernels at or below the anchor; moonshot {MOONSHOT}x of it."
        ),
        "",
        (
            "| board | model | TFLM + CMSIS-NN | lwai kernels | lwai instructions | anchor / lwai "
            "| goal (≤ anchor) | moonshot (≤ 0.8x) |"
        ),
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for (target, name), anchor in TFLM_CMSIS_NN.items():
        for kernels in ("optimized", "cmsis-nn"):
            r = by.get((target, name, kernels))
            if not r:
                continue
            n = r["instructions"]
            out.append(
                f"| {target} | {name} | {_int(anchor)} | {kernels} | {_int(n)} "
                f"| {anchor / n:.2f} | {'met' if n <= anchor else 'not met'} "
                f"| {'met' if n <= MOONSHOT * anchor else 'not met'} |"
            )
    extra = []
    for r in results:
        base = by.get((r["target"], r["name"], "reference"))
        if r.get("kernels") == "optimized" and "instructions" in r and base:
            extra.append((r["flash_bytes"] - base["flash_bytes"], r))
    if extra:
        worst, wr = max(extra, key=lambda e: e[0])
        fits = all(
            r["arena_bytes"] <= r["op_bound"] + r["max_scratch"]
            for r in results
            if "instructions" in r
        )
        out += [
            "",
            (
                f"Flash goal (optimized kernels add ≤ 8 KiB over the reference build per model): "
                f"largest addition {worst:+,} B ({wr['target']}, {wr['name']}): "
                f"{'met' if worst <= 8192 else 'not met'}. Arena goal (≤ op bound + the largest "
                f"scratch): {'met for every row' if fits else 'not met'}."
            ),
            "",
        ]
    for name, ref in TFLM_REFERENCE_M55.items():
        r = by.get(("qemu-cortex-m55", name, "reference"))
        if r:
            out.append(
                f"| qemu-cortex-m55 | {name} | TFLM reference kernels: {_int(ref)} | reference "
                f"| {_int(r['instructions'])} | {ref / r['instructions']:.2f} | | |"
            )
    return out


def _graph_part(obj: str) -> str | None:
    """Which graph-executor piece a runtime object of the link map is, if any."""
    o = obj.replace("\\", "/")
    if "/runtime/src/graph/" in o:
        return "executor"
    if "/runtime/src/loaders/flatbuffer" in o:
        return "lwfb"
    if "/runtime/src/loaders/json" in o or "cJSON" in o:
        return "json"
    return None


def lwai_m4_graph(path: Path, inputs: list[np.ndarray], work: Path, fmt: str) -> tuple[list, dict]:
    """The Cortex-M4 graph-executor image loading model.<fmt>: instructions, and the flash
    and RAM it costs. Flash counts the image (no weights) plus the model file, which a
    product keeps in flash (the .lwfb loader reads it in place). RAM counts what the loaded
    model uses (arena_needed: activations + the loader's records) plus the image's own data,
    bss and stack, leaving out the app's file buffer (the QEMU-only stand-in for that flash)
    and the unused rest of its configured arena."""
    from lwai.driver import run_model
    from lwai.elfsize import size_report, symbols

    outputs, info = run_model(path, inputs, work, target=M4_TARGET, executor="graph", fmt=fmt)
    sizes = size_report(info["image"])
    syms = symbols(info["image"])
    file_buffer = syms.get("lwai_app_model_file", 0)
    model_file = info["report"]  # the report names the files beside it
    gen = Path(info["image"]).parent.parent / "gen"
    file_bytes = (gen / model_file["graph_files"][fmt]).stat().st_size
    pieces = dict.fromkeys(("executor", "lwfb", "json"), 0)
    for obj, v in sizes.get("objects", {}).items():
        part = _graph_part(obj)
        if part:
            pieces[part] += v["text"] + v["rodata"] + v["data"]
    arena_needed = int(info["result"].arena_needed or 0)
    return outputs, {
        "instructions": int(info["ticks"]),
        "image_flash": sizes["flash_bytes"],
        "file_bytes": file_bytes,
        "flash_bytes": sizes["flash_bytes"] + file_bytes,
        "arena_needed": arena_needed,
        "ram_bytes": sizes["data_bytes"]
        + sizes["bss_bytes"]
        - file_buffer
        + arena_needed
        + sizes["stack_bytes"],
        "pieces": pieces,
    }


# --- the report ------------------------------------------------------------------------


def _int(n) -> str:
    return "—" if n is None else f"{int(n):,}"


def _ratio(a, b) -> str:
    return "—" if not a or not b else f"{a / b:.2f}"


def _us(x) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}" if x < 100 else f"{x:,.0f}"


def render(
    env: dict,
    rows: list[dict],
    m4: list[dict],
    m4_skipped: list[str],
    secs,
    graph: list[dict] | None = None,
) -> str:
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench.py (`make bench`). Do not edit: run it again. -->",
        "",
        (
            "Produced by `make bench` (`.venv/bin/python scripts/bench.py --out "
            f"docs/BENCHMARKS.md`) on {today}, in {secs:.0f} s."
        ),
        "",
        "| | |",
        "| --- | --- |",
        f"| machine | `{env['machine']}`, {env['cpu']}, {env['nproc']} CPUs |",
        f"| Python | {env['python']} |",
        f"| TVM | {env['tvm']} |",
        f"| tflite-micro | {env['tflite-micro']} |",
        f"| ai-edge-litert | {env['ai-edge-litert']} |",
        f"| host compiler | {env['gcc']} |",
        f"| Cortex-M compiler | {env['arm-none-eabi-gcc']} |",
        f"| QEMU | {env['qemu-system-arm']}; {env['qemu-arm']} |",
        "",
        "Models: the TensorFlow Lite Micro examples in `/work/shared/models` (see its README).",
        "Inputs: deterministic random tensors (seeded) over each input's full int8 range, or",
        "uniform in [0, 2π) for float. Every lwai output below was checked against the TFLM",
        "reference interpreter on the same inputs: int8 bit for bit, float within 1e-5;",
        "`make bench` fails if one differs.",
        "",
        "## Models",
        "",
        "| model | status |",
        "| --- | --- |",
    ]
    for r in rows:
        if r["mismatch"]:
            out.append(
                f"| {r['name']} | compiled; **outputs differ from TFLM's**: {r['mismatch']} |"
            )
        else:
            out.append(f"| {r['name']} | compiled; outputs equal TFLM's ({r['check']}) |")
    for name, why in UNSUPPORTED.items():
        if (MODELS_DIR / f"{name}.tflite").is_file():
            out.append(f"| {name} | {why} |")
    out += [
        "",
        "## Arena (activation RAM)",
        "",
        "lwai: the arena its compile-time plan needs (all intermediate tensors and workspaces;",
        "`arena_bytes` in report.json, host defconfig). Op bound: for each op, the bytes of its",
        "live buffers; the largest over the ops. TFLM: the smallest `arena_size` with which",
        "`tflite_micro` constructs the interpreter and invokes the model, found by bisection",
        "(each probe in a forked process). TFLM's arena also holds its runtime structures",
        "(tensor and node metadata, op data); lwai keeps those in flash or static data.",
        "",
        "| model | lwai plan (B) | op bound (B) | TFLM min arena (B) | lwai / TFLM |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        out.append(
            f"| {r['name']} | {_int(r['arena'])} | {_int(r['bound'])} | "
            f"{_int(r['tflm_arena'])} | {_ratio(r['arena'], r['tflm_arena'])} |"
        )
    out += [
        "",
        "## Compile time",
        "",
        "One fresh `lwai.compiler.compile_model` (no cache) per model, host defconfig: import,",
        "partition, TVM lowering, C and weight generation. Not the C compile and link.",
        "",
        "| model | compile (s) | weights (B) | ops (lwai kernels / TVM) |",
        "| --- | ---: | ---: | --- |",
    ]
    for r in rows:
        out.append(
            f"| {r['name']} | {r['compile_s']:.2f} | {_int(r['weights'])} | {r['ops_summary']} |"
        )
    out += [
        "",
        "## Host speed",
        "",
        (
            "µs per inference on this machine, one thread, same inputs; each figure from ≥ "
            f"{MIN_SECONDS:g} s of runs, the best of {TRIALS} such measurements. lwai: the "
            "image's own timer around its inference loop"
        ),
        "(`run_model(..., repeat=N)`, no process start-up). TFLM: the `tflite_micro` Python",
        "interpreter (reference kernels), `invoke()` in a loop timed with `time.perf_counter`.",
        "LiteRT: `ai_edge_litert` with `num_threads=1` and its default resolver (XNNPACK; fast,",
        "not bit-exact), `invoke()` in a loop. The Python figures include each `set_input` /",
        "`set_tensor` call and the binding's overhead, a few µs per call. Ratio > 1: lwai is",
        "faster.",
        "",
        "`lwai first` is the single checked inference (cold caches, timed by the image).",
        "",
        (
            "| model | lwai (µs) | repeat | lwai first (µs) | TFLM (µs) | LiteRT (µs) "
            "| TFLM / lwai | LiteRT / lwai |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for r in rows:
        lit = _us(r["litert_us"])
        if r["litert_err"]:
            lit = "fails¹"
            notes.append(f"¹ LiteRT refuses {r['name']}: `{r['litert_err']}`.")
        out.append(
            f"| {r['name']} | {_us(r['lwai_us'])} | {r['repeat']:,} | {_us(r['first_us'])} | "
            f"{_us(r['tflm_us'])} | {lit} | {_ratio(r['tflm_us'], r['lwai_us'])} | "
            f"{_ratio(r['litert_us'], r['lwai_us'])} |"
        )
    if notes:
        out += [""] + notes

    out += [
        "",
        "## Cortex-M4 (qemu-cortex-m4: mps2-an386, `l0_mps2_an386` defconfig)",
        "",
        "The defconfig's kernels: lwai's optimized ones (armv7em, -O2) where they exist, the",
        "reference ones (-Os) for the rest; the rest of the image at -Os.",
        "",
        "Instructions per inference under `qemu-system-arm -icount shift=0` (deterministic; the",
        "board's SysTick counts one instruction per tick), bench inputs, outputs checked against",
        "TFLM. Sizes from the ELF and the link map (`lwai/elfsize.py`): flash = text + rodata +",
        "data; RAM = data + bss + arena + stack. Breakdown of flash: runtime (`runtime/src`,",
        "text), kernels (text), model code (generated text), weights (model rodata + data),",
        "other (board start-up, the generic app with its file I/O, C library).",
        "",
        (
            "| model | instructions | flash (B) | RAM (B) | arena (B) | stack (B) "
            "| runtime | kernels | model code | weights | other |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in m4:
        b = r["breakdown"] or {}
        parts = b.get("parts", {})
        other = sum(parts.get(p, {}).get("flash", 0) for p in ("boards", "app", "libc"))
        kernels_flash = parts.get("kernels", {}).get("flash", b.get("kernels_text"))
        runtime_flash = parts.get("runtime", {}).get("flash", b.get("runtime_text"))
        out.append(
            f"| {r['name']} | {_int(r['instructions'])} | {_int(r['flash_bytes'])} | "
            f"{_int(r['ram_bytes'])} | {_int(r['arena_bytes'])} | {_int(r['stack_bytes'])} | "
            f"{_int(runtime_flash)} | {_int(kernels_flash)} | {_int(b.get('model_code'))} | "
            f"{_int(b.get('weights'))} | {_int(other) if parts else '—'} |"
        )
    for s in m4_skipped:
        out.append(f"| {s} |")
    core = [r for r in m4 if r["breakdown"]]
    if core:
        objs = core[0].get("runtime_objects", {})
        out += [
            "",
            "### Runtime core",
            "",
            "Text of the runtime's own objects (`runtime/src`: AOT glue and the memory manager,",
            "no kernels, no model, no board or app) in the Cortex-M4 image at -Os: "
            f"**{_int(core[0]['breakdown']['runtime_text'])} bytes**"
            + (
                " (" + ", ".join(f"`{Path(o).name}` {n}" for o, n in sorted(objs.items())) + ")."
                if objs
                else "."
            ),
        ]
    if graph:
        out += _render_graph(m4, graph)
    out.append("")
    return "\n".join(out)


def _render_graph(m4: list[dict], graph: list[dict]) -> list[str]:
    aot = {r["name"]: r for r in m4}
    out = [
        "",
        "## Graph executor against AOT (Cortex-M4)",
        "",
        "The same models loaded at run time by the graph executor (`lwai run --executor graph",
        "--format lwfb|json --target qemu-cortex-m4`), outputs checked against TFLM. Flash =",
        "the image (runtime, graph executor, loader, kernels, board, app; no weights) + the",
        "model file, which a product keeps in flash (the .lwfb loader reads it in place, zero",
        "copy). RAM = what the loaded model uses (activations + the loader's records: the",
        "`arena_needed` the app prints) + the image's data, bss and stack, without the QEMU",
        "app's model-file buffer. The JSON loader is an L1/L2 feature (on L0 only with",
        "`LWAI_ALLOW_JSON_ON_L0`); its RAM column leaves out its heap (not measured here):",
        "the decoded weights (about the .lwfb file's size) and cJSON's tree while loading.",
        "The graph image runs the same backend kernels as the AOT one (its registry calls",
        "each kernel's optimized variant where the image holds it, with one shared scratch",
        "area after the loader's records).",
        "",
        (
            "| model | executor | instructions | vs AOT | flash (B) | vs AOT | RAM (B) | vs AOT "
            "| model file (B) | executor code (B) | loader code (B) |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in graph:
        a = aot.get(r["name"])
        if "skipped" in r:
            out.append(f"| {r['name']} | {r['fmt']} | skipped: {r['skipped']} |")
            continue
        loader = r["pieces"]["lwfb" if r["fmt"] == "lwfb" else "json"]
        out.append(
            f"| {r['name']} | graph + {r['fmt']} | {_int(r['instructions'])} | "
            f"{_ratio(r['instructions'], a and a['instructions'])} | {_int(r['flash_bytes'])} | "
            f"{_ratio(r['flash_bytes'], a and a['flash_bytes'])} | {_int(r['ram_bytes'])} | "
            f"{_ratio(r['ram_bytes'], a and a['ram_bytes'])} | {_int(r['file_bytes'])} | "
            f"{_int(r['pieces']['executor'])} | {_int(loader)} |"
        )
    return out


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    env = machine_info()
    failures: list[str] = []

    names = [n for n in SUPPORTED if (MODELS_DIR / f"{n}.tflite").is_file()]
    missing = [n for n in SUPPORTED if n not in names]
    if missing:
        log(f"missing models (skipped): {', '.join(missing)}")
    for name, why in UNSUPPORTED.items():
        log(f"{name}: {why}")

    # TFLM first, before TVM starts threads in this process: the arena probes fork.
    ref: dict[str, dict] = {}
    for seed, name in enumerate(names):
        path = MODELS_DIR / f"{name}.tflite"
        inputs = tflm_inputs(path, seed)
        outs, us = tflm_run(path, inputs)
        arena, probes = tflm_min_arena(path, inputs)
        ref[name] = {"inputs": inputs, "outputs": outs, "us": us, "arena": arena}
        log(f"{name}: TFLM {us:.1f} µs, min arena {arena} B ({probes} probes)")

    rows = []
    work_root = Path(tempfile.mkdtemp(prefix="lwai-bench-"))
    for name in names:
        path = MODELS_DIR / f"{name}.tflite"
        r = ref[name]
        comp = compile_seconds(path)
        host = lwai_host(path, r["inputs"], work_root / name / "host")
        outs, us, repeat, report = host["outputs"], host["us"], host["repeat"], host["report"]
        bad = compare(name, "host", outs, r["outputs"])
        if bad:
            failures.append(bad)
        loop_bad = compare(name, f"host, last of {repeat} runs", host["loop_outputs"], outs)
        if loop_bad:
            failures.append(loop_bad)
        try:
            lit, lit_err = litert_us(path, r["inputs"]), None
        except (ValueError, RuntimeError) as err:  # LiteRT may reject a TFLM model
            lit, lit_err = None, str(err).split(".")[0]
            log(f"{name}: LiteRT cannot run it: {lit_err}")
        ops = report.get("ops", [])
        n_tvm = sum(1 for o in ops if o.get("backend") == "tvm")
        kinds = ", ".join(report.get("kernels", [])) or "none"
        rows.append(
            {
                "name": name,
                "check": "bit-exact" if outs and outs[0].dtype.kind != "f" else "≤ 1e-5",
                "arena": int(report["arena_bytes"]),
                "bound": report.get("arena_lower_bound"),
                "tflm_arena": r["arena"],
                "weights": report.get("weights_bytes"),
                "compile_s": comp,
                "ops_summary": f"{kinds}; {n_tvm} TVM op(s)"
                if ops
                else f"{kinds}; TVM functions: {len(report.get('tvm_functions', []))}",
                "lwai_us": us,
                "first_us": host["first_us"],
                "loop_same": loop_bad is None,
                "litert_err": lit_err,
                "repeat": repeat,
                "tflm_us": r["us"],
                "litert_us": lit,
                "mismatch": bad,
            }
        )
        log(
            f"{name}: compile {comp:.2f} s, lwai {us:.2f} µs, TFLM {r['us']:.1f} µs, "
            f"LiteRT {_us(lit)} µs, arena {report['arena_bytes']} vs TFLM {r['arena']}"
            + (f"  MISMATCH: {bad}" if bad else "")
        )

    m4, m4_skipped = [], []
    for name in (n for n in M4_MODELS if n in names):
        path = MODELS_DIR / f"{name}.tflite"
        try:
            outs, res = lwai_m4(path, ref[name]["inputs"], work_root / name / "m4")
        except Exception as err:  # noqa: BLE001 -- a failed target is reported, not faked
            reason = str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
            log(f"{name}: {M4_TARGET} skipped: {reason}")
            m4_skipped.append(f"{name} | skipped: {reason.replace('|', '/')}")
            continue
        bad = compare(name, M4_TARGET, outs, ref[name]["outputs"])
        if bad:
            failures.append(bad)
        m4.append({"name": name, **res})
        log(
            f"{name}: {M4_TARGET} {res['instructions']} instructions, flash "
            f"{res['flash_bytes']} B, ram {res['ram_bytes']} B"
            + (f"  MISMATCH: {bad}" if bad else "")
        )

    graph = []
    for name in (r["name"] for r in m4):
        path = MODELS_DIR / f"{name}.tflite"
        for fmt in ("lwfb", "json"):
            try:
                outs, res = lwai_m4_graph(path, ref[name]["inputs"], work_root / name / fmt, fmt)
            except Exception as err:  # noqa: BLE001 -- reported, not faked
                reason = str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
                log(f"{name}: graph + {fmt} on {M4_TARGET} skipped: {reason}")
                graph.append({"name": name, "fmt": fmt, "skipped": reason.replace("|", "/")})
                continue
            bad = compare(name, f"{M4_TARGET} graph {fmt}", outs, ref[name]["outputs"])
            if bad:
                failures.append(bad)
            graph.append({"name": name, "fmt": fmt, **res})
            log(
                f"{name}: graph + {fmt}: {res['instructions']} instructions, flash "
                f"{res['flash_bytes']} B, RAM {res['ram_bytes']} B"
            )

    backends = []
    for target in BACKEND_BOARDS:
        for name in (n for n in BACKEND_MODELS if n in names):
            path = MODELS_DIR / f"{name}.tflite"
            for kernels in kernel_sets():
                entry = {"target": target, "name": name, "kernels": kernels}
                work = work_root / name / f"{target}-{kernels}"
                try:
                    outs, res = lwai_backend(path, ref[name]["inputs"], work, target, kernels)
                except Exception as err:  # noqa: BLE001 -- reported, not faked
                    reason = str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
                    log(f"{name}: {target} --kernels {kernels} skipped: {reason}")
                    backends.append({**entry, "skipped": reason.replace("|", "/")})
                    continue
                bad = compare(name, f"{target} {kernels}", outs, ref[name]["outputs"])
                if bad:
                    failures.append(bad)
                backends.append({**entry, **res})
                log(f"{name}: {target} {kernels}: {res['instructions']} instructions")

    secs = time.perf_counter() - t_start
    text = render(env, rows, m4, m4_skipped, secs, graph)
    text = text.rstrip("\n") + "\n" + "\n".join(_render_backends(backends)) + "\n"
    if failures:
        text += "\n**Output mismatches (the run failed):**\n\n" + "\n".join(
            f"- {f}" for f in failures
        )
        text += "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    if args.json:
        raw = {
            "env": env,
            "host": [{k: v for k, v in r.items()} for r in rows],
            "cortex_m4": m4,
            "cortex_m4_skipped": m4_skipped,
            "cortex_m4_graph": graph,
            "backends": backends,
            "seconds": secs,
        }
        Path(args.json).write_text(json.dumps(raw, indent=1, default=str))
    log(f"wrote {args.out} in {secs:.0f} s")
    for f in failures:
        log(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
