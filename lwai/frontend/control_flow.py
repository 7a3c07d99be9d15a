"""Control flow and resource variables in TFLite models (IF, WHILE, CALL_ONCE, VAR_HANDLE,
READ_VARIABLE, ASSIGN_VARIABLE), for lwai's static schedule.

TVM 0.27 imports IF and WHILE as Relax ``If`` inside private functions (WHILE recursive),
which lwai's scheduler cannot run ("unsupported construct after lowering: GlobalVar"), and
resource variables only as constants set by a CALL_ONCE init subgraph.

- IF: lwai computes both branch subgraphs inline (their ops are converted into the calling
  graph, nested IFs too) and selects each output with ``where(cond, then, else)``. Exact:
  every lwai op is free of side effects, so the untaken branch changes nothing (its time is
  spent though). Refused when a branch divides integers (an untaken ``x / 0`` would trap).
- WHILE: unrolled when its trip count is known at compile time: the loop variables the
  condition reads start from constants and the body updates them from constants only
  (a counter ``i < n``, ``i + 1``); lwai evaluates the condition and those updates with
  numpy (a few integer/float/bool ops) and inlines the body that many times (at most
  MAX_UNROLL). Otherwise refused: its trip count is decided at run time and lwai's
  schedule has no loops.
- CALL_ONCE, VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE: resource variables are persistent
  state in the arena plan, initialised from CALL_ONCE's init subgraph
  (lwai/frontend/variables.py, which says where lwai's reset differs from TFLM's).
"""

from __future__ import annotations

import numpy as np
from tflite.TensorType import TensorType
from tvm import relax
from tvm.relax.frontend.tflite import tflite_frontend as tvm_tflite

from lwai.errors import LwaiError

# The reason each op is refused (scripts/gen_coverage.py may show these).
REFUSED = {
    "WHILE": "its trip count is decided at run time; lwai's static schedule has no loops",
    "WHILE_LONG": "it runs more than MAX_UNROLL iterations; lwai unrolls loops",
}
# One line per builtin for docs/operators.md (scripts/gen_coverage.py may import it).
STATUS = {
    "IF": "both branches inlined, output selected by the condition (tests/test_control_flow.py)",
    "WHILE": "unrolled when its trip count is known at compile time (counter from constants),"
    " else refused: " + REFUSED["WHILE"],
    "CALL_ONCE": "its init subgraph's values (evaluated at compile time) are the variables'"
    " values after init and lwai_model_reset_state (lwai/frontend/variables.py)",
    "VAR_HANDLE": "each (container, shared_name) one persistent buffer of the arena's state part",
    "READ_VARIABLE": "a byte copy of the variable's buffer (or its value assigned earlier in"
    " the same invocation)",
    "ASSIGN_VARIABLE": "the last value assigned in an invocation is copied into the variable's"
    " buffer; refused inside IF branches and WHILE bodies",
}
_INT_DIVISIONS = ("DIV", "FLOOR_DIV", "FLOOR_MOD")
MAX_UNROLL = 64  # WHILE iterations lwai unrolls (each one a copy of the body's ops)


def register(conv) -> None:
    """Installs lwai's IF, WHILE and resource variable converters (LwaiOperatorConverter)."""
    cmap = conv.convert_map
    cmap["IF"] = lambda op: _convert_if(conv, op)
    cmap["WHILE"] = lambda op: _convert_while(conv, op)
    from lwai.frontend import variables  # resource variables: persistent state

    variables.register(conv)


def _index(conv, op) -> int:
    for i in range(conv.subgraph.OperatorsLength()):
        o = conv.subgraph.Operators(i)
        if o.InputsAsNumpy().tolist() == op.InputsAsNumpy().tolist() and (
            o.OutputsAsNumpy().tolist() == op.OutputsAsNumpy().tolist()
        ):
            return i
    return -1


def _refuse(conv, op, name: str):
    where = f"{name} (operator {_index(conv, op)}"
    reason = REFUSED[name].replace("MAX_UNROLL", str(MAX_UNROLL))
    raise LwaiError("model", f"{where.replace('WHILE_LONG', 'WHILE')}) is not supported: {reason}")


