/* sim/engine.h — the bit-accurate functional engine: runs a workload's layer graph on images in
 * float or quantized arithmetic, counts spikes and synaptic events, measures membrane drift.
 *
 * Numerics (the hardware; the kernels are in models/kernels.h):
 *   Input: x = (p/255 - mean_c)/std_c, the same every timestep.  The first layer (real_input,
 *   sps.conv0) is computed ONCE and its current reused for all T steps (its action counts are
 *   recorded at t = 0 only).  Graph semantics: workloads/workload.h.
 *   FLOAT layer (weight_bits float): currents and LIF in double: H = V + (X - V)/2, S = H >= V_th,
 *   V = S ? 0 : H, V = 0 at the start of every image.
 *   INTEGER layer (weight_bits 1..16): weights from myelin_quantize_layer with s_in = 1 for spike
 *   inputs.  The first layer's input is quantized per tensor to input_bits b, UNSIGNED with a zero
 *   point (the hardware stores codes 0..2^b-1): [xlo, xhi] = the range (p/255 - mean_c)/std_c can
 *   take over channels, widened to include 0; s_in = (xhi - xlo)/(2^b - 1), zero point
 *   z = -round(xlo/s_in); x_q = clamp(round_half_away(x/s_in), -z, 2^b-1-z), so the code x_q + z
 *   spans the whole b-bit range and x = 0 (padding) is exact.  Pixels in [0, 1] (mean 0, std 1)
 *   give s_in = 1/(2^b-1): 8-bit input is lossless.  Image-independent, so biases are quantized once.
 *   acc[o] = bq[o] + sum x_q * w_q in int64, units s_acc[o] = s_in * scale[o].
 *   Membrane m bits, fixed point with f = m - 1 - h fraction bits, h = max(1, floor(m/8)) headroom
 *   bits (myelin_kernel_frac_bits): k[o] = ceil(log2(V_th/s_acc[o])) - f (may be negative: shift
 *   left), s_m[o] = s_acc[o] * 2^k[o], theta[o] = round_half_away(V_th/s_m[o]) in (2^(f-1), 2^f];
 *   X and H span at least +-2^h V_th.  So width buys range AND resolution: m = 8: theta ~ 2^6,
 *   +-2 V_th; m = 16: theta ~ 2^13, +-4 V_th; m = 24 (Loihi's membrane width, with a user
 *   threshold): theta ~ 2^20, +-8 V_th; m = 32: +-16 V_th.  Resolution is weighted over range
 *   because, measured on Fashion-MNIST models, rounding X flips more predictions than clamping it
 *   (README, Numerics): a clamped large current still fires.  (Before, theta sat just below
 *   2^(m-2) whatever m: the range stayed +-2..4 V_th and more bits bought no range.)
 *   theta is also kept below 2^(m-2) (with h = 1, a theta of exactly 2^f is halved) so a saturated
 *   current still fires from rest, as the float LIF does for X >= 2 V_th.  Then the integer LIF of kernels.h
 *   (round-half-up right shift, floor halving, m-bit saturation); every clamp of X or H is COUNTED
 *   per layer (myelin_engine_state_saturation, summary.sat) so a too-narrow width shows.
 *   Membrane float with integer weights: X = acc * s_acc[o] in double and the float LIF.
 *   ATTN: A = Q K^T V exact integers in every mode; the action counts are those of the workload's
 *   attention_order ((Q K^T) V or Q (K^T V): same values, different counts), the values are formed
 *   as Q (K^T V) in int32 where its bound proves that exact (the fewest additions), else in the
 *   order; s_acc = attn_scale (0.125); V_th 0.5; the
 *   membrane rule above with the ATTN layer's membrane_bits (float: X = A * attn_scale in double),
 *   except that f is lowered to m - 2 - floor(log2(dh N attn_scale / V_th)) (at least 1) when the
 *   fixed headroom is below A's exact worst case dh N (binary spikes): the attention membrane spans
 *   its whole range and never saturates (fashion, m = 16: f = 7, +-256 V_th against a bound of 196).
 *   HEAD: float: logits = W (sum over tokens and T / (T N)) + b.  Integer: acc = sum over tokens and T
 *   of x * w_q (int64), logits = acc * scale[o] / (T N) + b[o] (float bias; double output).  No LIF.
 *   MAXPOOL / ADD act on the integer spike values (exact).  A float layer in a quantized setting
 *   runs in float (mixed precision).
 * Drift (our definition, DESIGN.md): per LIF layer, mean over neurons, timesteps and images of
 *   |H_q - H_ref| / V_th (H_q dequantized as H * s_m), and the spike mismatch rate, where ref is the
 *   float network run on the same image.  Network drift = mean over LIF layers (and max).
 * Thread-safety: a myelin_engine is read-only after myelin_engine_new; each thread uses its own
 * myelin_engine_state.  A myelin_engine_reference is read-only after it is built. */
