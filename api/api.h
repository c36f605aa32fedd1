/* api/api.h — one call per task, for scripting front ends (python/myelin drives libmyelin through
 * these with ctypes).  Each resolves its inputs through the context object the command line uses
 * (api/context.h), runs the library's own code, and returns the report module's JSON, the
 * document the matching command writes (provenance included):
 *   myelin_api_cost    = `myelin cost --format json`
 *   myelin_api_run     = the file `myelin run --json` writes
 *   myelin_api_sim     = `myelin sim --format json` (a forked child runs it: SystemC elaborates
 *                        one netlist per process)
 *   myelin_api_search  = the figures table ("figures": rows of figure, value) with "summary"
 *                        (`myelin search --format json --no-timing`'s table), "chosen", "note"
 *   myelin_api_workload_json = `myelin info --format json` (float) with the workload's fields
 * Objects (workload, architecture, quantization setting) are the library's own, loaded by
 * myelin_api_*_load and freed by their module's free function.  Every function returns 0 or a
 * negative MYELIN_E* code with err filled (base/error.h); JSON results are malloc'ed,
 * NUL-terminated, and freed with myelin_api_free. */
#ifndef MYELIN_API_API_H
#define MYELIN_API_API_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version (PACKAGE_VERSION), e.g. "0.1". */
const char *myelin_api_version(void);

/* A workload by zoo name or YAML path (myelin_workload_resolve); free with myelin_workload_free. */
int myelin_api_workload_load(const char *name_or_path, myelin_workload **out, myelin_error *err);
/* An architecture by preset name or YAML path (myelin_arch_resolve); free with myelin_arch_free. */
int myelin_api_arch_load(const char *name_or_path, myelin_arch **out, myelin_error *err);
/* A quantization setting file; NULL, "" or "float" is the float reference.  input_bits 2..16
 * overrides the setting's input width (0 keeps it).  Free with myelin_qsetting_free. */
int myelin_api_quant_load(const char *path, int input_bits, myelin_qsetting **out, myelin_error *err);

/* The workload as JSON: `myelin info --format json`'s table at float (rows "layers": name, kind,
 * input_shape, output_shape, params, weight_bits, weight_mem_bytes, neurons, dense_macs_per_step,
 * plus in_shape/out_shape as [c, h, w]) with members name, source, weights_path, timesteps,
 * classes, input [c, h, w] and parameters. */
int myelin_api_workload_json(const myelin_workload *wl, char **out, myelin_error *err);

/* Weights for wl: NULL or "" the workload's own file, "random" or "random:SEED" seeded random
 * weights, else a safetensors path.  desc (optional) gets how they were obtained. */
int myelin_api_weights_open(const myelin_workload *wl, const char *spec, myelin_weights **out,
                            char *desc, size_t desc_len, myelin_error *err);

/* Cost per layer (myelin cost --format json).  qs NULL: float.  rate >= 0: every spiking layer
 * fires at rate; else activity_path (the JSON of myelin run --json) when not NULL; else the
 * workload's statistical rates.  Warnings of the evaluation (a plugin missing NoC actions) are
 * in the report; they are not printed. */
int myelin_api_cost(const myelin_workload *wl, const myelin_qsetting *qs, const myelin_arch *arch,
                    double rate, const char *activity_path, char **out, myelin_error *err);

/* Runs the functional engine over dataset (a spec; NULL: 1000 synthetic images of the workload's
 * shape, as myelin run), at most limit images (<= 0 all), with drift when drift != 0, on threads
 * threads (<= 0: online CPUs).  weights as myelin_api_weights_open; qs NULL: float; quant_label
 * is what the JSON records as "quant" (the setting's path; NULL: "float"). */
int myelin_api_run(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const char *quant_label, const char *dataset, int64_t limit, int drift, int threads, char **out,
                   myelin_error *err);

/* The SystemC model, in a forked child (base/child.h).  statistical != 0 (or a workload without
 * weights when weights is NULL): neurons fire at the workload's rates (rate >= 0: every spiking
 * layer at rate), seeded by seed, limit inferences (<= 0: one); else real weights on dataset
 * (NULL: synthetic, as myelin sim) for limit images (<= 0: 100).  JSON: `myelin sim --format
 * json`'s document (sim/simulation.h): cycles per layer ("layers_sim"), mode, images, top1 (real),
 * latency, energy_J, cost_model_energy_J (the cost model on the measured activity), the default
 * cost model's figures, NoC counts, wall_s, "report" (the simulation's counts priced per layer,
 * myelin cost's JSON) and "cost_model_report". */
int myelin_api_sim(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const myelin_arch *arch, int statistical, const char *dataset, int64_t limit,
                   double rate, uint64_t seed, char **out, myelin_error *err);

/* A quantization search (search/search.h) of wl with weights, configured by key/value pairs
 * (options: NULL-terminated, key, value, key, value, …): the options of `myelin search` with
 * underscores (search/request.h: method, gate, granularity, bits, schemes, membrane_bits,
 * input_bits, objective, max_drop, beam_width, arch, train, val, calib, test, val_from_train,
 * val_count, val_first, threads, seed, gate_check, stop_after, out, prefix, journal, no_timing),
 * values as the command line spells them; datasets default as the command's do.  No journal
 * unless given; no wall time.  JSON: see above.  An unknown key is MYELIN_EUSAGE naming the keys. */
int myelin_api_search(const myelin_workload *wl, const char *weights, const char *const *options,
                      char **out, myelin_error *err);

void myelin_api_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
