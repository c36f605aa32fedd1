/* models/cost.h — per-layer cost models: a registry keyed by layer kind, the built-in models, the
 * plugin ABI, activity (firing rates), and the report (action counts x prices, memory, cycles).
 *
 * Counts and prices are kept apart (as Accelergy does): a cost model only turns (layer, its
 * quantization, its activity, its mapping, the array) into action counts (arch/arch.h
 * myelin_action); myelin_cost_evaluate multiplies them by the array's prices in one place.
 *
 * Built-in counting rules (rate_in = input events per input element per timestep; T timesteps):
 *   real-valued first layer (layer->real_input): mac_real = dense MACs, counted ONCE per inference
 *       (the image is the same every timestep; the papers' FL^1 convention and what the engine does);
 *   other CONV / LINEAR / HEAD: synaptic_op = rate_in x T x dense MACs (the SViT papers' "SOP =
 *       firing rate x T x FLOPs"; for the head too); sram_read_bits = synaptic_op x weight width
 *       (every event reads its weights, packed in words); one accumulate per synaptic op:
 *       add_float (float membranes), shift_add_bits (pot weights) or add_int_bits, x membrane width;
 *   ATTN (spike.spike products): Q (K^T V) per head, event-driven on K spikes then on Q spikes:
 *       synaptic_op = T x heads x N x (D/heads)^2 x (rate_k + rate_q), i.e. rate x T x dense MACs when
 *       the rates are equal; sram_read_bits: 1 bit of V per K event product, one membrane-width
 *       entry of K^T V per Q event product;
 *   LIF layers: neuron updates = neurons x T, of which rate_out x neurons x T fire (active);
 *       membrane_rw_bits = updates x 2 x membrane width;
 *   NoC: every input event is sent to each core holding its tokens: spike_packet = events_in x
 *       cores / token slices (CONV, LINEAR; attention mixes tokens: all its cores); with
 *       noc.multicast tree, ONE packet per input event, and router hops = events x the mean
 *       number of links of the XY tree from the producer core to those cores (x and y apart),
 *       router hops = packets x mean XY distance from the producer's cores (x and y apart; a
 *       MAXPOOL/ADD stream comes from its inputs' cores, weighted by the spikes each contributes,
 *       so a residual stream counts every block that fed it); the image comes from outside the
 *       array (no packets);
 *   MAXPOOL / ADD: no cost of their own; they merge spike streams on the way into their consumer,
 *       whose input rate includes them;
 *   cycles = max(compute, NoC) + T x mean hops x hop latency, with
 *       compute = (synaptic ops + MACs + neuron updates) / (cores x accumulator lanes) (the model's
 *       own estimate; myelin_cost_evaluate then applies the NoC bound to every model's cycles,
 *       plugins included, as max(model cycles, NoC + hop term));
 *       NoC = T x the busiest of, per timestep, at one flit per cycle per port and per link (no
 *       multicast, flits per packet = myelin_noc_flits_per_packet):
 *         the layer's OUTPUT fan-out: its spikes to every consumer (directly, or through pools and
 *         residual adds, so a residual producer pays for every later q, k, v, fc1 and the head),
 *         one packet per destination core, through each producer core's injection port
 *         (spikes per core x destination cores x flits) and over the XY links: a row link carries
 *         the packets of the producer cores of its row on one side of it to destination columns on
 *         the other, a column link those for its column's destination cores on one side from every
 *         producer row on the other (dimension-ordered routing, producer cores sending equal shares;
 *         a token-sliced consumer gets 1/slices of them per core);
 *         the layer's INPUT: the ejection port of each of its cores (every spike of its token
 *         slice, from every producer, x flits).
 *       With bounded buffers (noc.buffer_flits B > 0, credit back-pressure) each producer's
 *       per-step bound grows by max(0, (busiest link - injection port) / 2 - B) flits when its
 *       longest burst exceeds B: a burst queued at the busiest link behind the other cores'
 *       traffic (half of it on average) holds the links back to its injection port for its wait
 *       beyond the buffer, delaying the core's later bursts;
 *       A producer's fan-out is charged to the producer: its packets leave after its LIF phase and
 *       the links are granted in injection order, so its first consumer waits for about the whole
 *       fan-out (the SystemC model agrees within 0.8-1.3x on the ImageNet models, see README);
 *   leakage (priced in one place): leakage_core_cycles = layer cores x cycles of the whole inference
 *       (all layers stay resident; unused cores are assumed power-gated).
 *
 * Plugin ABI (version MYELIN_COST_ABI_VERSION): a shared object exports
 *     const myelin_cost_model myelin_cost_plugin_v1;
 * whose abi_version must equal MYELIN_COST_ABI_VERSION.  The loader dlopen()s the path given in
 * the architecture file's `plugins:` list, dlsym()s that symbol, checks the version, and registers
 * the model under its name for its layer kind; `cost_models: {<kind>: <name>}` selects it.  The
 * count function receives a myelin_cost_input and fills a zeroed myelin_cost_counts; it returns 0,
 * or non-zero with a message in errbuf.  The version is bumped whenever myelin_cost_input,
 * myelin_cost_counts, myelin_cost_model, myelin_layer, myelin_layer_quant, myelin_layer_map or
 * myelin_arch change layout. */
