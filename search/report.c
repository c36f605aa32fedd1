/* search/report.c — the search's outputs: every candidate (CSV, JSON), the Pareto front, the
 * paper-style summary in the five formats of `myelin cost`, QSViT's sensitivity table, the chosen
 * setting as YAML, and gnuplot scripts, data and SVG plots.  Every file is written atomically. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/report.h"
#include "base/util.h"
#include "search/internal.h"

/* A table of the report module with the search's provenance: the workload (its file relative to
 * the working folder), the fingerprint of its text and weights, the array, the data and the seeds. */
static myelin_report *new_table(const myelin_search *s, const myelin_report_col *cols, int n,
                                const char *rows_key)
{
    myelin_report *t = myelin_report_new(cols, n);
    if (!t)
        return NULL;
    myelin_provenance p;
    myelin_provenance_init(&p);
    myelin_provenance_add(&p, "workload", "%s", s->wl->name);
    if (s->wl->source[0] && strcmp(s->wl->source, "<embedded>") != 0)
        myelin_provenance_add_path(&p, "workload_file", s->wl->source);
    myelin_provenance_add(&p, "inputs_fnv1a64", "%016" PRIx64, s->cfg.inputs_hash);
    myelin_provenance_add(&p, "arch", "%s", s->arch->name);
    if (s->arch_path[0])
        myelin_provenance_add_path(&p, "arch_file", s->arch_path);
    myelin_provenance_add(&p, "method", "%s", myelin_search_method_name(s->cfg.method));
    myelin_provenance_add(&p, "val", "%s", s->val_spec[0] ? s->val_spec : s->train_spec);
    myelin_provenance_add(&p, "test", "%s", s->test_spec);
    myelin_provenance_add(&p, "seed", "%" PRIu64 " (carve %" PRIu64 ")", s->cfg.seed, s->cfg.carve_seed);
    myelin_report_provenance(t, &p);
    myelin_report_rows_key(t, rows_key);
    return t;
}

static const char *gate_name(gate_state g)
{
    switch (g) {
    case GATE_IN: return "in";
    case GATE_OUT: return "out";
    case GATE_SKIPPED: return "skipped";
    default: return "-";
    }
}

static const char *role_name(cand_role r)
{
    switch (r) {
    case ROLE_BASELINE: return "float";
    case ROLE_SWEEP: return "sweep";
    default: return "search";
    }
}

static void gate_desc(const myelin_search *s, char *buf, size_t n)
{
    switch (s->cfg.gate) {
    case MYELIN_GATE_NONE: snprintf(buf, n, "none"); break;
    case MYELIN_GATE_THRESHOLD: snprintf(buf, n, "threshold:%g", s->cfg.gate_threshold); break;
    case MYELIN_GATE_TOPK: snprintf(buf, n, "topk:%d", s->cfg.gate_topk); break;
    case MYELIN_GATE_ADAPTIVE: snprintf(buf, n, "adaptive"); break;
    }
}

/* ---- candidates ---------------------------------------------------------------------------- */

enum { K_ID, K_ROLE, K_STEP, K_PARENT, K_SETTING, K_DMEAN, K_DMAX, K_GATE, K_FULL, K_ACC, K_DROP,
       K_PASS, K_MEM, K_MEMSAVE, K_MMEM, K_AVGBITS, K_COMP, K_ENERGY, K_ESAVE, K_CENERGY, K_LERR,
       K_KL, K_FLIP, K_PROXY, K_PDROP, K_PHALF, K_NCOLS };

static const myelin_report_col cand_cols[K_NCOLS] = {
    {"id", "", 1, 0},           {"role", "", 0, 0},           {"step", "", 1, 1},
    {"parent", "", 1, 1},       {"setting", "", 0, 0},        {"drift_mean", "", 1, 0},
    {"drift_max", "", 1, 1},    {"gate", "", 0, 0},           {"full_eval", "", 0, 0},
    {"val_top1", "pct", 1, 0},  {"drop", "pct", 1, 0},        {"pass", "", 1, 0},
    {"param_memory", "bytes", 1, 0}, {"memory_saving", "pct", 1, 1},
    {"membrane_memory", "bytes", 1, 1}, {"avg_weight", "bits", 1, 0},
    {"compression", "x", 1, 1}, {"energy", "pJ", 1, 0},      {"energy_saving", "pct", 1, 1},
    {"calib_energy", "pJ", 1, 1}, {"logit_err", "", 1, 1},   {"kl", "nats", 1, 1},
    {"top1_flip", "pct", 1, 1}, {"proxy", "", 1, 1},          {"pred_drop", "pct", 1, 1},
    {"pred_half", "pct", 1, 1}};

