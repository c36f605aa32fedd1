/* tests/check_engine.c — the kernels on hand-computed cases and the engine on a hand-built
 * one-block Spikformer graph with seeded random weights (float vs 16-bit, determinism, drift,
 * errors). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "models/kernels.h"
#include "sim/engine.h"
#include "tests/suites.h"

/* ---- kernels ---------------------------------------------------------------------------------- */

/* Direct (gather) convolution, PyTorch cross-correlation, for comparison with the scatter. */
static void direct_conv(const int32_t *in, int h, int w, int ci_n, const int32_t *wq, int co_n, int k,
                        int64_t *out)
{
    int pad = k / 2;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int co = 0; co < co_n; co++) {
                int64_t s = 0;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int iy = y + ky - pad, ix = x + kx - pad;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        for (int ci = 0; ci < ci_n; ci++)
                            s += (int64_t)in[(iy * w + ix) * ci_n + ci] *
                                 wq[((ky * k + kx) * ci_n + ci) * co_n + co];
                    }
                out[(y * w + x) * co_n + co] = s;
            }
}

static const struct {
    int h, w, ci, co, k, co_lo, co_hi;
} scatter_cases[] = {
    {5, 4, 3, 6, 3, 0, 6}, {5, 4, 3, 6, 3, 2, 5}, {7, 1, 4, 5, 1, 0, 5}, {3, 3, 2, 4, 1, 1, 3},
    {1, 1, 2, 3, 3, 0, 3},
};

START_TEST(test_scatter_vs_direct)
{
    int h = scatter_cases[_i].h, w = scatter_cases[_i].w, ci = scatter_cases[_i].ci;
    int co = scatter_cases[_i].co, k = scatter_cases[_i].k;
    int lo = scatter_cases[_i].co_lo, hi = scatter_cases[_i].co_hi;
    myelin_rng r;
    myelin_rng_seed(&r, 7, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int64_t *acc = calloc((size_t)n_out, sizeof *acc), *ref = calloc((size_t)n_out, sizeof *ref);
    double *inf = calloc((size_t)n_in, sizeof *inf), *wf = calloc((size_t)n_w, sizeof *wf);
    double *accf = calloc((size_t)n_out, sizeof *accf), *accd = calloc((size_t)n_out, sizeof *accd);
    int64_t nonzero = 0;
    for (int i = 0; i < n_in; i++) {
        in[i] = (int32_t)myelin_rng_below(&r, 3) * (myelin_rng_below(&r, 2) ? 1 : 0);
        inf[i] = in[i];
        nonzero += in[i] != 0;
    }
    for (int i = 0; i < n_w; i++) {
        wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127;
        wf[i] = wq[i];
    }
    myelin_kcounts kc = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, acc, &kc);
    myelin_kernel_scatter_id(in, h, w, ci, wf, co, k, lo, hi, accf, NULL);
    myelin_kernel_scatter_d(inf, h, w, ci, wf, co, k, lo, hi, accd, NULL);
    direct_conv(in, h, w, ci, wq, co, k, ref);
    for (int p = 0; p < h * w; p++)
        for (int c = 0; c < co; c++) {
            int64_t want = (c >= lo && c < hi) ? ref[p * co + c] : 0;
            ck_assert_int_eq(acc[p * co + c], want);
            ck_assert(accf[p * co + c] == (double)want);
            ck_assert(accd[p * co + c] == (double)want);
        }
    ck_assert_int_eq(kc.events, nonzero);
    ck_assert_int_le(kc.synops, nonzero * k * k * (hi - lo));
    ck_assert(nonzero == 0 || kc.synops > 0);
    free(in), free(wq), free(acc), free(ref), free(inf), free(wf), free(accf), free(accd);
}
END_TEST


/* The gather path (int8 / int16 weights, int32 tiles) and the narrow scatter give the same
 * accumulators and counts as the int64 scatter, on layers wide enough that the tiles and channel
 * blocks are partial (positions not a multiple of 8, channels over 256); the int32 bound check
 * refuses an input that could overflow. */
START_TEST(test_gather_vs_scatter)
{
    static const int cs[][6] = {{5, 7, 70, 300, 3, 0}, {9, 1, 64, 80, 1, 0}, {4, 3, 33, 270, 3, 1}};
    int h = cs[_i][0], w = cs[_i][1], ci = cs[_i][2], co = cs[_i][3], k = cs[_i][4];
    int lo = cs[_i][5] ? 5 : 0, hi = cs[_i][5] ? co - 3 : co;
    myelin_rng r;
    myelin_rng_seed(&r, 11, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int8_t *w8 = calloc((size_t)n_w, 1);
    int16_t *w16 = calloc((size_t)n_w, sizeof *w16);
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *a8 = calloc((size_t)n_out, sizeof *a8);
    int64_t *a16 = calloc((size_t)n_out, sizeof *a16), *as = calloc((size_t)n_out, sizeof *as);
    for (int i = 0; i < n_in; i++) /* rates ~50 %, values 1..3 and negative ones */
        in[i] = myelin_rng_below(&r, 2) ? (int32_t)myelin_rng_below(&r, 7) - 3 : 0;
    for (int i = 0; i < n_w; i++) {
        wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127;
        w8[i] = (int8_t)wq[i];
        w16[i] = (int16_t)(wq[i] * 200);
    }
    myelin_kcounts kr = {0}, k8 = {0}, k16 = {0}, ks = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &kr);
    ck_assert_int_eq(myelin_kernel_gather_i8(in, h, w, ci, w8, co, k, lo, hi, 127, a8, &k8), 0);
    myelin_kernel_scatter_i16(in, h, w, ci, w16, co, k, lo, hi, as, &ks);
    ck_assert_int_eq(myelin_kernel_gather_i16(in, h, w, ci, w16, co, k, lo, hi, 127 * 200, a16, &k16),
                     0);
    for (int i = 0; i < n_out; i++) {
        ck_assert_int_eq(a8[i], ref[i]);
        ck_assert_int_eq(a16[i], ref[i] * 200);
        ck_assert_int_eq(as[i], ref[i] * 200);
    }
    ck_assert_int_eq(k8.events, kr.events);
    ck_assert_int_eq(k8.synops, kr.synops);
    ck_assert_int_eq(k16.synops, kr.synops);
    ck_assert_int_eq(ks.events, kr.events);
    /* an input value large enough that taps x c_in x |v| x wmax passes 2^31: refused, untouched */
    in[0] = 1 << 24;
    myelin_kcounts kz = {0};
    ck_assert_int_eq(myelin_kernel_gather_i8(in, h, w, ci, w8, co, k, lo, hi, 127, a8, &kz), -1);
    ck_assert_int_eq(kz.events, 0);
    ck_assert_int_eq(a8[0], ref[0]);
    free(in), free(wq), free(w8), free(w16), free(ref), free(a8), free(a16), free(as);
}
END_TEST

/* The dense int8 path gives the int64 scatter's accumulators and counts with every ISA this CPU
 * has (portable C, AVX2, AVX-512BW, AVX-512 VNNI), on shapes where the row blocks, 4-k groups and 64-channel
 * panels are partial, with and without a channel slice; it refuses inputs outside 0..127.  The
 * dense double path gives the double scatter's sums to rounding and its counts. */
START_TEST(test_dense_vs_scatter)
{
    /* the last three: 16- and 32-wide panels (c_out <= 16, <= 32), one with a channel slice */
    static const int cs[][6] = {{5, 7, 70, 300, 3, 0}, {9, 1, 64, 80, 1, 0}, {4, 3, 33, 130, 3, 1},
                                {13, 11, 5, 7, 3, 0}, {50, 1, 384, 64, 1, 1}, {16, 16, 8, 16, 3, 0},
                                {9, 7, 16, 32, 3, 1}, {37, 1, 64, 30, 1, 0}};
    int c = _i / 4, isa = _i % 4;
    int h = cs[c][0], w = cs[c][1], ci = cs[c][2], co = cs[c][3], k = cs[c][4];
    int lo = cs[c][5] ? 5 : 0, hi = cs[c][5] ? co - 3 : co;
    myelin_rng r;
    myelin_rng_seed(&r, 12, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int8_t *w8 = calloc((size_t)n_w, 1);
    int8_t *pk = calloc((size_t)myelin_kernel_dense_packed_bytes(ci, co, k), 1);
    uint8_t *scr = malloc((size_t)myelin_kernel_dense_scratch_bytes(ci, k));
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *ad = calloc((size_t)n_out, sizeof *ad);
    for (int i = 0; i < n_in; i++) /* rates ~50 %, values 1..3, some at the 127 limit */
        in[i] = myelin_rng_below(&r, 2)
                    ? (myelin_rng_below(&r, 50) ? (int32_t)myelin_rng_below(&r, 3) + 1 : 127)
                    : 0;
    for (int i = 0; i < n_w; i++) {
        wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127;
        w8[i] = (int8_t)wq[i];
    }
    myelin_kernel_dense_pack(w8, ci, co, k, pk);
    for (int i = 0; i < n_out; i++) /* a bias already in the accumulators */
        ref[i] = ad[i] = i % 17 - 8;
    /* the double path on the same layer (weights / 64): the scatter's sums to rounding */
    double *wf = malloc(sizeof *wf * (size_t)n_w), *fs = calloc((size_t)n_out, sizeof *fs);
    double *fd = calloc((size_t)n_out, sizeof *fd);
    double *pd = malloc(sizeof *pd * (size_t)myelin_kernel_dense_packed_d_len(ci, co, k));
    uint8_t *scd = malloc((size_t)myelin_kernel_dense_scratch_d_bytes(ci, k));
    for (int i = 0; i < n_w; i++)
        wf[i] = wq[i] / 64.0;
    myelin_kernel_dense_pack_d(wf, ci, co, k, pd);
    myelin_kcounts kfs = {0}, kfd = {0};
    myelin_kernel_scatter_id(in, h, w, ci, wf, co, k, lo, hi, fs, &kfs);
    myelin_kernel_dense_d(in, h, w, ci, pd, co, k, lo, hi, fd, &kfd, scd, isa);
    for (int i = 0; i < n_out; i++)
        ck_assert_double_eq_tol(fd[i], fs[i], 1e-9 * (1 + fabs(fs[i])));
    ck_assert_int_eq(kfd.events, kfs.events);
    ck_assert_int_eq(kfd.synops, kfs.synops);
    free(wf), free(fs), free(fd), free(pd), free(scd);
    myelin_kcounts kr = {0}, kd = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &kr);
    ck_assert_int_eq(myelin_kernel_dense_i8(in, h, w, ci, pk, 127, co, k, lo, hi, ad, &kd, scr, isa),
                     0);
    for (int i = 0; i < n_out; i++)
        ck_assert_int_eq(ad[i], ref[i]);
    ck_assert_int_eq(kd.events, kr.events);
    ck_assert_int_eq(kd.synops, kr.synops);
    /* outside the u8 range (vpmaddubsw's operand) the path refuses and touches nothing */
    myelin_kcounts kz = {0};
    in[n_in - 1] = 128;
    ck_assert_int_eq(myelin_kernel_dense_i8(in, h, w, ci, pk, 127, co, k, lo, hi, ad, &kz, scr, isa),
                     -1);
    in[n_in - 1] = -1;
    ck_assert_int_eq(myelin_kernel_dense_i8(in, h, w, ci, pk, 127, co, k, lo, hi, ad, &kz, scr, isa),
                     -1);
    ck_assert_int_eq(kz.events, 0);
    ck_assert_int_eq(ad[0], ref[0]);
    free(in), free(wq), free(w8), free(pk), free(scr), free(ref), free(ad);
}
END_TEST

/* The zero-point dense path (the image layer's: codes x with x + zp in 0..255, padding x = 0)
 * gives the int64 scatter's accumulators and counts on the codes with every ISA this CPU has, in
 * both modes (add to acc; acc = bias + sums, acc's old values not read), on 3x3 and 1x1 shapes
 * with partial row blocks, 4-k groups and panels, with and without a channel slice and with zp at
 * both ends, the implicit GEMM (c_in a multiple of 4, with the byte-image scratch) and im2col; vpmaddubsw's ISAs (1, 2) refuse codes whose bytes pass 127, every ISA refuses codes
 * outside the byte range and a zp outside 0..255.  myelin_kernel_synapse_iw_set gives the bias
 * copy plus the scatter's sums, with a zero point and without (spike inputs). */
