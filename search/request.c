/* search/request.c — the search's options as one table and its datasets resolved
 * (search/request.h), for `myelin search` and myelin_api_search alike. */
#include "search/request.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "base/util.h"

void myelin_search_request_init(myelin_search_request *r, const char *out_dir, const char *key_prefix)
{
    memset(r, 0, sizeof *r);
    myelin_search_config_default(&r->cfg);
    r->out_dir = out_dir;
    r->prefix = "";
    r->vft_seed = 1;
    r->with_timing = 1;
    r->key_prefix = key_prefix;
}

enum { K_METHOD, K_GATE, K_GRAN, K_BITS, K_SCHEMES, K_MBITS, K_IBITS, K_OBJ, K_DROP, K_BEAM, K_THREADS,
       K_CHECK, K_STOP, K_VCOUNT, K_SEED, K_VFT, K_ARCH, K_TRAIN, K_VAL, K_CALIB, K_TEST, K_OUT, K_PREFIX,
       K_JOURNAL, K_NOTIME, K_VFIRST };

/* Every option: its name with dashes; integers carry their bounds and how messages say them. */
static const struct {
    const char *name;
    int id;
    long lo, hi;
    const char *what;
} keys[] = {
    {"method", K_METHOD, 0, 0, NULL},          {"gate", K_GATE, 0, 0, NULL},
    {"granularity", K_GRAN, 0, 0, NULL},       {"bits", K_BITS, 0, 0, NULL},
    {"schemes", K_SCHEMES, 0, 0, NULL},        {"membrane-bits", K_MBITS, 0, 0, NULL},
    {"input-bits", K_IBITS, 0, 0, NULL},       {"objective", K_OBJ, 0, 0, NULL},
    {"max-drop", K_DROP, 0, 0, NULL},          {"beam-width", K_BEAM, 1, 64, "an integer 1..64"},
    {"threads", K_THREADS, 1, 256, "an integer 1..256"},
    {"gate-check", K_CHECK, 0, 100000, "an integer >= 0"},
    {"stop-after", K_STOP, 1, 1000000000, "a positive integer"},
    {"val-count", K_VCOUNT, 1, 1000000, "an integer 1..1000000"},
    {"val-first", K_VFIRST, 0, 1000000000, "an integer 0..1000000000"},
    {"seed", K_SEED, 0, 0, NULL},              {"val-from-train", K_VFT, 0, 0, NULL},
    {"arch", K_ARCH, 0, 0, NULL},              {"train", K_TRAIN, 0, 0, NULL},
    {"val", K_VAL, 0, 0, NULL},                {"calib", K_CALIB, 0, 0, NULL},
    {"test", K_TEST, 0, 0, NULL},              {"out", K_OUT, 0, 0, NULL},
    {"prefix", K_PREFIX, 0, 0, NULL},          {"journal", K_JOURNAL, 0, 0, NULL},
    {"no-timing", K_NOTIME, 0, 0, NULL},
};
enum { NKEYS = sizeof keys / sizeof keys[0] };

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int unknown(const myelin_search_request *r, const char *key, myelin_error *err)
{
    char known[1024] = "";
    for (int k = 0; k < NKEYS; k++) {
        size_t n = strlen(known);
        snprintf(known + n, sizeof known - n, "%s%s", k ? ", " : "", keys[k].name);
        if (r->key_prefix && r->key_prefix[0] != '-') /* the API's spelling */
            for (char *p = known + n; *p; p++)
                if (*p == '-')
                    *p = '_';
    }
    return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "unknown search option '%s' (known: %s)", key, known);
}

