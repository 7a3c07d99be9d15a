"""TFLite Micro's custom ops ``TFLite_Detection_PostProcess`` and ``CIRCULAR_BUFFER``,
converted by lwai itself (TVM cannot import custom ops; :class:`lwai.frontend.tflite.
LwaiOperatorConverter` names them ``CUSTOM(<name>)`` and sends them here). Each becomes one
lwai kernel call (:func:`lwai.frontend.stateful.direct_call`; C in
``kernels/reference/detection_postprocess.c`` and ``circular_buffer.c``). Options come from
the op's flexbuffer ``custom_options``.

TFLite_Detection_PostProcess (TFLM's detection_postprocess.cc, read for its semantics):
float32 only (TFLM's Eval fails on any other input type). Inputs box encodings [1, N, >= 4]
(y, x, h, w), class predictions [1, N, num_classes (+1 background)], anchors [N, 4]; four
float32 outputs: boxes [D, 4], classes [D], scores [D], the count [1] (D = max_detections).
Options as TFLM reads them: a missing key is 0 (``detections_per_class`` 100,
``use_regular_nms`` false). The kernel's one output holds the four outputs and its scratch
(lwai's reference kernels get no scratch buffer); Relax slices cut them apart (exact
moves). Refused, with the reason: fast NMS keeping more than one class per box (TFLM's loop
advances its row counter per class and per box, writing row ncat * (ncat * k + c) + c for
class c of box k: past its outputs), anything TFLM's Prepare/Eval rejects (IoU threshold
outside (0, 1], detections_per_class < 1 with regular NMS, a background column count other
than 0 or 1), and output sizes other than 4D, D, D, 1. TFLM's fast NMS leaves the rows past
the count unwritten; lwai writes zeros there (as TFLM's regular NMS does).

CIRCULAR_BUFFER (TFLM's circular_buffer.cc): int8 only; input [1, 1, W, C], output
[1, num_slots, W, C], a variable tensor (TFLM keeps the frames in it; ResetVariableTensors
sets it to its zero point). Each invocation drops the oldest frame and appends the input
(lwai: the frames are the op's state, same reset value, copied to the output). TFLM also
counts invocations: on all but every ``cycles_max``-th it returns ``kTfLiteAbort``, which
ends the invocation there -- the operators after it do not run. lwai cannot end a run early,
so it takes a buffer whose period is above 1 only as the last operator of its graph (the
abort then skips nothing; the outputs are TFLM's, only TFLM's status differs), and refuses
it anywhere else. ``cycles_max`` <= 0 (absent) makes TFLM pick the period: 1 for 5, 13 or 25
slots, else 2 -- except for [.., 2, 96] frames, where it depends on a process-wide count of
prepared buffers: refused.
"""

from __future__ import annotations

import numpy as np
from tvm import relax

from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

DETECTION = "TFLite_Detection_PostProcess"
CIRCULAR = "CIRCULAR_BUFFER"
CUSTOM_OPS = {DETECTION: "detection_postprocess", CIRCULAR: "circular_buffer"}
KINDS = frozenset(CUSTOM_OPS.values())
_DP_INTS = ("max_detections", "detections_per_class", "num_classes", "use_regular_nms")
_DP_FLOATS = (
    "nms_score_threshold",
    "nms_iou_threshold",
    "y_scale",
    "x_scale",
    "h_scale",
    "w_scale",
)


def scratch_floats(num_boxes: int, max_detections: int) -> int:
    """Words of the kernel's scratch: lwai_detection_postprocess_f32_scratch's twin."""
    return 11 * num_boxes + 4 * (max_detections + num_boxes) + 2 * max_detections