def _convert_if(conv, op):
    from tflite.IfOptions import IfOptions

    opts = conv._get_builtin_options(op, IfOptions)
    branches = (int(opts.ThenSubgraphIndex()), int(opts.ElseSubgraphIndex()))
    inputs = conv.get_input_tensors(op)
    outputs = conv.get_output_tensors(op)
    if not inputs:
        raise LwaiError("model", f"IF (operator {_index(conv, op)}) has no condition input")
    conv._require_scalar_bool_tensor(inputs[0], "IF")
    for k in branches:
        conv._check_subgraph_interface(k, "IF", input_tensors=inputs[1:], output_tensors=outputs)
        _check_branch(conv, op, k)
    args = [conv.get_tensor_expr(t) for t in inputs[1:]]
    then_out, else_out = (_inline(conv, k, args) for k in branches)
    cond = conv.get_tensor_expr(inputs[0])
    picked = [relax.op.where(cond, t, e) for t, e in zip(then_out, else_out)]
    return picked[0] if len(picked) == 1 else relax.Tuple(picked)


def _check_branch(conv, op, k: int) -> None:
    sg = conv.model.Subgraphs(k)
    for i in range(sg.OperatorsLength()):
        o = sg.Operators(i)
        name = conv.get_op_code_str(o)
        if name in _INT_DIVISIONS:
            t = sg.Tensors(int(o.InputsAsNumpy()[0]))
            if conv.get_tensor_type_str(t.Type()).startswith(("int", "uint")):
                raise LwaiError(
                    "model",
                    f"IF (operator {_index(conv, op)}): branch subgraph {k} has an integer "
                    f"{name} (operator {i}); lwai runs both branches, and an untaken division "
                    "by zero would trap",
                )


def _inline(conv, k: int, args: list) -> list:
    """Converts subgraph ``k``'s ops into the caller's block, its inputs bound to ``args``;
    returns its output expressions."""
    sg = conv.model.Subgraphs(k)
    stack = conv.conversion_state["lowering_stack"]
    if k in stack:
        raise LwaiError("model", f"IF: subgraph {k} calls itself (recursion)")
    exp_tab = tvm_tflite.ExprTable()
    for idx, arg in zip(sg.InputsAsNumpy(), args):
        exp_tab.set_expr(tvm_tflite.get_tensor_name(sg, int(idx)), conv.bb.normalize(arg))
    stack.append(k)
    try:
        inner = type(conv)(conv.model, sg, exp_tab, conv.bb, conv.conversion_state)
        inner.check_unsupported_ops()
        inner.convert_op_to_relax()
        return [inner.get_tensor_expr(t) for t in inner.get_tensors(sg.OutputsAsNumpy())]
    finally:
        stack.pop()


def _convert_while(conv, op):
    """Unrolls a WHILE whose trip count follows from constants (module docstring)."""
    from tflite.WhileOptions import WhileOptions

    opts = conv._get_builtin_options(op, WhileOptions)
    cond_k, body_k = int(opts.CondSubgraphIndex()), int(opts.BodySubgraphIndex())
    inputs = conv.get_input_tensors(op)
    outputs = conv.get_output_tensors(op)
    for k in (cond_k, body_k):
        if not 0 < k < conv.model.SubgraphsLength():
            raise LwaiError("model", f"WHILE (operator {_index(conv, op)}): no subgraph {k}")
    cond_sg, body_sg = conv.model.Subgraphs(cond_k), conv.model.Subgraphs(body_k)
    n = len(inputs)
    if cond_sg.InputsLength() != n or body_sg.InputsLength() != n or len(outputs) != n:
        raise LwaiError("model", f"WHILE (operator {_index(conv, op)}): loop variable counts")
    known = [_const_value(conv.model, conv.subgraph, t.tensor_idx) for t in inputs]
    trips = 0
    while True:
        (go,) = _evaluate(conv.model, cond_sg, known)
        if go is None:
            return _refuse(conv, op, "WHILE")
        if not bool(np.asarray(go).reshape(-1)[0]):
            break
        trips += 1
        if trips > MAX_UNROLL:
            return _refuse(conv, op, "WHILE_LONG")
        known = _evaluate(conv.model, body_sg, known)
    loop_vars = [conv.get_tensor_expr(t) for t in inputs]
    for _ in range(trips):
        loop_vars = _inline(conv, body_k, loop_vars)
    return loop_vars[0] if n == 1 else relax.Tuple(loop_vars)


