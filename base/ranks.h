/* base/ranks.h — the processes of one run under an MPI launcher (Open MPI's mpirun, Slurm's srun):
 * starting and stopping MPI, rank and size, the few collectives the sweep and the search use, and
 * one loop that spreads independent items over the ranks.  Without MPI (not built in, or the
 * process was not started by a launcher) there is one process, rank 0 of 1, and every call is a
 * local no-op; nothing of MPI leaks into this header.
 *
 * Determinism: every collective here combines results in rank order or by an exact operation
 * (a sum where one rank holds the value and the others zero, a minimum), so what rank 0 ends up
 * with is what a serial run computes, byte for byte. */
#ifndef MYELIN_BASE_RANKS_H
#define MYELIN_BASE_RANKS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when MPI is built in. */
int myelin_ranks_built_in(void);

/* 1 when an MPI launcher started this process (Open MPI, or PMI/PMIx as Slurm sets). */
int myelin_ranks_launched(void);

/* Starts MPI when built in and launched (once per process); returns the number of ranks (1
 * without MPI).  myelin_ranks_finish ends it (a no-op when it was not started). */
int myelin_ranks_start(void);
void myelin_ranks_finish(void);

/* This process's rank and the number of ranks (0 and 1 when MPI is not running). */
int myelin_ranks_rank(void);
int myelin_ranks_size(void);

/* Every rank gets root's bytes. */
void myelin_ranks_bcast(void *buf, size_t bytes, int root);

/* Element-wise exact sums over the ranks, in place on every rank.  Exact when each element is
 * nonzero on at most one rank (the caller's partition of work), so the result does not depend
 * on the number of ranks. */
void myelin_ranks_sum_i64(int64_t *v, size_t n);
void myelin_ranks_sum_f64(double *v, size_t n);

/* Agreement on a status: every rank passes its own rc (and err); all return the first failing
 * rank's rc with that rank's error copied into err (0 when every rank succeeded). */
int myelin_ranks_agree(int rc, myelin_error *err);

/* Items 0 .. n-1 evaluated once each, spread over the ranks in batches (item k of a batch goes to
 * rank k); rank 0 decides which items are still to do and receives every result in item order.
 * Each result is nvals doubles. */
typedef struct myelin_ranks_work {
    int64_t n;
    int nvals;
    void *user;
    int (*done)(void *user, int64_t i);                          /* rank 0: already has it */
    int (*eval)(void *user, int64_t i, double *vals, myelin_error *err); /* any rank */
    int (*take)(void *user, int64_t i, const double *vals, myelin_error *err); /* rank 0 */
    void (*progress)(void *user, int64_t fresh, int64_t todo);   /* rank 0, after each batch */
    int64_t stop_after;                                          /* > 0: stop after as many */
} myelin_ranks_work;

/* Runs w; *fresh gets the items evaluated now, *stopped 1 when stop_after cut it short.  Returns
 * the agreed status (myelin_ranks_agree) on every rank. */
int myelin_ranks_spread(const myelin_ranks_work *w, int64_t *fresh, int *stopped,
                        myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
