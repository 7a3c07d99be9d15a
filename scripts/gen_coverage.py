#!/usr/bin/env python3
"""The operator coverage table of docs/operators.md: every op TFLite Micro registers, with
lwai's status for it (issue 12, acceptance 4).

What TFLM registers is read from the installed ``tflite_micro`` package, not typed in:
- builtins: its Python interpreter's op resolver (``PythonOpsResolver``, TFLM's all-ops
  list) is asked for each BuiltinOperator code with a one-op model; an op is registered
  unless TFLM answers "Didn't find op for builtin opcode" (probed in child processes,
  since TFLM's Prepare of a dummy op may crash; a crash means the op was found);
- custom ops (the signal library's audio front-end ops, detection post-processing,
  circular buffer): the registration functions the wheel's ``_runtime.so`` exports.

lwai's side comes from the op spec (lwai/spec/ops.yaml: kernels, dtypes, backends), TVM's
TFLite converter (what it imports, float and quantized) and the test files that name each
kernel. ``python -m tests.onnx_cases --write-doc`` writes the section into
docs/operators.md; tests/test_op_coverage.py fails when it is stale.

    .venv/bin/python scripts/gen_coverage.py            # print the section
    .venv/bin/python scripts/gen_coverage.py --probe 3 4   # (internal) probe builtin codes
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MISSING_MARK = "Didn't find op for builtin opcode"
# Codes that are not operators: no model can name them as a builtin.
NOT_OPS = ("CUSTOM", "DELEGATE", "PLACEHOLDER_FOR_GREATER_OP_CODES")


def _builtin_names() -> dict[int, str]:
    from tflite.BuiltinOperator import BuiltinOperator

    return {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}


def _probe_model(code: int) -> bytes:
    from lwai.tflite_writer import ModelBuilder

    mb = ModelBuilder()
    x = mb.add_tensor("x", (1, 4), "float32")
    y = mb.add_tensor("y", (1, 4), "float32")
    mb.add_op(code, [x], [y])
    mb.inputs, mb.outputs = [x], [y]
    return mb.build()


def _probe_child(codes: list[int]) -> None:
    """Prints "<code> found|missing" per code; TFLM's log goes to fd 2, read back here."""
    from tflite_micro.python.tflite_micro import runtime

    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        for code in codes:
            print(f"start {code}", flush=True)
            log.seek(0)
            log.truncate()
            # Any failure after the lookup (bad tensors for this op) still means "found".
            with contextlib.suppress(Exception):
                runtime.Interpreter.from_bytes(_probe_model(code), arena_size=16384)
            log.seek(0)
            text = log.read().decode(errors="replace")
            print(f"{code} {'missing' if MISSING_MARK in text else 'found'}", flush=True)


@functools.lru_cache(maxsize=1)
def tflm_builtins() -> tuple[str, ...]:
    """Builtin names TFLM's all-ops resolver registers, in code order."""
    names = _builtin_names()
    todo = [c for c in sorted(names) if names[c] not in NOT_OPS]
    found: dict[int, bool] = {}
    while todo:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--probe", *map(str, todo)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        started = None
        for line in proc.stdout.splitlines():
            word, code = line.split()[0], line.split()[-1]
            if word == "start":
                started = int(code)
            else:
                found[int(word)] = code == "found"
                started = None
        if started is not None:  # crashed inside Prepare/Invoke: the lookup succeeded
            found[started] = True
        todo = [c for c in todo if c not in found]
        if proc.returncode == 0 and todo:
            raise RuntimeError(f"probe answered nothing for codes {todo}")
    return tuple(names[c] for c in sorted(found) if found[c])


@functools.lru_cache(maxsize=1)
def tflm_custom_ops() -> tuple[str, ...]:
    """Custom-op registrations exported by the tflite_micro wheel's runtime library."""
    import tflite_micro

    so = next(Path(tflite_micro.__file__).parent.rglob("_runtime*.so"))
    text = subprocess.run(
        ["nm", "-C", "--defined-only", str(so)], capture_output=True, text=True, check=True
    ).stdout
    names = set()
    for m in re.finditer(r"tflite::micro::(tflm_signal::)?Register_([A-Z0-9_]+)\(\)", text):
        names.add(("signal " if m.group(1) else "") + m.group(2))
    builtins = set(tflm_builtins())
    return tuple(sorted(n for n in names if n not in builtins))


def _tvm_support() -> tuple[set[str], set[str]]:
    """(ops TVM's TFLite converter imports, the ones it imports quantized)."""
    from tvm.relax.frontend.tflite import tflite_frontend as t

    conv = t.OperatorConverter.__new__(t.OperatorConverter)
    # convert_map is built in __init__; read it without a model.
    src = Path(t.__file__).read_text()
    body = src[src.index("self.convert_map = {") : src.index("}", src.index("self.convert_map"))]
    imported = set(re.findall(r'"([A-Z0-9_]+)":', body))
    del conv
    return imported, set(t.OperatorConverter._SUPPORTED_QUANTIZED_OPS)


def _tests_naming(words: list[str]) -> list[str]:
    """Test files naming any of ``words`` as a whole token (kernel or case group names)."""
    out = []
    for f in sorted((REPO / "tests").glob("test_*.py")):
        text = f.read_text()
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            out.append(f.name)
    return out


DTYPE_OF_SUFFIX = {"s8": "int8", "s16": "int16", "f32": "float32"}