static myelin_report *cand_table(const myelin_search *s, const int *idx, int n, const char *key)
{
    myelin_report *t = new_table(s, cand_cols, K_NCOLS, key);
    if (!t)
        return NULL;
    myelin_report_caption(t, "%s search on %s: every evaluated candidate",
                          myelin_search_method_name(s->cfg.method), s->wl->name);
    const cand *b = &s->cands[s->baseline];
    for (int k = 0; k < n; k++) {
        const cand *c = &s->cands[idx ? idx[k] : k];
        if (!c->has_drift && !c->has_full)
            continue; /* proposed but never measured (lazy descents) */
        int r = myelin_report_row(t);
        if (r < 0)
            break;
        myelin_report_set(t, r, K_ID, "%d", c->id);
        myelin_report_set(t, r, K_ROLE, "%s", role_name(c->role));
        myelin_report_set(t, r, K_STEP, "%d", c->step);
        myelin_report_set(t, r, K_PARENT, "%d", c->parent);
        myelin_report_set(t, r, K_SETTING, "%s", c->key);
        myelin_report_set(t, r, K_DMEAN, "%.9g", c->drift_mean);
        myelin_report_set(t, r, K_DMAX, "%.9g", c->drift_max);
        myelin_report_set(t, r, K_GATE, "%s", gate_name(c->gate));
        myelin_report_set(t, r, K_FULL, "%s", !c->has_full ? "no" : c->checked ? "gate-check" : "yes");
        for (int j = K_ACC; j <= K_PASS; j++)
            myelin_report_set(t, r, j, "-");
        myelin_report_set(t, r, K_ENERGY, "-");
        myelin_report_set(t, r, K_ESAVE, "-");
        if (c->has_full) {
            myelin_report_set(t, r, K_ACC, "%.2f", c->acc_pct);
            myelin_report_set(t, r, K_DROP, "%.2f", c->drop_pct);
            myelin_report_set(t, r, K_PASS, "%d", c->pass);
            myelin_report_set(t, r, K_ENERGY, "%.9g", c->energy_pj);
            myelin_report_set(t, r, K_ESAVE, "%.2f",
                              b->energy_pj > 0 ? 100.0 * (1 - c->energy_pj / b->energy_pj) : 0.0);
        }
        myelin_report_set(t, r, K_MEM, "%" PRId64, (c->mem_bits + 7) / 8);
        myelin_report_set(t, r, K_MEMSAVE, "%.2f", 100.0 * (1 - (double)c->mem_bits / (double)b->mem_bits));
        myelin_report_set(t, r, K_MMEM, "%" PRId64, (c->membrane_bits + 7) / 8);
        myelin_report_set(t, r, K_AVGBITS, "%.3f", c->avg_bits);
        myelin_report_set(t, r, K_COMP, "%.3f", (double)b->mem_bits / (double)c->mem_bits);
        myelin_report_set(t, r, K_CENERGY, "%.9g", c->calib_energy_pj);
        myelin_report_set(t, r, K_LERR, "%.9g", c->logit_err);
        myelin_report_set(t, r, K_KL, "%.9g", c->kl);
        myelin_report_set(t, r, K_FLIP, "%.2f", c->flip_pct);
        myelin_report_set(t, r, K_PROXY, "%.9g", c->proxy);
        myelin_report_set(t, r, K_PDROP, c->predicted ? "%.3f" : "-", c->pred_drop);
        myelin_report_set(t, r, K_PHALF, c->predicted ? "%.3f" : "-", c->pred_half);
    }
    return t;
}

/* ---- summary ------------------------------------------------------------------------------- */