#ifndef MYELIN_SIM_ENGINE_H
#define MYELIN_SIM_ENGINE_H

#include <stdint.h>

#include "base/error.h"
#include "models/kernels.h"
#include "workloads/dataset.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_engine myelin_engine;             /* quantized weights: read-only */
typedef struct myelin_engine_state myelin_engine_state; /* per-thread scratch + last image stats */
typedef struct myelin_engine_reference myelin_engine_reference; /* float membranes of K images */

/* Builds an engine.  per_layer: the resolved setting (wl->n_layers entries, from
 * myelin_qsetting_resolve) or NULL for all-float; input_bits 2..16 for a quantized first layer.
 * wl and w must outlive the engine. */
int myelin_engine_new(const myelin_workload *wl, const myelin_weights *w,
                      const myelin_layer_quant *per_layer, int input_bits, myelin_engine **out,
                      myelin_error *err);
/* Same, but frees each integer layer's float weight array in w as soon as the engine has
 * quantized it (myelin_weights_release; biases stay), so a large model never holds its doubles
 * beside its integers (Spikformer-8-384: 16.8 M parameters, 134 MB of doubles).  Float layers keep
 * theirs.  The engine then cannot run a float drift reference (myelin_engine_reference_new and a
 * dataset run with drift fail with MYELIN_EUSAGE), and w can no longer be saved or build another
 * engine with those layers in float.  Results are the same as myelin_engine_new's. */
int myelin_engine_new_release(const myelin_workload *wl, myelin_weights *w,
                              const myelin_layer_quant *per_layer, int input_bits,
                              myelin_engine **out, myelin_error *err);
/* Same from per-layer parameters lw[wl->n_layers] (NULL for weightless layers): for tests and
 * for callers that build weights themselves.  The pointed-to weights must outlive the engine. */
int myelin_engine_new_layers(const myelin_workload *wl, const myelin_layer_weights *const *lw,
                             const myelin_layer_quant *per_layer, int input_bits,
                             myelin_engine **out, myelin_error *err);
void myelin_engine_free(myelin_engine *e);

const myelin_workload *myelin_engine_workload(const myelin_engine *e);
/* The resolved precision of layer i as the engine uses it. */
const myelin_layer_quant *myelin_engine_layer_quant(const myelin_engine *e, int layer);
/* Scale of the quantized image (0 when the first layer is float). */
double myelin_engine_input_scale(const myelin_engine *e);

/* The integers and scales the engine computes layer `layer` with, so that another schedule (the
 * SystemC core array) can call the same kernels on the same numbers.  Pointers stay valid for
 * the engine's lifetime; fields that do not apply are 0 / NULL. */
typedef struct myelin_engine_layer_params {
    int w_int;               /* integer weights: wq, bq, w_scale */
    int m_int;               /* integer membrane: shift, theta, m_bits */
    int m_bits;
    int n_ch;                /* channels of the LIF tensor (head: classes) */
    const int32_t *wq;       /* scatter layout, as myelin_layer_weights.w; NULL when narrowed */
    myelin_kweights kw;      /* the weights at their stored width (int8/int16/int32) */
    const int64_t *bq;       /* [c_out] biases in accumulator units */
    const double *w_scale;   /* [c_out] weight scales */
    const double *wf, *bf;   /* folded float weights and biases (synaptic layers) */
    const double *s_acc;     /* [n_ch] accumulator units */
    const int *shift;        /* [n_ch] */
    const int64_t *theta;    /* [n_ch] */
} myelin_engine_layer_params;
void myelin_engine_layer_params_get(const myelin_engine *e, int layer,
                                    myelin_engine_layer_params *out);

/* The image as the first layer sees it: x = (p/255 - mean)/std (h*w*c doubles) and, when the
 * first layer is integer, x_q = round_half_away(x / s_in) (xq may be NULL otherwise). */
void myelin_engine_prepare_image(const myelin_engine *e, const uint8_t *pixels, double *x,
                                 int32_t *xq);

/* Logits of classes [o_lo, o_hi) of head layer `head` from head_sum[c_in], the integer sum of
 * its input over tokens and timesteps (the engine's own head arithmetic). */
void myelin_engine_head_logits(const myelin_engine *e, int head, const int64_t *head_sum, int o_lo,
                               int o_hi, double *logits);

/* Execution order: layers [0, first) run time-step-major (every layer of step t before step
 * t + 1), layers [first, n_layers) layer-major (all T steps of a layer before the next: T maps
 * per synaptic call, the LIF over T with V in registers).  Both orders compute the same values
 * and counts.  myelin_engine_new picks the smallest first whose extra T maps fit a memory budget
 * (8 MiB per state beyond the time-step-major order; 0 on every zoo model but the ImageNet ones).  The setter (tests, benchmarks;
 * first clamped to 0..n_layers) must come before any state is made for e. */
