/* tests/check_weights.c — weights suite: BN folding vs hand computation, scatter layout for conv and
 * linear, missing / wrong-shape / wrong-dtype / NaN / partial-BN errors, BN-absent identity,
 * random determinism, save→load round trip.  The graph is built by hand (no YAML needed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "workloads/safetensors.h"
#include "workloads/weights.h"

static myelin_layer g_layers[4];
static myelin_workload g_wl;

static void syn(myelin_layer *l, const char *name, myelin_layer_kind kind, int ci, int co, int k, int bias,
                const char *wn, const char *bn)
{
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->kind = kind;
    l->c_in = ci;
    l->c_out = co;
    l->kernel = k;
    l->has_bias = bias;
    snprintf(l->weight_name, sizeof l->weight_name, "%s", wn);
    snprintf(l->bn_name, sizeof l->bn_name, "%s", bn);
}

static const myelin_workload *graph(void)
{
    memset(&g_wl, 0, sizeof g_wl);
    snprintf(g_wl.name, sizeof g_wl.name, "hand");
    syn(&g_layers[0], "sps.conv0", MYELIN_LAYER_CONV, 2, 3, 3, 0, "c", "c_bn");
    syn(&g_layers[1], "sps.pool0", MYELIN_LAYER_MAXPOOL, 0, 0, 0, 0, "", "");
    syn(&g_layers[2], "block.0.mlp.fc1", MYELIN_LAYER_LINEAR, 3, 2, 1, 1, "l_lin", "l_bn");
    syn(&g_layers[3], "head", MYELIN_LAYER_HEAD, 2, 2, 1, 1, "head", "");
    g_wl.n_layers = 4;
    g_wl.layers = g_layers;
    return &g_wl;
}

/* Checkpoint values (all exact in F32). */
static float conv_w(int o, int c, int ky, int kx) { return (float)(o * 100 + c * 10 + ky * 3 + kx); }
static const float c_gamma[3] = {2, 1, 0.5f}, c_beta[3] = {0.25f, 0, -1}, c_mean[3] = {1, 0, 2}, c_var[3] = {3, 1, 0};
static float lin_w(int o, int c) { return (float)o - 0.5f * (float)c; }
static const float l_bias[2] = {1, 2}, l_gamma[2] = {1, 4}, l_beta[2] = {0, 1}, l_mean[2] = {0.5f, 0}, l_var[2] = {1, 15};
static float head_w(int o, int c) { return (float)(o * 2 + c); }
static const float h_bias[2] = {0.5f, -0.5f};

enum variant { V_OK, V_NO_BN_L, V_LIN_3D, V_LIN_4D, V_CONV_BAD_SHAPE, V_HEAD_INT, V_LIN_NAN, V_BIAS_BAD_SHAPE };

