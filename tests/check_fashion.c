/* tests/check_fashion.c — the quantized engine holds on models trained on real data: the shipped
 * Fashion-MNIST models (workloads/zoo/fashion.yaml and the second, fashion-rgb32.yaml, which the
 * numerics were not tuned on) on the first 2,000 images of the test split, against the float engine:
 * w16/m16 >= 99 % identical predictions and top-1 within 0.3 points, w8/m16 within 1 point, and top-1
 * non-increasing as uniform per-channel weight bits go 16 -> 8 -> 6 -> 4 -> 3 -> 2.  Each accuracy
 * bound allows the subset's sampling noise (paired_noise: two standard errors of the paired
 * difference, at least 0.3 points for the monotonicity); the README's table (make results-numerics)
 * gives the whole test set.  Needs Debian's dataset-fashion-mnist; tests/fashion_bounds.sh skips
 * without it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/engine.h"
#include "sim/engine_par.h"
#include "tests/suites.h"
#include "workloads/qsetting.h"

enum { SUBSET = 2000 };

typedef struct run_out {
    double top1;    /* percent */
    int pred[SUBSET];
    char ok[SUBSET]; /* prediction == label */
    int64_t sat;    /* X + H saturations */
} run_out;

/* The subset's sampling noise of top1(a) - top1(b), in points: two standard errors of the paired
 * difference (the images where exactly one of a, b is right), at least `floor_pts`.  A bound "b is
 * at most B points below a" fails only when the subset shows b below a by more than B plus this,
 * i.e. when the subset is evidence against the bound; the README gives the full test set. */
static double paired_noise(const run_out *a, const run_out *b, double floor_pts)
{
    double n10 = 0, n01 = 0, n = SUBSET;
    for (int i = 0; i < SUBSET; i++) {
        n10 += a->ok[i] && !b->ok[i];
        n01 += !a->ok[i] && b->ok[i];
    }
    double var = n10 + n01 - (n10 - n01) * (n10 - n01) / n;
    double two_se = 2.0 * 100.0 * sqrt(var > 0 ? var : 0) / n;
    return two_se > floor_pts ? two_se : floor_pts;
}

typedef struct preds {
    run_out *o;
    int n;
} preds;

static int keep_pred(void *user, int64_t index, int label, const double *logits, int classes)
{
    preds *p = user;
    if (index < SUBSET) {
        p->o->pred[index] = myelin_argmax(logits, classes);
        p->o->ok[index] = (char)(p->o->pred[index] == label);
    }
    p->n++;
    return 0;
}

