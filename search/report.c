/* search/report.c — the search's outputs: every candidate (CSV, JSON), the Pareto front, the
 * paper-style summary in the five formats of `myelin cost`, QSViT's sensitivity table, the chosen
 * setting as YAML, and gnuplot scripts, data and SVG plots.  Every file is written atomically. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/util.h"
#include "search/internal.h"

#define CELL 96

/* A table of text cells; numeric columns are written bare in JSON. */
typedef struct tbl {
    int ncols, nrows, cap;
    const char *const *head;
    const int *numeric;
    char (*cells)[CELL]; /* nrows x ncols */
} tbl;

static char *tcell(tbl *t, int r, int c)
{
    return t->cells[(size_t)r * t->ncols + c];
}

static int trow(tbl *t)
{
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        void *p = realloc(t->cells, (size_t)cap * t->ncols * CELL);
        if (!p)
            return -1;
        t->cells = p;
        t->cap = cap;
    }
    memset(tcell(t, t->nrows, 0), 0, (size_t)t->ncols * CELL);
    return t->nrows++;
}

static void twrite(const tbl *t0, int fmt, FILE *f)
{
    tbl *t = (tbl *)t0;
    switch (fmt) {
    case MYELIN_COST_CSV:
        for (int c = 0; c < t->ncols; c++) {
            fputs(c ? "," : "", f);
            myelin_escape_fputs(MYELIN_ESC_CSV, t->head[c], f);
        }
        fprintf(f, "\n");
        for (int r = 0; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                fputs(c ? "," : "", f);
                myelin_escape_fputs(MYELIN_ESC_CSV, tcell(t, r, c), f);
            }
            fprintf(f, "\n");
        }
        break;
    case MYELIN_COST_JSON:
        fprintf(f, "[");
        for (int r = 0; r < t->nrows; r++) {
            fprintf(f, "%s\n  {", r ? "," : "");
            for (int c = 0; c < t->ncols; c++) {
                fprintf(f, "%s", c ? ", " : "");
                myelin_escape_fputs(MYELIN_ESC_JSON, t->head[c], f);
                fprintf(f, ": ");
                const char *v = tcell(t, r, c);
                if (t->numeric[c] && *v && strcmp(v, "-") != 0)
                    fprintf(f, "%s", v);
                else if (t->numeric[c])
                    fprintf(f, "null");
                else
                    myelin_escape_fputs(MYELIN_ESC_JSON, v, f);
            }
            fprintf(f, "}");
        }
        fprintf(f, "\n]\n");
        break;
    case MYELIN_COST_MARKDOWN:
        fprintf(f, "|");
        for (int c = 0; c < t->ncols; c++) {
            fputc(' ', f);
            myelin_escape_fputs(MYELIN_ESC_MARKDOWN, t->head[c], f);
            fputs(" |", f);
        }
        fprintf(f, "\n|");
        for (int c = 0; c < t->ncols; c++)
            fprintf(f, "%s|", t->numeric[c] ? "---:" : "---");
        fprintf(f, "\n");
        for (int r = 0; r < t->nrows; r++) {
            fprintf(f, "|");
            for (int c = 0; c < t->ncols; c++) {
                fputc(' ', f);
                myelin_escape_fputs(MYELIN_ESC_MARKDOWN, tcell(t, r, c), f);
                fputs(" |", f);
            }
            fprintf(f, "\n");
        }
        break;
    case MYELIN_COST_LATEX:
        fprintf(f, "\\begin{tabular}{");
        for (int c = 0; c < t->ncols; c++)
            fprintf(f, "%c", t->numeric[c] ? 'r' : 'l');
        fprintf(f, "}\n\\toprule\n");
        for (int c = 0; c < t->ncols; c++) {
            fprintf(f, "%s", c ? " & " : "");
            myelin_escape_fputs(MYELIN_ESC_LATEX, t->head[c], f);
        }
        fprintf(f, " \\\\\n\\midrule\n");
        for (int r = 0; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                fprintf(f, "%s", c ? " & " : "");
                myelin_escape_fputs(MYELIN_ESC_LATEX, tcell(t, r, c), f);
            }
            fprintf(f, " \\\\\n");
        }
        fprintf(f, "\\bottomrule\n\\end{tabular}\n");
        break;
    default: { /* aligned table */
        int *w = calloc((size_t)t->ncols, sizeof *w);
        if (!w)
            return;
        for (int c = 0; c < t->ncols; c++) {
            w[c] = (int)strlen(t->head[c]);
            for (int r = 0; r < t->nrows; r++)
                if ((int)strlen(tcell(t, r, c)) > w[c])
                    w[c] = (int)strlen(tcell(t, r, c));
        }
        for (int c = 0; c < t->ncols; c++)
            fprintf(f, "%s%*s", c ? "  " : "", t->numeric[c] ? w[c] : -w[c], t->head[c]);
        fprintf(f, "\n");
        for (int r = 0; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++)
                fprintf(f, "%s%*s", c ? "  " : "", t->numeric[c] ? w[c] : -w[c], tcell(t, r, c));
            fprintf(f, "\n");
        }
        free(w);
    }
    }
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

