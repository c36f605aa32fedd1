/* search/internal.h — what the search's source files share (not part of the public API):
 * the search object, groups, candidates, the evaluator, the journal and the gate. */
#ifndef MYELIN_SEARCH_INTERNAL_H
#define MYELIN_SEARCH_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "arch/arch.h"
#include "models/cost.h"
#include "search/search.h"
#include "sim/engine.h"

#define SEARCH_MAX_GLOBS 4
#define SEARCH_CHUNK 25 /* validation images per work unit (fixed: results independent of threads) */

typedef struct sgroup {
    char name[MYELIN_NAME_MAX];
    int n_globs;
    char globs[SEARCH_MAX_GLOBS][MYELIN_NAME_MAX];
    int64_t weights; /* weight elements of the group's layers */
} sgroup;

/* One group's precision: wlev 0 = float, i >= 1 = bits[i-1]; scheme index; membrane level.
 * A candidate's state is n_groups + 1 of these: the last one holds the input width's level in
 * wlev (ibits[wlev]; used when the group of the image's first layer is quantized). */
typedef struct gstate {
    signed char wlev, sch, mlev;
} gstate;

typedef enum cand_role {
    ROLE_BASELINE = 0, /* the float network */
    ROLE_SEARCH,       /* proposed by the search */
    ROLE_SWEEP,        /* QSViT sensitivity sweep: one group lowered alone */
} cand_role;

typedef enum gate_state {
    GATE_PENDING = 0, /* not decided yet */
    GATE_IN,          /* earned a full evaluation */
    GATE_OUT,         /* rejected by the gate on its drift */
    GATE_SKIPPED,     /* not needed: a better-ranked candidate of its step passed first */
} gate_state;

typedef struct cand {
    int id, step, parent;
    cand_role role;
    gstate *g; /* [n_groups + 1] (the last: input width) */
    char *key;
    int sweep_group, sweep_level; /* ROLE_SWEEP */
    /* computed from the setting */
    int64_t mem_bits, membrane_bits;
    double avg_bits;
    /* drift on the calibration batch */
    int has_drift;
    double drift_mean, drift_max, calib_energy_pj, calib_latency_s;
    double logit_err, kl, flip_pct; /* logit terms on the calibration batch (eval.c) */
    double proxy;                   /* drift_mean + logit_err: the network figure */
    double pred_drop, pred_half;    /* the adaptive gate's prediction and its interval half-width */
    int predicted;                  /* pred_* set */
    gate_state gate;
    /* full evaluation on the validation set */
    int has_full, checked; /* checked: evaluated only to check the gate */
    int64_t correct, images;
    double acc_pct, drop_pct, energy_pj, latency_s;
    int pass;
    /* the test set (baseline and chosen only) */
    int has_test;
    int64_t test_correct, test_images;
} cand;

typedef struct imageset {
    int n;
    uint8_t *pixels; /* n x image bytes */
    int *labels;
    char spec[512];
} imageset;

typedef struct journal journal;

struct myelin_search {
    myelin_search_config cfg;
    char val_spec[512], calib_spec[512], test_spec[512], train_spec[512], arch_path[MYELIN_PATH_MAX];
    char journal_path[MYELIN_PATH_MAX];
    const myelin_workload *wl;
    const myelin_weights *w;
    myelin_arch *arch;
    myelin_cost_registry *reg;
    int n_groups;
    sgroup *groups;
    int *layer_group; /* [n_layers]: group of each layer, -1 when none */
    imageset val, calib, test;
    size_t image_bytes;
    myelin_engine *float_engine;
    myelin_engine_reference **refs; /* one per calibration image */
    double *ref_logits;             /* [calib.n][classes] float logits */
    int first_group;                /* group of the layer that takes the image (-1: none) */
    journal *jn;
    int64_t new_evals;
    int n_cands, cap_cands;
    cand *cands;
    int baseline, chosen;
    int full_evals, drift_evals, check_evals, check_false;
    int steps;
    double t0, wall_s;
    double fit_c0, fit_c1; /* the adaptive gate's last fit (drop = c0 + c1 proxy) */
    int fit_n;
    int predicted_passes;  /* path points taken as passes on a confident prediction (adaptive) */
    char note[512];
};

/* ---- space.c ---- */
int myelin_space_groups(myelin_search *s, myelin_error *err);
/* Appends a candidate with the given group states (copied); returns its index or -1 (ENOMEM);
 * an existing candidate with the same key is returned instead when reuse is set. */
