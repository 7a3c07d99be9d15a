"""TFLite Micro's signal library custom ops (the audio front end of micro_speech-style
models: ``SignalWindow``, ``SignalFftAutoScale``, ``SignalRfft``, ``SignalEnergy``,
``SignalFilterBank``, ``SignalFilterBankSquareRoot``, ``SignalFilterBankSpectralSubtraction``,
``SignalFilterBankLog``, ``SignalPCAN``; ``SignalFramer``, ``SignalStacker``, ``SignalDelay``,
``SignalOverlapAdd``, ``SignalIrfft``), converted by lwai itself.

TVM cannot import custom ops; :class:`lwai.frontend.tflite.LwaiOperatorConverter` names each
known one ``CUSTOM(<name>)`` and sends it here. Each becomes one lwai kernel call through
:func:`lwai.frontend.stateful.direct_call` (C in ``kernels/reference/signal_*.c``). Options come
from the op's flexbuffer ``custom_options`` (a map; TFLM reads it by key order). Ops with two
outputs (FftAutoScale: frame and scale bits; SpectralSubtraction: channels and noise
estimate; Framer, Stacker: frames and the valid flag) get one kernel output holding both,
split again by Relax slices (exact data movement), each output bound to its own variable.
SpectralSubtraction's noise estimate is lwai state (TFLM keeps it in a persistent buffer reset
by ``MicroInterpreter::Reset``), in the arena's persistent region; so are the buffers of
Delay, OverlapAdd, Framer and Stacker (all reset to zeros, as TFLM's Reset does: lwai's
layouts make zeros the reset value).

RFFT twiddles are computed here (kissfft v130's formulas, Python's libm cos/sin, which is the
C library TFLM's host build calls) and passed as a constant operand: the kernels need no libm.
"""

from __future__ import annotations

import math

import numpy as np
from tflite.TensorType import TensorType
from tvm import relax

from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

