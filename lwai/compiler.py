"""``lwai compile``: model file in, C sources, model files and report.json out.

import -> partition (lwai patterns) -> offload (lwai ops become extern calls) -> lower the
rest with TVM -> schedule -> plan memory -> emit C.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tvm
from tvm import relax
from tvm.ir.expr import Call, Constant

from lwai import __version__, progress
from lwai.backends import Target
from lwai.codegen.c_text import DTYPE_CODES, LWAI_DTYPES, c_const_array, c_float, c_string
from lwai.codegen.templates import render_template
from lwai.errors import LwaiError, call_tvm
from lwai.frontend import import_model
from lwai.ops import OpDesc, TensorDesc
from lwai.passes.lower import lower_for_tvm, tir_functions
from lwai.passes.offload import EXTERN_PREFIX, OffloadedOp, offload_to_lwai
from lwai.passes.partition import partition_for_lwai
from lwai.passes.plan_memory import MemoryPlanner

CALL_TIR = tvm.ir.Op.get("relax.call_tir")
CALL_DPS = tvm.ir.Op.get("relax.call_dps_packed")


def _config(config, defconfig) -> dict:
    try:
        from lwai.config import load_config
    except ImportError:  # the Kconfig layer is optional for the compiler core
        return {}
    return load_config(config=config, defconfig=defconfig)


def _kernel_enabled(cfg: dict, kind: str, dtype: str) -> bool:
    if not cfg:
        return True
    from lwai.config import kernel_enabled

    return kernel_enabled(cfg, kind, dtype)


@dataclass
class TensorSlot:
    """One activation value of the graph and the arena buffer it lives in."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    buffer: int  # index into Schedule.buffers (aliases share one)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize


@dataclass
class Step:
    kind: str  # "lwai" or "tvm"
    out: int  # slot index
    args: list  # slot index (int) or np.ndarray constant, per extern/call_tir argument
    op: OffloadedOp | None = None
    tvm_name: str = ""
    workspace: int = 0  # bytes of scratch/workspace needed during this step
    backend: str = "reference"  # lwai steps: the kernel library (lwai.backends)
    symbol: str = ""  # lwai steps: the C function called
    # Every output slot, `out` first: several for multi-output ops (SPLIT, UNPACK), each
    # its own buffer (/work/notes/multi_output.md); [out] otherwise.
    outs: list = field(default_factory=list)

    def __post_init__(self):
        if not self.outs:
            self.outs = [self.out]


@dataclass
class Schedule:
    slots: list[TensorSlot] = field(default_factory=list)
    buffers: list[list[int]] = field(default_factory=list)  # [first, last] step per buffer
    buffer_bytes: list[int] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    # Slots of persistent op state (SVDF's, ...): planned in the arena's persistent part,
    # kept across invocations (runtime/README.md); slot -> reset byte (a resource variable
    # with a CALL_ONCE init value: its bytes, np.uint8).
    state: dict[int, int] = field(default_factory=dict)
    # The state slots that are resource variables (lwai/frontend/variables.py): their reset
    # value is state[slot], a byte or the bytes CALL_ONCE's init subgraph leaves.
    variables: list[int] = field(default_factory=list)


def _shape(ty) -> tuple[int, ...]:
    try:
        return tuple(int(d) for d in ty.shape)
    except (TypeError, ValueError):  # symbolic dims do not convert to int
        raise LwaiError("model", "dynamic shapes are not supported; give the model fixed shapes")


def _check_value_shape(path: Path, name: str, shape: tuple[int, ...], dtype: str) -> None:
    """A value the model computes must have a size that lwai's 32-bit sizes hold
    (a pool whose filter exceeds its input would otherwise compute shape [1, -4, -4, 2])."""
    from lwai.frontend.validate_tflite import MAX_TENSOR_BYTES

    if any(d < 0 for d in shape):  # 0 is an empty tensor (ONNX Slice past the end gives one)
        raise LwaiError(
            path, f"value '{name}' gets shape {list(shape)}; sizes must not be negative"
        )
    nbytes = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
    if nbytes > MAX_TENSOR_BYTES:
        raise LwaiError(
            path,
            f"value '{name}' of shape {list(shape)} {dtype} is {nbytes} bytes, over lwai's "
            f"limit of {MAX_TENSOR_BYTES} bytes per tensor",
        )


