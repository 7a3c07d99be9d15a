"""Python twin of the scratch sizes of lwai's Cortex-M55 (Armv8.1-M, Helium/MVE) kernels
(``kernels/optimized/armv81m/*.c``, ``lwai_<op>_opt_s8_get_buffer_size``), so the compiler
plans the arena without running C. ``tests/test_kernels_optimized.py`` checks it equal to
the C functions on every generated case."""

from __future__ import annotations

Dims = tuple[int, int, int, int]

# conv2d.c: lwai_mve_chan (kc, mult, left, right: 4 int32) per output channel, then
# CONV_PIX im2col rows of kh * kw * cin bytes.
CHAN_BYTES = 16
CONV_PIX = 4
# depthwise_conv2d.c: lwai_dw3_group, 8 channels of the 3x3 path (4 vectors of 2 x 4
# int32, 9 x 8 weights, 8 bytes of alignment padding).
DW3_GROUP_BYTES = 4 * 2 * 4 * 4 + 9 * 8 + 8


def _conv2d(fields: dict[str, int | float], dims: list[Dims]) -> int:
    (_, ih, iw, cin), (_, kh, kw, fc), (_, oh, ow, cout) = dims[0], dims[1], dims[2]
    if fc != cin:
        return 0  # grouped: the reference kernel
    sh, sw = int(fields.get("stride_h", 1)), int(fields.get("stride_w", 1))
    direct = (
        kh == 1
        and kw == 1
        and int(fields.get("pad_top", 0)) == 0
        and int(fields.get("pad_left", 0)) == 0
        and (oh == 0 or (oh - 1) * sh < ih)
        and (ow == 0 or (ow - 1) * sw < iw)
    )
    if not direct and not -127 <= int(fields.get("input_offset", 0)) <= 128:
        return 0  # padding value not an int8: the reference kernel
    return CHAN_BYTES * cout + (0 if direct else CONV_PIX * kh * kw * fc)


def buffer_size(kernel: str, fields: dict[str, int | float], dims: list[Dims]) -> int:
    """Bytes of ctx->buf the kernel needs. ``fields`` are the params struct fields by name;
    ``dims`` the dims arguments of the C size function in order (conv, depthwise and fully
    connected: input, filter, output; pooling: input, output)."""
    if kernel == "conv2d_s8":
        return _conv2d(fields, dims)
    if kernel == "depthwise_conv2d_s8":
        (_, kh, kw, _), (_, _, _, cout) = dims[1], dims[2]
        dw3 = (
            kh == 3
            and kw == 3
            and int(fields.get("depth_multiplier", 1)) == 1
            and int(fields.get("dilation_h", 1)) == 1
            and int(fields.get("dilation_w", 1)) == 1
        )
        return DW3_GROUP_BYTES * ((cout + 7) // 8) + 9 * cout if dw3 else 0
    if kernel == "fully_connected_s8":
        if int(fields.get("filter_offset", 0)) != 0:
            return 0  # a filter zero point: the reference kernel
        cout = dims[2][3]
        return 4 * 4 * ((cout + 3) // 4 * 4)  # kc, mult, left, right per channel
    if kernel == "avg_pool2d_s8":
        return 0
    if kernel in ("max_pool2d_s8", "add_s8", "mul_s8", "softmax_s8"):
        return 0  # no lwai_context parameter at all
    raise ValueError(f"no Armv8.1-M optimized kernel '{kernel}'")