def _desc(conv, index: int) -> TensorDesc:
    """A float32 or int8 tensor as a TensorDesc; another type keeps its TFLite name (the
    reason functions refuse it)."""
    from tflite.TensorType import TensorType

    from lwai.frontend.stateful import desc_of_tensor

    t = conv.subgraph.Tensors(index)
    name = (t.Name() or b"").decode(errors="replace") or f"#{index}"
    dtype = {TensorType.FLOAT32: "float32", TensorType.INT8: "int8"}.get(t.Type())
    if dtype is None:
        names = {v: k.lower() for k, v in vars(TensorType).items() if not k.startswith("_")}
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        return TensorDesc(shape=shape, dtype=names.get(t.Type(), f"type {t.Type()}"), name=name)
    return desc_of_tensor(conv.model, t, dtype, name)


def convert(conv, op, name: str) -> relax.Expr | None:
    """The Relax expression of custom op ``name`` (a key of CUSTOM_OPS); None for
    TFLite_Detection_PostProcess, whose four outputs are bound here."""
    from lwai.frontend.signal_ops import _options

    ins = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if any(i < 0 for i in ins):
        raise LwaiError("model", f"{name} with an omitted input")
    inputs = [_desc(conv, i) for i in ins]
    outputs = [_desc(conv, i) for i in outs]
    label = f"{name} '{outputs[0].name if outputs else '?'}'"
    opts = _options(op)
    if name == DETECTION:
        return _detection(conv, op, ins, outs, inputs, outputs, opts, label)
    return _circular(conv, op, ins, outs, inputs, outputs, opts, label)


# ---- TFLite_Detection_PostProcess ------------------------------------------------------------


def _detection(conv, op, ins, outs, inputs, outputs, opts, label):
    if len(ins) != 3 or len(outs) != 4:
        raise LwaiError("model", f"{label}: {len(ins)} inputs and {len(outs)} outputs (3, 4)")
    attrs: dict = {
        "max_detections": int(opts.get("max_detections", 0)),
        "max_classes_per_detection": int(opts.get("max_classes_per_detection", 0)),
        "detections_per_class": int(opts.get("detections_per_class", 100)),
        "use_regular_nms": int(bool(opts.get("use_regular_nms", False))),
        "num_classes": int(opts.get("num_classes", 0)),
    }
    for key in _DP_FLOATS:  # TFLM reads them AsFloat: float32
        attrs[key] = float(np.float32(float(opts.get(key, 0.0))))
    d = attrs["max_detections"]
    n = inputs[0].shape[1] if len(inputs[0].shape) == 3 else 0
    packed = TensorDesc((6 * d + 1 + scratch_floats(n, d),), "float32", name=outputs[0].name)
    desc = OpDesc("detection_postprocess", inputs, packed, attrs, name=label)
    why = detection_reason(desc, outputs)
    if why is not None:
        raise LwaiError("model", f"{label}: {why}")
    from lwai.frontend.signal_ops import _bind_outputs
    from lwai.frontend.stateful import direct_call

    act = [i for i, t in zip(ins, inputs) if not t.is_const]
    call = conv.bb.emit(direct_call(conv, desc, act))
    parts = []
    for k, (lo, size) in enumerate(((0, 4 * d), (4 * d, d), (5 * d, d), (6 * d, 1))):
        part = relax.op.strided_slice(call, [0], [lo], [lo + size])
        parts.append(relax.op.reshape(part, list(outputs[k].shape)))
    return _bind_outputs(conv, outs, parts)