START_TEST(test_dense_zp_vs_scatter)
{
    static const int cs[][7] = {{9, 11, 3, 48, 3, 0, 118}, {5, 7, 1, 20, 3, 1, 255},
                                {6, 4, 33, 70, 3, 0, 0},   {8, 3, 5, 130, 1, 1, 17},
                                {16, 16, 3, 64, 3, 0, 1},  {16, 16, 3, 8, 3, 0, 100},
                                {7, 9, 8, 16, 3, 1, 0},    {6, 5, 12, 40, 3, 1, 200},
                                {10, 1, 16, 48, 1, 0, 77}};
    int c = _i / 4, isa = _i % 4;
    int h = cs[c][0], w = cs[c][1], ci = cs[c][2], co = cs[c][3], k = cs[c][4];
    int32_t zp = cs[c][6];
    int lo = cs[c][5] ? 5 : 0, hi = cs[c][5] ? co - 3 : co;
    myelin_rng r;
    myelin_rng_seed(&r, 13, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int8_t *w8 = calloc((size_t)n_w, 1);
    int8_t *pk = calloc((size_t)myelin_kernel_dense_packed_bytes(ci, co, k), 1);
    /* the byte-image scratch (3x3: inputs turned into bytes once) on half the cases */
    int64_t sb = (c + isa) % 2 ? myelin_kernel_dense_scratch_img_bytes(h, w, ci, k)
                               : myelin_kernel_dense_scratch_bytes(ci, k);
    uint8_t *scr = malloc((size_t)sb);
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *ad = calloc((size_t)n_out, sizeof *ad);
    int64_t *as = calloc((size_t)n_out, sizeof *as), *bias = calloc((size_t)co, sizeof *bias);
    for (int i = 0; i < n_in; i++) /* every code -zp..255-zp, the ends included; some zeros */
        in[i] = myelin_rng_below(&r, 8) == 0 ? 0
                : myelin_rng_below(&r, 10) == 0 ? (myelin_rng_below(&r, 2) ? -zp : 255 - zp)
                                                : (int32_t)myelin_rng_below(&r, 256) - zp;
    for (int i = 0; i < n_w; i++) {
        wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127;
        w8[i] = (int8_t)wq[i];
    }
    for (int j = 0; j < co; j++)
        bias[j] = (int64_t)myelin_rng_below(&r, 1000001) - 500000;
    myelin_kernel_dense_pack(w8, ci, co, k, pk);
    for (int i = 0; i < n_out; i++) /* add mode: a bias already in the accumulators */
        ref[i] = ad[i] = i % 17 - 8;
    myelin_kcounts kr = {0}, kd = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &kr);
    int wide = zp > 0 || 255 - zp > 127; /* some byte above 127 */
    int best = myelin_kernel_dense_i8_isa(), eff = isa > best ? best : isa;
    int rc = myelin_kernel_dense_i8_zp(in, h, w, ci, pk, 127, zp, co, k, lo, hi, NULL, ad, &kd, scr,
                                       sb, isa);
    if ((eff == 1 || eff == 2) && wide) {
        ck_assert_int_eq(rc, -1); /* vpmaddubsw could saturate: refused, untouched */
        ck_assert_int_eq(kd.events, 0);
        ck_assert_int_eq(ad[0], 0 % 17 - 8);
    } else {
        ck_assert_int_eq(rc, 0);
        for (int i = 0; i < n_out; i++)
            ck_assert_int_eq(ad[i], ref[i]);
        ck_assert_int_eq(kd.events, kr.events);
        ck_assert_int_eq(kd.synops, kr.synops);
        /* set mode: acc = bias + sums on the slice, whatever acc held there */
        for (int i = 0; i < n_out; i++)
            as[i] = 0x5a5a5a5a5aLL;
        myelin_kcounts ks = {0};
        ck_assert_int_eq(myelin_kernel_dense_i8_zp(in, h, w, ci, pk, 127, zp, co, k, lo, hi, bias,
                                                   as, &ks, scr, sb, isa),
                         0);
        for (int p = 0; p < h * w; p++)
            for (int j = 0; j < co; j++) {
                int64_t want = j >= lo && j < hi
                                   ? ref[p * co + j] - (p * co + j) % 17 + 8 + bias[j]
                                   : 0x5a5a5a5a5aLL;
                ck_assert_int_eq(as[p * co + j], want);
            }
        ck_assert_int_eq(ks.synops, kr.synops);
    }
    /* codes outside the byte range, and zp outside 0..255, are refused on every ISA */
    myelin_kcounts kz = {0};
    int32_t keep = in[n_in - 1];
    in[n_in - 1] = 256 - zp;
    ck_assert_int_eq(myelin_kernel_dense_i8_zp(in, h, w, ci, pk, 127, zp, co, k, lo, hi, NULL, ad,
                                               &kz, scr, sb, isa),
                     -1);
    in[n_in - 1] = -zp - 1;
    ck_assert_int_eq(myelin_kernel_dense_i8_zp(in, h, w, ci, pk, 127, zp, co, k, lo, hi, NULL, ad,
                                               &kz, scr, sb, isa),
                     -1);
    in[n_in - 1] = keep;
    ck_assert_int_eq(myelin_kernel_dense_i8_zp(in, h, w, ci, pk, 127, 256, co, k, lo, hi, NULL, ad,
                                               &kz, scr, sb, isa),
                     -1);
    ck_assert_int_eq(kz.events, 0);
    /* synapse_iw_set (the engine's call, best ISA): bias copy + scatter, with the zero point and,
     * on non-negative spike-like inputs, without */
    myelin_kweights kw = {.w8 = w8, .wmax = 127, .p8 = pk};
    for (int pass = 0; pass < 2; pass++) {
        int32_t z = pass ? 0 : zp;
        if (pass)
            for (int i = 0; i < n_in; i++)
                in[i] = in[i] + zp > 200 ? (in[i] + zp) % 3 : 0;
        for (int i = 0; i < n_out; i++) {
            ref[i] = bias[i % co];
            as[i] = -77;
        }
        myelin_kcounts k1 = {0}, k2 = {0};
        myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, 0, co, ref, &k1);
        myelin_kernel_synapse_iw_set(in, h, w, ci, &kw, co, k, 0, co, z, bias, as, &k2, scr, sb);
        for (int i = 0; i < n_out; i++)
            ck_assert_int_eq(as[i], ref[i]);
        ck_assert_int_eq(k2.events, k1.events);
        ck_assert_int_eq(k2.synops, k1.synops);
    }
    free(in), free(wq), free(w8), free(pk), free(scr), free(ref), free(ad), free(as), free(bias);
}
END_TEST

/* The int32 tile path gives the int64 scatter's accumulators and counts, portable and AVX-512
 * (where the CPU has it), on 3x3 layers of 16, 32 and 64 channels (the per-position kernels),
 * partial vectors and a channel slice (the per-input kernel), 1x1 layers, a 1x1 image under a 3x3
 * kernel, values 1 and -2..2, rates from sparse to full; in both modes (add to acc; acc = bias +
 * sums on the slice, the rest untouched); it refuses, touching nothing, a scratch one byte short,
 * a slice wider than MYELIN_TILE_MAX_CO and a value whose taps x c_in x |v| x wmax passes
 * INT32_MAX. */
START_TEST(test_tile_vs_scatter)
{
    static const int cs[][7] = {{16, 16, 8, 16, 3, 0, 15}, {9, 7, 16, 32, 3, 0, 40},
                                {8, 8, 32, 64, 3, 0, 10},  {6, 5, 20, 70, 3, 1, 30},
                                {40, 1, 64, 7, 1, 0, 50},  {1, 1, 9, 48, 3, 1, 90},
                                {3, 2, 5, 20, 3, 0, 100}};
    int c = _i / 2, isa = _i % 2 ? 2 : 0;
    int h = cs[c][0], w = cs[c][1], ci = cs[c][2], co = cs[c][3], k = cs[c][4];
    int lo = cs[c][5] ? 5 : 0, hi = cs[c][5] ? co - 3 : co, pct = cs[c][6];
    myelin_rng r;
    myelin_rng_seed(&r, 21, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int16_t *w16 = calloc((size_t)n_w, sizeof *w16);
    int64_t sb = myelin_kernel_tile_scratch_bytes(h, w, ci, hi - lo);
    uint8_t *scr = malloc((size_t)sb);
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *ac = calloc((size_t)n_out, sizeof *ac);
    int64_t *bias = calloc((size_t)co, sizeof *bias);
    for (int i = 0; i < n_in; i++) /* mostly 1 (every input of some positions), some -2..2 */
        in[i] = (int)myelin_rng_below(&r, 100) < pct
                    ? (myelin_rng_below(&r, 4) ? 1 : (int32_t)myelin_rng_below(&r, 5) - 2)
                    : 0;
    for (int i = 0; i < n_w; i++)
        w16[i] = (int16_t)(wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127);
    for (int j = 0; j < co; j++)
        bias[j] = (int64_t)myelin_rng_below(&r, 2000001) - 1000000;
    for (int i = 0; i < n_out; i++)
        ref[i] = ac[i] = i % 17 - 8;
    myelin_kcounts kr = {0}, kc = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &kr);
    ck_assert_int_eq(myelin_kernel_tile_i16(in, h, w, ci, w16, 127, co, k, lo, hi, NULL, ac, &kc,
                                            scr, sb, isa),
                     0);
    for (int i = 0; i < n_out; i++)
        ck_assert_int_eq(ac[i], ref[i]);
    ck_assert_int_eq(kc.events, kr.events);
    ck_assert_int_eq(kc.synops, kr.synops);
    /* set mode: acc = bias + sums on the slice, the other channels untouched */
    for (int i = 0; i < n_out; i++)
        ac[i] = 0x5a5a5a5a5aLL;
    myelin_kcounts ks = {0};
    ck_assert_int_eq(myelin_kernel_tile_i16(in, h, w, ci, w16, 127, co, k, lo, hi, bias, ac, &ks,
                                            scr, sb, isa),
                     0);
    for (int p = 0; p < h * w; p++)
        for (int j = 0; j < co; j++)
            ck_assert_int_eq(ac[p * co + j], j >= lo && j < hi ? ref[p * co + j] -
                                                                     (p * co + j) % 17 + 8 +
                                                                     bias[j]
                                                               : 0x5a5a5a5a5aLL);
    ck_assert_int_eq(ks.synops, kr.synops);
    /* refusals: nothing touched */
    myelin_kcounts kz = {0};
    ck_assert_int_eq(myelin_kernel_tile_i16(in, h, w, ci, w16, 127, co, k, lo, hi, NULL, ac, &kz,
                                            scr, sb - 1, isa),
                     -1);
    ck_assert_int_eq(myelin_kernel_tile_i16(in, h, w, ci, w16, 127, MYELIN_TILE_MAX_CO + 1, k, 0,
                                            MYELIN_TILE_MAX_CO + 1, NULL, ac, &kz, scr, INT64_MAX,
                                            isa),
                     -1);
    in[n_in / 2] = (int32_t)(INT32_MAX / ((int64_t)k * k * ci * 127) + 1);
    ck_assert_int_eq(myelin_kernel_tile_i16(in, h, w, ci, w16, 127, co, k, lo, hi, NULL, ac, &kz,
                                            scr, sb, isa),
                     -1);
    ck_assert_int_eq(kz.events, 0);
    ck_assert_int_eq(ac[0], lo > 0 ? 0x5a5a5a5a5aLL : ref[0] - 0 % 17 + 8 + bias[0]);
    free(in), free(wq), free(w16), free(scr), free(ref), free(ac), free(bias);
}
END_TEST

/* The column path gives the int64 scatter's accumulators and counts with every ISA this CPU has
 * (portable C, AVX2, AVX-512BW), on 1x1 and 3x3 layers whose channel blocks are partial (1..4
 * vectors), with a channel slice, values 1..3 and negative, rates from sparse to dense, small
 * layers summed over all taps at once and wide ones in chunks (values of 40 force chunks of 6,
 * below the minimum: refused); it refuses, touching nothing, when a value times max|w| cannot
 * fit int16 even for a chunk of 8. */
START_TEST(test_column_vs_scatter)
{
    static const int cs[][7] = {{5, 7, 70, 300, 3, 0, 50},  {64, 1, 384, 200, 1, 1, 30},
                                {4, 3, 33, 130, 3, 1, 90},  {13, 11, 5, 7, 3, 0, 40},
                                {9, 9, 16, 40, 3, 0, 10},   {50, 1, 160, 64, 1, 0, 2}};
    int c = _i / 3, isa = _i % 3;
    int h = cs[c][0], w = cs[c][1], ci = cs[c][2], co = cs[c][3], k = cs[c][4];
    int lo = cs[c][5] ? 5 : 0, hi = cs[c][5] ? co - 3 : co, pct = cs[c][6];
    myelin_rng r;
    myelin_rng_seed(&r, 15, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int16_t *w16 = calloc((size_t)n_w, sizeof *w16);
    uint8_t *scr = malloc((size_t)myelin_kernel_column_scratch_bytes(h, w, ci, k));
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *ac = calloc((size_t)n_out, sizeof *ac);
    for (int i = 0; i < n_in; i++)
        in[i] = (int)myelin_rng_below(&r, 100) < pct
                    ? (myelin_rng_below(&r, 4) ? 1 : (int32_t)myelin_rng_below(&r, 5) - 2)
                    : 0;
    for (int i = 0; i < n_w; i++)
        w16[i] = (int16_t)(wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127);
    for (int i = 0; i < n_out; i++)
        ref[i] = ac[i] = i % 17 - 8;
    myelin_kcounts kr = {0}, kc = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &kr);
    ck_assert_int_eq(
        myelin_kernel_column_i16(in, h, w, ci, w16, 127, co, k, lo, hi, ac, &kc, scr, isa), 0);
    for (int i = 0; i < n_out; i++)
        ck_assert_int_eq(ac[i], ref[i]);
    ck_assert_int_eq(kc.events, kr.events);
    ck_assert_int_eq(kc.synops, kr.synops);
    /* values whose chunk would be 32767 / (40 x 127) = 6 < 8: refused, nothing touched */
    myelin_kcounts kz = {0};
    in[n_in / 2] = 40;
    ck_assert_int_eq(
        myelin_kernel_column_i16(in, h, w, ci, w16, 127, co, k, lo, hi, ac, &kz, scr, isa), -1);
    ck_assert_int_eq(kz.events, 0);
    ck_assert_int_eq(ac[0], ref[0]);
    /* a value of 20 (chunks of 12): accepted, exact */
    in[n_in / 2] = 20;
    memcpy(ac, ref, sizeof *ac * (size_t)n_out);
    for (int i = 0; i < n_out; i++)
        ref[i] = i % 17 - 8;
    myelin_kcounts k2 = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, lo, hi, ref, &k2);
    for (int i = 0; i < n_out; i++)
        ac[i] = i % 17 - 8;
    ck_assert_int_eq(
        myelin_kernel_column_i16(in, h, w, ci, w16, 127, co, k, lo, hi, ac, &kz, scr, isa), 0);
    for (int i = 0; i < n_out; i++)
        ck_assert_int_eq(ac[i], ref[i]);
    ck_assert_int_eq(kz.synops, k2.synops);
    free(in), free(wq), free(w16), free(scr), free(ref), free(ac);
}
END_TEST

/* With AVX-512F, the double column path gives the AVX-512 dense double path's sums bit for bit
 * (same fused multiply-adds, same order, zero inputs skipped) and the scatter's counts.  Slices
 * wider than 64 channels (the panel kernel): several chunks of panel rows (K > 96) and one, 3x3
 * with borders, more positions than a block (66; 67: one position past it) and a last partial
 * group of six, odd widths, channels past the last full panel, slices not aligned to panels,
 * values 1..3 (fused multiply-adds) and all-1 inputs (adds); narrower ones (the register kernel):
 * small 3x3 layers (all taps in registers) and chunked wide ones, partial 8-channel vectors and
 * a slice.  Without AVX-512F it declines (-1) and touches nothing.  Columns: h, w, c_in, c_out,
 * kernel, slice, rate %, all-1 values. */
START_TEST(test_column_d_vs_dense)
{
    static const int cs[][8] = {{5, 7, 70, 300, 3, 0, 50, 0}, {64, 1, 384, 200, 1, 1, 30, 0},
                                {4, 3, 33, 130, 3, 1, 90, 0}, {17, 9, 40, 70, 3, 0, 35, 1},
                                {203, 1, 97, 97, 1, 1, 60, 1}, {6, 5, 128, 96, 3, 0, 25, 1},
                                {20, 7, 9, 133, 3, 1, 55, 0},  {13, 11, 5, 7, 3, 0, 40, 0},
                                {9, 9, 16, 40, 3, 0, 10, 0},   {50, 1, 160, 64, 1, 0, 2, 0},
                                {11, 13, 48, 45, 3, 1, 70, 0}, {67, 1, 150, 130, 1, 0, 45, 0}};
    int h = cs[_i][0], w = cs[_i][1], ci = cs[_i][2], co = cs[_i][3], k = cs[_i][4];
    int lo = cs[_i][5] ? 5 : 0, hi = cs[_i][5] ? co - 3 : co, pct = cs[_i][6];
    myelin_rng r;
    myelin_rng_seed(&r, 16, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in);
    double *wf = malloc(sizeof *wf * (size_t)n_w);
    double *pd = malloc(sizeof *pd * (size_t)myelin_kernel_dense_packed_d_len(ci, co, k));
    int64_t sd = myelin_kernel_dense_scratch_d_bytes(ci, k);
    int64_t sc = myelin_kernel_column_d_scratch_bytes(h, w, ci, k);
    uint8_t *scr = malloc((size_t)(sd > sc ? sd : sc));
    double *ad = calloc((size_t)n_out, sizeof *ad), *ac = calloc((size_t)n_out, sizeof *ac);
    for (int i = 0; i < n_in; i++)
        in[i] = (int)myelin_rng_below(&r, 100) < pct
                    ? (cs[_i][7] ? 1 : (int32_t)myelin_rng_below(&r, 3) + 1)
                    : 0;
    for (int i = 0; i < n_w; i++)
        wf[i] = myelin_rng_uniform(&r) - 0.5;
    myelin_kernel_dense_pack_d(wf, ci, co, k, pd);
    for (int i = 0; i < n_out; i++)
        ad[i] = ac[i] = (i % 17 - 8) / 3.0;
    myelin_kcounts kd = {0}, kc = {0};
    int rc = myelin_kernel_column_d(in, h, w, ci, wf, pd, co, k, lo, hi, ac, &kc, scr);
    if (myelin_kernel_dense_isa() < 2) {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(kc.events, 0);
        ck_assert(ac[0] == ad[0]);
    } else {
        ck_assert_int_eq(rc, 0);
        myelin_kernel_dense_d(in, h, w, ci, pd, co, k, lo, hi, ad, &kd, scr, 2);
        for (int i = 0; i < n_out; i++)
            ck_assert(memcmp(&ac[i], &ad[i], sizeof ac[i]) == 0);
        ck_assert_int_eq(kc.events, kd.events);
        ck_assert_int_eq(kc.synops, kd.synops);
    }
    free(in), free(wf), free(pd), free(scr), free(ad), free(ac);
}
END_TEST

