/* arch/arch.h — the hardware: a core-array YAML parsed into a validated, immutable description with
 * its energy reference table (a price per action, each with its source).
 *
 * File format (every key below is required unless marked optional; unknown keys are errors):
 *
 *   name: generic-45nm
 *   description: "free text"                 # optional
 *   array: {rows: 16, cols: 16}              # 2-D mesh, 1..4096 each
 *   clock_mhz: 200                           # > 0
 *   core:
 *     neuron_capacity: 4096                  # LIF neurons a core updates
 *     synapse_memory: {bytes: 65536, word_bits: 64, banks: 4}
 *     membrane_memory_bytes: 16384           # neurons x membrane bits must fit
 *     accumulator_lanes: 16                  # synaptic accumulates per cycle
 *     weight_bits: [float, 1, 2, 4, 8]       # supported weight widths (1..16 or "float")
 *     membrane_bits: [float, 16]             # supported membrane widths (2..32 or "float")
 *   noc: {routing: xy, hop_latency_cycles: 1, link_width_bits: 32,
 *         multicast: none, buffer_flits: 0}  # optional: none | tree; 0 = unbounded buffers
 *   energy:                                  # one entry per action of myelin_action, all required
 *     synaptic_op: {pj: 0.9, source: "Horowitz ISSCC 2014"}
 *     leakage_core_cycles: {mw: 0.05, source: "..."}   # power per core; converted with the clock
 *     ...
 *   cost_models: {linear: example-linear}    # optional: model name per layer kind (default "builtin")
 *   plugins: [../plugins/x.so]               # optional: shared objects, relative to this file's folder
 *
 * Prices must carry their unit in the key: pj, fj or nj per counted unit (leakage may instead give
 * mw or uw per core).  A bare number, or a mapping without a unit key, is an error.  Every error
 * names file:line:column. */
#ifndef MYELIN_ARCH_ARCH_H
#define MYELIN_ARCH_ARCH_H

#include <stdint.h>

#include "base/error.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The actions a cost model counts.  Each count has the unit in its name; the price of an action
 * is in pJ per unit of its count.  Presets price every action and zero the ones their accounting
 * does not use (with a source saying so), so counts stay model-independent. */
typedef enum myelin_action {
    MYELIN_ACT_MAC_REAL = 0,         /* mac_real: multiply-accumulates of the real-valued first layer */
    MYELIN_ACT_SYNAPTIC_OP,          /* synaptic_op: one synaptic event, any precision (op-count view) */
    MYELIN_ACT_ADD_INT_BITS,         /* add_int_bits: integer accumulates x accumulator bits */
    MYELIN_ACT_ADD_FLOAT,            /* add_float: float accumulates (float membranes) */
    MYELIN_ACT_SHIFT_ADD_BITS,       /* shift_add_bits: power-of-two shift-accumulates x acc. bits */
    MYELIN_ACT_SRAM_READ_BITS,       /* sram_read_bits: synapse-memory bits read */
    MYELIN_ACT_MEMBRANE_RW_BITS,     /* membrane_rw_bits: membrane-memory bits read + written */
    MYELIN_ACT_NEURON_UPDATE_ACTIVE, /* neuron_update_active: LIF updates that fire */
    MYELIN_ACT_NEURON_UPDATE_IDLE,   /* neuron_update_idle: LIF updates that do not fire */
    MYELIN_ACT_SPIKE_PACKET,         /* spike_packet: packets injected into the NoC */
    MYELIN_ACT_ROUTER_HOP_X,         /* router_hop_x: packet hops east-west */
    MYELIN_ACT_ROUTER_HOP_Y,         /* router_hop_y: packet hops north-south */
    MYELIN_ACT_LEAKAGE_CORE_CYCLES,  /* leakage_core_cycles: used cores x cycles of the inference */
    MYELIN_ACT_COUNT
} myelin_action;

/* Components the report groups actions into. */
typedef enum myelin_component {
    MYELIN_COMP_COMPUTE = 0, /* mac_real, synaptic_op, add_*, shift_add_bits */
    MYELIN_COMP_SYNAPSE_MEM, /* sram_read_bits */
    MYELIN_COMP_NEURON,      /* neuron updates, membrane_rw_bits */
    MYELIN_COMP_NOC,         /* spike packets, hops */
    MYELIN_COMP_LEAKAGE,     /* leakage_core_cycles */
    MYELIN_COMP_COUNT
} myelin_component;

/* "mac_real", ...; NULL out of range. */
const char *myelin_action_name(myelin_action a);
/* "compute", "synapse_mem", "neuron", "noc", "leakage"; NULL out of range. */
const char *myelin_component_name(myelin_component c);
/* The component an action belongs to. */
myelin_component myelin_action_component(myelin_action a);

typedef struct myelin_price {
    double pj;          /* pJ per unit of the action's count (leakage: per core per cycle) */
    char source[256];   /* provenance, never empty */
    int line, column;   /* where the entry is in the file */
} myelin_price;

#define MYELIN_ARCH_MAX_PLUGINS 8
#define MYELIN_BITS_MASK_FLOAT 1u /* bit 0 of a widths mask: float supported; bit b: b bits */

typedef struct myelin_core_spec {
    int64_t neuron_capacity;
    int64_t synapse_memory_bytes;
    int synapse_word_bits;
    int synapse_banks;
    int64_t membrane_memory_bytes;
    int accumulator_lanes;
    uint32_t weight_bits_mask;   /* bit 0 float, bit b (1..16) b-bit weights */
    uint64_t membrane_bits_mask; /* bit 0 float, bit b (2..32) b-bit membranes */
} myelin_core_spec;

