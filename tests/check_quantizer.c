/* tests/check_quantizer.c — quantizer suite: hand-computed uniform/pot/binary codes (ties, clamping,
 * negatives, b = 1, b = 16), qmax and storage bits, per-channel vs per-tensor layers in scatter layout,
 * bias units, the all-zero channel, and bad arguments. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/rng.h"
#include "models/quantizer.h"
#include "tests/suites.h"

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- single values -------------------------------------------------------------------------- */

typedef struct value_case {
    double w, s;
    int bits;
    int32_t q;
} value_case;

static const value_case uniform_cases[] = {
    {0.5, 1, 8, 1},          /* tie rounds away from zero */
    {-0.5, 1, 8, -1},
    {1.5, 1, 8, 2},
    {2.5, 1, 8, 3},          /* not banker's rounding */
    {-2.5, 1, 8, -3},
    {0.49, 1, 8, 0},
    {-0.49, 1, 8, 0},
    {0.0, 1, 8, 0},
    {200, 1, 8, 127},        /* clamp to 2^7-1 */
    {-200, 1, 8, -127},      /* symmetric: never -128 */
    {0.3, 0.1, 4, 3},
    {7.6, 1, 4, 7},
    {-7.4, 1, 4, -7},
    {-6.5, 1, 4, -7},
    {0.6, 1, 2, 1},          /* b = 2: {-1, 0, 1} */
    {0.4, 1, 2, 0},
    {-3, 1, 2, -1},
    {0.0, 1, 1, 1},          /* b = 1: sign, zero counts as + */
    {-0.001, 1, 1, -1},
    {5, 1, 1, 1},
    {40000, 1, 16, 32767},   /* b = 16 */
    {-40000, 1, 16, -32767},
    {12345.5, 1, 16, 12346},
    {-32766.5, 1, 16, -32767},
    {3, 1, 0, 0},            /* bad bits give 0 */
    {3, 1, 17, 0},
};

static const value_case pot_cases[] = {
    /* b = 3: E = 2, codes {0, ±1, ±2, ±4} */
    {0.70, 1, 3, 0},         /* below 2^-0.5 */
    {0.71, 1, 3, 1},
    {-0.5, 1, 3, 0},
    {1.0, 1, 3, 1},
    {1.41, 1, 3, 1},         /* log2 = 0.496 */
    {1.42, 1, 3, 2},         /* log2 = 0.506 */
    {2.8, 1, 3, 2},          /* log2 = 1.485 */
    {3.0, 1, 3, 4},          /* log2 = 1.585 */
    {-3.0, 1, 3, -4},
    {100, 1, 3, 4},          /* clamp to 2^E */
    {-100, 1, 3, -4},
    {0.3, 0.1, 3, 4},
    /* b = 2: E = 0, codes {0, ±1} */
    {5, 1, 2, 1},
    {-0.8, 1, 2, -1},
    {0.6, 1, 2, 0},
    /* b = 4: E = 6 */
    {64, 1, 4, 64},
    {1000, 1, 4, 64},
    {45, 1, 4, 32},          /* log2 = 5.49 */
    {46, 1, 4, 64},          /* log2 = 5.52 */
    {-46, 1, 4, -64},
    /* b = 16 and b = 6: E capped at 24 */
    {1e9, 1, 16, 1 << 24},
    {1048576, 1, 16, 1 << 20},
    {-1e9, 1, 6, -(1 << 24)},
    /* b = 5: E = 14 */
    {1e9, 1, 5, 1 << 14},
    /* b = 1: binary */
    {0.0, 1, 1, 1},
    {-2, 1, 1, -1},
    {3, 1, 17, 0},
};

START_TEST(test_uniform_values)
{
    const value_case *c = &uniform_cases[_i];
    ck_assert_msg(myelin_quantize_uniform(c->w, c->s, c->bits) == c->q,
                  "uniform(%g, %g, %d) = %d, expected %d", c->w, c->s, c->bits,
                  myelin_quantize_uniform(c->w, c->s, c->bits), c->q);
}
END_TEST

START_TEST(test_pot_values)
{
    const value_case *c = &pot_cases[_i];
    ck_assert_msg(myelin_quantize_pot(c->w, c->s, c->bits) == c->q, "pot(%g, %g, %d) = %d, expected %d",
                  c->w, c->s, c->bits, myelin_quantize_pot(c->w, c->s, c->bits), c->q);
}
END_TEST

