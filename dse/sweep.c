/* dse/sweep.c — owns the sweep file, the points of a design-space sweep, their cost-model
 * evaluation, the Pareto front and the sweep's tables and plot (see sweep.h). */
#include "dse/sweep.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/escape.h"
#include "base/report.h"
#include "base/util.h"
#include "base/yaml.h"
#include "models/cost.h"
#include "search/internal.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

#define MAX_WL 8
#define MAX_Q 8
#define MAX_P 16
#define MAX_V 256

/* The parameters a sweep may vary: name, bounds, and where the value goes in the architecture. */
typedef enum param_id {
    P_ROWS, P_COLS, P_CLOCK, P_LANES, P_NEURONS, P_SYN_BYTES, P_WORD, P_BANKS, P_LINK, P_HOP,
    P_MULTICAST, P_BUFFER, P_COUNT
} param_id;

static const struct {
    const char *name;
    double lo, hi;
    int integer;
} params[P_COUNT] = {
    {"array.rows", 1, 4096, 1},
    {"array.cols", 1, 4096, 1},
    {"clock_mhz", 1e-6, 1e6, 0},
    {"core.accumulator_lanes", 1, 65536, 1},
    {"core.neuron_capacity", 1, 1 << 30, 1},
    {"core.synapse_memory.bytes", 1, 2147483647.0, 1},
    {"core.synapse_memory.word_bits", 1, 4096, 1},
    {"core.synapse_memory.banks", 1, 1024, 1},
    {"noc.link_width_bits", 1, 4096, 1},
    {"noc.hop_latency_cycles", 0, 1 << 20, 1},
    {"noc.multicast", 0, 1, 1},    /* 0 none, 1 tree */
    {"noc.buffer_flits", 0, 1 << 20, 1}, /* 0 unbounded */
};

typedef struct sweep_param {
    param_id id;
    int n;
    double v[MAX_V];
} sweep_param;

typedef struct point_val {
    int done;
    double v[MYELIN_SWEEP_VALS]; /* fits, energy_J, latency_s, area_mm2, memory_bytes, cores, cycles */
    int pareto;
    int sim_done;                    /* --sim: simulated (or read from the journal) */
    double sim[MYELIN_SWEEP_SIM_VALS]; /* SystemC energy_J, latency_s */
} point_val;

enum { V_FITS, V_ENERGY, V_LATENCY, V_AREA, V_MEMORY, V_CORES, V_CYCLES };

struct myelin_sweep {
    char path[MYELIN_PATH_MAX];
    char arch_path[MYELIN_PATH_MAX];
    myelin_arch *base;
    int n_wl, n_q, n_p;
    char wl_name[MAX_WL][MYELIN_NAME_MAX];
    myelin_workload *wl[MAX_WL];
    char q_name[MAX_Q][MYELIN_PATH_MAX];
    myelin_layer_quant *lq[MAX_WL][MAX_Q];
    sweep_param p[MAX_P];
    int64_t n_points;
    point_val *pts;
    journal *jn;
    uint64_t hash;
    int sim_cols; /* --sim given: the tables carry the SystemC columns */
};

int64_t myelin_sweep_points(const myelin_sweep *s)
{
    return s->n_points;
}

void myelin_sweep_free(myelin_sweep *s)
{
    if (!s)
        return;
    for (int w = 0; w < s->n_wl; w++) {
        for (int q = 0; q < s->n_q; q++)
            free(s->lq[w][q]);
        myelin_workload_free(s->wl[w]);
    }
    myelin_arch_free(s->base);
    myelin_journal_close(s->jn);
    free(s->pts);
    free(s);
}

/* A parameter's values: a list of numbers, or {from, to, step} (step > 0, to >= from). */
static int read_values(const myelin_yaml_node *v, const char *name, int pi, sweep_param *sp,
                       myelin_error *err)
{
    double lo = params[pi].lo, hi = params[pi].hi;
    sp->n = 0;
    if (v->kind == MYELIN_YAML_SEQ) {
        if (v->n == 0 || v->n > MAX_V)
            return myelin_yaml_error(err, MYELIN_ESCHEMA, v, "params.%s: expected 1 to %d values",
                                     name, MAX_V);
        for (size_t i = 0; i < v->n; i++) {
            int rc = myelin_yaml_double(v->items[i], lo, hi, &sp->v[sp->n], err);
            if (rc)
                return rc;
            if (params[pi].integer && sp->v[sp->n] != floor(sp->v[sp->n]))
                return myelin_yaml_error(err, MYELIN_ESCHEMA, v->items[i],
                                         "params.%s: expected an integer (got %s)", name,
                                         v->items[i]->scalar);
            sp->n++;
        }
        return 0;
    }
    if (v->kind == MYELIN_YAML_MAP) {
        static const char *const keys[] = {"from", "to", "step"};
        double r[3];
        for (size_t i = 0; i < v->n; i++) {
            const char *k = v->items[2 * i]->scalar;
            if (strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "step"))
                return myelin_yaml_error(err, MYELIN_ESCHEMA, v->items[2 * i],
                                         "params.%s: unknown key '%s' in a range (expected from, "
                                         "to, step)", name, k);
        }
        for (int k = 0; k < 3; k++) {
            const myelin_yaml_node *e = myelin_yaml_get(v, keys[k]);
            if (!e)
                return myelin_yaml_error(err, MYELIN_EMISSING, v,
                                         "params.%s: a range needs from, to and step (no %s)", name,
                                         keys[k]);
            int rc = myelin_yaml_double(e, k == 2 ? 1e-12 : lo, k == 2 ? hi : hi, &r[k], err);
            if (rc)
                return rc;
        }
        if (r[1] < r[0])
            return myelin_yaml_error(err, MYELIN_ESCHEMA, v, "params.%s: to (%g) is below from (%g)",
                                     name, r[1], r[0]);
        for (int64_t i = 0;; i++) {
            double x = r[0] + (double)i * r[2];
            if (x > r[1] + 1e-9 * r[2])
                break;
            if (sp->n == MAX_V)
                return myelin_yaml_error(err, MYELIN_ESCHEMA, v,
                                         "params.%s: the range has more than %d values", name, MAX_V);
            if (params[pi].integer && x != floor(x))
                return myelin_yaml_error(err, MYELIN_ESCHEMA, v,
                                         "params.%s: the range gives %g, not an integer", name, x);
            sp->v[sp->n++] = x;
        }
        return 0;
    }
    return myelin_yaml_error(err, MYELIN_ESCHEMA, v,
                             "params.%s: expected a list of values or {from, to, step}", name);
}

