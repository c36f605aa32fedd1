/* cli/cmd_info.c — PLACEHOLDER: 'myelin info' is being written; replace this file. */
#include <stdio.h>
#include "cli/cli.h"

int myelin_cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "myelin info: not built yet\n");
    return 70;
}
