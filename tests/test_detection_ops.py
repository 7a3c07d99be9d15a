"""TFLM's custom ops TFLite_Detection_PostProcess and CIRCULAR_BUFFER vs TFLM's interpreter
(lwai/frontend/detection_ops.py, kernels/reference/detection_postprocess.c and
circular_buffer.c).

- TFLite_Detection_PostProcess, float32: 24 generated single-op cases (1..37 boxes, 1..6
  classes with or without the background column, 4..6 encoding values per box, 1..8
  detections, fast and regular NMS, score thresholds that keep all or few boxes, IoU
  thresholds up to 1, non-round scales, tied scores and duplicated boxes for the sort's tie
  order), packed into one model (a flat input sliced per case, each case's four outputs
  concatenated into one model output), 3 invocations of fresh inputs: bit-exact with TFLM
  on the host and qemu-cortex-m4 (the decoding's double exp is libm's on both sides; its
  results are rounded to float). Fast NMS rows past the count are compared only up to the
  count: TFLM leaves them unwritten (lwai writes zeros).
- CIRCULAR_BUFFER, int8: 24 generated cases (1..9 slots, frames [1, 1, 1..3, 1..5], zero
  points -128..127) in two models: period 1 (cycles_max 1, or absent with 5/13/25 slots)
  anywhere, and a last operator of period 3 or 2 (cycles_max 3, or absent with other slot
  counts: the one place lwai takes it, TFLM's abort then skips nothing); 7 invocations with a reset before the 5th (the buffers back to their
  zero points), bit-exact on the host and qemu-cortex-m4.
- Both on the graph executor (host) too; the refusals name op and reason.

CPU time of the whole file (/usr/bin/time, fresh LWAI_CACHE_DIR, 2 cores shared):
about 48 s (44 user + 4 sys), 136 s wall.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import numpy as np
import pytest

from conftest import tflm_invocations
from lwai import driver
from lwai.errors import LwaiError
from lwai.tflite_writer import ModelBuilder

DETECTION = "TFLite_Detection_PostProcess"
CIRCULAR = "CIRCULAR_BUFFER"
CELLS: dict[str, list[str]] = {DETECTION: ["float32"], CIRCULAR: ["int8"]}
N = 20
DP_CASES, DP_INVOCATIONS = 24, 3
CB_CASES, CB_INVOCATIONS, CB_RESET = 12, 7, 4  # per model, two models


def _skip_without_qemu(target: str) -> None:
    if target != "host" and shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm is not installed")


# ---- TFLite_Detection_PostProcess --------------------------------------------------------


@dataclass
class DpCase:
    n: int
    classes: int
    background: int
    enc: int
    det: int
    options: dict
    anchors: np.ndarray
    ties: bool
    dup: bool

    @property
    def regular(self) -> bool:
        return bool(self.options.get("use_regular_nms", False))


def dp_generate(count: int, seed: int) -> list[DpCase]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        n = int(rng.choice([1, 2, 3, 5, 8, 13, 21, 37])) if i else 1
        classes = int(rng.integers(1, 7))
        det = int(rng.integers(1, 9))
        regular = bool(i % 2)
        mcpd = 1 if classes > 1 or rng.random() < 0.5 else int(rng.integers(1, 4))
        thr = float(rng.choice([-1.0, 0.0, 0.25, 0.5, 0.8, float(np.float32(0.3))]))
        iou = float(rng.choice([0.3, 0.5, 0.6, 1.0, float(np.float32(0.45))]))
        scales = rng.choice([1.0, 5.0, 10.0, 3.3, 0.7], 4).astype(float)
        options = {
            "max_detections": det,
            "max_classes_per_detection": mcpd,
            "detections_per_class": int(rng.integers(1, 6)),
            "use_regular_nms": regular,
            "nms_score_threshold": thr,
            "nms_iou_threshold": iou,
            "num_classes": classes,
            "y_scale": float(scales[0]),
            "x_scale": float(scales[1]),
            "h_scale": float(scales[2]),
            "w_scale": float(scales[3]),
        }
        if i % 5 == 4:  # TFLM's defaults for the optional keys
            del options["detections_per_class"], options["use_regular_nms"]
        centers = rng.uniform(0.0, 1.0, (n, 2))
        sizes = rng.uniform(0.05, 0.5, (n, 2))
        anchors = np.concatenate([centers, sizes], 1).astype(np.float32)
        dup = n > 2 and rng.random() < 0.4
        if dup:  # some anchors repeated: equal boxes (IoU 1) and ties
            anchors[1::3] = anchors[0]
        out.append(
            DpCase(
                n,
                classes,
                int(rng.random() < 0.7),
                int(rng.choice([4, 4, 5, 6])),
                det,
                options,
                anchors,
                ties=rng.random() < 0.4,
                dup=dup,
            )
        )
    return out


def _dp_feeds(c: DpCase, rng) -> tuple[np.ndarray, np.ndarray]:
    enc = rng.normal(0.0, 1.0, (c.n, c.enc)).astype(np.float32)
    scores = rng.uniform(0.0, 1.0, (c.n, c.classes + c.background)).astype(np.float32)
    if c.ties:  # few distinct values: ties between boxes and between classes
        scores = (np.round(scores * 4) / 4).astype(np.float32)
    if c.dup:
        enc[1::3] = enc[0]
    return enc, scores


@dataclass
class DpModel:
    model: bytes
    feeds: list[np.ndarray]
    cases: list[DpCase] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # of each case's outputs in the output


def dp_build(cases: list[DpCase], invocations: int, seed: int) -> DpModel:
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("lwai detection cases")
    sizes = [c.n * c.enc + c.n * (c.classes + c.background) for c in cases]
    flat = mb.add_tensor("in", (sum(sizes),), "float32")
    mb.inputs = [flat]
    feeds = np.zeros((invocations, sum(sizes)), np.float32)
    parts, offsets, pos, at = [], [], 0, 0
    for j, c in enumerate(cases):
        for k in range(invocations):
            enc, sc = _dp_feeds(c, rng)
            feeds[k, pos : pos + enc.size] = enc.reshape(-1)
            feeds[k, pos + enc.size : pos + enc.size + sc.size] = sc.reshape(-1)
        ins = []
        for name, shape in (("b", (1, c.n, c.enc)), ("s", (1, c.n, c.classes + c.background))):
            size = int(np.prod(shape))
            begin = mb.add_tensor(f"c{j}{name}_begin", (1,), "int32", [pos])
            length = mb.add_tensor(f"c{j}{name}_size", (1,), "int32", [size])
            piece = mb.add_tensor(f"c{j}{name}_flat", (size,), "float32")
            mb.add_op("SLICE", [flat, begin, length], [piece])
            shaped = mb.add_tensor(f"c{j}{name}", shape, "float32")
            mb.add_op(
                "RESHAPE",
                [piece, mb.add_tensor(f"c{j}{name}_shape", (3,), "int32", shape)],
                [shaped],
            )
            ins.append(shaped)
            pos += size
        anchors = mb.add_tensor(f"c{j}_anchors", (c.n, 4), "float32", c.anchors)
        d = c.det
        outs = [
            mb.add_tensor(f"c{j}_boxes", (1, d, 4), "float32"),
            mb.add_tensor(f"c{j}_classes", (1, d), "float32"),
            mb.add_tensor(f"c{j}_scores", (1, d), "float32"),
            mb.add_tensor(f"c{j}_count", (1,), "float32"),
        ]
        mb.add_custom_op(DETECTION, [*ins, anchors], outs, c.options)
        for o, size in zip(outs, (4 * d, d, d, 1)):
            r = mb.add_tensor(f"{o}_r", (size,), "float32")
            mb.add_op("RESHAPE", [o, mb.add_tensor(f"{o}_rs", (1,), "int32", [size])], [r])
            parts.append(r)
        offsets.append(at)
        at += 6 * d + 1
    # TFLM's CONCATENATION takes at most 10 inputs: a tree of them
    level = 0
    while len(parts) > 1:
        groups = [parts[i : i + 8] for i in range(0, len(parts), 8)]
        parts = []
        for g, group in enumerate(groups):
            size = sum(int(np.prod(mb.tensors[t].shape)) for t in group)
            name = "out" if len(groups) == 1 else f"cat{level}_{g}"
            y = mb.add_tensor(name, (size,), "float32")
            mb.add_op("CONCATENATION", group, [y], {"axis": 0})
            parts.append(y)
        level += 1
    mb.outputs = parts
    return DpModel(mb.build(), [feeds], cases, offsets)


def dp_compare(c: DpCase, got: np.ndarray, want: np.ndarray) -> bool:
    """One case of one invocation: bit-exact; fast NMS rows past TFLM's count unchecked."""
    d = c.det
    g, w = got.view(np.uint32), want.view(np.uint32)
    if g[6 * d] != w[6 * d]:
        return False
    rows = d if c.regular else int(want[6 * d])
    return all(
        np.array_equal(g[lo : lo + rows * k], w[lo : lo + rows * k])
        for lo, k in ((0, 4), (4 * d, 1), (5 * d, 1))
    )


