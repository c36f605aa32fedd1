/* models/kernels.h — the arithmetic of every layer kind as pure kernels over plain arrays, shared by
 * the functional engine (sim/engine.c) and the SystemC core array: one arithmetic, two schedules.
 *
 * Rules (they are the hardware being modelled):
 *   - No allocation, no globals, no I/O.  Callers own every buffer.
 *   - Tensors are channel-last (HWC); a token tensor [N][C] is the HWC tensor with h = N, w = 1.
 *   - Synaptic accumulation is EVENT-DRIVEN scatter: for each nonzero input value v at (y, x, ci),
 *     every output position (oy, ox) the kernel reaches gets acc[(oy*w+ox)*c_out + co] += v * w[tap,
 *     ci, co] for co in the slice [co_lo, co_hi) (conv 3x3 stride 1 pad 1; kernel 1 = linear).
 *     Weights are in the scatter layout of workloads/weights.h.  Integer kernels add int8/int16/int32
 *     weights (the engine stores them at their quantized width) into int64 accumulators (exact;
 *     the gather path sums in int32 tiles only where a checked bound proves it exact); double kernels add doubles in the same order.  Callers clear
 *     or bias-initialise the accumulators; kernels only add, so a core can own a channel slice.
 *   - LIF (spikingjelly MultiStepLIF, tau 2, decay_input, v_reset 0, hard reset), float:
 *         H = V + (X - V) / 2;  S = H >= V_th;  V = S ? 0 : H
 *     integer (membrane_bits m, per output channel c: shift k[c], threshold theta[c]):
 *         X = k > 0 ? (acc + 2^(k-1)) >> k  (round half up, arithmetic)  :  acc << -k
 *         X = sat_m(X);  H = sat_m(V + ((X - V) >> 1))   (>> is arithmetic: floor)
 *         S = H >= theta;  V = S ? 0 : H
 *     where sat_m clamps to [-2^(m-1), 2^(m-1)-1] (a left shift that overflows saturates too).
 *     Saturation is counted (x_sat: X clamped, h_sat: H clamped) so a too-narrow width shows.
 *   - Membrane format (fixed point, per output channel): myelin_kernel_frac_bits(m) = f =
 *     m - 1 - h fraction bits, h = max(1, floor(m/8)) headroom bits (one integer bit per byte of
 *     membrane); the caller picks k so that theta = V_th / (s_acc 2^k) lies in (2^(f-1), 2^f]: the
 *     membrane spans at least +-2^h V_th, so a wider membrane buys range AND resolution (m 8:
 *     theta ~ 2^6, +-2 V_th; m 16: theta ~ 2^13, +-4 V_th; m 24, Loihi's width: theta ~ 2^20,
 *     +-8 V_th; m 32: +-16 V_th).  The attention layer's exact bound may lower f (sim/engine.h).
 *   - Attention per head (spikes 0/1, dh = head width): A = Q (K^T V).  Order q_kv (ImageNet code):
 *     KV = K^T V (dh x dh, event-driven over nonzero K) then A = Q KV (event-driven over nonzero Q).
 *     Order qk_v (CIFAR code): S = Q K^T (n x n, event-driven over Q spikes: n updates each) then
 *     A = S V (event-driven over V spikes: each adds a column of S, n updates).  Both give the same
 *     exact integers; only the action counts differ (q_kv: dh per Q or K spike; qk_v: n per Q or V
 *     spike, so n/dh times more when tokens outnumber the head width, 2x for CIFAR's 64/32).  The engine scales A by attn_scale (0.125) into the LIF current.
 *   - MaxPool 3x3 stride 2 pad 1 over non-negative spike values (padding never wins), out = ceil(h/2).
 *   - Add: element-wise sum (residual spikes become small integers 0..k).
 * Action counts (for the cost models): `events` = nonzero input values scattered, `synops` = the
 * accumulator updates they caused (events x in-bounds taps x channel-slice width), `neuron_updates`
 * = LIF updates, `spikes` = LIF outputs that fired. */
#ifndef MYELIN_MODELS_KERNELS_H
#define MYELIN_MODELS_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Plain action counters; kernels ADD to them (never reset), NULL allowed. */
typedef struct myelin_kcounts {
    int64_t events;         /* nonzero input values that were scattered */
    int64_t synops;         /* accumulator updates (synaptic operations) */
    int64_t neuron_updates; /* LIF updates */
    int64_t spikes;         /* LIF outputs that fired */
    int64_t x_sat;          /* integer LIF: currents X clamped to the membrane width */
    int64_t h_sat;          /* integer LIF: membranes H clamped to the membrane width */
} myelin_kcounts;

/* Integer scatter of an int32 HWC input [h][w][c_in] through a kernel x kernel (1 or 3, stride 1,
 * pad kernel/2) weight block wq (scatter layout, full c_out per row) into acc [h][w][c_out],
 * touching only output channels [co_lo, co_hi). */