static int val_from_train(myelin_search_request *r, const char *key, const char *arg, myelin_error *err)
{
    char nbuf[32];
    const char *comma = strchr(arg, ',');
    size_t nl = comma ? (size_t)(comma - arg) : strlen(arg);
    snprintf(nbuf, sizeof nbuf, "%.*s", (int)(nl < sizeof nbuf ? nl : sizeof nbuf - 1), arg);
    if (nl >= sizeof nbuf || parse_long(nbuf, 1, 1000000, &r->vft_n) || (comma && myelin_parse_u64(comma + 1, &r->vft_seed)))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "%s%s: expected N,SEED with N 1..1000000 and SEED >= 0 (got '%s')", r->key_prefix,
                                key, arg);
    return 0;
}

/* The options that take a string or a list (the search module parses lists). */
static int set_text(myelin_search_request *r, int id, const char *key, const char *v, myelin_error *err)
{
    myelin_search_config *cfg = &r->cfg;
    switch (id) {
    case K_METHOD: return myelin_search_method_parse(v, &cfg->method, err);
    case K_GATE: return myelin_search_gate_parse(v, cfg, err);
    case K_GRAN: r->set_gran = 1; return myelin_search_granularity_parse(v, &cfg->granularity, err);
    case K_BITS: return myelin_search_bits_parse(v, 1, 16, cfg->bits, &cfg->n_bits, err);
    case K_MBITS: return myelin_search_bits_parse(v, 2, 32, cfg->mbits, &cfg->n_mbits, err);
    case K_IBITS: return myelin_search_bits_parse(v, 2, 16, cfg->ibits, &cfg->n_ibits, err);
    case K_OBJ: return myelin_search_objective_parse(v, &cfg->objective, err);
    case K_SCHEMES: r->set_schemes = 1; return myelin_search_schemes_parse(v, cfg, err);
    case K_VFT: return val_from_train(r, key, v, err);
    case K_ARCH: r->arch = v; return 0;
    case K_TRAIN: r->train = v; return 0;
    case K_VAL: r->val = v; return 0;
    case K_CALIB: r->calib = v; return 0;
    case K_TEST: r->test = v; return 0;
    case K_OUT: r->out_dir = v; return 0;
    case K_PREFIX: r->prefix = v; return 0;
    case K_JOURNAL: r->journal = v; return 0;
    case K_NOTIME: r->with_timing = 0; return 0;
    case K_SEED:
        if (myelin_parse_u64(v, &cfg->seed))
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s%s: expected a non-negative integer (got '%s')",
                                    r->key_prefix, key, v);
        return 0;
    }
    char *end = NULL; /* K_DROP */
    errno = 0;
    cfg->max_drop_pct = strtod(v, &end);
    if (!*v || *end || errno || !(cfg->max_drop_pct >= 0 && cfg->max_drop_pct <= 100))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s%s: expected points between 0 and 100 (got '%s')",
                                r->key_prefix, key, v);
    return 0;
}

int myelin_search_request_set(myelin_search_request *r, const char *key, const char *value, myelin_error *err)
{
    char name[32];
    snprintf(name, sizeof name, "%s", key);
    for (char *p = name; *p; p++)
        if (*p == '_')
            *p = '-';
    int k = 0;
    while (k < NKEYS && strcmp(keys[k].name, name))
        k++;
    if (k == NKEYS || strlen(key) >= sizeof name)
        return unknown(r, key, err);
    if (!value && keys[k].id != K_NOTIME)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s%s has no value", r->key_prefix, key);
    if (!keys[k].what)
        return set_text(r, keys[k].id, key, value, err);
    long v = 0;
    if (parse_long(value, keys[k].lo, keys[k].hi, &v))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s%s: expected %s (got '%s')", r->key_prefix, key,
                                keys[k].what, value);
    switch (keys[k].id) {
    case K_BEAM: r->cfg.beam_width = (int)v; break;
    case K_THREADS: r->cfg.threads = (int)v; break;
    case K_CHECK: r->cfg.gate_check = (int)v; break;
    case K_STOP: r->cfg.stop_after = v; break;
    case K_VFIRST: r->cfg.val_first = (int)v; break;
    default: r->vcount = v; /* K_VCOUNT */
    }
    return 0;
}

