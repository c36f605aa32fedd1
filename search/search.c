/* search/search.c — the search's entry point: configuration defaults and parsers, the arguments'
 * fingerprint (the journal's key), setting up, the float baseline, dispatch to a method, the
 * chosen setting, the gate check and the test-set evaluations. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/util.h"
#include "base/ranks.h"
#include "search/internal.h"

void myelin_search_config_default(myelin_search_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->method = MYELIN_SEARCH_GREEDY;
    cfg->gate = MYELIN_GATE_ADAPTIVE;
    cfg->gate_threshold = 0.1;
    cfg->gate_topk = 2;
    cfg->granularity = MYELIN_SEARCH_BLOCK;
    static const int bits[] = {8, 6, 4, 3, 2};
    cfg->n_bits = 5;
    memcpy(cfg->bits, bits, sizeof bits);
    cfg->n_schemes = 1;
    cfg->schemes[0] = MYELIN_SCHEME_UNIFORM;
    cfg->n_mbits = 1;
    cfg->mbits[0] = 16;
    cfg->max_drop_pct = 1.5;
    cfg->beam_width = 3;
    cfg->input_bits = 8;
    cfg->n_ibits = 1;
    cfg->ibits[0] = 8;
    cfg->objective = MYELIN_OBJ_MEMORY;
    cfg->carve_seed = 1;
    cfg->seed = 1;
    cfg->gate_check = 6;
    cfg->threads = 1;
}

const char *myelin_search_method_name(myelin_search_method m)
{
    switch (m) {
    case MYELIN_SEARCH_GREEDY: return "greedy";
    case MYELIN_SEARCH_BEAM: return "beam";
    case MYELIN_SEARCH_QSVIT: return "qsvit";
    case MYELIN_SEARCH_HETERO: return "hetero";
    }
    return "?";
}

int myelin_search_method_parse(const char *s, myelin_search_method *out, myelin_error *err)
{
    if (!strcmp(s, "greedy") || !strcmp(s, "aq4svit-greedy") || !strcmp(s, "aq4svit"))
        *out = MYELIN_SEARCH_GREEDY;
    else if (!strcmp(s, "beam") || !strcmp(s, "aq4svit-beam"))
        *out = MYELIN_SEARCH_BEAM;
    else if (!strcmp(s, "qsvit"))
        *out = MYELIN_SEARCH_QSVIT;
    else if (!strcmp(s, "hetero") || !strcmp(s, "heterogeneous"))
        *out = MYELIN_SEARCH_HETERO;
    else
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--method: expected greedy, beam, qsvit or hetero (got '%s')", s);
    return 0;
}

const char *myelin_search_objective_name(myelin_search_objective o)
{
    switch (o) {
    case MYELIN_OBJ_ENERGY: return "energy";
    case MYELIN_OBJ_EDP: return "edp";
    default: return "memory";
    }
}

int myelin_search_objective_parse(const char *s, myelin_search_objective *out, myelin_error *err)
{
    if (!strcmp(s, "memory"))
        *out = MYELIN_OBJ_MEMORY;
    else if (!strcmp(s, "energy"))
        *out = MYELIN_OBJ_ENERGY;
    else if (!strcmp(s, "edp"))
        *out = MYELIN_OBJ_EDP;
    else
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--objective: expected memory, energy or edp (got '%s')", s);
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int myelin_search_gate_parse(const char *s, myelin_search_config *cfg, myelin_error *err)
{
    if (!strcmp(s, "none")) {
        cfg->gate = MYELIN_GATE_NONE;
    } else if (!strcmp(s, "adaptive")) {
        cfg->gate = MYELIN_GATE_ADAPTIVE;
    } else if (!strncmp(s, "threshold:", 10)) {
        if (parse_double(s + 10, 0, 1e9, &cfg->gate_threshold))
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--gate threshold:X wants a drift bound X >= 0 (got '%s')", s);
        cfg->gate = MYELIN_GATE_THRESHOLD;
    } else if (!strncmp(s, "topk:", 5)) {
        double k;
        if (parse_double(s + 5, 1, 1000000, &k) || k != floor(k))
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--gate topk:K wants an integer K >= 1 (got '%s')", s);
        cfg->gate_topk = (int)k;
        cfg->gate = MYELIN_GATE_TOPK;
    } else {
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--gate: expected none, threshold:X, topk:K or adaptive (got '%s')", s);
    }
    return 0;
}

int myelin_search_granularity_parse(const char *s, myelin_search_granularity *out,
                                    myelin_error *err)
{
    if (!strcmp(s, "network"))
        *out = MYELIN_SEARCH_NETWORK;
    else if (!strcmp(s, "block") || !strcmp(s, "stage"))
        *out = MYELIN_SEARCH_BLOCK;
    else if (!strcmp(s, "layer"))
        *out = MYELIN_SEARCH_LAYER;
    else
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--granularity: expected network, block or layer (got '%s')", s);
    return 0;
}

int myelin_search_bits_parse(const char *s, int lo, int hi, int *bits, int *n, myelin_error *err)
{
    int cnt = 0;
    const char *p = s;
    while (*p) {
        char *end = NULL;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < lo || v > hi || (*end && *end != ','))
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "bit widths: expected a comma-separated list of integers %d..%d "
                                    "(got '%s')", lo, hi, s);
        int dup = 0;
        for (int i = 0; i < cnt; i++)
            dup |= bits[i] == (int)v;
        if (!dup) {
            if (cnt == MYELIN_SEARCH_MAX_LEVELS)
                return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                        "bit widths: at most %d (got '%s')", MYELIN_SEARCH_MAX_LEVELS, s);
            bits[cnt++] = (int)v;
        }
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "bit widths: trailing comma in '%s'", s);
    }
    if (!cnt)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "bit widths: empty list");
    /* descending */
    for (int i = 1; i < cnt; i++)
        for (int j = i; j > 0 && bits[j] > bits[j - 1]; j--) {
            int t = bits[j];
            bits[j] = bits[j - 1];
            bits[j - 1] = t;
        }
    *n = cnt;
    return 0;
}

