"""The compiled graph as data: what `model.lwfb` and `model.json` hold (docs/formats.md).

:func:`build_graph` turns the compiler's schedule and memory plan into the neutral graph
dict that both file writers take; kernel parameters come from the same
:func:`lwai.codegen.kernels.plan_kernel` the C emitter renders, so AOT and graph execution
compute with identical constants. :func:`to_json` / :func:`from_json` are the JSON side;
:mod:`lwai.codegen.lwfb` is the FlatBuffers side.

The neutral dict::

    {"version": 1, "name": str, "arena_bytes": int, "kernels": [str],
     "tensors": [{"name", "dtype", "shape", "quantization": {scale, zero_point, axis} | None,
                  "arena_offset": int | "data": bytes}],
     "nodes": [{"kernel", "inputs", "outputs", "dims": [int] (4 per operand),
                "params": [int], "fparams": [float]}],
     "inputs": [int], "outputs": [int]}
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

import numpy as np

from lwai.codegen.c_text import c_string
from lwai.codegen.kernels import KERNEL_PARAMS, plan_kernel
from lwai.errors import LwaiError

FORMAT_VERSION = 1
GRAPH_MAX_OPERANDS = 16  # runtime/src/graph/graph_internal.h
DTYPES = ("int8", "uint8", "int16", "int32", "float32", "int64", "bool")
TVM_PREFIX = "tvm:"


def _quant(t) -> dict | None:
    if not t.scale:
        return None
    zps = [int(z) for z in t.zero_point]
    if len(zps) == 1 and len(t.scale) > 1:  # one zero point for all channels: spell them out
        zps = zps * len(t.scale)
    return {
        "scale": [float(np.float32(s)) for s in t.scale],
        "zero_point": zps,
        "axis": int(t.quant_axis) if len(t.scale) > 1 and t.quant_axis is not None else -1,
    }


def build_graph(name: str, sched, offsets: dict, arena_bytes: int, tvm_info: dict) -> dict:
    """The graph of a compiled model (see the module doc)."""
    tensors: list[dict] = []
    slot_quant: dict[int, dict] = {}
    for step in sched.steps:  # quantization of activations, as the lwai kernels see it
        if step.kind != "lwai":
            continue
        op = step.op.op
        for t, idx in zip(op.inputs, step.op.arg_index):
            if idx is not None and isinstance(step.args[idx], int) and _quant(t):
                slot_quant.setdefault(step.args[idx], _quant(t))
        for slot, t in zip(step.outs, op.outputs):  # several for SPLIT / UNPACK
            if _quant(t):
                slot_quant.setdefault(slot, _quant(t))
    for i, slot in enumerate(sched.slots):
        tensors.append(
            {
                "name": slot.name,
                "dtype": slot.dtype,
                "shape": [int(d) for d in slot.shape] or [1],
                "quantization": slot_quant.get(i),
                "arena_offset": int(offsets["buffer"][slot.buffer]),
            }
        )

    def const(tname: str, data, dtype: str, shape, quantization=None) -> int:
        arr = np.ascontiguousarray(np.asarray(data).astype(dtype))
        tensors.append(
            {
                "name": tname,
                "dtype": dtype,
                "shape": [int(d) for d in shape] or [1],
                "quantization": quantization,
                "data": arr.astype(arr.dtype.newbyteorder("<")).tobytes(),
            }
        )
        return len(tensors) - 1

    nodes: list[dict] = []
    for slot_i in getattr(sched, "variables", []):  # resource variables: their reset nodes
        nodes.append(_variable_node(sched, slot_i, const))
    for i, step in enumerate(sched.steps):
        if step.kind == "lwai":
            nodes.append(_lwai_node(i, step, const))
        else:
            symbol, ws_bytes = tvm_info[step.tvm_name]
            ins = []
            for j, arg in enumerate(step.args):
                if isinstance(arg, int):
                    ins.append(arg)
                else:
                    ins.append(const(f"op{i}_arg{j}", arg, str(arg.dtype), arg.shape))
            ws = offsets["workspace"].get(i)
            nodes.append(
                {
                    "kernel": TVM_PREFIX + symbol,
                    "inputs": ins,
                    "outputs": [step.out],
                    "dims": [],
                    "params": [int(ws), int(ws_bytes)] if ws is not None else [-1, 0],
                    "fparams": [],
                }
            )
    kernels: list[str] = []
    for n in nodes:
        if n["kernel"] not in kernels:
            kernels.append(n["kernel"])
    return {
        "version": FORMAT_VERSION,
        "name": name,
        "arena_bytes": int(arena_bytes),
        "kernels": kernels,
        "tensors": tensors,
        "nodes": nodes,
        "inputs": list(sched.inputs),
        "outputs": list(sched.outputs),
    }


def executor_refusal(graph: dict) -> str | None:
    """Why the graph executor cannot run this graph, or None. Its per-node operands sit on
    the stack of a Cortex-M (LWAI_GRAPH_MAX_OPERANDS); the AOT code has no such limit."""
    for i, n in enumerate(graph["nodes"]):
        operands = len(n["inputs"]) + len(n["outputs"])
        if operands > GRAPH_MAX_OPERANDS:
            return (
                f"node {i} ({n['kernel']}) has {operands} operands; the graph executor takes "
                f"at most {GRAPH_MAX_OPERANDS} per node (LWAI_GRAPH_MAX_OPERANDS). Compile with "
                "the AOT executor, which has no such limit"
            )
    return None


def _variable_node(sched, slot_i: int, const) -> dict:
    """The ``variable`` node of a resource variable's state slot: nothing at run time, its
    reset copies the init bytes (a constant) into the slot, the node's output."""
    slot = sched.slots[slot_i]
    fill = sched.state[slot_i]
    raw = np.full(slot.nbytes, fill, np.uint8) if isinstance(fill, int) else np.asarray(fill)
    init = np.frombuffer(np.ascontiguousarray(raw, np.uint8).tobytes(), np.dtype(slot.dtype))
    n = int(np.prod(slot.shape, dtype=np.int64))
    k = const(f"{slot.name}_init", init.reshape(slot.shape), slot.dtype, slot.shape)
    return {
        "kernel": "variable",
        "inputs": [k, slot_i],
        "outputs": [slot_i],
        "dims": [1, 1, 1, n] * 3,
        "params": [slot.nbytes],
        "fparams": [],
    }


