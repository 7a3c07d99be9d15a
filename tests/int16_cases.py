"""Generated int16 (16x8) single-op cases for tests/test_int16_kernels.py, and a kernel
harness that runs them on the host and under qemu-cortex-m4.

Cases reuse tests/kernel_cases.py's Case/T (a real .tflite model per case from lwai's
writer; TFLite Micro's output is the reference). int16 activations have zero point 0 (TFLM
refuses others), int8 weights symmetric (per-tensor or per-channel), int64 biases; shapes
odd, strides/dilations/padding mixed, fused activations, scales over several decades.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import kernel_cases as kc
import numpy as np
from kernel_cases import Case, T

from lwai import quant
from lwai.codegen.kernels import C_TYPES, c_array, emit_kernel_call
from lwai.tflite_writer import conv_output_size, explicit_padding

REPO = Path(__file__).resolve().parents[1]
ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
INCLUDES = ["kernels/include", "kernels/reference", "runtime/include", "boards/include"]
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
M4_CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]
last_output = ""  # the last harness run's console text


def _scale(rng, lo: float, hi: float) -> float:
    return quant.f32(float(10 ** rng.uniform(lo, hi)))


def _x16(rng, shape, small: bool = False, tiny: bool = False) -> np.ndarray:
    hi = 4 if tiny else 300 if small else 32768
    return rng.integers(-hi, hi, size=shape, dtype=np.int64).astype(np.int16)


def _act(rng) -> str:
    return str(rng.choice(ACTS))


def _out(shape, act: str, so: float) -> tuple[T, dict]:
    out = T(tuple(shape), "int16", scale=[so], zero_point=[0])
    lo, hi = quant.activation_range_quantized(act, so, 0, "int16")
    return out, {"act_min": lo, "act_max": hi, "activation": act}


def conv_case(rng, k: int, kind: str) -> Case:
    depthwise = kind == "depthwise_conv2d"
    n = int(rng.choice([1, 1, 2]))
    h, w = (int(v) for v in rng.integers(1, 10, size=2))
    cin = int(rng.integers(1, 7))
    dm = int(rng.integers(1, 4)) if depthwise else 1
    cout = cin * dm if depthwise else int(rng.integers(1, 8))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
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
    attrs = {"stride": (sh, sw), "dilation": (dh, dw), "padding": (pt, pl, pb, pr)}
    if depthwise:
        opts["depth_multiplier"] = dm
        attrs["depth_multiplier"] = dm
    si = _scale(rng, -5, -2)
    per_channel = rng.random() < 0.6
    wsc = [_scale(rng, -3, -1.3) for _ in range(cout if per_channel else 1)]
    wdata = rng.integers(-127, 128, size=wshape).astype(np.int8)
    qaxis = (3 if depthwise else 0) if per_channel else 0
    wt = T(wshape, "int8", wdata, wsc, [0] * len(wsc), qaxis)
    # outputs spread over int16: acc std ~ sqrt(depth) * 18900 * 74 in input x weight units
    so = quant.f32(si * float(np.mean(wsc)) * math.sqrt(depth) * 175 * 10 ** rng.uniform(-0.7, 0.7))
    if k % 7 == 3:  # edge: rescale close to TFLite's 64-bit limit (2^7) and saturation
        so = quant.f32(si * float(np.max(wsc)) / float(rng.uniform(20, 100)))
        act = str(rng.choice(["NONE", "RELU"]))  # RELU6's bound would overflow int32 (TFLM)
        opts["activation"] = act
    out, a = _out((n, oh, ow, cout), act, so)
    attrs.update(a)
    x = T((n, h, w, cin), "int16", scale=[si], zero_point=[0])
    ins = [x, wt]
    if rng.random() < 0.85:
        bsc = [quant.f32(si * s) for s in wsc]
        lim = 1 << 40 if k % 11 == 5 else 3_000_000
        bdata = rng.integers(-lim, lim, size=cout, dtype=np.int64)
        # TFLM's int32-bias mode (not for int16 depthwise: TFLM reads its bias as int64)
        bias_dt = "int32" if k % 4 == 2 and not depthwise else "int64"
        ins.append(T((cout,), bias_dt, bdata.astype(bias_dt), bsc, [0] * len(bsc), 0))
    feeds = [_x16(rng, x.shape, small=k % 9 == 4, tiny=k % 7 == 3)]
    return Case(f"{kind}_int16_{k}", kind, ins, out, opts, attrs, feeds)


def fc_case(rng, k: int) -> Case:
    rows = int(rng.integers(1, 5))
    depth = int(rng.integers(1, 48))
    cout = int(rng.integers(1, 13))
    act = _act(rng)
    si = _scale(rng, -5, -2)
    ws = _scale(rng, -3, -1.3)
    wt = T((cout, depth), "int8", rng.integers(-127, 128, size=(cout, depth)).astype(np.int8))
    wt.scale, wt.zero_point = [ws], [0]
    if k % 3 == 1:  # per-channel weights (TFLM's FullyConnectedPerChannel)
        wt.scale = [_scale(rng, -3, -1.3) for _ in range(cout)]
        wt.zero_point = [0] * cout
    so = quant.f32(si * ws * math.sqrt(depth) * 175 * 10 ** rng.uniform(-0.7, 0.7))
    if k % 7 == 3:
        so = quant.f32(si * ws / float(rng.uniform(20, 100)))
        act = str(rng.choice(["NONE", "RELU"]))
    out, attrs = _out((rows, cout), act, so)
    x = T((rows, depth), "int16", scale=[si], zero_point=[0])
    ins = [x, wt]
    if rng.random() < 0.85:
        lim = 1 << 40 if k % 11 == 5 else 3_000_000
        bdata = rng.integers(-lim, lim, size=cout, dtype=np.int64)
        bias_dt = "int32" if k % 4 == 2 else "int64"  # TFLM's int32-bias mode
        bsc = [quant.f32(si * w) for w in wt.scale]
        ins.append(T((cout,), bias_dt, bdata.astype(bias_dt), bsc, [0] * len(bsc)))
    opts = {"activation": act}
    return Case(
        f"fully_connected_int16_{k}",
        "fully_connected",
        ins,
        out,
        opts,
        attrs,
        [_x16(rng, x.shape, small=k % 9 == 4, tiny=k % 7 == 3)],
    )


def pool_case(rng, k: int, kind: str) -> Case:
    n = int(rng.choice([1, 1, 2]))
    h, w = (int(v) for v in rng.integers(1, 10, size=2))
    c = int(rng.integers(1, 7))
    fh, fw = (int(v) for v in rng.integers(1, 4, size=2))
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    padding = str(rng.choice(["SAME", "VALID"]))
    if fh > h or fw > w:
        padding = "SAME"
    oh = conv_output_size(h, fh, sh, 1, padding)
    ow = conv_output_size(w, fw, sw, 1, padding)
    pt, pb = explicit_padding(h, fh, sh, 1, padding)
    pl, pr = explicit_padding(w, fw, sw, 1, padding)
    if max(pt, pb) >= fh or max(pl, pr) >= fw:  # windows entirely in padding: not in TFLite
        padding, oh, ow, pt, pb, pl, pr = "VALID", 0, 0, 0, 0, 0, 0
        fh, fw = min(fh, h), min(fw, w)
        oh = conv_output_size(h, fh, sh, 1, padding)
        ow = conv_output_size(w, fw, sw, 1, padding)
    act = _act(rng)
    s = _scale(rng, -5, -1)
    out, attrs = _out((n, oh, ow, c), act, s)
    attrs.update(stride=(sh, sw), filter=(fh, fw), padding=(pt, pl, pb, pr))
    opts = {"padding": padding, "stride": (sh, sw), "filter": (fh, fw), "activation": act}
    x = T((n, h, w, c), "int16", scale=[s], zero_point=[0])
    return Case(f"{kind}_int16_{k}", kind, [x], out, opts, attrs, [_x16(rng, x.shape)])


def _broadcast(rng) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    rank = int(rng.integers(1, 5))
    out = tuple(int(d) for d in rng.integers(1, 7, size=rank))
    a = tuple(d if rng.random() < 0.75 else 1 for d in out)
    b = tuple(d if rng.random() < 0.6 else 1 for d in out)
    b = b[int(rng.integers(0, rank)) :]
    if rng.random() < 0.5:
        a, b = b, a
    ra, rb = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    return a, b, tuple(max(x, y) for x, y in zip(ra, rb))


def binary_case(rng, k: int, kind: str) -> Case:
    sa, sb, so_shape = _broadcast(rng)
    act = _act(rng)
    s1, s2 = _scale(rng, -5, -1), _scale(rng, -5, -1)
    if k % 5 == 0:
        s2 = s1
    if kind == "add":
        so = quant.f32(max(s1, s2) * 10 ** rng.uniform(-0.3, 1.0))
        if k % 7 == 3:
            so = quant.f32(max(s1, s2) * 10 ** rng.uniform(-2.5, -1))  # saturating
    else:
        so = quant.f32(s1 * s2 * 32768 * 10 ** rng.uniform(-1.0, 0.5))
        if k % 7 == 3:
            so = quant.f32(s1 * s2 * 10 ** rng.uniform(0, 3))
    if k % 7 == 3 or so < 1e-8:
        act = str(rng.choice(["NONE", "RELU"]))  # RELU6's bound would overflow int32 (TFLM)
    out, attrs = _out(so_shape, act, so)
    x1 = T(sa, "int16", scale=[s1], zero_point=[0])
    x2 = T(sb, "int16", scale=[s2], zero_point=[0])
    feeds = [_x16(rng, sa), _x16(rng, sb, small=k % 9 == 4)]
    return Case(f"{kind}_int16_{k}", kind, [x1, x2], out, {"activation": act}, attrs, feeds)


def softmax_case(rng, k: int) -> Case:
    rank = int(rng.integers(1, 5))
    shape = tuple(int(v) for v in rng.integers(1, 5, size=rank - 1)) + (int(rng.integers(1, 41)),)
    if k % 6 == 5:
        shape = shape[:-1] + (int(rng.integers(100, 400)),)
    si = _scale(rng, -5, -3.3)  # differences from ~0.3 to ~16 in real units
    beta = float(rng.choice([1.0, 1.0, 0.5, 2.0, float(rng.uniform(0.1, 3))]))
    x = T(shape, "int16", scale=[si], zero_point=[0])
    out = T(shape, "int16", scale=[1.0 / 32768], zero_point=[0])
    attrs = {"beta": beta, "activation": "NONE"}
    return Case(
        f"softmax_int16_{k}",
        "softmax",
        [x],
        out,
        {"beta": beta},
        attrs,
        [_x16(rng, shape, small=k % 4 == 1)],
    )


def _one(rng, k: int, kind: str) -> Case:
    if kind == "softmax":
        return softmax_case(rng, k)
    if kind in ("conv2d", "depthwise_conv2d"):
        return conv_case(rng, k, kind)
    if kind == "fully_connected":
        return fc_case(rng, k)
    if kind in ("avg_pool2d", "max_pool2d"):
        return pool_case(rng, k, kind)
    return binary_case(rng, k, kind)


def generate(kind: str, count: int, seed: int) -> list[Case]:
    """``count`` cases; a draw whose TFLM output takes at most two values (everything
    clamped by the activation or saturated) is drawn again, so each case tests arithmetic.
    (TFLM is deterministic, so the cases are too.)"""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        for _ in range(10):
            case = _one(rng, k, kind)
            ref = tflm(case)
            if ref.size <= 2 or len(np.unique(ref)) > 2:
                break
        out.append(case)
    return out


KINDS = (
    "conv2d",
    "depthwise_conv2d",
    "fully_connected",
    "avg_pool2d",
    "max_pool2d",
    "add",
    "mul",
    "softmax",
)


def all_cases(count: int = 20) -> list[Case]:
    return [c for i, kind in enumerate(KINDS) for c in generate(kind, count, 1600 + i)]


def op_desc(case: Case):
    """The OpDesc lwai's frontend makes of the case (int32 biases adopted as the frontend
    does: lwai.frontend.int16.adopt_int32_bias)."""
    from lwai.frontend.int16 import adopt_int32_bias

    return adopt_int32_bias(case.op_desc())


def tflm(case: Case) -> np.ndarray:
    return kc.tflm_reference(case)


# ---- kernel harness: emit_kernel_call for every case, one program per target -------------


def harness_source(cases: list[Case]) -> str:
    """Each case's kernel call; the status and output bytes printed as hex lines through
    the board console (the same program runs on the host and on the Cortex-M board)."""
    defs, body = [], []
    for k, case in enumerate(cases):
        p = f"c{k}"
        exprs: list[str | None] = []
        feed = iter(case.feeds)
        for i, t in enumerate(case.inputs):
            if t.data is not None:
                exprs.append(None)
            else:
                name = f"{p}_x{i}"
                defs.append(c_array(name, next(feed), t.dtype))
                exprs.append(f"(uint8_t *){name}")
        n_out = max(int(np.prod(case.output.shape)), 1)
        defs.append(f"static {C_TYPES[case.output.dtype]} {p}_y[{n_out}] LWAI_ALIGNED(4);\n")
        call = emit_kernel_call(op_desc(case), p, exprs, f"(uint8_t *){p}_y")
        defs.append(call.definitions)
        body.append(
            f"    st = {call.call};\n    dump({k}, st, (const uint8_t *){p}_y, sizeof {p}_y);\n"
        )
    head = (
        '#include <string.h>\n#include "lwai/board.h"\n#include "lwai/kernels.h"\n\n'
        "static void dump(int k, int st, const uint8_t *p, size_t n)\n{\n"
        '    static const char hex[] = "0123456789abcdef";\n    char line[72];\n'
        "    size_t i, j = 0;\n"
        "    line[j++] = '#'; line[j++] = hex[(k >> 8) & 15]; line[j++] = hex[(k >> 4) & 15];\n"
        "    line[j++] = hex[k & 15]; line[j++] = ' '; line[j++] = hex[st & 15];\n"
        "    line[j++] = '\\n'; line[j] = 0; lwai_board_puts(line); j = 0;\n"
        "    for (i = 0; i < n; ++i) {\n"
        "        line[j++] = hex[p[i] >> 4]; line[j++] = hex[p[i] & 15];\n"
        "        if (j == 64 || i + 1 == n) { line[j++] = '\\n'; line[j] = 0;\n"
        "            lwai_board_puts(line); j = 0; }\n    }\n}\n\n"
    )
    main = "int main(void)\n{\n    int st;\n    lwai_board_init();\n" + "".join(body)
    main += BAD_ARGS
    main += '    lwai_board_puts("done\\n");\n    return 0;\n}\n'
    return head + "".join(defs) + "\n" + main


# Calls every kernel must refuse with LWAI_ERR_INVALID_ARG (NULL data, out-of-range
# rescale shifts, inverted clamps, mismatched shapes); the harness prints how many did.
BAD_ARGS = """    {
        static int16_t a[16], y[16];
        static int8_t w[16];
        static const int32_t m1[1] = {1 << 30}, s8[1] = {8}, s0[1] = {0};
        const lwai_channel_quant qbad = {m1, s8, 1}, qok = {m1, s0, 1};
        const lwai_dims d = {1, 2, 2, 2}, f = {2, 1, 1, 2}, d1 = {1, 1, 1, 2}, z = {1, 1, 1, 0};
        lwai_conv_s16_params cp = {1, 1, 1, 1, 0, 0, 1, -32768, 32767, 0};
        lwai_fully_connected_s16_params fp = {100, -100, 0};
        lwai_add_s16_params ap = {15, 1 << 30, 0, 1 << 30, 0, 1 << 30, 0, 5, 4};
        lwai_softmax_s16_params sp = {1 << 30, 0};
        lwai_transpose_conv_params tp = {0, 1, 0, 0, 0, 0, -128, 127};
        lwai_batch_matmul_params bp = {0, 0, 0, 0, 0, 1 << 30, 0, -128, 127};
        const lwai_dims bx = {1, 1, 2, 3}, by = {1, 1, 2, 2}, bo = {1, 1, 2, 2};
        int bad = 0;
        bad += lwai_conv2d_s16(&cp, &qok, &d, NULL, &f, w, NULL, NULL, &d, y) ==
               LWAI_ERR_INVALID_ARG;
        bad += lwai_conv2d_s16(&cp, &qbad, &d, a, &f, w, NULL, NULL, &d, y) ==
               LWAI_ERR_INVALID_ARG;
        bad += lwai_fully_connected_s16(&fp, &qok, &d1, a, &f, w, NULL, NULL, &d1, y) ==
               LWAI_ERR_INVALID_ARG;
        bad += lwai_add_s16(&ap, &d, a, &d, a, &d, y) == LWAI_ERR_INVALID_ARG;
        bad += lwai_softmax_s16(&sp, &z, a, &z, y) == LWAI_ERR_INVALID_ARG;
        bad += lwai_transpose_conv_s16(&tp, &qok, &d, a, &f, w, NULL, NULL, &d, y) ==
               LWAI_ERR_INVALID_ARG;
        bad += lwai_batch_matmul_s8(&bp, &bx, w, &by, w, &bo, (int8_t *)y) ==
               LWAI_ERR_INVALID_ARG;
        bad += lwai_max_pool2d_s16(NULL, &d, a, &d, y) == LWAI_ERR_INVALID_ARG;
        lwai_board_puts(bad == 8 ? "bad args refused\\n" : "bad args ACCEPTED\\n");
    }
