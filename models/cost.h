/* models/cost.h — per-layer cost models: a registry keyed by layer kind, the built-in models, the
 * plugin ABI, activity (firing rates), and the report (action counts x prices, memory, cycles).
 * One header over several files, one job each (listed in models/cost_internal.h): cost.c
 * (evaluation), cost_builtin.c, cost_registry.c, activity.c, noc.c, cost_price.c, cost_write.c.
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
 *       NoC, at one flit per cycle per port and per link (flits per packet =
 *       myelin_noc_flits_per_packet), per timestep x T:
 *         the layer's OUTPUT fan-out: its spikes to every consumer (directly, or through pools and
 *         residual adds, so a residual producer feeds every later q, k, v, fc1 and the head),
 *         one packet per destination core (multicast tree: one per tree), through each producer
 *         core's injection port (spikes per core x destination cores x flits) and over the XY
 *         links: a row link carries the packets of the producer cores of its row on one side of
 *         it to destination columns on the other, a column link those for its column's
 *         destination cores on one side from every producer row on the other (dimension-ordered
 *         routing, producer cores sending equal shares; a token-sliced consumer gets 1/slices of
 *         them per core).  A producer core hands its packets over consumer by consumer in layer
 *         order and every link serves packets in the order they entered the network, producer
 *         after producer: consumer D has all of producer P's packets when P's packets to D and
 *         to the consumers before it have passed P's injection ports and every link they use,
 *         each link starting on P's packets when P has finished and the link has served the
 *         earlier producers' (so a big residual fan-out delays the later layers' traffic on the
 *         links it shares with them) — the SystemC mesh's discipline (sim/README.md).  A link
 *         keeps one reservation and serves in injection order, so it is done with P's packets
 *         not before the last of them has reached it: not before P's last core has injected
 *         them (its sequence up to the last consumer using the link), and a column link not
 *         before the row links that bring P's packets into its column are done with them (a
 *         packet that queued at a busy row link reserves the column link late, and the link
 *         idles until then: measured on Spikformer-8-768, loihi-like, a 5 M-flit-per-step column
 *         link held until cycle 101 M of the step);
 *         the layer's INPUT: the ejection port of each of its cores (every spike of its token
 *         slice, from every producer, x flits).
 *       A layer finishes no earlier than its inputs' arrival + T x mean hops x hop latency.
 *       With bounded buffers (noc.buffer_flits B > 0, credit back-pressure) each producer's
 *       per-step bound grows by max(0, (busiest link - injection port) / 2 - B) flits when its
 *       longest burst exceeds B: a burst queued at the busiest link behind the other cores'
 *       traffic (half of it on average) holds the links back to its injection port for its wait
 *       beyond the buffer, delaying the core's later bursts;
 *   leakage (priced in one place): leakage_core_cycles = layer cores x cycles of the whole inference
 *       (all layers stay resident; unused cores are assumed power-gated).
 *
 * Plugin ABI (version MYELIN_COST_ABI_VERSION = 2): a shared object exports
 *     const myelin_cost_model myelin_cost_plugin_v2;
 * whose abi_version must equal MYELIN_COST_ABI_VERSION.  The loader reads that descriptor's version
 * from the ELF file before dlopen (an ABI-1 plugin, which exports myelin_cost_plugin_v1, is refused
 * with an error saying to rebuild it: ABI 1 handed plugins the layouts of myelin_arch,
 * myelin_layer and the mapping), dlopen()s the path given in the architecture file's `plugins:`
 * list (relative paths resolved against that file's folder), and registers the model under its
 * name for its layer kind; `cost_models: {<kind>: <name>}` selects it.
 *
 * The count function receives a myelin_cost_input — plain values, no library struct layouts —
 * and fills a zeroed myelin_cost_counts; it returns 0, or non-zero with a message in errbuf.  Both
 * structs are append-only: fields are only ever added at their end (and actions only appended to
 * myelin_action), so a plugin built against an older header keeps working; one built against a
 * newer header checks MYELIN_COST_INPUT_HAS(in, field) before reading a field the loading library
 * may not have, and writes only count[a] for a < in->n_actions.  The ABI version is bumped only
 * when a field changes meaning or place.
 *
 * A plugin can start from the built-in model: myelin_cost_builtin(in, out, ...) fills out with the
 * built-in counts for in's layer (exported by libmyelin; plugins link it), which the plugin then
 * adjusts.  A plugin must account for every action class it replaces: when a plugin's model counts
 * no NoC action (spike_packet, router_hop_x/_y) for a layer whose inputs arrive over the NoC, the
 * evaluation warns (the registry's warning handler, once per model; and the report's warnings). */
#ifndef MYELIN_MODELS_COST_H
#define MYELIN_MODELS_COST_H

#include <stddef.h>
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

#define MYELIN_COST_ABI_VERSION 2
#define MYELIN_COST_PLUGIN_SYMBOL "myelin_cost_plugin_v2"
#define MYELIN_COST_PLUGIN_SYMBOL_V1 "myelin_cost_plugin_v1" /* refused: ABI 1 */

/* What a model returns: action counts (units in myelin_action's names; in->n_actions of them are
 * read), the synaptic operations it performed (reported separately from their price) and a cycle
 * estimate.  The array comes last so actions can be appended. */
typedef struct myelin_cost_counts {
    double synaptic_ops;
    double cycles;
    double count[MYELIN_ACT_COUNT];
} myelin_cost_counts;

/* Everything a cost model may look at for one layer, as plain values.  Read-only.  Append-only:
 * `size` is sizeof the struct the library filled; test fields added later with
 * MYELIN_COST_INPUT_HAS.  Strings and the `internal` pointer live for the call only. */
