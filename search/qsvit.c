/* search/qsvit.c — QSViT's guided methodology, automated:
 *   1. sensitivity sweep: each group alone at each width (the others float), full evaluation;
 *      the table of drops is an output;
 *   2. base setting: each group at its lowest width whose drop alone is within max_drop;
 *   3. guided combination: the base setting together; while it misses the constraint, back off the
 *      group whose current width hurt most on its own (largest sweep drop; ties: the later group)
 *      by one width, and evaluate again.
 * The sweep uses the first scheme of the configuration; no gate (QSViT evaluates everything). */
#include <stdlib.h>
#include <string.h>

#include "search/internal.h"

/* The sweep candidate of group k at level l (l >= 1). */
static int sweep_index(const myelin_search *s, int k, int l)
{
    for (int i = 0; i < s->n_cands; i++)
        if (s->cands[i].role == ROLE_SWEEP && s->cands[i].sweep_group == k &&
            s->cands[i].sweep_level == l)
            return i;
    return -1;
}

int myelin_search_qsvit(myelin_search *s, myelin_error *err)
{
    const myelin_search_config *cfg = &s->cfg;
    gstate *g = calloc((size_t)s->n_groups + 1, sizeof *g);
    int *level = calloc((size_t)s->n_groups, sizeof *level);
    if (!g || !level) {
        free(g);
        free(level);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    int rc = 0;
    /* 1. sweep */
    for (int k = 0; !rc && k < s->n_groups; k++) {
        for (int l = 1; !rc && l <= cfg->n_bits; l++) {
            memset(g, 0, (size_t)s->n_groups * sizeof *g);
            g[k].wlev = (signed char)l;
            int idx = myelin_space_add(s, g, ROLE_SWEEP, 0, s->baseline, err);
            if (idx < 0) {
                rc = err->code;
                break;
            }
            s->cands[idx].sweep_group = k;
            s->cands[idx].sweep_level = l;
            rc = myelin_eval_drift(s, idx, err);
            if (!rc) {
                s->cands[idx].gate = GATE_IN;
                rc = myelin_search_full(s, idx, err);
            }
            myelin_search_progress(s, "sensitivity sweep");
        }
    }
    /* 2. base setting */
    for (int k = 0; !rc && k < s->n_groups; k++) {
        level[k] = 0;
        for (int l = 1; l <= cfg->n_bits; l++) {
            int i = sweep_index(s, k, l);
            if (i >= 0 && s->cands[i].pass)
                level[k] = l;
            else
                break;
        }
    }
    /* 3. guided combination with back-off */
    for (int step = 1; !rc; step++) {
        s->steps = step;
        memset(g, 0, (size_t)s->n_groups * sizeof *g);
        for (int k = 0; k < s->n_groups; k++)
            g[k].wlev = (signed char)level[k];
        int idx = myelin_space_add(s, g, ROLE_SEARCH, step, step == 1 ? s->baseline : -1, err);
        if (idx < 0) {
            rc = err->code;
            break;
        }
        if (s->cands[idx].role == ROLE_SEARCH || s->cands[idx].role == ROLE_SWEEP) {
            rc = myelin_eval_drift(s, idx, err);
            s->cands[idx].gate = GATE_IN;
            if (!rc)
                rc = myelin_search_full(s, idx, err);
            myelin_search_progress(s, "guided combination");
        }
        if (rc)
            break;
        if (s->cands[idx].pass) {
            s->chosen = idx;
            break;
        }
        int worst = -1;
        double worst_drop = -1e300;
        for (int k = 0; k < s->n_groups; k++) {
            if (level[k] == 0)
                continue;
            int i = sweep_index(s, k, level[k]);
            double d = i >= 0 ? s->cands[i].drop_pct : 0;
            if (d >= worst_drop) {
                worst_drop = d;
                worst = k;
            }
        }
        if (worst < 0)
            break; /* everything float: the baseline, which passes */
        level[worst]--;
    }
    free(g);
    free(level);
    return rc;
}