static const char *const cand_head[] = {
    "id", "role", "step", "parent", "setting", "drift_mean", "drift_max", "gate", "full_eval",
    "val_top1_pct", "drop_pct", "pass", "param_memory_bytes", "memory_saving_pct",
    "membrane_memory_bytes", "avg_weight_bits", "compression_x", "energy_pJ", "energy_saving_pct",
    "calib_energy_pJ", "logit_err", "kl_nats", "top1_flip_pct", "proxy", "pred_drop_pct",
    "pred_half_pct"};
static const int cand_num[] = {1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                               1, 1, 1, 1, 1, 1};

static int cand_table(const myelin_search *s, const int *idx, int n, tbl *t)
{
    memset(t, 0, sizeof *t);
    t->ncols = (int)(sizeof cand_head / sizeof cand_head[0]);
    t->head = cand_head;
    t->numeric = cand_num;
    const cand *b = &s->cands[s->baseline];
    for (int k = 0; k < n; k++) {
        const cand *c = &s->cands[idx ? idx[k] : k];
        if (!c->has_drift && !c->has_full)
            continue; /* proposed but never measured (lazy descents) */
        int r = trow(t);
        if (r < 0)
            return -1;
        snprintf(tcell(t, r, 0), CELL, "%d", c->id);
        snprintf(tcell(t, r, 1), CELL, "%s", role_name(c->role));
        snprintf(tcell(t, r, 2), CELL, "%d", c->step);
        snprintf(tcell(t, r, 3), CELL, "%d", c->parent);
        snprintf(tcell(t, r, 4), CELL, "%s", c->key);
        snprintf(tcell(t, r, 5), CELL, "%.9g", c->drift_mean);
        snprintf(tcell(t, r, 6), CELL, "%.9g", c->drift_max);
        snprintf(tcell(t, r, 7), CELL, "%s", gate_name(c->gate));
        snprintf(tcell(t, r, 8), CELL, "%s", !c->has_full ? "no" : c->checked ? "gate-check" : "yes");
        if (c->has_full) {
            snprintf(tcell(t, r, 9), CELL, "%.2f", c->acc_pct);
            snprintf(tcell(t, r, 10), CELL, "%.2f", c->drop_pct);
            snprintf(tcell(t, r, 11), CELL, "%d", c->pass);
            snprintf(tcell(t, r, 17), CELL, "%.9g", c->energy_pj);
            snprintf(tcell(t, r, 18), CELL, "%.2f",
                     b->energy_pj > 0 ? 100.0 * (1 - c->energy_pj / b->energy_pj) : 0.0);
        } else {
            for (int j = 9; j <= 11; j++)
                snprintf(tcell(t, r, j), CELL, "-");
            snprintf(tcell(t, r, 17), CELL, "-");
            snprintf(tcell(t, r, 18), CELL, "-");
        }
        snprintf(tcell(t, r, 12), CELL, "%" PRId64, (c->mem_bits + 7) / 8);
        snprintf(tcell(t, r, 13), CELL, "%.2f", 100.0 * (1 - (double)c->mem_bits / (double)b->mem_bits));
        snprintf(tcell(t, r, 14), CELL, "%" PRId64, (c->membrane_bits + 7) / 8);
        snprintf(tcell(t, r, 15), CELL, "%.3f", c->avg_bits);
        snprintf(tcell(t, r, 16), CELL, "%.3f", (double)b->mem_bits / (double)c->mem_bits);
        snprintf(tcell(t, r, 19), CELL, "%.9g", c->calib_energy_pj);
        snprintf(tcell(t, r, 20), CELL, "%.9g", c->logit_err);
        snprintf(tcell(t, r, 21), CELL, "%.9g", c->kl);
        snprintf(tcell(t, r, 22), CELL, "%.2f", c->flip_pct);
        snprintf(tcell(t, r, 23), CELL, "%.9g", c->proxy);
        if (c->predicted) {
            snprintf(tcell(t, r, 24), CELL, "%.3f", c->pred_drop);
            snprintf(tcell(t, r, 25), CELL, "%.3f", c->pred_half);
        } else {
            snprintf(tcell(t, r, 24), CELL, "-");
            snprintf(tcell(t, r, 25), CELL, "-");
        }
    }
    return 0;
}

