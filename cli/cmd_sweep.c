/* cli/cmd_sweep.c — `myelin sweep`: evaluates every point of a design-space sweep (dse/sweep.h)
 * with the cost models, journaled and resumable, optionally spread over MPI ranks (rank 0 owns
 * the journal and the outputs; results are byte-identical to a serial run). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include "base/ranks.h"
#include "base/util.h"
#include "cli/cli.h"
#include "dse/sweep.h"
#include "sim/array.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin sweep SWEEP.yaml [--out DIR] [--sim top:K|all] [--progress] [--stop-after N]\n"
            "                   [--format table|csv|json|markdown|latex] [--columns LIST] [--quiet]\n"
            "       mpirun -np N myelin sweep SWEEP.yaml [--out DIR] [--sim top:K|all]\n\n"
            "Evaluates every point of a design-space sweep with the cost models: a base architecture,\n"
            "workloads, quantization settings and parameters to vary (lists or {from, to, step}; the\n"
            "file format is in dse/README.md).  For each point: energy, latency, EDP, area, memory,\n"
            "cores, whether it fits (else the mapper's reason); the Pareto front (energy x latency x\n"
            "area, per workload and setting).\n"
            "  --out DIR        outputs (default myelin-out/sweep): points.{txt,csv,json,md,tex},\n"
            "                   pareto.{csv,md}, pareto.{gp,dat,svg}, journal.jsonl\n"
            "  --sim top:K|all  also run the SystemC model (statistical, seed 1, one inference) on the\n"
            "                   K best fitting points of each workload and setting (the Pareto-front\n"
            "                   points, then the others, each by ascending EDP) or on all of them:\n"
            "                   columns sim_energy_J, sim_latency_s\n"
            "                   and sim/cost ratios; one process per simulation, journaled too\n"
            "  --progress       points done and ETA on stderr (default: when stderr is a terminal)\n"
            "  --format F       also print the Pareto front on standard output in F: table, csv,\n"
            "                   json, markdown or latex (--columns LIST chooses its columns)\n"
            "  -q, --quiet      no progress or notes on stderr (errors only)\n"
            "  --stop-after N   stop after N new points (exit 3); a rerun resumes from the journal\n"
            "Every point is appended to DIR/journal.jsonl as it completes; a rerun with the same inputs\n"
            "(even after kill -9) reuses them and writes identical outputs.  Under mpirun (Open MPI;\n"
            "Slurm's srun alike) points are spread over the ranks; rank 0 owns the journal and the\n"
            "outputs, which are byte-identical to a serial run.\n");
    fprintf(f, myelin_ranks_built_in() ? "MPI: built in (Open MPI)\n"
                                       : "MPI: not built in (configure found no Open MPI)\n");
}

static double now_s(void)
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
    if (!c->progress || (now_s() - c->last_print < 0.5 && fresh < todo))
        return;
    c->last_print = now_s();
    double el = now_s() - c->t0;
    double eta = fresh > 0 ? el / (double)fresh * (double)(todo - fresh) : 0;
    fprintf(stderr, "\rmyelin sweep: %s %" PRId64 "/%" PRId64 " new, %.0f s elapsed, ETA %.0f s   ",
            c->what, fresh, todo, el, eta);
}

/* The SystemC run of one point, in a child process: SystemC elaborates one netlist per process
 * (sim/array.h), so every simulation forks.  The child sends its status, error and values back
 * through a pipe and leaves with _exit (no atexit handlers: MPI's belong to the parent). */
typedef struct sim_msg {
    int rc;
    myelin_error err;
    double v[MYELIN_SWEEP_SIM_VALS];
} sim_msg;