/* The float basis (float_delta's dense-input path): myelin_kernel_basis_mode gives each
 * channel's most frequent value among 0..MYELIN_BASIS_MAXV (the smallest on ties, 0 when none
 * occurs) and the entries that differ from it, against a direct count; myelin_kernel_basis_sub
 * the differences; and the sums of those differences plus W b as one more position (the engine's
 * way) equal W x to rounding on the double column path.  Maps with values 0..9 and -1, a channel
 * with a tie, one with no value in range, 65 positions (a block of 66 with the basis). */
START_TEST(test_basis_vs_direct)
{
    static const int cs[][3] = {{64, 384, 200}, {7, 13, 40}, {195, 97, 130}};
    int npos = cs[_i][0], ci = cs[_i][1], co = cs[_i][2];
    myelin_rng r;
    myelin_rng_seed(&r, 41, (uint64_t)_i);
    int64_t n = (int64_t)npos * ci;
    int32_t *in = malloc(sizeof *in * (size_t)n), *base = malloc(sizeof *base * (size_t)ci);
    int32_t *hist = malloc(sizeof *hist * (size_t)ci * (MYELIN_BASIS_MAXV + 1));
    int32_t *d = malloc(sizeof *d * (size_t)(n + ci));
    for (int p = 0; p < npos; p++)
        for (int c = 0; c < ci; c++) {
            int u = (int)myelin_rng_below(&r, 100), top = c % 11; /* a channel's own spread */
            int32_t v = u < 45 ? c % 3 : (int32_t)myelin_rng_below(&r, (uint64_t)top + 1);
            if (c == 5) /* no value in 0..MAXV */
                v = p % 2 ? -1 : MYELIN_BASIS_MAXV + 2;
            if (c == 2) /* a tie between 1 and 3 */
                v = p % 2 ? 1 : 3;
            in[(int64_t)p * ci + c] = v;
        }
    int64_t diff = myelin_kernel_basis_mode(in, npos, ci, base, hist);
    int64_t want = 0;
    for (int c = 0; c < ci; c++) {
        int best = 0, bestn = -1;
        for (int v = 0; v <= MYELIN_BASIS_MAXV; v++) {
            int cnt = 0;
            for (int p = 0; p < npos; p++)
                cnt += in[(int64_t)p * ci + c] == v;
            if (cnt > bestn) {
                best = v;
                bestn = cnt;
            }
        }
        ck_assert_int_eq(base[c], best);
        want += npos - bestn;
    }
    ck_assert_int_eq(diff, want);
    if (ci > 5) {
        ck_assert_int_eq(base[5], 0);
        ck_assert_int_eq(base[2], npos % 2 ? 3 : 1);
    }
    myelin_kernel_basis_sub(in, npos, ci, base, d);
    int64_t nz = 0;
    for (int64_t k = 0; k < n; k++) {
        ck_assert_int_eq(d[k], in[k] - base[k % ci]);
        nz += d[k] != 0;
    }
    ck_assert_int_eq(nz, diff);
    /* W x = W b + W (x - b): b as position npos of the same call */
    memcpy(d + n, base, sizeof *d * (size_t)ci);
    double *wf = malloc(sizeof *wf * (size_t)ci * co);
    double *pd = malloc(sizeof *pd * (size_t)myelin_kernel_dense_packed_d_len(ci, co, 1));
    int64_t sd = myelin_kernel_dense_scratch_d_bytes(ci, 1);
    int64_t sc = myelin_kernel_column_d_scratch_bytes(npos + 1, 1, ci, 1);
    uint8_t *scr = malloc((size_t)(sd > sc ? sd : sc));
    double *ab = calloc((size_t)(npos + 1) * co, sizeof *ab), *ax = calloc((size_t)npos * co,
                                                                              sizeof *ax);
    for (int64_t k = 0; k < (int64_t)ci * co; k++)
        wf[k] = myelin_rng_uniform(&r) - 0.5;
    myelin_kernel_dense_pack_d(wf, ci, co, 1, pd);
    myelin_kernel_synapse_dw(d, npos + 1, 1, ci, wf, pd, co, 1, 0, co, ab, NULL, scr, 1);
    myelin_kcounts kx = {0};
    myelin_kernel_scatter_id(in, npos, 1, ci, wf, co, 1, 0, co, ax, &kx);
    for (int p = 0; p < npos; p++)
        for (int o = 0; o < co; o++) {
            double got = ab[(int64_t)p * co + o] + ab[(int64_t)npos * co + o];
            double ref = ax[(int64_t)p * co + o];
            ck_assert_msg(fabs(got - ref) <= 1e-9 * (1.0 + fabs(ref)), "p %d o %d: %.17g vs %.17g",
                          p, o, got, ref);
        }
    free(in), free(base), free(hist), free(d), free(wf), free(pd), free(scr), free(ab), free(ax);
}
END_TEST

/* myelin_kernel_synapse_dw on a 3x3 slice of 65-127 channels below the dense regime (1/8) and
 * from 1/32 up takes the double column path (its sums bit for bit, with AVX-512F), not the
 * scatter (whose multiply and add round apart: values +-3 make the products inexact); the sums
 * equal the scatter's to rounding either way, and so do the counts.  Signed values (a step's
 * change). */
START_TEST(test_synapse_dw_mid_rate)
{
    int h = 12, w = 11, ci = 48, co = 96, k = 3, pct = _i == 0 ? 5 : 9;
    myelin_rng r;
    myelin_rng_seed(&r, 43, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in);
    double *wf = malloc(sizeof *wf * (size_t)n_w);
    double *pd = malloc(sizeof *pd * (size_t)myelin_kernel_dense_packed_d_len(ci, co, k));
    int64_t sd = myelin_kernel_dense_scratch_d_bytes(ci, k);
    int64_t sc = myelin_kernel_column_d_scratch_bytes(h, w, ci, k);
    uint8_t *scr = malloc((size_t)(sd > sc ? sd : sc));
    double *a = calloc((size_t)n_out, sizeof *a), *b = calloc((size_t)n_out, sizeof *b);
    double *c = calloc((size_t)n_out, sizeof *c);
    for (int i = 0; i < n_in; i++)
        in[i] = (int)myelin_rng_below(&r, 100) < pct
                    ? (myelin_rng_below(&r, 2) ? 1 : -1) * (myelin_rng_below(&r, 2) ? 3 : 1)
                    : 0;
    for (int i = 0; i < n_w; i++)
        wf[i] = myelin_rng_uniform(&r) - 0.5;
    myelin_kernel_dense_pack_d(wf, ci, co, k, pd);
    int64_t nz = myelin_kernel_nonzero(in, n_in);
    ck_assert(nz * MYELIN_DENSE_RATE_NARROW < n_in && nz * MYELIN_COLUMN_D_MIN_DEN >= n_in);
    myelin_kcounts ka = {0}, kc = {0};
    myelin_kernel_synapse_dw(in, h, w, ci, wf, pd, co, k, 0, co, a, &ka, scr, 1);
    myelin_kernel_scatter_id(in, h, w, ci, wf, co, k, 0, co, c, &kc);
    ck_assert_int_eq(ka.events, kc.events);
    ck_assert_int_eq(ka.synops, kc.synops);
    if (myelin_kernel_column_d(in, h, w, ci, wf, pd, co, k, 0, co, b, NULL, scr) == 0) {
        int differs = 0;
        for (int i = 0; i < n_out; i++) {
            ck_assert(memcmp(&a[i], &b[i], sizeof a[i]) == 0);
            differs += memcmp(&a[i], &c[i], sizeof a[i]) != 0;
        }
        ck_assert_int_gt(differs, 0); /* not the scatter's rounding */
    }
    for (int i = 0; i < n_out; i++)
        ck_assert(fabs(a[i] - c[i]) <= 1e-12 * (1.0 + fabs(c[i])));
    free(in), free(wf), free(pd), free(scr), free(a), free(b), free(c);
}
END_TEST

/* myelin_kernel_synapse_counts (the float engine's counts when it sums a step's change instead of
 * its input) gives the scatter's events and synops: 3x3 with borders, 1x1, a 2x2 kernel, a slice,
 * negative values. */
START_TEST(test_synapse_counts)
{
    static const int cs[][6] = {{7, 5, 9, 13, 3, 40}, {30, 1, 64, 20, 1, 25},
                                {6, 9, 4, 10, 2, 60}, {1, 1, 3, 5, 3, 90}};
    int h = cs[_i][0], w = cs[_i][1], ci = cs[_i][2], co = cs[_i][3], k = cs[_i][4];
    myelin_rng r;
    myelin_rng_seed(&r, 31, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int64_t *acc = calloc((size_t)h * w * co, sizeof *acc);
    for (int i = 0; i < n_in; i++)
        in[i] = (int)myelin_rng_below(&r, 100) < cs[_i][5] ? (int32_t)myelin_rng_below(&r, 7) - 3
                                                           : 0;
    myelin_kcounts a = {0}, b = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, 2, co - 1, acc, &a);
    myelin_kernel_synapse_counts(in, h, w, ci, k, co - 3, &b);
    ck_assert_int_gt(a.events, 0);
    ck_assert_int_eq(a.events, b.events);
    ck_assert_int_eq(a.synops, b.synops);
    free(in), free(wq), free(acc);
}
END_TEST

/* int16 membranes over several chunks of the widening buffer (positions of 3000 channels, a range
 * not aligned to positions) and wider than it (9000 channels: the reference loop) give the
 * reference loop's membranes, spikes, H and counts over several steps. */
START_TEST(test_lif_i16_chunks)
{
    int c = _i == 0 ? 3000 : 9000, npos = _i == 0 ? 7 : 2, m = 16;
    int64_t nn = (int64_t)c * npos, lo = _i == 0 ? 1234 : 17, hi = nn - 77;
    myelin_rng r;
    myelin_rng_seed(&r, 29, (uint64_t)_i);
    int *shift = calloc((size_t)c, sizeof *shift);
    int64_t *theta = calloc((size_t)c, sizeof *theta), *acc = calloc((size_t)nn, sizeof *acc);
    int64_t *va = calloc((size_t)nn, sizeof *va), *ha = calloc((size_t)nn, sizeof *ha);
    int64_t *hb = calloc((size_t)nn, sizeof *hb);
    int16_t *vb = calloc((size_t)nn, sizeof *vb);
    int32_t *sa = calloc((size_t)nn, sizeof *sa), *sb = calloc((size_t)nn, sizeof *sb);
    ck_assert(shift && theta && acc && va && ha && hb && vb && sa && sb);
    for (int ch = 0; ch < c; ch++) {
        shift[ch] = (int)myelin_rng_below(&r, 41) - 30;
        theta[ch] = 1 + (int64_t)myelin_rng_below(&r, (uint64_t)1 << (m - 2));
    }
    for (int step = 0; step < 4; step++) {
        for (int64_t n = 0; n < nn; n++)
            acc[n] = (int64_t)(myelin_rng_next(&r) >> 44) - ((int64_t)1 << 19);
        myelin_kcounts ka = {0}, kb = {0};
        int64_t fa = myelin_kernel_lif_i(acc, va, sa, ha, lo, hi, c, shift, theta, m, &ka);
        int64_t fb = myelin_kernel_lif_i16(acc, vb, sb, hb, lo, hi, c, shift, theta, m, &kb);
        ck_assert_int_eq(fb, fa);
        ck_assert_int_eq(kb.spikes, ka.spikes);
        ck_assert_int_eq(kb.x_sat, ka.x_sat);
        ck_assert_int_eq(kb.h_sat, ka.h_sat);
        ck_assert_int_eq(kb.neuron_updates, ka.neuron_updates);
        for (int64_t n = lo; n < hi; n++) {
            ck_assert_int_eq(vb[n], va[n]);
            ck_assert_int_eq(sb[n], sa[n]);
            ck_assert_int_eq(hb[n], ha[n]);
        }
        ck_assert(fa > 0 && ka.x_sat > 0);
    }
    free(shift), free(theta), free(acc), free(va), free(ha), free(hb), free(vb), free(sa), free(sb);
}
END_TEST

/* myelin_kernel_synapse_iw_set32 gives the int64 dispatch's currents (bias + sums) and counts in
 * int32 wherever it takes the call: narrow and small convolutions and linear layers (the tile,
 * column and dense paths by input rate), no input firing (the bias alone), spike values up to 3,
 * the image layer's codes with a zero point (dense); each path forced as well (the row-sparse
 * one takes every 1x1 layer on a CPU with AVX-512 VNNI).  It refuses (-1,
 * nothing written) when the bound exceeds int32; the dense rates must be taken. */
