/* cli/cmd_run.c — `myelin run`: a workload over a dataset through the functional engine; prints
 * accuracy and per-layer activity (a table of the report module, in --format), optionally drift,
 * logits CSV, a JSON summary (the activity file `myelin cost --activity` reads), exported weights. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "sim/engine.h"
#include "sim/engine_par.h"
#include "sim/engine_report.h"
#include "sim/run_job.h"

/* ---- options -------------------------------------------------------------------------------- */

enum { O_DRIFT = 1000, O_LOGITS, O_JSON, O_EXPORT, O_IBITS, O_THREADS };

typedef struct run_args {
    int drift, input_bits, threads;
    const char *logits, *json, *export_path;
} run_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    run_args *a = user;
    int64_t v = 0;
    switch (id) {
    case O_DRIFT: a->drift = 1; break;
    case O_LOGITS: a->logits = arg; break;
    case O_JSON: a->json = arg; break;
    case O_EXPORT: a->export_path = arg; break;
    case O_IBITS:
        if (myelin_cli_parse_count(arg, &v) || v < 2 || v > 16)
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--input-bits must be between 2 and 16 inclusive (got '%s')", arg);
        a->input_bits = (int)v;
        break;
    default:
        if (myelin_cli_parse_count(arg, &v) || v > MYELIN_ENGINE_MAX_THREADS)
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--threads wants an integer 1..%d (got '%s')", MYELIN_ENGINE_MAX_THREADS, arg);
        a->threads = (int)v;
    }
    return 0;
}

/* Two outputs into one file would silently overwrite each other. */
static int check_outputs(myelin_cli *c, const run_args *a)
{
    const char *outs[3] = {a->logits, a->json, a->export_path};
    static const char *const names[3] = {"--logits", "--json", "--export-weights"};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (outs[i] && outs[j] && !strcmp(outs[i], outs[j]))
                return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "%s and %s name the same file '%s'",
                                        names[i], names[j], outs[i]);
    return 0;
}

/* ---- outputs -------------------------------------------------------------------------------- */

/* The per-layer table in --format (with the inputs above it in a terminal table), the summary. */
static int print_results(myelin_cli *c, const myelin_run_job *j)
{
    int fmt = c->format, rc = 0;
    const char *pre = myelin_report_comment_prefix(fmt);
    if (!c->quiet) {
        if (fmt == MYELIN_REPORT_TABLE)
            myelin_run_job_write_header(j, &c->ctx, stdout);
        myelin_report *t = myelin_engine_layers_table(c->ctx.wl, j->e, &j->sum, j->drift);
        rc = myelin_cli_emit(c, t, NULL, stdout);
        myelin_report_free(t);
        if (rc || fmt == MYELIN_REPORT_JSON)
            return rc;
    }
    myelin_run_job_write_summary(j, &c->ctx, pre, !c->quiet, stdout);
    return 0;
}

int myelin_cmd_run(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"drift", 0, O_DRIFT},         {"logits", 1, O_LOGITS},
                                         {"json", 1, O_JSON},           {"export-weights", 1, O_EXPORT},
                                         {"input-bits", 1, O_IBITS},    {"threads", 1, O_THREADS},
                                         {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "run", myelin_help_run,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_DATASET | MYELIN_OPT_QUANT |
                        MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT | MYELIN_OPT_PROGRESS);
    run_args a = {0, 0, myelin_engine_default_threads(), NULL, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (check_outputs(&c, &a))
        return myelin_cli_usage_failed(&c);
    myelin_run_job j;
    myelin_run_job_init(&j);
    j.limit = c.limit;
    j.drift = a.drift;
    j.threads = a.threads;
    j.logits_path = a.logits;
    j.progress = myelin_cli_progress(&c) ? myelin_cli_progress_images : NULL;
    j.progress_user = &c;
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_weights(&c);
    if (!rc)
        rc = myelin_cli_load_quant(&c, a.input_bits);
    /* without drift or export nothing reads the integer layers' doubles again: the engine frees
     * them as it quantizes (memory: 134 MB on Spikformer-8-384) */
    if (!rc && !a.drift && !a.export_path)
        rc = myelin_engine_new_release(c.ctx.wl, c.ctx.w, c.ctx.lq, myelin_qsetting_input_bits(c.ctx.qs), &j.e,
                                       &c.ctx.err);
    else if (!rc)
        rc = myelin_engine_new(c.ctx.wl, c.ctx.w, c.ctx.lq, myelin_qsetting_input_bits(c.ctx.qs), &j.e, &c.ctx.err);
    if (!rc && a.export_path)
        rc = myelin_weights_save(c.ctx.wl, c.ctx.w, a.export_path, &c.ctx.err);
    if (!rc)
        rc = myelin_cli_open_dataset(&c);
    if (!rc) {
        rc = myelin_run_job_run(&j, &c.ctx);
        if (j.progress)
            fputc('\n', stderr);
    }
    if (!rc)
        rc = print_results(&c, &j);
    if (!rc && a.json)
        rc = myelin_run_job_save_json(&j, &c.ctx, a.json); /* the activity file cost --activity reads */
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_run_job_free(&j);
    myelin_cli_free(&c);
    return status;
}