/* Writes the checkpoint to `path`, leaving out tensor `omit` (or none) and applying `v`. */
static void make_file(const char *path, const char *omit, enum variant v)
{
    myelin_st_writer *w;
    myelin_error err;
    ck_assert_int_eq(myelin_st_writer_new(&w, &err), 0);
#define ADD(name, dt, nd, shp, data)                                                                        \
    do {                                                                                                    \
        if (!omit || strcmp(omit, (name)) != 0)                                                             \
            ck_assert_int_eq(myelin_st_writer_add(w, (name), (dt), (nd), (shp), (data), &err), 0);          \
    } while (0)
    float cw[3 * 2 * 3 * 3];
    for (int o = 0; o < 3; o++)
        for (int c = 0; c < 2; c++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) cw[((o * 2 + c) * 3 + ky) * 3 + kx] = conv_w(o, c, ky, kx);
    int64_t cs[4] = {3, 2, 3, 3}, s3[1] = {3}, s2[1] = {2}, ls[4] = {2, 3, 1, 1}, hs[2] = {2, 2};
    if (v == V_CONV_BAD_SHAPE) { cs[1] = 3; cs[3] = 2; }
    ADD("c.weight", MYELIN_DT_F32, 4, cs, cw);
    ADD("c_bn.weight", MYELIN_DT_F32, 1, s3, c_gamma);
    ADD("c_bn.bias", MYELIN_DT_F32, 1, s3, c_beta);
    ADD("c_bn.running_mean", MYELIN_DT_F32, 1, s3, c_mean);
    ADD("c_bn.running_var", MYELIN_DT_F32, 1, s3, c_var);
    int64_t nbt = 7, one = 1;
    ADD("c_bn.num_batches_tracked", MYELIN_DT_I64, 0, NULL, &nbt); /* ignored */
    ADD("block.0.norm1.weight", MYELIN_DT_I64, 1, &one, &nbt);     /* ignored */
    float lw[6];
    for (int o = 0; o < 2; o++)
        for (int c = 0; c < 3; c++) lw[o * 3 + c] = lin_w(o, c);
    if (v == V_LIN_NAN) lw[4] = NAN;
    int lnd = v == V_LIN_3D ? 3 : v == V_LIN_4D ? 4 : 2;
    ADD("l_lin.weight", MYELIN_DT_F32, lnd, ls, lw);
    const float bias3[3] = {1, 2, 3};
    if (v == V_BIAS_BAD_SHAPE) ADD("l_lin.bias", MYELIN_DT_F32, 1, s3, bias3);
    else ADD("l_lin.bias", MYELIN_DT_F32, 1, s2, l_bias);
    if (v != V_NO_BN_L) {
        ADD("l_bn.weight", MYELIN_DT_F32, 1, s2, l_gamma);
        ADD("l_bn.bias", MYELIN_DT_F32, 1, s2, l_beta);
        ADD("l_bn.running_mean", MYELIN_DT_F32, 1, s2, l_mean);
        ADD("l_bn.running_var", MYELIN_DT_F32, 1, s2, l_var);
    }
    float hw[4];
    int32_t hwi[4];
    for (int o = 0; o < 2; o++)
        for (int c = 0; c < 2; c++) {
            hw[o * 2 + c] = head_w(o, c);
            hwi[o * 2 + c] = (int32_t)head_w(o, c);
        }
    if (v == V_HEAD_INT) ADD("head.weight", MYELIN_DT_I32, 2, hs, hwi);
    else ADD("head.weight", MYELIN_DT_F32, 2, hs, hw);
    ADD("head.bias", MYELIN_DT_F32, 1, s2, h_bias);
#undef ADD
    ck_assert_msg(myelin_st_writer_save(w, path, &err) == 0, "%s", err.message);
    myelin_st_writer_free(w);
}

static myelin_weights *load_ok(const char *path)
{
    myelin_weights *w = NULL;
    myelin_error err;
    ck_assert_msg(myelin_weights_load(graph(), path, &w, &err) == 0, "%s", err.message);
    return w;
}