START_TEST(test_synapse_set32_vs_int64)
{
    /* h, w, c_in, c_out, kernel, image (codes with a zero point) */
    static const int cs[][6] = {{16, 16, 8, 16, 3, 0}, {16, 16, 16, 32, 3, 0}, {8, 8, 32, 64, 3, 0},
                                {64, 1, 64, 64, 1, 0}, {64, 1, 64, 256, 1, 0},
                                {7, 7, 64, 64, 3, 0},  {6, 5, 128, 160, 3, 0},
                                {16, 16, 3, 8, 3, 1},  {28, 28, 1, 8, 3, 1},
                                {9, 7, 2, 40, 3, 1}};
    static const int pcts[] = {0, 2, 6, 10, 16, 30, 60};
    int c = _i / 7, pct = pcts[_i % 7];
    int h = cs[c][0], w = cs[c][1], ci = cs[c][2], co = cs[c][3], k = cs[c][4], image = cs[c][5];
    myelin_rng r;
    myelin_rng_seed(&r, 37, (uint64_t)_i);
    int n_in = h * w * ci, n_w = k * k * ci * co, n_out = h * w * co;
    int32_t *in = calloc((size_t)n_in, sizeof *in), *wq = calloc((size_t)n_w, sizeof *wq);
    int16_t *w16 = calloc((size_t)n_w, sizeof *w16);
    int8_t *w8 = calloc((size_t)n_w, 1);
    int8_t *p8 = malloc((size_t)myelin_kernel_dense_packed_bytes(ci, co, k));
    int64_t sb = (int64_t)8 << 20;
    uint8_t *scr = malloc((size_t)sb);
    int64_t *ref = calloc((size_t)n_out, sizeof *ref), *bias = calloc((size_t)co, sizeof *bias);
    int32_t *a32 = malloc(sizeof *a32 * (size_t)n_out);
    ck_assert(in && wq && w16 && w8 && p8 && scr && ref && bias && a32);
    int32_t zp = image ? 37 : 0;
    int64_t vmax = image ? 255 - zp : 3; /* max |value| */
    for (int i = 0; i < n_in; i++)
        in[i] = image ? (int32_t)myelin_rng_below(&r, 256) - zp
                : (int)myelin_rng_below(&r, 100) < pct
                    ? (myelin_rng_below(&r, 5) ? 1 : 1 + (int32_t)myelin_rng_below(&r, 3))
                    : 0;
    for (int i = 0; i < n_w; i++)
        w8[i] = (int8_t)(w16[i] = (int16_t)(wq[i] = (int32_t)myelin_rng_below(&r, 255) - 127));
    myelin_kernel_dense_pack(w8, ci, co, k, p8);
    for (int j = 0; j < co; j++)
        bias[j] = (int64_t)myelin_rng_below(&r, 2000001) - 1000000;
    for (int p = 0; p < h * w; p++)
        memcpy(ref + (int64_t)p * co, bias, sizeof *bias * (size_t)co);
    myelin_kcounts kr = {0}, kc = {0};
    myelin_kernel_scatter_i(in, h, w, ci, wq, co, k, 0, co, ref, &kr);
    /* the engine's stored widths: spike inputs int16 rows (column) + packed int8, the image int8 */
    myelin_kweights kw = {image ? w8 : NULL, image ? NULL : w16, NULL, 127, p8, !image, NULL};
    int8_t *p8r = NULL; /* an image of fewer than 4 channels: the row-expanded packing, half the
                         * cases (the other half the im2col) */
    if (image && ci < 4 && k == 3 && _i % 2) {
        p8r = malloc((size_t)myelin_kernel_dense_packed_rows_bytes(ci, co, k));
        ck_assert(p8r);
        myelin_kernel_dense_pack_rows(w8, ci, co, k, p8r);
        kw.p8r = p8r;
    }
    for (int i = 0; i < n_out; i++)
        a32[i] = 0x5a5a5a5a;
    /* the image: values x = code - zp, each standing for the byte x + zp */
    int rc = myelin_kernel_synapse_iw_set32(in, h, w, ci, &kw, co, k, zp, bias, a32, &kc, scr, sb,
                                            vmax, _i % 2 ? myelin_kernel_nonzero(in, n_in) : -1);
    if (rc == 0) {
        for (int i = 0; i < n_out; i++)
            ck_assert_int_eq(a32[i], ref[i]);
        ck_assert_int_eq(kc.events, kr.events);
        ck_assert_int_eq(kc.synops, kr.synops);
    } else {
        ck_assert_int_eq(rc, -1);
        for (int i = 0; i < n_out; i++)
            ck_assert_int_eq(a32[i], 0x5a5a5a5a);
        ck_assert_int_eq(kc.events, 0);
    }
    /* taken: no input (bias alone), the dense rates, the image on the dense zero-point path
     * (bytes above 127: VNNI or the portable loop; vpmaddubsw's ISAs refuse them) */
    int isa8 = myelin_kernel_dense_i8_isa(), dense_takes = !image || isa8 == 3 || isa8 == 0;
    if ((pct == 0 || pct >= 30 || image) && dense_takes)
        ck_assert_int_eq(rc, 0);
    /* each path forced: the same currents and counts wherever it takes the call; the dense path
     * takes every call with int8 weights, the tile path every slice of at most
     * MYELIN_TILE_MAX_CO channels with int16 rows */
    for (int path = MYELIN_PATH_TILE; path <= MYELIN_PATH_ROWSPARSE; path++) {
        for (int i = 0; i < n_out; i++)
            a32[i] = 0x5a5a5a5a;
        myelin_kcounts kp = {0};
        int rp = myelin_kernel_synapse_iw_set32_path(in, h, w, ci, &kw, co, k, zp, bias, a32, &kp,
                                                     scr, sb, vmax, -1, path);
        if ((pct == 0 && !image) || (path == MYELIN_PATH_DENSE && dense_takes) ||
            (path == MYELIN_PATH_TILE && !image && co <= MYELIN_TILE_MAX_CO) ||
            (path == MYELIN_PATH_ROWSPARSE && k == 1 && isa8 == 3))
            ck_assert_int_eq(rp, 0);
        if (rp != 0) {
            ck_assert_int_eq(a32[0], 0x5a5a5a5a);
            continue;
        }
        for (int i = 0; i < n_out; i++)
            ck_assert_int_eq(a32[i], ref[i]);
        ck_assert_int_eq(kp.events, kr.events);
        ck_assert_int_eq(kp.synops, kr.synops);
    }
    /* the bound: a vmax that could overflow int32 is refused, nothing written */
    for (int i = 0; i < n_out; i++)
        a32[i] = 0x5a5a5a5a;
    myelin_kcounts kz = {0};
    ck_assert_int_eq(myelin_kernel_synapse_iw_set32(in, h, w, ci, &kw, co, k, zp, bias, a32, &kz,
                                                    scr, sb, INT32_MAX / ((int64_t)k * k * ci * 127),
                                                    -1),
                     -1);
    ck_assert_int_eq(a32[0], 0x5a5a5a5a);
    ck_assert_int_eq(kz.events, 0);
    ck_assert_int_eq(myelin_kernel_iw_bound(ci, k, 127, vmax, bias, co) -
                         myelin_kernel_iw_bound(ci, k, 127, vmax, NULL, co) <= 1000000, 1);
    free(in), free(wq), free(w16), free(w8), free(p8), free(p8r), free(scr), free(ref), free(bias);
    free(a32);
}
END_TEST

/* The LIF over T steps at once (layer-major execution) gives, step by step, the reference loop's
 * spikes and counts run on one membrane array from V = 0: mixed and left-only shifts, channel
 * counts off the 16-lane width, accumulators up to the int64 extremes, one current for every
 * step (acc_step 0, the image layer) or one per step.  Without AVX-512F it must refuse (-1). */
START_TEST(test_lif_int_steps_vs_per_step)
{
    static const int ms[] = {8, 16, 24, 31}, cs[] = {13, 16, 40}, Ts[] = {4, 1, 5};
    int m = ms[_i % 4], c = cs[(_i / 4) % 3], T = Ts[(_i / 12) % 3];
    int left_only = (_i / 36) % 2, shared = _i % 3 == 0;
    int npos = 7;
    int64_t nn = (int64_t)c * npos;
    myelin_rng r;
    myelin_rng_seed(&r, 29, (uint64_t)_i);
    int shift[40];
    int64_t theta[40];
    for (int ch = 0; ch < c; ch++) {
        shift[ch] = (int)myelin_rng_below(&r, 125) - 62;
        if (ch < 4)
            shift[ch] = (int[]){-62, 62, 0, 1}[ch];
        if (left_only)
            shift[ch] = shift[ch] > 0 ? -shift[ch] : shift[ch];
        theta[ch] = 1 + (int64_t)myelin_rng_below(&r, (uint64_t)1 << (m - 2));
    }
    int64_t *acc = malloc(sizeof *acc * (size_t)(nn * T)), *v = calloc((size_t)nn, sizeof *v);
    int32_t *s = malloc(sizeof *s * (size_t)(nn * T)), *sr = malloc(sizeof *sr * (size_t)nn);
    ck_assert(acc && v && s && sr);
    for (int64_t n = 0; n < nn * T; n++) {
        uint64_t u = myelin_rng_next(&r);
        int kind = (int)(u % 5);
        acc[n] = kind == 0 ? (int64_t)(u >> 1) : kind == 1 ? -(int64_t)(u >> 1)
               : kind == 2 ? (n % 2 ? INT64_MAX : INT64_MIN)
                           : (int64_t)(u >> 40) - ((int64_t)1 << 23);
    }
    for (int64_t n = 0; n < nn * T; n++)
        s[n] = -7;
    myelin_kcounts kt[5];
    memset(kt, 0, sizeof kt);
    int rc = myelin_kernel_lif_i_steps(acc, shared ? 0 : nn, s, nn, nn, T, c, shift, theta, m, kt,
                                       -1);
    if (rc != 0) {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_lt(myelin_kernel_dense_isa(), 2); /* refused only without AVX-512 */
        ck_assert_int_eq(kt[0].neuron_updates, 0);
    } else {
        int64_t xs = 0, fired = 0;
        for (int t = 0; t < T; t++) {
            myelin_kcounts kr = {0};
            myelin_kernel_lif_i(acc + (shared ? 0 : t * nn), v, sr, NULL, 0, nn, c, shift, theta, m,
                                &kr);
            for (int64_t n = 0; n < nn; n++)
                ck_assert_int_eq(s[t * nn + n], sr[n]);
            ck_assert_int_eq(kt[t].spikes, kr.spikes);
            ck_assert_int_eq(kt[t].x_sat, kr.x_sat);
            ck_assert_int_eq(kt[t].h_sat, kr.h_sat);
            ck_assert_int_eq(kt[t].neuron_updates, nn);
            xs += kr.x_sat;
            fired += kr.spikes;
        }
        ck_assert(xs > 0 && fired > 0); /* the clamps and the spikes were exercised */
    }
    /* m = 32 (X - V needs 33 bits) and a partial position are refused, nothing written */
    for (int64_t n = 0; n < nn; n++)
        s[n] = -7;
    ck_assert_int_eq(myelin_kernel_lif_i_steps(acc, nn, s, nn, nn, T, c, shift, theta, 32, kt, -1),
                     -1);
    ck_assert_int_eq(myelin_kernel_lif_i_steps(acc, nn, s, nn, nn - 1, T, c, shift, theta, m, kt,
                                               -1), -1);
    ck_assert_int_eq(myelin_kernel_lif_i_steps(acc, nn, s, nn, nn, T, c, shift, theta, m, kt, 0),
                     -1);
    for (int64_t n = 0; n < nn; n++)
        ck_assert_int_eq(s[n], -7);
    free(acc), free(v), free(s), free(sr);
}
END_TEST

/* The LIF over T steps from int32 currents gives, step by step, the reference loop's spikes and
 * counts on the same currents widened to int64, with AVX-512F (when the CPU has it) and with the
 * portable blocks (isa 0): mixed and left-only shifts, channel counts that divide 16 (the flat
 * lanes), multiples of 16 and neither, currents up to the int32 extremes, one current for every
 * step or one per step, a tensor larger than the portable block. */
START_TEST(test_lif_int_steps32_vs_per_step)
{
    static const int ms[] = {8, 16, 31}, cs[] = {1, 8, 13, 16, 40}, Ts[] = {4, 3};
    int m = ms[_i % 3], c = cs[(_i / 3) % 5], T = Ts[(_i / 15) % 2];
    int left_only = (_i / 30) % 2, shared = _i % 4 == 0, big = _i % 7 == 0;
    /* small: currents within 2^19 and left shifts of at most 11, passed as the bound (the
     * clamp-only X) */
    int small = _i % 3 == 1;
    int npos = big ? 5000 / c + 3 : 9;
    int64_t nn = (int64_t)c * npos;
    myelin_rng r;
    myelin_rng_seed(&r, 31, (uint64_t)_i);
    int shift[40];
    int64_t theta[40];
    for (int ch = 0; ch < c; ch++) {
        shift[ch] = (int)myelin_rng_below(&r, 125) - 62;
        if (ch < 4)
            shift[ch] = (int[]){-2, 3, 0, -62}[ch];
        if (ch % 3 == 1 && left_only)
            shift[ch] = -(int)myelin_rng_below(&r, 8);
        if (left_only)
            shift[ch] = shift[ch] > 0 ? -shift[ch] : shift[ch];
        else if (ch % 2)
            shift[ch] = (int)myelin_rng_below(&r, 9) - 4;
        if (small)
            shift[ch] = -(int)myelin_rng_below(&r, 12);
        theta[ch] = 1 + (int64_t)myelin_rng_below(&r, (uint64_t)1 << (m - 3));
    }
    int32_t *acc = malloc(sizeof *acc * (size_t)(nn * T));
    int64_t *wide = malloc(sizeof *wide * (size_t)nn), *v = malloc(sizeof *v * (size_t)nn);
    int32_t *s = malloc(sizeof *s * (size_t)(nn * T)), *sr = malloc(sizeof *sr * (size_t)nn);
    ck_assert(acc && wide && v && s && sr);
    for (int64_t n = 0; n < nn * T; n++) {
        uint64_t u = myelin_rng_next(&r);
        int kind = (int)(u % 6);
        acc[n] = kind == 0 ? (int32_t)(u >> 33) : kind == 1 ? -(int32_t)(u >> 33)
               : kind == 2 ? (n % 2 ? INT32_MAX : INT32_MIN)
                           : (int32_t)((int64_t)(u >> 44) - ((int64_t)1 << 19)) >> (kind - 3) * 6;
        if (small)
            acc[n] = (int32_t)((int64_t)(u >> 44) - ((int64_t)1 << 19)) >> (kind % 3) * 4;
    }
    int64_t abound = small ? (int64_t)1 << 19 : -1;
    for (int isa = -1; isa <= 0; isa++) {
        for (int64_t n = 0; n < nn * T; n++)
            s[n] = -7;
        myelin_kcounts kt[4];
        memset(kt, 0, sizeof kt);
        ck_assert_int_eq(myelin_kernel_lif_i_steps32(acc, shared ? 0 : nn, s, nn, nn, T, c, shift,
                                                     theta, m, abound, kt, isa), 0);
        memset(v, 0, sizeof *v * (size_t)nn);
        int64_t xs = 0, fired = 0;
        for (int t = 0; t < T; t++) {
            for (int64_t n = 0; n < nn; n++)
                wide[n] = acc[(shared ? 0 : t * nn) + n];
            myelin_kcounts kr = {0};
            myelin_kernel_lif_i(wide, v, sr, NULL, 0, nn, c, shift, theta, m, &kr);
            for (int64_t n = 0; n < nn; n++)
                ck_assert_int_eq(s[t * nn + n], sr[n]);
            ck_assert_int_eq(kt[t].spikes, kr.spikes);
            ck_assert_int_eq(kt[t].x_sat, kr.x_sat);
            ck_assert_int_eq(kt[t].h_sat, kr.h_sat);
            ck_assert_int_eq(kt[t].neuron_updates, nn);
            xs += kr.x_sat;
            fired += kr.spikes;
        }
        ck_assert(xs > 0 && fired > 0); /* the clamps and the spikes were exercised */
    }
    /* m = 32, a partial position, T = 17 are refused, nothing written */
    myelin_kcounts kt[4] = {{0}};
    for (int64_t n = 0; n < nn; n++)
        s[n] = -7;
    ck_assert_int_eq(myelin_kernel_lif_i_steps32(acc, nn, s, nn, nn, T, c, shift, theta, 32, -1, kt,
                                                 -1),
                     -1);
    if (c > 1)
        ck_assert_int_eq(myelin_kernel_lif_i_steps32(acc, nn, s, nn, nn - 1, T, c, shift, theta, m,
                                                     -1, kt, -1), -1);
    ck_assert_int_eq(myelin_kernel_lif_i_steps32(acc, nn, s, nn, nn, 17, c, shift, theta, m, -1, kt,
                                                 -1),
                     -1);
    for (int64_t n = 0; n < nn; n++)
        ck_assert_int_eq(s[n], -7);
    ck_assert_int_eq(kt[0].neuron_updates, 0);
    free(acc), free(wide), free(v), free(s), free(sr);
}
END_TEST