/* A path given in the sweep file, relative to its folder. */
static int rel_path(const myelin_sweep *s, const char *p, char *out, size_t n, myelin_error *err)
{
    char dir[MYELIN_PATH_MAX];
    myelin_path_dirname(s->path, dir, sizeof dir);
    if (myelin_path_join(dir, p, out, n))
        return myelin_error_set(err, MYELIN_EUSAGE, s->path, 0, 0, "path too long: %s", p);
    return 0;
}

/* A workload name (zoo) or path, as cli/common.c resolves it, relative paths against the file. */
static int load_workload(const myelin_sweep *s, const myelin_yaml_node *n, myelin_workload **out,
                         myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    const char *name = n->scalar;
    int has_sep = strchr(name, '/') != NULL || strstr(name, ".yaml") != NULL;
    if (has_sep) {
        int rc = rel_path(s, name, path, sizeof path, err);
        if (rc)
            return rc;
    } else if (myelin_workload_resolve(name, path, sizeof path, err)) {
        return myelin_yaml_error(err, MYELIN_EMISSING, n,
                                 "workloads: no zoo workload '%s' (workloads/zoo/%s.yaml in "
                                 "$MYELIN_DATADIR, the installed data folder, the source tree or .)",
                                 name, name);
    }
    int rc = myelin_workload_load(path, out, err);
    if (rc)
        myelin_error_prefix(err, "workloads: %s", name);
    return rc;
}

