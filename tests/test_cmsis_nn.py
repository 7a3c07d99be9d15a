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
import kernel_cases as kc
import numpy as np
import pytest

from lwai import quant
from lwai.backends import cmsis_nn
from lwai.errors import LwaiError
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
