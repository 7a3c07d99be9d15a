"""The operator spec (``lwai/spec/ops.yaml``), loaded once: the single definition of every
op kind, its library kernels (operands, params in C struct and graph-file order, valid
ranges) and which backends provide each kernel. ``scripts/gen_ops.py`` renders the C
params header, ``kernels/ops.json`` and the formats table from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parent / "spec" / "ops.yaml"
BACKENDS = ("reference", "optimized", "cmsis-nn")


@dataclass(frozen=True)
class Param:
    name: str
    ctype: str  # "int32_t", "uint32_t" or "float"
    range: tuple[int, int] | None  # inclusive; None for floats (finite)
    doc: str = ""

    @property
    def is_float(self) -> bool:
        return self.ctype == "float"


@dataclass(frozen=True)
class Operand:
    name: str
    dtype: str  # "int8", ..., or "any"
    optional: bool = False
    state: bool = False  # read and written: persistent state kept between invocations
    variadic: bool = False  # the last input repeated 1..n times (PACK's values)


@dataclass(frozen=True)
class Backend:
    name: str
    arch: tuple[str, ...] | None  # None: every architecture the backend supports
    scratch: bool


@dataclass(frozen=True)
class Kernel:
    name: str  # e.g. "conv2d_s8"; the reference C function is lwai_<name>
    kind: str
    ctype: str  # params struct
    inputs: tuple[Operand, ...]
    output: str
    ints: tuple[str, ...]
    floats: tuple[str, ...]
    backends: dict[str, Backend] = field(default_factory=dict)  # besides "reference"
    # `output: <dtype> variadic`: 1..n outputs of that dtype (SPLIT, UNPACK); the C kernel
    # takes (num_outputs, output_dims[], outputs[]) instead of (output_dims, output).
    variadic_output: bool = False

    def symbol(self, backend: str = "reference") -> str:
        """The C function of this kernel in ``backend``: lwai_conv2d_s8, lwai_conv2d_opt_s8,
        lwai_conv2d_cmsis_s8 (the variant goes before the dtype suffix)."""
        if backend == "reference":
            return f"lwai_{self.name}"
        tag = {"optimized": "opt", "cmsis-nn": "cmsis"}[backend]
        head, _, dtype = self.name.rpartition("_")
        return f"lwai_{head}_{tag}_{dtype}"

    @property
    def optional_mask(self) -> int:
        return sum(1 << i for i, o in enumerate(self.inputs) if o.optional)

    @property
    def variadic_input(self) -> bool:
        """The last input repeats (C: num_inputs, input_dims[], inputs[])."""
        return bool(self.inputs) and self.inputs[-1].variadic

    @property
    def state_mask(self) -> int:
        """Bit i set: input i is persistent state (runtime/README.md: state)."""
        return sum(1 << i for i, o in enumerate(self.inputs) if o.state)


@dataclass(frozen=True)
class Op:
    kind: str
    tflite: tuple[str, ...]
    kconfig: str
    kernels: dict[str, Kernel]


@dataclass(frozen=True)
class Spec:
    params: dict[str, tuple[Param, ...]]
    ops: dict[str, Op]
    geometry_max: int

    @property
    def kernels(self) -> dict[str, Kernel]:
        return {k.name: k for op in self.ops.values() for k in op.kernels.values()}

    def param(self, ctype: str, name: str) -> Param:
        for p in self.params[ctype]:
            if p.name == name:
                return p
        raise KeyError(f"{ctype} has no field {name!r}")


def _flat(items) -> list[str]:
    out: list[str] = []
    for it in items or []:
        out.extend(_flat(it) if isinstance(it, list) else [str(it)])
    return out


def _operand(text: str) -> Operand:
    words = text.split()
    flags = ("optional", "state", "variadic")
    if len(words) not in (2, 3) or (len(words) == 3 and words[2] not in flags):
        raise ValueError(
            f"ops.yaml: operand {text!r}: expected 'name dtype [optional|state|variadic]'"
        )
    flag = words[2] if len(words) == 3 else ""
    return Operand(words[0], words[1], flag == "optional", flag == "state", flag == "variadic")


@cache
def load(path: Path = SPEC_PATH) -> Spec:
    import yaml  # here, so the Kconfig tools (which need BACKENDS only) run without it

    doc = yaml.safe_load(Path(path).read_text())
    gmax = int(doc["geometry_max"])
    params: dict[str, tuple[Param, ...]] = {}
    for ctype, fields in doc["params"].items():
        ps = []
        for f in fields:
            rng = f.get("range")
            if rng is not None:
                rng = tuple(gmax if v == "geometry_max" else int(v) for v in rng)
            ps.append(Param(f["name"], f["type"], rng, f.get("doc", "")))
        params[ctype] = tuple(ps)
    ops: dict[str, Op] = {}
    for kind, o in doc["ops"].items():
        kernels: dict[str, Kernel] = {}
        for name, k in o["kernels"].items():
            ctype = k["params"]
            known = {p.name for p in params[ctype]}
            ints, floats = tuple(_flat(k.get("ints"))), tuple(_flat(k.get("floats")))
            for n in ints + floats:
                if n not in known:
                    raise ValueError(f"ops.yaml: {name}: {n!r} is not a field of {ctype}")
            backends = {}
            for b, opts in (k.get("backends") or {}).items():
                if b not in BACKENDS:
                    raise ValueError(f"ops.yaml: {name}: unknown backend {b!r}")
                opts = opts or {}
                arch = tuple(opts["arch"]) if "arch" in opts else None
                backends[b] = Backend(b, arch, bool(opts.get("scratch", False)))
            out_words = str(k["output"]).split()
            if len(out_words) not in (1, 2) or out_words[1:] not in ([], ["variadic"]):
                raise ValueError(f"ops.yaml: {name}: output {k['output']!r}: 'dtype [variadic]'")
            inputs = tuple(_operand(t) for t in k["inputs"])
            if any(o.variadic for o in inputs[:-1]):
                raise ValueError(f"ops.yaml: {name}: only the last input may be variadic")
            kernels[name] = Kernel(
                name,
                kind,
                ctype,
                inputs,
                out_words[0],
                ints,
                floats,
                backends,
                len(out_words) == 2,
            )
        ops[kind] = Op(kind, tuple(o["tflite"]), o["kconfig"], kernels)
    return Spec(params, ops, gmax)
