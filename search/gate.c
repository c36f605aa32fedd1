/* search/gate.c — gating policies: which candidates of a step earn a full validation-set
 * evaluation, decided from their drift on the calibration batch.
 *   none        every candidate;
 *   threshold:X drift_mean <= X;
 *   topk:K      the K lowest-drift candidates of the step (ties: the objective's order);
 *   adaptive    a least-squares line drop = c0 + c1 * drift (gsl_fit_linear) over the candidates
 *               fully evaluated so far, drops clipped at 3x the allowed drop (a failure is a
 *               failure; an unclipped 90-point drop would swamp the fit); a candidate is skipped
 *               when its predicted drop minus one residual standard deviation exceeds the allowed
 *               drop.  Fewer than 4 points, or a non-increasing line: everything is gated in. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

#include "search/internal.h"

static const myelin_search *sort_s;

static int by_drift(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->drift_mean != y->drift_mean)
        return x->drift_mean < y->drift_mean ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

/* Fits the line on every fully evaluated search candidate (ids in order: deterministic). */
static int fit(myelin_search *s, double *c0, double *c1, double *sd, myelin_error *err)
{
    double *x = malloc((size_t)(s->n_cands + 1) * sizeof *x);
    double *y = malloc((size_t)(s->n_cands + 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "gate: out of memory");
    }
    int n = 0;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *c = &s->cands[i];
        if (!c->has_full || !c->has_drift || c->checked)
            continue;
        x[n] = c->drift_mean;
        y[n] = c->drop_pct < 3 * s->cfg.max_drop_pct ? c->drop_pct : 3 * s->cfg.max_drop_pct;
        n++;
    }
    int ok = 0;
    if (n >= 4) {
        double cov00, cov01, cov11, sumsq;
        if (gsl_fit_linear(x, 1, y, 1, (size_t)n, c0, c1, &cov00, &cov01, &cov11, &sumsq) ==
                GSL_SUCCESS &&
            isfinite(*c0) && isfinite(*c1) && *c1 > 0) {
            *sd = sqrt(sumsq / (n - 2));
            ok = 1;
        }
    }
    s->fit_n = ok ? n : 0;
    if (ok) {
        s->fit_c0 = *c0;
        s->fit_c1 = *c1;
    }
    free(x);
    free(y);
    return ok;
}

int gate_decide(myelin_search *s, const int *idx, int n, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    switch (cfg->gate) {
    case MYELIN_GATE_NONE:
        for (int i = 0; i < n; i++)
            s->cands[idx[i]].gate = GATE_IN;
        return 0;
    case MYELIN_GATE_THRESHOLD:
        for (int i = 0; i < n; i++)
            s->cands[idx[i]].gate =
                s->cands[idx[i]].drift_mean <= cfg->gate_threshold ? GATE_IN : GATE_OUT;
        return 0;
    case MYELIN_GATE_TOPK: {
        int *o = malloc((size_t)(n ? n : 1) * sizeof *o);
        if (!o)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "gate: out of memory");
        memcpy(o, idx, (size_t)n * sizeof *o);
        sort_s = s;
        qsort(o, (size_t)n, sizeof *o, by_drift);
        for (int i = 0; i < n; i++)
            s->cands[o[i]].gate = i < cfg->gate_topk ? GATE_IN : GATE_OUT;
        free(o);
        return 0;
    }
    case MYELIN_GATE_ADAPTIVE: {
        double c0 = 0, c1 = 0, sd = 0;
        int rc = 0;
        int have = fit(s, &c0, &c1, &sd, err);
        if (have < 0)
            rc = have;
        /* never skip a drift at or below that of a candidate that passed */
        double pass_drift = -1;
        for (int i = 0; i < s->n_cands; i++) {
            const cand *c = &s->cands[i];
            if (c->has_full && c->has_drift && !c->checked && c->pass && c->drift_mean > pass_drift)
                pass_drift = c->drift_mean;
        }
        for (int i = 0; !rc && i < n; i++) {
            cand *c = &s->cands[idx[i]];
            c->gate = GATE_IN;
            if (have && c->drift_mean > pass_drift && c0 + c1 * c->drift_mean > cfg->max_drop_pct)
                c->gate = GATE_OUT;
        }
        return rc;
    }
    }
    return 0;
}
