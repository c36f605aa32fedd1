/* cli/myelin.c — the `myelin` program: a thin driver that dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", myelin_cmd_info, "per-layer table of a workload: shapes, parameters, memory, MACs"},
    {"run", myelin_cmd_run, "run a workload over a dataset: accuracy, spikes, drift, logits"},
    {"dataset", myelin_cmd_dataset, "inspect datasets, write the synthetic set as IDX files"},
    {"cost", myelin_cmd_cost, "per-layer energy, memory and cycles of a workload on a core array"},
    {"sim", myelin_cmd_sim, "cycle-level SystemC model of the core array: cycles, energy, latency"},
    {"search", myelin_cmd_search, "per-layer quantization search: QSViT, AQ4SViT, heterogeneous"},
    {"sweep", myelin_cmd_sweep, "design-space sweep of core arrays: energy, latency, area, Pareto front"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: myelin [-V|--version] [-h|--help] <command> [options]\n\n"
               "Myelin: a bit-accurate simulator and cost model for quantized spiking vision\n"
               "transformers on neuromorphic core arrays.\n\ncommands:\n");
    for (const command *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n'myelin <command> --help' describes a command's options.\n"
               "With no command, 'myelin run' runs the embedded tiny model on its synthetic test set.\n");
}

int myelin_cli_fail(const char *cmd, const myelin_error *err)
{
    fprintf(stderr, "myelin %s: ", cmd);
    myelin_error_print(err, stderr);
    return myelin_exit_code(err->code);
}

int myelin_cli_bad_option(const char *cmd, const char *opt, void (*usage)(FILE *))
{
    myelin_error err;
    myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unknown or incomplete option '%s'", opt);
    int rc = myelin_cli_fail(cmd, &err);
    usage(stderr);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        char *run_argv[] = {"run", NULL};
        return myelin_cmd_run(1, run_argv);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("myelin %s\n", MYELIN_VERSION);
        return 0;
    }
    for (const command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "myelin: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 64;
}
