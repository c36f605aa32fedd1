/* models/cost.c — owns the cost-model registry, the built-in per-kind models, plugin loading,
 * activity (firing rates), pricing (counts x prices, in one place) and the report writers. */
#include "models/cost.h"

#include <ctype.h>
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* ---- built-in models -------------------------------------------------------------------------- */

static double wbits(const myelin_cost_input *in)
{
    return myelin_storage_bits(in->quant->weight_bits);
}

static double mbits(const myelin_cost_input *in)
{
    return myelin_storage_bits(in->quant->membrane_bits);
}

/* One accumulate per synaptic op, priced by the membrane (accumulator) width and the scheme. */
static void count_accumulates(const myelin_cost_input *in, double ops, int pot, myelin_cost_counts *o)
{
    if (in->quant->membrane_bits == MYELIN_BITS_FLOAT)
        o->count[MYELIN_ACT_ADD_FLOAT] += ops;
    else if (pot)
        o->count[MYELIN_ACT_SHIFT_ADD_BITS] += ops * mbits(in);
    else
        o->count[MYELIN_ACT_ADD_INT_BITS] += ops * mbits(in);
}

static void count_neurons(const myelin_cost_input *in, myelin_cost_counts *o)
{
    if (!in->layer->has_lif)
        return;
    double updates = (double)myelin_layer_neurons(in->layer) * in->timesteps;
    double active = in->rate_out * updates;
    if (active > updates)
        active = updates;
    o->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] += active;
    o->count[MYELIN_ACT_NEURON_UPDATE_IDLE] += updates - active;
    o->count[MYELIN_ACT_MEMBRANE_RW_BITS] += updates * 2 * mbits(in);
}

/* Every input event goes to each core that holds its tokens (all channel groups of one token
 * slice; attention mixes tokens, so all of its cores); the image comes from outside the array. */
static double count_noc(const myelin_cost_input *in, myelin_cost_counts *o)
{
    double packets = 0;
    double dest = in->map->cores;
    if (in->layer->kind != MYELIN_LAYER_ATTN && in->map->token_slices > 1)
        dest /= in->map->token_slices;
    for (int j = 0; j < in->layer->n_inputs; j++) {
        if (in->layer->inputs[j] == MYELIN_INPUT_IMAGE)
            continue;
        packets += in->rate_in[j] * in->timesteps * (double)in->in_elements[j] * dest;
    }
    o->count[MYELIN_ACT_SPIKE_PACKET] += packets;
    o->count[MYELIN_ACT_ROUTER_HOP_X] += packets * in->mean_hops_x;
    o->count[MYELIN_ACT_ROUTER_HOP_Y] += packets * in->mean_hops_y;
    return packets;
}

static double base_cycles(const myelin_cost_input *in, double work)
{
    double c = 0;
    if (in->map->cores > 0)
        c = work / ((double)in->map->cores * in->arch->core.accumulator_lanes);
    return c + in->timesteps * (in->mean_hops_x + in->mean_hops_y) * in->arch->noc.hop_latency_cycles;
}

static int builtin_synaptic(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)eb;
    (void)el;
    const myelin_layer *l = in->layer;
    double macs = (double)myelin_layer_dense_macs(l);
    double work;
    if (l->real_input) {
        o->count[MYELIN_ACT_MAC_REAL] = macs; /* once per inference: FL^1 convention */
        o->count[MYELIN_ACT_SRAM_READ_BITS] = macs * wbits(in);
        work = macs;
    } else {
        double ops = in->rate_in[0] * in->timesteps * macs;
        o->synaptic_ops = ops;
        o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
        o->count[MYELIN_ACT_SRAM_READ_BITS] = ops * wbits(in);
        count_accumulates(in, ops, in->quant->scheme == MYELIN_SCHEME_POT, o);
        work = ops;
    }
    count_neurons(in, o);
    count_noc(in, o);
    if (l->has_lif)
        work += (double)myelin_layer_neurons(l) * in->timesteps;
    o->cycles = base_cycles(in, work);
    return 0;
}

static int builtin_attn(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    const myelin_layer *l = in->layer;
    if (l->n_inputs != 3 || l->heads <= 0) {
        snprintf(eb, el, "attention layer needs 3 inputs (q, k, v) and heads > 0");
        return -1;
    }
    double n = (double)l->out_shape.h * l->out_shape.w;
    double d = (double)l->out_shape.c / l->heads;
    double k_ops, q_ops;
    if (l->attn_order == MYELIN_ATTN_QK_V) {
        /* (Q K^T) V, the public CIFAR code: each Q spike adds a K column into S (n ops, 1-bit
         * reads); each V spike adds a column of the integer S into A (n ops, membrane-width reads).
         * k_ops holds the V side here. */
        q_ops = in->rate_in[0] * in->timesteps * n * d * l->heads * n;
        k_ops = in->rate_in[2] * in->timesteps * n * d * l->heads * n;
    } else {
        double per_event = n * d * d * l->heads; /* products per unit rate per timestep */
        k_ops = in->rate_in[1] * in->timesteps * per_event; /* K^T V on K spikes */
        q_ops = in->rate_in[0] * in->timesteps * per_event; /* Q (K^T V) on Q spikes */
    }
    double ops = k_ops + q_ops;
    o->synaptic_ops = ops;
    o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
    /* q_kv: K^T V entries (membrane-width) per Q spike; qk_v: S entries per V spike */
    o->count[MYELIN_ACT_SRAM_READ_BITS] = l->attn_order == MYELIN_ATTN_QK_V
                                              ? q_ops * 1.0 + k_ops * mbits(in)
                                              : k_ops * 1.0 + q_ops * mbits(in);
    count_accumulates(in, ops, 0, o);
    count_neurons(in, o);
    count_noc(in, o);
    o->cycles = base_cycles(in, ops + (double)myelin_layer_neurons(l) * in->timesteps);
    return 0;
}

static int builtin_free(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)in;
    (void)o;
    (void)eb;
    (void)el;
    return 0;
}

