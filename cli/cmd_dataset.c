/* cli/cmd_dataset.c — PLACEHOLDER: 'myelin dataset' is being written; replace this file. */
#include <stdio.h>
#include "cli/cli.h"

int myelin_cmd_dataset(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "myelin dataset: not built yet\n");
    return 70;
}
