"""TFLite resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE, CALL_ONCE) as
persistent state in lwai's arena plan.

TFLite Micro's semantics (micro_resource_variable.cc, call_once.cc, read/assign_variable.cc):

- A variable is named by VAR_HANDLE's (container, shared_name); every handle with that name
  in any subgraph is the same variable.
- Its buffer is allocated by the first ASSIGN_VARIABLE TFLM prepares (subgraph 0 first, then
  the others in index order) with that value tensor's size, and memset to that tensor's zero
  point cast to int8 (0 without quantization): a READ before any ASSIGN sees that fill.
- ASSIGN_VARIABLE and READ_VARIABLE copy raw bytes (no requantization; TFLM only DCHECKs
  that the sizes agree).
- CALL_ONCE runs its init subgraph on the model's first invocation only.
- reset() memsets every variable back to its default fill and does not run CALL_ONCE again.

lwai: each variable read or written in the main graph is one persistent buffer of the arena
plan (the part SVDF/LSTM state lives in, lwai.passes.plan_memory). Its reset value is what
CALL_ONCE's init subgraph leaves in it, evaluated at compile time (constants, and the few
integer/float ops of lwai.frontend.control_flow's evaluator), else the default fill above.
``lwai_model_init`` and ``lwai_model_reset_state`` write that value, which is TFLM's state
after the first invocation's CALL_ONCE. This differs from TFLM in one place: after TFLM's
reset() a variable holds its default fill (CALL_ONCE does not run again), after lwai's reset
it holds its init value again, so the invocations after a reset repeat those after init.
Why: lwai_model_reset_state promises the state of a freshly initialised model (as for SVDF
and LSTM state), and a model's variables start from the values its init subgraph gives them
(trained initial state), which TFLM's reset() silently replaces by zeros.

In the main graph a READ_VARIABLE before any ASSIGN of that variable copies the buffer into
its output (the ``reshape`` byte-copy kernel, reading the state); later READs in the same
invocation are the assigned value itself; the last value assigned is copied into the buffer
by one write step at the end of the graph (carried to the schedule as a hidden output of the
Relax function, ``lwai_hidden_outputs``, so dead-code elimination keeps it). Refused:
ASSIGN_VARIABLE inside an IF branch or WHILE body, a READ or ASSIGN whose dtype or size
differs from the variable's, a READ of a variable nothing assigns, a variable op before
CALL_ONCE, an init subgraph value lwai cannot compute at compile time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tvm import relax
from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

from lwai.errors import LwaiError
from lwai.ops import OpDesc, TensorDesc

VARIABLE_OPS = ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE")
HIDDEN_ATTR = "lwai_hidden_outputs"


@dataclass
class Variable:
    key: str  # "container/shared_name"
    name: str  # shared_name, for messages
    desc: TensorDesc  # dtype, shape, quantization of the first ASSIGN TFLM prepares
    default: int  # the byte TFLM memsets the buffer to (int8 zero point, else 0)
    init: np.ndarray | None = None  # the value CALL_ONCE's init subgraph leaves

    @property
    def reset(self) -> int | np.ndarray:
        """The reset value: init bytes (uint8), else the default fill byte."""
        if self.init is None:
            return self.default
        return np.frombuffer(
            self.init.astype(self.init.dtype.newbyteorder("<")).tobytes(), np.uint8
        )


@dataclass
class _State:
    variables: dict[str, Variable]
    current: dict[str, relax.Expr] = field(default_factory=dict)  # assigned this invocation
    assigned: list[str] = field(default_factory=list)  # in first-assignment order
    handles: dict[int, dict] = field(default_factory=dict)  # id(subgraph) -> handle -> key
    subgraphs: list = field(default_factory=list)


def _names():
    from tflite.BuiltinOperator import BuiltinOperator

    return {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}


def _op_name(model, o, names) -> str:
    code = model.OperatorCodes(o.OpcodeIndex())
    return names.get(max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode())), "")


def _handle_key(model, o) -> tuple[str, str]:
    from tflite.VarHandleOptions import VarHandleOptions

    raw = o.BuiltinOptions()
    container = name = ""
    if raw is not None:
        opts = VarHandleOptions()
        opts.Init(raw.Bytes, raw.Pos)
        container = (opts.Container() or b"").decode(errors="replace")
        name = (opts.SharedName() or b"").decode(errors="replace")
    # TFLM matches a null container with any: the shared name identifies the variable
    return f"{container}/{name}" if container else name, name


def _dtype(t) -> str | None:
    from lwai.frontend.control_flow import _NP_TYPES

    npt = _NP_TYPES.get(t.Type())
    return None if npt is None else np.dtype(npt).name


def _desc(model, sg, idx: int) -> TensorDesc:
    from lwai.frontend.stateful import desc_of_tensor

    t = sg.Tensors(idx)
    name = (t.Name() or b"").decode(errors="replace")
    dtype = _dtype(t)
    if dtype is None:
        raise LwaiError("model", f"resource variable value '{name}' has a type lwai cannot hold")
    return desc_of_tensor(model, t, dtype, name)


def scan(model) -> dict[str, Variable]:
    """Every variable some ASSIGN_VARIABLE writes, its dtype, shape and reset value."""
    from lwai.frontend.control_flow import _const_value

    names = _names()
    variables: dict[str, Variable] = {}
    handles: dict[tuple[int, int], tuple[str, str]] = {}
    inits: list[int] = []
    first_var_op = None
    for k in range(model.SubgraphsLength()):
        sg = model.Subgraphs(k)
        for i in range(sg.OperatorsLength()):
            o = sg.Operators(i)
            op = _op_name(model, o, names)
            ins = [int(t) for t in o.InputsAsNumpy()]
            outs = [int(t) for t in o.OutputsAsNumpy()]
            if op == "VAR_HANDLE" and outs:
                handles[(k, outs[0])] = _handle_key(model, o)
            elif op == "CALL_ONCE" and k == 0:
                from tflite.CallOnceOptions import CallOnceOptions

                if first_var_op is not None:
                    raise LwaiError(
                        "model",
                        f"CALL_ONCE (operator {i}) after {first_var_op}; lwai applies the "
                        "init subgraph's values at init and reset, before the graph runs",
                    )
                opts = CallOnceOptions()
                raw = o.BuiltinOptions()
                if raw is None:
                    raise LwaiError("model", f"CALL_ONCE (operator {i}) without options")
                opts.Init(raw.Bytes, raw.Pos)
                init = int(opts.InitSubgraphIndex())
                if not 0 < init < model.SubgraphsLength():
                    raise LwaiError("model", f"CALL_ONCE (operator {i}): no subgraph {init}")
                inits.append(init)
            elif op in ("READ_VARIABLE", "ASSIGN_VARIABLE"):
                if k == 0 and first_var_op is None:
                    first_var_op = f"{op} (operator {i})"
                if op == "ASSIGN_VARIABLE" and len(ins) == 2:
                    key = handles.get((k, ins[0]))
                    if key is None:
                        raise LwaiError(
                            "model",
                            f"ASSIGN_VARIABLE (subgraph {k}, operator {i}): its handle is no "
                            "VAR_HANDLE output of the same subgraph",
                        )
                    if key[0] not in variables and ins[1] >= 0:
                        desc = _desc(model, sg, ins[1])
                        zp = desc.zero_point[0] if desc.zero_point else 0
                        default = int(np.int8(np.int64(zp).astype(np.int8))) & 0xFF
                        desc = TensorDesc(
                            desc.shape,
                            desc.dtype,
                            desc.scale,
                            desc.zero_point,
                            name=f"var_{key[1]}",
                        )
                        variables[key[0]] = Variable(key[0], key[1], desc, default)
    for init in inits:
        _run_init(model, init, variables, names, _const_value)
    return variables


def _run_init(model, k: int, variables: dict[str, Variable], names, const_value) -> None:
    """Evaluates init subgraph ``k`` at compile time: each ASSIGN_VARIABLE's value must
    follow from constants (lwai.frontend.control_flow's evaluator ops)."""
    from lwai.frontend.control_flow import _NP_OPS, _NP_TYPES, _SHAPE_OPS, _activation

    sg = model.Subgraphs(k)
    env: dict[int, np.ndarray] = {}
    handles: dict[int, str] = {}
    for i in range(sg.OperatorsLength()):
        o = sg.Operators(i)
        op = _op_name(model, o, names)
        ins = [int(t) for t in o.InputsAsNumpy()]
        outs = [int(t) for t in o.OutputsAsNumpy()]
        args = [env[t] if t in env else const_value(model, sg, t) for t in ins]
        where = f"CALL_ONCE init subgraph {k}, {op} (operator {i})"
        if op == "VAR_HANDLE":
            handles[outs[0]] = _handle_key(model, o)[0]
        elif op == "CALL_ONCE":
            raise LwaiError("model", f"{where}: a CALL_ONCE inside an init subgraph")
        elif op in ("ASSIGN_VARIABLE", "READ_VARIABLE"):
            var = variables.get(handles.get(ins[0], ""))
            if var is None:
                raise LwaiError("model", f"{where}: a variable no ASSIGN_VARIABLE sizes")
            if op == "READ_VARIABLE":
                if var.init is not None:
                    env[outs[0]] = var.init
                else:
                    fill = np.full(var.desc.nbytes, var.default, np.uint8).tobytes()
                    env[outs[0]] = np.frombuffer(fill, var.desc.dtype).reshape(var.desc.shape)
                continue
            value = args[1]
            if value is None:
                raise LwaiError(
                    "model",
                    f"{where}: variable '{var.name}' gets a value lwai cannot compute at "
                    "compile time (lwai applies the init values at init and reset)",
                )
            t = sg.Tensors(ins[1])
            if value.dtype != np.dtype(var.desc.dtype) or value.nbytes != var.desc.nbytes:
                raise LwaiError(
                    "model",
                    f"{where}: variable '{var.name}' is {var.desc.dtype} "
                    f"{list(var.desc.shape)}, the value {_dtype(t)} {list(value.shape)}",
                )
            var.init = np.ascontiguousarray(value).reshape(var.desc.shape)
        elif len(outs) == 1 and args and all(a is not None for a in args):
            out_t = sg.Tensors(outs[0])
            dtype = _NP_TYPES.get(out_t.Type())
            shape = tuple(int(d) for d in out_t.ShapeAsNumpy()) if out_t.ShapeLength() else ()
            if dtype is None or _activation(o, op):
                continue
            if op in _NP_OPS:
                with np.errstate(all="ignore"):
                    env[outs[0]] = np.asarray(_NP_OPS[op](*args)).astype(dtype).reshape(shape)
            elif op in _SHAPE_OPS:
                env[outs[0]] = np.asarray(args[0]).astype(dtype).reshape(shape)


def _state(conv) -> _State:
    st = conv.conversion_state.get("lwai_variables")
    if st is None:
        st = _State(scan(conv.model))
        conv.conversion_state["lwai_variables"] = st
    return st


def _inlined(conv) -> bool:
    return bool(conv.conversion_state.get("lowering_stack"))


def _index(conv, op) -> int:
    from lwai.frontend.control_flow import _index as index

    return index(conv, op)


def _var_of(conv, op, what: str) -> Variable:
    handle = int(op.InputsAsNumpy()[0])
    st = _state(conv)
    handles = st.handles.get(id(conv.subgraph))
    if handles is None:  # this subgraph's VAR_HANDLE outputs, scanned once
        names, handles = _names(), {}
        for i in range(conv.subgraph.OperatorsLength()):
            o = conv.subgraph.Operators(i)
            if _op_name(conv.model, o, names) == "VAR_HANDLE" and o.OutputsLength():
                handles[int(o.OutputsAsNumpy()[0])] = _handle_key(conv.model, o)
        st.handles[id(conv.subgraph)] = handles
        st.subgraphs.append(conv.subgraph)  # (kept alive: its id stays its own)
    key = handles.get(handle)
    hname = tvm_tflite.get_tensor_name(conv.subgraph, handle)
    if key is None:
        raise LwaiError(
            "model",
            f"{what} (operator {_index(conv, op)}): handle '{hname}' is no VAR_HANDLE output",
        )
    var = st.variables.get(key[0])
    if var is None:
        raise LwaiError(
            "model",
            f"{what} (operator {_index(conv, op)}) of variable '{key[1]}', which no "
            "ASSIGN_VARIABLE writes (TFLite Micro never allocates its buffer)",
        )
    return var


def _check(conv, op, what: str, var: Variable, t: TensorDesc) -> None:
    if t.dtype != var.desc.dtype or t.nbytes != var.desc.nbytes:
        raise LwaiError(
            "model",
            f"{what} (operator {_index(conv, op)}) of variable '{var.name}' "
            f"({var.desc.dtype} {list(var.desc.shape)}) with tensor '{t.name}' "
            f"({t.dtype} {list(t.shape)}); TFLite Micro copies the bytes of equal types",
        )


def _like(expr: relax.Expr, shape: tuple[int, ...]) -> relax.Expr:
    """``expr`` in ``shape`` (same bytes; a READ's output may be shaped differently)."""
    ty = expr.ty if hasattr(expr, "ty") else None
    if ty is not None and hasattr(ty, "shape") and tuple(int(d) for d in ty.shape) == shape:
        return expr
    return relax.op.reshape(expr, shape)


def convert_read(conv, op) -> relax.Expr:
    from lwai.frontend.stateful import direct_call

    var = _var_of(conv, op, "READ_VARIABLE")
    (out_i,) = [int(i) for i in op.OutputsAsNumpy()]
    out = _desc(conv.model, conv.subgraph, out_i)
    _check(conv, op, "READ_VARIABLE", var, out)
    st = _state(conv)
    cur = st.current.get(var.key)
    if cur is not None:  # assigned earlier in this invocation: that value
        return _like(cur, out.shape)
    src = TensorDesc(var.desc.shape, var.desc.dtype, var.desc.scale, var.desc.zero_point)
    src.name, src.state = var.desc.name, True
    out.data = None
    attrs = {"variable": var.key, "access": "read", "reset": var.reset}
    desc = OpDesc("reshape", [src], out, attrs, name=f"READ_VARIABLE '{out.name}'")
    return direct_call(conv, desc, [])


def convert_assign(conv, op):
    var = _var_of(conv, op, "ASSIGN_VARIABLE")
    if _inlined(conv):
        raise LwaiError(
            "model",
            f"ASSIGN_VARIABLE (operator {_index(conv, op)}) of variable '{var.name}' inside "
            "an IF branch or WHILE body is not supported: lwai computes both IF branches",
        )
    ins = [int(i) for i in op.InputsAsNumpy()]
    value = _desc(conv.model, conv.subgraph, ins[1])
    _check(conv, op, "ASSIGN_VARIABLE", var, value)
    (wrapper,) = conv.get_tensors([ins[1]])
    expr = _like(conv.get_tensor_expr(wrapper), var.desc.shape)
    st = _state(conv)
    st.current[var.key] = conv.bb.normalize(expr)
    if var.key not in st.assigned:
        st.assigned.append(var.key)


def convert_call_once(conv, op):
    if _inlined(conv):
        raise LwaiError(
            "model", f"CALL_ONCE (operator {_index(conv, op)}) outside the main subgraph"
        )
    _state(conv)  # evaluates the init subgraph (and refuses what lwai cannot)


def finish(conv) -> list[relax.Expr]:
    """The write steps of the main graph's last assigned values (hidden outputs)."""
    from lwai.frontend.stateful import direct_call

    st = conv.conversion_state.get("lwai_variables")
    if st is None:
        return []
    writes = []
    for key in st.assigned:
        var = st.variables[key]
        value = TensorDesc(var.desc.shape, var.desc.dtype, var.desc.scale, var.desc.zero_point)
        value.name = f"{var.desc.name}_value"
        out = TensorDesc(var.desc.shape, var.desc.dtype, var.desc.scale, var.desc.zero_point)
        out.name = var.desc.name
        attrs = {"variable": key, "access": "write", "reset": var.reset}
        desc = OpDesc("reshape", [value], out, attrs, name=f"ASSIGN_VARIABLE '{var.name}'")
        writes.append(conv.bb.emit(direct_call(conv, desc, [], exprs=[st.current[key]])))
    return writes


class HiddenOutput:
    """A stand-in TensorWrapper for a write step among the main function's outputs."""

    def __init__(self, expr: relax.Expr):
        self.tensor_idx = -1
        self.expr = expr
        self.qnn_params = None


def register(conv) -> None:
    cmap = conv.convert_map
    cmap["VAR_HANDLE"] = lambda op: None
    cmap["READ_VARIABLE"] = lambda op: convert_read(conv, op)
    cmap["ASSIGN_VARIABLE"] = lambda op: convert_assign(conv, op)
    cmap["CALL_ONCE"] = lambda op: convert_call_once(conv, op)
