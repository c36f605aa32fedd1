/* models/kernels.c — the layer kernels (scatter, LIF, attention, pool, add); rules in kernels.h. */
#include "models/kernels.h"

#include <stddef.h>
#include <string.h>

/* Hand-written AVX-512 / AVX2 kernels (target attributes, chosen at run time) on x86-64 with GCC or
 * Clang; every one has a portable path beside it. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MYELIN_NO_CLONES)
#include <immintrin.h>
#define MYELIN_DENSE_X86 1
#endif

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

/* Its inner loop aligned to a 64-byte line: where other code moved it across a line boundary,
 * tiny and Fashion-MNIST float (mostly this loop on their narrow low-rate layers) ran 5-9 %
 * slower. */
__attribute__((optimize("align-loops=64"))) void
myelin_kernel_scatter_id(const int32_t *in, int h, int w, int c_in, const double *wf, int c_out,
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

/* Vectorised (clones; ISO C compiles without contracting the multiply and add into an FMA, so
 * every lane rounds as the scalar loop does). */
MYELIN_KERNEL_CLONES
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

/* The LIF over whole positions (c channels each) when every shift k is in -62..62 (k <= 0 is the
 * common case for spike inputs, whose accumulator unit is coarser than the membrane's), m <= 32.
 * k > 0, round half up without the overflow guard: floor((a + 2^(k-1)) / 2^k) = (a >> k) + bit
 * k-1 of a (write a = q 2^k + r, 0 <= r < 2^k: the sum reaches q + 1 exactly when r >= 2^(k-1)),
 * the same integers as rescale_sat for every int64 a.  k <= 0: a << -k fits m bits exactly when
 * -((hi_m + 1) >> -k) <= a <= hi_m >> -k (rescale_sat's test), else the clamp.  V and X stay
 * within m <= 32 bits, so V + ((X - V) >> 1) cannot overflow int64.  Both rescalings are computed
 * with safe shift counts and the channel's sign selects one: branch-free over contiguous channels,
 * so the compiler vectorises it (AVX-512: 8 lanes of vpsravq / vpminsq / vpmaxsq). */
/* The rows and the reference loop for int64 and int32 membranes (the same integers: V stays
 * within m <= 32 bits); h_out may be NULL (GCC unswitches the loop on it). */
#define LIF_ROWS(NAME, V_T)                                                                       \
    MYELIN_KERNEL_CLONES                                                                          \
    static void NAME(const int64_t *restrict acc, V_T *restrict v, int32_t *restrict s,           \
                     int64_t *restrict h_out, int64_t rows, int c, const int *restrict shift,     \
                     const int64_t *restrict theta, int64_t hi_m, int64_t *restrict sum)          \
    {                                                                                             \
        const int64_t lo_m = -hi_m - 1;                                                           \
        int64_t fired = 0, xsat = 0, hsat = 0;                                                    \
        for (int64_t r = 0; r < rows; r++) {                                                      \
            const int64_t *restrict ar = acc + r * c;                                             \
            V_T *restrict vr = v + r * c;                                                         \
            int64_t *restrict hr = h_out ? h_out + r * c : NULL;                                  \
            int32_t *restrict sr = s + r * c;                                                     \
            for (int ch = 0; ch < c; ch++) {                                                      \
                int64_t a = ar[ch], k = shift[ch];                                                \
                int64_t kr = k > 0 ? k : 1, ls = k > 0 ? 0 : -k;                                  \
                int64_t x = (a >> kr) + ((a >> (kr - 1)) & 1);                                    \
                int64_t xr = x > hi_m ? hi_m : (x < lo_m ? lo_m : x);                             \
                int64_t top = hi_m >> ls, bot = -((hi_m + 1) >> ls);                              \
                int64_t xl = a > top ? hi_m : (a < bot ? lo_m : (int64_t)((uint64_t)a << ls));    \
                int64_t right = k > 0, sat_r = xr != x, sat_l = (a > top) | (a < bot);            \
                int64_t xm = right ? xr : xl;                                                     \
                xsat += right ? sat_r : sat_l;                                                    \
                int64_t vv = vr[ch];                                                              \
                int64_t hu = vv + ((xm - vv) >> 1);                                               \
                int64_t hv = hu > hi_m ? hi_m : (hu < lo_m ? lo_m : hu);                          \
                hsat += hv != hu;                                                                 \
                int64_t sp = hv >= theta[ch];                                                     \
                if (hr)                                                                           \
                    hr[ch] = hv;                                                                  \
                sr[ch] = (int32_t)sp;                                                             \
                vr[ch] = (V_T)(sp ? 0 : hv);                                                      \
                fired += sp;                                                                      \
            }                                                                                     \
        }                                                                                         \
        sum[0] += fired;                                                                          \
        sum[1] += xsat;                                                                           \
        sum[2] += hsat;                                                                           \
    }
LIF_ROWS(lif_i_rows, int64_t)
LIF_ROWS(lif_i_rows32, int32_t)

typedef struct lif_sums {
    int64_t fired, xsat, hsat;
} lif_sums;

/* lif_i_rows32 for a slice of channels whose shifts are all k <= 0 (spike inputs: the accumulator
 * unit is coarser than the membrane's), with the per-channel clamp limits precomputed: top[ch] =
 * hi_m >> -k, bot[ch] = -((hi_m + 1) >> -k), so X = a > top ? hi_m : a < bot ? lo_m : a << -k (the
 * same test and values as lif_i_rows); fewer shifts per neuron, the same integers. */
MYELIN_KERNEL_CLONES
static void lif_i_rows32_left(const int64_t *restrict acc, int32_t *restrict v, int32_t *restrict s,
                              int64_t *restrict h_out, int64_t rows, int c, int cn,
                              const int64_t *restrict ls, const int64_t *restrict top,
                              const int64_t *restrict bot, const int64_t *restrict theta,
                              int64_t hi_m, int64_t *restrict sum)
{
    const int64_t lo_m = -hi_m - 1;
    int64_t fired = 0, xsat = 0, hsat = 0;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t *restrict ar = acc + r * c;
        int32_t *restrict vr = v + r * c, *restrict sr = s + r * c;
        int64_t *restrict hr = h_out ? h_out + r * c : NULL;
        for (int ch = 0; ch < cn; ch++) {
            int64_t a = ar[ch];
            int64_t hiv = a > top[ch], lov = a < bot[ch];
            int64_t xm = hiv ? hi_m : (lov ? lo_m : (int64_t)((uint64_t)a << ls[ch]));
            xsat += hiv | lov;
            int64_t vv = vr[ch];
            int64_t hu = vv + ((xm - vv) >> 1);
            int64_t hv = hu > hi_m ? hi_m : (hu < lo_m ? lo_m : hu);
            hsat += hv != hu;
            int64_t sp = hv >= theta[ch];
            if (hr)
                hr[ch] = hv;
            sr[ch] = (int32_t)sp;
            vr[ch] = (int32_t)(sp ? 0 : hv);
            fired += sp;
        }
    }
    sum[0] += fired;
    sum[1] += xsat;
    sum[2] += hsat;
}

#define LIF_LEFT_CH 256 /* channels per slice of lif_i_rows32_left (its limits live on the stack) */

/* lif_i_rows32 over whole positions, slices of LIF_LEFT_CH channels at a time: the left-shift
 * rows where every shift of the slice is <= 0, else the general rows. */
static void lif_i_rows32_sliced(const int64_t *acc, int32_t *v, int32_t *s, int64_t *h_out,
                                int64_t rows, int c, const int *shift, const int64_t *theta,
                                int64_t hi_m, int64_t *sum)
{
    int64_t ls[LIF_LEFT_CH], top[LIF_LEFT_CH], bot[LIF_LEFT_CH];
    for (int c0 = 0; c0 < c; c0 += LIF_LEFT_CH) {
        int cn = c - c0 < LIF_LEFT_CH ? c - c0 : LIF_LEFT_CH, left = 1;
        for (int ch = 0; ch < cn && left; ch++)
            left = shift[c0 + ch] <= 0;
        if (!left) {
            /* the general rows, one slice wide: rows of cn channels at stride c */
            for (int64_t r = 0; r < rows; r++)
                lif_i_rows32(acc + r * c + c0, v + r * c + c0, s + r * c + c0,
                             h_out ? h_out + r * c + c0 : NULL, 1, cn, shift + c0, theta + c0,
                             hi_m, sum);
            continue;
        }
        for (int ch = 0; ch < cn; ch++) {
            int64_t l = -(int64_t)shift[c0 + ch];
            ls[ch] = l;
            top[ch] = hi_m >> l;
            bot[ch] = -((hi_m + 1) >> l);
        }
        lif_i_rows32_left(acc + c0, v + c0, s + c0, h_out ? h_out + c0 : NULL, rows, c, cn, ls,
                          top, bot, theta + c0, hi_m, sum);
    }
}

/* The reference LIF loop over neurons [lo, hi) (any shift, any width), adding to *sum. */
#define LIF_SCALAR(NAME, V_T)                                                                     \
    static void NAME(const int64_t *acc, V_T *v, int32_t *s, int64_t *h_out, int64_t lo,          \
                     int64_t hi, int c, const int *shift, const int64_t *theta,                   \
                     int membrane_bits, lif_sums *sum)                                            \
    {                                                                                             \
        int64_t hi_m = myelin_kernel_sat(INT64_MAX, membrane_bits), lo_m = -hi_m - 1;             \
        int ch = (int)(lo % c); /* channel = n % c, advanced without a division per neuron */     \
        for (int64_t n = lo; n < hi; n++) {                                                       \
            int xs;                                                                               \
            int64_t xm = rescale_sat(acc[n], shift[ch], membrane_bits, &xs);                      \
            sum->xsat += xs;                                                                      \
            int64_t vn = v[n];                                                                    \
            int64_t hu = vn + ((xm - vn) >> 1);                                                   \
            int64_t hv = hu > hi_m ? hi_m : (hu < lo_m ? lo_m : hu);                              \
            sum->hsat += hv != hu;                                                                \
            int sp = hv >= theta[ch];                                                             \
            if (h_out)                                                                            \
                h_out[n] = hv;                                                                    \
            s[n] = sp;                                                                            \
            v[n] = (V_T)(sp ? 0 : hv);                                                            \
            sum->fired += sp;                                                                     \
            if (++ch == c)                                                                        \
                ch = 0;                                                                           \
        }                                                                                         \
    }
LIF_SCALAR(lif_i_scalar, int64_t)
LIF_SCALAR(lif_i_scalar32, int32_t)

/* Whole positions [first, last) through the vectorised rows (every shift in -62..62, m <= 32;
 * myelin_kernel_lif_i only with h_out, so that h_out = NULL runs the reference loop: the tests'
 * handle on it), the ragged ends and other cases through the loop. */
#define LIF_DRIVER(ROWS, SCALAR, FAST)                                                            \
    lif_sums sum = {0, 0, 0};                                                                     \
    int fast = (FAST) && membrane_bits <= 32 && c > 0;                                            \
    for (int ch = 0; fast && ch < c; ch++)                                                        \
        fast = shift[ch] >= -62 && shift[ch] <= 62;                                               \
    int64_t first = fast ? (lo + c - 1) / c * c : hi, last = fast ? hi / c * c : hi;              \
    if (first >= last) { /* no whole position: all scalar */                                      \
        first = hi;                                                                               \
        last = hi;                                                                                \
    }                                                                                             \
    SCALAR(acc, v, s, h_out, lo, first, c, shift, theta, membrane_bits, &sum);                    \
    if (first < last) {                                                                           \
        int64_t r[3] = {0, 0, 0}, hi_m = myelin_kernel_sat(INT64_MAX, membrane_bits);            \
        ROWS(acc + first, v + first, s + first, h_out ? h_out + first : NULL, (last - first) / c, \
             c, shift, theta, hi_m, r);                                                           \
        sum.fired += r[0];                                                                        \
        sum.xsat += r[1];                                                                         \
        sum.hsat += r[2];                                                                         \
        SCALAR(acc, v, s, h_out, last, hi, c, shift, theta, membrane_bits, &sum);                 \
    }                                                                                             \
    if (cnt) {                                                                                    \
        cnt->neuron_updates += hi - lo;                                                           \
        cnt->spikes += sum.fired;                                                                 \
        cnt->x_sat += sum.xsat;                                                                   \
        cnt->h_sat += sum.hsat;                                                                   \
    }                                                                                             \
    return sum.fired;

int64_t myelin_kernel_lif_i(const int64_t *acc, int64_t *v, int32_t *s, int64_t *h_out, int64_t lo,
                            int64_t hi, int c, const int *shift, const int64_t *theta,
                            int membrane_bits, myelin_kcounts *cnt)
{
    LIF_DRIVER(lif_i_rows, lif_i_scalar, h_out != NULL)
}

int64_t myelin_kernel_lif_i32(const int64_t *acc, int32_t *v, int32_t *s, int64_t *h_out,
                              int64_t lo, int64_t hi, int c, const int *shift,
                              const int64_t *theta, int membrane_bits, myelin_kcounts *cnt)
{
    if (membrane_bits > 32) /* V would not fit: nothing done (the caller keeps int64) */
        return -1;
    LIF_DRIVER(lif_i_rows32_sliced, lif_i_scalar32, 1)
}

LIF_SCALAR(lif_i_scalar16, int16_t)

#define LIF16_BUF 8192 /* int32 membranes widened at a time (32 KiB, L1-resident) */

/* int16 membranes through the int32 kernel: chunks of whole positions widened into an int32
 * buffer, updated, narrowed back.  The integers are lif_i32's (V stays within m <= 16 bits, so
 * the narrowing is exact); GCC vectorises neither a direct int16 form of the rows at 512 bits
 * without AVX-512BW (measured: the tiny model 15-20 % slower) nor needs to here.  Tensors wider
 * than the buffer take the reference loop. */
int64_t myelin_kernel_lif_i16(const int64_t *acc, int16_t *v, int32_t *s, int64_t *h_out,
                              int64_t lo, int64_t hi, int c, const int *shift,
                              const int64_t *theta, int membrane_bits, myelin_kcounts *cnt)
{
    if (membrane_bits > 16) /* V would not fit: nothing done (the caller keeps int32) */
        return -1;
    if (c <= 0 || c > LIF16_BUF || lo >= hi) {
        lif_sums sum = {0, 0, 0};
        if (c > 0)
            lif_i_scalar16(acc, v, s, h_out, lo, hi, c, shift, theta, membrane_bits, &sum);
        if (cnt && c > 0) {
            cnt->neuron_updates += hi > lo ? hi - lo : 0;
            cnt->spikes += sum.fired;
            cnt->x_sat += sum.xsat;
            cnt->h_sat += sum.hsat;
        }
        return sum.fired;
    }
    int32_t buf[LIF16_BUF];
    int64_t per = (int64_t)(LIF16_BUF / c) * c, fired = 0;
    /* chunk [n0, n1) inside the positions from b = n0 - n0 % c: buf[k] is neuron b + k */
    for (int64_t n0 = lo; n0 < hi;) {
        int64_t b = n0 - n0 % c, n1 = b + per < hi ? b + per : hi;
        for (int64_t n = n0; n < n1; n++)
            buf[n - b] = v[n];
        fired += myelin_kernel_lif_i32(acc + b, buf, s + b, h_out ? h_out + b : NULL, n0 - b,
                                       n1 - b, c, shift, theta, membrane_bits, cnt);
        for (int64_t n = n0; n < n1; n++)
            v[n] = (int16_t)buf[n - b];
        n0 = n1;
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

/* The qk_v product with the head's K slice transposed once into kt (dh x n int32, from scratch
 * after the n-entry score row), so both inner loops run over contiguous memory and vectorise:
 * srow[u] += Q[t][i] Kt[i][u], then A[t][j] += S[t][u] V[u][j].  The same integer sums as
 * myelin_kernel_attn_head_qk_v (integer addition is associative) and the same counts. */
MYELIN_KERNEL_CLONES
void myelin_kernel_attn_head_qk_v_t(const int32_t *q, const int32_t *k, const int32_t *v, int n,
                                    int d, int head, int dh, int tok_lo, int tok_hi,
                                    int64_t *scratch, int64_t *out, myelin_kcounts *cnt)
{
    int c0 = head * dh;
    int64_t q_events = 0, v_events = 0;
    int64_t *restrict srow = scratch;
    int32_t *restrict kt = (int32_t *)(void *)(scratch + n);
    int64_t qm = 0, km = 0, vm = 0; /* max |value| of the head's Q (tokens used), K, V */
    for (int u = 0; u < n; u++)
        for (int i = 0; i < dh; i++) {
            int32_t kv = k[(int64_t)u * d + c0 + i], vv = v[(int64_t)u * d + c0 + i];
            int64_t ka = kv < 0 ? -(int64_t)kv : kv, va = vv < 0 ? -(int64_t)vv : vv;
            kt[(int64_t)i * n + u] = kv;
            km = ka > km ? ka : km;
            vm = va > vm ? va : vm;
        }
    for (int t = tok_lo; t < tok_hi; t++)
        for (int i = 0; i < dh; i++) {
            int32_t qv = q[(int64_t)t * d + c0 + i];
            int64_t qa = qv < 0 ? -(int64_t)qv : qv;
            qm = qa > qm ? qa : qm;
        }
    /* int32 sums when they provably fit: |S[t][u]| <= dh qm km and |A[t][j]| <= n dh qm km vm,
     * each bound checked stepwise against INT32_MAX (no int64 overflow: every factor < 2^31) */
    int64_t sb = 0, ab = 0;
    int fits = dh <= 256 && n > 0 && (qm == 0 || km <= INT32_MAX / qm);
    if (fits) {
        sb = qm * km;
        fits = sb <= INT32_MAX / dh;
    }
    if (fits) {
        sb *= dh;
        fits = vm == 0 || sb <= INT32_MAX / vm;
    }
    if (fits) {
        ab = sb * vm;
        fits = ab <= INT32_MAX / n;
    }
    if (fits) {
        int32_t *restrict s32 = (int32_t *)(void *)scratch, a32[256];
        for (int t = tok_lo; t < tok_hi; t++) {
            const int32_t *qr = q + (int64_t)t * d + c0;
            for (int u = 0; u < n; u++)
                s32[u] = 0;
            for (int i = 0; i < dh; i++) {
                if (qr[i] == 0)
                    continue;
                q_events++;
                int32_t qv = qr[i];
                const int32_t *restrict kr = kt + (int64_t)i * n;
                for (int u = 0; u < n; u++)
                    s32[u] += qv * kr[u];
            }
            for (int j = 0; j < dh; j++)
                a32[j] = 0;
            for (int u = 0; u < n; u++) {
                int32_t sv = s32[u];
                if (sv == 0)
                    continue;
                const int32_t *restrict vr = v + (int64_t)u * d + c0;
                for (int j = 0; j < dh; j++)
                    a32[j] += sv * vr[j];
            }
            int64_t *restrict ar = out + (int64_t)t * d + c0;
            for (int j = 0; j < dh; j++)
                ar[j] = a32[j];
        }
    }
    for (int t = fits ? tok_hi : tok_lo; t < tok_hi; t++) { /* int64 sums otherwise */
        const int32_t *qr = q + (int64_t)t * d + c0;
        for (int u = 0; u < n; u++)
            srow[u] = 0;
        for (int i = 0; i < dh; i++) {
            if (qr[i] == 0)
                continue;
            q_events++;
            int64_t qv = qr[i];
            const int32_t *restrict kr = kt + (int64_t)i * n;
            for (int u = 0; u < n; u++)
                srow[u] += qv * kr[u];
        }
        int64_t *restrict ar = out + (int64_t)t * d + c0;
        for (int j = 0; j < dh; j++)
            ar[j] = 0;
        for (int u = 0; u < n; u++) {
            int64_t sv = srow[u];
            if (sv == 0)
                continue;
            const int32_t *restrict vr = v + (int64_t)u * d + c0;
            for (int j = 0; j < dh; j++)
                ar[j] += sv * vr[j];
        }
    }
    for (int u = 0; u < n; u++)
        for (int j = 0; j < dh; j++)
            v_events += v[(int64_t)u * d + c0 + j] != 0;
    if (cnt) {
        cnt->events += q_events + v_events;
        cnt->synops += q_events * n + v_events * (int64_t)(tok_hi - tok_lo);
    }
}

#ifdef MYELIN_DENSE_X86
/* The blocked max pool (c a multiple of 16) in zmm registers: per output position and 16
 * channels, vpmaxsd over the window from 0 (inputs are non-negative), the outputs summed in int64
 * lanes.  The same outputs and sum as the portable loop. */
__attribute__((target("avx512f"))) static int64_t maxpool16_avx512(const int32_t *in, int h, int w,
                                                                   int c, int32_t *out)
{
    int oh = (h + 1) / 2, ow = (w + 1) / 2;
    __m512i s64 = _mm512_setzero_si512();
    for (int oy = 0; oy < oh; oy++) {
        /* a row's sums in int32 lanes (each adds at most ow values below 2^31 / ow: checked by
         * the caller), then widened */
        __m512i s32 = _mm512_setzero_si512();
        int y0 = 2 * oy - 1 < 0 ? 0 : 2 * oy - 1, y1 = 2 * oy + 1 < h ? 2 * oy + 1 : h - 1;
        for (int ox = 0; ox < ow; ox++) {
            int x0 = 2 * ox - 1 < 0 ? 0 : 2 * ox - 1, x1 = 2 * ox + 1 < w ? 2 * ox + 1 : w - 1;
            int32_t *o = out + ((int64_t)oy * ow + ox) * c;
            for (int c0 = 0; c0 < c; c0 += 16) {
                __m512i m = _mm512_setzero_si512();
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                        m = _mm512_max_epi32(
                            m, _mm512_loadu_si512(in + ((int64_t)y * w + x) * c + c0));
                _mm512_storeu_si512(o + c0, m);
                s32 = _mm512_add_epi32(s32, m);
            }
        }
        s64 = _mm512_add_epi64(
            s64, _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(s32)),
                                  _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s32, 1))));
    }
    return _mm512_reduce_add_epi64(s64);
}
#endif

