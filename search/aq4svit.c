/* search/aq4svit.c — AQ4SViT greedy and beam search, and the heterogeneous search (the same
 * descent where each layer also chooses uniform or power-of-two).
 *
 * From full precision, each step proposes, for every setting in the beam (one setting for greedy)
 * and every group, that group one width lower (with each allowed scheme), and, when membranes or
 * image widths are searched, one membrane width lower / the image one width lower.  Every
 * proposal's proxy (drift + logit error) is measured on the calibration batch.  Then:
 *   gate none   every proposal gets a full evaluation; the beam keeps the B best passing ones by
 *               (validation accuracy, then lower memory, then lower proxy);
 *   threshold, topk (and beam with any gate)
 *               the gate filters the proposals; those gated in are evaluated in order of proxy
 *               until B of them pass; the rest are skipped.  With B = 1 proxies are re-measured
 *               lazily (descent_lazy): only the moves that could be the least-proxy one are
 *               measured in each step.
 *   adaptive, B = 1 (greedy, hetero: the default) — descent_adaptive:
 *     A. a proxy path from the current setting: each step takes the move of least proxy paid per
 *        objective saved, score = max(proxy(p) - proxy(a), 0) / ((obj(a) - obj(p)) / obj(float))
 *        (moves that save nothing are not taken; lazy re-measurement as in descent_lazy), down to
 *        the bottom of the space or to a confident failure of the calibrated model (gate.c);
 *     B. the last passing point of the path (accuracy falls along it) by a bracket search:
 *        confident failures close the bracket from above without an evaluation, confident passes
 *        raise it from below (the final point is always fully evaluated), and the probe is the
 *        point whose proxy (the running maximum along the path) is nearest where the drop should
 *        cross the allowed one — on the secant
 *        through the bracket's evaluated ends, else by the model's line, else bisection — kept off
 *        the bracket's outer fifths;
 *     C. from that point, the best few other moves (ALT_TRIES) by the same combined score,
 *        confident failures skipped, get a full evaluation while the best one's predicted drop
 *        (point estimate) is within the constraint; the first that passes starts a new path (A).
 *        Ends when none passes.
 *     So full evaluations grow with the logarithm of the path, not with the moves per step.
 * A proposal passes when its validation top-1 is at most max_drop points below the float network.
 * The chosen setting is the passing candidate of least objective (memory by default; then higher
 * accuracy, lower energy). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/internal.h"

#define ALT_TRIES 2 /* adaptive descent: other moves fully evaluated at the end of a path */

int myelin_search_better(const myelin_search *s, const cand *a, const cand *b)
{
    double oa = myelin_space_objective(s, a, 0), ob = myelin_space_objective(s, b, 0);
    if (oa != ob)
        return oa < ob;
    if (a->mem_bits != b->mem_bits)
        return a->mem_bits < b->mem_bits;
    if (a->correct != b->correct)
        return a->correct > b->correct;
    if (a->energy_pj != b->energy_pj)
        return a->energy_pj < b->energy_pj;
    return a->id < b->id;
}

int myelin_search_full(myelin_search *s, int ci, myelin_error *err)
{
    int had = s->cands[ci].has_full;
    int rc = myelin_eval_full(s, ci, err);
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

static int by_proxy(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->proxy != y->proxy)
        return x->proxy < y->proxy ? -1 : 1;
    return x->id - y->id;
}

static int by_accuracy(const void *a, const void *b)
{
    const cand *x = &sort_s->cands[*(const int *)a], *y = &sort_s->cands[*(const int *)b];
    if (x->correct != y->correct)
        return x->correct > y->correct ? -1 : 1;
    if (x->mem_bits != y->mem_bits)
        return x->mem_bits < y->mem_bits ? -1 : 1;
    if (x->proxy != y->proxy)
        return x->proxy < y->proxy ? -1 : 1;
    return x->id - y->id;
}

static int n_moves(const myelin_search *s)
{
    return s->n_groups * (s->cfg.n_schemes + 1) + 1;
}

/* The state of `from` with move m applied (m = k * (n_schemes + 1) + v: group k one width lower
 * with scheme v, or v = n_schemes: one membrane width lower; the last move: the image one width
 * lower); 0 when the move is not possible. */
