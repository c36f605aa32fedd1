/* cli/cmd_sim.c — `myelin sim`: runs a workload on the SystemC cycle-level model of a core array
 * and prints energy per layer in `myelin cost`'s formats, the cycle breakdown per layer (and per
 * core), queue depths, memory occupancy, end-to-end latency, and the analytical cost model's
 * energy for the same mapping and activity. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "sim/simulation.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin sim [--workload W] [--weights F.safetensors|random[:SEED]] [--dataset SPEC]\n"
            "                  [--quant Q.yaml] [--arch A] [--limit N] [--statistical] [--rate R]\n"
            "                  [--seed S] [--format table|csv|json|markdown|latex] [--columns LIST]\n"
            "                  [--per-core] [--vcd FILE] [--logits FILE.csv] [--progress] [--quiet]\n\n"
            "Runs a workload on the cycle-level SystemC model of a core array: cores with synapse\n"
            "memory banks and accumulator lanes, a 2-D mesh with XY routing and link contention, a\n"
            "controller closing every timestep with a barrier.  Prints energy per layer (as 'myelin\n"
            "cost' does, from the actions the simulation counted), cycles per layer (busy, stalled on\n"
            "memory, waiting on the NoC, idle), peak queue depths, memory occupancy, end-to-end\n"
            "latency, and the analytical cost model's energy for the same mapping and activity.\n"
            "  --workload W     workload YAML or zoo name (default: the embedded tiny model)\n"
            "  --weights F|random[:S]  weights (default: the workload's); real-weight mode: the\n"
            "                   cores compute with the engine's integers, spikes equal 'myelin run'\n"
            "  --dataset SPEC   images for real-weight mode (default synthetic:split=test,count=1000,\n"
            "                   seed=1 at the workload's shape)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset (default generic-45nm)\n"
            "  --limit N        images to simulate (default 100 with weights, 1 statistical)\n"
            "  --statistical    no weights: every LIF layer fires at the workload's statistical rates\n"
            "                   (seeded Bernoulli draws); the default when the workload has no weights\n"
            "  --rate R         statistical mode with every layer at R spikes per neuron per step\n"
            "  --seed S         seed of the statistical draws (default 1)\n"
            "  --format F       table (uJ), csv and json (pJ, full precision), markdown, latex\n"
            "  --columns LIST   the columns of the energy table to write (e.g. layer,total_uJ)\n"
            "  --per-core       also print one row per core\n"
            "  --vcd FILE       write a VCD trace (per-core busy, queue depth, spikes per step; '.vcd'\n"
            "                   is appended when FILE lacks it)\n"
            "  --logits F.csv   real-weight mode: one row per image, index,label,logit_0..logit_{K-1}\n"
            "                   (the format of 'myelin run --logits', so the two files can be compared)\n"
            "  --progress       images done on stderr (default: when stderr is a terminal)\n"
            "  -q, --quiet      print only the summary lines\n"
            "One process runs one simulation (SystemC elaborates one netlist per process).\n");
}

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

static void on_progress(void *user, int64_t done, int64_t total)
{
    (void)user;
    if (done % 10 == 0 || done == total)
        fprintf(stderr, "\rmyelin sim: %" PRId64 "/%" PRId64 " images", done, total);
}

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
    const char *pre = c->format == MYELIN_REPORT_CSV ? "# " : c->format == MYELIN_REPORT_LATEX ? "% " : "";
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
    myelin_cli_init(&c, "sim", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_DATASET | MYELIN_OPT_QUANT |
                        MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT | MYELIN_OPT_SEED |
                        MYELIN_OPT_PROGRESS);
    sim_args a = {0, 0, -1, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos) {
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c.pos[0]);
        return myelin_cli_failed(&c);
    }
    myelin_simulation o = (myelin_simulation){.statistical = a.statistical, .rate = a.rate, .seed = c.seed, .limit = c.limit,
                            .vcd = a.vcd, .logits_path = a.logits,
                            .progress = myelin_cli_progress(&c) ? on_progress : NULL};
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
