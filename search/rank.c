/* search/rank.c — the Pareto front of the fully evaluated candidates: maximise validation
 * accuracy, minimise parameter memory and energy.  O(n^2); n is a few hundred. */
#include <stdlib.h>

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

int rank_pareto(const myelin_search *s, int **out)
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