int myelin_space_add(myelin_search *s, const gstate *g, cand_role role, int step, int parent,
              myelin_error *err);
int myelin_space_find(const myelin_search *s, const char *key);
/* Key of a setting, e.g. "u8.u8.p4.f" (m<bits> appended when membranes are searched). */
char *myelin_space_key(const myelin_search *s, const gstate *g);
/* The per-layer precision of a candidate into lq[n_layers]. */
int myelin_space_resolve(const myelin_search *s, const gstate *g, myelin_layer_quant *lq,
                  myelin_error *err);
/* The candidate as a quantization-setting YAML (malloc'd). */
char *myelin_space_yaml(const myelin_search *s, const cand *c, const char *comment);
int myelin_space_weight_bits(const myelin_search *s, const gstate *gs);
int myelin_space_membrane_bits(const myelin_search *s, const gstate *gs);
/* Image width of a whole state g[n_groups + 1]. */
int myelin_space_input_bits(const myelin_search *s, const gstate *g);
/* The state's objective (lower is better): memory bits, joules or energy x latency; `est` uses the
 * calibration batch's energy when the candidate has no full evaluation. */
double myelin_space_objective(const myelin_search *s, const cand *c, int est);

/* ---- eval.c ---- */
int myelin_eval_setup(myelin_search *s, myelin_error *err);
void myelin_eval_teardown(myelin_search *s);
void myelin_eval_free_images(imageset *im);
/* Each returns 0, MYELIN_SEARCH_STOPPED or an error; results come from the journal when there. */
int myelin_eval_drift(myelin_search *s, int ci, myelin_error *err);
int myelin_eval_full(myelin_search *s, int ci, myelin_error *err);
int myelin_eval_test(myelin_search *s, int ci, myelin_error *err);
/* c->proxy from its drift and logit terms. */
void myelin_eval_proxy(const myelin_search *s, cand *c);
double myelin_search_now_s(void);
void myelin_search_progress(myelin_search *s, const char *what);

/* ---- journal.c ---- */
int myelin_journal_open(const char *path, uint64_t args_hash, journal **out, int *restarted,
                 myelin_error *err);
void myelin_journal_close(journal *j);
/* Lookup of a record "kind:key"; the values array gets up to n numbers; 1 when found. */
int myelin_journal_get(const journal *j, const char *kind, const char *key, double *vals, int n);
int myelin_journal_put(journal *j, const char *kind, const char *key, const double *vals, int n,
                myelin_error *err);
int myelin_journal_records(const journal *j);

/* ---- gate.c ---- */
/* Decides GATE_IN / GATE_OUT for the step's candidates idx[n] (proxy known). */
int myelin_gate_decide(myelin_search *s, const int *idx, int n, myelin_error *err);
/* The adaptive gate's model: refits drop = c0 + c1 proxy (fully evaluated candidates) and sets
 * c->pred_drop, c->pred_half (one-sided 95 % prediction interval) for idx[n]; returns 1 when a
 * fit exists, 0 when not (too few points or no rising line), negative on error. */
int myelin_gate_predict(myelin_search *s, const int *idx, int n, myelin_error *err);
/* 1 when c is a confident failure (lower prediction bound above the allowed drop), -1 a confident
 * pass (upper bound below), 0 uncertain; 0 without a prediction. */
int myelin_gate_verdict(const myelin_search *s, const cand *c);

/* ---- aq4svit.c / qsvit.c ---- */
int myelin_search_aq4svit(myelin_search *s, myelin_error *err); /* greedy, beam, hetero */
int myelin_search_qsvit(myelin_search *s, myelin_error *err);
/* Full evaluation of c with its pass flag and drop against the baseline. */
int myelin_search_full(myelin_search *s, int ci, myelin_error *err);
/* 1 when a ranks before b by the objective: lower memory, then higher accuracy, lower energy. */
int myelin_search_better(const myelin_search *s, const cand *a, const cand *b);

/* ---- rank.c ---- */
/* Indices of the non-dominated fully evaluated candidates (maximise accuracy, minimise memory
 * and energy), ordered by memory; returns the count (*out malloc'd). */
int myelin_rank_pareto(const myelin_search *s, int **out);
/* Spearman correlation of a proxy (0 the network proxy, 1 drift alone, 2 logit error alone)
 * with the validation drop over the fully evaluated search candidates; *n_out their count (0
 * when fewer than 3). */
double myelin_rank_spearman(const myelin_search *s, int which, int *n_out);

#endif