static void sim_child(const myelin_sweep *s, int64_t i, sim_msg *m)
{
    myelin_sweep_point p;
    myelin_array_result *res = NULL;
    myelin_cost_report *rep = NULL;
    m->rc = myelin_sweep_point_open(s, i, &p, &m->err);
    if (!m->rc) {
        myelin_array_options o;
        memset(&o, 0, sizeof o);
        o.wl = p.wl;
        o.lq = p.lq;
        o.arch = &p.arch;
        o.map = p.map;
        o.limit = 1;
        o.rates = p.act.rate;
        o.seed = 1;
        m->rc = myelin_array_run(&o, &res, &m->err);
        if (!m->rc)
            m->rc = myelin_array_report(res, p.wl, p.lq, &p.arch, p.map, &rep, &m->err);
        if (!m->rc) {
            m->v[0] = rep->total.total_pj * 1e-12;
            m->v[1] = res->clock_hz > 0 ? res->mean_latency_cycles / res->clock_hz : 0;
        }
        myelin_sweep_point_close(&p);
    }
    if (m->rc)
        myelin_error_prefix(&m->err, "--sim point %" PRId64, i);
    myelin_cost_report_free(rep);
    myelin_array_result_free(res);
}

static int sim_done(void *u, int64_t k)
{
    sweep_ctx *c = u;
    return myelin_sweep_sim_done(c->s, c->pick[k]);
}

