"""Checks an ONNX model before ONNX's checker and TVM read it.

ONNX's checker reports a dangling input as a multi-line dump of the node, accepts weights
whose data does not match their dims, and says nothing about quantization scales; TVM's
converters then index past the data, divide by a zero stride or build a tensor of 2^40
elements. This module checks what lwai needs, in a fixed order, and raises one
``LwaiError`` naming the initializer, input, node or index and the limit:

- the opset: the default domain imported at a version ONNX knows;
- the graph: nodes and outputs present;
- initializers: a supported element type, dims >= 0, at most 2^31 - 1 bytes, inline data
  whose length matches the dims, integer values inside their type's range;
- real graph inputs: dims not negative and their size within the limit;
- data flow: every node input produced before use (a cycle named as such), one producer per
  value, graph outputs produced;
- quantization: Quantize/DequantizeLinear scales finite and > 0, zero points in range;
- convolution and pooling attributes: strides, dilations, kernel sizes and group >= 1,
  pads >= 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto

from lwai.errors import LwaiError
from lwai.frontend.validate_tflite import MAX_TENSOR_BYTES

_DEFAULT_DOMAINS = ("", "ai.onnx")
_UNSUPPORTED = {
    TensorProto.UNDEFINED,
    TensorProto.STRING,
    TensorProto.COMPLEX64,
    TensorProto.COMPLEX128,
    TensorProto.INT4,
    TensorProto.UINT4,
}
# Types ONNX stores in int32_data, with the range their values must stay in.
_INT32_STORED = {
    TensorProto.INT8: (-(2**7), 2**7 - 1),
    TensorProto.UINT8: (0, 2**8 - 1),
    TensorProto.INT16: (-(2**15), 2**15 - 1),
    TensorProto.UINT16: (0, 2**16 - 1),
    TensorProto.BOOL: (0, 1),
}
_QUANT_OPS = ("QuantizeLinear", "DequantizeLinear")
_WINDOW_OPS = ("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "ConvInteger")


def _name(s: str, limit: int = 60) -> str:
    s = "".join(c if c.isprintable() else "?" for c in s)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _type_name(t: int) -> str:
    try:
        return TensorProto.DataType.Name(t)
    except ValueError:
        return str(t)


def _itemsize(t: int) -> int | None:
    try:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(t)).itemsize
    except (KeyError, TypeError, ValueError):
        return None


def validate_onnx(path: Path, model: onnx.ModelProto) -> None:
    """Raises LwaiError for the first problem of ``model``; None if lwai can go on."""
    path = Path(path)
    _check_text(path, model.graph, "graph")
    _check_opset(path, model)
    g = model.graph
    gname = _name(g.name or path.stem)
    if not g.node:
        raise LwaiError(path, f"graph '{gname}' has no nodes")
    if not g.output:
        raise LwaiError(path, f"graph '{gname}' has no outputs")
    inits = {}
    for init in g.initializer:
        _check_initializer(path, init)
        inits[init.name] = init
    for vi in g.input:
        if vi.name not in inits:
            _check_input(path, vi)
    _check_flow(path, g, inits)
    for i, node in enumerate(g.node):
        label = f"node {i}" + (f" '{_name(node.name)}'" if node.name else "") + f" ({node.op_type})"
        if node.domain in _DEFAULT_DOMAINS and node.op_type in _QUANT_OPS:
            _check_quant(path, label, node, inits)
        if node.domain in _DEFAULT_DOMAINS and node.op_type in _WINDOW_OPS:
            _check_window(path, label, node)
        for attr in node.attribute:  # Constant's value, ConstantOfShape's value, ...
            if attr.type == onnx.AttributeProto.TENSOR:
                _check_initializer(path, attr.t, f"{label} attribute '{_name(attr.name)}'")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_text(value) -> bool:
    # Protobuf hands out invalid UTF-8 in a string field as bytes.
    return isinstance(value, str) and value.isprintable()


def _check_text(path: Path, g: onnx.GraphProto, where: str) -> None:
    """Names lwai and ONNX's checker put into messages must be printable UTF-8 text (a
    newline in an op type would split the error line; invalid UTF-8 makes the checker's
    own message undecodable)."""

    def need(value, what: str) -> None:
        if not _is_text(value):
            raise LwaiError(path, f"{what} {_shown(value)} is not printable UTF-8 text")

    if g.name:
        need(g.name, f"the name of {where}")
    for kind, values in (
        ("initializer", g.initializer),
        ("input", g.input),
        ("output", g.output),
        ("value_info", g.value_info),
    ):
        for i, v in enumerate(values):
            if v.name:
                need(v.name, f"{where} {kind} {i} name")
    for i, node in enumerate(g.node):
        label = f"{where} node {i}"
        need(node.op_type, f"{label} op type")
        for field in ("name", "domain"):
            value = getattr(node, field)
            if value:
                need(value, f"{label} {field}")
        for j, name in enumerate(list(node.input) + list(node.output)):
            if name:
                need(name, f"{label} value name")
        for attr in node.attribute:
            need(attr.name, f"{label} attribute name")
            if attr.type == onnx.AttributeProto.GRAPH:
                _check_text(path, attr.g, f"{label} subgraph")
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    _check_text(path, sub, f"{label} subgraph")


def _check_opset(path: Path, model: onnx.ModelProto) -> None:
    newest = onnx.defs.onnx_opset_version()
    versions = [o.version for o in model.opset_import if o.domain in _DEFAULT_DOMAINS]
    if not versions and any(n.domain in _DEFAULT_DOMAINS for n in model.graph.node):
        raise LwaiError(path, "the model imports no version of the default ONNX opset")
    for v in versions:
        if not 1 <= v <= newest:
            raise LwaiError(
                path, f"the model imports ONNX opset {v}; lwai reads opsets 1 to {newest}"
            )


def _check_initializer(path: Path, t: TensorProto, label: str = "") -> None:
    label = label or f"initializer '{_name(t.name)}'"
    if t.data_type in _UNSUPPORTED or _itemsize(t.data_type) is None:
        raise LwaiError(
            path, f"{label} has element type {_type_name(t.data_type)}, which lwai does not support"
        )
    for j, d in enumerate(t.dims):
        if d < 0:
            raise LwaiError(path, f"{label} has dimension {j} of size {d}")
    count = math.prod(t.dims)
    nbytes = count * _itemsize(t.data_type)
    if nbytes > MAX_TENSOR_BYTES:
        raise LwaiError(
            path,
            f"{label} of shape {list(t.dims)} {_type_name(t.data_type)} is {nbytes} bytes, "
            f"over lwai's limit of {MAX_TENSOR_BYTES} bytes per tensor",
        )
    if t.data_location == TensorProto.EXTERNAL or t.external_data:
        raise LwaiError(
            path, f"{label} keeps its data in an external file; lwai reads self-contained models"
        )
    if t.HasField("raw_data"):
        if len(t.raw_data) != nbytes:
            raise LwaiError(
                path,
                f"{label} has {len(t.raw_data)} bytes of data; shape {list(t.dims)} "
                f"{_type_name(t.data_type)} needs {nbytes}",
            )
        return
    typed = max(
        len(t.float_data),
        len(t.int32_data),
        len(t.int64_data),
        len(t.double_data),
        len(t.uint64_data),
    )
    if typed != count:
        raise LwaiError(path, f"{label} has {typed} values; shape {list(t.dims)} needs {count}")
    rng = _INT32_STORED.get(t.data_type)
    if rng:
        for k, v in enumerate(t.int32_data):
            if not rng[0] <= v <= rng[1]:
                raise LwaiError(
                    path,
                    f"{label} holds {v} at index {k}, outside the "
                    f"{_type_name(t.data_type).lower()} range [{rng[0]}, {rng[1]}]",
                )


def _check_input(path: Path, vi: onnx.ValueInfoProto) -> None:
    if not vi.type.HasField("tensor_type"):
        return  # graph_inputs() reports it
    tt = vi.type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
    for j, d in enumerate(dims):
        if d is not None and d < 0:
            raise LwaiError(path, f"input '{_name(vi.name)}' has dimension {j} of size {d}")
    size = _itemsize(tt.elem_type)
    if size and all(d is not None for d in dims):
        nbytes = math.prod(dims) * size
        if nbytes > MAX_TENSOR_BYTES:
            raise LwaiError(
                path,
                f"input '{_name(vi.name)}' of shape {dims} {_type_name(tt.elem_type)} is "
                f"{nbytes} bytes, over lwai's limit of {MAX_TENSOR_BYTES} bytes per tensor",
            )


def _check_flow(path: Path, g: onnx.GraphProto, inits: dict) -> None:
    available = {vi.name for vi in g.input} | set(inits)
    producer: dict[str, int] = {}
    for i, node in enumerate(g.node):
        for out in node.output:
            if not out:
                continue
            if out in producer:
                raise LwaiError(
                    path,
                    f"value '{_name(out)}' is produced by node {producer[out]} and node {i}",
                )
            if out in available:
                raise LwaiError(
                    path, f"node {i} ({node.op_type}) overwrites '{_name(out)}', a graph input"
                )
            producer[out] = i
    cycle = _find_cycle(g, producer)
    if cycle:
        raise LwaiError(path, "the nodes form a cycle: " + " -> ".join(f"node {i}" for i in cycle))
    for i, node in enumerate(g.node):
        for name in node.input:
            if not name or name in available:
                continue
            p = producer.get(name)
            if p is None:
                raise LwaiError(
                    path,
                    f"node {i} ({node.op_type}) reads '{_name(name)}', which is not a graph "
                    "input, not an initializer and not produced by any node",
                )
            if p > i:
                raise LwaiError(
                    path,
                    f"node {i} ({node.op_type}) reads '{_name(name)}' before node {p} produces "
                    "it (nodes must be sorted topologically)",
                )
    for j, out in enumerate(g.output):
        if not out.name:
            raise LwaiError(path, f"graph output {j} has no name")
        if out.name not in producer and out.name not in available:
            raise LwaiError(path, f"graph output '{_name(out.name)}' is not produced by any node")


def _find_cycle(g: onnx.GraphProto, producer: dict[str, int]) -> list[int] | None:
    deps = [sorted({producer[n] for n in node.input if n in producer}) for node in g.node]
    state = [0] * len(deps)
    for root in range(len(deps)):
        if state[root]:
            continue
        stack, trail = [(root, iter(deps[root]))], [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                trail.pop()
            elif state[nxt] == 1:
                loop = list(reversed(trail[trail.index(nxt) :]))
                k = loop.index(min(loop))
                loop = loop[k:] + loop[:k]
                return loop + [loop[0]]
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
                trail.append(nxt)
    return None


def _check_quant(path: Path, label: str, node: onnx.NodeProto, inits: dict) -> None:
    if len(node.input) > 1 and node.input[1] in inits:
        scale = onnx.numpy_helper.to_array(inits[node.input[1]]).astype(np.float64).ravel()
        for k, s in enumerate(scale):
            if not math.isfinite(s) or s <= 0:
                chan = f" (channel {k})" if scale.size > 1 else ""
                raise LwaiError(
                    path,
                    f"{label}: scale '{_name(node.input[1])}' is {s:g}{chan}; "
                    "scales must be finite and > 0",
                )
    if len(node.input) > 2 and node.input[2] in inits:
        zp = inits[node.input[2]]
        if zp.data_type not in _INT32_STORED and zp.data_type != TensorProto.INT32:
            raise LwaiError(
                path,
                f"{label}: zero point '{_name(node.input[2])}' is "
                f"{_type_name(zp.data_type)}; it must be an integer type",
            )


def _check_window(path: Path, label: str, node: onnx.NodeProto) -> None:
    for attr in node.attribute:
        if attr.name in ("strides", "dilations", "kernel_shape"):
            bad = [v for v in attr.ints if v < 1]
            if bad:
                raise LwaiError(
                    path, f"{label} has {attr.name} {list(attr.ints)}; each must be >= 1"
                )
        elif attr.name == "pads":
            if any(v < 0 for v in attr.ints):
                raise LwaiError(path, f"{label} has pads {list(attr.ints)}; each must be >= 0")
        elif attr.name == "group" and attr.i < 1:
            raise LwaiError(path, f"{label} has group {attr.i}; it must be >= 1")
