/* tests/check_workload.c — workload suite: zoo param counts, tiny graph, MACs, bad-workload table. */
#include <stdio.h>
#include <string.h>

#include "tests/suites.h"
#include "workloads/workload.h"

static myelin_workload *load_zoo(const char *rel)
{
    char p[1024];
    TEST_SRC(p, rel);
    myelin_workload *wl = NULL;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_workload_load(p, &wl, &err);
    ck_assert_msg(rc == 0, "%s: %s", p, err.message);
    return wl;
}

static const struct {
    const char *file;
    long long params;
    int layers;
} zoo[] = {
    {"workloads/zoo/spikformer-8-384.yaml", 16816024, 83},
    {"workloads/zoo/spikformer-8-512.yaml", 29689384, 83},
    {"workloads/zoo/spikformer-8-768.yaml", 66338632, 83},
    {"workloads/zoo/spikformer-4-384-cifar10.yaml", 9324730, 45},
};

START_TEST(test_zoo_params)
{
    myelin_workload *wl = load_zoo(zoo[_i].file);
    ck_assert_int_eq(myelin_workload_params(wl), zoo[_i].params);
    ck_assert_int_eq(wl->n_layers, zoo[_i].layers);
    myelin_workload_free(wl);
}
END_TEST

START_TEST(test_tiny_graph)
{
    static const char *const names[] = {"sps.conv0", "sps.conv1", "sps.conv2", "sps.pool2", "sps.conv3",
                                        "sps.pool3", "sps.rpe", "sps.add", "block.0.attn.q", "block.0.attn.k",
                                        "block.0.attn.v", "block.0.attn.attn", "block.0.attn.proj",
                                        "block.0.add1", "block.0.mlp.fc1", "block.0.mlp.fc2", "block.0.add2"};
    myelin_workload *wl = load_zoo("workloads/zoo/tiny.yaml");
    ck_assert_int_eq(wl->n_layers, 27);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_str_eq(wl->layers[i].name, names[i]);
    ck_assert_str_eq(wl->layers[26].name, "head");
    const myelin_layer *c0 = &wl->layers[0];
    ck_assert(c0->real_input && c0->inputs[0] == MYELIN_INPUT_IMAGE && c0->c_out == 8 && c0->kernel == 3);
    ck_assert_str_eq(c0->weight_name, "patch_embed.proj_conv");
    ck_assert_int_eq(wl->layers[5].out_shape.h, 4);
    const myelin_layer *q = &wl->layers[myelin_workload_find_layer(wl, "block.1.attn.q")];
    ck_assert_str_eq(q->weight_name, "block.1.attn.q_linear");
    ck_assert_int_eq(q->has_bias, 1);
    const myelin_layer *at = &wl->layers[myelin_workload_find_layer(wl, "block.0.attn.attn")];
    ck_assert_int_eq(at->n_inputs, 3);
    ck_assert(at->v_threshold == 0.5 && at->heads == 4);
    ck_assert(at->firing_rate == 0.063973); /* measured, named in tiny.yaml */
    /* pools named by firing_rates carry their rate; the others are -1 (derived) */
    ck_assert(wl->layers[myelin_workload_find_layer(wl, "sps.pool3")].firing_rate == 0.198679);
    /* dense MACs: conv0 16*16*8*3*9, fc1 16 tokens*256*64, attn 2*16*16^2*4 */
    ck_assert_int_eq(myelin_layer_dense_macs(c0), 16 * 16 * 8 * 3 * 9);
    ck_assert_int_eq(myelin_layer_dense_macs(&wl->layers[14]), 16 * 256 * 64);
    ck_assert_int_eq(myelin_layer_dense_macs(at), 2 * 16 * 16 * 16 * 4);
    ck_assert_int_eq(myelin_layer_dense_macs(&wl->layers[26]), 64 * 10);
    ck_assert_int_eq(myelin_layer_neurons(&wl->layers[14]), 256 * 16);
    ck_assert_int_eq(myelin_layer_neurons(&wl->layers[26]), 0);
    ck_assert(strstr(wl->weights_path, "workloads/zoo/tiny.safetensors") != NULL);
    ck_assert_int_eq(myelin_workload_find_layer(wl, "nope"), -1);
    myelin_workload_free(wl);
}
END_TEST

