/* sim/engine_par.h — the functional engine over a dataset in several threads (one
 * myelin_engine_state per thread), with results that never depend on the thread count.
 *
 * Scheme (the search's, search/eval.c, with a unit of one image): images are read from the dataset
 * in order, a window at a time; threads take images of the window one by one; every image's
 * logits, counts and drift land in that image's own slot; the calling thread then merges the slots
 * in image order (sums, top-1/top-5, drift, the per-image callback).  So a floating-point sum
 * is always added in the same order, whatever N and whichever thread ran which image: logits,
 * counts and drift are byte-identical for any N.  (Drift is summed per image first, then over
 * images, so its last bits may differ from myelin_engine_run_dataset's single running sum.) */
#ifndef MYELIN_SIM_ENGINE_PAR_H
#define MYELIN_SIM_ENGINE_PAR_H

#include <stdint.h>

#include "sim/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default thread count: the online CPUs (1 if unknown), at most MYELIN_ENGINE_MAX_THREADS. */
#define MYELIN_ENGINE_MAX_THREADS 256
int myelin_engine_default_threads(void);

/* As myelin_engine_run_dataset (same checks, same summary, fn called once per image in image
 * order from the calling thread), in `threads` threads (1..MYELIN_ENGINE_MAX_THREADS; 1 runs in
 * the calling thread).  With with_drift, each image's float reference is computed by
 * myelin_engine_reference_new and compared by myelin_engine_drift.  On a failure the error is
 * that of the first failing image in image order. */
int myelin_engine_run_dataset_threads(const myelin_engine *e, myelin_dataset *ds, int64_t limit,
                                      int with_drift, int threads, myelin_engine_image_fn fn,
                                      void *user, myelin_engine_summary *sum, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