"""


def build_harness(src: str, work: Path, target: str) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    c = work / "s16_harness.c"
    c.write_text(src)
    inc = [f"-I{REPO / i}" for i in INCLUDES]
    kern = [str(p) for p in sorted((REPO / "kernels" / "reference").glob("*.c"))]
    if target == "host":
        exe = work / "s16_harness"
        cmd = ["gcc", *CFLAGS, "-O1", *inc, str(c), *kern, str(REPO / "boards/posix/board.c")]
        cmd += ["-o", str(exe), "-lm"]
    else:
        exe = work / "s16_harness.elf"
        cm = REPO / "boards" / "cortex-m"
        cmd = ["arm-none-eabi-gcc", *CFLAGS, *M4_CPU, "-Os", "-ffunction-sections"]
        cmd += ["-fdata-sections", f"-I{cm}", *inc, str(c), *kern]
        cmd += [str(cm / "startup.c"), str(cm / "board.c"), "-DLWAI_BOARD_CPU_HZ=25000000u"]
        cmd += ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections", f"-L{cm}"]
        cmd += [f"-T{REPO / 'boards/mps2-an386/link.ld'}", "-o", str(exe), "-lm", "-lgcc"]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"harness build failed:\n{r.stderr[-4000:]}")
    return exe


def run_harness(exe: Path, target: str, cases: list[Case]) -> list[np.ndarray | str]:
    from lwai import targets

    r = subprocess.run(
        targets.command(target, exe, []), check=False, capture_output=True, text=True, timeout=300
    )
    text = r.stdout + r.stderr
    global last_output
    last_output = text
    if r.returncode != 0 or "done" not in text:
        raise AssertionError(f"harness failed ({r.returncode}):\n{text[-3000:]}")
    results: list[np.ndarray | str] = []
    blocks: dict[int, tuple[int, str]] = {}
    cur = -1
    for line in text.splitlines():
        if line.startswith("#"):
            k, st = line[1:].split()
            cur = int(k, 16)
            blocks[cur] = (int(st, 16), "")
        elif cur >= 0 and line and all(ch in "0123456789abcdef" for ch in line):
            st, data = blocks[cur]
            blocks[cur] = (st, data + line)
    for k, case in enumerate(cases):
        if k not in blocks:
            results.append(f"{case.name}: no output")
            continue
        st, data = blocks[k]
        if st != 0:
            results.append(f"{case.name}: status {st}")
            continue
        results.append(np.frombuffer(bytes.fromhex(data), dtype=case.output.dtype).copy())
    return results


# ---- TRANSPOSE_CONV and BATCH_MATMUL (int8 and int16) --------------------------------------


class OpCase(Case):
    """A Case whose TFLite operator takes its inputs in another order than the OpDesc:
    TRANSPOSE_CONV is [output_shape, weights, input, bias?]; BATCH_MATMUL [x, y]."""

    def add_to(self, mb, tag: str = ""):
        idx = [
            mb.add_tensor(
                f"{tag}in{i}",
                t.shape,
                t.dtype,
                data=t.data,
                scale=t.scale,
                zero_point=t.zero_point,
                quantized_dimension=t.axis,
            )
            for i, t in enumerate(self.inputs)
        ]
        o = self.output
        out = mb.add_tensor(f"{tag}out", o.shape, o.dtype, scale=o.scale, zero_point=o.zero_point)
        if self.kind == "transpose_conv":
            shape = mb.add_tensor(
                f"{tag}oshape", (4,), "int32", data=np.array(o.shape, dtype=np.int32)
            )
            mb.add_op("TRANSPOSE_CONV", [shape, idx[1], idx[0], *idx[2:]], [out], self.options)
        else:
            mb.add_op("BATCH_MATMUL", idx, [out], self.options)
        return [i for i, t in zip(idx, self.inputs) if t.data is None], out


def _xq(rng, dtype: str, shape, k: int) -> np.ndarray:
    if dtype == "int16":
        return _x16(rng, shape, small=k % 9 == 4, tiny=k % 7 == 3)
    return rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8)


def tconv_case(rng, k: int, dtype: str) -> Case:
    n = int(rng.choice([1, 1, 2]))
    h, w = (int(v) for v in rng.integers(1, 7, size=2))
    cin = int(rng.integers(1, 6))
    cout = int(rng.integers(1, 6))
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "SAME":
        oh, ow = h * sh, w * sw
    else:
        oh, ow = (h - 1) * sh + kh, (w - 1) * sw + kw
    pt, pb = explicit_padding(oh, kh, sh, 1, padding)
    pl, pr = explicit_padding(ow, kw, sw, 1, padding)
    per_channel = rng.random() < 0.6
    wsc = [_scale(rng, -3, -1.3) for _ in range(cout if per_channel else 1)]
    wt = T(
        (cout, kh, kw, cin),
        "int8",
        rng.integers(-127, 128, size=(cout, kh, kw, cin)).astype(np.int8),
        wsc,
        [0] * len(wsc),
        0,
    )
    taps = -(-kh // sh) * -(-kw // sw) * cin
    if dtype == "float32":
        x = T((n, h, w, cin), dtype)
        wt = T((cout, kh, kw, cin), dtype, rng.normal(0, 0.5, (cout, kh, kw, cin)).astype("f4"))
        ins = [x, wt]
        if rng.random() < 0.8:
            ins.append(T((cout,), dtype, rng.normal(0, 1, cout).astype("f4")))
        opts = {"padding": padding, "stride": (sh, sw)}
        attrs = {"stride": (sh, sw), "padding": (pt, pl, pb, pr), "activation": "NONE"}
        feeds = [rng.normal(0, 1, x.shape).astype("f4")]
        out = T((n, oh, ow, cout), dtype)
        return OpCase(f"transpose_conv_f32_{k}", "transpose_conv", ins, out, opts, attrs, feeds)
    if dtype == "int16":
        si, zi, zo = _scale(rng, -5, -2), 0, 0
        so = quant.f32(
            si * float(np.mean(wsc)) * math.sqrt(taps) * 175 * 10 ** rng.uniform(-0.7, 0.7)
        )
        if k % 7 == 3:
            so = quant.f32(si * float(np.max(wsc)) / float(rng.uniform(20, 100)))
    else:
        si, zi, zo = _scale(rng, -3, -1), int(rng.integers(-128, 128)), int(rng.integers(-128, 128))
        so = quant.f32(
            si * float(np.mean(wsc)) * math.sqrt(taps) * 137 * 10 ** rng.uniform(-0.5, 0.5)
        )
        if k % 7 == 3:
            so = quant.f32(si * float(np.mean(wsc)) / 10 ** float(rng.uniform(-4, 1)))
    x = T((n, h, w, cin), dtype, scale=[si], zero_point=[zi])
    out = T((n, oh, ow, cout), dtype, scale=[so], zero_point=[zo])
    ins = [x, wt]
    if rng.random() < 0.8:
        bsc = [quant.f32(si * s) for s in wsc]
        if dtype == "int16":
            lim = 1 << 40 if k % 11 == 5 else 3_000_000
            bdata = rng.integers(-lim, lim, size=cout, dtype=np.int64)
            ins.append(T((cout,), "int64", bdata, bsc, [0] * len(bsc), 0))
        else:
            bdata = rng.integers(-20000, 20000, size=cout).astype(np.int32)
            ins.append(T((cout,), "int32", bdata, bsc, [0] * len(bsc), 0))
    opts = {"padding": padding, "stride": (sh, sw)}
    attrs = {"stride": (sh, sw), "padding": (pt, pl, pb, pr), "activation": "NONE"}
    return OpCase(
        f"transpose_conv_{dtype}_{k}",
        "transpose_conv",
        ins,
        out,
        opts,
        attrs,
        [_xq(rng, dtype, x.shape, k)],
    )


def bmm_case(rng, k: int, dtype: str) -> Case:
    m, kk, nn = (int(v) for v in rng.integers(1, 9, size=3))
    if k % 6 == 5:
        kk = int(rng.integers(20, 70))
    rank = int(rng.integers(2, 5))
    batch = tuple(int(v) for v in rng.integers(1, 4, size=rank - 2))
    bx = tuple(d if rng.random() < 0.7 else 1 for d in batch)
    by = tuple(d if rng.random() < 0.7 else 1 for d in batch)
    if rng.random() < 0.3:
        by = by[int(rng.integers(0, len(by) + 1)) :]  # lower rank y
    ob = tuple(max(a, b) for a, b in zip(bx, (1,) * (len(bx) - len(by)) + by))
    adj_x, adj_y = bool(rng.random() < 0.4), bool(rng.random() < 0.4)
    xs = bx + ((kk, m) if adj_x else (m, kk))
    ys = by + ((nn, kk) if adj_y else (kk, nn))
    if dtype == "int16":
        sx, sy = _scale(rng, -5, -2), _scale(rng, -5, -2)
        zx = zy = zo = 0
        so = quant.f32(sx * sy * math.sqrt(kk) * 44650 * 10 ** rng.uniform(-0.7, 0.7))
    else:
        sx, sy = _scale(rng, -3, -1), _scale(rng, -3, -1)
        zx, zy, zo = (int(v) for v in rng.integers(-128, 128, size=3))
        so = quant.f32(sx * sy * math.sqrt(kk) * 137 * 10 ** rng.uniform(-0.5, 0.5))
    if k % 7 == 3:
        so = quant.f32(sx * sy * 10 ** rng.uniform(-1, 1))  # saturating
    x = T(xs, dtype, scale=[sx], zero_point=[zx])
    const_y = k % 5 == 2
    y = T(ys, dtype, _xq(rng, dtype, ys, k) if const_y else None, [sy], [zy])
    out = T(ob + (m, nn), dtype, scale=[so], zero_point=[zo])
    feeds = [_xq(rng, dtype, xs, k)] + ([] if const_y else [_xq(rng, dtype, ys, k)])
    opts = {"adj_x": adj_x, "adj_y": adj_y}
    attrs = {"adj_x": adj_x, "adj_y": adj_y, "activation": "NONE"}
    return OpCase(f"batch_matmul_{dtype}_{k}", "batch_matmul", [x, y], out, opts, attrs, feeds)


def generate_more(kind: str, dtype: str, count: int, seed: int) -> list[Case]:
    """As :func:`generate`, for TRANSPOSE_CONV / BATCH_MATMUL in int8 or int16."""
    rng = np.random.default_rng(seed)
    make = tconv_case if kind == "transpose_conv" else bmm_case
    out = []
    for k in range(count):
        for _ in range(10):
            case = make(rng, k, dtype)
            ref = tflm(case)
            if ref.size <= 2 or len(np.unique(ref)) > 2:
                break
        out.append(case)
    return out


MORE = [
    ("transpose_conv", "int8"),
    ("transpose_conv", "int16"),
    ("transpose_conv", "float32"),
    ("batch_matmul", "int8"),
    ("batch_matmul", "int16"),
]


def more_cases(count: int = 20) -> list[Case]:
    return [c for i, (k, d) in enumerate(MORE) for c in generate_more(k, d, count, 1700 + i)]