static const myelin_cost_model builtins[] = {
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_CONV,
     "3x3 conv: MACs for the real-valued first layer (once), else rate x T x dense synaptic ops",
     builtin_synaptic},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_LINEAR,
     "token-wise linear: rate x T x dense synaptic ops, weight reads, accumulates, LIF, NoC",
     builtin_synaptic},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_ATTN,
     "spiking self-attention: spike.spike products in the workload's order ((Q K^T) V or "
     "Q (K^T V)), event-driven",
     builtin_attn},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_MAXPOOL,
     "max pool: merged into the consumer's input, no cost of its own", builtin_free},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_ADD,
     "residual add: merged into the consumer's input, no cost of its own", builtin_free},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_HEAD,
     "classifier head: rate x T x dense synaptic ops (paper convention)", builtin_synaptic},
};

/* ---- registry -------------------------------------------------------------------------------- */

typedef struct entry {
    myelin_cost_model model;
    void *dl; /* handle when it came from a plugin */
    char origin[MYELIN_PATH_MAX];
} entry;

struct myelin_cost_registry {
    int n, cap;
    entry *e;
    int n_dl;
    void *dls[MYELIN_ARCH_MAX_PLUGINS * 4];
};

static int check_model(const myelin_cost_model *m, const char *origin, myelin_error *err)
{
    if (m->abi_version != MYELIN_COST_ABI_VERSION)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, origin, 0, 0,
                                "cost-model ABI version mismatch: the plugin was built for ABI %d, "
                                "this myelin speaks ABI %d (rebuild it against models/cost.h)",
                                m->abi_version, MYELIN_COST_ABI_VERSION);
    if (!m->name || !*m->name || strlen(m->name) >= MYELIN_NAME_MAX)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost-model descriptor has no name (or one longer than %d characters)",
                                MYELIN_NAME_MAX - 1);
    if (m->layer_kind < 0 || m->layer_kind >= MYELIN_LAYER_KIND_COUNT)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost model '%s': layer_kind %d is not a layer kind (0..%d)", m->name,
                                m->layer_kind, MYELIN_LAYER_KIND_COUNT - 1);
    if (!m->count)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost model '%s': no count function", m->name);
    return 0;
}

static int reg_put(myelin_cost_registry *reg, const myelin_cost_model *m, void *dl, const char *origin,
                   myelin_error *err)
{
    for (int i = 0; i < reg->n; i++)
        if (reg->e[i].model.layer_kind == m->layer_kind && !strcmp(reg->e[i].model.name, m->name)) {
            reg->e[i].model = *m; /* a plugin replaces a model of the same name and kind */
            reg->e[i].dl = dl;
            snprintf(reg->e[i].origin, sizeof reg->e[i].origin, "%s", origin);
            return 0;
        }
    if (reg->n == reg->cap) {
        int nc = reg->cap ? reg->cap * 2 : 16;
        entry *ne = realloc(reg->e, (size_t)nc * sizeof *ne);
        if (!ne)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost registry)");
        reg->e = ne;
        reg->cap = nc;
    }
    entry *e = &reg->e[reg->n++];
    e->model = *m;
    e->dl = dl;
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    return 0;
}

int myelin_cost_registry_new(myelin_cost_registry **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_cost_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost registry)");
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        int rc = reg_put(reg, &builtins[i], NULL, "<builtin>", err);
        if (rc) {
            myelin_cost_registry_free(reg);
            return rc;
        }
    }
    *out = reg;
    return 0;
}

int myelin_cost_registry_add(myelin_cost_registry *reg, const myelin_cost_model *model,
                             myelin_error *err)
{
    int rc = check_model(model, "<memory>", err);
    return rc ? rc : reg_put(reg, model, NULL, "<memory>", err);
}

int myelin_cost_registry_load_plugin(myelin_cost_registry *reg, const char *path, myelin_error *err)
{
    if (reg->n_dl == (int)(sizeof reg->dls / sizeof reg->dls[0]))
        return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0, "too many plugins loaded");
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                "cost-model plugin not found (no such shared object)");
    fclose(probe);
    dlerror();
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0, "cannot load cost-model plugin: %s",
                                why ? why : "unknown dlopen error");
    }
    dlerror();
    const myelin_cost_model *m = (const myelin_cost_model *)dlsym(dl, MYELIN_COST_PLUGIN_SYMBOL);
    const char *why = dlerror();
    if (why || !m) {
        int rc = myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                  "not a myelin cost-model plugin: symbol '%s' missing (%s)",
                                  MYELIN_COST_PLUGIN_SYMBOL, why ? why : "NULL symbol");
        dlclose(dl);
        return rc;
    }
    int rc = check_model(m, path, err);
    if (!rc)
        rc = reg_put(reg, m, dl, path, err);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    reg->dls[reg->n_dl++] = dl;
    return 0;
}

const myelin_cost_model *myelin_cost_registry_find(const myelin_cost_registry *reg, int kind,
                                                   const char *name)
{
    for (int i = 0; i < reg->n; i++)
        if (reg->e[i].model.layer_kind == kind && !strcmp(reg->e[i].model.name, name))
            return &reg->e[i].model;
    return NULL;
}

int myelin_cost_registry_configure(myelin_cost_registry *reg, const myelin_arch *arch,
                                   myelin_error *err)
{
    myelin_error_clear(err);
    for (int i = 0; i < arch->n_plugins; i++) {
        int rc = myelin_cost_registry_load_plugin(reg, arch->plugins[i], err);
        if (rc) {
            /* Point at the entry of the architecture file that named the plugin. */
            if (err) {
                myelin_error_prefix(err, "plugins[%d] (%s)", i, arch->plugins[i]);
                size_t fl = strlen(arch->source);
                if (fl >= sizeof err->file)
                    fl = sizeof err->file - 1;
                memcpy(err->file, arch->source, fl);
                err->file[fl] = 0;
                err->line = arch->plugin_line[i];
                err->column = arch->plugin_column[i];
            }
            return rc;
        }
    }
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++) {
        if (myelin_cost_registry_find(reg, k, arch->cost_model[k]))
            continue;
        char names[512] = "";
        for (int i = 0; i < reg->n; i++)
            if (reg->e[i].model.layer_kind == k) {
                size_t nl = strlen(names);
                snprintf(names + nl, sizeof names - nl, "%s%s", nl ? ", " : "", reg->e[i].model.name);
            }
        return myelin_error_set(err, MYELIN_ESCHEMA, arch->source, arch->cost_model_line[k],
                                arch->cost_model_column[k],
                                "cost_models.%s: no cost model '%s' for layer kind %s (available: %s)",
                                myelin_layer_kind_name((myelin_layer_kind)k), arch->cost_model[k],
                                myelin_layer_kind_name((myelin_layer_kind)k), names);
    }
    return 0;
}

