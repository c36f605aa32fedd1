/* models/kernels_d.c — the event-driven double column path (myelin_kernel_column_d; rules in
 * kernels.h): a panel kernel over the dense double path's packed panels for slices wider than
 * MYELIN_COLUMN_D_NARROW_CO channels, a register kernel (a position's 64 channels in zmm, the
 * scatter-layout weights) for narrower ones.
 *
 * What it must equal: the AVX-512 dense double path (dense_block_d_avx512 in kernels.c) computes,
 * per output position and panel of MYELIN_DENSE_D_NP = 32 output channels, C = fma(a_k, b_k, C)
 * over k = tap c_in + ci ascending from C = +0, then acc += C.  This path forms the same C from
 * the nonzero inputs only, k ascending, with the same fused multiply-adds (for value-1 inputs an
 * add: fma(1, b, C) = b + C exactly), and adds it to acc once: bit-identical.  Skipping a_k = 0
 * changes nothing: fma(0, b, C) = C + (+-0) rounds to C when C != 0 and to +0 when C = +0, and C
 * is never -0 (it starts at +0; a sum is -0 only when both addends are -0); this needs finite b
 * (0 x inf is NaN), the caller's check.
 *
 * How it is fast: the dense GEMM runs near the double FMA peak, so an event path only pays if an
 * event costs about one dense FMA per 8 channels.  The rows of one panel for a chunk of PD_KC
 * consecutive k (PD_KC x 32 doubles = 24 KiB) stay in L1 while every output position of a block
 * of PD_PB = 66 positions adds the rows of its nonzero inputs in that chunk (the rows of the next
 * chunk are prefetched meanwhile, a slice per group: the rows are read in event order, which the
 * hardware prefetcher does not follow); PD_G = 6 positions run
 * interleaved (24 zmm accumulators, one row of 4 zmm per position and step, the row's loads folded
 * into the FMAs), so the loop is bound by L1 loads, not by FMA latency.  The six positions' event
 * lists are padded to equal length with the panel's all-zero row (index K: fma(0, 0, C) = C and
 * C + 0 = C), so the inner loop has no branch; positions are sorted by their event count per
 * chunk before grouping, so the padding is small.  C of all positions of the block lives in a
 * tile between chunks (loaded and stored once per group and chunk).  AVX-512F only (else -1:
 * the caller keeps the dense path). */
#include "models/kernels.h"

#include <stdint.h>
#include <string.h>

#define PD_NP MYELIN_DENSE_D_NP /* output channels per panel (the packed layout's) */
#define PD_G 6                  /* output positions interleaved: 6 x 4 zmm accumulators */
#define PD_KC 96                /* panel rows per chunk: 96 x 256 B = 24 KiB, held in L1 */
#define PD_PB 66                /* output positions per block (sharing a chunk's rows): 11
                                 * groups of 6, so 64 tokens and a basis position are one block */
#define PD_NG ((PD_PB + PD_G - 1) / PD_G)
#define PD_SLOTS (PD_NG * PD_G)
#define PD_REC (3 + PD_G) /* a group's record: steps, offset of its lists, PD_G tile slots,
                           * chunk */
#define PD_PF 36          /* lines of the next chunk prefetched per group (at most 4 per step:
                           * a small group's work would not hide more) */

static int64_t align64(int64_t n)
{
    return (n + 63) / 64 * 64;
}

/* The scratch's parts, in bytes, in order. */
typedef struct {
    int64_t tile, off, val, kl, vl, cst, rec, qi, qv, qs, total;
} pd_layout;

