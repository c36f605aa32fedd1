/* cli/cmd_sim.c — `myelin sim`: runs a workload on the SystemC cycle-level model of a core array
 * and prints energy per layer in `myelin cost`'s formats, the cycle breakdown per layer (and per
 * core), queue depths, memory occupancy, end-to-end latency, and the analytical cost model's
 * energy for the same mapping and activity. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "sim/simulation.h"

/* ---- options ------------------------------------------------------------------------------------ */

enum { O_STAT = 1000, O_RATE, O_PERCORE, O_VCD, O_LOGITS };

typedef struct sim_args {
    int statistical, per_core;
    double rate;
    const char *vcd, *logits;
} sim_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    sim_args *a = user;
    switch (id) {
    case O_STAT: a->statistical = 1; break;
    case O_PERCORE: a->per_core = 1; break;
    case O_VCD: a->vcd = arg; break;
    case O_LOGITS: a->logits = arg; break;
    default:
        if (myelin_cli_parse_rate(arg, &a->rate))
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--rate: expected a firing rate between 0 and 1 (got '%s')", arg);
        a->statistical = 1;
    }
    return 0;
}

/* ---- output ---------------------------------------------------------------------------------------- */

/* Writes t (freed; NULL: failed, c->ctx.err says why) in --format; --columns chooses the energy
 * table's columns only. */
static int emit(myelin_cli *c, myelin_report *t, int energy, FILE *f)
{
    const char *cols = c->columns;
    if (!energy)
        c->columns = NULL;
    int rc = !t && c->ctx.err.code ? c->ctx.err.code : myelin_cli_emit(c, t, NULL, f);
    c->columns = cols;
    myelin_report_free(t);
    return rc;
}

static int write_text(myelin_cli *c, const sim_args *a, const myelin_simulation *o)
{
    FILE *f = stdout;
    int rc = 0;
    if (!c->quiet) {
        if (c->format == MYELIN_REPORT_TABLE)
            myelin_simulation_write_header(o, &c->ctx, f);
        rc = emit(c, myelin_cost_report_table(o->srep, c->ctx.wl, c->format), 1, f);
        fputc('\n', f);
        if (!rc)
            rc = emit(c, myelin_simulation_layers_table(o, &c->ctx), 0, f);
        if (!rc && a->per_core) {
            fputc('\n', f);
            rc = emit(c, myelin_simulation_cores_table(o, &c->ctx), 0, f);
        }
        fputc('\n', f);
    }
    const char *pre = myelin_report_comment_prefix(c->format);
    if (!rc)
        myelin_simulation_write_summary(o, &c->ctx, pre, !c->quiet, f);
    return rc;
}

int myelin_cmd_sim(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"statistical", 0, O_STAT}, {"rate", 1, O_RATE},
                                         {"per-core", 0, O_PERCORE}, {"vcd", 1, O_VCD},
                                         {"logits", 1, O_LOGITS}, {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "sim", myelin_help_sim,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_DATASET | MYELIN_OPT_QUANT |
                        MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT | MYELIN_OPT_SEED |
                        MYELIN_OPT_PROGRESS);
    sim_args a = {0, 0, -1, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    myelin_simulation o = (myelin_simulation){.statistical = a.statistical, .rate = a.rate, .seed = c.seed, .limit = c.limit,
                            .vcd = a.vcd, .logits_path = a.logits,
                            .progress = myelin_cli_progress(&c) ? myelin_cli_progress_images : NULL,
                            .progress_user = &c};
    int rc = myelin_cli_load_workload(&c);
    if (!rc && a.statistical && (c.weights || c.dataset || a.logits))
        rc = myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--statistical / --rate draw spikes: give no --weights, --dataset or --logits");
    if (!rc)
        rc = myelin_simulation_setup(&o, &c.ctx, c.weights, NULL, c.quant, NULL, c.arch, c.dataset);
    if (!rc && a.logits && o.statistical)
        rc = myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--logits needs weights (workload %s runs in statistical mode)", c.ctx.wl->name);
    if (!rc) {
        rc = myelin_simulation_run(&o, &c.ctx);
        if (o.progress)
            fputc('\n', stderr);
    }
    if (!rc && c.format == MYELIN_REPORT_JSON)
        rc = emit(&c, myelin_simulation_json_table(&o, &c.ctx, a.per_core, c.columns), 0, NULL);
    else if (!rc)
        rc = write_text(&c, &a, &o);
    if (!rc && ferror(stdout))
        rc = myelin_error_set(&c.ctx.err, MYELIN_EIO, NULL, 0, 0, "write error on standard output");
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_simulation_free(&o);
    myelin_cli_free(&c);
    return status;
}
