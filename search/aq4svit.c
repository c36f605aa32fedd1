/* search/aq4svit.c — AQ4SViT greedy and beam search, and the heterogeneous search (the same
 * descent where each layer also chooses uniform or power-of-two).
 *
 * From full precision, each step proposes, for every setting in the beam (one setting for greedy)
 * and every group, that group one width lower (with each allowed scheme), and, when membranes are
 * searched, one membrane width lower.  Every proposal's drift is measured on the calibration
 * batch.  Then:
 *   gate none   every proposal gets a full evaluation; the beam keeps the B best passing ones by
 *               (validation accuracy, then lower memory, then lower drift);
 *   any gate    the gate filters the proposals; those gated in are evaluated in order of drift
 *               (the proxy of harm) until B of them pass; the rest are skipped.  With B = 1
 *               (greedy, hetero) drifts are re-measured lazily (descent_lazy below): only the
 *               proposals that could be the least-drift one are measured in each step.
 * A proposal passes when its validation top-1 is at most max_drop points below the float network.
 * The search ends when no proposal passes.  The chosen setting is the passing candidate of least
 * memory (then higher accuracy, lower energy). */
#include <stdlib.h>
#include <string.h>

#include "search/internal.h"

int search_better(const myelin_search *s, const cand *a, const cand *b)
{
    (void)s;
    if (a->mem_bits != b->mem_bits)
        return a->mem_bits < b->mem_bits;
    if (a->correct != b->correct)
        return a->correct > b->correct;
    if (a->energy_pj != b->energy_pj)
        return a->energy_pj < b->energy_pj;
    return a->id < b->id;
}

int search_full(myelin_search *s, int ci, myelin_error *err)
{
    int had = s->cands[ci].has_full;
    int rc = eval_full(s, ci, err);
    if (rc < 0)
        return rc;
    cand *c = &s->cands[ci];
    const cand *b = &s->cands[s->baseline];
    if (!had) {
        if (!c->checked)
            s->full_evals++;
        c->drop_pct = b->acc_pct - c->acc_pct;
        /* a tolerance of 1e-9 points: the drop is a ratio of integers */
        c->pass = c->drop_pct <= s->cfg.max_drop_pct + 1e-9;
    }
    return rc;
}

static const myelin_search *sort_s;

static int by_drift(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->drift_mean != y->drift_mean)
        return x->drift_mean < y->drift_mean ? -1 : 1;
    return x->id - y->id;
}

static int by_accuracy(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->correct != y->correct)
        return x->correct > y->correct ? -1 : 1;
    if (x->mem_bits != y->mem_bits)
        return x->mem_bits < y->mem_bits ? -1 : 1;
    if (x->drift_mean != y->drift_mean)
        return x->drift_mean < y->drift_mean ? -1 : 1;
    return x->id - y->id;
}

/* Appends the proposals from candidate `from` to list (deduplicated against every candidate seen). */
static int propose(myelin_search *s, int from, int step, int *list, int *n, int cap,
                   myelin_error *err)
{
    gstate *g = malloc((size_t)s->n_groups * sizeof *g);
    if (!g)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int rc = 0;
    for (int k = 0; !rc && k < s->n_groups; k++) {
        for (int v = 0; !rc && v < s->cfg.n_schemes + 1; v++) {
            memcpy(g, s->cands[from].g, (size_t)s->n_groups * sizeof *g);
            if (v < s->cfg.n_schemes) {
                if (g[k].wlev >= s->cfg.n_bits)
                    continue;
                g[k].wlev++;
                g[k].sch = (signed char)v;
            } else {
                if (s->cfg.n_mbits < 2 || g[k].wlev == 0 || g[k].mlev >= s->cfg.n_mbits - 1)
                    continue;
                g[k].mlev++;
            }
            int before = s->n_cands;
            int idx = space_add(s, g, ROLE_SEARCH, step, from, err);
            if (idx < 0)
                rc = err->code ? err->code : MYELIN_ENOMEM;
            else if (idx >= before && *n < cap)
                list[(*n)++] = idx;
        }
    }
    free(g);
    return rc;
}

/* The state of `from` with move m applied (m = k * (n_schemes + 1) + v: group k one width lower
 * with scheme v, or v = n_schemes: one membrane width lower); 0 when the move is not possible. */
static int apply_move(const myelin_search *s, int from, int m, gstate *g)
{
    int k = m / (s->cfg.n_schemes + 1), v = m % (s->cfg.n_schemes + 1);
    memcpy(g, s->cands[from].g, (size_t)s->n_groups * sizeof *g);
    if (v < s->cfg.n_schemes) {
        if (g[k].wlev >= s->cfg.n_bits)
            return 0;
        g[k].wlev++;
        g[k].sch = (signed char)v;
    } else {
        if (s->cfg.n_mbits < 2 || g[k].wlev == 0 || g[k].mlev >= s->cfg.n_mbits - 1)
            return 0;
        g[k].mlev++;
    }
    return 1;
}

/* Gated greedy descent with lazy drift (as CELF re-evaluates stale gains): each move keeps the
 * drift it had when last measured (usually a lower bound: drift grows as more groups are lowered);
 * the move of least known drift is re-measured in the current setting and, once it is still the
 * least, gated and fully evaluated; the first that passes is taken.  So a step measures a few
 * drifts instead of one per move, which is what makes layer granularity affordable. */
