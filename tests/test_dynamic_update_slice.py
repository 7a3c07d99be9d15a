"""DYNAMIC_UPDATE_SLICE int8 and int16 (lwai/frontend/data_movement.py: shape_ops'
take/where Relax on the raw integers, exact TVM C) vs tflite-micro, bit-exact, on the host
and qemu-cortex-m4.

TFLite Micro's kernel copies the operand, then the update's raw values at the start indices
clamped into [0, dim - update_dim] (int32 or int64 indices; in int64, so a start beyond
int32 clamps); it checks no quantization. The 20 generated cases per dtype have ranks 1-4,
odd dims, updates from one element to the whole operand, run-time starts (int32 cut from a
packed int32 input; int64 from one shared input per rank, with starts beyond +-2^31) and
constant ones, out-of-range starts on both sides, and updates quantized differently from
the operand (copied raw as TFLM does). One image per target holds all 40 cases (operands cut
by SPLIT_V from one flat input per dtype and quantization, results concatenated, as
tests/data_movement_cases.py packs).

CPU time (/usr/bin/time, whole file, 2-core machine shared with other jobs): 128 s user +
2 s sys, mostly TVM compiling the run-time-start cases (a few fused functions each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import data_movement_cases as dc
import numpy as np
import pytest

from conftest import need_toolchain
from lwai import driver
from lwai.tflite_writer import ModelBuilder

N_CASES = 20
TARGETS = ["host", "qemu-cortex-m4"]
DTYPES = ("int8", "int16")
# For scripts/gen_coverage.py: TFLite builtin -> dtypes checked here (>= 20 cases each,
# bit-exact with tflite-micro on host and qemu-cortex-m4).
CELLS: dict[str, list[str]] = {"DYNAMIC_UPDATE_SLICE": list(DTYPES)}
QUANT = {"int8": (0.05, 3), "int16": (0.01, 0)}  # operand (and output) quantization
OTHER_QUANT = {"int8": (0.2, -7), "int16": (0.003, 0)}  # some updates': copied raw anyway
# Shared run-time int64 starts per rank (TFLM's SLICE/SPLIT take no int64, so these cannot
# be cut from a packed input): beyond int32 on both sides, in range, negative.
INT64_STARTS = {2: [-(2**40), 2], 3: [1, 2**35 + 1, -1]}


@dataclass
class Case:
    name: str
    dtype: str
    shape: tuple[int, ...]
    ushape: tuple[int, ...]
    index_dtype: str  # int32 / int64
    start: np.ndarray
    runtime: bool  # start indices a run-time tensor, else a constant
    update_quant: tuple[float, int]
    values: list[np.ndarray] = field(default_factory=list)  # operand, update

    def clamped(self) -> list[int]:
        s = [int(v) for v in self.start]
        return [min(max(v, 0), d - u) for v, d, u in zip(s, self.shape, self.ushape)]


def generate(dtype: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    cases = []
    for i in range(n):
        # 0: int32 run time; 1, 2: int32 constant; 3: int64 run time; 4: int64 constant
        # (constant starts fold at compile time: fewer TVM functions, less CPU)
        mode = i % 5
        index_dtype = "int64" if mode >= 3 else "int32"
        rank = int(rng.choice(list(INT64_STARTS))) if mode == 3 else int(rng.integers(1, 5))
        shape = tuple(int(d) for d in rng.integers(1, 8, rank))
        kind = i % 4  # update: random, one element, whole operand, a full-width band
        if kind == 1:
            ushape = tuple(1 for _ in shape)
        elif kind == 2:
            ushape = shape
        else:
            ushape = tuple(int(rng.integers(1, d + 1)) for d in shape)
        if kind == 3:
            k = int(rng.integers(0, rank))
            ushape = tuple(d if j == k else u for j, (d, u) in enumerate(zip(shape, ushape)))
        if mode == 3:
            start = np.array(INT64_STARTS[rank], np.int64)
        else:  # in range, below 0 and past dim - update_dim (TFLM clamps)
            start = np.array([rng.integers(-3, d + 3) for d in shape], index_dtype)
            if mode == 4:
                start[0] = -(2**33) if i % 2 else 2**33
        runtime = mode in (0, 3)
        uq = OTHER_QUANT[dtype] if i % 3 == 2 else QUANT[dtype]
        c = Case(f"dus{i}_{dtype}", dtype, shape, ushape, index_dtype, start, runtime, uq)
        c.values = [
            rng.integers(info.min, info.max, s, endpoint=True).astype(dtype)
            for s in (shape, ushape)
        ]
        cases.append(c)
    return cases


def all_cases() -> list[Case]:
    return [c for k, d in enumerate(DTYPES) for c in generate(d, N_CASES, 4100 + k)]


def _q(q) -> dict:
    return {"scale": q[0], "zero_point": q[1]}


def build(cases: list[Case]) -> tuple[bytes, list[np.ndarray], dict]:
    """(model, feeds, layout: case name -> (output, offset, size))."""
    mb = ModelBuilder("lwai dynamic_update_slice cases")
    feeds: list[np.ndarray] = []
    operand: dict[tuple[str, int], int] = {}

    def packed(dtype: str, q: dict, parts: list[tuple[str, int, np.ndarray]]) -> None:
        """One flat input for ``parts`` (case, operand index, value), cut by SPLIT_V."""
        if not parts:
            return
        flat = mb.add_tensor(
            f"in_{dtype}_{len(feeds)}", (sum(v.size for *_, v in parts),), dtype, **q
        )
        mb.inputs.append(flat)
        feeds.append(np.concatenate([v.reshape(-1) for *_, v in parts]).astype(dtype))
        cut = dc._split_tree(mb, flat, [v.size for *_, v in parts], dtype, q)
        for (name, k, v), t in zip(parts, cut):
            shaped = mb.add_tensor(f"{name}_x{k}", v.shape, dtype, **q)
            mb.add_op("RESHAPE", [t], [shaped], {"new_shape": list(v.shape)})
            operand[(name, k)] = shaped

    for d in DTYPES:
        mine = [c for c in cases if c.dtype == d]
        same = [(c.name, 0, c.values[0]) for c in mine]
        same += [(c.name, 1, c.values[1]) for c in mine if c.update_quant == QUANT[d]]
        packed(d, _q(QUANT[d]), same)
        other = [(c.name, 1, c.values[1]) for c in mine if c.update_quant != QUANT[d]]
        packed(d, _q(OTHER_QUANT[d]), other)
    packed(
        "int32", {}, [(c.name, 2, c.start) for c in cases if c.runtime and c.index_dtype == "int32"]
    )
    shared = {}
    for rank, starts in INT64_STARTS.items():
        if any(c.runtime and c.index_dtype == "int64" and len(c.shape) == rank for c in cases):
            shared[rank] = mb.add_tensor(f"in_int64_r{rank}", (rank,), "int64")
            mb.inputs.append(shared[rank])
            feeds.append(np.array(starts, np.int64))
    results: dict[str, list] = {d: [] for d in DTYPES}
    index: dict[str, tuple[str, int]] = {}
    for c in cases:
        x, u = operand[(c.name, 0)], operand[(c.name, 1)]
        if c.runtime and c.index_dtype == "int64":
            s = shared[len(c.shape)]
        elif c.runtime:
            s = operand[(c.name, 2)]
        else:
            s = mb.add_tensor(f"{c.name}_s", (len(c.shape),), c.index_dtype, data=c.start)
        q = _q(QUANT[c.dtype])
        y = mb.add_tensor(f"{c.name}_y", c.shape, c.dtype, **q)
        mb.add_op("DYNAMIC_UPDATE_SLICE", [x, u, s], [y])
        n = int(np.prod(c.shape))
        f = mb.add_tensor(f"{c.name}_f", (n,), c.dtype, **q)
        mb.add_op("RESHAPE", [y], [f], {"new_shape": [n]})
        index[c.name] = (c.dtype, len(results[c.dtype]))
        results[c.dtype].append((f, n))
    layout = {}
    for d in (d for d in DTYPES if results[d]):
        outs, where = dc._concat_tree(mb, results[d], d, d, _q(QUANT[d]))
        base = len(mb.outputs)
        mb.outputs += outs
        for name, (dd, j) in index.items():
            if dd == d:
                k, off, n = where[j]
                layout[name] = (base + k, off, n)
    return mb.build(), feeds, layout


def expected(c: Case) -> np.ndarray:
    """TFLM's result from its documented semantics (a check on the generator itself)."""
    y = c.values[0].copy()
    s = c.clamped()
    y[tuple(slice(a, a + u) for a, u in zip(s, c.ushape))] = c.values[1]
    return y