int myelin_sweep_load(const char *path, myelin_sweep **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_sweep *s = calloc(1, sizeof *s);
    if (!s)
        return myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_file(path, &doc, err);
    const myelin_yaml_node *root = doc ? doc->root : NULL;
    if (!rc && (!root || root->kind != MYELIN_YAML_MAP))
        rc = myelin_error_set(err, MYELIN_ESCHEMA, path, 1, 1,
                              "expected a mapping with arch, workloads, quant and params");
    static const char *const top[] = {"arch", "workloads", "quant", "params"};
    for (size_t i = 0; !rc && i < root->n; i++) {
        const myelin_yaml_node *k = root->items[2 * i];
        int known = 0, best = -1, bd = 1 << 30;
        for (int t = 0; t < 4; t++) {
            int d = myelin_edit_distance(k->scalar, top[t]);
            known |= d == 0;
            if (d < bd) {
                bd = d;
                best = t;
            }
        }
        if (!known)
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, k, "unknown key '%s'%s%s%s", k->scalar,
                                   bd <= 3 ? " (did you mean '" : "", bd <= 3 ? top[best] : "",
                                   bd <= 3 ? "'?)" : " (expected arch, workloads, quant, params)");
    }
    /* arch */
    const myelin_yaml_node *an = rc ? NULL : myelin_yaml_get(root, "arch");
    if (!rc && (!an || an->kind != MYELIN_YAML_SCALAR))
        rc = an ? myelin_yaml_error(err, MYELIN_ESCHEMA, an, "arch: expected a preset name or a path")
                : myelin_error_set(err, MYELIN_EMISSING, path, root->line, root->column,
                                   "missing key 'arch' (a preset name or an architecture YAML)");
    if (!rc) {
        char rel[MYELIN_PATH_MAX];
        rc = rel_path(s, an->scalar, rel, sizeof rel, err);
        if (!rc) {
            FILE *f = fopen(rel, "r");
            if (f) {
                fclose(f);
                snprintf(s->arch_path, sizeof s->arch_path, "%s", rel);
            } else {
                rc = myelin_arch_resolve(an->scalar, s->arch_path, sizeof s->arch_path, err);
            }
        }
        if (!rc)
            rc = myelin_arch_load(s->arch_path, &s->base, err);
    }
    /* workloads */
    const myelin_yaml_node *wn = rc ? NULL : myelin_yaml_get(root, "workloads");
    if (!rc && (!wn || wn->kind != MYELIN_YAML_SEQ || wn->n == 0 || wn->n > MAX_WL))
        rc = wn ? myelin_yaml_error(err, MYELIN_ESCHEMA, wn, "workloads: expected a list of 1 to %d "
                                                             "workload names or paths", MAX_WL)
                : myelin_error_set(err, MYELIN_EMISSING, path, root->line, root->column,
                                   "missing key 'workloads'");
    for (size_t i = 0; !rc && i < wn->n; i++) {
        const myelin_yaml_node *e = wn->items[i];
        if (e->kind != MYELIN_YAML_SCALAR) {
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, e, "workloads: expected a name or a path");
            break;
        }
        rc = load_workload(s, e, &s->wl[s->n_wl], err);
        if (!rc)
            snprintf(s->wl_name[s->n_wl++], MYELIN_NAME_MAX, "%s", e->scalar);
    }
    /* quantization settings */
    const myelin_yaml_node *qn = rc ? NULL : myelin_yaml_get(root, "quant");
    if (!rc && qn && (qn->kind != MYELIN_YAML_SEQ || qn->n == 0 || qn->n > MAX_Q))
        rc = myelin_yaml_error(err, MYELIN_ESCHEMA, qn,
                               "quant: expected a list of 1 to %d settings (float or a YAML path)",
                               MAX_Q);
    if (!rc) {
        s->n_q = qn ? (int)qn->n : 1;
        for (int q = 0; !rc && q < s->n_q; q++) {
            const myelin_yaml_node *e = qn ? qn->items[q] : NULL;
            if (e && e->kind != MYELIN_YAML_SCALAR) {
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, e, "quant: expected float or a path");
                break;
            }
            myelin_qsetting *qs = NULL;
            char qp[MYELIN_PATH_MAX];
            if (!e || !strcmp(e->scalar, "float")) {
                snprintf(s->q_name[q], sizeof s->q_name[q], "float");
                rc = myelin_qsetting_float(&qs, err);
            } else {
                snprintf(s->q_name[q], sizeof s->q_name[q], "%s", e->scalar);
                rc = rel_path(s, e->scalar, qp, sizeof qp, err);
                if (!rc)
                    rc = myelin_qsetting_load(qp, &qs, err);
            }
            for (int w = 0; !rc && w < s->n_wl; w++) {
                s->lq[w][q] = calloc((size_t)s->wl[w]->n_layers, sizeof *s->lq[w][q]);
                rc = s->lq[w][q] ? myelin_qsetting_resolve(qs, s->wl[w], s->lq[w][q], err)
                                 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
            }
            myelin_qsetting_free(qs);
        }
    }
    /* parameters */
    const myelin_yaml_node *pn = rc ? NULL : myelin_yaml_get(root, "params");
    if (!rc && pn && (pn->kind != MYELIN_YAML_MAP || pn->n > MAX_P))
        rc = myelin_yaml_error(err, MYELIN_ESCHEMA, pn, "params: expected a mapping of at most %d "
                                                        "parameters to value lists or ranges", MAX_P);
    for (size_t i = 0; !rc && pn && i < pn->n; i++) {
        const myelin_yaml_node *k = pn->items[2 * i], *v = pn->items[2 * i + 1];
        int pi = -1, best = 0, bd = 1 << 30;
        for (int j = 0; j < P_COUNT; j++) {
            int d = myelin_edit_distance(k->scalar, params[j].name);
            if (d == 0)
                pi = j;
            if (d < bd) {
                bd = d;
                best = j;
            }
        }
        if (pi < 0) {
            char names[600] = "";
            for (int j = 0; j < P_COUNT; j++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", j ? ", " : "", params[j].name);
            }
            rc = bd <= 4 ? myelin_yaml_error(err, MYELIN_ESCHEMA, k,
                                             "params: unknown parameter '%s' (did you mean '%s'?)",
                                             k->scalar, params[best].name)
                         : myelin_yaml_error(err, MYELIN_ESCHEMA, k,
                                             "params: unknown parameter '%s' (expected one of %s)",
                                             k->scalar, names);
            break;
        }
        for (int j = 0; j < s->n_p; j++)
            if (s->p[j].id == (param_id)pi)
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, k, "params: %s given twice", k->scalar);
        if (!rc) {
            s->p[s->n_p].id = (param_id)pi;
            rc = read_values(v, k->scalar, pi, &s->p[s->n_p], err);
            if (!rc)
                s->n_p++;
        }
    }
    myelin_yaml_free(doc);
    if (!rc) {
        s->n_points = (int64_t)s->n_wl * s->n_q;
        for (int j = 0; j < s->n_p; j++) {
            s->n_points *= s->p[j].n;
            if (s->n_points > 10000000) {
                rc = myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                      "the sweep has more than 10 million points");
                break;
            }
        }
    }
    if (!rc) {
        s->pts = calloc((size_t)s->n_points, sizeof *s->pts);
        if (!s->pts)
            rc = myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory (%" PRId64 " points)",
                                  s->n_points);
    }
    if (rc) {
        myelin_sweep_free(s);
        return rc;
    }
    /* the journal key: every input that changes a result */
    uint64_t h = MYELIN_FNV_INIT;
    char *text = NULL;
    size_t len = 0;
    myelin_error e2;
    if (myelin_read_file(path, &text, &len, &e2) == 0)
        h = myelin_fnv1a64(text, len, h);
    free(text);
    if (myelin_read_file(s->arch_path, &text, &len, &e2) == 0)
        h = myelin_fnv1a64(text, len, h);
    free(text);
    for (int w = 0; w < s->n_wl; w++) {
        if (myelin_read_file(s->wl[w]->source, &text, &len, &e2) == 0)
            h = myelin_fnv1a64(text, len, h);
        free(text);
        text = NULL;
    }
    h = myelin_fnv1a64(MYELIN_VERSION, strlen(MYELIN_VERSION), h);
    s->hash = h;
    *out = s;
    return 0;
}

