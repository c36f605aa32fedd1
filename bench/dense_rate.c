/* bench/dense_rate.c — `make bench-dense`: where the dense int8 path (myelin_kernel_dense_i8) beats
 * the event-driven one (myelin_kernel_synapse_i: the output-stationary gather, or the scatter on
 * narrow layers) as the input rate grows, on the layer shapes of the zoo models.  Prints, per shape
 * and rate, the CPU microseconds per call of each (best of several repetitions) and their ratio;
 * the rate where the ratio crosses 1 sets MYELIN_DENSE_RATE_NUM / _DEN in models/kernels.h.
 * Inputs are seeded random spikes (value 1, a few 2s as after a residual add); weights int8. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/rng.h"
#include "models/kernels.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
    /* h, w, c_in, c_out, kernel, name */
    static const struct {
        int h, w, ci, co, k;
        const char *name;
    } shapes[] = {
        {64, 1, 384, 384, 1, "4-384 q/k/v/proj (64 tokens, 384->384)"},
        {64, 1, 384, 1536, 1, "4-384 MLP fc1 (64 tokens, 384->1536)"},
        {64, 1, 1536, 384, 1, "4-384 MLP fc2 (64 tokens, 1536->384)"},
        {32, 32, 48, 96, 3, "4-384 stem conv1 (32x32, 3x3, 48->96)"},
        {16, 16, 192, 384, 3, "4-384 stem conv3 (16x16, 3x3, 192->384)"},
        {49, 1, 64, 256, 1, "fashion MLP fc1 (49 tokens, 64->256)"},
        {14, 14, 16, 32, 3, "fashion stem conv (14x14, 3x3, 16->32)"},
    };
    static const double rates[] = {0.01, 0.02, 0.04, 0.06, 0.08, 0.12, 0.16, 0.25, 0.5, 0.75};
    printf("isa %d (2 AVX-512BW, 1 AVX2, 0 portable)\n", myelin_kernel_dense_isa());
    printf("%-42s %6s %10s %10s %10s %9s %9s\n", "layer", "rate", "event us", "dense us",
           "column us", "ev/dense", "col/dense");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int h = shapes[s].h, w = shapes[s].w, ci = shapes[s].ci, co = shapes[s].co, k = shapes[s].k;
        int64_t n_in = (int64_t)h * w * ci, n_w = (int64_t)k * k * ci * co, n_out = (int64_t)h * w * co;
        int32_t *in = calloc((size_t)n_in, sizeof *in);
        int8_t *w8 = malloc((size_t)n_w);
        int16_t *w16 = malloc(sizeof *w16 * (size_t)n_w);
        uint8_t *scc = malloc((size_t)myelin_kernel_column_scratch_bytes(h, w, ci, k));
        int8_t *pk = malloc((size_t)myelin_kernel_dense_packed_bytes(ci, co, k));
        uint8_t *scr = malloc((size_t)myelin_kernel_dense_scratch_bytes(ci, k));
        int64_t *acc = calloc((size_t)n_out, sizeof *acc);
        if (!in || !w8 || !w16 || !scc || !pk || !scr || !acc) {
            fprintf(stderr, "dense_rate: out of memory\n");
            return 70;
        }
        myelin_rng r;
        myelin_rng_seed(&r, 1, (uint64_t)s);
        for (int64_t i = 0; i < n_w; i++)
            w16[i] = w8[i] = (int8_t)((int)myelin_rng_below(&r, 255) - 127);
        myelin_kernel_dense_pack(w8, ci, co, k, pk);
        myelin_kweights kw = {w8, NULL, NULL, 127, NULL};
        for (size_t q = 0; q < sizeof rates / sizeof rates[0]; q++) {
            for (int64_t i = 0; i < n_in; i++)
                in[i] = myelin_rng_uniform(&r) < rates[q] ? 1 + (myelin_rng_below(&r, 8) == 0) : 0;
            double best[3] = {1e30, 1e30, 1e30};
            for (int rep = 0; rep < 5; rep++)
                for (int path = 0; path < 3; path++) {
                    int calls = 0;
                    double t0 = cpu_s(), t1;
                    do {
                        if (path == 0)
                            myelin_kernel_synapse_i(in, h, w, ci, &kw, co, k, 0, co, acc, NULL);
                        else if (path == 1 && myelin_kernel_dense_i8(in, h, w, ci, pk, 127, co, k, 0,
                                                                     co, acc, NULL, scr, -1)) {
                            fprintf(stderr, "dense_rate: the dense path refused the input\n");
                            return 70;
                        } else if (path == 2 && myelin_kernel_column_i16(in, h, w, ci, w16, 127, co,
                                                                         k, 0, co, acc, NULL, scc,
                                                                         -1)) {
                            fprintf(stderr, "dense_rate: the column path refused the input\n");
                            return 70;
                        }
                        calls++;
                        t1 = cpu_s();
                    } while (t1 - t0 < 0.02);
                    double us = 1e6 * (t1 - t0) / calls;
                    best[path] = us < best[path] ? us : best[path];
                }
            printf("%-42s %6.2f %10.1f %10.1f %10.1f %9.2f %9.2f\n", shapes[s].name, rates[q],
                   best[0], best[1], best[2], best[0] / best[1], best[2] / best[1]);
        }
        free(in), free(w8), free(w16), free(scc), free(pk), free(scr), free(acc);
    }
    return 0;
}