int myelin_search_schemes_parse(const char *s, myelin_search_config *cfg, myelin_error *err)
{
    if (!strcmp(s, "uniform")) {
        cfg->n_schemes = 1;
        cfg->schemes[0] = MYELIN_SCHEME_UNIFORM;
    } else if (!strcmp(s, "pot")) {
        cfg->n_schemes = 1;
        cfg->schemes[0] = MYELIN_SCHEME_POT;
    } else if (!strcmp(s, "uniform,pot") || !strcmp(s, "pot,uniform")) {
        cfg->n_schemes = 2;
        cfg->schemes[0] = MYELIN_SCHEME_UNIFORM;
        cfg->schemes[1] = MYELIN_SCHEME_POT;
    } else {
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--schemes: expected uniform, pot or uniform,pot (got '%s')", s);
    }
    return 0;
}

/* Fingerprint of everything that changes a result (not threads, outputs or progress). */
static uint64_t args_hash(const myelin_search *s)
{
    const myelin_search_config *c = &s->cfg;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return 0;
    fprintf(f, "method=%d gate=%d thr=%.17g topk=%d gran=%d bits=", c->method, c->gate,
            c->gate_threshold, c->gate_topk, c->granularity);
    for (int i = 0; i < c->n_bits; i++)
        fprintf(f, "%d,", c->bits[i]);
    fprintf(f, " schemes=");
    for (int i = 0; i < c->n_schemes; i++)
        fprintf(f, "%d,", (int)c->schemes[i]);
    fprintf(f, " mbits=");
    for (int i = 0; i < c->n_mbits; i++)
        fprintf(f, "%d,", c->mbits[i]);
    fprintf(f, " ibits=");
    for (int i = 0; i < c->n_ibits; i++)
        fprintf(f, "%d,", c->ibits[i]);
    /* proxy=2: drift records carry the logit terms (journals of the drift-only proxy restart) */
    fprintf(f, " proxy=2 objective=%d carve=%s/%d/%d/%" PRIu64 " range=%d/%d", (int)c->objective,
            c->train_spec ? c->train_spec : "", c->val_from_train, c->calib_from_train, c->carve_seed,
            c->val_first, c->val_count);
    fprintf(f, " drop=%.17g beam=%d seed=%" PRIu64 " check=%d val=%s calib=%s test=%s "
               "inputs=%016" PRIx64,
            c->max_drop_pct, c->beam_width, c->seed, c->gate_check, s->val_spec,
            s->calib_spec, s->test_spec, c->inputs_hash);
    fclose(f);
    uint64_t h = myelin_fnv1a64(buf, len, MYELIN_FNV_INIT);
    free(buf);
    char *arch = NULL;
    size_t alen = 0;
    myelin_error e;
    if (myelin_read_file(s->arch_path, &arch, &alen, &e) == 0)
        h = myelin_fnv1a64(arch, alen, h);
    free(arch);
    return h;
}