def _run_dp(target, tmp_path, executor="aot", count=DP_CASES):
    cases = dp_generate(DP_CASES, seed=4242)[-count:]
    m = dp_build(cases, DP_INVOCATIONS, seed=99)
    path = tmp_path / "detection.tflite"
    path.write_bytes(m.model)
    ref = tflm_invocations(m.model, m.feeds)[0]
    got, info = driver.run_model(
        path,
        m.feeds,
        tmp_path / "w_dp",
        target=target,
        invocations=DP_INVOCATIONS,
        executor=executor,
    )
    kernels = [o["kernel"] for o in info["report"]["ops"]]
    assert kernels.count("lwai_detection_postprocess_f32") == count, kernels
    ok, bad, detections = 0, [], 0
    for c, off in zip(cases, m.offsets):
        size = 6 * c.det + 1
        good = True
        for k in range(DP_INVOCATIONS):
            want = ref[k][off : off + size]
            detections += int(want[6 * c.det])
            if not dp_compare(c, got[0][k][off : off + size], want):
                good = False
                bad.append(f"{c.options} n={c.n} inv {k}:\n {got[0][k][off : off + size]}\n {want}")
        ok += int(good)
    assert not bad, "\n".join(bad[:4])
    assert detections >= 2 * count  # not vacuous: boxes were detected
    return ok


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_detection_postprocess_cases(target, tmp_path):
    """24 single-op cases x 3 invocations, bit-exact with TFLM."""
    _skip_without_qemu(target)
    assert _run_dp(target, tmp_path) >= N


