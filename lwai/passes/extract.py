"""Read a matched lwai composite (Relax QDQ form) back into an ``OpDesc``.

Both the pattern check (on bindings of ``main``) and the codegen (on the composite
function's body) call ``extract``, so what is checked is exactly what is emitted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from tvm import relax
from tvm.ir.expr import Call, Constant

from lwai.ops import OpDesc, TensorDesc
from lwai.quant import quantize_value


class Unsupported(Exception):
    """The composite matched structurally but lwai's kernels cannot take it."""


Resolve = Callable[[relax.Expr], relax.Expr]


def make_resolver(bindings: Mapping) -> Resolve:
    def resolve(e: relax.Expr) -> relax.Expr:
        while isinstance(e, relax.Var) and e in bindings:
            e = bindings[e]
        return e

    return resolve


def shape_of(e: relax.Expr) -> tuple[int, ...]:
    return tuple(int(d) for d in e.ty.shape)


def dtype_of(e: relax.Expr) -> str:
    return str(e.ty.dtype)


def _const(e: relax.Expr, r: Resolve) -> np.ndarray:
    e = r(e)
    if not isinstance(e, Constant):
        raise Unsupported("expected a constant")
    return e.value.numpy()


def _prim(e: relax.Expr) -> float:
    v = e.value if hasattr(e, "value") else e
    return float(v.value) if hasattr(v, "value") else float(v)


def _call(e: relax.Expr, r: Resolve, op: str | None = None) -> Call:
    e = r(e)
    if not isinstance(e, Call) or (op and getattr(e.op, "name", None) != op):
        raise Unsupported(f"expected {op}")
    return e


def _op_name(e: relax.Expr) -> str:
    return getattr(getattr(e, "op", None), "name", "")


def _qparams(call: Call, r: Resolve) -> tuple[list[float], list[int], int]:
    scale = np.atleast_1d(_const(call.args[1], r)).astype(np.float32)
    zp = np.atleast_1d(_const(call.args[2], r)).astype(np.int64)
    return [float(s) for s in scale], [int(z) for z in zp], int(call.attrs.axis)


def _tensor(e: relax.Expr, r: Resolve, deq: Call | None = None) -> TensorDesc:
    """A graph tensor (activation or constant), with the quantization of ``deq``."""
    inner = r(e)
    data = inner.value.numpy() if isinstance(inner, Constant) else None
    name = e.name if isinstance(e, relax.Var) else ""
    t = TensorDesc(shape=shape_of(e), dtype=dtype_of(e), data=data, name=str(name))
    if deq is not None:
        t.scale, t.zero_point, t.quant_axis = _qparams(deq, r)
    return t


def _weight(e: relax.Expr, r: Resolve) -> tuple[np.ndarray, list[float], list[int], int]:
    """Evaluate a dequantize/reshape/permute_dims chain over a constant in NumPy.

    Returns the integer data in the chain's final layout and its quantization, with the
    per-channel axis followed through the layout ops.
    """
    e = r(e)
    if isinstance(e, Constant):
        return e.value.numpy(), [], [], 0
    name = _op_name(e)
    data, scale, zp, axis = _weight(e.args[0], r)
    if name == "relax.dequantize":
        scale, zp, axis = _qparams(e, r)
        if axis < 0:
            axis += data.ndim
        return data, scale, zp, axis
    if name == "relax.permute_dims":
        axes = list(e.attrs.axes) if e.attrs.axes is not None else None
        axes = [int(a) for a in axes] if axes is not None else list(range(data.ndim))[::-1]
        return data.transpose(axes), scale, zp, axes.index(axis) if axis < data.ndim else 0
    if name == "relax.reshape":
        new_shape = shape_of(e)
        new_axis = 0
        if len(scale) > 1:
            before = int(np.prod(data.shape[:axis]))
            for i, d in enumerate(new_shape):
                if d == data.shape[axis] and int(np.prod(new_shape[:i])) == before:
                    new_axis = i
                    break
            else:
                raise Unsupported("reshape splits the per-channel axis")
        return data.reshape(new_shape), scale, zp, new_axis
    raise Unsupported(f"weight computed by {name}")


def _relayout(data: np.ndarray, axis: int, layout: str, target: str) -> tuple[np.ndarray, int]:
    perm = [layout.index(c) for c in target]
    return data.transpose(perm), perm.index(axis)