CUSTOM_OPS = {
    "SignalWindow": "signal_window",
    "SignalFftAutoScale": "signal_fft_auto_scale",
    "SignalRfft": "signal_rfft",
    "SignalEnergy": "signal_energy",
    "SignalFilterBank": "signal_filter_bank",
    "SignalFilterBankSquareRoot": "signal_filter_bank_sqrt",
    "SignalFilterBankSpectralSubtraction": "signal_spectral_subtraction",
    "SignalFilterBankLog": "signal_filter_bank_log",
    "SignalPCAN": "signal_pcan",
    "SignalDelay": "signal_delay",
    "SignalOverlapAdd": "signal_overlap_add",
    "SignalIrfft": "signal_rfft",  # attrs["inverse"] = 1
    "SignalFramer": "signal_framer",
    "SignalStacker": "signal_stacker",
}
KINDS = frozenset(CUSTOM_OPS.values())
_NP = {
    TensorType.INT16: "int16",
    TensorType.INT32: "int32",
    TensorType.FLOAT32: "float32",
    TensorType.UINT32: "uint32",
    TensorType.UINT64: "uint64",
    TensorType.BOOL: "bool",  # Framer's and Stacker's valid flags
}
# kernel name per (kind, first input dtype)
_KERNELS = {
    ("signal_window", "int16"): "signal_window_s16",
    ("signal_fft_auto_scale", "int16"): "signal_fft_auto_scale_s16",
    ("signal_rfft", "int16"): "signal_rfft_s16",
    ("signal_rfft", "int32"): "signal_rfft_s32",
    ("signal_rfft", "float32"): "signal_rfft_f32",
    ("signal_energy", "int16"): "signal_energy_s16",
    ("signal_filter_bank", "uint32"): "signal_filter_bank_u32",
    ("signal_filter_bank_sqrt", "uint64"): "signal_filter_bank_sqrt_u64",
    ("signal_spectral_subtraction", "uint32"): "signal_spectral_subtraction_u32",
    ("signal_filter_bank_log", "uint32"): "signal_filter_bank_log_u32",
    ("signal_pcan", "uint32"): "signal_pcan_u32",
    ("signal_delay", "int16"): "signal_delay_s16",
    ("signal_overlap_add", "int16"): "signal_overlap_add_s16",
    ("signal_overlap_add", "float32"): "signal_overlap_add_f32",
    ("signal_irfft", "int16"): "signal_irfft_s16",
    ("signal_irfft", "int32"): "signal_irfft_s32",
    ("signal_irfft", "float32"): "signal_irfft_f32",
    ("signal_framer", "int16"): "signal_framer_s16",
    ("signal_stacker", "int16"): "signal_stacker_s16",
}
# Each kernel's output dtype and every input's, in order (the spec's).
_SIGNATURES = {
    "signal_window_s16": (["int16", "int16"], "int16"),
    "signal_fft_auto_scale_s16": (["int16"], "int16"),
    "signal_rfft_s16": (["int16", "int16"], "int16"),
    "signal_rfft_s32": (["int32", "int32"], "int32"),
    "signal_rfft_f32": (["float32", "float32"], "float32"),
    "signal_energy_s16": (["int16"], "uint32"),
    "signal_filter_bank_u32": (["uint32"] + ["int16"] * 5, "uint64"),
    "signal_filter_bank_sqrt_u64": (["uint64", "int32"], "uint32"),
    "signal_spectral_subtraction_u32": (["uint32", "uint32"], "uint32"),
    "signal_filter_bank_log_u32": (["uint32"], "int16"),
    "signal_pcan_u32": (["uint32", "uint32", "int16"], "uint32"),
    "signal_delay_s16": (["int16", "int16"], "int16"),
    "signal_overlap_add_s16": (["int16", "int16"], "int16"),
    "signal_overlap_add_f32": (["float32", "float32"], "float32"),
    "signal_irfft_s16": (["int16", "int16"], "int16"),
    "signal_irfft_s32": (["int32", "int32"], "int32"),
    "signal_irfft_f32": (["float32", "float32"], "float32"),
    "signal_framer_s16": (["int16", "int16"], "int16"),
    "signal_stacker_s16": (["int16", "int16"], "int16"),
}
PCAN_LUT_MIN = 125  # 4 * 32 - 6 + 3: WideDynamicFunction reads up to lut[4 * 32 - 6 + 2]


def _kernel(op: OpDesc) -> str | None:
    kind = "signal_irfft" if op.attrs.get("inverse") else op.kind
    return _KERNELS.get((kind, op.inputs[0].dtype))


def custom_name(model, op) -> str | None:
    """The custom code of ``op`` when it is a CUSTOM op, else None."""
    from tflite.BuiltinOperator import BuiltinOperator

    code = model.OperatorCodes(op.OpcodeIndex())
    if max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode())) != BuiltinOperator.CUSTOM:
        return None
    return (code.CustomCode() or b"").decode(errors="replace")


def _desc(model, sg, index: int) -> TensorDesc:
    t = sg.Tensors(index)
    name = (t.Name() or b"").decode(errors="replace") or f"#{index}"
    dtype = _NP.get(t.Type())
    if dtype is None:
        raise LwaiError("model", f"signal op tensor '{name}' has a type lwai does not take")
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    desc = TensorDesc(shape=shape, dtype=dtype, name=name)
    buf = model.Buffers(t.Buffer())
    if buf is not None and buf.DataLength() > 0:
        raw = buf.DataAsNumpy().tobytes()
        data = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
        desc.data = data.reshape(shape)
    return desc


def _options(op) -> dict:
    """The flexbuffer map of custom_options as a dict (empty when there is none)."""
    if op.CustomOptionsLength() == 0:
        return {}
    from flatbuffers import flexbuffers

    raw = bytes(op.CustomOptionsAsNumpy().tobytes())
    try:
        value = flexbuffers.Loads(raw)
    except Exception as err:  # noqa: BLE001 - malformed bytes raise anything
        raise LwaiError("model", f"custom op options are not a flexbuffer ({err})") from None
    if not isinstance(value, dict):
        raise LwaiError("model", "custom op options are not a flexbuffer map")
    return value


