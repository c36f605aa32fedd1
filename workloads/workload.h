/* workloads/workload.h — what runs: a workload YAML expanded into a Spikformer layer graph.
 *
 * The graph is a flat array of layers in execution (topological) order.  Every activation is
 * stored channel-last (HWC): element (y, x, c) of a C×H×W tensor is at (y*W + x)*C + c, so a
 * token tensor of N = H*W tokens × C channels is the same memory as [N][C].  Spike tensors carry
 * small non-negative integers (spikes are 0/1; residual adds give 0..k).
 *
 * Layer names are stable and glob-friendly (quantization settings match them with fnmatch):
 *   sps.conv0 .. sps.conv3     stem Conv3x3+BN+LIF, widths D/8, D/4, D/2, D (sps.conv0 takes the image)
 *   sps.pool0 .. sps.pool3     MaxPool 3/2/1 after stem stage i, only where the workload pools
 *   sps.rpe                    relative position embedding Conv3x3+BN+LIF
 *   sps.add                    rpe + stem output; from here on tensors are tokens
 *   block.{i}.attn.{q,k,v}     Linear (or 1x1 conv) + BN + LIF
 *   block.{i}.attn.attn        (Q K^T V) * scale per head, LIF with v_th 0.5
 *   block.{i}.attn.proj        Linear + BN + LIF
 *   block.{i}.add1             x + SSA(x)
 *   block.{i}.mlp.fc1, fc2     Linear + BN + LIF (hidden = mlp_ratio * D)
 *   block.{i}.add2             x + MLP(x)
 *   head                       mean over tokens and timesteps, then Linear -> logits (no LIF)
 * The struct is the parsed spec: immutable after myelin_workload_load returns. */
#ifndef MYELIN_WORKLOADS_WORKLOAD_H
#define MYELIN_WORKLOADS_WORKLOAD_H

#include <stdint.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MYELIN_NAME_MAX 64
#define MYELIN_PATH_MAX 1024

typedef enum myelin_layer_kind {
    MYELIN_LAYER_CONV = 0, /* 3x3 conv, stride 1, pad 1, + folded BN + LIF */
    MYELIN_LAYER_LINEAR,   /* token-wise linear / 1x1 conv + folded BN + LIF */
    MYELIN_LAYER_ATTN,     /* spiking self-attention product per head + LIF (no weights) */
    MYELIN_LAYER_MAXPOOL,  /* 3x3, stride 2, pad 1 max pool of spikes */
    MYELIN_LAYER_ADD,      /* residual: element-wise sum of two inputs */
    MYELIN_LAYER_HEAD,     /* mean over tokens and time, then linear -> logits */
    MYELIN_LAYER_KIND_COUNT
} myelin_layer_kind;

/* "conv", "linear", "attn", "maxpool", "add", "head". */
const char *myelin_layer_kind_name(myelin_layer_kind kind);

typedef struct myelin_shape {
    int c, h, w; /* channels, height, width; tokens = h*w */
} myelin_shape;

#define MYELIN_INPUT_IMAGE (-1) /* producer index meaning "the network input image" */

typedef struct myelin_layer {
    char name[MYELIN_NAME_MAX];
    myelin_layer_kind kind;
    int n_inputs;               /* 1, 2 (ADD) or 3 (ATTN: q, k, v) */
    int inputs[3];              /* producer layer indices, or MYELIN_INPUT_IMAGE */
    myelin_shape in_shape;      /* shape of inputs[0] */
    myelin_shape out_shape;
    /* synaptic layers: CONV, LINEAR, HEAD */
    int c_in, c_out;            /* input / output channels (features) */
    int kernel;                 /* 3 for CONV, 1 otherwise */
    int has_bias;               /* the checkpoint carries "<weight_name>.bias" */
    int real_input;             /* consumes the real-valued image (the first layer) */
    char weight_name[128];      /* state_dict prefix, e.g. "block.0.attn.q_linear" */
    char bn_name[128];          /* BN prefix, e.g. "block.0.attn.q_bn"; "" when none */
    /* neuron layers: CONV, LINEAR, ATTN */
    int has_lif;
    double v_threshold;         /* 1.0, or 0.5 for ATTN */
    double tau;                 /* 2.0 */
    /* ATTN */
    int heads;
    double attn_scale;          /* 0.125 */
    int attn_order;             /* myelin_attn_order: which product is formed first */
    /* statistical mode: output firing rate (spikes per neuron per timestep); a MAXPOOL's is -1
     * (derived from its input by the activity model of models/cost.h) unless firing_rates names it */
    double firing_rate;
} myelin_layer;