/* Decomposes point i into its workload, setting and parameter value indices (last varies fastest). */
static void decompose(const myelin_sweep *s, int64_t i, int *w, int *q, int *vi)
{
    for (int j = s->n_p - 1; j >= 0; j--) {
        vi[j] = (int)(i % s->p[j].n);
        i /= s->p[j].n;
    }
    *q = (int)(i % s->n_q);
    *w = (int)(i / s->n_q);
}

static void apply(myelin_arch *a, param_id id, double v)
{
    switch (id) {
    case P_ROWS: a->rows = (int)v; break;
    case P_COLS: a->cols = (int)v; break;
    case P_CLOCK: {
        /* leakage is priced per cycle from power: keep the power, rescale the per-cycle price */
        double old = a->clock_hz;
        a->clock_hz = v * 1e6;
        a->prices[MYELIN_ACT_LEAKAGE_CORE_CYCLES].pj *= old / a->clock_hz;
        break;
    }
    case P_LANES: a->core.accumulator_lanes = (int)v; break;
    case P_NEURONS: a->core.neuron_capacity = (int64_t)v; break;
    case P_SYN_BYTES: a->core.synapse_memory_bytes = (int64_t)v; break;
    case P_WORD: a->core.synapse_word_bits = (int)v; break;
    case P_BANKS: a->core.synapse_banks = (int)v; break;
    case P_LINK: a->noc.link_width_bits = (int)v; break;
    case P_HOP: a->noc.hop_latency_cycles = (int)v; break;
    case P_MULTICAST: a->noc_multicast = v > 0 ? MYELIN_MULTICAST_TREE : MYELIN_MULTICAST_NONE; break;
    case P_BUFFER: a->noc_buffer_flits = (int)v; break;
    default: break;
    }
}

/* The point's architecture: the base with the point's parameters applied. */
static void point_arch(const myelin_sweep *s, const int *vi, myelin_arch *a)
{
    *a = *s->base;
    for (int j = 0; j < s->n_p; j++)
        apply(a, s->p[j].id, s->p[j].v[vi[j]]);
}

static void point_key(int64_t i, char *key, size_t n)
{
    snprintf(key, n, "p%" PRId64, i);
}

int myelin_sweep_eval(myelin_sweep *s, int64_t i, myelin_error *err)
{
    if (i < 0 || i >= s->n_points)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "no point %" PRId64, i);
    point_val *pv = &s->pts[i];
    if (pv->done)
        return 0;
    char key[32];
    point_key(i, key, sizeof key);
    if (myelin_journal_get(s->jn, "point", key, pv->v, MYELIN_SWEEP_VALS)) {
        pv->done = 1;
        return 0;
    }
    int w, q, vi[MAX_P];
    decompose(s, i, &w, &q, vi);
    myelin_arch a;
    point_arch(s, vi, &a);
    const myelin_workload *wl = s->wl[w];
    myelin_mapping *map = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_activity act = {0, NULL, ""};
    myelin_cost_report *rep = NULL;
    myelin_error merr;
    memset(pv->v, 0, sizeof pv->v);
    double mem = 0;
    for (int l = 0; l < wl->n_layers; l++) {
        myelin_layer_memory m = myelin_layer_memory_of(&wl->layers[l], &s->lq[w][q][l]);
        mem += (double)(m.weight_bits + m.bias_bits + m.scale_bits) / 8;
    }
    pv->v[V_MEMORY] = mem;
    pv->v[V_AREA] = myelin_arch_area_mm2(&a, (int64_t)a.rows * a.cols, NULL);
    int rc = myelin_map(wl, s->lq[w][q], &a, &map, &merr);
    if (rc == MYELIN_EFIT || rc == MYELIN_EUNSUPPORTED) {
        rc = 0; /* does not fit: recorded, the reason re-derived when writing */
    } else if (rc) {
        *err = merr;
        return rc;
    } else {
        rc = myelin_cost_registry_new(&reg, err);
        if (!rc)
            rc = myelin_cost_registry_configure(reg, &a, err);
        if (!rc)
            rc = myelin_activity_from_workload(wl, -1, &act, err);
        if (!rc)
            rc = myelin_cost_evaluate(wl, s->lq[w][q], &act, &a, map, reg, &rep, err);
        if (!rc) {
            pv->v[V_FITS] = 1;
            pv->v[V_ENERGY] = rep->total.total_pj * 1e-12;
            pv->v[V_LATENCY] = rep->latency_s;
            pv->v[V_CORES] = rep->cores_used;
            pv->v[V_CYCLES] = rep->inference_cycles;
        }
    }
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_cost_registry_free(reg);
    myelin_mapping_free(map);
    if (rc)
        return rc;
    pv->done = 1;
    return 0;
}

int myelin_sweep_get(const myelin_sweep *s, int64_t i, double *vals)
{
    if (i < 0 || i >= s->n_points || !s->pts[i].done)
        return -1;
    memcpy(vals, s->pts[i].v, sizeof s->pts[i].v);
    return 0;
}

int myelin_sweep_set(myelin_sweep *s, int64_t i, const double *vals)
{
    if (i < 0 || i >= s->n_points)
        return -1;
    memcpy(s->pts[i].v, vals, sizeof s->pts[i].v);
    s->pts[i].done = 1;
    return 0;
}

int myelin_sweep_done(const myelin_sweep *s, int64_t i)
{
    return i >= 0 && i < s->n_points && s->pts[i].done;
}

