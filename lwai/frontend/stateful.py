"""Stateful TFLite operators TVM's importer refuses (SVDF), converted by lwai itself.

The converter reads the operator straight from the TFLite tensors into an
:class:`~lwai.ops.OpDesc` (weights as constants, the variable tensor as a ``state``
input) and emits ``R.call_dps_packed("lwai_direct_<n>", (activation inputs...))`` into
Relax; :mod:`lwai.passes.offload` turns it into an ordinary lwai step. The OpDesc waits in
a process-wide table under that unique name (Relax cannot carry Python objects), so nothing
between import and offload needs to know about it. Design: runtime/README.md (state).
"""

from __future__ import annotations

import itertools

import numpy as np
from tflite.TensorType import TensorType
from tvm import relax

from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

DIRECT_PREFIX = "lwai_direct_"
_DIRECT: dict[str, OpDesc] = {}
_COUNTER = itertools.count()
_NP = {
    TensorType.INT8: "int8",
    TensorType.INT16: "int16",
    TensorType.INT32: "int32",
    TensorType.FLOAT32: "float32",
    TensorType.UINT8: "uint8",  # REVERSE_V2 / BROADCAST_TO uint8 (lwai/frontend/data_movement.py)
}
_ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}


def direct_op(name: str) -> OpDesc | None:
    """The OpDesc an extern call ``name`` stands for, None for other externs."""
    return _DIRECT.get(name)


def direct_call(
    conv, desc: OpDesc, tensor_indices: list[int], exprs: list[relax.Expr] | None = None
) -> relax.Expr:
    """Registers ``desc`` and returns its extern call for the converter to bind. The call's
    arguments are the TFLite tensors ``tensor_indices``: exactly the OpDesc inputs that are
    neither constant nor state, in the OpDesc's order (lwai.passes.offload relies on it).
    ``exprs`` instead gives those arguments as Relax expressions (e.g. an earlier
    direct_call's result, when one TFLite op becomes two lwai steps)."""
    activations = [t for t in desc.inputs if not t.is_const and not t.state]
    given = tensor_indices if exprs is None else exprs
    if len(activations) != len(given):
        raise ValueError(f"{desc.name}: {len(given)} arguments for {len(activations)}")
    name = f"{DIRECT_PREFIX}{next(_COUNTER)}"
    desc.attrs["direct"] = True  # no TVM fallback: the compile checks the config for it
    _DIRECT[name] = desc
    if exprs is None:
        args = [conv.get_tensor_expr(w) for w in conv.get_tensors(tensor_indices)]
    else:
        args = list(exprs)
    types = [relax.TensorType(list(o.shape), o.dtype) for o in desc.outputs]
    # several outputs (SPLIT, UNPACK): a tuple the converter's caller indexes per output
    return relax.call_dps_packed(
        name, relax.Tuple(args), out_ty=types if len(types) > 1 else types[0]
    )


def tensor_desc(model, subgraph, index: int) -> TensorDesc:
    """One TFLite tensor as a TensorDesc: dtype, shape, quantization, constant data."""
    t = subgraph.Tensors(index)
    dtype = _NP.get(t.Type())
    name = (t.Name() or b"").decode(errors="replace")
    if dtype is None:
        raise LwaiError("model", f"tensor '{name}' has a type lwai's SVDF does not take")
    return desc_of_tensor(model, t, dtype, name)


def desc_of_tensor(model, t, dtype: str, name: str) -> TensorDesc:
    """TFLite tensor ``t`` (its dtype already mapped to a numpy name) as a TensorDesc: shape,
    quantization and constant data (little-endian in the flatbuffer)."""
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    desc = TensorDesc(shape=shape, dtype=dtype, name=name)
    q = t.Quantization()
    if q is not None and q.ScaleLength() > 0:
        desc.scale = [float(s) for s in q.ScaleAsNumpy()]
        zps = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(len(desc.scale))
        desc.zero_point = [int(z) for z in np.atleast_1d(zps)]
        desc.quant_axis = int(q.QuantizedDimension())
    buf = model.Buffers(t.Buffer())
    if buf is not None and buf.DataLength() > 0:
        raw = buf.DataAsNumpy().tobytes()
        desc.data = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
        desc.data = desc.data.reshape(shape)
    return desc


def convert_svdf(conv, op) -> relax.Expr:
    """SVDF: inputs [input, weights_feature, weights_time, bias?, activation_state]."""
    from tflite.SVDFOptions import SVDFOptions

    model, sg = conv.model, conv.subgraph
    idx = [int(i) for i in op.InputsAsNumpy()]
    if len(idx) != 5:
        raise LwaiError("model", f"SVDF with {len(idx)} inputs (TFLite's has 5)")
    x_i, wf_i, wt_i, b_i, s_i = idx
    if sg.Tensors(s_i).IsVariable() is False:
        raise LwaiError("model", "SVDF's activation state (input 4) is not a variable tensor")
    x = tensor_desc(model, sg, x_i)
    wf, wt = tensor_desc(model, sg, wf_i), tensor_desc(model, sg, wt_i)
    state = tensor_desc(model, sg, s_i)
    state.data, state.state = None, True
    (out_i,) = [int(i) for i in op.OutputsAsNumpy()]
    out = tensor_desc(model, sg, out_i)
    opts = SVDFOptions()
    raw = op.BuiltinOptions()
    rank, act = 1, 0
    if raw is not None:
        opts.Init(raw.Bytes, raw.Pos)
        rank, act = int(opts.Rank()), int(opts.FusedActivationFunction())
    if wf.data is None or wt.data is None:
        raise LwaiError("model", "SVDF with non-constant weights")
    inputs = [x, wf, wt]
    if b_i >= 0:
        bias = tensor_desc(model, sg, b_i)
        if bias.data is None:
            raise LwaiError("model", "SVDF with a non-constant bias")
        inputs.append(bias)
    inputs.append(state)
    attrs = {"rank": rank, "activation": _ACTIVATIONS.get(act, f"#{act}")}
    desc = OpDesc("svdf", inputs, out, attrs, name=f"SVDF '{out.name}'")
    return direct_call(conv, desc, [x_i])


def convert_quantize_int32(conv, op) -> relax.Expr | None:
    """QUANTIZE to int32 (a requantize from int8/int16), which Relax cannot express; None
    for every other QUANTIZE (TVM's converter takes those)."""
    model, sg = conv.model, conv.subgraph
    (in_i,) = [int(i) for i in op.InputsAsNumpy()]
    (out_i,) = [int(i) for i in op.OutputsAsNumpy()]
    if sg.Tensors(out_i).Type() != TensorType.INT32:
        return None
    x, out = tensor_desc(model, sg, in_i), tensor_desc(model, sg, out_i)
    out_q = out.scale, out.zero_point
    attrs = {"act_min": -(2**31), "act_max": 2**31 - 1}
    desc = OpDesc("quantize", [x], out, attrs, name=f"QUANTIZE '{out.name}'")
    if not all(out_q):
        raise LwaiError("model", f"QUANTIZE to int32 '{out.name}' without quantization")
    return direct_call(conv, desc, [in_i])