# ---- CIRCULAR_BUFFER ---------------------------------------------------------------------


@dataclass
class CbCase:
    w: int
    c: int
    slots: int
    zp_out: int
    cycles: int | None  # the cycles_max option (None: absent)


def cb_generate(count: int, seed: int, last_cycles: int | None) -> list[CbCase]:
    """``count`` cases of period 1, the last with ``last_cycles`` (period > 1)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        if i == count - 1:  # period > 1 (absent: TFLM's 2, so not 5, 13 or 25 slots)
            slots, cycles = int(rng.choice([2, 3, 4, 6, 7, 9])), last_cycles
        elif i % 4 == 3:  # cycles_max absent: TFLM's period 1 for 5, 13 or 25 slots
            slots, cycles = int(rng.choice([5, 13])), None
        else:
            slots, cycles = int(rng.integers(1, 10)), 1
        zps = [-128, 127, 0, int(rng.integers(-128, 128))]
        out.append(
            CbCase(
                int(rng.integers(1, 4)),
                int(rng.integers(1, 6)),
                slots,
                int(rng.choice(zps)),
                cycles,
            )
        )
    return out


def cb_build(cases: list[CbCase], invocations: int, seed: int):
    """One model: a flat int8 input sliced per case; every SLICE first, then the buffers in
    case order (the last one's abort, if any, skips nothing)."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("lwai circular buffer cases")
    total = sum(c.w * c.c for c in cases)
    flat = mb.add_tensor("in", (total,), "int8", scale=0.05, zero_point=3)
    mb.inputs = [flat]
    pieces, pos = [], 0
    for j, c in enumerate(cases):
        size = c.w * c.c
        begin = mb.add_tensor(f"c{j}_begin", (1,), "int32", [pos])
        length = mb.add_tensor(f"c{j}_size", (1,), "int32", [size])
        piece = mb.add_tensor(f"c{j}_flat", (size,), "int8", scale=0.05, zero_point=3)
        mb.add_op("SLICE", [flat, begin, length], [piece])
        # the frames keep the input's quantization (RESHAPE's rule); the buffer's own zero
        # point (its reset value) varies: TFLM copies raw int8
        frame = mb.add_tensor(f"c{j}_frame", (1, 1, c.w, c.c), "int8", scale=0.05, zero_point=3)
        mb.add_op(
            "RESHAPE",
            [piece, mb.add_tensor(f"c{j}_shape", (4,), "int32", [1, 1, c.w, c.c])],
            [frame],
        )
        pieces.append(frame)
        pos += size
    for j, c in enumerate(cases):
        y = mb.add_tensor(
            f"c{j}_frames",
            (1, c.slots, c.w, c.c),
            "int8",
            scale=0.05,
            zero_point=c.zp_out,
            is_variable=True,
        )
        opts = None if c.cycles is None else {"cycles_max": c.cycles}
        mb.add_custom_op(CIRCULAR, [pieces[j]], [y], opts)
        mb.outputs.append(y)
    feeds = [rng.integers(-128, 128, (invocations, total)).astype(np.int8)]
    return mb.build(), feeds


CB_MODELS = ((7, 3), (8, None))  # (seed, the last buffer's cycles_max: 3, absent -> 2)


def _run_cb(target, tmp_path, executor="aot", models=CB_MODELS):
    ok = 0
    for i, (seed, last) in enumerate(models):
        cases = cb_generate(CB_CASES, seed, last)
        model, feeds = cb_build(cases, CB_INVOCATIONS, seed + 100)
        path = tmp_path / f"cb{i}.tflite"
        path.write_bytes(model)
        ref = tflm_invocations(model, feeds, CB_RESET)
        got, info = driver.run_model(
            path,
            feeds,
            tmp_path / f"w_cb{i}",
            target=target,
            invocations=CB_INVOCATIONS,
            reset_every=CB_RESET,
            executor=executor,
        )
        kernels = [o["kernel"] for o in info["report"]["ops"]]
        assert kernels.count("lwai_circular_buffer_s8") == CB_CASES, kernels
        for j, c in enumerate(cases):
            assert np.array_equal(got[j], ref[j]), (c, got[j], ref[j])
            ok += 1
        # the reset refilled the zero point: invocation CB_RESET holds one frame only
        c = cases[0]
        if c.slots > 1:
            head = got[0][CB_RESET].reshape(-1)[: (c.slots - 1) * c.w * c.c]
            assert (head == c.zp_out).all()
    return ok


@pytest.mark.parametrize("target", ["host", "qemu-cortex-m4"])
def test_circular_buffer_cases(target, tmp_path):
    """2 x 12 cases, 7 invocations and a reset, bit-exact with TFLM."""
    _skip_without_qemu(target)
    assert _run_cb(target, tmp_path) >= N


def test_graph_executor(tmp_path):
    """The graph executor's adapters (host), lwfb: 3 of the detection cases (the fused
    CONCATENATION of all 24 exceeds the executor's 16 operands per node), one buffer model."""
    assert _run_dp("host", tmp_path, executor="graph", count=3) == 3
    assert _run_cb("host", tmp_path, executor="graph", models=CB_MODELS[:1]) == CB_CASES


def test_case_counts():
    """>= 20 generated cases per cell (the claim of CELLS cannot rot)."""
    assert len(dp_generate(DP_CASES, seed=4242)) >= N
    dp = dp_generate(DP_CASES, seed=4242)
    assert any(c.regular for c in dp) and any(not c.regular for c in dp)
    cb = [c for seed, last in CB_MODELS for c in cb_generate(CB_CASES, seed, last)]
    assert len(cb) >= N
    assert {c.cycles for c in cb} >= {1, None, 3}
    assert cb[-1].cycles is None and cb[-1].slots not in (5, 13, 25)  # TFLM's period 2


# ---- refusals ----------------------------------------------------------------------------


def _compile_error(tmp_path, model: bytes) -> str:
    from lwai.compiler import compile_model

    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(LwaiError) as err:
        compile_model(path, tmp_path / "out")
    return str(err.value)


def _dp_single(options: dict, dtype: str = "float32", classes: int = 3) -> bytes:
    mb = ModelBuilder("dp")
    q = {} if dtype == "float32" else {"scale": 0.05, "zero_point": 0}
    b = mb.add_tensor("b", (1, 4, 4), dtype, **q)
    s = mb.add_tensor("s", (1, 4, classes + 1), dtype, **q)
    a = mb.add_tensor("a", (4, 4), dtype, np.ones((4, 4)), **q)
    outs = [
        mb.add_tensor(n, sh, "float32")
        for n, sh in (("ob", (1, 2, 4)), ("oc", (1, 2)), ("os", (1, 2)), ("on", (1,)))
    ]
    opts = {
        "max_detections": 2,
        "max_classes_per_detection": 1,
        "num_classes": classes,
        "nms_score_threshold": 0.1,
        "nms_iou_threshold": 0.5,
        "y_scale": 1.0,
        "x_scale": 1.0,
        "h_scale": 1.0,
        "w_scale": 1.0,
        **options,
    }
    mb.add_custom_op(DETECTION, [b, s, a], outs, opts)
    mb.inputs, mb.outputs = [b, s], outs
    return mb.build()


def test_refusals(tmp_path):
    e = _compile_error(tmp_path, _dp_single({"max_classes_per_detection": 2}))
    assert DETECTION in e and "past its outputs" in e, e
    e = _compile_error(tmp_path, _dp_single({"nms_iou_threshold": 0.0}))
    assert "nms_iou_threshold" in e, e
    e = _compile_error(tmp_path, _dp_single({}, dtype="int8"))
    assert DETECTION in e and "int8" in e, e
    # a period-2 buffer before another operator: TFLM's abort would skip it
    mb = ModelBuilder("cb")
    x = mb.add_tensor("x", (1, 1, 1, 4), "int8", scale=0.1, zero_point=0)
    y = mb.add_tensor("y", (1, 3, 1, 4), "int8", scale=0.1, zero_point=0, is_variable=True)
    z = mb.add_tensor("z", (1, 2, 1, 4), "int8", scale=0.1, zero_point=0, is_variable=True)
    mb.add_custom_op(CIRCULAR, [x], [y], {"cycles_max": 2})
    mb.add_custom_op(CIRCULAR, [x], [z], {"cycles_max": 1})
    mb.inputs, mb.outputs = [x], [y, z]
    e = _compile_error(tmp_path, mb.build())
    assert CIRCULAR in e and "kTfLiteAbort" in e, e
    mb = ModelBuilder("cb")
    x = mb.add_tensor("x", (1, 1, 1, 4), "int8", scale=0.1, zero_point=0)
    y = mb.add_tensor("y", (1, 3, 1, 4), "int8", scale=0.1, zero_point=0)
    mb.add_custom_op(CIRCULAR, [x], [y], {"cycles_max": 1})
    mb.inputs, mb.outputs = [x], [y]
    e = _compile_error(tmp_path, mb.build())
    assert "variable tensor" in e, e
