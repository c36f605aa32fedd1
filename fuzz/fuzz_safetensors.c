/* fuzz/fuzz_safetensors.c — the safetensors reader (header JSON, offsets, dtypes) and the weights
 * binding to the tiny workload (names, shapes, conversions). */
#include "fuzz/fuzz_common.h"
#include "workloads/safetensors.h"
#include "workloads/weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    myelin_st_file *f = NULL;
    myelin_error err;
    if (myelin_st_open_memory(data, size, "fuzz.safetensors", &f, &err) == 0) {
        int n = myelin_st_count(f);
        for (int i = 0; i < n; i++) {
            const myelin_st_tensor *t = myelin_st_at(f, i);
            if (t && t->numel > 0 && t->numel < (1 << 20)) {
                double *d = malloc((size_t)t->numel * sizeof *d);
                if (d)
                    (void)myelin_st_to_f64(t, d, &err);
                free(d);
            }
        }
        myelin_st_close(f);
    }
    myelin_weights *w = NULL;
    if (myelin_weights_load_memory(fuzz_tiny(), data, size, "fuzz.safetensors", &w, &err) == 0)
        myelin_weights_free(w);
    return 0;
}