def test_cases_cover_the_cells():
    cases = all_cases()
    for d in DTYPES:
        mine = [c for c in cases if c.dtype == d]
        assert len(mine) >= 20
        assert {(c.index_dtype, c.runtime) for c in mine} == {
            (i, r) for i in ("int32", "int64") for r in (True, False)
        }
        starts = [(int(v), dm - u) for c in mine for v, dm, u in zip(c.start, c.shape, c.ushape)]
        assert any(v < 0 for v, _ in starts) and any(v > hi for v, hi in starts)
        assert any(abs(v) > 2**31 for v, _ in starts)
        assert any(c.update_quant != QUANT[d] for c in mine)
        assert any(c.ushape == c.shape for c in mine) and {len(c.shape) for c in mine} >= {1, 4}
    _, feeds, layout = build(cases)
    assert len(feeds) + 1 + max(k for k, _, _ in layout.values()) <= 12  # semihosting files


def test_matches_tflite_micro_reference_semantics():
    """TFLM's outputs equal the clamp-and-copy semantics the generator assumes."""
    cases = all_cases()
    model, feeds, layout = build(cases)
    n_out = 1 + max(k for k, _, _ in layout.values())
    refs = dc.tflm_outputs(model, feeds, n_out)
    for c in cases:
        k, off, n = layout[c.name]
        assert np.array_equal(refs[k].reshape(-1)[off : off + n], expected(c).reshape(-1)), c.name


@pytest.mark.parametrize("target", TARGETS)
def test_matches_tflite_micro(target, tmp_path, monkeypatch):
    need_toolchain(target)
    monkeypatch.setenv("LWAI_CACHE_DIR", str(tmp_path / "cache"))
    cases = all_cases()
    model, feeds, layout = build(cases)
    n_out = 1 + max(k for k, _, _ in layout.values())
    refs = dc.tflm_outputs(model, feeds, n_out)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    outs, _ = driver.run_model(path, feeds, tmp_path / "w", target)
    bad = []
    for c in cases:
        k, off, n = layout[c.name]
        got, want = outs[k].reshape(-1)[off : off + n], refs[k].reshape(-1)[off : off + n]
        if got.dtype != want.dtype or not np.array_equal(got, want):
            bad.append(f"{c.name}: {got.tolist()} != {want.tolist()}")
    assert not bad, f"{target}: differ from tflite-micro: {bad}"