/* ---- summary ------------------------------------------------------------------------------- */

static const char *const sum_head[] = {
    "method", "gate", "granularity", "setting", "val_top1_pct", "drop_pct", "test_top1_pct",
    "param_memory_bytes", "memory_saving_pct", "energy_uJ", "energy_saving_pct", "avg_weight_bits",
    "compression_x", "search_wall_s", "full_evals", "drift_evals", "gated_out", "skipped",
    "gate_check_false_rejections", "test_drop_pct", "test_within_constraint", "objective",
    "predicted_passes", "proxy_spearman"};
static const int sum_num[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1};

static int summary_table(const myelin_search *s, int with_timing, tbl *t)
{
    memset(t, 0, sizeof *t);
    t->ncols = (int)(sizeof sum_head / sizeof sum_head[0]);
    t->head = sum_head;
    t->numeric = sum_num;
    myelin_search_figures fg;
    myelin_search_get_figures(s, &fg);
    static const char *const gran[] = {"network", "block", "layer"};
    char gd[64];
    gate_desc(s, gd, sizeof gd);
    for (int k = 0; k < 2; k++) {
        const cand *c = &s->cands[k ? s->chosen : s->baseline];
        const cand *b = &s->cands[s->baseline];
        int r = trow(t);
        if (r < 0)
            return -1;
        snprintf(tcell(t, r, 0), CELL, "%s", k ? myelin_search_method_name(s->cfg.method) : "float");
        snprintf(tcell(t, r, 1), CELL, "%s", k ? gd : "-");
        snprintf(tcell(t, r, 2), CELL, "%s", k ? gran[s->cfg.granularity] : "-");
        snprintf(tcell(t, r, 3), CELL, "%s", c->key);
        snprintf(tcell(t, r, 4), CELL, "%.2f", c->acc_pct);
        snprintf(tcell(t, r, 5), CELL, "%.2f", c->drop_pct);
        snprintf(tcell(t, r, 6), CELL, "%.2f",
                 c->test_images ? 100.0 * (double)c->test_correct / (double)c->test_images : 0.0);
        snprintf(tcell(t, r, 7), CELL, "%" PRId64, (c->mem_bits + 7) / 8);
        snprintf(tcell(t, r, 8), CELL, "%.2f", 100.0 * (1 - (double)c->mem_bits / (double)b->mem_bits));
        snprintf(tcell(t, r, 9), CELL, "%.4f", c->energy_pj * 1e-6);
        snprintf(tcell(t, r, 10), CELL, "%.2f",
                 b->energy_pj > 0 ? 100.0 * (1 - c->energy_pj / b->energy_pj) : 0.0);
        snprintf(tcell(t, r, 11), CELL, "%.2f", c->avg_bits);
        snprintf(tcell(t, r, 12), CELL, "%.2f", (double)b->mem_bits / (double)c->mem_bits);
        if (k) {
            if (with_timing)
                snprintf(tcell(t, r, 13), CELL, "%.1f", fg.wall_s);
            else
                snprintf(tcell(t, r, 13), CELL, "-");
            snprintf(tcell(t, r, 14), CELL, "%d", fg.full_evals);
            snprintf(tcell(t, r, 15), CELL, "%d", fg.drift_evals);
            snprintf(tcell(t, r, 16), CELL, "%d", fg.gated_out);
            snprintf(tcell(t, r, 17), CELL, "%d", fg.skipped);
            snprintf(tcell(t, r, 18), CELL, "%d/%d", fg.check_false_rejections, fg.check_evals);
            snprintf(tcell(t, r, 19), CELL, "%.2f", fg.test_drop_pct);
            snprintf(tcell(t, r, 20), CELL, "%s", fg.test_over ? "NO (over the constraint)" : "yes");
            snprintf(tcell(t, r, 21), CELL, "%s", myelin_search_objective_name(s->cfg.objective));
            snprintf(tcell(t, r, 22), CELL, "%d", fg.predicted_passes);
            if (fg.spearman_n >= 3)
                snprintf(tcell(t, r, 23), CELL, "%.3f", fg.spearman_proxy);
            else
                snprintf(tcell(t, r, 23), CELL, "-");
        } else {
            for (int j = 13; j <= 23; j++)
                snprintf(tcell(t, r, j), CELL, "-");
            snprintf(tcell(t, r, 19), CELL, "0.00");
        }
    }
    return 0;
}