void myelin_cost_registry_free(myelin_cost_registry *reg)
{
    if (!reg)
        return;
    free(reg->e);
    for (int i = 0; i < reg->n_dl; i++)
        dlclose(reg->dls[i]);
    free(reg);
}

/* ---- activity -------------------------------------------------------------------------------- */

void myelin_activity_free(myelin_activity *a)
{
    if (!a)
        return;
    free(a->rate);
    a->rate = NULL;
    a->n_layers = 0;
}

int myelin_activity_from_workload(const myelin_workload *wl, double uniform_rate,
                                  myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (uniform_rate > 1e6 || isnan(uniform_rate))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "firing rate %g is not a rate (expected 0..1 spikes per neuron per step)",
                                uniform_rate);
    out->rate = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++) {
        double r = uniform_rate >= 0 ? uniform_rate : wl->layers[i].firing_rate;
        if (uniform_rate < 0 && !(r > 0))
            r = wl->default_firing_rate;
        out->rate[i] = r;
    }
    if (uniform_rate >= 0)
        snprintf(out->source, sizeof out->source, "uniform firing rate %g", uniform_rate);
    else
        snprintf(out->source, sizeof out->source,
                 "statistical firing rates of workload %s (default %g)", wl->name,
                 wl->default_firing_rate);
    return 0;
}

/* Minimal scanner for the JSON `myelin run --json` writes: finds, inside each object of the
 * "layers" list, the "name" string and the "firing_rate" number. */
static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p ? p + 1 : p;
}

/* End of the value starting at p (object, array, string or scalar). */
static const char *skip_value(const char *p)
{
    p = skip_ws(p);
    if (*p == '"')
        return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '"') {
                p = skip_string(p) - 1;
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']')
        p++;
    return p;
}

/* Within the object [o, end), the value of key, or NULL. */
static const char *obj_get(const char *o, const char *end, const char *key)
{
    const char *p = skip_ws(o + 1);
    size_t kl = strlen(key);
    while (p < end && *p == '"') {
        const char *ks = p + 1, *ke = skip_string(p) - 1;
        p = skip_ws(ke + 1);
        if (*p != ':')
            return NULL;
        p = skip_ws(p + 1);
        if ((size_t)(ke - ks) == kl && !strncmp(ks, key, kl))
            return p;
        p = skip_ws(skip_value(p));
        if (*p == ',')
            p = skip_ws(p + 1);
    }
    return NULL;
}

/* A LIF layer with weights or attention: the layers whose rate is measured, never derived. */
static int is_lif_layer(const myelin_layer *l)
{
    return l->has_lif && (l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR ||
                          l->kind == MYELIN_LAYER_ATTN);
}

/* Fills the rates still negative: a LIF layer's is an error (it must be measured); ADD gets the
 * sum of its inputs' rates, MAXPOOL (and the head) the largest. */
static int derive_rates(const myelin_workload *wl, myelin_activity *out, const char *source,
                        myelin_error *err)
{
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        if (out->rate[i] >= 0)
            continue;
        if (is_lif_layer(l)) {
            int rc = myelin_error_set(err, MYELIN_EMISSING, source, 0, 0,
                                      "no firing_rate for layer %s of workload %s in the activity",
                                      l->name, wl->name);
            myelin_activity_free(out);
            return rc;
        }
        double r = 0;
        for (int j = 0; j < l->n_inputs; j++) {
            int src = l->inputs[j];
            double ri = src >= 0 && src < i ? out->rate[src] : 0;
            r = l->kind == MYELIN_LAYER_ADD ? r + ri : (ri > r ? ri : r);
        }
        out->rate[i] = r;
    }
    return 0;
}

int myelin_activity_load_json(const char *path, const myelin_workload *wl, myelin_activity *out,
                              myelin_error *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    int rc = myelin_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    out->rate = malloc((size_t)(wl->n_layers ? wl->n_layers : 1) * sizeof *out->rate);
    if (!out->rate) {
        free(text);
        return myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory");
    }
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++)
        out->rate[i] = -1;
    const char *root = skip_ws(text);
    const char *layers = *root == '{' ? obj_get(root, text + len, "layers") : NULL;
    if (!layers || *layers != '[') {
        free(text);
        myelin_activity_free(out);
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                "expected the JSON of 'myelin run --json': an object with a \"layers\" "
                                "list");
    }
    const char *p = skip_ws(layers + 1);
    while (*p == '{') {
        const char *end = skip_value(p);
        const char *nv = obj_get(p, end, "name"), *rv = obj_get(p, end, "firing_rate");
        if (nv && *nv == '"' && rv) {
            char name[MYELIN_NAME_MAX];
            const char *ne = skip_string(nv) - 1;
            size_t nl = (size_t)(ne - nv - 1);
            if (nl < sizeof name) {
                memcpy(name, nv + 1, nl);
                name[nl] = 0;
                int idx = myelin_workload_find_layer(wl, name);
                char *e2 = NULL;
                double r = strtod(rv, &e2);
                if (idx >= 0 && e2 != rv && isfinite(r) && r >= 0)
                    out->rate[idx] = r;
            }
        }
        p = skip_ws(end);
        if (*p == ',')
            p = skip_ws(p + 1);
    }
    free(text);
    rc = derive_rates(wl, out, path, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "measured firing rates from %s", path);
    return 0;
}

