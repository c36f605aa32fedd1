/* cli/cmd_run.c — PLACEHOLDER: 'myelin run' is being written; replace this file. */
#include <stdio.h>
#include "cli/cli.h"

int myelin_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "myelin run: not built yet\n");
    return 70;
}