/* Runs the subset with every layer at wb/mb bits (wb 0: float). */
static void run_setting(const myelin_workload *wl, const myelin_weights *w, const char *spec, int wb,
                        int mb, run_out *o)
{
    myelin_error err;
    myelin_qsetting *q = NULL;
    if (wb)
        ck_assert_msg(myelin_qsetting_uniform(wb, mb, MYELIN_SCHEME_UNIFORM, &q, &err) == 0, "%s",
                      err.message);
    else
        ck_assert_int_eq(myelin_qsetting_float(&q, &err), 0);
    myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
    ck_assert_msg(myelin_qsetting_resolve(q, wl, lq, &err) == 0, "%s", err.message);
    myelin_engine *e = NULL;
    ck_assert_msg(myelin_engine_new(wl, w, lq, myelin_qsetting_input_bits(q), &e, &err) == 0, "%s",
                  err.message);
    myelin_dataset *ds = NULL;
    ck_assert_msg(myelin_dataset_open_shaped(spec, wl->input.c, wl->input.h,
                                             wl->input.w, &ds, &err) == 0,
                  "%s", err.message);
    myelin_engine_summary sum;
    preds p = {o, 0};
    ck_assert_msg(myelin_engine_run_dataset_threads(e, ds, SUBSET, 0, myelin_engine_default_threads(), keep_pred, &p, &sum, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(sum.images, SUBSET);
    o->top1 = 100.0 * (double)sum.top1_correct / (double)sum.images;
    o->sat = 0;
    for (int i = 0; i < wl->n_layers; i++)
        o->sat += sum.sat[3 * i] + sum.sat[3 * i + 1];
    myelin_engine_summary_free(&sum);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    free(lq);
    myelin_qsetting_free(q);
}

/* The shipped model and the second one, trained by the same script on another input mapping with a
 * different depth and width, which the numerics were not tuned on. */
static const struct {
    const char *yaml, *spec;
} MODELS[] = {
    {"workloads/zoo/fashion.yaml", "fashion-mnist:split=test"},
    {"workloads/zoo/fashion-rgb32.yaml", "fashion-mnist:split=test,map=rgb32"},
};

START_TEST(test_fashion_quantized_bounds)
{
    const char *spec = MODELS[_i].spec;
    char yaml[1024];
    TEST_SRC(yaml, MODELS[_i].yaml);
    if (access(yaml, R_OK) != 0) {
        printf("fashion: %s is absent; bounds not checked\n", yaml);
        return;
    }
    myelin_error err;
    myelin_dataset *probe = NULL;
    if (myelin_dataset_open(spec, &probe, &err) != 0) {
        printf("fashion: %s; bounds not checked\n", err.message);
        return;
    }
    myelin_dataset_close(probe);
    myelin_workload *wl = NULL;
    myelin_weights *w = NULL;
    ck_assert_msg(myelin_workload_load(yaml, &wl, &err) == 0, "%s", err.message);
    ck_assert_msg(myelin_weights_load(wl, wl->weights_path, &w, &err) == 0, "%s", err.message);
    static run_out f, q, prev;
    run_setting(wl, w, spec, 0, 0, &f);
    ck_assert_msg(f.top1 > 50, "float top-1 %.2f %%: not a trained model", f.top1);
    run_setting(wl, w, spec, 16, 16, &q);
    int same = 0;
    for (int i = 0; i < SUBSET; i++)
        same += f.pred[i] == q.pred[i];
    printf("%s (%d test images): float %.2f %%, w16/m16 %.2f %% (%d identical predictions)",
           wl->name, SUBSET, f.top1, q.top1, same);
    double noise = paired_noise(&f, &q, 100.0 / SUBSET);
    ck_assert_msg(q.top1 >= f.top1 - 0.3 - noise - 1e-9, "%s: w16/m16 %.2f %% vs float %.2f %% (noise %.2f)",
                  wl->name, q.top1, f.top1, noise);
    ck_assert_msg(same >= SUBSET * 99 / 100, "%s: w16/m16: %d of %d predictions as float", wl->name,
                  same, SUBSET);
    static const int bits[] = {8, 6, 4, 3, 2};
    prev = q;
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++) {
        run_setting(wl, w, spec, bits[k], 16, &q);
        printf(", w%d %.2f %%", bits[k], q.top1);
        if (bits[k] == 8) {
            noise = paired_noise(&f, &q, 100.0 / SUBSET);
            ck_assert_msg(q.top1 >= f.top1 - 1.0 - noise - 1e-9,
                          "%s: w8/m16 %.2f %% vs float %.2f %% (noise %.2f)", wl->name, q.top1,
                          f.top1, noise);
        }
        noise = paired_noise(&prev, &q, 0.3);
        ck_assert_msg(q.top1 <= prev.top1 + noise + 1e-9,
                      "%s: w%d %.2f %% beats the wider setting's %.2f %% (noise %.2f)", wl->name,
                      bits[k], q.top1, prev.top1, noise);
        prev = q;
    }
    printf("\n");
    myelin_weights_free(w);
    myelin_workload_free(wl);
}
END_TEST

Suite *make_fashion_suite(void)
{
    Suite *s = suite_create("fashion");
    TCase *tc = tcase_create("bounds");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_fashion_quantized_bounds, 0, (int)(sizeof MODELS / sizeof MODELS[0]));
    suite_add_tcase(s, tc);
    return s;
}
