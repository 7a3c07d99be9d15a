"""Generated single-op cases for lwai's quantized elementwise and binary kernels
(lwai/frontend/elementwise.py) and the two ways tests/test_elementwise_kernels.py runs them.

A :class:`Case` is one TFLite operator with random shapes (ranks 1-4, odd sizes, NumPy
broadcasting), quantizations (scales over decades, zero points at the int8 edges) and
data, written as a real .tflite model with lwai's writer; TFLite Micro's interpreter gives
the reference. lwai runs it either through the frontend converter and the kernel call
(``describe`` -> ``emit_kernel_call``: all cases of a target in ONE C program, built for the
host or qemu-cortex-m4) or through the product path (``lwai.driver.run_model``, many cases
per model).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite

from lwai.codegen.kernels import C_TYPES, c_array, emit_kernel_call
from lwai.frontend import elementwise
from lwai.tflite_writer import ModelBuilder

ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")
INFO = {"int8": np.iinfo(np.int8), "int16": np.iinfo(np.int16)}


@dataclass
class Case:
    name: str
    op: str
    dtype: str
    shapes: list[tuple[int, ...]]
    out_shape: tuple[int, ...]
    qparams: list[tuple[float, int]]  # inputs, then output (none for a bool output)
    dtypes: list[str] = field(default_factory=list)  # per input (PRELU int16: int8 alpha)
    consts: dict[int, np.ndarray] = field(default_factory=dict)  # constant inputs
    feeds: list[np.ndarray] = field(default_factory=list)  # the other inputs, in order
    options: dict = field(default_factory=dict)
    out_dtype: str = ""

    def add_to(self, mb: ModelBuilder, tag: str) -> tuple[list[int], int]:
        """Adds the op; returns (its graph inputs, its output)."""
        args, graph_inputs = [], []
        for i, shp in enumerate(self.shapes):
            s, z = self.qparams[i]
            dt = self.dtypes[i] if self.dtypes else self.dtype
            data = self.consts.get(i)
            t = mb.add_tensor(f"{tag}x{i}", shp, dt, data=data, scale=s, zero_point=z)
            args.append(t)
            if data is None:
                graph_inputs.append(t)
        out_dt = self.out_dtype or self.dtype
        q = {}
        if out_dt != "bool":
            q = dict(zip(("scale", "zero_point"), self.qparams[-1]))
        out = mb.add_tensor(f"{tag}y", self.out_shape, out_dt, **q)
        mb.add_op(self.op, args, [out], self.options)
        return graph_inputs, out

    def model(self) -> bytes:
        mb = ModelBuilder()
        ins, out = self.add_to(mb, "")
        mb.inputs, mb.outputs = ins, [out]
        return mb.build()

    @property
    def cell(self) -> tuple[str, str]:
        return self.op, self.dtype


# ---- generators --------------------------------------------------------------------------


def _shape(rng, max_dim: int = 8) -> tuple[int, ...]:
    rank = int(rng.integers(1, 5))
    return tuple(int(d) for d in rng.integers(1, max_dim + 1, size=rank))


def _broadcast(rng) -> tuple[list[tuple[int, ...]], tuple[int, ...]]:
    """Two shapes and their NumPy broadcast (equal, size-1 dims, lower rank)."""
    out = _shape(rng, 7)
    rank = len(out)
    mode = int(rng.integers(0, 3))
    a = out
    if mode == 0:
        b = out
    else:
        b = tuple(d if rng.random() < 0.5 else 1 for d in out)
        b = b[int(rng.integers(0, rank)) :] or (1,)
        a = tuple(d if rng.random() < 0.8 else 1 for d in out)
    if rng.random() < 0.5:
        a, b = b, a
    full = np.broadcast_shapes(a, b)
    return [a, b], tuple(int(d) for d in full)


def _zp(rng, dtype: str) -> int:
    if dtype == "int16":
        return 0
    return int(rng.choice([-128, 127, 0, *rng.integers(-128, 128, 3)]))


def _scale(rng, lo: float, hi: float) -> float:
    return float(np.float32(10 ** rng.uniform(lo, hi)))


def _data(rng, dtype: str, shape, lo: int | None = None, hi: int | None = None) -> np.ndarray:
    info = INFO[dtype]
    lo = int(info.min) if lo is None else lo
    hi = int(info.max) if hi is None else hi
    return rng.integers(lo, hi + 1, size=shape).astype(dtype)


def unary_cases(op: str, dtype: str, n: int, seed: int) -> list[Case]:
    """ABS, ELU, RSQRT, RELU, RELU6, LEAKY_RELU."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = _shape(rng)
        lo_s, hi_s = (-3.0, 0.0) if dtype == "int8" else (-5.0, -2.0)
        if op == "RELU6" and dtype == "int16":
            lo_s = -3.7  # 6.0 within the int16 input's range (TFLM refuses otherwise)
        si, zi = _scale(rng, lo_s, hi_s), _zp(rng, dtype)
        so, zo = float(np.float32(si * 10 ** rng.uniform(-1, 1))), _zp(rng, dtype)
        if op == "ELU":
            si, so = _scale(rng, -2.5, -0.5), _scale(rng, -2.5, -0.5)
        if op == "RSQRT":
            # 1/sqrt(x) spans [1/sqrt(qmax si), 1/sqrt(si)]: the output scale covers it
            qmax = int(INFO[dtype].max)
            si = _scale(rng, -3, -0.5) if dtype == "int8" else _scale(rng, -5, -2)
            so = float(np.float32(10 ** rng.uniform(-0.3, 0.3) / np.sqrt(si) / qmax))
        if k % 4 == 0 and op not in ("RSQRT", "ELU"):
            so, zo = si, zi  # equal quantization (ABS: no rescale)
        c = Case(f"{op.lower()}_{dtype}[{k}]", op, dtype, [shape], shape, [(si, zi), (so, zo)])
        if op == "LEAKY_RELU":
            c.options = {"alpha": float(rng.choice([0.0, 0.01, 0.1, 0.2, 0.3, 0.5, 1.0, 1.7]))}
        lo = zi if op == "RSQRT" else None  # TFLM refuses RSQRT below the zero point
        c.feeds = [_data(rng, dtype, shape, lo=lo)]
        cases.append(c)
    return cases