enum { S_METHOD, S_GATE, S_GRAN, S_SETTING, S_ACC, S_DROP, S_TEST, S_MEM, S_MEMSAVE, S_ENERGY,
       S_ESAVE, S_AVGBITS, S_COMP, S_WALL, S_FULL, S_DRIFT, S_GATED, S_SKIPPED, S_CHECK, S_TDROP,
       S_WITHIN, S_OBJ, S_PRED, S_RHO, S_NCOLS };

static const myelin_report_col sum_cols[S_NCOLS] = {
    {"method", "", 0, 0},         {"gate", "", 0, 0},          {"granularity", "", 0, 1},
    {"setting", "", 0, 0},        {"val_top1", "pct", 1, 0},   {"drop", "pct", 1, 0},
    {"test_top1", "pct", 1, 0},   {"param_memory", "bytes", 1, 0}, {"memory_saving", "pct", 1, 0},
    {"energy", "uJ", 1, 0},       {"energy_saving", "pct", 1, 0}, {"avg_weight", "bits", 1, 0},
    {"compression", "x", 1, 0},   {"search_wall", "s", 1, 1},  {"full_evals", "", 1, 0},
    {"drift_evals", "", 1, 1},    {"gated_out", "", 1, 1},     {"skipped", "", 1, 1},
    {"gate_check_false_rejections", "", 0, 1}, {"test_drop", "pct", 1, 1},
    {"test_within_constraint", "", 0, 1}, {"objective", "", 0, 1},
    {"predicted_passes", "", 1, 1}, {"proxy_spearman", "", 1, 1}};

myelin_report *myelin_search_summary_table(const myelin_search *s, int with_timing)
{
    myelin_report *t = new_table(s, sum_cols, S_NCOLS, "rows");
    if (!t)
        return NULL;
    myelin_search_figures fg;
    myelin_search_get_figures(s, &fg);
    static const char *const gran[] = {"network", "block", "layer"};
    char gd[64];
    gate_desc(s, gd, sizeof gd);
    myelin_report_caption(t, "%s search on %s (%s): the float reference and the chosen setting, "
                          "within %.2f points of validation top-1", myelin_search_method_name(s->cfg.method),
                          s->wl->name, s->arch->name, s->cfg.max_drop_pct);
    for (int k = 0; k < 2; k++) {
        const cand *c = &s->cands[k ? s->chosen : s->baseline];
        const cand *b = &s->cands[s->baseline];
        int r = myelin_report_row(t);
        if (r < 0)
            break;
        myelin_report_set(t, r, S_METHOD, "%s", k ? myelin_search_method_name(s->cfg.method) : "float");
        myelin_report_set(t, r, S_GATE, "%s", k ? gd : "-");
        myelin_report_set(t, r, S_GRAN, "%s", k ? gran[s->cfg.granularity] : "-");
        myelin_report_set(t, r, S_SETTING, "%s", c->key);
        myelin_report_set(t, r, S_ACC, "%.2f", c->acc_pct);
        myelin_report_set(t, r, S_DROP, "%.2f", c->drop_pct);
        myelin_report_set(t, r, S_TEST, "%.2f",
                          c->test_images ? 100.0 * (double)c->test_correct / (double)c->test_images : 0.0);
        myelin_report_set(t, r, S_MEM, "%" PRId64, (c->mem_bits + 7) / 8);
        myelin_report_set(t, r, S_MEMSAVE, "%.2f", 100.0 * (1 - (double)c->mem_bits / (double)b->mem_bits));
        myelin_report_set(t, r, S_ENERGY, "%.4f", c->energy_pj * 1e-6);
        myelin_report_set(t, r, S_ESAVE, "%.2f",
                          b->energy_pj > 0 ? 100.0 * (1 - c->energy_pj / b->energy_pj) : 0.0);
        myelin_report_set(t, r, S_AVGBITS, "%.2f", c->avg_bits);
        myelin_report_set(t, r, S_COMP, "%.2f", (double)b->mem_bits / (double)c->mem_bits);
        for (int j = S_WALL; j <= S_RHO; j++)
            myelin_report_set(t, r, j, "-");
        myelin_report_set(t, r, S_TDROP, "0.00");
        if (!k)
            continue;
        if (with_timing)
            myelin_report_set(t, r, S_WALL, "%.1f", fg.wall_s);
        myelin_report_set(t, r, S_FULL, "%d", fg.full_evals);
        myelin_report_set(t, r, S_DRIFT, "%d", fg.drift_evals);
        myelin_report_set(t, r, S_GATED, "%d", fg.gated_out);
        myelin_report_set(t, r, S_SKIPPED, "%d", fg.skipped);
        myelin_report_set(t, r, S_CHECK, "%d/%d", fg.check_false_rejections, fg.check_evals);
        myelin_report_set(t, r, S_TDROP, "%.2f", fg.test_drop_pct);
        myelin_report_set(t, r, S_WITHIN, "%s", fg.test_over ? "NO (over the constraint)" : "yes");
        myelin_report_set(t, r, S_OBJ, "%s", myelin_search_objective_name(s->cfg.objective));
        myelin_report_set(t, r, S_PRED, "%d", fg.predicted_passes);
        if (fg.spearman_n >= 3)
            myelin_report_set(t, r, S_RHO, "%.3f", fg.spearman_proxy);
    }
    return t;
}

