/* cli/cmd_search.c — `myelin search`: per-layer quantization search (QSViT guided, AQ4SViT greedy
 * and beam with drift gating, heterogeneous uniform/power-of-two) on a workload and a core array;
 * writes the tables, the chosen setting and plots, and prints the summary. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ranks.h"
#include "cli/cli.h"
#include "base/util.h"
#include "search/request.h"
#include "search/search.h"

#define EXIT_STOPPED 3 /* --stop-after reached: rerun the same command to resume */

/* ---- options: the search module's table (search/request.h) ----------------------------------- */

enum { O_FIRST = 1000 };
static const char *const names[] = {"method", "gate", "granularity", "bits", "schemes", "membrane-bits",
                                    "max-drop", "beam-width", "input-bits", "objective", "train",
                                    "val-from-train", "val-count", "val", "calib", "test", "out", "prefix",
                                    "journal", "threads", "gate-check", "stop-after", "no-timing"};
enum { NNAMES = sizeof names / sizeof names[0] };

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    return myelin_search_request_set(user, names[id - O_FIRST], arg, &c->ctx.err);
}

/* Rank 0: the output folder, made and locked for the life of the process (one search per folder). */
static int prepare_out(myelin_cli *c, const myelin_search_request *a, int rank)
{
    int rc = 0, lock_fd = -1; /* held until exit */
    if (rank == 0)
        rc = myelin_mkdirs(a->out_dir, &c->ctx.err);
    if (!rc && rank == 0)
        rc = myelin_lock_dir(a->out_dir, &lock_fd, &c->ctx.err);
    rc = myelin_ranks_agree(rc, &c->ctx.err);
    if (!rc)
        myelin_exit_on_signals("myelin search: interrupted; every finished evaluation is in the "
                               "journal (rerun the same command to resume)");
    return rc;
}

/* ---- outputs ---------------------------------------------------------------------------------- */

static int print_summary(myelin_cli *c, const myelin_search_request *a, const myelin_search *s, int gp_failed)
{
    int table = c->format == MYELIN_REPORT_TABLE, rc = 0;
    if (!c->quiet) {
        myelin_search_figures f;
        myelin_search_get_figures(s, &f);
        if (table)
            myelin_search_request_write_title(a, c->ctx.wl->name, stdout);
        myelin_report *t = myelin_search_summary_table(s, a->with_timing);
        rc = t ? myelin_report_columns(t, c->columns, &c->ctx.err)
               : myelin_error_set(&c->ctx.err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        if (!rc)
            rc = myelin_report_write(t, c->format, stdout, &c->ctx.err);
        myelin_report_free(t);
        if (!rc && table)
            myelin_search_request_write_chosen(s, stdout);
        if (f.test_over)
            fprintf(stderr, "myelin search: warning: the chosen setting's test drop (%.2f points) exceeds "
                            "the constraint (%.2f)\n", f.test_drop_pct, a->cfg.max_drop_pct);
    }
    if (!rc) {
        printf("%stables, plots and the chosen setting (%schosen.yaml) written to %s/\n",
               c->quiet || !table ? "" : "\n", a->prefix, a->out_dir);
        if (gp_failed)
            fprintf(stderr, "myelin search: gnuplot not available or failed; the .gp scripts and "
                            ".dat files are in %s\n", a->out_dir);
    }
    return rc;
}

int myelin_cmd_search(int argc, char **argv)
{
    myelin_cli_opt own[NNAMES + 1];
    for (int k = 0; k < NNAMES; k++)
        own[k] = (myelin_cli_opt){names[k], strcmp(names[k], "no-timing") != 0, O_FIRST + k};
    own[NNAMES] = (myelin_cli_opt){NULL, 0, 0};
    myelin_cli c;
    myelin_cli_init(&c, "search", myelin_help_search,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT |
                        MYELIN_OPT_SEED | MYELIN_OPT_PROGRESS);
    myelin_search_request a;
    myelin_search_request_init(&a, "myelin-out/search", "--");
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    a.cfg.threads = nproc < 1 ? 1 : nproc > 64 ? 64 : (int)nproc;
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (myelin_search_request_check(&a, &c.ctx.err))
        return myelin_cli_failed(&c);
    if (c.has_seed)
        a.cfg.seed = c.seed;
    a.cfg.progress = myelin_cli_progress(&c);
    /* under mpirun every rank runs the search, each evaluation's image chunks spread over them
       (search/eval.c); rank 0 owns the journal, the lock and the outputs */
    myelin_ranks_start();
    int rank = myelin_ranks_rank();
    if (rank != 0) {
        a.cfg.progress = 0;
        c.quiet = 1;
    }
    myelin_search *s = NULL;
    char note[512] = "";
    a.arch = c.arch;
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_weights(&c);
    if (!rc)
        rc = myelin_search_request_resolve(&a, c.ctx.wl, 1, &c.ctx.err);
    if (a.said[0])
        fprintf(stderr, "myelin search: %s declares its dataset; using:%s\n", c.ctx.wl->name, a.said);
    if (!rc)
        rc = myelin_context_inputs_hash(&c.ctx, c.weights, &a.cfg.inputs_hash);
    rc = rc ? myelin_ranks_agree(rc, &c.ctx.err) : prepare_out(&c, &a, rank);
    if (!rc) {
        rc = myelin_search_run(&a.cfg, c.ctx.wl, c.ctx.w, &s, note, sizeof note, &c.ctx.err);
        if (note[0] && rank == 0)
            fprintf(stderr, "myelin search: note: %s\n", note);
    }
    int gp_failed = 0;
    if (rc == MYELIN_SEARCH_STOPPED) {
        if (rank == 0)
            fprintf(stderr, "myelin search: %s\n", c.ctx.err.message);
        status = EXIT_STOPPED;
    } else {
        if (!rc && rank == 0)
            rc = myelin_search_write(s, a.out_dir, a.prefix, a.with_timing, &gp_failed, &c.ctx.err);
        if (!rc && rank == 0)
            rc = print_summary(&c, &a, s, gp_failed);
        status = rc ? rank == 0 ? myelin_cli_failed(&c) : 1 : 0;
    }
    myelin_search_free(s);
    myelin_cli_free(&c);
    myelin_ranks_finish();
    return status;
}
