"""Measuring a model's image on a target: what `lwai bench` prints and scripts/bench.py
(`make bench`) sweeps over models, targets and kernel sets."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np


def zero_inputs(report: dict) -> list[np.ndarray]:
    """Zero-filled inputs of the shapes and dtypes the compiled model takes."""
    return [np.zeros(s["shape"], dtype=s["dtype"]) for s in report["inputs"]]


def measure(
    model: Path,
    target: str,
    config: str | None = None,
    defconfig: str | None = None,
    repeat: int | None = None,
    kernels: str | None = None,
    inputs: list[np.ndarray] | None = None,
    executor: str = "aot",
    fmt: str = "lwfb",
    workdir: Path | None = None,
    per_op: bool = False,
) -> tuple[dict, list[np.ndarray], dict]:
    """Builds (cached) and runs the image; returns (the bench JSON object, the outputs of the
    run, details). The JSON holds ``instructions`` per inference on the QEMU boards
    (deterministic, -icount shift=0) or ``us`` per inference on host and qemu-arm (wall time,
    the image's own timer around its loop of ``repeat`` inferences), plus sizes from the ELF.
    ``inputs`` default to zeros; details are ``{"report", "sizes", "run", "image"}`` (the
    compile report, lwai.elfsize.size_report, the targets.RunResult, the image path)."""
    from lwai.driver import compile_cached, run_model, with_kernels
    from lwai.elfsize import size_report
    from lwai.targets import is_qemu_board

    model = Path(model)
    runs = repeat or (1 if is_qemu_board(target) else 20)
    if per_op:  # the same image with CONFIG_LWAI_PROFILING (lwai/report/profile.py)
        from lwai.report.profile import with_profiling

        config = with_profiling(target, with_kernels(kernels, target, config, defconfig), defconfig)
        kernels, defconfig = None, None
    if inputs is None:
        _, report, _ = compile_cached(
            model, target, with_kernels(kernels, target, config, defconfig), defconfig
        )
        inputs = zero_inputs(report)
    with tempfile.TemporaryDirectory(prefix="lwai-bench-") as tmp:
        outputs, info = run_model(
            model,
            inputs,
            Path(workdir) if workdir else Path(tmp),
            target=target,
            config=config,
            defconfig=defconfig,
            repeat=runs,
            executor=executor,
            fmt=fmt,
            kernels=kernels,
        )
    report, res, exe = info["report"], info["result"], info["image"]
    sizes = size_report(exe)
    out: dict = {
        "model": report.get("model", model.stem),
        "target": target,
        "kernels": report.get("kernel_backends", ["reference"]),
        "ops": [
            {k: op[k] for k in ("name", "kind", "backend", "kernel") if k in op}
            for op in report.get("ops", [])
        ],
    }
    if executor != "aot":
        out["executor"], out["format"] = executor, fmt
    if is_qemu_board(target):
        out["instructions"] = res.ticks
    else:
        out["us"] = round(res.total_ticks * 1e6 / res.tick_hz / res.runs, 3)
    out.update(
        runs=res.runs,
        arena_bytes=int(report["arena_bytes"]),
        weights_bytes=int(report.get("weights_bytes", 0)),
        flash_bytes=sizes["flash_bytes"],
        ram_bytes=sizes["ram_bytes"],
        breakdown=sizes.get("breakdown", {}),
        image=str(exe),
    )
    if per_op:
        from lwai.report.profile import per_op_rows

        out["per_op_unit"] = "instructions" if is_qemu_board(target) else "us"
        out["per_op"] = per_op_rows(report, res, target)
    return out, outputs, {"report": report, "sizes": sizes, "run": res, "image": Path(exe)}


def bench(
    model: Path,
    target: str,
    config: str | None = None,
    defconfig: str | None = None,
    repeat: int | None = None,
    kernels: str | None = None,
    **kwargs,
) -> dict:
    """The `lwai bench` JSON object (see `measure`; keyword arguments go to it)."""
    return measure(model, target, config, defconfig, repeat, kernels, **kwargs)[0]
