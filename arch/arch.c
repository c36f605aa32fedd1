/* arch/arch.c — owns the core-array YAML schema: one key table per mapping,
 * validation against per-mapping key tables (base/yaml.h), price units, preset lookup. */
#include "arch/arch.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "base/yaml.h"
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

static const char *const area_item_names[MYELIN_AREA_ITEM_COUNT] = {
    "sram_bit", "accumulator_lane", "core_logic", "router", "buffer_bit"};
static const char *const area_comp_names[MYELIN_AREA_COMP_COUNT] = {"synapse_mem", "membrane_mem",
                                                                    "logic", "noc"};

const char *myelin_area_item_name(myelin_area_item i)
{
    return (i >= 0 && i < MYELIN_AREA_ITEM_COUNT) ? area_item_names[i] : NULL;
}

const char *myelin_area_comp_name(myelin_area_comp c)
{
    return (c >= 0 && c < MYELIN_AREA_COMP_COUNT) ? area_comp_names[c] : NULL;
}

double myelin_arch_area_mm2(const myelin_arch *a, int64_t cores, double *mm2)
{
    double c[MYELIN_AREA_COMP_COUNT] = {0};
    if (a->has_area && cores > 0) {
        const myelin_area_price *p = a->area;
        double n = (double)cores, um2_to_mm2 = 1e-6;
        c[MYELIN_AREA_SYNAPSE_MEM] = n * (double)a->core.synapse_memory_bytes * 8 *
                                     p[MYELIN_AREA_SRAM_BIT].um2 * um2_to_mm2;
        c[MYELIN_AREA_MEMBRANE_MEM] = n * (double)a->core.membrane_memory_bytes * 8 *
                                      p[MYELIN_AREA_SRAM_BIT].um2 * um2_to_mm2;
        c[MYELIN_AREA_LOGIC] = n * (a->core.accumulator_lanes * p[MYELIN_AREA_ACCUMULATOR_LANE].um2 +
                                    p[MYELIN_AREA_CORE_LOGIC].um2) * um2_to_mm2;
        /* buffers: noc.buffer_flits per port, or MYELIN_AREA_BUFFER_FLITS when unbounded */
        double depth = a->noc_buffer_flits > 0 ? a->noc_buffer_flits : MYELIN_AREA_BUFFER_FLITS;
        c[MYELIN_AREA_NOC] = n * (p[MYELIN_AREA_ROUTER].um2 +
                                     5.0 * depth * a->noc.link_width_bits *
                                         p[MYELIN_AREA_BUFFER_BIT].um2) * um2_to_mm2;
    }
    double t = 0;
    for (int i = 0; i < MYELIN_AREA_COMP_COUNT; i++) {
        if (mm2)
            mm2[i] = c[i];
        t += c[i];
    }
    return t;
}

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

/* ---- the schema: one key table per mapping, read by base/yaml.h ------------------------------ */

typedef struct raw_top {
    char name[MYELIN_NAME_MAX];
    char description[512];
    double clock_mhz;
} raw_top;

typedef struct raw_array {
    int rows, cols;
} raw_array;

typedef struct raw_core {
    int neuron_capacity, membrane_memory_bytes, accumulator_lanes;
} raw_core;

typedef struct raw_synmem {
    int bytes, word_bits, banks;
} raw_synmem;

typedef struct raw_noc {
    int routing, hop_latency_cycles, link_width_bits, multicast, buffer_flits;
} raw_noc;

typedef struct raw_area {
    double um2, mm2;
    char source[256];
} raw_area;

typedef struct raw_price {
    double pj, fj, nj, mw, uw;
    char source[256];
} raw_price;

#define KEY(k, t, st, f, l, h, req, hl)                                                             \
    {.key = k, .type = t, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f), .lo = l, .hi = h,  \
     .required = req, .help = hl}
#define SUB(k, t, req, hl) {.key = k, .type = t, .required = req, .help = hl}

