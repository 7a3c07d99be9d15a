#!/usr/bin/env python3
"""The operator coverage table of docs/operators.md: one row per op x dtype cell TFLite Micro
supports, with lwai's status for it and the tests that verify it (issue 12, acceptances 2, 4).

Three inputs, none typed in here:
- TFLM's cells: lwai/spec/tflm_cells.json, written by scripts/probe_tflm_cells.py (one
  single-op model per builtin x dtype run by the installed ``tflite_micro`` interpreter; its
  builtins come from :func:`tflm_builtins` below, which asks TFLM's all-ops resolver for
  every BuiltinOperator code); custom ops from the wheel's ``_runtime.so`` symbols;
- lwai's status per cell: that cell's probe model compiled by ``lwai.compiler.compile_model``
  (default configuration) in a child process: the kernels report.json names (an lwai kernel,
  TVM's C, both), or the error that stops the compile;
- the tests: every tests/test_*.py that assigns a module-level ``CELLS`` (builtin or custom
  op -> dtype labels it verifies with >= 20 generated cases against TFLM on the host and
  qemu-cortex-m4) is imported and its ``CELLS`` read.

``python -m tests.onnx_cases --write-doc`` writes the section into docs/operators.md
(``--check-doc`` fails on a stale doc); tests/test_op_coverage.py checks it too.

    .venv/bin/python scripts/gen_coverage.py              # print the section
    .venv/bin/python scripts/gen_coverage.py --cells      # per cell: status, tests (TSV)
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
for _p in (REPO, TESTS, REPO / "scripts"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

MISSING_MARK = "Didn't find op for builtin opcode"
# Codes that are not operators: no model can name them as a builtin.
NOT_OPS = ("CUSTOM", "DELEGATE", "PLACEHOLDER_FOR_GREATER_OP_CODES")
CELLS_DATA = REPO / "lwai" / "spec" / "tflm_cells.json"
# Labels of cells TFLM does not have but lwai tests (float activations with int8 weights).
EXTRA_LABELS = ("hybrid",)


# ---- TFLM's builtins and custom ops -----------------------------------------------------


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


def custom_key(name: str) -> str:
    """The row key of a custom op: "signal WINDOW" -> "SIGNAL_WINDOW"."""
    return name.replace("signal ", "SIGNAL_")


def same_custom(a: str, b: str) -> bool:
    """ "signal FILTER_BANK_LOG", "SIGNAL_FILTER_BANK_LOG" and "SignalFilterBankLog" (the name
    a model's custom op code carries) are one op."""

    def norm(s: str) -> str:
        # TFLM registers DETECTION_POSTPROCESS under the custom code TFLite_Detection_PostProcess
        # ... and DECODE under TFLM_DECODE
        return re.sub(r"[\s_]", "", s).upper().removeprefix("TFLITE").removeprefix("TFLM")

    return norm(a) == norm(b)


# Per-dtype registrations of a custom op (TFLM's size-optimized variants of the op above
# them): no rows of their own.
_VARIANT = re.compile(r"_(FLOAT|INT16|INT32)$")


def _tflm_version() -> str:
    from tflite_micro.python.tflite_micro import _version

    return str(_version.__version__).strip()


def tflm_cells() -> dict:
    """lwai/spec/tflm_cells.json; refuses a file probed with another tflite_micro."""
    data = json.loads(CELLS_DATA.read_text())
    if data["tflite_micro"] != _tflm_version():
        raise RuntimeError(
            f"{CELLS_DATA} was probed with tflite_micro {data['tflite_micro']}, installed is "
            f"{_tflm_version()}: run {data['command']}"
        )
    return data


# ---- the tests' CELLS --------------------------------------------------------------------


def _cells_node(path: Path) -> ast.expr | None:
    """The value of the module-level ``CELLS = ...`` assignment, or None."""
    for node in ast.parse(path.read_text(), str(path)).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "CELLS" for t in targets) and node.value:
            return node.value
    return None


