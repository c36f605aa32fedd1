/* tests/check_search.c — the search suite: option parsers (table-driven), the journal (round
 * trip, torn last line, other arguments), the Pareto front, and small searches on the tiny model
 * (constraint met, thread count irrelevant, beam of width 1 = greedy, resume = uninterrupted). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "search/internal.h"
#include "search/search.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

Suite *make_search_suite(void);

/* ---- parsers ---- */

static const struct {
    const char *in;
    int ok, n, first, last;
} bits_cases[] = {
    {"8,6,4,3,2", 1, 5, 8, 2}, {"2,8,4", 1, 3, 8, 2}, {"4,4,8", 1, 2, 8, 4}, {"16", 1, 1, 16, 16},
    {"", 0, 0, 0, 0},          {"8,", 0, 0, 0, 0},    {"17", 0, 0, 0, 0},    {"0", 0, 0, 0, 0},
    {"8,x", 0, 0, 0, 0},       {"8;4", 0, 0, 0, 0},
};

START_TEST(test_bits_parse)
{
    int bits[MYELIN_SEARCH_MAX_LEVELS], n = 0;
    myelin_error err;
    int rc = myelin_search_bits_parse(bits_cases[_i].in, 1, 16, bits, &n, &err);
    ck_assert_msg((rc == 0) == bits_cases[_i].ok, "'%s': rc %d", bits_cases[_i].in, rc);
    if (bits_cases[_i].ok) {
        ck_assert_int_eq(n, bits_cases[_i].n);
        ck_assert_int_eq(bits[0], bits_cases[_i].first);
        ck_assert_int_eq(bits[n - 1], bits_cases[_i].last);
    } else {
        ck_assert_int_eq(rc, MYELIN_EUSAGE);
        ck_assert(strlen(err.message) > 0);
    }
}
END_TEST

static const struct {
    const char *in;
    int ok;
    myelin_gate_kind kind;
} gate_cases[] = {
    {"none", 1, MYELIN_GATE_NONE},       {"adaptive", 1, MYELIN_GATE_ADAPTIVE},
    {"threshold:0.2", 1, MYELIN_GATE_THRESHOLD}, {"topk:3", 1, MYELIN_GATE_TOPK},
    {"topk:0", 0, 0},                    {"topk:1.5", 0, 0},
    {"threshold:", 0, 0},                {"threshold:-1", 0, 0},
    {"always", 0, 0},
};

START_TEST(test_gate_parse)
{
    myelin_search_config cfg;
    myelin_search_config_default(&cfg);
    myelin_error err;
    int rc = myelin_search_gate_parse(gate_cases[_i].in, &cfg, &err);
    ck_assert_msg((rc == 0) == gate_cases[_i].ok, "'%s'", gate_cases[_i].in);
    if (gate_cases[_i].ok)
        ck_assert_int_eq(cfg.gate, gate_cases[_i].kind);
}
END_TEST