/* The vectorised LIF rows (taken with h_out, whole positions, shifts in -62..62, m <= 32) give
 * the reference loop's membranes, spikes, H and counts (the loop runs when h_out is NULL), on
 * mixed shift signs, accumulators up to the int64 extremes, and a range not aligned to
 * positions. */
START_TEST(test_lif_int_rows_vs_scalar)
{
    static const int ms[] = {8, 16, 24, 32};
    int m = ms[_i % 4], c = 13, npos = 9;
    int64_t nn = (int64_t)c * npos, lo = 4, hi = nn - 6;
    myelin_rng r;
    myelin_rng_seed(&r, 13, (uint64_t)_i);
    int shift[13];
    int64_t theta[13], acc[117], va[117], vb[117], ha[117], hc[117];
    int32_t sa[117], sb[117], sc[117], sd[117], vc[117], vd[117], se[117], sf[117];
    int16_t ve[117], vf[117];
    int64_t he[117];
    for (int ch = 0; ch < c; ch++) {
        shift[ch] = (int)myelin_rng_below(&r, 125) - 62;
        if (ch < 4)
            shift[ch] = (int[]){-62, 62, 0, 1}[ch];
        if (_i >= 4) /* every shift <= 0: lif_i32's left-shift rows */
            shift[ch] = shift[ch] > 0 ? -shift[ch] : shift[ch];
        theta[ch] = 1 + (int64_t)myelin_rng_below(&r, (uint64_t)1 << (m - 2));
    }
    for (int64_t n = 0; n < nn; n++)
        va[n] = vb[n] = vc[n] = vd[n] = ve[n] = vf[n] = 0;
    for (int step = 0; step < 6; step++) {
        for (int64_t n = 0; n < nn; n++) {
            uint64_t u = myelin_rng_next(&r);
            int kind = (int)(u % 5);
            acc[n] = kind == 0 ? (int64_t)(u >> 1) : kind == 1 ? -(int64_t)(u >> 1)
                   : kind == 2 ? (n % 2 ? INT64_MAX : INT64_MIN)
                               : (int64_t)(u >> 40) - ((int64_t)1 << 23);
        }
        myelin_kcounts ka = {0}, kb = {0};
        int64_t fa = myelin_kernel_lif_i(acc, va, sa, ha, lo, hi, c, shift, theta, m, &ka);
        int64_t fb = myelin_kernel_lif_i(acc, vb, sb, NULL, lo, hi, c, shift, theta, m, &kb);
        ck_assert_int_eq(fa, fb);
        /* int32 membranes, with and without H: the reference loop's integers */
        myelin_kcounts kc = {0}, kd = {0};
        ck_assert_int_eq(myelin_kernel_lif_i32(acc, vc, sc, hc, lo, hi, c, shift, theta, m, &kc),
                         fb);
        ck_assert_int_eq(myelin_kernel_lif_i32(acc, vd, sd, NULL, lo, hi, c, shift, theta, m, &kd),
                         fb);
        ck_assert_int_eq(kc.x_sat, kb.x_sat);
        ck_assert_int_eq(kd.h_sat, kb.h_sat);
        ck_assert_int_eq(kd.neuron_updates, kb.neuron_updates);
        /* int16 membranes where m <= 16, with and without H; else nothing done */
        myelin_kcounts ke = {0}, kf = {0};
        int64_t fe = myelin_kernel_lif_i16(acc, ve, se, he, lo, hi, c, shift, theta, m, &ke);
        if (m > 16) {
            ck_assert_int_eq(fe, -1);
            ck_assert_int_eq(ke.neuron_updates, 0);
            for (int64_t n = 0; n < nn; n++)
                ck_assert_int_eq(ve[n], 0);
        } else {
            ck_assert_int_eq(fe, fb);
            ck_assert_int_eq(myelin_kernel_lif_i16(acc, vf, sf, NULL, lo, hi, c, shift, theta, m, &kf),
                             fb);
            ck_assert_int_eq(ke.x_sat, kb.x_sat);
            ck_assert_int_eq(kf.h_sat, kb.h_sat);
            ck_assert_int_eq(ke.spikes, kb.spikes);
            for (int64_t n = lo; n < hi; n++) {
                ck_assert_int_eq(ve[n], vb[n]);
                ck_assert_int_eq(vf[n], vb[n]);
                ck_assert_int_eq(se[n], sb[n]);
                ck_assert_int_eq(sf[n], sb[n]);
                ck_assert_int_eq(he[n], ha[n]);
            }
        }
        for (int64_t n = lo; n < hi; n++) {
            ck_assert_int_eq(va[n], vb[n]);
            ck_assert_int_eq(sa[n], sb[n]);
            ck_assert(sa[n] == 1 ? va[n] == 0 : va[n] == ha[n]);
            ck_assert_int_eq(vc[n], vb[n]);
            ck_assert_int_eq(vd[n], vb[n]);
            ck_assert_int_eq(sc[n], sb[n]);
            ck_assert_int_eq(sd[n], sb[n]);
            ck_assert_int_eq(hc[n], ha[n]);
        }
        ck_assert_int_eq(ka.x_sat, kb.x_sat);
        ck_assert_int_eq(ka.h_sat, kb.h_sat);
        ck_assert_int_eq(ka.spikes, kb.spikes);
        ck_assert_int_eq(ka.neuron_updates, kb.neuron_updates);
        ck_assert(ka.x_sat > 0);
    }
}
END_TEST

/* The transposed-K qk_v attention gives the reference order's products and counts, on spike-sized
 * values (its int32 sums) and on values whose products need int64 (_i = 1). */
START_TEST(test_attention_qk_v_t)
{
    int n = 37, d = 48, heads = 3, dh = 16;
    myelin_rng r;
    myelin_rng_seed(&r, 14, 0);
    int32_t *q = calloc((size_t)(n * d), sizeof *q), *k = calloc((size_t)(n * d), sizeof *k);
    int32_t *v = calloc((size_t)(n * d), sizeof *v);
    int64_t *oa = calloc((size_t)(n * d), sizeof *oa), *ob = calloc((size_t)(n * d), sizeof *ob);
    int64_t *srow = calloc((size_t)n, sizeof *srow);
    int64_t *scr = calloc((size_t)(n + (dh * n + 1) / 2), sizeof *scr);
    for (int i = 0; i < n * d; i++) {
        q[i] = myelin_rng_below(&r, 4) == 0 ? (int32_t)myelin_rng_below(&r, 3) + 1 : 0;
        k[i] = myelin_rng_below(&r, 3) == 0;
        v[i] = myelin_rng_below(&r, 5) == 0 ? 2 : 0;
        if (_i == 1 && i % 7 == 0) /* S up to dh 2^24, A past 2^31: the int64 loop */
            q[i] = k[i] = v[i] = 1 << 12;
    }
    myelin_kcounts ka = {0}, kb = {0};
    for (int hd = 0; hd < heads; hd++) {
        myelin_kernel_attn_head_qk_v(q, k, v, n, d, hd, dh, 3, n - 2, srow, oa, &ka);
        myelin_kernel_attn_head_qk_v_t(q, k, v, n, d, hd, dh, 3, n - 2, scr, ob, &kb);
    }
    for (int i = 0; i < n * d; i++)
        ck_assert_int_eq(oa[i], ob[i]);
    ck_assert_int_eq(ka.events, kb.events);
    ck_assert_int_eq(ka.synops, kb.synops);
    free(q), free(k), free(v), free(oa), free(ob), free(srow), free(scr);
}
END_TEST