int myelin_sweep_journal(myelin_sweep *s, const char *dir, int64_t *resumed, myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    *resumed = 0;
    if (myelin_path_join(dir, "journal.jsonl", path, sizeof path))
        return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0, "path too long");
    int restarted = 0;
    int rc = myelin_journal_open(path, s->hash, &s->jn, &restarted, err);
    if (rc)
        return rc;
    for (int64_t i = 0; i < s->n_points; i++) {
        char key[32];
        point_key(i, key, sizeof key);
        if (myelin_journal_get(s->jn, "point", key, s->pts[i].v, MYELIN_SWEEP_VALS)) {
            s->pts[i].done = 1;
            (*resumed)++;
        }
        if (myelin_journal_get(s->jn, "sim", key, s->pts[i].sim, MYELIN_SWEEP_SIM_VALS))
            s->pts[i].sim_done = 1;
    }
    return 0;
}

int myelin_sweep_record(myelin_sweep *s, int64_t i, myelin_error *err)
{
    if (!s->jn || i < 0 || i >= s->n_points || !s->pts[i].done)
        return 0;
    char key[32];
    point_key(i, key, sizeof key);
    double v[MYELIN_SWEEP_VALS];
    if (myelin_journal_get(s->jn, "point", key, v, MYELIN_SWEEP_VALS))
        return 0;
    return myelin_journal_put(s->jn, "point", key, s->pts[i].v, MYELIN_SWEEP_VALS, err);
}

/* ---- SystemC runs of chosen points (--sim) -------------------------------------------------- */

static void mark_pareto(myelin_sweep *s);

/* Simulation order: Pareto-front points first, then the other fitting points, each class by
 * ascending EDP (energy x latency), ties by point index. */
typedef struct sim_rank {
    int not_front;
    double edp;
    int64_t i;
} sim_rank;

static int sim_order(const void *pa, const void *pb)
{
    const sim_rank *a = pa, *b = pb;
    if (a->not_front != b->not_front)
        return a->not_front - b->not_front;
    if (a->edp != b->edp)
        return a->edp < b->edp ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

int myelin_sweep_sim_pick(myelin_sweep *s, int64_t k, int64_t **idx, int64_t *n, myelin_error *err)
{
    *idx = NULL;
    *n = 0;
    for (int64_t i = 0; i < s->n_points; i++)
        if (!s->pts[i].done)
            return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                    "sweep: point %" PRId64 " was not evaluated before --sim", i);
    mark_pareto(s);
    s->sim_cols = 1;
    int64_t *v = malloc(((size_t)s->n_points + 1) * sizeof *v), m = 0;
    sim_rank *r = malloc(((size_t)s->n_points + 1) * sizeof *r);
    if (!v || !r) {
        free(v);
        free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (--sim)");
    }
    /* per workload and setting (EDPs of different workloads do not compare) */
    int64_t per = s->n_points / (s->n_wl * s->n_q), nv = 0;
    for (int64_t g0 = 0; g0 < s->n_points; g0 += per) {
        int64_t gm = 0;
        for (int64_t i = g0; i < g0 + per; i++) {
            const point_val *pv = &s->pts[i];
            if (pv->v[V_FITS] > 0)
                r[gm++] = (sim_rank){!pv->pareto, pv->v[V_ENERGY] * pv->v[V_LATENCY], i};
        }
        qsort(r, (size_t)gm, sizeof *r, sim_order);
        if (k >= 0 && gm > k)
            gm = k;
        for (int64_t j = 0; j < gm; j++)
            v[nv++] = r[j].i;
    }
    m = nv;
    free(r);
    *idx = v;
    *n = m;
    return 0;
}

int myelin_sweep_point_open(const myelin_sweep *s, int64_t i, myelin_sweep_point *p,
                            myelin_error *err)
{
    memset(p, 0, sizeof *p);
    if (i < 0 || i >= s->n_points)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "no point %" PRId64, i);
    int w, q, vi[MAX_P];
    decompose(s, i, &w, &q, vi);
    point_arch(s, vi, &p->arch);
    p->wl = s->wl[w];
    p->lq = s->lq[w][q];
    int rc = myelin_map(p->wl, p->lq, &p->arch, &p->map, err);
    if (!rc)
        rc = myelin_activity_from_workload(p->wl, -1, &p->act, err);
    if (rc)
        myelin_sweep_point_close(p);
    return rc;
}

void myelin_sweep_point_close(myelin_sweep_point *p)
{
    myelin_mapping_free(p->map);
    myelin_activity_free(&p->act);
    p->map = NULL;
}

int myelin_sweep_sim_set(myelin_sweep *s, int64_t i, const double *vals)
{
    if (i < 0 || i >= s->n_points)
        return -1;
    memcpy(s->pts[i].sim, vals, sizeof s->pts[i].sim);
    s->pts[i].sim_done = 1;
    return 0;
}

int myelin_sweep_sim_done(const myelin_sweep *s, int64_t i)
{
    return i >= 0 && i < s->n_points && s->pts[i].sim_done;
}

int myelin_sweep_sim_record(myelin_sweep *s, int64_t i, myelin_error *err)
{
    if (!s->jn || i < 0 || i >= s->n_points || !s->pts[i].sim_done)
        return 0;
    char key[32];
    point_key(i, key, sizeof key);
    double v[MYELIN_SWEEP_SIM_VALS];
    if (myelin_journal_get(s->jn, "sim", key, v, MYELIN_SWEEP_SIM_VALS))
        return 0;
    return myelin_journal_put(s->jn, "sim", key, s->pts[i].sim, MYELIN_SWEEP_SIM_VALS, err);
}