START_TEST(test_other_parsers)
{
    myelin_search_config cfg;
    myelin_search_config_default(&cfg);
    myelin_error err;
    myelin_search_method m;
    ck_assert_int_eq(myelin_search_method_parse("aq4svit-beam", &m, &err), 0);
    ck_assert_int_eq(m, MYELIN_SEARCH_BEAM);
    ck_assert_int_eq(myelin_search_method_parse("qsvit", &m, &err), 0);
    ck_assert_int_eq(m, MYELIN_SEARCH_QSVIT);
    ck_assert_int_eq(myelin_search_method_parse("anneal", &m, &err), MYELIN_EUSAGE);
    myelin_search_granularity g;
    ck_assert_int_eq(myelin_search_granularity_parse("layer", &g, &err), 0);
    ck_assert_int_eq(g, MYELIN_SEARCH_LAYER);
    ck_assert_int_eq(myelin_search_granularity_parse("core", &g, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_search_schemes_parse("pot,uniform", &cfg, &err), 0);
    ck_assert_int_eq(cfg.n_schemes, 2);
    ck_assert_int_eq(myelin_search_schemes_parse("log", &cfg, &err), MYELIN_EUSAGE);
    myelin_search_objective o;
    ck_assert_int_eq(myelin_search_objective_parse("edp", &o, &err), 0);
    ck_assert_int_eq(o, MYELIN_OBJ_EDP);
    ck_assert_int_eq(myelin_search_objective_parse("energy", &o, &err), 0);
    ck_assert_int_eq(o, MYELIN_OBJ_ENERGY);
    ck_assert_int_eq(myelin_search_objective_parse("speed", &o, &err), MYELIN_EUSAGE);
}
END_TEST

/* ---- the adaptive gate's calibrated model ---- */

START_TEST(test_gate_model)
{
    /* six evaluated points on a rising line with noise; three new candidates */
    static const double px[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5}, dr[] = {0, 0.3, 0.5, 1.0, 1.6, 2.0};
    static const double probe[] = {0.02, 0.33, 1.5};
    myelin_search s;
    memset(&s, 0, sizeof s);
    myelin_search_config_default(&s.cfg);
    cand c[9];
    memset(c, 0, sizeof c);
    s.cands = c;
    s.n_cands = 9;
    for (int i = 0; i < 6; i++) {
        c[i].has_full = c[i].has_drift = 1;
        c[i].proxy = px[i];
        c[i].drop_pct = dr[i];
    }
    for (int i = 0; i < 3; i++) {
        c[6 + i].has_drift = 1;
        c[6 + i].proxy = probe[i];
    }
    int idx[3] = {6, 7, 8};
    myelin_error err;
    ck_assert_int_eq(myelin_gate_predict(&s, idx, 3, &err), 1);
    ck_assert(s.fit_c1 > 0);
    ck_assert_int_eq(myelin_gate_verdict(&s, &c[6]), -1); /* confident pass */
    ck_assert_int_eq(myelin_gate_verdict(&s, &c[7]), 0);  /* near the constraint: uncertain */
    ck_assert_int_eq(myelin_gate_verdict(&s, &c[8]), 1);  /* confident failure */
    ck_assert(c[7].pred_half > 0);
    /* the interval widens away from the data */
    ck_assert(c[8].pred_half > c[7].pred_half);
    /* fewer than 3 points: no prediction, nothing is confident */
    s.n_cands = 2;
    for (int i = 0; i < 3; i++)
        c[6 + i].predicted = 0;
    ck_assert_int_eq(myelin_gate_predict(&s, idx, 0, &err), 0);
    ck_assert_int_eq(myelin_gate_verdict(&s, &c[8]), 0);
}
END_TEST

/* ---- journal ---- */

static void scratch(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/tests/search_%s.tmp.%d", MYELIN_TEST_BUILDDIR, name, (int)getpid());
}

START_TEST(test_journal)
{
    char path[1024], old[1100];
    scratch(path, sizeof path, "journal");
    snprintf(old, sizeof old, "%s.old", path);
    unlink(path);
    unlink(old);
    myelin_error err;
    journal *j = NULL;
    int restarted = -1;
    ck_assert_int_eq(myelin_journal_open(path, 42, &j, &restarted, &err), 0);
    ck_assert_int_eq(restarted, 0);
    double v[3] = {0.125, 1.0 / 3.0, 4211063.67};
    ck_assert_int_eq(myelin_journal_put(j, "drift", "u8.f", v, 3, &err), 0);
    ck_assert_int_eq(myelin_journal_put(j, "full", "u8.f", v, 2, &err), 0);
    myelin_journal_close(j);
    /* a torn last line, as a kill during a write leaves it */
    FILE *f = fopen(path, "a");
    fputs("{\"kind\":\"full\",\"key\":\"u4", f);
    fclose(f);
    ck_assert_int_eq(myelin_journal_open(path, 42, &j, &restarted, &err), 0);
    ck_assert_int_eq(myelin_journal_records(j), 2);
    double r[3];
    ck_assert(myelin_journal_get(j, "drift", "u8.f", r, 3));
    ck_assert(r[0] == v[0] && r[1] == v[1] && r[2] == v[2]); /* %.17g round-trips exactly */
    ck_assert(!myelin_journal_get(j, "full", "u4", r, 1));
    ck_assert(!myelin_journal_get(j, "full", "u8.f", r, 3)); /* only 2 values stored */
    ck_assert_int_eq(myelin_journal_put(j, "test", "u8.f", v, 1, &err), 0);
    myelin_journal_close(j);
    ck_assert_int_eq(myelin_journal_open(path, 42, &j, &restarted, &err), 0);
    ck_assert_int_eq(myelin_journal_records(j), 3);
    myelin_journal_close(j);
    /* other arguments: moved aside, fresh */
    ck_assert_int_eq(myelin_journal_open(path, 43, &j, &restarted, &err), 0);
    ck_assert_int_eq(restarted, 1);
    ck_assert_int_eq(myelin_journal_records(j), 0);
    ck_assert_int_eq(access(old, F_OK), 0);
    myelin_journal_close(j);
    unlink(path);
    unlink(old);
}
END_TEST

/* Journals whose records are corrupt (tests/data/bad/journal_records, written for args hash 42):
 * the resume stops with an error naming the line, and the file is left as it was. */
static const char *const corrupt_journals[][2] = {
    {"corrupt_middle.jsonl", ":3"}, {"bare_nan.jsonl", ":3"},     {"nan_literal.jsonl", ":2"},
    {"overflow.jsonl", ":2"},       {"nan_string.jsonl", ":2"},   {"too_many_values.jsonl", ":2"},
    {"no_values.jsonl", ":2"},      {"kind_number.jsonl", ":2"},  {"extra_member.jsonl", ":2"},
    {"empty_line.jsonl", ":2"},     {"trailing_brace.jsonl", ":2"}, {"array_record.jsonl", ":2"},
};

START_TEST(test_journal_corrupt)
{
    char src[1024], path[1024];
    snprintf(src, sizeof src, "%s/tests/data/bad/journal_records/%s", MYELIN_TEST_SRCDIR,
             corrupt_journals[_i][0]);
    scratch(path, sizeof path, "corrupt");
    char *text = NULL, *after = NULL;
    size_t len = 0, alen = 0;
    myelin_error err;
    ck_assert_int_eq(myelin_read_file(src, &text, &len, &err), 0);
    ck_assert_int_eq(myelin_write_file_atomic(path, text, len, &err), 0);
    journal *j = NULL;
    int restarted = 0;
    ck_assert_int_eq(myelin_journal_open(path, 42, &j, &restarted, &err), MYELIN_EFORMAT);
    ck_assert_ptr_null(j);
    ck_assert_msg(strstr(err.message, "corrupt journal record") != NULL, "%s", err.message);
    char where[16];
    snprintf(where, sizeof where, ":%d", err.line);
    ck_assert_msg(strcmp(where, corrupt_journals[_i][1]) == 0, "%s: line %d", corrupt_journals[_i][0],
                  err.line);
    ck_assert_int_eq(myelin_read_file(path, &after, &alen, &err), 0);
    ck_assert(alen == len && memcmp(after, text, len) == 0); /* nothing cut, nothing dropped */
    free(text);
    free(after);
    unlink(path);
}
END_TEST

/* NaN and infinities are written in a form JSON holds and read back; a file that is not a
 * journal, a folder and a device are refused untouched; a second opener is locked out. */
START_TEST(test_journal_guards)
{
    char path[1024], old[1100];
    scratch(path, sizeof path, "guards");
    snprintf(old, sizeof old, "%s.old", path);
    unlink(path);
    myelin_error err;
    journal *j = NULL, *j2 = NULL;
    int restarted = 0;
    ck_assert_int_eq(myelin_journal_open(path, 7, &j, &restarted, &err), 0);
    double v[4] = {NAN, INFINITY, -INFINITY, 0.5}, r[4];
    ck_assert_int_eq(myelin_journal_put(j, "full", "k\"ey\n", v, 4, &err), 0);
    ck_assert_int_eq(myelin_journal_open(path, 7, &j2, &restarted, &err), MYELIN_EUSAGE); /* locked */
    ck_assert_ptr_nonnull(strstr(err.message, "another search is writing this journal"));
    myelin_journal_close(j);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(myelin_read_file(path, &text, &len, &err), 0);
    ck_assert_ptr_null(strstr(text, "nan"));
    ck_assert_ptr_null(strstr(text, "inf,"));
    ck_assert_ptr_nonnull(strstr(text, "[null,\"inf\",\"-inf\",0.5]"));
    free(text);
    ck_assert_int_eq(myelin_journal_open(path, 7, &j, &restarted, &err), 0);
    ck_assert(myelin_journal_get(j, "full", "k\"ey\n", r, 4));
    ck_assert(isnan(r[0]) && r[1] == INFINITY && r[2] == -INFINITY && r[3] == 0.5);
    myelin_journal_close(j);
    unlink(path);
    /* not a journal: refused, neither renamed nor changed */
    FILE *f = fopen(path, "w");
    fputs("precious notes\n", f);
    fclose(f);
    ck_assert_int_eq(myelin_journal_open(path, 7, &j, &restarted, &err), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "not a Myelin journal"));
    ck_assert_int_eq(access(old, F_OK), -1);
    ck_assert_int_eq(myelin_read_file(path, &text, &len, &err), 0);
    ck_assert_str_eq(text, "precious notes\n");
    free(text);
    unlink(path);
    ck_assert_int_eq(myelin_journal_open("/dev/null", 7, &j, &restarted, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_journal_open(MYELIN_TEST_SRCDIR, 7, &j, &restarted, &err), MYELIN_EUSAGE);
}
END_TEST

/* ---- Pareto ---- */

START_TEST(test_pareto)
{
    /* (correct, memory, energy): 0 dominates 3; 1 and 2 trade off; 4 duplicates 1; 5 unevaluated */
    static const int64_t corr[] = {90, 80, 95, 85, 80, 99};
    static const int64_t mem[] = {100, 50, 200, 120, 50, 10};
    static const double pj[] = {10, 20, 5, 12, 20, 1};
    myelin_search s;
    memset(&s, 0, sizeof s);
    cand c[6];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 6; i++) {
        c[i].id = i;
        c[i].correct = corr[i];
        c[i].mem_bits = mem[i];
        c[i].energy_pj = pj[i];
        c[i].has_full = i < 5;
    }
    s.cands = c;
    s.n_cands = 6;
    int *front = NULL;
    int n = myelin_rank_pareto(&s, &front);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(front[0], 1); /* ordered by memory */
    ck_assert_int_eq(front[1], 0);
    ck_assert_int_eq(front[2], 2);
    free(front);
}
END_TEST