def _check_io_dtype(path: Path, role: str, slot: TensorSlot) -> None:
    if slot.dtype not in LWAI_DTYPES:
        raise LwaiError(
            path,
            f"graph {role} '{slot.name}' is {slot.dtype}; lwai's model API carries "
            f"{', '.join(LWAI_DTYPES)} tensors",
        )


def _schedule(mod: tvm.IRModule, offloaded: list[OffloadedOp], path: Path) -> Schedule:
    main = mod["main"]
    s = Schedule()
    var_slot: dict = {}
    var_state: dict[str, int] = {}  # resource variable -> its state slot

    def new_slots(var, names: list[str]) -> list[int]:
        """One slot (and buffer) per field of a tuple-typed step result (SPLIT's outputs,
        named after the op's output tensors); the tuple var maps to the list, TupleGetItem
        bindings pick from it."""
        if not isinstance(var.ty, relax.TupleType) or not var.ty.fields:
            return [new_slot(var)]
        slots = []
        for j, ty in enumerate(var.ty.fields):
            if not hasattr(ty, "shape"):
                raise LwaiError(path, f"'{var.name}' holds a nested tuple; lwai cannot plan it")
            shape, dtype = _shape(ty), str(ty.dtype)
            _check_value_shape(path, f"{var.name}.{j}", shape, dtype)
            s.buffers.append([len(s.steps), len(s.steps)])
            name = names[j] if j < len(names) and names[j] else f"{var.name}_{j}"
            s.slots.append(TensorSlot(name, shape, dtype, len(s.buffers) - 1))
            slots.append(len(s.slots) - 1)
        var_slot[var] = slots
        return slots

    def new_slot(var, alias_of: int | None = None) -> int:
        if not hasattr(var.ty, "shape"):
            raise LwaiError(
                path,
                f"'{var.name}' is a tuple of tensors; operators with several outputs "
                "(e.g. Split) are not supported yet",
            )
        shape, dtype = _shape(var.ty), str(var.ty.dtype)
        _check_value_shape(path, str(var.name), shape, dtype)
        if alias_of is None:
            s.buffers.append([len(s.steps), len(s.steps)])
            buf = len(s.buffers) - 1
        else:
            buf = s.slots[alias_of].buffer
        s.slots.append(TensorSlot(str(var.name), shape, dtype, buf))
        var_slot[var] = len(s.slots) - 1
        return len(s.slots) - 1

    def use(arg):
        if isinstance(arg, Constant):
            return arg.value.numpy()
        if isinstance(arg, relax.TupleGetItem) and isinstance(var_slot.get(arg.tuple_value), list):
            arg = var_slot[arg.tuple_value][int(arg.index)]
            s.buffers[s.slots[arg].buffer][1] = len(s.steps)
            return arg
        if arg in var_slot and isinstance(var_slot[arg], list):
            raise LwaiError(path, f"'{arg.name}' (several outputs) used as one tensor")
        if arg in var_slot:
            slot = var_slot[arg]
            s.buffers[s.slots[slot].buffer][1] = len(s.steps)
            return slot
        raise LwaiError(path, f"unsupported value after lowering: {type(arg).__name__}")

    for p in main.params:
        s.inputs.append(new_slot(p))
        _check_io_dtype(path, "input", s.slots[-1])
    for block in main.body.blocks:
        for b in block.bindings:
            v = b.value
            if isinstance(v, relax.Var):
                var_slot[b.var] = var_slot[v]
                continue
            if isinstance(v, relax.Tuple):
                var_slot[b.var] = [use(f) for f in v.fields]
                continue
            if isinstance(v, relax.TupleGetItem) and isinstance(
                var_slot.get(v.tuple_value), list
            ):  # one output of a multi-output step: its own slot already
                var_slot[b.var] = var_slot[v.tuple_value][int(v.index)]
                continue
            if not isinstance(v, Call) or v.op not in (CALL_TIR, CALL_DPS):
                raise LwaiError(path, f"unsupported construct after lowering: {v.op}")
            args = [use(a) for a in v.args[1].fields]
            if v.op == CALL_DPS:
                index = int(str(v.args[0].global_symbol)[len(EXTERN_PREFIX) :])
                off = offloaded[index]
                if off.op.attrs.get("variable"):  # resource variables (frontend/variables.py)
                    _variable_step(s, off, args, b.var, new_slot, var_state)
                    continue
                if off.op.kind == "reshape" and isinstance(args[0], int):
                    new_slot(b.var, alias_of=args[0])  # same bytes, new shape: no copy
                    continue
                for j, t in enumerate(off.op.inputs):
                    if t.state:  # persistent state: its own slot, an argument of the step
                        from lwai.codegen.kernels import state_fill

                        s.buffers.append([0, 0])
                        name = f"op{len(s.steps)}_state{j}"
                        s.slots.append(TensorSlot(name, t.shape, t.dtype, len(s.buffers) - 1))
                        s.state[len(s.slots) - 1] = state_fill(t)
                        off.arg_index[j] = len(args)
                        args.append(len(s.slots) - 1)
                outs = new_slots(b.var, [t.name for t in off.op.outputs])
                s.steps.append(Step("lwai", outs[0], args, op=off, outs=outs))
            else:
                out = new_slot(b.var)
                s.steps.append(Step("tvm", out, args, tvm_name=v.args[0].name_hint))
    ret = main.body.body
    outs = var_slot.get(ret)
    if isinstance(ret, relax.Tuple):
        outs = [use(f) for f in ret.fields]
    if outs is None and isinstance(ret, Constant):
        outs = use(ret)
    if outs is None:
        raise LwaiError(path, "model output is not a computed tensor")
    s.outputs = outs if isinstance(outs, list) else [outs]
    s.outputs = [_constant_output(s, o, j) for j, o in enumerate(s.outputs)]
    hidden = (
        int(main.attrs["lwai_hidden_outputs"])
        if main.attrs and ("lwai_hidden_outputs" in main.attrs)
        else 0
    )
    if hidden:  # the variables' write steps (lwai.frontend.variables): no model outputs
        s.outputs = s.outputs[:-hidden]
        _check_variable_order(s, path)
    for o in s.outputs:
        if isinstance(o, int):
            _check_io_dtype(path, "output", s.slots[o])
    end = len(s.steps)
    for o in s.outputs:
        if not isinstance(o, int):
            raise LwaiError(path, "a model output is a constant; lwai needs computed outputs")
        s.buffers[s.slots[o].buffer][1] = end
    for i in s.inputs:
        s.buffers[s.slots[i].buffer][0] = 0
    for i in s.state:  # live over every step (and, persistent, between invocations)
        s.buffers[s.slots[i].buffer] = [0, end]
    s.buffer_bytes = [0] * len(s.buffers)
    for slot in s.slots:
        s.buffer_bytes[slot.buffer] = max(s.buffer_bytes[slot.buffer], slot.nbytes)
    return s


