/* fuzz/fuzz_workload.c — the workload YAML loader (base/yaml + the workload schema and graph checks). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    myelin_workload *wl = NULL;
    myelin_error err;
    if (myelin_workload_load_string(text, "fuzz.yaml", &wl, &err) == 0) {
        (void)myelin_workload_params(wl);
        for (int i = 0; i < wl->n_layers; i++) {
            (void)myelin_layer_dense_macs(&wl->layers[i]);
            (void)myelin_layer_neurons(&wl->layers[i]);
        }
        myelin_workload_free(wl);
    }
    free(text);
    return 0;
}
