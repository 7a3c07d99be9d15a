"""`make bench`: measure lwai against TensorFlow Lite Micro and LiteRT; write docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench.py --out docs/BENCHMARKS.md

For every shared model in /work/shared/models (LWAI_MODELS overrides) that lwai compiles:
arena bytes (lwai's plan, the per-op lower bound, TFLM's smallest working arena by
bisection), a fresh compile time, host µs per inference (lwai, TFLM interpreter, LiteRT
1 thread), and on qemu-cortex-m4 instructions per inference, flash/RAM and the size
breakdown. Every lwai output is compared with TFLM's on the same inputs (int8: bit for bit,
float: max abs error <= 1e-5); the script exits 1 if any differs. Numbers are reports, not
assertions: nothing else fails the run.

This script is the sweep over models, boards, executors and kernel sets: every lwai figure
comes from `lwai.bench.measure`, the function `lwai bench` prints; the peers are in
bench_peers.py, the page in bench_render.py; progress as `lwai` shows it (lwai/progress.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# scripts/ is on sys.path: Python puts a script's own folder first
from bench_peers import (
    MIN_SECONDS,
    TRIALS,
    litert_us,
    machine_info,
    tflm_inputs,
    tflm_min_arena,
    tflm_run,
)
from bench_render import _us as us_text
from bench_render import render, render_backends

MODELS_DIR = Path(os.environ.get("LWAI_MODELS", "/work/shared/models"))
SUPPORTED = (
    "hello_world_float",
    "hello_world_int8",
    "simple_add_model",
    "micro_speech_quantized",
    "person_detect",
    "keyword_scrambled",
    "keyword_scrambled_8bit",
    "trained_lstm_int8",
)
UNSUPPORTED: dict[str, str] = {}  # shared models lwai cannot compile, with the reason
M4_MODELS = ("hello_world_int8", "micro_speech_quantized", "person_detect")
M4_TARGET = "qemu-cortex-m4"
BACKEND_BOARDS = ("qemu-cortex-m4", "qemu-cortex-m55")
# the stateful ones from reset state: SVDF and LSTM have CMSIS-NN adapters
BACKEND_MODELS = (
    "hello_world_int8",
    "micro_speech_quantized",
    "person_detect",
    "keyword_scrambled",
    "trained_lstm_int8",
)
FLOAT_ATOL = 1e-5


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


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
    from lwai.bench import measure

    _, outputs, info = measure(path, "host", repeat=1, inputs=inputs, workdir=work / "once")
    ns = max(int(info["run"].ticks or 1), 1)
    repeat = max(3, min(1_000_000, math.ceil(MIN_SECONDS * 1e9 / ns)))
    loop_ns = math.inf
    for _ in range(TRIALS):
        _, loop_outputs, loop = measure(
            path, "host", repeat=repeat, inputs=inputs, workdir=work / "loop"
        )
        loop_ns = min(loop_ns, loop["run"].ticks)
    return {
        "outputs": outputs,
        "first_us": ns / 1000.0,
        "us": loop_ns / 1000.0,
        "repeat": repeat,
        "report": info["report"],
        "loop_outputs": loop_outputs,
    }


def lwai_m4(path: Path, inputs: list[np.ndarray], work: Path) -> tuple[list, dict]:
    from lwai.bench import measure

    res, outputs, info = measure(path, M4_TARGET, repeat=1, inputs=inputs, workdir=work)
    sizes = info["sizes"]
    return outputs, {
        "instructions": int(res["instructions"]),
        "arena_bytes": res["arena_bytes"],
        "weights_bytes": res["weights_bytes"],
        "flash_bytes": res["flash_bytes"],
        "ram_bytes": res["ram_bytes"],
        "stack_bytes": sizes.get("stack_bytes", 0),
        "breakdown": sizes.get("breakdown"),
        "runtime_objects": {
            o: v["text"]
            for o, v in sizes.get("objects", {}).items()
            if v["part"] == "runtime" and v["text"]
        },
        "image": str(info["image"]),
    }


def kernel_sets() -> list[str]:
    """The kernel sets to measure: CMSIS-NN only where the user's checkout is given."""
    sets = ["reference", "optimized"]
    return sets + (["cmsis-nn"] if os.environ.get("LWAI_CMSIS_NN_PATH") else [])