int myelin_activity_from_spikes(const myelin_workload *wl, const int64_t *spikes, int64_t images,
                                const char *source, myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (images <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity from spike counts needs at least one image");
    out->rate = malloc((size_t)(wl->n_layers ? wl->n_layers : 1) * sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    int T = wl->timesteps;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        out->rate[i] = -1;
        int64_t elems = is_lif_layer(l) ? myelin_layer_neurons(l)
                        : (l->kind == MYELIN_LAYER_MAXPOOL || l->kind == MYELIN_LAYER_ADD)
                            ? (int64_t)l->out_shape.c * l->out_shape.h * l->out_shape.w
                            : 0;
        if (elems > 0) {
            int64_t s = 0;
            for (int t = 0; t < T; t++)
                s += spikes[(int64_t)i * T + t];
            out->rate[i] = (double)s / (double)images / T / (double)elems;
        }
    }
    int rc = derive_rates(wl, out, source, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "%s", source ? source : "measured spike counts");
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static int64_t tensor_elems(const myelin_workload *wl, int producer)
{
    const myelin_shape *s = producer == MYELIN_INPUT_IMAGE ? &wl->input : &wl->layers[producer].out_shape;
    return (int64_t)s->c * s->h * s->w;
}

/* Mean XY hops of the spikes of producer `src` to the cores of `dst`.  A layer with cores sends
 * from them; MAXPOOL and ADD have none: their spikes are their inputs' spikes, so the hops are the
 * inputs' hops weighted by the spikes each input contributes (rate x elements) — a residual
 * stream comes from every block that fed it, not only from its first input. */
static int source_hops(const myelin_workload *wl, const myelin_mapping *map,
                       const myelin_activity *act, const myelin_arch *arch, int src,
                       const myelin_layer_map *dst, double *hx, double *hy, myelin_error *err)
{
    *hx = *hy = 0;
    if (src < 0 || src >= wl->n_layers)
        return 0; /* the image comes from outside the array */
    if (map->layers[src].cores > 0)
        return myelin_mapping_mean_hops(arch, &map->layers[src], dst, hx, hy, err);
    const myelin_layer *l = &wl->layers[src];
    double wsum = 0, sx = 0, sy = 0;
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : 1;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double x, y;
        int rc = source_hops(wl, map, act, arch, in, dst, &x, &y, err);
        if (rc)
            return rc;
        double w = act->rate[in] * (double)tensor_elems(wl, in);
        if (!(w > 0))
            w = 1e-300; /* silent inputs: fall back to an unweighted mean */
        sx += w * x;
        sy += w * y;
        wsum += w;
    }
    if (wsum > 0) {
        *hx = sx / wsum;
        *hy = sy / wsum;
    }
    return 0;
}

/* ---- NoC serialization bound ----------------------------------------------------------------- */

static int bits_for(int64_t n)
{
    int b = 0;
    while (b < 62 && ((int64_t)1 << b) < n)
        b++;
    return b ? b : 1;
}

int myelin_noc_packet_bits(const myelin_workload *wl, const myelin_arch *arch)
{
    int64_t max_elems = 1;
    for (int i = 0; i < wl->n_layers; i++) {
        int64_t e = tensor_elems(wl, i);
        if (e > max_elems)
            max_elems = e;
    }
    return bits_for(arch->cols) + bits_for(arch->rows) + bits_for(max_elems);
}

int myelin_noc_flits_per_packet(const myelin_workload *wl, const myelin_arch *arch)
{
    int w = arch->noc.link_width_bits;
    if (w <= 0)
        return 1;
    return (myelin_noc_packet_bits(wl, arch) + w - 1) / w;
}

/* Spikes per timestep that the cores of each layer send into input `src`'s stream: a layer with
 * cores sends its own; a MAXPOOL's pooled spikes leave from its input's cores; an ADD's spikes are
 * its inputs' spikes (each input's share is its rate x elements).  Adds `spikes` into w[]. */
static void stream_producers(const myelin_workload *wl, const myelin_mapping *map,
                             const myelin_activity *act, int src, double spikes, double *w, int depth)
{
    if (src < 0 || src >= wl->n_layers || !(spikes > 0) || depth > wl->n_layers)
        return;
    if (map->layers[src].cores > 0) {
        w[src] += spikes;
        return;
    }
    const myelin_layer *l = &wl->layers[src];
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : (l->n_inputs > 0 ? 1 : 0);
    double sum = 0;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in >= 0 && in < src)
            sum += act->rate[in] * (double)tensor_elems(wl, in);
    }
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double share = sum > 0 ? act->rate[in] * (double)tensor_elems(wl, in) / sum : 1.0 / n;
        stream_producers(wl, map, act, in, spikes * share, w, depth + 1);
    }
}

/* NoC serialization per timestep, in cycles at one flit per cycle per port and link (the NoC bound
 * in cost.h).  send[P]: the spikes of producer layer P to all of its consumers (directly or through
 * pools and residual adds) leave through its cores' injection ports and the XY links together, so
 * the busiest of them bounds P's output (a producer core sends each spike once per destination
 * core; a row link carries the packets of the sources of its row on one side of it to the
 * destination columns on the other; a column link those for its column's destinations on one side
 * from every source row on the other).  recv[D]: the busiest ejection port of consumer D (a core
 * receives every spike of its token slice, from every producer).  Producer cores send equal
 * shares of their layer's spikes; a token-sliced destination receives 1/slices of them. */