def _int(opts: dict, key: str, name: str, default: int | None = None) -> int:
    if key not in opts:
        if default is not None:
            return default
        raise LwaiError("model", f"{name}: option '{key}' missing")
    return int(opts[key])


def convert(conv, op, name: str) -> relax.Expr | None:
    """The Relax expression of custom op ``name`` (a key of CUSTOM_OPS); None for the
    two-output ops, whose outputs are bound here (:func:`_bind_outputs`)."""
    model, sg = conv.model, conv.subgraph
    kind = CUSTOM_OPS[name]
    ins = [int(i) for i in op.InputsAsNumpy()]
    outs = [int(i) for i in op.OutputsAsNumpy()]
    if any(i < 0 for i in ins):
        raise LwaiError("model", f"{name} with an omitted input")
    inputs = [_desc(model, sg, i) for i in ins]
    outputs = [_desc(model, sg, i) for i in outs]
    opts = _options(op)
    label = f"{name} '{outputs[0].name if outputs else '?'}'"
    two = (
        "signal_fft_auto_scale",
        "signal_spectral_subtraction",
        "signal_framer",
        "signal_stacker",
    )
    want_outs = 2 if kind in two else 1
    want_ins = {"signal_window": 2, "signal_filter_bank": 6, "signal_filter_bank_sqrt": 2}
    want_ins.update(signal_pcan=3)
    if len(outs) != want_outs or len(ins) != want_ins.get(kind, 1):
        raise LwaiError("model", f"{label}: {len(ins)} inputs and {len(outs)} outputs")
    attrs: dict = {}
    out = outputs[0]
    act = [i for i, t in zip(ins, inputs) if not t.is_const]
    if kind == "signal_window":
        attrs["shift"] = _int(opts, "shift", label)
    elif kind == "signal_rfft":
        attrs["inverse"] = int(name == "SignalIrfft")
        attrs["fft_length"] = n = _int(opts, "fft_length", label)
        if _factors(n) is None:
            raise LwaiError(
                "model",
                f"{label}: fft_length {n} (TFLM's kissfft build runs even lengths >= 4 "
                "whose half has no prime factor above 5)",
            )
        dt = inputs[0].dtype
        tw = twiddles(n, dt, inverse=bool(attrs["inverse"]))
        inputs.append(TensorDesc((_twiddle_count(n),), dt, data=tw, name="tw"))
    elif kind == "signal_energy":
        attrs["start_index"] = _int(opts, "start_index", label)
        attrs["end_index"] = _int(opts, "end_index", label)
    elif kind == "signal_filter_bank":
        attrs["num_channels"] = _int(opts, "num_channels", label)
        if any(not t.is_const for t in inputs[1:]):
            raise LwaiError("model", f"{label}: filter tables are not constant")
    elif kind == "signal_spectral_subtraction":
        for key in (
            "num_channels",
            "smoothing",
            "one_minus_smoothing",
            "alternate_smoothing",
            "alternate_one_minus_smoothing",
            "min_signal_remaining",
            "smoothing_bits",
            "spectral_subtraction_bits",
        ):
            attrs[key] = _int(opts, key, label)
        attrs["clamping"] = int(bool(opts.get("clamping", False)))
        n = int(np.prod(inputs[0].shape))
        inputs.append(TensorDesc((n,), "uint32", name=f"{out.name}_noise_state", state=True))
    elif kind == "signal_filter_bank_log":
        attrs["input_correction_bits"] = _int(opts, "input_correction_bits", label)
        attrs["output_scale"] = _int(opts, "output_scale", label)
    elif kind == "signal_pcan":
        attrs["snr_shift"] = _int(opts, "snr_shift", label)
    elif kind == "signal_delay":  # state: the delay_length samples owed per row
        attrs["delay_length"] = d = _int(opts, "delay_length", label)
        x = inputs[0]
        rows = int(np.prod(x.shape[:-1])) if x.shape else 1
        st = TensorDesc((rows, max(d, 1)), "int16", name=f"{out.name}_delay_state", state=True)
        inputs.append(st)
    elif kind == "signal_overlap_add":  # state: a frame_size buffer per row
        attrs["frame_step"] = _int(opts, "frame_step", label)
        x = inputs[0]
        if len(x.shape) < 2:
            raise LwaiError("model", f"{label}: input of rank {len(x.shape)} (needs >= 2)")
        rows = int(np.prod(x.shape[:-2]))
        st = TensorDesc((rows, x.shape[-1]), x.dtype, name=f"{out.name}_ola_state", state=True)
        inputs.append(st)
    elif kind == "signal_framer":  # state: a FIFO per row
        for key in ("frame_size", "frame_step"):
            attrs[key] = _int(opts, key, label)
        attrs["prefill"] = int(bool(opts.get("prefill", False)))
        x = inputs[0]
        rows = int(np.prod(x.shape[:-1])) if x.shape else 1
        st = (rows, _framer_capacity(attrs) + 1)
        inputs.append(TensorDesc(st, "int16", name=f"{out.name}_framer_state", state=True))
    elif kind == "signal_stacker":  # state: a FIFO and the first-frame flag
        for key in ("num_channels", "stacker_left_context", "stacker_right_context"):
            attrs[key] = _int(opts, key, label)
        attrs["stacker_step"] = _int(opts, "stacker_step", label)
        st = (_stacker_size(attrs) + 2,)
        inputs.append(TensorDesc(st, "int16", name=f"{out.name}_stacker_state", state=True))
    if kind in ("signal_fft_auto_scale", "signal_framer", "signal_stacker"):
        n = int(np.prod(out.shape))  # then the scale bits / the valid flag
        packed = TensorDesc((n + 1,), "int16", name=out.name)
    elif kind == "signal_spectral_subtraction":
        n = int(np.prod(out.shape))
        packed = TensorDesc((2 * n,), "uint32", name=out.name)
    else:
        packed = out
    desc = OpDesc(kind, inputs, packed, attrs, name=label)
    reason = signal_reason(desc, outputs)
    if reason is not None:
        raise LwaiError("model", f"{label}: {reason}")
    from lwai.frontend.stateful import direct_call

    call = direct_call(conv, desc, act)
    if kind == "signal_fft_auto_scale":
        n = int(np.prod(out.shape))
        frame = relax.op.reshape(relax.op.strided_slice(call, [0], [0], [n]), list(out.shape))
        bits = relax.op.strided_slice(call, [0], [n], [n + 1])
        bits = relax.op.astype(relax.op.reshape(bits, list(outputs[1].shape)), "int32")
        return _bind_outputs(conv, outs, [frame, bits])
    if kind in ("signal_framer", "signal_stacker"):
        n = int(np.prod(out.shape))
        frames = relax.op.reshape(relax.op.strided_slice(call, [0], [0], [n]), list(out.shape))
        flag = relax.op.strided_slice(call, [0], [n], [n + 1])
        flag = relax.op.astype(relax.op.reshape(flag, list(outputs[1].shape)), "int32")
        # 0/1 -> bool by a table lookup (an exact move; a cast from int16 to bool is not
        # one by lwai.passes.exactness's rule)
        table = relax.const(np.array([False, True]), "bool")
        valid = relax.op.take(table, flag, axis=0, mode="clip")
        return _bind_outputs(conv, outs, [frames, valid])
    if kind == "signal_spectral_subtraction":
        n = int(np.prod(out.shape))
        first = relax.op.reshape(relax.op.strided_slice(call, [0], [0], [n]), list(out.shape))
        noise = relax.op.strided_slice(call, [0], [n], [2 * n])
        return _bind_outputs(conv, outs, [first, relax.op.reshape(noise, list(outputs[1].shape))])
    return call


