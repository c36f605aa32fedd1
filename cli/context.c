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
    myelin_error_clear(&c->err);
    myelin_provenance_init(&c->prov);
}

static int usage_error(myelin_cli *c)
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
            return myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--format: expected " MYELIN_REPORT_FORMAT_NAMES " (got '%s')", arg);
        break;
    case CO_LIMIT:
        if (myelin_cli_parse_count(arg, &c->limit))
            return myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--limit wants a positive integer (got '%s')", arg);
        break;
    case CO_SEED:
        if (myelin_cli_parse_seed(arg, &c->seed))
            return myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
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
            rc = myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0, "unknown or incomplete option '%s'",
                                  argv[optind - 1]);
        } else if (id < 1000) {
            rc = common_option(c, id, optarg);
        } else {
            rc = on_opt ? on_opt(c, id, optarg, user) : MYELIN_EUSAGE;
        }
        if (rc)
            return usage_error(c);
    }
    for (; optind < argc; optind++) {
        if (c->npos == (int)(sizeof c->pos / sizeof c->pos[0])) {
            myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
            return usage_error(c);
        }
        c->pos[c->npos++] = argv[optind];
    }
    return -1;
}

/* ---- loaders ------------------------------------------------------------------------------- */

/* FNV-1a of a file's bytes, as provenance "KEY_fnv1a64"; a file that cannot be read is left out
 * (the loader that uses it reports the error). */
static void hash_file(myelin_cli *c, const char *key, const char *path)
{
    char *data = NULL, k[40];
    size_t len = 0;
    myelin_error e;
    if (myelin_read_file(path, &data, &len, &e) == 0) {
        snprintf(k, sizeof k, "%s_fnv1a64", key);
        myelin_provenance_add(&c->prov, k, "%016" PRIx64, myelin_fnv1a64(data, len, MYELIN_FNV_INIT));
    }
    free(data);
}

int myelin_cli_load_workload(myelin_cli *c)
{
    if (!c->workload) {
        c->embedded = 1;
        myelin_provenance_add(&c->prov, "workload", "tiny (embedded)");
        return myelin_workload_load_string((const char *)myelin_embedded_tiny_yaml, "<embedded>", &c->wl,
                                           &c->err);
    }
    char path[MYELIN_PATH_MAX];
    int rc = myelin_cli_resolve_workload(c->workload, path, sizeof path, &c->err);
    if (!rc)
        rc = myelin_workload_load(path, &c->wl, &c->err);
    if (!rc) {
        myelin_provenance_add(&c->prov, "workload", "%s", c->wl->name);
        myelin_provenance_add_path(&c->prov, "workload_file", path);
    }
    return rc;
}

int myelin_cli_load_weights(myelin_cli *c)
{
    const char *spec = c->weights;
    int rc;
    if (spec && !strncmp(spec, "random", 6) && (spec[6] == 0 || spec[6] == ':')) {
        uint64_t seed = 1;
        if (spec[6] == ':' && myelin_cli_parse_seed(spec + 7, &seed))
            return myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--weights random:SEED wants a non-negative integer seed (got '%s')",
                                    spec);
        snprintf(c->weights_desc, sizeof c->weights_desc, "random (seed %" PRIu64 ")", seed);
        rc = myelin_weights_random(c->wl, seed, &c->w, &c->err);
    } else if (spec || (!c->embedded && c->wl->weights_path[0])) {
        const char *path = spec ? spec : c->wl->weights_path;
        myelin_path_relative(path, c->weights_desc, sizeof c->weights_desc);
        rc = myelin_weights_load(c->wl, path, &c->w, &c->err);
        if (!rc)
            hash_file(c, "weights", path);
    } else if (c->embedded) {
        snprintf(c->weights_desc, sizeof c->weights_desc, "<embedded>");
        rc = myelin_weights_load_memory(c->wl, myelin_embedded_tiny_weights,
                                        myelin_embedded_tiny_weights_len, "<embedded>", &c->w, &c->err);
        myelin_provenance_add(&c->prov, "weights_fnv1a64", "%016" PRIx64,
                              myelin_fnv1a64(myelin_embedded_tiny_weights,
                                             myelin_embedded_tiny_weights_len, MYELIN_FNV_INIT));
    } else {
        return myelin_error_set(&c->err, MYELIN_EMISSING, c->wl->source, 0, 0,
                                "workload %s names no weights file; pass --weights FILE or "
                                "--weights random[:SEED]", c->wl->name);
    }
    if (!rc)
        myelin_provenance_add(&c->prov, "weights", "%s", c->weights_desc);
    return rc;
}