static int noc_bounds(const myelin_workload *wl, const myelin_mapping *map,
                      const myelin_activity *act, const myelin_arch *arch, int flits, double *send,
                      double *recv, myelin_error *err)
{
    int n = wl->n_layers, C = arch->cols;
    int64_t cells = (int64_t)arch->rows * C;
    for (int i = 0; i < n; i++)
        send[i] = recv[i] = 0;
    /* only the rows up to the last used core carry traffic */
    int R = 0;
    for (int i = 0; i < n; i++) {
        const myelin_layer_map *m = &map->layers[i];
        if (m->cores > 0 && m->first_core >= 0) {
            int64_t last = (int64_t)m->first_core + m->cores - 1;
            if (last >= cells)
                last = cells - 1;
            if (last / C + 1 > R)
                R = (int)(last / C + 1);
        }
    }
    if (R == 0 || n == 0)
        return 0;
    size_t g = (size_t)R * C;
    double *w = calloc((size_t)n * n, sizeof *w);
    double *dfrac = calloc((size_t)n, sizeof *dfrac);
    /* per destination layer: cores per column, cores per cell; per producer: cores per cell;
     * link loads: east/west of the cut right of each cell, south/north of the cut below it */
    double *dcol = calloc((size_t)C, sizeof *dcol), *dwest = calloc((size_t)C, sizeof *dwest);
    double *dcell = calloc(g, sizeof *dcell), *dnorth = calloc(g, sizeof *dnorth);
    double *pcell = calloc(g, sizeof *pcell), *pwest = calloc(g, sizeof *pwest);
    double *prow = calloc((size_t)R, sizeof *prow), *pnorth = calloc((size_t)R, sizeof *pnorth);
    double *le = calloc(g, sizeof *le), *lw = calloc(g, sizeof *lw);
    double *ls = calloc(g, sizeof *ls), *ln = calloc(g, sizeof *ln);
    int rc = 0;
    if (!w || !dfrac || !dcol || !dwest || !dcell || !dnorth || !pcell || !pwest || !prow ||
        !pnorth || !le || !lw || !ls || !ln) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
        goto done;
    }
    /* w[D * n + P]: spikes per timestep that producer P sends into consumer D's inputs */
    for (int d = 0; d < n; d++) {
        const myelin_layer *l = &wl->layers[d];
        const myelin_layer_map *dm = &map->layers[d];
        if (dm->cores <= 0 || dm->first_core < 0)
            continue;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int s = l->inputs[j];
            if (s < 0 || s >= n)
                continue; /* the image comes from outside the array */
            stream_producers(wl, map, act, s, act->rate[s] * (double)tensor_elems(wl, s), w + (size_t)d * n, 0);
        }
        /* a spike goes to every core of its token slice (attention: every core) */
        dfrac[d] = (l->kind != MYELIN_LAYER_ATTN && dm->token_slices > 1) ? 1.0 / dm->token_slices : 1.0;
        double tot = 0;
        for (int p = 0; p < n; p++)
            tot += w[(size_t)d * n + p];
        recv[d] = tot * dfrac[d] * flits;
    }
    for (int p = 0; p < n; p++) {
        const myelin_layer_map *pm = &map->layers[p];
        if (pm->cores <= 0 || pm->first_core < 0)
            continue;
        int any = 0;
        for (int d = 0; d < n && !any; d++)
            any = w[(size_t)d * n + p] > 0;
        if (!any)
            continue;
        memset(pcell, 0, g * sizeof *pcell);
        memset(le, 0, g * sizeof *le);
        memset(lw, 0, g * sizeof *lw);
        memset(ls, 0, g * sizeof *ls);
        memset(ln, 0, g * sizeof *ln);
        int y0 = pm->first_core / C, y1 = y0;
        for (int k = 0; k < pm->cores; k++) {
            int64_t r = (int64_t)pm->first_core + k;
            if (r >= (int64_t)g)
                break;
            pcell[r] = 1;
            y1 = (int)(r / C);
        }
        double pall = 0;
        for (int y = 0; y < R; y++) {
            double acc = 0;
            for (int x = 0; x < C; x++) {
                acc += pcell[(size_t)y * C + x];
                pwest[(size_t)y * C + x] = acc; /* producer cores of row y at columns <= x */
            }
            prow[y] = acc;
            pall += acc;
            pnorth[y] = pall; /* producer cores in rows <= y */
        }
        double inj = 0;
        for (int d = 0; d < n; d++) {
            double sp = w[(size_t)d * n + p];
            const myelin_layer_map *dm = &map->layers[d];
            if (!(sp > 0))
                continue;
            double per = sp / pm->cores * dfrac[d]; /* packets per producer core per destination core */
            inj += per * dm->cores;
            memset(dcol, 0, (size_t)C * sizeof *dcol);
            int dy0 = dm->first_core / C, dy1 = dy0;
            for (int k = 0; k < dm->cores; k++) {
                int64_t r = (int64_t)dm->first_core + k;
                if (r >= (int64_t)g)
                    break;
                dcell[r] = 1;
                dcol[r % C] += 1;
                dy1 = (int)(r / C);
            }
            double dall = 0;
            for (int x = 0; x < C; x++) {
                dall += dcol[x];
                dwest[x] = dall;
            }
            /* column links carry this pair's packets only between its topmost and lowest rows */
            int yl = y0 < dy0 ? y0 : dy0, yh = y1 > dy1 ? y1 : dy1;
            for (int x = 0; x < C; x++) {
                double acc = 0;
                for (int y = yl; y <= yh; y++) {
                    acc += dcell[(size_t)y * C + x];
                    dnorth[(size_t)y * C + x] = acc;
                }
            }
            for (int k = 0; k < dm->cores && (int64_t)dm->first_core + k < (int64_t)g; k++)
                dcell[dm->first_core + k] = 0;
            /* row links (X first): only the producer's rows carry its packets */
            for (int y = y0; y <= y1; y++)
                for (int x = 0; x + 1 < C; x++) {
                    size_t c = (size_t)y * C + x;
                    le[c] += per * pwest[c] * (dall - dwest[x]);
                    lw[c] += per * (prow[y] - pwest[c]) * dwest[x];
                }
            /* column links: to the destination's row, in the destination's column */
            for (int x = 0; x < C; x++) {
                if (!(dcol[x] > 0))
                    continue;
                for (int y = yl; y < yh && y + 1 < R; y++) {
                    size_t c = (size_t)y * C + x;
                    ls[c] += per * pnorth[y] * (dcol[x] - dnorth[c]);
                    ln[c] += per * (pall - pnorth[y]) * dnorth[c];
                }
            }
        }
        double best = inj;
        for (size_t c = 0; c < g; c++) {
            if (le[c] > best)
                best = le[c];
            if (lw[c] > best)
                best = lw[c];
            if (ls[c] > best)
                best = ls[c];
            if (ln[c] > best)
                best = ln[c];
        }
        send[p] = best * flits;
    }