myelin_report *myelin_search_figures_table(const myelin_search *s)
{
    static const myelin_report_col cols[] = {{"figure", "", 0, 0}, {"value", "", 1, 0}};
    myelin_report *t = new_table(s, cols, 2, "figures");
    if (!t)
        return NULL;
    myelin_search_figures fg;
    myelin_search_get_figures(s, &fg);
    const struct {
        const char *name;
        double v;
    } fig[] = {
        {"float_val_pct", fg.float_val_pct},       {"chosen_val_pct", fg.chosen_val_pct},
        {"drop_pct", fg.drop_pct},                 {"float_test_pct", fg.float_test_pct},
        {"chosen_test_pct", fg.chosen_test_pct},   {"test_drop_pct", fg.test_drop_pct},
        {"test_over", fg.test_over},               {"float_memory_bytes", (double)fg.float_memory_bytes},
        {"chosen_memory_bytes", (double)fg.chosen_memory_bytes},
        {"memory_saving_pct", fg.memory_saving_pct}, {"float_energy_pJ", fg.float_energy_pj},
        {"chosen_energy_pJ", fg.chosen_energy_pj}, {"energy_saving_pct", fg.energy_saving_pct},
        {"avg_bits", fg.avg_bits},                 {"compression", fg.compression},
        {"full_evals", fg.full_evals},             {"drift_evals", fg.drift_evals},
        {"gated_out", fg.gated_out},               {"skipped", fg.skipped},
        {"candidates", fg.candidates},
    };
    myelin_report_caption(t, "%s search on %s: headline figures", myelin_search_method_name(s->cfg.method),
                          s->wl->name);
    for (size_t i = 0; i < sizeof fig / sizeof fig[0]; i++) {
        int r = myelin_report_row(t);
        myelin_report_set(t, r, 0, "%s", fig[i].name);
        if (isfinite(fig[i].v))
            myelin_report_set(t, r, 1, "%.17g", fig[i].v);
    }
    return t;
}

int myelin_search_write_summary(const myelin_search *s, int format, int with_timing, void *file,
                                myelin_error *err)
{
    myelin_report *t = myelin_search_summary_table(s, with_timing);
    int rc = t ? myelin_report_write(t, format, file, err)
               : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    myelin_report_free(t);
    return rc;
}

/* QSViT sensitivity: drop (points) per group and width, with one group quantized alone. */
static myelin_report *sensitivity_table(const myelin_search *s)
{
    myelin_report_col cols[2 + MYELIN_SEARCH_MAX_LEVELS];
    char names[MYELIN_SEARCH_MAX_LEVELS][32];
    cols[0] = (myelin_report_col){"group", "", 0, 0};
    cols[1] = (myelin_report_col){"weights", "", 1, 0};
    for (int l = 0; l < s->cfg.n_bits; l++) {
        snprintf(names[l], sizeof names[l], "drop_at_%d_bits", s->cfg.bits[l]);
        cols[l + 2] = (myelin_report_col){names[l], "pct", 1, 0};
    }
    myelin_report *t = new_table(s, cols, s->cfg.n_bits + 2, "groups");
    if (!t)
        return NULL;
    myelin_report_caption(t, "QSViT sensitivity: validation top-1 drop (points) with one group "
                             "quantized alone, the rest float");
    for (int k = 0; k < s->n_groups; k++) {
        int r = myelin_report_row(t);
        if (r < 0)
            break;
        myelin_report_set(t, r, 0, "%s", s->groups[k].name);
        myelin_report_set(t, r, 1, "%" PRId64, s->groups[k].weights);
        for (int l = 0; l < s->cfg.n_bits; l++) {
            myelin_report_set(t, r, l + 2, "-");
            for (int i = 0; i < s->n_cands; i++)
                if (s->cands[i].role == ROLE_SWEEP && s->cands[i].sweep_group == k &&
                    s->cands[i].sweep_level == l + 1)
                    myelin_report_set(t, r, l + 2, "%.2f", s->cands[i].drop_pct);
        }
    }
    return t;
}

