"""Generated resource-variable cases (lwai/frontend/variables.py) for tests/test_variables.py.

A case is a small stateful program over one or two variables of one dtype (VAR_HANDLE,
READ_VARIABLE, ASSIGN_VARIABLE), run for several invocations:

- ``acc``: v = op(v, x); out = v (an accumulator: READ, op with the input, ASSIGN, READ)
- ``counter``: v = op(v, k) with a constant k (LOGICAL_NOT for bool); out = v
- ``delay``: out = v; v = x (the input one invocation late)
- ``swap``: a, b = b, op(a, x) (or a); out = b (two variables, a second VAR_HANDLE of one)
- ``const``: out = v; v = k (the init value once, then k)

One CALL_ONCE (operator 0) runs an init subgraph assigning constants to most variables
(some twice, some through an ADD of two constants, some not at all: those start from
TFLite Micro's default fill, the int8-cast zero point byte). Cases are packed in groups of
one dtype and quantization: the group's cases RESHAPE one flat group input to their shape,
and their flattened results are CONCATENATEd five to an output (uint8, which TFLM cannot
concatenate: one output each).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lwai.tflite_writer import ModelBuilder

DTYPES = ("float32", "int8", "int16", "int32", "int64", "bool", "uint8")
N_IN = 12  # elements of a group's input; cases with an input take a shape of 12 elements
IN_SHAPES = ((12,), (3, 4), (2, 6), (2, 2, 3), (1, 3, 4), (4, 3), (6, 2), (12, 1), (2, 3, 2))
# dtype -> the binary ops TFLM and lwai both run on it (the variables' update)
OPS = {
    "float32": ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"),
    "int32": ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"),
    "int64": ("MAXIMUM", "MINIMUM"),
    "bool": ("LOGICAL_OR", "LOGICAL_AND"),
    "int8": ("ADD", "MAXIMUM", "MINIMUM"),
    "int16": ("ADD", "MAXIMUM", "MINIMUM"),
    "uint8": (),
}
CONCAT = 5  # results per output
# (images) groups: (dtype, (scale, zero point) or None) x cases
IMAGES = (
    (("float32", None), ("float32", None), ("int32", None), ("int32", None)),
    (("int64", None), ("int64", None), ("bool", None), ("bool", None)),
    (("int8", (0.05, -128)), ("int8", (0.37, 41)), ("int16", (0.001, 0)), ("int16", (0.25, 0))),
    (("uint8", (0.02, 128)),),
    (("uint8", (0.5, 255)),),
)
PER_GROUP = {"uint8": 10}  # cases per group (uint8: one output each: 11 files an image)


@dataclass
class Case:
    name: str
    dtype: str
    kind: str
    shape: tuple[int, ...]
    op: str = ""
    const: np.ndarray | None = None  # counter's k / const's k
    inits: list = field(default_factory=list)  # per variable: None or ("set"|"twice"|"add", ...)
    container: str = ""

    @property
    def uses_input(self) -> bool:
        return self.kind in ("acc", "delay") or (self.kind == "swap" and bool(self.op))


def values(rng, dtype: str, shape) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        return (rng.standard_normal(shape) * 3).astype(np.float32)
    if dtype == "int32":
        return rng.integers(-1000, 1000, shape).astype(np.int32)
    if dtype == "int64":
        return rng.integers(-(2**40), 2**40, shape).astype(np.int64)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def generate(dtype: str, n: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    kinds = (
        ["acc", "counter", "delay", "swap", "const"] if OPS[dtype] else ["delay", "swap", "const"]
    )
    cases = []
    for j in range(n):
        kind = kinds[j % len(kinds)]
        op = (
            str(rng.choice(OPS[dtype])) if OPS[dtype] and kind in ("acc", "counter", "swap") else ""
        )
        if kind == "swap" and rng.random() < 0.3:
            op = ""  # a plain swap
        c = Case(f"v{j}_{dtype}", dtype, kind, (), op)
        if c.uses_input:
            c.shape = IN_SHAPES[int(rng.integers(0, len(IN_SHAPES)))]
        else:
            c.shape = tuple(int(d) for d in rng.integers(1, 6, int(rng.integers(1, 4))))
        if kind == "counter" and dtype in ("int32", "float32"):
            c.const = np.array(rng.integers(-3, 4), dtype)  # (MUL grows slowly)
        elif kind in ("counter", "const"):
            c.const = values(rng, dtype, c.shape)
        for _ in range(2 if kind == "swap" else 1):
            r = rng.random()
            if r < 0.2:
                c.inits.append(None)  # TFLM's default fill
            elif r < 0.35:
                c.inits.append(("twice", values(rng, dtype, c.shape), values(rng, dtype, c.shape)))
            elif r < 0.5 and dtype in ("int32", "float32"):
                c.inits.append(("add", values(rng, dtype, c.shape), values(rng, dtype, c.shape)))
            else:
                c.inits.append(("set", values(rng, dtype, c.shape)))
        c.container = "ctr" if rng.random() < 0.25 else ""
        cases.append(c)
    return cases


def images(seed: int = 2400) -> list[list[tuple[str, tuple | None, list[Case]]]]:
    """The images: each a list of groups (dtype, quantization, cases)."""
    out = []
    counters: dict[str, int] = {}
    for k, groups in enumerate(IMAGES):
        image = []
        for g, (dtype, quant) in enumerate(groups):
            first = counters.get(dtype, 0)
            n = PER_GROUP.get(dtype, 10)
            cases = generate(dtype, n, seed + 97 * k + g)
            for i, c in enumerate(cases):
                c.name = f"v{first + i}_{dtype}"
            counters[dtype] = first + n
            image.append((dtype, quant, cases))
        out.append(image)
    return out


def build(image, invocations: int, seed: int) -> tuple[bytes, list[np.ndarray], dict]:
    """(model, feeds stacked over ``invocations``, layout: case -> (output, offset, size))."""
    rng = np.random.default_rng(seed)
    mb = ModelBuilder("lwai variable cases")
    init = ModelBuilder()
    mb.add_op("CALL_ONCE", [], [], {"init_subgraph_index": 1})
    feeds, outputs, layout = [], [], {}
    for g, (dtype, quant, cases) in enumerate(image):
        q = {} if quant is None else {"scale": quant[0], "zero_point": quant[1]}
        x = None
        if any(c.uses_input for c in cases):
            x = mb.add_tensor(f"g{g}_x", (N_IN,), dtype, **q)
            mb.inputs.append(x)
            feeds.append(np.stack([values(rng, dtype, (N_IN,)) for _ in range(invocations)]))
        flats = []
        for c in cases:
            flats.append((c, _case(mb, init, c, x, q)))
        groups = [flats] if dtype != "uint8" else [[f] for f in flats]
        if dtype != "uint8":
            groups = [flats[i : i + CONCAT] for i in range(0, len(flats), CONCAT)]
        for part in groups:
            if len(part) == 1:
                out = part[0][1]
            else:
                size = sum(int(np.prod(c.shape)) for c, _ in part)
                out = mb.add_tensor(f"out{len(outputs)}", (size,), dtype, **q)
                mb.add_op("CONCATENATION", [f for _, f in part], [out], {"axis": 0})
            off = 0
            for c, _ in part:
                layout[c.name] = (len(outputs), off, int(np.prod(c.shape)))
                off += int(np.prod(c.shape))
            outputs.append(out)
    mb.outputs = outputs
    mb.subgraphs = [init]
    return mb.build(), feeds, layout


def _case(mb: ModelBuilder, init: ModelBuilder, c: Case, x, q: dict) -> int:
    """Adds case ``c``'s ops; returns its flat result tensor."""
    d, s, n = c.dtype, c.shape, c.name

    def t(tag: str, data=None):
        return mb.add_tensor(f"{n}_{tag}", s, d, data=data, **q)

    def handle(k: int, tag: str = "h") -> int:
        h = mb.add_tensor(f"{n}_{tag}{k}", (), "resource")
        opts = {"shared_name": f"{n}_var{k}"}
        if c.container:
            opts["container"] = c.container
        mb.add_op("VAR_HANDLE", [], [h], opts)
        return h

    for k, how in enumerate(c.inits):  # CALL_ONCE's init subgraph
        if how is None:
            continue
        h = init.add_tensor(f"{n}_ih{k}", (), "resource")
        opts = {"shared_name": f"{n}_var{k}"}
        if c.container:
            opts["container"] = c.container
        init.add_op("VAR_HANDLE", [], [h], opts)
        if how[0] == "add":
            a = init.add_tensor(f"{n}_ia{k}", s, d, data=how[1], **q)
            b = init.add_tensor(f"{n}_ib{k}", s, d, data=how[2], **q)
            v = init.add_tensor(f"{n}_iv{k}", s, d, **q)
            init.add_op("ADD", [a, b], [v])
            init.add_op("ASSIGN_VARIABLE", [h, v], [])
        else:
            for m, val in enumerate(how[1:]):  # "twice": the last assignment stays
                v = init.add_tensor(f"{n}_iv{k}_{m}", s, d, data=val, **q)
                init.add_op("ASSIGN_VARIABLE", [h, v], [])
    xs = None
    if c.uses_input:
        xs = t("x")
        mb.add_op("RESHAPE", [x], [xs], {"new_shape": list(s)})
    h = handle(0)
    if c.kind in ("acc", "counter"):
        r, y, o = t("r"), t("y"), t("o")
        mb.add_op("READ_VARIABLE", [h], [r])
        if c.kind == "acc":
            mb.add_op(c.op, [r, xs], [y])
        elif c.dtype == "bool":
            mb.add_op("LOGICAL_NOT", [r], [y])
        else:
            k = mb.add_tensor(f"{n}_k", c.const.shape, d, data=c.const, **q)
            mb.add_op(c.op, [r, k], [y])
        mb.add_op("ASSIGN_VARIABLE", [h, y], [])
        mb.add_op("READ_VARIABLE", [h], [o])
    elif c.kind == "delay":
        o = t("o")
        mb.add_op("READ_VARIABLE", [h], [o])
        mb.add_op("ASSIGN_VARIABLE", [h, xs], [])
    elif c.kind == "const":
        o = t("o")
        mb.add_op("READ_VARIABLE", [h], [o])
        mb.add_op("ASSIGN_VARIABLE", [h, t("k", c.const)], [])
    else:  # swap: a, b = b, op(a, x); out = b (read through a second handle of b)
        hb = handle(1)
        ra, rb, o = t("ra"), t("rb"), t("o")
        mb.add_op("READ_VARIABLE", [h], [ra])
        mb.add_op("READ_VARIABLE", [hb], [rb])
        mb.add_op("ASSIGN_VARIABLE", [h, rb], [])
        nb = ra
        if c.op:
            nb = t("nb")
            mb.add_op(c.op, [ra, xs], [nb])
        mb.add_op("ASSIGN_VARIABLE", [hb, nb], [])
        hb2 = handle(1, "hh")
        mb.add_op("READ_VARIABLE", [hb2], [o])
    flat = mb.add_tensor(f"{n}_f", (int(np.prod(s)),), d, **q)
    mb.add_op("RESHAPE", [o], [flat], {"new_shape": [int(np.prod(s))]})
    return flat