def _lwai_node(i: int, step, const) -> dict:
    op = step.op.op
    plan = plan_kernel(op)
    ins: list[int] = []
    dims: list[int] = []
    outs: list[int] = []
    for o in plan.operands:
        if o.role == "out":
            continue
        if o.role == "absent":
            ins.append(-1)
        else:
            idx = step.op.arg_index[o.index]
            t = op.inputs[o.index]
            if idx is None:
                ins.append(const(f"op{i}_{o.tag}", t.data, o.dtype, t.shape, _quant(t)))
            else:
                ins.append(step.args[idx])
        dims += _dims_or_flat(o.dims, op.inputs[o.index] if o.role == "in" else None)
    if plan.quant is not None:
        mults, shifts = plan.quant
        n = len(mults)
        ins.append(const(f"op{i}_mult", mults, "int32", [n]))
        ins.append(const(f"op{i}_shift", shifts, "int32", [n]))
        dims += [1, 1, 1, n, 1, 1, 1, n]
    for o in plan.operands:
        if o.role == "out":  # o.index: which output (SPLIT's several); -1 the only one
            outs.append(step.outs[max(o.index, 0)])
            dims += _dims_or_flat(o.dims, op.outputs[max(o.index, 0)])
    params, fparams = plan.params()
    return {
        "kernel": plan.kernel,
        "inputs": ins,
        "outputs": outs,
        "dims": dims,
        "params": params,
        "fparams": fparams,
    }


def _dims_or_flat(d, t) -> list[int]:
    if d is not None:
        return [int(v) for v in d]
    n = int(np.prod(t.shape)) if t is not None else 0
    return [1, 1, 1, n]


# ---- TVM functions for the runtime's registry ----------------------------------------------