MYELIN_KERNEL_CLONES
int64_t myelin_kernel_maxpool(const int32_t *in, int h, int w, int c, int32_t *out)
{
    int oh = (h + 1) / 2, ow = (w + 1) / 2;
    int64_t sum = 0;
#ifdef MYELIN_DENSE_X86
    if (c % 16 == 0 && myelin_kernel_dense_isa() == 2)
        return maxpool16_avx512(in, h, w, c, out);
#endif
    if (c % 16 == 0) { /* blocks of 16 channels kept in registers over the window (the same max) */
        for (int oy = 0; oy < oh; oy++) {
            int y0 = 2 * oy - 1 < 0 ? 0 : 2 * oy - 1, y1 = 2 * oy + 1 < h ? 2 * oy + 1 : h - 1;
            for (int ox = 0; ox < ow; ox++) {
                int x0 = 2 * ox - 1 < 0 ? 0 : 2 * ox - 1, x1 = 2 * ox + 1 < w ? 2 * ox + 1 : w - 1;
                int32_t *o = out + ((int64_t)oy * ow + ox) * c;
                for (int c0 = 0; c0 < c; c0 += 16) {
                    int32_t m[16] = {0};
                    for (int y = y0; y <= y1; y++)
                        for (int x = x0; x <= x1; x++) {
                            const int32_t *p = in + ((int64_t)y * w + x) * c + c0;
                            for (int j = 0; j < 16; j++)
                                m[j] = p[j] > m[j] ? p[j] : m[j];
                        }
                    for (int j = 0; j < 16; j++) {
                        o[c0 + j] = m[j];
                        sum += m[j];
                    }
                }
            }
        }
        return sum;
    }
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
                    const int32_t *restrict p = in + ((int64_t)y * w + x) * c;
                    int32_t *restrict q = o;
                    for (int ch = 0; ch < c; ch++)
                        q[ch] = p[ch] > q[ch] ? p[ch] : q[ch];
                }
            }
            for (int ch = 0; ch < c; ch++)
                sum += o[ch];
        }
    return sum;
}

MYELIN_KERNEL_CLONES
int64_t myelin_kernel_add(const int32_t *a, const int32_t *b, int32_t *out, int64_t lo, int64_t hi)
{
    int64_t sum = 0;
    for (int64_t i = lo; i < hi; i++) {
        out[i] = a[i] + b[i];
        sum += out[i];
    }
    return sum;
}

MYELIN_KERNEL_CLONES
int64_t myelin_kernel_nonzero(const int32_t *x, int64_t n)
{
    int64_t nz = 0;
    for (int64_t i0 = 0; i0 < n; i0 += (int64_t)1 << 30) {
        /* int32 counts (16 lanes a vector; at most 2^30 per block, so no overflow) */
        int32_t m = n - i0 < ((int64_t)1 << 30) ? (int32_t)(n - i0) : (int32_t)1 << 30, c = 0;
        const int32_t *xb = x + i0;
        for (int32_t i = 0; i < m; i++)
            c += xb[i] != 0;
        nz += c;
    }
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

/* ---- Dense int8 path (the engine's path for high-rate layers) ----
 *
 * The same sums as myelin_kernel_scatter_i as a GEMM C[P][Co] = A[P][K] B[K][Co] over all P = h w
 * output positions, K = taps x c_in (k = tap c_in + ci, the scatter layout's row order): A is the
 * input gathered per output position (im2col) as unsigned bytes, B the int8 weights packed by
 * myelin_kernel_dense_pack in panels of 64 output channels x 4 consecutive k (zero-padded in both;
 * 16- or 32-channel panels for layers of at most 16 or 32 channels: dense_np), so one 64-byte
 * vector holds B[4k..4k+3][16 channels].  Per 4 k and 16 channels:
 *   vpmaddubsw(A bytes broadcast, B) -> 32 int16 a0 b0 + a1 b1 (u8 x s8 pairs), then
 *   vpmaddwd(that, 1)                -> 16 int32 pair sums, added to int32 accumulators.
 * Why vpmaddubsw cannot saturate: the kernel runs only when every input value is in 0..127 and
 * every |weight| <= 127 (wmax), so each int16 result is at most 2 x 127 x 127 = 32258 < 32767 in
 * magnitude (the weights are never -128: the engine stores int8 only when max |w| <= 127).
 * Why the int32 accumulators cannot overflow: each is a partial sum of at most taps x c_in products
 * of magnitude <= vmax x wmax, checked <= INT32_MAX by gather_prepare's bound before any work (the
 * same proof as the gather's tile).  Integer addition is associative, so acc is bit-identical to
 * the scatter's, and events / synops are counted from the input exactly as the scatter does.
 * The micro-kernel keeps a DENSE_MR x 64 block of C in registers (AVX-512BW: 6 rows x 4 zmm = 24
 * accumulators; AVX2: 4 rows x 2 ymm per 32-channel half); the portable C loop over the same
 * packed layout is the reference and the path for CPUs without AVX2. */
#define DENSE_NP 64 /* output channels per panel (the widest; narrow layers take 16 or 32) */
#define DENSE_RB 48 /* output positions per im2col block (a multiple of every micro-kernel's rows) */

/* The panel width of a layer with c_out output channels: 16 or 32 when they hold all of them (a
 * 16- or 32-channel convolution would waste 75 or 50 % of a 64-wide panel's multiply-adds), else
 * 64.  Packing, the micro-kernels and dense_run all take it from c_out, so they agree. */
static int dense_np(int c_out)
{
    return c_out <= 16 ? 16 : c_out <= 32 ? 32 : DENSE_NP;
}

/* Rows per register block of the micro-kernels for panel width np (DENSE_RB is a multiple). */
static int dense_mr(int np)
{
    return np == DENSE_NP ? 6 : 12;
}

int myelin_kernel_dense_k4(int c_in, int kernel)
{
    return (kernel * kernel * c_in + 3) / 4;
}

int64_t myelin_kernel_dense_packed_bytes(int c_in, int c_out, int kernel)
{
    int np = dense_np(c_out);
    int64_t panels = (c_out + np - 1) / np;
    return panels * myelin_kernel_dense_k4(c_in, kernel) * np * 4;
}

#define DENSE_CHUNK 32 /* the im2col copies whole chunks of bytes (dense_copy) */

/* Bytes per position of the row-expanded image (kernel x c_in, rounded up to 4). */
static int dense_rows_r4(int c_in, int kernel)
{
    return (kernel * c_in + 3) / 4 * 4;
}

int64_t myelin_kernel_dense_packed_rows_bytes(int c_in, int c_out, int kernel)
{
    int np = dense_np(c_out);
    int64_t panels = (c_out + np - 1) / np;
    return panels * (int64_t)kernel * dense_rows_r4(c_in, kernel) / 4 * np * 4;
}

void myelin_kernel_dense_pack_rows(const int8_t *wq, int c_in, int c_out, int kernel,
                                   int8_t *packed)
{
    int r4 = dense_rows_r4(c_in, kernel), k4 = kernel * r4 / 4;
    int np = dense_np(c_out), panels = (c_out + np - 1) / np;
    for (int pn = 0; pn < panels; pn++)
        for (int q = 0; q < k4; q++)
            for (int j = 0; j < np; j++)
                for (int b = 0; b < 4; b++) {
                    int kk = 4 * q + b, ky = kk / r4, r = kk % r4, co = pn * np + j;
                    int8_t v = 0;
                    if (r < kernel * c_in && co < c_out) { /* tap (ky, r / c_in), channel r % c_in */
                        int64_t k = ((int64_t)ky * kernel + r / c_in) * c_in + r % c_in;
                        v = wq[k * c_out + co];
                    }
                    packed[(((int64_t)pn * k4 + q) * np + j) * 4 + b] = v;
                }
}

int64_t myelin_kernel_dense_scratch_img_bytes(int h, int w, int c_in, int kernel)
{
    /* the byte image, padded by one position on every side for the implicit GEMM (dense_run),
     * and slack: DENSE_CHUNK bytes (dense_copy reads whole chunks) and 16 positions (the
     * implicit GEMM's register block reads up to 11 rows past the last) */
    /* inputs of fewer than 4 channels: the row-expanded image (dense_rows_r4 bytes a position) */
    int64_t per = c_in < 4 ? dense_rows_r4(c_in, kernel) + c_in : c_in; /* + the padded bytes */
    return myelin_kernel_dense_scratch_bytes(c_in, kernel) + ((int64_t)h + 2) * (w + 2) * per +
           16 * per + DENSE_CHUNK;
}

int64_t myelin_kernel_dense_scratch_bytes(int c_in, int kernel)
{
    /* the im2col block (DENSE_RB rows of 4 k4 bytes) and its int32 C block (DENSE_RB x 64) */
    return (int64_t)DENSE_RB * myelin_kernel_dense_k4(c_in, kernel) * 4 +
           (int64_t)DENSE_RB * DENSE_NP * 4 + 64;
}

void myelin_kernel_dense_pack(const int8_t *wq, int c_in, int c_out, int kernel, int8_t *packed)
{
    int k4 = myelin_kernel_dense_k4(c_in, kernel), K = kernel * kernel * c_in;
    int np = dense_np(c_out), panels = (c_out + np - 1) / np;
    for (int pn = 0; pn < panels; pn++)
        for (int q = 0; q < k4; q++)
            for (int j = 0; j < np; j++)
                for (int b = 0; b < 4; b++) {
                    int k = 4 * q + b, co = pn * np + j;
                    packed[(((int64_t)pn * k4 + q) * np + j) * 4 + b] =
                        (k < K && co < c_out) ? wq[(int64_t)k * c_out + co] : 0;
                }
}

/* C[r][0..np) = sum_k A[r][k] B[k][panel] for rows [0, rows) (np: the panel width, 16, 32 or
 * 64; C's rows are np apart).  A's rows are lda bytes apart and each row is nseg segments of
 * k4s groups of four bytes, segment g at A + g sstride (an im2col matrix: one segment of
 * k4s = k4, lda = 4 k4; the implicit GEMM over a padded byte image: a 3x3 kernel's three rows of
 * taps, lda = c_in, sstride = the padded row); B's groups run on across the segments. */
static void dense_block_c(const uint8_t *A, int64_t lda, int64_t sstride, int nseg, int rows,
                          int k4s, const int8_t *B, int32_t *C, int np)
{
    for (int r = 0; r < rows; r++) {
        int32_t *c = C + (int64_t)r * np;
        for (int j = 0; j < np; j++)
            c[j] = 0;
        for (int g = 0; g < nseg; g++) {
            const uint8_t *a = A + r * lda + g * sstride;
            for (int q = 0; q < k4s; q++) {
                const int8_t *b = B + ((int64_t)g * k4s + q) * np * 4;
                for (int j = 0; j < np; j++)
                    c[j] += a[4 * q] * b[4 * j] + a[4 * q + 1] * b[4 * j + 1] +
                            a[4 * q + 2] * b[4 * j + 2] + a[4 * q + 3] * b[4 * j + 3];
            }
        }
    }
}

#ifdef MYELIN_DENSE_X86

static inline int32_t load4(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The register block both AVX-512 kernels run: 6 rows x 64 channels in 24 int32 accumulators,
 * over k4 groups of four bytes; MAC(acc, x, b) adds, per 32-bit lane, the four u8 x s8 products of
 * x (one row's four bytes, broadcast) and b (four bytes per channel) to acc.  Expects A, rows, k4,
 * B, C and lda in scope. */
#define DENSE_ROW512(R, MAC)                                                                      \
    do {                                                                                          \
        __m512i x = _mm512_set1_epi32(load4(a + (R) * lda + 4 * q));                              \
        c##R##0 = MAC(c##R##0, x, b0);                                                            \
        c##R##1 = MAC(c##R##1, x, b1);                                                            \
        c##R##2 = MAC(c##R##2, x, b2);                                                            \
        c##R##3 = MAC(c##R##3, x, b3);                                                            \
    } while (0)
#define DENSE_ST512(R)                                                                            \
    do {                                                                                          \
        _mm512_storeu_si512(c + (R) * DENSE_NP, c##R##0);                                         \
        _mm512_storeu_si512(c + (R) * DENSE_NP + 16, c##R##1);                                    \
        _mm512_storeu_si512(c + (R) * DENSE_NP + 32, c##R##2);                                    \
        _mm512_storeu_si512(c + (R) * DENSE_NP + 48, c##R##3);                                    \
    } while (0)
#define DENSE_BLOCK512(MAC)                                                                       \
    for (int r0 = 0; r0 < rows; r0 += 6) {                                                        \
        __m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00;                    \
        __m512i c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00;      \
        __m512i c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00;      \
        __m512i c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;                 \
        for (int g = 0; g < nseg; g++)                                                            \
        for (int q = 0; q < k4s; q++) {                                                           \
            const uint8_t *a = A + r0 * lda + g * sstride;                                        \
            const int8_t *b = B + ((int64_t)g * k4s + q) * DENSE_NP * 4;                          \
            __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);                  \
            __m512i b2 = _mm512_loadu_si512(b + 128), b3 = _mm512_loadu_si512(b + 192);           \
            DENSE_ROW512(0, MAC);                                                                 \
            DENSE_ROW512(1, MAC);                                                                 \
            DENSE_ROW512(2, MAC);                                                                 \
            DENSE_ROW512(3, MAC);                                                                 \
            DENSE_ROW512(4, MAC);                                                                 \
            DENSE_ROW512(5, MAC);                                                                 \
        }                                                                                         \
        int32_t *c = C + (int64_t)r0 * DENSE_NP;                                                  \
        DENSE_ST512(0);                                                                           \
        DENSE_ST512(1);                                                                           \
        DENSE_ST512(2);                                                                           \
        DENSE_ST512(3);                                                                           \
        DENSE_ST512(4);                                                                           \
        DENSE_ST512(5);                                                                           \
    }

/* AVX-512BW: vpmaddubsw (u8 x s8 pairs to int16) + vpmaddwd by ones (pairs to int32) + vpaddd. */
#define DENSE_MAC_BW(acc, x, b)                                                                   \
    _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(x, b), ones))
/* The narrow panels (np = 16 NV channels, NV 1 or 2): 12 rows x NV zmm accumulators, the loops
 * over rows and vectors unrolled so the accumulators are registers. */
#define DENSE_NARROW512(NV, MAC)                                                                  \
    for (int r0 = 0; r0 < rows; r0 += 12) {                                                       \
        __m512i cc[12][NV];                                                                       \
        _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++)                                     \
            _Pragma("GCC unroll 2") for (int v = 0; v < (NV); v++) cc[r][v] =                     \
            _mm512_setzero_si512();                                                               \
        for (int g = 0; g < nseg; g++)                                                            \
        for (int q = 0; q < k4s; q++) {                                                           \
            const uint8_t *a = A + r0 * lda + g * sstride;                                        \
            const int8_t *b = B + ((int64_t)g * k4s + q) * 64 * (NV);                             \
            __m512i bb[NV];                                                                       \
            _Pragma("GCC unroll 2") for (int v = 0; v < (NV); v++) bb[v] =                        \
                _mm512_loadu_si512(b + 64 * v);                                                   \
            _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++)                                 \
            {                                                                                     \
                __m512i x = _mm512_set1_epi32(load4(a + r * lda + 4 * q));                        \
                _Pragma("GCC unroll 2") for (int v = 0; v < (NV); v++) cc[r][v] =                 \
                    MAC(cc[r][v], x, bb[v]);                                                      \
            }                                                                                     \
        }                                                                                         \
        int32_t *c = C + (int64_t)r0 * 16 * (NV);                                                 \
        _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++)                                     \
            _Pragma("GCC unroll 2") for (int v = 0; v < (NV); v++)                                \
                _mm512_storeu_si512(c + (r * (NV) + v) * 16, cc[r][v]);                           \
    }

__attribute__((target("avx512f,avx512bw"))) static void
dense_block_avx512(const uint8_t *A, int64_t lda, int64_t sstride, int nseg, int rows, int k4s,
                   const int8_t *B, int32_t *C, int np)
{
    const __m512i ones = _mm512_set1_epi16(1);
    if (np == 16) {
        DENSE_NARROW512(1, DENSE_MAC_BW)
        return;
    }
    if (np == 32) {
        DENSE_NARROW512(2, DENSE_MAC_BW)
        return;
    }
    DENSE_BLOCK512(DENSE_MAC_BW)
}

/* dense_block_avx512 with AVX-512 VNNI: vpdpbusd adds the four u8 x s8 products of a 32-bit lane
 * to the int32 accumulator in one instruction (no int16 intermediate, no saturation: vpdpbusd,
 * not vpdpbusds), so each lane gets the same four products and the same int32 sum as
 * vpmaddubsw + vpmaddwd + vpaddd (whose int16 pair sums cannot saturate for inputs 0..127, the
 * caller's check; the int32 bound is the same).  Bit-identical C. */
#define DENSE_MAC_VNNI(acc, x, b) _mm512_dpbusd_epi32(acc, x, b)
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
dense_block_vnni(const uint8_t *A, int64_t lda, int64_t sstride, int nseg, int rows, int k4s,
                 const int8_t *B, int32_t *C, int np)
{
    if (np == 16) {
        DENSE_NARROW512(1, DENSE_MAC_VNNI)
        return;
    }
    if (np == 32) {
        DENSE_NARROW512(2, DENSE_MAC_VNNI)
        return;
    }
    DENSE_BLOCK512(DENSE_MAC_VNNI)
}
#undef DENSE_MAC_VNNI
#undef DENSE_MAC_BW
#undef DENSE_NARROW512
#undef DENSE_BLOCK512
#undef DENSE_ST512
#undef DENSE_ROW512

/* AVX2: a 32-byte vector holds 8 channels x 4 k, so one 64-channel panel row is 8 vectors; each
 * 32-channel half (a 32-wide panel has one) runs 3 rows x 4 ymm accumulators; a 16-wide panel
 * runs 6 rows x 2 ymm. */
__attribute__((target("avx2"))) static void
dense_block_avx2(const uint8_t *A, int64_t lda, int64_t sstride, int nseg, int rows, int k4s,
                 const int8_t *B, int32_t *C, int np)
{
    const __m256i ones = _mm256_set1_epi16(1);
    if (np == 16) {
        for (int r0 = 0; r0 < rows; r0 += 6) {
            __m256i cc[6][2];
            for (int r = 0; r < 6; r++)
                cc[r][0] = cc[r][1] = _mm256_setzero_si256();
            for (int g = 0; g < nseg; g++)
            for (int q = 0; q < k4s; q++) {
                const uint8_t *a = A + r0 * lda + g * sstride;
                const int8_t *b = B + ((int64_t)g * k4s + q) * 64;
                __m256i b0 = _mm256_loadu_si256((const __m256i *)b);
                __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 32));
                _Pragma("GCC unroll 6") for (int r = 0; r < 6; r++)
                {
                    __m256i x = _mm256_set1_epi32(load4(a + r * lda + 4 * q));
                    cc[r][0] = _mm256_add_epi32(
                        cc[r][0], _mm256_madd_epi16(_mm256_maddubs_epi16(x, b0), ones));
                    cc[r][1] = _mm256_add_epi32(
                        cc[r][1], _mm256_madd_epi16(_mm256_maddubs_epi16(x, b1), ones));
                }
            }
            int32_t *c = C + (int64_t)r0 * 16;
            for (int r = 0; r < 6; r++) {
                _mm256_storeu_si256((__m256i *)(c + r * 16), cc[r][0]);
                _mm256_storeu_si256((__m256i *)(c + r * 16 + 8), cc[r][1]);
            }
        }
        return;
    }
    for (int half = 0; half < np / 32; half++)
        for (int r0 = 0; r0 < rows; r0 += 3) {
            __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00;
            __m256i c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00;
            __m256i c23 = c00;
            for (int g = 0; g < nseg; g++)
            for (int q = 0; q < k4s; q++) {
                const uint8_t *a = A + r0 * lda + g * sstride;
                const int8_t *b = B + ((int64_t)g * k4s + q) * np * 4 + half * 128;
                __m256i b0 = _mm256_loadu_si256((const __m256i *)b);
                __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 32));
                __m256i b2 = _mm256_loadu_si256((const __m256i *)(b + 64));
                __m256i b3 = _mm256_loadu_si256((const __m256i *)(b + 96));
#define DENSE_ROW256(R)                                                                           \
    do {                                                                                          \
        __m256i x = _mm256_set1_epi32(load4(a + (R) * lda + 4 * q));                              \
        c##R##0 = _mm256_add_epi32(c##R##0, _mm256_madd_epi16(_mm256_maddubs_epi16(x, b0), ones)); \
        c##R##1 = _mm256_add_epi32(c##R##1, _mm256_madd_epi16(_mm256_maddubs_epi16(x, b1), ones)); \
        c##R##2 = _mm256_add_epi32(c##R##2, _mm256_madd_epi16(_mm256_maddubs_epi16(x, b2), ones)); \
        c##R##3 = _mm256_add_epi32(c##R##3, _mm256_madd_epi16(_mm256_maddubs_epi16(x, b3), ones)); \
    } while (0)
                DENSE_ROW256(0);
                DENSE_ROW256(1);
                DENSE_ROW256(2);
#undef DENSE_ROW256
            }
            int32_t *c = C + (int64_t)r0 * np + half * 32;