START_TEST(test_scatter_counts_corner)
{
    /* one event in a corner of a 3x3 map reaches 4 output positions with a 3x3 kernel */
    int32_t in[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    int32_t wq[9 * 2];
    for (int i = 0; i < 18; i++)
        wq[i] = 1;
    int64_t acc[9 * 2] = {0};
    myelin_kcounts kc = {0};
    myelin_kernel_scatter_i(in, 3, 3, 1, wq, 2, 3, 0, 2, acc, &kc);
    ck_assert_int_eq(kc.events, 1);
    ck_assert_int_eq(kc.synops, 4 * 2);
    ck_assert_int_eq(acc[0], 1);
    ck_assert_int_eq(acc[4 * 2], 1);  /* (1,1) */
    ck_assert_int_eq(acc[8 * 2], 0);  /* (2,2) is out of reach */
}
END_TEST

START_TEST(test_lif_float_sequence)
{
    /* X = 1.5 every step, V_th 1: H = 0.75, 1.125 (spike, reset), 0.75, 1.125 ... */
    static const double want_h[6] = {0.75, 1.125, 0.75, 1.125, 0.75, 1.125};
    double x = 1.5, v = 0, h;
    int32_t s;
    myelin_kcounts kc = {0};
    for (int t = 0; t < 6; t++) {
        myelin_kernel_lif_f(&x, &v, &s, &h, 0, 1, 1.0, &kc);
        ck_assert(fabs(h - want_h[t]) < 1e-15);
        ck_assert_int_eq(s, t % 2);
        ck_assert(v == (t % 2 ? 0.0 : 0.75));
    }
    ck_assert_int_eq(kc.spikes, 3);
    ck_assert_int_eq(kc.neuron_updates, 6);
    /* exactly at threshold fires (>=) */
    x = 2.0, v = 0;
    myelin_kernel_lif_f(&x, &v, &s, NULL, 0, 1, 1.0, NULL);
    ck_assert_int_eq(s, 1);
}
END_TEST

START_TEST(test_lif_int_sequence)
{
    /* acc 100 with k = 0, m = 8, theta 64: H = 50, 75 (spike), 50, 75 ... ; and a negative current
     * halves with floor: from V = 0, X = -3 gives H = (-3) >> 1 = -2. */
    int64_t acc[2] = {100, -3}, v[2] = {0, 0}, h[2];
    int32_t s[2];
    int shift[2] = {0, 0};
    int64_t theta[2] = {64, 64};
    static const int64_t want_h0[4] = {50, 75, 50, 75};
    for (int t = 0; t < 4; t++) {
        myelin_kernel_lif_i(acc, v, s, h, 0, 2, 2, shift, theta, 8, NULL);
        ck_assert_int_eq(h[0], want_h0[t]);
        ck_assert_int_eq(s[0], t % 2);
        ck_assert_int_eq(s[1], 0);
    }
    ck_assert_int_eq(h[1], -3); /* -2, then -2 + ((-3 + 2) >> 1) = -3, -3 + 0 = -3 ... */
}
END_TEST

static const struct {
    int64_t acc;
    int shift, m;
    int64_t want;
} rescale_cases[] = {
    {3, 1, 8, 2},        /* 1.5 rounds half up to 2 */
    {-3, 1, 8, -1},      /* -1.5 rounds half up to -1 */
    {-1, 1, 8, 0},       /* -0.5 -> 0 */
    {5, 2, 8, 1},        /* 1.25 -> 1 */
    {6, 2, 8, 2},        /* 1.5 -> 2 */
    {1000, 0, 8, 127},   /* saturates high */
    {-1000, 0, 8, -128}, /* saturates low */
    {3, -2, 8, 12},      /* negative k shifts left */
    {100, -2, 8, 127},   /* and saturates */
    {-40, -2, 8, -128},
    {-32, -2, 8, -128},  /* exactly the bottom */
    {31, -2, 8, 124},
    {(int64_t)1 << 40, -30, 32, 2147483647},
    {12345, 70, 16, 0},
};

START_TEST(test_rescale_table)
{
    ck_assert_int_eq(myelin_kernel_rescale(rescale_cases[_i].acc, rescale_cases[_i].shift,
                                           rescale_cases[_i].m),
                     rescale_cases[_i].want);
}
END_TEST

START_TEST(test_lif_int_saturation)
{
    /* m = 4: range [-8, 7]; a huge current saturates X to 7, H = 0 + (7 >> 1) = 3, then 5, 6, 6 */
    int64_t acc = 1 << 20, v = 0, h;
    int32_t s;
    int shift = 0;
    int64_t theta = 100; /* never reached */
    static const int64_t want[4] = {3, 5, 6, 6};
    for (int t = 0; t < 4; t++) {
        myelin_kernel_lif_i(&acc, &v, &s, &h, 0, 1, 1, &shift, &theta, 4, NULL);
        ck_assert_int_eq(h, want[t]);
    }
    acc = -(1 << 20), v = 0;
    for (int t = 0; t < 6; t++)
        myelin_kernel_lif_i(&acc, &v, &s, &h, 0, 1, 1, &shift, &theta, 4, NULL);
    ck_assert_int_eq(h, -8);
    ck_assert_int_ge(v, -8);
}
END_TEST

START_TEST(test_attention_vs_naive)
{
    enum { N = 7, D = 8, HEADS = 2, DH = 4 };
    int32_t q[N * D], k[N * D], v[N * D];
    myelin_rng r;
    myelin_rng_seed(&r, 3, 0);
    for (int i = 0; i < N * D; i++) {
        q[i] = (int32_t)myelin_rng_below(&r, 2);
        k[i] = (int32_t)myelin_rng_below(&r, 2);
        v[i] = (int32_t)myelin_rng_below(&r, 2);
    }
    int64_t kv[DH * DH], out[N * D];
    for (int hd = 0; hd < HEADS; hd++)
        myelin_kernel_attn_head(q, k, v, N, D, hd, DH, 0, N, kv, out, NULL);
    for (int hd = 0; hd < HEADS; hd++) {
        int c0 = hd * DH;
        for (int t = 0; t < N; t++)
            for (int j = 0; j < DH; j++) {
                /* naive (Q K^T) V */
                int64_t s = 0;
                for (int u = 0; u < N; u++) {
                    int64_t qk = 0;
                    for (int i = 0; i < DH; i++)
                        qk += q[t * D + c0 + i] * k[u * D + c0 + i];
                    s += qk * v[u * D + c0 + j];
                }
                ck_assert_int_eq(out[t * D + c0 + j], s);
            }
    }
}
END_TEST

/* Both attention orders give the same integers; each counts its own dataflow's actions. */
/* The int32 Q (K^T V) gives both kernels' A, and myelin_kernel_attn_counts both orders' counts,
 * on spikes and small integers (residual-like values), partial token ranges and several heads
 * (dh 16: the AVX-512 register kernel where the CPU has AVX-512F; dh 32: the portable loop),
 * spike-like values (0, 1, some -1) and larger ones;
 * values too large for the int32 bound are refused with out untouched. */
START_TEST(test_attention_i32)
{
    enum { N = 37, D = 96 };
    int dh = _i % 2 ? 32 : 16, heads = D / dh, lo = _i % 4 >= 2 ? 5 : 0, hi = _i % 4 >= 2 ? N - 3 : N;
    int spikes = _i >= 4; /* |Q|, |K|, |V| <= 1, some -1s */
    int32_t *q = calloc(N * D, sizeof *q), *k = calloc(N * D, sizeof *k);
    int32_t *v = calloc(N * D, sizeof *v), kv32[32 * 32];
    int64_t *a1 = calloc(N * D, sizeof *a1), *a2 = calloc(N * D, sizeof *a2);
    int64_t *a3 = calloc(N * D, sizeof *a3), *scr = calloc(N + (32 * N + 1) / 2 + 32 * 32, 8);
    int32_t *o32 = malloc(sizeof *o32 * N * D);
    for (int i = 0; i < N * D; i++)
        o32[i] = -9;
    myelin_rng r;
    myelin_rng_seed(&r, 41, (uint64_t)_i);
    for (int i = 0; i < N * D; i++) { /* ~40 % spikes, a few 2s and 3s */
        int32_t *x[3] = {q, k, v};
        for (int j = 0; j < 3; j++)
            x[j][i] = myelin_rng_below(&r, 5) < 2
                          ? (myelin_rng_below(&r, 20) ? 1
                             : spikes                 ? -1
                                                      : 2 + (int32_t)myelin_rng_below(&r, 2))
                          : 0;
    }
    for (int i = 0; i < N * D; i++)
        a1[i] = a2[i] = a3[i] = -5;
    myelin_kcounts c1 = {0}, c2 = {0}, e1 = {0}, e2 = {0};
    for (int hd = 0; hd < heads; hd++) {
        myelin_kernel_attn_head(q, k, v, N, D, hd, dh, lo, hi, scr, a1, &c1);
        myelin_kernel_attn_head_qk_v_t(q, k, v, N, D, hd, dh, lo, hi, scr, a2, &c2);
        /* the head's own maxima (NULL), or bounds over the whole tensors */
        int64_t bd[3] = {myelin_kernel_absmax(q, N * D), myelin_kernel_absmax(k, N * D),
                         myelin_kernel_absmax(v, N * D)};
        ck_assert_int_eq(myelin_kernel_attn_head_i32(q, k, v, N, D, hd, dh, lo, hi,
                                                     hd % 2 ? bd : NULL, kv32, a3), 0);
        ck_assert_int_eq(myelin_kernel_attn_head_i32_32(q, k, v, N, D, hd, dh, lo, hi,
                                                        hd % 2 ? NULL : bd, kv32, o32), 0);
        myelin_kernel_attn_counts(q, k, v, N, D, hd, dh, lo, hi, 0, &e1);
        myelin_kernel_attn_counts(q, k, v, N, D, hd, dh, lo, hi, 1, &e2);
    }
    for (int i = 0; i < N * D; i++) {
        ck_assert_int_eq(a3[i], a1[i]);
        ck_assert_int_eq(a3[i], a2[i]);
        int t = i / D;
        if (t >= lo && t < hi) /* the int32 output: the same A on the token range */
            ck_assert_int_eq(o32[i], a1[i]);
        else
            ck_assert_int_eq(o32[i], -9);
    }
    ck_assert_int_gt(c1.synops, 0);
    ck_assert_int_eq(e1.events, c1.events);
    ck_assert_int_eq(e1.synops, c1.synops);
    ck_assert_int_eq(e2.events, c2.events);
    ck_assert_int_eq(e2.synops, c2.synops);
    /* n dh max|Q| max|K| max|V| beyond int32: refused, nothing written */
    q[lo * D] = 1 << 20, k[0] = 1 << 10;
    int64_t before = a3[lo * D];
    ck_assert_int_eq(myelin_kernel_attn_head_i32(q, k, v, N, D, 0, dh, lo, hi, NULL, kv32, a3),
                     -1);
    int64_t big[3] = {myelin_kernel_absmax(q, N * D), myelin_kernel_absmax(k, N * D),
                      myelin_kernel_absmax(v, N * D)};
    ck_assert_int_eq(big[0], 1 << 20);
    ck_assert_int_eq(myelin_kernel_attn_head_i32(q, k, v, N, D, 0, dh, lo, hi, big, kv32, a3), -1);
    q[0] = INT32_MIN;
    ck_assert_int_eq(myelin_kernel_absmax(q, N * D), (int64_t)INT32_MAX + 1);
    ck_assert_int_eq(a3[lo * D], before);
    free(q), free(k), free(v), free(a1), free(a2), free(a3), free(scr), free(o32);
}
END_TEST

START_TEST(test_attention_orders)
{
    enum { N = 9, D = 8, HEADS = 2, DH = 4 };
    int32_t q[N * D], k[N * D], v[N * D];
    myelin_rng r;
    myelin_rng_seed(&r, 5, 0);
    int64_t nz_q = 0, nz_k = 0, nz_v = 0;
    for (int i = 0; i < N * D; i++) {
        q[i] = (int32_t)myelin_rng_below(&r, 2), nz_q += q[i];
        k[i] = (int32_t)myelin_rng_below(&r, 2), nz_k += k[i];
        v[i] = (int32_t)myelin_rng_below(&r, 2), nz_v += v[i];
    }
    int64_t kv[DH * DH], srow[N], a1[N * D], a2[N * D];
    myelin_kcounts c1 = {0}, c2 = {0};
    for (int hd = 0; hd < HEADS; hd++) {
        myelin_kernel_attn_head(q, k, v, N, D, hd, DH, 0, N, kv, a1, &c1);
        myelin_kernel_attn_head_qk_v(q, k, v, N, D, hd, DH, 0, N, srow, a2, &c2);
    }
    for (int i = 0; i < N * D; i++)
        ck_assert_int_eq(a1[i], a2[i]);
    ck_assert_int_eq(c1.synops, (nz_k + nz_q) * DH); /* q_kv: dh per K and per Q spike */
    ck_assert_int_eq(c2.synops, (nz_q + nz_v) * N);  /* qk_v: n per Q and per V spike */
    ck_assert_int_eq(c2.events, nz_q + nz_v);
}
END_TEST

/* Clamps are counted: X when the rescaled current leaves m bits, H when the membrane does. */
START_TEST(test_lif_int_saturation_counts)
{
    int64_t acc[3] = {1 << 20, 5, -(1 << 20)}, v[3] = {0, 0, 0}, h[3];
    int32_t s[3];
    int shift[1] = {0};
    int64_t theta[1] = {100};
    myelin_kcounts kc = {0};
    myelin_kernel_lif_i(acc, v, s, h, 0, 3, 1, shift, theta, 4, &kc);
    ck_assert_int_eq(kc.x_sat, 2); /* +2^20 and -2^20; 5 fits in [-8, 7] */
    ck_assert_int_eq(kc.h_sat, 0); /* H = X/2 from rest never leaves the range */
    v[0] = -8, v[1] = -8, v[2] = -8;
    acc[0] = acc[1] = acc[2] = -(1 << 20);
    kc = (myelin_kcounts){0};
    myelin_kernel_lif_i(acc, v, s, h, 0, 3, 1, shift, theta, 4, &kc);
    ck_assert_int_eq(kc.x_sat, 3);
    ck_assert_int_eq(kc.h_sat, 0); /* -8 + (-8 + 8) >> 1 = -8: at the end, not clamped */
    /* the membrane format: f fraction bits, the rest headroom; width buys both */
    ck_assert_int_eq(myelin_kernel_frac_bits(16), 13);
    ck_assert_int_eq(myelin_kernel_frac_bits(24), 20);
    ck_assert_int_eq(myelin_kernel_frac_bits(8), 6);
    ck_assert_int_eq(myelin_kernel_frac_bits(32), 27);
    for (int m = 3; m <= 32; m++) {
        int f = myelin_kernel_frac_bits(m);
        ck_assert_int_ge(f, 1);
        ck_assert_int_le(f, m - 2);
        ck_assert_int_ge(m - 1 - f, m - 2 - myelin_kernel_frac_bits(m - 1)); /* range never shrinks */
        ck_assert_int_ge(f, myelin_kernel_frac_bits(m - 1));              /* nor resolution */
    }
}
END_TEST

START_TEST(test_maxpool_add)
{
    /* 3x3, one channel -> 2x2 (ceil) */
    int32_t in[9] = {0, 1, 0, 0, 0, 0, 2, 0, 3};
    int32_t out[4];
    ck_assert_int_eq(myelin_kernel_maxpool(in, 3, 3, 1, out), 7); /* the outputs' sum */
    ck_assert_int_eq(out[0], 1); /* window rows -1..1, cols -1..1 */
    ck_assert_int_eq(out[1], 1); /* rows -1..1, cols 1..3 */
    ck_assert_int_eq(out[2], 2);
    ck_assert_int_eq(out[3], 3);
    int32_t a[4] = {1, 0, 2, 1}, b[4] = {1, 1, 0, 0}, c[4] = {9, 9, 9, 9};
    ck_assert_int_eq(myelin_kernel_add(a, b, c, 1, 3), 3);
    ck_assert_int_eq(c[0], 9);
    ck_assert_int_eq(c[1], 1);
    ck_assert_int_eq(c[2], 2);
    ck_assert_int_eq(c[3], 9);
    ck_assert_int_eq(myelin_kernel_nonzero(a, 4), 3);
    /* channel counts that are multiples of 16 (the blocked loop) and not, odd and even sides,
     * against the window written out */
    static const int sh[][3] = {{7, 7, 16}, {8, 5, 32}, {1, 4, 48}, {5, 6, 20}, {2, 1, 64}};
    myelin_rng r;
    myelin_rng_seed(&r, 31, 0);
    for (size_t s = 0; s < sizeof sh / sizeof sh[0]; s++) {
        int h = sh[s][0], w = sh[s][1], ch = sh[s][2], oh = (h + 1) / 2, ow = (w + 1) / 2;
        int32_t *x = malloc(sizeof *x * (size_t)(h * w * ch)), *y = malloc(sizeof *y * (size_t)(oh * ow * ch));
        for (int i = 0; i < h * w * ch; i++)
            x[i] = myelin_rng_below(&r, 3) ? 0 : (int32_t)myelin_rng_below(&r, 4);
        int64_t sum = myelin_kernel_maxpool(x, h, w, ch, y), ref = 0;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int j = 0; j < ch; j++) {
                    int32_t m = 0;
                    for (int yy = 2 * oy - 1; yy <= 2 * oy + 1; yy++)
                        for (int xx = 2 * ox - 1; xx <= 2 * ox + 1; xx++)
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w && x[(yy * w + xx) * ch + j] > m)
                                m = x[(yy * w + xx) * ch + j];
                    ck_assert_int_eq(y[(oy * ow + ox) * ch + j], m);
                    ref += m;
                }
        ck_assert_int_eq(sum, ref);
        free(x), free(y);
    }
}
END_TEST

/* ---- engine on a hand-built one-block graph ---------------------------------------------------- */

enum { IMG = 8, D = 16, CLASSES = 10, T = 4, NIMG = 12 };

typedef struct fixture {
    myelin_workload wl;
    myelin_layer layers[16];
    myelin_layer_weights lw[16];
    const myelin_layer_weights *lwp[16];
    uint8_t pixels[NIMG * IMG * IMG * 3];
} fixture;

static int add_layer(fixture *f, const char *name, myelin_layer_kind kind, int in0, int in1, int in2,
                     myelin_shape in_shape, myelin_shape out_shape)
{
    int i = f->wl.n_layers++;
    myelin_layer *ly = &f->layers[i];
    memset(ly, 0, sizeof *ly);
    snprintf(ly->name, sizeof ly->name, "%s", name);
    ly->kind = kind;
    ly->inputs[0] = in0, ly->inputs[1] = in1, ly->inputs[2] = in2;
    ly->n_inputs = kind == MYELIN_LAYER_ADD ? 2 : kind == MYELIN_LAYER_ATTN ? 3 : 1;
    ly->in_shape = in_shape;
    ly->out_shape = out_shape;
    ly->kernel = kind == MYELIN_LAYER_CONV ? 3 : 1;
    ly->c_in = in_shape.c;
    ly->c_out = out_shape.c;
    ly->real_input = in0 == MYELIN_INPUT_IMAGE;
    ly->has_lif = kind == MYELIN_LAYER_CONV || kind == MYELIN_LAYER_LINEAR || kind == MYELIN_LAYER_ATTN;
    ly->v_threshold = kind == MYELIN_LAYER_ATTN ? 0.5 : 1.0;
    ly->tau = 2.0;
    ly->heads = kind == MYELIN_LAYER_ATTN ? 2 : 0;
    ly->attn_scale = 0.25; /* livelier than 0.125 on this small graph */
    return i;
}

static fixture *make_fixture(uint64_t seed)
{
    fixture *f = calloc(1, sizeof *f);
    myelin_workload *wl = &f->wl;
    snprintf(wl->name, sizeof wl->name, "test-1block");
    wl->depth = 1, wl->dim = D, wl->heads = 2, wl->mlp_ratio = 4, wl->timesteps = T;
    wl->input = (myelin_shape){3, IMG, IMG};
    wl->classes = CLASSES;
    for (int c = 0; c < 3; c++)
        wl->norm_mean[c] = 0.45 + 0.02 * c, wl->norm_std[c] = 0.25;
    wl->layers = f->layers;
    myelin_shape img = {3, IMG, IMG}, s8 = {D / 2, IMG, IMG}, p8 = {D / 2, IMG / 2, IMG / 2};
    myelin_shape tok = {D, IMG / 2, IMG / 2}, hid = {4 * D, IMG / 2, IMG / 2};
    int c0 = add_layer(f, "sps.conv0", MYELIN_LAYER_CONV, MYELIN_INPUT_IMAGE, 0, 0, img, s8);
    int p0 = add_layer(f, "sps.pool0", MYELIN_LAYER_MAXPOOL, c0, 0, 0, s8, p8);
    int c1 = add_layer(f, "sps.conv1", MYELIN_LAYER_CONV, p0, 0, 0, p8, tok);
    int rpe = add_layer(f, "sps.rpe", MYELIN_LAYER_CONV, c1, 0, 0, tok, tok);
    int sa = add_layer(f, "sps.add", MYELIN_LAYER_ADD, c1, rpe, 0, tok, tok);
    int q = add_layer(f, "block.0.attn.q", MYELIN_LAYER_LINEAR, sa, 0, 0, tok, tok);
    int k = add_layer(f, "block.0.attn.k", MYELIN_LAYER_LINEAR, sa, 0, 0, tok, tok);
    int v = add_layer(f, "block.0.attn.v", MYELIN_LAYER_LINEAR, sa, 0, 0, tok, tok);
    int at = add_layer(f, "block.0.attn.attn", MYELIN_LAYER_ATTN, q, k, v, tok, tok);
    int pr = add_layer(f, "block.0.attn.proj", MYELIN_LAYER_LINEAR, at, 0, 0, tok, tok);
    int a1 = add_layer(f, "block.0.add1", MYELIN_LAYER_ADD, sa, pr, 0, tok, tok);
    int f1 = add_layer(f, "block.0.mlp.fc1", MYELIN_LAYER_LINEAR, a1, 0, 0, tok, hid);
    int f2 = add_layer(f, "block.0.mlp.fc2", MYELIN_LAYER_LINEAR, f1, 0, 0, hid, tok);
    int a2 = add_layer(f, "block.0.add2", MYELIN_LAYER_ADD, a1, f2, 0, tok, tok);
    int hd = add_layer(f, "head", MYELIN_LAYER_HEAD, a2, 0, 0, tok, (myelin_shape){CLASSES, 1, 1});
    f->layers[hd].c_out = CLASSES;
    myelin_rng r;
    myelin_rng_seed(&r, seed, 1);
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer *ly = &f->layers[i];
        if (ly->kind != MYELIN_LAYER_CONV && ly->kind != MYELIN_LAYER_LINEAR &&
            ly->kind != MYELIN_LAYER_HEAD)
            continue;
        myelin_layer_weights *w = &f->lw[i];
        w->c_in = ly->c_in, w->c_out = ly->c_out, w->kernel = ly->kernel;
        int64_t nw = (int64_t)ly->kernel * ly->kernel * ly->c_in * ly->c_out;
        w->w = calloc((size_t)nw, sizeof *w->w);
        w->b = calloc((size_t)ly->c_out, sizeof *w->b);
        /* gain chosen so every layer fires at a moderate rate */
        double a = 2.5 / sqrt((double)ly->kernel * ly->kernel * ly->c_in);
        for (int64_t j = 0; j < nw; j++)
            w->w[j] = a * (2 * myelin_rng_uniform(&r) - 1);
        for (int o = 0; o < ly->c_out; o++)
            w->b[o] = (strstr(ly->name, "attn.") ? 0.8 : 0.3) + 0.4 * myelin_rng_uniform(&r);
        f->lwp[i] = w;
    }
    for (size_t j = 0; j < sizeof f->pixels; j++)
        f->pixels[j] = (uint8_t)myelin_rng_below(&r, 256);
    return f;
}

