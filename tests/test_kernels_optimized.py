"""lwai's optimized kernels (kernels/optimized/<arch>/) against the reference kernels and
TensorFlow Lite Micro, bit for bit, on the QEMU Cortex-M boards (tests/backend_harness.py).

Per CPU, every generated int8 case of each op the backend provides (the kernel_cases groups
of tests/test_kernels.py plus their ":extreme" variants: odd channel counts, padding,
strides, dilation, depth multipliers, per-channel and per-tensor quantization, batches,
multipliers from 1e-5 to 30) runs in a few images: reference and backend on the same data.
The Python twin of each *_get_buffer_size must equal the C one, and a ctx one byte short
must be refused.

The Cortex-M55 builds kernels/optimized/armv81m/<op>.c where it exists and the armv7em file
otherwise (backend_harness.ARCH_OF_TARGET / FALLBACK_ARCH).

test_model_layers runs every layer of person_detect and micro_speech both ways on the
Cortex-M4 (bit-exact on real shapes, and the instruction goals); LWAI_BENCH=1 adds the
M55. ``python tests/backend_harness.py MODEL.tflite`` prints the per-layer table.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import backend_harness as bh
import kernel_cases as kc
import numpy as np
import pytest

from conftest import shared_model
from lwai import quant
from lwai.tflite_writer import conv_output_size, explicit_padding

pytestmark = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
    reason="needs arm-none-eabi-gcc and qemu-system-arm",
)

# group -> (cases, seed); seeds differ from tests/test_kernels.py's so these are new cases.
GROUPS = {
    "conv2d_int8": (60, 501),
    "depthwise_conv2d_int8": (60, 502),
    "fully_connected_int8": (40, 503),
    "avg_pool2d_int8": (30, 504),
    "max_pool2d_int8": (30, 505),
    "add_int8": (30, 506),
    "mul_int8": (30, 507),
    "softmax_int8": (30, 508),
}
EXTREME = {f"{g}:extreme": (30, 600 + i) for i, g in enumerate(GROUPS)}
# For scripts/gen_coverage.py: the cells whose int8 cases run here, reference and optimized
# kernels vs TFLM, on qemu-cortex-m4 and the host (>= 30 per op; SOFTMAX has no optimized
# kernel, so its cases are skipped).
CELLS: dict[str, list[str]] = {
    op: ["int8"]
    for op in (
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
        "AVERAGE_POOL_2D",
        "MAX_POOL_2D",
        "ADD",
        "MUL",
    )
}
# "host": the armv7em files' portable C fallbacks (no DSP extension), built with gcc.
TARGETS = ["qemu-cortex-m4", "qemu-cortex-m55", "host"]
# TFLM + CMSIS-NN's MVE kernels on qemu-system-arm -M mps3-an547 -icount shift=0, per inference.
M55_GOALS = {"person_detect.tflite": 6_508_406, "micro_speech_quantized.tflite": 1_008_281}


def _kernel_of(group: str) -> str:
    return bh.KIND_KERNEL[group.partition(":")[0].rpartition("_")[0]]


def _wide_conv(rng: np.random.Generator, k: int, kind: str) -> kc.Case:
    """MobileNet-like layers the kernel_cases generator (<= 8 channels) does not reach:
    1x1 pointwise and 3x3 depthwise/conv with 9..80 channels (odd ones too), so the GEMM's
    unrolled loops, the 4-pixel blocks and the channel tails all run; fast and exact
    requantization (act clamp or not, left shifts) both."""
    dw = kind == "depthwise_conv2d"
    n = int(rng.choice([1, 1, 2]))
    h, w = (int(v) for v in rng.integers(2, 9, size=2))
    cin = int(rng.choice([9, 16, 20, 33, 64, 80]))
    cout = cin if dw else int(rng.choice([3, 8, 17, 32]))
    kh = kw = 3 if dw or rng.random() < 0.3 else 1
    sh = sw = int(rng.choice([1, 1, 2]))
    padding = "SAME" if kh > 1 and rng.random() < 0.7 else "VALID"
    if kh > min(h, w):
        padding = "SAME"
    oh, ow = conv_output_size(h, kh, sh, 1, padding), conv_output_size(w, kw, sw, 1, padding)
    pt, _ = explicit_padding(h, kh, sh, 1, padding)
    pl, _ = explicit_padding(w, kw, sw, 1, padding)
    act = str(rng.choice(["NONE", "NONE", "RELU6"]))
    wshape = (1, kh, kw, cout) if dw else (cout, kh, kw, cin)
    si, zi = quant.f32(float(rng.uniform(0.004, 0.1))), int(rng.integers(-128, 128))
    per_channel = rng.random() < 0.6
    wsc = [quant.f32(float(v)) for v in rng.uniform(0.002, 0.03, cout if per_channel else 1)]
    depth = kh * kw * (1 if dw else cin)
    so = quant.f32(si * float(np.mean(wsc)) * 74 * 74 * np.sqrt(depth) / 40)
    if rng.random() < 0.2:
        so = quant.f32(so / 300)  # multipliers > 1: left shifts, the exact path
    wt = kc.T(wshape, "int8", rng.integers(-127, 128, wshape).astype(np.int8), wsc,
              [0] * len(wsc), (3 if dw else 0) if per_channel else 0)  # fmt: skip
    bias = kc.T((cout,), "int32", rng.integers(-20000, 20000, cout).astype(np.int32),
                [quant.f32(si * s) for s in wsc], [0] * len(wsc), 0)  # fmt: skip
    x = kc.T((n, h, w, cin), "int8", scale=[si], zero_point=[zi])
    out = kc.T((n, oh, ow, cout), "int8", scale=[so], zero_point=[int(rng.integers(-128, 128))])
    opts = {"padding": padding, "stride": (sh, sw), "dilation": (1, 1), "activation": act}
    attrs = {"stride": (sh, sw), "dilation": (1, 1), "padding": (pt, pl, 0, 0)}
    if dw:
        opts["depth_multiplier"] = attrs["depth_multiplier"] = 1
    lo, hi = quant.activation_range_quantized(act, so, out.zero_point[0], "int8")
    attrs.update(act_min=lo, act_max=hi)
    feeds = [rng.integers(-128, 128, x.shape).astype(np.int8)]
    return kc.Case(f"wide_{kind}_{k}", kind, [x, wt, bias], out, opts, attrs, feeds)


def _cases(backend: bh.Backend) -> list[kc.Case]:
    rng = np.random.default_rng(510)
    cases = [
        _wide_conv(rng, k, kind)
        for kind in ("conv2d", "depthwise_conv2d")
        if bh.KIND_KERNEL[kind] in backend.kernels
        for k in range(16)
    ]
    for group, (n, seed) in {**GROUPS, **EXTREME}.items():
        if _kernel_of(group) not in backend.kernels:
            continue  # the backend does not provide this kernel (the reference runs it)
        name, _, mode = group.partition(":")
        cases += kc.generate(name, n, seed, extreme=mode == "extreme")
    return cases


@pytest.mark.parametrize("target", TARGETS)
def test_optimized_kernels_bit_exact(target, tmp_path):
    backend = bh.optimized_backend(target)
    assert {"conv2d_s8", "depthwise_conv2d_s8", "fully_connected_s8"} <= backend.kernels
    cases = _cases(backend)
    assert len(cases) >= 200
    # The generators reach the shapes the fast paths special-case and their fallbacks.
    convs = [c for c in cases if c.kind in ("conv2d", "depthwise_conv2d")]
    assert any(c.inputs[0].shape[3] % 4 for c in convs)
    assert any(max(c.options["dilation"]) > 1 for c in convs)
    assert any(c.options.get("depth_multiplier", 1) > 1 for c in convs)
    assert any(len(c.inputs[1].scale) > 1 for c in convs)
    assert any(c.inputs[0].shape[0] > 1 for c in convs)
    results = bh.run_cases(cases, backend, target, tmp_path)
    assert len(results) == len(cases)
    failures = bh.check_cases(cases, results, backend)
    assert not failures, "\n".join(failures[:40])
    # Not vacuous: outputs vary, and some case needed scratch.
    assert any(len(set(r.got.tolist())) > 2 for r in results)
    assert any(r.c_size > 0 for r in results)


def test_harness_catches_a_wrong_kernel(tmp_path):
    """A backend whose conv2d is off by one in a single output must be reported."""
    target = "qemu-cortex-m4"
    bad = tmp_path / "bad_conv2d.c"
    bad.write_text(
        '#include "lwai/kernels_optimized.h"\n'
        "int32_t lwai_conv2d_opt_s8_get_buffer_size(const lwai_conv2d_params *p,\n"
        "    const lwai_dims *i, const lwai_dims *f, const lwai_dims *o)\n"
        "{\n    (void)p; (void)i; (void)f; (void)o;\n    return 0;\n}\n"
        "lwai_status lwai_conv2d_opt_s8(const lwai_context *ctx, const lwai_conv2d_params *p,\n"
        "    const lwai_channel_quant *q, const lwai_dims *id, const int8_t *in,\n"
        "    const lwai_dims *fd, const int8_t *f, const lwai_dims *bd, const int32_t *b,\n"
        "    const lwai_dims *od, int8_t *out)\n{\n"
        "    lwai_status st = lwai_conv2d_s8(p, q, id, in, fd, f, bd, b, od, out);\n"
        "    (void)ctx;\n    if (od->c > 3) {\n        out[3] = (int8_t)(out[3] ^ 1);\n    }\n"
        "    return st;\n}\n"
    )
    backend = bh.Backend("opt", [bad], {"conv2d_s8"}, size_fn=lambda k, f, d: 0)
    cases = [c for c in kc.generate("conv2d_int8", 12, 501) if c.output.shape[3] > 3][:4]
    results = bh.run_cases(cases, backend, target, tmp_path)
    failures = bh.check_cases(cases, results, backend)
    assert len([f for f in failures if "differs from reference" in f]) == len(cases)


def test_python_buffer_size_contract():
    from lwai.backends.optimized_armv7em import buffer_size

    f = {"input_offset": 5, "pad_top": 0, "pad_left": 0}
    # 1x1 without padding reads the input directly: only the int16 block of 4 pixels.
    assert buffer_size("conv2d_s8", f, [(1, 8, 8, 16), (32, 1, 1, 16), (1, 8, 8, 32)]) == 128
    # 3x3 over 1 channel (person_detect's first layer): 4 * 2 * 9 + the staging row (12).
    assert buffer_size("conv2d_s8", f, [(1, 96, 96, 1), (8, 3, 3, 1), (1, 48, 48, 8)]) == 84
    # grouped conv goes to the reference kernel: no scratch
    assert buffer_size("conv2d_s8", f, [(1, 8, 8, 16), (8, 1, 1, 8), (1, 8, 8, 8)]) == 0
    assert buffer_size("fully_connected_s8", {}, [(1, 1, 1, 4), (2, 1, 1, 4), (1, 1, 1, 2)]) == 0
    with pytest.raises(ValueError):
        buffer_size("gather_s8", {}, [])


def test_python_buffer_size_contract_armv81m():
    from lwai.backends.optimized_armv81m import buffer_size

    f = {"input_offset": 5, "pad_top": 0, "pad_left": 0, "stride_h": 1, "stride_w": 1}
    # 1x1 without padding reads the input directly: 16 bytes of channel constants each.
    assert buffer_size("conv2d_s8", f, [(1, 8, 8, 16), (32, 1, 1, 16), (1, 8, 8, 32)]) == 512
    # 3x3 over 1 channel (person_detect's first layer): 8 * 16 + 4 im2col rows of 9.
    assert buffer_size("conv2d_s8", f, [(1, 96, 96, 1), (8, 3, 3, 1), (1, 48, 48, 8)]) == 164
    # grouped conv goes to the reference kernel: no scratch
    assert buffer_size("conv2d_s8", f, [(1, 8, 8, 16), (8, 1, 1, 8), (1, 8, 8, 8)]) == 0
    # 3x3 depthwise: 208 bytes per 8 channels + a 3x3 border patch; 5x5: none
    dw = {"depth_multiplier": 1, "dilation_h": 1, "dilation_w": 1}
    dims3 = [(1, 6, 6, 12), (1, 3, 3, 12), (1, 6, 6, 12)]
    assert buffer_size("depthwise_conv2d_s8", dw, dims3) == 2 * 208 + 9 * 12
    assert buffer_size("depthwise_conv2d_s8", dw, [(1, 6, 6, 8), (1, 5, 5, 8), (1, 6, 6, 8)]) == 0
    fc = {"filter_offset": 0}
    assert buffer_size("fully_connected_s8", fc, [(1, 1, 1, 9), (5, 1, 1, 9), (1, 1, 1, 5)]) == 128
    assert buffer_size("avg_pool2d_s8", {}, [(1, 3, 3, 8), (1, 1, 1, 8)]) == 0
    with pytest.raises(ValueError):
        buffer_size("gather_s8", {}, [])


@pytest.mark.parametrize(
    "target",
    [
        "qemu-cortex-m4",
        pytest.param(
            "qemu-cortex-m55",
            marks=pytest.mark.skipif(
                not os.environ.get("LWAI_BENCH"), reason="M55 benchmark: set LWAI_BENCH=1"
            ),
        ),
    ],
)
def test_model_layers(target, tmp_path):
    """Every kernel call of person_detect and micro_speech (the real layer shapes: up to 256
    channels), reference then optimized on the model's arena: the outputs must be equal and,
    on the Cortex-M4, the instruction totals at or below TFLM + CMSIS-NN's
    (22,928,400 and 1,495,320 per inference, measured by the lead with -icount shift=0)."""
    backend = bh.optimized_backend(target)
    goals = {"person_detect.tflite": 22_928_400, "micro_speech_quantized.tflite": 1_495_320}
    for name, goal in goals.items():
        d = bh.compile_model(shared_model(name), tmp_path / name, target)
        layers = bh.benchmark_model(d, backend, target, tmp_path / (name + "_bench"))
        print(bh.format_benchmark(f"{name} on {target}", layers))
        bad = [lt for lt in layers if lt.mismatches or lt.status]
        assert not bad, bad
        # where the compiler already calls this backend, it planned exactly the C size
        wrong = [lt for lt in layers if lt.planned is not None and lt.planned != lt.c_size]
        assert not wrong, wrong
        assert any(lt.backend is not None for lt in layers)
        total = sum(lt.backend if lt.backend is not None else lt.ref for lt in layers)
        if target == "qemu-cortex-m4":
            assert total <= goal, (name, total, goal)
        if target == "qemu-cortex-m55":  # TFLM + CMSIS-NN (MVE) on the M55, same measure
            assert total <= M55_GOALS[name], (name, total, M55_GOALS[name])


def test_bad_arguments(tmp_path):
    """Refusals with LWAI_ERR_INVALID_ARG (-1), never a crash; size-0 kernels take a NULL
    ctx. Built for the host (the argument checks are the same C on every CPU)."""
    src = tmp_path / "badargs.c"
    src.write_text(r"""
