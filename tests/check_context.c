/* tests/check_context.c — context suite: the library's context object (api/context.h) that the
 * command line and the scripting API resolve their inputs through (workload, weights, setting,
 * array, dataset, provenance, lent objects, the inputs' fingerprint, tables written with the
 * provenance), and the search's option table and dataset defaults (search/request.h) they share. */
#include <stdlib.h>
#include <string.h>

#include "api/context.h"
#include "search/request.h"
#include "tests/suites.h"

START_TEST(resolves_by_name_with_provenance)
{
    myelin_context x;
    myelin_context_init(&x);
    ck_assert_int_eq(myelin_context_load_workload(&x, "tiny"), 0);
    ck_assert_str_eq(x.wl->name, "tiny");
    ck_assert_int_eq(myelin_context_load_weights(&x, "random:7"), 0);
    ck_assert_str_eq(x.weights_desc, "random (seed 7)");
    ck_assert_int_eq(myelin_context_load_quant(&x, NULL, 0), 0);
    ck_assert_ptr_nonnull(x.lq);
    ck_assert_int_eq(myelin_context_load_arch(&x, NULL), 0);
    ck_assert_str_eq(x.arch->name, "generic-45nm");
    ck_assert_ptr_nonnull(x.map);
    ck_assert_int_eq(myelin_context_open_dataset(&x, NULL), 0);
    ck_assert_msg(!strncmp(x.dataset_spec, "synthetic:split=test,count=1000,seed=1,h=16,w=16,c=3,classes=10",
                           sizeof x.dataset_spec),
                  "default dataset %s", x.dataset_spec);
    static const char *const keys[] = {"myelin", "workload", "workload_file", "weights", "quant", "arch",
                                       "arch_file", "dataset"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        ck_assert_msg(myelin_provenance_get(&x.prov, keys[k]) != NULL, "provenance lacks %s", keys[k]);
    ck_assert_str_eq(myelin_provenance_get(&x.prov, "quant"), "float");
    myelin_context_free(&x);
}
END_TEST

START_TEST(errors_say_what_was_expected)
{
    myelin_context x;
    myelin_context_init(&x);
    ck_assert_int_eq(myelin_context_load_workload(&x, NULL), MYELIN_EUSAGE); /* no embedded model */
    ck_assert_int_eq(myelin_context_load_workload(&x, "no-such-model"), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(x.err.message, "no-such-model"));
    ck_assert_int_eq(myelin_context_load_workload(&x, "tiny"), 0);
    ck_assert_int_eq(myelin_context_load_weights(&x, "random:x"), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(x.err.message, "random:SEED"));
    ck_assert_int_eq(myelin_context_load_quant(&x, NULL, 0), 0);
    ck_assert_int_eq(myelin_context_load_arch(&x, "no-such-preset"), MYELIN_EMISSING);
    myelin_context_free(&x);
}
END_TEST

/* Lent objects are used, recorded, and left to their owner. */
START_TEST(lent_objects_stay_the_callers)
{
    myelin_context a, b;
    myelin_context_init(&a);
    ck_assert_int_eq(myelin_context_load_workload(&a, "tiny"), 0);
    ck_assert_int_eq(myelin_context_load_quant(&a, NULL, 0), 0);
    ck_assert_int_eq(myelin_context_load_arch(&a, "paper-45nm"), 0);
    myelin_context_init(&b);
    myelin_context_use_workload(&b, a.wl);
    ck_assert_int_eq(myelin_context_use_quant(&b, a.qs, "lent.yaml"), 0);
    ck_assert_int_eq(myelin_context_use_arch(&b, a.arch), 0);
    ck_assert_str_eq(myelin_provenance_get(&b.prov, "quant"), "lent.yaml");
    ck_assert_str_eq(myelin_provenance_get(&b.prov, "arch"), "paper-45nm");
    ck_assert_int_eq(b.map->cores_used, a.map->cores_used);
    myelin_context_free(&b);
    ck_assert_str_eq(a.wl->name, "tiny"); /* still a's (valgrind and ASan would see a double free) */
    myelin_context_free(&a);
}
END_TEST

START_TEST(inputs_hash_follows_the_weights)
{
    myelin_context x;
    myelin_context_init(&x);
    ck_assert_int_eq(myelin_context_load_workload(&x, "tiny"), 0);
    uint64_t h1 = 0, h1b = 0, h2 = 0;
    ck_assert_int_eq(myelin_context_inputs_hash(&x, "random:1", &h1), 0);
    ck_assert_int_eq(myelin_context_inputs_hash(&x, "random:1", &h1b), 0);
    ck_assert_int_eq(myelin_context_inputs_hash(&x, "random:2", &h2), 0);
    ck_assert(h1 == h1b);
    ck_assert(h1 != h2);
    myelin_context_free(&x);
}
END_TEST

START_TEST(tables_carry_the_provenance)
{
    static const myelin_report_col cols[] = {{"layer", "", 0, 0}, {"energy", "uJ", 1, 0}};
    myelin_context x;
    myelin_context_init(&x);
    ck_assert_int_eq(myelin_context_load_workload(&x, "tiny"), 0);
    myelin_report *t = myelin_report_new(cols, 2);
    int r = myelin_report_row(t);
    myelin_report_set(t, r, 0, "sps.conv0");
    myelin_report_set(t, r, 1, "1.5");
    const char *extra[] = {"activity", "rates", NULL};
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(myelin_context_write_buffer(&x, t, extra, "energy_uJ", MYELIN_REPORT_JSON, &buf, &len), 0);
    ck_assert_ptr_nonnull(strstr(buf, "\"workload\": \"tiny\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"activity\": \"rates\""));
    ck_assert_ptr_null(strstr(buf, "sps.conv0")); /* --columns chose energy alone */
    ck_assert_ptr_null(myelin_provenance_get(&x.prov, "activity")); /* extra is for this table only */
    free(buf);
    myelin_report_free(t);
    myelin_context_free(&x);
}
END_TEST

/* ---- the search's option table ----------------------------------------------------------------- */

static const struct {
    const char *prefix, *key, *value;
    const char *message; /* NULL: accepted */
} option_cases[] = {
    {"--", "max-drop", "2.5", NULL},
    {"--", "max-drop", "x", "--max-drop: expected points between 0 and 100 (got 'x')"},
    {"search option ", "max_drop", "101", "search option max_drop: expected points between 0 and 100 (got '101')"},
    {"--", "beam-width", "65", "--beam-width: expected an integer 1..64 (got '65')"},
    {"search option ", "beam_width", "4", NULL},
    {"--", "val-from-train", "10,x", "--val-from-train: expected N,SEED with N 1..1000000 and SEED >= 0 (got '10,x')"},
    {"search option ", "seed", "-1", "search option seed: expected a non-negative integer (got '-1')"},
    {"search option ", "bogus", "1", "unknown search option 'bogus' (known: method, gate,"},
    {"search option ", "bits", "8,4", NULL},
};

START_TEST(search_options_one_table)
{
    myelin_search_request r;
    myelin_error err;
    myelin_search_request_init(&r, NULL, option_cases[_i].prefix);
    myelin_error_clear(&err);
    int rc = myelin_search_request_set(&r, option_cases[_i].key, option_cases[_i].value, &err);
    if (!option_cases[_i].message) {
        ck_assert_msg(rc == 0, "%s=%s: %s", option_cases[_i].key, option_cases[_i].value, err.message);
        return;
    }
    ck_assert_int_eq(rc, MYELIN_EUSAGE);
    ck_assert_msg(!strncmp(err.message, option_cases[_i].message, strlen(option_cases[_i].message)), "got: %s",
                  err.message);
}
END_TEST

START_TEST(search_request_defaults)
{
    myelin_context x;
    myelin_context_init(&x);
    ck_assert_int_eq(myelin_context_load_workload(&x, "tiny"), 0);
    myelin_search_request r;
    myelin_error err;
    myelin_search_request_init(&r, NULL, "search option ");
    ck_assert_int_eq(myelin_search_request_set(&r, "method", "hetero", &err), 0);
    ck_assert_int_eq(myelin_search_request_check(&r, &err), 0);
    ck_assert_int_eq(r.cfg.granularity, MYELIN_SEARCH_LAYER); /* hetero: per layer, both schemes */
    ck_assert_int_eq(r.cfg.n_schemes, 2);
    ck_assert_int_eq(myelin_search_request_data(&r, x.wl, &err), 0);
    ck_assert_str_eq(r.cfg.val_spec, "synthetic:split=test,count=500,seed=2,h=16,w=16,c=3,classes=10");
    ck_assert_str_eq(r.cfg.calib_spec, "synthetic:split=test,count=32,seed=3,h=16,w=16,c=3,classes=10");
    ck_assert_str_eq(r.cfg.test_spec, "synthetic:split=test,count=1000,seed=1,h=16,w=16,c=3,classes=10");
    ck_assert_str_eq(r.said, ""); /* tiny declares no splits */
    myelin_context_free(&x);
}
END_TEST

Suite *make_context_suite(void)
{
    Suite *s = suite_create("context");
    TCase *tc = tcase_create("context");
    tcase_add_test(tc, resolves_by_name_with_provenance);
    tcase_add_test(tc, errors_say_what_was_expected);
    tcase_add_test(tc, lent_objects_stay_the_callers);
    tcase_add_test(tc, inputs_hash_follows_the_weights);
    tcase_add_test(tc, tables_carry_the_provenance);
    tcase_add_loop_test(tc, search_options_one_table, 0, (int)(sizeof option_cases / sizeof option_cases[0]));
    tcase_add_test(tc, search_request_defaults);
    suite_add_tcase(s, tc);
    return s;
}
