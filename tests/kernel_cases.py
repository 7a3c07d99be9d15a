"""Generated single-op cases for the kernel tests, and the two ways of running them.

A :class:`Case` is one TFLite operator with random shapes, options, quantization and
data. From it we write a real .tflite model with lwai's writer, get the reference output
from the TFLite Micro interpreter (the ``tflite-micro`` PyPI package), and run lwai either
directly (``OpDesc`` -> ``emit_kernel_call`` -> one C program per batch, built with the host
gcc) or through the product path (``lwai.driver.run_host``).
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lwai import quant
from lwai.codegen.kernels import C_TYPES, c_array, emit_kernel_call, unsupported_reason
from lwai.ops import OpDesc, TensorDesc
from lwai.tflite_writer import ModelBuilder, conv_output_size, explicit_padding

ROOT = Path(__file__).resolve().parents[1]
KERNEL_SOURCES = sorted((ROOT / "kernels" / "reference").glob("*.c"))
INCLUDES = [ROOT / "kernels" / "include", ROOT / "runtime" / "include"]
CFLAGS = ["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror"]

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]

KIND_TO_BUILTIN = {
    "conv2d": "CONV_2D",
    "depthwise_conv2d": "DEPTHWISE_CONV_2D",
    "fully_connected": "FULLY_CONNECTED",
    "avg_pool2d": "AVERAGE_POOL_2D",
    "max_pool2d": "MAX_POOL_2D",
    "add": "ADD",
    "mul": "MUL",
    "softmax": "SOFTMAX",
    "reshape": "RESHAPE",
    "quantize": "QUANTIZE",
    "dequantize": "DEQUANTIZE",
}


@dataclass
class T:
    """A tensor of a case: constant when ``data`` is set, else fed from ``Case.feeds``."""

    shape: tuple[int, ...]
    dtype: str
    data: np.ndarray | None = None
    scale: list[float] | None = None
    zero_point: list[int] | None = None
    axis: int = 0

    def desc(self) -> TensorDesc:
        return TensorDesc(
            shape=tuple(self.shape),
            dtype=self.dtype,
            scale=None if self.scale is None else [quant.f32(s) for s in self.scale],
            zero_point=self.zero_point,
            quant_axis=self.axis,
            data=self.data,
        )


@dataclass
class Case:
    name: str
    kind: str
    inputs: list[T]
    output: T
    options: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    feeds: list[np.ndarray] = field(default_factory=list)  # one per non-constant input

    @property
    def dtype(self) -> str:
        return self.inputs[0].dtype

    def add_to(self, mb: ModelBuilder, tag: str = "") -> tuple[list[int], int]:
        """Adds this case's tensors and operator; returns (graph input indices, output)."""
        idx = []
        for i, t in enumerate(self.inputs):
            idx.append(
                mb.add_tensor(
                    f"{tag}in{i}",
                    t.shape,
                    t.dtype,
                    data=t.data,
                    scale=t.scale,
                    zero_point=t.zero_point,
                    quantized_dimension=t.axis,
                )
            )
        o = self.output
        out = mb.add_tensor(f"{tag}out", o.shape, o.dtype, scale=o.scale, zero_point=o.zero_point)
        op_inputs = list(idx)
        if self.kind == "reshape":
            shp = mb.add_tensor(
                f"{tag}shape", (len(o.shape),), "int32", data=np.array(o.shape, dtype=np.int32)
            )
            op_inputs.append(shp)
        mb.add_op(KIND_TO_BUILTIN[self.kind], op_inputs, [out], self.options)
        return [i for i, t in zip(idx, self.inputs) if t.data is None], out

    def model(self) -> bytes:
        mb = ModelBuilder()
        mb.inputs, out = self.add_to(mb)
        mb.outputs = [out]
        return mb.build()

    def op_desc(self) -> OpDesc:
        return OpDesc(
            self.kind,
            [t.desc() for t in self.inputs],
            self.output.desc(),
            dict(self.attrs),
            name=self.name,
        )


# ---- reference ---------------------------------------------------------------------------