#define DENSE_ST256(R)                                                                            \
    do {                                                                                          \
        _mm256_storeu_si256((__m256i *)(c + (R) * np), c##R##0);                                  \
        _mm256_storeu_si256((__m256i *)(c + (R) * np + 8), c##R##1);                              \
        _mm256_storeu_si256((__m256i *)(c + (R) * np + 16), c##R##2);                             \
        _mm256_storeu_si256((__m256i *)(c + (R) * np + 24), c##R##3);                             \
    } while (0)
            DENSE_ST256(0);
            DENSE_ST256(1);
            DENSE_ST256(2);
#undef DENSE_ST256
        }
}
#endif

int myelin_kernel_dense_isa(void)
{
#ifdef MYELIN_DENSE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f"))
        return 2;
    if (__builtin_cpu_supports("avx2"))
        return 1;
#endif
    return 0;
}

int myelin_kernel_dense_i8_isa(void)
{
    int best = myelin_kernel_dense_isa();
#ifdef MYELIN_DENSE_X86
    if (best == 2 && __builtin_cpu_supports("avx512vnni"))
        return 3;
#endif
    return best;
}

/* Taps of a kernel x kernel window (stride 1, pad kernel / 2) that land inside [0, n) when the
 * output index is o: how many output positions an input at o reaches along one axis. */
static inline int dense_valid(int o, int n, int kernel)
{
    int pad = kernel / 2, v = 0;
    for (int k = 0; k < kernel; k++)
        v += o + pad - k >= 0 && o + pad - k < n;
    return v;
}

/* Nonzero count, counted synops and the value range of the input, and (img8 non-NULL) every
 * value's byte v + add.  One flat pass over all values (vectorised); the synops then follow from
 * the border rows and columns alone: an input at (y, x) reaches vy(y) vx(x) output positions,
 * and with dy = kernel - vy(y), dx = kernel - vx(x) (nonzero only near the borders)
 *   vy vx = kernel^2 - kernel dy - kernel dx + dy dx,
 * so sum nz(y, x) vy vx = kernel^2 E - kernel sum_y dy E_row(y) - kernel sum_x dx E_col(x)
 * + sum dy dx nz(y, x) over the rows / columns / positions where those deficits are nonzero
 * (E: all nonzero inputs, E_row / E_col: those of one row / column). */
#ifdef MYELIN_DENSE_X86
/* dst[i] = src[i] + add as bytes for i < n, with the nonzero count and the range folded into
 * *events, *vmin, *vmax: dense_prepare8's row loop 16 values a vector (vpmovdb truncates as the
 * portable cast does). */
__attribute__((target("avx512f"))) static void prep_bytes_avx512(const int32_t *src, int64_t n,
                                                                 uint8_t *dst, int32_t add,
                                                                 int64_t *events, int32_t *vmin,
                                                                 int32_t *vmax)
{
    __m512i lo = _mm512_set1_epi32(*vmin), hi = _mm512_set1_epi32(*vmax);
    const __m512i vadd = _mm512_set1_epi32(add), zero = _mm512_setzero_si512();
    int64_t ev = 0, i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i v = _mm512_loadu_si512(src + i);
        ev += __builtin_popcount((unsigned)_mm512_cmpneq_epi32_mask(v, zero));
        lo = _mm512_min_epi32(lo, v);
        hi = _mm512_max_epi32(hi, v);
        _mm_storeu_si128((__m128i *)(dst + i), _mm512_cvtepi32_epi8(_mm512_add_epi32(v, vadd)));
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi32(m, src + i);
        ev += __builtin_popcount((unsigned)_mm512_mask_cmpneq_epi32_mask(m, v, zero));
        lo = _mm512_min_epi32(lo, v); /* masked-off lanes load 0, inside the range already */
        hi = _mm512_max_epi32(hi, v);
        _mm512_mask_cvtepi32_storeu_epi8(dst + i, m, _mm512_add_epi32(v, vadd));
    }
    *events += ev;
    *vmin = _mm512_reduce_min_epi32(lo);
    *vmax = _mm512_reduce_max_epi32(hi);
}
#endif

MYELIN_KERNEL_CLONES
static void dense_prepare8(const int32_t *in, int h, int w, int c_in, int kernel, int width,
                           int64_t *events_out, int64_t *synops_out, int32_t *vmin_out,
                           int32_t *vmax_out, uint8_t *img8, int32_t add, int padded)
{
    int64_t n = (int64_t)h * w * c_in, events = 0;
    int32_t vmin = 0, vmax = 0;
    int x512 = 0;
#ifdef MYELIN_DENSE_X86
    x512 = myelin_kernel_dense_isa() == 2;
#endif
    if (img8 && padded) { /* rows at (y + 1, 1) of a (h + 2) x (w + 2) image, its border `add` */
        int64_t rowb = (int64_t)(w + 2) * c_in;
        memset(img8, (uint8_t)add, (size_t)(rowb + c_in));
        for (int y = 0; y < h; y++) {
            const int32_t *src = in + (int64_t)y * w * c_in;
            uint8_t *dst = img8 + (y + 1) * rowb + c_in;
#ifdef MYELIN_DENSE_X86
            if (x512)
                prep_bytes_avx512(src, (int64_t)w * c_in, dst, add, &events, &vmin, &vmax);
            else
#endif
                for (int64_t i = 0; i < (int64_t)w * c_in; i++) {
                    int32_t v = src[i];
                    events += v != 0;
                    vmin = v < vmin ? v : vmin;
                    vmax = v > vmax ? v : vmax;
                    dst[i] = (uint8_t)(v + add); /* used only once the range checks pass */
                }
            memset(dst + (int64_t)w * c_in, (uint8_t)add, (size_t)(2 * c_in)); /* right, left */
        }
        memset(img8 + (h + 1) * rowb, (uint8_t)add, (size_t)(rowb + 16 * (int64_t)c_in));
    } else if (img8 && x512) {
#ifdef MYELIN_DENSE_X86
        prep_bytes_avx512(in, n, img8, add, &events, &vmin, &vmax);
#endif
    } else if (img8)
        for (int64_t i = 0; i < n; i++) {
            int32_t v = in[i];
            events += v != 0;
            vmin = v < vmin ? v : vmin;
            vmax = v > vmax ? v : vmax;
            img8[i] = (uint8_t)(v + add); /* used only once the range checks pass */
        }
    else
        for (int64_t i = 0; i < n; i++) {
            int32_t v = in[i];
            events += v != 0;
            vmin = v < vmin ? v : vmin;
            vmax = v > vmax ? v : vmax;
        }
    int64_t s = (int64_t)kernel * kernel * events;
    if (kernel > 1) {
        int64_t pos_nz;
        for (int y = 0; y < h; y++) { /* border rows */
            int dy = kernel - dense_valid(y, h, kernel);
            if (!dy)
                continue;
            const int32_t *row = in + (int64_t)y * w * c_in;
            int64_t e = 0;
            for (int64_t i = 0; i < (int64_t)w * c_in; i++)
                e += row[i] != 0;
            s -= (int64_t)kernel * dy * e;
            for (int x = 0; x < w; x++) { /* corners: both deficits */
                int dx = kernel - dense_valid(x, w, kernel);
                if (!dx)
                    continue;
                pos_nz = 0;
                for (int ci = 0; ci < c_in; ci++)
                    pos_nz += row[(int64_t)x * c_in + ci] != 0;
                s += (int64_t)dy * dx * pos_nz;
            }
        }
        for (int x = 0; x < w; x++) { /* border columns */
            int dx = kernel - dense_valid(x, w, kernel);
            if (!dx)
                continue;
            int64_t e = 0;
            for (int y = 0; y < h; y++)
                for (int ci = 0; ci < c_in; ci++)
                    e += in[((int64_t)y * w + x) * c_in + ci] != 0;
            s -= (int64_t)kernel * dx * e;
        }
    }
    *events_out = events;
    *synops_out = s * width;
    *vmin_out = vmin;
    *vmax_out = vmax;
}

static void dense_prepare(const int32_t *in, int h, int w, int c_in, int kernel, int width,
                          int64_t *events_out, int64_t *synops_out, int32_t *vmin_out,
                          int32_t *vmax_out)
{
    dense_prepare8(in, h, w, c_in, kernel, width, events_out, synops_out, vmin_out, vmax_out, NULL,
                   0, 0);
}

#ifdef MYELIN_DENSE_X86
/* dst[j] = off[j] + c[j] (wrapping uint32: the exact sums fit int32) for j < n (the last vector
 * masked). */
__attribute__((target("avx512f"))) static void row_add_avx512(int32_t *dst, const int32_t *c,
                                                              const uint32_t *off, int n)
{
    int j = 0;
    for (; j + 16 <= n; j += 16)
        _mm512_storeu_si512(dst + j, _mm512_add_epi32(_mm512_loadu_si512(c + j),
                                                      _mm512_loadu_si512(off + j)));
    if (j < n) {
        __mmask16 m = (__mmask16)((1u << (n - j)) - 1);
        _mm512_mask_storeu_epi32(dst + j, m, _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, c + j),
                                                              _mm512_maskz_loadu_epi32(m, off + j)));
    }
}
#endif

/* Per channel j of panel pn: off[j] = (bias, on the slice [j0, j1) only) - zp x (the sum of the
 * panel's column j over its k4 groups; the padding rows are zero), and its uint32 image o32. */
static inline void dense_offsets(const int8_t *B, int k4, int np, int pn, int j0, int j1,
                                 const int64_t *bias, int32_t zp, int64_t *off, uint32_t *o32)
{
    for (int j = 0; j < np; j++) {
        int64_t sw = 0;
        if (zp != 0)
            for (int q = 0; q < k4; q++)
                for (int b = 0; b < 4; b++)
                    sw += B[((int64_t)q * np + j) * 4 + b];
        off[j] = (bias && j >= j0 && j < j1 ? bias[pn * np + j] : 0) - (int64_t)zp * sw;
        o32[j] = (uint32_t)off[j];
    }
}

/* One output row of a panel, channels [j0, j1): int32 currents (a32) = off + C, narrowed (the
 * caller's bound: the exact sum fits int32, so it is the wrapping uint32 sum of o32 and C; rows
 * from channel 0 in zmm where x512, whole panels in constant-length loops the compiler vectorises
 * without peeling), or int64 (a64) = off + C (set) or += off + C. */
static inline void dense_flush_row(int32_t *a32, int64_t *a64, const int32_t *restrict cr,
                                   const int64_t *off, const uint32_t *o32, int j0, int j1, int np,
                                   int set, int x512)
{
    (void)x512;
    if (a32 && j0 == 0 && x512) {
#ifdef MYELIN_DENSE_X86
        row_add_avx512(a32, cr, o32, j1);
#endif
    } else if (a32 && j0 == 0 && j1 == np) {
        int32_t *restrict ar = a32;
        if (np == 16)
            for (int j = 0; j < 16; j++)
                ar[j] = (int32_t)(o32[j] + (uint32_t)cr[j]);
        else if (np == 32)
            for (int j = 0; j < 32; j++)
                ar[j] = (int32_t)(o32[j] + (uint32_t)cr[j]);
        else
            for (int j = 0; j < DENSE_NP; j++)
                ar[j] = (int32_t)(o32[j] + (uint32_t)cr[j]);
    } else if (a32) {
        for (int j = j0; j < j1; j++)
            a32[j] = (int32_t)(off[j] + cr[j]);
    } else if (set) {
        for (int j = j0; j < j1; j++)
            a64[j] = off[j] + cr[j];
    } else {
        for (int j = j0; j < j1; j++)
            a64[j] += off[j] + cr[j];
    }
}

/* The dense GEMM over all positions once the input's range is known: A[r] holds the input plus
 * `add` per value as a byte (padding: the byte `pad_byte`), C = A B per 64-channel panel in int32,
 * then per output channel j of the slice acc = (bias ? bias[j] : acc) + off[j] + C, with off[j] =
 * -zp x (the sum of panel column j over all k) when zp != 0 (dense_i8_zp's zero point), else 0. */
MYELIN_KERNEL_CLONES
static void dense_run(const int32_t *in, int h, int w, int c_in, const int8_t *packed, int c_out,
                      int kernel, int co_lo, int co_hi, int32_t add, uint8_t pad_byte, int32_t zp,
                      const int64_t *bias, int64_t *acc, int32_t *acc32, uint8_t *scratch,
                      uint8_t *img8, int implicit,
                      void (*block)(const uint8_t *, int64_t, int64_t, int, int, int,
                                    const int8_t *, int32_t *, int))
{
    /* implicit 2: img8 is the row-expanded image (dense_expand_rows), packed dense_pack_rows */
/* n bytes from the byte image to A in whole DENSE_CHUNK chunks: up to DENSE_CHUNK - 1 bytes more
 * are read (the byte image has that slack: myelin_kernel_dense_scratch_img_bytes) and written.
 * The extra bytes written land where the im2col writes later (the rest of the row, whose taps
 * and zero tail are written in increasing address order, or the next rows), or past the last row
 * of the block in the gap and the C block, which the micro-kernel overwrites before anything
 * reads it (DENSE_RB x DENSE_NP int32 > DENSE_CHUNK bytes). */
#define dense_copy(dst, src, n)                                                                   \
    do {                                                                                          \
        uint8_t *d_ = (dst);                                                                      \
        const uint8_t *s_ = (src);                                                                \
        for (int64_t i_ = 0; i_ < (int64_t)(n); i_ += DENSE_CHUNK)                                \
            memcpy(d_ + i_, s_ + i_, DENSE_CHUNK);                                                \
    } while (0)
    int pad = kernel / 2, k4 = myelin_kernel_dense_k4(c_in, kernel);
    int np = dense_np(c_out), mr = dense_mr(np);
    int64_t lda = (int64_t)k4 * 4, K = (int64_t)kernel * kernel * c_in;
    uint8_t *A = scratch;
    int32_t *C = (int32_t *)(void *)(scratch + (((int64_t)DENSE_RB * lda + 63) & ~(int64_t)63));
    int64_t npos = (int64_t)h * w;
    int64_t off[DENSE_NP];
    uint32_t o32[DENSE_NP];
    int x512 = 0; /* the CPU has AVX-512 (the micro-kernel chosen for it) */
#ifdef MYELIN_DENSE_X86
    x512 = block == dense_block_avx512 || block == dense_block_vnni;
#endif
    if (implicit) {
        /* The implicit GEMM: no im2col.  img8 is the byte image (kernel 1) or the byte image
         * padded by one position on every side (kernel 3, dense_prepare8's padded layout), and
         * with c_in a multiple of 4 every group of four k lies in one tap, so A's row for output
         * q is the image itself at q: kernel 1, q = position, the row at q c_in; kernel 3, q =
         * y (w + 2) + x over the padded width (x = w, w + 1 are junk rows, computed and dropped),
         * the three taps of kernel row ky are the 3 c_in consecutive bytes at (q + ky (w + 2))
         * c_in, in the packed k order (tap = ky 3 + kx, then ci).  Rows are c_in bytes apart. */
        int64_t W2 = kernel > 1 ? w + 2 : w, nrows = kernel > 1 ? (int64_t)h * W2 : npos;
        int per = implicit == 2 ? dense_rows_r4(c_in, kernel) : c_in; /* bytes a position */
        int k4s = implicit == 2 ? per / 4 : kernel * c_in / 4;
        k4 = kernel * k4s; /* the packed panels' groups (dense_pack_rows' for implicit 2) */
        for (int64_t q0 = 0; q0 < nrows; q0 += DENSE_RB) {
            int rows = nrows - q0 < DENSE_RB ? (int)(nrows - q0) : DENSE_RB;
            int rows_pad = (rows + mr - 1) / mr * mr;
            for (int pn = co_lo / np; pn * np < co_hi; pn++) {
                const int8_t *B = packed + (int64_t)pn * k4 * np * 4;
                block(img8 + q0 * per, per, W2 * per, kernel, rows_pad, k4s, B, C, np);
                int j0 = co_lo > pn * np ? co_lo - pn * np : 0;
                int j1 = co_hi < (pn + 1) * np ? co_hi - pn * np : np;
                dense_offsets(B, k4, np, pn, j0, j1, bias, zp, off, o32);
                int64_t y = q0 / W2, x = q0 % W2;
                for (int r = 0; r < rows; r++, x++) {
                    if (x == W2) {
                        x = 0;
                        y++;
                    }
                    if (x >= w)
                        continue;
                    int64_t o = (y * w + x) * c_out + pn * np;
                    dense_flush_row(acc32 ? acc32 + o : NULL, acc32 ? NULL : acc + o,
                                    C + (int64_t)r * np, off, o32, j0, j1, np, bias != NULL,
                                    x512);
                }
            }
        }
        return;
    }
    /* img8 (or NULL): every input's byte (input + add), made by dense_prepare8; the im2col then
     * copies bytes */
    for (int64_t p0 = 0; p0 < npos; p0 += DENSE_RB) {
        int rows = npos - p0 < DENSE_RB ? (int)(npos - p0) : DENSE_RB;
        int rows_pad = (rows + mr - 1) / mr * mr;
        int oy = (int)(p0 / w), ox = (int)(p0 % w);
        for (int r = 0; r < rows_pad; r++) {
            uint8_t *a = A + r * lda;
            if (r >= rows) {
                memset(a, 0, (size_t)lda);
                continue;
            }
            if (r > 0 && ++ox == w) { /* position p0 + r */
                ox = 0;
                oy++;
            }
            for (int ky = 0; ky < kernel; ky++) {
                int y = oy + ky - pad;
                if (img8 && y >= 0 && y < h && ox - pad >= 0 && ox - pad + kernel <= w) {
                    /* the row's taps are consecutive in both A and the byte image */
                    dense_copy(a + (int64_t)ky * kernel * c_in,
                               img8 + ((int64_t)y * w + ox - pad) * c_in, (int64_t)kernel * c_in);
                    continue;
                }
                for (int kx = 0; kx < kernel; kx++) {
                    uint8_t *dst = a + (int64_t)(ky * kernel + kx) * c_in;
                    int x = ox + kx - pad;
                    if (y < 0 || y >= h || x < 0 || x >= w) {
                        memset(dst, pad_byte, (size_t)c_in);
                        continue;
                    }
                    if (img8) {
                        dense_copy(dst, img8 + ((int64_t)y * w + x) * c_in, c_in);
                        continue;
                    }
                    const int32_t *src = in + ((int64_t)y * w + x) * c_in;
                    for (int ci = 0; ci < c_in; ci++)
                        dst[ci] = (uint8_t)(src[ci] + add);
                }
            }
            for (int64_t k = K; k < lda; k++)
                a[k] = 0;
        }
        for (int pn = co_lo / np; pn * np < co_hi; pn++) {
            const int8_t *B = packed + (int64_t)pn * k4 * np * 4;
            block(A, lda, 0, 1, rows_pad, k4, B, C, np);
            int j0 = co_lo > pn * np ? co_lo - pn * np : 0;
            int j1 = co_hi < (pn + 1) * np ? co_hi - pn * np : np;
            dense_offsets(B, k4, np, pn, j0, j1, bias, zp, off, o32);
            for (int r = 0; r < rows; r++) {
                int64_t o = (p0 + r) * c_out + pn * np;
                dense_flush_row(acc32 ? acc32 + o : NULL, acc32 ? NULL : acc + o,
                                C + (int64_t)r * np, off, o32, j0, j1, np, bias != NULL, x512);
            }
        }
    }
}

#undef dense_copy

typedef void (*dense_block_fn)(const uint8_t *, int64_t, int64_t, int, int, int, const int8_t *,
                               int32_t *, int);

static dense_block_fn dense_block_for(int isa)
{
#ifdef MYELIN_DENSE_X86
    if (isa == 3)
        return dense_block_vnni;
    if (isa == 2)
        return dense_block_avx512;
    if (isa == 1)
        return dense_block_avx2;
#endif
    (void)isa;
    return dense_block_c;
}

int myelin_kernel_dense_i8(const int32_t *in, int h, int w, int c_in, const int8_t *packed,
                           int32_t wmax, int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                           myelin_kcounts *cnt, uint8_t *scratch, int isa)
{
    if (!packed || !scratch || kernel < 1 || kernel > 3 || co_lo < 0 || co_hi > c_out ||
        co_lo >= co_hi || wmax < 0 || wmax > 127)
        return -1;
    int64_t events, synops;
    int32_t vmin, vmax;
    dense_prepare(in, h, w, c_in, kernel, co_hi - co_lo, &events, &synops, &vmin, &vmax);
    /* u8 inputs for vpmaddubsw (0..127: no int16 saturation) and the int32 bound */
    int64_t bound = (int64_t)kernel * kernel * c_in * wmax;
    if (vmin < 0 || vmax > 127 || (vmax > 0 && bound > INT32_MAX / vmax))
        return -1;
    int best = myelin_kernel_dense_i8_isa();
    if (isa < 0 || isa > best)
        isa = best;
    dense_run(in, h, w, c_in, packed, c_out, kernel, co_lo, co_hi, 0, 0, 0, NULL, acc, NULL,
              scratch, NULL, 0, dense_block_for(isa));
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
    return 0;
}

/* Inputs with a zero point (the image layer's codes): x in [-zp, 255 - zp] stands for the
 * unsigned byte u = x + zp, and padding (x = 0) for u = zp, so every A entry is a byte and
 *   sum_k x_k w_k = sum_k (u_k - zp) w_k = sum_k u_k w_k - zp sum_k w_k
 * over ALL taps (padding taps give u - zp = 0 on both sides): the GEMM sums u w in int32, the
 * correction zp sum_k w is per output channel, applied in int64.  Why C cannot overflow int32:
 * each entry is a sum of K = taps x c_in products 0 <= u <= umax times |w| <= wmax, checked
 * K umax wmax <= INT32_MAX before any work.  vpdpbusd (isa 3) and the portable loop (isa 0) take
 * any u in 0..255; vpmaddubsw (isa 1, 2) adds two u8 x s8 products into int16, which cannot
 * saturate only when umax <= 127 (2 x 127 x 127 < 32767): with umax > 127 those ISAs refuse. */
/* The row-expanded image of an input with c_in < 4 channels for a 3x3 kernel, from its padded
 * byte image pad ((h + 2) x (w + 2) positions, dense_prepare8's padded layout, with two positions
 * of slack): at padded position (Y, X), the 3 c_in bytes of the kernel's three horizontal taps
 * (positions X .. X + 2 of row Y) then zeros up to r4 bytes, so a kernel row's taps are one
 * segment of whole groups of four (dense_pack_rows' order) and the implicit GEMM runs with r4
 * bytes a position.  Positions X >= w only feed junk rows. */
static void dense_expand_rows(const uint8_t *pad, int h, int w, int c_in, uint8_t *img8)
{
    int r4 = dense_rows_r4(c_in, 3);
    int64_t n = ((int64_t)h + 2) * (w + 2);
    if (c_in == 1)
        for (int64_t q = 0; q < n; q++) {
            uint32_t v;
            memcpy(&v, pad + q, 4);
            v &= 0xFFFFFFu; /* little-endian: the first three bytes */
            memcpy(img8 + q * 4, &v, 4);
        }
    else
        for (int64_t q = 0; q < n; q++) {
            uint8_t *e = img8 + q * r4;
            memcpy(e, pad + q * c_in, (size_t)(3 * c_in));
            memset(e + 3 * c_in, 0, (size_t)(r4 - 3 * c_in));
        }
    memset(img8 + n * r4, 0, (size_t)(16 * r4)); /* the register block's slack rows */
}

/* acc32 (non-NULL): acc32 = (bias or 0) + sums, narrowed (the caller's bound), acc unused.
 * rows (or NULL): the weights after myelin_kernel_dense_pack_rows, for inputs of fewer than 4
 * channels under a 3x3 kernel (the row-expanded implicit GEMM). */
