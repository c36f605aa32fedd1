/* cli/context.c — the option table and the context object every command shares (cli.h): parses
 * the common options once, resolves workload, weights, quantization, core array and dataset the
 * same way for every command, records them as provenance, and writes tables through the report
 * module in --format. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "workloads/embedded.h"

/* ---- the option table ---------------------------------------------------------------------- */

enum { CO_WORKLOAD = 1, CO_WEIGHTS, CO_DATASET, CO_QUANT, CO_ARCH, CO_FORMAT, CO_COLUMNS, CO_LIMIT,
       CO_SEED, CO_PROGRESS, CO_OUT, CO_QUIET, CO_HELP };

static const struct {
    unsigned bit; /* 0: every command */
    struct option opt;
} common[] = {
    {MYELIN_OPT_WORKLOAD, {"workload", required_argument, NULL, CO_WORKLOAD}},
    {MYELIN_OPT_WEIGHTS, {"weights", required_argument, NULL, CO_WEIGHTS}},
    {MYELIN_OPT_DATASET, {"dataset", required_argument, NULL, CO_DATASET}},
    {MYELIN_OPT_QUANT, {"quant", required_argument, NULL, CO_QUANT}},
    {MYELIN_OPT_ARCH, {"arch", required_argument, NULL, CO_ARCH}},
    {MYELIN_OPT_FORMAT, {"format", required_argument, NULL, CO_FORMAT}},
    {MYELIN_OPT_FORMAT, {"columns", required_argument, NULL, CO_COLUMNS}},
    {MYELIN_OPT_LIMIT, {"limit", required_argument, NULL, CO_LIMIT}},
    {MYELIN_OPT_SEED, {"seed", required_argument, NULL, CO_SEED}},
    {MYELIN_OPT_PROGRESS, {"progress", no_argument, NULL, CO_PROGRESS}},
    {MYELIN_OPT_OUT, {"out", required_argument, NULL, CO_OUT}},
    {0, {"quiet", no_argument, NULL, CO_QUIET}},
    {0, {"help", no_argument, NULL, CO_HELP}},
};
enum { NCOMMON = sizeof common / sizeof common[0], MAX_OPTS = 64 };

void myelin_cli_init(myelin_cli *c, const char *cmd, void (*usage)(FILE *), unsigned accepts)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->usage = usage;
    c->accepts = accepts;
    c->format = MYELIN_REPORT_TABLE;
    c->seed = 1;
    myelin_context_init(&c->ctx);
}

int myelin_cli_usage_failed(myelin_cli *c)
{
    int status = myelin_cli_failed(c);
    if (c->usage)
        c->usage(stderr);
    return status;
}

static int common_option(myelin_cli *c, int id, const char *arg)
{
    switch (id) {
    case CO_WORKLOAD: c->workload = arg; break;
    case CO_WEIGHTS: c->weights = arg; break;
    case CO_DATASET: c->dataset = arg; break;
    case CO_QUANT: c->quant = arg; break;
    case CO_ARCH: c->arch = arg; break;
    case CO_COLUMNS: c->columns = arg; break;
    case CO_OUT: c->out = arg; break;
    case CO_QUIET: c->quiet = 1; break;
    case CO_PROGRESS: c->progress_forced = 1; break;
    case CO_FORMAT:
        c->format = myelin_report_format_parse(arg);
        if (c->format < 0)
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--format: expected " MYELIN_REPORT_FORMAT_NAMES " (got '%s')", arg);
        break;
    case CO_LIMIT:
        if (myelin_cli_parse_count(arg, &c->limit))
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--limit wants a positive integer (got '%s')", arg);
        break;
    case CO_SEED:
        if (myelin_cli_parse_seed(arg, &c->seed))
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--seed wants a non-negative integer (got '%s')", arg);
        c->has_seed = 1;
        break;
    }
    return 0;
}

