/* models/quantizer.c — weight quantizers (uniform, power-of-two, binary), per channel or per tensor,
 * and the integer weights, scales and accumulator-unit biases of one synaptic layer.
 *
 * The arithmetic is the one written in models/quantizer.h; the choices the header leaves open:
 *   - round_half_away is C's round() (ties away from zero), applied to the double quotient w/s.
 *   - power-of-two: e = round(log2(|w|/s)) (ties away; 2^(k+0.5) is irrational so a true tie cannot
 *     occur), clamped to [0, E]; |w|/s < 2^-0.5 gives 0.  Sign from w.
 *   - all-zero weights: a channel whose weights are all zero gets q = 0 for all its weights in every
 *     scheme (also b = 1, where w >= 0 would otherwise give +1, and also per tensor, so that a dead
 *     channel stays dead); its scale is 1 per channel, or 1 for the whole layer when the whole tensor
 *     is zero (per tensor a live tensor keeps its one shared scale).
 *   - non-finite weights or biases, a non-positive or non-finite s_in, and a bias whose accumulator
 *     value would not fit in |bq| < 2^62 are errors (MYELIN_ESCHEMA / MYELIN_EUSAGE), never clamped.
 *   - myelin_weight_storage_bits(MYELIN_BITS_FLOAT) is 32 (a float word); other bits outside 1..16
 *     give 0, as does myelin_qmax. */
#include "models/quantizer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define QUANT_BITS_MIN 1
#define QUANT_BITS_MAX 16
#define POT_EXP_CAP 24
#define POT_ZERO_BELOW 0.70710678118654752440 /* 2^-0.5 */
#define BQ_LIMIT 4611686018427387904.0 /* 2^62: headroom for the int64 accumulator */

static int bits_ok(int bits)
{
    return bits >= QUANT_BITS_MIN && bits <= QUANT_BITS_MAX;
}

/* Largest exponent E of a b-bit power-of-two code (b >= 2): min(2^(b-1) - 2, 24). */
static int pot_exp_max(int bits)
{
    int e = (1 << (bits - 1)) - 2;
    return e < POT_EXP_CAP ? e : POT_EXP_CAP;
}

/* 2^(b-1) - 1 for b >= 2. */
static int32_t uniform_qmax(int bits)
{
    return (int32_t)((1L << (bits - 1)) - 1);
}

int32_t myelin_qmax(int bits, myelin_scheme scheme)
{
    if (!bits_ok(bits))
        return 0;
    if (bits == 1)
        return 1;
    if (scheme == MYELIN_SCHEME_POT)
        return (int32_t)1 << pot_exp_max(bits);
    return uniform_qmax(bits);
}

int myelin_weight_storage_bits(int bits, myelin_scheme scheme)
{
    (void)scheme; /* pot: 1 sign bit + (b-1)-bit exponent code incl. zero — still b bits */
    if (bits == MYELIN_BITS_FLOAT)
        return 32;
    return bits_ok(bits) ? bits : 0;
}

int32_t myelin_quantize_uniform(double w, double s, int bits)
{
    if (!bits_ok(bits) || isnan(w))
        return 0;
    if (bits == 1)
        return w >= 0 ? 1 : -1;
    if (!(s > 0))
        return 0;
    double qmax = (double)uniform_qmax(bits);
    double q = round(w / s);
    if (q > qmax)
        q = qmax;
    else if (q < -qmax)
        q = -qmax;
    return (int32_t)q;
}

int32_t myelin_quantize_pot(double w, double s, int bits)
{
    if (!bits_ok(bits) || isnan(w))
        return 0;
    if (bits == 1)
        return w >= 0 ? 1 : -1;
    if (!(s > 0))
        return 0;
    double r = fabs(w) / s;
    if (!(r >= POT_ZERO_BELOW))
        return 0;
    int emax = pot_exp_max(bits);
    int e;
    if (isinf(r)) {
        e = emax;
    } else {
        double el = round(log2(r));
        e = el < 0 ? 0 : el > emax ? emax : (int)el;
    }
    int32_t mag = (int32_t)1 << e;
    return w < 0 ? -mag : mag;
}

void myelin_qweights_free(myelin_qweights *q)
{
    if (!q)
        return;
    free(q->wq);
    free(q->scale);
    free(q->bq);
    q->wq = NULL;
    q->scale = NULL;
    q->bq = NULL;
}

/* The scale of a group of weights with statistics max|w| and mean|w| (>0). */
static double group_scale(double max_abs, double mean_abs, int bits, myelin_scheme scheme)
{
    if (bits == 1)
        return mean_abs;
    if (scheme == MYELIN_SCHEME_POT)
        return max_abs / ldexp(1.0, pot_exp_max(bits));
    return max_abs / (double)uniform_qmax(bits);
}