#define BASE "name: t\ndepth: 2\ndim: 64\nheads: 4\ntimesteps: 4\nclasses: 10\n"
static const struct {
    const char *text;
    int code, line, column;
    const char *frag;
} bad[] = {
    {BASE "input: {channels: 3, height: 16, width: 16}\ndpeth: 3\n", MYELIN_ESCHEMA, 8, 1, "did you mean 'depth'"},
    {"name: t\ndepth: 0\n", MYELIN_ESCHEMA, 2, 8, "between 1 and 64 (got 0)"},
    {BASE "input: {channels: 3, height: 16, width: 16}\ndepth: 3\n", MYELIN_ESCHEMA, 8, 1, "duplicate key"},
    {"name: t\ndepth: [1\n", MYELIN_ESYNTAX, 3, 1, ""},
    {"name: t\ndepth: 2\ndim: 60\nheads: 4\ntimesteps: 4\nclasses: 10\ninput: {channels: 3, height: 16, width: 16}\n",
     MYELIN_ESCHEMA, 3, 6, "divisible by 8"},
    {"name: t\ndepth: 2\ndim: 64\nheads: 3\ntimesteps: 4\nclasses: 10\ninput: {channels: 3, height: 16, width: 16}\n",
     MYELIN_ESCHEMA, 4, 8, "not divisible by heads"},
    {BASE "input: {channels: 3, height: 16}\n", MYELIN_EMISSING, 7, 8, "width"},
    {BASE "input: {channels: 3, height: 16, width: 16}\nfiring_rates: {\"blk.*\": 0.1}\n", MYELIN_ESCHEMA, 8, 16,
     "matches no"},
    {BASE "input: {channels: 3, height: 16, width: 16}\nnaming: convv\n", MYELIN_ESCHEMA, 8, 9, "conv"},
    {BASE "input: {channels: 3, height: 16, width: 16}\nstem_pool: [true, true]\n", MYELIN_ESCHEMA, 8, 12, "4 booleans"},
    {"", MYELIN_EMISSING, 1, 1, "empty"},
};

START_TEST(test_bad_workload)
{
    myelin_workload *wl = NULL;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_workload_load_string(bad[_i].text, "bad.yaml", &wl, &err);
    ck_assert_msg(rc == bad[_i].code, "case %d: rc %d (%s)", _i, rc, err.message);
    ck_assert_ptr_null(wl);
    ck_assert_msg(err.line == bad[_i].line && err.column == bad[_i].column, "case %d: at %d:%d (%s)", _i, err.line,
                  err.column, err.message);
    ck_assert_msg(strstr(err.message, bad[_i].frag) != NULL, "case %d: %s", _i, err.message);
    ck_assert_str_eq(err.file, "bad.yaml");
}
END_TEST

/* The bad-workload corpus: each file in tests/data/bad_yaml/ with its expected error. */
static const struct {
    const char *file;
    int code, line, column;
    const char *frag;
} corpus[] = {
    {"depth_range.yaml", MYELIN_ESCHEMA, 2, 8, "expected an integer between 1 and 64 (got 65)"},
    {"duplicate_key.yaml", MYELIN_ESCHEMA, 8, 1, "duplicate key 'depth' (first at line 2)"},
    {"normalize_len.yaml", MYELIN_ESCHEMA, 8, 19, "expected 3 values for normalize.mean"},
    {"normalize_std_zero.yaml", MYELIN_ESCHEMA, 8, 39, "(got 0)"},
    {"rate_range.yaml", MYELIN_ESCHEMA, 9, 25, "between 0 and 1 (got 1.5)"},
    {"stem_pool_len.yaml", MYELIN_ESCHEMA, 8, 12, "expected 4 booleans"},
    {"syntax_indent.yaml", MYELIN_ESYNTAX, 3, 6, "mapping values are not allowed"},
    {"unknown_key.yaml", MYELIN_ESCHEMA, 8, 1, "unknown key 'dpeth' in workload (did you mean 'depth'?)"},
    {"missing_file.yaml", MYELIN_EMISSING, 0, 0, ""},
};

START_TEST(test_bad_corpus)
{
    char rel[256], p[1024];
    snprintf(rel, sizeof rel, "tests/data/bad_yaml/%s", corpus[_i].file);
    TEST_SRC(p, rel);
    myelin_workload *wl = NULL;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_workload_load(p, &wl, &err);
    ck_assert_msg(rc == corpus[_i].code, "%s: rc %d (%s)", corpus[_i].file, rc, err.message);
    ck_assert_ptr_null(wl);
    ck_assert_msg(err.line == corpus[_i].line && err.column == corpus[_i].column, "%s: %d:%d %s", corpus[_i].file,
                  err.line, err.column, err.message);
    ck_assert_msg(strstr(err.message, corpus[_i].frag) != NULL, "%s: %s", corpus[_i].file, err.message);
    ck_assert(strstr(err.file, corpus[_i].file) != NULL);
}
END_TEST

Suite *make_workload_suite(void)
{
    Suite *s = suite_create("workload");
    TCase *tc = tcase_create("workload");
    tcase_add_loop_test(tc, test_zoo_params, 0, (int)(sizeof zoo / sizeof zoo[0]));
    tcase_add_test(tc, test_tiny_graph);
    tcase_add_loop_test(tc, test_bad_workload, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_loop_test(tc, test_bad_corpus, 0, (int)(sizeof corpus / sizeof corpus[0]));
    suite_add_tcase(s, tc);
    return s;
}