int myelin_engine_layer_major_first(const myelin_engine *e);
void myelin_engine_set_layer_major_first(myelin_engine *e, int first);

int myelin_engine_state_new(const myelin_engine *e, myelin_engine_state **out, myelin_error *err);
void myelin_engine_state_free(myelin_engine_state *st);

/* Runs one image (h*w*c uint8, HWC) through the network; logits[classes] out.  After it, the
 * state holds the per-layer, per-timestep counts of this image (accessors below). */
int myelin_engine_run_image(const myelin_engine *e, myelin_engine_state *st, const uint8_t *pixels,
                            double *logits, myelin_error *err);

/* Last image's counts of layer `layer`, arrays of T entries: spikes fired (LIF layers; for
 * MAXPOOL/ADD the sum of output values), nonzero input events, synaptic ops. */
const int64_t *myelin_engine_state_spikes(const myelin_engine_state *st, int layer);
const int64_t *myelin_engine_state_events(const myelin_engine_state *st, int layer);
const int64_t *myelin_engine_state_synops(const myelin_engine_state *st, int layer);
/* Last image's saturation counts of layer `layer` (integer-membrane LIF layers, else zeros):
 * [0] currents X clamped, [1] membranes H clamped, [2] LIF updates (the denominator). */
const int64_t *myelin_engine_state_saturation(const myelin_engine_state *st, int layer);

/* Drift accumulators of one layer (sums, so batches can be merged). */
typedef struct myelin_drift_layer {
    double abs_dh_sum;     /* sum |H_q - H_ref| / V_th */
    int64_t mismatches;    /* spikes that differ */
    int64_t samples;       /* neurons x timesteps x images compared */
} myelin_drift_layer;

/* Float reference membranes (H before the spike, per LIF layer, per timestep) of n_images images
 * (pixels: n_images consecutive HWC images, copied), computed once with e's weights in float, then
 * reused for many settings of the same workload and weights. */
int myelin_engine_reference_new(const myelin_engine *e, const uint8_t *pixels, int n_images,
                                myelin_engine_reference **out, myelin_error *err);
void myelin_engine_reference_free(myelin_engine_reference *ref);
int myelin_engine_reference_images(const myelin_engine_reference *ref);

/* Runs the reference's images through e and adds per-layer drift into drift[wl->n_layers]
 * (zeroed by the caller; non-LIF layers stay 0). */
int myelin_engine_drift(const myelin_engine *e, myelin_engine_state *st,
                        const myelin_engine_reference *ref, myelin_drift_layer *drift,
                        myelin_error *err);

/* Network drift: mean and max over LIF layers of abs_dh_sum/samples. */
void myelin_drift_summary(const myelin_workload *wl, const myelin_drift_layer *drift,
                          double *mean_out, double *max_out);

/* Called after each image of a dataset run; return nonzero to stop with MYELIN_EUSAGE. */
typedef int (*myelin_engine_image_fn)(void *user, int64_t index, int label, const double *logits,
                                      int classes);

/* Totals of a dataset run. */
typedef struct myelin_engine_summary {
    int64_t images;
    int64_t top1_correct, top5_correct;
    int has_top5;          /* classes > 5 */
    int n_layers, timesteps;
    int64_t *spikes;       /* [n_layers][T] summed over images */
    int64_t *events;       /* [n_layers][T] */
    int64_t *synops;       /* [n_layers][T] */
    int64_t *sat;          /* [n_layers][3] summed: X saturated, H saturated, LIF updates */
    int has_drift;
    myelin_drift_layer *drift; /* [n_layers], when has_drift */
} myelin_engine_summary;

/* Streams up to `limit` images (<= 0: all) from ds through e.  Checks the dataset's image shape
 * against the workload (MYELIN_ESHAPE).  With with_drift, each image is also run in float and the
 * drift accumulated.  fn (optional) sees every image's logits.  sum is allocated here; free it
 * with myelin_engine_summary_free. */
/* MYELIN_ESHAPE unless ds's images have the workload's input shape and at most its classes. */
int myelin_engine_check_dataset(const myelin_engine *e, myelin_dataset *ds, myelin_error *err);
int myelin_engine_run_dataset(const myelin_engine *e, myelin_dataset *ds, int64_t limit,
                              int with_drift, myelin_engine_image_fn fn, void *user,
                              myelin_engine_summary *sum, myelin_error *err);
void myelin_engine_summary_free(myelin_engine_summary *sum);

/* Index of the largest logit (first on ties); 1 when label is among the 5 largest. */
int myelin_argmax(const double *logits, int classes);
int myelin_in_top5(const double *logits, int classes, int label);

#ifdef __cplusplus
}
#endif
#endif
