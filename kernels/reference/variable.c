/* A TFLite resource variable's reset (lwai/frontend/variables.py): its bytes back to the
 * value CALL_ONCE's init subgraph leaves (or TFLM's default fill). The graph executor calls
 * it from its reset; reads and writes of the variable are byte copies (lwai_reshape). */
#include <string.h>

#include "lwai/kernels.h"

lwai_status lwai_variable(const lwai_reshape_params *params, const void *init, void *state)
{
    if (params == 0 || init == 0 || state == 0) {
        return LWAI_ERR_INVALID_ARG;
    }
    if (init != state) {
        memmove(state, init, params->bytes);
    }
    return LWAI_OK;
}
