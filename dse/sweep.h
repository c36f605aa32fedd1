/* dse/sweep.h — design-space exploration: a sweep file names a base architecture, workloads,
 * quantization settings and parameters to vary (lists or ranges); every point of their product is
 * mapped and evaluated with the cost models (energy, latency, EDP, area, memory, fit or the
 * mapper's reason), the Pareto front (energy x latency x area, per workload and setting) is
 * marked, and tables (five formats) and a plot are written.  Every evaluated point is appended to
 * a journal (search/journal.c), so a killed sweep resumes with identical outputs.
 *
 * Sweep file (unknown keys are errors, with file:line:col):
 *   arch: generic-45nm                 # preset name or YAML path (relative to the sweep file)
 *   workloads: [spikformer-8-384, tiny]
 *   quant: [float, ../workloads/zoo/quant/w8.yaml]   # optional (default float); paths relative
 *   params:                            # optional; each a list of numbers or {from, to, step}
 *     array.rows: [8, 16]
 *     array.cols: {from: 8, to: 32, step: 8}
 *     clock_mhz: [100, 200]
 *     core.accumulator_lanes: [4, 16]
 *     core.neuron_capacity: [2048, 4096]
 *     core.synapse_memory.bytes: [65536, 131072]
 *     core.synapse_memory.word_bits: [32, 64]
 *     core.synapse_memory.banks: [1, 4]
 *     noc.link_width_bits: [16, 32]
 *     noc.hop_latency_cycles: [1, 2]
 * Points are the product in file order (workload slowest, then quant, then each parameter). */
#ifndef MYELIN_DSE_SWEEP_H
#define MYELIN_DSE_SWEEP_H

#include <stdint.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_sweep myelin_sweep;

/* Parses and validates a sweep file (its workloads, settings and architecture are loaded). */
int myelin_sweep_load(const char *path, myelin_sweep **out, myelin_error *err);
void myelin_sweep_free(myelin_sweep *s);

/* Points in the sweep. */
int64_t myelin_sweep_points(const myelin_sweep *s);

/* Evaluates point i (0 <= i < points) unless the journal holds it.  Values are kept in s. */
int myelin_sweep_eval(myelin_sweep *s, int64_t i, myelin_error *err);

/* The point's evaluated values as the journal stores them (MYELIN_SWEEP_VALS numbers), and
 * setting them (from another process: the MPI ranks). */
#define MYELIN_SWEEP_VALS 7
int myelin_sweep_get(const myelin_sweep *s, int64_t i, double *vals);
int myelin_sweep_set(myelin_sweep *s, int64_t i, const double *vals);

/* Opens (or resumes) the journal DIR/journal.jsonl; returns how many points it already holds. */
int myelin_sweep_journal(myelin_sweep *s, const char *dir, int64_t *resumed, myelin_error *err);
/* Appends point i's values to the journal (no-op without one). */
int myelin_sweep_record(myelin_sweep *s, int64_t i, myelin_error *err);
/* 1 when point i has values (evaluated or from the journal). */
int myelin_sweep_done(const myelin_sweep *s, int64_t i);

/* Marks the Pareto front and writes DIR/points.{txt,csv,json,md,tex}, DIR/pareto.csv and the plot
 * DIR/pareto.{gp,dat,svg} (svg when gnuplot runs).  *plotted tells whether gnuplot ran. */
int myelin_sweep_write(myelin_sweep *s, const char *dir, int *plotted, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
