/* search/rank.c — the Pareto front of the fully evaluated candidates: maximise validation
 * accuracy, minimise parameter memory and energy (O(n^2); n is a few hundred); and the Spearman
 * rank correlation between a proxy and the measured drop (gsl_stats_spearman: average ranks for
 * ties). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

#include "search/internal.h"

static int dominates(const cand *a, const cand *b)
{
    int ge = a->correct >= b->correct && a->mem_bits <= b->mem_bits && a->energy_pj <= b->energy_pj;
    int gt = a->correct > b->correct || a->mem_bits < b->mem_bits || a->energy_pj < b->energy_pj;
    return ge && gt;
}

static const myelin_search *sort_s;

static int by_memory(const void *x, const void *y)
{
    const cand *a = &sort_s->cands[*(const int *)x], *b = &sort_s->cands[*(const int *)y];
    if (a->mem_bits != b->mem_bits)
        return a->mem_bits < b->mem_bits ? -1 : 1;
    if (a->correct != b->correct)
        return a->correct > b->correct ? -1 : 1;
    return a->id - b->id;
}

int myelin_rank_pareto(const myelin_search *s, int **out)
{
    int *f = malloc((size_t)(s->n_cands + 1) * sizeof *f);
    *out = f;
    if (!f)
        return -1;
    int n = 0;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *c = &s->cands[i];
        if (!c->has_full)
            continue;
        int dom = 0;
        for (int j = 0; j < s->n_cands && !dom; j++) {
            const cand *d = &s->cands[j];
            if (j == i || !d->has_full)
                continue;
            /* duplicates of the same figures: keep the first */
            if (d->correct == c->correct && d->mem_bits == c->mem_bits && d->energy_pj == c->energy_pj)
                dom = j < i;
            else
                dom = dominates(d, c);
        }
        if (!dom)
            f[n++] = i;
    }
    sort_s = s;
    qsort(f, (size_t)n, sizeof *f, by_memory);
    return n;
}

double myelin_rank_spearman(const myelin_search *s, int which, int *n_out)
{
    int n = 0;
    double *x = malloc((size_t)(s->n_cands + 1) * sizeof *x);
    double *y = malloc((size_t)(s->n_cands + 1) * sizeof *y);
    double *work = malloc((size_t)(2 * s->n_cands + 2) * sizeof *work);
    double r = 0;
    if (x && y && work) {
        for (int i = 0; i < s->n_cands; i++) {
            const cand *c = &s->cands[i];
            if (c->role == ROLE_BASELINE || !c->has_full || !c->has_drift)
                continue;
            x[n] = which == 1 ? c->drift_mean : which == 2 ? c->logit_err : c->proxy;
            y[n] = c->drop_pct;
            n++;
        }
        if (n >= 3)
            r = gsl_stats_spearman(x, 1, y, 1, (size_t)n, work);
    }
    free(x);
    free(y);
    free(work);
    *n_out = n >= 3 ? n : 0;
    return isfinite(r) ? r : 0;
}