typedef struct qmax_case {
    int bits;
    myelin_scheme scheme;
    int32_t qmax;
    int storage_bits;
} qmax_case;

static const qmax_case qmax_cases[] = {
    {1, MYELIN_SCHEME_UNIFORM, 1, 1},
    {1, MYELIN_SCHEME_POT, 1, 1},
    {2, MYELIN_SCHEME_UNIFORM, 1, 2},
    {2, MYELIN_SCHEME_POT, 1, 2},
    {3, MYELIN_SCHEME_UNIFORM, 3, 3},
    {3, MYELIN_SCHEME_POT, 4, 3},
    {4, MYELIN_SCHEME_UNIFORM, 7, 4},
    {4, MYELIN_SCHEME_POT, 64, 4},
    {5, MYELIN_SCHEME_POT, 1 << 14, 5},
    {6, MYELIN_SCHEME_POT, 1 << 24, 6},
    {8, MYELIN_SCHEME_UNIFORM, 127, 8},
    {8, MYELIN_SCHEME_POT, 1 << 24, 8},
    {16, MYELIN_SCHEME_UNIFORM, 32767, 16},
    {16, MYELIN_SCHEME_POT, 1 << 24, 16},
    {MYELIN_BITS_FLOAT, MYELIN_SCHEME_UNIFORM, 0, 32},
    {17, MYELIN_SCHEME_UNIFORM, 0, 0},
    {-1, MYELIN_SCHEME_POT, 0, 0},
};

START_TEST(test_qmax_and_storage)
{
    const qmax_case *c = &qmax_cases[_i];
    ck_assert_int_eq(myelin_qmax(c->bits, c->scheme), c->qmax);
    ck_assert_int_eq(myelin_weight_storage_bits(c->bits, c->scheme), c->storage_bits);
}
END_TEST

/* every b-bit code fits: |q| <= qmax, and pot codes are 0 or powers of two */
START_TEST(test_codes_in_range)
{
    myelin_rng r;
    myelin_rng_seed(&r, 7, 0);
    for (int bits = 1; bits <= 16; bits++) {
        for (int i = 0; i < 2000; i++) {
            double w = (myelin_rng_uniform(&r) * 2 - 1) * 1e6 * myelin_rng_uniform(&r);
            double s = 1e-3 + myelin_rng_uniform(&r) * 10;
            int32_t qu = myelin_quantize_uniform(w, s, bits);
            int32_t qp = myelin_quantize_pot(w, s, bits);
            ck_assert_int_le(qu < 0 ? -qu : qu, myelin_qmax(bits, MYELIN_SCHEME_UNIFORM));
            ck_assert_int_le(qp < 0 ? -qp : qp, myelin_qmax(bits, MYELIN_SCHEME_POT));
            int32_t m = qp < 0 ? -qp : qp;
            ck_assert_msg(m == 0 || (m & (m - 1)) == 0, "pot code %d not a power of two", qp);
            /* uniform, unclamped: dequantization error at most s/2 */
            if (bits >= 2 && fabs(w / s) < myelin_qmax(bits, MYELIN_SCHEME_UNIFORM))
                ck_assert(fabs(qu * s - w) <= s / 2 * (1 + 1e-12));
        }
    }
}
END_TEST

/* ---- layers --------------------------------------------------------------------------------- */

/* c_in 2, c_out 3, kernel 1; scatter layout w[ci*c_out + co]:
 *   channel 0: (1.5, -0.75)   channel 1: (0.125, 0.75)   channel 2: (0, 0)  biases (0.5, -0.625, 2) */
static double layer_w[] = {1.5, 0.125, 0.0, -0.75, 0.75, 0.0};
static double layer_b[] = {0.5, -0.625, 2.0};
static const myelin_layer_weights layer = {2, 3, 1, layer_w, layer_b};

typedef struct layer_case {
    const char *what;
    int bits;
    myelin_scheme scheme;
    myelin_granularity gran;
    double s_in;
    int32_t wq[6]; /* scatter layout */
    double scale[3];
    int64_t bq[3];
} layer_case;