def _constant_output(s: Schedule, value, index: int):
    """A model output that folded to a constant (SHAPE of a static tensor, say) gets its
    own buffer, filled each invocation by a byte copy (the reshape kernel) from flash."""
    if isinstance(value, int):
        return value
    data = np.asarray(value)
    desc = TensorDesc(tuple(data.shape), str(data.dtype), data=data, name=f"output{index}")
    out = TensorDesc(tuple(data.shape), str(data.dtype), name=f"output{index}")
    off = OffloadedOp(OpDesc("reshape", [desc], out), "lwai.reshape", [None])
    s.buffers.append([len(s.steps), len(s.steps)])
    s.slots.append(
        TensorSlot(f"output{index}", tuple(data.shape), str(data.dtype), len(s.buffers) - 1)
    )
    slot = len(s.slots) - 1
    s.steps.append(Step("lwai", slot, [], op=off))
    return slot


def _variable_step(s: Schedule, off, args: list, var, new_slot, var_state: dict) -> None:
    """A resource variable's read (state -> a new slot) or write (a value -> the state
    slot, aliased) as a byte-copy step; one state slot per variable."""
    op = off.op
    key = op.attrs["variable"]
    if key not in var_state:
        t = op.output if op.attrs["access"] == "write" else op.inputs[0]
        s.buffers.append([0, 0])
        s.slots.append(
            TensorSlot(t.name or f"var{len(var_state)}", t.shape, t.dtype, len(s.buffers) - 1)
        )
        var_state[key] = len(s.slots) - 1
        s.state[len(s.slots) - 1] = op.attrs["reset"]
        s.variables.append(len(s.slots) - 1)
    state = var_state[key]
    if op.attrs["access"] == "read":
        off.arg_index[0] = len(args)
        args.append(state)
        out = new_slot(var)
    else:
        if not isinstance(args[0], int):  # a constant value (folded): the op's constant
            op.inputs[0].data = np.asarray(args[0]).reshape(op.inputs[0].shape)
            off.arg_index[0] = None
            args.clear()
        out = new_slot(var, alias_of=state)
    s.steps.append(Step("lwai", out, args, op=off))


