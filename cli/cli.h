/* cli/cli.h — the myelin command's subcommands.  Each takes (argc, argv) with argv[0] the
 * subcommand name, parses its own options (getopt_long, --help on each), and returns a process
 * exit status (0 ok; myelin_exit_code() of the failure otherwise).  Errors go to stderr as
 * "file:line:col: error: message". */
#ifndef MYELIN_CLI_CLI_H
#define MYELIN_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

int myelin_cmd_info(int argc, char **argv);
int myelin_cmd_run(int argc, char **argv);
int myelin_cmd_dataset(int argc, char **argv);
int myelin_cmd_cost(int argc, char **argv);
int myelin_cmd_sim(int argc, char **argv);    /* built by sim/sim.am */
int myelin_cmd_search(int argc, char **argv); /* built by search/search.am */
int myelin_cmd_sweep(int argc, char **argv);  /* built by dse/dse.am */

/* Shared argument helpers (cli/common.c). */
/* 1 when path names a regular file. */
int myelin_cli_is_file(const char *path);
/* A --workload argument: myelin_workload_resolve (a file or path as is; a bare name is the zoo
 * model workloads/zoo/NAME.yaml in the data folders; MYELIN_EMISSING if absent). */
int myelin_cli_resolve_workload(const char *arg, char *out, size_t n, myelin_error *err);
/* Strict parses of the whole string: a count > 0, a seed >= 0.  0 ok, -1 otherwise. */
int myelin_cli_parse_count(const char *s, int64_t *out);
int myelin_cli_parse_seed(const char *s, uint64_t *out);

/* Prints err to stderr prefixed with "myelin <cmd>: " context and returns its exit status. */
int myelin_cli_fail(const char *cmd, const myelin_error *err);
/* An option getopt_long did not accept: says which, prints the command's usage to stderr, and
 * returns the usage exit status (64). */
int myelin_cli_bad_option(const char *cmd, const char *opt, void (*usage)(FILE *));

#endif