#define U MYELIN_SCHEME_UNIFORM
#define P MYELIN_SCHEME_POT
#define CH MYELIN_GRAN_CHANNEL
#define TE MYELIN_GRAN_TENSOR
static const layer_case layer_cases[] = {
    /* b = 3 uniform: qmax 3; s0 = 1.5/3, s1 = 0.75/3; -0.75/0.5 = -1.5 -> -2, 0.125/0.25 = 0.5 -> 1;
     * bq = round(0.5/0.5), round(-0.625/0.25 = -2.5) -> -3, 2/1 (zero channel: s = 1) */
    {"uniform channel", 3, U, CH, 1.0, {3, 1, 0, -2, 3, 0}, {0.5, 0.25, 1.0}, {1, -3, 2}},
    /* biases in units of s_in * s */
    {"uniform channel s_in", 3, U, CH, 0.5, {3, 1, 0, -2, 3, 0}, {0.5, 0.25, 1.0}, {2, -5, 4}},
    /* per tensor: s = 1.5/3 for all; 0.125/0.5 = 0.25 -> 0, 0.75/0.5 = 1.5 -> 2; -0.625/0.5 = -1.25 */
    {"uniform tensor", 3, U, TE, 1.0, {3, 0, 0, -2, 2, 0}, {0.5, 0.5, 0.5}, {1, -1, 4}},
    /* b = 1: s = mean|w|: (1.5+0.75)/2, (0.125+0.75)/2; zero channel stays 0 with s = 1 */
    {"binary channel", 1, U, CH, 1.0, {1, 1, 0, -1, 1, 0}, {1.125, 0.4375, 1.0}, {0, -1, 2}},
    {"binary pot channel", 1, P, CH, 1.0, {1, 1, 0, -1, 1, 0}, {1.125, 0.4375, 1.0}, {0, -1, 2}},
    /* per tensor: s = 3.125/6; a zero channel in a live tensor still gets q = 0 */
    {"binary tensor", 1, U, TE, 1.0, {1, 1, 0, -1, 1, 0}, {3.125 / 6, 3.125 / 6, 3.125 / 6}, {1, -1, 4}},
    /* b = 3 pot: E = 2, s = max/4; ch0 r = 4, -2; ch1 r = 0.667 -> 0, 4 */
    {"pot channel", 3, P, CH, 1.0, {4, 0, 0, -2, 4, 0}, {0.375, 0.1875, 1.0}, {1, -3, 2}},
    /* per tensor s = 0.375: ch1 r = 0.333 -> 0, 2 -> 2; bq: 0.5/0.375 = 1.33, -0.625/0.375 = -1.67 */
    {"pot tensor", 3, P, TE, 1.0, {4, 0, 0, -2, 2, 0}, {0.375, 0.375, 0.375}, {1, -2, 5}},
};

static void assert_layer(const myelin_qweights *q, const layer_case *c, const myelin_layer_weights *fw)
{
    ck_assert_int_eq(q->c_in, fw->c_in);
    ck_assert_int_eq(q->c_out, fw->c_out);
    ck_assert_int_eq(q->kernel, fw->kernel);
    ck_assert_int_eq(q->weight_bits, c->bits);
    ck_assert_int_eq(q->scheme, c->scheme);
    ck_assert_int_eq(q->granularity, c->gran);
    ck_assert(q->s_in == c->s_in);
}

START_TEST(test_layer_table)
{
    const layer_case *c = &layer_cases[_i];
    myelin_layer_quant lq = {c->bits, c->scheme, c->gran, 16};
    myelin_qweights q;
    myelin_error err;
    ck_assert_msg(myelin_quantize_layer(&layer, &lq, c->s_in, &q, &err) == 0, "%s: %s", c->what,
                  err.message);
    assert_layer(&q, c, &layer);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(q.wq[i] == c->wq[i], "%s: wq[%d] = %d, expected %d", c->what, i, q.wq[i], c->wq[i]);
    for (int co = 0; co < 3; co++) {
        ck_assert_msg(fabs(q.scale[co] - c->scale[co]) <= 1e-15 * c->scale[co],
                      "%s: scale[%d] = %.17g, expected %.17g", c->what, co, q.scale[co], c->scale[co]);
        ck_assert_msg(q.bq[co] == c->bq[co], "%s: bq[%d] = %lld, expected %lld", c->what, co,
                      (long long)q.bq[co], (long long)c->bq[co]);
    }
    myelin_qweights_free(&q);
    ck_assert_ptr_null(q.wq);
    myelin_qweights_free(&q); /* idempotent */
}
END_TEST