/* ---- small searches on the tiny model ---- */

typedef struct tiny {
    myelin_workload *wl;
    myelin_weights *w;
    char arch[1024];
} tiny;

static void tiny_load(tiny *t)
{
    char path[1024];
    myelin_error err;
    snprintf(path, sizeof path, "%s/workloads/zoo/tiny.yaml", MYELIN_TEST_SRCDIR);
    ck_assert_msg(myelin_workload_load(path, &t->wl, &err) == 0, "%s", err.message);
    ck_assert_msg(myelin_weights_load(t->wl, t->wl->weights_path, &t->w, &err) == 0, "%s", err.message);
    snprintf(t->arch, sizeof t->arch, "%s/arch/presets/generic-45nm.yaml", MYELIN_TEST_SRCDIR);
}

static void tiny_free(tiny *t)
{
    myelin_weights_free(t->w);
    myelin_workload_free(t->wl);
}

static void small_config(myelin_search_config *cfg, const tiny *t)
{
    myelin_search_config_default(cfg);
    cfg->val_spec = "synthetic:split=test,count=60,seed=2";
    cfg->calib_spec = "synthetic:split=test,count=4,seed=3";
    cfg->test_spec = "synthetic:split=test,count=20,seed=1";
    cfg->arch_path = t->arch;
    cfg->granularity = MYELIN_SEARCH_NETWORK;
    cfg->n_bits = 3;
    cfg->bits[0] = 8;
    cfg->bits[1] = 4;
    cfg->bits[2] = 2;
}

