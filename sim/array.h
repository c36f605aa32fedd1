/* sim/array.h — the C API of the SystemC cycle-level core-array model (nothing of SystemC here).
 *
 * One call runs one simulation: a netlist of cores (one per core the mapper used), a 2-D mesh of
 * routers and a controller is built from the architecture and the mapping, every image runs
 * through it (T timesteps each, a barrier closing each timestep), and the result holds spikes,
 * logits, action counts in the cost models' ledger, cycles and queue statistics.  SystemC 2.3
 * cannot elaborate a second netlist in one process: call myelin_array_run at most once per
 * process (a second call fails with MYELIN_EUNSUPPORTED); tests fork.
 *
 * Two modes.  Real weights (`engine` set): each core calls the shared kernels (models/kernels.h)
 * on the engine's integers for its own slice (output channels and tokens), so spikes and logits
 * equal the functional engine's.  Statistical (`engine` NULL): each LIF neuron fires with its
 * layer's rate (seeded Bernoulli draws); no arithmetic, the same timing and counting.
 * The timing model, packet format and every assumption are documented in sim/README.md. */
#ifndef MYELIN_SIM_ARRAY_H
#define MYELIN_SIM_ARRAY_H

#include <stdint.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/error.h"
#include "models/cost.h"
#include "sim/engine.h"
#include "workloads/dataset.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after each image: its index, label (-1 statistical), logits (NULL statistical), the
 * image's spike counts [n_layers][T] (same meaning as myelin_engine_state_spikes) and its
 * latency in cycles.  Return nonzero to stop (MYELIN_EUSAGE). */
typedef int (*myelin_array_image_fn)(void *user, int64_t index, int label, const double *logits,
                                     int classes, const int64_t *spikes, int64_t latency_cycles);

typedef struct myelin_array_options {
    const myelin_workload *wl;
    const myelin_layer_quant *lq;  /* resolved setting, wl->n_layers entries */
    const myelin_arch *arch;
    const myelin_mapping *map;     /* myelin_map(wl, lq, arch) */
    const myelin_engine *engine;   /* real-weight mode; NULL: statistical */
    myelin_dataset *dataset;       /* real-weight mode: the images */
    int64_t limit;                 /* images: real <= 0 all; statistical <= 0 one */
    const double *rates;           /* statistical: firing rate per layer (myelin_activity.rate) */
    uint64_t seed;                 /* statistical draws */
    const char *vcd_path;          /* NULL: no trace (no cost) */
    myelin_array_image_fn on_image;
    void *user;
} myelin_array_options;

/* Per core, summed over images and timesteps. */
typedef struct myelin_array_core_stats {
    int layer, index;              /* layer and the core's rank within it */
    int raster, x, y;              /* position on the mesh */
    int co_lo, co_hi;              /* output channels [co_lo, co_hi) */
    int tok_lo, tok_hi;            /* tokens [tok_lo, tok_hi) */
    int64_t busy_cycles;           /* accumulate and LIF work */
    int64_t mem_stall_cycles;      /* accumulators waiting for synapse-memory words */
    int64_t noc_wait_cycles;       /* inputs still in flight after every producer had finished */
    int64_t idle_cycles;           /* waiting for upstream layers (rest of the timestep) */
    int64_t events_in;             /* input events (spikes, residual values count as many) */
    int64_t spikes_out;
    int64_t peak_queue_events;     /* input events waiting in the core's queue, at most */
    int64_t synapse_bits_used;     /* weights + bias + scales held (from the mapping) */
    int64_t membrane_bits_used;
    myelin_cost_counts counts;     /* its actions (leakage: its cycles of every inference) */
    double energy_pj;              /* counts priced by myelin_cost_price */
} myelin_array_core_stats;

typedef struct myelin_array_layer_stats {
    int64_t busy_cycles, mem_stall_cycles, noc_wait_cycles, idle_cycles; /* summed over cores */
    int64_t span_cycles;           /* sum over steps of (layer done - step start) */
    int64_t link_wait_cycles;      /* cycles its input packets queued behind others on links */
    int64_t packets, bursts;       /* input spike packets (one per spike per core) and bursts */
    int64_t peak_queue_events;     /* max over its cores */
} myelin_array_layer_stats;

typedef struct myelin_array_result {
    int n_layers, timesteps, classes;
    int statistical;
    int64_t images;
    int64_t top1_correct, top5_correct;
    int has_top5;
    int64_t *spikes;               /* [n_layers][T] summed over images */
    myelin_cost_counts *counts;    /* [n_layers] actions summed over images (no leakage) */
    double *rate_in;               /* [n_layers] measured input rate (events / element / step) */
    myelin_array_layer_stats *layers;
    int n_cores;
    myelin_array_core_stats *cores;
    int64_t total_cycles;          /* all images */
    int64_t max_latency_cycles;
    double mean_latency_cycles;    /* per inference */
    double clock_hz;
    int packet_bits, flits_per_packet;
    int64_t packets, bursts;       /* a burst is delivered whole: its packets are not simulated
                                    * one by one (their timing is computed per burst) */
    int64_t process_wakeups;       /* SystemC process resumptions (every wait() of a core or the
                                    * controller that returned): the events the kernel ran */
    int64_t peak_router_queue_flits;
    double wall_s;                 /* wall-clock time of the simulation */
    int64_t credit_stall_cycles;   /* link-cycles held by back-pressure (noc.buffer_flits > 0) */
} myelin_array_result;

/* Runs the simulation; see the file comment.  Errors: MYELIN_EUSAGE (bad options),
 * MYELIN_EUNSUPPORTED (second call in a process), MYELIN_EIO (VCD file), dataset errors. */
int myelin_array_run(const myelin_array_options *o, myelin_array_result **out, myelin_error *err);
void myelin_array_result_free(myelin_array_result *r);

/* Measured firing rates of the run (LIF layers, and MAXPOOL / ADD from their own output values,
 * which the simulation measures too), for myelin_cost_evaluate. */
int myelin_array_activity(const myelin_array_result *r, const myelin_workload *wl,
                          myelin_activity *out, myelin_error *err);

/* The run's counts per inference priced into a cost report (same prices, same leakage rule:
 * layer cores x measured cycles per inference), printable with myelin_cost_report_write. */
int myelin_array_report(const myelin_array_result *r, const myelin_workload *wl,
                        const myelin_layer_quant *lq, const myelin_arch *arch,
                        const myelin_mapping *map, myelin_cost_report **out, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