static void free_fixture(fixture *f)
{
    for (int i = 0; i < f->wl.n_layers; i++) {
        free(f->lw[i].w);
        free(f->lw[i].b);
    }
    free(f);
}

/* Runs every fixture image; logits [NIMG][CLASSES], spikes [NIMG][n_layers][T]. */
static void run_all(const fixture *f, const myelin_layer_quant *lq, int input_bits, double *logits,
                    int64_t *spikes)
{
    myelin_engine *e = NULL;
    myelin_engine_state *st = NULL;
    myelin_error err;
    ck_assert_msg(myelin_engine_new_layers(&f->wl, f->lwp, lq, input_bits, &e, &err) == 0, "%s", err.message);
    ck_assert_int_eq(myelin_engine_state_new(e, &st, &err), 0);
    int n = f->wl.n_layers;
    for (int im = 0; im < NIMG; im++) {
        ck_assert_int_eq(myelin_engine_run_image(e, st, f->pixels + im * IMG * IMG * 3,
                                                 logits + im * CLASSES, &err),
                         0);
        for (int i = 0; i < n; i++)
            memcpy(spikes + ((int64_t)im * n + i) * T, myelin_engine_state_spikes(st, i),
                   sizeof(int64_t) * T);
    }
    myelin_engine_state_free(st);
    myelin_engine_free(e);
}

static myelin_layer_quant *uniform_setting(const fixture *f, int wb, int mb, myelin_scheme sc)
{
    myelin_layer_quant *lq = calloc((size_t)f->wl.n_layers, sizeof *lq);
    for (int i = 0; i < f->wl.n_layers; i++)
        lq[i] = (myelin_layer_quant){wb, sc, MYELIN_GRAN_CHANNEL, mb};
    return lq;
}

/* Time-step-major, layer-major and mixed orders (myelin_engine_set_layer_major_first) give the
 * same logits, per-step counts, saturation and drift, in float, w8 and w4 (bytes compared). */
static void run_order(const fixture *f, const myelin_layer_quant *lq, int first, double *logits,
                      int64_t *counts, myelin_drift_layer *drift)
{
    myelin_engine *e = NULL;
    myelin_engine_state *st = NULL;
    myelin_error err;
    int n = f->wl.n_layers;
    ck_assert_msg(myelin_engine_new_layers(&f->wl, f->lwp, lq, 8, &e, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(myelin_engine_layer_major_first(e), 0); /* small: all layer-major */
    myelin_engine_set_layer_major_first(e, first);
    ck_assert_int_eq(myelin_engine_layer_major_first(e), first < 0 ? 0 : (first > n ? n : first));
    ck_assert_int_eq(myelin_engine_state_new(e, &st, &err), 0);
    for (int im = 0; im < NIMG; im++) {
        ck_assert_int_eq(myelin_engine_run_image(e, st, f->pixels + im * IMG * IMG * 3,
                                                 logits + im * CLASSES, &err), 0);
        for (int i = 0; i < n; i++) {
            int64_t *c = counts + ((int64_t)im * n + i) * (3 * T + 3);
            memcpy(c, myelin_engine_state_spikes(st, i), sizeof(int64_t) * T);
            memcpy(c + T, myelin_engine_state_events(st, i), sizeof(int64_t) * T);
            memcpy(c + 2 * T, myelin_engine_state_synops(st, i), sizeof(int64_t) * T);
            memcpy(c + 3 * T, myelin_engine_state_saturation(st, i), sizeof(int64_t) * 3);
        }
    }
    if (lq) { /* drift against the float reference: the per-step H path in the same order */
        myelin_engine_reference *ref = NULL;
        ck_assert_int_eq(myelin_engine_reference_new(e, f->pixels, NIMG, &ref, &err), 0);
        memset(drift, 0, sizeof *drift * (size_t)n);
        ck_assert_int_eq(myelin_engine_drift(e, st, ref, drift, &err), 0);
        myelin_engine_reference_free(ref);
    }
    myelin_engine_state_free(st);
    myelin_engine_free(e);
}

START_TEST(test_engine_orders_agree)
{
    fixture *f = make_fixture(5);
    int n = f->wl.n_layers;
    myelin_layer_quant *lq = _i == 0 ? NULL : uniform_setting(f, _i == 1 ? 8 : 4, 16,
                                                              MYELIN_SCHEME_UNIFORM);
    size_t nl = NIMG * CLASSES, nc = (size_t)NIMG * n * (3 * T + 3);
    double *la = calloc(nl, sizeof *la), *lb = calloc(nl, sizeof *lb);
    int64_t *ca = calloc(nc, sizeof *ca), *cb = calloc(nc, sizeof *cb);
    myelin_drift_layer *da = calloc((size_t)n, sizeof *da), *db = calloc((size_t)n, sizeof *db);
    run_order(f, lq, n, la, ca, da); /* every layer time-step-major */
    int64_t fired = 0;
    for (int im = 0; im < NIMG; im++)
        for (int i = 0; i < n; i++)
            for (int t = 0; t < T; t++)
                fired += ca[((int64_t)im * n + i) * (3 * T + 3) + t];
    ck_assert_int_gt(fired, 0);
    static const int firsts[] = {0, 1, 3, 6, 9};
    for (size_t k = 0; k < sizeof firsts / sizeof *firsts; k++) {
        memset(lb, 0, nl * sizeof *lb);
        run_order(f, lq, firsts[k], lb, cb, db);
        ck_assert_msg(memcmp(la, lb, nl * sizeof *la) == 0, "logits differ, first %d", firsts[k]);
        ck_assert_msg(memcmp(ca, cb, nc * sizeof *ca) == 0, "counts differ, first %d", firsts[k]);
        if (lq)
            ck_assert_msg(memcmp(da, db, (size_t)n * sizeof *da) == 0, "drift differs, first %d",
                          firsts[k]);
    }
    free(la), free(lb), free(ca), free(cb), free(da), free(db), free(lq);
    free_fixture(f);
}
END_TEST

START_TEST(test_engine_fires)
{
    fixture *f = make_fixture(11);
    int n = f->wl.n_layers;
    double *lg = calloc(NIMG * CLASSES, sizeof *lg);
    int64_t *sp = calloc((size_t)NIMG * n * T, sizeof *sp);
    run_all(f, NULL, 8, lg, sp);
    /* every LIF layer fires somewhere, but not everywhere (the test graph is alive) */
    for (int i = 0; i < n; i++) {
        if (!f->layers[i].has_lif)
            continue;
        int64_t tot = 0, neurons = (int64_t)f->layers[i].out_shape.c * f->layers[i].out_shape.h *
                                   f->layers[i].out_shape.w;
        for (int im = 0; im < NIMG; im++)
            for (int t = 0; t < T; t++)
                tot += sp[((int64_t)im * n + i) * T + t];
        double rate = (double)tot / ((double)neurons * T * NIMG);
        ck_assert_msg(rate > 0.01 && rate < 0.95, "layer %s firing rate %.3f", f->layers[i].name,
                      rate);
    }
    free(lg), free(sp);
    free_fixture(f);
}
END_TEST

START_TEST(test_engine_q16_matches_float)
{
    fixture *f = make_fixture(11);
    int n = f->wl.n_layers;
    double *lf = calloc(NIMG * CLASSES, sizeof *lf), *lq16 = calloc(NIMG * CLASSES, sizeof *lq16);
    int64_t *sf = calloc((size_t)NIMG * n * T, sizeof *sf), *sq = calloc((size_t)NIMG * n * T, sizeof *sq);
    /* 16-bit input and weights, 24-bit membranes (Loihi's width): theta ~ 2^19, so a spike flips
     * only within ~2^-19 V_th of threshold (a 16-bit membrane spends 3 bits on range, engine.h) */
    myelin_layer_quant *q16 = uniform_setting(f, 16, 24, MYELIN_SCHEME_UNIFORM);
    run_all(f, NULL, 8, lf, sf);
    run_all(f, q16, 16, lq16, sq);
    double maxerr = 0, maxabs = 0;
    for (int j = 0; j < NIMG * CLASSES; j++) {
        maxerr = fmax(maxerr, fabs(lf[j] - lq16[j]));
        maxabs = fmax(maxabs, fabs(lf[j]));
    }
    ck_assert_msg(maxerr <= 0.01 * maxabs, "16-bit logits differ by %g (max |logit| %g)", maxerr,
                  maxabs);
    int64_t tot = 0, diff = 0;
    for (int64_t j = 0; j < (int64_t)NIMG * n * T; j++) {
        tot += sf[j];
        diff += llabs(sf[j] - sq[j]);
    }
    ck_assert_msg(diff <= tot / 500, "16-bit spikes differ by %lld of %lld", (long long)diff,
                  (long long)tot);
    free(q16), free(lf), free(lq16), free(sf), free(sq);
    free_fixture(f);
}
END_TEST

/* An engine that releases the integer layers' doubles as it quantizes computes the same logits
 * as one that keeps them; the weights keep shapes and biases; drift and saving are refused. */
START_TEST(test_engine_release)
{
    fixture *f = make_fixture(7);
    myelin_layer_quant *q = uniform_setting(f, _i == 0 ? 8 : 4, 16, MYELIN_SCHEME_UNIFORM);
    myelin_error err;
    myelin_weights *wa = NULL, *wb = NULL;
    ck_assert_int_eq(myelin_weights_random(&f->wl, 3, &wa, &err), 0);
    ck_assert_int_eq(myelin_weights_random(&f->wl, 3, &wb, &err), 0);
    myelin_engine *ea = NULL, *eb = NULL, *ec = NULL;
    myelin_engine_state *sa = NULL, *sb = NULL;
    ck_assert_int_eq(myelin_engine_new(&f->wl, wa, q, 8, &ea, &err), 0);
    ck_assert_int_eq(myelin_engine_new_release(&f->wl, wb, q, 8, &eb, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(ea, &sa, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(eb, &sb, &err), 0);
    for (int im = 0; im < NIMG; im++) {
        double la[CLASSES], lb[CLASSES];
        const uint8_t *px = f->pixels + im * IMG * IMG * 3;
        ck_assert_int_eq(myelin_engine_run_image(ea, sa, px, la, &err), 0);
        ck_assert_int_eq(myelin_engine_run_image(eb, sb, px, lb, &err), 0);
        ck_assert(memcmp(la, lb, sizeof la) == 0);
    }
    int synaptic = 0;
    for (int i = 0; i < f->wl.n_layers; i++) {
        const myelin_layer_weights *lw = myelin_weights_layer(wb, i);
        if (!lw)
            continue;
        synaptic++;
        ck_assert(lw->w == NULL && lw->b != NULL && lw->c_out == f->wl.layers[i].c_out);
        ck_assert(myelin_weights_layer(wa, i)->w != NULL);
    }
    ck_assert_int_gt(synaptic, 3);
    myelin_engine_reference *ref = NULL;
    ck_assert_int_eq(myelin_engine_reference_new(eb, f->pixels, 1, &ref, &err), MYELIN_EUSAGE);
    ck_assert_ptr_null(ref);
    ck_assert_int_eq(myelin_engine_new(&f->wl, wb, NULL, 8, &ec, &err), MYELIN_EUSAGE);
    ck_assert_ptr_null(ec);
    ck_assert_int_eq(myelin_weights_save(&f->wl, wb, "/nonexistent-dir/w.safetensors", &err),
                     MYELIN_EUSAGE);
    ck_assert(strstr(err.message, "released") != NULL);
    myelin_engine_state_free(sa), myelin_engine_state_free(sb);
    myelin_engine_free(ea), myelin_engine_free(eb);
    myelin_weights_free(wa), myelin_weights_free(wb);
    free(q);
    free_fixture(f);
}
END_TEST

START_TEST(test_engine_deterministic)
{
    fixture *f = make_fixture(5);
    int n = f->wl.n_layers;
    myelin_layer_quant *q4 = uniform_setting(f, 4, 8, MYELIN_SCHEME_POT);
    double *l1 = calloc(NIMG * CLASSES, sizeof *l1), *l2 = calloc(NIMG * CLASSES, sizeof *l2);
    int64_t *s1 = calloc((size_t)NIMG * n * T, sizeof *s1), *s2 = calloc((size_t)NIMG * n * T, sizeof *s2);
    run_all(f, q4, 8, l1, s1);
    run_all(f, q4, 8, l2, s2);
    ck_assert(memcmp(l1, l2, sizeof(double) * NIMG * CLASSES) == 0);
    ck_assert(memcmp(s1, s2, sizeof(int64_t) * NIMG * n * T) == 0);
    free(q4), free(l1), free(l2), free(s1), free(s2);
    /* states are independent: interleaving two states on one engine changes nothing */
    myelin_error err;
    myelin_engine *e = NULL;
    myelin_engine_state *sa = NULL, *sb = NULL;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(e, &sa, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(e, &sb, &err), 0);
    double la[CLASSES], lb[CLASSES], lc[CLASSES];
    const uint8_t *img0 = f->pixels, *img1 = f->pixels + IMG * IMG * 3;
    ck_assert_int_eq(myelin_engine_run_image(e, sa, img0, la, &err), 0);
    ck_assert_int_eq(myelin_engine_run_image(e, sb, img1, lb, &err), 0);
    ck_assert_int_eq(myelin_engine_run_image(e, sb, img0, lc, &err), 0);
    ck_assert(memcmp(la, lc, sizeof la) == 0);
    ck_assert(memcmp(la, lb, sizeof la) != 0);
    /* a state belongs to the engine it was made for */
    myelin_engine *e2 = NULL;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e2, &err), 0);
    ck_assert_int_eq(myelin_engine_run_image(e2, sa, img0, la, &err), MYELIN_EUSAGE);
    myelin_engine_state_free(sa), myelin_engine_state_free(sb);
    myelin_engine_free(e), myelin_engine_free(e2);
    free_fixture(f);
}
END_TEST

START_TEST(test_engine_drift)
{
    fixture *f = make_fixture(11);
    myelin_error err;
    myelin_engine *ef = NULL, *e16 = NULL, *e3 = NULL;
    myelin_engine_state *s16 = NULL, *s3 = NULL, *sf = NULL;
    myelin_layer_quant *q16 = uniform_setting(f, 16, 16, MYELIN_SCHEME_UNIFORM);
    myelin_layer_quant *q3 = uniform_setting(f, 3, 8, MYELIN_SCHEME_UNIFORM);
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &ef, &err), 0);
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, q16, 8, &e16, &err), 0);
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, q3, 8, &e3, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(ef, &sf, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(e16, &s16, &err), 0);
    ck_assert_int_eq(myelin_engine_state_new(e3, &s3, &err), 0);
    myelin_engine_reference *ref = NULL;
    ck_assert_int_eq(myelin_engine_reference_new(ef, f->pixels, NIMG, &ref, &err), 0);
    ck_assert_int_eq(myelin_engine_reference_images(ref), NIMG);
    int n = f->wl.n_layers;
    myelin_drift_layer *d0 = calloc((size_t)n, sizeof *d0), *d16 = calloc((size_t)n, sizeof *d16);
    myelin_drift_layer *d3 = calloc((size_t)n, sizeof *d3);
    ck_assert_int_eq(myelin_engine_drift(ef, sf, ref, d0, &err), 0);
    ck_assert_int_eq(myelin_engine_drift(e16, s16, ref, d16, &err), 0);
    ck_assert_int_eq(myelin_engine_drift(e3, s3, ref, d3, &err), 0);
    double m0, x0, m16, x16, m3, x3;
    myelin_drift_summary(&f->wl, d0, &m0, &x0);
    myelin_drift_summary(&f->wl, d16, &m16, &x16);
    myelin_drift_summary(&f->wl, d3, &m3, &x3);
    ck_assert(m0 == 0.0 && x0 == 0.0); /* float against itself */
    ck_assert_msg(m16 < 0.05, "16-bit drift %g", m16);
    ck_assert_msg(m3 > 2 * m16 && m3 > 0.01, "3-bit drift %g vs 16-bit %g", m3, m16);
    ck_assert(x3 >= m3);
    ck_assert_int_eq(d16[0].samples, (int64_t)NIMG * T * (D / 2) * IMG * IMG);
    myelin_engine_reference_free(ref);
    myelin_engine_state_free(sf), myelin_engine_state_free(s16), myelin_engine_state_free(s3);
    myelin_engine_free(ef), myelin_engine_free(e16), myelin_engine_free(e3);
    free(q16), free(q3), free(d0), free(d16), free(d3);
    free_fixture(f);
}
END_TEST

