/* models/cost_internal.h — what the cost model's source files share (not installed, not part of
 * the public API): the full per-layer context the built-in models read, the built-in table, the
 * NoC geometry the evaluation needs, and report assembly.  Functions here are hidden from
 * libmyelin's dynamic symbol table.
 *
 * The cost model's files, one job each:
 *   cost.c          evaluation: runs each layer's model, applies the NoC bound, the longest path
 *   cost_builtin.c  the built-in counting models (the rules stated in cost.h)
 *   cost_registry.c the registry, plugin loading (ELF check, dlopen) and the plugin ABI's calls
 *   activity.c      activity: the statistical model, the `myelin run --json` reader, spike counts
 *   noc.c           NoC geometry: hops, multicast trees, packet format, serialization bound
 *   cost_price.c    pricing: counts x prices (the one place), report assembly
 *   cost_write.c    the report writer (table, CSV, JSON, Markdown, LaTeX) */
#ifndef MYELIN_MODELS_COST_INTERNAL_H
#define MYELIN_MODELS_COST_INTERNAL_H

#include <stdint.h>

#include "models/cost.h"

#define MYELIN_HIDDEN __attribute__((visibility("hidden")))

/* Everything the built-in models look at for one layer (pointers into the caller's objects; the
 * plugin ABI's myelin_cost_input carries the same as plain values). */
typedef struct myelin_cost_ctx {
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
    /* with arch->noc_multicast, the mean XY-tree edges per spike (one packet per spike, one copy
     * per link of the union of the routes to the consumer's cores, or its token slice's) */
    double tree_edges_x, tree_edges_y;
} myelin_cost_ctx;

typedef int (*myelin_cost_builtin_fn)(const myelin_cost_ctx *in, myelin_cost_counts *out,
                                      char *errbuf, size_t errlen);

/* cost_builtin.c: the built-in model of layer kind `kind` (a myelin_layer_kind), or NULL. */
MYELIN_HIDDEN myelin_cost_builtin_fn myelin_cost_builtin_of(int kind);
/* The description of the built-in model of `kind` (registry listings). */
MYELIN_HIDDEN const char *myelin_cost_builtin_description(int kind);

/* cost_registry.c: fills the plugin ABI's input from ctx (in->internal points at ctx). */
MYELIN_HIDDEN void myelin_cost_input_fill(myelin_cost_input *in, const myelin_cost_ctx *ctx);
/* Reports (once per registry entry, through the registry's warning handler, and into r's
 * warnings) a model from a plugin that counted no NoC action for a layer whose inputs arrive
 * over the NoC. */
MYELIN_HIDDEN void myelin_cost_registry_check_noc(const myelin_cost_registry *reg,
                                                  const myelin_cost_model *m,
                                                  const myelin_cost_ctx *ctx,
                                                  const myelin_cost_counts *counts,
                                                  myelin_cost_report *r);

/* noc.c */
MYELIN_HIDDEN int64_t myelin_noc_tensor_elems(const myelin_workload *wl, int producer);
MYELIN_HIDDEN int myelin_noc_source_hops(const myelin_workload *wl, const myelin_mapping *map,
                                         const myelin_activity *act, const myelin_arch *arch,
                                         int src, const myelin_layer_map *dst, int tree, double *hx,
                                         double *hy, myelin_error *err);
MYELIN_HIDDEN void myelin_noc_stream_producers(const myelin_workload *wl, const myelin_mapping *map,
                                               const myelin_activity *act, int src, double spikes,
                                               double *w, int depth);
MYELIN_HIDDEN int myelin_noc_bounds(const myelin_workload *wl, const myelin_mapping *map,
                                    const myelin_activity *act, const myelin_arch *arch, int flits,
                                    int only, double finish_only, int timesteps, double *link_free,
                                    double *send, double *recv, double *arrive, myelin_error *err);

/* cost_price.c */
MYELIN_HIDDEN myelin_cost_report *myelin_cost_report_new(const myelin_workload *wl,
                                                         const myelin_arch *arch,
                                                         const myelin_mapping *map,
                                                         myelin_error *err);
MYELIN_HIDDEN void myelin_cost_report_price(myelin_cost_report *r, const myelin_workload *wl,
                                            const myelin_arch *arch);

#endif