def _check_variable_order(s: Schedule, path) -> None:
    """Every read of a variable's buffer runs before the write of its new value (the
    frontend emits them so; a reordering pass would silently break the copy semantics)."""
    written: set[int] = set()
    for st in s.steps:
        if st.kind != "lwai" or not st.op.op.attrs.get("variable"):
            continue
        buf = s.slots[st.out].buffer
        if st.op.op.attrs["access"] == "write":
            written.add(buf)
        elif any(isinstance(a, int) and s.slots[a].buffer in written for a in st.args):
            raise LwaiError(path, f"{st.op.op.name}: scheduled after the variable's write")


class ModelEmitter:
    """Prints model.c: constants, kernel calls and TVM calls over the planned arena."""

    def __init__(self, name: str, sched: Schedule, offsets: dict, tvm_info: dict, target: Target):
        self.target = target
        self.name = name
        self.s = sched
        self.offsets = offsets
        self.tvm_info = tvm_info
        self.defs: list[str] = []
        self.body: list[str] = []
        self.weights_bytes = 0
        self.kernel_functions: set[str] = set()
        self.const_count = 0

    def addr(self, slot: int) -> str:
        return f"(arena + {self.offsets['buffer'][self.s.slots[slot].buffer]})"

    def const(self, data: np.ndarray) -> str:
        name = f"c{self.const_count}"
        self.const_count += 1
        self.defs.append(c_const_array(name, data))
        self.weights_bytes += int(data.nbytes)
        return name

    def emit_lwai(self, i: int, step: Step) -> None:
        from lwai.codegen.kernels import emit_kernel_call

        exprs: list[str | None] = []
        for t, idx in zip(step.op.op.inputs, step.op.arg_index):
            exprs.append(None if idx is None else self.addr(step.args[idx]))
        ws = self.offsets["workspace"].get(i)
        call = emit_kernel_call(
            step.op.op,
            f"op{i}",
            exprs,
            [self.addr(o) for o in step.outs] if len(step.outs) > 1 else self.addr(step.out),
            f"(arena + {ws})" if ws is not None else "NULL",
            backend=step.backend,
            arch=self.target.arch,
        )
        self.defs.append(call.definitions)
        self.weights_bytes += call.weights_bytes
        self.kernel_functions.add(call.kernel)
        step.symbol = call.kernel
        self.body.append(f"    /* {i}: {step.op.op.kind} -> {call.kernel} */")
        self.body.append(self.hook("BEGIN", i, call.kernel))
        self.body.append(f"    st = {call.call};")
        self.body.append(self.hook("END", i, call.kernel))
        self.body.append("    if (st != LWAI_OK) {\n        return st;\n    }")

    def hook(self, where: str, i: int, kernel: str) -> str:
        """The per-node hook line (runtime/include/lwai/node_hook.h): nothing unless the
        image's config turns a hook feature on (profiling, ...)."""
        args = f"&lwai_model_{self.name}, arena, {i}u, {c_string(kernel)}"
        return f"    LWAI_NODE_{where}({args}{', st' if where == 'END' else ''});"

    def emit_tvm(self, i: int, step: Step) -> None:
        symbol, ws_bytes = self.tvm_info[step.tvm_name]
        tensors = []
        operands = list(step.args) + [step.out]
        for j, arg in enumerate(operands):
            if isinstance(arg, int):
                slot = self.s.slots[arg]
                shape, dtype, data = slot.shape, slot.dtype, f"{self.addr(arg)}"
            else:
                shape, dtype = tuple(arg.shape), str(arg.dtype)
                data = f"(void *){self.const(arg)}"
            shape_name = f"s{i}_{j}"
            dims = ", ".join(f"INT64_C({d})" for d in shape) or "INT64_C(1)"
            self.defs.append(f"static const int64_t {shape_name}[] = {{{dims}}};\n")
            code, bits = DTYPE_CODES[dtype]
            tensors.append(
                f"        {{{data}, {{1, 0}}, {len(shape)}, {{{code}, {bits}, 1}}, "
                f"(int64_t *){shape_name}, NULL, 0}}"
            )
        ws = self.offsets["workspace"].get(i)
        ws_expr = f"arena + {ws}" if ws is not None else "NULL"
        self.body.append(f"    /* {i}: TVM {step.tvm_name} */")
        self.body.append("    {")
        self.body.append(f"        DLTensor t[{len(tensors)}] = {{\n" + ",\n".join(tensors) + "};")
        self.body.append(f"        TVMFFIAny a[{len(tensors)}];")
        self.body.append("    " + self.hook("BEGIN", i, symbol))
        call = f"lwai_tvm_call_args({symbol}, a, t, {len(tensors)}, {ws_expr}, {ws_bytes}u)"
        self.body.append(f"        st = {call};")
        self.body.append("    " + self.hook("END", i, symbol))
        self.body.append("        if (st != LWAI_OK) {\n            return st;\n        }")
        self.body.append("    }")

    def reset_line(self, slot: int, fill) -> str:
        """C statement restoring state slot ``slot``: a byte fill, or (a resource variable
        with a CALL_ONCE init value) a copy of its constant bytes."""
        off, n = self.offsets["buffer"][self.s.slots[slot].buffer], self.s.slots[slot].nbytes
        if isinstance(fill, int):
            return f"memset(arena + {off}, {fill}, {n}u);"
        return f"memcpy(arena + {off}, {self.const(np.asarray(fill, np.uint8))}, {n}u);"

    def tensor_infos(self, slots: list[int], quant: dict) -> str:
        rows = []
        for slot_i in slots:
            slot = self.s.slots[slot_i]
            dims = list(slot.shape) + [0] * (6 - len(slot.shape))
            scale, zp = quant.get(slot_i, (0.0, 0))
            rows.append(
                f"    {{{c_string(slot.name)}, {self.offsets['buffer'][slot.buffer]}u, "
                f"{slot.nbytes}u, {{{', '.join(map(str, dims))}}}, {len(slot.shape)}, "
                f"{LWAI_DTYPES[slot.dtype]}, {c_float(scale)}, {zp}}}"
            )
        return ",\n".join(rows)

    def kernel_headers(self) -> list[str]:
        from lwai.backends import HEADERS

        used = {st.backend for st in self.s.steps if st.kind == "lwai"} | {"reference"}
        return [HEADERS[b] for b in HEADERS if b in used]

    def source(self, arena_bytes: int, quant: dict) -> str:
        self.op_weights: dict[int, int] = {}  # step -> bytes of constants it emitted
        for i, step in enumerate(self.s.steps):
            before = self.weights_bytes
            (self.emit_lwai if step.kind == "lwai" else self.emit_tvm)(i, step)
            self.op_weights[i] = self.weights_bytes - before
        state = [self.reset_line(i, fill) for i, fill in self.s.state.items()]  # (defs too)
        return render_template(
            "model.c.j2",
            version=__version__,
            name=self.name,
            headers=self.kernel_headers(),
            tvm_symbols=[sym for sym, _ in self.tvm_info.values()],
            definitions="".join(self.defs),
            body=self.body,
            inputs=self.tensor_infos(self.s.inputs, quant),
            outputs=self.tensor_infos(self.s.outputs, quant),
            c_name=c_string(self.name),
            arena_bytes=arena_bytes,
            state=state,
            num_inputs=len(self.s.inputs),
            num_outputs=len(self.s.outputs),
        )