static pd_layout pd_layout_of(int64_t npos, int c_in, int kernel)
{
    int64_t K = (int64_t)kernel * kernel * c_in, nch = (K + PD_KC - 1) / PD_KC;
    int64_t nin = npos * c_in;
    pd_layout L;
    L.tile = align64((int64_t)(PD_PB + 1) * PD_NP * 8);
    L.off = align64((PD_SLOTS * K + PD_G) * 4);
    L.val = align64((PD_SLOTS * K + PD_G) * 8);
    L.kl = kernel > 1 ? align64((int64_t)PD_PB * K * 4) : 0;
    L.vl = L.kl;
    L.cst = align64((int64_t)PD_PB * (nch + 1) * 4);
    L.rec = align64(nch * PD_NG * PD_REC * 4 + (PD_KC + 2) * 4 + PD_PB * 4);
    L.qi = align64((nin + 16) * 4);
    L.qv = L.qi;
    L.qs = align64((npos + 1) * 4);
    L.total = 64 + L.tile + L.off + L.val + L.kl + L.vl + L.cst + L.rec + L.qi + L.qv + L.qs;
    return L;
}

static int64_t cr_scratch_bytes(int h, int w, int c_in, int kernel);

int64_t myelin_kernel_column_d_scratch_bytes(int h, int w, int c_in, int kernel)
{
    if (h < 1 || w < 1 || c_in < 1 || kernel < 1)
        return 64;
    int64_t a = pd_layout_of((int64_t)h * w, c_in, kernel).total;
    int64_t b = cr_scratch_bytes(h, w, c_in, kernel);
    return a > b ? a : b;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MYELIN_NO_CLONES)
#include <immintrin.h>
#define PD_X86 1

/* The nonzero inputs of every position in channel order (qi: ci, qv: value, qs: starts); returns
 * 1 when every nonzero value is 1. */
__attribute__((target("avx512f"))) static int pd_inputs(const int32_t *in, int64_t npos, int c_in,
                                                        int32_t *qi, int32_t *qv, int32_t *qs)
{
    int32_t e = 0;
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __mmask16 other = 0;
    for (int64_t q = 0; q < npos; q++) {
        const int32_t *px = in + q * c_in;
        qs[q] = e;
        for (int ci = 0; ci < c_in; ci += 16) {
            __mmask16 lim = c_in - ci >= 16 ? (__mmask16)0xFFFF
                                            : (__mmask16)((1u << (c_in - ci)) - 1);
            __m512i v = _mm512_maskz_loadu_epi32(lim, px + ci);
            __mmask16 mk = _mm512_mask_cmpneq_epi32_mask(lim, v, zero);
            if (mk) {
                other |= _mm512_mask_cmpneq_epi32_mask(mk, v, one);
                __m512i c = _mm512_add_epi32(iota, _mm512_set1_epi32(ci));
                _mm512_storeu_si512(qi + e, _mm512_maskz_compress_epi32(mk, c));
                _mm512_storeu_si512(qv + e, _mm512_maskz_compress_epi32(mk, v));
                e += __builtin_popcount((unsigned)mk);
            }
        }
    }
    qs[npos] = e;
    return other == 0;
}

/* One panel (B: its K + 1 rows) for the block's groups: C into tile (zeroed by the caller).
 * UNIT: every value is 1, adds instead of fused multiply-adds (no value lists). */
#define PD_ROW(P)                                                                                 \
    do {                                                                                          \
        const double *r = B + of[P];                                                              \
        PD_OP(P, 0);                                                                              \
        PD_OP(P, 1);                                                                              \
        PD_OP(P, 2);                                                                              \
        PD_OP(P, 3);                                                                              \
    } while (0)
#define PD_POS(X)                                                                                 \
    X(0);                                                                                         \
    X(1);                                                                                         \
    X(2);                                                                                         \
    X(3);                                                                                         \
    X(4);                                                                                         \
    X(5)
#define PD_LOAD(P)                                                                                \
    double *t##P = tile + (int64_t)rec[2 + (P)] * PD_NP;                                          \
    __m512d a##P##0 = _mm512_loadu_pd(t##P), a##P##1 = _mm512_loadu_pd(t##P + 8);                \
    __m512d a##P##2 = _mm512_loadu_pd(t##P + 16), a##P##3 = _mm512_loadu_pd(t##P + 24)
