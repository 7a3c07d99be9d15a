/* libFuzzer target "run": load, bind and run a .lwfb model with the whole runtime (loader,
 * executor, registry, reference kernels), from any bytes libFuzzer makes out of the seed
 * models. The checksum is recomputed before loading (inputs without a Model.crc32 field are
 * loaded as they are), so bit flips, insertions and cross-overs reach the structural and
 * contract checks, and whatever passes them runs (fuzz_load_and_run). */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *file = fuzz_copy(data, size);
    (void)fuzz_lwfb_reseal(file, size);
    (void)fuzz_load_and_run(fuzz_load_lwfb, file, size);
    free(file);
    return 0;
}