/* Keeps the widths the array supports; notes what was dropped. */
static int restrict_widths(myelin_search *s, myelin_error *err)
{
    myelin_search_config *c = &s->cfg;
    char dropped[128] = "";
    int n = 0;
    for (int i = 0; i < c->n_bits; i++) {
        if (myelin_arch_weight_bits_ok(s->arch, c->bits[i]))
            c->bits[n++] = c->bits[i];
        else
            snprintf(dropped + strlen(dropped), sizeof dropped - strlen(dropped), "%s%d",
                     dropped[0] ? "," : "", c->bits[i]);
    }
    c->n_bits = n;
    char mdropped[128] = "";
    int m = 0;
    for (int i = 0; i < c->n_mbits; i++) {
        if (myelin_arch_membrane_bits_ok(s->arch, c->mbits[i]))
            c->mbits[m++] = c->mbits[i];
        else
            snprintf(mdropped + strlen(mdropped), sizeof mdropped - strlen(mdropped), "%s%d",
                     mdropped[0] ? "," : "", c->mbits[i]);
    }
    c->n_mbits = m;
    if (dropped[0] || mdropped[0])
        snprintf(s->note, sizeof s->note,
                 "%s does not support weight widths {%s} / membrane widths {%s}: searching without them",
                 s->arch->name, dropped, mdropped);
    if (!n)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, s->arch_path, 0, 0,
                                "the array supports none of the requested weight widths");
    if (!m)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, s->arch_path, 0, 0,
                                "the array supports none of the requested membrane widths");
    if (!myelin_arch_weight_bits_ok(s->arch, MYELIN_BITS_FLOAT))
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, s->arch_path, 0, 0,
                                "%s has no float weights: the search starts from full precision; "
                                "choose an array that supports float (e.g. generic-45nm)",
                                s->arch->name);
    return 0;
}

/* The chosen setting of a descent: least memory among passing search candidates. */
static void choose(myelin_search *s)
{
    if (s->cfg.method == MYELIN_SEARCH_QSVIT && s->chosen >= 0)
        return;
    s->chosen = s->baseline;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *c = &s->cands[i];
        if (c->role == ROLE_SEARCH && c->has_full && c->pass && !c->checked &&
            myelin_search_better(s, c, &s->cands[s->chosen]))
            s->chosen = i;
    }
}

/* Re-evaluates a seeded sample of gated-out candidates: how many would have passed. */
static int check_gate(myelin_search *s, myelin_error *err)
{
    int n_out = 0;
    for (int i = 0; i < s->n_cands; i++)
        n_out += s->cands[i].gate == GATE_OUT;
    int want = s->cfg.gate_check < n_out ? s->cfg.gate_check : n_out;
    if (!want)
        return 0;
    int *pool = malloc((size_t)n_out * sizeof *pool);
    if (!pool)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int k = 0;
    for (int i = 0; i < s->n_cands; i++)
        if (s->cands[i].gate == GATE_OUT)
            pool[k++] = i;
    myelin_rng rng;
    myelin_rng_seed(&rng, s->cfg.seed, 0x6a7e);
    int rc = 0;
    for (int i = 0; !rc && i < want; i++) {
        int j = i + (int)myelin_rng_below(&rng, (uint64_t)(n_out - i));
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        cand *c = &s->cands[pool[i]];
        c->checked = 1;
        rc = myelin_search_full(s, pool[i], err);
        if (!rc) {
            s->check_evals++;
            s->check_false += s->cands[pool[i]].pass;
        }
        myelin_search_progress(s, "gate check");
    }
    free(pool);
    return rc;
}