static int dense_i8_zp_run(const int32_t *in, int h, int w, int c_in, const int8_t *packed,
                           const int8_t *rows, int32_t wmax, int32_t zp, int c_out, int kernel,
                           int co_lo, int co_hi, const int64_t *bias, int64_t *acc,
                           int32_t *acc32, myelin_kcounts *cnt, uint8_t *scratch,
                           int64_t scratch_bytes, int isa)
{
    if (!packed || !scratch || kernel < 1 || kernel > 3 || co_lo < 0 || co_hi > c_out ||
        co_lo >= co_hi || wmax < 0 || wmax > 127 || zp < 0 || zp > 255)
        return -1;
    int best = myelin_kernel_dense_i8_isa();
    if (isa < 0 || isa > best)
        isa = best;
    int64_t base = myelin_kernel_dense_scratch_bytes(c_in, kernel);
    int room = scratch_bytes >= myelin_kernel_dense_scratch_img_bytes(h, w, c_in, kernel);
    /* the implicit GEMM (dense_run) where every group of four k lies in one tap */
    int implicit = room && c_in % 4 == 0 && (kernel == 1 || kernel == 3);
    int expand = room && rows && c_in < 4 && kernel == 3; /* the row-expanded image */
    uint8_t *img8 = (kernel > 1 || implicit) && room ? scratch + base : NULL;
    /* expand: the padded bytes after the expanded image (myelin_kernel_dense_scratch_img_bytes) */
    uint8_t *pad = expand ? img8 + ((int64_t)h + 2) * (w + 2) * dense_rows_r4(c_in, 3) +
                                16 * (int64_t)dense_rows_r4(c_in, 3)
                          : NULL;
    int64_t events, synops;
    int32_t vmin, vmax;
    dense_prepare8(in, h, w, c_in, kernel, co_hi - co_lo, &events, &synops, &vmin, &vmax,
                   expand ? pad : img8, zp, (implicit && kernel > 1) || expand);
    /* dense_prepare8's range includes 0 (padding: u = zp) */
    int64_t umin = (int64_t)vmin + zp, umax = (int64_t)vmax + zp;
    int64_t K = (int64_t)kernel * kernel * c_in;
    if (umin < 0 || umax > ((isa == 1 || isa == 2) ? 127 : 255) ||
        (umax > 0 && K * wmax > INT32_MAX / umax))
        return -1;
    if (expand) { /* checked above: every value + zp is a byte */
        dense_expand_rows(pad, h, w, c_in, img8);
        packed = rows;
        implicit = 2;
    }
    dense_run(in, h, w, c_in, packed, c_out, kernel, co_lo, co_hi, zp, (uint8_t)zp, zp, bias, acc,
              acc32, scratch, img8, implicit, dense_block_for(isa));
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
    return 0;
}

int myelin_kernel_dense_i8_zp(const int32_t *in, int h, int w, int c_in, const int8_t *packed,
                              int32_t wmax, int32_t zp, int c_out, int kernel, int co_lo,
                              int co_hi, const int64_t *bias, int64_t *acc, myelin_kcounts *cnt,
                              uint8_t *scratch, int64_t scratch_bytes, int isa)
{
    return dense_i8_zp_run(in, h, w, c_in, packed, NULL, wmax, zp, c_out, kernel, co_lo, co_hi, bias,
                           acc, NULL, cnt, scratch, scratch_bytes, isa);
}

/* ---- Row-sparse int8 path for linear layers (AVX-512 VNNI) ----
 *
 * The dense path's sums for a 1x1 layer (tokens x c_in, c_in a multiple of 4), skipping the
 * groups of four input channels that are all zero: every token's nonzero groups are listed once
 * (vptestmd, vpcompressd over the byte image), then per panel of output channels each token's
 * accumulators (two sets of 1, 2 or 4 zmm, summed at the end: vpdpbusd's latency hidden) take one
 * broadcast and one vpdpbusd per 16 channels for each listed group, and are stored once with the
 * bias.  Spike inputs below ~25 % leave most groups of four empty (at 7 %, 75 %), which the dense
 * path multiplies anyway.  The same u8 x s8 products and int32 proof as the dense path (inputs
 * 0..255, |w| <= 127, each partial sum at most c_in x max input x wmax <= INT32_MAX, the caller's
 * bound with the bias); integer addition is exact in any order.  Counts: dense_prepare8's. */
#ifdef MYELIN_DENSE_X86
#define RS_PANEL_FN(NAME, NV)                                                                     \
    __attribute__((target("avx512f,avx512bw,avx512vnni"))) static void NAME(                      \
        const uint8_t *img, const int32_t *start, const int32_t *lst, int64_t npos, int c_in,     \
        const int8_t *B, int np, const int32_t *b32, int32_t *acc32, int c_out, int col0)         \
    {                                                                                             \
        __mmask16 mv[NV];                                                                         \
        int whole = c_out - col0 >= 16 * (NV);                                                    \
        for (int v = 0; v < (NV); v++) {                                                          \
            int left = c_out - col0 - 16 * v;                                                     \
            mv[v] = left >= 16 ? (__mmask16)0xFFFF                                                \
                               : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);        \
        }                                                                                         \
        for (int64_t p = 0; p < npos; p++) {                                                      \
            const uint8_t *px = img + p * c_in;                                                   \
            __m512i a[NV], b[NV];                                                                 \
            for (int v = 0; v < (NV); v++) {                                                      \
                a[v] = _mm512_loadu_si512(b32 + col0 + 16 * v);                                  \
                b[v] = _mm512_setzero_si512();                                                    \
            }                                                                                     \
            int32_t e = start[p], e1 = start[p + 1];                                              \
            for (; e + 2 <= e1; e += 2) {                                                         \
                int32_t o0 = lst[e], o1 = lst[e + 1], f0, f1;                                     \
                memcpy(&f0, px + o0, 4);                                                          \
                memcpy(&f1, px + o1, 4);                                                          \
                __m512i x0 = _mm512_set1_epi32(f0), x1 = _mm512_set1_epi32(f1);                   \
                const int8_t *q0 = B + (int64_t)o0 * np, *q1 = B + (int64_t)o1 * np;              \
                for (int v = 0; v < (NV); v++) {                                                  \
                    a[v] = _mm512_dpbusd_epi32(a[v], x0, _mm512_loadu_si512(q0 + 64 * v));       \
                    b[v] = _mm512_dpbusd_epi32(b[v], x1, _mm512_loadu_si512(q1 + 64 * v));       \
                }                                                                                 \
            }                                                                                     \
            if (e < e1) {                                                                         \
                int32_t o0 = lst[e], f0;                                                          \
                memcpy(&f0, px + o0, 4);                                                          \
                __m512i x0 = _mm512_set1_epi32(f0);                                               \
                const int8_t *q0 = B + (int64_t)o0 * np;                                          \
                for (int v = 0; v < (NV); v++)                                                    \
                    a[v] = _mm512_dpbusd_epi32(a[v], x0, _mm512_loadu_si512(q0 + 64 * v));       \
            }                                                                                     \
            int32_t *o = acc32 + p * c_out + col0;                                                \
            for (int v = 0; v < (NV); v++) {                                                      \
                __m512i r = _mm512_add_epi32(a[v], b[v]);                                         \
                if (whole)                                                                        \
                    _mm512_storeu_si512(o + 16 * v, r);                                           \
                else                                                                              \
                    _mm512_mask_storeu_epi32(o + 16 * v, mv[v], r);                               \
            }                                                                                     \
        }                                                                                         \
    }
RS_PANEL_FN(rs_panel_1, 1)
RS_PANEL_FN(rs_panel_2, 2)
RS_PANEL_FN(rs_panel_4, 4)
#undef RS_PANEL_FN

/* Every position's nonzero groups of four bytes: their byte offsets 4 g, from start[p] to
 * start[p + 1] (16 entries of slack past the last). */
__attribute__((target("avx512f"))) static void rs_lists(const uint8_t *img, int64_t npos, int c_in,
                                                         int32_t *start, int32_t *lst)
{
    int G = c_in / 4;
    int32_t e = 0;
    const __m512i iota4 = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56,
                                            60);
    for (int64_t p = 0; p < npos; p++) {
        start[p] = e;
        const uint8_t *b = img + p * c_in;
        for (int g0 = 0; g0 < G; g0 += 16) {
            __mmask16 lim = G - g0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (G - g0)) - 1);
            __m512i v = _mm512_maskz_loadu_epi32(lim, b + 4 * g0);
            __mmask16 m = _mm512_mask_test_epi32_mask(lim, v, v);
            _mm512_storeu_si512(lst + e, _mm512_maskz_compress_epi32(
                                             m, _mm512_add_epi32(iota4, _mm512_set1_epi32(4 * g0))));
            e += __builtin_popcount((unsigned)m);
        }
    }
    start[npos] = e;
}
#endif

int64_t myelin_kernel_rowsparse_scratch_bytes(int npos, int c_in)
{
    return myelin_kernel_dense_scratch_img_bytes(npos, 1, c_in, 1) + ((int64_t)npos + 1) * 4 +
           ((int64_t)npos * ((c_in + 3) / 4) + 16) * 4 + 128;
}

/* acc32 = (bias or 0) + the sums of a 1x1 layer over npos positions by the row-sparse path: 0,
 * or -1 (nothing written) without AVX-512 VNNI, for c_in not a multiple of 4, a scratch smaller
 * than myelin_kernel_rowsparse_scratch_bytes, inputs outside 0..255 or the int32 bound. */
static int rowsparse_run(const int32_t *in, int64_t npos, int c_in, const int8_t *packed,
                         int32_t wmax, int c_out, const int64_t *bias, int32_t *acc32,
                         myelin_kcounts *cnt, uint8_t *scratch, int64_t scratch_bytes)
{
#ifdef MYELIN_DENSE_X86
    if (!packed || !scratch || !acc32 || c_in % 4 != 0 || c_in < 4 || wmax < 0 || wmax > 127 ||
        npos < 1 || npos > INT32_MAX / 2 || myelin_kernel_dense_i8_isa() < 3 ||
        npos * ((c_in + 3) / 4) > INT32_MAX / 2 ||
        scratch_bytes < myelin_kernel_rowsparse_scratch_bytes((int)npos, c_in))
        return -1;
    uint8_t *img8 = scratch + myelin_kernel_dense_scratch_bytes(c_in, 1);
    int64_t events, synops;
    int32_t vmin, vmax;
    dense_prepare8(in, (int)npos, 1, c_in, 1, c_out, &events, &synops, &vmin, &vmax, img8, 0, 0);
    if (vmin < 0 || vmax > 255 || (vmax > 0 && (int64_t)c_in * wmax > INT32_MAX / vmax))
        return -1;
    int32_t *start = (int32_t *)(void *)(((uintptr_t)(scratch +
                                                     myelin_kernel_dense_scratch_img_bytes(
                                                         (int)npos, 1, c_in, 1)) + 63) &
                                         ~(uintptr_t)63);
    int32_t *lst = start + npos + 1;
    rs_lists(img8, npos, c_in, start, lst);
    int np = dense_np(c_out), k4 = myelin_kernel_dense_k4(c_in, 1);
    int32_t b32[DENSE_NP * 64];
    int padded = (c_out + np - 1) / np * np;
    if (padded > DENSE_NP * 64)
        return -1;
    for (int j = 0; j < padded; j++)
        b32[j] = bias && j < c_out ? (int32_t)bias[j] : 0;
    for (int pn = 0; pn * np < c_out; pn++) {
        const int8_t *B = packed + (int64_t)pn * k4 * np * 4;
        (np == 16 ? rs_panel_1 : np == 32 ? rs_panel_2 : rs_panel_4)(
            img8, start, lst, npos, c_in, B, np, b32, acc32, c_out, pn * np);
    }
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
    return 0;
#else
    (void)in, (void)npos, (void)c_in, (void)packed, (void)wmax, (void)c_out, (void)bias;
    (void)acc32, (void)cnt, (void)scratch, (void)scratch_bytes;
    return -1;
#endif
}

/* ---- Event-driven column path (the engine's path for spike inputs below the column rate) ----
 *
 * The same sums as myelin_kernel_scatter_i, output-stationary and event-driven: the nonzero inputs
 * of every input position are listed once per call (channel index and value, in chunks of at most
 * COL_KB consecutive input channels, the value-1 entries of a chunk before the others), then for a
 * block of COL_CB output channels and COL_PB output positions, for every tap and chunk, every
 * position adds the weight row (int16, the scatter layout w[tap][ci][c_out]) of each listed input
 * of its neighbour: a plain add for value 1, a multiply-add otherwise.  Work is proportional to the
 * nonzero inputs (the dense path's is fixed), and a chunk's rows (COL_KB x COL_CB int16 = 16 KiB)
 * stay in L1 while all COL_PB positions use them.
 * AVX-512BW: one position's COL_CB = 128 channels are summed in 4 zmm of int16 over one chunk,
 * then widened and added to an int32 tile [COL_PB][COL_CB]; the tile is added to the int64
 * accumulators at the end.  Why int16 cannot overflow: a chunk holds at most kb inputs, each
 * |v| <= vmax, each |w| <= wmax, and kb = min(COL_KB, floor(32767 / (vmax wmax))), so every lane
 * of the int16 sum (and every product v w) stays within kb vmax wmax <= 32767; the call refuses
 * (-1) when kb < COL_KMIN (large values or weights, where flushing this often does not pay).  Why
 * the int32 tile cannot overflow: each entry is a partial sum of at most taps x c_in products of
 * magnitude <= vmax wmax, checked <= INT32_MAX before any work (the dense path's proof).  Integer
 * addition is associative, so acc is bit-identical to the scatter's; events and synops are counted
 * from the input exactly as the scatter counts them.  The portable loop (the reference, also built
 * as AVX2 / AVX-512F clones) sums the same lists straight into the int32 tile. */
#define COL_CB 128 /* output channels per block (4 zmm of int16) */
#define COL_KB 64  /* input channels per chunk at most */
#define COL_KMIN 8 /* the smallest chunk the path accepts */
#define COL_PB 64  /* output positions per int32 tile (32 KiB, streamed) */
#define COL_WHOLE_BYTES 24576 /* the rows of all taps of one block, to sum a position at once */

static int64_t col_max_chunks(int c_in)
{
    return (c_in + COL_KMIN - 1) / COL_KMIN;
}

int64_t myelin_kernel_column_scratch_bytes(int h, int w, int c_in, int kernel)
{
    (void)kernel;
    int64_t npos = (int64_t)h * w, nch = col_max_chunks(c_in);
    return (int64_t)COL_PB * COL_CB * 4 + npos * (2 * nch + 1) * 4 + (npos * c_in + 32) * 8 + 256;
}

typedef struct col_lists {
    const int32_t *idx;  /* weight row of each entry: input channel x c_out */
    const int32_t *val;  /* its value */
    const int32_t *start; /* [npos][nch + 1]: first entry of chunk j (j = nch: the end) */
    const int32_t *mid;   /* [npos][nch]: first entry of chunk j whose value is not 1 */
    int nch, kb;
    int whole; /* one chunk, and taps x c_in <= kb: a position's sum over ALL taps fits int16 */
} col_lists;

/* The per-chunk lists of the nonzero inputs (value-1 entries first in each chunk); idx and val
 * need 16 entries of slack past the last (the AVX-512 version stores whole vectors). */
static void col_build_c(const int32_t *in, int64_t npos, int c_in, int c_out, int kb, int nch,
                        int32_t *idx, int32_t *val, int32_t *start, int32_t *mid, int32_t *range)
{
    int32_t e = 0, vmin = 0, vmax = 0;
    for (int64_t q = 0; q < npos; q++) {
        const int32_t *px = in + q * c_in;
        for (int j = 0; j < nch; j++) {
            int c0 = j * kb, c1 = c0 + kb < c_in ? c0 + kb : c_in;
            start[q * (nch + 1) + j] = e;
            for (int ci = c0; ci < c1; ci++)
                if (px[ci] == 1)
                    idx[e++] = ci * c_out;
            mid[q * nch + j] = e;
            for (int ci = c0; ci < c1; ci++) {
                int32_t v = px[ci];
                if (v != 0 && v != 1) {
                    idx[e] = ci * c_out;
                    val[e++] = v;
                    vmin = v < vmin ? v : vmin;
                    vmax = v > vmax ? v : vmax;
                }
            }
        }
        start[q * (nch + 1) + nch] = e;
    }
    range[0] = vmin;
    range[1] = e > 0 && vmax < 1 ? 1 : vmax;
}

#ifdef MYELIN_DENSE_X86
/* The same lists with 16-lane compares and compresses. */
__attribute__((target("avx512f"))) static void
col_build_avx512(const int32_t *in, int64_t npos, int c_in, int c_out, int kb, int nch,
                 int32_t *idx, int32_t *val, int32_t *start, int32_t *mid, int32_t *range)
{
    int32_t e = 0;
    __m512i vlo = _mm512_setzero_si512(), vhi = vlo;
    const __m512i one = _mm512_set1_epi32(1), zero = _mm512_setzero_si512();
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16 * c_out), cov = _mm512_set1_epi32(c_out);
    for (int64_t q = 0; q < npos; q++) {
        const int32_t *px = in + q * c_in;
        for (int j = 0; j < nch; j++) {
            int c0 = j * kb, c1 = c0 + kb < c_in ? c0 + kb : c_in;
            start[q * (nch + 1) + j] = e;
            for (int pass = 0; pass < 2; pass++) {
                if (pass)
                    mid[q * nch + j] = e;
                __m512i off =
                    _mm512_mullo_epi32(_mm512_add_epi32(iota, _mm512_set1_epi32(c0)), cov);
                for (int ci = c0; ci < c1; ci += 16) {
                    __mmask16 lim = c1 - ci >= 16 ? (__mmask16)0xFFFF
                                                  : (__mmask16)((1u << (c1 - ci)) - 1);
                    __m512i v = _mm512_maskz_loadu_epi32(lim, px + ci);
                    __mmask16 m1 = _mm512_mask_cmpeq_epi32_mask(lim, v, one);
                    __mmask16 mk = pass ? (__mmask16)(_mm512_mask_cmpneq_epi32_mask(lim, v, zero) &
                                                      (__mmask16)~m1)
                                        : m1;
                    if (mk) {
                        _mm512_storeu_si512(idx + e, _mm512_maskz_compress_epi32(mk, off));
                        if (pass) {
                            _mm512_storeu_si512(val + e, _mm512_maskz_compress_epi32(mk, v));
                            vlo = _mm512_min_epi32(vlo, v); /* masked-off lanes load 0 */
                            vhi = _mm512_max_epi32(vhi, v);
                        }
                        e += __builtin_popcount((unsigned)mk);
                    }
                    off = _mm512_add_epi32(off, step);
                }
            }
        }
        start[q * (nch + 1) + nch] = e;
    }
    int32_t vmax = _mm512_reduce_max_epi32(vhi);
    range[0] = _mm512_reduce_min_epi32(vlo);
    range[1] = e > 0 && vmax < 1 ? 1 : vmax;
}
#endif

/* The portable sums over one block of channels [cb, cb + width) and positions [p0, p0 + pn). */
MYELIN_KERNEL_CLONES
static void col_block_c(const col_lists *L, int h, int w, int c_in, const int16_t *w16, int c_out,
                        int kernel, int cb, int width, int64_t p0, int pn, int32_t *tile)
{
    int pad = kernel / 2, nch = L->nch, oys[COL_PB], oxs[COL_PB];
    int oy0 = (int)(p0 / w), ox0 = (int)(p0 % w);
    for (int p = 0; p < pn; p++) {
        oys[p] = oy0;
        oxs[p] = ox0;
        if (++ox0 == w) {
            ox0 = 0;
            oy0++;
        }
    }
    for (int ky = 0; ky < kernel; ky++)
        for (int kx = 0; kx < kernel; kx++) {
            const int16_t *wb = w16 + (int64_t)(ky * kernel + kx) * c_in * c_out + cb;
            for (int j = 0; j < nch; j++)
                for (int p = 0; p < pn; p++) {
                    int y = oys[p] + ky - pad, x = oxs[p] + kx - pad;
                    if (y < 0 || y >= h || x < 0 || x >= w)
                        continue;
                    int64_t q = (int64_t)y * w + x;
                    int32_t s = L->start[q * (nch + 1) + j], m = L->mid[q * nch + j];
                    int32_t end = L->start[q * (nch + 1) + j + 1];
                    int32_t *restrict t = tile + (int64_t)p * COL_CB;
                    for (int32_t e = s; e < m; e++) {
                        const int16_t *restrict r = wb + L->idx[e];
                        for (int jj = 0; jj < width; jj++)
                            t[jj] += r[jj];
                    }
                    for (int32_t e = m; e < end; e++) {
                        const int16_t *restrict r = wb + L->idx[e];
                        int32_t v = L->val[e];
                        for (int jj = 0; jj < width; jj++)
                            t[jj] += v * (int32_t)r[jj];
                    }
                }
        }
}

#ifdef MYELIN_DENSE_X86
/* One position's chunk: int16 sums in NV (1..4) zmm (the block's width rounded up to 32
 * channels), widened into the int32 tile row t.  FULL: whole vectors, else the masks k0..k3. */
#define COL_LOAD(F, R, Z)                                                                         \
    ((F) ? _mm512_loadu_si512((R) + 32 * (Z)) : _mm512_maskz_loadu_epi16(k##Z, (R) + 32 * (Z)))
#define COL_ADD(NV, F, R, Z, A)                                                                   \
    if ((Z) < (NV))                                                                               \
        A = _mm512_add_epi16(A, COL_LOAD(F, R, Z))
#define COL_MADD(NV, F, R, Z, A)                                                                  \
    if ((Z) < (NV))                                                                               \
        A = _mm512_add_epi16(A, _mm512_mullo_epi16(COL_LOAD(F, R, Z), vv))
#define COL_FLUSH(NV, A, Z)                                                                       \
    if ((Z) < (NV)) {                                                                             \
        __m512i lo = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(A));                            \
        __m512i hi = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(A, 1));                      \
        _mm512_storeu_si512(t + 32 * (Z), _mm512_add_epi32(_mm512_loadu_si512(t + 32 * (Z)), lo)); \
        _mm512_storeu_si512(t + 32 * (Z) + 16,                                                    \
                            _mm512_add_epi32(_mm512_loadu_si512(t + 32 * (Z) + 16), hi));         \
    }
#define COL_SUMS(NV, FULL)                                                                        \
    do {                                                                                          \
        for (int32_t e = s; e < m; e++) {                                                         \
            const int16_t *r = wb + idx[e];                                                       \
            COL_ADD(NV, FULL, r, 0, a0);                                                          \
            COL_ADD(NV, FULL, r, 1, a1);                                                          \
            COL_ADD(NV, FULL, r, 2, a2);                                                          \
            COL_ADD(NV, FULL, r, 3, a3);                                                          \
        }                                                                                         \
        for (int32_t e = m; e < end; e++) {                                                       \
            const int16_t *r = wb + idx[e];                                                       \
            __m512i vv = _mm512_set1_epi16((int16_t)val[e]);                                      \
            COL_MADD(NV, FULL, r, 0, a0);                                                         \
            COL_MADD(NV, FULL, r, 1, a1);                                                         \
            COL_MADD(NV, FULL, r, 2, a2);                                                         \
            COL_MADD(NV, FULL, r, 3, a3);                                                         \
        }                                                                                         \
    } while (0)
