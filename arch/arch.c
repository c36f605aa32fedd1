/* arch/arch.c — owns the core-array YAML schema: parsing (libyaml document with marks),
 * validation against per-mapping key tables, price units, preset lookup. */
#include "arch/arch.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/util.h"
#include "workloads/qsetting.h"

static const char *const action_names[MYELIN_ACT_COUNT] = {
    "mac_real",         "synaptic_op",          "add_int_bits",       "add_float",
    "shift_add_bits",   "sram_read_bits",       "membrane_rw_bits",   "neuron_update_active",
    "neuron_update_idle", "spike_packet",       "router_hop_x",       "router_hop_y",
    "leakage_core_cycles",
};

static const myelin_component action_comp[MYELIN_ACT_COUNT] = {
    MYELIN_COMP_COMPUTE,    MYELIN_COMP_COMPUTE, MYELIN_COMP_COMPUTE, MYELIN_COMP_COMPUTE,
    MYELIN_COMP_COMPUTE,    MYELIN_COMP_SYNAPSE_MEM, MYELIN_COMP_NEURON, MYELIN_COMP_NEURON,
    MYELIN_COMP_NEURON,     MYELIN_COMP_NOC,     MYELIN_COMP_NOC,     MYELIN_COMP_NOC,
    MYELIN_COMP_LEAKAGE,
};

/* Layer-kind names as workloads/workload.h documents them (kept here so the schema does not
 * depend on the workload loader being linked). */
static const char *const kind_names[MYELIN_LAYER_KIND_COUNT] = {"conv",    "linear", "attn",
                                                                "maxpool", "add",    "head"};

static const char *const comp_names[MYELIN_COMP_COUNT] = {"compute", "synapse_mem", "neuron", "noc",
                                                          "leakage"};

const char *myelin_action_name(myelin_action a)
{
    return (a >= 0 && a < MYELIN_ACT_COUNT) ? action_names[a] : NULL;
}

const char *myelin_component_name(myelin_component c)
{
    return (c >= 0 && c < MYELIN_COMP_COUNT) ? comp_names[c] : NULL;
}

myelin_component myelin_action_component(myelin_action a)
{
    return (a >= 0 && a < MYELIN_ACT_COUNT) ? action_comp[a] : MYELIN_COMP_COMPUTE;
}

int myelin_arch_weight_bits_ok(const myelin_arch *arch, int bits)
{
    if (bits < 0 || bits > 16)
        return 0;
    return (arch->core.weight_bits_mask >> bits) & 1u;
}

int myelin_arch_membrane_bits_ok(const myelin_arch *arch, int bits)
{
    if (bits < 0 || bits > 32)
        return 0;
    return (int)((arch->core.membrane_bits_mask >> bits) & 1u);
}

/* ---- a small schema reader over a libyaml document ---------------------------------------- */

typedef struct ctx {
    yaml_document_t doc;
    const char *source;
    myelin_error *err;
} ctx;

static int fail_at(ctx *c, const yaml_node_t *n, int code, const char *fmt, const char *a,
                   const char *b)
{
    char msg[900];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return myelin_error_set(c->err, code, c->source, n ? (int)n->start_mark.line + 1 : 0,
                            n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *kind_word(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Checks `map` is a mapping whose keys are all in `keys` (NULL-terminated), unique; suggests the
 * nearest known key for an unknown one. */
static int check_keys(ctx *c, const yaml_node_t *map, const char *what, const char *const *keys)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return fail_at(c, map, MYELIN_ESCHEMA, "%s: expected a mapping%s", what, "");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
        const char *ks = scalar(k);
        if (!ks)
            return fail_at(c, k, MYELIN_ESCHEMA, "%s: keys must be scalars%s", what, "");
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            const char *qs = scalar(yaml_document_get_node(&c->doc, q->key));
            if (qs && !strcmp(qs, ks))
                return fail_at(c, k, MYELIN_ESCHEMA, "duplicate key '%s'%s", ks, "");
        }
        int known = 0, best = 99;
        const char *near = NULL;
        for (const char *const *kk = keys; *kk; kk++) {
            if (!strcmp(*kk, ks)) {
                known = 1;
                break;
            }
            int d = edit_distance(*kk, ks);
            if (d < best) {
                best = d;
                near = *kk;
            }
        }
        if (!known) {
            char msg[400];
            if (near && best <= 3)
                snprintf(msg, sizeof msg, "%s: unknown key '%s' (did you mean '%s'?)", what, ks, near);
            else
                snprintf(msg, sizeof msg, "%s: unknown key '%s'", what, ks);
            return fail_at(c, k, MYELIN_ESCHEMA, "%s%s", msg, "");
        }
    }
    return 0;
}