int myelin_search_write_summary(const myelin_search *s, int format, int with_timing, void *file,
                                myelin_error *err)
{
    tbl t;
    if (summary_table(s, with_timing, &t)) {
        free(t.cells);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    twrite(&t, format, file);
    free(t.cells);
    return ferror((FILE *)file) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
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

/* Writes a table in a format to DIR/PREFIXname. */
static int save_table(const char *dir, const char *prefix, const char *name, const tbl *t, int fmt,
                      const char *preamble, myelin_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (preamble)
        fputs(preamble, f);
    twrite(t, fmt, f);
    fclose(f);
    int rc = save(dir, prefix, name, buf, len, err);
    free(buf);
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
    tbl t;
    int rc = 0;
    /* candidates */
    if (cand_table(s, NULL, s->n_cands, &t))
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc)
        rc = save_table(dir, prefix, "candidates.csv", &t, MYELIN_COST_CSV, NULL, err);
    if (!rc)
        rc = save_table(dir, prefix, "candidates.json", &t, MYELIN_COST_JSON, NULL, err);
    free(t.cells);
    /* Pareto front */
    int *front = NULL;
    int nf = myelin_rank_pareto(s, &front);
    if (!rc && nf < 0)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    memset(&t, 0, sizeof t);
    if (!rc && cand_table(s, front, nf, &t))
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc)
        rc = save_table(dir, prefix, "pareto.csv", &t, MYELIN_COST_CSV, NULL, err);
    free(t.cells);
    /* summary in five formats */
    static const struct {
        const char *name;
        int fmt;
    } outs[] = {{"summary.txt", MYELIN_COST_TABLE}, {"summary.csv", MYELIN_COST_CSV},
                {"summary.json", MYELIN_COST_JSON}, {"summary.md", MYELIN_COST_MARKDOWN},
                {"summary.tex", MYELIN_COST_LATEX}};
    memset(&t, 0, sizeof t);
    if (!rc && summary_table(s, with_timing, &t))
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    for (size_t k = 0; !rc && k < sizeof outs / sizeof outs[0]; k++)
        rc = save_table(dir, prefix, outs[k].name, &t, outs[k].fmt, NULL, err);
    free(t.cells);
    /* QSViT sensitivity: drop (points) per group and width */
    if (!rc && s->cfg.method == MYELIN_SEARCH_QSVIT) {
        const char **head = calloc((size_t)s->cfg.n_bits + 2, sizeof *head);
        int *num = calloc((size_t)s->cfg.n_bits + 2, sizeof *num);
        char(*hb)[32] = calloc((size_t)s->cfg.n_bits + 2, sizeof *hb);
        memset(&t, 0, sizeof t);
        if (!head || !num || !hb)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
        if (!rc) {
            t.ncols = s->cfg.n_bits + 2;
            head[0] = "group";
            head[1] = "weights";
            num[1] = 1;
            for (int l = 0; l < s->cfg.n_bits; l++) {
                snprintf(hb[l], sizeof hb[l], "drop_pct_at_%d_bits", s->cfg.bits[l]);
                head[l + 2] = hb[l];
                num[l + 2] = 1;
            }
            t.head = head;
            t.numeric = num;
            for (int k = 0; !rc && k < s->n_groups; k++) {
                int r = trow(&t);
                if (r < 0) {
                    rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
                    break;
                }
                snprintf(tcell(&t, r, 0), CELL, "%s", s->groups[k].name);
                snprintf(tcell(&t, r, 1), CELL, "%" PRId64, s->groups[k].weights);
                for (int l = 0; l < s->cfg.n_bits; l++) {
                    snprintf(tcell(&t, r, l + 2), CELL, "-");
                    for (int i = 0; i < s->n_cands; i++)
                        if (s->cands[i].role == ROLE_SWEEP && s->cands[i].sweep_group == k &&
                            s->cands[i].sweep_level == l + 1)
                            snprintf(tcell(&t, r, l + 2), CELL, "%.2f", s->cands[i].drop_pct);
                }
            }
        }
        if (!rc)
            rc = save_table(dir, prefix, "sensitivity.csv", &t, MYELIN_COST_CSV, NULL, err);
        if (!rc)
            rc = save_table(dir, prefix, "sensitivity.md", &t, MYELIN_COST_MARKDOWN,
                            "QSViT sensitivity: validation top-1 drop (points) with one group "
                            "quantized alone, the rest float.\n\n", err);
        free(t.cells);
        free(head);
        free(num);
        free(hb);
    }
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
    if (mf)
        fclose(mf);
    if (ef)
        fclose(ef);
    if (lf)
        fclose(lf);
    /* Every string from the user (prefix, workload and architecture names) enters the scripts as
     * a gnuplot string literal made by myelin_escape: a name cannot end the string and add
     * commands (the issue-10 payload, a name closing the quote and calling gnuplot's shell function, stays a title). */
    char gp_mem[4096], gp_en[4096], gp_bits[4096], text[700];
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
           "%s search: weight bits per layer of the chosen setting (purple uniform, green "
           "power-of-two, blue float)",
           method);
