/* arch/mapper.h — places each layer's neurons and synapses on the cores of an array, and the
 * storage model (weight, scale, bias and membrane bits) the placement is based on.
 *
 * Storage model (what the synapse and membrane memories hold):
 *   weight bits   = weights (myelin_layer_weight_count) x weight bits (float: 32);
 *   bias/BN bits  = (parameters - weights) x weight bits: biases and the BN affine pair, stored at
 *                   the weight width, so that "memory = weight bits x parameters" holds (the
 *                   paper convention: Spikformer-8-384 at float = 16.81 M x 32 bit);
 *   scale bits    = 32 per output channel (per-channel granularity) or 32 per tensor, only when
 *                   the weights are quantized — reported separately, never hidden;
 *   membrane bits = neurons x membrane bits (float: 32).
 *
 * Placement: one layer per core (cores are not shared between layers).  A synaptic layer is split
 * by output channel; each core holds whole channels (all their weights, bias and scale) and their
 * neurons (channel = its tokens).  When one channel's neurons exceed a core's neuron capacity (or
 * its membrane memory), the channel's tokens are split over several cores, each holding a copy of
 * the channel's weights.  ATTN layers (no weights) are split by neurons the same way.  MAXPOOL and
 * ADD use no cores: they merge spike streams on the way into their consumer.  Layers take
 * consecutive cores in raster order (row-major), in graph order; the placement is deterministic. */
#ifndef MYELIN_ARCH_MAPPER_H
#define MYELIN_ARCH_MAPPER_H

#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Storage of one layer, in bits. */
typedef struct myelin_layer_memory {
    int64_t weight_bits;   /* weights x weight width */
    int64_t bias_bits;     /* (params - weights) x weight width */
    int64_t scale_bits;    /* 32-bit quantization scales (0 at float) */
    int64_t membrane_bits; /* neurons x membrane width */
} myelin_layer_memory;

/* Width in bits a precision occupies: bits, or 32 for MYELIN_BITS_FLOAT. */
int myelin_storage_bits(int bits);

/* Storage of `layer` at precision `q` (q may be NULL for layers without weights/membranes). */
myelin_layer_memory myelin_layer_memory_of(const myelin_layer *layer, const myelin_layer_quant *q);

typedef struct myelin_layer_map {
    int cores;              /* cores used (0 for MAXPOOL/ADD) */
    int first_core;         /* raster index (row * cols + col) of the first core; -1 when none */
    int channels_per_core;  /* output channels a core holds (1 when tokens are split) */
    int token_slices;       /* cores a channel's tokens are spread over (1 = not split) */
    int64_t neurons;        /* neurons placed (LIF neurons, or output accumulators of the head) */
    int64_t synapse_bits;   /* weight + bias + scale bits stored, copies included */
    double neuron_util;     /* neurons / (cores x neuron capacity) */
    double synapse_util;    /* synapse_bits / (cores x synapse memory bits) */
} myelin_layer_map;

typedef struct myelin_mapping {
    int n_layers;
    myelin_layer_map *layers;
    int cores_used;
    int cores_total;
} myelin_mapping;

/* Maps every layer of `wl` at precisions `lq` (wl->n_layers entries) onto `arch`.
 * Fails with MYELIN_EUNSUPPORTED when a layer's weight or membrane width is not supported by the
 * core, and MYELIN_EFIT when one channel cannot fit a core or the array runs out of cores; the
 * message names the layer, what it needs and what the array offers. */
int myelin_map(const myelin_workload *wl, const myelin_layer_quant *lq, const myelin_arch *arch,
               myelin_mapping **out, myelin_error *err);

void myelin_mapping_free(myelin_mapping *m);

/* Mean XY hop counts (x and y separately) between every core of `a` and every core of `b`
 * (a packet from each core of a to each core of b); 0 when either is NULL or has no cores.
 * Returns 0, or MYELIN_ENOMEM. */
int myelin_mapping_mean_hops(const myelin_arch *arch, const myelin_layer_map *a,
                             const myelin_layer_map *b, double *hops_x, double *hops_y,
                             myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