int myelin_search_run(const myelin_search_config *cfg, const myelin_workload *wl,
                      const myelin_weights *w, myelin_search **out, char *restricted_out,
                      size_t restricted_len, myelin_error *err)
{
    *out = NULL;
    if (restricted_len)
        restricted_out[0] = 0;
    if (cfg->n_bits < 1 || cfg->n_mbits < 1 || cfg->n_ibits < 0 ||
        (cfg->val_from_train > 0 && !cfg->train_spec) || cfg->n_schemes < 1 || cfg->threads < 1 ||
        cfg->beam_width < 1 || !(cfg->max_drop_pct >= 0) || !cfg->val_spec || !cfg->calib_spec ||
        !cfg->test_spec || !cfg->arch_path)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "search: incomplete configuration");
    myelin_search *s = calloc(1, sizeof *s);
    if (!s)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    s->cfg = *cfg;
    s->t0 = myelin_search_now_s();
    s->wl = wl;
    s->w = w;
    s->baseline = s->chosen = -1;
    snprintf(s->val_spec, sizeof s->val_spec, "%s", cfg->val_spec);
    snprintf(s->calib_spec, sizeof s->calib_spec, "%s", cfg->calib_spec);
    snprintf(s->test_spec, sizeof s->test_spec, "%s", cfg->test_spec);
    snprintf(s->arch_path, sizeof s->arch_path, "%s", cfg->arch_path);
    s->cfg.val_spec = s->val_spec;
    s->cfg.calib_spec = s->calib_spec;
    s->cfg.test_spec = s->test_spec;
    s->cfg.arch_path = s->arch_path;
    s->cfg.journal_path = NULL;
    if (s->cfg.n_ibits < 1) {
        s->cfg.n_ibits = 1;
        s->cfg.ibits[0] = cfg->input_bits;
    }
    s->cfg.input_bits = s->cfg.ibits[0];
    if (cfg->train_spec)
        snprintf(s->train_spec, sizeof s->train_spec, "%s", cfg->train_spec);
    s->cfg.train_spec = cfg->train_spec ? s->train_spec : NULL;
    if (cfg->method == MYELIN_SEARCH_QSVIT)
        s->cfg.gate = MYELIN_GATE_NONE;
    int rc = myelin_ranks_agree(myelin_eval_setup(s, err), err);
    if (!rc)
        rc = restrict_widths(s, err);
    if (!rc && restricted_len)
        snprintf(restricted_out, restricted_len, "%s", s->note);
    if (!rc)
        rc = myelin_space_groups(s, err);
    if (!rc && cfg->journal_path) {
        int restarted = 0;
        snprintf(s->journal_path, sizeof s->journal_path, "%s", cfg->journal_path);
        /* under MPI rank 0 alone keeps the journal (eval.c asks it) */
        if (myelin_ranks_rank() == 0)
            rc = myelin_journal_open(cfg->journal_path, args_hash(s), &s->jn, &restarted, err);
        rc = myelin_ranks_agree(rc, err);
        if (!rc && restarted)
            snprintf(s->note + strlen(s->note), sizeof s->note - strlen(s->note),
                     "%sthe journal was written by a search with other arguments; moved it to "
                     "%.200s.old and started afresh", s->note[0] ? "; " : "", cfg->journal_path);
        if (!rc && restricted_len)
            snprintf(restricted_out, restricted_len, "%s", s->note);
    }
    /* the float baseline */
    if (!rc) {
        gstate *g = calloc((size_t)s->n_groups + 1, sizeof *g);
        s->baseline = g ? myelin_space_add(s, g, ROLE_BASELINE, 0, -1, err) : -1;
        free(g);
        if (s->baseline < 0)
            rc = err->code ? err->code : MYELIN_ENOMEM;
    }
    if (!rc)
        rc = myelin_eval_drift(s, s->baseline, err);
    if (!rc) {
        s->cands[s->baseline].gate = GATE_IN;
        rc = myelin_eval_full(s, s->baseline, err);
        s->full_evals++;
        s->cands[s->baseline].pass = 1;
    }
    if (!rc)
        rc = cfg->method == MYELIN_SEARCH_QSVIT ? myelin_search_qsvit(s, err) : myelin_search_aq4svit(s, err);
    if (!rc) {
        choose(s);
        rc = check_gate(s, err);
    }
    if (!rc)
        rc = myelin_eval_test(s, s->baseline, err);
    if (!rc)
        rc = myelin_eval_test(s, s->chosen, err);
    if (cfg->progress)
        fprintf(stderr, "\n");
    s->wall_s = myelin_search_now_s() - s->t0;
    myelin_journal_close(s->jn);
    s->jn = NULL;
    myelin_eval_teardown(s);
    if (rc) {
        myelin_search_free(s);
        if (rc == MYELIN_SEARCH_STOPPED)
            myelin_error_set(err, MYELIN_OK, NULL, 0, 0,
                             "stopped after %" PRId64 " new evaluations (--stop-after); rerun to resume",
                             cfg->stop_after);
        return rc;
    }
    *out = s;
    return 0;
}

