/* cli/cli.h — the myelin command's subcommands.  Each takes (argc, argv) with argv[0] the
 * subcommand name, parses its own options (getopt_long, --help on each), and returns a process
 * exit status (0 ok; myelin_exit_code() of the failure otherwise).  Errors go to stderr as
 * "file:line:col: error: message". */
#ifndef MYELIN_CLI_CLI_H
#define MYELIN_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api/context.h"
#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/error.h"
#include "base/report.h"
#include "models/cost.h"
#include "workloads/dataset.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

int myelin_cmd_info(int argc, char **argv);
int myelin_cmd_run(int argc, char **argv);
int myelin_cmd_dataset(int argc, char **argv);
int myelin_cmd_cost(int argc, char **argv);
int myelin_cmd_sim(int argc, char **argv);    /* built by sim/sim.am */
int myelin_cmd_search(int argc, char **argv); /* built by search/search.am */
int myelin_cmd_sweep(int argc, char **argv);  /* built by dse/dse.am */

/* The help texts (cli/help.c): what `myelin CMD --help` prints. */
void myelin_help_info(FILE *f);
void myelin_help_run(FILE *f);
void myelin_help_dataset(FILE *f);
void myelin_help_cost(FILE *f);
void myelin_help_sim(FILE *f);
void myelin_help_search(FILE *f);
void myelin_help_sweep(FILE *f);

/* ---- the context every command shares (cli/context.c) -----------------------------------------
 * One option table: the options several commands take are defined once (name, argument, check),
 * each command says which it accepts (MYELIN_OPT_* bits) and adds its own as a table of
 * myelin_cli_opt.  One context object resolves them, in the same way for every command: the
 * workload (a file or a zoo name; default the embedded tiny model), its weights (a file,
 * random[:SEED], the workload's own, the embedded ones), the quantization setting, the core array
 * with its registry and mapping, the dataset; and records each as provenance for the outputs. */
enum {
    MYELIN_OPT_WORKLOAD = 1 << 0, /* -w, --workload W */
    MYELIN_OPT_WEIGHTS = 1 << 1,  /* --weights F|random[:SEED] */
    MYELIN_OPT_DATASET = 1 << 2,  /* --dataset SPEC */
    MYELIN_OPT_QUANT = 1 << 3,    /* --quant Q.yaml */
    MYELIN_OPT_ARCH = 1 << 4,     /* --arch A */
    MYELIN_OPT_FORMAT = 1 << 5,   /* -f, --format F and --columns LIST */
    MYELIN_OPT_LIMIT = 1 << 6,    /* --limit N */
    MYELIN_OPT_SEED = 1 << 7,     /* --seed S */
    MYELIN_OPT_PROGRESS = 1 << 8, /* --progress */
    MYELIN_OPT_OUT = 1 << 9       /* --out PATH */
    /* -q/--quiet and -h/--help: every command */
};

/* A command's own option: getopt_long's name and has_arg, and the id its handler gets (>= 1000). */
typedef struct myelin_cli_opt {
    const char *name;
    int has_arg;
    int id;
} myelin_cli_opt;

typedef struct myelin_cli {
    const char *cmd;         /* "cost": messages say "myelin cost: ..." */
    void (*usage)(FILE *);   /* the command's help text */
    unsigned accepts;        /* MYELIN_OPT_* */
    /* the options as given (NULL when not); defaults may be set before parsing */
    const char *workload, *weights, *dataset, *quant, *arch, *columns, *out;
    int format, quiet, progress_forced, has_seed;
    uint64_t seed;
    int64_t limit;
    int max_pos;             /* positional arguments the command takes (0 unless it sets it) */
    int npos;                /* positional arguments, in pos[] (at most max_pos <= 4) */
    const char *pos[4];
    /* resolved by the loaders below: the library's context object (api/context.h), which also
     * holds the provenance and the error */
    myelin_context ctx;
} myelin_cli;

/* Starts a context: cmd, usage and accepted options; format table, no seed (seed 1). */
void myelin_cli_init(myelin_cli *c, const char *cmd, void (*usage)(FILE *), unsigned accepts);
/* Parses argv (argv[0] the command) with the common options c accepts and the command's own
 * (own, NULL-name terminated; may be NULL), calling on_opt(c, id, optarg, user) for those (it
 * returns 0, or a MYELIN_E* code with c->err set).  Positional arguments land in c->pos.
 * Returns -1 to go on, or the process status to exit with: 0 after --help, 64 on bad usage
 * (the message and usage on stderr). */
int myelin_cli_parse(myelin_cli *c, int argc, char **argv, const myelin_cli_opt *own,
                     int (*on_opt)(myelin_cli *c, int id, const char *arg, void *user), void *user);
/* Loaders: each returns 0 or a MYELIN_E* code with c->err set, and records provenance. */
int myelin_cli_load_workload(myelin_cli *c);                 /* c->workload or the embedded model */
int myelin_cli_load_weights(myelin_cli *c);                  /* needs the workload */
int myelin_cli_load_quant(myelin_cli *c, int input_bits);    /* 0: the setting's own */
int myelin_cli_load_arch(myelin_cli *c);                     /* arch, registry and mapping */
int myelin_cli_open_dataset(myelin_cli *c);                  /* default: 1000 synthetic test images */
/* 1 when the command should show progress on stderr: --progress, or stderr is a terminal and
 * not --quiet. */
int myelin_cli_progress(const myelin_cli *c);
/* A progress callback (myelin_progress_fn) with user the myelin_cli: "myelin CMD: done/total
 * images" on stderr, rewritten in place at each whole percent. */
void myelin_cli_progress_images(void *user, int64_t done, int64_t total);
/* Writes a table with the context's provenance (plus key/value pairs in extra, NULL-terminated
 * pairs, may be NULL) and --columns, in --format, to f (NULL: --out FILE atomically when given,
 * else standard output). */
int myelin_cli_emit(myelin_cli *c, myelin_report *t, const char *const *extra, FILE *f);
/* Prints c->err as "myelin CMD: file:line:col: error: ..." and returns its exit status. */
int myelin_cli_failed(myelin_cli *c);
/* The same, then the command's usage on stderr (for bad usage found after parsing). */
int myelin_cli_usage_failed(myelin_cli *c);
/* Frees everything the loaders made (call it once). */
void myelin_cli_free(myelin_cli *c);

/* Shared argument helpers (cli/common.c). */
/* 1 when path names a regular file. */
int myelin_cli_is_file(const char *path);
/* A --workload argument: myelin_workload_resolve (a file or path as is; a bare name is the zoo
 * model workloads/zoo/NAME.yaml in the data folders; MYELIN_EMISSING if absent). */
int myelin_cli_resolve_workload(const char *arg, char *out, size_t n, myelin_error *err);
/* Strict parses of the whole string: a count > 0, a seed >= 0.  0 ok, -1 otherwise. */
int myelin_cli_parse_count(const char *s, int64_t *out);
int myelin_cli_parse_seed(const char *s, uint64_t *out);
/* A firing rate: a number in [0, 1], the whole string.  0 ok, -1 otherwise. */
int myelin_cli_parse_rate(const char *s, double *out);

/* Prints err to stderr prefixed with "myelin <cmd>: " context and returns its exit status. */
int myelin_cli_fail(const char *cmd, const myelin_error *err);
/* An option getopt_long did not accept: says which, prints the command's usage to stderr, and
 * returns the usage exit status (64). */
int myelin_cli_bad_option(const char *cmd, const char *opt, void (*usage)(FILE *));

#endif