def _read_cells(path: Path, node: ast.expr) -> object:
    """A literal CELLS is read from the source; a computed one by importing the file."""
    with contextlib.suppress(ValueError, SyntaxError):
        return ast.literal_eval(node)
    spec = importlib.util.spec_from_file_location(f"_cells_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[spec.name]
    return mod.CELLS


@functools.lru_cache(maxsize=1)
def _scan_tests() -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, str]]:
    from probe_tflm_cells import canonical

    out: dict[str, dict[str, tuple[str, ...]]] = {}
    errors: dict[str, str] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        try:
            node = _cells_node(path)
            if node is None:
                continue
            cells = _read_cells(path, node)
        except Exception as e:  # noqa: BLE001 - reported in the doc, failed by its test
            errors[path.name] = f"cannot read CELLS: {type(e).__name__}: {e}"
            continue
        if not isinstance(cells, dict) or not all(
            isinstance(k, str)
            and isinstance(v, (list, tuple))
            and all(isinstance(x, str) for x in v)
            for k, v in cells.items()
        ):
            errors[path.name] = "CELLS must be dict[str, list[str]]"
            continue
        out[path.name] = {op: tuple(canonical(x) for x in labs) for op, labs in cells.items()}
    return out, errors


def test_cells() -> dict[str, dict[str, tuple[str, ...]]]:
    """test file name -> its CELLS (labels canonical: "int8->int8" is "int8"), for every
    tests/test_*.py with a module-level ``CELLS`` assignment (found by ast; a literal is read
    from the source, a computed dict by importing the file)."""
    return _scan_tests()[0]


def cells_errors() -> dict[str, str]:
    """test file name -> why its CELLS could not be read."""
    return _scan_tests()[1]