#include <stdio.h>
#include "lwai/kernels_optimized.h"
int main(void)
{
    static const int32_t mult[1] = {1 << 30}, shift[1] = {-1};
    static const lwai_channel_quant q = {mult, shift, 1};
    static const lwai_conv2d_params p = {.stride_h = 1, .stride_w = 1, .dilation_h = 1,
                                         .dilation_w = 1, .act_min = -128, .act_max = 127};
    static const lwai_depthwise_conv2d_params dp = {.stride_h = 1, .stride_w = 1,
        .dilation_h = 1, .dilation_w = 1, .depth_multiplier = 1, .act_min = -128,
        .act_max = 127};
    static const lwai_fully_connected_params fp = {.act_min = -128, .act_max = 127};
    static const lwai_pool2d_params pp = {.stride_h = 1, .stride_w = 1, .filter_h = 2,
        .filter_w = 2, .pad_top = 2, .act_min = -128, .act_max = 127};
    static const lwai_add_params ap = {.left_shift = 20, .act_min = -128, .act_max = 127};
    static const lwai_dims in = {1, 4, 4, 4}, f = {2, 3, 3, 4}, out = {1, 4, 4, 2};
    static const lwai_dims fg = {2, 1, 1, 2}, dwf = {1, 3, 3, 4}, dwo = {1, 4, 4, 4};
    static const lwai_dims fcin = {1, 1, 1, 8}, fcf = {3, 1, 1, 8}, fco = {1, 1, 1, 2};
    static const lwai_dims bad_bcast = {1, 3, 4, 4};
    static const int8_t x[64] = {1, 2, 3}, w[72] = {4, 5, 6};
    static int8_t y[64];
    static uint32_t buf[256];
    const int32_t need = lwai_conv2d_opt_s8_get_buffer_size(&p, &in, &f, &out);
    const lwai_context ok = {buf, need}, small = {buf, need - 1};
    const lwai_context odd = {(uint8_t *)buf + 1, need};
    printf("%d %d %d %d %d %d %d %d %d %d %d %d\n", need > 0,
           lwai_conv2d_opt_s8(&ok, &p, &q, &in, x, &f, w, NULL, NULL, &out, y),
           lwai_conv2d_opt_s8(NULL, &p, &q, &in, x, &f, w, NULL, NULL, &out, y),
           lwai_conv2d_opt_s8(&small, &p, &q, &in, x, &f, w, NULL, NULL, &out, y),
           lwai_conv2d_opt_s8(&odd, &p, &q, &in, x, &f, w, NULL, NULL, &out, y),
           lwai_conv2d_opt_s8(&ok, &p, NULL, &in, x, &f, w, NULL, NULL, &out, y),
           /* grouped: the reference kernel, no scratch, NULL ctx accepted */
           lwai_conv2d_opt_s8(NULL, &p, &q, &in, x, &fg, w, NULL, NULL, &out, y),
           lwai_depthwise_conv2d_opt_s8(NULL, &dp, &q, &in, NULL, &dwf, w, NULL, NULL, &dwo, y),
           lwai_fully_connected_opt_s8(NULL, &fp, &q, &fcin, x, &fcf, w, NULL, NULL, &fco, y),
           lwai_avg_pool2d_opt_s8(NULL, &pp, &in, x, &in, y),
           lwai_max_pool2d_opt_s8(&pp, &in, x, NULL, y),
           lwai_add_opt_s8(&ap, &bad_bcast, x, &in, x, &in, y));
    return 0;
}
""")
    sources = [str(p) for p in sorted((bh.OPT_DIR / "armv7em").glob("*.c"))]
    sources += [str(p) for p in sorted(bh.REF_DIR.glob("*.c"))]
    exe = tmp_path / "badargs"
    cmd = ["gcc", *kc.CFLAGS, *[f"-I{p}" for p in kc.INCLUDES], str(src), *sources, "-lm"]
    subprocess.run([*cmd, "-o", str(exe)], check=True, capture_output=True, text=True)
    got = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    assert got == ["1", "0", "-1", "-1", "-1", "-1", "0", "-1", "-1", "-1", "-1", "-1"]