def _kernel_dtype(name: str) -> str:
    """conv2d_s8 -> int8; quantize_f32_s8 -> float32->int8; reshape -> any."""
    parts = [DTYPE_OF_SUFFIX[p] for p in name.split("_") if p in DTYPE_OF_SUFFIX]
    return "->".join(parts) if parts else "any"


def lwai_ops() -> dict[str, list[tuple[str, str, list[str]]]]:
    """TFLite builtin -> [(dtype, backends, tests)] of lwai's library kernels."""
    from lwai import opspec

    spec = opspec.load()
    out: dict[str, list] = {}
    for kind, op in spec.ops.items():
        for kname, k in op.kernels.items():
            backends = ["reference"]
            for b, be in k.backends.items():
                backends.append(f"{b} ({', '.join(be.arch)})" if be.arch else b)
            dt = _kernel_dtype(kname)
            group = f"{kind}_{dt}" if "->" not in dt and dt != "any" else kind
            tests = _tests_naming([kname, group, f"lwai_{kname}"])
            for builtin in op.tflite:
                out.setdefault(builtin, []).append((dt, ", ".join(backends), tests))
    return out


# Exact without an lwai kernel: TVM's C computes these on int8 data exactly (checked
# against TFLM in tests/test_op_coverage.py), so lwai passes them (lwai/passes/exactness.py).
_MOVE = ("int8, int16 (data movement)", "test_op_coverage.py")
_MOVE8 = ("int8 (data movement)", "test_op_coverage.py")
_CLAMP = ("int8, int16, input and output quantization equal", "test_op_coverage.py")
TVM_EXACT = {
    "PAD": _MOVE,
    "PADV2": _MOVE,
    "TRANSPOSE": _MOVE,
    "SLICE": _MOVE,
    "STRIDED_SLICE": _MOVE,
    "SQUEEZE": _MOVE,
    "CONCATENATION": ("int8, int16, equal quantization (data movement)", "test_op_coverage.py"),
    "GATHER": _MOVE8,
    "DEPTH_TO_SPACE": _MOVE8,
    "SPACE_TO_DEPTH": _MOVE8,
    "MAXIMUM": _CLAMP,
    "MINIMUM": _CLAMP,
}


def coverage_section() -> str:
    builtins = tflm_builtins()
    customs = tflm_custom_ops()
    mine = lwai_ops()
    tvm_ops, tvm_quant = _tvm_support()
    rows, n_kernel, n_float, n_missing = [], 0, 0, 0
    for name in builtins:
        cells = mine.get(name)
        if cells:
            n_kernel += 1
            dts = "; ".join(f"{dt}: {be}" for dt, be, _ in cells)
            tests = sorted({t for *_, ts in cells for t in ts})
            status = "done"
        else:
            dts, tests = "", []
            if name not in tvm_ops:
                status = "missing: TVM cannot import it, no lwai kernel yet"
                n_missing += 1
            else:
                n_float += 1
                if name in TVM_EXACT:
                    quant = "quantized: exact on TVM C, no lwai kernel yet"
                elif name in tvm_quant:
                    quant = "quantized: not yet implemented (the compile stops, naming it)"
                else:
                    quant = "quantized: TVM cannot import it, no lwai kernel yet"
                status = f"float32: TVM C (not tested by lwai); {quant}"
        if name in TVM_EXACT:
            what, test = TVM_EXACT[name]
            dts = "; ".join(x for x in (dts, f"{what}: TVM C (exact)") if x)
            tests = sorted(set(tests) | {test})
        rows.append(f"| {name} | {status} | {dts} | {', '.join(tests)} |\n")
    total = len(builtins)
    n_exact = sum(1 for name in builtins if name in TVM_EXACT and name not in mine)
    head = f"""\
## Coverage against TFLite Micro

TFLite Micro's all-ops resolver (the `tflite_micro` {_tflm_version()} package's Python
interpreter) registers **{total} builtin operators**. lwai has library kernels for
**{n_kernel}** of them (bit-exact with TFLM for int8 and int16; float32 within 1e-5); **{n_float}** more
are imported by TVM and compiled by its "c" target in float32, **{n_exact}** of them also
quantized, exactly (see below; any other quantized one stops
the compile with its name and dtype rather than running TVM's float approximation:
`lwai/passes/exactness.py`); **{n_missing}** cannot be imported. "tests" names the test files
that exercise each kernel (generated single-op models against TFLM, shared models).
"TVM C (exact)" marks quantized ops lwai has no kernel for but lets TVM compute, because
TVM's C gives TFLite's integers: pure data movement (reshape, permute, slice, pad, concat,
gather, ...) and, between a dequantize and a quantize of the same scale and zero point,
clamps and selections (max, min, clip); every such cell is checked bit for bit against TFLM.
Any other quantized op left for TVM stops the compile (the rule: `lwai/passes/exactness.py`).
Generated by `scripts/gen_coverage.py` (via `python -m tests.onnx_cases --write-doc`).

| TFLM builtin | lwai | dtype: backends | tests |
| --- | --- | --- | --- |
"""
    tail = (
        "\nRegistrations the TFLM runtime library exports besides the builtins (custom ops:"
        " the signal library's audio front end, detection post-processing, circular buffer,"
        " Ethos-U; reference variants), none in lwai yet: "
    )
    tail += ", ".join(f"`{c}`" for c in customs) + ".\n\n"
    return head + "".join(rows) + tail


def _tflm_version() -> str:
    try:
        from tflite_micro.python.tflite_micro import _version

        return str(getattr(_version, "__version__", "")).strip() or "installed"
    except ImportError:
        return "installed"


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        _probe_child([int(c) for c in sys.argv[2:]])
        return 0
    print(coverage_section(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
