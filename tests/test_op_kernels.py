"""Issue 12: lwai's new operator kernels against TFLite Micro, through the product path.

Each case is one generated TFLite operator (odd shapes, broadcasting, fused activations,
edge quantization parameters) in a batch model of independent ops; lwai compiles it,
builds it and runs it on the host and under qemu-cortex-m4; int8 must match TFLM bit for
bit, float32 within 1e-5 relative. The report must show lwai's kernel ran, not TVM.

Kernels: SUB (int8, float32); RELU, RELU6, LEAKY_RELU (int8, one kernel); LOGISTIC and
TANH (int8, TFLite's gemmlowp fixed point; int16, its table method); HARD_SWISH (int8);
QUANTIZE int8 -> int16, int16 -> int16, int8 -> int32.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from types import SimpleNamespace

import kernel_cases as kc
import numpy as np
import pytest

from conftest import tflm_outputs
from lwai.driver import run_model
from lwai.tflite_writer import ModelBuilder

ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")
HOST_IO, QEMU_IO = 16, 8  # input files the host app / the semihosting command line take


@dataclass
class OpCase:
    name: str
    op: str
    dtype: str
    shapes: list[tuple[int, ...]]
    out_shape: tuple[int, ...]
    qparams: list[tuple[float, int]] = field(default_factory=list)  # inputs, then output
    options: dict = field(default_factory=dict)
    feeds: list[np.ndarray] = field(default_factory=list)
    out_dtype: str = ""  # when it differs from the inputs' (QUANTIZE)

    def add_to(self, mb: ModelBuilder, tag: str) -> tuple[list[int], int]:
        q = [{"scale": s, "zero_point": z} for s, z in self.qparams] or [{}] * (
            len(self.shapes) + 1
        )
        ins = [
            mb.add_tensor(f"{tag}x{i}", shp, self.dtype, **q[i])
            for i, shp in enumerate(self.shapes)
        ]
        out = mb.add_tensor(f"{tag}y", self.out_shape, self.out_dtype or self.dtype, **q[-1])
        mb.add_op(self.op, ins, [out], self.options)
        return ins, out


def _broadcast(rng) -> tuple[list[tuple[int, ...]], tuple[int, ...]]:
    rank = int(rng.integers(1, 5))
    out = tuple(int(d) for d in rng.integers(1, 8, size=rank))
    a = tuple(d if rng.random() < 0.75 else 1 for d in out)
    b = tuple(d if rng.random() < 0.6 else 1 for d in out)
    b = b[int(rng.integers(0, rank)) :]  # lower rank, right-aligned
    if rng.random() < 0.5:
        a, b = b, a
    full = tuple(max(x, y) for x, y in zip((1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b))
    return [a, b], full


def sub_cases(dtype: str, n: int, seed: int, extreme: bool = False) -> list[OpCase]:
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        shapes, out = _broadcast(rng)
        act = str(rng.choice(ACTS))
        c = OpCase(f"sub_{dtype}{'_x' if extreme else ''}[{k}]", "SUB", dtype, shapes, out)
        c.options = {"activation": act}
        if dtype == "int8":
            lo, hi = (-4, 1) if extreme else (-2.5, -0.5)  # scale ratios up to 10^5
            for _ in range(3):
                s = float(np.float32(10 ** rng.uniform(lo, hi)))
                z = int(rng.choice([-128, 127, *rng.integers(-128, 128, 3)]))
                c.qparams.append((s, z))
            c.feeds = [rng.integers(-128, 128, size=s).astype(np.int8) for s in shapes]
        else:
            c.feeds = [rng.normal(0, 3, size=s).astype(np.float32) for s in shapes]
        cases.append(c)
    return cases


RECTIFIERS = ("RELU", "RELU6", "LEAKY_RELU")


def relu_cases(op: str, n: int, seed: int) -> list[OpCase]:
    """int8 rectifiers with independent input and output quantization (RELU6 ignores the
    output's: TFLM clamps in the input's domain), scales over three decades."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 9, size=rank))
        c = OpCase(f"{op.lower()}_int8[{k}]", op, "int8", [shape], shape)
        for _ in range(2):
            s = float(np.float32(10 ** rng.uniform(-3, 0)))
            c.qparams.append((s, int(rng.choice([-128, 127, *rng.integers(-128, 128, 3)]))))
        if k % 4 == 0:  # equal quantization, the common case
            c.qparams[1] = c.qparams[0]
        if op == "LEAKY_RELU":
            c.options = {"alpha": float(rng.choice([0.0, 0.01, 0.1, 0.2, 0.3, 0.5, 1.0, 1.7]))}
        c.feeds = [rng.integers(-128, 128, size=shape).astype(np.int8)]
        cases.append(c)
    return cases


