/* dse/sweep_run.h — running a design-space sweep (dse/sweep.h): every point through the cost
 * models, then (with sim) the SystemC model on the K best points of each workload and setting or
 * on all, each phase spread over the MPI ranks with rank 0 journaling; --stop-after counts the new
 * cost points and simulations together.  What `myelin sweep` drives. */
#ifndef MYELIN_DSE_SWEEP_RUN_H
#define MYELIN_DSE_SWEEP_RUN_H

#include <stdint.h>

#include "base/error.h"
#include "dse/sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_sweep_run_options {
    int64_t stop_after;  /* > 0: stop after this many new evaluations */
    int sim;             /* run the SystemC phase */
    int64_t sim_k;       /* its points: the K best (>= 1) or all (-1) */
    int progress;        /* progress lines on stderr (rank 0) */
} myelin_sweep_run_options;

/* Runs the sweep s (its journal open, resumed points loaded: resumed of them); *fresh and
 * *sim_fresh count the new evaluations, *stopped says --stop-after ended it.  0 or a MYELIN_E*
 * code with err set (the same on every rank). */
int myelin_sweep_run(myelin_sweep *s, int64_t resumed, const myelin_sweep_run_options *o, int64_t *fresh,
                     int64_t *sim_fresh, int *stopped, myelin_error *err);
/* Seconds on the monotonic clock. */
double myelin_sweep_now_s(void);

#ifdef __cplusplus
}
#endif
#endif
