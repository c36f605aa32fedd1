/* dse/sweep_run.c — the two phases of a sweep (dse/sweep_run.h): every point through the cost
 * models, then the SystemC model on the picked points, each spread over the MPI ranks
 * (base/ranks.h) and journaled by rank 0. */
#include "dse/sweep_run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/child.h"
#include "base/ranks.h"
#include "sim/array.h"

double myelin_sweep_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the two phases, spread over the ranks (base/ranks.h) ---------------------------------- */

typedef struct sweep_ctx {
    myelin_sweep *s;
    int64_t *pick;     /* --sim: the points to simulate, in order */
    int64_t resumed;
    double t0, last_print;
    int progress;
    const char *what;
    int64_t child_point; /* the point the child simulates */
} sweep_ctx;

static int cost_done(void *u, int64_t i)
{
    return myelin_sweep_done(((sweep_ctx *)u)->s, i);
}

static int cost_eval(void *u, int64_t i, double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    int rc = myelin_sweep_eval(c->s, i, err);
    if (!rc)
        myelin_sweep_get(c->s, i, vals);
    return rc;
}

static int cost_take(void *u, int64_t i, const double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    myelin_sweep_set(c->s, i, vals);
    return myelin_sweep_record(c->s, i, err);
}

static void show_progress(void *u, int64_t fresh, int64_t todo)
{
    sweep_ctx *c = u;
    if (!c->progress || (myelin_sweep_now_s() - c->last_print < 0.5 && fresh < todo))
        return;
    c->last_print = myelin_sweep_now_s();
    double el = myelin_sweep_now_s() - c->t0;
    double eta = fresh > 0 ? el / (double)fresh * (double)(todo - fresh) : 0;
    fprintf(stderr, "\rmyelin sweep: %s %" PRId64 "/%" PRId64 " new, %.0f s elapsed, ETA %.0f s   ",
            c->what, fresh, todo, el, eta);
}

/* The SystemC run of one point, in a child process (base/child.h): SystemC elaborates one
 * netlist per process (sim/array.h), so every simulation forks; the child leaves with _exit (no
 * atexit handlers: MPI's belong to the parent). */
static int sim_child(void *user, char **out, size_t *len, myelin_error *err)
{
    const sweep_ctx *c = user;
    int64_t i = c->child_point;
    myelin_sweep_point p;
    myelin_array_result *res = NULL;
    myelin_cost_report *rep = NULL;
    double *v = calloc(MYELIN_SWEEP_SIM_VALS, sizeof *v);
    int rc = v ? myelin_sweep_point_open(c->s, i, &p, err) : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        myelin_array_options o;
        memset(&o, 0, sizeof o);
        o.wl = p.wl;
        o.lq = p.lq;
        o.arch = &p.arch;
        o.map = p.map;
        o.limit = 1;
        o.rates = p.act.rate;
        o.seed = 1;
        rc = myelin_array_run(&o, &res, err);
        if (!rc)
            rc = myelin_array_report(res, p.wl, p.lq, &p.arch, p.map, &rep, err);
        if (!rc) {
            v[0] = rep->total.total_pj * 1e-12;
            v[1] = res->clock_hz > 0 ? res->mean_latency_cycles / res->clock_hz : 0;
        }
        myelin_sweep_point_close(&p);
    }
    myelin_cost_report_free(rep);
    myelin_array_result_free(res);
    *out = (char *)v;
    *len = MYELIN_SWEEP_SIM_VALS * sizeof *v;
    return rc;
}

static int sim_done(void *u, int64_t k)
{
    sweep_ctx *c = u;
    return myelin_sweep_sim_done(c->s, c->pick[k]);
}

static int sim_eval(void *u, int64_t k, double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    char *buf = NULL;
    size_t len = 0;
    c->child_point = c->pick[k];
    int rc = myelin_child_run(sim_child, c, &buf, &len, err);
    if (!rc && len != MYELIN_SWEEP_SIM_VALS * sizeof *vals)
        rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0, "a short result from the simulation process");
    if (rc)
        myelin_error_prefix(err, "--sim point %" PRId64, c->pick[k]);
    else
        memcpy(vals, buf, len);
    free(buf);
    return rc;
}

static int sim_take(void *u, int64_t k, const double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    myelin_sweep_sim_set(c->s, c->pick[k], vals);
    return myelin_sweep_sim_record(c->s, c->pick[k], err);
}

/* --sim: rank 0 picks the points (it alone holds every value), the ranks simulate them;
 * --stop-after counts the new cost points and simulations together. */
static int sim_phase(sweep_ctx *cx, int64_t sim_k, int64_t stop_after, int64_t fresh, int64_t *sim_fresh,
                     int *stopped, myelin_error *err)
{
    int rank = myelin_ranks_rank(), rc = 0;
    int64_t n_pick = 0;
    if (rank == 0)
        rc = myelin_sweep_sim_pick(cx->s, sim_k, &cx->pick, &n_pick, err);
    rc = myelin_ranks_agree(rc, err);
    if (rc)
        return rc;
    myelin_ranks_bcast(&n_pick, sizeof n_pick, 0);
    if (rank != 0) {
        cx->pick = calloc((size_t)n_pick + 1, sizeof *cx->pick);
        if (!cx->pick)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rc = myelin_ranks_agree(rc, err);
    if (rc)
        return rc;
    myelin_ranks_bcast(cx->pick, (size_t)n_pick * sizeof *cx->pick, 0);
    cx->t0 = myelin_sweep_now_s();
    cx->what = "SystemC runs";
    int64_t left = stop_after > 0 ? stop_after - fresh : 0;
    if (stop_after > 0 && left <= 0) {
        int pending = 0;
        for (int64_t k = 0; rank == 0 && k < n_pick; k++)
            pending |= !myelin_sweep_sim_done(cx->s, cx->pick[k]);
        myelin_ranks_bcast(&pending, sizeof pending, 0);
        *stopped = pending;
    } else {
        myelin_ranks_work w = {n_pick, MYELIN_SWEEP_SIM_VALS, cx, sim_done, sim_eval, sim_take,
                               show_progress, left};
        rc = myelin_ranks_spread(&w, sim_fresh, stopped, err);
    }
    if (cx->progress && *sim_fresh)
        fprintf(stderr, "\n");
    return rc;
}

int myelin_sweep_run(myelin_sweep *s, int64_t resumed, const myelin_sweep_run_options *o, int64_t *fresh,
                     int64_t *sim_fresh, int *stopped, myelin_error *err)
{
    sweep_ctx cx = {s, NULL, resumed, myelin_sweep_now_s(), 0, o->progress, "points", 0};
    int64_t n = myelin_sweep_points(s);
    int rc = 0;
    *fresh = *sim_fresh = 0;
    *stopped = 0;
    if (o->progress && resumed)
        fprintf(stderr, "myelin sweep: %" PRId64 " of %" PRId64 " points from the journal\n", resumed, n);
    myelin_ranks_work w = {n, MYELIN_SWEEP_VALS, &cx, cost_done, cost_eval, cost_take, show_progress, o->stop_after};
    rc = myelin_ranks_spread(&w, fresh, stopped, err);
    if (o->progress && *fresh)
        fprintf(stderr, "\n");
    if (!rc && !*stopped && o->sim)
        rc = sim_phase(&cx, o->sim_k, o->stop_after, *fresh, sim_fresh, stopped, err);
    free(cx.pick);
    return rc;
}