void myelin_search_free(myelin_search *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_cands; i++) {
        free(s->cands[i].g);
        free(s->cands[i].key);
    }
    free(s->cands);
    free(s->groups);
    free(s->layer_group);
    myelin_journal_close(s->jn);
    myelin_eval_teardown(s);
    myelin_eval_free_images(&s->val);
    myelin_cost_registry_free(s->reg);
    myelin_arch_free(s->arch);
    free(s);
}

void myelin_search_get_figures(const myelin_search *s, myelin_search_figures *f)
{
    memset(f, 0, sizeof *f);
    const cand *b = &s->cands[s->baseline], *c = &s->cands[s->chosen];
    f->float_val_pct = b->acc_pct;
    f->chosen_val_pct = c->acc_pct;
    f->drop_pct = c->drop_pct;
    f->float_test_pct = b->test_images ? 100.0 * (double)b->test_correct / (double)b->test_images : 0;
    f->chosen_test_pct = c->test_images ? 100.0 * (double)c->test_correct / (double)c->test_images : 0;
    f->test_drop_pct = f->float_test_pct - f->chosen_test_pct;
    f->test_over = f->test_drop_pct > s->cfg.max_drop_pct + 1e-9;
    f->predicted_passes = s->predicted_passes;
    f->float_memory_bytes = (b->mem_bits + 7) / 8;
    f->chosen_memory_bytes = (c->mem_bits + 7) / 8;
    f->memory_saving_pct = 100.0 * (1.0 - (double)c->mem_bits / (double)b->mem_bits);
    f->float_energy_pj = b->energy_pj;
    f->chosen_energy_pj = c->energy_pj;
    f->energy_saving_pct = b->energy_pj > 0 ? 100.0 * (1.0 - c->energy_pj / b->energy_pj) : 0;
    f->avg_bits = c->avg_bits;
    f->compression = c->mem_bits ? (double)b->mem_bits / (double)c->mem_bits : 0;
    f->full_evals = s->full_evals;
    f->drift_evals = s->drift_evals;
    for (int i = 0; i < s->n_cands; i++)
    {
        f->gated_out += s->cands[i].gate == GATE_OUT;
        f->skipped += s->cands[i].gate == GATE_SKIPPED;
    }
    f->check_evals = s->check_evals;
    f->check_false_rejections = s->check_false;
    for (int i = 0; i < s->n_cands; i++)
        f->candidates += s->cands[i].has_drift || s->cands[i].has_full;
    f->spearman_proxy = myelin_rank_spearman(s, 0, &f->spearman_n);
    int n2;
    f->spearman_drift = myelin_rank_spearman(s, 1, &n2);
    f->spearman_logit = myelin_rank_spearman(s, 2, &n2);
    f->wall_s = s->wall_s;
    snprintf(f->chosen_key, sizeof f->chosen_key, "%s", c->key);
}