def binary_cases(op: str, dtype: str, n: int, seed: int) -> list[Case]:
    """SUB, SQUARED_DIFFERENCE, DIV, MAXIMUM, MINIMUM, comparisons, PRELU."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shapes, out = _broadcast(rng)
        lo_s, hi_s = (-3.0, -0.3) if dtype == "int8" else (-5.0, -2.0)
        q = [(_scale(rng, lo_s, hi_s), _zp(rng, dtype)) for _ in range(2)]
        s_max = max(s for s, _ in q)
        so = float(np.float32(s_max * 10 ** rng.uniform(-0.5, 1.5)))
        if op == "SQUARED_DIFFERENCE":
            grow = (2.0, 4.0) if dtype == "int8" else (6.5, 9.0)
            so = float(np.float32(s_max * s_max * 10 ** rng.uniform(*grow)))
        if op == "DIV":
            so = float(np.float32(q[0][0] / q[1][0] * 10 ** rng.uniform(-1.5, 0.5)))
        if op == "PRELU":
            q[1] = (_scale(rng, -3, -1), _zp(rng, "int8"))
            so = float(np.float32(q[0][0] * 10 ** rng.uniform(-0.5, 0.5)))
        zo = _zp(rng, dtype)
        if k % 5 == 0 and op in elementwise.COMPARISONS:
            q[1] = q[0]  # equal quantization still rescales in TFLM
        if op in ("MAXIMUM", "MINIMUM") and k % 5 == 1:
            q[1] = q[0]
            so, zo = q[0]  # input 2 and output equal, input 1 differs (not all equal)
            q[0] = (float(np.float32(q[0][0] * 2)), q[0][1])
        out_q = [] if op in elementwise.COMPARISONS else [(so, zo)]
        c = Case(f"{op.lower()}_{dtype}[{k}]", op, dtype, shapes, out, q + out_q)
        if op in elementwise.COMPARISONS:
            c.out_dtype = "bool"
        if op in ("SUB", "DIV"):
            c.options = {"activation": str(rng.choice(ACTS))}
        values = [_data(rng, dtype, s) for s in shapes]
        if op == "PRELU":
            alpha_shape = shapes[1]
            if len(alpha_shape) > len(out):
                alpha_shape = alpha_shape[-len(out) :]
            shapes[0], shapes[1] = out, alpha_shape  # TFLM: alpha broadcasts to the input
            c.shapes = shapes
            c.dtypes = [dtype, "int8"]
            values = [_data(rng, dtype, out), _data(rng, "int8", alpha_shape)]
        if op == "DIV":  # TFLM leaves a divisor equal to its zero point undefined
            v = values[1].astype(np.int32)
            v[v == q[1][1]] = q[1][1] + (1 if q[1][1] < 127 else -1)
            values[1] = v.astype(dtype)
        if op == "PRELU" and k % 4 != 3:
            c.consts = {1: values[1]}  # alpha is a constant in real models
            values = values[:1]
        c.feeds = values
        cases.append(c)
    return cases


def add_n_cases(n: int, seed: int) -> list[Case]:
    """ADD_N int8: 2 to 15 inputs of one shape and quantization (TFLM requires it), the
    output's own; case 0 takes the limit of 15 inputs, some inputs are constants."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shape = _shape(rng)
        count = 15 if k == 0 else int(rng.integers(2, 6))
        si, zi = _scale(rng, -3, -0.3), _zp(rng, "int8")
        so = float(np.float32(si * 10 ** rng.uniform(-0.5, 1.2)))
        q = [(si, zi)] * count + [(so, _zp(rng, "int8"))]
        c = Case(f"add_n_int8[{k}]", "ADD_N", "int8", [shape] * count, shape, q)
        values = [_data(rng, "int8", shape) for _ in range(count)]
        if k % 3 == 2:
            c.consts = {count - 1: values[-1]}
            values = values[:-1]
        c.feeds = values
        cases.append(c)
    return cases