void myelin_kernel_scatter_i(const int32_t *in, int h, int w, int c_in, const int32_t *wq, int c_out,
                             int kernel, int co_lo, int co_hi, int64_t *acc, myelin_kcounts *cnt);

/* The same integer sums as myelin_kernel_scatter_i, output-stationary: int8 (or int16) weights in
 * the same scatter layout, blocks of output positions x channels summed in int32 tiles (zero
 * inputs skipped, each weight row reused across the block), then added to acc; identical acc
 * and counts.  wmax bounds |wq|.  Returns 0, or -1 (acc and cnt untouched) when
 * 9-tap fan-in x max|input| x wmax could overflow int32 or the kernel is not 1..3: the caller
 * then uses myelin_kernel_scatter_i.  Vectorised (AVX-512 / AVX2 / portable, chosen at load). */
int myelin_kernel_gather_i8(const int32_t *in, int h, int w, int c_in, const int8_t *wq, int c_out,
                            int kernel, int co_lo, int co_hi, int32_t wmax, int64_t *acc,
                            myelin_kcounts *cnt);
int myelin_kernel_gather_i16(const int32_t *in, int h, int w, int c_in, const int16_t *wq,
                             int c_out, int kernel, int co_lo, int co_hi, int32_t wmax,
                             int64_t *acc, myelin_kcounts *cnt);

void myelin_kernel_scatter_i8(const int32_t *in, int h, int w, int c_in, const int8_t *wq, int c_out,
                              int kernel, int co_lo, int co_hi, int64_t *acc, myelin_kcounts *cnt);
void myelin_kernel_scatter_i16(const int32_t *in, int h, int w, int c_in, const int16_t *wq,
                               int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                               myelin_kcounts *cnt);

/* Integer weights at their stored width: exactly one of w8 / w16 / w32 is non-NULL; wmax bounds
 * |w| (used by the gather's int32 overflow check). */
typedef struct myelin_kweights {
    const int8_t *w8;
    const int16_t *w16;
    const int32_t *w32;
    int32_t wmax;
    const int8_t *p8; /* optional: the int8 weights packed for the dense path, or NULL */
    int column;       /* nonzero: w16 may take the column path (myelin_kernel_synapse_iw) */
    const int8_t *p8r; /* optional, inputs of fewer than 4 channels under a 3x3 kernel (an
                        * image): the int8 weights after myelin_kernel_dense_pack_rows, or NULL */
} myelin_kweights;

/* The integer synaptic sum at whatever width the weights are stored: the gather when its int32
 * bound holds, else the int64 scatter.  Same acc and counts as myelin_kernel_scatter_i. */
void myelin_kernel_synapse_i(const int32_t *in, int h, int w, int c_in, const myelin_kweights *wt,
                             int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                             myelin_kcounts *cnt);

/* Dense int8 path for high-rate layers: the same acc and counts as myelin_kernel_scatter_i, as a
 * u8 x s8 GEMM over all output positions (im2col, AVX-512BW / AVX2 vpmaddubsw + vpmaddwd into
 * int32, or the portable loop; proofs in kernels.c).  packed: the weights after
 * myelin_kernel_dense_pack (myelin_kernel_dense_packed_bytes of them); scratch: at least
 * myelin_kernel_dense_scratch_bytes.  isa: -1 the best the CPU has, 0 portable C, 1 AVX2,
 * 2 AVX-512BW, 3 AVX-512 VNNI (capped at what the CPU has).  Returns 0, or -1 (acc and cnt untouched) when an input
 * value is outside 0..127, wmax > 127, or taps x c_in x max input x wmax exceeds INT32_MAX. */
int myelin_kernel_dense_k4(int c_in, int kernel);
int64_t myelin_kernel_dense_packed_bytes(int c_in, int c_out, int kernel);
int64_t myelin_kernel_dense_scratch_bytes(int c_in, int kernel);
/* The int8 weights of a 3x3 layer with fewer than 4 input channels packed for the dense path's
 * row-expanded implicit GEMM (each kernel row's taps padded to whole groups of four: no im2col
 * of a few bytes a row); myelin_kernel_dense_packed_rows_bytes of them. */
int64_t myelin_kernel_dense_packed_rows_bytes(int c_in, int c_out, int kernel);
void myelin_kernel_dense_pack_rows(const int8_t *wq, int c_in, int c_out, int kernel,
                                   int8_t *packed);
void myelin_kernel_dense_pack(const int8_t *wq, int c_in, int c_out, int kernel, int8_t *packed);
int myelin_kernel_dense_i8(const int32_t *in, int h, int w, int c_in, const int8_t *packed,
                           int32_t wmax, int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                           myelin_kcounts *cnt, uint8_t *scratch, int isa);
