"""The CMSIS-NN backend: where the user's CMSIS-NN checkout is, what to build from it, and
the Python twin of the adapters' C ``*_get_buffer_size`` functions
(``kernels/thirdparty/cmsis_nn/``).

CMSIS-NN is not vendored: the user points ``LWAI_CMSIS_NN_PATH`` (Kconfig or environment)
at a checkout holding ``Include/arm_nnfunctions.h`` (docs/cmsis-nn.md).

The sizes reproduce CMSIS-NN's own formulas as GCC compiles them (a few differ under
armclang, which lwai does not build with) at the commit they were checked against
(ARM-software/CMSIS-NN 4ab83cc), for ``armv7em`` (DSP extension: Cortex-M4/M7/M33) and
``armv81m`` (Helium/MVE: Cortex-M55/M85), for the path the adapter takes, then the adapters'
layout: CMSIS-NN's bytes rounded up to 16, plus the adapters' extras (per-tensor quant
expanded to per-channel arrays, 8 bytes per output channel, for conv, depthwise and Helium
FC; a zero bias, 4 bytes per output channel, for grouped convs; the transposed filter of a
one-input-channel conv run as a depthwise on Armv7E-M). ``tests/test_cmsis_nn.py`` checks
every size against the C function on both CPUs.
"""

from __future__ import annotations

from pathlib import Path

from lwai.errors import LwaiError

ARCHS = ("armv7em", "armv81m")
ENV = "LWAI_CMSIS_NN_PATH"
# CMSIS-NN keeps sizes in uint16_t and sums of them in int16: the adapters run the reference
# unless every size, stride, dilation - 1 and every pad is below 2^15 (cmsis_nn_common.h).
LIMIT = 1 << 15
CH_IN_BLOCK_MVE = 124  # arm_nnsupportfunctions.h
# arm_depthwise_conv_wrapper_s8 turns a 1-input-channel depthwise into a conv above this
# many output channels on Helium (1 with GCC, 8 with armclang).
DW_TO_CONV_THRESHOLD = 1

Dims = tuple[int, int, int, int]


def check_path(value: str | None) -> Path:
    """The CMSIS-NN root ``value`` names, or an error saying what is wrong with it."""
    hint = (
        f"Set {ENV} (Kconfig or environment) to a CMSIS-NN checkout, the folder holding "
        "Include/arm_nnfunctions.h; see docs/cmsis-nn.md"
    )
    if value is None or not str(value).strip():
        raise LwaiError(ENV, "is not set, so the cmsis-nn kernel backend cannot be built", hint)
    root = Path(str(value).strip()).expanduser()
    if not root.is_dir():
        raise LwaiError(ENV, f"'{root}' is not a directory", hint)
    if not (root / "Include" / "arm_nnfunctions.h").is_file():
        nested = root / "CMSIS" / "NN"
        if (nested / "Include" / "arm_nnfunctions.h").is_file():
            hint = f"This looks like a CMSIS tree: use {nested}"
        raise LwaiError(ENV, f"'{root}' has no Include/arm_nnfunctions.h", hint)
    return root.resolve()


def include_dirs(root: Path) -> list[Path]:
    """Include folders for CMSIS-NN's sources and the adapters."""
    root = check_path(str(root))
    return [root / "Include"]


def sources(root: Path) -> list[Path]:
    """CMSIS-NN's integer sources (every ``Source/*/*.c`` but the float16/float32 ones, which
    need ARM_NN_ENABLE_F16/F32); the linker's --gc-sections keeps what the adapters call."""
    root = check_path(str(root))
    files = sorted((root / "Source").glob("*/*.c"))
    files = [f for f in files if not f.stem.endswith(("_f16", "_f32", "_flt"))]
    if not files:
        raise LwaiError(ENV, f"'{root}' has no Source/*/*.c", "Is it a complete checkout?")
    return files


# ---- buffer sizes --------------------------------------------------------------------------


def _align16(n: int) -> int:
    return (n + 15) & ~15