def lwai_backend(path: Path, inputs, work: Path, target: str, kernels: str) -> tuple[list, dict]:
    from lwai.bench import measure

    res, outputs, info = measure(
        path, target, repeat=1, kernels=kernels, inputs=inputs, workdir=work
    )
    report = info["report"]
    scratch = max((op.get("scratch_bytes", 0) for op in report["ops"]), default=0)
    return outputs, {
        "instructions": int(res["instructions"]),
        "flash_bytes": res["flash_bytes"],
        "kernels_text": res["breakdown"].get("kernels_text", 0),
        "ram_bytes": res["ram_bytes"],
        "arena_bytes": res["arena_bytes"],
        "op_bound": int(report.get("arena_lower_bound") or 0),
        "max_scratch": int(scratch),
        "backends": sorted({op["backend"] for op in report["ops"]}),
    }


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
    from lwai.bench import measure
    from lwai.elfsize import symbols

    res, outputs, info = measure(
        path, M4_TARGET, repeat=1, inputs=inputs, executor="graph", fmt=fmt, workdir=work
    )
    sizes = info["sizes"]
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
    arena_needed = int(info["run"].arena_needed or 0)
    return outputs, {
        "instructions": int(res["instructions"]),
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


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    ap.add_argument("--results", help="also write the raw results here (JSON)")
    args = ap.parse_args(argv)
    from lwai import progress

    progress.configure(True)  # rich on a terminal, a line per phase and model in logs
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
    for seed, name in enumerate(progress.track(names, "TFLM reference runs")):
        path = MODELS_DIR / f"{name}.tflite"
        inputs = tflm_inputs(path, seed)
        outs, us = tflm_run(path, inputs)
        arena, probes = tflm_min_arena(path, inputs)
        ref[name] = {"inputs": inputs, "outputs": outs, "us": us, "arena": arena}
        log(f"{name}: TFLM {us:.1f} µs, min arena {arena} B ({probes} probes)")

    rows = []
    work_root = Path(tempfile.mkdtemp(prefix="lwai-bench-"))
    for name in progress.track(names, "lwai on host"):
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
            f"LiteRT {us_text(lit)} µs, arena {report['arena_bytes']} vs TFLM {r['arena']}"
            + (f"  MISMATCH: {bad}" if bad else "")
        )

    m4, m4_skipped = [], []
    for name in progress.track([n for n in M4_MODELS if n in names], f"lwai on {M4_TARGET}"):
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
    jobs = [(r["name"], fmt) for r in m4 for fmt in ("lwfb", "json")]
    for name, fmt in progress.track(jobs, f"graph executor on {M4_TARGET}"):
        path = MODELS_DIR / f"{name}.tflite"
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
    jobs = [
        (target, name, kernels)
        for target in BACKEND_BOARDS
        for name in BACKEND_MODELS
        if name in names
        for kernels in kernel_sets()
    ]
    for target, name, kernels in progress.track(jobs, "kernel backends"):
        path = MODELS_DIR / f"{name}.tflite"
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
    present = {n: why for n, why in UNSUPPORTED.items() if (MODELS_DIR / f"{n}.tflite").is_file()}
    text = render(env, rows, m4, m4_skipped, secs, graph, present)
    text = text.rstrip("\n") + "\n" + "\n".join(render_backends(backends)) + "\n"
    if failures:
        text += "\n**Output mismatches (the run failed):**\n\n" + "\n".join(
            f"- {f}" for f in failures
        )
        text += "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    if args.results:
        raw = {
            "env": env,
            "host": [{k: v for k, v in r.items()} for r in rows],
            "cortex_m4": m4,
            "cortex_m4_skipped": m4_skipped,
            "cortex_m4_graph": graph,
            "backends": backends,
            "seconds": secs,
        }
        Path(args.results).write_text(json.dumps(raw, indent=1, default=str))
    log(f"wrote {args.out} in {secs:.0f} s")
    for f in failures:
        log(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
