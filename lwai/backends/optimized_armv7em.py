"""Python twin of the scratch sizes of lwai's Armv7E-M kernels
(``kernels/optimized/armv7em/*.c``, ``lwai_<op>_opt_s8_get_buffer_size``), so the compiler
plans the arena without running C. ``tests/test_kernels_optimized.py`` checks it equal to
the C functions on every generated case."""

from __future__ import annotations

Dims = tuple[int, int, int, int]

# Output pixels per im2col block of conv2d.c (LWAI_CONV_PIX).
CONV_PIX = 4


def buffer_size(kernel: str, fields: dict[str, int | float], dims: list[Dims]) -> int:
    """Bytes of ctx->buf the kernel needs. ``fields`` are the params struct fields by name;
    ``dims`` the dims arguments of the C size function in order (conv, depthwise and fully
    connected: input, filter, output; pooling: input, output)."""
    if kernel == "conv2d_s8":
        (_, ih, iw, cin), (_, kh, kw, fc), (_, oh, ow, _) = dims[0], dims[1], dims[2]
        offset = int(fields.get("input_offset", 0))
        if cin != fc or not -127 <= offset <= 128:
            return 0  # grouped conv, or a zero point outside int8: the reference kernel
        k = kh * kw * fc
        sh, sw = int(fields.get("stride_h", 1)), int(fields.get("stride_w", 1))
        # 1x1 taps all inside the input: the patch is the input pixel (no staging row)
        direct = (
            kh == 1
            and kw == 1
            and int(fields.get("pad_top", 0)) == 0
            and int(fields.get("pad_left", 0)) == 0
            and (oh == 0 or (oh - 1) * sh < ih)
            and (ow == 0 or (ow - 1) * sw < iw)
        )
        return CONV_PIX * 2 * k + (0 if direct else (k + 3) // 4 * 4)
    if kernel in ("depthwise_conv2d_s8", "fully_connected_s8", "avg_pool2d_s8"):
        return 0
    if kernel in ("max_pool2d_s8", "add_s8", "mul_s8", "softmax_s8"):
        return 0  # no lwai_context parameter at all
    raise ValueError(f"no Armv7E-M optimized kernel '{kernel}'")