_NP_TYPES = {
    TensorType.FLOAT32: np.float32,
    TensorType.INT32: np.int32,
    TensorType.INT64: np.int64,
    TensorType.INT16: np.int16,
    TensorType.INT8: np.int8,
    TensorType.UINT8: np.uint8,
    TensorType.BOOL: np.bool_,
}


def _const_value(model, sg, idx: int) -> np.ndarray | None:
    """A constant tensor's value, None for anything else."""
    if idx < 0:
        return None
    t = sg.Tensors(idx)
    buf = model.Buffers(t.Buffer())
    dtype = _NP_TYPES.get(t.Type())
    if dtype is None or buf is None or buf.DataLength() == 0:
        return None
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    raw = buf.DataAsNumpy().tobytes()
    return np.frombuffer(raw, np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(shape)


# The ops lwai's compile-time evaluation of loop counters knows (no fused activation).
_NP_OPS = {
    "ADD": np.add,
    "SUB": np.subtract,
    "MUL": np.multiply,
    "MAXIMUM": np.maximum,
    "MINIMUM": np.minimum,
    "LESS": np.less,
    "LESS_EQUAL": np.less_equal,
    "GREATER": np.greater,
    "GREATER_EQUAL": np.greater_equal,
    "EQUAL": np.equal,
    "NOT_EQUAL": np.not_equal,
    "LOGICAL_AND": np.logical_and,
    "LOGICAL_OR": np.logical_or,
    "LOGICAL_NOT": np.logical_not,
}
_SHAPE_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS", "CAST")


def _evaluate(model, sg, values: list) -> list:
    """Subgraph ``sg``'s outputs from its inputs' ``values`` (None: unknown), as far as they
    follow from known values and constants through :data:`_NP_OPS` (else None)."""
    from tflite.BuiltinOperator import BuiltinOperator

    names = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
    env: dict[int, np.ndarray] = {}
    for idx, v in zip(sg.InputsAsNumpy(), values):
        if v is not None:
            env[int(idx)] = v
    for i in range(sg.OperatorsLength()):
        o = sg.Operators(i)
        code = model.OperatorCodes(o.OpcodeIndex())
        name = names.get(max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode())), "")
        ins = [int(t) for t in o.InputsAsNumpy()]
        outs = [int(t) for t in o.OutputsAsNumpy()]
        args = [env[t] if t in env else _const_value(model, sg, t) for t in ins]
        if len(outs) != 1 or not args or args[0] is None or _activation(o, name):
            continue
        out_t = sg.Tensors(outs[0])
        dtype = _NP_TYPES.get(out_t.Type())
        shape = tuple(int(d) for d in out_t.ShapeAsNumpy()) if out_t.ShapeLength() else ()
        if dtype is None:
            continue
        if name in _NP_OPS and all(a is not None for a in args):
            with np.errstate(all="ignore"):  # int32 wraps as in C
                env[outs[0]] = np.asarray(_NP_OPS[name](*args)).astype(dtype).reshape(shape)
        elif name in _SHAPE_OPS and args[0] is not None:
            env[outs[0]] = np.asarray(args[0]).astype(dtype).reshape(shape)
    return [env.get(int(t)) for t in sg.OutputsAsNumpy()]


def _activation(o, name: str) -> bool:
    """Whether an ADD/SUB/MUL carries a fused activation (not evaluated: unknown)."""
    if name not in ("ADD", "SUB", "MUL") or o.BuiltinOptions() is None:
        return False
    import importlib

    camel = name.capitalize() + "Options"
    opts = getattr(importlib.import_module(f"tflite.{camel}"), camel)()
    raw = o.BuiltinOptions()
    opts.Init(raw.Bytes, raw.Pos)
    return int(opts.FusedActivationFunction()) != 0