/* ---- Pareto front and outputs ---------------------------------------------------------------- */

static void mark_pareto(myelin_sweep *s)
{
    int64_t per = s->n_points / (s->n_wl * s->n_q); /* points per (workload, setting) group */
    for (int64_t i = 0; i < s->n_points; i++) {
        point_val *a = &s->pts[i];
        a->pareto = 0;
        if (!a->done || !(a->v[V_FITS] > 0))
            continue;
        int64_t g0 = i / per * per;
        int dominated = 0;
        for (int64_t j = g0; j < g0 + per && !dominated; j++) {
            const point_val *b = &s->pts[j];
            if (j == i || !b->done || !(b->v[V_FITS] > 0))
                continue;
            int le = b->v[V_ENERGY] <= a->v[V_ENERGY] && b->v[V_LATENCY] <= a->v[V_LATENCY] &&
                     b->v[V_AREA] <= a->v[V_AREA];
            int lt = b->v[V_ENERGY] < a->v[V_ENERGY] || b->v[V_LATENCY] < a->v[V_LATENCY] ||
                     b->v[V_AREA] < a->v[V_AREA];
            /* equal points: the first keeps the front */
            dominated = le && (lt || j < i);
        }
        a->pareto = !dominated;
    }
}

/* ---- tables (the report module) ---------------------------------------------------------- */

enum { MAXC = 32, CW = 600 };

/* One point's cells (ncols of them) into row. */
static int point_row(myelin_sweep *s, int64_t i, char (*row)[CW])
{
    const point_val *pv = &s->pts[i];
    int w, q, vi[MAX_P], c = 0;
    decompose(s, i, &w, &q, vi);
    snprintf(row[c++], CW, "%" PRId64, i);
    snprintf(row[c++], CW, "%s", s->wl_name[w]);
    snprintf(row[c++], CW, "%.590s", s->q_name[q]);
    for (int j = 0; j < s->n_p; j++)
        snprintf(row[c++], CW, "%.9g", s->p[j].v[vi[j]]);
    int fits = pv->v[V_FITS] > 0;
    snprintf(row[c++], CW, "%s", fits ? "yes" : "no");
    if (fits) {
        snprintf(row[c++], CW, "%.6g", pv->v[V_ENERGY]);
        snprintf(row[c++], CW, "%.6g", pv->v[V_LATENCY]);
        snprintf(row[c++], CW, "%.6g", pv->v[V_ENERGY] * pv->v[V_LATENCY]);
    } else {
        for (int k = 0; k < 3; k++)
            snprintf(row[c++], CW, "-");
    }
    snprintf(row[c++], CW, "%.6g", pv->v[V_AREA]);
    snprintf(row[c++], CW, "%.0f", pv->v[V_MEMORY]);
    snprintf(row[c++], CW, fits ? "%.0f" : "-", pv->v[V_CORES]);
    snprintf(row[c++], CW, fits ? "%.6g" : "-", pv->v[V_CYCLES]);
    snprintf(row[c++], CW, "%s", pv->pareto ? "yes" : "no");
    if (s->sim_cols && pv->sim_done && fits) {
        snprintf(row[c++], CW, "%.6g", pv->sim[0]);
        snprintf(row[c++], CW, "%.6g", pv->sim[1]);
        snprintf(row[c++], CW, "%.4f", pv->v[V_ENERGY] > 0 ? pv->sim[0] / pv->v[V_ENERGY] : 0);
        snprintf(row[c++], CW, "%.4f", pv->v[V_LATENCY] > 0 ? pv->sim[1] / pv->v[V_LATENCY] : 0);
    } else if (s->sim_cols) {
        for (int k = 0; k < 4; k++)
            snprintf(row[c++], CW, "-");
    }
    if (fits) {
        snprintf(row[c++], CW, "%s", "");
    } else { /* the mapper's reason, re-derived (deterministic) */
        myelin_arch a;
        point_arch(s, vi, &a);
        myelin_mapping *map = NULL;
        myelin_error me;
        myelin_error_clear(&me);
        if (myelin_map(s->wl[w], s->lq[w][q], &a, &map, &me) == 0)
            snprintf(me.message, sizeof me.message, "fits on re-check");
        myelin_mapping_free(map);
        snprintf(row[c++], CW, "%.590s", me.message);
    }
    return c;
}

