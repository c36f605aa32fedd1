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
 *     noc.multicast: [0, 1]            # 0 none, 1 tree (XY-tree multicast)
 *     noc.buffer_flits: [0, 4, 16]     # input-buffer depth per router port; 0 unbounded
 * Points are the product in file order (workload slowest, then quant, then each parameter). */
#ifndef MYELIN_DSE_SWEEP_H
#define MYELIN_DSE_SWEEP_H

#include <stdint.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/error.h"
#include "base/report.h"
#include "models/cost.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

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

/* The tables of an evaluated sweep (Pareto front marked: myelin_sweep_write or _sim_pick): every
 * point, and the Pareto-front points alone, as report-module tables (base/report.h). */
int myelin_sweep_tables(myelin_sweep *s, myelin_report **points, myelin_report **pareto,
                        myelin_error *err);

/* Marks the Pareto front and writes DIR/points.{txt,csv,json,md,tex}, DIR/pareto.csv and the plot
 * DIR/pareto.{gp,dat,svg} (svg when gnuplot runs).  *plotted tells whether gnuplot ran. */
int myelin_sweep_write(myelin_sweep *s, const char *dir, int *plotted, myelin_error *err);

/* ---- SystemC runs of chosen points (`myelin sweep --sim top:K|all`) ----
 * After every point has its cost-model values: marks the Pareto front and picks the points to
 * simulate, k < 0 every fitting point, k >= 0 the k first of each workload and setting in this
 * order: the Pareto-front points, then the other fitting points, each by ascending EDP, ties by
 * point index.  *idx (malloc'd) gets *n point indices, group by group in that order.  From then on the tables carry the columns sim_energy_J,
 * sim_latency_s, sim_over_cost_energy, sim_over_cost_latency ("-" where not simulated). */
int myelin_sweep_sim_pick(myelin_sweep *s, int64_t k, int64_t **idx, int64_t *n, myelin_error *err);

/* What simulating point i takes: its architecture (the base with the point's parameters), its
 * workload and resolved setting (owned by the sweep), its mapping and the statistical activity
 * (owned by p until myelin_sweep_point_close). */
typedef struct myelin_sweep_point {
    myelin_arch arch;
    const myelin_workload *wl;
    const myelin_layer_quant *lq;
    myelin_mapping *map;
    myelin_activity act;
} myelin_sweep_point;
int myelin_sweep_point_open(const myelin_sweep *s, int64_t i, myelin_sweep_point *p,
                            myelin_error *err);
void myelin_sweep_point_close(myelin_sweep_point *p);

/* A simulated point's values (energy_J, latency_s per inference), whether it has them (set, or
 * from the journal), and appending them to the journal (no-op without one or when there). */
#define MYELIN_SWEEP_SIM_VALS 2
int myelin_sweep_sim_set(myelin_sweep *s, int64_t i, const double *vals);
int myelin_sweep_sim_done(const myelin_sweep *s, int64_t i);
int myelin_sweep_sim_record(myelin_sweep *s, int64_t i, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