def _output(root: relax.Expr, r: Resolve) -> tuple[TensorDesc, int | float, int | float]:
    """The op's output tensor and its activation range from the trailing clip/quantize."""
    root = r(root)
    clip = None
    if _op_name(root) == "relax.clip":
        clip = root
        root = r(root.args[0])
    out = TensorDesc(shape=shape_of(root), dtype=dtype_of(root))
    if _op_name(root) == "relax.quantize":
        out.scale, out.zero_point, out.quant_axis = _qparams(root, r)
    if out.dtype == "float32":
        lo, hi = -np.inf, np.inf
    elif not np.issubdtype(np.dtype(out.dtype), np.integer):
        raise Unsupported(f"{out.dtype} output")  # e.g. a comparison's bool: left to TVM
    else:
        info = np.iinfo(out.dtype)
        lo, hi = int(info.min), int(info.max)
    if clip is not None:
        lo = max(lo, _prim(clip.args[1]))
        hi = min(hi, _prim(clip.args[2]))
        if out.dtype != "float32":
            lo, hi = int(lo), int(hi)
    return out, lo, hi


def _fold_float_activation(act: relax.Expr, out: TensorDesc, attrs: dict) -> None:
    """Narrows act_min/act_max by a float relu/clip applied before the output quantize,
    the way TFLite's CalculateActivationRangeQuantized maps it to integers."""
    name = _op_name(act)
    if name == "relax.nn.relu":
        lo, hi = 0.0, np.inf
    elif name == "relax.clip":
        lo, hi = _prim(act.args[1]), _prim(act.args[2])
    else:
        return
    if not out.scale:
        raise Unsupported("float activation on an unquantized output")
    if np.isfinite(lo):
        attrs["act_min"] = max(
            attrs["act_min"], quantize_value(lo, out.scale[0], out.zero_point[0])
        )
    if np.isfinite(hi):
        attrs["act_max"] = min(
            attrs["act_max"], quantize_value(hi, out.scale[0], out.zero_point[0])
        )


def _pool_attrs(core: Call) -> dict:
    a = core.attrs
    if str(a.layout) != "NHWC" or any(int(d) != 1 for d in a.dilation) or bool(a.ceil_mode):
        raise Unsupported("pool layout/dilation/ceil_mode")
    pad = [int(p) for p in a.padding]
    return {
        "filter": tuple(int(p) for p in a.pool_size),
        "stride": tuple(int(s) for s in a.strides),
        "padding": (pad[0], pad[1], pad[2], pad[3]),
    }