int myelin_sweep_tables(myelin_sweep *s, myelin_report **points, myelin_report **pareto, myelin_error *err)
{
    static const myelin_report_col head[] = {{"point", "", 1, 0}, {"workload", "", 0, 0}, {"quant", "", 0, 0}};
    static const myelin_report_col tail[] = {
        {"fits", "", 0, 0},        {"energy", "J", 1, 0},    {"latency", "s", 1, 0},
        {"EDP", "Js", 1, 0},       {"area", "mm2", 1, 0},    {"memory", "bytes", 1, 1},
        {"cores_used", "", 1, 0},  {"cycles", "", 1, 1},     {"pareto", "", 0, 1}};
    static const myelin_report_col simc[] = {{"sim_energy", "J", 1, 0}, {"sim_latency", "s", 1, 0},
                                             {"sim_over_cost_energy", "", 1, 0},
                                             {"sim_over_cost_latency", "", 1, 0}};
    myelin_report_col cols[MAXC];
    int nc = 0;
    for (int k = 0; k < 3; k++)
        cols[nc++] = head[k];
    for (int j = 0; j < s->n_p && nc < MAXC - 14; j++)
        cols[nc++] = (myelin_report_col){params[s->p[j].id].name, "", 1, 0};
    for (int k = 0; k < 9; k++)
        cols[nc++] = tail[k];
    for (int k = 0; s->sim_cols && k < 4; k++)
        cols[nc++] = simc[k];
    cols[nc++] = (myelin_report_col){"reason", "", 0, 1};
    myelin_report *t[2] = {myelin_report_new(cols, nc), myelin_report_new(cols, nc)};
    char(*row)[CW] = calloc(MAXC, sizeof *row);
    int64_t n_fit = 0, n_pareto = 0, n_sim = 0;
    for (int64_t i = 0; row && t[0] && t[1] && i < s->n_points; i++) {
        const point_val *pv = &s->pts[i];
        int n = point_row(s, i, row);
        for (int k = 0; k < 1 + pv->pareto; k++) {
            int r = myelin_report_row(t[k]);
            for (int c = 0; c < n; c++)
                myelin_report_set(t[k], r, c, "%s", row[c]);
        }
        n_fit += pv->v[V_FITS] > 0;
        n_pareto += pv->pareto;
        n_sim += s->sim_cols && pv->sim_done && pv->v[V_FITS] > 0;
    }
    free(row);
    char simcap[200] = "";
    if (s->sim_cols)
        snprintf(simcap, sizeof simcap,
                 "; %" PRId64 " simulated by the SystemC model (statistical, seed 1, one inference)", n_sim);
    myelin_provenance p;
    myelin_provenance_init(&p);
    myelin_provenance_add_path(&p, "sweep", s->path);
    myelin_provenance_add(&p, "arch", "%s", s->base->name);
    for (int k = 0; k < 2 && t[k]; k++) {
        myelin_report_caption(t[k],
                              "myelin sweep %.400s on %s: %" PRId64 " points, %" PRId64 " fit, %" PRId64
                              " on the Pareto front (energy x latency x area, per workload and setting); "
                              "cost models, statistical activity; area of the whole array%s",
                              p.value[1], s->base->name, s->n_points, n_fit, n_pareto, simcap);
        myelin_report_provenance(t[k], &p);
        myelin_report_rows_key(t[k], "points");
    }
    *points = t[0];
    *pareto = t[1];
    if (!t[0] || !t[1]) {
        myelin_report_free(t[0]);
        myelin_report_free(t[1]);
        *points = *pareto = NULL;
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (sweep tables)");
    }
    return 0;
}

static int save_buf(const char *dir, const char *name, char *buf, size_t len, myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    if (myelin_path_join(dir, name, path, sizeof path))
        return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0, "path too long");
    return myelin_write_file_atomic(path, buf, len, err);
}