/* myelin_kernel_dense_i8 for inputs x with a zero point zp (0..255; the image layer's codes):
 * x + zp must lie in 0..255 (in 0..127 for isa 1 and 2, whose vpmaddubsw could saturate above),
 * and K x max(x + zp) x wmax fit int32 (K = taps x c_in); padding stands for x = 0.  The same acc
 * and counts as myelin_kernel_scatter_i on x.  bias: NULL adds to acc; else acc = bias + the sums
 * on the slice's channels (acc's old values there are not read).  scratch: scratch_bytes of at
 * least myelin_kernel_dense_scratch_bytes; with myelin_kernel_dense_scratch_img_bytes or more, the
 * input is turned into bytes once and, where c_in is a multiple of 4 (1x1 or 3x3), the GEMM reads
 * its rows from that byte image (padded by one position for 3x3: an implicit GEMM, no im2col);
 * other 3x3 inputs are gathered from it by an im2col.
 * Returns 0, or -1 (acc and cnt untouched) when a check fails.  zp 0 with bias NULL is
 * myelin_kernel_dense_i8 on wider inputs. */
int64_t myelin_kernel_dense_scratch_img_bytes(int h, int w, int c_in, int kernel);
int myelin_kernel_dense_i8_zp(const int32_t *in, int h, int w, int c_in, const int8_t *packed,
                              int32_t wmax, int32_t zp, int c_out, int kernel, int co_lo,
                              int co_hi, const int64_t *bias, int64_t *acc, myelin_kcounts *cnt,
                              uint8_t *scratch, int64_t scratch_bytes, int isa);
/* The widest dense ISA this CPU runs: 2 AVX-512BW, 1 AVX2, 0 portable. */
int myelin_kernel_dense_isa(void);
/* myelin_kernel_dense_i8 also takes isa 3, AVX-512 VNNI (vpdpbusd: the same int32 sums in one
 * instruction instead of three); the widest it runs here: 3 where the CPU has AVX-512 VNNI, else
 * myelin_kernel_dense_isa(). */
int myelin_kernel_dense_i8_isa(void);

/* Input rate (nonzero values / all values) from which myelin_kernel_synapse_iw takes the dense path:
 * 1 / MYELIN_DENSE_RATE_WIDE for layers with at least MYELIN_DENSE_WIDE_CO output channels in the
 * slice, 1 / MYELIN_DENSE_RATE_NARROW below (the dense path pads channels to 64-wide panels, 16- or
 * 32-wide on layers of at most 16 or 32 channels, and the event-driven path is cheap per event on
 * narrow layers; the integer path's own rules for slices of at most 64 channels follow below).  Measured with `make bench-dense`
 * (bench/dense_rate.c; README, Measured, "Thresholds"). */
#define MYELIN_DENSE_WIDE_CO 128
#define MYELIN_DENSE_RATE_WIDE 32
#define MYELIN_DENSE_RATE_NARROW 8

/* Event-driven column path for spike inputs: the same acc and counts as myelin_kernel_scatter_i,
 * summing, per output position and block of 128 output channels, the int16 weight rows (w16, the
 * scatter layout) of the nonzero inputs only, in int16 registers flushed to int32 often enough to
 * be exact (proofs in kernels.c).  scratch: at least myelin_kernel_column_scratch_bytes(h, w, c_in,
 * kernel).  isa as for myelin_kernel_dense_i8 (the AVX2 and portable paths share the C loop).
 * Returns 0, or -1 (acc and cnt untouched) when max|input| x wmax > 32767 / 8, taps x c_in x
 * max|input| x wmax exceeds INT32_MAX, or c_in > 65535. */
int64_t myelin_kernel_column_scratch_bytes(int h, int w, int c_in, int kernel);
int myelin_kernel_column_i16(const int32_t *in, int h, int w, int c_in, const int16_t *w16,
                             int32_t wmax, int c_out, int kernel, int co_lo, int co_hi,
                             int64_t *acc, myelin_kcounts *cnt, uint8_t *scratch, int isa);

/* Input rates where myelin_kernel_synapse_iw takes the column path (when the weights allow it):
 * below 1 / MYELIN_COLUMN_RATE_DEN on linear layers and MYELIN_COLUMN_CONV_NUM /
 * MYELIN_COLUMN_CONV_DEN on 3x3 convolutions (their dense im2col costs more), and on slices
 * narrower than MYELIN_COLUMN_NARROW_CO channels only from 1 / MYELIN_COLUMN_NARROW_DEN up
 * (below it the scatter is cheaper per event).  Measured with `make bench-dense` (README,
 * Measured, "Thresholds"). */
#define MYELIN_COLUMN_RATE_DEN 4
#define MYELIN_COLUMN_CONV_NUM 3
#define MYELIN_COLUMN_CONV_DEN 8
#define MYELIN_COLUMN_NARROW_CO 64
#define MYELIN_COLUMN_NARROW_DEN 32