# (builtin, dtype) -> generator; the cells TFLM supports for these ops (its kernels'
# Prepare/Eval, probed with the installed tflite-micro).
N_CASES = 20
GENERATORS = {
    ("ABS", "int8"): lambda: unary_cases("ABS", "int8", N_CASES, 1300),
    ("ABS", "int16"): lambda: unary_cases("ABS", "int16", N_CASES, 1301),
    ("ELU", "int8"): lambda: unary_cases("ELU", "int8", N_CASES, 1302),
    ("RSQRT", "int8"): lambda: unary_cases("RSQRT", "int8", N_CASES, 1303),
    ("RSQRT", "int16"): lambda: unary_cases("RSQRT", "int16", N_CASES, 1307),
    ("RELU", "int16"): lambda: unary_cases("RELU", "int16", N_CASES, 1304),
    ("RELU6", "int16"): lambda: unary_cases("RELU6", "int16", N_CASES, 1305),
    ("LEAKY_RELU", "int16"): lambda: unary_cases("LEAKY_RELU", "int16", N_CASES, 1306),
    ("PRELU", "int8"): lambda: binary_cases("PRELU", "int8", N_CASES, 1310),
    ("PRELU", "int16"): lambda: binary_cases("PRELU", "int16", N_CASES, 1311),
    ("SUB", "int16"): lambda: binary_cases("SUB", "int16", N_CASES, 1312),
    ("SQUARED_DIFFERENCE", "int8"): lambda: binary_cases(
        "SQUARED_DIFFERENCE", "int8", N_CASES, 1313
    ),
    ("SQUARED_DIFFERENCE", "int16"): lambda: binary_cases(
        "SQUARED_DIFFERENCE", "int16", N_CASES, 1314
    ),
    ("DIV", "int8"): lambda: binary_cases("DIV", "int8", N_CASES, 1315),
    ("MAXIMUM", "int8"): lambda: binary_cases("MAXIMUM", "int8", N_CASES, 1316),
    ("MAXIMUM", "int16"): lambda: binary_cases("MAXIMUM", "int16", N_CASES, 1317),
    ("MINIMUM", "int8"): lambda: binary_cases("MINIMUM", "int8", N_CASES, 1318),
    ("MINIMUM", "int16"): lambda: binary_cases("MINIMUM", "int16", N_CASES, 1319),
    ("ADD_N", "int8"): lambda: add_n_cases(N_CASES, 1330),
    **{
        (op, "int8"): (lambda op=op, i=i: binary_cases(op, "int8", N_CASES, 1320 + i))
        for i, op in enumerate(elementwise.COMPARISONS)
    },
}


