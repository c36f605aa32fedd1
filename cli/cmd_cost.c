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

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin cost [--workload W] [--quant Q.yaml] [--arch A] [--rate R | --activity F.json]\n"
            "                   [--format table|csv|json|markdown|latex] [--columns LIST] [--out FILE]\n"
            "                   [--quiet]\n"
            "       myelin cost --tables DIR [--activity tiny-run.json] [--progress] [--quiet]\n\n"
            "Maps a workload onto a core array and reports, per layer and in total: energy by\n"
            "component (compute, synapse memory, neurons, NoC, leakage), parameter memory\n"
            "(parameters x weight bits, plus 32-bit quantization scales reported apart) and membrane\n"
            "memory in bits and bytes, synaptic ops, a cycle estimate and cores used.\n"
            "  --workload W     workload YAML, or a zoo name (default: tiny)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset: paper-45nm, loihi-like, generic-45nm\n"
            "                   (default generic-45nm; presets and zoo names are found in the data\n"
            "                   folders: $MYELIN_DATADIR, the installed one, the source tree)\n"
            "  --rate R         every layer fires at R spikes per neuron per timestep\n"
            "  --activity F     measured firing rates: the JSON written by 'myelin run --json'\n"
            "                   (default: the workload's statistical firing rates)\n"
            "  --format F       table (energies in uJ), csv and json (pJ, full precision), markdown,\n"
            "                   latex (booktabs; the main columns unless --columns names others)\n"
            "  --columns LIST   the columns to write, in order (comma-separated, e.g. layer,total_uJ)\n"
            "  --out FILE       write there (atomically) instead of standard output\n"
            "  --tables DIR     regenerate the paper-style tables and plots in DIR: zoo parameters and\n"
            "                   memory at float/8/4/2 bits, energy per inference on every preset (each\n"
            "                   as Markdown, CSV and LaTeX), and the tiny model's per-layer breakdown\n"
            "                   (from --activity when given); plots need gnuplot on PATH; DIR is\n"
            "                   created when missing\n"
            "  --progress       progress on stderr (default: when stderr is a terminal)\n"
            "  -q, --quiet      no notes or progress on stderr (errors only)\n"
            "The real-valued first layer is counted once per inference (the image is the same at every\n"
            "timestep), as in the SViT papers.\n");
}

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
    myelin_cli_init(&c, "cost", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_QUANT | MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT |
                        MYELIN_OPT_OUT | MYELIN_OPT_PROGRESS);
    c.workload = "tiny";
    cost_args a = {-1, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos)
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c.pos[0]);
    else if (a.rate >= 0 && a.activity)
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