static int apply_move(const myelin_search *s, int from, int m, gstate *g)
{
    int G = s->n_groups;
    memcpy(g, s->cands[from].g, (size_t)(G + 1) * sizeof *g);
    if (m == n_moves(s) - 1) {
        if (s->cfg.n_ibits < 2 || s->first_group < 0 || g[s->first_group].wlev == 0 ||
            g[G].wlev >= s->cfg.n_ibits - 1)
            return 0;
        g[G].wlev++;
        return 1;
    }
    int k = m / (s->cfg.n_schemes + 1), v = m % (s->cfg.n_schemes + 1);
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

/* Appends the proposals from candidate `from` to list (deduplicated against every candidate seen). */
static int propose(myelin_search *s, int from, int step, int *list, int *n, int cap,
                   myelin_error *err)
{
    gstate *g = malloc((size_t)(s->n_groups + 1) * sizeof *g);
    if (!g)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int rc = 0;
    for (int m = 0; !rc && m < n_moves(s); m++) {
        if (!apply_move(s, from, m, g))
            continue;
        int before = s->n_cands;
        int idx = myelin_space_add(s, g, ROLE_SEARCH, step, from, err);
        if (idx < 0)
            rc = err->code ? err->code : MYELIN_ENOMEM;
        else if (idx >= before && *n < cap)
            list[(*n)++] = idx;
    }
    free(g);
    return rc;
}

/* Gated greedy descent with lazy proxy (as CELF re-evaluates stale gains): each move keeps the
 * drift it had when last measured (usually a lower bound: drift grows as more groups are lowered);
 * the move of least known drift is re-measured in the current setting and, once it is still the
 * least, gated and fully evaluated; the first that passes is taken.  So a step measures a few
 * drifts instead of one per move, which is what makes layer granularity affordable. */
static int descent_lazy(myelin_search *s, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    int nm = n_moves(s);
    double *stale = malloc((size_t)nm * sizeof *stale);
    int *cidx = malloc((size_t)nm * sizeof *cidx), *state = malloc((size_t)nm * sizeof *state);
    gstate *g = malloc((size_t)(s->n_groups + 1) * sizeof *g);
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
                int idx = myelin_space_add(s, g, ROLE_SEARCH, step, cur, err);
                if (idx < 0) {
                    rc = err->code ? err->code : MYELIN_ENOMEM;
                    break;
                }
                cidx[best] = idx;
                rc = myelin_eval_drift(s, idx, err);
                myelin_search_progress(s, "drift");
                stale[best] = s->cands[idx].proxy;
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
                rc = myelin_gate_decide(s, &cidx[best], 1, err);
            if (rc)
                break;
            if (s->cands[cidx[best]].gate != GATE_IN) {
                state[best] = M_DEAD;
                continue;
            }
            rc = myelin_search_full(s, cidx[best], err);
            fulls++;
            myelin_search_progress(s, "full");
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

/* ---- the adaptive descent (header comment, A-B-C) ------------------------------------------ */

typedef struct adesc {
    myelin_search *s;
    int nm;
    int *cidx;     /* [nm] candidate of each move from the current point, -1 unknown */
    double *stale; /* [nm] last measured proxy increase of each move (lazy), -1 never */
    gstate *g;
} adesc;

/* Combined score of candidate p as a move from a: proxy paid per fraction of the float objective
 * saved; HUGE_VAL when it saves nothing. */
static double move_score(const myelin_search *s, const cand *a, const cand *p, double dproxy)
{
    double base = myelin_space_objective(s, &s->cands[s->baseline], 1);
    double gain = myelin_space_objective(s, a, 1) - myelin_space_objective(s, p, 1);
    if (!(gain > 0) || !(base > 0))
        return HUGE_VAL;
    return (dproxy > 0 ? dproxy : 0) / (gain / base);
}

/* Candidate of move m from `from` (added if new); -1 when impossible, -2 on error. */
static int move_cand(adesc *d, int from, int m, int step, myelin_error *err)
{
    if (!apply_move(d->s, from, m, d->g))
        return -1;
    int idx = myelin_space_add(d->s, d->g, ROLE_SEARCH, step, from, err);
    return idx < 0 ? -2 : idx;
}

static int known_fail(const myelin_search *s, const cand *c)
{
    return (c->has_full && !c->checked && !c->pass) || myelin_gate_verdict(s, c) == 1;
}

/* 1 when c is at most as precise as a measured failure f (every group's weights at f's width or
 * lower, in f's scheme where f's group is quantized; membranes and the image no wider): by
 * monotonicity its drop is expected to be at least f's.  Gate-check evaluations do not count (they
 * never change the result).  Validation noise can still make such a candidate pass, so this orders
 * moves (it is taken last on a path) and ends the alternatives; it never rejects a candidate. */
static int below_failure(const myelin_search *s, const cand *c)
{
    int G = s->n_groups;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *f = &s->cands[i];
        if (f == c || !f->has_full || f->checked || f->pass)
            continue;
        int below = c->g[G].wlev >= f->g[G].wlev;
        for (int k = 0; below && k < G; k++)
            below = c->g[k].wlev >= f->g[k].wlev && c->g[k].mlev >= f->g[k].mlev &&
                    (f->g[k].wlev == 0 || c->g[k].sch == f->g[k].sch);
        if (below)
            return 1;
    }
    return 0;
}

/* The move from `from` of least combined score, proxies measured lazily: a move's score uses the
 * proxy increase it had when last measured until it is the least, then it is measured from `from`
 * and taken once still the least.  Known or confident failures are passed over; `exclude` (a
 * candidate, or -1) too.  *out = candidate index, -1 when no move saves anything. */
static int best_move(adesc *d, int from, int step, int exclude, int *out, myelin_error *err)
{
    myelin_search *s = d->s;
    int rc = 0;
    char *fresh = calloc((size_t)d->nm, 1), *dead = calloc((size_t)d->nm, 1);
    char *low = calloc((size_t)d->nm, 1);
    if (!fresh || !dead || !low) {
        free(fresh);
        free(dead);
        free(low);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    *out = -1;
    const cand *a = &s->cands[from];
    for (int m = 0; m < d->nm; m++) {
        int ci = move_cand(d, from, m, step, err);
        if (ci == -2) {
            rc = err->code ? err->code : MYELIN_ENOMEM;
            break;
        }
        d->cidx[m] = ci;
        a = &s->cands[from]; /* space_add may move the array */
        if (ci < 0 || ci == exclude || move_score(s, a, &s->cands[ci], 0) == HUGE_VAL)
            dead[m] = 1;
        else
            low[m] = (char)below_failure(s, &s->cands[ci]);
    }
    while (!rc) {
        int best = -1;
        double bs = HUGE_VAL;
        for (int m = 0; m < d->nm; m++) {
            if (dead[m])
                continue;
            const cand *c = &s->cands[d->cidx[m]];
            double dp = c->has_drift ? c->proxy - s->cands[from].proxy : d->stale[m] < 0 ? 0 : d->stale[m];
            double sc = move_score(s, &s->cands[from], c, dp);
            /* moves below a measured failure come after every other move */
            if (best < 0 || low[m] < low[best] ||
                (low[m] == low[best] && (sc < bs || (sc == bs && fresh[m] && !fresh[best]))))
                best = m, bs = sc;
        }
        if (best < 0)
            break;
        cand *c = &s->cands[d->cidx[best]];
        if (!c->has_drift) {
            rc = myelin_eval_drift(s, d->cidx[best], err);
            myelin_search_progress(s, "proxy");
            if (rc)
                break;
            c = &s->cands[d->cidx[best]];
        }
        if (!fresh[best]) {
            fresh[best] = 1;
            d->stale[best] = c->proxy - s->cands[from].proxy;
            continue; /* re-rank with the measured value */
        }
        rc = myelin_gate_predict(s, &d->cidx[best], 1, err);
        if (rc < 0)
            break;
        rc = 0;
        if (known_fail(s, c)) {
            if (!c->has_full)
                c->gate = GATE_OUT;
            dead[best] = 1;
            continue;
        }
        *out = d->cidx[best];
        break;
    }
    free(fresh);
    free(dead);
    free(low);
    return rc;
}

/* B: the last passing point of path[0..K] (path[0] passed).  *last = its index. */
static int bracket(adesc *d, const int *path, int K, int *last, myelin_error *err)
{
    myelin_search *s = d->s;
    int lo = 0, vlo = 0, hi = K + 1, rc = 0;
    int *span = malloc((size_t)(K + 2) * sizeof *span);
    double *envp = malloc((size_t)(K + 2) * sizeof *envp); /* running maximum of the proxy */
    if (!span || !envp) {
        free(span);
        free(envp);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    while (!rc) {
        if (hi - lo <= 1) {
            cand *c = &s->cands[path[lo]];
            if (c->has_full && c->pass)
                break;
            /* a confident pass ends the bracket: it is verified like any chosen setting */
            c->gate = GATE_IN;
            rc = myelin_search_full(s, path[lo], err);
            myelin_search_progress(s, "full");
            if (rc || s->cands[path[lo]].pass)
                break;
            hi = lo;
            lo = vlo;
            continue;
        }
        int n = 0;
        for (int j = lo + 1; j < hi; j++)
            span[n++] = path[j];
        int have = myelin_gate_predict(s, span, n, err);
        if (have < 0) {
            rc = have;
            break;
        }
        int moved = 0;
        for (int j = lo + 1; j < hi && !moved; j++) {
            const cand *c = &s->cands[path[j]];
            if (c->has_full && !c->checked && !c->pass)
                hi = j, moved = 1;
            else if (c->has_full && c->pass)
                lo = vlo = j, moved = 1;
        }
        for (int j = lo + 1; !moved && j < hi; j++)
            if (myelin_gate_verdict(s, &s->cands[path[j]]) == 1 && !s->cands[path[j]].has_full) {
                s->cands[path[j]].gate = GATE_OUT; /* accuracy falls along the path: all after too */
                hi = j;
                moved = 1;
                break;
            }
        for (int j = hi - 1; !moved && j > lo; j--)
            if (myelin_gate_verdict(s, &s->cands[path[j]]) == -1) {
                lo = j;
                s->predicted_passes++;
                moved = 1;
            }
        if (moved)
            continue;
        /* probe: where the drop is expected to cross the constraint — on the secant between the
           bracket's evaluated ends when both are, else by the model, else bisection — kept off the
           bracket's outer fifths so each probe shrinks it */
        int edge = (hi - lo + 4) / 5;
        int q1 = lo + edge, q3 = hi - edge;
        if (q1 < lo + 1)
            q1 = lo + 1;
        if (q3 > hi - 1)
            q3 = hi - 1;
        if (q3 < q1)
            q3 = q1;
        int m = (lo + hi) / 2;
        const cand *L = &s->cands[path[lo]], *H = hi <= K ? &s->cands[path[hi]] : NULL;
        /* The path's proxy need not rise at every step (lowering the head after a block can lower
           the logit error a little), while accuracy is taken to fall along it: a point is placed
           by its running maximum, the largest proxy of the path up to it (envp[j - lo]), so the
           probe is the first point whose envelope reaches the target, not a later point that
           happens to measure lower. */
        envp[0] = L->proxy;
        for (int j = lo + 1; j <= hi && j <= K; j++) {
            double p = s->cands[path[j]].proxy;
            envp[j - lo] = p > envp[j - lo - 1] ? p : envp[j - lo - 1];
        }
        double clip = 3 * (s->cfg.max_drop_pct > 0 ? s->cfg.max_drop_pct : 0.5);
        double target = -1;
        double hp = H ? envp[hi - lo] : 0;
        if (H && H->has_full && L->has_full && hp > L->proxy) {
            double dl = L->drop_pct < clip ? L->drop_pct : clip, dh = H->drop_pct < clip ? H->drop_pct : clip;
            if (dh > dl)
                target = L->proxy + (s->cfg.max_drop_pct - dl) * (hp - L->proxy) / (dh - dl);
        } else if (have && s->fit_c1 > 0) {
            target = (s->cfg.max_drop_pct - s->fit_c0) / s->fit_c1;
        }
        if (target >= 0) {
            double bd = HUGE_VAL;
            for (int j = q1; j <= q3; j++) {
                double e = fabs(envp[j - lo] - target);
                if (e < bd)
                    bd = e, m = j;
            }
        }

        s->cands[path[m]].gate = GATE_IN;
        rc = myelin_search_full(s, path[m], err);
        myelin_search_progress(s, "full");
        if (rc)
            break;
        if (s->cands[path[m]].pass)
            lo = vlo = m;
        else
            hi = m;
    }
    free(span);
    free(envp);
    *last = lo;
    return rc;
}

static int descent_adaptive(myelin_search *s, myelin_error *err)
{
    adesc d = {s, n_moves(s), NULL, NULL, NULL};
    d.cidx = malloc((size_t)d.nm * sizeof *d.cidx);
    d.stale = malloc((size_t)d.nm * sizeof *d.stale);
    d.g = malloc((size_t)(s->n_groups + 1) * sizeof *d.g);
    int cap = 64, *path = malloc((size_t)cap * sizeof *path);
    int rc = 0;
    if (!d.cidx || !d.stale || !d.g || !path)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    for (int m = 0; m < d.nm; m++)
        d.stale[m] = -1;
    int cur = s->baseline, step = 0;
    while (!rc) {
        /* A: the proxy path */
        int K = 0;
        path[0] = cur;
        for (;;) {
            int next = -1;
            rc = best_move(&d, path[K], step + K + 1, -1, &next, err);
            if (rc || next < 0)
                break;
            if (K + 2 > cap) {
                int *np = realloc(path, (size_t)(2 * cap) * sizeof *path);
                if (!np) {
                    rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
                    break;
                }
                path = np;
                cap *= 2;
            }
            path[++K] = next;
            s->steps = step + K;
            if (s->cands[next].has_full && !s->cands[next].pass)
                break;
        }
        if (rc)
            break;
        /* B */
        int last = 0;
        rc = bracket(&d, path, K, &last, err);
        if (rc)
            break;
        for (int j = last + 1; j <= K; j++)
            if (s->cands[path[j]].gate == GATE_PENDING)
                s->cands[path[j]].gate = GATE_SKIPPED;
        for (int j = 1; j < last; j++)
            if (s->cands[path[j]].gate == GATE_PENDING)
                s->cands[path[j]].gate = GATE_SKIPPED; /* taken on a confident prediction */
        cur = path[last];
        step += last;
        /* C: the best few other moves from the last passing point */
        int restart = 0, tried = 0, excl = last < K ? path[last + 1] : -1;
        while (!rc && tried < ALT_TRIES) {
            int alt = -1;
            rc = best_move(&d, cur, step + 1, excl, &alt, err);
            if (rc || alt < 0)
                break;
            if (s->cands[alt].has_full) {
                if (s->cands[alt].pass) {
                    cur = alt;
                    restart = 1;
                    break;
                }
            } else if ((s->cands[alt].predicted && s->cands[alt].pred_drop > s->cfg.max_drop_pct) ||
                       below_failure(s, &s->cands[alt])) {
                /* the best remaining move is predicted to fail (by the model, or by lying below a
                   measured failure, as every remaining move then does): no more exploring */
                break;
            } else {
                s->cands[alt].gate = GATE_IN;
                rc = myelin_search_full(s, alt, err);
                myelin_search_progress(s, "full");
                tried++;
                if (!rc && s->cands[alt].pass) {
                    cur = alt;
                    step++;
                    restart = 1;
                    break;
                }
            }
            excl = alt; /* best_move passes over known failures; excl only guards a repeat */
        }
        if (rc || !restart)
            break;
    }
    /* measured but never needed */
    for (int i = 0; i < s->n_cands; i++)
        if (s->cands[i].role == ROLE_SEARCH && s->cands[i].gate == GATE_PENDING && s->cands[i].has_drift)
            s->cands[i].gate = GATE_SKIPPED;
    free(d.cidx);
    free(d.stale);
    free(d.g);
    free(path);
    return rc;
}

int myelin_search_aq4svit(myelin_search *s, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    int B = cfg->method == MYELIN_SEARCH_BEAM ? cfg->beam_width : 1;
    if (B == 1 && cfg->gate == MYELIN_GATE_ADAPTIVE)
        return descent_adaptive(s, err);
    if (B == 1 && cfg->gate != MYELIN_GATE_NONE)
        return descent_lazy(s, err);
    int cap = B * n_moves(s) + 1;
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
            rc = myelin_eval_drift(s, prop[i], err);
            myelin_search_progress(s, "drift");
        }
        if (!rc)
            rc = myelin_gate_decide(s, prop, np, err);
        if (rc)
            break;
        int nn = 0;
        sort_s = s;
        if (cfg->gate == MYELIN_GATE_NONE) {
            for (int i = 0; !rc && i < np; i++) {
                rc = myelin_search_full(s, prop[i], err);
                myelin_search_progress(s, "full");
            }
            if (rc)
                break;
            qsort(prop, (size_t)np, sizeof *prop, by_accuracy);
            for (int i = 0; i < np && nn < B; i++)
                if (s->cands[prop[i]].pass)
                    next[nn++] = prop[i];
        } else {
            qsort(prop, (size_t)np, sizeof *prop, by_proxy);
            for (int i = 0; !rc && i < np; i++) {
                cand *c = &s->cands[prop[i]];
                if (c->gate != GATE_IN)
                    continue;
                if (nn == B) {
                    c->gate = GATE_SKIPPED;
                    continue;
                }
                rc = myelin_search_full(s, prop[i], err);
                myelin_search_progress(s, "full");
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
