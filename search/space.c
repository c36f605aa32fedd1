/* search/space.c — the search space: layer groups at network, block or layer granularity, a
 * candidate's per-group precision, its key, its per-layer resolution and YAML, and its memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/mapper.h"
#include "search/internal.h"

static int is_weight_layer(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
           ly->kind == MYELIN_LAYER_HEAD;
}

static sgroup *new_group(myelin_search *s, const char *name)
{
    sgroup *g = &s->groups[s->n_groups++];
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

static void add_glob(sgroup *g, const char *glob)
{
    if (g->n_globs < SEARCH_MAX_GLOBS)
        snprintf(g->globs[g->n_globs++], MYELIN_NAME_MAX, "%s", glob);
}

/* Layer i's group: the first group with a glob matching its name (exact names and "x.*"). */
static int glob_match(const char *glob, const char *name)
{
    size_t n = strlen(glob);
    if (n >= 2 && glob[n - 1] == '*' && glob[n - 2] == '.')
        return strncmp(glob, name, n - 1) == 0;
    if (strcmp(glob, "*") == 0)
        return 1;
    return strcmp(glob, name) == 0;
}

int myelin_space_groups(myelin_search *s, myelin_error *err)
{
    const myelin_workload *wl = s->wl;
    s->groups = calloc((size_t)wl->n_layers + 2, sizeof *s->groups);
    s->layer_group = calloc((size_t)wl->n_layers, sizeof *s->layer_group);
    if (!s->groups || !s->layer_group)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    char buf[MYELIN_NAME_MAX];
    switch (s->cfg.granularity) {
    case MYELIN_SEARCH_NETWORK:
        add_glob(new_group(s, "network"), "*");
        break;
    case MYELIN_SEARCH_BLOCK:
        add_glob(new_group(s, "sps"), "sps.*");
        for (int b = 0; b < wl->depth; b++) {
            snprintf(buf, sizeof buf, "block.%d", b);
            sgroup *g = new_group(s, buf);
            snprintf(buf, sizeof buf, "block.%d.*", b);
            add_glob(g, buf);
        }
        add_glob(new_group(s, "head"), "head");
        break;
    case MYELIN_SEARCH_LAYER:
        for (int i = 0; i < wl->n_layers; i++) {
            const myelin_layer *ly = &wl->layers[i];
            if (!is_weight_layer(ly))
                continue;
            sgroup *g = new_group(s, ly->name);
            add_glob(g, ly->name);
            /* the attention LIF has no weights: its membrane follows v's */
            size_t n = strlen(ly->name);
            if (n > 7 && strcmp(ly->name + n - 7, ".attn.v") == 0) {
                snprintf(buf, sizeof buf, "%.*s.attn.attn", (int)(n - 7), ly->name);
                if (myelin_workload_find_layer(wl, buf) >= 0)
                    add_glob(g, buf);
            }
        }
        break;
    }
    s->first_group = -1;
    for (int i = 0; i < wl->n_layers; i++) {
        s->layer_group[i] = -1;
        for (int k = 0; k < s->n_groups && s->layer_group[i] < 0; k++)
            for (int j = 0; j < s->groups[k].n_globs; j++)
                if (glob_match(s->groups[k].globs[j], wl->layers[i].name)) {
                    s->layer_group[i] = k;
                    break;
                }
        if (s->layer_group[i] >= 0 && is_weight_layer(&wl->layers[i]))
            s->groups[s->layer_group[i]].weights += myelin_layer_weight_count(&wl->layers[i]);
        if (wl->layers[i].real_input && s->first_group < 0)
            s->first_group = s->layer_group[i];
    }
    return 0;
}

int myelin_space_weight_bits(const myelin_search *s, const gstate *gs)
{
    return gs->wlev <= 0 ? MYELIN_BITS_FLOAT : s->cfg.bits[gs->wlev - 1];
}

int myelin_space_membrane_bits(const myelin_search *s, const gstate *gs)
{
    return gs->wlev <= 0 ? MYELIN_BITS_FLOAT : s->cfg.mbits[gs->mlev];
}

int myelin_space_input_bits(const myelin_search *s, const gstate *g)
{
    return s->cfg.ibits[g[s->n_groups].wlev];
}

double myelin_space_objective(const myelin_search *s, const cand *c, int est)
{
    double pj = c->has_full ? c->energy_pj : est ? c->calib_energy_pj : 0;
    double lat = c->has_full ? c->latency_s : est ? c->calib_latency_s : 0;
    switch (s->cfg.objective) {
    case MYELIN_OBJ_ENERGY: return pj;
    case MYELIN_OBJ_EDP: return pj * lat;
    default: return (double)c->mem_bits;
    }
}

char *myelin_space_key(const myelin_search *s, const gstate *g)
{
    size_t cap = (size_t)s->n_groups * 12 + 8;
    char *k = malloc(cap), *p = k;
    if (!k)
        return NULL;
    *p = 0;
    for (int i = 0; i < s->n_groups; i++) {
        if (i)
            *p++ = '.';
        if (g[i].wlev <= 0)
            p += sprintf(p, "f");
        else
            p += sprintf(p, "%c%d", s->cfg.schemes[g[i].sch] == MYELIN_SCHEME_POT ? 'p' : 'u',
                         myelin_space_weight_bits(s, &g[i]));
        if (s->cfg.n_mbits > 1 && g[i].wlev > 0)
            p += sprintf(p, "m%d", myelin_space_membrane_bits(s, &g[i]));
    }
    if (s->cfg.n_ibits > 1 && s->first_group >= 0 && g[s->first_group].wlev > 0)
        sprintf(p, ".i%d", myelin_space_input_bits(s, g));
    return k;
}