def _header(name: str, arena: int, n_in: int, n_out: int) -> str:
    return render_template(
        "model.h.j2",
        version=__version__,
        name=name,
        up=name.upper(),
        arena_bytes=arena,
        num_inputs=n_in,
        num_outputs=n_out,
    )


def _io_quant(sched: Schedule) -> dict:
    """Scale and zero point of graph inputs/outputs, read from the kernels touching them."""
    quant = {}
    for step in sched.steps:
        if step.kind != "lwai":
            continue
        op: OpDesc = step.op.op
        for t, idx in zip(op.inputs, step.op.arg_index):
            if idx is not None and t.scale and isinstance(step.args[idx], int):
                quant.setdefault(step.args[idx], (t.scale[0], t.zero_point[0]))
        for slot, t in zip(step.outs, op.outputs):  # several for SPLIT / UNPACK
            if t.scale:
                quant.setdefault(slot, (t.scale[0], t.zero_point[0]))
    alias = {}
    for i, slot in enumerate(sched.slots):  # reshapes share their source's quantization
        alias.setdefault(slot.buffer, []).append(i)
    for group in alias.values():
        q = next((quant[i] for i in group if i in quant), None)
        if q:
            for i in group:
                quant.setdefault(i, q)
    return quant


def compile_model(
    model_path: str | Path,
    out_dir: str | Path,
    config: str | Path | None = None,
    defconfig: str | None = None,
) -> dict:
    t0 = time.perf_counter()
    path = Path(model_path)
    out = Path(out_dir)
    cfg = _config(config, defconfig)
    with progress.step(f"import {path.name}"):
        imported = import_model(path)
    name = imported.name

    from lwai.backends import buffer_size, choose
    from lwai.codegen.kernels import plan_kernel, size_dims, unsupported_reason

    target = Target.from_config(cfg)

    def accept(op: OpDesc) -> str | None:
        if not _kernel_enabled(cfg, op.kind, op.dtype):
            return f"the {op.kind} {op.dtype} kernel is disabled in the configuration"
        return unsupported_reason(op)

    mod, rejected = partition_for_lwai(imported.mod, accept)
    mod, offloaded = offload_to_lwai(mod)
    for off in offloaded:  # ops the frontend converted itself (SVDF) have no TVM fallback
        if off.op.attrs.get("direct") and accept(off.op) is not None:
            raise LwaiError(path, f"{off.op.name} ({off.op.dtype}): {accept(off.op)}")
    if imported.fmt == "tflite":  # no quantized op reaches TVM's float legalization
        from lwai.passes.exactness import check_exact

        check_exact(mod, path, imported.origins, rejected, offloaded)
    # TVM's failures (and its C++ log lines) become one error line (lwai.errors.call_tvm).
    mod = call_tvm(path, "TVM could not lower the model", lower_for_tvm, mod)
    sched = _schedule(mod, offloaded, path)

    prims = tir_functions(mod)
    tvm_src, tvm_info = "", {}
    if prims:
        from lwai.codegen.tvm_c import build_c_source

        with progress.step(f"TVM build ({len(prims)} functions)"):
            tvm_src, tvm_info = call_tvm(
                path, "TVM could not build the model", build_c_source, prims, f"lwai_{name}_"
            )

    # Each lwai op goes to the first backend of the config's order that has its kernel; its
    # scratch (the backend's buffer size function) is planned in the arena like a workspace.
    for step in sched.steps:
        if step.kind == "lwai":
            plan = plan_kernel(step.op.op)
            _check_state_size(sched, step, plan)
            step.backend = choose(plan.kernel, target)
            step.workspace = buffer_size(
                step.backend, plan.kernel, target.arch, plan.fields, size_dims(plan)
            )
        else:
            step.workspace = tvm_info[step.tvm_name][1]

    planner = MemoryPlanner()
    state_bufs = {sched.slots[i].buffer for i in sched.state}
    bufs = [
        planner.add(f"t{i}", size, first, last, persistent=i in state_bufs)
        for i, (size, (first, last)) in enumerate(zip(sched.buffer_bytes, sched.buffers))
    ]
    ws_bufs = {
        i: planner.add(f"ws{i}", st.workspace, i, i)
        for i, st in enumerate(sched.steps)
        if st.workspace
    }
    arena = planner.plan()
    offsets = {
        "buffer": [b.offset for b in bufs],
        "workspace": {i: b.offset for i, b in ws_bufs.items()},
    }
    if cfg:
        from lwai.config import check_arena, check_stack

        check_arena(str(path), arena, cfg)
        tvm_calls = {st.tvm_name: len(st.args) + 1 for st in sched.steps if st.kind == "tvm"}
        check_stack(str(path), tvm_calls, cfg)

    emitter = ModelEmitter(name, sched, offsets, tvm_info, target)
    quant = _io_quant(sched)
    model_c = emitter.source(arena, quant)

    (out / "src").mkdir(parents=True, exist_ok=True)
    (out / "include").mkdir(parents=True, exist_ok=True)
    for stale in (out / "src").glob("*.c"):
        stale.unlink()
    (out / "src" / f"{name}_model.c").write_text(model_c)
    if tvm_src:
        from lwai.codegen.graph import tvm_registry_source

        (out / "src" / f"{name}_tvm.c").write_text(tvm_src)
        (out / "src" / f"{name}_tvm_registry.c").write_text(
            tvm_registry_source(name, sched, tvm_info)
        )
    from lwai.codegen.graph import build_graph, executor_refusal, write_graph

    graph = build_graph(name, sched, offsets, arena, tvm_info)
    graph_refusal = executor_refusal(graph)
    graph_files = {} if graph_refusal else {"lwfb": "model.lwfb", "json": "model.json"}
    for fmt in ("lwfb", "json"):
        if graph_refusal:  # no stale file of an earlier compile may be taken for this one
            (out / f"model.{fmt}").unlink(missing_ok=True)
        else:
            write_graph(graph, out / f"model.{fmt}")
    (out / "include" / f"lwai_model_{name}.h").write_text(
        _header(name, arena, len(sched.inputs), len(sched.outputs))
    )

    ops = []
    for i, st in enumerate(sched.steps):
        if st.kind == "lwai":
            ops.append(
                {
                    "name": f"op{i}",
                    "kind": st.op.op.kind,
                    "backend": st.backend,
                    "kernel": st.symbol,
                    "scratch_bytes": st.workspace,
                    **_op_layout(sched, emitter, i, st),
                }
            )
        else:
            ops.append(
                {
                    "name": f"op{i}",
                    "kind": st.tvm_name,
                    "backend": "tvm",
                    "kernel": tvm_info[st.tvm_name][0],
                    **_op_layout(sched, emitter, i, st),
                }
            )

    def io(slots):
        return [
            {
                "name": sched.slots[i].name,
                "shape": list(sched.slots[i].shape),
                "dtype": sched.slots[i].dtype,
                "scale": quant.get(i, (0.0, 0))[0],
                "zero_point": quant.get(i, (0.0, 0))[1],
                "offset": offsets["buffer"][sched.slots[i].buffer],
            }
            for i in slots
        ]

    report = {
        "model": name,
        "source": str(path),
        "profile": _profile(cfg),
        "target": str(cfg.get("LWAI_BOARD", "host")) if cfg else "host",
        "arena_bytes": arena,
        "arena_lower_bound": planner.lower_bound(),
        "state_bytes": planner.state_bytes,
        "state_offset": planner.state_offset,
        "state": _state_report(sched, offsets),
        "weights_bytes": emitter.weights_bytes,
        "c_symbol": f"lwai_model_{name}",
        "ops": ops,
        # (+ "variable": the graph executor's reset node of resource variables)
        "kernels": sorted(
            {st.op.op.kind for st in sched.steps if st.kind == "lwai"}
            | ({"variable"} if sched.variables else set())
        ),
        "kernel_backends": list(target.backends),
        "backend_kernels": sorted(
            {f"{st.backend}:{st.op.op.kind}" for st in sched.steps if st.kind == "lwai"}
            | ({"reference:variable"} if sched.variables else set())
        ),
        "kernel_functions": sorted(emitter.kernel_functions),
        "tvm_functions": sorted(sym for sym, _ in tvm_info.values()),
        "graph_kernels": graph["kernels"],
        "graph_files": graph_files,
        "graph_refusal": graph_refusal,
        "rejected": [{"pattern": p, "reason": r} for p, r in rejected],
        "inputs": io(sched.inputs),
        "outputs": io(sched.outputs),
        "memory_plan": [
            {
                "name": b.name,
                "offset": b.offset,
                "bytes": b.size,
                "first": b.first,
                "last": b.last,
                **_plan_owner(sched, b),
            }
            for b in planner.buffers
        ],
        "compile_seconds": round(time.perf_counter() - t0, 3),
        "lwai_version": __version__,
    }
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _check_state_size(sched: Schedule, step: Step, plan) -> None:
    """The state slots were sized from TFLite's variable tensors; the kernel's own size
    function (its Python twin) must agree, or the kernel would run past its state."""
    from lwai.codegen.kernels import state_size

    if step.op.op.attrs.get("variable"):  # a byte copy of a resource variable
        return
    which = 0  # the kernel's state operands in input order (LSTM: hidden, cell)
    for j, t in enumerate(step.op.op.inputs):
        if t.state:
            slot = sched.slots[step.args[step.op.arg_index[j]]]
            need = state_size(plan, which)
            which += 1
            if need != slot.nbytes:
                raise LwaiError(
                    "model",
                    f"{step.op.op.name}: state tensor of {slot.nbytes} bytes, the "
                    f"{plan.kernel} kernel needs {need}",
                )