START_TEST(test_bn_fold_by_hand)
{
    char p[1024];
    TEST_BUILD(p, "w_ok.safetensors");
    make_file(p, NULL, V_OK);
    myelin_weights *w = load_ok(p);
    const myelin_layer_weights *c = myelin_weights_layer(w, 0);
    ck_assert_ptr_nonnull(c);
    ck_assert(c->c_in == 2 && c->c_out == 3 && c->kernel == 3);
    ck_assert_ptr_null(myelin_weights_layer(w, 1)); /* maxpool */
    ck_assert_ptr_null(myelin_weights_layer(w, 9));
    /* hand: conv o=1 c=1 ky=2 kx=0 is 116; scatter index ((2*3+0)*2+1)*3+1 = 40; s = 1/sqrt(1+1e-5) */
    ck_assert_double_eq_tol(c->w[40], 116.0 / sqrt(1.00001), 1e-12);
    ck_assert_double_eq(c->w[40], 116.0 * (1.0 / sqrt(1.0 + 1e-5)));
    /* o=0: bias (0 - 1) * 2/sqrt(3.00001) + 0.25;  o=2 (var 0): (0 - 2) * 0.5/sqrt(1e-5) - 1 */
    ck_assert_double_eq_tol(c->b[0], -2.0 / sqrt(3.00001) + 0.25, 1e-12);
    ck_assert_double_eq_tol(c->b[1], 0.0, 1e-15);
    ck_assert_double_eq_tol(c->b[2], -1.0 / sqrt(1e-5) - 1.0, 1e-9);
    /* every index of the scatter layout */
    for (int o = 0; o < 3; o++) {
        double s = c_gamma[o] / sqrt(c_var[o] + 1e-5);
        for (int ci = 0; ci < 2; ci++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++)
                    ck_assert_double_eq(c->w[((ky * 3 + kx) * 2 + ci) * 3 + o], conv_w(o, ci, ky, kx) * s);
    }
    const myelin_layer_weights *l = myelin_weights_layer(w, 2);
    /* hand: o=1 c=0: W=1, s=4/sqrt(15.00001) at scatter index c*2+o = 1; bias (2-0)*s+1 */
    ck_assert_double_eq_tol(l->w[1], 4.0 / sqrt(15.00001), 1e-12);
    ck_assert_double_eq_tol(l->b[1], 8.0 / sqrt(15.00001) + 1.0, 1e-12);
    ck_assert_double_eq_tol(l->b[0], 0.5 / sqrt(1.00001), 1e-12);
    for (int o = 0; o < 2; o++)
        for (int ci = 0; ci < 3; ci++)
            ck_assert_double_eq(l->w[ci * 2 + o], lin_w(o, ci) * (l_gamma[o] / sqrt(l_var[o] + 1e-5)));
    const myelin_layer_weights *h = myelin_weights_layer(w, 3);
    for (int o = 0; o < 2; o++) {
        ck_assert_double_eq(h->b[o], h_bias[o]);
        for (int ci = 0; ci < 2; ci++) ck_assert_double_eq(h->w[ci * 2 + o], head_w(o, ci));
    }
    myelin_weights_free(w);
}
END_TEST

START_TEST(test_shape_variants_and_no_bn)
{
    static const enum variant vs[3] = {V_LIN_3D, V_LIN_4D, V_NO_BN_L};
    char p[1024];
    TEST_BUILD(p, "w_var.safetensors");
    for (int i = 0; i < 3; i++) {
        make_file(p, NULL, vs[i]);
        myelin_weights *w = load_ok(p);
        const myelin_layer_weights *l = myelin_weights_layer(w, 2);
        double s1 = vs[i] == V_NO_BN_L ? 1.0 : 4.0 / sqrt(15.00001);
        ck_assert_double_eq_tol(l->w[1], s1, 1e-12);
        if (vs[i] == V_NO_BN_L) ck_assert(l->b[0] == 1.0 && l->b[1] == 2.0 && l->w[2 * 2 + 0] == -1.0);
        myelin_weights_free(w);
    }
}
END_TEST

static const struct {
    const char *omit;
    enum variant v;
    int code;
    const char *frag1, *frag2;
} err_cases[] = {
    {"c.weight", V_OK, MYELIN_EMISSING, "tensor 'c.weight' is missing", "sps.conv0"},
    {"l_lin.bias", V_OK, MYELIN_EMISSING, "'l_lin.bias'", "block.0.mlp.fc1"},
    {"head.weight", V_OK, MYELIN_EMISSING, "'head.weight'", "layer 'head'"},
    {"l_bn.running_var", V_OK, MYELIN_EMISSING, "'l_bn.running_var' is missing", "or none of them"},
    {"c_bn.weight", V_OK, MYELIN_EMISSING, "'c_bn.weight'", "BatchNorm"},
    {NULL, V_CONV_BAD_SHAPE, MYELIN_ESHAPE, "expected shape [3, 2, 3, 3]", "found [3, 3, 3, 2]"},
    {NULL, V_BIAS_BAD_SHAPE, MYELIN_ESHAPE, "'l_lin.bias'", "expected shape [2], found [3]"},
    {NULL, V_HEAD_INT, MYELIN_ESCHEMA, "'head.weight'", "dtype I32"},
    {NULL, V_LIN_NAN, MYELIN_EFORMAT, "'l_lin.weight'", "NaN"},
};