/* A key as the front end spells it: "--val-from-train" on the command line, "val_from_train" from
 * the API (key_prefix not starting with '-'). */
static const char *kname(const myelin_search_request *r, const char *key, char *buf, size_t n)
{
    int cli = r->key_prefix && r->key_prefix[0] == '-';
    snprintf(buf, n, "%s%s", cli ? "--" : "", key);
    for (char *p = buf; *p && !cli; p++)
        if (*p == '-')
            *p = '_';
    return buf;
}

int myelin_search_request_check(myelin_search_request *r, myelin_error *err)
{
    char a[32], b[32];
    if (r->vft_n && r->val)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s and %s: give one", kname(r, "val", a, sizeof a),
                                kname(r, "val-from-train", b, sizeof b));
    if (strchr(r->prefix, '/'))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "%s: a file-name prefix, without '/'",
                                kname(r, "prefix", a, sizeof a));
    if (r->cfg.method == MYELIN_SEARCH_HETERO) {
        if (!r->set_gran)
            r->cfg.granularity = MYELIN_SEARCH_LAYER;
        if (!r->set_schemes)
            myelin_search_schemes_parse("uniform,pot", &r->cfg, err);
    }
    return 0;
}

/* Appends printf(fmt) to r->said. */
static void say(myelin_search_request *r, const char *fmt, const char *s, long a, long b)
{
    size_t n = strlen(r->said);
    snprintf(r->said + n, sizeof r->said - n, fmt, s, a, b);
}

/* The validation set: given, the workload's declared range, carved from train, or synthetic. */
static void resolve_val(myelin_search_request *r, const myelin_workload *wl, const char *tr)
{
    myelin_search_config *cfg = &r->cfg;
    char *vbuf = r->specs[0];
    snprintf(vbuf, 512, "%s", r->val ? r->val : "");
    if (!r->val && !r->vft_n && wl->dataset_val[0]) {
        snprintf(vbuf, 512, "%s", wl->dataset_val);
        cfg->val_first = (int)wl->dataset_val_first;
        cfg->val_count = (int)wl->dataset_val_count;
        if (r->vcount && (!cfg->val_count || r->vcount < cfg->val_count))
            cfg->val_count = (int)r->vcount;
        if (cfg->val_count)
            say(r, " val %s images %ld..%ld;", vbuf, cfg->val_first, (long)cfg->val_first + cfg->val_count - 1);
        else
            say(r, " val %s;", vbuf, 0, 0);
    } else if (!r->val && !r->vft_n && tr) {
        r->vft_n = r->vcount ? r->vcount : 1000;
        say(r, " val 1000 images carved from %s (seed 1);", tr, 0, 0);
    } else if (!r->val && !r->vft_n) {
        snprintf(vbuf, 512, "synthetic:split=test,count=500,seed=2,h=%d,w=%d,c=%d,classes=%d", wl->input.h,
                 wl->input.w, wl->input.c, wl->classes);
    }
    if (r->val && r->vcount)
        cfg->val_count = (int)r->vcount; /* the first N of --val */
    if (r->vft_n && tr) {
        cfg->val_from_train = (int)r->vft_n;
        cfg->carve_seed = r->vft_seed;
        snprintf(vbuf, 512, "%s", tr);
    }
}