/* Small integer layers (tiny, Fashion-MNIST; measured on AMD Zen 4 with AVX-512 VNNI, `make
 * bench-dense`): slices of at most MYELIN_INT_NARROW_CO channels with int8 weights never take the
 * column path (the dense path's 16- and 32-wide panels beat it at every rate from ~4 %): dense from
 * 1 / MYELIN_INT_NARROW_DEN, the scatter below (with int16 weights and a scratch large enough,
 * the int32 tile path, myelin_kernel_tile_i16, below 1 / MYELIN_TILE_RATE_DEN instead); slices of at most MYELIN_INT_SMALL_CO channels take
 * the column path below 1 / MYELIN_COLUMN_SMALL_CONV_DEN on 3x3 convolutions and below
 * 1 / MYELIN_COLUMN_SMALL_LIN_DEN on linear layers (the dense path above), in place of the wider
 * layers' column rates above (which the 48- to 1536-wide layers of the 384 models measured; the
 * narrow-slice rule before this one applies only without int8 weights). */
#define MYELIN_INT_NARROW_CO 32
#define MYELIN_INT_NARROW_DEN 25
#define MYELIN_INT_SMALL_CO 64
#define MYELIN_COLUMN_SMALL_CONV_DEN 4
#define MYELIN_COLUMN_SMALL_LIN_DEN 20

/* Event-driven int32 tile path for narrow slices (at most MYELIN_TILE_MAX_CO channels): the same
 * acc and counts as myelin_kernel_scatter_i, every nonzero input adding its int16 weight rows
 * (w16, the scatter layout) into an int32 tile of the whole layer's slice (proof in kernels.c).
 * bias: NULL adds to acc; else acc = bias + the sums on the slice's channels (acc's old values
 * there are not read).  scratch: scratch_bytes of at least myelin_kernel_tile_scratch_bytes(h, w,
 * c_in, co_hi - co_lo).  isa as for myelin_kernel_column_i16 (2: AVX-512BW; below, the portable loop).
 * Returns 0, or -1 (acc and cnt untouched) when the scratch is too small, the
 * slice too wide, or taps x c_in x max|input| x wmax exceeds INT32_MAX. */
#define MYELIN_TILE_MAX_CO 64
/* myelin_kernel_synapse_iw_set takes the tile path on slices of at most MYELIN_INT_NARROW_CO
 * channels below this input rate (1 / MYELIN_TILE_RATE_DEN; the dense path above; measured with
 * `make bench-dense` on the int32-current paths with the implicit-GEMM dense path: crossovers
 * 0.07 (8 -> 16 channels) to 0.12 (16 -> 32) on the tiny and Fashion-MNIST stem convolutions). */
#define MYELIN_TILE_RATE_DEN 10
/* ... on 3x3 convolutions of at most MYELIN_INT_SMALL_CO channels below 1 / MYELIN_TILE_CONV_DEN
 * (crossovers 0.14-0.24) and on linear layers of at most MYELIN_INT_SMALL_CO channels below
 * 1 / MYELIN_TILE_LIN_DEN (crossovers 0.04-0.07 against the implicit-GEMM dense path; the column
 * path, 1 / MYELIN_COLUMN_SMALL_LIN_DEN, wins nowhere between) in place of the column path, which
 * stays the fallback when the tile path refuses. */
#define MYELIN_TILE_CONV_DEN 5
#define MYELIN_TILE_LIN_DEN 20
int64_t myelin_kernel_tile_scratch_bytes(int h, int w, int c_in, int width);
int myelin_kernel_tile_i16(const int32_t *in, int h, int w, int c_in, const int16_t *w16,
                           int32_t wmax, int c_out, int kernel, int co_lo, int co_hi,
                           const int64_t *bias, int64_t *acc, myelin_kcounts *cnt,
                           uint8_t *scratch, int64_t scratch_bytes, int isa);

/* myelin_kernel_synapse_i with a per-thread scratch (NULL allowed): when the weights carry a
 * packed copy, scratch is given and the input rate reaches the threshold, the dense path; else
 * myelin_kernel_synapse_i.  Before both, when wt->column is set (the caller sized scratch for
 * myelin_kernel_column_scratch_bytes) and the rate is below the column rate, the column path.
 * Same acc and counts either way. */
void myelin_kernel_synapse_iw(const int32_t *in, int h, int w, int c_in, const myelin_kweights *wt,
                              int c_out, int kernel, int co_lo, int co_hi, int64_t *acc,
                              myelin_kcounts *cnt, uint8_t *scratch);

/* acc = bias (c_out values, per position) + the synaptic sums on the slice's channels, by the
 * paths of myelin_kernel_synapse_iw (a dense call writes bias + sum without first storing the
 * bias).  zp != 0: the input holds codes with that zero point (the image layer's): the dense
 * zero-point path (myelin_kernel_dense_i8_zp) where its checks pass, else the bias and
 * myelin_kernel_synapse_i on the codes.  Same acc and counts as the bias copy followed by
 * myelin_kernel_scatter_i.  bias NULL: the sums are added to acc.  scratch_bytes: scratch's size
 * (myelin_kernel_dense_i8_zp). */