/* ---- files --------------------------------------------------------------------------------- */

static int save(const char *dir, const char *prefix, const char *name, const char *buf, size_t len,
                myelin_error *err)
{
    char rel[MYELIN_PATH_MAX], path[MYELIN_PATH_MAX];
    snprintf(rel, sizeof rel, "%s%s", prefix, name);
    if (myelin_path_join(dir, rel, path, sizeof path))
        return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0, "path too long");
    return myelin_write_file_atomic(path, buf, len, err);
}

/* Writes a table (and frees it) in each format of fmts to DIR/PREFIXbase.EXT; NULL is out of memory. */
static int save_table(const char *dir, const char *prefix, const char *base, myelin_report *t,
                      const int *fmts, int nfmts, myelin_error *err)
{
    int rc = t ? 0 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    for (int k = 0; !rc && k < nfmts; k++) {
        char *buf, name[256];
        size_t len;
        snprintf(name, sizeof name, "%s.%s", base, myelin_report_format_ext(fmts[k]));
        rc = myelin_report_write_buffer(t, fmts[k], &buf, &len, err);
        if (!rc)
            rc = save(dir, prefix, name, buf, len, err);
        free(buf);
    }
    myelin_report_free(t);
    return rc;
}

static void be32(FILE *f, uint32_t v)
{
    fputc((int)(v >> 24) & 255, f);
    fputc((int)(v >> 16) & 255, f);
    fputc((int)(v >> 8) & 255, f);
    fputc((int)v & 255, f);
}

/* A carved validation set as IDX files (images N x H x W x C, magic 0x00000804, as `myelin
 * dataset` writes them; labels 0x00000801), so `myelin run --dataset` sees the same images. */
static int save_val_idx(const myelin_search *s, const char *dir, const char *prefix, myelin_error *err)
{
    const imageset *im = &s->val;
    const myelin_shape in = s->wl->input;
    char *ib = NULL, *lb = NULL;
    size_t il = 0, ll = 0;
    FILE *fi = open_memstream(&ib, &il), *fl = open_memstream(&lb, &ll);
    int rc = 0;
    if (!fi || !fl || !im->pixels)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc) {
        be32(fi, 0x00000804);
        be32(fi, (uint32_t)im->n);
        be32(fi, (uint32_t)in.h);
        be32(fi, (uint32_t)in.w);
        be32(fi, (uint32_t)in.c);
        fwrite(im->pixels, 1, (size_t)im->n * s->image_bytes, fi);
        be32(fl, 0x00000801);
        be32(fl, (uint32_t)im->n);
        for (int i = 0; i < im->n; i++)
            fputc(im->labels[i], fl);
    }
    if (fi)
        fclose(fi);
    if (fl)
        fclose(fl);
    if (!rc)
        rc = save(dir, prefix, "val-images-idx3-ubyte", ib, il, err);
    if (!rc)
        rc = save(dir, prefix, "val-labels-idx1-ubyte", lb, ll, err);
    free(ib);
    free(lb);
    return rc;
}

/* The x axis of an accuracy plot (energy in µJ or memory in kB): the Pareto front and the chosen
 * setting with margins, so the front is not squeezed against the float network and other far
 * candidates; logarithmic when it spans a decade or more.  *label (a gnuplot string literal)
 * names the axis and how many candidates lie beyond it. */
