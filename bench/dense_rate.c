/* bench/dense_rate.c — `make bench-dense`: where the dense int8 path (myelin_kernel_dense_i8),
 * the event-driven column path (myelin_kernel_column_i16) and the event-driven gather / scatter
 * (myelin_kernel_synapse_i) win as the input rate grows, on the layer shapes of the zoo models, and
 * the same for float weights (dense double path against the double column path).  Prints, per
 * shape and rate, the CPU microseconds per call of each (best of several repetitions) and the
 * ratios to the dense path; where they cross 1 sets MYELIN_DENSE_RATE_*, MYELIN_COLUMN_RATE_DEN
 * and MYELIN_COLUMN_D_RATE_* in models/kernels.h.  Inputs are seeded random spikes (value 1, a
 * few 2s as after a residual add); weights int8 (int16 rows for the column path), doubles.  The
 * dense, column and tile paths are timed as the engine runs them on its int32-current layers
 * (myelin_kernel_synapse_iw_set32_path: currents = sums, int32); the event path is the int64
 * gather / scatter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/rng.h"
#include "models/kernels.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* An argument: only the shapes whose name contains it (e.g. `bench/dense_rate tiny`). */
int main(int argc, char **argv)
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
        /* the small models' narrow and 64-wide layers (linear ones as the engine runs them: the
         * T = 4 steps' tokens in one call) */
        {16, 16, 8, 16, 3, "tiny stem conv1 (16x16, 3x3, 8->16)"},
        {16, 16, 16, 32, 3, "tiny stem conv2 (16x16, 3x3, 16->32)"},
        {8, 8, 32, 64, 3, "tiny stem conv3 (8x8, 3x3, 32->64)"},
        {4, 4, 64, 64, 3, "tiny rpe (4x4, 3x3, 64->64)"},
        {64, 1, 64, 64, 1, "tiny q/k/v/proj (4x16 tokens, 64->64)"},
        {64, 1, 64, 256, 1, "tiny fc1 (4x16 tokens, 64->256)"},
        {64, 1, 256, 64, 1, "tiny fc2 (4x16 tokens, 256->64)"},
        {28, 28, 8, 16, 3, "fashion stem conv1 (28x28, 3x3, 8->16)"},
        {7, 7, 32, 64, 3, "fashion stem conv3 (7x7, 3x3, 32->64)"},
        {7, 7, 64, 64, 3, "fashion rpe (7x7, 3x3, 64->64)"},
        {196, 1, 64, 64, 1, "fashion q/k/v/proj (4x49 tokens, 64->64)"},
        {196, 1, 256, 64, 1, "fashion fc2 (4x49 tokens, 256->64)"},
    };
    static const double rates[] = {0.01, 0.02, 0.04, 0.06, 0.08, 0.12, 0.16, 0.25, 0.5, 0.75};
    printf("isa %d (2 AVX-512BW, 1 AVX2, 0 portable)\n", myelin_kernel_dense_isa());
    printf("%-40s %5s %9s %9s %9s %8s %8s %9s %9s %8s %8s %8s\n", "layer", "rate", "event us",
           "dense us", "column us", "ev/dns", "col/dns", "dense_d", "column_d", "cd/dd", "tile us",
           "tile/dns");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        if (argc > 1 && !strstr(shapes[s].name, argv[1]))
            continue;
        int h = shapes[s].h, w = shapes[s].w, ci = shapes[s].ci, co = shapes[s].co, k = shapes[s].k;
        int64_t n_in = (int64_t)h * w * ci, n_w = (int64_t)k * k * ci * co, n_out = (int64_t)h * w * co;
        int32_t *in = calloc((size_t)n_in, sizeof *in);
        int8_t *w8 = malloc((size_t)n_w);
        int16_t *w16 = malloc(sizeof *w16 * (size_t)n_w);
        int64_t sccb = myelin_kernel_column_scratch_bytes(h, w, ci, k);
        uint8_t *scc = malloc((size_t)sccb);
        int32_t *acc32 = malloc(sizeof *acc32 * (size_t)(h * w * co));
        int8_t *pk = malloc((size_t)myelin_kernel_dense_packed_bytes(ci, co, k));
        /* the engine's scratch: a 3x3 layer's input turned into bytes once */
        int64_t sbytes = myelin_kernel_dense_scratch_img_bytes(h, w, ci, k);
        uint8_t *scr = malloc((size_t)sbytes);
        int64_t *acc = calloc((size_t)n_out, sizeof *acc);
        double *wf = malloc(sizeof *wf * (size_t)n_w), *accd = calloc((size_t)n_out, sizeof *accd);
        /* 64-byte aligned, as the engine allocates it (the column path's row loads then never
         * split a cache line) */
        size_t pd_bytes = (sizeof(double) * (size_t)myelin_kernel_dense_packed_d_len(ci, co, k) + 63) /
                          64 * 64;
        double *pd = aligned_alloc(64, pd_bytes);
        int64_t sdd = myelin_kernel_dense_scratch_d_bytes(ci, k);
        int64_t scd = myelin_kernel_column_d_scratch_bytes(h, w, ci, k);
        uint8_t *sd = malloc((size_t)(sdd > scd ? sdd : scd));
        int tile_ok = co <= MYELIN_TILE_MAX_CO; /* the int32 tile path takes narrow layers only */
        int64_t stb = myelin_kernel_tile_scratch_bytes(h, w, ci, co);
        uint8_t *stile = malloc((size_t)stb);
        if (!in || !w8 || !w16 || !scc || !pk || !scr || !acc || !wf || !accd || !pd || !sd ||
            !stile || !acc32) {
            fprintf(stderr, "dense_rate: out of memory\n");
            return 70;
        }
        myelin_rng r;
        myelin_rng_seed(&r, 1, (uint64_t)s);
        for (int64_t i = 0; i < n_w; i++)
            w16[i] = w8[i] = (int8_t)((int)myelin_rng_below(&r, 255) - 127);
        for (int64_t i = 0; i < n_w; i++)
            wf[i] = w8[i] / 64.0;
        myelin_kernel_dense_pack(w8, ci, co, k, pk);
        myelin_kernel_dense_pack_d(wf, ci, co, k, pd);
        myelin_kweights kw = {w8, NULL, NULL, 127, NULL, 0, NULL};
        /* the engine's spike-input layers: int16 rows (column, tile) and packed int8 (dense) */
        myelin_kweights kw32 = {NULL, w16, NULL, 127, pk, 1, NULL};
        for (size_t q = 0; q < sizeof rates / sizeof rates[0]; q++) {
            for (int64_t i = 0; i < n_in; i++)
                in[i] = myelin_rng_uniform(&r) < rates[q] ? 1 + (myelin_rng_below(&r, 8) == 0) : 0;
            double best[6] = {1e30, 1e30, 1e30, 1e30, 1e30, 1e30};
            int with_d = myelin_kernel_dense_isa() == 2; /* the double column path needs AVX-512F */
            for (int rep = 0; rep < 5; rep++)
                for (int path = 0; path < 6; path++) {
                    if ((path >= 3 && path <= 4 && !with_d) || (path == 5 && !tile_ok))
                        continue;
                    int calls = 0;
                    double t0 = cpu_s(), t1;
                    do {
                        if (path == 0)
                            myelin_kernel_synapse_i(in, h, w, ci, &kw, co, k, 0, co, acc, NULL);
                        else if (path == 1 &&
                                 myelin_kernel_synapse_iw_set32_path(in, h, w, ci, &kw32, co, k, 0,
                                                                     NULL, acc32, NULL, scr, sbytes,
                                                                     2, -1, MYELIN_PATH_DENSE)) {
                            fprintf(stderr, "dense_rate: the dense path refused the input\n");
                            return 70;
                        } else if (path == 2 &&
                                   myelin_kernel_synapse_iw_set32_path(in, h, w, ci, &kw32, co, k, 0,
                                                                       NULL, acc32, NULL, scc,
                                                                       sccb, 2, -1,
                                                                       MYELIN_PATH_COLUMN)) {
                            fprintf(stderr, "dense_rate: the column path refused the input\n");
                            return 70;
                        } else if (path == 3)
                            myelin_kernel_dense_d(in, h, w, ci, pd, co, k, 0, co, accd, NULL, sd,
                                                  -1);
                        else if (path == 4 && myelin_kernel_column_d(in, h, w, ci, wf, pd, co, k, 0, co,
                                                                     accd, NULL, sd)) {
                            fprintf(stderr, "dense_rate: the double column path refused\n");
                            return 70;
                        } else if (path == 5 &&
                                   myelin_kernel_synapse_iw_set32_path(in, h, w, ci, &kw32, co, k, 0,
                                                                       NULL, acc32, NULL, stile, stb,
                                                                       2, -1, MYELIN_PATH_TILE)) {
                            fprintf(stderr, "dense_rate: the tile path refused\n");
                            return 70;
                        }
                        calls++;
                        t1 = cpu_s();
                    } while (t1 - t0 < 0.02);
                    double us = 1e6 * (t1 - t0) / calls;
                    best[path] = us < best[path] ? us : best[path];
                }
            printf("%-40s %5.2f %9.1f %9.1f %9.1f %8.2f %8.2f %9.1f %9.1f %8.2f", shapes[s].name,
                   rates[q], best[0], best[1], best[2], best[0] / best[1], best[2] / best[1],
                   best[3], best[4], best[4] / best[3]);
            if (tile_ok)
                printf(" %8.1f %8.2f", best[5], best[5] / best[1]);
            printf("\n");
        }
        free(in), free(w8), free(w16), free(scc), free(pk), free(scr), free(acc), free(acc32);
        free(wf), free(accd), free(pd), free(sd), free(stile);
    }
    return 0;
}