def sigmoid_cases(op: str, n: int, seed: int, dtype: str = "int8") -> list[OpCase]:
    """LOGISTIC / TANH with the output quantization TFLite requires. int8: input scales
    from 1e-4 (nothing saturates) to 2 (almost all does); int16: power-of-two scales (the
    table's own, multiplier 0) and others from 1e-5 to 1e-2, zero points 0."""
    rng = np.random.default_rng(seed)
    out_q = (1 / 256, -128) if op == "LOGISTIC" else (1 / 128, 0)
    if dtype == "int16":
        return sigmoid16_cases(op, n, rng)
    cases = []
    for k in range(n):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 9, size=rank))
        c = OpCase(f"{op.lower()}_int8[{k}]", op, "int8", [shape], shape)
        s = float(np.float32(10 ** rng.uniform(-4, 0.3)))
        c.qparams = [(s, int(rng.choice([-128, 127, 0, *rng.integers(-128, 128, 2)]))), out_q]
        c.feeds = [rng.integers(-128, 128, size=shape).astype(np.int8)]
        cases.append(c)
    return cases


def sigmoid16_cases(op: str, n: int, rng) -> list[OpCase]:
    cases = []
    for k in range(n):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 9, size=rank))
        c = OpCase(f"{op.lower()}_int16[{k}]", op, "int16", [shape], shape)
        if k % 3 == 0:
            s = 2.0 ** -int(rng.integers(10, 15))
        else:
            s = float(np.float32(10 ** rng.uniform(-5, -2)))
        c.qparams = [(s, 0), (2.0**-15, 0)]
        c.feeds = [rng.integers(-32768, 32768, size=shape).astype(np.int16)]
        cases.append(c)
    return cases


def hard_swish_cases(n: int, seed: int) -> list[OpCase]:
    """int8 HARD_SWISH: input scales over two decades, output/input scale ratios 0.05..10
    (the reluish multiplier's left- and right-shift cases), zero points at the edges."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 9, size=rank))
        c = OpCase(f"hard_swish_int8[{k}]", "HARD_SWISH", "int8", [shape], shape)
        si = float(np.float32(10 ** rng.uniform(-3, 0)))
        so = float(np.float32(si * 10 ** rng.uniform(-1.3, 1)))
        zps = [int(rng.choice([-128, 127, *rng.integers(-128, 128, 3)])) for _ in range(2)]
        c.qparams = [(si, zps[0]), (so, zps[1])]
        c.feeds = [rng.integers(-128, 128, size=shape).astype(np.int8)]
        cases.append(c)
    return cases


REQUANT_PAIRS = (("int8", "int16"), ("int16", "int16"), ("int8", "int32"))


def requant_cases(n: int, seed: int) -> list[OpCase]:
    """QUANTIZE between integer types (n per pair, pairs interleaved): scale ratios over
    three decades both ways, int8 zero points at the edges, int32 zero points far out."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(n * len(REQUANT_PAIRS)):
        src, dst = REQUANT_PAIRS[k % len(REQUANT_PAIRS)]
        rank = int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 9, size=rank))
        c = OpCase(
            f"quantize_{src}_{dst}[{k // len(REQUANT_PAIRS)}]", "QUANTIZE", src, [shape], shape
        )
        si = float(np.float32(10 ** rng.uniform(-4, -1)))
        so = float(np.float32(si * 10 ** rng.uniform(-1.5, 1.5)))
        zi = int(rng.choice([-128, 127, *rng.integers(-128, 128, 2)])) if src == "int8" else 0
        zo = {"int16": 0, "int32": int(rng.integers(-30000, 30000))}[dst]
        c.qparams = [(si, zi), (so, zo)]
        c.out_dtype = dst
        info = np.iinfo(src)
        c.feeds = [rng.integers(info.min, info.max + 1, size=shape).astype(src)]
        cases.append(c)
    return cases