def tests_by_cell() -> dict[tuple[str, str], list[str]]:
    """(op, label) -> test files whose CELLS name it."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, cells in test_cells().items():
        for op, labs in cells.items():
            for lab in labs:
                out.setdefault((op, lab), []).append(name)
    return out


# ---- lwai's status per cell: compile the cell's probe model ---------------------------------


def _compile_child(keys: list[str]) -> None:
    """Compiles the probe model of each "OP label" key; prints one JSON line per cell:
    {"cell": key, "ops": [[backend, kernel], ...]} or {"cell": key, "error": text}."""
    import probe_tflm_cells as pt

    from lwai.compiler import compile_model
    from lwai.errors import LwaiError

    builders = {f"{op} {lab}": f for op, lab, f in pt.probes() + pt.custom_probes()}
    os.environ["LWAI_CACHE_DIR"] = tempfile.mkdtemp(prefix="lwai-cov-cache-")
    with tempfile.TemporaryDirectory(prefix="lwai-cov-") as tmp:
        for i, key in enumerate(keys):
            print(json.dumps({"start": key}), flush=True)
            p = pt.P()
            builders[key](p)
            model = Path(tmp) / f"m{i}.tflite"
            model.write_bytes(p.mb.build())
            try:
                with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
                    report = compile_model(model, Path(tmp) / f"out{i}")
                ops = [[o.get("backend", ""), o.get("kernel", "")] for o in report["ops"]]
                res = {"cell": key, "ops": ops}
            except LwaiError as e:
                res = {"cell": key, "error": e.what}
            except Exception as e:  # noqa: BLE001 - a bug in lwai: shown in the table
                res = {"cell": key, "error": f"compile crashed: {type(e).__name__}: {e}"}
            print(json.dumps(res), flush=True)


@functools.lru_cache(maxsize=1)
def lwai_status() -> dict[tuple[str, str], dict]:
    """(op, label) -> the compile result of its probe model (see _compile_child)."""
    data = tflm_cells()
    cells = {**data["cells"], **data["custom_cells"]}
    todo = [f"{op} {lab}" for op, labs in cells.items() for lab in labs]
    out: dict[str, dict] = {}
    while todo:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--compile", *todo],
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
        started = None
        for line in proc.stdout.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if "start" in rec:
                started = rec["start"]
            else:
                out[rec["cell"]] = rec
                started = None
        if started is not None:
            out[started] = {"cell": started, "error": f"compile crashed (exit {proc.returncode})"}
        elif proc.returncode != 0:
            raise RuntimeError(f"compile child failed:\n{proc.stderr[-3000:]}")
        todo = [k for k in todo if k not in out]
    return {tuple(k.split(" ", 1)): v for k, v in out.items()}  # type: ignore[misc]


@functools.lru_cache(maxsize=1)
def _kernel_index() -> dict[str, tuple[str, str]]:
    """C symbol -> (reference symbol, its backends text) from the op spec."""
    from lwai import opspec

    out = {}
    for op in opspec.load().ops.values():
        for k in op.kernels.values():
            backends = ["reference"]
            for b, be in k.backends.items():
                backends.append(f"{b} ({', '.join(be.arch)})" if be.arch else b)
            for sym in (k.symbol(), *(k.symbol(b) for b in k.backends)):
                out[sym] = (k.symbol(), ", ".join(backends))
    return out


def classify(op: str, label: str, res: dict) -> tuple[str, str]:
    """(category, text) of one cell: kernel, alias, tvm-exact, tvm-float, refused, missing."""
    if "error" in res:
        what = res["error"].replace("|", "/").replace("\n", " ")
        what = re.sub(r", operator 0, output tensor '[^']*'", "", what)
        what = re.sub(r"\. Replace it in the model.*", "", what)
        if "not a computed tensor" in what:
            what += " (the probe model's output folds to a constant)"
        short = what if len(what) <= 160 else what[:157] + "..."
        named = op in what and any(d in what for d in label.split("->"))
        return ("refused", f"refused: {short}") if named else ("missing", f"missing: {short}")
    ops = res["ops"]
    if op in ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE") and ops:
        # resource variables: state in the arena, read and written by byte copies
        return "kernel", (
            "lwai: persistent arena state, `lwai_reshape` byte copies, CALL_ONCE's init "
            "value written at init/reset (lwai/frontend/variables.py)"
        )
    if op == "SHAPE":  # static shapes: folded; a model output gets a copy from flash
        return "alias", "lwai: folded at compile (as a model output, a `lwai_reshape` copy)"
    if not ops:
        return "alias", "lwai: alias in the arena (no code)"
    index = _kernel_index()
    mine = [k for b, k in ops if b != "tvm"]
    core = [k for k in mine if "quantize" not in k]  # not the QDQ around a TVM op
    if all(b != "tvm" for b, _ in ops) or core:
        syms = sorted({index.get(k, (k, "?"))[0] for k in core or mine})
        backends = sorted({index.get(k, (k, "?"))[1] for k in core or mine})
        glue = "" if all(b != "tvm" for b, _ in ops) else " (+ TVM C glue)"
        text = f"lwai kernel {', '.join(f'`{s}`' for s in syms)}: {'; '.join(backends)}{glue}"
        return "kernel", text
    src = label.split("->")[0]
    if src in ("int8", "int16", "uint8"):
        via = ", between lwai's (de)quantize kernels" if mine else ""
        return "tvm-exact", f"TVM C, exact on the quantized integers{via}"
    if "float32" in label:
        return "tvm-float", "TVM C (float)"
    return "tvm-exact", "TVM C, exact (integer)"


CATEGORY_TEXT = {
    "kernel": "on an lwai kernel",
    "alias": "lwai aliases in the arena or folds at compile (RESHAPE, SHAPE: no code)",
    "tvm-exact": "on TVM's C, exact (integer or quantized data movement)",
    "tvm-float": "on TVM's C in float32",
    "refused": "refused at compile (the error names op and dtype)",
    "missing": "missing (another compile error, shown)",
}


def cell_rows() -> list[dict]:
    """One dict per TFLM cell: op, label, category, status, tests."""
    data = tflm_cells()
    status = lwai_status()
    tests = tests_by_cell()
    tvm_ops = _tvm_ops()
    rows = []
    for op in data["builtins"]:
        if op in data["hand"]:
            imp = "" if op in tvm_ops else "; TVM's TFLite importer has no converter for it"
            rows.append(
                {
                    "op": op,
                    "label": "(not probed)",
                    "category": "missing",
                    "status": f"missing: {data['hand'][op]}{imp}",
                    "tests": sorted({t for (o, _), ts in tests.items() if o == op for t in ts}),
                }
            )
            continue
        for lab in data["cells"].get(op, []):
            cat, text = classify(op, lab, status[(op, lab)])
            rows.append(
                {
                    "op": op,
                    "label": lab,
                    "category": cat,
                    "status": text,
                    "tests": tests.get((op, lab), []),
                }
            )
    return rows


def _tvm_ops() -> set[str]:
    """Ops TVM's TFLite converter has an entry for."""
    from tvm.relax.frontend.tflite import tflite_frontend as t

    src = Path(t.__file__).read_text()
    body = src[src.index("self.convert_map = {") : src.index("}", src.index("self.convert_map"))]
    return set(re.findall(r'"([A-Z0-9_]+)":', body))