done:
    free(w);
    free(dfrac);
    free(dcol);
    free(dwest);
    free(dcell);
    free(dnorth);
    free(pcell);
    free(pwest);
    free(prow);
    free(pnorth);
    free(le);
    free(lw);
    free(ls);
    free(ln);
    return rc;
}

void myelin_cost_report_free(myelin_cost_report *r)
{
    if (!r)
        return;
    free(r->layers);
    free(r);
}

/* The price of `count` units of action a, in pJ: the one multiplication of counts by prices. */
static double price_one(const myelin_arch *arch, myelin_action a, double count)
{
    return count * arch->prices[a].pj;
}

double myelin_cost_price(const myelin_arch *arch, const myelin_cost_counts *counts,
                         double *energy_pj)
{
    double total = 0;
    for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
        double e = price_one(arch, (myelin_action)a, counts->count[a]);
        if (energy_pj)
            energy_pj[a] = e;
        total += e;
    }
    return total;
}

/* Adds leakage (layer cores x the inference's cycles) to every layer's counts, then prices every
 * count and sums layers, components and totals: the one place counts meet prices. */
static void price_report(myelin_cost_report *r, const myelin_workload *wl, const myelin_arch *arch)
{
    /* Leakage (power x time, priced once): resident cores leak for the whole inference. */
    myelin_layer_cost *t = &r->total;
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] += (double)lc->cores * r->inference_cycles;
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            lc->energy_pj[a] = price_one(arch, (myelin_action)a, lc->counts.count[a]);
            lc->component_pj[myelin_action_component((myelin_action)a)] += lc->energy_pj[a];
            lc->total_pj += lc->energy_pj[a];
            t->counts.count[a] += lc->counts.count[a];
            t->energy_pj[a] += lc->energy_pj[a];
        }
        for (int c = 0; c < MYELIN_COMP_COUNT; c++)
            t->component_pj[c] += lc->component_pj[c];
        t->total_pj += lc->total_pj;
        t->counts.synaptic_ops += lc->counts.synaptic_ops;
        t->counts.cycles += lc->counts.cycles;
        t->memory.weight_bits += lc->memory.weight_bits;
        t->memory.bias_bits += lc->memory.bias_bits;
        t->memory.scale_bits += lc->memory.scale_bits;
        t->memory.membrane_bits += lc->memory.membrane_bits;
        t->cores += lc->cores;
        t->neuron_util += lc->cores * lc->neuron_util; /* core-weighted means, divided below */
        t->synapse_util += lc->cores * lc->synapse_util;
    }
    if (r->total.cores > 0) {
        r->total.neuron_util /= r->total.cores;
        r->total.synapse_util /= r->total.cores;
    }
    r->latency_s = r->inference_cycles / arch->clock_hz;
}

/* An empty report for wl on arch with map's core counts, or NULL with err set (out of memory). */
static myelin_cost_report *report_new(const myelin_workload *wl, const myelin_arch *arch,
                                      const myelin_mapping *map, myelin_error *err)
{
    myelin_cost_report *r = calloc(1, sizeof *r);
    if (r)
        r->layers = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *r->layers);
    if (!r || !r->layers) {
        myelin_cost_report_free(r);
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost report)");
        return NULL;
    }
    r->n_layers = wl->n_layers;
    r->timesteps = wl->timesteps;
    r->cores_used = map->cores_used;
    r->cores_total = map->cores_total;
    snprintf(r->workload, sizeof r->workload, "%s", wl->name);
    snprintf(r->arch, sizeof r->arch, "%s", arch->name);
    return r;
}

int myelin_cost_evaluate(const myelin_workload *wl, const myelin_layer_quant *lq,
                         const myelin_activity *act, const myelin_arch *arch,
                         const myelin_mapping *map, const myelin_cost_registry *reg,
                         myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (act->n_layers != wl->n_layers || map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity (%d layers) or mapping (%d) does not match workload %s (%d)",
                                act->n_layers, map->n_layers, wl->name, wl->n_layers);
    myelin_cost_report *r = report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    snprintf(r->activity, sizeof r->activity, "%s", act->source);
    int flits = myelin_noc_flits_per_packet(wl, arch);
    double *send = calloc((size_t)(wl->n_layers ? wl->n_layers : 1) * 2, sizeof *send);
    if (!send) {
        myelin_cost_report_free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
    }
    double *recv = send + wl->n_layers;
    int nrc = noc_bounds(wl, map, act, arch, flits, send, recv, err);
    if (nrc) {
        free(send);
        myelin_cost_report_free(r);
        return nrc;
    }
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        myelin_layer_cost *lc = &r->layers[i];
        const myelin_cost_model *m = myelin_cost_registry_find(reg, l->kind, arch->cost_model[l->kind]);
        if (!m) {
            int rc = myelin_error_set(err, MYELIN_ESCHEMA, arch->source, arch->cost_model_line[l->kind],
                                      arch->cost_model_column[l->kind],
                                      "layer %s: no cost model '%s' for kind %s is registered", l->name,
                                      arch->cost_model[l->kind], myelin_layer_kind_name(l->kind));
            free(send);
            myelin_cost_report_free(r);
            return rc;
        }
        myelin_cost_input in;
        memset(&in, 0, sizeof in);
        in.workload = wl;
        in.layer_index = i;
        in.layer = l;
        in.quant = &lq[i];
        in.map = &map->layers[i];
        in.arch = arch;
        in.timesteps = wl->timesteps;
        in.rate_out = act->rate[i];
        double hx = 0, hy = 0;
        int nh = 0;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int src = l->inputs[j];
            in.in_elements[j] = tensor_elems(wl, src);
            if (src == MYELIN_INPUT_IMAGE)
                continue;
            in.rate_in[j] = act->rate[src];
            double x, y;
            int rc = source_hops(wl, map, act, arch, src, in.map, &x, &y, err);
            if (rc) {
                free(send);
                myelin_cost_report_free(r);
                return rc;
            }
            hx += x;
            hy += y;
            nh++;
        }
        in.mean_hops_x = nh ? hx / nh : 0;
        in.mean_hops_y = nh ? hy / nh : 0;
        char eb[512] = "";
        memset(&lc->counts, 0, sizeof lc->counts);
        if (m->count(&in, &lc->counts, eb, sizeof eb)) {
            int rc = myelin_error_set(err, MYELIN_EUNSUPPORTED, NULL, 0, 0,
                                      "layer %s: cost model '%s' failed: %s", l->name, m->name,
                                      eb[0] ? eb : "(no message)");
            free(send);
            myelin_cost_report_free(r);
            return rc;
        }
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            if (!isfinite(lc->counts.count[a]) || lc->counts.count[a] < 0) {
                int rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                          "layer %s: cost model '%s' returned %g %s (counts must be "
                                          "finite and >= 0)",
                                          l->name, m->name, lc->counts.count[a],
                                          myelin_action_name((myelin_action)a));
                free(send);
                myelin_cost_report_free(r);
                return rc;
            }
        /* NoC serialization: the layer cannot finish a step before its input flits have passed
         * the busiest port or link; the hop latency comes on top (cost.h). */
        double step = send[i] > recv[i] ? send[i] : recv[i];
        lc->noc_cycles = (double)in.timesteps * step;
        double noc = lc->noc_cycles + (double)in.timesteps * (in.mean_hops_x + in.mean_hops_y) *
                                          arch->noc.hop_latency_cycles;
        if (!(lc->counts.cycles >= noc))
            lc->counts.cycles = noc;
        snprintf(lc->model, sizeof lc->model, "%s", m->name);
        lc->memory = myelin_layer_memory_of(l, &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = in.rate_in[0];
        r->inference_cycles += lc->counts.cycles;
    }
    free(send);
    price_report(r, wl, arch);
    *out = r;
    return 0;
}

