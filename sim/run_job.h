/* sim/run_job.h — one run of the functional engine over a dataset as `myelin run` and the
 * scripting API (api/api.c) do it, over a resolved context (api/context.h): the images through an
 * engine the caller made (threads, drift, the logits CSV), the figures (accuracy, drift, time), the
 * summary lines and the activity JSON (the file `myelin cost --activity` reads).  A library prints
 * nothing unasked: progress goes to the caller's callback. */
#ifndef MYELIN_SIM_RUN_JOB_H
#define MYELIN_SIM_RUN_JOB_H

#include <stdint.h>
#include <stdio.h>

#include "api/context.h"
#include "sim/engine.h"
#include "sim/engine_report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_run_job {
    /* what to run: set before myelin_run_job_run */
    myelin_engine *e;            /* made by the caller; myelin_run_job_free frees it */
    int64_t limit;               /* images (<= 0: all) */
    int drift, threads;          /* threads: default online CPUs */
    const char *logits_path;     /* the logits CSV (sim/engine_report.h), or NULL */
    myelin_progress_fn progress; /* or NULL */
    void *progress_user;
    /* what it gives */
    myelin_engine_summary sum;
    myelin_dataset_info info;
    int64_t total;               /* images to run: min(limit, the dataset's) */
    double elapsed_s, cpu_s;     /* wall and process CPU time of the images */
    double top1_pct, top5_pct, drift_mean, drift_max;
} myelin_run_job;

/* Starts j: all images, no drift, the default thread count, no outputs. */
void myelin_run_job_init(myelin_run_job *j);
/* Runs j->e over x's dataset; the logits CSV is written (atomically) only when the run succeeds. */
int myelin_run_job_run(myelin_run_job *j, myelin_context *x);
/* The inputs block of `myelin run`'s terminal output: workload, weights, dataset, quant. */
void myelin_run_job_write_header(const myelin_run_job *j, const myelin_context *x, FILE *f);
/* The summary lines, each starting with pre ("# " makes them CSV comments): with full the
 * saturation (and drift) notes before and the speed after the accuracy line. */
void myelin_run_job_write_summary(const myelin_run_job *j, const myelin_context *x, const char *pre, int full,
                                  FILE *f);
/* The activity JSON (models/cost.h myelin_activity_run_json) with x's inputs and provenance; no
 * wall time, so the same inputs give the same bytes.  *out malloc'ed, NUL-terminated. */
int myelin_run_job_json(const myelin_run_job *j, myelin_context *x, char **out, size_t *len);
/* The same written to path atomically (`myelin run --json`). */
int myelin_run_job_save_json(const myelin_run_job *j, myelin_context *x, const char *path);
void myelin_run_job_free(myelin_run_job *j);

#ifdef __cplusplus
}
#endif
#endif