def batches(cases: list[OpCase], max_inputs: int) -> list[list[OpCase]]:
    out: list[list[OpCase]] = [[]]
    for c in cases:
        if sum(len(x.shapes) for x in out[-1]) + len(c.shapes) > max_inputs:
            out.append([])
        out[-1].append(c)
    return out


def run_batch(cases: list[OpCase], target: str, tmp_path, tag: str) -> list[str]:
    mb = ModelBuilder()
    feeds = []
    for k, c in enumerate(cases):
        ins, out = c.add_to(mb, f"c{k}_")
        mb.inputs += ins
        mb.outputs.append(out)
        feeds += c.feeds
    model = mb.build()
    path = tmp_path / f"{tag}.tflite"
    path.write_bytes(model)
    got, info = run_model(path, feeds, tmp_path / f"run_{tag}", target=target)
    ref = tflm_outputs(model, feeds, n_outputs=len(cases))
    failures = []
    for c, g, r in zip(cases, got, ref):
        msg = kc.compare(SimpleNamespace(name=c.name), g, r)
        if msg:
            failures.append(msg)
    backends = {o["backend"] for o in info["report"]["ops"]}
    # Float ops outside QDQ patterns stay with TVM's C (as ADD/MUL); the direct test below
    # runs lwai's float kernels.
    if backends != ({"reference"} if cases[0].dtype != "float32" else {"tvm"}):
        failures.append(f"{tag}: ran on {sorted(backends)}: {info['report']['rejected']}")
    return failures


GROUPS = {
    "sub_int8": lambda: sub_cases("int8", 24, 1201),
    "sub_int8_extreme": lambda: sub_cases("int8", 24, 1202, extreme=True),
    "sub_float32": lambda: sub_cases("float32", 20, 1203),
    "relu_int8": lambda: relu_cases("RELU", 24, 1211),
    "relu6_int8": lambda: relu_cases("RELU6", 24, 1212),
    "leaky_relu_int8": lambda: relu_cases("LEAKY_RELU", 24, 1213),
    "logistic_int8": lambda: sigmoid_cases("LOGISTIC", 24, 1221),
    "tanh_int8": lambda: sigmoid_cases("TANH", 24, 1222),
    "hard_swish_int8": lambda: hard_swish_cases(24, 1231),
    "quantize_int": lambda: requant_cases(24, 1241),
    "logistic_int16": lambda: sigmoid_cases("LOGISTIC", 24, 1223, "int16"),
    "tanh_int16": lambda: sigmoid_cases("TANH", 24, 1224, "int16"),
}
# qemu-cortex-m4: the first QEMU_CASES of every integer group (the issue asks for 20 per
# op and dtype on both targets), mixed into images of 8 inputs and 8 outputs (what the
# semihosting command line holds); float32 runs on TVM's C. QEMU_SHARDS tests so that
# pytest-xdist spreads the images over both cores.
QEMU_CASES = 20
QEMU_SHARDS = 4
# For scripts/gen_coverage.py: the cells with >= 20 cases on the host and on qemu-cortex-m4.
# Not claimed: SUB float32 (host only) and the QUANTIZE pairs of quantize_int (its first
# QEMU_CASES cases on qemu-cortex-m4 are split over three pairs).
CELLS: dict[str, list[str]] = {
    "SUB": ["int8"],
    "RELU": ["int8"],
    "RELU6": ["int8"],
    "LEAKY_RELU": ["int8"],
    "LOGISTIC": ["int8", "int16"],
    "TANH": ["int8", "int16"],
    "HARD_SWISH": ["int8"],
}