def tflm_reference(case: Case, model: bytes | None = None) -> np.ndarray:
    from tflite_micro.python.tflite_micro import runtime

    model = model if model is not None else case.model()
    total = sum(int(np.prod(t.shape)) * 4 for t in (*case.inputs, case.output))
    interp = runtime.Interpreter.from_bytes(model, arena_size=64 * 1024 + 4 * total)
    for i, x in enumerate(case.feeds):
        interp.set_input(x, i)
    interp.invoke()
    return np.array(interp.get_output(0))


def compare(case: Case, got: np.ndarray, ref: np.ndarray) -> str | None:
    """None when equal (bit for bit for integers, 1e-5 relative for float), else a message."""
    got = np.asarray(got).reshape(ref.shape)
    if ref.dtype.kind in "iu":
        if got.dtype != ref.dtype:
            return f"{case.name}: dtype {got.dtype} != {ref.dtype}"
        if not np.array_equal(got, ref):
            bad = np.flatnonzero(got != ref)
            return (
                f"{case.name}: {bad.size}/{ref.size} differ, first at {bad[0]}: "
                f"{got.flat[bad[0]]} != {ref.flat[bad[0]]}"
            )
        return None
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    tol = 1e-5 * np.maximum(np.abs(ref.astype(np.float64)), scale)
    if np.any(err > tol + 1e-30):
        i = int(np.argmax(err - tol))
        return f"{case.name}: float mismatch at {i}: {got.flat[i]} != {ref.flat[i]}"
    return None


# ---- direct harness: emit_kernel_call -> one C program per batch ---------------------------


