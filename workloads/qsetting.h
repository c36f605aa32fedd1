/* workloads/qsetting.h — quantization settings: per-layer precision read from YAML.
 *
 * File format (every key optional; later rules override earlier ones for the layers they match):
 *
 *   input_bits: 8                  # bits of the real-valued image fed to the first layer (2..16):
 *                                  # unsigned codes with a zero point, sim/engine.h
 *   default:                       # applies to every layer before any rule
 *     weight_bits: 8               # 1..16, or "float"
 *     scheme: uniform              # uniform | pot
 *     granularity: channel         # channel | tensor
 *     membrane_bits: 16            # 2..32, or "float"
 *   layers:
 *     - match: "block.*.mlp.*"     # fnmatch glob over layer names (workload.h lists them)
 *       weight_bits: 4
 *       scheme: pot
 *
 * A rule whose glob matches no layer is an error (it is almost always a typo). */
#ifndef MYELIN_WORKLOADS_QSETTING_H
#define MYELIN_WORKLOADS_QSETTING_H

#include "base/error.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MYELIN_BITS_FLOAT 0 /* weight_bits / membrane_bits value meaning "keep float" */

typedef enum myelin_scheme { MYELIN_SCHEME_UNIFORM = 0, MYELIN_SCHEME_POT } myelin_scheme;
typedef enum myelin_granularity { MYELIN_GRAN_CHANNEL = 0, MYELIN_GRAN_TENSOR } myelin_granularity;

/* The resolved precision of one layer. */
typedef struct myelin_layer_quant {
    int weight_bits;                /* 1..16, or MYELIN_BITS_FLOAT */
    myelin_scheme scheme;
    myelin_granularity granularity;
    int membrane_bits;              /* 2..32, or MYELIN_BITS_FLOAT */
} myelin_layer_quant;

typedef struct myelin_qsetting myelin_qsetting; /* opaque: the parsed rules */

/* Parses a setting file; errors name file:line:col. */
int myelin_qsetting_load(const char *path, myelin_qsetting **out, myelin_error *err);
int myelin_qsetting_load_string(const char *yaml_text, const char *source, myelin_qsetting **out,
                                myelin_error *err);

/* A setting with every layer float (the reference). */
int myelin_qsetting_float(myelin_qsetting **out, myelin_error *err);

/* A setting with every layer at `weight_bits`/`membrane_bits`, given scheme, per-channel. */
int myelin_qsetting_uniform(int weight_bits, int membrane_bits, myelin_scheme scheme,
                            myelin_qsetting **out, myelin_error *err);

/* Appends a rule (used by the search and by tests). glob matches layer names. */
int myelin_qsetting_add_rule(myelin_qsetting *q, const char *glob, const myelin_layer_quant *lq,
                             myelin_error *err);

int myelin_qsetting_input_bits(const myelin_qsetting *q);
/* Overrides input_bits (2..16; MYELIN_EUSAGE otherwise), e.g. from `myelin run --input-bits`. */
int myelin_qsetting_set_input_bits(myelin_qsetting *q, int bits, myelin_error *err);

/* Resolves the rules over the graph into per_layer[wl->n_layers]. Layers without weights or
 * membranes keep the fields that do not apply.  Fails when a rule matches no layer. */
int myelin_qsetting_resolve(const myelin_qsetting *q, const myelin_workload *wl,
                            myelin_layer_quant *per_layer, myelin_error *err);

void myelin_qsetting_free(myelin_qsetting *q);

/* "float", "8", ... into buf; returns buf. */
const char *myelin_bits_str(int bits, char *buf, unsigned len);

#ifdef __cplusplus
}
#endif
#endif