#ifndef MYELIN_MODELS_COST_H
#define MYELIN_MODELS_COST_H

#include <stdint.h>
#include <stdio.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/error.h"
#include "base/report.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MYELIN_COST_ABI_VERSION 1
#define MYELIN_COST_PLUGIN_SYMBOL "myelin_cost_plugin_v1"

/* Everything a cost model may look at for one layer.  Read-only. */
typedef struct myelin_cost_input {
    const myelin_workload *workload;
    int layer_index;
    const myelin_layer *layer;
    const myelin_layer_quant *quant;
    const myelin_layer_map *map;
    const myelin_arch *arch;
    int timesteps;
    double rate_in[3];      /* input events per element per timestep, one per input */
    double rate_out;        /* output events (spikes) per neuron per timestep */
    int64_t in_elements[3]; /* elements of each input tensor */
    double mean_hops_x;     /* mean XY distance from the producers' cores to this layer's cores */
    double mean_hops_y;
    /* appended (plugins built against the first layout never read past mean_hops_y): with
     * arch->noc_multicast, the mean XY-tree edges per spike (one packet per spike, one copy per
     * link of the union of the routes to the consumer's cores, or its token slice's) */
    double tree_edges_x, tree_edges_y;
} myelin_cost_input;

/* What a model returns: action counts (units in myelin_action's names), the synaptic operations it
 * performed (reported separately from their price) and a cycle estimate. */
typedef struct myelin_cost_counts {
    double count[MYELIN_ACT_COUNT];
    double synaptic_ops;
    double cycles;
} myelin_cost_counts;

typedef int (*myelin_cost_count_fn)(const myelin_cost_input *in, myelin_cost_counts *out,
                                    char *errbuf, size_t errlen);

/* A cost-model descriptor: built-ins are a const table of these; a plugin exports one. */
typedef struct myelin_cost_model {
    int abi_version;              /* MYELIN_COST_ABI_VERSION */
    const char *name;             /* unique per layer kind, e.g. "builtin", "example-linear" */
    int layer_kind;               /* a myelin_layer_kind */
    const char *description;
    myelin_cost_count_fn count;
} myelin_cost_model;

/* ---- registry -------------------------------------------------------------------------------- */

typedef struct myelin_cost_registry myelin_cost_registry;

/* A registry holding the built-in model of every layer kind. */
int myelin_cost_registry_new(myelin_cost_registry **out, myelin_error *err);

/* dlopen()s `path`, checks the descriptor and adds (or, for an existing name and kind, replaces)
 * its model.  Errors: MYELIN_EMISSING (file absent or symbol missing; dlerror text included),
 * MYELIN_EUNSUPPORTED (ABI version mismatch), MYELIN_ESCHEMA (bad descriptor). */
int myelin_cost_registry_load_plugin(myelin_cost_registry *reg, const char *path, myelin_error *err);

