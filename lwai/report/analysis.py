"""What `lwai report` shows, as plain data: read from report.json (written by
``lwai compile``), an image's ELF and link map (lwai.elfsize) and a per-op profile
(``lwai bench --per-op`` JSON). The tables, plots, JSON and HTML are all drawn from the
dict :func:`analyze` returns, so they show the same numbers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lwai.errors import LwaiError

# report.json keys the report needs (memory_plan: `lwai compile` since issue 15 adds the
# owner of each buffer and the per-op layout; older reports still give the plan itself).
REQUIRED = ("model", "arena_bytes", "weights_bytes", "ops", "memory_plan")


def load_json(path: str | Path, what: str) -> dict:
    p = Path(path)
    if p.is_dir():
        p = p / "report.json"
    if not p.is_file():
        raise LwaiError(path, f"no such {what}")
    try:
        data = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise LwaiError(p, f"cannot read {what}: {err}") from None
    if not isinstance(data, dict):
        raise LwaiError(p, f"not a {what}: the JSON is not an object")
    return data


def load_report(path: str | Path) -> dict:
    report = load_json(path, "report.json")
    missing = [k for k in REQUIRED if k not in report]
    if missing:
        raise LwaiError(
            path,
            f"not an lwai report.json: no {', '.join(missing)}",
            "Give the report.json that `lwai compile MODEL -o OUT` writes (OUT/report.json).",
        )
    return report


def _live(plan: list[dict], step: int) -> list[dict]:
    return [b for b in plan if b["first"] <= step <= b["last"]]


def memory(report: dict) -> dict:
    """The arena plan: buffers, the peak (the arena's high-water mark: the highest buffer
    end, and the step where the live bytes at that point are largest) and the op bound
    (the largest sum of live bytes at one step, below which no plan can go)."""
    plan = [dict(b) for b in report["memory_plan"]]
    arena = int(report["arena_bytes"])
    steps = max((b["last"] for b in plan), default=-1) + 1
    live_bytes = [sum(b["bytes"] for b in _live(plan, s)) for s in range(steps)]
    bound = max(live_bytes, default=0)
    bound_step = live_bytes.index(bound) if live_bytes else 0
    # The peak step: a step where the arena's top byte is in use; of those, the fullest.
    top = [b for b in plan if b["offset"] + b["bytes"] == arena]
    peak_steps = sorted({s for b in top for s in range(b["first"], b["last"] + 1)})
    peak_step = max(peak_steps, key=lambda s: (live_bytes[s], -s)) if peak_steps else 0
    live = sorted(_live(plan, peak_step), key=lambda b: b["offset"])
    return {
        "arena_bytes": arena,
        "op_bound_bytes": bound,
        "op_bound_step": bound_step,
        "arena_lower_bound": int(report.get("arena_lower_bound", bound)),
        "peak_step": peak_step,
        "peak_live_bytes": live_bytes[peak_step] if live_bytes else 0,
        "peak_live": [b["name"] for b in live],
        "live_bytes": live_bytes,
        "steps": steps,
        "buffers": plan,
    }


def ops_table(report: dict) -> list[dict]:
    """One row per op: kind, backend, kernel, output buffer (offset, bytes), workspace."""
    plan = {b["name"]: b for b in report["memory_plan"]}
    rows = []
    for i, op in enumerate(report["ops"]):
        out = plan.get(op.get("output") or "")
        ws = plan.get(op.get("workspace") or "")
        rows.append(
            {
                "index": i,
                "name": op.get("name", f"op{i}"),
                "kind": op.get("kind", "?"),
                "backend": op.get("backend", "?"),
                "kernel": op.get("kernel", ""),
                "output": op.get("output"),
                "output_shape": op.get("output_shape"),
                "offset": out["offset"] if out else None,
                "bytes": out["bytes"] if out else None,
                "workspace_offset": ws["offset"] if ws else None,
                # as the kernel asks (TVM functions: their planned workspace)
                "scratch_bytes": int(op.get("scratch_bytes", ws["bytes"] if ws else 0) or 0),
                "workspace_bytes": ws["bytes"] if ws else 0,  # as planned (16-byte aligned)
                "weights_bytes": op.get("weights_bytes"),
            }
        )
    return rows


def weights_by_layer(report: dict) -> list[dict]:
    total = int(report["weights_bytes"])
    rows = []
    for i, op in enumerate(report["ops"]):
        w = op.get("weights_bytes")
        if w is None:
            continue
        rows.append(
            {
                "name": op.get("name", f"op{i}"),
                "kind": op.get("kind", "?"),
                "bytes": int(w),
                "percent": round(100.0 * w / total, 2) if total else 0.0,
            }
        )
    return rows


_KERNEL_OBJ = re.compile(r"/obj/kernels/(.+?)\.[^./]+$")  # .o, or .os (POSIX: shared)


def image_sizes(elf: str | Path) -> dict:
    """Flash/RAM of an image and where they go: runtime, each kernel file, the generated
    code, the weights, the board (start-up and console), the app, the C library. Totals
    from the ELF's sections, parts from the link map beside it (lwai.elfsize)."""
    from elftools.common.exceptions import ELFError

    from lwai.elfsize import section_sizes, size_report

    elf = Path(elf)
    if not elf.is_file():
        raise LwaiError(elf, "no such image")
    try:
        sizes = size_report(elf)
        sections = section_sizes(elf)
    except ELFError as err:
        raise LwaiError(elf, f"not an ELF image: {err}") from None
    out = {
        "image": str(elf),
        "totals": {k: v for k, v in sizes.items() if k.endswith("_bytes")},
        "sections": sections,
    }
    parts = sizes.get("breakdown", {}).get("parts")
    if not parts:
        out["parts"] = None
        return out
    rows: list[dict] = []

    def add(label: str, group: str, flash: int, ram: int) -> None:
        if flash or ram:
            rows.append({"part": label, "group": group, "flash_bytes": flash, "ram_bytes": ram})

    p = parts["runtime"]
    add("runtime", "runtime", p["flash"], p["ram"])
    kernels: dict[str, dict] = {}
    for obj, o in sizes.get("objects", {}).items():
        if o["part"] != "kernels":
            continue
        m = _KERNEL_OBJ.search(obj.replace("\\", "/"))
        name = m.group(1) if m else Path(obj).stem
        k = kernels.setdefault(name, {"flash": 0, "ram": 0})
        k["flash"] += o["text"] + o["rodata"] + o["data"]
        k["ram"] += o["data"] + o["bss"]
    for name in sorted(kernels, key=lambda n: -kernels[n]["flash"]):
        add(f"kernel {name}", "kernels", kernels[name]["flash"], kernels[name]["ram"])
    m = parts["model"]
    add("generated code", "model", m["text"], m["bss"])
    add("weights", "weights", m["rodata"] + m["data"], m["data"])
    add("board", "board", parts["boards"]["flash"], parts["boards"]["ram"])
    add("app", "board", parts["app"]["flash"], parts["app"]["ram"])
    add("C library", "libc", parts["libc"]["flash"], parts["libc"]["ram"])
    t = out["totals"]
    add("arena", "arena", 0, t.get("arena_bytes", 0))
    add("stack", "stack", 0, t.get("stack_bytes", 0))
    out["parts"] = rows
    return out


