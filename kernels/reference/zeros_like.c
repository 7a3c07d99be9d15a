/* ZEROS_LIKE: the output's bytes set to 0 (the raw integer / float 0 of any dtype, not the
 * zero point, as TFLite Micro). A kernel rather than a constant so that a model whose
 * output is a ZEROS_LIKE still has a computed output; the input is only its shape. */
#include <string.h>

#include "lwai/kernels.h"

lwai_status lwai_zeros_like(const lwai_reshape_params *params, const void *input, void *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    memset(output, 0, params->bytes);
    return LWAI_OK;
}