def all_cases() -> list[Case]:
    return [c for make in GENERATORS.values() for c in make()]


def tflm_reference(case: Case) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(case.model(), arena_size=300_000)
    for i, x in enumerate(case.feeds):
        it.set_input(x, i)
    it.invoke()
    return np.array(it.get_output(0))


def op_desc(case: Case):
    """The OpDesc lwai's frontend converter makes of the case's model."""
    model = tflite.Model.GetRootAsModel(case.model(), 0)
    sg = model.Subgraphs(0)
    found = elementwise.describe(model, sg, sg.Operators(0), case.op)
    if found is None:
        raise AssertionError(f"{case.name}: the elementwise converter did not take it")
    return found[0]


# ---- all cases in one C program (host gcc or the qemu-cortex-m4 board) -------------------

_MAIN = """
static uint8_t rec[{rec_bytes}u] LWAI_ALIGNED(4);
static uint32_t rec_len;

static void put(const void *p, uint32_t n)
{{
    memcpy(rec + rec_len, p, n);
    rec_len += (n + 3u) & ~3u;
}}

static void run_all(void)
{{
    int32_t st;
{body}}}

int main(int argc, char **argv)
{{
    lwai_board_init();
    if (argc < 2) {{
        lwai_board_eputs("usage: cases OUT.bin\\n");
        return 2;
    }}
    run_all();
    return lwai_board_write_file(argv[1], rec, rec_len) == 0 ? 0 : 1;
}}
"""


def program(cases: list[Case]) -> tuple[str, list[int]]:
    """C source running every case's kernel call; the output bytes of each case."""
    defs, body, sizes = [], [], []
    for k, case in enumerate(cases):
        p = f"c{k}"
        op = op_desc(case)
        feeds = iter(case.feeds)
        exprs: list[str | None] = []
        for i, t in enumerate(op.inputs):
            if t.is_const:
                exprs.append(None)
                continue
            name = f"{p}_x{i}"
            defs.append(c_array(name, next(feeds), t.dtype))
            exprs.append(f"(uint8_t *){name}")
        n_out = max(int(np.prod(op.output.shape)), 1)
        ctype = C_TYPES[op.output.dtype]
        defs.append(f"static {ctype} {p}_y[{n_out}] LWAI_ALIGNED(4);\n")
        call = emit_kernel_call(op, p, exprs, f"(uint8_t *){p}_y")
        defs.append(call.definitions)
        body.append(f"    st = {call.call};\n    put(&st, 4u);\n    put({p}_y, sizeof {p}_y);\n")
        sizes.append(n_out * np.dtype(op.output.dtype).itemsize)
    rec = sum(4 + ((s + 3) & ~3) for s in sizes)
    head = '#include <stdint.h>\n#include <string.h>\n#include "lwai/board.h"\n'
    head += '#include "lwai/kernels.h"\n\n'
    return head + "".join(defs) + _MAIN.format(rec_bytes=max(rec, 4), body="".join(body)), sizes


