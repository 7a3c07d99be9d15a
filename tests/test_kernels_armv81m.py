"""Cortex-M55 (MVE) kernels: the requantization helpers of kernels/optimized/armv81m/
mve_common.h against the reference's lwai_mul_by_quantized_multiplier on qemu-cortex-m55,
over the corners the generated kernel cases rarely reach (INT32_MIN/INT32_MAX accumulators,
exact halves, multipliers 0, 2^30, INT32_MAX and INT32_MIN, shifts -31 .. +31). The kernels
themselves are compared with the reference and TFLite Micro by test_kernels_optimized.py."""

from __future__ import annotations

import shutil

import backend_harness as bh
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
    reason="needs arm-none-eabi-gcc and qemu-system-arm",
)

_MAIN = r"""
#include <stdint.h>
#include "lwai/board.h"
#include "MVE_COMMON"

static int32_t rec[4];
static uint32_t rng = 12345u;
static uint32_t rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng ^ (rng >> 16);
}

int main(int argc, char **argv)
{
    static const int32_t mults[] = {0, 1 << 30, INT32_MAX, INT32_MIN, 1518500250, 1073741825};
    static const int32_t accs[] = {0, 1, -1, INT32_MAX, INT32_MIN, 1 << 20, -(1 << 20),
                                   3 << 19, -(3 << 19), 12345, -12345};
    int32_t i, j, lane, total = 0, bad_n = 0, bad_v = 0, bad_lr = 0;
    lwai_board_init();
    if (argc < 2) {
        return 2;
    }
    for (i = 0; i < 8000; ++i) {
        int32_t acc[4], rn[4], rv[4], rl[4], m, s;
        int32x4_t a;
        m = i < 6 * 63 ? mults[i % 6] : (int32_t)(0x40000000u | (rnd() & 0x3fffffffu));
        s = i < 6 * 63 ? i / 6 - 31 : (int32_t)(rnd() % 63u) - 31;
        for (j = 0; j < 4; ++j) {
            const uint32_t r = rnd();
            acc[j] = (r & 3u) == 0 ? accs[rnd() % 11u]
                   : (r & 3u) == 1 ? (int32_t)(rnd() % 64u) * (1 << (rnd() % 26u)) - (1 << 25)
                                   : (int32_t)rnd();
        }
        a = vld1q_s32(acc);
        vst1q_s32(rn, lwai_mve_requant_n(a, m, s > 0 ? s : 0, s > 0 ? 0 : s));
        vst1q_s32(rv, lwai_mve_requant_v(a, vdupq_n_s32(m), vdupq_n_s32(s)));
        vst1q_s32(rl, lwai_mve_requant_lr(a, vdupq_n_s32(m), vdupq_n_s32(s > 0 ? s : 0),
                                          vdupq_n_s32(s > 0 ? 0 : s)));
        for (lane = 0; lane < 4; ++lane) {
            const int32_t ref = lwai_mul_by_quantized_multiplier(acc[lane], m, s);
            bad_n += rn[lane] != ref;
            bad_v += rv[lane] != ref;
            bad_lr += rl[lane] != ref;
            ++total;
        }
    }
    rec[0] = total;
    rec[1] = bad_n;
    rec[2] = bad_v;
    rec[3] = bad_lr;
    return lwai_board_write_file(argv[1], rec, sizeof rec) == 0 ? 0 : 1;
}
"""


def test_mve_requantization_bit_exact(tmp_path):
    common = bh.OPT_DIR / "armv81m" / "mve_common.h"
    main_c = tmp_path / "mve_requant.c"
    main_c.write_text(_MAIN.replace("MVE_COMMON", str(common)))
    elf = bh.build_image("qemu-cortex-m55", main_c, None, tmp_path)
    out = tmp_path / "requant.bin"
    bh.run_image("qemu-cortex-m55", elf, out)
    total, bad_n, bad_v, bad_lr = np.frombuffer(out.read_bytes(), dtype="<i4").tolist()
    assert total == 32000
    assert (bad_n, bad_v, bad_lr) == (0, 0, 0)
