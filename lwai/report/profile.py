"""Per-op profile: build the model's image with ``CONFIG_LWAI_PROFILING``, run it and turn
the per-node counter lines the image prints into ``per_op`` rows
(``lwai bench --per-op``: lwai.bench.measure(per_op=True) uses both functions).

The image's hook (runtime/include/lwai/node_hook.h) reads the board counter after every
node; a node's count runs from the end of the node before it to its own end (lwai/profile.h),
and a last row holds the executor's own entry and exit (lwai_model_run), so the rows of one
inference sum to the whole inference less the image's two counter reads around it. On
the QEMU boards the counter is SysTick under ``-icount shift=0``: the rows are in
``instructions``, the same unit as ``lwai bench``'s whole-inference count; on host and
qemu-arm they are ``us`` (clock_gettime).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from lwai.errors import LwaiError

PROFILE_LINES = ("CONFIG_LWAI_PROFILING=y",)
# The last per_op row: lwai_model_run's own entry and exit (checks, dispatch), outside
# every node; the rows together make the whole inference.
EXECUTOR_ROW = {
    "name": "(executor)",
    "op": "executor",
    "backend": "runtime",
    "kernel": "lwai_model_run",
}


def with_profiling(target: str, config: str | None = None, defconfig: str | None = None) -> str:
    """The config file to build a profiling image from: ``config`` (or the defconfig, or
    the target's) with CONFIG_LWAI_PROFILING on, written once into the compile cache."""
    from lwai.config import defconfig_path
    from lwai.driver import TARGET_DEFCONFIG, cache_root

    name = defconfig or TARGET_DEFCONFIG.get(target)
    if config is None and name is None:
        raise LwaiError(target, f"no default configuration for target '{target}'")
    text = Path(config).read_text() if config else defconfig_path(name).read_text()
    keep = [
        ln
        for ln in text.splitlines()
        if not ln.startswith("CONFIG_LWAI_PROFILING=")
        and not ln.startswith("# CONFIG_LWAI_PROFILING is not set")
    ]
    body = "\n".join(keep + list(PROFILE_LINES)) + "\n"
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    path = cache_root() / "configs" / f"profiling-{digest}.config"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(body)
        tmp.replace(path)
    return str(path)


def per_op_rows(report: dict, result, target: str) -> list[dict]:
    """``per_op`` rows from a profiling run (lwai.targets.RunResult with ``profile``) and the
    model's report.json: name, op, backend, kernel and the count per inference, one row per
    op in report.json order, then :data:`EXECUTOR_ROW` with the executor's own count."""
    from lwai.targets import is_qemu_board

    if not result.profile:
        raise LwaiError(
            target,
            "the image printed no per-node profile",
            "Build it with CONFIG_LWAI_PROFILING=y (lwai bench --per-op does).",
        )
    ops = report.get("ops", [])
    by_node = {n: (k, t) for n, k, t in result.profile}
    if len(by_node) != len(ops):
        raise LwaiError(
            target,
            f"the profile has {len(by_node)} node(s) but report.json lists {len(ops)} op(s)",
            "Raise CONFIG_LWAI_PROFILING_MAX_NODES if the model has more ops than it.",
        )
    hz = result.tick_hz or 1_000_000_000
    qemu = is_qemu_board(target)

    def count(ticks: int) -> dict:
        if qemu:  # icount shift=0: 1 ns of virtual time per instruction
            return {"instructions": round(ticks * 1_000_000_000 / hz / result.runs)}
        return {"us": round(ticks * 1e6 / hz / result.runs, 3)}

    rows = []
    for i, op in enumerate(ops):
        kernel, ticks = by_node.get(i, ("?", 0))
        rows.append(
            {
                "name": op.get("name", f"op{i}"),
                "op": op.get("kind", "?"),
                "backend": op.get("backend", "?"),
                "kernel": op.get("kernel") or kernel,
                **count(ticks),
            }
        )
    if result.executor_ticks is not None:
        rows.append({**EXECUTOR_ROW, **count(result.executor_ticks)})
    return rows