void myelin_kernel_synapse_iw_set(const int32_t *in, int h, int w, int c_in,
                                  const myelin_kweights *wt, int c_out, int kernel, int co_lo,
                                  int co_hi, int32_t zp, const int64_t *bias, int64_t *acc,
                                  myelin_kcounts *cnt, uint8_t *scratch, int64_t scratch_bytes);

/* The largest |bias + partial sum| of an integer synaptic layer whose inputs (after the zero point)
 * are bounded by vmax in magnitude: max|bias| + taps x c_in x wmax x vmax (INT64_MAX when it
 * cannot be formed). */
int64_t myelin_kernel_iw_bound(int c_in, int kernel, int32_t wmax, int64_t vmax,
                               const int64_t *bias, int c_out);

/* myelin_kernel_synapse_iw_set on the whole channel range into int32 currents:
 * acc32 = (bias or 0) + the sums, the same integers and counts, when every input value (after the
 * zero point zp) is at most vmax in magnitude (the caller's promise: the engine derives it from
 * the graph, spikes 0/1, pools keep and adds sum their inputs' bounds) and
 * myelin_kernel_iw_bound(..., vmax, ...) <= INT32_MAX, so that every partial sum, in any order,
 * and the bias fit int32.  Only the paths that write int32 run (tile, column, dense, or the bias
 * alone when no input fires); returns -1 with nothing written or counted when the bound fails or
 * none of them takes the call (the caller then runs myelin_kernel_synapse_iw_set and narrows).
 * nz: the input's nonzero count when the caller has it (it picks the path), else -1. */
int myelin_kernel_synapse_iw_set32(const int32_t *in, int h, int w, int c_in,
                                   const myelin_kweights *wt, int c_out, int kernel, int32_t zp,
                                   const int64_t *bias, int32_t *acc32, myelin_kcounts *cnt,
                                   uint8_t *scratch, int64_t scratch_bytes, int64_t vmax,
                                   int64_t nz);

/* myelin_kernel_synapse_iw_set32 with its path chosen by the caller (benchmarks and tests):
 * MYELIN_PATH_TILE, _COLUMN or _DENSE runs that path alone (-1, nothing written, when it refuses
 * the call or the layer has no weights for it), -1 picks by the input rate as
 * myelin_kernel_synapse_iw_set32 does.  No input firing gives the bias alone whatever the path. */
#define MYELIN_PATH_TILE 0
#define MYELIN_PATH_COLUMN 1
#define MYELIN_PATH_DENSE 2
#define MYELIN_PATH_ROWSPARSE 3 /* 1x1 layers, AVX-512 VNNI: groups of four zero inputs skipped */
/* The row-sparse path's scratch for npos positions of c_in channels (the engine's dense scratch
 * covers it), and the input rate below which 1x1 layers with int32 currents take it
 * (1 / MYELIN_ROWSPARSE_RATE_DEN, measured with `make bench-dense`). */
int64_t myelin_kernel_rowsparse_scratch_bytes(int npos, int c_in);
#define MYELIN_ROWSPARSE_RATE_DEN 4
int myelin_kernel_synapse_iw_set32_path(const int32_t *in, int h, int w, int c_in,
                                        const myelin_kweights *wt, int c_out, int kernel,
                                        int32_t zp, const int64_t *bias, int32_t *acc32,
                                        myelin_kcounts *cnt, uint8_t *scratch,
                                        int64_t scratch_bytes, int64_t vmax, int64_t nz, int path);

/* Dense double path (float mode): myelin_kernel_scatter_id's counts and, to rounding, its acc (the
 * additions run in another order, as fused multiply-adds), as a GEMM over all positions.  packed:
 * the weights after myelin_kernel_dense_pack_d (myelin_kernel_dense_packed_d_len doubles: panels
 * of MYELIN_DENSE_D_NP output channels, [panel][k][MYELIN_DENSE_D_NP] for k = 0..K with row K all
 * zeros, K = kernel^2 c_in; 64-byte aligned is fastest); scratch:
 * myelin_kernel_dense_scratch_d_bytes, 8-byte aligned; isa as for myelin_kernel_dense_i8. */
#define MYELIN_DENSE_D_NP 32
int64_t myelin_kernel_dense_packed_d_len(int c_in, int c_out, int kernel);
int64_t myelin_kernel_dense_scratch_d_bytes(int c_in, int kernel);
void myelin_kernel_dense_pack_d(const double *wf, int c_in, int c_out, int kernel, double *packed);
void myelin_kernel_dense_d(const int32_t *in, int h, int w, int c_in, const double *packed,
                           int c_out, int kernel, int co_lo, int co_hi, double *acc,
                           myelin_kcounts *cnt, uint8_t *scratch, int isa);
