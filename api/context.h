/* api/context.h — the one context object every front end resolves its inputs through: the `myelin`
 * command's subcommands (cli/context.c adds the option table on top) and the scripting API
 * (api/api.c) alike.  It resolves the workload (a file or a zoo name; or the embedded model a
 * program provides), its weights (a file, random[:SEED], the workload's own, the embedded ones),
 * the quantization setting (resolved per layer), the core array with its cost-model registry and
 * mapping, and the dataset; records each as provenance for the outputs; and writes tables with
 * that provenance through the report module.  Objects the caller already holds can be lent
 * (myelin_context_use_*): the context uses them and never frees them.
 *
 * Every fallible function returns 0 or a negative MYELIN_E* code with x->err set. */
#ifndef MYELIN_API_CONTEXT_H
#define MYELIN_API_CONTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/error.h"
#include "base/report.h"
#include "models/cost.h"
#include "workloads/dataset.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A workload compiled into a program (the `myelin` binary embeds the tiny model): used when no
 * workload is named. */
typedef struct myelin_context_embedded {
    const unsigned char *yaml;
    size_t yaml_len;
    const unsigned char *weights;
    size_t weights_len;
} myelin_context_embedded;

typedef struct myelin_context {
    const myelin_context_embedded *embedded_model; /* may be NULL: a workload must be named */
    int mute_warnings;           /* set before the arch: the registry's warnings only in reports */
    /* resolved (read them; the context owns what it loaded) */
    const myelin_workload *wl;
    int embedded;                /* wl is the embedded model */
    myelin_weights *w;
    char weights_desc[1100];     /* how the weights were obtained, for messages and provenance */
    const myelin_qsetting *qs;
    const char *quant_path;      /* the setting's file, NULL for the float reference */
    myelin_layer_quant *lq;      /* qs resolved per layer of wl */
    const myelin_arch *arch;
    myelin_cost_registry *reg;
    myelin_mapping *map;
    myelin_dataset *ds;
    char dataset_spec[512];
    myelin_provenance prov;
    myelin_error err;
    /* owned copies (NULL when lent) */
    myelin_workload *own_wl;
    myelin_qsetting *own_qs;
    myelin_arch *own_arch;
} myelin_context;

/* Starts an empty context: provenance holds the version only. */
void myelin_context_init(myelin_context *x);
/* Frees what the loaders made (lent objects are left alone); once, then init again to reuse x. */
void myelin_context_free(myelin_context *x);

/* The workload: name_or_path a YAML file or a zoo name (myelin_workload_resolve); NULL the
 * embedded model (MYELIN_EUSAGE when the context has none). */
int myelin_context_load_workload(myelin_context *x, const char *name_or_path);
/* Lends a workload already loaded (recorded as its name and file). */
void myelin_context_use_workload(myelin_context *x, const myelin_workload *wl);
/* Weights for the workload: "random" or "random:SEED" seeded random ones, a safetensors path, or
 * NULL: the workload's own file (the embedded ones for the embedded model).  Records the file's
 * FNV-1a hash. */
int myelin_context_load_weights(myelin_context *x, const char *spec);
/* The quantization setting: a YAML file, or NULL the float reference; input_bits 2..16
 * overrides its input width (0 keeps it).  Resolves it per layer of the workload. */
int myelin_context_load_quant(myelin_context *x, const char *path, int input_bits);
/* Lends a setting already loaded (NULL: the float reference); label is what provenance records
 * (NULL: "float"). */
int myelin_context_use_quant(myelin_context *x, const myelin_qsetting *qs, const char *label);
/* The core array by preset name or YAML path (NULL: generic-45nm), then its cost-model registry
 * and the workload's mapping (needs the workload and the setting). */
int myelin_context_load_arch(myelin_context *x, const char *name_or_path);
/* Lends an array already loaded; then registry and mapping as myelin_context_load_arch. */
int myelin_context_use_arch(myelin_context *x, const myelin_arch *arch);
/* The images: spec, or NULL the default of run and sim, 1000 synthetic test images of the
 * workload's shape (seed 1). */
int myelin_context_open_dataset(myelin_context *x, const char *spec);

/* The activity the cost models price: path (the JSON of myelin run --json) when not NULL, else
 * the workload's statistical rates (rate >= 0: every spiking layer at rate).  Recorded as
 * provenance "activity" (the file, or the rates' source).  Free with myelin_activity_free. */
int myelin_context_activity(myelin_context *x, double rate, const char *path, myelin_activity *act);

/* The fingerprint of the inputs (a search journal's): FNV-1a of the workload's text, then of its
 * weights as weights_spec names them (the file's bytes, "random:SEED", or the embedded ones). */
int myelin_context_inputs_hash(myelin_context *x, const char *weights_spec, uint64_t *out);

/* Writes a table with the context's provenance (plus the key/value pairs of extra: NULL-terminated
 * pairs, may be NULL) and the chosen columns (NULL: all), in fmt, to f. */
int myelin_context_write(myelin_context *x, myelin_report *t, const char *const *extra,
                         const char *columns, int fmt, FILE *f);
/* The same into a malloc'ed NUL-terminated buffer (*len without the NUL). */
int myelin_context_write_buffer(myelin_context *x, myelin_report *t, const char *const *extra,
                                const char *columns, int fmt, char **buf, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