typedef enum myelin_naming {
    MYELIN_NAMING_LINEAR = 0, /* CIFAR code: block.{i}.attn.q_linear.{weight,bias} */
    MYELIN_NAMING_CONV        /* ImageNet code: block.{i}.attn.q_conv.weight (1x1 Conv1d, no bias on q,k,v) */
} myelin_naming;

/* Order of the attention products (spikes identical; action counts differ). */
typedef enum myelin_attn_order {
    MYELIN_ATTN_QK_V = 0, /* (Q K^T) V: the public CIFAR code */
    MYELIN_ATTN_Q_KV      /* Q (K^T V): the public ImageNet code */
} myelin_attn_order;

typedef struct myelin_workload {
    char name[MYELIN_NAME_MAX];
    char source[MYELIN_PATH_MAX];   /* the YAML file it came from ("<embedded>" for built-ins) */
    int depth, dim, heads, mlp_ratio, timesteps;
    myelin_shape input;             /* image C, H, W */
    int classes;
    int stem_pool[4];               /* 1 where stem stage i max-pools */
    myelin_naming naming;
    myelin_attn_order attn_order;   /* attention_order (default: qk_v with linear naming, else q_kv) */
    char weights_path[MYELIN_PATH_MAX]; /* resolved against the YAML's folder; "" = none */
    double norm_mean[4], norm_std[4];   /* input normalisation per channel: x = (p/255 - mean)/std */
    double default_firing_rate;         /* statistical mode */
    /* dataset specs of the data the weights belong to (YAML `dataset:`); "" = not declared */
    char dataset_train[512], dataset_val[512], dataset_test[512];
    int64_t dataset_val_first, dataset_val_count; /* val_range; count 0 = the whole val spec */
    int n_layers;
    myelin_layer *layers;
} myelin_workload;

/* Loads and validates a workload YAML file and expands its graph.  Errors name file:line:col. */
int myelin_workload_load(const char *path, myelin_workload **out, myelin_error *err);
/* Resolves a --workload argument into a file path: an existing file or any argument with a '/'
 * is taken as is; a bare name is the zoo model workloads/zoo/<name>.yaml, looked up in the data
 * folders (myelin_data_find in base/util.h).  MYELIN_EMISSING lists where it looked. */
int myelin_workload_resolve(const char *name_or_path, char *out, size_t n, myelin_error *err);

/* Same from a NUL-terminated string; `source` names it in errors and resolves relative paths
 * (its folder); may be "<embedded>". */
int myelin_workload_load_string(const char *yaml_text, const char *source, myelin_workload **out,
                                myelin_error *err);

void myelin_workload_free(myelin_workload *wl);

/* Index of the layer called `name`, or -1. */
int myelin_workload_find_layer(const myelin_workload *wl, const char *name);

/* Trainable parameters of a layer as the public code counts them: weights, bias, and the
 * BN affine pair (2*c_out); LayerNorms are not counted (the model never uses them). */
int64_t myelin_layer_params(const myelin_layer *layer);

/* Total of myelin_layer_params over the graph. */
int64_t myelin_workload_params(const myelin_workload *wl);

/* Weight elements only (no bias, no BN): what weight memory holds. */
int64_t myelin_layer_weight_count(const myelin_layer *layer);

/* Dense multiply-accumulates per timestep (CONV: H*W*c_out*c_in*9; LINEAR: N*c_out*c_in;
 * ATTN per head: q_kv 2*N*(D/heads)^2 (K^T V then Q (K^T V)), qk_v 2*N^2*(D/heads) (Q K^T then
 * (Q K^T) V); HEAD: c_in*c_out, which runs once
 * per inference on the time-and-token mean, not per timestep; MAXPOOL/ADD: 0). */
int64_t myelin_layer_dense_macs(const myelin_layer *layer);

/* Neurons of a LIF layer (out_shape c*h*w), 0 for layers without LIF. */
int64_t myelin_layer_neurons(const myelin_layer *layer);

#ifdef __cplusplus
}
#endif
#endif