def _spec_kernels(name: str) -> list[tuple[str, str]]:
    """(input dtype, status text) of each op-spec kernel whose op names custom op ``name``."""
    from lwai import opspec

    index = _kernel_index()
    dt = {"s8": "int8", "s16": "int16", "s32": "int32", "f32": "float32", "u32": "uint32"}
    dt["u64"] = "uint64"
    out = []
    for op in opspec.load().ops.values():
        if not any(same_custom(t, name) for t in op.tflite):
            continue
        for kname, k in op.kernels.items():
            first = next((dt[p] for p in kname.split("_") if p in dt), "any")
            out.append((first, f"lwai kernel `{k.symbol()}`: {index[k.symbol()][1]}"))
    return out


# Probed custom ops lwai evaluates at compile time (no code of their own in the image): the
# status text of their cells (classify would describe the probe model's other op).
COMPILE_TIME_CUSTOM = {
    "TFLM_DECODE": "lwai: decoded at compile time into a constant "
    "(lwai/frontend/decode_ops.py; no code)",
}


def _probed_custom(name: str) -> str | None:
    """The probed signal op (its TFLM custom name) that registration ``name`` is."""
    return next((o for o in tflm_cells()["custom_cells"] if same_custom(o, name)), None)


def _custom_rows(customs: tuple[str, ...]) -> list[dict]:
    """Custom ops: the probed signal ops one row per TFLM cell (status: the probe model
    compiled); the others one row per label the tests' CELLS name (status: the op spec's
    kernels), else one row, with why TFLM's cells were not probed."""
    data = tflm_cells()
    status = lwai_status()
    tests = tests_by_cell()
    rows = []
    for name in customs:
        if _VARIANT.sub("", name) != name and _VARIANT.sub("", name) in customs:
            continue

        def tested(lab: str, name: str = name) -> list[str]:
            return sorted(
                {
                    t
                    for (o, lb), ts in tests.items()
                    if lb == lab and same_custom(o, name)
                    for t in ts
                }
            )

        probed = _probed_custom(name)
        if probed is not None:
            limit = data.get("custom_limits", {}).get(probed)
            for lab in data["custom_cells"][probed]:
                cat, text = classify(probed, lab, status[(probed, lab)])
                if probed in COMPILE_TIME_CUSTOM and "error" not in status[(probed, lab)]:
                    cat, text = "alias", COMPILE_TIME_CUSTOM[probed]
                if limit and cat == "kernel":
                    text += f" (lwai takes {limit})"
                rows.append(
                    {
                        "op": custom_key(name),
                        "label": lab,
                        "category": cat,
                        "status": text,
                        "tests": tested(lab),
                    }
                )
            continue
        not_op = next(
            (w for o, w in data.get("custom_not_ops", {}).items() if same_custom(o, name)), None
        )
        if not_op is not None:
            rows.append(
                {
                    "op": custom_key(name),
                    "label": "(no op)",
                    "category": "not-op",
                    "status": f"no cells: {not_op}",
                    "tests": ["(none needed)"],
                }
            )
            continue
        why = next((w for o, w in data["custom_hand"].items() if same_custom(o, name)), None)
        why = f"TFLM's cells not probed: {why or 'no probe model for it'}"
        mine = _spec_kernels(name)
        labs = sorted({lab for (o, lab) in tests if same_custom(o, name)})
        for lab in labs or ["(not probed)"]:
            kern = next((t for d, t in mine if d in (lab.split("->")[0], "any")), None)
            rows.append(
                {
                    "op": custom_key(name),
                    "label": lab,
                    "category": "kernel" if kern else "missing",
                    "status": f"{kern or 'missing: no lwai kernel'} ({why})",
                    "tests": tested(lab),
                }
            )
    return rows