static void run(const myelin_search_config *cfg, const tiny *t, myelin_search_figures *f)
{
    myelin_search *s = NULL;
    myelin_error err;
    char note[256];
    int rc = myelin_search_run(cfg, t->wl, t->w, &s, note, sizeof note, &err);
    ck_assert_msg(rc == 0, "search: %s", err.message);
    myelin_search_get_figures(s, f);
    myelin_search_free(s);
}

START_TEST(test_search_constraint_and_threads)
{
    tiny t;
    tiny_load(&t);
    myelin_search_config cfg;
    small_config(&cfg, &t);
    myelin_search_figures a, b;
    cfg.threads = 1;
    run(&cfg, &t, &a);
    cfg.threads = 2;
    run(&cfg, &t, &b);
    ck_assert(a.drop_pct <= cfg.max_drop_pct);
    ck_assert(a.memory_saving_pct > 70); /* float -> at least 8 bits everywhere */
    ck_assert_str_eq(a.chosen_key, b.chosen_key);
    ck_assert(a.chosen_val_pct == b.chosen_val_pct);
    ck_assert(a.chosen_energy_pj == b.chosen_energy_pj);
    ck_assert_int_eq(a.full_evals, b.full_evals);
    tiny_free(&t);
}
END_TEST

START_TEST(test_beam_of_one_is_greedy)
{
    tiny t;
    tiny_load(&t);
    myelin_search_config cfg;
    small_config(&cfg, &t);
    cfg.granularity = MYELIN_SEARCH_BLOCK;
    cfg.n_bits = 2; /* 8, 4 */
    cfg.gate = MYELIN_GATE_NONE; /* the adaptive greedy is its own descent (aq4svit.c) */
    myelin_search_figures g, b;
    run(&cfg, &t, &g);
    cfg.method = MYELIN_SEARCH_BEAM;
    cfg.beam_width = 1;
    run(&cfg, &t, &b);
    ck_assert_str_eq(g.chosen_key, b.chosen_key);
    ck_assert_int_eq(g.full_evals, b.full_evals);
    ck_assert_int_eq(g.drift_evals, b.drift_evals);
    tiny_free(&t);
}
END_TEST