static const myelin_yaml_key top_keys[] = {
    KEY("name", MYELIN_YT_STRING, raw_top, name, 0, 0, 1, "the architecture's name"),
    KEY("description", MYELIN_YT_STRING, raw_top, description, 0, 0, 0, "free text"),
    KEY("clock_mhz", MYELIN_YT_DOUBLE, raw_top, clock_mhz, 1e-6, 1e6, 1, "core clock in MHz"),
    SUB("array", MYELIN_YT_MAP, 1, "{rows, cols} of the 2-D mesh"),
    SUB("core", MYELIN_YT_MAP, 1, "per-core resources"),
    SUB("noc", MYELIN_YT_MAP, 1, "{routing: xy, hop_latency_cycles, link_width_bits}"),
    SUB("energy", MYELIN_YT_MAP, 1, "a price per action, each {pj|fj|nj: x, source: ...}"),
    SUB("cost_models", MYELIN_YT_MAP, 0, "cost-model name per layer kind"),
    SUB("plugins", MYELIN_YT_LIST, 0, "cost-model shared objects, relative to this file"),
    SUB("area", MYELIN_YT_MAP, 0, "area per unit, each {um2|mm2: x, source: ...} (arch.h)"),
};

static const myelin_yaml_key array_keys[] = {
    KEY("rows", MYELIN_YT_INT, raw_array, rows, 1, 4096, 1, "mesh rows"),
    KEY("cols", MYELIN_YT_INT, raw_array, cols, 1, 4096, 1, "mesh columns"),
};

static const myelin_yaml_key core_keys[] = {
    KEY("neuron_capacity", MYELIN_YT_INT, raw_core, neuron_capacity, 1, 1 << 30, 1,
        "LIF neurons a core updates"),
    SUB("synapse_memory", MYELIN_YT_MAP, 1, "{bytes, word_bits, banks}"),
    KEY("membrane_memory_bytes", MYELIN_YT_INT, raw_core, membrane_memory_bytes, 1, INT32_MAX, 1,
        "bytes of membrane state per core"),
    KEY("accumulator_lanes", MYELIN_YT_INT, raw_core, accumulator_lanes, 1, 65536, 1,
        "synaptic accumulates per cycle"),
    SUB("weight_bits", MYELIN_YT_LIST, 1, "supported weight widths: 1..16 or float"),
    SUB("membrane_bits", MYELIN_YT_LIST, 1, "supported membrane widths: 2..32 or float"),
};

static const myelin_yaml_key synmem_keys[] = {
    KEY("bytes", MYELIN_YT_INT, raw_synmem, bytes, 1, INT32_MAX, 1, "synapse memory per core"),
    KEY("word_bits", MYELIN_YT_INT, raw_synmem, word_bits, 1, 4096, 1, "bits per memory word"),
    KEY("banks", MYELIN_YT_INT, raw_synmem, banks, 1, 1024, 1, "independent banks"),
};

static const char *const routing_names[] = {"xy", NULL};
static const char *const multicast_names[] = {"none", "tree", NULL};

static const myelin_yaml_key noc_keys[] = {
    {.key = "routing", .type = MYELIN_YT_ENUM, .offset = offsetof(raw_noc, routing),
     .size = sizeof(int), .names = routing_names, .required = 1,
     .help = "dimension-ordered xy (the only one modelled)"},
    KEY("hop_latency_cycles", MYELIN_YT_INT, raw_noc, hop_latency_cycles, 0, 1 << 20, 1,
        "cycles per router hop"),
    KEY("link_width_bits", MYELIN_YT_INT, raw_noc, link_width_bits, 1, 4096, 1, "bits per link"),
    {.key = "multicast", .type = MYELIN_YT_ENUM, .offset = offsetof(raw_noc, multicast),
     .size = sizeof(int), .names = multicast_names, .def = 0,
     .help = "none (one packet per destination core) or tree (XY-tree multicast)"},
    KEY("buffer_flits", MYELIN_YT_INT, raw_noc, buffer_flits, 0, 1 << 20, 0,
        "input buffer per router port in flits (0 = unbounded)"),
};