/* Adds a model from memory (tests, embedders); same checks as a plugin. */
int myelin_cost_registry_add(myelin_cost_registry *reg, const myelin_cost_model *model,
                             myelin_error *err);

/* The model called `name` for `kind`, or NULL. */
const myelin_cost_model *myelin_cost_registry_find(const myelin_cost_registry *reg, int kind,
                                                   const char *name);

/* Loads the architecture's plugins into reg, then checks that every cost_models choice exists. */
int myelin_cost_registry_configure(myelin_cost_registry *reg, const myelin_arch *arch,
                                   myelin_error *err);

void myelin_cost_registry_free(myelin_cost_registry *reg);

/* ---- activity -------------------------------------------------------------------------------- */

/* Firing rates per layer: output events per output element per timestep (spikes per neuron for
 * LIF layers; for ADD the mean value, i.e. the sum of its inputs' rates).
 *
 * The statistical activity model (one definition, used by myelin cost and myelin sim alike):
 * rates are given per spiking layer's output (the workload's firing_rates, or --rate R for every
 * spiking layer), optionally per max pool (a measured rate); every other output is derived from its
 * inputs' value distributions, assumed independent: ADD = the convolution of its inputs (rate =
 * the sum), MAXPOOL 3x3/2 = the max over each window's in-bounds elements, P(max <= v) = F(v)^k,
 * averaged over positions (0.15 -> about 0.77), HEAD 0.  The same derivation fills the pools and
 * adds that a measured activity lacks. */
typedef struct myelin_activity {
    int n_layers;
    double *rate;
    char source[256]; /* how the rates were obtained, printed in reports */
} myelin_activity;

/* Rates from the workload's statistical firing rates (layer->firing_rate of spiking layers and of
 * the pools it names; the rest derived), or every spiking layer at `uniform_rate` when it is >= 0
 * (pools and adds derived). */
int myelin_activity_from_workload(const myelin_workload *wl, double uniform_rate,
                                  myelin_activity *out, myelin_error *err);

/* Rates measured by an engine run: the JSON that `myelin run --json` writes (its "layers" list
 * with "name" and "firing_rate"); layers without a rate (ADD, MAXPOOL) are derived by the activity
 * model above.  Every LIF layer of wl must be present. */
int myelin_activity_load_json(const char *path, const myelin_workload *wl, myelin_activity *out,
                              myelin_error *err);
/* The same from text in memory (`source` names it in errors).  Read by base/json's strict parser:
 * errors carry line:column; a rate must be finite and between 0 and its bound (1 for a LIF layer;
 * for ADD the sum, for MAXPOOL the largest, of its inputs' bounds); unknown and repeated layers
 * are refused. */
int myelin_activity_parse_json(const char *text, size_t len, const char *source,
                               const myelin_workload *wl, myelin_activity *out, myelin_error *err);

/* Rates from spike counts summed over `images` images: spikes[n_layers][T] as the engine's
 * myelin_engine_summary (or the SystemC model) counts them; LIF layers get spikes / (images x T x
 * neurons), MAXPOOL and ADD output values / (images x T x elements), as the engine counts them
 * (the sum of their output values) and `myelin run --json` writes them.  `source` is recorded. */
int myelin_activity_from_spikes(const myelin_workload *wl, const int64_t *spikes, int64_t images,
                                const char *source, myelin_activity *out, myelin_error *err);

void myelin_activity_free(myelin_activity *a);

/* ---- NoC packets ----------------------------------------------------------------------------- */

/* Bits of one spike packet: destination column and row, and the source neuron's index in the
 * largest tensor any layer outputs: bits_for(cols) + bits_for(rows) + bits_for(max elements), with
 * bits_for(n) = ceil(log2 n), at least 1.  The one definition (the SystemC model's format). */
int myelin_noc_packet_bits(const myelin_workload *wl, const myelin_arch *arch);

/* Flits a packet occupies: ceil(packet bits / link_width_bits). */
int myelin_noc_flits_per_packet(const myelin_workload *wl, const myelin_arch *arch);

/* ---- evaluation and report ------------------------------------------------------------------- */

