/* cli/cli.h — the myelin command's subcommands.  Each takes (argc, argv) with argv[0] the
 * subcommand name, parses its own options (getopt_long, --help on each), and returns a process
 * exit status (0 ok; myelin_exit_code() of the failure otherwise).  Errors go to stderr as
 * "file:line:col: error: message". */
#ifndef MYELIN_CLI_CLI_H
#define MYELIN_CLI_CLI_H

#include "core/error.h"

int myelin_cmd_info(int argc, char **argv);
int myelin_cmd_run(int argc, char **argv);
int myelin_cmd_dataset(int argc, char **argv);
int myelin_cmd_cost(int argc, char **argv);
int myelin_cmd_sim(int argc, char **argv);    /* sim/sim.am defines MYELIN_HAVE_SIM */
int myelin_cmd_search(int argc, char **argv); /* search/search.am defines MYELIN_HAVE_SEARCH */

/* Prints err to stderr prefixed with "myelin <cmd>: " context and returns its exit status. */
int myelin_cli_fail(const char *cmd, const myelin_error *err);

#endif