#define COL_BODY(NV, FULL)                                                                        \
    do {                                                                                          \
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;                           \
        COL_SUMS(NV, FULL);                                                                       \
        COL_FLUSH(NV, a0, 0);                                                                     \
        COL_FLUSH(NV, a1, 1);                                                                     \
        COL_FLUSH(NV, a2, 2);                                                                     \
        COL_FLUSH(NV, a3, 3);                                                                     \
    } while (0)

#define COL_BLOCK_FN(NAME, NV)                                                                    \
    __attribute__((target("avx512f,avx512bw"))) static void NAME(                                 \
        const col_lists *L, int h, int w, int c_in, const int16_t *w16, int c_out, int kernel,    \
        int cb, int width, int64_t p0, int pn, int32_t *tile)                                     \
    {                                                                                             \
        int pad = kernel / 2, nch = L->nch, oys[COL_PB], oxs[COL_PB];                             \
        int oy0 = (int)(p0 / w), ox0 = (int)(p0 % w);                                             \
        for (int p = 0; p < pn; p++) { /* positions without a division each */                    \
            oys[p] = oy0;                                                                         \
            oxs[p] = ox0;                                                                         \
            if (++ox0 == w) {                                                                     \
                ox0 = 0;                                                                          \
                oy0++;                                                                            \
            }                                                                                     \
        }                                                                                         \
        const int32_t *idx = L->idx, *val = L->val;                                               \
        __mmask32 k0 = 0, k1 = 0, k2 = 0, k3 = 0;                                                 \
        for (int jj = 0; jj < width; jj++) {                                                      \
            __mmask32 bit = (__mmask32)1u << (jj % 32);                                           \
            if (jj < 32)                                                                          \
                k0 |= bit;                                                                        \
            else if (jj < 64)                                                                     \
                k1 |= bit;                                                                        \
            else if (jj < 96)                                                                     \
                k2 |= bit;                                                                        \
            else                                                                                  \
                k3 |= bit;                                                                        \
        }                                                                                         \
        int full = width == 32 * (NV);                                                            \
        if (L->whole) { /* small layers: each position's registers live across all taps */       \
            for (int p = 0; p < pn; p++) {                                                        \
                __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;                   \
                for (int ky = 0; ky < kernel; ky++) {                                             \
                    int y = oys[p] + ky - pad;                                                    \
                    if (y < 0 || y >= h)                                                          \
                        continue;                                                                 \
                    for (int kx = 0; kx < kernel; kx++) {                                         \
                        int x = oxs[p] + kx - pad;                                                \
                        if (x < 0 || x >= w)                                                      \
                            continue;                                                             \
                        const int16_t *wb = w16 + (int64_t)(ky * kernel + kx) * c_in * c_out + cb; \
                        int64_t q = (int64_t)y * w + x;                                           \
                        int32_t s = L->start[q * 2], m = L->mid[q], end = L->start[q * 2 + 1];    \
                        if (full)                                                                 \
                            COL_SUMS(NV, 1);                                                      \
                        else                                                                      \
                            COL_SUMS(NV, 0);                                                      \
                    }                                                                             \
                }                                                                                 \
                int32_t *t = tile + (int64_t)p * COL_CB;                                          \
                COL_FLUSH(NV, a0, 0);                                                             \
                COL_FLUSH(NV, a1, 1);                                                             \
                COL_FLUSH(NV, a2, 2);                                                             \
                COL_FLUSH(NV, a3, 3);                                                             \
            }                                                                                     \
            return;                                                                               \
        }                                                                                         \
        for (int ky = 0; ky < kernel; ky++)                                                       \
            for (int kx = 0; kx < kernel; kx++) {                                                 \
                const int16_t *wb = w16 + (int64_t)(ky * kernel + kx) * c_in * c_out + cb;        \
                for (int j = 0; j < nch; j++)                                                     \
                    for (int p = 0; p < pn; p++) {                                                \
                        int y = oys[p] + ky - pad, x = oxs[p] + kx - pad;                         \
                        if (y < 0 || y >= h || x < 0 || x >= w)                                   \
                            continue;                                                             \
                        int64_t q = (int64_t)y * w + x;                                           \
                        int32_t s = L->start[q * (nch + 1) + j], m = L->mid[q * nch + j];         \
                        int32_t end = L->start[q * (nch + 1) + j + 1];                            \
                        if (s == end)                                                             \
                            continue;                                                             \
                        int32_t *t = tile + (int64_t)p * COL_CB;                                  \
                        if (full)                                                                 \
                            COL_BODY(NV, 1);                                                      \
                        else                                                                      \
                            COL_BODY(NV, 0);                                                      \
                    }                                                                             \
            }                                                                                     \
    }
COL_BLOCK_FN(col_block_avx512_1, 1)
COL_BLOCK_FN(col_block_avx512_2, 2)
COL_BLOCK_FN(col_block_avx512_3, 3)
COL_BLOCK_FN(col_block_avx512_4, 4)
#undef COL_BLOCK_FN
#undef COL_BODY
#undef COL_SUMS
#undef COL_FLUSH
#undef COL_MADD
#undef COL_ADD
#undef COL_LOAD
#endif

MYELIN_KERNEL_CLONES
/* acc32 (non-NULL): acc32 = (bias or 0) + sums, narrowed (the caller's bound); else acc += sums
 * (bias unused). */
static int column_i16_run(const int32_t *in, int h, int w, int c_in, const int16_t *w16,
                          int32_t wmax, int c_out, int kernel, int co_lo, int co_hi,
                          const int64_t *bias, int64_t *acc, int32_t *acc32, myelin_kcounts *cnt,
                          uint8_t *scratch, int isa)
{
    if (!w16 || !scratch || kernel < 1 || kernel > 3 || co_lo < 0 || co_hi > c_out ||
        co_lo >= co_hi || wmax < 0 || wmax > 32767 || c_in < 1 || c_in > 65535)
        return -1;
    int64_t npos = (int64_t)h * w;
    if (npos < 1 || npos * c_in > INT32_MAX || (int64_t)c_in * c_out > INT32_MAX)
        return -1;
    int best = myelin_kernel_dense_isa();
    if (isa < 0 || isa > best)
        isa = best;
    void (*build)(const int32_t *, int64_t, int, int, int, int, int32_t *, int32_t *, int32_t *,
                  int32_t *, int32_t *) = col_build_c;
#ifdef MYELIN_DENSE_X86
    if (isa == 2)
        build = col_build_avx512;
#endif
    /* the lists with the largest chunk the weights allow for values of 1, then again with a
     * smaller one if larger values need it (kb x vmax x wmax <= 32767, the int16 proof) */
    int64_t kb = COL_KB, range_ok = 0, taps_k = (int64_t)kernel * kernel * c_in;
    int64_t width0 = co_hi - co_lo < COL_CB ? co_hi - co_lo : COL_CB;
    /* small layers (all taps' rows of a block within COL_WHOLE_BYTES): one chunk per position */
    int whole = kernel > 1 && taps_k * ((width0 + 31) / 32 * 32) * 2 <= COL_WHOLE_BYTES;
    if (whole && c_in > kb)
        kb = c_in;
    if (wmax > 0 && 32767 / wmax < kb)
        kb = 32767 / wmax;
    uint8_t *base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    int32_t *tile = (int32_t *)(void *)base, *start = tile + COL_PB * COL_CB, *mid = NULL;
    int32_t *idx = NULL, *val = NULL;
    int nch = 0;
    for (int pass = 0; pass < 2 && !range_ok; pass++) {
        if (kb < COL_KMIN)
            return -1;
        nch = (int)((c_in + kb - 1) / kb);
        mid = start + npos * (nch + 1);
        idx = mid + npos * nch;
        val = idx + npos * c_in + 16;
        int32_t range[2];
        build(in, npos, c_in, c_out, (int)kb, nch, idx, val, start, mid, range);
        int64_t vabs = range[1] > -(int64_t)range[0] ? range[1] : -(int64_t)range[0];
        int64_t bound = (int64_t)kernel * kernel * c_in * wmax; /* the int32 tile's proof */
        if (vabs > 32767 || (vabs > 0 && bound > INT32_MAX / vabs))
            return -1;
        int64_t need = vabs * wmax > 0 ? 32767 / (vabs * wmax) : INT32_MAX;
        whole = whole && nch == 1 && taps_k <= need;
        range_ok = need >= kb && (whole || kb <= COL_KB);
        if (!range_ok)
            kb = need < COL_KB ? need : COL_KB;
    }
    if (!range_ok)
        return -1;
    /* the scatter's counts from the lists: each nonzero input reaches its in-bounds taps */
    int64_t events = start[npos * (nch + 1) - 1];
    int64_t synops = myelin_kernel_list_synops(start, nch + 1, nch, h, w, kernel) * (co_hi - co_lo);
    col_lists L = {idx, val, start, mid, nch, (int)kb, whole};
    void (*block)(const col_lists *, int, int, int, const int16_t *, int, int, int, int, int64_t,
                  int, int32_t *) = col_block_c;
    for (int cb = co_lo; cb < co_hi; cb += COL_CB) {
        int width = co_hi - cb < COL_CB ? co_hi - cb : COL_CB;
#ifdef MYELIN_DENSE_X86
        if (isa == 2) {
            int nv = (width + 31) / 32;
            block = nv == 1 ? col_block_avx512_1
                            : nv == 2 ? col_block_avx512_2
                                      : nv == 3 ? col_block_avx512_3 : col_block_avx512_4;
        }
#endif
        for (int64_t p0 = 0; p0 < npos; p0 += COL_PB) {
            int pn = npos - p0 < COL_PB ? (int)(npos - p0) : COL_PB;
            memset(tile, 0, sizeof *tile * (size_t)pn * COL_CB);
            block(&L, h, w, c_in, w16, c_out, kernel, cb, width, p0, pn, tile);
            for (int p = 0; p < pn && acc32; p++) {
                int32_t *restrict ar = acc32 + (p0 + p) * c_out + cb;
                const int32_t *restrict tr = tile + (int64_t)p * COL_CB;
                for (int jj = 0; jj < width; jj++)
                    ar[jj] = (int32_t)((bias ? bias[cb + jj] : 0) + tr[jj]);
            }
            for (int p = 0; p < pn && !acc32; p++) {
                int64_t *restrict ar = acc + (p0 + p) * c_out + cb;
                const int32_t *restrict tr = tile + (int64_t)p * COL_CB;
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
}

int myelin_kernel_column_i16(const int32_t *in, int h, int w, int c_in, const int16_t *w16,
                             int32_t wmax, int c_out, int kernel, int co_lo, int co_hi,
                             int64_t *acc, myelin_kcounts *cnt, uint8_t *scratch, int isa)
{
    return column_i16_run(in, h, w, c_in, w16, wmax, c_out, kernel, co_lo, co_hi, NULL, acc, NULL,
                          cnt, scratch, isa);
}

/* ---- Event-driven int32 tile path (narrow slices at low rates) ----
 *
 * The scatter's sums for a slice of at most MYELIN_TILE_MAX_CO output channels: every nonzero
 * input v at (y, x, ci) adds v x its int16 weight row of each tap (w16, the scatter layout) to the
 * int32 row of the output position it reaches, in a tile [h w][width] that holds the whole layer
 * (width x 4 bytes per position: 32 KiB for 256 positions x 32 channels), then acc = (bias or
 * acc) + tile.  Work is proportional to the nonzero inputs times the taps, with no per-position
 * or per-tap lists (the column path's) and no im2col (the dense path's).  Why the int32 tile cannot
 * overflow: each entry is a sum of at most taps x c_in products of magnitude <= max|input| x wmax,
 * checked <= INT32_MAX before any work (the gather's and dense path's proof); each product
 * |v w| <= that bound too.  Integer addition is associative, so acc is bit-identical to the
 * scatter's; events and synops are counted exactly as the scatter counts them (each nonzero
 * input, and width per in-bounds tap it reaches). */
int64_t myelin_kernel_tile_scratch_bytes(int h, int w, int c_in, int width)
{
    /* the tile, then two lists of c_in + 16 int32 (whole-vector stores) */
    return ((int64_t)h * w * width + 2 * ((int64_t)c_in + 16) + 16) * 4 + 64;
}

MYELIN_KERNEL_CLONES
static void tile_scatter(const int32_t *in, int h, int w, int c_in, const int16_t *w16, int c_out,
                         int kernel, int co_lo, int width, int32_t *tile, int64_t *events_out,
                         int64_t *synops_out)
{
    int pad = kernel / 2;
    int64_t events = 0, reach = 0, tap_stride = (int64_t)c_in * c_out;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const int32_t *px = in + ((int64_t)y * w + x) * c_in;
            for (int ci = 0; ci < c_in; ci++) {
                int32_t v = px[ci];
                if (v == 0)
                    continue;
                events++;
                const int16_t *wr = w16 + (int64_t)ci * c_out + co_lo;
                for (int ky = 0; ky < kernel; ky++) {
                    int oy = y + pad - ky;
                    if (oy < 0 || oy >= h)
                        continue;
                    for (int kx = 0; kx < kernel; kx++) {
                        int ox = x + pad - kx;
                        if (ox < 0 || ox >= w)
                            continue;
                        reach++;
                        const int16_t *restrict r = wr + (ky * kernel + kx) * tap_stride;
                        int32_t *restrict t = tile + ((int64_t)oy * w + ox) * width;
                        if (v == 1)
                            for (int j = 0; j < width; j++)
                                t[j] += r[j];
                        else
                            for (int j = 0; j < width; j++)
                                t[j] += v * (int32_t)r[j];
                    }
                }
            }
        }
    *events_out = events;
    *synops_out = reach * width;
}

#ifdef MYELIN_DENSE_X86
/* tile_scatter with the nonzero inputs found 16 lanes at a time and each weight row added as
 * (width + 15) / 16 int16 -> int32 widened vectors (the last one masked); the same sums. */
__attribute__((target("avx512f,avx512bw"))) static void
tile_scatter_avx512(const int32_t *in, int h, int w, int c_in, const int16_t *w16, int c_out,
                    int kernel, int co_lo, int width, int32_t *tile, int64_t *events_out,
                    int64_t *synops_out)
{
    int pad = kernel / 2, nv = (width + 15) / 16, nfull = width / 16;
    int64_t events = 0, reach = 0, tap_stride = (int64_t)c_in * c_out;
    __mmask16 mlast = (__mmask16)(width % 16 ? (1u << (width % 16)) - 1 : 0xFFFFu);
    const __m512i zero = _mm512_setzero_si512();
    for (int y = 0; y < h; y++) {
        int ky0 = y + pad - (h - 1) > 0 ? y + pad - (h - 1) : 0; /* oy = y + pad - ky in [0, h) */
        int ky1 = y + pad + 1 < kernel ? y + pad + 1 : kernel;
        for (int x = 0; x < w; x++) {
            int kx0 = x + pad - (w - 1) > 0 ? x + pad - (w - 1) : 0;
            int kx1 = x + pad + 1 < kernel ? x + pad + 1 : kernel;
            int taps = (ky1 - ky0) * (kx1 - kx0);
            const int32_t *px = in + ((int64_t)y * w + x) * c_in;
            for (int c0 = 0; c0 < c_in; c0 += 16) {
                __mmask16 lim = c_in - c0 >= 16 ? (__mmask16)0xFFFF
                                                : (__mmask16)((1u << (c_in - c0)) - 1);
                unsigned m = _mm512_mask_cmpneq_epi32_mask(lim, _mm512_maskz_loadu_epi32(lim, px + c0),
                                                           zero);
                while (m) {
                    int ci = c0 + __builtin_ctz(m);
                    m &= m - 1;
                    int32_t v = px[ci];
                    events++;
                    reach += taps;
                    const int16_t *wr = w16 + (int64_t)ci * c_out + co_lo;
                    __m512i vv = _mm512_set1_epi32(v);
                    for (int ky = ky0; ky < ky1; ky++)
                        for (int kx = kx0; kx < kx1; kx++) {
                            const int16_t *r = wr + (ky * kernel + kx) * tap_stride;
                            int32_t *t = tile + ((int64_t)(y + pad - ky) * w + x + pad - kx) * width;
                            int i = 0;
                            for (; i < nfull; i++) { /* whole vectors: plain loads and stores */
                                __m512i wv = _mm512_cvtepi16_epi32(
                                    _mm256_loadu_si256((const __m256i *)(r + 16 * i)));
                                if (v != 1)
                                    wv = _mm512_mullo_epi32(wv, vv);
                                _mm512_storeu_si512(
                                    t + 16 * i, _mm512_add_epi32(_mm512_loadu_si512(t + 16 * i), wv));
                            }
                            for (; i < nv; i++) {
                                __mmask16 mk = mlast;
                                __m512i wv = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(
                                    _mm512_maskz_loadu_epi16((__mmask32)mk, r + 16 * i)));
                                if (v != 1)
                                    wv = _mm512_mullo_epi32(wv, vv);
                                _mm512_mask_storeu_epi32(
                                    t + 16 * i, mk,
                                    _mm512_add_epi32(_mm512_maskz_loadu_epi32(mk, t + 16 * i), wv));
                            }
                        }
                }
            }
        }
    }
    *events_out = events;
    *synops_out = reach * width;
}
#endif

#ifdef MYELIN_DENSE_X86
/* Whole 16-channel vectors (width = 16 NV, NV 1..4): per input position, its nonzero inputs are
 * listed once, then per in-bounds tap their weight rows are summed in NV int32 registers and added
 * to the tile row once (one read-modify-write per position and tap, however many inputs fire
 * there).  The same sums. */
#define TILE_POS_FN(NAME, NV)                                                                     \
    __attribute__((target("avx512f,avx512bw"))) static void NAME(                                 \
        const int32_t *in, int h, int w, int c_in, const int16_t *w16, int c_out, int kernel,     \
        int co_lo, int32_t *tile, int64_t *events_out, int64_t *synops_out, int32_t *lidx,        \
        int32_t *lval)                                                                            \
    {                                                                                             \
        int pad = kernel / 2, width = 16 * (NV);                                                  \
        int64_t events = 0, reach = 0, tap_stride = (int64_t)c_in * c_out;                        \
        const __m512i zero = _mm512_setzero_si512();                                              \
        const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,  \
                                               15);                                               \
        for (int y = 0; y < h; y++) {                                                             \
            int ky0 = y + pad - (h - 1) > 0 ? y + pad - (h - 1) : 0;                              \
            int ky1 = y + pad + 1 < kernel ? y + pad + 1 : kernel;                                \
            for (int x = 0; x < w; x++) {                                                         \
                const int32_t *px = in + ((int64_t)y * w + x) * c_in;                             \
                int n = 0, ones = 1;                                                              \
                for (int c0 = 0; c0 < c_in; c0 += 16) {                                           \
                    __mmask16 lim = c_in - c0 >= 16 ? (__mmask16)0xFFFF                           \
                                                    : (__mmask16)((1u << (c_in - c0)) - 1);       \
                    __m512i v = _mm512_maskz_loadu_epi32(lim, px + c0);                           \
                    __mmask16 m = _mm512_mask_cmpneq_epi32_mask(lim, v, zero);                    \
                    if (!m)                                                                       \
                        continue;                                                                 \
                    _mm512_storeu_si512(lidx + n, _mm512_maskz_compress_epi32(                    \
                                                      m, _mm512_add_epi32(iota,                   \
                                                                          _mm512_set1_epi32(c0)))); \
                    _mm512_storeu_si512(lval + n, _mm512_maskz_compress_epi32(m, v));             \
                    ones &= _mm512_mask_cmpneq_epi32_mask(m, v, _mm512_set1_epi32(1)) == 0;       \
                    n += __builtin_popcount((unsigned)m);                                         \
                }                                                                                 \
                if (!n)                                                                           \
                    continue;                                                                     \
                int kx0 = x + pad - (w - 1) > 0 ? x + pad - (w - 1) : 0;                          \
                int kx1 = x + pad + 1 < kernel ? x + pad + 1 : kernel;                            \
                events += n;                                                                      \
                reach += (int64_t)n * (ky1 - ky0) * (kx1 - kx0);                                  \
                if (n == 1 && ones) { /* one spike (the common case): its rows added straight */  \
                    const int16_t *w0 = w16 + (int64_t)lidx[0] * c_out + co_lo;                   \
                    for (int ky = ky0; ky < ky1; ky++)                                            \
                        for (int kx = kx0; kx < kx1; kx++) {                                      \
                            const int16_t *r = w0 + (ky * kernel + kx) * tap_stride;              \
                            int32_t *t = tile + ((int64_t)(y + pad - ky) * w + x + pad - kx) * width; \
                            for (int i = 0; i < (NV); i++)                                        \
                                _mm512_storeu_si512(                                              \
                                    t + 16 * i,                                                   \
                                    _mm512_add_epi32(_mm512_loadu_si512(t + 16 * i),              \
                                                     _mm512_cvtepi16_epi32(_mm256_loadu_si256(    \
                                                         (const __m256i *)(r + 16 * i)))));       \
                        }                                                                         \
                    continue;                                                                     \
                }                                                                                 \
                for (int ky = ky0; ky < ky1; ky++)                                                \
                    for (int kx = kx0; kx < kx1; kx++) {                                          \
                        const int16_t *wb = w16 + (ky * kernel + kx) * tap_stride + co_lo;        \
                        __m512i a[NV];                                                            \
                        for (int i = 0; i < (NV); i++)                                            \
                            a[i] = zero;                                                          \
                        for (int e = 0; e < n; e++) {                                             \
                            const int16_t *r = wb + (int64_t)lidx[e] * c_out;                     \
                            __m512i vv = _mm512_set1_epi32(lval[e]);                              \
                            for (int i = 0; i < (NV); i++) {                                      \
                                __m512i wv = _mm512_cvtepi16_epi32(                               \
                                    _mm256_loadu_si256((const __m256i *)(r + 16 * i)));           \
                                a[i] = _mm512_add_epi32(                                          \
                                    a[i], ones ? wv : _mm512_mullo_epi32(wv, vv));                \
                            }                                                                     \
                        }                                                                         \
                        int32_t *t = tile + ((int64_t)(y + pad - ky) * w + x + pad - kx) * width; \
                        for (int i = 0; i < (NV); i++)                                            \
                            _mm512_storeu_si512(                                                  \
                                t + 16 * i, _mm512_add_epi32(_mm512_loadu_si512(t + 16 * i), a[i])); \
                    }                                                                             \
            }                                                                                     \
        }                                                                                         \
        *events_out = events;                                                                     \
        *synops_out = reach * width;                                                              \
    }
