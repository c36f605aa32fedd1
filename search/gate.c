/* search/gate.c — gating policies: which candidates earn a full validation-set evaluation,
 * decided from their proxy on the calibration batch (eval.c: proxy = mean LIF drift + normalised
 * logit error, so the head and every layer before it count).
 *   none        every candidate;
 *   threshold:X proxy <= X;
 *   topk:K      the K lowest-proxy candidates of the step (ties: the objective's order);
 *   adaptive    a calibrated model of the drop: ordinary least squares drop = c0 + c1 * proxy
 *               (gsl_fit_linear) over every fully evaluated candidate (the float network at
 *               (0, 0) included), drops clipped at 3x the allowed drop (a failure is a failure;
 *               an unclipped 90-point drop would swamp the fit), with the one-sided 95 %
 *               prediction interval  y^ +- t(0.95, n-2) * sqrt(s^2 + se(y^)^2)  (gsl_fit_linear_est
 *               for se(y^), gsl_cdf_tdist_Pinv for t).  A candidate is a confident failure when
 *               the lower bound exceeds the allowed drop, a confident pass when the upper bound
 *               is below it.  Fewer than 3 points, or a line that does not rise: no prediction.
 *               The adaptive descent (aq4svit.c) skips confident failures and never fully
 *               evaluates them; in a drift-ordered step (beam) they are gated out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

#include "search/internal.h"

#define FIT_MIN_POINTS 3
#define GATE_CONFIDENCE 0.95

static const myelin_search *sort_s;

static int by_proxy(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->proxy != y->proxy)
        return x->proxy < y->proxy ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

typedef struct model {
    double c0, c1, cov00, cov01, cov11, sd, t;
    int n;
} model;

/* Fits the line on every fully evaluated candidate with a proxy (ids in order: deterministic;
 * gate-check evaluations included — they are measurements like any other). 1 when usable. */
static int fit(myelin_search *s, model *m, myelin_error *err)
{
    double *x = malloc((size_t)(s->n_cands + 1) * sizeof *x);
    double *y = malloc((size_t)(s->n_cands + 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "gate: out of memory");
    }
    double clip = 3 * (s->cfg.max_drop_pct > 0 ? s->cfg.max_drop_pct : 0.5);
    int n = 0;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *c = &s->cands[i];
        if (!c->has_full || !c->has_drift)
            continue;
        x[n] = c->proxy;
        y[n] = c->drop_pct < clip ? c->drop_pct : clip;
        n++;
    }
    int ok = 0;
    memset(m, 0, sizeof *m);
    if (n >= FIT_MIN_POINTS) {
        double sumsq;
        if (gsl_fit_linear(x, 1, y, 1, (size_t)n, &m->c0, &m->c1, &m->cov00, &m->cov01, &m->cov11,
                           &sumsq) == GSL_SUCCESS &&
            isfinite(m->c0) && isfinite(m->c1) && m->c1 > 0) {
            m->sd = sqrt(sumsq / (n - 2));
            m->t = gsl_cdf_tdist_Pinv(GATE_CONFIDENCE, (double)(n - 2));
            m->n = n;
            ok = isfinite(m->t);
        }
    }
    s->fit_n = ok ? n : 0;
    if (ok) {
        s->fit_c0 = m->c0;
        s->fit_c1 = m->c1;
    }
    free(x);
    free(y);
    return ok;
}

int myelin_gate_predict(myelin_search *s, const int *idx, int n, myelin_error *err)
{
    model m;
    int have = fit(s, &m, err);
    if (have < 0)
        return have;
    for (int i = 0; i < n; i++) {
        cand *c = &s->cands[idx[i]];
        c->predicted = have && c->has_drift;
        if (!c->predicted)
            continue;
        double yhat = 0, yerr = 0;
        gsl_fit_linear_est(c->proxy, m.c0, m.c1, m.cov00, m.cov01, m.cov11, &yhat, &yerr);
        c->pred_drop = yhat;
        c->pred_half = m.t * sqrt(m.sd * m.sd + yerr * yerr);
    }
    return have;
}

int myelin_gate_verdict(const myelin_search *s, const cand *c)
{
    if (!c->predicted)
        return 0;
    if (c->pred_drop - c->pred_half > s->cfg.max_drop_pct)
        return 1;
    if (c->pred_drop + c->pred_half < s->cfg.max_drop_pct)
        return -1;
    return 0;
}

int myelin_gate_decide(myelin_search *s, const int *idx, int n, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    switch (cfg->gate) {
    case MYELIN_GATE_NONE:
        for (int i = 0; i < n; i++)
            s->cands[idx[i]].gate = GATE_IN;
        return 0;
    case MYELIN_GATE_THRESHOLD:
        for (int i = 0; i < n; i++)
            s->cands[idx[i]].gate = s->cands[idx[i]].proxy <= cfg->gate_threshold ? GATE_IN : GATE_OUT;
        return 0;
    case MYELIN_GATE_TOPK: {
        int *o = malloc((size_t)(n ? n : 1) * sizeof *o);
        if (!o)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "gate: out of memory");
        memcpy(o, idx, (size_t)n * sizeof *o);
        sort_s = s;
        qsort(o, (size_t)n, sizeof *o, by_proxy);
        for (int i = 0; i < n; i++)
            s->cands[o[i]].gate = i < cfg->gate_topk ? GATE_IN : GATE_OUT;
        free(o);
        return 0;
    }
    case MYELIN_GATE_ADAPTIVE: {
        int rc = myelin_gate_predict(s, idx, n, err);
        if (rc < 0)
            return rc;
        for (int i = 0; i < n; i++) {
            cand *c = &s->cands[idx[i]];
            c->gate = myelin_gate_verdict(s, c) == 1 ? GATE_OUT : GATE_IN;
        }
        return 0;
    }
    }
    return 0;
}
