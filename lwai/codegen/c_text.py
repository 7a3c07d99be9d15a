"""Small helpers that print Python values as C99 text."""

from __future__ import annotations

import math

import numpy as np

C_TYPES = {
    "int8": "int8_t",
    "uint8": "uint8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "float32": "float",
    "float64": "double",
    "bool": "uint8_t",
    "uint32": "uint32_t",  # signal custom ops
    "uint64": "uint64_t",
}
DTYPE_CODES = {  # DLPack (code, bits)
    "int8": (0, 8),
    "int16": (0, 16),
    "int32": (0, 32),
    "int64": (0, 64),
    "uint8": (1, 8),
    "bool": (1, 8),
    "float32": (2, 32),
    "float64": (2, 64),  # TVM intermediates (e.g. the hybrid ops' zero-point arithmetic)
    "uint32": (1, 32),  # signal custom ops
    "uint64": (1, 64),
}
LWAI_DTYPES = {
    "int8": "LWAI_DTYPE_INT8",
    "uint8": "LWAI_DTYPE_UINT8",
    "int16": "LWAI_DTYPE_INT16",
    "int32": "LWAI_DTYPE_INT32",
    "float32": "LWAI_DTYPE_FLOAT32",
    "int64": "LWAI_DTYPE_INT64",
    "bool": "LWAI_DTYPE_BOOL",
    "uint32": "LWAI_DTYPE_UINT32",  # signal custom ops (spectra)
    "uint64": "LWAI_DTYPE_UINT64",
}


def c_float(v: float) -> str:
    v = float(np.float32(v))
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return f"{v:.9g}f" if ("e" in f"{v:.9g}" or "." in f"{v:.9g}") else f"{v:.9g}.0f"


def c_string(s: str) -> str:
    out = s.encode("ascii", "replace").decode().replace("\\", "\\\\").replace('"', '\\"')
    return f'"{out}"'


def c_array_body(data: np.ndarray, per_line: int = 24) -> str:
    flat = np.ascontiguousarray(data).reshape(-1)
    if flat.dtype == np.float64:  # TVM's double intermediates: every bit kept
        items = [c_float(v) if not np.isfinite(v) else f"{float(v)!r}" for v in flat]
        items = [v.removesuffix("f") for v in items]
    elif flat.dtype == np.float32:
        items = [c_float(v) for v in flat]
    elif flat.dtype == np.bool_:
        items = [str(int(v)) for v in flat]
    else:
        items = [str(int(v)) for v in flat]
        if flat.dtype == np.int64:
            # INT64_MIN has no literal (9223372036854775808 overflows int64_t before the minus)
            items = [f"INT64_C({v})" if int(v) != -(2**63) else "INT64_MIN" for v in items]
        if flat.dtype == np.int32:
            items = [v if int(v) != -(2**31) else "INT32_MIN" for v in items]
    if not items:
        items = ["0"]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "    " + ",\n    ".join(lines)


def c_const_array(name: str, data: np.ndarray) -> str:
    ctype = C_TYPES[str(data.dtype)]
    n = max(int(data.size), 1)
    return f"static const {ctype} {name}[{n}] LWAI_CONST_ALIGN = {{\n{c_array_body(data)}\n}};\n"