def profile(bench: dict, report: dict, path: str | Path = "profile") -> dict:
    """The per-op rows of a `lwai bench --per-op` JSON, checked against the report."""
    rows = bench.get("per_op")
    if not isinstance(rows, list) or not rows:
        raise LwaiError(
            path, "no per_op rows in this JSON", "Make it with `lwai bench MODEL --per-op`."
        )
    unit = bench.get("per_op_unit") or next(
        (u for u in ("instructions", "cycles", "us") if u in rows[0]), None
    )
    if unit is None or any(unit not in r for r in rows):
        raise LwaiError(path, "per_op rows lack a count (instructions, cycles or us)")
    if bench.get("model") and bench["model"] != report.get("model"):
        raise LwaiError(
            path,
            f"the profile is of model '{bench['model']}', the report of '{report.get('model')}'",
        )
    ops = [r for r in rows if r.get("backend") != "runtime"]  # less the executor's row
    if [r.get("name") for r in ops] != [o.get("name") for o in report["ops"]]:
        raise LwaiError(
            path,
            f"the profile's {len(ops)} ops are not the report's {len(report['ops'])}",
            "Profile the model this report.json was compiled from.",
        )
    total = sum(r[unit] for r in rows)
    out_rows = [
        {
            "name": r.get("name"),
            "op": r.get("op"),
            "backend": r.get("backend"),
            "kernel": r.get("kernel", ""),
            unit: r[unit],
            "percent": round(100.0 * r[unit] / total, 2) if total else 0.0,
        }
        for r in rows
    ]
    whole = bench.get(unit)
    return {
        "unit": unit,
        "target": bench.get("target"),
        "rows": out_rows,
        "sum": total,
        "whole": whole,
        "sum_over_whole": round(total / whole, 4) if whole else None,
    }


def analyze(
    report: dict,
    elf: str | Path | None = None,
    bench: dict | None = None,
    bench_path: str | Path = "profile",
) -> dict:
    """Everything the report shows (see the module doc)."""
    out = {
        "model": report["model"],
        "profile": report.get("profile"),
        "target": report.get("target"),
        "arena_bytes": int(report["arena_bytes"]),
        "weights_bytes": int(report["weights_bytes"]),
        "ops": ops_table(report),
        "memory": memory(report),
        "weights": weights_by_layer(report),
    }
    if elf is not None:
        out["size"] = image_sizes(elf)
    if bench is not None:
        out["per_op"] = profile(bench, report, bench_path)
    return out