def _bind_outputs(conv, outs: list[int], exprs: list[relax.Expr]) -> None:
    """Binds each output of a two-output op to its own variable and records it for the
    TFLite tensor (the converter loop then has nothing left to do: None). No Relax tuple:
    TVM's fusion failed to lower many consumers of one tuple's items (a CAST of each
    SpectralSubtraction output, concatenated: "buffer_idx == buffers.size()")."""
    from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

    for index, expr in zip(outs, exprs):
        var = conv.bb.emit(expr)
        conv.exp_tab.set_expr(tvm_tflite.get_tensor_name(conv.subgraph, index), var)


def signal_reason(op: OpDesc, outputs: list[TensorDesc] | None = None) -> str | None:
    """None when the signal kernel computes ``op`` as TFLM does, else why not."""
    kernel = _kernel(op)
    if kernel is None:
        return f"{op.inputs[0].dtype} input"
    in_dts, out_dt = _SIGNATURES[kernel]
    dts = [t.dtype for t in op.inputs]
    if dts != in_dts or op.output.dtype != out_dt:
        return f"operand types {dts} -> {op.output.dtype} (the kernel takes {in_dts} -> {out_dt})"
    x, out, a = op.inputs[0], op.output, op.attrs
    n = int(np.prod(x.shape))
    m = int(np.prod(out.shape))
    if n < 1:
        return "empty input"
    if op.kind == "signal_window":
        w = int(np.prod(op.inputs[1].shape))
        if len(op.inputs[1].shape) != 1 or not x.shape or x.shape[-1] != w or m != n:
            return "window length differs from the input's last dimension"
        if not 0 <= a["shift"] <= 31:
            return f"shift {a['shift']}"
    elif op.kind == "signal_fft_auto_scale":
        if len(x.shape) != 1 or m != n + 1:
            return "input of rank other than 1"
        if outputs is not None and (outputs[1].shape != () or outputs[1].dtype != "int32"):
            return "scale output not an int32 scalar"
    elif op.kind == "signal_rfft" and a.get("inverse"):
        fft = a["fft_length"]
        if not x.shape or x.shape[-1] != fft + 2 or not out.shape or out.shape[-1] != fft:
            return "input last dim not fft_length + 2 or output last dim not fft_length"
        if m != n // (fft + 2) * fft or len(out.shape) != len(x.shape):
            return "output rows differ from input rows"
    elif op.kind == "signal_rfft":
        fft = a["fft_length"]
        if not x.shape or x.shape[-1] > fft or not out.shape or out.shape[-1] != fft + 2:
            return "input longer than fft_length or output last dim not fft_length + 2"
        if m != n // x.shape[-1] * (fft + 2) or len(out.shape) != len(x.shape):
            return "output rows differ from input rows"
    elif op.kind == "signal_energy":
        if len(x.shape) != 1 or n % 2 or m != n // 2:
            return "input not 1-D complex or output not one bin per complex value"
        if not 0 <= a["start_index"] <= a["end_index"] <= m:
            return f"bins [{a['start_index']}, {a['end_index']}) outside [0, {m})"
    elif op.kind == "signal_filter_bank":
        c = a["num_channels"]
        tabs = op.inputs[1:]
        if any(t.data is None for t in tabs):
            return "filter tables not constant"
        if m != c or any(t.data.size < c + 1 for t in tabs[2:]) or tabs[0].shape != tabs[1].shape:
            return "table sizes do not match num_channels"
        nw = tabs[0].data.size
        for f, w, width in zip(tabs[2].data[: c + 1], tabs[3].data[: c + 1], tabs[4].data[: c + 1]):
            if width > 0 and (f < 0 or w < 0 or f + width > n or w + width > nw):
                return "a channel's band lies outside the spectrum or the weights"
    elif op.kind == "signal_filter_bank_sqrt":
        if m != n or int(np.prod(op.inputs[1].shape)) != 1:
            return "output size or scale_bits shape"
    elif op.kind == "signal_spectral_subtraction":
        if m != 2 * n or a["num_channels"] != n:
            return "num_channels differs from the input size"
        if not (0 <= a["smoothing_bits"] <= 31 and 0 <= a["spectral_subtraction_bits"] <= 63):
            return "smoothing_bits or spectral_subtraction_bits out of range"
        for key in (
            "smoothing",
            "one_minus_smoothing",
            "alternate_smoothing",
            "alternate_one_minus_smoothing",
            "min_signal_remaining",
        ):
            if not 0 <= a[key] <= 2**31 - 1:
                return f"{key} {a[key]}"
        if outputs is not None and int(np.prod(outputs[1].shape)) != n:
            return "noise estimate output size"
    elif op.kind == "signal_filter_bank_log":
        if m != n or not 0 <= a["input_correction_bits"] <= 31:
            return "output size or input_correction_bits"
        if not 0 <= a["output_scale"] <= 2**31 - 1:
            return f"output_scale {a['output_scale']}"
    elif op.kind == "signal_delay":
        if m != n or not x.shape or not 0 <= a["delay_length"] <= 65535:
            return "output size differs from the input, or delay_length out of range"
    elif op.kind == "signal_overlap_add":
        step, size = a["frame_step"], x.shape[-1] if x.shape else 0
        if len(x.shape) < 2 or not 1 <= step <= size:
            return f"frame_step {step} not in [1, frame size {size}]"
        if tuple(out.shape) != (*x.shape[:-2], x.shape[-2] * step):
            return "output shape is not [..., n_frames * frame_step]"
    elif op.kind == "signal_framer":
        fs, step = a["frame_size"], a["frame_step"]
        if not x.shape or not (1 <= step <= 16384 and 1 <= fs <= 16384):
            return f"frame_size {fs} / frame_step {step} out of [1, 16384]"
        if x.shape[-1] % step or (a["prefill"] and fs < step):
            return "input's last dim not a multiple of frame_step (or prefill with step > size)"
        frames = x.shape[-1] // step
        if outputs is not None and (
            tuple(outputs[0].shape) != (*x.shape[:-1], frames, fs)
            or outputs[1].shape != ()
            or outputs[1].dtype != "bool"
        ):
            return "outputs not [..., frames, frame_size] int16 and a bool scalar"
    elif op.kind == "signal_stacker":
        c, lc, rc, st = (
            a["num_channels"],
            a["stacker_left_context"],
            a["stacker_right_context"],
            a["stacker_step"],
        )
        if len(x.shape) != 1 or n != c or c < 1 or lc < 0 or rc < 0 or not 1 <= st <= lc + rc + 1:
            return "input not [num_channels] or stacker_step not in [1, left + right + 1]"
        if _stacker_size(a) > 16384 or m != _stacker_size(a) + 1:
            return "output not num_channels * (left + right + 1) (at most 16384)"
        if outputs is not None and (outputs[1].shape != () or outputs[1].dtype != "bool"):
            return "valid output not a bool scalar"
    elif op.kind == "signal_pcan":
        if m != n or int(np.prod(op.inputs[1].shape)) != n:
            return "noise estimate or output size differs from the input"
        if int(np.prod(op.inputs[2].shape)) < PCAN_LUT_MIN:
            return f"gain LUT of fewer than {PCAN_LUT_MIN} entries"
        if not 0 <= a["snr_shift"] <= 63:
            return f"snr_shift {a['snr_shift']}"
    return None