int myelin_cli_load_quant(myelin_cli *c, int input_bits)
{
    int rc = c->quant ? myelin_qsetting_load(c->quant, &c->qs, &c->err) : myelin_qsetting_float(&c->qs, &c->err);
    if (!rc && input_bits)
        rc = myelin_qsetting_set_input_bits(c->qs, input_bits, &c->err);
    if (!rc) {
        c->lq = calloc((size_t)(c->wl->n_layers ? c->wl->n_layers : 1), sizeof *c->lq);
        rc = c->lq ? myelin_qsetting_resolve(c->qs, c->wl, c->lq, &c->err)
                   : myelin_error_set(&c->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (!rc && c->quant) {
        myelin_provenance_add_path(&c->prov, "quant", c->quant);
        hash_file(c, "quant", c->quant);
    } else if (!rc) {
        myelin_provenance_add(&c->prov, "quant", "float");
    }
    return rc;
}

int myelin_cli_load_arch(myelin_cli *c)
{
    char path[MYELIN_PATH_MAX];
    const char *arg = c->arch ? c->arch : "generic-45nm";
    int rc = myelin_arch_resolve(arg, path, sizeof path, &c->err);
    if (!rc)
        rc = myelin_arch_load(path, &c->arch_obj, &c->err);
    if (!rc) {
        myelin_provenance_add(&c->prov, "arch", "%s", c->arch_obj->name);
        myelin_provenance_add_path(&c->prov, "arch_file", path);
    }
    if (!rc)
        rc = myelin_cost_registry_new(&c->reg, &c->err);
    if (!rc)
        rc = myelin_cost_registry_configure(c->reg, c->arch_obj, &c->err);
    if (!rc)
        rc = myelin_map(c->wl, c->lq, c->arch_obj, &c->map, &c->err);
    return rc;
}

int myelin_cli_open_dataset(myelin_cli *c)
{
    const myelin_workload *wl = c->wl;
    if (c->dataset)
        snprintf(c->dataset_spec, sizeof c->dataset_spec, "%s", c->dataset);
    else
        snprintf(c->dataset_spec, sizeof c->dataset_spec,
                 "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d", wl->input.h,
                 wl->input.w, wl->input.c, wl->classes);
    int rc = myelin_dataset_open_shaped(c->dataset_spec, wl->input.c, wl->input.h, wl->input.w, &c->ds,
                                        &c->err);
    if (!rc)
        myelin_provenance_add(&c->prov, "dataset", "%s", c->dataset_spec);
    return rc;
}

int myelin_cli_progress(const myelin_cli *c)
{
    return c->progress_forced || (!c->quiet && isatty(STDERR_FILENO));
}

/* ---- output -------------------------------------------------------------------------------- */

int myelin_cli_emit(myelin_cli *c, myelin_report *t, const char *const *extra, FILE *f)
{
    if (!t)
        return myelin_error_set(&c->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    myelin_provenance p = c->prov;
    for (int k = 0; extra && extra[k] && extra[k + 1]; k += 2)
        myelin_provenance_add(&p, extra[k], "%s", extra[k + 1]);
    if (c->has_seed && !myelin_provenance_get(&p, "seed"))
        myelin_provenance_add(&p, "seed", "%" PRIu64, c->seed);
    myelin_report_provenance(t, &p);
    int rc = myelin_report_columns(t, c->columns, &c->err);
    if (rc)
        return rc;
    if (f || !c->out)
        return myelin_report_write(t, c->format, f ? f : stdout, &c->err);
    char *buf;
    size_t len;
    rc = myelin_report_write_buffer(t, c->format, &buf, &len, &c->err);
    if (!rc)
        rc = myelin_write_file_atomic(c->out, buf, len, &c->err);
    free(buf);
    return rc;
}

int myelin_cli_failed(myelin_cli *c)
{
    return myelin_cli_fail(c->cmd, &c->err);
}

void myelin_cli_free(myelin_cli *c)
{
    myelin_dataset_close(c->ds);
    myelin_mapping_free(c->map);
    myelin_cost_registry_free(c->reg);
    myelin_arch_free(c->arch_obj);
    free(c->lq);
    myelin_qsetting_free(c->qs);
    myelin_weights_free(c->w);
    myelin_workload_free(c->wl);
}