/* Units are separate optional keys (default -1 = absent); exactly one must be given. */
#define UNIT(k, f)                                                                          \
    {.key = k, .type = MYELIN_YT_DOUBLE, .offset = offsetof(raw_price, f), .size = sizeof(double),  \
     .lo = 0, .hi = 1e12, .def = -1, .unit = k}
static const myelin_yaml_key price_keys[] = {
    UNIT("pj", pj), UNIT("fj", fj), UNIT("nj", nj), UNIT("mw", mw), UNIT("uw", uw),
    KEY("source", MYELIN_YT_STRING, raw_price, source, 0, 0, 1, "where the price comes from"),
};

#define N(keys) (sizeof(keys) / sizeof((keys)[0]))

/* After a failed read of mapping `map` (called `what`): when the error sits on one of its values,
 * prefix the message with the dotted key ("core.synapse_memory.bytes: expected ..."); errors on
 * keys or on the mapping itself already name it. */
static int in_ctx(int rc, myelin_error *err, const myelin_yaml_node *map, const char *what)
{
    if (!rc || !err || !map || map->kind != MYELIN_YAML_MAP)
        return rc;
    for (size_t i = 0; i < map->n; i++) {
        const myelin_yaml_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
        if (v->line == err->line && v->column == err->column) {
            myelin_error_prefix(err, "%s.%s", what, k->scalar);
            break;
        }
    }
    return rc;
}

/* A list of widths: integers in [lo, hi] or "float". */
static int read_widths(const myelin_yaml_node *n, const char *what, int lo, int hi, uint64_t *mask,
                       myelin_error *err)
{
    if (n->n == 0)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n,
                                 "%s: expected a non-empty list of bit widths (integers or float)", what);
    *mask = 0;
    for (size_t i = 0; i < n->n; i++) {
        const myelin_yaml_node *e = n->items[i];
        int b = -1;
        if (myelin_yaml_bits(e, lo, hi, &b, NULL))
            return myelin_yaml_error(err, MYELIN_ESCHEMA, e,
                                     "%s: unsupported bit width '%s' (expected an integer between %d "
                                     "and %d, or float)",
                                     what, e->kind == MYELIN_YAML_SCALAR ? e->scalar : "a collection",
                                     lo, hi);
        *mask |= (uint64_t)1 << b; /* float is 0: bit 0 */
    }
    return 0;
}

static int read_price(myelin_arch *a, myelin_action act, const myelin_yaml_node *n, myelin_error *err)
{
    const char *an = action_names[act];
    char what[128];
    snprintf(what, sizeof what, "energy.%s", an);
    if (n->kind != MYELIN_YAML_MAP)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n,
                                 "%s: a price needs its unit and a source, e.g. {pj: 0.9, source: "
                                 "\"...\"} (got %s without a unit)",
                                 what, n->kind == MYELIN_YAML_SCALAR ? "a bare value" : "a list");
    raw_price rp;
    int rc = myelin_yaml_read_map(n, price_keys, N(price_keys), &rp, what, err);
    if (rc)
        return in_ctx(rc, err, n, what);
    static const char *const units[] = {"pj", "fj", "nj", "mw", "uw"};
    const double vals[] = {rp.pj, rp.fj, rp.nj, rp.mw, rp.uw};
    static const double to_pj[] = {1.0, 1e-3, 1e3};
    int found = -1;
    for (int u = 0; u < 5; u++) {
        if (!myelin_yaml_get(n, units[u]))
            continue;
        if (found >= 0)
            return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(n, units[u]),
                                     "%s: give exactly one unit (got %s and %s)", what, units[found],
                                     units[u]);
        found = u;
    }
    if (found < 0)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n,
                                 "%s: price without a unit (expected one of pj:, fj:, nj:%s)", what,
                                 act == MYELIN_ACT_LEAKAGE_CORE_CYCLES ? ", mw:, uw: (power per core)" : "");
    if (found >= 3 && act != MYELIN_ACT_LEAKAGE_CORE_CYCLES)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(n, units[found]),
                                 "%s: power units (mw, uw) only apply to leakage_core_cycles; give "
                                 "energy per %s in pj, fj or nj",
                                 what, an);
    if (found < 3) {
        a->prices[act].pj = vals[found] * to_pj[found];
    } else {
        /* Leakage: power x time, converted here once: W / Hz = J per cycle. */
        double watts = vals[found] * (found == 3 ? 1e-3 : 1e-6);
        a->prices[act].pj = watts / a->clock_hz * 1e12;
    }
    if (!rp.source[0])
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(n, "source"),
                                 "%s.source: expected a non-empty string", what);
    snprintf(a->prices[act].source, sizeof a->prices[act].source, "%s", rp.source);
    a->prices[act].line = n->line;
    a->prices[act].column = n->column;
    return 0;
}