START_TEST(test_errors)
{
    char p[1024];
    TEST_BUILD(p, "w_err.safetensors");
    make_file(p, err_cases[_i].omit, err_cases[_i].v);
    myelin_weights *w = (myelin_weights *)p;
    myelin_error err;
    int rc = myelin_weights_load(graph(), p, &w, &err);
    ck_assert_msg(rc == err_cases[_i].code, "case %d: rc %d (%s)", _i, rc, err.message);
    ck_assert_ptr_null(w);
    ck_assert_msg(strstr(err.message, err_cases[_i].frag1) && strstr(err.message, err_cases[_i].frag2),
                  "case %d: '%s'", _i, err.message);
    ck_assert_str_eq(err.file, p);
}
END_TEST

START_TEST(test_random_deterministic)
{
    myelin_weights *a, *b, *c;
    myelin_error err;
    const myelin_workload *wl = graph();
    ck_assert_int_eq(myelin_weights_random(wl, 42, &a, &err), 0);
    ck_assert_int_eq(myelin_weights_random(wl, 42, &b, &err), 0);
    ck_assert_int_eq(myelin_weights_random(wl, 43, &c, &err), 0);
    int differ = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *L = &wl->layers[i];
        const myelin_layer_weights *x = myelin_weights_layer(a, i), *y = myelin_weights_layer(b, i),
                                   *z = myelin_weights_layer(c, i);
        if (L->kind == MYELIN_LAYER_MAXPOOL) {
            ck_assert_ptr_null(x);
            continue;
        }
        int n = L->kernel * L->kernel * L->c_in * L->c_out;
        /* the documented law: U(+-6/sqrt(fan_in)) (head: gain 1), biases U(-0.5, 1.0) (head: +-1/sqrt) */
        double gain = L->kind == MYELIN_LAYER_HEAD ? 1.0 : 6.0;
        double bound = gain / sqrt((double)(L->kernel * L->kernel * L->c_in));
        ck_assert(memcmp(x->w, y->w, (size_t)n * sizeof(double)) == 0);
        ck_assert(memcmp(x->b, y->b, (size_t)L->c_out * sizeof(double)) == 0);
        for (int k = 0; k < n; k++) {
            ck_assert(fabs(x->w[k]) <= bound);
            differ += x->w[k] != z->w[k];
        }
        for (int o = 0; o < L->c_out; o++) {
            if (L->kind == MYELIN_LAYER_HEAD)
                ck_assert(fabs(x->b[o]) <= bound);
            else
                ck_assert(x->b[o] >= -0.5 && x->b[o] <= 1.0);
        }
    }
    ck_assert_int_gt(differ, 0);
    myelin_weights_free(a);
    myelin_weights_free(b);
    myelin_weights_free(c);
}
END_TEST

START_TEST(test_save_load_round_trip)
{
    char p[1024], q[1024];
    TEST_BUILD(p, "w_rt_in.safetensors");
    TEST_BUILD(q, "w_rt_out.safetensors");
    make_file(p, NULL, V_OK);
    myelin_weights *a = load_ok(p), *b;
    myelin_error err;
    ck_assert_msg(myelin_weights_save(graph(), a, q, &err) == 0, "%s", err.message);
    /* the export has no BN tensors, and a bias for every synaptic layer */
    myelin_st_file *f;
    ck_assert_int_eq(myelin_st_open(q, &f, &err), 0);
    ck_assert_int_eq(myelin_st_count(f), 6);
    ck_assert_ptr_null(myelin_st_find(f, "c_bn.weight"));
    ck_assert_ptr_nonnull(myelin_st_find(f, "c.bias"));
    ck_assert_int_eq(myelin_st_find(f, "l_lin.weight")->ndim, 2);
    myelin_st_close(f);
    b = load_ok(q); /* BN tensors absent: identity */
    for (int i = 0; i < 4; i++) {
        const myelin_layer_weights *x = myelin_weights_layer(a, i), *y = myelin_weights_layer(b, i);
        if (!x) continue;
        int n = x->kernel * x->kernel * x->c_in * x->c_out;
        for (int k = 0; k < n; k++) ck_assert_double_eq(y->w[k], (double)(float)x->w[k]);
        for (int o = 0; o < x->c_out; o++) ck_assert_double_eq(y->b[o], (double)(float)x->b[o]);
    }
    myelin_weights_free(a);
    myelin_weights_free(b);
    /* random weights export and reload too */
    ck_assert_int_eq(myelin_weights_random(graph(), 7, &a, &err), 0);
    ck_assert_int_eq(myelin_weights_save(graph(), a, q, &err), 0);
    b = load_ok(q);
    ck_assert_double_eq(myelin_weights_layer(b, 2)->w[3], (double)(float)myelin_weights_layer(a, 2)->w[3]);
    myelin_weights_free(a);
    myelin_weights_free(b);
}
END_TEST

