"""The CMSIS-NN backend (kernels/thirdparty/cmsis_nn/) on qemu-cortex-m4 and qemu-cortex-m55.

CMSIS-NN is not vendored and no package registry ships it: these tests build it from the
checkout ``LWAI_CMSIS_NN_PATH`` names and skip, saying so, when it is unset.

Per CPU, for every adapter: generated int8 single-op cases (tests/kernel_cases.py, normal
and extreme scales, plus shapes the generator never makes but CMSIS-NN has separate paths
for: 1xN convs, 1x1 convs, grouped convs, one-input-channel convs and depthwise, 3x3
depthwise with pad 1, batches) run through lwai's reference kernel and the CMSIS-NN adapter
in the images of tests/backend_harness.py on QEMU; both must equal TFLite Micro bit for bit,
the adapter's C *_get_buffer_size must equal its Python twin (lwai/backends/cmsis_nn.py)
and a ctx one byte short must be refused. The 1xN (Helium) and grouped-without-bias cases
fail if the adapters hand them to CMSIS-NN's wrapper as is (CMSIS-NN at 4ab83cc gets them
wrong); see kernels/thirdparty/README.md.

16x8 (int16) adapters: tests/int16_cases.py's generated cases (plus equal-shape ADD/MUL and
shapes the fallbacks hinge on: > 511 taps, 2^40 biases, int32 biases) the same way, and one
int16 model through `--kernels cmsis-nn` on the Cortex-M55 (AOT) and on the Cortex-M4's
graph executor (model.lwfb; report.json: every op on cmsis-nn; the graph image holds the
adapters the registry calls). LSTM: lstm_cases.py's int8 and 16x8 LSTMs and
trained_lstm_int8's layer through lwai_lstm_cmsis_s8/_s16 over 5 invocations and a reset on
both CPUs, and trained_lstm_int8 through `--kernels cmsis-nn` on the Cortex-M4, AOT and
graph executor.

``python tests/test_cmsis_nn.py MODEL.tflite ...`` prints instructions per layer instead.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import backend_harness as bh
import int16_cases as ic
import kernel_cases as kc
import lstm_cases as lc
import numpy as np
import pytest

from conftest import shared_model
from lwai import quant
from lwai.backends import cmsis_nn
from lwai.errors import LwaiError
from lwai.frontend import lstm
from lwai.tflite_writer import conv_output_size, explicit_padding

ROOT = Path(__file__).resolve().parents[1]
CMSIS_ENV = os.environ.get("LWAI_CMSIS_NN_PATH")
TOOLS = ("arm-none-eabi-gcc", "arm-none-eabi-ar", "qemu-system-arm")

needs_cmsis = [
    pytest.mark.skipif(
        not CMSIS_ENV,
        reason="LWAI_CMSIS_NN_PATH is unset: point it at a CMSIS-NN checkout to test the "
        "cmsis-nn backend (docs/cmsis-nn.md)",
    ),
    pytest.mark.skipif(
        any(shutil.which(t) is None for t in TOOLS), reason=f"needs {', '.join(TOOLS)}"
    ),
]

# adapter -> (generator group, normal cases, extreme cases, seed)
GROUPS = {
    "conv2d": ("conv2d_int8", 150, 50, 701),
    "depthwise_conv2d": ("depthwise_conv2d_int8", 150, 50, 702),
    "fully_connected": ("fully_connected_int8", 150, 50, 703),
    "avg_pool2d": ("avg_pool2d_int8", 150, 50, 704),
    "max_pool2d": ("max_pool2d_int8", 150, 50, 705),
    "add": ("add_int8", 150, 50, 706),
    "mul": ("mul_int8", 150, 50, 707),
    "softmax": ("softmax_int8", 150, 50, 708),
}


# ---- cases ----------------------------------------------------------------------------------


def _conv_case(
    rng: np.random.Generator,
    name: str,
    kind: str,
    shape: tuple[int, int, int, int],
    k: tuple[int, int],
    out_c: int,
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    padding: str = "SAME",
    groups: int = 1,
    bias: bool | None = None,
) -> kc.Case:
    """A conv/depthwise case with the given geometry (out_c: Cout, or the depth multiplier;
    ``groups`` > 1: a grouped conv, filter depth Cin / groups)."""
    depthwise = kind == "depthwise_conv2d"
    n, h, w, cin = shape
    kh, kw = k
    cout = cin * out_c if depthwise else out_c
    oh = conv_output_size(h, kh, stride[0], dilation[0], padding)
    ow = conv_output_size(w, kw, stride[1], dilation[1], padding)
    pt, pb = explicit_padding(h, kh, stride[0], dilation[0], padding)
    pl, pr = explicit_padding(w, kw, stride[1], dilation[1], padding)
    act = str(rng.choice(kc.ACTS))
    si, zi = quant.f32(float(rng.uniform(0.004, 0.1))), int(rng.integers(-128, 128))
    per_channel = bool(rng.random() < 0.6)
    wsc = [quant.f32(float(v)) for v in rng.uniform(0.002, 0.03, size=cout if per_channel else 1)]
    wshape = (1, kh, kw, cout) if depthwise else (cout, kh, kw, cin // groups)
    wdata = rng.integers(-127, 128, size=wshape).astype(np.int8)
    axis = (3 if depthwise else 0) if per_channel else 0
    wt = kc.T(wshape, "int8", wdata, wsc, [0] * len(wsc), axis)
    depth = kh * kw * (1 if depthwise else cin // groups)
    so = quant.f32(si * float(np.mean(wsc)) * 74 * 74 * math.sqrt(depth) / 40)
    out = kc.T((n, oh, ow, cout), "int8", scale=[so], zero_point=[int(rng.integers(-128, 128))])
    x = kc.T((n, h, w, cin), "int8", scale=[si], zero_point=[zi])
    ins = [x, wt]
    if bias if bias is not None else rng.random() < 0.8:
        bdata = rng.integers(-20000, 20000, size=cout).astype(np.int32)
        ins.append(kc.T((cout,), "int32", bdata, [quant.f32(si * s) for s in wsc], [0] * len(wsc)))
    opts = {"padding": padding, "stride": stride, "dilation": dilation, "activation": act}
    attrs = {"stride": stride, "dilation": dilation, "padding": (pt, pl, pb, pr)}
    if depthwise:
        opts["depth_multiplier"] = out_c
        attrs["depth_multiplier"] = out_c
    lo, hi = quant.activation_range_quantized(act, so, out.zero_point[0], "int8")
    attrs.update(act_min=lo, act_max=hi)
    feeds = [rng.integers(-128, 128, size=x.shape).astype(np.int8)]
    return kc.Case(name, kind, ins, out, opts, attrs, feeds)


def _special_cases(kind: str) -> list[kc.Case]:
    """Shapes that reach CMSIS-NN's special paths (the generator's inputs are >= 3x3)."""
    rng = np.random.default_rng(709)
    out: list[kc.Case] = []
    if kind == "conv2d":
        geos = [
            # 1xN (input height 1): SAME and VALID, covered or not, strides 1..4
            ((1, 1, 12, 4), (1, 3), 5, (1, 1), "SAME"),
            ((1, 1, 12, 4), (1, 3), 5, (1, 2), "SAME"),
            ((1, 1, 13, 8), (1, 4), 3, (1, 2), "SAME"),
            ((1, 1, 11, 4), (1, 2), 6, (1, 2), "VALID"),
            ((1, 1, 16, 4), (1, 5), 7, (1, 3), "VALID"),
            ((1, 1, 9, 4), (1, 8), 4, (1, 1), "SAME"),
            ((2, 1, 10, 4), (1, 3), 3, (1, 1), "SAME"),
            ((1, 1, 20, 1), (1, 3), 8, (1, 4), "SAME"),
            # 1x1: unit stride (fast path) and strided
            ((1, 6, 7, 16), (1, 1), 9, (1, 1), "VALID"),
            ((2, 5, 5, 3), (1, 1), 4, (1, 1), "SAME"),
            ((1, 7, 6, 8), (1, 1), 5, (2, 2), "VALID"),
            ((1, 9, 9, 4), (1, 1), 7, (3, 2), "SAME"),
            # micro_speech-like: tall kernel, stride 2, one channel (a depthwise on Armv7E-M)
            ((1, 12, 10, 1), (10, 8), 8, (2, 2), "SAME"),
            ((1, 9, 9, 1), (3, 3), 12, (2, 2), "VALID"),
        ]
        for i, (shape, k, oc, s, pad) in enumerate(geos):
            out.append(_conv_case(rng, f"conv2d_special_{i}", kind, shape, k, oc, s, (1, 1), pad))
        # grouped convs, with and without bias (the adapter's zero bias), dilated too
        for i, (shape, oc, g, d, b) in enumerate(
            [
                ((1, 6, 6, 4), 6, 2, (1, 1), False),
                ((1, 7, 5, 6), 6, 3, (1, 1), True),
                ((2, 6, 6, 8), 4, 4, (2, 1), False),
                ((1, 5, 5, 4), 8, 2, (1, 1), None),
            ]
        ):
            out.append(
                _conv_case(
                    rng,
                    f"conv2d_grouped_{i}",
                    kind,
                    shape,
                    (3, 3),
                    oc,
                    (1, 1),
                    d,
                    "SAME",
                    groups=g,
                    bias=b,
                )
            )
    elif kind == "depthwise_conv2d":
        geos = [
            ((1, 7, 7, 1), (3, 3), 4, (1, 1), "SAME"),  # one input channel: a conv on Helium
            ((1, 1, 12, 1), (1, 3), 3, (1, 4), "VALID"),
            ((1, 1, 12, 1), (1, 3), 2, (1, 4), "SAME"),
            ((1, 1, 14, 1), (1, 5), 2, (1, 4), "VALID"),
            ((1, 8, 8, 5), (3, 3), 1, (1, 1), "SAME"),  # 3x3, pad 1 (Armv7E-M's own kernel)
            ((1, 9, 9, 6), (3, 3), 1, (2, 2), "SAME"),
            ((1, 9, 9, 6), (3, 3), 1, (2, 2), "VALID"),
            ((2, 6, 6, 4), (3, 3), 1, (1, 1), "SAME"),  # batches: generic kernel
            ((1, 6, 6, 3), (3, 3), 4, (1, 1), "SAME"),  # multiplier 4: its own loop
            ((1, 10, 10, 130), (3, 3), 1, (1, 1), "SAME"),  # > 124 channels (Helium blocks)
            ((1, 5, 5, 1), (1, 1), 3, (1, 1), "VALID"),
        ]
        for i, (shape, k, dm, s, pad) in enumerate(geos):
            out.append(_conv_case(rng, f"dw_special_{i}", kind, shape, k, dm, s, (1, 1), pad))
    return out


_CASES: dict[str, list[kc.Case]] = {}


def cases_of(kind: str) -> list[kc.Case]:
    if kind not in _CASES:
        group, n, n_ext, seed = GROUPS[kind]
        cases = kc.generate(group, n, seed) + kc.generate(group, n_ext, seed + 50, extreme=True)
        if kind in ("add", "mul"):
            # CMSIS-NN has no broadcasting (those go to the reference): most cases get equal
            # shapes, picked from a larger generated pool
            pool = kc.generate(group, 6 * n, seed + 100)
            same = [c for c in pool if c.inputs[0].shape == c.inputs[1].shape == c.output.shape]
            cases = same[: n - n // 4] + cases[: n // 4] + cases[n:]
        for i, c in enumerate(cases):
            c.name = f"{c.name}_{i}"
        _CASES[kind] = cases + _special_cases(kind)
    return _CASES[kind]


# ---- building and running (tests/backend_harness.py) ---------------------------------------


def _run(cmd: list[str]) -> None:
    p = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd[:3])} ... failed:\n{p.stdout}\n{p.stderr}"[-4000:])


_LIBS: dict[str, Path] = {}


def cmsis_library(target: str, root: Path, work: Path) -> Path:
    """libcmsisnn.a for the target's CPU from the checkout (CMSIS-NN's code with its own
    flags: -O2, no -Werror), built once per CPU, two compilers at a time."""
    if target not in _LIBS:
        _, cpu, _ = bh.TARGET_BOARD[target]
        out = work / target / "cmsis"
        out.mkdir(parents=True, exist_ok=True)
        srcs = cmsis_nn.sources(root)
        objs = [out / f"{i:03d}_{s.stem}.o" for i, s in enumerate(srcs)]
        inc = [f"-I{d}" for d in cmsis_nn.include_dirs(root)]
        cc = [
            "arm-none-eabi-gcc",
            *cpu,
            "-std=c99",
            "-O2",
            "-ffunction-sections",
            "-fdata-sections",
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [[*cc, *inc, "-c", str(s), "-o", str(o)] for s, o in zip(srcs, objs)]
            list(pool.map(_run, jobs))
        lib = out / "libcmsisnn.a"
        _run(["arm-none-eabi-ar", "rcs", str(lib), *map(str, objs)])
        _LIBS[target] = lib
    return _LIBS[target]


def cmsis_backend(target: str, root: Path, work: Path) -> bh.Backend:
    """The adapters (lwai's flags, warnings as errors) over the prebuilt CMSIS-NN library."""
    arch = bh.ARCH_OF_TARGET[target]
    return bh.Backend(
        "cmsis",
        sorted((ROOT / "kernels" / "thirdparty" / "cmsis_nn").glob("*.c")),
        set(bh.KIND_KERNEL.values()),
        includes=[*cmsis_nn.include_dirs(root), ROOT / "kernels" / "thirdparty" / "cmsis_nn"],
        size_fn=functools.partial(cmsis_nn.buffer_size, arch),
        header="lwai/kernels_cmsis_nn.h",
        objects=[cmsis_library(target, root, work)],
    )


@pytest.fixture(scope="module")
def cmsis_root() -> Path:
    return cmsis_nn.check_path(CMSIS_ENV)


# ---- tests ----------------------------------------------------------------------------------


@needs_cmsis[0]
@needs_cmsis[1]
@pytest.mark.parametrize("target", list(bh.TARGET_BOARD))
@pytest.mark.parametrize("kind", list(GROUPS))
def test_adapter_bit_exact(kind: str, target: str, cmsis_root: Path, tmp_path_factory) -> None:
    """Adapter == reference == TFLite Micro bit for bit; C buffer size == Python; a ctx one
    byte short is refused."""
    work = tmp_path_factory.getbasetemp() / "cmsis_nn"
    backend = cmsis_backend(target, cmsis_root, work)
    cases = cases_of(kind)
    assert len(cases) >= 200
    results = bh.run_cases(cases, backend, target, work / target / kind)
    assert len(results) == len(cases)
    bad = bh.check_cases(cases, results, backend)
    assert not bad, f"{target} {kind}: {len(bad)} problems:\n" + "\n".join(bad[:20])


# ---- 16x8 (int16) kernels -------------------------------------------------------------------

# kind -> (generated cases from tests/int16_cases.py, seed); add and mul get extra cases of
# equal shapes (CMSIS-NN has no broadcasting: int16_cases broadcasts most of them).
S16_GROUPS = {
    "conv2d": (24, 1801),
    "depthwise_conv2d": (24, 1802),
    "fully_connected": (24, 1803),
    "avg_pool2d": (16, 1804),
    "max_pool2d": (16, 1805),
    "add": (8, 1806),
    "mul": (8, 1807),
}
S16_KERNELS = {f"{k}_s16" for k in S16_GROUPS}


class S16Case(kc.Case):
    """A case whose OpDesc is the frontend's (int32 biases adopted: the kernels' acc32)."""

    def op_desc(self):
        from lwai.frontend.int16 import adopt_int32_bias

        return adopt_int32_bias(kc.Case.op_desc(self))


def _s16(c: kc.Case) -> S16Case:
    return S16Case(c.name, c.kind, c.inputs, c.output, c.options, c.attrs, c.feeds)


def _s16_conv(
    rng: np.random.Generator,
    name: str,
    kind: str,
    shape: tuple[int, int, int, int],
    k: tuple[int, int],
    out_c: int,
    bias: str | None = "int64",
    big_bias: bool = False,
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    worst: bool = False,
) -> S16Case:
    """A 16x8 conv/depthwise/FC case of a given geometry (out_c: Cout, or the depth
    multiplier), SAME padding, per-channel weights, outputs spread over int16."""
    dw, fc = kind == "depthwise_conv2d", kind == "fully_connected"
    n, h, w, cin = shape
    kh, kw = k
    cout = cin * out_c if dw else out_c
    oh = conv_output_size(h, kh, stride[0], dilation[0], "SAME")
    ow = conv_output_size(w, kw, stride[1], dilation[1], "SAME")
    pt, pb = explicit_padding(h, kh, stride[0], dilation[0], "SAME")
    pl, pr = explicit_padding(w, kw, stride[1], dilation[1], "SAME")
    wshape = (cout, cin) if fc else (1, kh, kw, cout) if dw else (cout, kh, kw, cin)
    depth = cin if fc else kh * kw * (1 if dw else cin)
    wsc = [quant.f32(float(v)) for v in rng.uniform(0.002, 0.02, size=1 if fc else cout)]
    wt = kc.T(
        wshape,
        "int8",
        rng.integers(-127, 128, size=wshape).astype(np.int8),
        wsc,
        [0] * len(wsc),
        3 if dw else 0,
    )
    si = quant.f32(float(10 ** rng.uniform(-4, -3)))
    so = quant.f32(si * float(np.mean(wsc)) * math.sqrt(depth) * 175)
    xs = (n, cin) if fc else shape
    outs = (n, cout) if fc else (n, oh, ow, cout)
    x = kc.T(xs, "int16", scale=[si], zero_point=[0])
    out = kc.T(outs, "int16", scale=[so], zero_point=[0])
    ins = [x, wt]
    if bias is not None:
        lim = 1 << 40 if big_bias else 3_000_000
        b = rng.integers(-lim, lim, size=cout, dtype=np.int64).astype(bias)
        bsc = [quant.f32(si * s) for s in wsc]
        ins.append(kc.T((cout,), bias, b, bsc, [0] * len(bsc), 0))
    opts: dict = {"activation": "NONE"}
    attrs: dict = {"activation": "NONE", "act_min": -32768, "act_max": 32767}
    if not fc:
        opts.update(padding="SAME", stride=stride, dilation=dilation)
        attrs.update(stride=stride, dilation=dilation, padding=(pt, pl, pb, pr))
    if dw:
        opts["depth_multiplier"] = attrs["depth_multiplier"] = out_c
    feeds = [rng.integers(-32768, 32768, size=xs, dtype=np.int64).astype(np.int16)]
    if worst:  # every product (-32768) x (-127): a sum of > 516 of them overflows int32
        wt.data[...] = -127
        feeds[0][...] = -32768
    return S16Case(name, kind, ins, out, opts, attrs, feeds)


def _s16_special() -> list[S16Case]:
    """Shapes the generator does not make but the adapters treat apart: > 511 taps (int64
    bias: the reference runs; int32 bias: CMSIS-NN), 2^40 biases, 1x1, dilation, batches,
    the fast depthwise kernel (multiplier 1) and >= 512 FC columns (CMSIS-NN's int64 tail)."""
    rng = np.random.default_rng(1808)
    return [
        _s16_conv(rng, "s16_conv_deep", "conv2d", (1, 4, 4, 64), (3, 3), 5),
        _s16_conv(rng, "s16_conv_deep_max", "conv2d", (1, 1, 1, 600), (1, 1), 2, worst=True),
        _s16_conv(rng, "s16_conv_deep_b32", "conv2d", (1, 4, 4, 64), (3, 3), 5, "int32"),
        _s16_conv(rng, "s16_conv_big_bias", "conv2d", (1, 5, 5, 3), (3, 3), 4, big_bias=True),
        _s16_conv(rng, "s16_conv_1x1", "conv2d", (2, 5, 6, 8), (1, 1), 12),
        _s16_conv(rng, "s16_conv_dil", "conv2d", (1, 9, 9, 4), (3, 3), 6, dilation=(2, 2)),
        _s16_conv(rng, "s16_conv_nobias", "conv2d", (1, 6, 6, 5), (3, 3), 7, None),
        _s16_conv(rng, "s16_dw_fast", "depthwise_conv2d", (1, 8, 8, 9), (3, 3), 1),
        _s16_conv(rng, "s16_dw_fast_b2", "depthwise_conv2d", (2, 6, 6, 4), (3, 3), 1),
        _s16_conv(rng, "s16_dw_mult", "depthwise_conv2d", (1, 6, 6, 3), (3, 3), 3),
        _s16_conv(
            rng, "s16_dw_big_bias", "depthwise_conv2d", (1, 6, 6, 4), (3, 3), 1, big_bias=True
        ),
        _s16_conv(rng, "s16_dw_wide", "depthwise_conv2d", (1, 5, 5, 20), (5, 5), 1, None),
        _s16_conv(rng, "s16_fc_deep", "fully_connected", (3, 1, 1, 700), (1, 1), 9),
        _s16_conv(rng, "s16_fc_b32", "fully_connected", (2, 1, 1, 40), (1, 1), 6, "int32"),
        _s16_conv(rng, "s16_fc_nobias", "fully_connected", (1, 1, 1, 33), (1, 1), 16, None),
    ]


_S16_CASES: list[S16Case] = []


def s16_cases() -> list[S16Case]:
    if not _S16_CASES:
        for kind, (n, seed) in S16_GROUPS.items():
            cases = [_s16(c) for c in ic.generate(kind, n, seed)]
            if kind in ("add", "mul"):
                pool = ic.generate(kind, 60, seed + 100)
                same = [_s16(c) for c in pool if c.inputs[0].shape == c.inputs[1].shape]
                cases += same[:16]
            _S16_CASES.extend(cases)
        _S16_CASES.extend(_s16_special())
    return _S16_CASES


@needs_cmsis[0]
@needs_cmsis[1]
@pytest.mark.parametrize("target", list(bh.TARGET_BOARD))
def test_s16_adapters_bit_exact(target: str, cmsis_root: Path, tmp_path_factory) -> None:
    """The 16x8 adapters (conv, depthwise, FC, pools, ADD, MUL) == reference == TFLite Micro
    bit for bit on every generated int16 case plus the special shapes; C buffer size ==
    Python; a ctx one byte short is refused; CMSIS-NN (not a fallback) takes most cases."""
    work = tmp_path_factory.getbasetemp() / "cmsis_nn"
    base = cmsis_backend(target, cmsis_root, work)
    backend = bh.Backend(
        base.suffix,
        base.sources,
        S16_KERNELS,
        includes=base.includes,
        size_fn=base.size_fn,
        header=base.header,
        objects=base.objects,
    )
    cases = s16_cases()
    assert {c.kind for c in cases} == set(S16_GROUPS) and len(cases) >= 150
    results = bh.run_cases(cases, backend, target, work / target / "s16")
    assert len(results) == len(cases)
    bad = bh.check_cases(cases, results, backend)
    assert not bad, f"{target} s16: {len(bad)} problems:\n" + "\n".join(bad[:20])
    # the conv/depthwise/FC fast paths were taken: CMSIS-NN needed fewer instructions than
    # the reference on the larger special cases
    faster = [
        c.name
        for c, r in zip(cases, results, strict=True)
        if c.name in ("s16_conv_1x1", "s16_dw_fast", "s16_fc_deep", "s16_conv_deep_b32")
        and r.ticks_backend < r.ticks_ref
    ]
    assert len(faster) == 4, faster


# The product path (an image with CMSIS-NN built by SCons: ~30 s each) once per CPU: the int16
# model on the Cortex-M55, trained_lstm_int8 on the Cortex-M4; the kernel tests above run
# every case on both CPUs.
def graph_symbols(image: Path) -> set[str]:
    """The function symbols of a (graph-executor) image: --gc-sections keeps only what the
    registry calls, so a CMSIS-NN adapter's symbol means the registry runs it."""
    text = subprocess.run(
        ["arm-none-eabi-nm", str(image)], capture_output=True, text=True, check=True
    ).stdout
    return {ln.split()[-1] for ln in text.splitlines() if ln.split()[1:2] in (["T"], ["t"])}


def check_graph_scratch(info: dict) -> None:
    """The graph image planned the CMSIS-NN kernels' scratch after the model's arena."""
    report = info["report"]
    scratch = max(op.get("scratch_bytes", 0) for op in report["ops"])
    assert scratch > 0, report["ops"]
    assert info["result"].arena_needed >= report["arena_bytes"] + scratch


@needs_cmsis[0]
@needs_cmsis[1]
@pytest.mark.parametrize(
    "target, executor", [("qemu-cortex-m55", "aot"), ("qemu-cortex-m4", "graph")]
)
def test_s16_model_on_cmsis_nn(target: str, executor: str, tmp_path: Path, monkeypatch) -> None:
    """The product path: int16 single-op models compiled with --kernels cmsis-nn, run on the
    board, equal TFLite Micro; report.json gives every int16 op to the cmsis-nn backend. On
    the graph executor (model.lwfb) the registry calls the adapters (LWAI_FAST_*_S16: the
    image holds no AOT code, so their symbols are there only if the registry calls them)
    with their scratch planned."""
    from conftest import tflm_outputs
    from lwai.driver import run_model

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    # one image: a generated case per kind (add/mul: the equal-shape ones CMSIS-NN takes)
    # and the int32-bias deep conv (CMSIS-NN's is_int32_bias mode)
    cases = s16_cases()
    picked = [next(c for c in cases if c.kind == k) for k in S16_GROUPS if k not in ("add", "mul")]
    picked += [
        next(c for c in cases if c.kind == k and c.inputs[0].shape == c.inputs[1].shape)
        for k in ("add", "mul")
    ]
    if executor == "aot":  # the graph app takes 40 arguments: -m FILE leaves room for 7 ops
        picked.append(next(c for c in cases if c.name == "s16_conv_deep_b32"))
    model, feeds = kc.batch_model(picked)
    path = tmp_path / "s16.tflite"
    path.write_bytes(model)
    got, info = run_model(
        path, feeds, tmp_path / "r", target=target, kernels="cmsis-nn", executor=executor
    )
    ref = tflm_outputs(model, feeds, n_outputs=len(picked))
    for c, g, r in zip(picked, got, ref, strict=True):
        np.testing.assert_array_equal(np.asarray(g).reshape(r.shape), r, err_msg=c.name)
    ops = info["report"]["ops"]
    assert len(ops) == len(picked)
    assert {o["backend"] for o in ops} == {"cmsis-nn"}, ops
    adapters = {f"lwai_{k.replace('_s16', '_cmsis_s16')}" for k in S16_KERNELS}
    assert {o["kernel"] for o in ops} == adapters, ops
    if executor == "graph":
        assert adapters <= graph_symbols(info["image"])
        check_graph_scratch(info)


# ---- UNIDIRECTIONAL_SEQUENCE_LSTM (int8) --------------------------------------------------

LSTM_INVOCATIONS = 5
MNIST_LSTM = "trained_lstm_int8.tflite"
_LSTM: list = []


def lstm_items() -> tuple[list, list]:
    """tests/lstm_cases.py's int8 and 16x8 cases and trained_lstm_int8's layer, each with 5
    invocations of inputs and TFLite Micro's outputs (then one more after reset())."""
    if not _LSTM:
        items, refs = [], []
        for case in lc.cases():
            if case.dtype in ("int8", "int16"):
                model = lc.build(case)
                x = lc.random_inputs(case, LSTM_INVOCATIONS, seed=100 + case.seed)
                items.append((case, x))
                refs.append(lc.tflm_run(model, x))
        # 16x8 with 600 input columns: CMSIS-NN sums the first 512 in int32, the rest in
        # int64 (lstm.c checks the int32 block against the weights)
        wide = lc.LstmCase(
            "s16_wide600",
            dtype="int16",
            n_in=600,
            n_cell=4,
            steps=2,
            seed=31,
            input_scale=1 / 4096,
            hidden_scale=1 / 4096,
        )
        x = lc.random_inputs(wide, LSTM_INVOCATIONS, seed=131)
        items.append((wide, x))
        refs.append(lc.tflm_run(lc.build(wide), x))
        case, model = lc.case_from_model(shared_model(MNIST_LSTM))
        x = lc.random_inputs(case, LSTM_INVOCATIONS, seed=7)
        items.append((case, x))
        refs.append(lc.tflm_run(model, x))
        _LSTM.extend([items, refs])
    return _LSTM[0], _LSTM[1]


def lstm_cmsis_source(items: list, sizes: list[int]) -> str:
    """lstm_cases.harness_source with every LSTM call on lwai_lstm_cmsis_s8/_s16 (a ctx of
    the Python twin's size), plus per case the C buffer size and the status with a ctx one
    byte short."""
    src = lc.harness_source(items)
    src = src.replace(
        '#include "lwai/kernels.h"\n',
        '#include "lwai/kernels.h"\n#include "lwai/kernels_cmsis_nn.h"\n',
    )
    defs = f"static uint8_t lstm_scratch[{max([16, *sizes])}] __attribute__((aligned(16)));\n"
    checks = []
    for ci, size in enumerate(sizes):
        t = "s16" if items[ci][0].dtype == "int16" else "s8"
        src = src.replace(
            f"lwai_lstm_{t}(&p{ci}, &di{ci},", f"lwai_lstm_cmsis_{t}(&lctx{ci}, &p{ci}, &di{ci},"
        )
        defs += f"static const lwai_context lctx{ci} = {{lstm_scratch, {size}}};\n"
        short = (
            f"lwai_lstm_cmsis_{t}(&lshort, &p{ci}, &di{ci}, in{ci}, "
            + ", ".join(f"c{ci}_input_to_{g}" for g in lstm.GATES)
            + ", "
            + ", ".join(f"c{ci}_recurrent_to_{g}" for g in lstm.GATES)
            + ", "
            + ", ".join(f"c{ci}_{g}_bias" for g in lstm.GATES)
            + f", h{ci}, s{ci}, &do{ci}, o{ci})"
        )
        checks.append(
            f'    lwai_board_puts("cmsis {ci}: ");\n'
            f"    put_int(lwai_lstm_cmsis_{t}_get_buffer_size(&p{ci}, &di{ci}, &do{ci}));\n"
            f"    lshort.buf = lstm_scratch;\n    lshort.size = {size} - 1;\n"
            f"    put_int({size} > 0 ? (long){short} : 0L);\n"
            '    lwai_board_puts("\\n");\n'
        )
    head, sep, tail = src.partition("int main(void) {\n")
    body_head, sep2, body = tail.partition("    lwai_board_init();\n")
    lctx = "    lwai_context lshort;\n"
    return head + defs + sep + lctx + body_head + sep2 + "".join(checks) + body


@needs_cmsis[0]
@needs_cmsis[1]
@pytest.mark.parametrize("target", list(bh.TARGET_BOARD))
def test_lstm_adapter_bit_exact(target: str, cmsis_root: Path, tmp_path_factory) -> None:
    """lwai_lstm_cmsis_s8/_s16 on every int8 and 16x8 LSTM case and trained_lstm_int8's
    layer: 5 invocations with the state carried, reset, invocation 0 again: equal to
    TFLite Micro; C buffer size == Python; a ctx one byte short refused. The "saturate" and
    "huge_scale" cases fail when the gates go through arm_lstm_unidirectional_s8 as is (one
    saturation of both FCs: see kernels/thirdparty/cmsis_nn/lstm.c); "s16_sat",
    "s16_fine_sat" and "s16_fine_cell" fail when the 16x8 adapter adds a gate's two FCs
    before saturating."""
    work = tmp_path_factory.getbasetemp() / "cmsis_nn" / target / "lstm"
    work.mkdir(parents=True, exist_ok=True)
    backend = cmsis_backend(target, cmsis_root, tmp_path_factory.getbasetemp() / "cmsis_nn")
    items, refs = lstm_items()
    arch = bh.ARCH_OF_TARGET[target]
    sizes = []
    for case, _ in items:
        dims = [(case.batch, case.steps, 1, case.n_in), (case.batch, case.steps, 1, case.n_cell)]
        kernel = "lstm_s16" if case.dtype == "int16" else "lstm_s8"
        sizes.append(cmsis_nn.buffer_size(arch, kernel, case.params(), dims))
    main_c = work / "lstm_cmsis.c"
    main_c.write_text(lstm_cmsis_source(items, sizes))
    elf = bh.build_image(target, main_c, backend, work)
    text = lc.run_harness(elf, target)
    got = lc.parse_harness(text, items)
    bad = [
        c.name for (c, _), r, g in zip(items, refs, got, strict=True) if not np.array_equal(r, g)
    ]
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
    rows = {}
    for ln in text.splitlines():
        if ln.startswith("cmsis "):
            head, _, vals = ln.partition(":")
            rows[int(head.split()[1])] = [int(v) for v in vals.split()]
    for ci, ((case, _), size) in enumerate(zip(items, sizes, strict=True)):
        c_size, st_short = rows[ci]
        assert c_size == size, f"{case.name}: C buffer size {c_size} != Python {size}"
        assert st_short == (-1 if size else 0), f"{case.name}: short ctx gave {st_short}"
    assert all(s > 0 for s in sizes)  # every case runs on CMSIS-NN's blocks


@needs_cmsis[0]
@needs_cmsis[1]
@pytest.mark.parametrize("target", ["qemu-cortex-m4"])
def test_trained_lstm_on_cmsis_nn(target: str, tmp_path: Path, monkeypatch) -> None:
    """trained_lstm_int8 compiled with --kernels cmsis-nn: 5 invocations with the state
    carried, lwai_model_reset_state(), the same 5 again, equal to TFLite Micro, on the AOT
    and the graph executor (model.lwfb); every op (LSTM, FULLY_CONNECTED, SOFTMAX) on the
    cmsis-nn backend."""
    from lwai.driver import run_model

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    model = shared_model(MNIST_LSTM)
    x = lc.stroke_images(LSTM_INVOCATIONS, seed=0)
    ref = lc.tflm_run(model, x)
    for executor in ("aot", "graph"):  # one compile, two images
        (out,), info = run_model(
            model,
            [np.concatenate([x, x])],
            tmp_path / executor,
            target,
            kernels="cmsis-nn",
            executor=executor,
            invocations=2 * LSTM_INVOCATIONS,
            reset_every=LSTM_INVOCATIONS,
        )
        np.testing.assert_array_equal(out[:LSTM_INVOCATIONS], ref[:LSTM_INVOCATIONS], executor)
        np.testing.assert_array_equal(out[LSTM_INVOCATIONS:], ref[:LSTM_INVOCATIONS], executor)
        ops = info["report"]["ops"]
        assert [o["kind"] for o in ops][:1] == ["lstm"]
        assert {o["backend"] for o in ops if o["kind"] != "reshape"} == {"cmsis-nn"}, ops
    # the graph image (no AOT code) calls the adapters through the registry, the LSTM's
    # scratch planned
    assert {
        "lwai_lstm_cmsis_s8",
        "lwai_fully_connected_cmsis_s8",
        "lwai_softmax_cmsis_s8",
    } <= graph_symbols(info["image"])
    check_graph_scratch(info)


@needs_cmsis[0]
@needs_cmsis[1]
def test_lstm_s16_graph_on_cmsis_nn(tmp_path: Path, monkeypatch) -> None:
    """A 16x8 LSTM (lstm_cases "s16_tm": time major, batch 2, cell clip) compiled with
    --kernels cmsis-nn on the Cortex-M4's graph executor (model.lwfb): 5 invocations,
    reset, 5 again == TFLite Micro; the registry calls lwai_lstm_cmsis_s16 (its symbol in
    the graph image) with its scratch planned."""
    from lwai.driver import run_model

    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    case = next(c for c in lc.cases() if c.name == "s16_tm")
    model = tmp_path / "s16_tm.tflite"
    model.write_bytes(lc.build(case))
    x = lc.random_inputs(case, LSTM_INVOCATIONS, seed=17)
    ref = lc.tflm_run(model.read_bytes(), x)
    (out,), info = run_model(
        model,
        [np.concatenate([x, x])],
        tmp_path / "g",
        "qemu-cortex-m4",
        kernels="cmsis-nn",
        executor="graph",
        invocations=2 * LSTM_INVOCATIONS,
        reset_every=LSTM_INVOCATIONS,
    )
    np.testing.assert_array_equal(out[:LSTM_INVOCATIONS], ref[:LSTM_INVOCATIONS])
    np.testing.assert_array_equal(out[LSTM_INVOCATIONS:], ref[:LSTM_INVOCATIONS])
    assert [(o["kind"], o["backend"]) for o in info["report"]["ops"]] == [("lstm", "cmsis-nn")]
    assert "lwai_lstm_cmsis_s16" in graph_symbols(info["image"])
    check_graph_scratch(info)


def test_check_path_errors(tmp_path: Path) -> None:
    with pytest.raises(LwaiError, match="LWAI_CMSIS_NN_PATH.*is not set"):
        cmsis_nn.check_path(None)
    with pytest.raises(LwaiError, match="not a directory"):
        cmsis_nn.check_path(str(tmp_path / "nope"))
    (tmp_path / "CMSIS" / "NN" / "Include").mkdir(parents=True)
    (tmp_path / "CMSIS" / "NN" / "Include" / "arm_nnfunctions.h").write_text("")
    with pytest.raises(LwaiError, match="use .*CMSIS/NN"):
        cmsis_nn.check_path(str(tmp_path))
    assert (
        cmsis_nn.check_path(str(tmp_path / "CMSIS" / "NN")) == (tmp_path / "CMSIS" / "NN").resolve()
    )
    with pytest.raises(LwaiError, match="has no Include/arm_nnfunctions.h"):
        cmsis_nn.sources(tmp_path)
    with pytest.raises(LwaiError, match="unknown|no kernels for CPU"):
        cmsis_nn.buffer_size("armv6m", "conv2d_s8", {}, [])


@needs_cmsis[0]
def test_sources_and_includes(cmsis_root: Path) -> None:
    srcs = cmsis_nn.sources(cmsis_root)
    names = {s.name for s in srcs}
    for needed in (
        "arm_convolve_wrapper_s8.c",
        "arm_depthwise_conv_wrapper_s8.c",
        "arm_fully_connected_s8.c",
        "arm_avgpool_s8.c",
        "arm_max_pool_s8.c",
        "arm_elementwise_add_s8.c",
        "arm_elementwise_mul_s8.c",
        "arm_softmax_s8.c",
        "arm_vector_sum_s8.c",
    ):
        assert needed in names
    assert not any(s.stem.endswith(("_f16", "_f32")) for s in srcs)
    assert (cmsis_nn.include_dirs(cmsis_root)[0] / "arm_nnfunctions.h").is_file()


def main(argv: list[str]) -> int:
    """Instructions per layer of models on the cmsis backend (reference -> CMSIS-NN):
    ``LWAI_CMSIS_NN_PATH=... python tests/test_cmsis_nn.py MODEL.tflite ...``."""
    import argparse
    import tempfile

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--target", action="append", choices=sorted(bh.TARGET_BOARD))
    args = ap.parse_args(argv)
    root = cmsis_nn.check_path(CMSIS_ENV)
    with tempfile.TemporaryDirectory(prefix="lwai_cmsis_bench_") as tmp:
        work = Path(tmp)
        for target in args.target or list(bh.TARGET_BOARD):
            backend = cmsis_backend(target, root, work)
            for m in args.models:
                d = bh.compile_model(m, work / m.stem)
                layers = bh.benchmark_model(d, backend, target, work / target / m.stem)
                print(bh.format_benchmark(f"{m.stem} on {target}", layers), flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