@pytest.mark.parametrize("group", list(GROUPS))
def test_kernel_matches_tflm(group, tmp_path, monkeypatch):
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    failures = []
    for i, batch in enumerate(batches(GROUPS[group](), HOST_IO)):
        failures += run_batch(batch, "host", tmp_path, f"{group}_{i}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="no qemu-system-arm")
@pytest.mark.parametrize("shard", range(QEMU_SHARDS))
def test_kernels_match_tflm_on_qemu(shard, tmp_path, monkeypatch):
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = [c for name, g in GROUPS.items() if "float" not in name for c in g()[:QEMU_CASES]]
    assert len({c.op for c in cases}) >= 8
    failures = []
    for i, batch in enumerate(batches(cases, QEMU_IO)):
        if i % QEMU_SHARDS == shard:
            failures += run_batch(batch, "qemu-cortex-m4", tmp_path, f"qemu_{i}")
    assert not failures, "\n".join(failures)


def kc_case(c: OpCase) -> kc.Case:
    """The case as tests/kernel_cases.py's Case, for its direct (emit_kernel_call) tier."""
    q = c.qparams or [(None, None)] * (len(c.shapes) + 1)

    def t(shape, sz, dtype=c.dtype):
        s, z = sz
        return kc.T(shape, dtype, None, None if s is None else [s], None if z is None else [z])

    out = t(c.out_shape, q[-1], c.out_dtype or c.dtype)
    attrs = {} if c.op == "QUANTIZE" else kc._act_attrs(c.options.get("activation", "NONE"), out)
    kind = c.op.lower()
    if c.op in RECTIFIERS:
        kind = "relu"
        attrs = {"mode": c.op.lower(), "alpha": c.options.get("alpha", 0.0)}
    inputs = [t(shp, q[i]) for i, shp in enumerate(c.shapes)]
    return kc.Case(c.name, kind, inputs, out, dict(c.options), attrs, list(c.feeds))


@pytest.mark.parametrize("group", list(GROUPS))
def test_direct(group, tmp_path):
    """Every case through emit_kernel_call and the C kernel (float kernels included)."""
    cases = GROUPS[group]()
    results = kc.run_direct([kc_case(c) for c in cases], tmp_path)
    ref_failures = []
    for c, got in zip(cases, results):
        mb = ModelBuilder()
        ins, out = c.add_to(mb, "")
        mb.inputs, mb.outputs = ins, [out]
        ref = tflm_outputs(mb.build(), c.feeds)[0]
        msg = got if isinstance(got, str) else kc.compare(SimpleNamespace(name=c.name), got, ref)
        if msg:
            ref_failures.append(msg)
    assert not ref_failures, "\n".join(ref_failures)


def test_generators_reach_the_corners():
    cases = [c for g in GROUPS.values() for c in g()]
    assert len([c for c in cases if c.dtype == "int8"]) >= 40
    assert any(c.shapes[0] != c.shapes[1] for c in cases)  # broadcasting
    assert any(len(c.shapes[0]) != len(c.shapes[1]) for c in cases)  # rank broadcasting
    assert {c.options["activation"] for c in cases if c.op == "SUB"} == set(ACTS)
    relus = [c for c in cases if c.op in RECTIFIERS]
    assert any(c.qparams[0] != c.qparams[1] for c in relus)
    assert any(c.qparams[0] == c.qparams[1] for c in relus)
    zps = {z for c in cases for _, z in c.qparams}
    assert -128 in zps and 127 in zps
    ratios = [
        max(s for s, _ in c.qparams) / min(s for s, _ in c.qparams) for c in cases if c.qparams
    ]
    assert max(ratios) > 1000