#define AUNIT(k, f)                                                                         \
    {.key = k, .type = MYELIN_YT_DOUBLE, .offset = offsetof(raw_area, f), .size = sizeof(double),  \
     .lo = 0, .hi = 1e12, .def = -1, .unit = k}
static const myelin_yaml_key area_keys[] = {
    AUNIT("um2", um2), AUNIT("mm2", mm2),
    KEY("source", MYELIN_YT_STRING, raw_area, source, 0, 0, 1, "where the figure comes from"),
};

/* The optional area section: every item, each with one unit (um2 or mm2) and a source. */
static int read_area(myelin_arch *a, const myelin_yaml_node *an, myelin_error *err)
{
    myelin_yaml_key keys[MYELIN_AREA_ITEM_COUNT];
    for (int i = 0; i < MYELIN_AREA_ITEM_COUNT; i++)
        keys[i] = (myelin_yaml_key)SUB(area_item_names[i], MYELIN_YT_MAP, 1,
                                       "{um2|mm2: x, source: ...}");
    int rc = myelin_yaml_read_map(an, keys, MYELIN_AREA_ITEM_COUNT, NULL, "area", err);
    if (rc)
        return rc;
    for (int i = 0; i < MYELIN_AREA_ITEM_COUNT; i++) {
        const myelin_yaml_node *n = myelin_yaml_get(an, area_item_names[i]);
        char what[64];
        snprintf(what, sizeof what, "area.%s", area_item_names[i]);
        raw_area ra;
        if ((rc = myelin_yaml_read_map(n, area_keys, N(area_keys), &ra, what, err)))
            return in_ctx(rc, err, n, what);
        int hu = myelin_yaml_get(n, "um2") != NULL, hm = myelin_yaml_get(n, "mm2") != NULL;
        if (hu == hm)
            return myelin_yaml_error(err, MYELIN_ESCHEMA, n,
                                     "%s: give the area in exactly one unit, um2: or mm2:", what);
        if (!ra.source[0])
            return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(n, "source"),
                                     "%s.source: expected a non-empty string", what);
        a->area[i].um2 = hu ? ra.um2 : ra.mm2 * 1e6;
        snprintf(a->area[i].source, sizeof a->area[i].source, "%s", ra.source);
        a->area[i].line = n->line;
        a->area[i].column = n->column;
    }
    a->has_area = 1;
    return 0;
}