def extract(name: str, ann: Mapping[str, relax.Expr], r: Resolve) -> OpDesc:
    kind = name.split(".", 1)[1]
    root = ann["root"]
    out, lo, hi = _output(root, r)
    attrs: dict = {"act_min": lo, "act_max": hi}
    core = _call(ann["core"], r)

    if kind in ("conv2d", "fully_connected"):
        deq_in = _call(core.args[0], r, "relax.dequantize")
        x = _tensor(ann["input"], r, deq_in)
        wdata, wscale, wzp, waxis = _weight(core.args[1], r)
        if any(z != 0 for z in wzp):
            raise Unsupported("weights with non-zero zero points")
        bias = None
        q = _call(ann["quant"], r)
        add = r(q.args[0])
        if _op_name(add) == "relax.add":
            bias_deq = _call(add.args[1], r, "relax.dequantize")
            bias = TensorDesc(shape=shape_of(add.args[1]), dtype="int32")
            bias.data = _const(bias_deq.args[0], r).astype(np.int32).reshape(-1)
            bias.shape = tuple(bias.data.shape)
        if kind == "conv2d":
            a = core.attrs
            if str(a.data_layout) != "NHWC" or str(a.out_layout) != "NHWC":
                raise Unsupported("conv2d layout other than NHWC")
            layout = str(a.kernel_layout)
            groups, cin = int(a.groups), x.shape[3]
            if groups == 1:
                wdata, waxis = _relayout(wdata, waxis, layout, "OHWI")
            elif groups == cin:
                kind = "depthwise_conv2d"
                # TFLite's depthwise layout [1, KH, KW, Cin * multiplier] is "IHWO" with I = 1.
                wdata, waxis = _relayout(wdata, waxis, layout, "IHWO")
                cout = wdata.shape[3] * wdata.shape[0]
                wdata = wdata.reshape(1, wdata.shape[1], wdata.shape[2], cout)
                waxis = 3
                attrs["depth_multiplier"] = cout // cin
            else:
                raise Unsupported(f"grouped convolution (groups={groups})")
            pad = [int(p) for p in a.padding]
            attrs.update(
                stride=tuple(int(s) for s in a.strides),
                dilation=tuple(int(d) for d in a.dilation),
                padding=(pad[0], pad[1], pad[2], pad[3]),
            )
        else:
            if len(x.shape) != 2 or wdata.ndim != 2:
                raise Unsupported("fully connected on a tensor of rank other than 2")
            wdata, waxis = wdata.T, (1 - waxis if len(wscale) > 1 else 0)
        w = TensorDesc(
            shape=tuple(wdata.shape),
            dtype=str(wdata.dtype),
            data=np.ascontiguousarray(wdata),
            scale=wscale,
            zero_point=wzp,
            quant_axis=waxis,
        )
        inputs = [x, w] + ([bias] if bias is not None else [])
        return OpDesc(kind, inputs, out, attrs)

    if kind in ("add", "mul", "sub"):
        lhs = _tensor(ann["lhs"], r, _call(core.args[0], r, "relax.dequantize"))
        rhs = _tensor(ann["rhs"], r, _call(core.args[1], r, "relax.dequantize"))
        _fold_float_activation(r(_call(ann["quant"], r).args[0]), out, attrs)
        return OpDesc(kind, [lhs, rhs], out, attrs)

    if kind == "hard_swish":
        mul = _call(core.args[0], r, "relax.multiply")
        x = _tensor(ann["input"], r, _call(mul.args[0], r, "relax.dequantize"))
        clip = _call(ann["relu6"], r, "relax.clip")
        three = float(_const(_call(clip.args[0], r, "relax.add").args[1], r))
        six = float(_const(core.args[1], r))
        if (three, six, _prim(clip.args[1]), _prim(clip.args[2])) != (3.0, 6.0, 0.0, 6.0):
            raise Unsupported("not HARD_SWISH's x * relu6(x + 3) / 6")
        return OpDesc(kind, [x], out, attrs)

    if kind in ("logistic", "tanh"):
        x = _tensor(ann["input"], r, _call(core.args[0], r, "relax.dequantize"))
        return OpDesc(kind, [x], out, attrs)

    if kind == "relu":
        x = _tensor(ann["input"], r, _call(core.args[0], r, "relax.dequantize"))
        name = _op_name(core)
        if name == "relax.nn.leakyrelu":
            attrs.update(mode="leaky_relu", alpha=float(core.attrs.alpha))
        elif name == "relax.nn.relu":
            attrs["mode"] = "relu"
        elif (_prim(core.args[1]), _prim(core.args[2])) == (0.0, 6.0):
            attrs["mode"] = "relu6"
        else:
            raise Unsupported("clip other than RELU6's [0, 6]")
        return OpDesc(kind, [x], out, attrs)

    if kind == "softmax":
        arg = r(core.args[0])
        beta = 1.0
        if _op_name(arg) == "relax.multiply":
            beta = float(_const(arg.args[1], r))
            arg = r(arg.args[0])
        x = _tensor(ann["input"], r, _call(arg, r, "relax.dequantize"))
        axis = int(core.attrs.axis)
        if axis not in (-1, len(x.shape) - 1):
            raise Unsupported("softmax over an axis other than the last")
        attrs["beta"] = beta
        return OpDesc(kind, [x], out, attrs)

    if kind in ("avg_pool2d", "max_pool2d"):
        x = _tensor(ann["input"], r)
        attrs.update(_pool_attrs(core))
        if kind == "avg_pool2d" and bool(core.attrs.count_include_pad):
            raise Unsupported("average pool counting padding")
        if x.dtype != out.dtype:
            raise Unsupported("pool changing dtype")
        return OpDesc(kind, [x], out, attrs)

    if kind == "reshape":
        x = _tensor(ann["input"], r)
        out = TensorDesc(shape=shape_of(core), dtype=dtype_of(core))
        return OpDesc(kind, [x], out, {})

    if kind == "quantize":
        arg = r(core.args[0])
        deq = arg if _op_name(arg) == "relax.dequantize" else None
        x = _tensor(ann["input"], r, deq)
        return OpDesc(kind, [x], out, attrs)

    if kind == "dequantize":
        x = _tensor(ann["input"], r, core)
        out = TensorDesc(shape=shape_of(core), dtype=dtype_of(core))
        return OpDesc(kind, [x], out, {})

    raise Unsupported(f"no extractor for {name}")