TILE_POS_FN(tile_pos_avx512_1, 1)
TILE_POS_FN(tile_pos_avx512_2, 2)
TILE_POS_FN(tile_pos_avx512_4, 4)
#undef TILE_POS_FN
#endif

#ifdef MYELIN_DENSE_X86
/* npos rows of width (a multiple of 16) int32 set to row. */
__attribute__((target("avx512f"))) static void rows_fill_avx512(int32_t *dst, int64_t npos,
                                                                int width, const int32_t *row)
{
    for (int j = 0; j < width; j += 16) {
        __m512i v = _mm512_loadu_si512(row + j);
        for (int64_t p = 0; p < npos; p++)
            _mm512_storeu_si512(dst + p * width + j, v);
    }
}
#endif

/* acc32 (non-NULL, whole channel range): the sums go straight into acc32 = (bias or 0) + sums,
 * which is the tile (no zeroing, no flush); the caller's bound keeps bias + every partial sum within
 * int32 (myelin_kernel_synapse_iw_set32's check). */
static int tile_i16_run(const int32_t *in, int h, int w, int c_in, const int16_t *w16, int32_t wmax,
                        int c_out, int kernel, int co_lo, int co_hi, const int64_t *bias,
                        int64_t *acc, int32_t *acc32, myelin_kcounts *cnt, uint8_t *scratch,
                        int64_t scratch_bytes, int isa, int64_t vknown)
{
    int width = co_hi - co_lo, best = myelin_kernel_dense_isa();
    if (isa < 0 || isa > best)
        isa = best;
    if (!w16 || !scratch || kernel < 1 || kernel > 3 || co_lo < 0 || co_hi > c_out ||
        width < 1 || width > MYELIN_TILE_MAX_CO || wmax < 0 || wmax > 32767 || c_in < 1 || h < 1 ||
        w < 1 || scratch_bytes < myelin_kernel_tile_scratch_bytes(h, w, c_in, width))
        return -1;
    /* vknown >= 0: the caller's bound on |input| (myelin_kernel_synapse_iw_set32's vmax, already
     * checked against the int32 bound with the bias), else measured */
    int64_t npos = (int64_t)h * w, vabs = vknown >= 0 ? vknown : myelin_kernel_absmax(in, npos * c_in);
    int64_t bound = (int64_t)kernel * kernel * c_in * wmax; /* the int32 tile's proof */
    if (vabs > 0 && bound > INT32_MAX / vabs)
        return -1;
    if (acc32 && (co_lo != 0 || co_hi != c_out))
        return -1;
    int32_t *tile = (int32_t *)(void *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    int32_t *lists = tile + npos * width + 16;
    if (acc32) { /* the bias row narrowed once (it fits: the caller's bound), then copied */
        int32_t brow[MYELIN_TILE_MAX_CO];
        for (int j = 0; j < width; j++)
            brow[j] = bias ? (int32_t)bias[j] : 0;
        tile = acc32;
#ifdef MYELIN_DENSE_X86
        if (isa >= 2 && width % 16 == 0)
            rows_fill_avx512(tile, npos, width, brow);
        else
#endif
            for (int64_t p = 0; p < npos; p++)
                for (int j = 0; j < width; j++)
                    tile[p * width + j] = brow[j];
    } else {
        memset(tile, 0, sizeof *tile * (size_t)(npos * width));
    }
    int64_t events, synops;
#ifdef MYELIN_DENSE_X86
    /* the per-position lists (c_in + 16 entries each) after the tile's room in scratch */
    int32_t *lidx = lists, *lval = lidx + c_in + 16;
    if (isa >= 2 && (width == 16 || width == 32 || width == 64))
        (width == 16 ? tile_pos_avx512_1 : width == 32 ? tile_pos_avx512_2 : tile_pos_avx512_4)(
            in, h, w, c_in, w16, c_out, kernel, co_lo, tile, &events, &synops, lidx, lval);
    else if (isa >= 2)
        tile_scatter_avx512(in, h, w, c_in, w16, c_out, kernel, co_lo, width, tile, &events,
                            &synops);
    else
#endif
        tile_scatter(in, h, w, c_in, w16, c_out, kernel, co_lo, width, tile, &events, &synops);
    (void)lists;
    for (int64_t p = 0; p < npos && !acc32; p++) {
        int64_t *restrict ar = acc + p * c_out + co_lo;
        const int32_t *restrict tr = tile + p * width;
        if (bias)
            for (int j = 0; j < width; j++)
                ar[j] = bias[co_lo + j] + tr[j];
        else
            for (int j = 0; j < width; j++)
                ar[j] += tr[j];
    }
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
    return 0;
}

int myelin_kernel_tile_i16(const int32_t *in, int h, int w, int c_in, const int16_t *w16,
                           int32_t wmax, int c_out, int kernel, int co_lo, int co_hi,
                           const int64_t *bias, int64_t *acc, myelin_kcounts *cnt,
                           uint8_t *scratch, int64_t scratch_bytes, int isa)
{
    return tile_i16_run(in, h, w, c_in, w16, wmax, c_out, kernel, co_lo, co_hi, bias, acc, NULL,
                        cnt, scratch, scratch_bytes, isa, -1);
}

int64_t myelin_kernel_list_synops(const int32_t *start, int64_t stride, int span, int h, int w,
                                  int kernel)
{
    int64_t synops = 0;
    for (int y = 0; y < h; y++) {
        int vy = myelin_kernel_taps_in(y, h, kernel);
        for (int x = 0; x < w; x++) {
            int64_t q = (int64_t)y * w + x;
            synops += (int64_t)(start[q * stride + span] - start[q * stride]) * vy *
                      myelin_kernel_taps_in(x, w, kernel);
        }
    }
    return synops;
}

/* The bias rows of the slice into acc (every position); NULL: acc kept (the sums are added). */
static void fill_bias(const int64_t *bias, int64_t npos, int c_out, int co_lo, int co_hi,
                      int64_t *acc)
{
    if (!bias)
        return;
    for (int64_t p = 0; p < npos; p++)
        memcpy(acc + p * c_out + co_lo, bias + co_lo, sizeof *acc * (size_t)(co_hi - co_lo));
}

/* The integer synaptic dispatch: acc (int64, bias NULL: acc += sums, else acc = bias + sums) or
 * acc32 (int32, always acc32 = (bias or 0) + sums, whole channel range).  With acc32 only the
 * paths that can write int32 run (tile, column, dense, or the bias alone when no input fires):
 * returns -1, nothing written, when none of them takes the call. */
static int synapse_iw_run(const int32_t *in, int h, int w, int c_in, const myelin_kweights *wt,
                          int c_out, int kernel, int co_lo, int co_hi, int32_t zp,
                          const int64_t *bias, int64_t *acc, int32_t *acc32, myelin_kcounts *cnt,
                          uint8_t *scratch, int64_t scratch_bytes, int force, int64_t vknown,
                          int64_t nz_known)
{
    int64_t npos = (int64_t)h * w;
    if (zp != 0) { /* offset codes (the image): the dense path with its zero point, else the
                    * scatter / gather on the codes themselves */
        if (wt->p8 && scratch &&
            dense_i8_zp_run(in, h, w, c_in, wt->p8, wt->p8r, wt->wmax, zp, c_out, kernel, co_lo,
                            co_hi, bias, acc, acc32, cnt, scratch, scratch_bytes, -1) == 0)
            return 0;
        if (acc32)
            return -1;
        fill_bias(bias, npos, c_out, co_lo, co_hi, acc);
        myelin_kernel_synapse_i(in, h, w, c_in, wt, c_out, kernel, co_lo, co_hi, acc, cnt);
        return 0;
    }
    if ((wt->p8 || (wt->column && wt->w16)) && scratch) {
        int64_t n = npos * c_in;
        int64_t nz = nz_known >= 0 ? nz_known : myelin_kernel_nonzero(in, n);
        int width = co_hi - co_lo;
        if (nz == 0 && acc32) { /* no input fires: the bias alone (the scatter adds nothing) */
            for (int64_t p = 0; p < npos; p++)
                for (int j = co_lo; j < co_hi; j++)
                    acc32[p * c_out + j] = bias ? (int32_t)bias[j] : 0;
            return 0;
        }
        /* slices of at most MYELIN_INT_NARROW_CO channels with int8 weights: the dense path
         * (16- or 32-wide panels) or the scatter, never the column path */
        int tiny = wt->p8 && width <= MYELIN_INT_NARROW_CO;
        int narrow = width < MYELIN_COLUMN_NARROW_CO;
        int small = width <= MYELIN_INT_SMALL_CO;
        int below = kernel > 1 ? (small ? nz * MYELIN_COLUMN_SMALL_CONV_DEN < n
                                        : nz * MYELIN_COLUMN_CONV_DEN < n * MYELIN_COLUMN_CONV_NUM)
                               : (small ? nz * MYELIN_COLUMN_SMALL_LIN_DEN < n
                                        : nz * MYELIN_COLUMN_RATE_DEN < n);
        /* the int32 tile path: slices of at most MYELIN_INT_NARROW_CO channels, and 3x3
         * convolutions and linear layers of at most MYELIN_INT_SMALL_CO, below their rates */
        int64_t tden = tiny ? MYELIN_TILE_RATE_DEN
                       : small ? (kernel > 1 ? MYELIN_TILE_CONV_DEN : MYELIN_TILE_LIN_DEN)
                               : 0;
        int take = force < 0 ? tden > 0 && nz * tden < n : force == MYELIN_PATH_TILE;
        if (take && wt->w16 &&
            tile_i16_run(in, h, w, c_in, wt->w16, wt->wmax, c_out, kernel, co_lo, co_hi, bias, acc,
                         acc32, cnt, scratch, scratch_bytes, -1, vknown) == 0)
            return 0;
        take = force < 0 ? below && !tiny && (!narrow || wt->p8 || nz * MYELIN_COLUMN_NARROW_DEN >= n)
                         : force == MYELIN_PATH_COLUMN;
        if (take && wt->column && wt->w16) {
            if (acc32) {
                if (column_i16_run(in, h, w, c_in, wt->w16, wt->wmax, c_out, kernel, co_lo, co_hi,
                                   bias, NULL, acc32, cnt, scratch, -1) == 0)
                    return 0;
            } else {
                if (bias)
                    fill_bias(bias, npos, c_out, co_lo, co_hi, acc);
                bias = NULL; /* acc holds it now, whatever path follows */
                if (column_i16_run(in, h, w, c_in, wt->w16, wt->wmax, c_out, kernel, co_lo, co_hi,
                                   NULL, acc, NULL, cnt, scratch, -1) == 0)
                    return 0;
            }
        }
        /* small slices: dense wherever the tile and column rates above stop (no gap where the
         * scatter would run) */
        int64_t den = tiny || (small && wt->p8) ? MYELIN_INT_NARROW_DEN
                      : width >= MYELIN_DENSE_WIDE_CO ? MYELIN_DENSE_RATE_WIDE
                                                      : MYELIN_DENSE_RATE_NARROW;
        /* 1x1 layers with int32 currents: the row-sparse path below its rate (groups of four
         * input channels mostly empty), VNNI only */
        take = force < 0 ? kernel == 1 && wt->p8 && nz * MYELIN_ROWSPARSE_RATE_DEN < n
                         : force == MYELIN_PATH_ROWSPARSE;
        if (take && acc32 && kernel == 1 && co_lo == 0 && co_hi == c_out && nz > 0 &&
            rowsparse_run(in, npos, c_in, wt->p8, wt->wmax, c_out, bias, acc32, cnt, scratch,
                          scratch_bytes) == 0)
            return 0;
        take = force < 0 ? nz * den >= n : force == MYELIN_PATH_DENSE;
        if (take && wt->p8 && nz > 0) {
            int rc = bias || acc32
                         ? dense_i8_zp_run(in, h, w, c_in, wt->p8, wt->p8r, wt->wmax, 0, c_out,
                                           kernel, co_lo, co_hi, bias, acc, acc32, cnt, scratch,
                                           scratch_bytes, -1)
                         : myelin_kernel_dense_i8(in, h, w, c_in, wt->p8, wt->wmax, c_out, kernel,
                                                  co_lo, co_hi, acc, cnt, scratch, -1);
            if (rc == 0)
                return 0;
        }
    }
    if (acc32)
        return -1;
    if (bias)
        fill_bias(bias, npos, c_out, co_lo, co_hi, acc);
    myelin_kernel_synapse_i(in, h, w, c_in, wt, c_out, kernel, co_lo, co_hi, acc, cnt);
    return 0;
}

void myelin_kernel_synapse_iw(const int32_t *in, int h, int w, int c_in, const myelin_kweights *wt,
                              int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                              myelin_kcounts *cnt, uint8_t *scratch)
{
    synapse_iw_run(in, h, w, c_in, wt, c_out, kernel, co_lo, co_hi, 0, NULL, acc, NULL, cnt,
                   scratch, 0, -1, -1, -1);
}

void myelin_kernel_synapse_iw_set(const int32_t *in, int h, int w, int c_in,
                                  const myelin_kweights *wt, int c_out, int kernel, int co_lo,
                                  int co_hi, int32_t zp, const int64_t *bias, int64_t *acc,
                                  myelin_kcounts *cnt, uint8_t *scratch, int64_t scratch_bytes)
{
    synapse_iw_run(in, h, w, c_in, wt, c_out, kernel, co_lo, co_hi, zp, bias, acc, NULL, cnt,
                   scratch, scratch_bytes, -1, -1, -1);
}

/* max |bias[j]| (INT64_MAX for INT64_MIN), a loop the compiler vectorises */
MYELIN_KERNEL_CLONES
static int64_t bias_absmax(const int64_t *bias, int c_out)
{
    int64_t lo = 0, hi = 0;
    for (int j = 0; j < c_out; j++) {
        lo = bias[j] < lo ? bias[j] : lo;
        hi = bias[j] > hi ? bias[j] : hi;
    }
    return lo == INT64_MIN ? INT64_MAX : (-lo > hi ? -lo : hi);
}

int64_t myelin_kernel_iw_bound(int c_in, int kernel, int32_t wmax, int64_t vmax,
                               const int64_t *bias, int c_out)
{
    int64_t bmax = bias ? bias_absmax(bias, c_out) : 0;
    if (wmax < 0 || vmax < 0 || bmax > INT32_MAX)
        return INT64_MAX;
    int64_t k = (int64_t)kernel * kernel * c_in;
    if (k > 0 && wmax > 0 && vmax > INT64_MAX / 4 / k / wmax)
        return INT64_MAX;
    return bmax + k * wmax * vmax;
}

int myelin_kernel_synapse_iw_set32_path(const int32_t *in, int h, int w, int c_in,
                                        const myelin_kweights *wt, int c_out, int kernel,
                                        int32_t zp, const int64_t *bias, int32_t *acc32,
                                        myelin_kcounts *cnt, uint8_t *scratch,
                                        int64_t scratch_bytes, int64_t vmax, int64_t nz, int path)
{
    if (!acc32 || path < -1 || path > MYELIN_PATH_ROWSPARSE || vmax < 0 ||
        myelin_kernel_iw_bound(c_in, kernel, wt->wmax, vmax, bias, c_out) > INT32_MAX)
        return -1;
    return synapse_iw_run(in, h, w, c_in, wt, c_out, kernel, 0, c_out, zp, bias, NULL, acc32, cnt,
                          scratch, scratch_bytes, path, vmax, nz);
}

int myelin_kernel_synapse_iw_set32(const int32_t *in, int h, int w, int c_in,
                                   const myelin_kweights *wt, int c_out, int kernel, int32_t zp,
                                   const int64_t *bias, int32_t *acc32, myelin_kcounts *cnt,
                                   uint8_t *scratch, int64_t scratch_bytes, int64_t vmax, int64_t nz)
{
    return myelin_kernel_synapse_iw_set32_path(in, h, w, c_in, wt, c_out, kernel, zp, bias, acc32,
                                               cnt, scratch, scratch_bytes, vmax, nz, -1);
}

/* ---- Dense double path (float mode's path for high-rate layers) ----
 *
 * C[P][Co] = A[P][K] B[K][Co] in double: A the input gathered per output position (im2col, int32
 * spike values converted exactly to double), B the double weights packed by
 * myelin_kernel_dense_pack_d in panels of 32 output channels (B[panel][k][32], zero-padded, and
 * a row K of zeros per panel that the event-driven panel path pads its lists with), a
 * 6-row x 32-channel block of C in registers (AVX-512F: 24 zmm accumulators, one FMA per 8 MACs;
 * AVX2+FMA: 3 rows x 16 channels per pass; or the portable loop).  acc += C.  Every product is
 * the one the scatter forms; only the order of the double additions differs (per output, k in
 * tap-major order, fused multiply-adds), so acc agrees with myelin_kernel_scatter_id to rounding.
 * Counts are the scatter's, exactly. */
#define DENSE_NPD MYELIN_DENSE_D_NP /* output channels per double panel */
#define DENSE_RBD 24 /* output positions per double im2col block */

int64_t myelin_kernel_dense_packed_d_len(int c_in, int c_out, int kernel)
{
    int64_t panels = (c_out + DENSE_NPD - 1) / DENSE_NPD;
    return panels * ((int64_t)kernel * kernel * c_in + 1) * DENSE_NPD;
}

int64_t myelin_kernel_dense_scratch_d_bytes(int c_in, int kernel)
{
    return ((int64_t)DENSE_RBD * kernel * kernel * c_in + (int64_t)DENSE_RBD * DENSE_NPD) *
               (int64_t)sizeof(double) + 64;
}

void myelin_kernel_dense_pack_d(const double *wf, int c_in, int c_out, int kernel, double *packed)
{
    int64_t K = (int64_t)kernel * kernel * c_in;
    int panels = (c_out + DENSE_NPD - 1) / DENSE_NPD;
    for (int pn = 0; pn < panels; pn++)
        for (int64_t k = 0; k <= K; k++) /* row K: zeros (myelin_kernel_panel_d's padding) */
            for (int j = 0; j < DENSE_NPD; j++) {
                int co = pn * DENSE_NPD + j;
                packed[((int64_t)pn * (K + 1) + k) * DENSE_NPD + j] =
                    co < c_out && k < K ? wf[k * c_out + co] : 0.0;
            }
}

static void dense_block_d_c(const double *A, int rows, int64_t K, const double *B, double *C)
{
    for (int r = 0; r < rows; r++) {
        double *c = C + (int64_t)r * DENSE_NPD;
        for (int j = 0; j < DENSE_NPD; j++)
            c[j] = 0.0;
        const double *a = A + r * K;
        for (int64_t k = 0; k < K; k++) {
            double av = a[k];
            const double *b = B + k * DENSE_NPD;
            for (int j = 0; j < DENSE_NPD; j++)
                c[j] += av * b[j];
        }
    }
}

#ifdef MYELIN_DENSE_X86
__attribute__((target("avx512f"))) static void dense_block_d_avx512(const double *A, int rows,
                                                                    int64_t K, const double *B,
                                                                    double *C)
{
    for (int r0 = 0; r0 < rows; r0 += 6) {
        const double *a = A + r0 * K;
        __m512d c00 = _mm512_setzero_pd(), c01 = c00, c02 = c00, c03 = c00;
        __m512d c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00;
        __m512d c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00;
        __m512d c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int64_t k = 0; k < K; k++) {
            const double *b = B + k * DENSE_NPD;
            __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8);
            __m512d b2 = _mm512_loadu_pd(b + 16), b3 = _mm512_loadu_pd(b + 24);
#define DENSE_ROWD512(R)                                                                          \
    do {                                                                                          \
        __m512d x = _mm512_set1_pd(a[(R) * K + k]);                                               \
        c##R##0 = _mm512_fmadd_pd(x, b0, c##R##0);                                                \
        c##R##1 = _mm512_fmadd_pd(x, b1, c##R##1);                                                \
        c##R##2 = _mm512_fmadd_pd(x, b2, c##R##2);                                                \
        c##R##3 = _mm512_fmadd_pd(x, b3, c##R##3);                                                \
    } while (0)
            DENSE_ROWD512(0);
            DENSE_ROWD512(1);
            DENSE_ROWD512(2);
            DENSE_ROWD512(3);
            DENSE_ROWD512(4);
            DENSE_ROWD512(5);
#undef DENSE_ROWD512
        }
        double *c = C + (int64_t)r0 * DENSE_NPD;
#define DENSE_STD512(R)                                                                           \
    do {                                                                                          \
        _mm512_storeu_pd(c + (R) * DENSE_NPD, c##R##0);                                           \
        _mm512_storeu_pd(c + (R) * DENSE_NPD + 8, c##R##1);                                       \
        _mm512_storeu_pd(c + (R) * DENSE_NPD + 16, c##R##2);                                      \
        _mm512_storeu_pd(c + (R) * DENSE_NPD + 24, c##R##3);                                      \
    } while (0)
        DENSE_STD512(0);
        DENSE_STD512(1);
        DENSE_STD512(2);
        DENSE_STD512(3);
        DENSE_STD512(4);
        DENSE_STD512(5);
#undef DENSE_STD512
    }
}

__attribute__((target("avx2,fma"))) static void dense_block_d_avx2(const double *A, int rows,
                                                                   int64_t K, const double *B,
                                                                   double *C)
{
    for (int half = 0; half < 2; half++)
        for (int r0 = 0; r0 < rows; r0 += 3) {
            const double *a = A + r0 * K;
            __m256d c00 = _mm256_setzero_pd(), c01 = c00, c02 = c00, c03 = c00;
            __m256d c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00;
            __m256d c23 = c00;
            for (int64_t k = 0; k < K; k++) {
                const double *b = B + k * DENSE_NPD + half * 16;
                __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
                __m256d b2 = _mm256_loadu_pd(b + 8), b3 = _mm256_loadu_pd(b + 12);
#define DENSE_ROWD256(R)                                                                          \
    do {                                                                                          \
        __m256d x = _mm256_set1_pd(a[(R) * K + k]);                                               \
        c##R##0 = _mm256_fmadd_pd(x, b0, c##R##0);                                                \
        c##R##1 = _mm256_fmadd_pd(x, b1, c##R##1);                                                \
        c##R##2 = _mm256_fmadd_pd(x, b2, c##R##2);                                                \
        c##R##3 = _mm256_fmadd_pd(x, b3, c##R##3);                                                \
    } while (0)
                DENSE_ROWD256(0);
                DENSE_ROWD256(1);
                DENSE_ROWD256(2);
#undef DENSE_ROWD256
            }
            double *c = C + (int64_t)r0 * DENSE_NPD + half * 16;
#define DENSE_STD256(R)                                                                           \
    do {                                                                                          \
        _mm256_storeu_pd(c + (R) * DENSE_NPD, c##R##0);                                           \
        _mm256_storeu_pd(c + (R) * DENSE_NPD + 4, c##R##1);                                       \
        _mm256_storeu_pd(c + (R) * DENSE_NPD + 8, c##R##2);                                       \
        _mm256_storeu_pd(c + (R) * DENSE_NPD + 12, c##R##3);                                      \
    } while (0)
            DENSE_STD256(0);
            DENSE_STD256(1);
            DENSE_STD256(2);
#undef DENSE_STD256
        }
}
#endif

MYELIN_KERNEL_CLONES
void myelin_kernel_dense_d(const int32_t *in, int h, int w, int c_in, const double *packed,
                           int c_out, int kernel, int co_lo, int co_hi, double *acc,
                           myelin_kcounts *cnt, uint8_t *scratch, int isa)
{
    int64_t events, synops;
    int32_t vmin, vmax;
    dense_prepare(in, h, w, c_in, kernel, co_hi - co_lo, &events, &synops, &vmin, &vmax);
    int best = myelin_kernel_dense_isa();
    if (isa < 0 || isa > best)
        isa = best;
    void (*block)(const double *, int, int64_t, const double *, double *) = dense_block_d_c;
#ifdef MYELIN_DENSE_X86
    if (isa == 2)
        block = dense_block_d_avx512;
    else if (isa == 1 && __builtin_cpu_supports("fma"))
        block = dense_block_d_avx2;
#endif
    int pad = kernel / 2;
    int64_t K = (int64_t)kernel * kernel * c_in;
    double *A = (double *)(void *)scratch;
    double *C = A + (int64_t)DENSE_RBD * K;
    int64_t npos = (int64_t)h * w;
    for (int64_t p0 = 0; p0 < npos; p0 += DENSE_RBD) {
        int rows = npos - p0 < DENSE_RBD ? (int)(npos - p0) : DENSE_RBD;
        int rows_pad = (rows + 5) / 6 * 6;
        for (int r = 0; r < rows_pad; r++) {
            double *a = A + r * K;
            if (r >= rows) {
                for (int64_t k = 0; k < K; k++)
                    a[k] = 0.0;
                continue;
            }
            int oy = (int)((p0 + r) / w), ox = (int)((p0 + r) % w);
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++) {
                    double *restrict dst = a + (int64_t)(ky * kernel + kx) * c_in;
                    int y = oy + ky - pad, x = ox + kx - pad;
                    if (y < 0 || y >= h || x < 0 || x >= w) {
                        for (int ci = 0; ci < c_in; ci++)
                            dst[ci] = 0.0;
                        continue;
                    }
                    const int32_t *restrict src = in + ((int64_t)y * w + x) * c_in;
                    for (int ci = 0; ci < c_in; ci++)
                        dst[ci] = (double)src[ci];
                }
        }
        for (int pn = co_lo / DENSE_NPD; pn * DENSE_NPD < co_hi; pn++) {
            block(A, rows_pad, K, packed + (int64_t)pn * (K + 1) * DENSE_NPD, C);
            int j0 = co_lo > pn * DENSE_NPD ? co_lo - pn * DENSE_NPD : 0;
            int j1 = co_hi < (pn + 1) * DENSE_NPD ? co_hi - pn * DENSE_NPD : DENSE_NPD;
            for (int r = 0; r < rows; r++) {
                double *restrict ar = acc + (p0 + r) * c_out + pn * DENSE_NPD;
                const double *restrict cr = C + (int64_t)r * DENSE_NPD;
                for (int j = j0; j < j1; j++)
                    ar[j] += cr[j];
            }
        }
    }
    if (cnt) {
        cnt->events += events;
        cnt->synops += synops;
    }
}

void myelin_kernel_synapse_dw(const int32_t *in, int h, int w, int c_in, const double *wf,
                              const double *packed, int c_out, int kernel, int co_lo, int co_hi,
                              double *acc, myelin_kcounts *cnt, uint8_t *scratch, int column)
{
    if (packed && scratch && kernel >= 1 && kernel <= 3 && co_lo >= 0 && co_lo < co_hi &&
        co_hi <= c_out) {
        int64_t n = (int64_t)h * w * c_in;
        int64_t nz = myelin_kernel_nonzero(in, n);
        int64_t den = co_hi - co_lo >= MYELIN_DENSE_WIDE_CO ? MYELIN_DENSE_RATE_WIDE
                                                            : MYELIN_DENSE_RATE_NARROW;
        /* slices of 65-127 channels: the panel kernel beats the scatter from 1/32 on (the dense
         * path does not: it stays above 1/8) */
        if (column && co_hi - co_lo > MYELIN_COLUMN_D_NARROW_CO && nz * den < n &&
            nz * MYELIN_COLUMN_D_MIN_DEN >= n && nz > 0 &&
            myelin_kernel_column_d(in, h, w, c_in, wf, packed, c_out, kernel, co_lo, co_hi, acc,
                                   cnt, scratch) == 0)
            return;
        if (nz * den >= n && nz > 0) {
            /* the dense path's regime: its exact sums from the nonzero inputs when that pays */
            int64_t num = MYELIN_COLUMN_D_RATE_NUM, cden = MYELIN_COLUMN_D_RATE_DEN;
            if (co_hi - co_lo <= MYELIN_COLUMN_D_NARROW_CO) {
                num = MYELIN_COLUMN_D_NARROW_NUM;
                cden = MYELIN_COLUMN_D_NARROW_DEN;
            } else if (kernel > 1 && co_hi - co_lo < MYELIN_DENSE_WIDE_CO) {
                num = MYELIN_COLUMN_D_CONV_NUM;
                cden = MYELIN_COLUMN_D_CONV_DEN;
            }
            if (column && nz * cden < n * num &&
                myelin_kernel_column_d(in, h, w, c_in, wf, packed, c_out, kernel, co_lo, co_hi,
                                       acc, cnt, scratch) == 0)
                return;
            myelin_kernel_dense_d(in, h, w, c_in, packed, c_out, kernel, co_lo, co_hi, acc, cnt,
                                  scratch, -1);
            return;
        }
    }
    myelin_kernel_scatter_id(in, h, w, c_in, wf, c_out, kernel, co_lo, co_hi, acc, cnt);
}

#ifdef MYELIN_DENSE_X86
/* One LIF step of 16 neurons (lanes in m16) of lif_steps_body: H = V + floor((X - V) / 2), a
 * spike (1 stored at out) where H >= threshold, V = 0 there and H elsewhere; counts the spikes in
 * *csp and the saturated currents (mask xs) in *cxs.  Returns the new V. */
static inline __attribute__((always_inline, target("avx512f"))) __m512i
lif16_step(__m512i v, __m512i x, __m512i vth, __mmask16 m16, int32_t *out, __mmask16 xs, __m512i *csp,
           __m512i *cxs)
{
    const __m512i one = _mm512_set1_epi32(1);
    __m512i hv = _mm512_add_epi32(v, _mm512_srai_epi32(_mm512_sub_epi32(x, v), 1));
    __mmask16 sp = _mm512_mask_cmpge_epi32_mask(m16, hv, vth);
    _mm512_mask_storeu_epi32(out, m16, _mm512_maskz_mov_epi32(sp, one));
    *csp = _mm512_mask_add_epi32(*csp, sp, *csp, one);
    *cxs = _mm512_mask_add_epi32(*cxs, xs, *cxs, one);
    return _mm512_maskz_mov_epi32((__mmask16)~sp, hv);
}
#endif

/* ---- LIF over all timesteps at once (layer-major execution) ----
 *
 * lif_i_rows32's integers with the T steps of a neuron in one register pass: per 16 channels of
 * a position, V starts at 0 in a register and goes through the T currents.  X in int64 lanes:
 * k <= 0: a > top ? hi_m : a < bot ? lo_m : a << -k (top = hi_m >> -k, bot = -((hi_m + 1) >> -k):
 * rescale_sat's test); k > 0 (only computed when some channel has it): (a >> k) + bit k-1 of a,
 * clamped to m bits (lif_i_rows' round half up, proof there), the channel's k picking one;
 * then narrowed to int32 (|X| <= 2^(m-1)): V and X lie in [-2^(m-1), 2^(m-1)), so X - V needs
 * m + 1 <= 32 bits for m <= 31 and the int32 H = V + ((X - V) >> 1) (arithmetic shift: floor) is
 * the int64 one.  H lies between V and X (0 <= floor((X - V) / 2) <= X - V, or the same
 * reversed), so the reference's clamp of H never acts: h_sat is 0 here, as the reference counts
 * it.  The comparison with theta (|theta| < 2^(m-1) fits int32) is then the same. */
#ifdef MYELIN_DENSE_X86
#define LIF_STEPS_CH 256 /* channels whose limits are kept on the stack at a time */
#define LIF_STEPS_MAXT 16 /* the counters of every step stay in registers */
/* The counts are kept per step in vector lanes (int32 lanes: each counts at most nn / 16 + 1
 * events; the caller bounds nn by INT32_MAX) and reduced once.  Inlined with T = 4 (every zoo
 * model) so the steps unroll and the counters are registers. */
static inline __attribute__((always_inline, target("avx512f"))) void
lif_steps_body(const int64_t *acc, int64_t acc_step, int32_t *s, int64_t s_step, int64_t rows,
               const int T, int c, const int *shift, const int64_t *theta, int membrane_bits,
               myelin_kcounts *cnt)
{
    __m512i csp[LIF_STEPS_MAXT], cxs[LIF_STEPS_MAXT];
    for (int t = 0; t < T; t++)
        csp[t] = cxs[t] = _mm512_setzero_si512();
    int64_t hi_m = ((int64_t)1 << (membrane_bits - 1)) - 1, lo_m = -hi_m - 1;
    int64_t top[LIF_STEPS_CH], bot[LIF_STEPS_CH], lsh[LIF_STEPS_CH], rsh[LIF_STEPS_CH];
    int32_t th[LIF_STEPS_CH], top32[LIF_STEPS_CH], bot32[LIF_STEPS_CH], lsh32[LIF_STEPS_CH];
    int any_right = 0;
    for (int ch = 0; ch < c; ch++)
        any_right |= shift[ch] > 0;
    const __m512i one64 = _mm512_set1_epi64(1), zero64 = _mm512_setzero_si512();
    const __m512i vhi64 = _mm512_set1_epi64(hi_m), vlo64 = _mm512_set1_epi64(lo_m);
    const __m512i vhi32 = _mm512_set1_epi32((int32_t)hi_m), vlo32 = _mm512_set1_epi32((int32_t)lo_m);
    for (int c0 = 0; c0 < c; c0 += LIF_STEPS_CH) {
        int cn = c - c0 < LIF_STEPS_CH ? c - c0 : LIF_STEPS_CH;
        for (int ch = 0; ch < cn; ch++) {
            int64_t k = shift[c0 + ch], l = k > 0 ? 0 : -k;
            rsh[ch] = k; /* > 0: the right shift (rounded half up), else 0 */
            lsh[ch] = l;
            top[ch] = hi_m >> l;
            bot[ch] = -((hi_m + 1) >> l);
            th[ch] = (int32_t)theta[c0 + ch];
            top32[ch] = (int32_t)top[ch]; /* |top|, |bot| <= 2^(m-1) <= 2^30 */
            bot32[ch] = (int32_t)bot[ch];
            lsh32[ch] = (int32_t)l; /* a shift of 32 or more gives 0 (then top = bot = 0) */
        }
        for (int64_t r = 0; r < rows; r++) {
            int64_t base = r * c + c0;
            for (int g = 0; g < cn; g += 16) {
                int wd = cn - g < 16 ? cn - g : 16;
                __mmask16 m16 = (__mmask16)((1u << wd) - 1);
                __mmask8 ma = (__mmask8)(m16 & 0xff), mb = (__mmask8)(m16 >> 8);
                __m512i topa = _mm512_maskz_loadu_epi64(ma, top + g);
                __m512i topb = _mm512_maskz_loadu_epi64(mb, top + g + 8);
                __m512i bota = _mm512_maskz_loadu_epi64(ma, bot + g);
                __m512i botb = _mm512_maskz_loadu_epi64(mb, bot + g + 8);
                __m512i lsa = _mm512_maskz_loadu_epi64(ma, lsh + g);
                __m512i lsb = _mm512_maskz_loadu_epi64(mb, lsh + g + 8);
                __m512i vth = _mm512_maskz_loadu_epi32(m16, th + g);
                __m512i ka = _mm512_maskz_loadu_epi64(ma, rsh + g);
                __m512i kb = _mm512_maskz_loadu_epi64(mb, rsh + g + 8);
                __mmask8 ra = _mm512_mask_cmpgt_epi64_mask(ma, ka, zero64);
                __mmask8 rb = _mm512_mask_cmpgt_epi64_mask(mb, kb, zero64);
                __m512i v = _mm512_setzero_si512();
                if (!any_right) {
                    /* every k <= 0: X = a > top ? hi_m : a < bot ? lo_m : a << -k in 16 int32
                     * lanes.  a narrowed with signed saturation (vpmovsqd) keeps its order
                     * against top and bot (both within int32), so the tests are the int64 ones;
                     * for bot <= a <= top, a fits int32 and a << -k lies in [lo_m, hi_m] (the
                     * definitions of top and bot), so the int32 shift is the int64 one. */
                    __m512i top16 = _mm512_maskz_loadu_epi32(m16, top32 + g);
                    __m512i bot16 = _mm512_maskz_loadu_epi32(m16, bot32 + g);
                    __m512i ls16 = _mm512_maskz_loadu_epi32(m16, lsh32 + g);
                    for (int t = 0; t < T; t++) {
                        const int64_t *a = acc + (int64_t)t * acc_step + base + g;
                        __m512i a32 = _mm512_inserti64x4(
                            _mm512_castsi256_si512(
                                _mm512_cvtsepi64_epi32(_mm512_maskz_loadu_epi64(ma, a))),
                            _mm512_cvtsepi64_epi32(_mm512_maskz_loadu_epi64(mb, a + 8)), 1);
                        __mmask16 hi = _mm512_mask_cmpgt_epi32_mask(m16, a32, top16);
                        __mmask16 lo = _mm512_mask_cmplt_epi32_mask(m16, a32, bot16);
                        __m512i x = _mm512_sllv_epi32(a32, ls16);
                        x = _mm512_mask_mov_epi32(x, hi, vhi32);
                        x = _mm512_mask_mov_epi32(x, lo, vlo32);
                        v = lif16_step(v, x, vth, m16, s + (int64_t)t * s_step + base + g,
                                       _mm512_kor(hi, lo), &csp[t], &cxs[t]);
                    }
                    continue;
                }
                for (int t = 0; t < T; t++) {
                    const int64_t *a = acc + (int64_t)t * acc_step + base + g;
                    __m512i aa = _mm512_maskz_loadu_epi64(ma, a);
                    __m512i ab = _mm512_maskz_loadu_epi64(mb, a + 8);
                    __mmask8 ha = _mm512_mask_cmpgt_epi64_mask(ma, aa, topa);
                    __mmask8 la = _mm512_mask_cmplt_epi64_mask(ma, aa, bota);
                    __mmask8 hb = _mm512_mask_cmpgt_epi64_mask(mb, ab, topb);
                    __mmask8 lb = _mm512_mask_cmplt_epi64_mask(mb, ab, botb);
                    __m512i xa = _mm512_sllv_epi64(aa, lsa), xb = _mm512_sllv_epi64(ab, lsb);
                    xa = _mm512_mask_mov_epi64(xa, ha, vhi64);
                    xa = _mm512_mask_mov_epi64(xa, la, vlo64);
                    xb = _mm512_mask_mov_epi64(xb, hb, vhi64);
                    xb = _mm512_mask_mov_epi64(xb, lb, vlo64);
                    if (any_right) { /* channels with k > 0: (a >> k) + bit k-1 of a, clamped */
                        __m512i k1a = _mm512_sub_epi64(ka, one64), k1b = _mm512_sub_epi64(kb, one64);
                        __m512i ya = _mm512_add_epi64(
                            _mm512_srav_epi64(aa, ka),
                            _mm512_and_si512(_mm512_srav_epi64(aa, k1a), one64));
                        __m512i yb = _mm512_add_epi64(
                            _mm512_srav_epi64(ab, kb),
                            _mm512_and_si512(_mm512_srav_epi64(ab, k1b), one64));
                        __m512i ca = _mm512_min_epi64(_mm512_max_epi64(ya, vlo64), vhi64);
                        __m512i cb = _mm512_min_epi64(_mm512_max_epi64(yb, vlo64), vhi64);
                        __mmask8 sa = _mm512_mask_cmpneq_epi64_mask(ra, ya, ca);
                        __mmask8 sb = _mm512_mask_cmpneq_epi64_mask(rb, yb, cb);
                        xa = _mm512_mask_mov_epi64(xa, ra, ca);
                        xb = _mm512_mask_mov_epi64(xb, rb, cb);
                        ha = (__mmask8)((ha & ~ra) | sa); /* the right channels' saturation */
                        la = (__mmask8)(la & ~ra);
                        hb = (__mmask8)((hb & ~rb) | sb);
                        lb = (__mmask8)(lb & ~rb);
                    }
                    __m512i x = _mm512_inserti64x4(
                        _mm512_castsi256_si512(_mm512_cvtepi64_epi32(xa)),
                        _mm512_cvtepi64_epi32(xb), 1);
                    __mmask16 xs = (__mmask16)((unsigned)(ha | la) | ((unsigned)(hb | lb) << 8));
                    /* H = V + floor((X - V) / 2) lies between V and X, both within m bits, so
                     * the reference's clamp of H never acts here: h_sat stays 0 */
                    v = lif16_step(v, x, vth, m16, s + (int64_t)t * s_step + base + g, xs, &csp[t],
                                   &cxs[t]);
                }
            }
        }
    }
    for (int t = 0; t < T; t++) {
        cnt[t].spikes += _mm512_reduce_add_epi32(csp[t]);
        cnt[t].x_sat += _mm512_reduce_add_epi32(cxs[t]);
    }
}

__attribute__((target("avx512f"))) static void
lif_steps_avx512_t4(const int64_t *acc, int64_t acc_step, int32_t *s, int64_t s_step, int64_t rows,
                    int c, const int *shift, const int64_t *theta, int membrane_bits,
                    myelin_kcounts *cnt)
{
    lif_steps_body(acc, acc_step, s, s_step, rows, 4, c, shift, theta, membrane_bits, cnt);
}

__attribute__((target("avx512f"))) static void
lif_steps_avx512(const int64_t *acc, int64_t acc_step, int32_t *s, int64_t s_step, int64_t rows,
                 int T, int c, const int *shift, const int64_t *theta, int membrane_bits,
                 myelin_kcounts *cnt)
{
    if (T == 4)
        lif_steps_avx512_t4(acc, acc_step, s, s_step, rows, c, shift, theta, membrane_bits, cnt);
    else
        lif_steps_body(acc, acc_step, s, s_step, rows, T, c, shift, theta, membrane_bits, cnt);
}
#endif

/* What the T-step LIFs take (both kernels): every |k| <= 62 and every threshold within m bits;
 * branch-free over the channels, one type a loop (vectorised: it runs on every call). */
static int lif_steps_params_ok(int c, const int *shift, const int64_t *theta, int membrane_bits)
{
    int64_t hi_m = ((int64_t)1 << (membrane_bits - 1)) - 1;
    int bad = 0;
    for (int ch = 0; ch < c; ch++)
        bad |= (shift[ch] > 62) | (shift[ch] < -62);
    for (int ch = 0; ch < c; ch++)
        bad |= (theta[ch] > hi_m) | (theta[ch] < -hi_m - 1);
    return !bad;
}

int myelin_kernel_lif_i_steps(const int64_t *acc, int64_t acc_step, int32_t *s, int64_t s_step,
                              int64_t nn, int T, int c, const int *shift, const int64_t *theta,
                              int membrane_bits, myelin_kcounts *cnt, int isa)
{
#ifdef MYELIN_DENSE_X86
    int best = 0;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        best = 2;
    if (isa < 0 || isa > best)
        isa = best;
    if (isa < 2 || membrane_bits < 2 || membrane_bits > 31 || c <= 0 || nn % c != 0 || T <= 0 ||
        T > LIF_STEPS_MAXT || nn > INT32_MAX)
        return -1;
    if (!lif_steps_params_ok(c, shift, theta, membrane_bits))
        return -1;
    lif_steps_avx512(acc, acc_step, s, s_step, nn / c, T, c, shift, theta, membrane_bits, cnt);
    for (int t = 0; t < T; t++)
        cnt[t].neuron_updates += nn;
    return 0;
#else
    (void)acc, (void)acc_step, (void)s, (void)s_step, (void)nn, (void)T, (void)c, (void)shift;
    (void)theta, (void)membrane_bits, (void)cnt, (void)isa;
    return -1;
#endif
}

/* ---- LIF over all timesteps from int32 currents ----
 *
 * myelin_kernel_lif_i_steps' integers when the currents are int32 (the engine's layers whose sums
 * are bounded below 2^31 at build: no int64 current is ever written or read).  X from 16 int32
 * lanes directly:
 *   k <= 0: a > top ? hi_m : a < bot ? lo_m : a << -k, with top = hi_m >> -k and
 *           bot = -((hi_m + 1) >> -k) (rescale_sat's test: both within int32, and for
 *           bot <= a <= top, a << -k lies in [lo_m, hi_m], so the int32 shift is the int64 one);
 *   k > 0:  (a >> k) + bit k-1 of a, clamped to m bits (lif_i_rows' round half up): vpsravd
 *           fills with the sign for counts of 32 or more, which is the int64 a >> k of an int32 a
 *           for every k in 1..62 (and bit k-1 likewise); |a >> k| + 1 <= 2^30 + 1 cannot overflow.
 * Then H = V + floor((X - V) / 2) in int32 (V, X within m <= 31 bits: X - V fits, and H lies
 * between V and X, so the reference's clamp of H never acts: h_sat is 0 here, as there).
 * Lanes: 16 channels at a time per position when c is a multiple of 16; when c divides 16 (1, 2,
 * 4, 8: an image layer's few channels) the flat tensor 16 neurons at a time, the limits repeated
 * every c lanes (whole registers where an 8-channel layer ran half-empty ones); else per position
 * with the last group masked.  acc_step 0 (the image layer: one current every step): X once per
 * neuron, its saturation counted at every step as the reference does.  Counts: popcounts of the
 * step's masks. */
#ifdef MYELIN_DENSE_X86
#define LIF32_CH 256 /* lanes whose limits are kept on the stack at a time */
#define LIF32_MAXT 16 /* steps whose counts are kept at once */
typedef struct lif32_lim {
    int32_t top[LIF32_CH], bot[LIF32_CH], ls[LIF32_CH], k[LIF32_CH], th[LIF32_CH];
    int any_right;
    int fast; /* every k <= 0 and a << -k fits int32 for every current (the caller's bound) */
} lif32_lim;

/* X and its saturation mask of 16 currents (lanes m16) with limits at lane offset g. */
static inline __attribute__((always_inline, target("avx512f"))) __m512i
lif32_x(__m512i a, const lif32_lim *L, int g, __mmask16 m16, int32_t hi_m, __mmask16 *xs)
{
    const __m512i vhi = _mm512_set1_epi32(hi_m), vlo = _mm512_set1_epi32(-hi_m - 1);
    __m512i ls = _mm512_maskz_loadu_epi32(m16, L->ls + g);
    if (L->fast) { /* a << -k exact: X is its clamp, saturated where the clamp acted */
        __m512i x0 = _mm512_sllv_epi32(a, ls);
        __m512i x = _mm512_min_epi32(_mm512_max_epi32(x0, vlo), vhi);
        *xs = _mm512_mask_cmpneq_epi32_mask(m16, x, x0);
        return x;
    }
    __m512i top = _mm512_maskz_loadu_epi32(m16, L->top + g);
    __m512i bot = _mm512_maskz_loadu_epi32(m16, L->bot + g);
    __mmask16 hi = _mm512_mask_cmpgt_epi32_mask(m16, a, top);
    __mmask16 lo = _mm512_mask_cmplt_epi32_mask(m16, a, bot);
    __m512i x = _mm512_sllv_epi32(a, ls);
    x = _mm512_mask_mov_epi32(x, hi, vhi);
    x = _mm512_mask_mov_epi32(x, lo, vlo);
    __mmask16 sat = _mm512_kor(hi, lo);
    if (L->any_right) {
        const __m512i one = _mm512_set1_epi32(1);
        __m512i k = _mm512_maskz_loadu_epi32(m16, L->k + g);
        __mmask16 rm = _mm512_mask_cmpgt_epi32_mask(m16, k, _mm512_setzero_si512());
        __m512i y = _mm512_add_epi32(
            _mm512_srav_epi32(a, k),
            _mm512_and_si512(_mm512_srav_epi32(a, _mm512_sub_epi32(k, one)), one));
        __m512i cl = _mm512_min_epi32(_mm512_max_epi32(y, vlo), vhi);
        x = _mm512_mask_mov_epi32(x, rm, cl);
        sat = (__mmask16)((sat & ~rm) | _mm512_mask_cmpneq_epi32_mask(rm, y, cl));
    }
    *xs = sat;
    return x;
}

/* One row of 16 lanes (m16) through the T steps from V = 0: the spikes of step t also summed
 * into the lanes of cv[t] (reduced by the caller), the saturations counted in cxs[t] (rare: a
 * test of the mask, then a popcount). */
static inline __attribute__((always_inline, target("avx512f"))) void
lif32_row(const int32_t *a, int64_t acc_step, int32_t *s, int64_t s_step, const int T,
          const lif32_lim *L, int g, __mmask16 m16, int32_t hi_m, __m512i *cv, int64_t *cxs)
{
    const __m512i one = _mm512_set1_epi32(1), zero = _mm512_setzero_si512();
    __m512i th = _mm512_maskz_loadu_epi32(m16, L->th + g), v = zero, x = zero;
    __mmask16 xs = 0;
    if (acc_step == 0)
        x = lif32_x(m16 == 0xFFFF ? _mm512_loadu_si512(a) : _mm512_maskz_loadu_epi32(m16, a), L, g,
                    m16, hi_m, &xs);
    for (int t = 0; t < T; t++) {
        if (acc_step != 0) {
            const int32_t *at = a + t * acc_step;
            x = lif32_x(m16 == 0xFFFF ? _mm512_loadu_si512(at) : _mm512_maskz_loadu_epi32(m16, at),
                        L, g, m16, hi_m, &xs);
        }
        __m512i hv = _mm512_add_epi32(v, _mm512_srai_epi32(_mm512_sub_epi32(x, v), 1));
        __mmask16 sp = _mm512_mask_cmpge_epi32_mask(m16, hv, th);
        __m512i sv = _mm512_maskz_mov_epi32(sp, one);
        if (m16 == 0xFFFF) /* a plain store where the row is whole (masked ones are slow) */
            _mm512_storeu_si512(s + t * s_step, sv);
        else
            _mm512_mask_storeu_epi32(s + t * s_step, m16, sv);
        cv[t] = _mm512_add_epi32(cv[t], sv);
        if (__builtin_expect(xs != 0, 0))
            cxs[t] += __builtin_popcount((unsigned)xs);
        v = _mm512_mask_mov_epi32(hv, sp, zero);
    }
}

static inline __attribute__((always_inline, target("avx512f"))) void
lif32_body(const int32_t *acc, int64_t acc_step, int32_t *s, int64_t s_step, int64_t nn,
           const int T, int c, const int *shift, const int64_t *theta, int32_t hi_m,
           int64_t abound, lif32_lim *L, int64_t *csp, int64_t *cxs)
{
    /* spike counts in int32 lanes: each lane counts at most nn / 16 + 1 <= INT32_MAX spikes
     * (the caller bounds nn) */
    __m512i cv[LIF32_MAXT];
    for (int t = 0; t < T; t++)
        cv[t] = _mm512_setzero_si512();
    int flat = c < 16 && 16 % c == 0;
    int lanes = flat ? 16 : c; /* lanes of one row */
    for (int c0 = 0; c0 < lanes; c0 += LIF32_CH) {
        int cn = lanes - c0 < LIF32_CH ? lanes - c0 : LIF32_CH;
        L->any_right = 0;
        L->fast = abound >= 0;
        for (int j = 0; j < cn; j++) {
            int ch = flat ? j % c : c0 + j, k = shift[ch], l = k > 0 ? 0 : -k;
            L->any_right |= k > 0;
            L->fast = L->fast && k <= 0 && l <= 30 && abound <= (INT32_MAX >> l);
            L->k[j] = k > 0 ? k : 0;
            L->ls[j] = l > 31 ? 31 : l; /* l >= 31: top = bot = 0, so a << l is never used */
            L->top[j] = k > 0 ? hi_m : (int32_t)((int64_t)hi_m >> l);
            L->bot[j] = k > 0 ? -hi_m - 1 : (int32_t)(-(((int64_t)hi_m + 1) >> l));
            L->th[j] = (int32_t)theta[ch];
        }
        if (flat) { /* nn / 16 whole rows, then the rest (a multiple of c) masked */
            int64_t r = 0;
            for (; r + 16 <= nn; r += 16)
                lif32_row(acc + r, acc_step, s + r, s_step, T, L, 0, 0xFFFF, hi_m, cv, cxs);
            if (r < nn)
                lif32_row(acc + r, acc_step, s + r, s_step, T, L, 0,
                          (__mmask16)((1u << (nn - r)) - 1), hi_m, cv, cxs);
            break;
        }
        int full = cn / 16 * 16;
        for (int64_t p = 0; p < nn; p += c) {
            for (int g = 0; g < full; g += 16) /* whole rows: a constant mask */
                lif32_row(acc + p + c0 + g, acc_step, s + p + c0 + g, s_step, T, L, g, 0xFFFF,
                          hi_m, cv, cxs);
            if (full < cn)
                lif32_row(acc + p + c0 + full, acc_step, s + p + c0 + full, s_step, T, L, full,
                          (__mmask16)((1u << (cn - full)) - 1), hi_m, cv, cxs);
        }
    }
    for (int t = 0; t < T; t++)
        csp[t] += _mm512_reduce_add_epi32(cv[t]);
}

__attribute__((target("avx512f"))) static void
lif32_avx512(const int32_t *acc, int64_t acc_step, int32_t *s, int64_t s_step, int64_t nn, int T,
             int c, const int *shift, const int64_t *theta, int32_t hi_m, int64_t abound,
             int64_t *csp, int64_t *cxs)
{
    lif32_lim L;
    if (T == 4) { /* every zoo model: the steps unroll, the counts stay in registers */
        int64_t a[4] = {0}, b[4] = {0};
        lif32_body(acc, acc_step, s, s_step, nn, 4, c, shift, theta, hi_m, abound, &L, a, b);
        for (int t = 0; t < 4; t++)
            csp[t] += a[t], cxs[t] += b[t];
        return;
    }
    lif32_body(acc, acc_step, s, s_step, nn, T, c, shift, theta, hi_m, abound, &L, csp, cxs);
}
#endif

#define LIF32_BLOCK 4096 /* neurons per block of the portable path (its buffers on the stack) */

int myelin_kernel_lif_i_steps32(const int32_t *acc, int64_t acc_step, int32_t *s, int64_t s_step,
                                int64_t nn, int T, int c, const int *shift, const int64_t *theta,
                                int membrane_bits, int64_t abound, myelin_kcounts *cnt, int isa)
{
    if (membrane_bits < 2 || membrane_bits > 31 || c <= 0 || nn % c != 0 || T <= 0 ||
        T > LIF32_MAXT || nn > INT32_MAX)
        return -1;
    if (!lif_steps_params_ok(c, shift, theta, membrane_bits))
        return -1;
    int64_t hi_m = ((int64_t)1 << (membrane_bits - 1)) - 1;
    int best = 0;
#ifdef MYELIN_DENSE_X86
    best = myelin_kernel_dense_isa() == 2 ? 2 : 0; /* AVX-512F (and BW) */
#endif
    if (isa < 0 || isa > best)
        isa = best;
    int64_t csp[LIF32_MAXT], cxs[LIF32_MAXT];
    for (int t = 0; t < T; t++) /* T entries (not the whole arrays: a rep stos each call) */
        csp[t] = cxs[t] = 0;
#ifdef MYELIN_DENSE_X86
    if (isa >= 2) {
        lif32_avx512(acc, acc_step, s, s_step, nn, T, c, shift, theta, (int32_t)hi_m, abound, csp,
                     cxs);
        for (int t = 0; t < T; t++) {
            cnt[t].spikes += csp[t];
            cnt[t].x_sat += cxs[t];
            cnt[t].neuron_updates += nn;
        }
        return 0;
    }
#endif
    /* portable: blocks of whole positions widened to int64 and run step after step through
     * myelin_kernel_lif_i32 on one membrane block (its vectorised rows; the same integers) */
    int64_t wide[LIF32_BLOCK];
    int32_t vb[LIF32_BLOCK];
    int64_t per = c <= LIF32_BLOCK ? (LIF32_BLOCK / c) * c : 0;
    for (int64_t b = 0; b < nn; b += per ? per : nn) {
        int64_t len = per ? (nn - b < per ? nn - b : per) : nn;
        if (!per) { /* positions wider than the block: the reference loop per neuron */
            for (int64_t n = 0; n < nn; n++) {
                int ch = (int)(n % c);
                int64_t v = 0, lo_m = -hi_m - 1;
                for (int t = 0; t < T; t++) {
                    int xsat;
                    int64_t x = rescale_sat(acc[t * acc_step + n], shift[ch], membrane_bits, &xsat);
                    int64_t hu = v + ((x - v) >> 1);
                    int64_t hv = hu > hi_m ? hi_m : (hu < lo_m ? lo_m : hu);
                    int sp = hv >= theta[ch];
                    s[t * s_step + n] = sp;
                    v = sp ? 0 : hv;
                    cnt[t].spikes += sp;
                    cnt[t].x_sat += xsat;
                    cnt[t].h_sat += hv != hu;
                    cnt[t].neuron_updates++;
                }
            }
            return 0;
        }
        memset(vb, 0, sizeof *vb * (size_t)len);
        for (int t = 0; t < T; t++) {
            for (int64_t n = 0; n < len; n++)
                wide[n] = acc[t * acc_step + b + n];
            myelin_kernel_lif_i32(wide, vb, s + t * s_step + b, NULL, 0, len, c, shift, theta,
                                  membrane_bits, &cnt[t]);
        }
    }
    return 0;
}

/* ---- Attention in int32, Q (K^T V) whatever the counted order ----
 *
 * Both orders give the same integers (kernels.h), and Q (K^T V) needs the fewest additions when
 * tokens outnumber the head width (qk_v's score matrix S = Q K^T is n x n and nearly full).  KV and
 * A are summed in int32 when the bound holds: |KV[i][j]| <= n km vm and |A[t][j]| <= dh qm n km vm
 * (km, vm, qm: max |K|, |V|, |Q| of the head), checked stepwise against INT32_MAX (every factor
 * < 2^31, so no int64 overflow in the check); integer addition is exact in any order, so A is
 * myelin_kernel_attn_head's. */
MYELIN_KERNEL_CLONES
static void attn_max(const int32_t *x, int n, int d, int c0, int dh, int tok_lo, int tok_hi,
                     int64_t *mx)
{
    int32_t m = 0;
    for (int t = tok_lo; t < tok_hi; t++)
        for (int i = 0; i < dh; i++) {
            int32_t a = x[(int64_t)t * d + c0 + i];
            a = a < 0 ? (a == INT32_MIN ? INT32_MAX : -a) : a;
            m = a > m ? a : m;
        }
    (void)n;
    *mx = m == INT32_MAX ? (int64_t)INT32_MAX + 1 : m;
}

MYELIN_KERNEL_CLONES
static void attn_i32_body(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                          int c0, int dh, int tok_lo, int tok_hi, int32_t *restrict kv,
                          int64_t *out, int32_t *out32)
{
    for (int i = 0; i < dh * dh; i++)
        kv[i] = 0;
    for (int t = 0; t < n; t++) {
        const int32_t *kr = k + (int64_t)t * d + c0;
        const int32_t *restrict vr = v + (int64_t)t * d + c0;
        for (int i = 0; i < dh; i++) {
            int32_t kval = kr[i];
            if (kval == 0)
                continue;
            int32_t *restrict row = kv + (int64_t)i * dh;
            if (kval == 1) /* spikes: a plain add */
                for (int j = 0; j < dh; j++)
                    row[j] += vr[j];
            else
                for (int j = 0; j < dh; j++)
                    row[j] += kval * vr[j];
        }
    }
    int32_t a[256];
    for (int t = tok_lo; t < tok_hi; t++) {
        const int32_t *qr = q + (int64_t)t * d + c0;
        for (int j = 0; j < dh; j++)
            a[j] = 0;
        for (int i = 0; i < dh; i++) {
            int32_t qv = qr[i];
            if (qv == 0)
                continue;
            const int32_t *restrict row = kv + (int64_t)i * dh;
            if (qv == 1)
                for (int j = 0; j < dh; j++)
                    a[j] += row[j];
            else
                for (int j = 0; j < dh; j++)
                    a[j] += qv * row[j];
        }
        if (out32) {
            int32_t *restrict ar = out32 + (int64_t)t * d + c0;
            for (int j = 0; j < dh; j++)
                ar[j] = a[j];
            continue;
        }
        int64_t *restrict ar = out + (int64_t)t * d + c0;
        for (int j = 0; j < dh; j++)
            ar[j] = a[j];
    }
}

#ifdef MYELIN_DENSE_X86
/* attn_i32_body for heads 16 channels wide (tiny, Fashion-MNIST): KV's 16 rows live in 16 zmm,
 * each token adds k[t][i] x V[t] to row i (vpmulld by the broadcast value: no branch per value),
 * then each A row is sum_i q[t][i] x KV[i].  The same int32 products and sums (the caller's bound
 * holds for them), so the same A. */
__attribute__((target("avx512f"))) static void
attn_i32_body16(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d, int c0,
                int tok_lo, int tok_hi, int64_t *out, int32_t *out32)
{
    __m512i kv[16];
    for (int i = 0; i < 16; i++)
        kv[i] = _mm512_setzero_si512();
    for (int t = 0; t < n; t++) {
        const int32_t *kr = k + (int64_t)t * d + c0;
        if (!_mm512_test_epi32_mask(_mm512_loadu_si512(kr), _mm512_loadu_si512(kr)))
            continue; /* no K value of this token is nonzero */
        __m512i vr = _mm512_loadu_si512(v + (int64_t)t * d + c0);
        _Pragma("GCC unroll 16") for (int i = 0; i < 16; i++)
            kv[i] = _mm512_add_epi32(kv[i], _mm512_mullo_epi32(_mm512_set1_epi32(kr[i]), vr));
    }
    for (int t = tok_lo; t < tok_hi; t++) {
        const int32_t *qr = q + (int64_t)t * d + c0;
        __m512i a = _mm512_setzero_si512();
        _Pragma("GCC unroll 16") for (int i = 0; i < 16; i++)
            a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_set1_epi32(qr[i]), kv[i]));
        if (out32) {
            _mm512_storeu_si512(out32 + (int64_t)t * d + c0, a);
            continue;
        }
        int64_t *ar = out + (int64_t)t * d + c0;
        _mm512_storeu_si512(ar, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(a)));
        _mm512_storeu_si512(ar + 8, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a, 1)));
    }
}
#endif

static int attn_head_i32_run(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                             int head, int dh, int tok_lo, int tok_hi, const int64_t *bounds,
                             int32_t *kv, int64_t *out, int32_t *out32)
{
    if (dh < 1 || dh > 256 || n < 1)
        return -1;
    int c0 = head * dh;
    int64_t qm, km, vm;
    if (bounds) {
        qm = bounds[0], km = bounds[1], vm = bounds[2];
        if (qm < 0 || km < 0 || vm < 0 || qm > (int64_t)INT32_MAX + 1 ||
            km > (int64_t)INT32_MAX + 1 || vm > (int64_t)INT32_MAX + 1)
            return -1;
    } else {
        attn_max(q, n, d, c0, dh, tok_lo, tok_hi, &qm);
        attn_max(k, n, d, c0, dh, 0, n, &km);
        attn_max(v, n, d, c0, dh, 0, n, &vm);
    }
    int64_t b = km; /* n km vm, then dh qm n km vm, each step checked */
    if (vm && b > INT32_MAX / vm)
        return -1;
    b *= vm;
    if (b > INT32_MAX / n)
        return -1;
    b *= n;
    if (qm && b > INT32_MAX / qm)
        return -1;
    b *= qm;
    if (b > INT32_MAX / dh)
        return -1;
#ifdef MYELIN_DENSE_X86
    if (dh == 16 && myelin_kernel_dense_isa() == 2) {
        attn_i32_body16(q, k, v, n, d, c0, tok_lo, tok_hi, out, out32);
        return 0;
    }
#endif
    attn_i32_body(q, k, v, n, d, c0, dh, tok_lo, tok_hi, kv, out, out32);
    return 0;
}

int myelin_kernel_attn_head_i32(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                                int head, int dh, int tok_lo, int tok_hi, const int64_t *bounds,
                                int32_t *kv, int64_t *out)
{
    return attn_head_i32_run(q, k, v, n, d, head, dh, tok_lo, tok_hi, bounds, kv, out, NULL);
}

int myelin_kernel_attn_head_i32_32(const int32_t *q, const int32_t *k, const int32_t *v, int n,
                                   int d, int head, int dh, int tok_lo, int tok_hi,
                                   const int64_t *bounds, int32_t *kv, int32_t *out32)
{
    return attn_head_i32_run(q, k, v, n, d, head, dh, tok_lo, tok_hi, bounds, kv, NULL, out32);
}

MYELIN_KERNEL_CLONES
int64_t myelin_kernel_absmax(const int32_t *x, int64_t n)
{
    int64_t lo = 0, hi = 0; /* min and max in int64: |INT32_MIN| needs 2^31 */
    int32_t mn = 0, mx = 0;
    for (int64_t i = 0; i < n; i++) {
        mn = x[i] < mn ? x[i] : mn;
        mx = x[i] > mx ? x[i] : mx;
    }
    lo = -(int64_t)mn;
    hi = mx;
    return lo > hi ? lo : hi;
}

#ifdef MYELIN_DENSE_X86
/* The nonzero Q (tokens [tok_lo, tok_hi)), K and V values of one head (dh a multiple of 16),
 * 16 lanes at a time. */
__attribute__((target("avx512f"))) static void attn_nonzero16(const int32_t *q, const int32_t *k,
                                                              const int32_t *v, int n, int d,
                                                              int c0, int dh, int tok_lo,
                                                              int tok_hi, int64_t *qe, int64_t *ke,
                                                              int64_t *ve)
{
    int64_t a = 0, b = 0, c = 0;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < dh; i += 16) {
            int64_t o = (int64_t)t * d + c0 + i;
            __m512i kk = _mm512_loadu_si512(k + o), vv = _mm512_loadu_si512(v + o);
            b += __builtin_popcount((unsigned)_mm512_test_epi32_mask(kk, kk));
            c += __builtin_popcount((unsigned)_mm512_test_epi32_mask(vv, vv));
            if (t >= tok_lo && t < tok_hi) {
                __m512i qq = _mm512_loadu_si512(q + o);
                a += __builtin_popcount((unsigned)_mm512_test_epi32_mask(qq, qq));
            }
        }
    *qe = a, *ke = b, *ve = c;
}
#endif