static int parse(const myelin_yaml_doc *doc, myelin_arch *a, myelin_error *err)
{
    const myelin_yaml_node *root = doc->root;
    if (!root)
        return myelin_error_set(err, MYELIN_ESCHEMA, doc->file, 1, 1,
                                "empty architecture file (expected a mapping with name, array, "
                                "clock_mhz, core, noc, energy)");
    raw_top top;
    int rc = myelin_yaml_read_map(root, top_keys, N(top_keys), &top, "the architecture", err);
    if (rc)
        return rc;
    if (!top.name[0])
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(root, "name"),
                                 "name: expected a non-empty string");
    snprintf(a->name, sizeof a->name, "%s", top.name);
    if (!(top.clock_mhz > 0))
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(root, "clock_mhz"),
                                 "clock_mhz: expected a positive number");
    a->clock_hz = top.clock_mhz * 1e6;

    raw_array ra;
    const myelin_yaml_node *an = myelin_yaml_get(root, "array");
    if ((rc = in_ctx(myelin_yaml_read_map(an, array_keys, N(array_keys), &ra, "array", err), err, an,
                     "array")))
        return rc;
    a->rows = ra.rows;
    a->cols = ra.cols;

    const myelin_yaml_node *cn = myelin_yaml_get(root, "core");
    raw_core rcore;
    if ((rc = in_ctx(myelin_yaml_read_map(cn, core_keys, N(core_keys), &rcore, "core", err), err, cn,
                     "core")))
        return rc;
    raw_synmem rs;
    const myelin_yaml_node *sm = myelin_yaml_get(cn, "synapse_memory");
    if ((rc = in_ctx(myelin_yaml_read_map(sm, synmem_keys, N(synmem_keys), &rs, "core.synapse_memory",
                                          err), err, sm, "core.synapse_memory")))
        return rc;
    if (rs.word_bits % 8)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(sm, "word_bits"),
                                 "core.synapse_memory.word_bits: expected a multiple of 8 (a memory "
                                 "word is whole bytes; got %d)",
                                 rs.word_bits);
    a->core.neuron_capacity = rcore.neuron_capacity;
    a->core.membrane_memory_bytes = rcore.membrane_memory_bytes;
    a->core.accumulator_lanes = rcore.accumulator_lanes;
    a->core.synapse_memory_bytes = rs.bytes;
    a->core.synapse_word_bits = rs.word_bits;
    a->core.synapse_banks = rs.banks;
    uint64_t mask;
    if ((rc = read_widths(myelin_yaml_get(cn, "weight_bits"), "core.weight_bits", 1, 16, &mask, err)))
        return rc;
    a->core.weight_bits_mask = (uint32_t)mask;
    if ((rc = read_widths(myelin_yaml_get(cn, "membrane_bits"), "core.membrane_bits", 2, 32, &mask, err)))
        return rc;
    a->core.membrane_bits_mask = mask;

    raw_noc rn;
    const myelin_yaml_node *nn = myelin_yaml_get(root, "noc");
    if ((rc = in_ctx(myelin_yaml_read_map(nn, noc_keys, N(noc_keys), &rn, "noc", err), err, nn, "noc")))
        return rc;
    a->noc.hop_latency_cycles = rn.hop_latency_cycles;
    a->noc.link_width_bits = rn.link_width_bits;
    a->noc_multicast = rn.multicast;
    a->noc_buffer_flits = rn.buffer_flits;

    /* energy: every action required */
    myelin_yaml_key ekeys[MYELIN_ACT_COUNT];
    for (int i = 0; i < MYELIN_ACT_COUNT; i++)
        ekeys[i] = (myelin_yaml_key)SUB(action_names[i], MYELIN_YT_ANY, 1,
                                        "every action needs a price (0 allowed, with a source)");
    const myelin_yaml_node *en = myelin_yaml_get(root, "energy");
    if ((rc = myelin_yaml_read_map(en, ekeys, MYELIN_ACT_COUNT, NULL, "energy", err)))
        return rc;
    for (int i = 0; i < MYELIN_ACT_COUNT; i++)
        if ((rc = read_price(a, (myelin_action)i, myelin_yaml_get(en, action_names[i]), err)))
            return rc;

    const myelin_yaml_node *arn = myelin_yaml_get(root, "area");
    if (arn && (rc = read_area(a, arn, err)))
        return rc;

    /* cost models per layer kind */
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++)
        snprintf(a->cost_model[k], sizeof a->cost_model[k], "builtin");
    const myelin_yaml_node *cm = myelin_yaml_get(root, "cost_models");
    if (cm) {
        myelin_yaml_key kkeys[MYELIN_LAYER_KIND_COUNT];
        for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++)
            kkeys[k] = (myelin_yaml_key){.key = kind_names[k], .type = MYELIN_YT_STRING,
                                         .offset = (size_t)k * sizeof a->cost_model[0],
                                         .size = sizeof a->cost_model[0], .def_str = "builtin",
                                         .help = "a registered model name"};
        if ((rc = in_ctx(myelin_yaml_read_map(cm, kkeys, MYELIN_LAYER_KIND_COUNT, a->cost_model,
                                              "cost_models", err), err, cm, "cost_models")))
            return rc;
        for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++) {
            const myelin_yaml_node *v = myelin_yaml_get(cm, kind_names[k]);
            if (!v)
                continue;
            if (!a->cost_model[k][0])
                return myelin_yaml_error(err, MYELIN_ESCHEMA, v,
                                         "cost_models.%s: expected a model name", kind_names[k]);
            a->cost_model_line[k] = v->line;
            a->cost_model_column[k] = v->column;
        }
    }

    /* plugins, resolved against the file's folder */
    const myelin_yaml_node *pl = myelin_yaml_get(root, "plugins");
    for (size_t i = 0; pl && i < pl->n; i++) {
        const myelin_yaml_node *e = pl->items[i];
        if (a->n_plugins == MYELIN_ARCH_MAX_PLUGINS)
            return myelin_yaml_error(err, MYELIN_ESCHEMA, e, "plugins: at most %d plugins",
                                     MYELIN_ARCH_MAX_PLUGINS);
        if (e->kind != MYELIN_YAML_SCALAR || !e->scalar[0])
            return myelin_yaml_error(err, MYELIN_ESCHEMA, e,
                                     "plugins: expected the path of a shared object");
        int j = a->n_plugins++;
        if (myelin_path_join(a->dir, e->scalar, a->plugins[j], sizeof a->plugins[j]))
            return myelin_yaml_error(err, MYELIN_ESCHEMA, e, "plugins: path too long");
        a->plugin_line[j] = e->line;
        a->plugin_column[j] = e->column;
    }
    return 0;
}

