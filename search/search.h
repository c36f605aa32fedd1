/* search/search.h — per-layer quantization search: the search space (layer groups x weight bits x
 * scheme x membrane bits), QSViT's guided methodology, AQ4SViT greedy and beam search with drift
 * gating, the heterogeneous uniform/power-of-two search, ranking (Pareto front), the journal that
 * makes long runs resumable, and the reports (tables and plots).
 *
 * A candidate is one setting of the search space: per group a weight precision (float, or b bits
 * with a scheme) and a membrane width.  Evaluating it means
 *   drift  : membrane drift (sim/engine.h) on a small calibration batch against float membranes
 *            cached once, plus the calibration batch's spikes (an energy estimate);
 *   full   : top-1 on the validation set, and energy from myelin_cost_evaluate with the activity
 *            measured in that same run (myelin_activity_from_spikes) on the chosen core array.
 * Memory is parameter memory (weights + biases at the weight width + 32-bit scales,
 * arch/mapper.h), computed, never measured.  The accuracy constraint is an absolute drop in
 * percentage points of validation top-1 against the float network.
 *
 * Determinism: images are processed in fixed chunks whose partial sums are reduced in chunk
 * order, so the numbers do not depend on the thread count; every decision depends only on
 * results, never on timing.  The journal (JSON lines, fsync'd after each record) stores every
 * evaluation with %.17g doubles, so a resumed search reads back exactly what it would have
 * computed. */
#ifndef MYELIN_SEARCH_SEARCH_H
#define MYELIN_SEARCH_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum myelin_search_method {
    MYELIN_SEARCH_GREEDY = 0, /* AQ4SViT greedy (the default) */
    MYELIN_SEARCH_BEAM,       /* AQ4SViT beam of width beam_width */
    MYELIN_SEARCH_QSVIT,      /* QSViT guided: sensitivity sweep, base setting, back-off */
    MYELIN_SEARCH_HETERO      /* heterogeneous: per layer uniform or power-of-two and bits */
} myelin_search_method;

typedef enum myelin_gate_kind {
    MYELIN_GATE_NONE = 0,  /* every candidate gets a full evaluation */
    MYELIN_GATE_THRESHOLD, /* full evaluation when drift <= threshold */
    MYELIN_GATE_TOPK,      /* the k lowest-drift candidates of each step */
    MYELIN_GATE_ADAPTIVE   /* least-squares fit drift -> drop on the candidates evaluated so far;
                              skip those predicted to fail */
} myelin_gate_kind;

typedef enum myelin_search_granularity {
    MYELIN_SEARCH_NETWORK = 0, /* one group: every layer */
    MYELIN_SEARCH_BLOCK,       /* stem (sps.*), each block (block.i.*), head */
    MYELIN_SEARCH_LAYER        /* each weight layer (an attention LIF joins its block's v) */
} myelin_search_granularity;

#define MYELIN_SEARCH_MAX_LEVELS 16

typedef enum myelin_search_objective {
    MYELIN_OBJ_MEMORY = 0, /* parameter memory (the default) */
    MYELIN_OBJ_ENERGY,     /* joules per inference on the array */
    MYELIN_OBJ_EDP         /* energy x latency per inference */
} myelin_search_objective;

typedef struct myelin_search_config {
    myelin_search_method method;
    myelin_gate_kind gate;
    double gate_threshold;     /* THRESHOLD: drift bound */
    int gate_topk;             /* TOPK: k */
    myelin_search_granularity granularity;
    int n_bits;                /* weight widths, descending, 1..16 (float is always level 0) */
    int bits[MYELIN_SEARCH_MAX_LEVELS];
    int n_schemes;             /* 1 or 2 */
    myelin_scheme schemes[2];
    int n_mbits;               /* membrane widths, descending; the first is used with quantized
                                  weights, the others are a search dimension */
    int mbits[MYELIN_SEARCH_MAX_LEVELS];
    double max_drop_pct;       /* accuracy constraint: validation top-1 drop, percentage points */
    int beam_width;            /* BEAM */
    int input_bits;            /* image precision of quantized settings (8) when n_ibits is 0 */
    int n_ibits;               /* image widths, descending; more than one: a search dimension */
    int ibits[MYELIN_SEARCH_MAX_LEVELS];
    myelin_search_objective objective;
    /* carving: val_from_train > 0 takes the validation set as the first val_from_train images of a
       permutation (seed carve_seed) of train_spec and, when calib_from_train > 0, the calibration
       batch as the next calib_from_train images (disjoint by construction) */
    const char *train_spec;
    int val_from_train, calib_from_train;
    /* otherwise val_count > 0 takes images val_first .. val_first + val_count - 1 of val_spec */
    int val_first, val_count;
    uint64_t carve_seed;
    uint64_t seed;             /* the gate check's sample */
    int gate_check;            /* gated-out candidates re-evaluated to count false rejections */
    int threads;               /* >= 1 */
    int64_t stop_after;        /* > 0: stop after this many new evaluations (MYELIN_SEARCH_STOPPED) */
    int progress;              /* progress lines on stderr */
    const char *val_spec, *calib_spec, *test_spec; /* dataset specs */
    const char *arch_path;     /* core-array YAML (resolved) */
    const char *journal_path;  /* NULL: no journal */
    uint64_t inputs_hash;      /* fingerprint of the workload text and weights (the caller's) */
} myelin_search_config;