def tvm_registry_source(name: str, sched, tvm_info: dict) -> str:
    """C for ``lwai_tvm_kernels_<name>``: the model's TVM functions with the byte size of
    each argument, which the graph executor checks a model file against."""
    seen: dict[str, list[int]] = {}
    for step in sched.steps:
        if step.kind != "tvm":
            continue
        symbol, _ = tvm_info[step.tvm_name]
        sizes = []
        for arg in list(step.args) + [step.out]:
            if isinstance(arg, int):
                sizes.append(sched.slots[arg].nbytes)
            else:
                sizes.append(int(np.asarray(arg).nbytes))
        seen.setdefault(symbol, sizes)
    lines = [
        f"/* Generated by lwai for model '{name}': its TVM functions, for the graph executor's",
        " * kernel registry (lwai_load_options). Do not edit. */",
        "#include <stddef.h>",
        "#include <stdint.h>\n",
        '#include "lwai/graph.h"\n',
    ]
    ws = {sym: b for sym, b in tvm_info.values()}
    for sym, sizes in seen.items():
        lines.append(f"int32_t {sym}(void *self, void *args, int32_t num_args, void *result);")
        lines.append(
            f"static const uint32_t {sym}_arg_bytes[] = {{{', '.join(f'{b}u' for b in sizes)}}};"
        )
    rows = [
        f"    {{{c_string(sym)}, {sym}, {len(sizes)}u, {sym}_arg_bytes, {ws[sym]}u}}"
        for sym, sizes in seen.items()
    ]
    if not rows:
        rows = ["    {NULL, NULL, 0u, NULL, 0u}"]
    lines.append(f"\nconst lwai_tvm_kernel lwai_tvm_kernels_{name}[] = {{")
    lines.append(",\n".join(rows))
    lines.append("};")
    lines.append(f"const size_t lwai_tvm_kernels_{name}_count = {len(seen)}u;")
    return "\n".join(lines) + "\n"


# ---- JSON --------------------------------------------------------------------------------


def to_json(graph: dict) -> str:
    """model.json text: named params, nested dims, base64 constants."""
    tensors = []
    for t in graph["tensors"]:
        out: dict[str, Any] = {"name": t["name"], "dtype": t["dtype"], "shape": t["shape"]}
        if t.get("quantization"):
            out["quantization"] = t["quantization"]
        if "data" in t:
            out["data"] = base64.b64encode(t["data"]).decode("ascii")
        else:
            out["arena_offset"] = t["arena_offset"]
        tensors.append(out)
    nodes = []
    for n in graph["nodes"]:
        out = {"kernel": n["kernel"], "inputs": n["inputs"], "outputs": n["outputs"]}
        if n["kernel"].startswith(TVM_PREFIX):
            out["params"] = n["params"]
        else:
            ints, floats = KERNEL_PARAMS[n["kernel"]]
            out["dims"] = [n["dims"][k : k + 4] for k in range(0, len(n["dims"]), 4)]
            out["params"] = dict(zip(ints, n["params"]))
            if floats:
                out["fparams"] = dict(zip(floats, n["fparams"]))
        nodes.append(out)
    doc = {
        "format": "lwai-graph",
        "version": graph["version"],
        "name": graph["name"],
        "arena_bytes": graph["arena_bytes"],
        "kernels": graph["kernels"],
        "tensors": tensors,
        "nodes": nodes,
        "inputs": graph["inputs"],
        "outputs": graph["outputs"],
    }
    return _dump(doc)