static int finish(myelin_yaml_doc *doc, int rc, const char *source, myelin_arch **out,
                  myelin_error *err)
{
    if (rc)
        return rc;
    myelin_arch *a = calloc(1, sizeof *a);
    if (!a) {
        myelin_yaml_free(doc);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    }
    snprintf(a->source, sizeof a->source, "%s", source);
    myelin_path_dirname(source, a->dir, sizeof a->dir);
    rc = parse(doc, a, err);
    myelin_yaml_free(doc);
    if (rc) {
        free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int myelin_arch_load_string(const char *yaml_text, const char *source, myelin_arch **out,
                            myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (!source)
        source = "<string>";
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_string(yaml_text, source, &doc, err);
    return finish(doc, rc, source, out, err);
}

int myelin_arch_load(const char *path, myelin_arch **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_file(path, &doc, err);
    return finish(doc, rc, path, out, err);
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
    char tried[1200] = "", rel[MYELIN_PATH_MAX];
    if (!strchr(name_or_path, '/')) {
        snprintf(rel, sizeof rel, "arch/presets/%s.yaml", name_or_path);
        if (myelin_data_find(rel, out, n, tried, sizeof tried) == 0)
            return 0;
        return myelin_error_set(err, MYELIN_EMISSING, NULL, 0, 0,
                                "no architecture file or preset called '%s' (looked for %s; presets: "
                                "paper-45nm, loihi-like, generic-45nm; set MYELIN_DATADIR to the data folder)",
                                name_or_path, tried);
    }
    return myelin_error_set(err, MYELIN_EMISSING, name_or_path, 0, 0,
                            "architecture file not found");
}
