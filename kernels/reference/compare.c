/* EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL (mode 0..5) on int8 with
 * broadcasting, bool (one byte, 0/1) out. TFLite Micro always rescales both inputs first,
 * as ADD does with left_shift 8: (x - zp) << 8 times scale as a multiplier < 1, so inputs of
 * different quantizations compare by value (equal quantizations too: the rounding can merge
 * neighbours, which is why the raw integers are not compared). The walk: broadcast.h. */
#include "broadcast.h"

/* bit (sign(s1 - s2) + 1) of each mode's mask: the truth for <, ==, > */
static const uint8_t compare_masks[6] = {0x2u, 0x5u, 0x4u, 0x6u, 0x1u, 0x3u};

static inline uint8_t compare_one(const lwai_elementwise_params *p, int32_t a, int32_t b)
{
    const int32_t s1 = lwai_align_input(a, p->input1_offset, p->left_shift,
                                        p->input1_multiplier, p->input1_shift);
    const int32_t s2 = lwai_align_input(b, p->input2_offset, p->left_shift,
                                        p->input2_multiplier, p->input2_shift);
    const int32_t order = (s1 > s2) - (s1 < s2) + 1;
    return (uint8_t)((compare_masks[p->mode] >> order) & 1u);
}

LWAI_BCAST_WALKER(compare_walk_s8, int8_t, uint8_t, lwai_elementwise_params, compare_one)

lwai_status lwai_compare_s8(const lwai_elementwise_params *params, const lwai_dims *input1_dims,
                            const int8_t *input1, const lwai_dims *input2_dims,
                            const int8_t *input2, const lwai_dims *output_dims,
                            uint8_t *output)
{
    if (params != 0 &&
        (params->mode < 0 || params->mode > 5 || params->left_shift < 0 ||
         params->left_shift > 20 || params->input1_shift < -31 || params->input1_shift > 0 ||
         params->input2_shift < -31 || params->input2_shift > 0)) {
        return LWAI_ERR_INVALID_ARG;
    }
    return compare_walk_s8(params, input1_dims, input1, input2_dims, input2, output_dims,
                           output);
}
