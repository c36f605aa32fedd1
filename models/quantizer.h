/* models/quantizer.h — weight quantizers (uniform, power-of-two, binary), per channel or per
 * tensor, and the integer parameters of a quantized synaptic layer.
 *
 * The arithmetic, which is the hardware being modelled:
 *   uniform, b >= 2:  s = max|w| / (2^(b-1) - 1) over the channel (or tensor);
 *                     q = clamp(round_half_away(w / s), -(2^(b-1)-1), 2^(b-1)-1)
 *   b = 1 (either scheme): binary, q = (w >= 0) ? +1 : -1, s = mean|w| over the channel/tensor
 *   power-of-two, b >= 2: q ∈ {0, ±2^0, ±2^1, ..., ±2^(E)} with E = min(2^(b-1) - 2, 24);
 *                     s = max|w| / 2^E; e = round(log2(|w|/s)) clamped to [0, E];
 *                     q = 0 when |w|/s < 2^-0.5 · 1 (closer, in log terms, to zero than to 2^0)
 *   a channel whose weights are all zero gets s = 1 and q = 0.
 *   bias (in accumulator units): bq = round_half_away(b / (s_in * s)), int64.
 * Dequantized weight: q * s. */
#ifndef MYELIN_MODELS_QUANTIZER_H
#define MYELIN_MODELS_QUANTIZER_H

#include <stdint.h>

#include "base/error.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_qweights {
    int c_in, c_out, kernel;
    int weight_bits;
    myelin_scheme scheme;
    myelin_granularity granularity;
    int32_t *wq;      /* same scatter layout as myelin_layer_weights.w */
    double *scale;    /* c_out weight scales (all equal for per-tensor) */
    int64_t *bq;      /* c_out biases in accumulator units (s_in * scale[co]) */
    double s_in;      /* the input's scale used for bq (1 for spike inputs) */
} myelin_qweights;

/* Quantizes one layer's folded float weights.  bits 1..16 (MYELIN_BITS_FLOAT is an error here).
 * s_in is the scale of the layer's integer input (1.0 for spikes). */
int myelin_quantize_layer(const myelin_layer_weights *fw, const myelin_layer_quant *lq,
                          double s_in, myelin_qweights *out, myelin_error *err);
void myelin_qweights_free(myelin_qweights *q);

/* Quantizes a single value with a given scale (exposed for tests and cost models). */
int32_t myelin_quantize_uniform(double w, double s, int bits);
int32_t myelin_quantize_pot(double w, double s, int bits);

/* Largest magnitude representable: 2^(b-1)-1 (uniform), 2^E (pot), 1 (b = 1). */
int32_t myelin_qmax(int bits, myelin_scheme scheme);

/* Storage bits per weight actually held in synapse memory: b (uniform/binary) or b (pot: sign
 * plus exponent code). */
int myelin_weight_storage_bits(int bits, myelin_scheme scheme);

#ifdef __cplusplus
}
#endif
#endif
