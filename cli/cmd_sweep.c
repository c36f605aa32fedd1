/* cli/cmd_sweep.c — `myelin sweep`: evaluates every point of a design-space sweep (dse/sweep.h)
 * with the cost models, journaled and resumable, optionally spread over MPI ranks (rank 0 owns
 * the journal and the outputs; results are byte-identical to a serial run). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ranks.h"
#include "base/util.h"
#include "cli/cli.h"
#include "dse/sweep.h"
#include "dse/sweep_run.h"

/* "all" (-1) or "top:K" (K >= 1) */
static int parse_sim(const char *a, int64_t *k)
{
    if (!strcmp(a, "all")) {
        *k = -1;
        return 0;
    }
    return strncmp(a, "top:", 4) ? -1 : myelin_cli_parse_count(a + 4, k);
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
    myelin_cli_init(&c, "sweep", myelin_help_sweep, MYELIN_OPT_FORMAT | MYELIN_OPT_PROGRESS);
    c.max_pos = 4; /* the sweep file; a wrong count is said below */
    c.format = -1; /* no table on standard output unless --format asks */
    sweep_args a = {"myelin-out/sweep", 0, 0, 0};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos != 1) {
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                         c.npos ? "expected one sweep file, got '%s' too" : "expected a sweep file (myelin sweep SWEEP.yaml)",
                         c.npos ? c.pos[1] : "");
        return myelin_cli_usage_failed(&c);
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
    int64_t fresh = 0, sim_fresh = 0;
    int stopped = 0;
    myelin_sweep_run_options ro = {a.stop_after, a.sim, a.sim_k, progress};
    if (!rc)
        rc = myelin_sweep_run(s, resumed, &ro, &fresh, &sim_fresh, &stopped, &c.ctx.err);
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
    myelin_ranks_finish();
    myelin_sweep_free(s);
    return status;
}