typedef struct myelin_layer_cost {
    char model[MYELIN_NAME_MAX];
    myelin_cost_counts counts;
    double energy_pj[MYELIN_ACT_COUNT];
    double component_pj[MYELIN_COMP_COUNT];
    double total_pj;
    myelin_layer_memory memory;
    int cores;
    double neuron_util;  /* from the mapping: neurons / (cores x neuron capacity); 0 without cores */
    double synapse_util; /* synapse bits / (cores x synapse memory bits) */
    double rate_in; /* rate of the first input, as used */
    double noc_cycles; /* NoC serialization bound of the inference (T x busiest port/link per step) */
} myelin_layer_cost;

typedef struct myelin_cost_report {
    int n_layers;
    myelin_layer_cost *layers;
    myelin_layer_cost total; /* sums (model is "") */
    int cores_used, cores_total;
    double inference_cycles;
    double latency_s;
    char workload[MYELIN_NAME_MAX];
    char arch[MYELIN_NAME_MAX];
    char activity[256];
    int timesteps;
    /* area (arch.h; 0 when the architecture gives none): the whole array and its used cores */
    double area_mm2[MYELIN_AREA_COMP_COUNT], area_total_mm2;
    double area_used_mm2;
} myelin_cost_report;

/* Runs each layer's model (the arch's choice for its kind), prices the counts, sums memory,
 * cycles and leakage.  The report is self-contained (no pointers into the inputs). */
int myelin_cost_evaluate(const myelin_workload *wl, const myelin_layer_quant *lq,
                         const myelin_activity *act, const myelin_arch *arch,
                         const myelin_mapping *map, const myelin_cost_registry *reg,
                         myelin_cost_report **out, myelin_error *err);

/* Prices counts (every action, leakage included as counted) with the array's prices: returns the
 * total in pJ and, when energy_pj is not NULL, fills energy_pj[MYELIN_ACT_COUNT]. */
double myelin_cost_price(const myelin_arch *arch, const myelin_cost_counts *counts,
                         double *energy_pj);

/* A report from action counts measured elsewhere (the SystemC model): counts[n_layers] per
 * inference (leakage ignored: it is added here as layer cores x inference_cycles), priced by the
 * same code as myelin_cost_evaluate.  rate_in (optional) fills the rate_in column; `model` names
 * the source of the counts in the model column, `activity` the caption's activity. */
int myelin_cost_report_from_counts(const myelin_workload *wl, const myelin_layer_quant *lq,
                                   const myelin_arch *arch, const myelin_mapping *map,
                                   const myelin_cost_counts *counts, const double *rate_in,
                                   double inference_cycles, const char *model, const char *activity,
                                   myelin_cost_report **out, myelin_error *err);

void myelin_cost_report_free(myelin_cost_report *r);

typedef enum myelin_cost_format {
    MYELIN_COST_TABLE = 0, /* aligned terminal table (energies in uJ) */
    MYELIN_COST_CSV,       /* energies in pJ, full precision */
    MYELIN_COST_JSON,      /* energies in pJ, full precision, with every action count */
    MYELIN_COST_MARKDOWN,  /* energies in uJ */
    MYELIN_COST_LATEX      /* booktabs tabular, energies in uJ */
} myelin_cost_format;

/* "table", "csv", "json", "markdown", "latex" -> format; -1 when unknown. */
int myelin_cost_format_parse(const char *s);

/* The report as a table of the report module (base/report.h): one row per layer and the total,
 * energies by component in pJ for csv and json (full precision; json adds every action's count
 * and energy), in uJ otherwise; caption and provenance name the workload, arch and activity (a
 * caller with more to say replaces the provenance).  NULL when out of memory or when wl does not
 * match the report.  Free with myelin_report_free. */
myelin_report *myelin_cost_report_table(const myelin_cost_report *r, const myelin_workload *wl,
                                        int fmt);

/* Writes the report (per layer, per component, totals) to f.  wl names the layers' kinds. */
int myelin_cost_report_write(const myelin_cost_report *r, const myelin_workload *wl,
                             myelin_cost_format fmt, FILE *f, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