def run_direct(cases: list[Case], workdir: Path, cc: str = "gcc") -> list[np.ndarray | str]:
    """Run each case's kernel call in one C program; returns outputs, or an error string."""
    workdir.mkdir(parents=True, exist_ok=True)
    defs, body, sizes = [], [], []
    for k, case in enumerate(cases):
        p = f"c{k}"
        op = case.op_desc()
        exprs: list[str | None] = []
        feed = iter(case.feeds)
        for i, t in enumerate(case.inputs):
            if t.data is not None:
                exprs.append(None)
            else:
                name = f"{p}_x{i}"
                defs.append(c_array(name, next(feed), t.dtype).replace("static const", "static"))
                exprs.append(f"(uint8_t *){name}")
        n_out = int(np.prod(case.output.shape))
        out_name = f"{p}_y"
        defs.append(
            f"static {C_TYPES[case.output.dtype]} {out_name}[{max(n_out, 1)}] LWAI_ALIGNED(4);\n"
        )
        kc = emit_kernel_call(op, p, exprs, f"(uint8_t *){out_name}")
        defs.append(kc.definitions)
        body.append(
            f"    st = {kc.call};\n"
            f"    fwrite(&st, sizeof st, 1, stdout);\n"
            f"    fwrite({out_name}, 1, sizeof {out_name}, stdout);\n"
        )
        sizes.append(max(n_out, 1) * np.dtype(case.output.dtype).itemsize)
    src = (
        '#include <stdio.h>\n#include "lwai/kernels.h"\n\n'
        + "".join(defs)
        + "\nint main(void)\n{\n    int st;\n"
        + "".join(body)
        + "    return 0;\n}\n"
    )
    c_file = workdir / "cases.c"
    exe = workdir / "cases"
    c_file.write_text(src)
    cmd = [
        cc,
        *CFLAGS,
        *[f"-I{p}" for p in INCLUDES],
        str(c_file),
        *[str(s) for s in KERNEL_SOURCES],
        "-lm",
        "-o",
        str(exe),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    raw = subprocess.run([str(exe)], check=True, capture_output=True).stdout
    results: list[np.ndarray | str] = []
    pos = 0
    for case, size in zip(cases, sizes):
        st = int(np.frombuffer(raw[pos : pos + 4], dtype=np.int32)[0])
        pos += 4
        data = np.frombuffer(raw[pos : pos + size], dtype=case.output.dtype)
        pos += size
        results.append(data.copy() if st == 0 else f"{case.name}: status {st}")
    return results


# ---- generators ----------------------------------------------------------------------------


def _qparams(rng: np.random.Generator, lo: float = 0.004, hi: float = 0.1) -> tuple[float, int]:
    return quant.f32(float(rng.uniform(lo, hi))), int(rng.integers(-128, 128))


def _act(rng: np.random.Generator, allow: bool = True) -> str:
    return str(rng.choice(ACTS)) if allow else "NONE"


def _act_attrs(act: str, out: T) -> dict[str, Any]:
    if out.dtype == "float32":
        lo, hi = quant.activation_range_float(act)
        return {"act_min": lo, "act_max": hi}
    lo, hi = quant.activation_range_quantized(act, out.scale[0], out.zero_point[0], out.dtype)
    return {"act_min": lo, "act_max": hi}


def _rand_int8(rng, shape) -> np.ndarray:
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def _rand_f32(rng, shape, scale=1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _conv_like(rng, k: int, kind: str, dtype: str, extreme: bool = False) -> Case:
    depthwise = kind == "depthwise_conv2d"
    n = int(rng.choice([1, 1, 1, 2]))
    h, w = (int(v) for v in rng.integers(3, 11, size=2))
    cin = int(rng.integers(1, 9))
    dm = int(rng.integers(1, 4)) if depthwise else 1
    cout = cin * dm if depthwise else int(rng.integers(1, 9))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    if rng.random() < 0.15:
        kh, kw = min(5, h), min(5, w)
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    dh, dw = (1, 1)
    if rng.random() < 0.3:
        dh, dw = (int(v) for v in rng.integers(1, 3, size=2))
    padding = str(rng.choice(["SAME", "VALID"]))
    if (kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w:
        padding = "SAME"
    oh = conv_output_size(h, kh, sh, dh, padding)
    ow = conv_output_size(w, kw, sw, dw, padding)
    pt, pb = explicit_padding(h, kh, sh, dh, padding)
    pl, pr = explicit_padding(w, kw, sw, dw, padding)
    act = _act(rng)
    wshape = (1, kh, kw, cout) if depthwise else (cout, kh, kw, cin)
    depth = kh * kw * (1 if depthwise else cin)
    opts = {"padding": padding, "stride": (sh, sw), "dilation": (dh, dw), "activation": act}
    if depthwise:
        opts["depth_multiplier"] = dm
    attrs = {"stride": (sh, sw), "dilation": (dh, dw), "padding": (pt, pl, pb, pr)}
    if depthwise:
        attrs["depth_multiplier"] = dm
    with_bias = rng.random() < 0.85
    qaxis = 3 if depthwise else 0
    if dtype == "int8":
        si, zi = _qparams(rng)
        per_channel = rng.random() < 0.6
        wsc = [
            quant.f32(float(v)) for v in rng.uniform(0.002, 0.03, size=cout if per_channel else 1)
        ]
        wdata = rng.integers(-127, 128, size=wshape).astype(np.int8)
        # Per-tensor weights say axis 0, as the TFLite converter writes them.
        wt = T(wshape, "int8", wdata, wsc, [0] * len(wsc), qaxis if per_channel else 0)
        so = quant.f32(
            si
            * float(np.mean(wsc))
            * 74
            * 74
            * math.sqrt(depth)
            / 40
            * float(rng.uniform(0.5, 2.0))
        )
        if extreme:
            # Multipliers from 1e-5 to ~30: right and left shifts, saturation.
            so = quant.f32(si * float(np.mean(wsc)) / 10 ** float(rng.uniform(-5, 1.5)))
        out = T((n, oh, ow, cout), "int8", scale=[so], zero_point=[int(rng.integers(-128, 128))])
        x = T((n, h, w, cin), "int8", scale=[si], zero_point=[zi])
        ins = [x, wt]
        if with_bias:
            bsc = [quant.f32(si * s) for s in wsc]
            bdata = rng.integers(-20000, 20000, size=cout).astype(np.int32)
            ins.append(T((cout,), "int32", bdata, bsc, [0] * len(bsc), 0))
        feeds = [_rand_int8(rng, x.shape)]
    else:
        x = T((n, h, w, cin), "float32")
        wt = T(wshape, "float32", _rand_f32(rng, wshape, 0.5))
        out = T((n, oh, ow, cout), "float32")
        ins = [x, wt]
        if with_bias:
            ins.append(T((cout,), "float32", _rand_f32(rng, (cout,))))
        feeds = [_rand_f32(rng, x.shape)]
    attrs.update(_act_attrs(act, out))
    return Case(f"{kind}_{dtype}_{k}", kind, ins, out, opts, attrs, feeds)


def _fc(rng, k: int, dtype: str, extreme: bool = False) -> Case:
    batches = int(rng.integers(1, 4))
    depth = int(rng.integers(1, 65))
    cout = int(rng.integers(1, 33))
    act = _act(rng)
    opts = {"activation": act, "keep_num_dims": False}
    with_bias = rng.random() < 0.8
    if dtype == "int8":
        si, zi = _qparams(rng)
        per_channel = rng.random() < 0.4
        wsc = [
            quant.f32(float(v)) for v in rng.uniform(0.002, 0.03, size=cout if per_channel else 1)
        ]
        wt = T(
            (cout, depth),
            "int8",
            rng.integers(-127, 128, size=(cout, depth)).astype(np.int8),
            wsc,
            [0] * len(wsc),
            0,
        )
        so = quant.f32(
            si
            * float(np.mean(wsc))
            * 74
            * 74
            * math.sqrt(depth)
            / 40
            * float(rng.uniform(0.5, 2.0))
        )
        if extreme:
            # Multipliers from 1e-5 to ~30: right and left shifts, saturation.
            so = quant.f32(si * float(np.mean(wsc)) / 10 ** float(rng.uniform(-5, 1.5)))
        out = T((batches, cout), "int8", scale=[so], zero_point=[int(rng.integers(-128, 128))])
        x = T((batches, depth), "int8", scale=[si], zero_point=[zi])
        ins = [x, wt]
        if with_bias:
            bsc = [quant.f32(si * s) for s in wsc]
            ins.append(
                T(
                    (cout,),
                    "int32",
                    rng.integers(-20000, 20000, size=cout).astype(np.int32),
                    bsc,
                    [0] * len(bsc),
                    0,
                )
            )
        feeds = [_rand_int8(rng, x.shape)]
    else:
        x = T((batches, depth), "float32")
        ins = [x, T((cout, depth), "float32", _rand_f32(rng, (cout, depth), 0.3))]
        if with_bias:
            ins.append(T((cout,), "float32", _rand_f32(rng, (cout,))))
        out = T((batches, cout), "float32")
        feeds = [_rand_f32(rng, x.shape)]
    attrs = _act_attrs(act, out)
    return Case(f"fully_connected_{dtype}_{k}", "fully_connected", ins, out, opts, attrs, feeds)


def _pool(rng, k: int, kind: str, dtype: str, extreme: bool = False) -> Case:
    n = int(rng.choice([1, 1, 2]))
    h, w = (int(v) for v in rng.integers(2, 13, size=2))
    c = int(rng.integers(1, 9))
    fh, fw = (int(v) for v in rng.integers(1, 9 if extreme else 5, size=2))
    fh, fw = min(fh, h), min(fw, w)
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    padding = str(rng.choice(["SAME", "VALID"]))
    oh = conv_output_size(h, fh, sh, 1, padding)
    ow = conv_output_size(w, fw, sw, 1, padding)
    pt, pb = explicit_padding(h, fh, sh, 1, padding)
    pl, pr = explicit_padding(w, fw, sw, 1, padding)
    act = _act(rng)
    opts = {"padding": padding, "stride": (sh, sw), "filter": (fh, fw), "activation": act}
    attrs = {"stride": (sh, sw), "filter": (fh, fw), "padding": (pt, pl, pb, pr)}
    if dtype == "int8":
        s, z = _qparams(rng, 0.01, 0.1)
        x = T((n, h, w, c), "int8", scale=[s], zero_point=[z])
        out = T((n, oh, ow, c), "int8", scale=[s], zero_point=[z])
        feeds = [_rand_int8(rng, x.shape)]
    else:
        x = T((n, h, w, c), "float32")
        out = T((n, oh, ow, c), "float32")
        feeds = [_rand_f32(rng, x.shape, 3.0)]
    attrs.update(_act_attrs(act, out))
    return Case(f"{kind}_{dtype}_{k}", kind, [x], out, opts, attrs, feeds)


def _broadcast_shapes(rng) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    rank = int(rng.integers(1, 5))
    out = tuple(int(v) for v in rng.integers(1, 6, size=rank))
    mode = rng.random()
    if mode < 0.3:
        return out, out, out
    shapes = []
    for _ in range(2):
        s = [d if rng.random() < 0.6 else 1 for d in out]
        drop = int(rng.integers(0, rank)) if rng.random() < 0.3 else 0
        shapes.append(tuple(s[drop:]) or (1,))
    # The output shape is the broadcast of the two (a dim may have become 1 in both).
    full = tuple(np.broadcast_shapes(shapes[0], shapes[1]))
    return shapes[0], shapes[1], full


def _binary(rng, k: int, kind: str, dtype: str, extreme: bool = False) -> Case:
    s1, s2, so_shape = _broadcast_shapes(rng)
    act = _act(rng)
    opts = {"activation": act}
    if dtype == "int8":
        a_s, a_z = _qparams(rng, 0.005, 0.2)
        b_s, b_z = _qparams(rng, 0.005, 0.2)
        if kind == "add":
            o_s = quant.f32((a_s + b_s) * float(rng.uniform(0.5, 1.5)))
        else:
            o_s = quant.f32(a_s * b_s * 128 * float(rng.uniform(0.3, 1.5)))
        if extreme:
            b_s = quant.f32(a_s * 10 ** float(rng.uniform(-2, 2)))
            base = max(a_s, b_s) if kind == "add" else a_s * b_s * 128
            o_s = quant.f32(base * 10 ** float(rng.uniform(-1.5, 1.5)))
        x1 = T(s1, "int8", scale=[a_s], zero_point=[a_z])
        x2 = T(s2, "int8", scale=[b_s], zero_point=[b_z])
        out = T(so_shape, "int8", scale=[o_s], zero_point=[int(rng.integers(-128, 128))])
        feeds = [_rand_int8(rng, s1), _rand_int8(rng, s2)]
    else:
        x1, x2, out = T(s1, "float32"), T(s2, "float32"), T(so_shape, "float32")
        feeds = [_rand_f32(rng, s1, 2.0), _rand_f32(rng, s2, 2.0)]
    attrs = _act_attrs(act, out)
    return Case(f"{kind}_{dtype}_{k}", kind, [x1, x2], out, opts, attrs, feeds)


def _softmax(rng, k: int, dtype: str, extreme: bool = False) -> Case:
    rank = int(rng.integers(1, 5))
    depth = int(rng.integers(1, 300 if extreme else 41))
    shape = tuple(int(v) for v in rng.integers(1, 5, size=rank - 1)) + (depth,)
    beta = float(rng.choice([1.0, 1.0, 0.5, 2.0, 0.25]))
    opts = {"beta": beta}
    if dtype == "int8":
        s, z = _qparams(rng, 0.01, 0.3)
        if extreme:
            s = quant.f32(10 ** float(rng.uniform(-3, 1)))
            beta = float(rng.choice([0.1, 0.5, 1.0, 3.0, 10.0]))
            opts = {"beta": beta}
        x = T(shape, "int8", scale=[s], zero_point=[z])
        out = T(shape, "int8", scale=[1.0 / 256], zero_point=[-128])
        feeds = [_rand_int8(rng, shape)]
    else:
        x, out = T(shape, "float32"), T(shape, "float32")
        feeds = [_rand_f32(rng, shape, 3.0)]
    return Case(f"softmax_{dtype}_{k}", "softmax", [x], out, opts, {"beta": beta}, feeds)


def _quantize(rng, k: int, variant: str) -> Case:
    shape = tuple(int(v) for v in rng.integers(1, 7, size=int(rng.integers(1, 4))))
    if variant == "f32_s8":
        s, z = _qparams(rng, 0.01, 0.1)
        x, out = T(shape, "float32"), T(shape, "int8", scale=[s], zero_point=[z])
        feed = _rand_f32(rng, shape, 4.0)
        # Exact halves exercise round-half-away-from-zero.
        feed.flat[: feed.size // 4] = (np.round(feed.flat[: feed.size // 4] / s) + 0.5) * s
        return Case(f"quantize_f32_s8_{k}", "quantize", [x], out, {}, {}, [feed.astype(np.float32)])
    if variant == "s8_s8":
        s1, z1 = _qparams(rng, 0.01, 0.1)
        s2, z2 = _qparams(rng, 0.01, 0.1)
        x = T(shape, "int8", scale=[s1], zero_point=[z1])
        out = T(shape, "int8", scale=[s2], zero_point=[z2])
        return Case(f"quantize_s8_s8_{k}", "quantize", [x], out, {}, {}, [_rand_int8(rng, shape)])
    if variant == "s8_f32":
        s, z = _qparams(rng, 0.01, 0.1)
        x, out = T(shape, "int8", scale=[s], zero_point=[z]), T(shape, "float32")
        return Case(
            f"dequantize_s8_f32_{k}", "dequantize", [x], out, {}, {}, [_rand_int8(rng, shape)]
        )
    if variant == "f32_s16":
        s = quant.f32(float(rng.uniform(1e-4, 1e-3)))
        x, out = T(shape, "float32"), T(shape, "int16", scale=[s], zero_point=[0])
        return Case(
            f"quantize_f32_s16_{k}", "quantize", [x], out, {}, {}, [_rand_f32(rng, shape, 10.0)]
        )
    if variant == "s16_f32":
        s = quant.f32(float(rng.uniform(1e-4, 1e-3)))
        x, out = T(shape, "int16", scale=[s], zero_point=[0]), T(shape, "float32")
        feed = rng.integers(-32768, 32768, size=shape).astype(np.int16)
        return Case(f"dequantize_s16_f32_{k}", "dequantize", [x], out, {}, {}, [feed])
    # reshape
    total = int(np.prod(shape))
    x = T(shape, "int8", scale=[0.05], zero_point=[3])
    out = T((total,), "int8", scale=[0.05], zero_point=[3])
    return Case(
        f"reshape_s8_{k}", "reshape", [x], out, {"new_shape": [total]}, {}, [_rand_int8(rng, shape)]
    )


def generate(group: str, count: int, seed: int, extreme: bool = False) -> list[Case]:
    """``count`` cases of one group ("conv2d_int8", "add_float32", "convert", ...);
    ``extreme`` widens scales, windows and softmax rows to stress the rounding paths."""
    rng = np.random.default_rng(seed)
    kind, _, dtype = group.rpartition("_")
    cases = []
    for k in range(count):
        if kind in ("conv2d", "depthwise_conv2d"):
            cases.append(_conv_like(rng, k, kind, dtype, extreme))
        elif kind == "fully_connected":
            cases.append(_fc(rng, k, dtype, extreme))
        elif kind in ("avg_pool2d", "max_pool2d"):
            cases.append(_pool(rng, k, kind, dtype, extreme))
        elif kind in ("add", "mul"):
            cases.append(_binary(rng, k, kind, dtype, extreme))
        elif kind == "softmax":
            cases.append(_softmax(rng, k, dtype, extreme))
        elif group == "convert":
            variant = ["f32_s8", "s8_s8", "s8_f32", "reshape"][k % 4]
            cases.append(_quantize(rng, k, variant))
        elif group == "convert16":
            cases.append(_quantize(rng, k, ["f32_s16", "s16_f32"][k % 2]))
        else:
            raise ValueError(group)
    for c in cases:
        reason = unsupported_reason(c.op_desc())
        assert reason is None, f"{c.name}: {reason}"
    return cases


def batch_model(cases: list[Case]) -> tuple[bytes, list[np.ndarray]]:
    """One model holding every case as an independent operator (so one compile and one
    build covers many cases); returns the model and its inputs in order. Output i is
    case i's output."""
    mb = ModelBuilder()
    feeds: list[np.ndarray] = []
    for k, case in enumerate(cases):
        ins, out = case.add_to(mb, f"c{k}_")
        mb.inputs += ins
        mb.outputs.append(out)
        feeds += case.feeds
    return mb.build(), feeds


# The host app takes at most 16 input and 16 output files (boards/app/lwai_app.c).
MAX_MODEL_IO = 16


def batches(cases: list[Case], max_io: int = MAX_MODEL_IO) -> list[list[Case]]:
    """Split cases into groups whose batch model has at most ``max_io`` inputs and outputs."""
    groups: list[list[Case]] = []
    cur: list[Case] = []
    n_in = 0
    for c in cases:
        k = len(c.feeds)
        if cur and (n_in + k > max_io or len(cur) + 1 > max_io):
            groups.append(cur)
            cur, n_in = [], 0
        cur.append(c)
        n_in += k
    if cur:
        groups.append(cur)
    return groups
