/* cli/cmd_cost.c — PLACEHOLDER (issue 3): 'myelin cost' is being written; replace this file. */
#include <stdio.h>
#include "cli/cli.h"

int myelin_cmd_cost(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "myelin cost: not built yet\n");
    return 70;
}