def unmatched_labels(rows: list[dict], customs: tuple[str, ...]) -> list[str]:
    """CELLS entries that name no TFLM cell (nor a custom op, nor an extra label)."""
    have = {(r["op"], r["label"]) for r in rows}
    probed = tflm_cells()["custom_cells"]
    bad = []
    for name, cells in test_cells().items():
        for op, labs in cells.items():
            custom = any(same_custom(op, c) for c in customs)
            p = next((o for o in probed if same_custom(o, op)), None)
            for lab in labs:
                if (op, lab) in have or lab in EXTRA_LABELS:
                    continue
                if custom and (p is None or lab in probed[p]):
                    continue
                bad.append(f"{name}: {op} {lab}")
    return bad


def _extra_rows() -> list[dict]:
    """Cells lwai tests that TFLM does not have (hybrid)."""
    rows = []
    for (op, lab), files in sorted(tests_by_cell().items()):
        if lab in EXTRA_LABELS:
            rows.append({"op": op, "label": lab, "tests": files})
    return rows


def coverage_section() -> str:
    data = tflm_cells()
    customs = tflm_custom_ops()
    rows = cell_rows()
    crow = _custom_rows(customs)
    probed = [r for r in rows if r["label"] != "(not probed)"]
    count = {c: sum(r["category"] == c for r in probed) for c in CATEGORY_TEXT}
    tested = sum(bool(r["tests"]) for r in probed)
    hand = list(data["hand"])
    summary = [
        ("TFLM builtins (all-ops resolver)", len(data["builtins"])),
        ("TFLM cells (builtin x dtype, probed)", len(probed)),
        *((f"cells {text}", count[c]) for c, text in CATEGORY_TEXT.items()),
        ("cells tested to acceptance 2 (a test file's CELLS)", tested),
        ("cells not yet tested", len(probed) - tested),
        ("cells lwai cannot compile (refused + missing)", count["refused"] + count["missing"]),
        ("builtins not probed (one row each, missing in lwai)", len(hand)),
        (
            "TFLM custom-op registrations (per-dtype variants folded into their op's rows)",
            len(customs),
        ),
        ("custom-op rows with an lwai kernel", sum(r["category"] == "kernel" for r in crow)),
        (
            "custom-op rows tested to acceptance 2",
            sum(bool(r["tests"]) and r["category"] != "not-op" for r in crow),
        ),
        (
            "custom-op registrations no model can reach (no cells)",
            sum(r["category"] == "not-op" for r in crow),
        ),
    ]
    notes = [f"{h} ({why})" for h, why in data["hand"].items()]
    hand_text = f" Not probed (one row each): {', '.join(notes)}." if notes else ""
    out = [
        f"""\
## Coverage against TFLite Micro

One row per op x dtype cell TFLite Micro supports. The cells were probed from the installed
`tflite_micro` {data["tflite_micro"]} package: for each of its **{len(data["builtins"])}**
builtins and each dtype (float32, int8, int16 -- 16x8 where weights are involved --, int32,
int64, bool, uint8, and the type-changing pairs), a single-op model written by
`lwai/tflite_writer.py` was run by TFLM's interpreter (`{data["command"]}`, data in
`lwai/spec/tflm_cells.json`). A label "A->B" is a cell whose output dtype differs from its
data input's (QUANTIZE, CAST, comparisons, ARG_MAX, ...); SHAPE is labelled by its output;
IF/WHILE by the data they carry (identity branches), CALL_ONCE and the resource-variable ops by
the variable's dtype (one model: an init subgraph assigns, the main graph reads).{hand_text}

"lwai" is what `lwai compile` (default configuration) does with that cell's probe model
(quantized dtypes carry a scale and zero point): an lwai kernel (with the backends that have
it), TVM's C code (exact for integer and quantized data movement; float32 otherwise), or the
error that stops the compile (a quantized op TVM would approximate in float is refused:
`lwai/passes/exactness.py`). "tests" are the test files whose `CELLS` name the cell: each
checks >= 20 generated single-op cases of it (odd shapes, broadcasting, edge quantization)
against TFLM, bit-exact (float32: within the file's stated tolerance), on the host and
qemu-cortex-m4. Generated by `scripts/gen_coverage.py` (via
`python -m tests.onnx_cases --write-doc`); do not edit by hand.

| count | cells |
| --- | ---: |
"""
    ]
    out += [f"| {k} | {v} |\n" for k, v in summary]
    out.append("\n| TFLM builtin | dtype | lwai | tests |\n| --- | --- | --- | --- |\n")
    for r in rows:
        tests = ", ".join(r["tests"]) or "not yet tested"
        out.append(f"| {r['op']} | {r['label']} | {r['status']} | {tests} |\n")
    out.append(
        "\nCustom ops the TFLM runtime library registers (the signal library's audio front "
        "end, detection post-processing, circular buffer, the model-compression DECODE, "
        "Ethos-U; L2NORM_REF is a reference "
        "variant of L2_NORMALIZATION; the _FLOAT/_INT16/_INT32 registrations of a signal op "
        "are its per-dtype variants, covered by its rows). A test file's `CELLS` may name "
        "them `SIGNAL_WINDOW` or `SignalWindow` (the model's custom code; "
        "DETECTION_POSTPROCESS's is `TFLite_Detection_PostProcess`, DECODE's `TFLM_DECODE`, "
        "its cells the decoded dtypes). The signal ops, "
        "DETECTION_POSTPROCESS, CIRCULAR_BUFFER and DECODE below with dtypes were probed like "
        "the builtins (`custom_cells` in `lwai/spec/tflm_cells.json`); the others show the "
        "dtypes lwai's tests name and why their cells were not probed:\n\n"
        "| custom op | dtype | lwai | tests |\n| --- | --- | --- | --- |\n"
    )
    for r in crow:
        tests = ", ".join(r["tests"]) or "not yet tested"
        out.append(f"| {r['op']} | {r['label']} | {r['status']} | {tests} |\n")
    extra = _extra_rows()
    if extra:
        out.append(
            "\nCells lwai verifies that TFLM does not have (hybrid: float32 activations with "
            "int8 weights, which TFLM refuses; checked against LiteRT's reference kernels):\n\n"
            "| TFLite builtin | dtype | tests |\n| --- | --- | --- |\n"
        )
        out += [f"| {r['op']} | {r['label']} | {', '.join(r['tests'])} |\n" for r in extra]
    for name, why in sorted(cells_errors().items()):
        out.append(f"\n`{name}`: {why.replace('|', '/')} (its cells are not counted).\n")
    bad = unmatched_labels(rows, customs)
    if bad:
        out.append(
            "\n`CELLS` entries that name no TFLM cell (fix the label, see "
            "`lwai/spec/tflm_cells.json`): " + "; ".join(bad) + ".\n"
        )
    out.append("\n")
    return "".join(out)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        _probe_child([int(c) for c in sys.argv[2:]])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "--compile":
        _compile_child(sys.argv[2:])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--cells":
        for r in cell_rows():
            print("\t".join([r["op"], r["label"], r["category"], r["status"], *r["tests"]]))
        return 0
    print(coverage_section(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