typedef struct myelin_cost_input {
    size_t size;       /* sizeof(myelin_cost_input) in the loading library */
    int abi_version;   /* MYELIN_COST_ABI_VERSION of the loading library */
    int n_actions;     /* MYELIN_ACT_COUNT of the loading library: count[] entries it reads */
    /* the layer (workloads/workload.h) */
    const char *layer_name; /* e.g. "block.0.mlp.fc1" */
    int layer_index;
    int layer_kind;         /* myelin_layer_kind */
    int n_inputs;           /* 1, 2 (ADD) or 3 (ATTN: q, k, v) */
    int input_is_image[3];  /* 1 when input j is the real-valued image (no NoC traffic) */
    int in_c, in_h, in_w;   /* shape of input 0 */
    int out_c, out_h, out_w;
    int c_in, c_out, kernel; /* synaptic layers: channels (features), kernel (3 CONV, 1 otherwise) */
    int real_input;         /* consumes the real-valued image (the first layer) */
    int has_lif;
    int heads, attn_order;  /* ATTN: heads, myelin_attn_order */
    int64_t neurons;        /* myelin_layer_neurons */
    int64_t dense_macs;     /* myelin_layer_dense_macs: per timestep */
    /* its quantization (workloads/qsetting.h) */
    int weight_bits;        /* 1..16, or MYELIN_BITS_FLOAT (0) */
    int membrane_bits;      /* 2..32, or MYELIN_BITS_FLOAT */
    int scheme;             /* myelin_scheme */
    int granularity;        /* myelin_granularity */
    /* its mapping (arch/mapper.h) */
    int cores;              /* 0 for MAXPOOL / ADD */
    int first_core;         /* raster index of the first core, -1 when none */
    int channels_per_core;
    int token_slices;
    /* the array (arch/arch.h) */
    int rows, cols;
    int accumulator_lanes;
    int synapse_word_bits, synapse_banks;
    int64_t synapse_bytes, neuron_capacity;
    int hop_latency_cycles, link_width_bits;
    int multicast;          /* myelin_multicast */
    int buffer_flits;       /* 0 = unbounded */
    int flits_per_packet;   /* myelin_noc_flits_per_packet */
    double clock_hz;
    /* activity */
    int timesteps;
    double rate_in[3];      /* input events per element per timestep, one per input */
    double rate_out;        /* output events (spikes) per neuron per timestep */
    int64_t in_elements[3]; /* elements of each input tensor */
    double mean_hops_x;     /* mean XY distance from the producers' cores to this layer's cores */
    double mean_hops_y;
    double tree_edges_x;    /* with multicast, mean XY-tree links per spike */
    double tree_edges_y;
    const void *internal;   /* the library's own view of the layer, for myelin_cost_builtin */
    /* append new fields here */
} myelin_cost_input;

/* 1 when the loading library filled `field` of *in (a field added after the plugin's header). */
#define MYELIN_COST_INPUT_HAS(in, field)                                                          \
    (offsetof(myelin_cost_input, field) + sizeof((in)->field) <= (in)->size)

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

/* The built-in model's counts for in's layer (the rules above), into a zeroed *out: what a plugin
 * starts from and adjusts.  in must be the input the library passed (it carries `internal`);
 * MYELIN_EUSAGE otherwise, with a message in errbuf.  0 ok. */
int myelin_cost_builtin(const myelin_cost_input *in, myelin_cost_counts *out, char *errbuf,
                        size_t errlen);

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

/* Where the evaluation's warnings about this registry's models go (a plugin that counts no NoC
 * action for a layer fed over the NoC; once per model): fn(user, message), message one line
 * without a newline.  Default: stderr, as "myelin: warning: MESSAGE".  fn NULL: nowhere (the
 * report's warnings still hold them). */
typedef void (*myelin_cost_warn_fn)(void *user, const char *message);
void myelin_cost_registry_on_warning(myelin_cost_registry *reg, myelin_cost_warn_fn fn, void *user);

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

/* The writer of the activity file above: the JSON that `myelin run --json` writes (what the
 * reader needs — per-layer "name" and "firing_rate" — plus the run's accuracy, spikes, events,
 * synaptic ops, saturation and drift per layer).  No timing, so the same run gives the same
 * bytes.  e and sum are the engine and the summary of its dataset run (sim/engine.h). */
struct myelin_engine;
struct myelin_engine_summary;
struct myelin_provenance;
typedef struct myelin_run_info {
    const char *weights;  /* how the weights were obtained: a path, "<embedded>", "random (seed S)" */
    const char *dataset;  /* the dataset spec */
    const char *quant;    /* the setting's path, or "float" */
    int input_bits;
    int drift;            /* the run measured drift (sum->drift) */
    const struct myelin_provenance *provenance; /* written first as "provenance" (base/report.h); NULL: none */
} myelin_run_info;
/* *out (malloc'ed, NUL-terminated, *len bytes without the NUL) holds the JSON. */
int myelin_activity_run_json(const myelin_workload *wl, const struct myelin_engine *e,
                             const struct myelin_engine_summary *sum, const myelin_run_info *info,
                             char **out, size_t *len, myelin_error *err);

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
    double finish_cycles; /* myelin_cost_evaluate: the cycle of the inference (from the image's
                             start, barriers excluded) the layer has finished its last timestep
                             in the longest-path schedule; 0 in reports built from counts */
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
    char warnings[4096]; /* the evaluation's warnings, one per line ("" when none; those that
                          * do not fit are dropped) */
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
