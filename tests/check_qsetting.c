/* tests/check_qsetting.c — qsetting suite: defaults, rule resolution and override order, glob miss, bad values. */
#include <stdio.h>
#include <string.h>

#include "tests/suites.h"
#include "workloads/qsetting.h"

static myelin_workload *tiny(void)
{
    char p[1024];
    TEST_SRC(p, "workloads/zoo/tiny.yaml");
    myelin_workload *wl = NULL;
    myelin_error err;
    ck_assert_msg(myelin_workload_load(p, &wl, &err) == 0, "%s", err.message);
    return wl;
}

START_TEST(test_empty_is_float)
{
    myelin_workload *wl = tiny();
    myelin_qsetting *q = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_qsetting_load_string("", "e.yaml", &q, &err), 0);
    myelin_layer_quant lq[64];
    ck_assert_int_eq(myelin_qsetting_resolve(q, wl, lq, &err), 0);
    for (int i = 0; i < wl->n_layers; i++)
        ck_assert(lq[i].weight_bits == MYELIN_BITS_FLOAT && lq[i].membrane_bits == MYELIN_BITS_FLOAT &&
                  lq[i].scheme == MYELIN_SCHEME_UNIFORM && lq[i].granularity == MYELIN_GRAN_CHANNEL);
    ck_assert_int_eq(myelin_qsetting_input_bits(q), 8);
    myelin_qsetting_free(q);
    myelin_workload_free(wl);
}
END_TEST

START_TEST(test_override_order)
{
    myelin_workload *wl = tiny();
    char p[1024];
    TEST_SRC(p, "workloads/zoo/quant/w4-pot-mlp.yaml");
    myelin_qsetting *q = NULL;
    myelin_error err;
    ck_assert_msg(myelin_qsetting_load(p, &q, &err) == 0, "%s", err.message);
    myelin_layer_quant lq[64];
    ck_assert_int_eq(myelin_qsetting_resolve(q, wl, lq, &err), 0);
    int fc1 = myelin_workload_find_layer(wl, "block.1.mlp.fc1"), qi = myelin_workload_find_layer(wl, "block.0.attn.q");
    ck_assert_int_eq(lq[fc1].weight_bits, 4);
    ck_assert_int_eq(lq[fc1].scheme, MYELIN_SCHEME_POT);
    ck_assert_int_eq(lq[fc1].membrane_bits, 16); /* kept from default: rule did not set it */
    ck_assert_int_eq(lq[qi].weight_bits, 8);
    ck_assert_int_eq(lq[qi].scheme, MYELIN_SCHEME_UNIFORM);
    ck_assert_int_eq(lq[0].granularity, MYELIN_GRAN_TENSOR);
    /* a later API rule overrides */
    myelin_layer_quant r = {2, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, 8};
    ck_assert_int_eq(myelin_qsetting_add_rule(q, "block.1.*", &r, &err), 0);
    ck_assert_int_eq(myelin_qsetting_resolve(q, wl, lq, &err), 0);
    ck_assert_int_eq(lq[fc1].weight_bits, 2);
    ck_assert_int_eq(lq[fc1].scheme, MYELIN_SCHEME_UNIFORM);
    ck_assert_int_eq(lq[myelin_workload_find_layer(wl, "block.0.mlp.fc1")].weight_bits, 4);
    myelin_qsetting_free(q);
    myelin_workload_free(wl);
}
END_TEST

static const struct {
    const char *text;
    int code, line, column;
    const char *frag;
} bad[] = {
    {"default:\n  weight_bits: 17\n", MYELIN_ESCHEMA, 2, 16, "between 1 and 16"},
    {"default:\n  membrane_bits: 1\n", MYELIN_ESCHEMA, 2, 18, "between 2 and 32"},
    {"default:\n  scheme: log\n", MYELIN_ESCHEMA, 2, 11, "uniform | pot"},
    {"input_bits: 1\n", MYELIN_ESCHEMA, 1, 13, "between 2 and 16"},
    {"layers:\n  - weight_bits: 4\n", MYELIN_EMISSING, 2, 5, "match"},
    {"default:\n  wieght_bits: 4\n", MYELIN_ESCHEMA, 2, 3, "did you mean 'weight_bits'"},
    {"layers:\n  - match: x\n  granularity: tensor\n", MYELIN_ESYNTAX, 3, 3, ""},
};

START_TEST(test_bad_values)
{
    myelin_qsetting *q = NULL;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_qsetting_load_string(bad[_i].text, "q.yaml", &q, &err);
    ck_assert_msg(rc == bad[_i].code, "case %d: rc %d (%s)", _i, rc, err.message);
    ck_assert_ptr_null(q);
    ck_assert_msg(err.line == bad[_i].line && err.column == bad[_i].column, "case %d: %d:%d %s", _i, err.line,
                  err.column, err.message);
    ck_assert_msg(strstr(err.message, bad[_i].frag) != NULL, "case %d: %s", _i, err.message);
}
END_TEST

START_TEST(test_glob_miss)
{
    myelin_workload *wl = tiny();
    myelin_qsetting *q = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_qsetting_load_string("layers:\n  - match: block.*.mlp.*\n    weight_bits: 4\n"
                                                 "  - match: \"blok.*\"\n    weight_bits: 2\n",
                                                 "g.yaml", &q, &err),
                     0);
    myelin_layer_quant lq[64];
    ck_assert_int_eq(myelin_qsetting_resolve(q, wl, lq, &err), MYELIN_ESCHEMA);
    ck_assert_int_eq(err.line, 4);
    ck_assert_str_eq(err.file, "g.yaml");
    ck_assert(strstr(err.message, "blok.*") != NULL);
    myelin_qsetting_free(q);
    myelin_workload_free(wl);
}
END_TEST

START_TEST(test_uniform_and_str)
{
    myelin_qsetting *q = NULL;
    myelin_error err;
    char b[16];
    ck_assert_int_eq(myelin_qsetting_uniform(17, 16, MYELIN_SCHEME_UNIFORM, &q, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_qsetting_uniform(4, 16, MYELIN_SCHEME_POT, &q, &err), 0);
    myelin_workload *wl = tiny();
    myelin_layer_quant lq[64];
    ck_assert_int_eq(myelin_qsetting_resolve(q, wl, lq, &err), 0);
    ck_assert(lq[3].weight_bits == 4 && lq[3].scheme == MYELIN_SCHEME_POT && lq[3].membrane_bits == 16);
    ck_assert_str_eq(myelin_bits_str(MYELIN_BITS_FLOAT, b, sizeof b), "float");
    ck_assert_str_eq(myelin_bits_str(8, b, sizeof b), "8");
    myelin_qsetting_free(q);
    myelin_workload_free(wl);
}
END_TEST

Suite *make_qsetting_suite(void)
{
    Suite *s = suite_create("qsetting");
    TCase *tc = tcase_create("qsetting");
    tcase_add_test(tc, test_empty_is_float);
    tcase_add_test(tc, test_override_order);
    tcase_add_loop_test(tc, test_bad_values, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_glob_miss);
    tcase_add_test(tc, test_uniform_and_str);
    suite_add_tcase(s, tc);
    return s;
}