def _dump(doc: dict) -> str:
    """Deterministic JSON, one tensor or node per line so that a model reads like a table."""

    def compact(v) -> str:
        return json.dumps(v, separators=(", ", ": "))

    lines = ["{"]
    items = list(doc.items())
    for k, (key, value) in enumerate(items):
        end = "," if k + 1 < len(items) else ""
        if key in ("tensors", "nodes"):
            lines.append(f"  {json.dumps(key)}: [")
            rows = [f"    {compact(v)}" for v in value]
            lines.append(",\n".join(rows))
            lines.append(f"  ]{end}")
        else:
            lines.append(f"  {json.dumps(key)}: {compact(value)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def from_json(text: str, where: str | Path = "model.json") -> dict:
    """The neutral graph from model.json text; LwaiError naming the bad member."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise LwaiError(where, f"not valid JSON: {err}") from None

    def need(obj, key, kind, path):
        if not isinstance(obj, dict) or key not in obj:
            raise LwaiError(where, f"'{path}' is missing")
        v = obj[key]
        if kind is int and (not isinstance(v, int) or isinstance(v, bool)):
            raise LwaiError(where, f"'{path}' must be an integer, got {v!r}")
        if kind is not int and not isinstance(v, kind):
            raise LwaiError(where, f"'{path}' must be a {kind.__name__}")
        return v

    if need(doc, "format", str, "format") != "lwai-graph":
        raise LwaiError(where, f"'format' is {doc['format']!r}, expected 'lwai-graph'")
    version = need(doc, "version", int, "version")
    if version != FORMAT_VERSION:
        raise LwaiError(where, f"format version {version}; this lwai reads {FORMAT_VERSION}")
    tensors = []
    for i, t in enumerate(need(doc, "tensors", list, "tensors")):
        p = f"tensors[{i}]"
        out: dict[str, Any] = {
            "name": need(t, "name", str, f"{p}.name"),
            "dtype": need(t, "dtype", str, f"{p}.dtype"),
            "shape": [int(d) for d in need(t, "shape", list, f"{p}.shape")],
            "quantization": t.get("quantization"),
        }
        if out["dtype"] not in DTYPES:
            raise LwaiError(where, f"'{p}.dtype' is {out['dtype']!r}; one of {', '.join(DTYPES)}")
        if "data" in t:
            try:
                out["data"] = base64.b64decode(need(t, "data", str, f"{p}.data"), validate=True)
            except binascii.Error as err:
                raise LwaiError(where, f"'{p}.data' is not base64: {err}") from None
        else:
            out["arena_offset"] = need(t, "arena_offset", int, f"{p}.arena_offset")
        tensors.append(out)
    nodes = []
    for i, n in enumerate(need(doc, "nodes", list, "nodes")):
        p = f"nodes[{i}]"
        kernel = need(n, "kernel", str, f"{p}.kernel")
        node = {
            "kernel": kernel,
            "inputs": list(need(n, "inputs", list, f"{p}.inputs")),
            "outputs": list(need(n, "outputs", list, f"{p}.outputs")),
        }
        if kernel.startswith(TVM_PREFIX):
            node.update(dims=[], params=list(need(n, "params", list, f"{p}.params")), fparams=[])
        else:
            if kernel not in KERNEL_PARAMS:
                raise LwaiError(where, f"'{p}.kernel' is {kernel!r}, not an lwai kernel")
            ints, floats = KERNEL_PARAMS[kernel]
            params = need(n, "params", dict, f"{p}.params") if ints else n.get("params", {})
            fparams = need(n, "fparams", dict, f"{p}.fparams") if floats else {}
            if sorted(params) != sorted(ints) or sorted(fparams) != sorted(floats):
                raise LwaiError(where, f"'{p}' params of {kernel} must be {ints + floats}")
            node["dims"] = [int(v) for d in need(n, "dims", list, f"{p}.dims") for v in d]
            node["params"] = [int(params[k]) for k in ints]
            node["fparams"] = [float(fparams[k]) for k in floats]
        nodes.append(node)
    return {
        "version": version,
        "name": need(doc, "name", str, "name"),
        "arena_bytes": need(doc, "arena_bytes", int, "arena_bytes"),
        "kernels": list(need(doc, "kernels", list, "kernels")),
        "tensors": tensors,
        "nodes": nodes,
        "inputs": list(need(doc, "inputs", list, "inputs")),
        "outputs": list(need(doc, "outputs", list, "outputs")),
    }


def read_graph(path: str | Path) -> dict:
    """A graph from a .lwfb or .json file."""
    path = Path(path)
    if not path.is_file():
        raise LwaiError(path, "no such file")
    if path.suffix == ".json":
        return from_json(path.read_text(), path)
    from lwai.codegen.lwfb import from_lwfb

    return from_lwfb(path.read_bytes(), str(path))


def write_graph(graph: dict, path: str | Path) -> None:
    """Writes model.lwfb or model.json by the path's suffix."""
    path = Path(path)
    if path.suffix == ".json":
        path.write_text(to_json(graph))
    elif path.suffix == ".lwfb":
        from lwai.codegen.lwfb import to_lwfb

        path.write_bytes(to_lwfb(graph))
    else:
        raise LwaiError(path, "unknown graph format", "Name the output *.lwfb or *.json.")
