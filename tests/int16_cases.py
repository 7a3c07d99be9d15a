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
        ins.append(T((cout,), "int64", bdata, bsc, [0] * len(bsc), 0))
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
        ins.append(T((cout,), "int64", bdata, [quant.f32(si * ws)], [0]))
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


def _one(rng, k: int, kind: str) -> Case:
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


KINDS = ("conv2d", "depthwise_conv2d", "fully_connected", "avg_pool2d", "max_pool2d", "add", "mul")


def all_cases(count: int = 20) -> list[Case]:
    return [c for i, kind in enumerate(KINDS) for c in generate(kind, count, 1600 + i)]


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
        call = emit_kernel_call(case.op_desc(), p, exprs, f"(uint8_t *){p}_y")
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
    main += '    lwai_board_puts("done\\n");\n    return 0;\n}\n'
    return head + "".join(defs) + "\n" + main


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
