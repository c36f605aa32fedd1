/* cli/cmd_cost.c — `myelin cost`: per-layer energy (by component), memory, synaptic ops, cycles
 * and cores of a workload mapped onto a core array, in five output formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "cli/cli.h"
#include "base/util.h"
#include "models/cost.h"
#include "models/cost_tables.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

/* ---- the command ----------------------------------------------------------------------------- */

enum { O_RATE = 1000, O_ACTIVITY, O_TABLES };

typedef struct cost_args {
    double rate;
    const char *activity, *tables;
} cost_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    cost_args *a = user;
    if (id == O_ACTIVITY)
        a->activity = arg;
    else if (id == O_TABLES)
        a->tables = arg;
    else if (myelin_cli_parse_rate(arg, &a->rate))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--rate: expected a firing rate between 0 and 1 (got '%s')", arg);
    return 0;
}

int myelin_cmd_cost(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"rate", 1, O_RATE}, {"activity", 1, O_ACTIVITY},
                                         {"tables", 1, O_TABLES}, {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "cost", myelin_help_cost,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_QUANT | MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT |
                        MYELIN_OPT_OUT | MYELIN_OPT_PROGRESS);
    c.workload = "tiny";
    cost_args a = {-1, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (a.rate >= 0 && a.activity)
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "give --rate or --activity, not both");
    if (c.ctx.err.code)
        return myelin_cli_failed(&c);
    if (a.tables) {
        if (a.activity)
            myelin_provenance_add_path(&c.ctx.prov, "activity", a.activity);
        int gp_failed = 0;
        if (myelin_cost_write_tables(a.tables, a.activity, &c.ctx.prov, myelin_cli_progress(&c), &gp_failed,
                                     &c.ctx.err))
            return myelin_cli_failed(&c);
        if (gp_failed && !c.quiet)
            fprintf(stderr, "myelin cost: gnuplot not available or failed; the .gp scripts are in %s\n", a.tables);
        return 0;
    }
    myelin_cost_report *rep = NULL;
    myelin_activity act = {0, NULL, ""};
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_quant(&c, 0);
    if (!rc)
        rc = myelin_cli_load_arch(&c);
    if (!rc)
        rc = myelin_context_activity(&c.ctx, a.rate, a.activity, &act);
    if (!rc)
        rc = myelin_cost_evaluate(c.ctx.wl, c.ctx.lq, &act, c.ctx.arch, c.ctx.map, c.ctx.reg, &rep, &c.ctx.err);
    if (!rc) {
        myelin_report *t = myelin_cost_report_table(rep, c.ctx.wl, c.format);
        rc = myelin_cli_emit(&c, t, NULL, NULL);
        myelin_report_free(t);
    }
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_cli_free(&c);
    return status;
}
