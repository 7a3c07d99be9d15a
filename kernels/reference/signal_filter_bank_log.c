/* SignalFilterBankLog: natural log in TFLM's fixed point. log2 = integer part (bit
 * count - 1) + fraction, the fraction refined by a 128-segment correction table with linear
 * interpolation; then * ln 2 (45426 / 2^16) and * output_scale / 2^16, each rounded, all in
 * uint32 arithmetic like TFLM's; saturated to 32767. Inputs <= 1 after the correction shift
 * give 0. */
#include "signal_common.h"

/* round(2^16 * (log2(1 + i/128) - i/128)) for i = 0..128, plus one padding 0: the error of
 * the linear log2 approximation on segment i (it reproduces TFLM's table entry for entry). */
static const uint16_t log_correction[130] = {
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329,
    2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068,
    4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123,
    5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595,
    5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568,
    5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106,
    5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264,
    4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084,
    2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605,
    1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
};

static uint32_t log2_fraction(uint32_t x, uint32_t log2x)
{
    /* x - 2^log2x < 2^31 here; the fraction as Q16, then corrected */
    int32_t frac = (int32_t)(x - (1u << log2x));
    uint32_t seg;
    int32_t c0, c1, rel;
    if (log2x < 16u) {
        frac = (int32_t)((uint32_t)frac << (16u - log2x));
    } else {
        frac >>= log2x - 16u;
    }
    seg = (uint32_t)frac >> 9; /* 2^16 / 128 per segment */
    c0 = log_correction[seg];
    c1 = log_correction[seg + 1u];
    rel = ((c1 - c0) * (frac - (int32_t)(seg << 9))) >> 16;
    return (uint32_t)(frac + c0 + rel);
}

static uint32_t log32(uint32_t x, uint32_t out_scale)
{
    const uint32_t integer = lwai_signal_msb32(x) - 1u;
    const uint32_t log2 = (integer << 16) + log2_fraction(x, integer);
    const uint32_t loge = (uint32_t)(((uint64_t)45426u * log2 + 32768u) >> 16);
    return (out_scale * loge + 32768u) >> 16; /* uint32, wrapping as TFLM's */
}

lwai_status lwai_signal_filter_bank_log_u32(const lwai_signal_params *params,
                                            const lwai_dims *input_dims, const uint32_t *input,
                                            const lwai_dims *output_dims, int16_t *output)
{
    const int32_t n = lwai_signal_count(input_dims);
    int32_t i;
    if (params == 0 || input == 0 || output == 0 || n < 1 || lwai_signal_count(output_dims) != n ||
        params->input_correction_bits < 0 || params->input_correction_bits > 31) {
        return LWAI_ERR_INVALID_ARG;
    }
    for (i = 0; i < n; ++i) {
        const uint32_t scaled = input[i] << params->input_correction_bits;
        int16_t v = 0;
        if (scaled > 1u) {
            const uint32_t l = log32(scaled, (uint32_t)params->output_scale);
            v = (int16_t)(l < 32767u ? l : 32767u);
        }
        output[i] = v;
    }
    return LWAI_OK;
}