/* ---- report writers -------------------------------------------------------------------------- */

int myelin_cost_format_parse(const char *s)
{
    static const char *const names[] = {"table", "csv", "json", "markdown", "latex"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

enum { NCOLS = 20, CELL = 72 };

static const char *const col_head_pj[NCOLS] = {
    "layer", "kind", "model", "cores", "rate_in", "synaptic_ops", "param_bits", "scale_bits",
    "param_bytes", "membrane_bits", "membrane_bytes", "cycles", "neuron_util_pct", "synapse_util_pct",
    "compute_pJ", "synapse_mem_pJ",
    "neuron_pJ", "noc_pJ", "leakage_pJ", "total_pJ"};
static const char *const col_head_uj[NCOLS] = {
    "layer", "kind", "model", "cores", "rate_in", "synaptic_ops", "param_bits", "scale_bits",
    "param_bytes", "membrane_bits", "membrane_bytes", "cycles", "neuron_util_pct", "synapse_util_pct",
    "compute_uJ", "synapse_mem_uJ",
    "neuron_uJ", "noc_uJ", "leakage_uJ", "total_uJ"};

static void fill_row(char cells[NCOLS][CELL], const char *name, const char *kind,
                     const myelin_layer_cost *lc, int exact)
{
    const myelin_layer_memory *m = &lc->memory;
    int64_t pbits = m->weight_bits + m->bias_bits;
    double scale = exact ? 1.0 : 1e-6;
    const char *ef = exact ? "%.9g" : "%.4g";
    snprintf(cells[0], CELL, "%s", name);
    snprintf(cells[1], CELL, "%s", kind);
    snprintf(cells[2], CELL, "%s", lc->model);
    snprintf(cells[3], CELL, "%d", lc->cores);
    snprintf(cells[4], CELL, exact ? "%.9g" : "%.4f", lc->rate_in);
    snprintf(cells[5], CELL, exact ? "%.9g" : "%.4g", lc->counts.synaptic_ops);
    snprintf(cells[6], CELL, "%lld", (long long)pbits);
    snprintf(cells[7], CELL, "%lld", (long long)m->scale_bits);
    snprintf(cells[8], CELL, "%lld", (long long)((pbits + m->scale_bits + 7) / 8));
    snprintf(cells[9], CELL, "%lld", (long long)m->membrane_bits);
    snprintf(cells[10], CELL, "%lld", (long long)((m->membrane_bits + 7) / 8));
    snprintf(cells[11], CELL, exact ? "%.9g" : "%.4g", lc->counts.cycles);
    snprintf(cells[12], CELL, exact ? "%.9g" : "%.1f", 100 * lc->neuron_util);
    snprintf(cells[13], CELL, exact ? "%.9g" : "%.1f", 100 * lc->synapse_util);
    for (int c = 0; c < MYELIN_COMP_COUNT; c++)
        snprintf(cells[14 + c], CELL, ef, lc->component_pj[c] * scale);
    snprintf(cells[19], CELL, ef, lc->total_pj * scale);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void latex_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '_' || *s == '%' || *s == '&' || *s == '#' || *s == '$')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

static void write_json(const myelin_cost_report *r, const myelin_workload *wl, FILE *f)
{
    fprintf(f, "{\n  \"workload\": ");
    json_str(f, r->workload);
    fprintf(f, ",\n  \"arch\": ");
    json_str(f, r->arch);
    fprintf(f, ",\n  \"activity\": ");
    json_str(f, r->activity);
    fprintf(f, ",\n  \"timesteps\": %d,\n  \"cores_used\": %d,\n  \"cores_total\": %d,\n"
               "  \"inference_cycles\": %.9g,\n  \"latency_s\": %.9g,\n  \"total_J\": %.9g,\n",
            r->timesteps, r->cores_used, r->cores_total, r->inference_cycles, r->latency_s,
            r->total.total_pj * 1e-12);
    fprintf(f, "  \"layers\": [");
    for (int i = 0; i <= r->n_layers; i++) {
        const myelin_layer_cost *lc = i < r->n_layers ? &r->layers[i] : &r->total;
        char cells[NCOLS][CELL];
        fill_row(cells, i < r->n_layers ? wl->layers[i].name : "total",
                 i < r->n_layers ? myelin_layer_kind_name(wl->layers[i].kind) : "", lc, 1);
        if (i == r->n_layers)
            fprintf(f, "\n  ],\n  \"total\": {");
        else
            fprintf(f, "%s\n    {", i ? "," : "");
        for (int c = 0; c < NCOLS; c++) {
            fprintf(f, "%s", c ? ", " : "");
            json_str(f, col_head_pj[c]);
            fprintf(f, ": ");
            if (c <= 2)
                json_str(f, cells[c]);
            else
                fprintf(f, "%s", cells[c]);
        }
        fprintf(f, ", \"actions\": {");
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            fprintf(f, "%s\"%s\": %.9g", a ? ", " : "", myelin_action_name((myelin_action)a),
                    lc->counts.count[a]);
        }
        fprintf(f, "}, \"energy_pJ\": {");
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            fprintf(f, "%s\"%s\": %.9g", a ? ", " : "", myelin_action_name((myelin_action)a),
                    lc->energy_pj[a]);
        fprintf(f, "}}");
    }
    fprintf(f, "\n}\n");
}

int myelin_cost_report_write(const myelin_cost_report *r, const myelin_workload *wl,
                             myelin_cost_format fmt, FILE *f, myelin_error *err)
{
    if (wl->n_layers != r->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "report and workload disagree");
    if (fmt == MYELIN_COST_JSON) {
        write_json(r, wl, f);
        return ferror(f) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
    }
    int exact = fmt == MYELIN_COST_CSV;
    const char *const *head = exact ? col_head_pj : col_head_uj;
    int nrows = r->n_layers + 1;
    char(*cells)[NCOLS][CELL] = malloc((size_t)nrows * sizeof *cells);
    if (!cells)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < r->n_layers; i++)
        fill_row(cells[i], wl->layers[i].name, myelin_layer_kind_name(wl->layers[i].kind),
                 &r->layers[i], exact);
    fill_row(cells[r->n_layers], "total", "", &r->total, exact);
    snprintf(cells[r->n_layers][4], CELL, "%s", "");
    int width[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        width[c] = (int)strlen(head[c]);
        for (int i = 0; i < nrows; i++)
            if ((int)strlen(cells[i][c]) > width[c])
                width[c] = (int)strlen(cells[i][c]);
    }
    char caption[700];
    snprintf(caption, sizeof caption,
             "%s on %s, T=%d, %s; %d of %d cores; %.6g cycles (%.6g s); total %.6g J", r->workload,
             r->arch, r->timesteps, r->activity, r->cores_used, r->cores_total, r->inference_cycles,
             r->latency_s, r->total.total_pj * 1e-12);
    switch (fmt) {
    case MYELIN_COST_TABLE:
        fprintf(f, "# %s\n", caption);
        for (int i = -1; i < nrows; i++) {
            if (i == r->n_layers) {
                for (int c = 0; c < NCOLS; c++)
                    for (int k = 0; k < width[c] + (c ? 2 : 0); k++)
                        fputc('-', f);
                fputc('\n', f);
            }
            for (int c = 0; c < NCOLS; c++) {
                const char *s = i < 0 ? head[c] : cells[i][c];
                if (c <= 2)
                    fprintf(f, "%s%-*s", c ? "  " : "", width[c], s);
                else
                    fprintf(f, "  %*s", width[c], s);
            }
            fputc('\n', f);
        }
        break;
    case MYELIN_COST_CSV:
        for (int i = -1; i < nrows; i++)
            for (int c = 0; c < NCOLS; c++)
                fprintf(f, "%s%s", i < 0 ? head[c] : cells[i][c], c == NCOLS - 1 ? "\n" : ",");
        break;
    case MYELIN_COST_MARKDOWN:
        fprintf(f, "%s\n\n", caption);
        for (int i = -1; i < nrows; i++) {
            for (int c = 0; c < NCOLS; c++)
                fprintf(f, "| %s ", i < 0 ? head[c] : cells[i][c]);
            fprintf(f, "|\n");
            if (i < 0) {
                for (int c = 0; c < NCOLS; c++)
                    fprintf(f, "|%s", c <= 2 ? "---" : "---:");
                fprintf(f, "|\n");
            }
        }
        break;
    case MYELIN_COST_LATEX:
        fprintf(f, "%% ");
        latex_cell(f, caption);
        fprintf(f, "\n\\begin{tabular}{lll");
        for (int c = 3; c < NCOLS; c++)
            fputc('r', f);
        fprintf(f, "}\n\\toprule\n");
        for (int i = -1; i < nrows; i++) {
            if (i == r->n_layers)
                fprintf(f, "\\midrule\n");
            for (int c = 0; c < NCOLS; c++) {
                if (c)
                    fprintf(f, " & ");
                latex_cell(f, i < 0 ? head[c] : cells[i][c]);
            }
            fprintf(f, " \\\\\n");
            if (i < 0)
                fprintf(f, "\\midrule\n");
        }
        fprintf(f, "\\bottomrule\n\\end{tabular}\n");
        break;
    default:
        free(cells);
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "unknown report format %d", (int)fmt);
    }
    free(cells);
    return ferror(f) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
}

int myelin_cost_report_from_counts(const myelin_workload *wl, const myelin_layer_quant *lq,
                                   const myelin_arch *arch, const myelin_mapping *map,
                                   const myelin_cost_counts *counts, const double *rate_in,
                                   double inference_cycles, const char *model, const char *activity,
                                   myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "mapping (%d layers) does not match workload %s (%d)", map->n_layers,
                                wl->name, wl->n_layers);
    myelin_cost_report *r = report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    r->inference_cycles = inference_cycles;
    snprintf(r->activity, sizeof r->activity, "%s", activity ? activity : "");
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts = counts[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] = 0;
        snprintf(lc->model, sizeof lc->model, "%s", model ? model : "");
        lc->memory = myelin_layer_memory_of(&wl->layers[i], &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = rate_in ? rate_in[i] : 0;
    }
    price_report(r, wl, arch);
    *out = r;
    return 0;
}
