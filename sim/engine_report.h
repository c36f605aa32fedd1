/* sim/engine_report.h — what a run of the functional engine reports (sim/engine.h): the per-layer
 * table of spikes, firing rates, saturation and drift (a report-module table), and the logits CSV
 * that `myelin run --logits` and `myelin sim --logits` write in one format. */
#ifndef MYELIN_SIM_ENGINE_REPORT_H
#define MYELIN_SIM_ENGINE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "base/report.h"
#include "sim/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per layer: kind, weight and membrane bits, spikes per image and timestep, firing rate, X and
 * H saturation (%), with drift its mean |dH| / V_th and mismatch rate; meta images, top1_percent
 * (top5_percent), drift_mean/drift_max; rows key "layers".  NULL when out of memory. */
myelin_report *myelin_engine_layers_table(const myelin_workload *wl, const myelin_engine *e,
                                          const myelin_engine_summary *sum, int drift);

/* Progress of a run over images (myelin run, myelin sim): called after each image with done of
 * total; the front end decides what to show. */
typedef void (*myelin_progress_fn)(void *user, int64_t done, int64_t total);

/* Logits as CSV, one row per image: index,label,logit_0..logit_{K-1} (%.9g), kept in memory and
 * written atomically at the end. */
typedef struct myelin_logits_csv {
    FILE *f;
    char *buf;
    size_t len;
} myelin_logits_csv;
/* Starts the file with its header. */
int myelin_logits_csv_open(myelin_logits_csv *l, int classes, myelin_error *err);
void myelin_logits_csv_row(myelin_logits_csv *l, int64_t index, int label, const double *logits, int classes);
/* Closes l and, when ok, writes it to path; frees it either way. */
int myelin_logits_csv_save(myelin_logits_csv *l, const char *path, int ok, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