int myelin_cli_parse(myelin_cli *c, int argc, char **argv, const myelin_cli_opt *own,
                     int (*on_opt)(myelin_cli *c, int id, const char *arg, void *user), void *user)
{
    struct option opts[MAX_OPTS];
    int n = 0;
    for (int k = 0; k < NCOMMON; k++)
        if (!common[k].bit || (c->accepts & common[k].bit))
            opts[n++] = common[k].opt;
    for (int k = 0; own && own[k].name && n < MAX_OPTS - 1; k++)
        opts[n++] = (struct option){own[k].name, own[k].has_arg, NULL, own[k].id};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    char shorts[8] = "";
    if (c->accepts & MYELIN_OPT_WORKLOAD)
        strcat(shorts, "w:");
    if (c->accepts & MYELIN_OPT_FORMAT)
        strcat(shorts, "f:");
    strcat(shorts, "qh");
    optind = 1;
    opterr = 0;
    for (;;) {
        int id = getopt_long(argc, argv, shorts, opts, NULL);
        if (id == -1)
            break;
        id = id == 'w' ? CO_WORKLOAD : id == 'f' ? CO_FORMAT : id == 'q' ? CO_QUIET : id == 'h' ? CO_HELP : id;
        if (id == CO_HELP) {
            if (c->usage)
                c->usage(stdout);
            return 0;
        }
        int rc;
        if (id == '?' || id == ':') {
            rc = myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unknown or incomplete option '%s'",
                                  argv[optind - 1]);
        } else if (id < 1000) {
            rc = common_option(c, id, optarg);
        } else {
            rc = on_opt ? on_opt(c, id, optarg, user) : MYELIN_EUSAGE;
        }
        if (rc)
            return myelin_cli_usage_failed(c);
    }
    for (; optind < argc; optind++) {
        if (c->npos == c->max_pos || c->npos == (int)(sizeof c->pos / sizeof c->pos[0])) {
            myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
            return myelin_cli_usage_failed(c);
        }
        c->pos[c->npos++] = argv[optind];
    }
    return -1;
}

/* ---- loaders: the library's context object, fed the options ---------------------------------- */

int myelin_cli_load_workload(myelin_cli *c)
{
    static myelin_context_embedded m; /* the tiny model compiled into the binary */
    m = (myelin_context_embedded){myelin_embedded_tiny_yaml, myelin_embedded_tiny_yaml_len,
                                  myelin_embedded_tiny_weights, myelin_embedded_tiny_weights_len};
    c->ctx.embedded_model = &m;
    return myelin_context_load_workload(&c->ctx, c->workload);
}

int myelin_cli_load_weights(myelin_cli *c)
{
    return myelin_context_load_weights(&c->ctx, c->weights);
}

int myelin_cli_load_quant(myelin_cli *c, int input_bits)
{
    return myelin_context_load_quant(&c->ctx, c->quant, input_bits);
}

int myelin_cli_load_arch(myelin_cli *c)
{
    return myelin_context_load_arch(&c->ctx, c->arch);
}

int myelin_cli_open_dataset(myelin_cli *c)
{
    return myelin_context_open_dataset(&c->ctx, c->dataset);
}

int myelin_cli_progress(const myelin_cli *c)
{
    return c->progress_forced || (!c->quiet && isatty(STDERR_FILENO));
}

void myelin_cli_progress_images(void *user, int64_t done, int64_t total)
{
    const myelin_cli *c = user;
    if (total <= 0 || done >= total || done * 100 / total != (done - 1) * 100 / total)
        fprintf(stderr, "\rmyelin %s: %" PRId64 "/%" PRId64 " images", c->cmd, done, total);
}

/* ---- output -------------------------------------------------------------------------------- */

int myelin_cli_emit(myelin_cli *c, myelin_report *t, const char *const *extra, FILE *f)
{
    const char *all[16];
    char seed[32];
    int n = 0;
    for (; extra && extra[n] && extra[n + 1] && n < 12; n += 2) {
        all[n] = extra[n];
        all[n + 1] = extra[n + 1];
    }
    if (c->has_seed && !myelin_provenance_get(&c->ctx.prov, "seed")) {
        snprintf(seed, sizeof seed, "%" PRIu64, c->seed);
        all[n++] = "seed";
        all[n++] = seed;
    }
    all[n] = NULL;
    if (f || !c->out)
        return myelin_context_write(&c->ctx, t, all, c->columns, c->format, f ? f : stdout);
    char *buf;
    size_t len;
    int rc = myelin_context_write_buffer(&c->ctx, t, all, c->columns, c->format, &buf, &len);
    if (!rc)
        rc = myelin_write_file_atomic(c->out, buf, len, &c->ctx.err);
    free(buf);
    return rc;
}

int myelin_cli_failed(myelin_cli *c)
{
    return myelin_cli_fail(c->cmd, &c->ctx.err);
}

void myelin_cli_free(myelin_cli *c)
{
    myelin_context_free(&c->ctx);
}