static int sim_eval(void *u, int64_t k, double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    int64_t i = c->pick[k];
    int fd[2];
    if (pipe(fd) != 0)
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "--sim: cannot make a pipe: %s",
                                strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "--sim: cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fd[0]);
        sim_msg m;
        memset(&m, 0, sizeof m);
        sim_child(c->s, i, &m);
        size_t off = 0;
        while (off < sizeof m) {
            ssize_t w = write(fd[1], (char *)&m + off, sizeof m - off);
            if (w <= 0 && errno != EINTR)
                _exit(1);
            if (w > 0)
                off += (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    sim_msg m;
    size_t off = 0;
    while (off < sizeof m) {
        ssize_t r = read(fd[0], (char *)&m + off, sizeof m - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    close(fd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (off < sizeof m)
        return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                "--sim point %" PRId64 ": the simulation process died (%s %d)", i,
                                WIFSIGNALED(st) ? "signal" : "exit status",
                                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    if (m.rc) {
        *err = m.err;
        return m.rc;
    }
    memcpy(vals, m.v, sizeof m.v);
    return 0;
}

static int sim_take(void *u, int64_t k, const double *vals, myelin_error *err)
{
    sweep_ctx *c = u;
    myelin_sweep_sim_set(c->s, c->pick[k], vals);
    return myelin_sweep_sim_record(c->s, c->pick[k], err);
}

/* "all" (-1) or "top:K" (K >= 1) */
static int parse_sim(const char *a, int64_t *k)
{
    if (!strcmp(a, "all")) {
        *k = -1;
        return 0;
    }
    return strncmp(a, "top:", 4) ? -1 : myelin_cli_parse_count(a + 4, k);
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
    cx->t0 = now_s();
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

/* Rank 0, after the outputs are written: the Pareto front on standard output with --format. */
static int print_front(myelin_cli *c, myelin_sweep *s)
{
    myelin_report *pt = NULL, *ft = NULL;
    int rc = myelin_sweep_tables(s, &pt, &ft, &c->ctx.err);
    if (!rc) {
        myelin_provenance p = c->ctx.prov;
        myelin_provenance_add_path(&p, "sweep", c->pos[0]);
        c->ctx.prov = p;
        rc = myelin_cli_emit(c, ft, NULL, stdout);
    }
    myelin_report_free(pt);
    myelin_report_free(ft);
    return rc;
}

enum { O_OUT = 1000, O_STOP, O_SIM };

typedef struct sweep_args {
    const char *out;
    int64_t stop_after, sim_k;
    int sim;
} sweep_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    sweep_args *a = user;
    if (id == O_OUT)
        a->out = arg;
    else if (id == O_STOP && myelin_cli_parse_count(arg, &a->stop_after))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--stop-after wants a positive integer (got '%s')", arg);
    else if (id == O_SIM && parse_sim(arg, &a->sim_k))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--sim wants top:K (K >= 1) or all (got '%s')", arg);
    a->sim |= id == O_SIM;
    return 0;
}

int myelin_cmd_sweep(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"out", 1, O_OUT}, {"stop-after", 1, O_STOP}, {"sim", 1, O_SIM},
                                         {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "sweep", usage, MYELIN_OPT_FORMAT | MYELIN_OPT_PROGRESS);
    c.format = -1; /* no table on standard output unless --format asks */
    sweep_args a = {"myelin-out/sweep", 0, 0, 0};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos != 1) {
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                         c.npos ? "expected one sweep file, got '%s' too" : "expected a sweep file (myelin sweep SWEEP.yaml)",
                         c.npos ? c.pos[1] : "");
        status = myelin_cli_failed(&c);
        usage(stderr);
        return status;
    }
    if (!myelin_ranks_built_in() && myelin_ranks_launched() && !c.quiet)
        fprintf(stderr, "myelin sweep: note: started by an MPI launcher, but this myelin was built "
                        "without MPI; every rank runs the whole sweep\n");
    myelin_ranks_start();
    int rank = myelin_ranks_rank(), progress = rank == 0 && myelin_cli_progress(&c);
    myelin_sweep *s = NULL;
    int rc = myelin_sweep_load(c.pos[0], &s, &c.ctx.err);
    if (!rc && rank == 0)
        rc = myelin_mkdirs(a.out, &c.ctx.err);
    int64_t resumed = 0;
    if (!rc && rank == 0)
        rc = myelin_sweep_journal(s, a.out, &resumed, &c.ctx.err);
    rc = myelin_ranks_agree(rc, &c.ctx.err);
    sweep_ctx cx = {s, NULL, resumed, now_s(), 0, progress, "points"};
    int64_t fresh = 0, sim_fresh = 0, n = rc ? 0 : myelin_sweep_points(s);
    int stopped = 0;
    if (!rc && progress && resumed)
        fprintf(stderr, "myelin sweep: %" PRId64 " of %" PRId64 " points from the journal\n", resumed, n);
    if (!rc) {
        myelin_ranks_work w = {n, MYELIN_SWEEP_VALS, &cx, cost_done, cost_eval, cost_take, show_progress,
                               a.stop_after};
        rc = myelin_ranks_spread(&w, &fresh, &stopped, &c.ctx.err);
    }
    if (progress && fresh)
        fprintf(stderr, "\n");
    if (!rc && !stopped && a.sim)
        rc = sim_phase(&cx, a.sim_k, a.stop_after, fresh, &sim_fresh, &stopped, &c.ctx.err);
    int plotted = 0;
    if (!rc && !stopped && rank == 0)
        rc = myelin_sweep_write(s, a.out, &plotted, &c.ctx.err);
    if (!rc && !stopped && rank == 0 && progress)
        fprintf(stderr, "myelin sweep: wrote %s/points.{txt,csv,json,md,tex}, pareto.{csv,md,gp,dat}%s\n",
                a.out, plotted ? ", pareto.svg, pareto.png" : " (no gnuplot: the plots not drawn)");
    if (!rc && !stopped && rank == 0 && c.format >= 0)
        rc = print_front(&c, s);
    if (rc)
        status = rank == 0 ? myelin_cli_failed(&c) : 1;
    else if (stopped) {
        if (rank == 0) /* (also with --quiet: it explains exit status 3) */
            fprintf(stderr, "myelin sweep: stopped after %" PRId64 " new points and %" PRId64
                            " new simulations (--stop-after); rerun to resume\n", fresh, sim_fresh);
        status = 3;
    } else {
        status = 0;
    }
    free(cx.pick);
    myelin_ranks_finish();
    myelin_sweep_free(s);
    return status;
}