/* Event-driven double column path (kernels_d.c): the same acc as myelin_kernel_dense_d at isa 2
 * (bit-identical: the same fused multiply-adds in the same order, zero inputs skipped; proof in
 * kernels_d.c) and the scatter's counts, for finite weights: wf in the scatter layout and packed
 * as for myelin_kernel_dense_d.  Slices wider than MYELIN_COLUMN_D_NARROW_CO channels: per panel,
 * chunks of rows held in L1 while six output positions at a time add the rows of their nonzero
 * inputs (packed); narrower ones: a position's 64 channels in registers (wf).  kernel 1..3.
 * scratch: myelin_kernel_column_d_scratch_bytes.  Returns -1 (nothing done) without AVX-512
 * (myelin_kernel_dense_isa() < 2) or on shapes it does not take. */
int64_t myelin_kernel_column_d_scratch_bytes(int h, int w, int c_in, int kernel);
int myelin_kernel_column_d(const int32_t *in, int h, int w, int c_in, const double *wf,
                           const double *packed, int c_out, int kernel, int co_lo, int co_hi,
                           double *acc, myelin_kcounts *cnt, uint8_t *scratch);
/* Below these input rates (NUM / DEN) the double column path replaces the dense double path:
 * MYELIN_COLUMN_D_RATE_* on slices wider than MYELIN_COLUMN_D_NARROW_CO channels (the panel
 * kernel) of linear layers and of 3x3 convolutions with at least MYELIN_DENSE_WIDE_CO channels,
 * MYELIN_COLUMN_D_CONV_* on narrower 3x3 slices (their event lists, nine entries per input event,
 * serve fewer panels), MYELIN_COLUMN_D_NARROW_* on slices of at most MYELIN_COLUMN_D_NARROW_CO
 * channels (the register kernel).  Measured with `make bench-dense` (README, Measured,
 * "Thresholds"). */
#define MYELIN_COLUMN_D_NARROW_CO 64
#define MYELIN_COLUMN_D_RATE_NUM 2
#define MYELIN_COLUMN_D_RATE_DEN 3
#define MYELIN_COLUMN_D_CONV_NUM 2
#define MYELIN_COLUMN_D_CONV_DEN 5
#define MYELIN_COLUMN_D_NARROW_NUM 1
#define MYELIN_COLUMN_D_NARROW_DEN 3
/* On slices of 65-127 channels the double column path also runs from 1 / MYELIN_COLUMN_D_MIN_DEN
 * up to the dense regime (1 / MYELIN_DENSE_RATE_NARROW), where the scatter ran: 4-384's stem conv1
 * 3x3 48->96 at 32x32, column / scatter 0.64 at 3 %, 0.46 at 6 %, 0.36 at 10 %. */
#define MYELIN_COLUMN_D_MIN_DEN 32

/* A constant basis for a linear layer's dense inputs (kernels_d.c; the engine's float_delta):
 * W x = W b + W (x - b) with b[ci] one value per input channel.  myelin_kernel_basis_mode: b[ci]
 * = the most frequent value of channel ci of an [npos][c] map among 0..MYELIN_BASIS_MAXV (the
 * smallest on ties; 0 if none occurs); returns the entries that differ from their channel's b
 * (the nonzeros of x - b).  hist: c (MYELIN_BASIS_MAXV + 1) int32 of scratch.
 * myelin_kernel_basis_sub: d = in - b per channel. */
#define MYELIN_BASIS_MAXV 7
int64_t myelin_kernel_basis_mode(const int32_t *in, int64_t npos, int c, int32_t *base,
                                 int32_t *hist);
void myelin_kernel_basis_sub(const int32_t *in, int64_t npos, int c, const int32_t *base,
                             int32_t *d);

/* Taps of a kernel x kernel window (padding kernel / 2) centred on row (or column) y of a map of
 * n rows that fall inside it. */
static inline int myelin_kernel_taps_in(int y, int n, int kernel)
{
    int v = 0, pad = kernel / 2;
    for (int k = 0; k < kernel; k++)
        v += y + pad - k >= 0 && y + pad - k < n;
    return v;
}

/* The scatter's synapse count, per output channel, of per-position event lists on an h x w map:
 * the sum over positions q of (start[q * stride + span] - start[q * stride]) events times the
 * taps of q inside the map (the event-list paths' counts). */
int64_t myelin_kernel_list_synops(const int32_t *start, int64_t stride, int span, int h, int w,
                                  int kernel);

/* The action counts myelin_kernel_scatter_i (and every synaptic path) adds for this input on a
 * slice of `width` output channels: events = nonzero inputs, synops = the output positions each
 * reaches through its taps, times width. */
void myelin_kernel_synapse_counts(const int32_t *in, int h, int w, int c_in, int kernel, int width,
                                  myelin_kcounts *cnt);

/* myelin_kernel_scatter_id, or the dense double path when packed and scratch are given and the
 * input rate reaches the dense threshold (MYELIN_DENSE_RATE_*); column (every weight finite,
 * scratch also sized for myelin_kernel_column_d_scratch_bytes): in that regime, below
 * MYELIN_COLUMN_D_RATE_* (MYELIN_COLUMN_D_CONV_*, _NARROW_*), the double column path (the same
 * sums). */