# the reference kernel files the cases call (the walker and helpers are headers)
KERNEL_FILES = ("abs", "lut", "prelu", "sub", "relu", "squared_difference", "div", "minmax")
KERNEL_FILES += ("compare", "add_n")


def build(target: str, main_c: Path, workdir: Path) -> Path:
    """backend_harness.build_image's flags and link, with only KERNEL_FILES (building all
    ~50 reference files took 15 s per target)."""
    import backend_harness as bh

    cc = bh._cc(target)
    jobs = [(main_c, "-O1")] + [(bh.REF_DIR / f"{k}.c", "-Os") for k in KERNEL_FILES]
    if target == "host":
        jobs.append((bh.BOARDS / "posix" / "board.c", "-O2"))
    else:
        jobs += [(bh.BOARDS / "cortex-m" / f, "-Os") for f in ("startup.c", "board.c")]
    objs = []
    for k, (src, opt) in enumerate(jobs):
        obj = workdir / f"{k:02d}_{src.stem}.o"
        cmd = [*cc, opt, f"-I{bh.REF_DIR}", "-c", str(src), "-o", str(obj)]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        objs.append(str(obj))
    elf = workdir / "cases.elf"
    if target == "host":
        link = ["gcc", *objs, "-lm", "-o", str(elf)]
    else:
        board, cpu, _ = bh.TARGET_BOARD[target]
        link = ["arm-none-eabi-gcc", *cpu, "-nostartfiles", "--specs=nano.specs"]
        link += ["-Wl,--gc-sections", f"-L{bh.BOARDS / 'cortex-m'}"]
        link += [f"-T{bh.BOARDS / board / 'link.ld'}", *objs, "-lm", "-lgcc", "-o", str(elf)]
    subprocess.run(link, check=True, capture_output=True, text=True)
    return elf


def run_program(cases: list[Case], target: str, workdir: Path) -> list[np.ndarray | str]:
    """Builds and runs :func:`program` on ``target``; each case's output or an error."""
    import backend_harness as bh

    workdir.mkdir(parents=True, exist_ok=True)
    src, sizes = program(cases)
    main_c = workdir / "elementwise_cases.c"
    main_c.write_text(src)
    try:
        elf = build(target, main_c, workdir)
    except subprocess.CalledProcessError as err:
        raise AssertionError(f"build failed: {err.stderr}") from None
    out = workdir / "out.bin"
    bh.run_image(target, elf, out)
    raw = out.read_bytes()
    results: list[np.ndarray | str] = []
    pos = 0
    for case, size in zip(cases, sizes):
        st = int(np.frombuffer(raw[pos : pos + 4], dtype=np.int32)[0])
        pos += 4
        dt = "uint8" if case.out_dtype == "bool" else case.dtype
        data = np.frombuffer(raw[pos : pos + size], dtype=dt).copy()
        pos += (size + 3) & ~3
        results.append(data if st == 0 else f"{case.name}: status {st}")
    return results


def compare(case: Case, got, ref: np.ndarray) -> str | None:
    if isinstance(got, str):
        return got
    got = np.asarray(got).reshape(ref.shape)
    if ref.dtype == np.bool_:
        got = got.astype(np.bool_)
    if got.dtype != ref.dtype:
        return f"{case.name}: dtype {got.dtype} != {ref.dtype}"
    if not np.array_equal(got, ref):
        bad = np.flatnonzero(got != ref)
        return (
            f"{case.name}: {bad.size}/{ref.size} differ, first at {bad[0]}: "
            f"{got.flat[bad[0]]} != {ref.flat[bad[0]]}"
        )
    return None