def detection_reason(op: OpDesc, outputs: list[TensorDesc] | None = None) -> str | None:
    """None when lwai's kernel computes ``op`` as TFLM does, else why not."""
    if len(op.inputs) != 3:
        return f"{len(op.inputs)} inputs"
    box, cls, anc = op.inputs
    a = op.attrs
    dts = [t.dtype for t in (*op.inputs, *(outputs or []))]
    if any(dt != "float32" for dt in dts):
        return (
            f"operand types {dts} (TFLM's kernel takes float32 inputs and outputs only: "
            "its Eval fails on any other)"
        )
    if len(box.shape) != 3 or box.shape[0] != 1 or box.shape[2] < 4 or box.shape[1] < 1:
        return f"box encodings of shape {box.shape} (needs [1, boxes, >= 4])"
    n = box.shape[1]
    if len(cls.shape) != 3 or tuple(cls.shape[:2]) != (1, n):
        return f"class predictions of shape {cls.shape} (needs [1, {n}, classes])"
    if tuple(anc.shape) != (n, 4):
        return f"anchors of shape {anc.shape} (needs [{n}, 4])"
    nc, d = a["num_classes"], a["max_detections"]
    if nc < 1 or cls.shape[2] - nc not in (0, 1):
        return f"num_classes {nc} with {cls.shape[2]} class columns (TFLM: equal or one more)"
    if not 1 <= d <= 65535:
        return f"max_detections {d} (lwai: 1..65535)"
    if not 0.0 < a["nms_iou_threshold"] <= 1.0:
        return f"nms_iou_threshold {a['nms_iou_threshold']} outside (0, 1] (TFLM fails)"
    if a["use_regular_nms"]:
        if not 1 <= a["detections_per_class"] <= 65535:
            return f"detections_per_class {a['detections_per_class']} (TFLM needs > 0)"
    else:
        mc = a.get("max_classes_per_detection", 1)
        if mc < 1:
            return f"max_classes_per_detection {mc} (TFLM's fast NMS needs > 0)"
        if min(mc, nc) != 1:
            return (
                f"fast NMS with {min(mc, nc)} classes per detection: TFLM's kernel writes "
                "class c of detection k at row ncat*(ncat*k+c)+c, past its outputs; lwai "
                "takes max_classes_per_detection 1 (or num_classes 1)"
            )
    if any(not np.isfinite(a[k]) for k in _DP_FLOATS):
        return "a non-finite threshold or scale"
    if op.output.shape != (6 * d + 1 + scratch_floats(n, d),):
        return "packed output size"
    if outputs is not None:
        sizes = [int(np.prod(o.shape)) for o in outputs]
        if sizes != [4 * d, d, d, 1]:
            return f"output sizes {sizes} (TFLM writes {[4 * d, d, d, 1]})"
    return None


# ---- CIRCULAR_BUFFER -------------------------------------------------------------------------


def _op_position(conv, op) -> tuple[int, int]:
    """(index of ``op`` in its subgraph's operator list, the list's length)."""
    sg = conv.subgraph
    count = sg.OperatorsLength()
    for i in range(count):
        if sg.Operators(i)._tab.Pos == op._tab.Pos:
            return i, count
    return -1, count


def cycles_max(opts: dict, out_shape: tuple[int, ...]) -> tuple[int | None, str]:
    """TFLM's period of a CIRCULAR_BUFFER (None when it cannot be known here) and why.
    TFLM reads the options as a flexbuffer vector: the map's first value in key order."""
    given = int(opts[min(opts)]) if opts else 0
    if given > 0:
        return given, f"cycles_max {given}"
    if len(out_shape) == 4 and out_shape[1] in (5, 13, 25):
        return 1, "cycles_max absent, 5/13/25 slots: TFLM's period 1"
    if len(out_shape) == 4 and tuple(out_shape[2:]) == (2, 96):
        return None, (
            "cycles_max absent with [.., 2, 96] frames: TFLM picks the period from a "
            "process-wide count of prepared CIRCULAR_BUFFERs"
        )
    return 2, "cycles_max absent: TFLM's period 2"