START_TEST(test_resume)
{
    tiny t;
    tiny_load(&t);
    char path[1024];
    scratch(path, sizeof path, "resume");
    unlink(path);
    myelin_search_config cfg;
    small_config(&cfg, &t);
    cfg.method = MYELIN_SEARCH_QSVIT;
    myelin_search_figures ref, got;
    run(&cfg, &t, &ref);
    cfg.journal_path = path;
    cfg.stop_after = 2;
    myelin_search *s = NULL;
    myelin_error err;
    char note[256];
    ck_assert_int_eq(myelin_search_run(&cfg, t.wl, t.w, &s, note, sizeof note, &err),
                     MYELIN_SEARCH_STOPPED);
    ck_assert_ptr_null(s);
    cfg.stop_after = 0;
    run(&cfg, &t, &got);
    ck_assert_str_eq(ref.chosen_key, got.chosen_key);
    ck_assert(ref.chosen_val_pct == got.chosen_val_pct);
    ck_assert(ref.chosen_energy_pj == got.chosen_energy_pj);
    ck_assert_int_eq(ref.full_evals, got.full_evals);
    unlink(path);
    tiny_free(&t);
}
END_TEST

Suite *make_search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("parsers");
    tcase_add_loop_test(tc, test_bits_parse, 0, (int)(sizeof bits_cases / sizeof bits_cases[0]));
    tcase_add_loop_test(tc, test_gate_parse, 0, (int)(sizeof gate_cases / sizeof gate_cases[0]));
    tcase_add_test(tc, test_other_parsers);
    tcase_add_test(tc, test_gate_model);
    suite_add_tcase(s, tc);
    tc = tcase_create("journal");
    tcase_add_test(tc, test_journal);
    tcase_add_loop_test(tc, test_journal_corrupt, 0,
                        (int)(sizeof corrupt_journals / sizeof corrupt_journals[0]));
    tcase_add_test(tc, test_journal_guards);
    tcase_add_test(tc, test_pareto);
    suite_add_tcase(s, tc);
    tc = tcase_create("tiny");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_search_constraint_and_threads);
    tcase_add_test(tc, test_beam_of_one_is_greedy);
    tcase_add_test(tc, test_resume);
    suite_add_tcase(s, tc);
    return s;
}