/* Returned (with err set) when stop_after was reached: the journal holds the work so far. */
#define MYELIN_SEARCH_STOPPED 1

/* Sets the defaults: greedy, adaptive gate, block granularity, bits 8,6,4,3,2, uniform, membrane
 * 16, 1.5 % drop, beam width 3, input 8 bits, seed 1, gate check 6, 1 thread. */
void myelin_search_config_default(myelin_search_config *cfg);

/* Parsers of the command-line spellings; 0 or MYELIN_EUSAGE with a message. */
int myelin_search_method_parse(const char *s, myelin_search_method *out, myelin_error *err);
int myelin_search_gate_parse(const char *s, myelin_search_config *cfg, myelin_error *err);
int myelin_search_granularity_parse(const char *s, myelin_search_granularity *out,
                                    myelin_error *err);
/* "8,6,4" into a descending list of distinct widths in [lo, hi]. */
int myelin_search_bits_parse(const char *s, int lo, int hi, int *bits, int *n, myelin_error *err);
int myelin_search_schemes_parse(const char *s, myelin_search_config *cfg, myelin_error *err);
const char *myelin_search_method_name(myelin_search_method m);
int myelin_search_objective_parse(const char *s, myelin_search_objective *out, myelin_error *err);
const char *myelin_search_objective_name(myelin_search_objective o);

typedef struct myelin_search myelin_search; /* a finished (or stopped) search and its results */

/* Runs a search of cfg on (wl, w).  Restricts the widths to those the core array supports.
 * restricted_out (restricted_len bytes) gets the notes for the user, "" when none: widths the
 * array does not support (dropped), a journal of other arguments set aside.  Returns 0 and *out,
 * MYELIN_SEARCH_STOPPED (and *out NULL) when stop_after was reached, or a MYELIN_E* code. */
int myelin_search_run(const myelin_search_config *cfg, const myelin_workload *wl,
                      const myelin_weights *w, myelin_search **out, char *restricted_out,
                      size_t restricted_len, myelin_error *err);
void myelin_search_free(myelin_search *s);

/* Outputs written to dir with file names starting with prefix (atomically):
 *   PREFIXcandidates.{csv,json}  every evaluated candidate
 *   PREFIXpareto.csv             the front over (validation accuracy, memory, energy)
 *   PREFIXsummary.{txt,csv,json,md,tex}  the paper-style table: float reference and chosen setting
 *   PREFIXsensitivity.{csv,md}   QSViT only: drop per group and width
 *   PREFIXchosen.yaml            the chosen setting (myelin run --quant accepts it)
 *   PREFIX{acc_vs_memory,acc_vs_energy,layer_bits}.{gp,dat,svg}  plots (svg when gnuplot runs)
 * with_timing 0 writes "-" for the wall time so outputs are byte-identical across runs.
 * *gnuplot_failed is set when the plots could not be drawn. */
int myelin_search_write(const myelin_search *s, const char *dir, const char *prefix,
                        int with_timing, int *gnuplot_failed, myelin_error *err);

/* The summary table alone on a stream, in a myelin_cost_format (table, csv, json, markdown, latex). */
int myelin_search_write_summary(const myelin_search *s, int format, int with_timing, void *file,
                                myelin_error *err);
/* The summary as a report-module table (base/report.h) with the search's provenance; NULL when
 * out of memory.  Free with myelin_report_free. */
struct myelin_report *myelin_search_summary_table(const myelin_search *s, int with_timing);
/* The headline figures (myelin_search_figures) as a two-column table, figure and value, rows key
 * "figures"; values that are not finite are empty (null in JSON).  NULL when out of memory. */
struct myelin_report *myelin_search_figures_table(const myelin_search *s);

/* Headline figures of the chosen setting (for the CLI and tests). */
typedef struct myelin_search_figures {
    double float_val_pct, chosen_val_pct, drop_pct;
    double float_test_pct, chosen_test_pct, test_drop_pct;
    int test_over;             /* the chosen setting's test drop exceeds the constraint */
    int predicted_passes;      /* adaptive: path points taken on a confident prediction */
    int64_t float_memory_bytes, chosen_memory_bytes;
    double memory_saving_pct;
    double float_energy_pj, chosen_energy_pj, energy_saving_pct;
    double avg_bits, compression;
    int full_evals, drift_evals, gated_out, skipped, check_evals, check_false_rejections;
    int candidates;            /* measured candidates */
    /* Spearman rank correlation with the validation drop over the fully evaluated search
       candidates (gate checks included): of the proxy, of drift alone, of the logit error alone */
    double spearman_proxy, spearman_drift, spearman_logit;
    int spearman_n;
    double wall_s;
    char chosen_key[512];
} myelin_search_figures;
void myelin_search_get_figures(const myelin_search *s, myelin_search_figures *f);

#ifdef __cplusplus
}
#endif
#endif