def _circular(conv, op, ins, outs, inputs, outputs, opts, label):
    if len(ins) != 1 or len(outs) != 1:
        raise LwaiError("model", f"{label}: {len(ins)} inputs and {len(outs)} outputs (1, 1)")
    x, out = inputs[0], outputs[0]
    period, what = cycles_max(opts, tuple(out.shape))
    if period is None:
        raise LwaiError("model", f"{label}: {what}")
    if period > 1:
        pos, count = _op_position(conv, op)
        if pos != count - 1:
            raise LwaiError(
                "model",
                f"{label}: {what}: TFLM returns kTfLiteAbort on {period - 1} of every "
                f"{period} invocations, which skips the {count - 1 - pos} operator(s) after "
                "it; lwai cannot end a run early, so it takes such a buffer only as the "
                "last operator of its graph (cycles_max 1 anywhere)",
            )
    if not conv.subgraph.Tensors(outs[0]).IsVariable():
        raise LwaiError(
            "model",
            f"{label}: output is not a variable tensor (TFLM keeps the frames in it; only a "
            "variable tensor keeps them between invocations and is reset)",
        )
    zp = int(out.zero_point[0]) if out.zero_point else 0
    state = TensorDesc(
        tuple(out.shape), "int8", out.scale, [zp], name=f"{out.name}_frames", state=True
    )
    desc = OpDesc(
        "circular_buffer", [x, state], out, {"elem_bytes": 1, "pad_value": zp}, name=label
    )
    why = circular_reason(desc)
    if why is not None:
        raise LwaiError("model", f"{label}: {why}")
    from lwai.frontend.stateful import direct_call

    return direct_call(conv, desc, ins)


def circular_reason(op: OpDesc) -> str | None:
    x, out = op.inputs[0], op.output
    if x.dtype != "int8" or out.dtype != "int8":
        return f"{x.dtype} -> {out.dtype} (TFLM's CIRCULAR_BUFFER takes int8 only)"
    if len(x.shape) != 4 or len(out.shape) != 4:
        return f"shapes {x.shape} -> {out.shape} (TFLM reads 4-D [1, 1, W, C] -> [1, N, W, C])"
    if x.shape[0] != 1 or out.shape[0] != 1:
        return "batch other than 1 (TFLM's Eval moves the first batch only)"
    if x.shape[1] != 1 or tuple(x.shape[2:]) != tuple(out.shape[2:]) or out.shape[1] < 1:
        return f"shapes {x.shape} -> {out.shape} (TFLM needs [1, 1, W, C] -> [1, N, W, C])"
    if int(np.prod(x.shape)) < 1:
        return "empty frames"
    return None


# ---- support check, plan, state (lwai.codegen.kernels calls these) ----------------------------


def reason(op: OpDesc) -> str | None:
    if op.kind == "detection_postprocess":
        return detection_reason(op)
    return circular_reason(op)


def plan(op: OpDesc):
    from lwai.codegen.kernels import KernelPlan, Operand

    if op.kind == "detection_postprocess":
        box, cls, _ = op.inputs
        n = int(box.shape[1])
        fields = {k: int(op.attrs[k]) for k in _DP_INTS}
        fields.update({k: float(op.attrs[k]) for k in _DP_FLOATS})
        operands = [
            Operand("in", 0, "float32", (1, 1, n, int(box.shape[2])), "in0"),
            Operand("in", 1, "float32", (1, 1, n, int(cls.shape[2])), "in1"),
            Operand("in", 2, "float32", (1, 1, n, 4), "anchors"),
            Operand("out", -1, "float32", (1, 1, 1, int(op.output.shape[0]))),
        ]
        return KernelPlan(
            "detection_postprocess_f32", "lwai_detection_postprocess_params", fields, operands
        )
    x, out = op.inputs[0], op.output
    depth = int(np.prod(x.shape))
    slots = int(out.shape[1])
    fields = {"elem_bytes": 1, "pad_value": int(op.attrs["pad_value"])}
    operands = [
        Operand("in", 0, "int8", (1, 1, 1, depth), "in0"),
        Operand("in", 1, "int8", (1, 1, slots, depth), "state"),
        Operand("out", -1, "int8", (1, 1, slots, depth)),
    ]
    return KernelPlan("circular_buffer_s8", "lwai_move_params", fields, operands)


def state_size(plan) -> int:
    """Bytes of CIRCULAR_BUFFER's state: its frames."""
    d = plan.operands[1].dims
    return d[0] * d[1] * d[2] * d[3]
