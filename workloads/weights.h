/* workloads/weights.h — a workload's float parameters: loaded from a Spikformer state_dict in
 * safetensors (both the ImageNet *_conv and the CIFAR *_linear naming), validated against the
 * graph, BatchNorm folded in (eps 1e-5), laid out for event-driven scatter; or seeded random.
 *
 * Layout ("scatter layout"): for a synaptic layer with kernel k, w[((ky*k + kx)*c_in + ci)*c_out + co]
 * so that one input event (y, x, ci) adds a contiguous run of c_out weights per kernel tap.
 * PyTorch's conv weight [co][ci][ky][kx], linear [out][in] and Conv1d [out][in][1] map onto it.
 * Folding: s = gamma / sqrt(running_var + 1e-5); w' = w*s; b' = (b - running_mean)*s + beta,
 * computed in double. */
#ifndef MYELIN_WORKLOADS_WEIGHTS_H
#define MYELIN_WORKLOADS_WEIGHTS_H

#include <stdint.h>

#include "base/error.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_layer_weights {
    int c_in, c_out, kernel;
    double *w;        /* kernel*kernel*c_in*c_out, scatter layout, BN folded; NULL once released */
    double *b;        /* c_out (zeros when the layer has neither bias nor BN) */
} myelin_layer_weights;

typedef struct myelin_weights myelin_weights; /* opaque */

/* Loads `path` (safetensors) for the graph.  Every tensor the graph needs must be present with
 * the right shape (errors name the file and the tensor, and the expected vs found shape);
 * F32, F16, BF16 and F64 are accepted; num_batches_tracked, norm1/norm2 and other unused tensors
 * are ignored. */
int myelin_weights_load(const myelin_workload *wl, const char *path, myelin_weights **out,
                        myelin_error *err);
/* Same from a safetensors memory image; `source` names it in errors. */
int myelin_weights_load_memory(const myelin_workload *wl, const void *bytes, size_t len,
                               const char *source, myelin_weights **out, myelin_error *err);

/* Seeded random weights (Kaiming-uniform with gain 6 and biases U(-0.5, 1) standing in for folded BN, so the network spikes; head gain 1) for weightless workloads and
 * benchmarks.  Same seed, same weights. */
int myelin_weights_random(const myelin_workload *wl, uint64_t seed, myelin_weights **out,
                          myelin_error *err);

/* Parameters of layer `index` (NULL for layers without weights). */
const myelin_layer_weights *myelin_weights_layer(const myelin_weights *w, int index);

/* Writes the weights back as a safetensors state_dict with the workload's naming (BN folded:
 * no *_bn tensors; every synaptic layer gets a bias).  Used to export. */
int myelin_weights_save(const myelin_workload *wl, const myelin_weights *w, const char *path,
                        myelin_error *err);

/* Frees layer `index`'s weight array; its biases and shape stay, and myelin_weights_layer still
 * returns it, with w == NULL.  For a caller that has turned the doubles into something else (the
 * engine's integer weights: myelin_engine_new_release) and will not read them again; saving the
 * weights then fails with MYELIN_EUSAGE.  Out-of-range indices are ignored. */
void myelin_weights_release(myelin_weights *w, int index);

void myelin_weights_free(myelin_weights *w);

#ifdef __cplusplus
}
#endif
#endif