/* Checks arguments and shapes; returns the weight count in *n_out. */
static int check_args(const myelin_layer_weights *fw, const myelin_layer_quant *lq, double s_in,
                      myelin_qweights *out, size_t *n_out, myelin_error *err)
{
    if (!fw || !lq || !out)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: NULL %s", !fw ? "weights" : !lq ? "setting" : "output");
    if (lq->weight_bits == MYELIN_BITS_FLOAT)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: weight_bits is float; a float layer is not quantized "
                                "(expected 1..16 bits)");
    if (!bits_ok(lq->weight_bits))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: weight_bits %d outside 1..16", lq->weight_bits);
    if (lq->scheme != MYELIN_SCHEME_UNIFORM && lq->scheme != MYELIN_SCHEME_POT)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: unknown scheme %d (expected uniform or pot)", (int)lq->scheme);
    if (lq->granularity != MYELIN_GRAN_CHANNEL && lq->granularity != MYELIN_GRAN_TENSOR)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: unknown granularity %d (expected channel or tensor)",
                                (int)lq->granularity);
    if (!(s_in > 0) || isinf(s_in))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: input scale s_in %g must be positive and finite", s_in);
    if (fw->c_in <= 0 || fw->c_out <= 0 || fw->kernel <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "quantizer: bad layer shape c_in %d, c_out %d, kernel %d (all must be >= 1)",
                                fw->c_in, fw->c_out, fw->kernel);
    if (!fw->w)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "quantizer: layer has no weights");
    size_t taps = (size_t)fw->kernel * (size_t)fw->kernel;
    if (taps / (size_t)fw->kernel != (size_t)fw->kernel || taps > SIZE_MAX / (size_t)fw->c_in ||
        taps * (size_t)fw->c_in > SIZE_MAX / sizeof(int32_t) / (size_t)fw->c_out)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "quantizer: layer too large");
    *n_out = taps * (size_t)fw->c_in * (size_t)fw->c_out;
    return 0;
}

int myelin_quantize_layer(const myelin_layer_weights *fw, const myelin_layer_quant *lq,
                          double s_in, myelin_qweights *out, myelin_error *err)
{
    size_t n = 0;
    if (out)
        memset(out, 0, sizeof *out);
    int rc = check_args(fw, lq, s_in, out, &n, err);
    if (rc)
        return rc;

    const int c_out = fw->c_out, bits = lq->weight_bits;
    const size_t rows = n / (size_t)c_out; /* taps * c_in weights per output channel */
    double *max_abs = calloc((size_t)c_out, sizeof *max_abs);
    double *sum_abs = calloc((size_t)c_out, sizeof *sum_abs);
    out->wq = malloc(n * sizeof *out->wq);
    out->scale = malloc((size_t)c_out * sizeof *out->scale);
    out->bq = malloc((size_t)c_out * sizeof *out->bq);
    if (!max_abs || !sum_abs || !out->wq || !out->scale || !out->bq) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "quantizer: out of memory (%zu weights)", n);
        goto fail;
    }

    /* per-channel statistics, in scatter order (co fastest) so sums are deterministic */
    for (size_t r = 0; r < rows; r++) {
        const double *row = fw->w + r * (size_t)c_out;
        for (int co = 0; co < c_out; co++) {
            double a = fabs(row[co]);
            if (!isfinite(a)) {
                rc = myelin_error_set(err, MYELIN_ESCHEMA, NULL, 0, 0,
                                      "quantizer: non-finite weight %g at index %zu (output channel %d)",
                                      row[co], r * (size_t)c_out + (size_t)co, co);
                goto fail;
            }
            if (a > max_abs[co])
                max_abs[co] = a;
            sum_abs[co] += a;
        }
    }

    if (lq->granularity == MYELIN_GRAN_TENSOR) {
        double tmax = 0, tsum = 0;
        for (int co = 0; co < c_out; co++) {
            if (max_abs[co] > tmax)
                tmax = max_abs[co];
        }
        /* mean|w| over the tensor: sum in scatter order, like the per-channel sums */
        for (size_t i = 0; i < n; i++)
            tsum += fabs(fw->w[i]);
        double s = tmax > 0 ? group_scale(tmax, tsum / (double)n, bits, lq->scheme) : 1.0;
        for (int co = 0; co < c_out; co++)
            out->scale[co] = s;
    } else {
        for (int co = 0; co < c_out; co++)
            out->scale[co] = max_abs[co] > 0
                                 ? group_scale(max_abs[co], sum_abs[co] / (double)rows, bits, lq->scheme)
                                 : 1.0;
    }

    for (size_t r = 0; r < rows; r++) {
        const double *row = fw->w + r * (size_t)c_out;
        int32_t *qrow = out->wq + r * (size_t)c_out;
        for (int co = 0; co < c_out; co++) {
            if (max_abs[co] == 0)
                qrow[co] = 0;
            else if (lq->scheme == MYELIN_SCHEME_POT)
                qrow[co] = myelin_quantize_pot(row[co], out->scale[co], bits);
            else
                qrow[co] = myelin_quantize_uniform(row[co], out->scale[co], bits);
        }
    }

    for (int co = 0; co < c_out; co++) {
        double b = fw->b ? fw->b[co] : 0.0;
        double x = round(b / (s_in * out->scale[co]));
        if (!isfinite(b) || !(fabs(x) < BQ_LIMIT)) {
            rc = myelin_error_set(err, MYELIN_ESCHEMA, NULL, 0, 0,
                                  "quantizer: bias %g of output channel %d does not fit the accumulator "
                                  "(b/(s_in*s) = %g with s_in %g, s %g; expected |value| < 2^62)",
                                  b, co, b / (s_in * out->scale[co]), s_in, out->scale[co]);
            goto fail;
        }
        out->bq[co] = (int64_t)x;
    }

    out->c_in = fw->c_in;
    out->c_out = c_out;
    out->kernel = fw->kernel;
    out->weight_bits = bits;
    out->scheme = lq->scheme;
    out->granularity = lq->granularity;
    out->s_in = s_in;
    free(max_abs);
    free(sum_abs);
    return 0;

fail:
    free(max_abs);
    free(sum_abs);
    myelin_qweights_free(out);
    memset(out, 0, sizeof *out);
    return rc;
}