int myelin_sweep_write(myelin_sweep *s, const char *dir, int *plotted, myelin_error *err)
{
    *plotted = 0;
    for (int64_t i = 0; i < s->n_points; i++)
        if (!s->pts[i].done)
            return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                    "sweep: point %" PRId64 " was not evaluated", i);
    mark_pareto(s);
    myelin_report *pt = NULL, *ft = NULL;
    int rc = myelin_sweep_tables(s, &pt, &ft, err);
    static const struct {
        const char *name;
        int fmt, pareto;
    } outs[] = {{"points.txt", MYELIN_REPORT_TABLE, 0}, {"points.csv", MYELIN_REPORT_CSV, 0},
                {"points.json", MYELIN_REPORT_JSON, 0}, {"points.md", MYELIN_REPORT_MARKDOWN, 0},
                {"points.tex", MYELIN_REPORT_LATEX, 0}, {"pareto.csv", MYELIN_REPORT_CSV, 1},
                {"pareto.md", MYELIN_REPORT_MARKDOWN, 1}};
    for (size_t k = 0; !rc && k < sizeof outs / sizeof outs[0]; k++)
        rc = myelin_report_save(outs[k].pareto ? ft : pt, outs[k].fmt, dir, outs[k].name, err);
    myelin_report_free(pt);
    myelin_report_free(ft);
    /* the plot: energy against latency, one panel per workload; every fitting point of each
     * setting small and open, the Pareto front filled and coloured by area; SVG and PNG */
    if (!rc) {
        char *buf = NULL, *gbuf = NULL, *pbuf = NULL;
        size_t len = 0, glen = 0, plen = 0;
        FILE *f = open_memstream(&buf, &len), *g = open_memstream(&gbuf, &glen);
        FILE *pl = open_memstream(&pbuf, &plen);
        if (!f || !g || !pl) {
            if (f)
                fclose(f);
            if (g)
                fclose(g);
            if (pl)
                fclose(pl);
            free(buf);
            free(gbuf);
            free(pbuf);
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            int64_t per = s->n_points / (s->n_wl * s->n_q);
            int blocks = 0;
            /* the panels, written once and drawn for each terminal */
            fprintf(pl, "set multiplot layout 1,%d\n", s->n_wl);
            for (int w = 0; w < s->n_wl; w++) {
                /* one colour scale (cbrange is shared): its bar beside the last panel only */
                fprintf(pl, w == s->n_wl - 1 ? "set colorbox\nset rmargin 14\n"
                                             : "unset colorbox\nset rmargin 3\n");
                fprintf(pl, "set title ");
                myelin_escape_fputs(MYELIN_ESC_GNUPLOT, s->wl_name[w], pl);
                fprintf(pl, "\nplot ");
                for (int q = 0; q < s->n_q; q++) {
                    int64_t g0 = ((int64_t)w * s->n_q + q) * per;
                    /* the setting's short name: the file name without .yaml */
                    char qn[MYELIN_PATH_MAX];
                    const char *base = strrchr(s->q_name[q], '/');
                    snprintf(qn, sizeof qn, "%s", base ? base + 1 : s->q_name[q]);
                    size_t ql = strlen(qn);
                    if (ql > 5 && !strcmp(qn + ql - 5, ".yaml"))
                        qn[ql - 5] = 0;
                    for (int pass = 0; pass < 2; pass++) {
                        fprintf(f, "%s# %s %s %s\n", blocks ? "\n\n" : "", s->wl_name[w],
                                s->q_name[q], pass ? "pareto" : "all");
                        fprintf(f, "latency_s energy_J area_mm2 point\n");
                        int any = 0;
                        for (int64_t i = g0; i < g0 + per; i++) {
                            const point_val *pv = &s->pts[i];
                            if (!(pv->v[V_FITS] > 0) || (pass && !pv->pareto))
                                continue;
                            fprintf(f, "%.9g %.9g %.9g %" PRId64 "\n", pv->v[V_LATENCY],
                                    pv->v[V_ENERGY], pv->v[V_AREA], i);
                            any = 1;
                        }
                        if (!any)
                            fprintf(f, "nan nan nan -1\n");
                        char title[MYELIN_PATH_MAX + 32];
                        snprintf(title, sizeof title, "%s%s", qn,
                                 pass ? ": Pareto front" : ": all");
                        fprintf(pl, "%s'pareto.dat' index %d using ($1*1e3):($2*1e6)%s with points ",
                                q || pass ? ", \\\n     " : "", blocks, pass ? ":3" : "");
                        if (pass)
                            fprintf(pl, "pt %d ps 1.3 lc palette", q % 2 ? 9 : 7);
                        else
                            fprintf(pl, "pt %d ps 0.7 lc rgb '#8c8c8c'", q % 2 ? 8 : 6);
                        fprintf(pl, " title ");
                        myelin_escape_fputs(MYELIN_ESC_GNUPLOT, title, pl);
                        blocks++;
                    }
                }
                fprintf(pl, "\n");
            }
            fprintf(pl, "unset multiplot\n");
            fclose(pl);
            /* tics at 1, 2, 3, 5 x 10^k (gnuplot labels only decades on log axes by itself; a
             * panel spanning less than a decade still gets three or more), one colour scale of
             * area for every panel */
            static const int mant[] = {1, 2, 3, 5};
            char tics[2048] = "";
            for (int e = -9; e <= 12; e++)
                for (int m = 0; m < 4; m++) {
                    size_t tl = strlen(tics);
                    snprintf(tics + tl, sizeof tics - tl, "%s%de%d", tl ? ", " : "", mant[m], e);
                }
            double amin = 0, amax = 0;
            for (int64_t i = 0; i < s->n_points; i++) {
                double a = s->pts[i].v[V_AREA];
                if (s->pts[i].v[V_FITS] > 0 && a > 0) {
                    amin = amin > 0 && amin < a ? amin : a;
                    amax = amax > a ? amax : a;
                }
            }
            if (!(amin > 0)) {
                amin = 1;
                amax = 10;
            } else if (!(amax > amin)) {
                amax = amin * 1.1;
            }
            fprintf(g, "# myelin sweep: energy vs latency, one panel per workload (pareto.dat: index "
                       "2k all fitting points of group k = workload x setting, 2k+1 its Pareto front "
                       "over energy x latency x area; columns in s, J, mm2)\n"
                       "set encoding utf8\nset termoption noenhanced\n"
                       "set xlabel 'latency per inference (ms)'\n"
                       "set ylabel 'energy per inference (µJ)'\n"
                       "set cblabel 'Pareto-front points: array area (mm²)'\n"
                       "set logscale xy\nset logscale cb\nset format x '%%g'\nset format y '%%g'\n"
                       "set format cb '%%g'\nset xtics (%s)\nset ytics (%s)\nset cbtics (%s)\n"
                       "set cbrange [%.6g:%.6g]\n"
                       "set autoscale xfix\nset autoscale yfix\n"
                       "set offsets graph 0.08, graph 0.08, graph 0.12, graph 0.12\n"
                       "set grid xtics ytics mxtics mytics lc rgb '#e0e0e0'\n"
                       "set palette defined (0 '#1b9e77', 1 '#7570b3', 2 '#d95f02')\n"
                       "set key below horizontal maxrows 2 width -2 samplen 1\n"
                       "set bmargin 8\n", tics, tics, tics, amin, amax);
            static const char *const terms[2][2] = {
                {"svg size 1200,560 dynamic font 'Helvetica,13'", "pareto.svg"},
                {"pngcairo size 1500,700 font 'Helvetica,13'", "pareto.png"}};
            for (int k = 0; k < 2; k++)
                fprintf(g, "set terminal %s\nset output '%s'\n%s", terms[k][0], terms[k][1], pbuf);
            fclose(f);
            fclose(g);
            rc = save_buf(dir, "pareto.dat", buf, len, err);
            if (!rc)
                rc = save_buf(dir, "pareto.gp", gbuf, glen, err);
            if (!rc)
                *plotted = myelin_run_gnuplot(dir, gbuf) == 0;
            free(buf);
            free(gbuf);
            free(pbuf);
        }
    }
    return rc;
}