int myelin_search_request_data(myelin_search_request *r, const myelin_workload *wl, myelin_error *err)
{
    myelin_search_config *cfg = &r->cfg;
    const myelin_shape in = wl->input;
    char *cbuf = r->specs[1], *tbuf = r->specs[2];
    const char *tr = r->train ? r->train : wl->dataset_train[0] ? wl->dataset_train : NULL;
    int rc = 0;
    char a[32], b[32];
    r->said[0] = 0;
    if (r->vft_n && !tr)
        rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                              "%s needs a train split: %s SPEC, or a workload that declares dataset.train",
                              kname(r, "val-from-train", a, sizeof a), kname(r, "train", b, sizeof b));
    resolve_val(r, wl, tr);
    snprintf(cbuf, 512, "%s", r->calib ? r->calib : "");
    snprintf(tbuf, 512, "%s", r->test ? r->test : "");
    if (!r->calib && tr) {
        cfg->calib_from_train = 32;
        snprintf(cbuf, 512, "%s", tr);
        say(r, " calib 32 images carved from %s, disjoint from the validation ones;", tr, 0, 0);
    } else if (!r->calib) {
        snprintf(cbuf, 512, "synthetic:split=test,count=32,seed=3,h=%d,w=%d,c=%d,classes=%d", in.h, in.w, in.c,
                 wl->classes);
    }
    if (!r->test && wl->dataset_test[0]) {
        snprintf(tbuf, 512, "%s", wl->dataset_test);
        say(r, " test %s;", tbuf, 0, 0);
    } else if (!r->test) {
        snprintf(tbuf, 512, "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d", in.h, in.w,
                 in.c, wl->classes);
    }
    cfg->train_spec = tr;
    cfg->val_spec = r->specs[0];
    cfg->calib_spec = cbuf;
    cfg->test_spec = tbuf;
    return rc;
}

int myelin_search_request_resolve(myelin_search_request *r, const myelin_workload *wl, int default_journal,
                                  myelin_error *err)
{
    int rc = myelin_search_request_data(r, wl, err);
    if (!rc)
        rc = myelin_arch_resolve(r->arch ? r->arch : "generic-45nm", r->arch_path, sizeof r->arch_path, err);
    r->cfg.arch_path = r->arch_path;
    r->cfg.journal_path = r->journal;
    if (!rc && !r->journal && default_journal) {
        char rel[MYELIN_PATH_MAX];
        snprintf(rel, sizeof rel, "%sjournal.jsonl", r->prefix);
        if (myelin_path_join(r->out_dir, rel, r->journal_path, sizeof r->journal_path))
            rc = myelin_error_set(err, MYELIN_EUSAGE, r->out_dir, 0, 0, "path too long");
        r->cfg.journal_path = r->journal_path;
    }
    return rc;
}

void myelin_search_request_write_title(const myelin_search_request *r, const char *workload, FILE *f)
{
    fprintf(f, "%s search on %s, %s; constraint: validation top-1 drop <= %g points\n\n",
            myelin_search_method_name(r->cfg.method), workload, r->arch ? r->arch : "generic-45nm",
            r->cfg.max_drop_pct);
}

void myelin_search_request_write_chosen(const myelin_search *s, FILE *f)
{
    myelin_search_figures g;
    myelin_search_get_figures(s, &g);
    fprintf(f, "\nchosen %s: memory saving %.2f %%, energy saving %.2f %%, validation drop %.2f points, "
               "test drop %.2f points (test %.2f %% vs float %.2f %%)%s, %.2f average bits, "
               "%.2fx compression;\n"
               "%d full and %d drift evaluations; %d candidates gated out, %d skipped (not needed, "
               "%d of them taken on a confident prediction); gate check %d/%d false rejections",
            g.chosen_key, g.memory_saving_pct, g.energy_saving_pct, g.drop_pct, g.test_drop_pct, g.chosen_test_pct,
            g.float_test_pct, g.test_over ? " -- OVER THE CONSTRAINT on the test set" : "", g.avg_bits,
            g.compression, g.full_evals, g.drift_evals, g.gated_out, g.skipped, g.predicted_passes,
            g.check_false_rejections, g.check_evals);
    if (g.spearman_n)
        fprintf(f, ";\nSpearman rank correlation with the validation drop over %d evaluated candidates: "
                   "proxy %.3f, drift alone %.3f, logit error alone %.3f",
                g.spearman_n, g.spearman_proxy, g.spearman_drift, g.spearman_logit);
    fprintf(f, "\n");
}