/* b = 16 on a 2x2 kernel, c_in 1, c_out 2 (w[tap*2 + co]): channel 0's max is 32767/1024 so s = 2^-10
 * exactly; channel 1 is constant, so every code is qmax. */
START_TEST(test_layer_16_bits_kernel)
{
    double w[8] = {32767.0 / 1024, 0.5, -2.5 / 1024, 0.5, 100.4 / 1024, 0.5, 0.0, 0.5};
    double b[2] = {-1.5 / 1024, 0.0};
    myelin_layer_weights fw = {1, 2, 2, w, b};
    myelin_layer_quant lq = {16, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, MYELIN_BITS_FLOAT};
    myelin_qweights q;
    myelin_error err;
    ck_assert_msg(myelin_quantize_layer(&fw, &lq, 1.0, &q, &err) == 0, "%s", err.message);
    const int32_t want[8] = {32767, 32767, -3, 32767, 100, 32767, 0, 32767};
    for (int i = 0; i < 8; i++)
        ck_assert_msg(q.wq[i] == want[i], "wq[%d] = %d, expected %d", i, q.wq[i], want[i]);
    ck_assert(q.scale[0] == 1.0 / 1024);
    ck_assert(fabs(q.scale[1] - 0.5 / 32767) < 1e-18);
    ck_assert_int_eq(q.bq[0], -2); /* -1.5 tie, away from zero */
    ck_assert_int_eq(q.bq[1], 0);
    myelin_qweights_free(&q);
}
END_TEST

/* an all-zero tensor: s = 1 and q = 0 everywhere in every scheme and granularity */
START_TEST(test_zero_tensor)
{
    double w[4] = {0, 0, -0.0, 0};
    double b[2] = {0.25, -3.0};
    myelin_layer_weights fw = {2, 2, 1, w, b};
    for (int bits = 1; bits <= 16; bits += 5) {
        for (int sc = 0; sc < 2; sc++) {
            for (int g = 0; g < 2; g++) {
                myelin_layer_quant lq = {bits, (myelin_scheme)sc, (myelin_granularity)g, 8};
                myelin_qweights q;
                myelin_error err;
                ck_assert_msg(myelin_quantize_layer(&fw, &lq, 0.5, &q, &err) == 0, "%s", err.message);
                for (int i = 0; i < 4; i++)
                    ck_assert_int_eq(q.wq[i], 0);
                ck_assert(q.scale[0] == 1.0 && q.scale[1] == 1.0);
                ck_assert_int_eq(q.bq[0], 1); /* 0.25/0.5 = 0.5 -> 1 */
                ck_assert_int_eq(q.bq[1], -6);
                myelin_qweights_free(&q);
            }
        }
    }
}
END_TEST

/* a NULL bias array means zero biases */
START_TEST(test_null_bias)
{
    myelin_layer_weights fw = {2, 3, 1, layer_w, NULL};
    myelin_layer_quant lq = {8, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, 16};
    myelin_qweights q;
    myelin_error err;
    ck_assert_int_eq(myelin_quantize_layer(&fw, &lq, 1.0, &q, &err), 0);
    for (int co = 0; co < 3; co++)
        ck_assert_int_eq(q.bq[co], 0);
    myelin_qweights_free(&q);
}
END_TEST

/* ---- errors --------------------------------------------------------------------------------- */

typedef struct error_case {
    const char *what;
    int bits, scheme, gran;
    double s_in;
    int c_out;
    int null_w;
    double bad_w, bad_b; /* put into w[0] / b[0] when nonzero */
    int code;
    const char *in_message;
} error_case;

