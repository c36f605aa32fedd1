/* fuzz/fuzz_arch.c — the architecture YAML loader (arch/arch.c).  Plugins named in the input are
 * only recorded by the loader, never dlopen'ed here. */
#include "arch/arch.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    myelin_arch *a = NULL;
    myelin_error err;
    if (myelin_arch_load_string(text, "fuzz-arch.yaml", &a, &err) == 0) {
        for (int b = 0; b <= 33; b++) {
            (void)myelin_arch_weight_bits_ok(a, b);
            (void)myelin_arch_membrane_bits_ok(a, b);
        }
        myelin_arch_free(a);
    }
    free(text);
    return 0;
}
