/* models/cost_tables.h — the paper-style tables and plots `myelin cost --tables DIR` writes: the
 * zoo's parameter memory at float/8/4/2 bits and energy per inference on every preset, the tiny
 * model's per-layer breakdown on generic-45nm (from a measured activity file when given), each
 * as Markdown, CSV and LaTeX, with gnuplot scripts and their data (rendered when gnuplot runs). */
#ifndef MYELIN_MODELS_COST_TABLES_H
#define MYELIN_MODELS_COST_TABLES_H

#include "base/error.h"
#include "base/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the tables into dir (created when missing); act_path NULL: the tiny model's statistical
 * rates.  prov: provenance of the tiny tables (the caller's inputs).  progress: a line on stderr
 * per zoo model.  *gnuplot_failed: 1 when gnuplot was not found or failed (the scripts are
 * written anyway).  0 or a MYELIN_E* code with err set. */
int myelin_cost_write_tables(const char *dir, const char *act_path, const myelin_provenance *prov, int progress,
                             int *gnuplot_failed, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