typedef struct myelin_noc_spec {
    int hop_latency_cycles;
    int link_width_bits; /* routing is dimension-ordered XY, the only one supported */
} myelin_noc_spec;

/* Area per component (Accelergy's ART style: an area per unit, each with a source).  Optional in
 * the file (`area:`); when given, every entry is required, in um2 or mm2:
 *   area:
 *     sram_bit: {um2: 0.58, source: "..."}          # per bit of synapse and membrane SRAM
 *     accumulator_lane: {um2: 470, source: "..."}   # one lane: adder + accumulator register
 *     core_logic: {um2: 20000, source: "..."}       # per core: neuron update, control, spike I/O
 *     router: {um2: 30000, source: "..."}           # per router: crossbar, arbiters (no buffers)
 *     buffer_bit: {um2: 6, source: "..."}           # per bit of router input buffers
 * A router buffers 5 ports x depth x link_width_bits: depth = noc.buffer_flits, or, when the
 * buffers are unbounded (0), MYELIN_AREA_BUFFER_FLITS flits per port. */
typedef enum myelin_area_item {
    MYELIN_AREA_SRAM_BIT = 0,
    MYELIN_AREA_ACCUMULATOR_LANE,
    MYELIN_AREA_CORE_LOGIC,
    MYELIN_AREA_ROUTER,
    MYELIN_AREA_BUFFER_BIT,
    MYELIN_AREA_ITEM_COUNT
} myelin_area_item;

/* What myelin_arch_area_mm2 reports area in. */
typedef enum myelin_area_comp {
    MYELIN_AREA_SYNAPSE_MEM = 0, /* synapse SRAM */
    MYELIN_AREA_MEMBRANE_MEM,    /* membrane SRAM */
    MYELIN_AREA_LOGIC,           /* accumulator lanes + core logic */
    MYELIN_AREA_NOC,             /* router + its buffers */
    MYELIN_AREA_COMP_COUNT
} myelin_area_comp;

#define MYELIN_AREA_BUFFER_FLITS 4

typedef struct myelin_area_price {
    double um2;        /* per unit */
    char source[256];
    int line, column;
} myelin_area_price;

/* "sram_bit", ...; NULL out of range. */
const char *myelin_area_item_name(myelin_area_item i);
/* "synapse_mem", "membrane_mem", "logic", "noc"; NULL out of range. */
const char *myelin_area_comp_name(myelin_area_comp c);

typedef struct myelin_arch {
    char name[MYELIN_NAME_MAX];
    char source[MYELIN_PATH_MAX]; /* the file it came from */
    char dir[MYELIN_PATH_MAX];    /* its folder: plugin paths are resolved against it */
    int rows, cols;
    double clock_hz;
    myelin_core_spec core;
    myelin_noc_spec noc;
    myelin_price prices[MYELIN_ACT_COUNT];
    char cost_model[MYELIN_LAYER_KIND_COUNT][MYELIN_NAME_MAX]; /* "builtin" unless chosen */
    int cost_model_line[MYELIN_LAYER_KIND_COUNT];              /* 0 when defaulted */
    int cost_model_column[MYELIN_LAYER_KIND_COUNT];
    int n_plugins;
    char plugins[MYELIN_ARCH_MAX_PLUGINS][MYELIN_PATH_MAX]; /* resolved paths */
    int plugin_line[MYELIN_ARCH_MAX_PLUGINS], plugin_column[MYELIN_ARCH_MAX_PLUGINS];
    /* (plugins see none of this layout since cost-model ABI 2: models/cost.h myelin_cost_input) */
    int has_area;                                   /* 0: the file gives no area */
    myelin_area_price area[MYELIN_AREA_ITEM_COUNT];
    /* noc.multicast: none (a spike for D cores is injected D times) or tree (XY-tree multicast:
     * one copy per link of the union of the XY routes to a consumer's cores); default none */
    int noc_multicast;
    /* noc.buffer_flits: input-buffer depth per router port in flits, credit-based back-pressure
     * (0, the default: unbounded) */
    int noc_buffer_flits;
} myelin_arch;

enum { MYELIN_MULTICAST_NONE = 0, MYELIN_MULTICAST_TREE = 1 };

/* Loads and validates an architecture file.  Errors (syntax, unknown or missing keys, values out
 * of range, prices without units, unsupported bit widths) name file:line:column. */
int myelin_arch_load(const char *path, myelin_arch **out, myelin_error *err);

/* Same from text; `source` names it in errors and its folder resolves plugin paths. */
int myelin_arch_load_string(const char *yaml_text, const char *source, myelin_arch **out,
                            myelin_error *err);

void myelin_arch_free(myelin_arch *arch);

/* Resolves an --arch argument into a file path: an existing file is taken as is; otherwise a
 * preset name is looked up as arch/presets/<name>.yaml in the data folders (myelin_data_find in
 * base/util.h: $MYELIN_DATADIR, the installed data folder, the source tree, ".").
 * MYELIN_EMISSING lists where it looked. */
int myelin_arch_resolve(const char *name_or_path, char *out, size_t n, myelin_error *err);

/* Area of `cores` cores (each with its router) in mm2 per component into mm2[MYELIN_AREA_COMP_COUNT]
 * (may be NULL); returns the total (0 when the file gives no area). */
double myelin_arch_area_mm2(const myelin_arch *arch, int64_t cores, double *mm2);

/* 1 when the core supports `bits` weights (MYELIN_BITS_FLOAT = 0 for float). */
int myelin_arch_weight_bits_ok(const myelin_arch *arch, int bits);
/* 1 when the core supports `bits` membranes. */
int myelin_arch_membrane_bits_ok(const myelin_arch *arch, int bits);

#ifdef __cplusplus
}
#endif
#endif