START_TEST(test_engine_errors)
{
    fixture *f = make_fixture(1);
    myelin_error err;
    myelin_engine *e = NULL;
    /* weights of the wrong shape are named */
    f->lw[2].c_in = 3;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), MYELIN_ESHAPE);
    ck_assert_ptr_null(e);
    ck_assert_ptr_nonnull(strstr(err.message, "sps.conv1"));
    f->lw[2].c_in = D / 2;
    /* an inconsistent graph is refused, naming the layer */
    f->layers[9].in_shape.c = 8;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), MYELIN_ESHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "block.0.attn.proj"));
    f->layers[9].in_shape.c = D;
    f->layers[4].inputs[1] = 7; /* a producer after the consumer */
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), MYELIN_ESHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "sps.add"));
    f->layers[4].inputs[1] = 3;
    /* missing weights */
    f->lwp[5] = NULL;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(err.message, "block.0.attn.q"));
    f->lwp[5] = &f->lw[5];
    /* out-of-range precision */
    myelin_layer_quant *bad = uniform_setting(f, 17, 16, MYELIN_SCHEME_UNIFORM);
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, bad, 8, &e, &err), MYELIN_EUSAGE);
    bad[0].weight_bits = 8;
    for (int i = 0; i < f->wl.n_layers; i++)
        bad[i] = (myelin_layer_quant){8, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, 1};
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, bad, 8, &e, &err), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "membrane_bits"));
    for (int i = 0; i < f->wl.n_layers; i++)
        bad[i].membrane_bits = 16;
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, bad, 1, &e, &err), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "input_bits"));
    /* a dataset of the wrong image shape is refused before any image runs */
    ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, NULL, 8, &e, &err), 0);
    myelin_dataset *ds = NULL;
    ck_assert_msg(myelin_dataset_open("synthetic:split=test,count=4,seed=1,h=6,w=6,c=3,classes=10",
                                      &ds, &err) == 0,
                  "%s", err.message);
    myelin_engine_summary sum;
    ck_assert_int_eq(myelin_engine_run_dataset(e, ds, 0, 0, NULL, NULL, &sum, &err), MYELIN_ESHAPE);
    ck_assert_ptr_nonnull(strstr(err.message, "expects 3x8x8"));
    myelin_dataset_close(ds);
    /* the right shape runs and counts */
    ck_assert_int_eq(myelin_dataset_open("synthetic:split=test,count=6,seed=1,h=8,w=8,c=3,classes=10",
                                         &ds, &err), 0);
    ck_assert_msg(myelin_engine_run_dataset(e, ds, 5, 1, NULL, NULL, &sum, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(sum.images, 5);
    ck_assert(sum.has_top5 && sum.has_drift);
    ck_assert(sum.top5_correct >= sum.top1_correct);
    ck_assert(sum.drift[0].samples > 0 && sum.drift[0].abs_dh_sum == 0.0); /* float vs float */
    myelin_engine_summary_free(&sum);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    free(bad);
    free_fixture(f);
}
END_TEST

/* A membrane too narrow for the network's currents reports saturation; a wide one does not. */
START_TEST(test_engine_saturation_reported)
{
    fixture *f = make_fixture(11);
    myelin_error err;
    int64_t sat_w[2] = {0, 0};
    const int mbits[2] = {4, 32};
    for (int c = 0; c < 2; c++) {
        myelin_layer_quant *lq = uniform_setting(f, 8, mbits[c], MYELIN_SCHEME_UNIFORM);
        myelin_engine *e = NULL;
        myelin_engine_state *st = NULL;
        ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, lq, 8, &e, &err), 0);
        ck_assert_int_eq(myelin_engine_state_new(e, &st, &err), 0);
        double logits[CLASSES];
        ck_assert_int_eq(myelin_engine_run_image(e, st, f->pixels, logits, &err), 0);
        int64_t upd = 0;
        for (int i = 0; i < f->wl.n_layers; i++) {
            const int64_t *s3 = myelin_engine_state_saturation(st, i);
            sat_w[c] += s3[0] + s3[1];
            upd += s3[2];
            ck_assert_int_le(s3[0], s3[2]);
        }
        ck_assert_int_gt(upd, 0);
        myelin_engine_state_free(st);
        myelin_engine_free(e);
        free(lq);
    }
    ck_assert_msg(sat_w[0] > 0, "4-bit membranes reported no saturation");
    ck_assert_int_eq(sat_w[1], 0);
    free_fixture(f);
}
END_TEST

/* The attention membrane spans A's exact worst case dh N (binary spikes), so it cannot saturate,
 * while the other LIF layers keep the fixed split f = myelin_kernel_frac_bits(m). */
START_TEST(test_attention_membrane_spans_bound)
{
    fixture *f = make_fixture(13);
    myelin_error err;
    const int mbits[3] = {8, 16, 24};
    for (int c = 0; c < 3; c++) {
        int m = mbits[c];
        myelin_layer_quant *lq = uniform_setting(f, 8, m, MYELIN_SCHEME_UNIFORM);
        myelin_engine *e = NULL;
        ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, lq, 8, &e, &err), 0);
        int seen_attn = 0;
        for (int i = 0; i < f->wl.n_layers; i++) {
            const myelin_layer *ly = &f->wl.layers[i];
            myelin_engine_layer_params P;
            myelin_engine_layer_params_get(e, i, &P);
            if (!P.m_int)
                continue;
            for (int o = 0; o < P.n_ch; o++) {
                int64_t th = P.theta[o];
                if (ly->kind == MYELIN_LAYER_ATTN) {
                    double bound = (double)(ly->out_shape.c / ly->heads) * ly->out_shape.h *
                                   ly->out_shape.w * ly->attn_scale / ly->v_threshold;
                    /* the largest current, bound * theta units, fits in m-bit two's complement
                     * (when even f = 1 cannot hold it, theta is the smallest the rule allows) */
                    if (m - 2 - (int)floor(log2(bound)) < 1)
                        ck_assert_int_le(th, 2);
                    else
                        ck_assert_msg(bound * (double)th <= (double)(((int64_t)1 << (m - 1)) - 1),
                                      "m %d: attention theta %lld cannot hold %g V_th", m,
                                      (long long)th, bound);
                    ck_assert_int_le(th, (int64_t)1 << myelin_kernel_frac_bits(m));
                    seen_attn = 1;
                } else {
                    int fb = myelin_kernel_frac_bits(m);
                    ck_assert_int_ge(th, (int64_t)1 << (fb - 1)); /* (2^(f-1), 2^f], rounded */
                    ck_assert_int_le(th, (int64_t)1 << fb);
                }
            }
        }
        ck_assert(seen_attn);
        myelin_engine_free(e);
        free(lq);
    }
    free_fixture(f);
}
END_TEST

/* The image quantizer uses the whole unsigned code range: pixel 0 and 255 map to the two ends. */
START_TEST(test_input_codes_full_range)
{
    fixture *f = make_fixture(3);
    myelin_error err;
    for (int b = 2; b <= 12; b += 5) {
        myelin_layer_quant *lq = uniform_setting(f, 8, 16, MYELIN_SCHEME_UNIFORM);
        myelin_engine *e = NULL;
        ck_assert_int_eq(myelin_engine_new_layers(&f->wl, f->lwp, lq, b, &e, &err), 0);
        uint8_t px[IMG * IMG * 3];
        double x[IMG * IMG * 3];
        int32_t xq[IMG * IMG * 3];
        for (int i = 0; i < IMG * IMG * 3; i++)
            px[i] = (uint8_t)(i % 2 ? 255 : 0);
        myelin_engine_prepare_image(e, px, x, xq);
        int32_t lo = xq[0], hi = xq[0];
        for (int i = 0; i < IMG * IMG * 3; i++) {
            lo = xq[i] < lo ? xq[i] : lo;
            hi = xq[i] > hi ? xq[i] : hi;
        }
        /* one code apart at most from using all 2^b codes (rounding at both ends) */
        ck_assert_int_ge(hi - lo, (1 << b) - 2);
        ck_assert_int_le(hi - lo, (1 << b) - 1);
        myelin_engine_free(e);
        free(lq);
    }
    free_fixture(f);
}
END_TEST

START_TEST(test_top5)
{
    double l[7] = {0.1, 0.9, 0.3, 0.3, 0.8, 0.2, 0.0};
    ck_assert_int_eq(myelin_argmax(l, 7), 1);
    ck_assert(myelin_in_top5(l, 7, 4));
    ck_assert(myelin_in_top5(l, 7, 5));   /* 0.9 0.8 0.3 0.3 then 0.2 */
    ck_assert(!myelin_in_top5(l, 7, 0));
    ck_assert(!myelin_in_top5(l, 7, 6));
    ck_assert(!myelin_in_top5(l, 7, 9)); /* out of range label */
}
END_TEST

Suite *make_engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *k = tcase_create("kernels");
    tcase_add_loop_test(k, test_scatter_vs_direct, 0,
                        (int)(sizeof scatter_cases / sizeof scatter_cases[0]));
    tcase_add_test(k, test_scatter_counts_corner);
    tcase_add_loop_test(k, test_gather_vs_scatter, 0, 3);
    tcase_add_loop_test(k, test_dense_vs_scatter, 0, 32);
    tcase_add_loop_test(k, test_dense_zp_vs_scatter, 0, 36);
    tcase_add_loop_test(k, test_lif_int_rows_vs_scalar, 0, 8);
    tcase_add_loop_test(k, test_lif_int_steps_vs_per_step, 0, 72);
    tcase_add_loop_test(k, test_lif_int_steps32_vs_per_step, 0, 60);
    tcase_add_loop_test(k, test_synapse_set32_vs_int64, 0, 70);
    tcase_add_loop_test(k, test_lif_i16_chunks, 0, 2);
    tcase_add_loop_test(k, test_column_vs_scatter, 0, 18);
    tcase_add_loop_test(k, test_tile_vs_scatter, 0, 14);
    tcase_add_loop_test(k, test_column_d_vs_dense, 0, 12);
    tcase_add_loop_test(k, test_basis_vs_direct, 0, 3);
    tcase_add_loop_test(k, test_synapse_dw_mid_rate, 0, 2);
    tcase_add_loop_test(k, test_synapse_counts, 0, 4);
    tcase_add_loop_test(k, test_attention_qk_v_t, 0, 2);
    tcase_add_test(k, test_lif_float_sequence);
    tcase_add_test(k, test_lif_int_sequence);
    tcase_add_loop_test(k, test_rescale_table, 0,
                        (int)(sizeof rescale_cases / sizeof rescale_cases[0]));
    tcase_add_test(k, test_lif_int_saturation);
    tcase_add_test(k, test_attention_vs_naive);
    tcase_add_test(k, test_attention_orders);
    tcase_add_loop_test(k, test_attention_i32, 0, 8);
    tcase_add_test(k, test_lif_int_saturation_counts);
    tcase_add_test(k, test_maxpool_add);
    suite_add_tcase(s, k);
    TCase *e = tcase_create("engine");
    tcase_set_timeout(e, 30);
    tcase_add_test(e, test_engine_fires);
    tcase_add_loop_test(e, test_engine_orders_agree, 0, 3);
    tcase_add_test(e, test_engine_q16_matches_float);
    tcase_add_test(e, test_engine_deterministic);
    tcase_add_loop_test(e, test_engine_release, 0, 2);
    tcase_add_test(e, test_engine_drift);
    tcase_add_test(e, test_engine_errors);
    tcase_add_test(e, test_top5);
    tcase_add_test(e, test_engine_saturation_reported);
    tcase_add_test(e, test_attention_membrane_spans_bound);
    tcase_add_test(e, test_input_codes_full_range);
    suite_add_tcase(s, e);
    return s;
}
