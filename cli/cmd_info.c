/* cli/cmd_info.c — `myelin info`: per-layer table of a workload (shapes, params, weight memory, neurons, MACs). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "workloads/info.h"

int myelin_cmd_info(int argc, char **argv)
{
    myelin_cli c;
    myelin_cli_init(&c, "info", myelin_help_info, MYELIN_OPT_WORKLOAD | MYELIN_OPT_QUANT | MYELIN_OPT_FORMAT);
    c.max_pos = 4; /* the workload as a shorthand; more is an error below */
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
        myelin_help_info(stderr);
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