static void front_axis(const myelin_search *s, const int *front, int nf, const cand *ch, int energy, double *lo,
                       double *hi, int *logx, char *label, size_t ln)
{
#define X_OF(c) (energy ? (c)->energy_pj * 1e-6 : (double)(c)->mem_bits / 8e3)
    double a = X_OF(ch), b = a, far = a;
    for (int k = 0; k < nf; k++) {
        const cand *c = &s->cands[front[k]];
        if (c->has_full && X_OF(c) < a)
            a = X_OF(c);
        if (c->has_full && X_OF(c) > b)
            b = X_OF(c);
    }
    *logx = a > 0 && b / a >= 10;
    if (*logx) {
        a /= 1.15;
        b *= 1.15;
    } else {
        double pad = b > a ? 0.08 * (b - a) : 0.1 * (b > 0 ? b : 1);
        a = a - pad > 0 ? a - pad : 0;
        b += pad;
    }
    int beyond = 0;
    for (int k = 0; k < s->n_cands; k++) {
        const cand *c = &s->cands[k];
        if (c->has_full && (X_OF(c) < a || X_OF(c) > b)) {
            beyond++;
            if (X_OF(c) > far)
                far = X_OF(c);
        }
    }
#undef X_OF
    *lo = a;
    *hi = b;
    char text[200];
    const char *what = energy ? "energy per inference" : "parameter memory", *unit = energy ? "µJ" : "kB";
    if (beyond)
        snprintf(text, sizeof text, "%s (%s); %d more candidate%s beyond the axis, up to %.4g %s", what, unit,
                 beyond, beyond == 1 ? "" : "s", far, unit);
    else
        snprintf(text, sizeof text, "%s (%s)", what, unit);
    myelin_escape(MYELIN_ESC_GNUPLOT, text, label, ln);
}

/* The script of an accuracy plot against memory (energy 0) or energy (1): out, title and data are
 * gnuplot string literals, ylim the y range, lines the float baseline and the constraint. */
static void acc_plot(const myelin_search *s, const int *front, int nf, const cand *ch, int energy, const char *out,
                     const char *title, const char *data, const double ylim[2], const char *lines, char *gp,
                     size_t n)
{
    double lo, hi;
    int logx;
    char xlabel[300];
    front_axis(s, front, nf, ch, energy, &lo, &hi, &logx, xlabel, sizeof xlabel);
    snprintf(gp, n,
             "# accuracy vs %s of every evaluated candidate (myelin search)\n"
             "set terminal svg size 860,440 dynamic\nset output %s\n"
             "set title %s\nset encoding utf8\nset grid\nset key below horizontal maxrows 2\n"
             "set xlabel %s\nset ylabel 'validation top-1 (%%)'\n%s"
             "set xrange [%.6g:%.6g]\nset yrange [%.2f:%.2f]\n"
             "plot %s index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', "
             "'' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', "
             "'' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen'%s\n",
             energy ? "energy per inference" : "parameter memory", out, title, xlabel,
             logx ? "set logscale x\n" : "", lo, hi, ylim[0], ylim[1], data, lines);
}

static int is_weight_layer(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
           ly->kind == MYELIN_LAYER_HEAD;
}