MYELIN_KERNEL_CLONES
void myelin_kernel_attn_counts(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                               int head, int dh, int tok_lo, int tok_hi, int qk_v,
                               myelin_kcounts *cnt)
{
    int c0 = head * dh;
    int64_t qe = 0, ke = 0, ve = 0;
#ifdef MYELIN_DENSE_X86
    if (dh % 16 == 0 && myelin_kernel_dense_isa() == 2)
        attn_nonzero16(q, k, v, n, d, c0, dh, tok_lo, tok_hi, &qe, &ke, &ve);
    else
#endif
        for (int t = 0; t < n; t++)
            for (int i = 0; i < dh; i++) {
                int64_t o = (int64_t)t * d + c0 + i;
                qe += (t >= tok_lo && t < tok_hi) && q[o] != 0;
                ke += k[o] != 0;
                ve += v[o] != 0;
            }
    if (!cnt)
        return;
    if (qk_v) { /* myelin_kernel_attn_head_qk_v's: n per Q spike, the tokens per V spike */
        cnt->events += qe + ve;
        cnt->synops += qe * n + ve * (int64_t)(tok_hi - tok_lo);
    } else { /* myelin_kernel_attn_head's: dh per K and per Q spike */
        cnt->events += ke + qe;
        cnt->synops += (ke + qe) * dh;
    }
}