#undef GP_LIT
    snprintf(gp_mem, sizeof gp_mem,
             "# accuracy vs parameter memory of every evaluated candidate (myelin search)\n"
             "set terminal svg size 860,480 dynamic\nset output %s\n"
             "set title %s\n"
             "set xlabel 'parameter memory (kB)'\nset ylabel 'validation top-1 (%%)'\nset logscale x\n"
             "set grid\nset key bottom right\nset yrange [%g:%g]\n"
             "plot %s index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', "
             "'' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', "
             "'' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen'\n",
             o_mem, t_mem, b->acc_pct - 4 * s->cfg.max_drop_pct - 5, b->acc_pct + 1, d_mem);
    snprintf(gp_en, sizeof gp_en,
             "# accuracy vs energy per inference of every evaluated candidate (myelin search)\n"
             "set terminal svg size 860,480 dynamic\nset output %s\n"
             "set title %s\n"
             "set xlabel 'energy per inference (uJ)'\nset ylabel 'validation top-1 (%%)'\n"
             "set grid\nset key bottom right\nset yrange [%g:%g]\n"
             "plot %s index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', "
             "'' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', "
             "'' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen'\n",
             o_en, t_en, b->acc_pct - 4 * s->cfg.max_drop_pct - 5, b->acc_pct + 1, d_en);
    snprintf(gp_bits, sizeof gp_bits,
             "# weight bits per layer of the chosen setting (float drawn as 32); colour: 1 uniform,\n"
             "# 2 power-of-two, 3 float (column 5)\n"
             "set terminal svg size 860,440 dynamic\nset output %s\n"
             "set title %s\n"
             "set ylabel 'weight bits'\nset style fill solid 0.8 border -1\nset boxwidth 0.8\n"
             "set xtics rotate by -60 font ',8'\nset yrange [0:*]\nset grid y\nunset key\n"
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