def plan(op: OpDesc):
    """The KernelPlan of a signal op (lwai.codegen.kernels.plan_kernel)."""
    from lwai.codegen.kernels import KernelPlan, Operand

    kernel = _kernel(op)
    fields = {k: int(v) for k, v in op.attrs.items() if k not in ("direct", "inverse")}
    if kernel.startswith("signal_overlap_add"):  # input (rows, 1, n_frames, frame_size)
        x = op.inputs[0]
        rows = int(np.prod(x.shape[:-2]))
        fs, nf, o = int(x.shape[-1]), int(x.shape[-2]), op.output
        operands = [
            Operand("in", 0, x.dtype, (rows, 1, nf, fs), "in0"),
            Operand("in", 1, x.dtype, (1, 1, rows, fs), "state"),
            Operand("out", -1, o.dtype, (1, 1, rows, int(np.prod(o.shape)) // max(rows, 1))),
        ]
        return KernelPlan(kernel, "lwai_signal_params", fields, operands)
    operands = []
    for i, t in enumerate(op.inputs):
        n = int(np.prod(t.shape)) if t.shape else 1
        last = int(t.shape[-1]) if t.shape else 1
        d = (1, 1, n // last, last)
        operands.append(Operand("in", i, t.dtype, d, "state" if t.state else f"in{i}"))
    o = op.output
    n = int(np.prod(o.shape)) if o.shape else 1
    last = int(o.shape[-1]) if o.shape else 1
    operands.append(Operand("out", -1, o.dtype, (1, 1, n // last, last)))
    return KernelPlan(kernel, "lwai_signal_params", fields, operands)


def state_size(plan) -> int:
    """Bytes of a signal kernel's state: the twin of lwai_<kernel>_get_state_size."""
    d = plan.operands[0].dims
    if plan.kernel == "signal_spectral_subtraction_u32":  # the noise estimate
        return d[0] * d[1] * d[2] * d[3] * 4
    if plan.kernel == "signal_delay_s16":  # delay_length (>= 1) samples per row
        return d[0] * d[1] * d[2] * max(int(plan.fields["delay_length"]), 1) * 2
    if plan.kernel.startswith("signal_overlap_add"):  # frame_size samples per row
        return d[0] * d[1] * d[3] * (2 if plan.kernel.endswith("s16") else 4)
    if plan.kernel == "signal_framer_s16":  # the FIFO + its fill per row
        return d[0] * d[1] * d[2] * (_framer_capacity(plan.fields) + 1) * 2
    if plan.kernel == "signal_stacker_s16":  # the FIFO, its fill and the first-frame flag
        return (_stacker_size(plan.fields) + 2) * 2
    raise ValueError(f"{plan.kernel} has no state")


def _framer_capacity(a: dict) -> int:
    """TFLM's Framer FIFO: frame_size rounded up to a multiple of frame_step."""
    step = max(int(a["frame_step"]), 1)
    return (int(a["frame_size"]) + step - 1) // step * step


def _stacker_size(a: dict) -> int:
    return int(a["num_channels"]) * (
        int(a["stacker_left_context"]) + int(a["stacker_right_context"]) + 1
    )


# ---- kissfft v130 (as TFLM builds it): factor plan and twiddles ------------------------------


def _factors(fft_length: int) -> list[int] | None:
    """kf_factor of the half length (4s, 2s, 3s, 5s, then larger primes), None where TFLM's
    build cannot run it (odd or < 4, or a factor above 5: kissfft's generic butterfly has no
    allocator there)."""
    if fft_length < 4 or fft_length % 2 or fft_length > 65536:
        return None
    n = n0 = fft_length // 2
    floor_sqrt = math.floor(math.sqrt(n0))
    p, out = 4, []
    while True:
        while n % p:
            p = {4: 2, 2: 3}.get(p, p + 2)
            if p > floor_sqrt:
                p = n
        if p > 5:
            return None
        n //= p
        out.append(p)
        if n <= 1:
            return out


def _twiddle_count(fft_length: int) -> int:
    ncfft = fft_length // 2
    return 2 * (ncfft + ncfft // 2)


def twiddles(fft_length: int, dtype: str, inverse: bool = False) -> np.ndarray:
    """kiss_fft_alloc's twiddles of the half-length FFT, then kiss_fftr_alloc's split
    twiddles, interleaved (re, im), in ``dtype`` (fixed point: floor(0.5 + max * cos));
    ``inverse``: kissfft's phases negated."""
    ncfft = fft_length // 2
    sign = -1.0 if inverse else 1.0
    pi = 3.141592653589793238462643383279502884197169399375105820974944
    phases = [(-2 * pi * i / ncfft) * sign for i in range(ncfft)]
    pi2 = 3.14159265358979323846264338327
    phases += [(-pi2 * ((i + 1) / ncfft + 0.5)) * sign for i in range(ncfft // 2)]
    vals = []
    for ph in phases:
        vals += [math.cos(ph), math.sin(ph)]
    if dtype == "float32":
        return np.asarray(vals, dtype=np.float32)
    samp_max = 32767 if dtype == "int16" else 2147483647
    return np.asarray([math.floor(0.5 + samp_max * v) for v in vals], dtype=dtype)