def _cdiv(a: int, b: int) -> int:
    """C's truncating integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _cmod(a: int, b: int) -> int:
    """C's remainder (sign of the dividend)."""
    return a - _cdiv(a, b) * b


def _limits_ok(values: list[int]) -> bool:
    """The adapters' OR-chain test: every value in [0, 2^15) (sizes passed as size - 1)."""
    return all(0 <= v < LIMIT for v in values)


def _hwc(d: Dims) -> list[int]:
    return [d[1] - 1, d[2] - 1, d[3] - 1]


def _i(fields: dict[str, int | float], name: str, default: int = 0) -> int:
    return int(fields.get(name, default))


def _conv_limits(f: dict[str, int | float], i: Dims, w: Dims, o: Dims) -> bool:
    vals = _hwc(i) + _hwc(w) + _hwc(o)
    vals += [_i(f, k, 1) - 1 for k in ("stride_h", "stride_w", "dilation_h", "dilation_w")]
    vals += [_i(f, "pad_top"), _i(f, "pad_left")]
    return i[0] >= 1 and _limits_ok(vals)


def _conv_supported(f: dict[str, int | float], i: Dims, w: Dims, o: Dims) -> bool:
    if not _conv_limits(f, i, w, o):
        return False
    return i[3] % w[3] == 0 and o[3] == w[0] and i[0] == o[0] and o[3] % (i[3] // w[3]) == 0


def _is_1x1(pt: int, pl: int, dh: int, dw: int, i: Dims, w: Dims) -> bool:
    return pt == 0 and pl == 0 and w[1] == 1 and w[2] == 1 and dh == 1 and dw == 1 and i[3] == w[3]


def _is_1_x_n(sw: int, dw: int, i: Dims, w: Dims) -> bool:
    return i[1] == 1 and dw == 1 and w[1] == 1 and (sw * i[3]) % 4 == 0 and i[3] == w[3]


def _safe_1_x_n(pt: int, pl: int, sw: int, i: Dims, w: Dims, o: Dims) -> bool:
    """arm_convolve_1_x_n_s8 (Helium) computes this padding right (TFLite's SAME split)."""
    total = (o[2] - 1) * sw + w[2] - i[2]
    return total >= 0 and pl * 2 + total % 2 == total and pt == 0 and o[1] == 1


def _conv_s8_size(mve: bool, i: Dims, w: Dims) -> int:
    """arm_convolve_s8_get_buffer_size (rhs_cols from the input's channels, as CMSIS-NN)."""
    cols = i[3] * w[1] * w[2]
    if mve:
        return 4 * ((cols + 15) // 16) * 16
    aligned = cols + (4 - cols % 4) % 4
    return 2 * aligned * 2


def _conv_1_x_n_size_mve(pl: int, sw: int, i: Dims, w: Dims, o: Dims) -> int:
    """arm_convolve_1_x_n_s8_get_buffer_size_mve (C arithmetic)."""
    kx, ox, ix, c = w[2], o[2], i[2], i[3]
    total = (ox - 1) * sw + kx - ix
    asym = _cmod(total, 2)
    right = max(1, _cdiv(pl + asym + sw - 1, sw)) if pl + asym != 0 else 0
    left = max(1, _cdiv(pl + sw - 1, sw)) if pl != 0 else 0
    no_pad = max(ox - (right + left), 0)
    if right + no_pad + left != ox:
        return _conv_s8_size(True, i, w)
    pad_left = pl * c
    pad_right = right * c if asym else pad_left
    n_left = kx * c
    n_right = n_left - c
    return max(n_left + pad_left, n_right + pad_right)


def _conv_wrapper_size(
    mve: bool, pt: int, pl: int, sw: int, dh: int, dw: int, i: Dims, w: Dims, o: Dims
) -> int:
    """arm_convolve_wrapper_s8_get_buffer_size for the target (GCC: the 1x1 paths take 0)."""
    if _is_1x1(pt, pl, dh, dw, i, w):
        return 0
    if _is_1_x_n(sw, dw, i, w):
        return _conv_1_x_n_size_mve(pl, sw, i, w, o) if mve else _conv_s8_size(False, i, w)
    return _conv_s8_size(mve, i, w)


def _conv_cmsis_bytes(mve: bool, f: dict[str, int | float], i: Dims, w: Dims, o: Dims) -> int:
    sh, sw = _i(f, "stride_h", 1), _i(f, "stride_w", 1)
    dh, dw = _i(f, "dilation_h", 1), _i(f, "dilation_w", 1)
    pt, pl = _i(f, "pad_top"), _i(f, "pad_left")
    if not mve and i[3] == 1 and w[3] == 1 and o[3] % 4 == 0 and i[0] == 1 and dh == dw == 1:
        return _align16(o[3] * w[1] * w[2])  # run as a depthwise conv: the transposed filter
    generic = False
    if _is_1x1(pt, pl, dh, dw, i, w):
        generic = o[1] != (i[1] - 1) // sh + 1 or o[2] != (i[2] - 1) // sw + 1
    elif mve and _is_1_x_n(sw, dw, i, w):
        generic = not _safe_1_x_n(pt, pl, sw, i, w, o)
    if generic:
        n = _conv_s8_size(mve, i, w)
    else:
        n = _conv_wrapper_size(mve, pt, pl, sw, dh, dw, i, w, o)
    return _align16(n)


def _conv2d(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    i, w, o = dims
    if not _conv_supported(f, i, w, o):
        return 0
    extra = 8 * o[3] + (4 * o[3] if i[3] != w[3] else 0)
    return _conv_cmsis_bytes(mve, f, i, w, o) + extra


def _dw_supported(f: dict[str, int | float], i: Dims, w: Dims, o: Dims) -> bool:
    dm = _i(f, "depth_multiplier", 1)
    if dm < 1 or not _conv_limits(f, i, w, o):
        return False
    return w[0] == 1 and w[3] == o[3] and o[3] == i[3] * dm and i[0] == o[0]


def _depthwise_conv2d(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    i, w, o = dims
    if not _dw_supported(f, i, w, o):
        return 0
    sw = _i(f, "stride_w", 1)
    dh, dw = _i(f, "dilation_h", 1), _i(f, "dilation_w", 1)
    pt, pl = _i(f, "pad_top"), _i(f, "pad_left")
    extra = 8 * o[3]
    if mve and i[3] == 1 and o[3] > DW_TO_CONV_THRESHOLD:
        # arm_depthwise_conv_wrapper_s8 runs a conv over the filter transposed to
        # {Cout, KH, KW, 1} after the conv's own scratch
        cw: Dims = (w[3], w[1], w[2], w[0])
        if _is_1_x_n(sw, dw, i, cw) and not _safe_1_x_n(pt, pl, sw, i, cw, o):
            return extra  # the adapter calls arm_depthwise_conv_s8 directly: no scratch
        n = _conv_wrapper_size(True, pt, pl, sw, dh, dw, i, cw, o) + w[0] * w[1] * w[2] * w[3]
        return _align16(n) + extra
    n = 0
    if i[3] == o[3] and i[0] == 1 and dh == 1 and dw == 1:
        if mve:
            n = 4 * CH_IN_BLOCK_MVE * w[1] * w[2]
        elif not (w[1] == 3 and w[2] == 3 and pt <= 1 and pl <= 1):
            n = i[3] * w[1] * w[2] * 2
    return _align16(n) + extra


def _fully_connected(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    i, w, o = dims
    if _i(f, "filter_offset") != 0 or min(i[0], i[3], w[0], w[3]) < 1:
        return 0
    if not (i[1] == i[2] == w[1] == w[2] == o[1] == o[2] == 1):
        return 0
    if w[3] != i[3] or o[0] != i[0] or o[3] != w[0]:
        return 0
    # Helium: run as a 1x1 conv, per-channel quant arrays in the scratch; Armv7E-M:
    # arm_fully_connected_s8_get_buffer_size, 0
    return _align16(8 * w[0]) if mve else 0


def _pool_supported(f: dict[str, int | float], i: Dims, o: Dims) -> bool:
    if i[0] < 1 or i[0] != o[0] or i[3] != o[3]:
        return False
    sh, sw = _i(f, "stride_h", 1), _i(f, "stride_w", 1)
    fh, fw = _i(f, "filter_h", 1), _i(f, "filter_w", 1)
    pt, pl = _i(f, "pad_top"), _i(f, "pad_left")
    if not _limits_ok(_hwc(i) + _hwc(o) + [sh - 1, sw - 1, fh - 1, fw - 1, pt, pl]):
        return False
    return pt < fh and pl < fw and (o[1] - 1) * sh - pt < i[1] and (o[2] - 1) * sw - pl < i[2]


def _avg_pool2d(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    i, o = dims
    if not _pool_supported(f, i, o):
        return 0
    # arm_avgpool_s8_get_buffer_size: one int32 sum per channel on DSP, none on Helium
    return 0 if mve else _align16(4 * i[3])


_SIZES = {
    "conv2d_s8": (_conv2d, 3),
    "depthwise_conv2d_s8": (_depthwise_conv2d, 3),
    "fully_connected_s8": (_fully_connected, 3),
    "avg_pool2d_s8": (_avg_pool2d, 2),
}


def _svdf(mve: bool, f: dict, d: list[Dims]) -> int:
    """svdf.c: arm_svdf_state_s16_s8's two int32 buffers (time dot products [batch,
    filters], unit sums [batch, units]), each rounded to 16; none for a state zero point
    != 0 or a rank beyond int16 (the reference runs). dims: input, weights_feature,
    weights_time, state, output."""
    (b, ih, iw, _), (fn, fh, fw, _), (_, th, tw, mem) = d[0], d[1], d[2]
    rank = int(f.get("rank", 1))
    ok = f.get("state_zero_point", 0) == 0 and 1 <= rank <= 32767 and b >= 1 and mem >= 1
    if not ok or (ih, iw, fh, fw, th, tw) != (1,) * 6 or fn < 1:
        return 0
    return _align16(4 * b * fn) + _align16(4 * b * (fn // rank))


_SIZES["svdf_s8"] = (_svdf, 5)


# ---- 16x8 kernels (conv2d.c, depthwise_conv2d.c, avg_pool2d.c: the *_s16 adapters) ------

S16_MAX_TAPS = 511  # CMSIS-NN's int32 sums of int16 x int8 products: exact up to 511 of them


def _act16_ok(f: dict[str, int | float]) -> bool:
    lo, hi = _i(f, "act_min", -32768), _i(f, "act_max", 32767)
    return -32768 <= lo <= hi <= 32767


def _conv2d_s16(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    """arm_convolve_wrapper_s16_get_buffer_size (im2col of two (DSP) or four (Helium, in
    8-element lanes) output columns), then 8 bytes of per-channel quant per output channel
    and 4 of int32 bias when acc32; 0 where the reference runs (groups, > 511 taps with an
    int64 bias on Armv7E-M, 16-bit limits)."""
    i, w, o = dims
    acc32 = _i(f, "acc32") != 0
    if not (_conv_limits(f, i, w, o) and i[3] == w[3] and o[3] == w[0] and i[0] == o[0]):
        return 0
    cols = w[3] * w[1] * w[2]
    if not _act16_ok(f) or (not acc32 and not mve and cols > S16_MAX_TAPS):
        return 0
    n = 4 * ((cols + 7) // 8) * 8 * 2 if mve else 2 * cols * 2
    return _align16(n) + (12 if acc32 else 8) * o[3]


def _depthwise_conv2d_s16(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    """arm_depthwise_conv_wrapper_s16_get_buffer_size (the fast kernel's im2col: multiplier
    1, no dilation, < 512 taps; else none), then 8 bytes of per-channel quant per output
    channel; 0 where the reference runs (acc32, 16-bit limits)."""
    i, w, o = dims
    dm = _i(f, "depth_multiplier", 1)
    if _i(f, "acc32") != 0 or dm < 1 or not _act16_ok(f) or not _conv_limits(f, i, w, o):
        return 0
    if not (dm - 1 < LIMIT and w[0] == 1 and w[3] == o[3] and i[0] == o[0] and i[3] * dm == o[3]):
        return 0
    n = 0
    if dm == 1 and _i(f, "dilation_h", 1) == 1 and _i(f, "dilation_w", 1) == 1:
        taps = w[1] * w[2]
        if taps < 512:
            n = 4 * i[3] * taps * 2 + 8 if mve else i[3] * taps * 2
    return _align16(n) + 8 * o[3]


def _avg_pool2d_s16(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    """arm_avgpool_s16_get_buffer_size: one int32 sum per channel on DSP, none on Helium;
    0 where the reference runs (lwai_cmsis_pool16_supported)."""
    i, o = dims
    if not _act16_ok(f) or not _pool_supported(f, i, o):
        return 0
    if _i(f, "filter_h", 1) * _i(f, "filter_w", 1) > 65535:
        return 0
    return 0 if mve else _align16(4 * i[3])


_SIZES["conv2d_s16"] = (_conv2d_s16, 3)
_SIZES["depthwise_conv2d_s16"] = (_depthwise_conv2d_s16, 3)
_SIZES["avg_pool2d_s16"] = (_avg_pool2d_s16, 2)


def _lstm_s8(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    """lstm.c: the effective biases (8 x cell int32) and three int16 buffers of batch x
    cell (two gates, the recurrent FC), each rounded to 16; 0 where the reference runs.
    dims: input, output ({batch, time, 1, features})."""
    i, o = dims
    ok = (
        min(i[0], i[1], i[3], o[3]) >= 1
        and i[2] == o[2] == 1
        and (o[0], o[1]) == (i[0], i[1])
        and max(i[0], i[1], i[3], o[3]) <= 32767
        and _i(f, "time_major") in (0, 1)
        and _i(f, "cell_clip", -1) >= -1
        and -43 <= _i(f, "cell_scale_power") <= 2
    )
    if not ok:
        return 0
    return _align16(32 * o[3]) + 3 * _align16(2 * o[0] * o[3])


_SIZES["lstm_s8"] = (_lstm_s8, 2)


def _lstm_s16(mve: bool, f: dict[str, int | float], dims: list[Dims]) -> int:
    """lstm.c (16x8): a zero int64 vector of cell and three int16 buffers of batch x cell,
    each rounded to 16; 0 where the reference runs (lstm_s8's shape rules)."""
    if not _lstm_s8(mve, f, dims):
        return 0
    o = dims[1]
    return _align16(8 * o[3]) + 3 * _align16(2 * o[0] * o[3])


_SIZES["lstm_s16"] = (_lstm_s16, 2)

NO_SCRATCH = (
    "max_pool2d_s8",
    "add_s8",
    "mul_s8",
    "softmax_s8",
    "fully_connected_s16",
    "max_pool2d_s16",
    "add_s16",
    "mul_s16",
)


def buffer_size(
    arch: str, kernel: str, fields: dict[str, int | float], dims: list[tuple[int, int, int, int]]
) -> int:
    """Bytes of scratch ``lwai_<op>_cmsis_s8_get_buffer_size`` returns on ``arch`` for
    ``kernel`` ("conv2d_s8", ...), the params ``fields`` by name and the size function's
    ``dims`` (conv, depthwise, FC: input, filter, output; average pool: input, output)."""
    if arch not in ARCHS:
        raise LwaiError(
            "cmsis-nn", f"no kernels for CPU architecture '{arch}'", f"Use one of {ARCHS}"
        )
    if kernel in NO_SCRATCH:
        return 0
    if kernel not in _SIZES:
        raise LwaiError("cmsis-nn", f"no kernel '{kernel}'")
    fn, n_dims = _SIZES[kernel]
    if len(dims) != n_dims:
        raise LwaiError(
            "cmsis-nn", f"{kernel}: expected {n_dims} dims (the size function's), got {len(dims)}"
        )
    return fn(arch == "armv81m", fields, [tuple(int(v) for v in d) for d in dims])