int myelin_space_find(const myelin_search *s, const char *key)
{
    for (int i = 0; i < s->n_cands; i++)
        if (strcmp(s->cands[i].key, key) == 0)
            return i;
    return -1;
}

int myelin_space_resolve(const myelin_search *s, const gstate *g, myelin_layer_quant *lq,
                  myelin_error *err)
{
    myelin_qsetting *qs = NULL;
    int rc = myelin_qsetting_float(&qs, err);
    for (int k = 0; !rc && k < s->n_groups; k++) {
        if (g[k].wlev <= 0)
            continue;
        myelin_layer_quant q = {myelin_space_weight_bits(s, &g[k]), s->cfg.schemes[g[k].sch],
                                MYELIN_GRAN_CHANNEL, myelin_space_membrane_bits(s, &g[k])};
        for (int j = 0; !rc && j < s->groups[k].n_globs; j++)
            rc = myelin_qsetting_add_rule(qs, s->groups[k].globs[j], &q, err);
    }
    if (!rc)
        rc = myelin_qsetting_resolve(qs, s->wl, lq, err);
    myelin_qsetting_free(qs);
    return rc;
}

/* Memory and average bits of a setting. */
static int space_measure(const myelin_search *s, cand *c, myelin_error *err)
{
    const myelin_workload *wl = s->wl;
    myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
    if (!lq)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int rc = myelin_space_resolve(s, c->g, lq, err);
    double wbits = 0, wcount = 0;
    c->mem_bits = c->membrane_bits = 0;
    for (int i = 0; !rc && i < wl->n_layers; i++) {
        myelin_layer_memory m = myelin_layer_memory_of(&wl->layers[i], &lq[i]);
        c->mem_bits += m.weight_bits + m.bias_bits + m.scale_bits;
        c->membrane_bits += m.membrane_bits;
        if (is_weight_layer(&wl->layers[i])) {
            double n = (double)myelin_layer_weight_count(&wl->layers[i]);
            wcount += n;
            wbits += n * myelin_storage_bits(lq[i].weight_bits);
        }
    }
    c->avg_bits = wcount > 0 ? wbits / wcount : 0;
    free(lq);
    return rc;
}

int myelin_space_add(myelin_search *s, const gstate *g, cand_role role, int step, int parent,
              myelin_error *err)
{
    char *key = myelin_space_key(s, g);
    if (!key) {
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
        return -1;
    }
    int found = myelin_space_find(s, key);
    if (found >= 0) {
        free(key);
        return found;
    }
    if (s->n_cands == s->cap_cands) {
        int cap = s->cap_cands ? 2 * s->cap_cands : 64;
        cand *nc = realloc(s->cands, (size_t)cap * sizeof *nc);
        if (!nc) {
            free(key);
            myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
            return -1;
        }
        s->cands = nc;
        s->cap_cands = cap;
    }
    cand *c = &s->cands[s->n_cands];
    memset(c, 0, sizeof *c);
    c->g = malloc((size_t)(s->n_groups + 1) * sizeof *c->g);
    if (!c->g) {
        free(key);
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
        return -1;
    }
    memcpy(c->g, g, (size_t)(s->n_groups + 1) * sizeof *c->g);
    c->key = key;
    c->id = s->n_cands;
    c->role = role;
    c->step = step;
    c->parent = parent;
    c->sweep_group = c->sweep_level = -1;
    if (space_measure(s, c, err)) {
        free(c->g);
        free(key);
        return -1;
    }
    return s->n_cands++;
}

char *myelin_space_yaml(const myelin_search *s, const cand *c, const char *comment)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    char b1[16], b2[16];
    fprintf(f, "# %s\n# key %s\n", comment, c->key);
    fprintf(f, "input_bits: %d\ndefault:\n  weight_bits: float\n  membrane_bits: float\n",
            myelin_space_input_bits(s, c->g));
    int any = 0;
    for (int k = 0; k < s->n_groups; k++) {
        if (c->g[k].wlev <= 0)
            continue;
        if (!any)
            fprintf(f, "layers:\n");
        any = 1;
        for (int j = 0; j < s->groups[k].n_globs; j++)
            fprintf(f, "  - match: \"%s\"\n    weight_bits: %s\n    scheme: %s\n"
                       "    granularity: channel\n    membrane_bits: %s\n",
                    s->groups[k].globs[j], myelin_bits_str(myelin_space_weight_bits(s, &c->g[k]), b1, sizeof b1),
                    s->cfg.schemes[c->g[k].sch] == MYELIN_SCHEME_POT ? "pot" : "uniform",
                    myelin_bits_str(myelin_space_membrane_bits(s, &c->g[k]), b2, sizeof b2));
    }
    fclose(f);
    return buf;
}