void myelin_kernel_synapse_dw(const int32_t *in, int h, int w, int c_in, const double *wf,
                              const double *packed, int c_out, int kernel, int co_lo, int co_hi,
                              double *acc, myelin_kcounts *cnt, uint8_t *scratch, int column);

/* Same with an int32 input and double weights into double accumulators (float weights, spike
 * inputs). */
void myelin_kernel_scatter_id(const int32_t *in, int h, int w, int c_in, const double *wf, int c_out,
                              int kernel, int co_lo, int co_hi, double *acc, myelin_kcounts *cnt);

/* Same with a double input (the real-valued image in float mode). */
void myelin_kernel_scatter_d(const double *in, int h, int w, int c_in, const double *wf, int c_out,
                             int kernel, int co_lo, int co_hi, double *acc, myelin_kcounts *cnt);

/* Float LIF over neurons [lo, hi): x input current, v membrane (updated), s spikes out (0/1),
 * h_out (optional) the pre-spike membrane H.  v_th is shared.  Returns spikes fired. */
int64_t myelin_kernel_lif_f(const double *x, double *v, int32_t *s, double *h_out, int64_t lo,
                            int64_t hi, double v_th, myelin_kcounts *cnt);

/* Integer LIF over neurons [lo, hi) of a tensor with `c` channels (channel = n % c): acc the
 * accumulators in units s_acc[c], shift[c] = k, theta[c] the threshold in membrane units,
 * v (membranes, kept within m bits), s spikes out, h_out (optional) the pre-spike H in membrane
 * units.  membrane_bits m in 2..32.  Returns spikes fired. */
int64_t myelin_kernel_lif_i(const int64_t *acc, int64_t *v, int32_t *s, int64_t *h_out, int64_t lo,
                            int64_t hi, int c, const int *shift, const int64_t *theta,
                            int membrane_bits, myelin_kcounts *cnt);

/* myelin_kernel_lif_i with int32 membranes v (the same integers: V stays within m <= 32 bits);
 * returns -1 without doing anything when membrane_bits > 32.  h_out may be NULL, and the
 * vectorised rows run either way (myelin_kernel_lif_i takes them only with h_out; with NULL it
 * runs the reference loop). */
int64_t myelin_kernel_lif_i32(const int64_t *acc, int32_t *v, int32_t *s, int64_t *h_out,
                              int64_t lo, int64_t hi, int c, const int *shift,
                              const int64_t *theta, int membrane_bits, myelin_kcounts *cnt);
/* The same with int16 membranes (memory: half of int32's), for membrane_bits <= 16; returns -1
 * without doing anything when membrane_bits > 16. */
int64_t myelin_kernel_lif_i16(const int64_t *acc, int16_t *v, int32_t *s, int64_t *h_out,
                              int64_t lo, int64_t hi, int c, const int *shift,
                              const int64_t *theta, int membrane_bits, myelin_kcounts *cnt);

/* The integer LIF of T consecutive steps of nn neurons (whole positions of c channels) from
 * V = 0: the current of step t at acc + t * acc_step (acc_step 0: one current every step), its
 * spikes to s + t * s_step, cnt[t] (T entries) gets step t's counts.  The same integers and counts
 * as myelin_kernel_lif_i32 run step after step on one membrane array, with V kept in registers
 * (AVX-512F).  Returns 0, or -1 (nothing done) without AVX-512F (isa as for
 * myelin_kernel_dense_i8), for m > 31, |k| > 62, T > 16, nn > INT32_MAX or nn not a multiple of
 * c: the caller then
 * runs the per-step kernel. */
int myelin_kernel_lif_i_steps(const int64_t *acc, int64_t acc_step, int32_t *s, int64_t s_step,
                              int64_t nn, int T, int c, const int *shift, const int64_t *theta,
                              int membrane_bits, myelin_kcounts *cnt, int isa);

/* myelin_kernel_lif_i_steps from int32 currents (acc + t * acc_step, acc_step 0: one current
 * every step): the same spikes and counts as myelin_kernel_lif_i32 run step after step on the
 * int64 values of the same currents.  AVX-512F (chosen at run time; isa as for
 * myelin_kernel_dense_i8), else blocks widened through myelin_kernel_lif_i32.  Returns 0, or -1
 * (nothing done) for m outside 2..31, |k| > 62, a threshold outside m bits, T outside 1..16 or
 * nn not a multiple of c.  abound: a bound on every |current| the caller guarantees (the engine's
 * myelin_kernel_iw_bound), or -1: where a << -k then fits int32 the clamp takes fewer
 * instructions. */
int myelin_kernel_lif_i_steps32(const int32_t *acc, int64_t acc_step, int32_t *s, int64_t s_step,
                                int64_t nn, int T, int c, const int *shift, const int64_t *theta,
                                int membrane_bits, int64_t abound, myelin_kcounts *cnt, int isa);

