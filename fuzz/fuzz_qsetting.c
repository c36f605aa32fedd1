/* fuzz/fuzz_qsetting.c — the quantization-setting YAML loader and its resolution against a workload. */
#include "fuzz/fuzz_common.h"
#include "workloads/qsetting.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const myelin_workload *wl = fuzz_tiny();
    char *text = fuzz_cstr(data, size);
    myelin_qsetting *q = NULL;
    myelin_error err;
    if (myelin_qsetting_load_string(text, "fuzz-q.yaml", &q, &err) == 0) {
        myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
        if (lq)
            (void)myelin_qsetting_resolve(q, wl, lq, &err);
        (void)myelin_qsetting_input_bits(q);
        free(lq);
        myelin_qsetting_free(q);
    }
    free(text);
    return 0;
}
