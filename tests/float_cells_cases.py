"""Generated float32 single-op cases for TFLite Micro ops lwai leaves to TVM's C code
(elementwise math): odd shapes, broadcasting for the binary ops, values over each op's
domain. Packed many per image like tests/int_io_cases.py (whose build() they use).
"""

from __future__ import annotations

import int_io_cases as ic
import numpy as np

# op -> input domain: "any", "pos" (> 0), "small" (|x| < 20, for EXP)
UNARY = {
    "ABS": "any",
    "NEG": "any",
    "SQUARE": "any",
    "FLOOR": "any",
    "CEIL": "any",
    "ROUND": "halves",
    "EXP": "small",
    "LOG": "pos",
    "SQRT": "pos",
    "RSQRT": "pos",
    "SIN": "any",
    "COS": "any",
}
BINARY = ("MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "DIV")
OPS = (*UNARY, *BINARY)


def _values(rng, shape, domain: str) -> np.ndarray:
    x = rng.standard_normal(shape).astype(np.float32)
    if domain == "pos":
        return (np.abs(x) * np.float32(10.0 ** rng.uniform(-2, 2)) + np.float32(1e-3)).astype(
            np.float32
        )
    if domain == "small":
        return (x * np.float32(5.0)).astype(np.float32)
    if domain == "halves":  # exact .5 ties (TFLite rounds them to even), and the rest
        h = (rng.integers(-20, 20, shape) + 0.5).astype(np.float32)
        return np.where(rng.random(shape) < 0.5, h, x * np.float32(10.0)).astype(np.float32)
    return (x * np.float32(10.0 ** rng.uniform(-1, 2))).astype(np.float32)


def generate(op: str, n: int, seed: int) -> list[ic.Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        a, b, out = ic._shapes(rng)
        if op in UNARY:
            case = ic.Case(f"{op.lower()}{i}", op, [ic.Operand("float32", a)], "float32", a)
            case.values = [_values(rng, a, UNARY[op])]
        else:
            ops = [ic.Operand("float32", a), ic.Operand("float32", b)]
            case = ic.Case(f"{op.lower()}{i}", op, ops, "float32", out)
            case.values = [_values(rng, a, "any"), _values(rng, b, "any")]
            if op == "DIV":  # keep divisors away from 0
                v = case.values[1]
                case.values[1] = np.where(np.abs(v) < 0.1, np.float32(0.5), v).astype(np.float32)
        cases.append(case)
    return cases