static const error_case error_cases[] = {
    {"float bits", MYELIN_BITS_FLOAT, U, CH, 1, 2, 0, 0, 0, MYELIN_EUSAGE, "float"},
    {"17 bits", 17, U, CH, 1, 2, 0, 0, 0, MYELIN_EUSAGE, "17 outside 1..16"},
    {"negative bits", -3, P, TE, 1, 2, 0, 0, 0, MYELIN_EUSAGE, "-3 outside 1..16"},
    {"scheme", 8, 7, CH, 1, 2, 0, 0, 0, MYELIN_EUSAGE, "scheme 7"},
    {"granularity", 8, U, 9, 1, 2, 0, 0, 0, MYELIN_EUSAGE, "granularity 9"},
    {"s_in zero", 8, U, CH, 0, 2, 0, 0, 0, MYELIN_EUSAGE, "s_in"},
    {"s_in negative", 8, U, CH, -1, 2, 0, 0, 0, MYELIN_EUSAGE, "s_in"},
    {"s_in inf", 8, U, CH, INFINITY, 2, 0, 0, 0, MYELIN_EUSAGE, "s_in"},
    {"s_in nan", 8, U, CH, NAN, 2, 0, 0, 0, MYELIN_EUSAGE, "s_in"},
    {"c_out 0", 8, U, CH, 1, 0, 0, 0, 0, MYELIN_EUSAGE, "c_out 0"},
    {"no weights", 8, U, CH, 1, 2, 1, 0, 0, MYELIN_EUSAGE, "no weights"},
    {"nan weight", 8, U, CH, 1, 2, 0, NAN, 0, MYELIN_ESCHEMA, "non-finite weight"},
    {"inf weight", 4, P, TE, 1, 2, 0, -INFINITY, 0, MYELIN_ESCHEMA, "non-finite weight"},
    {"nan bias", 8, U, CH, 1, 2, 0, 0, NAN, MYELIN_ESCHEMA, "bias"},
    /* tiny weights, big bias: 1e10 / (1e-300/127) does not fit an int64 accumulator */
    {"bias overflow", 8, U, CH, 1, 2, 0, 1e-300, 1e10, MYELIN_ESCHEMA, "does not fit the accumulator"},
};

START_TEST(test_errors)
{
    const error_case *c = &error_cases[_i];
    double w[4] = {0.5, -0.25, 0.125, 1.0};
    double b[2] = {0.1, 0.2};
    if (c->bad_w != 0) {
        w[0] = c->bad_w;
        if (isfinite(c->bad_w)) /* make it the channel's max: s tiny */
            w[2] = 0;
    }
    if (c->bad_b != 0)
        b[0] = c->bad_b;
    myelin_layer_weights fw = {2, c->c_out, 1, c->null_w ? NULL : w, b};
    myelin_layer_quant lq = {c->bits, (myelin_scheme)c->scheme, (myelin_granularity)c->gran, 16};
    myelin_qweights q;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_quantize_layer(&fw, &lq, c->s_in, &q, &err);
    ck_assert_msg(rc == c->code, "%s: rc %d, expected %d (%s)", c->what, rc, c->code, err.message);
    ck_assert_int_eq(err.code, c->code);
    ck_assert_msg(strstr(err.message, c->in_message) != NULL, "%s: message '%s' lacks '%s'", c->what,
                  err.message, c->in_message);
    ck_assert_ptr_null(q.wq); /* nothing allocated on failure */
    ck_assert_ptr_null(q.scale);
    ck_assert_ptr_null(q.bq);
    myelin_qweights_free(&q);
}
END_TEST

START_TEST(test_null_arguments)
{
    myelin_layer_quant lq = {8, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, 16};
    myelin_qweights q;
    myelin_error err;
    ck_assert_int_eq(myelin_quantize_layer(NULL, &lq, 1.0, &q, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_quantize_layer(&layer, NULL, 1.0, &q, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_quantize_layer(&layer, &lq, 1.0, NULL, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_quantize_layer(&layer, &lq, 1.0, &q, NULL), 0); /* err optional */
    myelin_qweights_free(&q);
    myelin_qweights_free(NULL);
}
END_TEST

Suite *make_quantizer_suite(void)
{
    Suite *s = suite_create("quantizer");
    TCase *tc = tcase_create("values");
    tcase_add_loop_test(tc, test_uniform_values, 0, N_OF(uniform_cases));
    tcase_add_loop_test(tc, test_pot_values, 0, N_OF(pot_cases));
    tcase_add_loop_test(tc, test_qmax_and_storage, 0, N_OF(qmax_cases));
    tcase_add_test(tc, test_codes_in_range);
    suite_add_tcase(s, tc);
    tc = tcase_create("layers");
    tcase_add_loop_test(tc, test_layer_table, 0, N_OF(layer_cases));
    tcase_add_test(tc, test_layer_16_bits_kernel);
    tcase_add_test(tc, test_zero_tensor);
    tcase_add_test(tc, test_null_bias);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_errors, 0, N_OF(error_cases));
    tcase_add_test(tc, test_null_arguments);
    suite_add_tcase(s, tc);
    return s;
}
