"""Generated single-op SVDF models and their tflite-micro references (helpers of
tests/test_svdf.py).

A case is one SVDF (kind "s8": int8 activations with int16 state and weights_time,
lwai_svdf_s8; "state8": int8 state and weights_time, lwai_svdf_state8_s8; "f32": float32,
lwai_svdf_f32) with random weights and odd sizes: rank 1-4, 1-9 units, batch 1-4, input depth
1-48, memory 1-16. The integer cases draw their requantization scales directly
(effective_scale_1 = input * weights_feature / state: 2^-15..2^4 in these cases, left
shifts too; effective_scale_2 = state * weights_time / output: 2^-28..2^-3) and derive the
weight scales from them. Edge quantization: input, output and state zero points at
-128/127 (int8 state: the stored zero point + value wraps), non-zero int16 state zero
points, saturating and tiny scales, the full int8 weight range including -128, large
biases, and fused activations (NONE, RELU, RELU6, RELU_N1_TO_1), which TFLM's integer SVDF
ignores and its float SVDF applies.

Cases come in groups that share one graph input (same batch, depth, dtype and input
quantization; each SVDF has its own weights, state and output): a group is one input and
GROUP_OPS outputs, so an image of IMAGE_GROUPS groups takes 15 files on the Cortex-M
semihosting command line (at most ~17) and many SVDFs per compiled image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

GROUP_OPS = 4  # SVDFs per shared input
IMAGE_GROUPS = 3  # groups per model (3 inputs + 12 outputs)
FLOAT_ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


@dataclass
class SvdfCase:
    name: str
    kind: str  # "s8", "state8", "f32"
    rank: int
    units: int
    memory: int
    activation: str
    wf: np.ndarray  # [filters, depth]
    wt: np.ndarray  # [filters, memory]
    b: np.ndarray  # [units]
    # integer kinds: state (scale, zero point), output (scale, zero point), weight scales
    state_q: tuple[float, int] = (0.0, 0)
    out_q: tuple[float, int] = (0.0, 0)
    wf_scale: float = 0.0
    wt_scale: float = 0.0

    @property
    def filters(self) -> int:
        return self.rank * self.units


@dataclass
class SvdfGroup:
    """SVDFs sharing one input [batch, depth]."""

    dtype: str  # "int8" or "float32"
    batch: int
    depth: int
    in_q: tuple[float, int]
    x: np.ndarray  # [invocations, batch, depth]
    cases: list[SvdfCase] = field(default_factory=list)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(2.0 ** rng.uniform(np.log2(lo), np.log2(hi)))


def _int_case(rng, name: str, kind: str, depth: int, in_q, edge: bool) -> SvdfCase:
    rank = int(rng.integers(1, 5))
    units = int(rng.integers(1, 10))
    memory = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 10, 13, 16]))
    filters = rank * units
    in_scale = in_q[0]
    # weights_feature codes: symmetric, or the full range (-128 too) now and then
    lo = -128 if rng.random() < 0.3 else -127
    wf = rng.integers(lo, 128, (filters, depth)).astype(np.int8)
    if kind == "s8":
        tmax, st_dtype = 32767, np.int16
        state_scale = _log_uniform(rng, 2e-5, 2e-2)
        # TFLM keeps an int16 state zero point; the keyword models use 0
        state_zp = int(rng.choice([0, 0, 0, int(rng.integers(-300, 300))]))
        state_std = 3000.0  # state codes aimed for (of 32767)
    else:
        tmax, st_dtype = 127, np.int8
        state_scale = _log_uniform(rng, 1e-3, 0.5)
        state_zp = int(rng.choice([-128, 127]) if edge else rng.integers(-60, 61))
        state_std = 40.0
    # effective_scale_1 aimed so feature activations spread over the state's codes
    # (x codes ~ 74 std, weight codes ~ 73 std); edge cases 2^+-6 off that: saturate / tiny
    eff1 = state_std / (np.sqrt(depth) * 73 * 74) * rng.uniform(0.5, 2.0)
    if edge:
        eff1 *= 2.0 ** float(rng.choice([-6, 6]))
    eff1 = float(np.clip(eff1, 2.0**-16, 2.0**4))
    wf_scale = eff1 * state_scale / in_scale
    wt = rng.integers(-tmax, tmax + 1, (filters, memory)).astype(st_dtype)
    wt_std = tmax / np.sqrt(3)
    out_scale = _log_uniform(rng, 0.004, 0.3)
    out_zp = int(
        rng.choice([-128, 127]) if edge and rng.random() < 0.5 else rng.integers(-128, 128)
    )
    acc_std = np.sqrt(rank * min(memory, 3)) * wt_std * state_std
    eff2 = 40.0 / acc_std * rng.uniform(0.5, 2.0)
    if edge:
        eff2 *= 2.0 ** float(rng.choice([-5, 4]))
    eff2 = float(np.clip(eff2, 2.0**-30, 2.0**4))
    wt_scale = eff2 * out_scale / state_scale
    bias_std = acc_std * (4.0 if edge else 0.5)
    b = np.clip(rng.normal(0, bias_std, units), -(2**31), 2**31 - 1).astype(np.int32)
    act = str(rng.choice(FLOAT_ACTS))  # ignored by TFLM's integer SVDF
    return SvdfCase(
        name,
        kind,
        rank,
        units,
        memory,
        act,
        wf,
        wt,
        b,
        (float(np.float32(state_scale)), state_zp),
        (float(np.float32(out_scale)), out_zp),
        float(np.float32(wf_scale)),
        float(np.float32(wt_scale)),
    )


def _float_case(rng, name: str, depth: int) -> SvdfCase:
    rank = int(rng.integers(1, 5))
    units = int(rng.integers(1, 10))
    memory = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 10, 13, 16]))
    filters = rank * units
    wf = (rng.normal(0, 1.0, (filters, depth)) / np.sqrt(depth)).astype(np.float32)
    wt = (rng.normal(0, 1.0, (filters, memory)) / np.sqrt(memory)).astype(np.float32)
    # always a bias: TFLM's SVDF dereferences it (its TODO #1751)
    b = rng.normal(0, 0.5, units).astype(np.float32)
    act = str(rng.choice(FLOAT_ACTS))
    return SvdfCase(name, "f32", rank, units, memory, act, wf, wt, b)


def _group(rng, gi: int, dtype: str, kinds: list[str], invocations: int) -> SvdfGroup:
    batch = int(rng.choice([1, 1, 2, 3, 4]))
    depth = int(rng.choice([1, 2, 3, 5, 7, 9, 13, 17, 24, 31, 40, 48]))
    edge = gi % 3 == 2
    if dtype == "float32":
        g = SvdfGroup(
            dtype, batch, depth, (0.0, 0), rng.normal(0, 1.0, (invocations, batch, depth))
        )
        g.x = g.x.astype(np.float32)
        g.x[:, :, : max(1, depth // 7)] *= 8  # a few large features
    else:
        in_zp = int(rng.choice([-128, 127, 0])) if edge else int(rng.integers(-128, 128))
        in_q = (float(np.float32(_log_uniform(rng, 1e-3, 0.5))), in_zp)
        x = rng.integers(-128, 128, (invocations, batch, depth)).astype(np.int8)
        g = SvdfGroup(dtype, batch, depth, in_q, x)
    for k, kind in enumerate(kinds):
        name = f"g{gi}_{kind}_{k}"
        if kind == "f32":
            g.cases.append(_float_case(rng, name, depth))
        else:
            # the last op of an edge group keeps normal scales (not everything saturates)
            case_edge = edge and k < len(kinds) - 1
            g.cases.append(_int_case(rng, name, kind, depth, g.in_q, case_edge))
    return g


def groups(invocations: int, seed: int = 2100) -> list[SvdfGroup]:
    """10 int8 groups (2 "s8" + 2 "state8" each) and 5 float32 groups of 4: 20 cases per
    kernel."""
    out = []
    for gi in range(10):
        kinds = ["s8", "state8", "s8", "state8"] if gi % 2 else ["state8", "s8", "state8", "s8"]
        out.append(_group(np.random.default_rng(seed + gi), gi, "int8", kinds, invocations))
    for gi in range(10, 15):
        out.append(
            _group(np.random.default_rng(seed + gi), gi, "float32", ["f32"] * 4, invocations)
        )
    return out


def images(gs: list[SvdfGroup], per_image: int = IMAGE_GROUPS) -> list[list[SvdfGroup]]:
    return [gs[i : i + per_image] for i in range(0, len(gs), per_image)]


def only(gs: list[SvdfGroup], kind: str) -> list[SvdfGroup]:
    """The groups with just their ``kind`` cases (groups left empty dropped)."""
    out = []
    for g in gs:
        mine = [c for c in g.cases if c.kind == kind]
        if mine:
            out.append(SvdfGroup(g.dtype, g.batch, g.depth, g.in_q, g.x, mine))
    return out


def build(gs: list[SvdfGroup]) -> bytes:
    """One model: input g -> its SVDFs -> one output each (in group, case order)."""
    mb = ModelBuilder("lwai test: svdf cases")
    outs = []
    for gi, g in enumerate(gs):
        if g.dtype == "float32":
            x = mb.add_tensor(f"x{gi}", (g.batch, g.depth), "float32")
        else:
            x = mb.add_tensor(f"x{gi}", (g.batch, g.depth), "int8", None, *g.in_q)
        mb.inputs.append(x)
        for ci, c in enumerate(g.cases):
            pre = f"g{gi}c{ci}_"
            sshape = (g.batch, c.filters * c.memory)
            if c.kind == "f32":
                wf = mb.add_tensor(pre + "wf", c.wf.shape, "float32", c.wf)
                wt = mb.add_tensor(pre + "wt", c.wt.shape, "float32", c.wt)
                b = mb.add_tensor(pre + "b", c.b.shape, "float32", c.b)
                st = mb.add_tensor(pre + "state", sshape, "float32", is_variable=True)
                y = mb.add_tensor(pre + "y", (g.batch, c.units), "float32")
            else:
                sd = "int16" if c.kind == "s8" else "int8"
                wf = mb.add_tensor(pre + "wf", c.wf.shape, "int8", c.wf, c.wf_scale, 0)
                wt = mb.add_tensor(pre + "wt", c.wt.shape, sd, c.wt, c.wt_scale, 0)
                b_scale = float(np.float32(c.state_q[0]) * np.float32(c.wt_scale))
                b = mb.add_tensor(pre + "b", c.b.shape, "int32", c.b, b_scale, 0)
                st = mb.add_tensor(pre + "state", sshape, sd, None, *c.state_q, is_variable=True)
                y = mb.add_tensor(pre + "y", (g.batch, c.units), "int8", None, *c.out_q)
            mb.add_op("SVDF", [x, wf, wt, b, st], [y], {"rank": c.rank, "activation": c.activation})
            outs.append(y)
    mb.outputs = outs
    return mb.build()


def feeds(gs: list[SvdfGroup], reset_after: int = 0) -> list[np.ndarray]:
    """Per graph input [N, batch, depth]; with ``reset_after`` the N invocations twice."""
    xs = [g.x for g in gs]
    return [np.concatenate([x, x]) for x in xs] if reset_after else xs


def cases_of(gs: list[SvdfGroup]) -> list[tuple[SvdfGroup, SvdfCase]]:
    return [(g, c) for g in gs for c in g.cases]