def _state_report(sched: Schedule, offsets: dict) -> list[dict]:
    return [
        {
            "name": sched.slots[i].name,
            "offset": offsets["buffer"][sched.slots[i].buffer],
            "bytes": sched.slots[i].nbytes,
            "dtype": sched.slots[i].dtype,
            "fill": fill if isinstance(fill, int) else "init",  # "init": constant bytes
        }
        for i, fill in sched.state.items()
    ]


def _op_layout(sched: Schedule, emitter: ModelEmitter, i: int, st: Step) -> dict:
    """report.json's layout fields of op i (for `lwai report`): the arena buffers it reads
    and writes (memory_plan names), its output's shape and dtype, its workspace buffer and
    the bytes of constants (weights, biases, params) its call emitted."""
    out = sched.slots[st.out]
    ins = [f"t{sched.slots[a].buffer}" for a in st.args if isinstance(a, int)]
    more = {}
    if len(st.outs) > 1:  # multi-output ops (SPLIT, UNPACK): every output's buffer and shape
        more = {
            "outputs": [f"t{sched.slots[o].buffer}" for o in st.outs],
            "output_shapes": [list(sched.slots[o].shape) for o in st.outs],
        }
    return {
        "inputs": list(dict.fromkeys(ins)),
        "output": f"t{out.buffer}",
        **more,
        "output_shape": list(out.shape),
        "dtype": out.dtype,
        "workspace": f"ws{i}" if st.workspace else None,
        "weights_bytes": emitter.op_weights.get(i, 0),
    }


def _plan_owner(sched: Schedule, b) -> dict:
    """What a memory_plan buffer holds: an op's workspace ("ws<step>"), or tensors ("t<i>":
    graph value names), activations or persistent op state."""
    if b.name.startswith("ws"):
        return {"kind": "workspace", "op": f"op{b.name[2:]}"}
    buf = int(b.name[1:])
    kind = "state" if getattr(b, "persistent", False) else "activation"
    return {"kind": kind, "tensors": [s.name for s in sched.slots if s.buffer == buf]}


def _profile(cfg: dict) -> str:
    for p in ("L0", "L1", "L2"):
        if cfg.get(f"LWAI_PROFILE_{p}"):
            return p
    return "L2" if not cfg else "unknown"