static int descent_lazy(myelin_search *s, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    int nm = s->n_groups * (cfg->n_schemes + 1);
    double *stale = malloc((size_t)nm * sizeof *stale);
    int *cidx = malloc((size_t)nm * sizeof *cidx), *state = malloc((size_t)nm * sizeof *state);
    gstate *g = malloc((size_t)s->n_groups * sizeof *g);
    int rc = 0;
    if (!stale || !cidx || !state || !g)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    for (int m = 0; !rc && m < nm; m++)
        stale[m] = -1; /* unknown: measured first */
    enum { M_STALE = 0, M_FRESH, M_DEAD };
    int cur = s->baseline;
    for (int step = 1; !rc; step++) {
        s->steps = step;
        for (int m = 0; m < nm; m++) {
            cidx[m] = -1;
            state[m] = apply_move(s, cur, m, g) ? M_STALE : M_DEAD;
        }
        int accepted = -1, fulls = 0;
        while (!rc && accepted < 0) {
            int best = -1;
            for (int m = 0; m < nm; m++) {
                if (state[m] == M_DEAD)
                    continue;
                if (best < 0 || stale[m] < stale[best] ||
                    (stale[m] == stale[best] && state[m] == M_FRESH && state[best] != M_FRESH))
                    best = m;
            }
            if (best < 0)
                break;
            if (state[best] == M_STALE) {
                apply_move(s, cur, best, g);
                int idx = space_add(s, g, ROLE_SEARCH, step, cur, err);
                if (idx < 0) {
                    rc = err->code ? err->code : MYELIN_ENOMEM;
                    break;
                }
                cidx[best] = idx;
                rc = eval_drift(s, idx, err);
                progress(s, "drift");
                stale[best] = s->cands[idx].drift_mean;
                state[best] = M_FRESH;
                continue;
            }
            cand *c = &s->cands[cidx[best]];
            if (cfg->gate == MYELIN_GATE_TOPK && fulls >= cfg->gate_topk) {
                c->gate = GATE_OUT;
                state[best] = M_DEAD;
                continue;
            }
            if (c->gate == GATE_PENDING)
                rc = gate_decide(s, &cidx[best], 1, err);
            if (rc)
                break;
            if (s->cands[cidx[best]].gate != GATE_IN) {
                state[best] = M_DEAD;
                continue;
            }
            rc = search_full(s, cidx[best], err);
            fulls++;
            progress(s, "full");
            if (!rc && s->cands[cidx[best]].pass)
                accepted = cidx[best];
            else
                state[best] = M_DEAD;
        }
        /* measured but never needed */
        for (int m = 0; m < nm; m++)
            if (cidx[m] >= 0 && s->cands[cidx[m]].gate == GATE_PENDING)
                s->cands[cidx[m]].gate = GATE_SKIPPED;
        if (rc || accepted < 0)
            break;
        cur = accepted;
    }
    free(stale);
    free(cidx);
    free(state);
    free(g);
    return rc;
}

int search_aq4svit(myelin_search *s, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    int B = cfg->method == MYELIN_SEARCH_BEAM ? cfg->beam_width : 1;
    if (B == 1 && cfg->gate != MYELIN_GATE_NONE)
        return descent_lazy(s, err);
    int cap = B * s->n_groups * (cfg->n_schemes + 1) + 1;
    int *beam = malloc((size_t)B * sizeof *beam), *next = malloc((size_t)B * sizeof *next);
    int *prop = malloc((size_t)cap * sizeof *prop);
    if (!beam || !next || !prop) {
        free(beam);
        free(next);
        free(prop);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    int nb = 1, rc = 0;
    beam[0] = s->baseline;
    for (int step = 1; !rc && nb > 0; step++) {
        s->steps = step;
        int np = 0;
        for (int b = 0; !rc && b < nb; b++)
            rc = propose(s, beam[b], step, prop, &np, cap, err);
        if (rc || np == 0)
            break;
        for (int i = 0; !rc && i < np; i++) {
            rc = eval_drift(s, prop[i], err);
            progress(s, "drift");
        }
        if (!rc)
            rc = gate_decide(s, prop, np, err);
        if (rc)
            break;
        int nn = 0;
        sort_s = s;
        if (cfg->gate == MYELIN_GATE_NONE) {
            for (int i = 0; !rc && i < np; i++) {
                rc = search_full(s, prop[i], err);
                progress(s, "full");
            }
            if (rc)
                break;
            qsort(prop, (size_t)np, sizeof *prop, by_accuracy);
            for (int i = 0; i < np && nn < B; i++)
                if (s->cands[prop[i]].pass)
                    next[nn++] = prop[i];
        } else {
            qsort(prop, (size_t)np, sizeof *prop, by_drift);
            for (int i = 0; !rc && i < np; i++) {
                cand *c = &s->cands[prop[i]];
                if (c->gate != GATE_IN)
                    continue;
                if (nn == B) {
                    c->gate = GATE_SKIPPED;
                    continue;
                }
                rc = search_full(s, prop[i], err);
                progress(s, "full");
                if (!rc && s->cands[prop[i]].pass)
                    next[nn++] = prop[i];
            }
        }
        memcpy(beam, next, (size_t)nn * sizeof *beam);
        nb = nn;
    }
    free(beam);
    free(next);
    free(prop);
    return rc;
}