/* Fraction bits of an m-bit membrane: m - 1 - floor((m + 4) / 6) (the rule in the header). */
int myelin_kernel_frac_bits(int membrane_bits);

/* acc >> k with round half up (k > 0) or acc << -k (k <= 0), saturated to m bits.  Exposed for
 * tests and for hardware models that split the LIF. */
int64_t myelin_kernel_rescale(int64_t acc, int shift, int membrane_bits);

/* Clamp to the signed range of membrane_bits. */
int64_t myelin_kernel_sat(int64_t x, int membrane_bits);

/* One head of spiking self-attention over n tokens: q, k, v are [n][d] int32 (stride d), the head
 * occupies channels [head*dh, (head+1)*dh).  kv is dh*dh int64 scratch.  out [n][d]: the head's
 * slice is OVERWRITTEN with A = Q (K^T V) for the tokens [tok_lo, tok_hi) (KV always uses all n).
 * Counts the q_kv order's actions. */
void myelin_kernel_attn_head(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                             int head, int dh, int tok_lo, int tok_hi, int64_t *kv, int64_t *out,
                             myelin_kcounts *cnt);

/* The same product in the qk_v order, for tokens [tok_lo, tok_hi): each row S[t] = Q[t] K^T (n
 * int64 scratch in srow) then A[t] = S[t] V.  Same out as myelin_kernel_attn_head; counts the qk_v
 * order's actions (events: Q spikes of the tokens plus V spikes of the head; synops: n per Q
 * spike, tok_hi - tok_lo per V spike). */
void myelin_kernel_attn_head_qk_v(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                                  int head, int dh, int tok_lo, int tok_hi, int64_t *srow,
                                  int64_t *out, myelin_kcounts *cnt);

/* The same as myelin_kernel_attn_head_qk_v (out and counts) with contiguous inner loops: scratch
 * holds n int64 (the score row) then dh x n int32 (the head's K transposed), i.e. at least
 * n + (dh n + 1) / 2 int64. */
void myelin_kernel_attn_head_qk_v_t(const int32_t *q, const int32_t *k, const int32_t *v, int n,
                                    int d, int head, int dh, int tok_lo, int tok_hi,
                                    int64_t *scratch, int64_t *out, myelin_kcounts *cnt);

/* myelin_kernel_attn_head's out (A = Q (K^T V) for tokens [tok_lo, tok_hi), the head's slice
 * overwritten), summed in int32 (kv: dh*dh int32 scratch) when n dh max|Q| max|K| max|V| fits
 * int32: returns 0; else -1 with out untouched.  bounds: NULL (the maxima of the head are
 * scanned) or {bq, bk, bv}, upper bounds of those maxima (e.g. myelin_kernel_absmax of the whole
 * tensors, once for all heads).  Counts nothing: both orders give the same integers, so a caller
 * computes A this way (the fewest additions) and counts its order's actions with
 * myelin_kernel_attn_counts. */
int myelin_kernel_attn_head_i32(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                                int head, int dh, int tok_lo, int tok_hi, const int64_t *bounds,
                                int32_t *kv, int64_t *out);
/* max |x[i]| over x[0..n) (2^31 for INT32_MIN), 0 for n <= 0. */
int64_t myelin_kernel_absmax(const int32_t *x, int64_t n);
/* myelin_kernel_attn_head_i32 writing A as int32 (out32 [n][d], the head's channels): the same
 * values, which its bound already keeps within int32 (the engine's int32-current attention). */
int myelin_kernel_attn_head_i32_32(const int32_t *q, const int32_t *k, const int32_t *v, int n,
                                   int d, int head, int dh, int tok_lo, int tok_hi,
                                   const int64_t *bounds, int32_t *kv, int32_t *out32);

/* The action counts myelin_kernel_attn_head (qk_v 0) or myelin_kernel_attn_head_qk_v(_t) (qk_v
 * nonzero) add for the same arguments, without computing A. */
void myelin_kernel_attn_counts(const int32_t *q, const int32_t *k, const int32_t *v, int n, int d,
                               int head, int dh, int tok_lo, int tok_hi, int qk_v,
                               myelin_kcounts *cnt);

/* MaxPool 3x3 stride 2 pad 1 of a non-negative int32 HWC tensor [h][w][c] into
 * [ceil(h/2)][ceil(w/2)][c]; returns the sum of the outputs (the engine's spike count). */
int64_t myelin_kernel_maxpool(const int32_t *in, int h, int w, int c, int32_t *out);

/* out[i] = a[i] + b[i] for i in [lo, hi); returns the sum of those outputs. */
int64_t myelin_kernel_add(const int32_t *a, const int32_t *b, int32_t *out, int64_t lo, int64_t hi);

/* Number of nonzero values in x[0..n). */
int64_t myelin_kernel_nonzero(const int32_t *x, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