#define PD_STORE(P)                                                                               \
    do {                                                                                          \
        _mm512_storeu_pd(t##P, a##P##0);                                                          \
        _mm512_storeu_pd(t##P + 8, a##P##1);                                                      \
        _mm512_storeu_pd(t##P + 16, a##P##2);                                                     \
        _mm512_storeu_pd(t##P + 24, a##P##3);                                                     \
    } while (0)
#define PD_PANEL_FN(NAME, UNIT)                                                                   \
    __attribute__((target("avx512f"))) static void NAME(                                          \
        const double *B, int nrec, const int32_t *recs, const int32_t *off, const double *val,   \
        double *tile)                                                                             \
    {                                                                                             \
        const char *pf = (const char *)B, *pfend = pf;                                           \
        int32_t pfj = -1;                                                                         \
        for (int g = 0; g < nrec; g++) {                                                          \
            const int32_t *rec = recs + (int64_t)g * PD_REC;                                      \
            int32_t n = rec[0];                                                                   \
            if (rec[2 + PD_G] != pfj) { /* the rows after this chunk's: the next chunk's */      \
                pfj = rec[2 + PD_G];                                                              \
                pf = (const char *)(B + ((int64_t)pfj + 1) * PD_KC * PD_NP);                      \
                pfend = pf + PD_KC * PD_NP * 8;                                                   \
            }                                                                                     \
            for (int l = 0; l < PD_PF && l < 4 * n && pf < pfend; l++, pf += 64)                 \
                _mm_prefetch(pf, _MM_HINT_T0);                                                    \
            const int32_t *of = off + rec[1];                                                     \
            const double *vv = val + rec[1];                                                      \
            (void)vv;                                                                             \
            PD_POS(PD_LOAD);                                                                      \
            for (int32_t e = 0; e < n; e++, of += PD_G, vv += PD_G) {                            \
                PD_POS(PD_ROW);                                                                   \
            }                                                                                     \
            PD_POS(PD_STORE);                                                                     \
        }                                                                                         \
    }
#define PD_OP(P, Z) a##P##Z = _mm512_add_pd(a##P##Z, _mm512_loadu_pd(r + 8 * (Z)))
PD_PANEL_FN(pd_panel_unit, 1)
#undef PD_OP
#define PD_OP(P, Z)                                                                               \
    a##P##Z = _mm512_fmadd_pd(_mm512_set1_pd(vv[P]), _mm512_loadu_pd(r + 8 * (Z)), a##P##Z)
PD_PANEL_FN(pd_panel_fma, 0)
#undef PD_OP
#undef PD_PANEL_FN
#undef PD_STORE
#undef PD_LOAD
#undef PD_POS
#undef PD_ROW
#endif

/* ---- Small layers: a position's sums in registers over all taps ----
 *
 * The AVX-512 dense double path (dense_block_d_avx512) computes, per output and 32-channel
 * panel, C = fma(a_k, b_k, C) over k = tap c_in + ci in ascending order from C = +0, then
 * acc += C.  This path forms the same C from the nonzero inputs only, in the same k order (per
 * position: taps ascending, chunks of input channels ascending, channels ascending within), and
 * adds it to acc once: bit-identical to it.  Why skipping a_k = 0 changes nothing: fma(0, b, C) =
 * C + (+-0) rounds to C when C != 0, and to +0 when C = +0; C is never -0 (it starts at +0 and
 * a sum is -0 only when both addends are -0), so for finite weights (the caller's check) every
 * skipped term is an identity.  C lives in 8 zmm (64 channels) per position and chunk of CR_KB
 * inputs, in a tile of CR_PB positions between chunks; small layers keep a position's C over
 * all taps.  Counts as the scatter's.  Only with AVX-512F: the portable and AVX2 dense double
 * paths round differently (mul + add, 4-wide FMA order is the same but the portable C is not
 * fused), and those CPUs keep them. */
#define COLD_CB 64 /* output channels per block: 8 zmm of doubles */
#define CR_KB 64   /* input channels per chunk */
#define CR_PB 64   /* output positions per tile */
#define CR_WHOLE_BYTES 24576 /* the rows of all taps of a block, to sum a position at once */

static int64_t cr_scratch_bytes(int h, int w, int c_in, int kernel)
{
    (void)kernel;
    int64_t npos = (int64_t)h * w, nch = (c_in + CR_KB - 1) / CR_KB;
    return (int64_t)CR_PB * COLD_CB * 8 + npos * (nch + 1) * 4 + (npos * c_in + 32) * 8 + 256;
}

#ifdef PD_X86
/* The nonzero inputs per position and chunk in channel order (idx: row offset ci c_out, val). */
__attribute__((target("avx512f"))) static void
cold_build_avx512(const int32_t *in, int64_t npos, int c_in, int c_out, int kb, int nch,
                  int32_t *idx, int32_t *val, int32_t *start)
{
    int32_t e = 0;
    const __m512i zero = _mm512_setzero_si512();
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16 * c_out), cov = _mm512_set1_epi32(c_out);
    for (int64_t q = 0; q < npos; q++) {
        const int32_t *px = in + q * c_in;
        for (int j = 0; j < nch; j++) {
            int c0 = j * kb, c1 = c0 + kb < c_in ? c0 + kb : c_in;
            start[q * (nch + 1) + j] = e;
            __m512i off = _mm512_mullo_epi32(_mm512_add_epi32(iota, _mm512_set1_epi32(c0)), cov);
            for (int ci = c0; ci < c1; ci += 16) {
                __mmask16 lim = c1 - ci >= 16 ? (__mmask16)0xFFFF
                                              : (__mmask16)((1u << (c1 - ci)) - 1);
                __m512i v = _mm512_maskz_loadu_epi32(lim, px + ci);
                __mmask16 mk = _mm512_mask_cmpneq_epi32_mask(lim, v, zero);
                if (mk) {
                    _mm512_storeu_si512(idx + e, _mm512_maskz_compress_epi32(mk, off));
                    _mm512_storeu_si512(val + e, _mm512_maskz_compress_epi32(mk, v));
                    e += __builtin_popcount((unsigned)mk);
                }
                off = _mm512_add_epi32(off, step);
            }
        }
        start[q * (nch + 1) + nch] = e;
    }
}

#define COLD_FMA(Z)                                                                               \
    if ((Z) < nv)                                                                                 \
        c##Z = _mm512_fmadd_pd(x, full ? _mm512_loadu_pd(r + 8 * (Z))                             \
                                      : _mm512_maskz_loadu_pd(km[Z], r + 8 * (Z)),                \
                               c##Z)
#define COLD_ENTRIES                                                                              \
    for (int32_t e = s; e < end; e++) {                                                           \
        const double *r = wb + idx[e];                                                            \
        __m512d x = _mm512_set1_pd((double)val[e]);                                               \
        COLD_FMA(0);                                                                              \
        COLD_FMA(1);                                                                              \
        COLD_FMA(2);                                                                              \
        COLD_FMA(3);                                                                              \
        COLD_FMA(4);                                                                              \
        COLD_FMA(5);                                                                              \
        COLD_FMA(6);                                                                              \
        COLD_FMA(7);                                                                              \
    }
#define COLD_ALL(OP)                                                                              \
    OP(0);                                                                                        \
    OP(1);                                                                                        \
    OP(2);                                                                                        \
    OP(3);                                                                                        \
    OP(4);                                                                                        \
    OP(5);                                                                                        \
    OP(6);                                                                                        \
    OP(7)
#define COLD_LOADC(Z) c##Z = _mm512_loadu_pd(t + 8 * (Z))
#define COLD_STOREC(Z) _mm512_storeu_pd(t + 8 * (Z), c##Z)
#define COLD_ZERO(Z) c##Z = _mm512_setzero_pd()

/* C of channels [cb, cb + width) for positions [p0, p0 + pn) into tile (COLD_CB per position). */
__attribute__((target("avx512f"))) static void
cold_block_avx512(const int32_t *idx, const int32_t *val, const int32_t *start, int nch, int whole,
                  int h, int w, int c_in, const double *wf, int c_out, int kernel, int cb,
                  int width, int64_t p0, int pn, double *tile)
{
    int pad = kernel / 2, nv = (width + 7) / 8, full = width == COLD_CB;
    __mmask8 km[8];
    for (int z = 0; z < 8; z++) {
        int left = width - 8 * z;
        km[z] = left >= 8 ? (__mmask8)0xFF : left <= 0 ? (__mmask8)0 : (__mmask8)((1u << left) - 1);
    }
    int oys[CR_PB], oxs[CR_PB], oy0 = (int)(p0 / w), ox0 = (int)(p0 % w);
    for (int p = 0; p < pn; p++) {
        oys[p] = oy0;
        oxs[p] = ox0;
        if (++ox0 == w) {
            ox0 = 0;
            oy0++;
        }
    }
    __m512d c0, c1, c2, c3, c4, c5, c6, c7;
    if (whole) { /* one chunk: a position's C stays in registers over all taps */
        for (int p = 0; p < pn; p++) {
            COLD_ALL(COLD_ZERO);
            for (int ky = 0; ky < kernel; ky++) {
                int y = oys[p] + ky - pad;
                if (y < 0 || y >= h)
                    continue;
                for (int kx = 0; kx < kernel; kx++) {
                    int x = oxs[p] + kx - pad;
                    if (x < 0 || x >= w)
                        continue;
                    const double *wb = wf + (int64_t)(ky * kernel + kx) * c_in * c_out + cb;
                    int64_t q = (int64_t)y * w + x;
                    int32_t s = start[q * 2], end = start[q * 2 + 1];
                    COLD_ENTRIES
                }
            }
            double *t = tile + (int64_t)p * COLD_CB;
            COLD_ALL(COLD_STOREC);
        }
        return;
    }
    for (int ky = 0; ky < kernel; ky++)
        for (int kx = 0; kx < kernel; kx++) {
            const double *wb = wf + (int64_t)(ky * kernel + kx) * c_in * c_out + cb;
            for (int j = 0; j < nch; j++)
                for (int p = 0; p < pn; p++) {
                    int y = oys[p] + ky - pad, x = oxs[p] + kx - pad;
                    if (y < 0 || y >= h || x < 0 || x >= w)
                        continue;
                    int64_t q = (int64_t)y * w + x;
                    int32_t s = start[q * (nch + 1) + j], end = start[q * (nch + 1) + j + 1];
                    if (s == end)
                        continue;
                    double *t = tile + (int64_t)p * COLD_CB;
                    COLD_ALL(COLD_LOADC);
                    COLD_ENTRIES
                    COLD_ALL(COLD_STOREC);
                }
        }
}
#undef COLD_FMA
#undef COLD_ENTRIES
#undef COLD_ALL
#undef COLD_LOADC
#undef COLD_STOREC
#undef COLD_ZERO
#endif

static int column_d_regs(const int32_t *in, int h, int w, int c_in, const double *wf, int c_out,
                         int kernel, int co_lo, int co_hi, double *acc, myelin_kcounts *cnt,
                         uint8_t *scratch)
{
#ifdef PD_X86
    if (myelin_kernel_dense_isa() < 2 || !wf || !scratch || kernel < 1 || kernel > 3 ||
        co_lo < 0 || co_hi > c_out || co_lo >= co_hi || c_in < 1)
        return -1;
    int64_t npos = (int64_t)h * w;
    if (npos < 1 || npos * c_in > INT32_MAX - 64 || (int64_t)c_in * c_out > INT32_MAX)
        return -1;
    int64_t taps_k = (int64_t)kernel * kernel * c_in;
    int64_t width0 = co_hi - co_lo < COLD_CB ? co_hi - co_lo : COLD_CB;
    int whole = kernel > 1 && taps_k * ((width0 + 7) / 8 * 8) * 8 <= CR_WHOLE_BYTES;
    int kb = whole ? c_in : CR_KB, nch = (c_in + kb - 1) / kb;
    if (whole)
        nch = 1;
    uint8_t *base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    double *tile = (double *)(void *)base;
    int32_t *start = (int32_t *)(void *)(tile + CR_PB * COLD_CB);
    int32_t *idx = start + npos * (nch + 1), *val = idx + npos * c_in + 16;
    cold_build_avx512(in, npos, c_in, c_out, kb, nch, idx, val, start);
    int64_t events = start[npos * (nch + 1) - 1];
    int64_t synops = myelin_kernel_list_synops(start, nch + 1, nch, h, w, kernel) * (co_hi - co_lo);
    for (int cb = co_lo; cb < co_hi; cb += COLD_CB) {
        int width = co_hi - cb < COLD_CB ? co_hi - cb : COLD_CB;
        for (int64_t p0 = 0; p0 < npos; p0 += CR_PB) {
            int pn = npos - p0 < CR_PB ? (int)(npos - p0) : CR_PB;
            memset(tile, 0, sizeof *tile * (size_t)pn * COLD_CB);
            cold_block_avx512(idx, val, start, nch, whole, h, w, c_in, wf, c_out, kernel, cb,
                              width, p0, pn, tile);
            for (int p = 0; p < pn; p++) {
                double *restrict ar = acc + (p0 + p) * c_out + cb;
                const double *restrict tr = tile + (int64_t)p * COLD_CB;
                for (int jj = 0; jj < width; jj++)
                    ar[jj] += tr[jj];
            }
        }
    }
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
    return 0;
#else
    (void)in, (void)h, (void)w, (void)c_in, (void)wf, (void)c_out, (void)kernel, (void)co_lo;
    (void)co_hi, (void)acc, (void)cnt, (void)scratch;
    return -1;
#endif
}


void myelin_kernel_synapse_counts(const int32_t *in, int h, int w, int c_in, int kernel, int width,
                                  myelin_kcounts *cnt)
{
    int64_t events = 0, synops = 0;
    for (int y = 0; y < h; y++) {
        int vy = myelin_kernel_taps_in(y, h, kernel);
        for (int x = 0; x < w; x++) {
            int vx = myelin_kernel_taps_in(x, w, kernel);
            int64_t nz = myelin_kernel_nonzero(in + ((int64_t)y * w + x) * c_in, c_in);
            events += nz;
            synops += nz * vy * vx;
        }
    }
    cnt->events += events;
    cnt->synops += synops * width;
}

int myelin_kernel_column_d(const int32_t *in, int h, int w, int c_in, const double *wf,
                           const double *packed, int c_out, int kernel, int co_lo, int co_hi,
                           double *acc, myelin_kcounts *cnt, uint8_t *scratch)
{
#ifdef PD_X86
    /* slices of at most 64 channels: one block of the register path, which costs less there
     * (a panel would be at least half padding below 32 channels, and its lists cost more than
     * the few panels they serve) */
    if (co_hi - co_lo <= MYELIN_COLUMN_D_NARROW_CO && MYELIN_COLUMN_D_NARROW_CO <= COLD_CB)
        return column_d_regs(in, h, w, c_in, wf, c_out, kernel, co_lo, co_hi, acc, cnt, scratch);
    if (myelin_kernel_dense_isa() < 2 || !packed || !scratch || kernel < 1 || kernel > 3 ||
        co_lo < 0 || co_hi > c_out || co_lo >= co_hi || c_in < 1 || h < 1 || w < 1)
        return -1;
    int64_t npos = (int64_t)h * w, K = (int64_t)kernel * kernel * c_in;
    if (npos * c_in > INT32_MAX - 64 || (K + 1) * PD_NP > INT32_MAX ||
        PD_SLOTS * K + PD_G > INT32_MAX)
        return -1;
    pd_layout L = pd_layout_of(npos, c_in, kernel);
    uint8_t *base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    double *tile = (double *)(void *)base;
    int32_t *off = (int32_t *)(void *)(base += L.tile);
    double *val = (double *)(void *)(base += L.off);
    int32_t *kl = (int32_t *)(void *)(base += L.val);
    int32_t *vl = (int32_t *)(void *)(base += L.kl);
    int32_t *cst = (int32_t *)(void *)(base += L.vl);
    int32_t *recs = (int32_t *)(void *)(base += L.cst);
    int32_t *qi = (int32_t *)(void *)(base += L.rec);
    int32_t *qv = (int32_t *)(void *)(base += L.qi);
    int32_t *qs = (int32_t *)(void *)(base += L.qv);
    int nch = (int)((K + PD_KC - 1) / PD_KC);
    int32_t *hist = recs + (int64_t)nch * PD_NG * PD_REC, *order = hist + PD_KC + 2;
    int unit = pd_inputs(in, npos, c_in, qi, qv, qs);
    int pad = kernel / 2;
    const int32_t *lk = kernel > 1 ? kl : qi, *lv = kernel > 1 ? vl : qv;
    int32_t zrow = (int32_t)(K * PD_NP);
    int64_t pstride = (K + 1) * PD_NP;
    for (int64_t p0 = 0; p0 < npos; p0 += PD_PB) {
        int pn = npos - p0 < PD_PB ? (int)(npos - p0) : PD_PB;
        /* each position's nonzero k ascending (taps in order), and where each chunk starts */
        int32_t e = 0;
        for (int p = 0; p < pn; p++) {
            int32_t s, end;
            if (kernel == 1) {
                s = qs[p0 + p];
                end = qs[p0 + p + 1];
            } else {
                int oy = (int)((p0 + p) / w), ox = (int)((p0 + p) % w);
                s = e;
                for (int ky = 0; ky < kernel; ky++) {
                    int y = oy + ky - pad;
                    if (y < 0 || y >= h)
                        continue;
                    for (int kx = 0; kx < kernel; kx++) {
                        int x = ox + kx - pad;
                        if (x < 0 || x >= w)
                            continue;
                        int64_t q = (int64_t)y * w + x;
                        int32_t tb = (ky * kernel + kx) * c_in;
                        for (int32_t i = qs[q]; i < qs[q + 1]; i++, e++) {
                            kl[e] = tb + qi[i];
                            vl[e] = qv[i];
                        }
                    }
                }
                end = e;
            }
            /* chunk j starts at the first k >= j PD_KC: a branch-free binary search per chunk
             * in the ascending list (a count per entry would chain its increments in memory) */
            int32_t *cp = cst + (int64_t)p * (nch + 1);
            cp[0] = s;
            cp[nch] = end;
            for (int j = 1; j < nch; j++) {
                int32_t lo = s, n = end - s, key = j * PD_KC;
                while (n > 0) {
                    int32_t half = n / 2;
                    int lt = lk[lo + half] < key;
                    lo = lt ? lo + half + 1 : lo;
                    n = lt ? n - half - 1 : half;
                }
                cp[j] = lo;
            }
        }
        /* per chunk: positions by event count (descending), groups of PD_G, lists interleaved
         * and padded with the zero row */
        int32_t o = 0;
        int nrec = 0;
        for (int j = 0; j < nch; j++) {
            for (int c = 0; c <= PD_KC + 1; c++)
                hist[c] = 0;
            for (int p = 0; p < pn; p++) {
                const int32_t *cp = cst + (int64_t)p * (nch + 1);
                hist[PD_KC - (cp[j + 1] - cp[j]) + 1]++;
            }
            for (int c = 1; c <= PD_KC + 1; c++)
                hist[c] += hist[c - 1];
            for (int p = 0; p < pn; p++) {
                const int32_t *cp = cst + (int64_t)p * (nch + 1);
                order[hist[PD_KC - (cp[j + 1] - cp[j])]++] = p;
            }
            for (int g0 = 0; g0 < pn; g0 += PD_G) {
                const int32_t *c0 = cst + (int64_t)order[g0] * (nch + 1);
                int32_t n = c0[j + 1] - c0[j];
                if (n == 0)
                    break;
                int32_t *rec = recs + (int64_t)nrec++ * PD_REC;
                rec[0] = n;
                rec[1] = o;
                rec[2 + PD_G] = j;
                for (int gi = 0; gi < PD_G; gi++) {
                    int32_t c = 0, s = 0;
                    rec[2 + gi] = PD_PB; /* the tile's spare slot */
                    if (g0 + gi < pn) {
                        const int32_t *cp = cst + (int64_t)order[g0 + gi] * (nch + 1);
                        rec[2 + gi] = order[g0 + gi];
                        s = cp[j];
                        c = cp[j + 1] - cp[j];
                    }
                    int32_t *od = off + o + gi;
                    double *vd = val + o + gi;
                    for (int32_t t = 0; t < c; t++) {
                        od[t * PD_G] = lk[s + t] * PD_NP;
                        if (!unit)
                            vd[t * PD_G] = (double)lv[s + t];
                    }
                    for (int32_t t = c; t < n; t++) {
                        od[t * PD_G] = zrow;
                        if (!unit)
                            vd[t * PD_G] = 0.0;
                    }
                }
                o += n * PD_G;
            }
        }
        for (int pnl = co_lo / PD_NP; pnl * PD_NP < co_hi; pnl++) {
            memset(tile, 0, sizeof *tile * (size_t)pn * PD_NP);
            memset(tile + (int64_t)PD_PB * PD_NP, 0, sizeof *tile * PD_NP);
            const double *B = packed + pnl * pstride;
            if (unit)
                pd_panel_unit(B, nrec, recs, off, val, tile);
            else
                pd_panel_fma(B, nrec, recs, off, val, tile);
            int j0 = co_lo > pnl * PD_NP ? co_lo - pnl * PD_NP : 0;
            int j1 = co_hi < (pnl + 1) * PD_NP ? co_hi - pnl * PD_NP : PD_NP;
            for (int p = 0; p < pn; p++) {
                double *restrict ar = acc + (p0 + p) * c_out + (int64_t)pnl * PD_NP;
                const double *restrict tr = tile + (int64_t)p * PD_NP;
                for (int jj = j0; jj < j1; jj++)
                    ar[jj] += tr[jj];
            }
        }
    }
    if (cnt) { /* the scatter's counts: every nonzero input, times the outputs its taps reach */
        cnt->events += qs[npos];
        cnt->synops += myelin_kernel_list_synops(qs, 1, 1, h, w, kernel) * (co_hi - co_lo);
    }
    return 0;
#else
    (void)in, (void)h, (void)w, (void)c_in, (void)wf, (void)packed, (void)c_out, (void)kernel;
    (void)co_lo, (void)co_hi, (void)acc, (void)cnt, (void)scratch;
    return -1;
#endif
}

/* ---- A constant basis for dense inputs (float_delta in sim/engine.c) ----
 * A linear layer's sums W x equal W b + W (x - b) for any vector b per input channel (the same
 * at every position); with b the channel's most frequent value, x - b has far fewer nonzero
 * entries than x on the residual-stream inputs (4-384 q/k/v: 22-33 % against 64-84 %). */

int64_t myelin_kernel_basis_mode(const int32_t *in, int64_t npos, int c, int32_t *base,
                                 int32_t *hist)
{
    /* hist[v c + ch]: the count of value v in channel ch (a compare and add per value, so the
     * loop over channels vectorises) */
    memset(hist, 0, sizeof *hist * (size_t)c * (MYELIN_BASIS_MAXV + 1));
    for (int64_t p = 0; p < npos; p++) {
        const int32_t *x = in + p * c;
        for (int v = 0; v <= MYELIN_BASIS_MAXV; v++) {
            int32_t *restrict hv = hist + (int64_t)v * c;
            for (int ch = 0; ch < c; ch++)
                hv[ch] += x[ch] == v;
        }
    }
    int64_t diff = 0;
    for (int ch = 0; ch < c; ch++) {
        int best = 0;
        for (int v = 1; v <= MYELIN_BASIS_MAXV; v++)
            if (hist[(int64_t)v * c + ch] > hist[(int64_t)best * c + ch])
                best = v;
        base[ch] = best;
        diff += npos - hist[(int64_t)best * c + ch];
    }
    return diff;
}

void myelin_kernel_basis_sub(const int32_t *in, int64_t npos, int c, const int32_t *base,
                             int32_t *d)
{
    for (int64_t p = 0; p < npos; p++)
        for (int ch = 0; ch < c; ch++)
            d[p * c + ch] = in[p * c + ch] - base[ch];
}