static yaml_node_t *get(ctx *c, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *ks = scalar(yaml_document_get_node(&c->doc, p->key));
        if (ks && !strcmp(ks, key))
            return yaml_document_get_node(&c->doc, p->value);
    }
    return NULL;
}

static int need(ctx *c, const yaml_node_t *map, const char *key, const char *what, yaml_node_t **out)
{
    *out = get(c, map, key);
    if (!*out) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: missing required key '%s'", what, key);
        return fail_at(c, map, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    return 0;
}

static int to_int(ctx *c, const yaml_node_t *n, const char *what, int64_t lo, int64_t hi, int64_t *v)
{
    const char *s = scalar(n);
    char *end = NULL;
    errno = 0;
    long long x = s ? strtoll(s, &end, 10) : 0;
    char msg[400];
    if (!s || !*s || *end || errno) {
        snprintf(msg, sizeof msg, "%s: expected an integer between %lld and %lld (got %s)", what,
                 (long long)lo, (long long)hi, s ? s : kind_word(n));
        return fail_at(c, n, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    if (x < lo || x > hi) {
        snprintf(msg, sizeof msg, "%s: expected an integer between %lld and %lld (got %lld)", what,
                 (long long)lo, (long long)hi, x);
        return fail_at(c, n, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    *v = x;
    return 0;
}

static int get_int(ctx *c, const yaml_node_t *map, const char *key, const char *what, int64_t lo,
                   int64_t hi, int64_t *v)
{
    yaml_node_t *n;
    char w[200];
    snprintf(w, sizeof w, "%s.%s", what, key);
    int rc = need(c, map, key, what, &n);
    return rc ? rc : to_int(c, n, w, lo, hi, v);
}

static int to_double(ctx *c, const yaml_node_t *n, const char *what, double lo, double hi, double *v)
{
    const char *s = scalar(n);
    char *end = NULL;
    double x = s ? strtod(s, &end) : 0;
    char msg[400];
    if (!s || !*s || *end || !isfinite(x)) {
        snprintf(msg, sizeof msg, "%s: expected a number between %g and %g (got %s)", what, lo, hi,
                 s ? s : kind_word(n));
        return fail_at(c, n, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    if (x < lo || x > hi) {
        snprintf(msg, sizeof msg, "%s: expected a number between %g and %g (got %g)", what, lo, hi, x);
        return fail_at(c, n, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    *v = x;
    return 0;
}

static int copy_str(ctx *c, const yaml_node_t *n, const char *what, char *out, size_t len)
{
    const char *s = scalar(n);
    if (!s || !*s)
        return fail_at(c, n, MYELIN_ESCHEMA, "%s: expected a non-empty string (got %s)", what,
                       s ? "an empty string" : kind_word(n));
    if (strlen(s) >= len) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: longer than %zu characters", what, len - 1);
        return fail_at(c, n, MYELIN_ESCHEMA, "%s%s", msg, "");
    }
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/* A list of widths: integers in [lo, hi] or "float". */
static int read_widths(ctx *c, const yaml_node_t *n, const char *what, int lo, int hi, uint64_t *mask)
{
    if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top)
        return fail_at(c, n, MYELIN_ESCHEMA,
                       "%s: expected a non-empty list of bit widths (integers or \"float\")%s", what, "");
    *mask = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(&c->doc, *it);
        const char *s = scalar(e);
        if (s && !strcmp(s, "float")) {
            *mask |= MYELIN_BITS_MASK_FLOAT;
            continue;
        }
        char *end = NULL;
        long b = s ? strtol(s, &end, 10) : 0;
        if (!s || !*s || *end || b < lo || b > hi) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "%s: unsupported bit width '%s' (expected an integer between %d and %d, or float)",
                     what, s ? s : kind_word(e), lo, hi);
            return fail_at(c, e, MYELIN_ESCHEMA, "%s%s", msg, "");
        }
        *mask |= (uint64_t)1 << b;
    }
    return 0;
}

/* ---- the schema ----------------------------------------------------------------------------- */

static const char *const top_keys[] = {"name", "description", "array", "clock_mhz", "core", "noc",
                                       "energy", "cost_models", "plugins", NULL};
static const char *const array_keys[] = {"rows", "cols", NULL};
static const char *const core_keys[] = {"neuron_capacity", "synapse_memory", "membrane_memory_bytes",
                                        "accumulator_lanes", "weight_bits", "membrane_bits", NULL};
static const char *const synmem_keys[] = {"bytes", "word_bits", "banks", NULL};
static const char *const noc_keys[] = {"routing", "hop_latency_cycles", "link_width_bits", NULL};
static const char *const price_keys[] = {"pj", "fj", "nj", "mw", "uw", "source", NULL};

static int read_price(ctx *c, myelin_arch *a, myelin_action act, const yaml_node_t *n, double clock_hz)
{
    const char *an = action_names[act];
    char what[128];
    snprintf(what, sizeof what, "energy.%s", an);
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(c, n, MYELIN_ESCHEMA,
                       "%s: a price needs its unit and a source, e.g. {pj: 0.9, source: \"...\"} "
                       "(got %s without a unit)",
                       what, kind_word(n));
    int rc = check_keys(c, n, what, price_keys);
    if (rc)
        return rc;
    static const char *const units[] = {"pj", "fj", "nj", "mw", "uw"};
    static const double to_pj[] = {1.0, 1e-3, 1e3, 0, 0};
    int found = -1;
    yaml_node_t *vn = NULL;
    for (int u = 0; u < 5; u++) {
        yaml_node_t *x = get(c, n, units[u]);
        if (!x)
            continue;
        if (found >= 0)
            return fail_at(c, x, MYELIN_ESCHEMA, "%s: give exactly one unit (got %s and another)",
                           what, units[u]);
        found = u;
        vn = x;
    }
    if (found < 0)
        return fail_at(c, n, MYELIN_ESCHEMA,
                       "%s: price without a unit (expected one of pj:, fj:, nj:%s)", what,
                       act == MYELIN_ACT_LEAKAGE_CORE_CYCLES ? ", mw:, uw: (power per core)" : "");
    if (found >= 3 && act != MYELIN_ACT_LEAKAGE_CORE_CYCLES)
        return fail_at(c, vn, MYELIN_ESCHEMA,
                       "%s: power units (mw, uw) only apply to leakage_core_cycles; give energy "
                       "per %s in pj, fj or nj",
                       what, an);
    double v;
    if ((rc = to_double(c, vn, what, 0.0, 1e12, &v)))
        return rc;
    if (found < 3) {
        a->prices[act].pj = v * to_pj[found];
    } else {
        /* Leakage: power x time, converted here once: W / Hz = J per cycle. */
        double watts = v * (found == 3 ? 1e-3 : 1e-6);
        a->prices[act].pj = watts / clock_hz * 1e12;
    }
    yaml_node_t *sn;
    if ((rc = need(c, n, "source", what, &sn)))
        return rc;
    char sw[160];
    snprintf(sw, sizeof sw, "%s.source", what);
    if ((rc = copy_str(c, sn, sw, a->prices[act].source, sizeof a->prices[act].source)))
        return rc;
    a->prices[act].line = (int)n->start_mark.line + 1;
    a->prices[act].column = (int)n->start_mark.column + 1;
    return 0;
}

static int parse(ctx *c, myelin_arch *a)
{
    yaml_node_t *root = yaml_document_get_root_node(&c->doc);
    if (!root)
        return myelin_error_set(c->err, MYELIN_ESCHEMA, c->source, 1, 1,
                                "empty architecture file (expected a mapping with name, array, core, "
                                "noc, clock_mhz, energy)");
    int rc = check_keys(c, root, "architecture", top_keys);
    if (rc)
        return rc;
    yaml_node_t *n, *m;
    int64_t v;
    if ((rc = need(c, root, "name", "architecture", &n)) ||
        (rc = copy_str(c, n, "name", a->name, sizeof a->name)))
        return rc;
    if ((n = get(c, root, "description")) && !scalar(n))
        return fail_at(c, n, MYELIN_ESCHEMA, "description: expected a string (got %s)", kind_word(n),
                       NULL);
    /* array */
    if ((rc = need(c, root, "array", "architecture", &m)) ||
        (rc = check_keys(c, m, "array", array_keys)))
        return rc;
    if ((rc = get_int(c, m, "rows", "array", 1, 4096, &v)))
        return rc;
    a->rows = (int)v;
    if ((rc = get_int(c, m, "cols", "array", 1, 4096, &v)))
        return rc;
    a->cols = (int)v;
    /* clock */
    double mhz;
    if ((rc = need(c, root, "clock_mhz", "architecture", &n)) ||
        (rc = to_double(c, n, "clock_mhz", 1e-6, 1e6, &mhz)))
        return rc;
    if (mhz <= 0)
        return fail_at(c, n, MYELIN_ESCHEMA, "clock_mhz: expected a positive number%s%s", NULL, NULL);
    a->clock_hz = mhz * 1e6;
    /* core */
    if ((rc = need(c, root, "core", "architecture", &m)) || (rc = check_keys(c, m, "core", core_keys)))
        return rc;
    if ((rc = get_int(c, m, "neuron_capacity", "core", 1, INT64_C(1) << 40, &v)))
        return rc;
    a->core.neuron_capacity = v;
    yaml_node_t *sm;
    if ((rc = need(c, m, "synapse_memory", "core", &sm)) ||
        (rc = check_keys(c, sm, "core.synapse_memory", synmem_keys)))
        return rc;
    if ((rc = get_int(c, sm, "bytes", "core.synapse_memory", 1, INT64_C(1) << 40, &v)))
        return rc;
    a->core.synapse_memory_bytes = v;
    if ((rc = get_int(c, sm, "word_bits", "core.synapse_memory", 1, 4096, &v)))
        return rc;
    a->core.synapse_word_bits = (int)v;
    if ((rc = get_int(c, sm, "banks", "core.synapse_memory", 1, 1024, &v)))
        return rc;
    a->core.synapse_banks = (int)v;
    if ((rc = get_int(c, m, "membrane_memory_bytes", "core", 1, INT64_C(1) << 40, &v)))
        return rc;
    a->core.membrane_memory_bytes = v;
    if ((rc = get_int(c, m, "accumulator_lanes", "core", 1, 65536, &v)))
        return rc;
    a->core.accumulator_lanes = (int)v;
    uint64_t mask;
    if ((rc = need(c, m, "weight_bits", "core", &n)) ||
        (rc = read_widths(c, n, "core.weight_bits", 1, 16, &mask)))
        return rc;
    a->core.weight_bits_mask = (uint32_t)mask;
    if ((rc = need(c, m, "membrane_bits", "core", &n)) ||
        (rc = read_widths(c, n, "core.membrane_bits", 2, 32, &mask)))
        return rc;
    a->core.membrane_bits_mask = mask;
    /* noc */
    if ((rc = need(c, root, "noc", "architecture", &m)) || (rc = check_keys(c, m, "noc", noc_keys)))
        return rc;
    if ((rc = need(c, m, "routing", "noc", &n)))
        return rc;
    if (!scalar(n) || strcmp(scalar(n), "xy"))
        return fail_at(c, n, MYELIN_ESCHEMA,
                       "noc.routing: only dimension-ordered 'xy' routing is modelled (got %s)",
                       scalar(n) ? scalar(n) : kind_word(n), NULL);
    if ((rc = get_int(c, m, "hop_latency_cycles", "noc", 0, 1 << 20, &v)))
        return rc;
    a->noc.hop_latency_cycles = (int)v;
    if ((rc = get_int(c, m, "link_width_bits", "noc", 1, 4096, &v)))
        return rc;
    a->noc.link_width_bits = (int)v;
    /* energy */
    if ((rc = need(c, root, "energy", "architecture", &m)))
        return rc;
    const char *ekeys[MYELIN_ACT_COUNT + 1];
    for (int i = 0; i < MYELIN_ACT_COUNT; i++)
        ekeys[i] = action_names[i];
    ekeys[MYELIN_ACT_COUNT] = NULL;
    if ((rc = check_keys(c, m, "energy", ekeys)))
        return rc;
    for (int i = 0; i < MYELIN_ACT_COUNT; i++) {
        if ((rc = need(c, m, action_names[i], "energy (every action needs a price, 0 allowed)", &n)))
            return rc;
        if ((rc = read_price(c, a, (myelin_action)i, n, a->clock_hz)))
            return rc;
    }
    /* cost models */
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++)
        snprintf(a->cost_model[k], sizeof a->cost_model[k], "builtin");
    if ((m = get(c, root, "cost_models"))) {
        const char *kkeys[MYELIN_LAYER_KIND_COUNT + 1];
        for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++)
            kkeys[k] = kind_names[k];
        kkeys[MYELIN_LAYER_KIND_COUNT] = NULL;
        if ((rc = check_keys(c, m, "cost_models", kkeys)))
            return rc;
        for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++) {
            if (!(n = get(c, m, kkeys[k])))
                continue;
            char w[96];
            snprintf(w, sizeof w, "cost_models.%s", kkeys[k]);
            if ((rc = copy_str(c, n, w, a->cost_model[k], sizeof a->cost_model[k])))
                return rc;
            a->cost_model_line[k] = (int)n->start_mark.line + 1;
            a->cost_model_column[k] = (int)n->start_mark.column + 1;
        }
    }
    /* plugins */
    if ((m = get(c, root, "plugins"))) {
        if (m->type != YAML_SEQUENCE_NODE)
            return fail_at(c, m, MYELIN_ESCHEMA, "plugins: expected a list of shared-object paths "
                           "(got %s)", kind_word(m), NULL);
        for (yaml_node_item_t *it = m->data.sequence.items.start; it < m->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&c->doc, *it);
            if (a->n_plugins == MYELIN_ARCH_MAX_PLUGINS)
                return fail_at(c, e, MYELIN_ESCHEMA, "plugins: at most 8 plugins%s%s", NULL, NULL);
            char rel[MYELIN_PATH_MAX];
            if ((rc = copy_str(c, e, "plugins[]", rel, sizeof rel)))
                return rc;
            int i = a->n_plugins++;
            if (myelin_path_join(a->dir, rel, a->plugins[i], sizeof a->plugins[i]))
                return fail_at(c, e, MYELIN_ESCHEMA, "plugins: path too long: %s%s", rel, NULL);
            a->plugin_line[i] = (int)e->start_mark.line + 1;
            a->plugin_column[i] = (int)e->start_mark.column + 1;
        }
    }
    return 0;
}

int myelin_arch_load_string(const char *yaml_text, const char *source, myelin_arch **out,
                            myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (!source)
        source = "<string>";
    myelin_arch *a = calloc(1, sizeof *a);
    if (!a)
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    snprintf(a->source, sizeof a->source, "%s", source);
    myelin_path_dirname(source, a->dir, sizeof a->dir);
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(a);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory (YAML parser)");
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml_text, strlen(yaml_text));
    ctx c = {.source = source, .err = err};
    int rc = 0;
    if (!yaml_parser_load(&p, &c.doc)) {
        rc = myelin_error_set(err, MYELIN_ESYNTAX, source, (int)p.problem_mark.line + 1,
                              (int)p.problem_mark.column + 1, "YAML syntax: %s%s%s",
                              p.problem ? p.problem : "malformed", p.context ? " " : "",
                              p.context ? p.context : "");
        yaml_parser_delete(&p);
        free(a);
        return rc;
    }
    rc = parse(&c, a);
    yaml_document_delete(&c.doc);
    yaml_parser_delete(&p);
    if (rc) {
        free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int myelin_arch_load(const char *path, myelin_arch **out, myelin_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = myelin_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    if (strlen(text) != len) {
        free(text);
        return myelin_error_set(err, MYELIN_ESYNTAX, path, 0, 0, "NUL byte in a YAML file");
    }
    rc = myelin_arch_load_string(text, path, out, err);
    free(text);
    return rc;
}

void myelin_arch_free(myelin_arch *arch)
{
    free(arch);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int myelin_arch_resolve(const char *name_or_path, char *out, size_t n, myelin_error *err)
{
    if (is_file(name_or_path)) {
        if (strlen(name_or_path) >= n)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "path too long: %s", name_or_path);
        memcpy(out, name_or_path, strlen(name_or_path) + 1);
        return 0;
    }
    const char *dirs[3];
    int nd = 0;
    const char *env = getenv("MYELIN_SRCDIR");
    if (env && *env)
        dirs[nd++] = env;
#ifdef MYELIN_SRCDIR_DEFAULT
    dirs[nd++] = MYELIN_SRCDIR_DEFAULT;
#endif
    dirs[nd++] = ".";
    char tried[700] = "";
    if (!strchr(name_or_path, '/')) {
        for (int i = 0; i < nd; i++) {
            char cand[MYELIN_PATH_MAX];
            snprintf(cand, sizeof cand, "%s/arch/presets/%s.yaml", dirs[i], name_or_path);
            if (is_file(cand) && strlen(cand) < n) {
                memcpy(out, cand, strlen(cand) + 1);
                return 0;
            }
            size_t tl = strlen(tried);
            snprintf(tried + tl, sizeof tried - tl, "%s%s", tl ? ", " : "", cand);
        }
        return myelin_error_set(err, MYELIN_EMISSING, NULL, 0, 0,
                                "no architecture file or preset called '%s' (looked for %s; presets: "
                                "paper-45nm, loihi-like, generic-45nm; set MYELIN_SRCDIR to the source tree)",
                                name_or_path, tried);
    }
    return myelin_error_set(err, MYELIN_EMISSING, name_or_path, 0, 0,
                            "architecture file not found");
}