int myelin_search_write(const myelin_search *s, const char *dir, const char *prefix,
                        int with_timing, int *gnuplot_failed, myelin_error *err)
{
    *gnuplot_failed = 0;
    const cand *b = &s->cands[s->baseline], *ch = &s->cands[s->chosen];
    static const int csv_json[] = {MYELIN_REPORT_CSV, MYELIN_REPORT_JSON};
    static const int all[] = {MYELIN_REPORT_TABLE, MYELIN_REPORT_CSV, MYELIN_REPORT_JSON,
                              MYELIN_REPORT_MARKDOWN, MYELIN_REPORT_LATEX};
    int rc = save_table(dir, prefix, "candidates", cand_table(s, NULL, s->n_cands, "candidates"),
                        csv_json, 2, err);
    /* Pareto front */
    int *front = NULL;
    int nf = myelin_rank_pareto(s, &front);
    if (!rc && nf < 0)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc)
        rc = save_table(dir, prefix, "pareto", cand_table(s, front, nf, "pareto"), csv_json, 1, err);
    /* summary in five formats */
    if (!rc)
        rc = save_table(dir, prefix, "summary", myelin_search_summary_table(s, with_timing), all, 5, err);
    /* QSViT sensitivity */
    static const int csv_md[] = {MYELIN_REPORT_CSV, MYELIN_REPORT_MARKDOWN};
    if (!rc && s->cfg.method == MYELIN_SEARCH_QSVIT)
        rc = save_table(dir, prefix, "sensitivity", sensitivity_table(s), csv_md, 2, err);
    /* chosen setting */
    if (!rc) {
        char note[256];
        snprintf(note, sizeof note, "chosen by myelin search --method %s: validation top-1 %.2f %% "
                 "(float %.2f %%), %" PRId64 " parameter bytes",
                 myelin_search_method_name(s->cfg.method), ch->acc_pct, b->acc_pct, (ch->mem_bits + 7) / 8);
        char *y = myelin_space_yaml(s, ch, note);
        rc = y ? save(dir, prefix, "chosen.yaml", y, strlen(y), err)
               : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
        free(y);
    }
    if (!rc && s->cfg.val_from_train > 0)
        rc = save_val_idx(s, dir, prefix, err);
    /* plots */
    char *mb = NULL, *eb = NULL, *lb = NULL;
    size_t ml = 0, el = 0, ll = 0;
    FILE *mf = open_memstream(&mb, &ml), *ef = open_memstream(&eb, &el), *lf = open_memstream(&lb, &ll);
    if (!rc && (!mf || !ef || !lf))
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc) {
        for (int part = 0; part < 3; part++) {
            static const char *const title[] = {"candidates", "Pareto front", "chosen"};
            fprintf(mf, "%s\"%s\"\n", part ? "\n\n" : "", title[part]);
            fprintf(ef, "%s\"%s\"\n", part ? "\n\n" : "", title[part]);
            int n = part == 0 ? s->n_cands : part == 1 ? nf : 1;
            for (int k = 0; k < n; k++) {
                const cand *c = part == 0 ? &s->cands[k] : part == 1 ? &s->cands[front[k]] : ch;
                if (!c->has_full)
                    continue;
                fprintf(mf, "%.6f %.4f\n", (double)c->mem_bits / 8e3, c->acc_pct);
                fprintf(ef, "%.6f %.4f\n", c->energy_pj * 1e-6, c->acc_pct);
            }
        }
        char b1[16];
        for (int i = 0; i < s->wl->n_layers; i++) {
            const myelin_layer *ly = &s->wl->layers[i];
            int g = s->layer_group[i];
            if (!is_weight_layer(ly) || g < 0)
                continue;
            int bits = myelin_space_weight_bits(s, &ch->g[g]);
            int pot = bits != MYELIN_BITS_FLOAT && s->cfg.schemes[ch->g[g].sch] == MYELIN_SCHEME_POT;
            fprintf(lf, "%s %d %s %s %d\n", ly->name, myelin_storage_bits(bits),
                    myelin_bits_str(bits, b1, sizeof b1),
                    bits == MYELIN_BITS_FLOAT ? "float" : pot ? "pot" : "uniform",
                    bits == MYELIN_BITS_FLOAT ? 3 : pot ? 2 : 1);
        }
    }
    FILE *streams[] = {mf, ef, lf};
    for (int k = 0; k < 3; k++)
        if (streams[k])
            fclose(streams[k]);
    /* Every string from the user (prefix, workload and architecture names) enters the scripts as
     * a gnuplot string literal made by myelin_escape: a name cannot end the string and add
     * commands (the issue-10 payload, a name closing the quote and calling gnuplot's shell function, stays a title). */
    char gp_mem[8192], gp_en[8192], gp_bits[4096], text[700];
    char o_mem[700], o_en[700], o_bits[700], d_mem[700], d_en[700], d_bits[700];
    char t_mem[1500], t_en[1500], t_bits[1500];
    const char *method = myelin_search_method_name(s->cfg.method);