/* The zoo tiny graph (both namings): random weights export and reload under the workload's names. */
START_TEST(test_zoo_tiny_export_reload)
{
    char yaml[1024], out[1024];
    TEST_SRC(yaml, "workloads/zoo/tiny.yaml");
    TEST_BUILD(out, "w_tiny_export.safetensors");
    myelin_workload *wl = NULL;
    myelin_error err;
    ck_assert_msg(myelin_workload_load(yaml, &wl, &err) == 0, "%s", err.message);
    for (int naming = 0; naming < 2; naming++) {
        wl->naming = (myelin_naming)naming; /* the 1x1 shapes differ per naming; the loader takes both */
        myelin_weights *a, *b;
        ck_assert_int_eq(myelin_weights_random(wl, 1, &a, &err), 0);
        ck_assert_msg(myelin_weights_save(wl, a, out, &err) == 0, "%s", err.message);
        ck_assert_msg(myelin_weights_load(wl, out, &b, &err) == 0, "%s", err.message);
        /* the public shapes: ImageNet code (conv) has Conv2d MLP 4-D and Conv1d attention 3-D */
        myelin_st_file *f;
        ck_assert_int_eq(myelin_st_open(out, &f, &err), 0);
        int fc1 = myelin_workload_find_layer(wl, "block.0.mlp.fc1");
        int q = myelin_workload_find_layer(wl, "block.0.attn.q");
        char nm[200];
        snprintf(nm, sizeof nm, "%s.weight", wl->layers[fc1].weight_name);
        ck_assert_int_eq(myelin_st_find(f, nm)->ndim, naming == MYELIN_NAMING_CONV ? 4 : 2);
        snprintf(nm, sizeof nm, "%s.weight", wl->layers[q].weight_name);
        ck_assert_int_eq(myelin_st_find(f, nm)->ndim, naming == MYELIN_NAMING_CONV ? 3 : 2);
        myelin_st_close(f);
        int synaptic = 0;
        for (int i = 0; i < wl->n_layers; i++) {
            const myelin_layer_weights *x = myelin_weights_layer(a, i), *y = myelin_weights_layer(b, i);
            if (!x) continue;
            synaptic++;
            ck_assert_int_eq(x->c_out, wl->layers[i].c_out);
            ck_assert_double_eq(y->w[0], (double)(float)x->w[0]);
            ck_assert_double_eq(y->b[x->c_out - 1], (double)(float)x->b[x->c_out - 1]);
        }
        ck_assert_int_gt(synaptic, 5);
        myelin_weights_free(a);
        myelin_weights_free(b);
    }
    myelin_workload_free(wl);
}
END_TEST

Suite *make_weights_suite(void)
{
    Suite *s = suite_create("weights");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bn_fold_by_hand);
    tcase_add_test(tc, test_shape_variants_and_no_bn);
    tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof err_cases / sizeof err_cases[0]));
    tcase_add_test(tc, test_random_deterministic);
    tcase_add_test(tc, test_save_load_round_trip);
    tcase_add_test(tc, test_zoo_tiny_export_reload);
    suite_add_tcase(s, tc);
    return s;
}
