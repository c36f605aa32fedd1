/* cli/cmd_info.c — `myelin info`: per-layer table of a workload (shapes, params, weight memory, neurons, MACs). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "workloads/info.h"

static void usage(FILE *f)
{
    fputs("usage: myelin info [--workload] W [--quant Q.yaml] [--format table|csv|json|markdown|latex]\n"
          "                   [--columns LIST] [--quiet]\n"
          "Prints one row per layer: name, kind, input and output shape (CxHxW), params (weights + bias +\n"
          "BN pair), weight bits, weight memory in bytes at the given quantization (bits x weights / 8, plus\n"
          "one 32-bit scale per output channel (or one per tensor) when quantized; float = 32-bit), neurons\n"
          "(LIF outputs), dense MACs per timestep (head: once per inference); then totals.\n"
          "  -w, --workload W    workload YAML or zoo name (the positional W is a shorthand)\n"
          "      --quant FILE    quantization setting (default: float)\n"
          "  -f, --format FMT    table (default), csv, json, markdown or latex\n"
          "      --columns LIST  the columns to write, in order (comma-separated names)\n"
          "  -q, --quiet         accepted by every command; info prints only its table anyway\n"
          "  -h, --help          this text\n",
          f);
}

int myelin_cmd_info(int argc, char **argv)
{
    myelin_cli c;
    myelin_cli_init(&c, "info", usage, MYELIN_OPT_WORKLOAD | MYELIN_OPT_QUANT | MYELIN_OPT_FORMAT);
    int status = myelin_cli_parse(&c, argc, argv, NULL, NULL, NULL);
    if (status >= 0)
        return status;
    if (!c.workload && c.npos)
        c.workload = c.pos[0];
    if (!c.workload || c.npos > (c.workload == c.pos[0] ? 1 : 0)) {
        if (!c.workload)
            myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "expected a workload (--workload W; none given)");
        else
            myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "expected one workload (unexpected '%s')",
                             c.pos[c.npos - 1]);
        status = myelin_cli_failed(&c);
        usage(stderr);
        return status;
    }
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_quant(&c, 0);
    if (!rc) {
        myelin_report *t = myelin_workload_info_table(c.ctx.wl, c.ctx.lq);
        rc = myelin_cli_emit(&c, t, NULL, NULL);
        myelin_report_free(t);
    }
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_cli_free(&c);
    return status;
}