#define GP_LIT(buf, ...)                                                                           \
    (snprintf(text, sizeof text, __VA_ARGS__), myelin_escape(MYELIN_ESC_GNUPLOT, text, buf, sizeof buf))
    GP_LIT(o_mem, "%sacc_vs_memory.svg", prefix);
    GP_LIT(d_mem, "%sacc_vs_memory.dat", prefix);
    GP_LIT(o_en, "%sacc_vs_energy.svg", prefix);
    GP_LIT(d_en, "%sacc_vs_energy.dat", prefix);
    GP_LIT(o_bits, "%slayer_bits.svg", prefix);
    GP_LIT(d_bits, "%slayer_bits.dat", prefix);
    GP_LIT(t_mem, "%s search on %s: validation top-1 vs parameter memory", method, s->wl->name);
    GP_LIT(t_en, "%s search on %s (%s): validation top-1 vs energy per inference", method, s->wl->name,
           s->arch->name[0] ? s->arch->name : "array");
    GP_LIT(t_bits,
           "%s search: weight bits of the chosen setting (purple uniform, green power-of-two, "
           "blue float)",
           method);
#undef GP_LIT
    /* y axis: the whole Pareto front, the float network and the constraint, 1 point of margin;
     * x axis: the Pareto front and the chosen setting with margins (front_axis; its label says
     * how many candidates lie beyond); the float baseline and the constraint drawn; the key outside
     * the data. */
    double ylo = b->acc_pct - 2 * s->cfg.max_drop_pct, yhi = b->acc_pct;
    for (int k = 0; k < nf; k++) {
        const cand *c = &s->cands[front[k]];
        if (c->has_full && c->acc_pct < ylo)
            ylo = c->acc_pct;
        if (c->has_full && c->acc_pct > yhi)
            yhi = c->acc_pct;
    }
    char lines[1024], lbl[200], lbl_f[300], lbl_c[300];
    snprintf(lbl, sizeof lbl, "float (%.2f %%)", b->acc_pct);
    myelin_escape(MYELIN_ESC_GNUPLOT, lbl, lbl_f, sizeof lbl_f);
    snprintf(lbl, sizeof lbl, "constraint (-%g points)", s->cfg.max_drop_pct);
    myelin_escape(MYELIN_ESC_GNUPLOT, lbl, lbl_c, sizeof lbl_c);
    snprintf(lines, sizeof lines,
             ", %.4f with lines dt 2 lc rgb 'black' title %s, %.4f with lines dt 3 lc rgb 'red' title %s",
             b->acc_pct, lbl_f, b->acc_pct - s->cfg.max_drop_pct, lbl_c);
    double ylim[2] = {ylo - 1, yhi + 1};
    acc_plot(s, front, nf, ch, 0, o_mem, t_mem, d_mem, ylim, lines, gp_mem, sizeof gp_mem);
    acc_plot(s, front, nf, ch, 1, o_en, t_en, d_en, ylim, lines, gp_en, sizeof gp_en);
    snprintf(gp_bits, sizeof gp_bits,
             "# weight bits per layer of the chosen setting (float drawn as 32); colour: 1 uniform,\n"
             "# 2 power-of-two, 3 float (column 5)\n"
             "set terminal svg size 860,360 dynamic\nset output %s\n"
             "set title %s\n"
             "set ylabel 'weight bits'\nset style fill solid 0.8 border -1\nset boxwidth 0.8\n"
             "set xtics rotate by 35 right font ',8'\nset ytics 1\nset yrange [0:*]\nset grid y\nunset key\n"
             "plot %s using 0:2:5:xtic(1) with boxes lc variable, "
             "'' using 0:($2 + 0.4):3 with labels font ',8'\n",
             o_bits, t_bits, d_bits);
    if (!rc)
        rc = save(dir, prefix, "acc_vs_memory.dat", mb, ml, err);
    if (!rc)
        rc = save(dir, prefix, "acc_vs_energy.dat", eb, el, err);
    if (!rc)
        rc = save(dir, prefix, "layer_bits.dat", lb, ll, err);
    if (!rc)
        rc = save(dir, prefix, "acc_vs_memory.gp", gp_mem, strlen(gp_mem), err);
    if (!rc)
        rc = save(dir, prefix, "acc_vs_energy.gp", gp_en, strlen(gp_en), err);
    if (!rc)
        rc = save(dir, prefix, "layer_bits.gp", gp_bits, strlen(gp_bits), err);
    if (!rc && (myelin_run_gnuplot(dir, gp_mem) != 0 || myelin_run_gnuplot(dir, gp_en) != 0 ||
                myelin_run_gnuplot(dir, gp_bits) != 0))
        *gnuplot_failed = 1;
    free(mb);
    free(eb);
    free(lb);
    free(front);
    return rc;
}
