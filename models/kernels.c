/* models/kernels.c — the layer kernels (scatter, LIF, attention, pool, add); rules in kernels.h. */
#include "models/kernels.h"

#include <stddef.h>

/* Function multi-versioning: AVX-512 / AVX2 / portable versions, picked at load (GCC). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) &&     \
    !defined(MYELIN_NO_CLONES)
#define MYELIN_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MYELIN_KERNEL_CLONES
#endif

/* The scatter body is the same for the three value types; a macro keeps one copy of the loop
 * order (which fixes the double summation order). */
#define SCATTER_BODY(IN_T, W_T, ACC_T)                                                            \
    int pad = kernel / 2;                                                                         \
    int64_t events = 0, synops = 0;                                                               \
    int width = co_hi - co_lo;                                                                    \
    for (int y = 0; y < h; y++) {                                                                 \
        for (int x = 0; x < w; x++) {                                                             \
            const IN_T *px = in + ((int64_t)y * w + x) * c_in;                                    \
            for (int ci = 0; ci < c_in; ci++) {                                                   \
                IN_T val = px[ci];                                                                \
                if (val == 0)                                                                     \
                    continue;                                                                     \
                events++;                                                                         \
                for (int ky = 0; ky < kernel; ky++) {                                             \
                    int oy = y + pad - ky;                                                        \
                    if (oy < 0 || oy >= h)                                                        \
                        continue;                                                                 \
                    for (int kx = 0; kx < kernel; kx++) {                                         \
                        int ox = x + pad - kx;                                                    \
                        if (ox < 0 || ox >= w)                                                    \
                            continue;                                                             \
                        const W_T *wr =                                                           \
                            wq + (((int64_t)ky * kernel + kx) * c_in + ci) * c_out;               \
                        ACC_T *ar = acc + ((int64_t)oy * w + ox) * c_out;                         \
                        for (int co = co_lo; co < co_hi; co++)                                    \
                            ar[co] += (ACC_T)val * (ACC_T)wr[co];                                 \
                        synops += width;                                                          \
                    }                                                                             \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    if (cnt) {                                                                                    \
        cnt->events += events;                                                                    \
        cnt->synops += synops;                                                                    \
    }

/* Note on taps: output (oy, ox) sees input (oy + ky - pad, ox + kx - pad) through tap (ky, kx)
 * (PyTorch cross-correlation), so input (y, x) reaches oy = y + pad - ky. */
void myelin_kernel_scatter_i(const int32_t *in, int h, int w, int c_in, const int32_t *wq, int c_out,
                             int kernel, int co_lo, int co_hi, int64_t *acc, myelin_kcounts *cnt)
{
    SCATTER_BODY(int32_t, int32_t, int64_t)
}

/* The int64 scatter reading weights stored at their quantized width (the fallback when the
 * gather's int32 bound does not hold). */
MYELIN_KERNEL_CLONES
void myelin_kernel_scatter_i8(const int32_t *in, int h, int w, int c_in, const int8_t *wq, int c_out,
                              int kernel, int co_lo, int co_hi, int64_t *acc, myelin_kcounts *cnt)
{
    SCATTER_BODY(int32_t, int8_t, int64_t)
}

MYELIN_KERNEL_CLONES
void myelin_kernel_scatter_i16(const int32_t *in, int h, int w, int c_in, const int16_t *wq,
                               int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                               myelin_kcounts *cnt)
{
    SCATTER_BODY(int32_t, int16_t, int64_t)
}

void myelin_kernel_scatter_id(const int32_t *in, int h, int w, int c_in, const double *wf, int c_out,
                              int kernel, int co_lo, int co_hi, double *acc, myelin_kcounts *cnt)
{
    const double *wq = wf;
    SCATTER_BODY(int32_t, double, double)
}

void myelin_kernel_scatter_d(const double *in, int h, int w, int c_in, const double *wf, int c_out,
                             int kernel, int co_lo, int co_hi, double *acc, myelin_kcounts *cnt)
{
    const double *wq = wf;
    SCATTER_BODY(double, double, double)
}

int64_t myelin_kernel_lif_f(const double *x, double *v, int32_t *s, double *h_out, int64_t lo,
                            int64_t hi, double v_th, myelin_kcounts *cnt)
{
    int64_t fired = 0;
    for (int64_t n = lo; n < hi; n++) {
        /* spikingjelly neuronal_charge, decay_input, v_reset 0: v + (x - v) / tau */
        double hv = v[n] + (x[n] - v[n]) / 2.0;
        int sp = hv >= v_th;
        if (h_out)
            h_out[n] = hv;
        s[n] = sp;
        v[n] = sp ? 0.0 : hv;
        fired += sp;
    }
    if (cnt) {
        cnt->neuron_updates += hi - lo;
        cnt->spikes += fired;
    }
    return fired;
}

int64_t myelin_kernel_sat(int64_t x, int membrane_bits)
{
    int64_t hi = (membrane_bits >= 64) ? INT64_MAX : (((int64_t)1 << (membrane_bits - 1)) - 1);
    int64_t lo = -hi - 1;
    return x > hi ? hi : (x < lo ? lo : x);
}

int myelin_kernel_frac_bits(int membrane_bits)
{
    if (membrane_bits < 2)
        return 0;
    int headroom = membrane_bits / 8 > 1 ? membrane_bits / 8 : 1; /* one integer bit per byte */
    return membrane_bits - 1 - headroom;
}

/* acc rescaled to m bits; *sat set when the value had to be clamped. */
static inline int64_t rescale_sat(int64_t acc, int shift, int membrane_bits, int *sat)
{
    *sat = 0;
    if (shift > 0) {
        if (shift >= 63)
            return 0; /* any int64 divided by 2^63 or more rounds (half up) to 0 or -0 */
        /* round half up: floor((acc + 2^(k-1)) / 2^k), without overflowing near INT64_MAX */
        int64_t half = (int64_t)1 << (shift - 1);
        int64_t r = (acc > INT64_MAX - half) ? (acc >> shift) + 1 : ((acc + half) >> shift);
        int64_t c = myelin_kernel_sat(r, membrane_bits);
        *sat = c != r;
        return c;
    }
    int ls = -shift;
    int64_t lim = ((int64_t)1 << (membrane_bits - 1));
    /* if |acc| * 2^ls leaves the m-bit range, saturate before shifting (no int64 overflow) */
    if (ls >= 63 || acc > ((lim - 1) >> ls) || acc < -(lim >> ls)) {
        *sat = acc != 0;
        return acc > 0 ? lim - 1 : (acc < 0 ? -lim : 0);
    }
    return acc * ((int64_t)1 << ls);
}

int64_t myelin_kernel_rescale(int64_t acc, int shift, int membrane_bits)
{
    int sat;
    return rescale_sat(acc, shift, membrane_bits, &sat);
}

int64_t myelin_kernel_lif_i(const int64_t *acc, int64_t *v, int32_t *s, int64_t *h_out, int64_t lo,
                            int64_t hi, int c, const int *shift, const int64_t *theta,
                            int membrane_bits, myelin_kcounts *cnt)
{
    int64_t fired = 0, xsat = 0, hsat = 0;
    int64_t hi_m = myelin_kernel_sat(INT64_MAX, membrane_bits), lo_m = -hi_m - 1;
    int ch = (int)(lo % c); /* channel = n % c, advanced without a division per neuron */
    for (int64_t n = lo; n < hi; n++) {
        int xs;
        int64_t xm = rescale_sat(acc[n], shift[ch], membrane_bits, &xs);
        xsat += xs;
        int64_t hu = v[n] + ((xm - v[n]) >> 1);
        int64_t hv = hu > hi_m ? hi_m : (hu < lo_m ? lo_m : hu);
        hsat += hv != hu;
        int sp = hv >= theta[ch];
        if (h_out)
            h_out[n] = hv;
        s[n] = sp;
        v[n] = sp ? 0 : hv;
        fired += sp;
        if (++ch == c)
            ch = 0;
    }
    if (cnt) {
        cnt->neuron_updates += hi - lo;
        cnt->spikes += fired;
        cnt->x_sat += xsat;
        cnt->h_sat += hsat;
    }
    return fired;
}

void myelin_kernel_attn_head(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                             int head, int dh, int tok_lo, int tok_hi, int64_t *kv, int64_t *out,
                             myelin_kcounts *cnt)
{
    int c0 = head * dh;
    int64_t events = 0, synops = 0;
    for (int i = 0; i < dh * dh; i++)
        kv[i] = 0;
    /* KV[i][j] = sum_t K[t][i] V[t][j]: each nonzero K[t][i] adds V's row slice to KV row i */
    for (int t = 0; t < n; t++) {
        const int32_t *kr = k + (int64_t)t * d + c0;
        const int32_t *vr = v + (int64_t)t * d + c0;
        for (int i = 0; i < dh; i++) {
            if (kr[i] == 0)
                continue;
            events++;
            synops += dh;
            int64_t *row = kv + (int64_t)i * dh;
            for (int j = 0; j < dh; j++)
                row[j] += (int64_t)kr[i] * vr[j];
        }
    }
    /* A[t][j] = sum_i Q[t][i] KV[i][j] */
    for (int t = tok_lo; t < tok_hi; t++) {
        const int32_t *qr = q + (int64_t)t * d + c0;
        int64_t *ar = out + (int64_t)t * d + c0;
        for (int j = 0; j < dh; j++)
            ar[j] = 0;
        for (int i = 0; i < dh; i++) {
            if (qr[i] == 0)
                continue;
            events++;
            synops += dh;
            const int64_t *row = kv + (int64_t)i * dh;
            for (int j = 0; j < dh; j++)
                ar[j] += (int64_t)qr[i] * row[j];
        }
    }
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
}

void myelin_kernel_attn_head_qk_v(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                                  int head, int dh, int tok_lo, int tok_hi, int64_t *srow,
                                  int64_t *out, myelin_kcounts *cnt)
{
    int c0 = head * dh;
    int64_t q_events = 0, v_events = 0;
    for (int t = tok_lo; t < tok_hi; t++) {
        const int32_t *qr = q + (int64_t)t * d + c0;
        /* S[t][u] = sum_i Q[t][i] K[u][i]: each nonzero Q[t][i] adds K's column i to the row */
        for (int u = 0; u < n; u++)
            srow[u] = 0;
        for (int i = 0; i < dh; i++) {
            if (qr[i] == 0)
                continue;
            q_events++;
            for (int u = 0; u < n; u++)
                srow[u] += (int64_t)qr[i] * k[(int64_t)u * d + c0 + i];
        }
        /* A[t][j] = sum_u S[t][u] V[u][j] */
        int64_t *ar = out + (int64_t)t * d + c0;
        for (int j = 0; j < dh; j++)
            ar[j] = 0;
        for (int u = 0; u < n; u++) {
            if (srow[u] == 0)
                continue;
            const int32_t *vr = v + (int64_t)u * d + c0;
            for (int j = 0; j < dh; j++)
                ar[j] += srow[u] * vr[j];
        }
    }
    /* counted as the event-driven hardware does it: S = Q K^T on Q spikes (n per spike), then
     * A = S V on V spikes (each adds one column of S: tok_hi - tok_lo per spike) */
    for (int u = 0; u < n; u++)
        for (int j = 0; j < dh; j++)
            v_events += v[(int64_t)u * d + c0 + j] != 0;
    if (cnt) {
        cnt->events += q_events + v_events;
        cnt->synops += q_events * n + v_events * (int64_t)(tok_hi - tok_lo);
    }
}

void myelin_kernel_maxpool(const int32_t *in, int h, int w, int c, int32_t *out)
{
    int oh = (h + 1) / 2, ow = (w + 1) / 2;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            int32_t *o = out + ((int64_t)oy * ow + ox) * c;
            for (int ch = 0; ch < c; ch++)
                o[ch] = 0;
            for (int dy = -1; dy <= 1; dy++) {
                int y = 2 * oy + dy;
                if (y < 0 || y >= h)
                    continue;
                for (int dx = -1; dx <= 1; dx++) {
                    int x = 2 * ox + dx;
                    if (x < 0 || x >= w)
                        continue;
                    const int32_t *p = in + ((int64_t)y * w + x) * c;
                    for (int ch = 0; ch < c; ch++)
                        if (p[ch] > o[ch])
                            o[ch] = p[ch];
                }
            }
        }
}

void myelin_kernel_add(const int32_t *a, const int32_t *b, int32_t *out, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        out[i] = a[i] + b[i];
}

int64_t myelin_kernel_nonzero(const int32_t *x, int64_t n)
{
    int64_t nz = 0;
    for (int64_t i = 0; i < n; i++)
        nz += x[i] != 0;
    return nz;
}

/* ---- Output-stationary integer path (the engine's fast path for integer weights) ----
 *
 * The same sums as myelin_kernel_scatter_i, gathered per output position instead of scattered per
 * input event: a block of GATHER_TB consecutive output positions x GATHER_CB output channels is
 * summed in an int32 tile that stays in L1, each weight row segment is loaded once per block and
 * reused for every position whose input is nonzero (zero inputs are still skipped: at low rates
 * this is the event-driven scatter, at high rates a blocked GEMM), and the tile is added to the
 * int64 accumulators once.  Integer addition is associative, so the accumulators are bit-identical
 * to the scatter's.
 *
 * Why the int32 tile cannot overflow: every tile entry is a sum of at most taps x c_in products
 * v x w with |v| <= vmax (measured over the input before summing) and |w| <= wmax (the caller's
 * bound on the weights), so every partial sum has magnitude <= taps x c_in x vmax x wmax.  The
 * kernel computes that bound in int64 (taps <= 9, c_in < 2^31, vmax < 2^31, wmax < 2^15: the
 * product is checked stepwise against INT32_MAX, never overflowing) and returns -1 without
 * touching acc or cnt when it exceeds INT32_MAX; the caller then uses the int64 scatter.
 *
 * The inner loops run over contiguous channels with restrict pointers so GCC vectorises them;
 * MYELIN_KERNEL_CLONES builds AVX-512 and AVX2 versions beside the portable one and the loader
 * picks one for the CPU (GCC function multi-versioning), so one binary runs on any x86-64. */
#define GATHER_TB 8
#define GATHER_CB 256


/* Nonzero count, in-bounds taps and |value| bound of the input; 0 when the int32 tile is safe. */
static int gather_prepare(const int32_t *in, int h, int w, int c_in, int kernel, int width,
                          int32_t wmax, int64_t *events_out, int64_t *synops_out)
{
    int pad = kernel / 2;
    int64_t events = 0, synops = 0, vmax = 0;
    for (int y = 0; y < h; y++) {
        int vy = 0;
        for (int ky = 0; ky < kernel; ky++)
            vy += y + pad - ky >= 0 && y + pad - ky < h;
        for (int x = 0; x < w; x++) {
            int vx = 0;
            for (int kx = 0; kx < kernel; kx++)
                vx += x + pad - kx >= 0 && x + pad - kx < w;
            const int32_t *px = in + ((int64_t)y * w + x) * c_in;
            int64_t nz = 0;
            for (int ci = 0; ci < c_in; ci++) {
                int64_t v = px[ci];
                int64_t a = v < 0 ? -v : v;
                nz += v != 0;
                vmax = a > vmax ? a : vmax;
            }
            events += nz;
            synops += nz * vy * vx * width;
        }
    }
    *events_out = events;
    *synops_out = synops;
    int64_t bound = (int64_t)kernel * kernel * c_in; /* <= 9 * 2^31 */
    if (wmax < 0 || vmax > INT32_MAX / 2 || (wmax > 0 && bound > INT32_MAX / wmax))
        return -1;
    bound *= wmax; /* <= INT32_MAX */
    if (vmax > 0 && bound > INT32_MAX / vmax)
        return -1;
    return 0;
}

#define GATHER_BODY(W_T)                                                                          \
    int pad = kernel / 2, taps = kernel * kernel;                                                 \
    int64_t events, synops;                                                                       \
    if (kernel < 1 || kernel > 3 || co_lo >= co_hi ||                                             \
        gather_prepare(in, h, w, c_in, kernel, co_hi - co_lo, wmax, &events, &synops))            \
        return -1;                                                                                \
    int64_t npos = (int64_t)h * w;                                                                \
    int32_t tile[GATHER_TB][GATHER_CB];                                                           \
    const int32_t *src[GATHER_TB][9];                                                             \
    for (int64_t p0 = 0; p0 < npos; p0 += GATHER_TB) {                                            \
        int pn = npos - p0 < GATHER_TB ? (int)(npos - p0) : GATHER_TB;                            \
        for (int p = 0; p < pn; p++) {                                                            \
            int oy = (int)((p0 + p) / w), ox = (int)((p0 + p) % w);                               \
            for (int ky = 0; ky < kernel; ky++)                                                   \
                for (int kx = 0; kx < kernel; kx++) {                                             \
                    int y = oy + ky - pad, x = ox + kx - pad;                                     \
                    src[p][ky * kernel + kx] = (y >= 0 && y < h && x >= 0 && x < w)               \
                                                   ? in + ((int64_t)y * w + x) * c_in            \
                                                   : NULL;                                        \
                }                                                                                 \
        }                                                                                         \
        for (int cb = co_lo; cb < co_hi; cb += GATHER_CB) {                                       \
            int cn = co_hi - cb < GATHER_CB ? co_hi - cb : GATHER_CB;                             \
            for (int p = 0; p < pn; p++)                                                          \
                for (int j = 0; j < cn; j++)                                                      \
                    tile[p][j] = 0;                                                               \
            for (int tap = 0; tap < taps; tap++)                                                  \
                for (int ci = 0; ci < c_in; ci++) {                                               \
                    const W_T *restrict wr = wq + ((int64_t)tap * c_in + ci) * c_out + cb;        \
                    for (int p = 0; p < pn; p++) {                                                \
                        const int32_t *s = src[p][tap];                                           \
                        if (!s || !s[ci])                                                         \
                            continue;                                                             \
                        int32_t v = s[ci];                                                        \
                        int32_t *restrict tr = tile[p];                                           \
                        if (v == 1)                                                               \
                            for (int j = 0; j < cn; j++)                                          \
                                tr[j] += wr[j];                                                   \
                        else                                                                      \
                            for (int j = 0; j < cn; j++)                                          \
                                tr[j] += v * (int32_t)wr[j];                                      \
                    }                                                                             \
                }                                                                                 \
            for (int p = 0; p < pn; p++) {                                                        \
                int64_t *restrict ar = acc + (p0 + p) * c_out + cb;                               \
                const int32_t *restrict tr = tile[p];                                             \
                for (int j = 0; j < cn; j++)                                                      \
                    ar[j] += tr[j];                                                               \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    if (cnt) {                                                                                    \
        cnt->events += events;                                                                    \
        cnt->synops += synops;                                                                    \
    }                                                                                             \
    return 0;

MYELIN_KERNEL_CLONES
int myelin_kernel_gather_i8(const int32_t *in, int h, int w, int c_in, const int8_t *wq, int c_out,
                            int kernel, int co_lo, int co_hi, int32_t wmax, int64_t *acc,
                            myelin_kcounts *cnt)
{
    GATHER_BODY(int8_t)
}

MYELIN_KERNEL_CLONES
int myelin_kernel_gather_i16(const int32_t *in, int h, int w, int c_in, const int16_t *wq,
                             int c_out, int kernel, int co_lo, int co_hi, int32_t wmax,
                             int64_t *acc, myelin_kcounts *cnt)
{
    GATHER_BODY(int16_t)
}

void myelin_kernel_synapse_i(const int32_t *in, int h, int w, int c_in, const myelin_kweights *wt,
                             int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                             myelin_kcounts *cnt)
{
    /* the gather pays for its block set-up and input pass only with enough work per weight row
     * and per block: narrow layers (small images, first convolutions) keep the scatter */
    int gather = (int64_t)kernel * kernel * c_in >= 64 && co_hi - co_lo >= 64;
    if (wt->w8) {
        if (!gather || myelin_kernel_gather_i8(in, h, w, c_in, wt->w8, c_out, kernel, co_lo, co_hi, wt->wmax,
                                    acc, cnt))
            myelin_kernel_scatter_i8(in, h, w, c_in, wt->w8, c_out, kernel, co_lo, co_hi, acc, cnt);
    } else if (wt->w16) {
        if (!gather || myelin_kernel_gather_i16(in, h, w, c_in, wt->w16, c_out, kernel, co_lo, co_hi,
                                     wt->wmax, acc, cnt))
            myelin_kernel_scatter_i16(in, h, w, c_in, wt->w16, c_out, kernel, co_lo, co_hi, acc,
                                      cnt);
    } else {
        myelin_kernel_scatter_i(in, h, w, c_in, wt->w32, c_out, kernel, co_lo, co_hi, acc, cnt);
    }
}
