/* cli/cmd_run.c — `myelin run`: a workload over a dataset through the functional engine; prints
 * accuracy and per-layer activity (a table of the report module, in --format), optionally drift,
 * logits CSV, a JSON summary (the activity file `myelin cost --activity` reads), exported weights. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "cli/cli.h"
#include "models/cost.h"
#include "sim/engine.h"
#include "sim/engine_par.h"
#include "sim/engine_report.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin run [--workload W] [--weights F.safetensors|random[:SEED]]\n"
            "                  [--dataset SPEC] [--quant Q.yaml] [--limit N] [--drift]\n"
            "                  [--logits FILE.csv] [--json FILE.json] [--export-weights F.safetensors]\n"
            "                  [--input-bits B] [--threads N] [--format F] [--columns LIST]\n"
            "                  [--progress] [--quiet]\n\n"
            "Runs a workload over a dataset in the bit-accurate functional engine.\n"
            "  --workload W           workload YAML or zoo name (default: the embedded tiny model)\n"
            "  --weights F|random[:S] safetensors state_dict, or seeded random weights (default: the\n"
            "                         workload's weights file)\n"
            "  --dataset SPEC         CIFAR-10 .bin, IDX file (.gz too), fashion-mnist:split=test,\n"
            "                         or synthetic:... (default\n"
            "                         synthetic:split=test,count=1000,seed=1 at the workload's shape)\n"
            "  --quant Q.yaml         quantization setting (default: float reference)\n"
            "  --input-bits B         bits of the quantized image, 2..16 (overrides the setting's\n"
            "                         input_bits; unsigned codes with a zero point)\n"
            "  --limit N              run at most N images\n"
            "  --drift                also run the float reference per image; report membrane drift\n"
            "  --logits FILE.csv      one row per image: index,label,logit_0..logit_{K-1}\n"
            "  --json FILE.json       summary (no timing, so reruns are byte-identical)\n"
            "  --export-weights F     write the float, BN-folded weights as safetensors\n"
            "  --threads N            worker threads over images (default: online CPUs); results\n"
            "                         are byte-identical for any N\n"
            "  --format F             the per-layer table as table (default), csv, json, markdown or latex\n"
            "  --columns LIST         the table's columns, in order (comma-separated)\n"
            "  --progress             images done on stderr (default: when stderr is a terminal)\n"
            "  -q, --quiet            print only the accuracy line\n");
}

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
    if (c->npos)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c->pos[0]);
    return 0;
}

/* ---- the run -------------------------------------------------------------------------------- */

typedef struct run_ctx {
    myelin_logits_csv *logits; /* or NULL */
    int progress;
    int64_t total;
} run_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes)
{
    run_ctx *c = user;
    if (c->logits)
        myelin_logits_csv_row(c->logits, index, label, logits, classes);
    if (c->progress && (index % 50 == 49 || index + 1 == c->total))
        fprintf(stderr, "\rmyelin run: %" PRId64 "/%" PRId64 " images", index + 1, c->total);
    return 0;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct run_out {
    myelin_engine *e;
    myelin_engine_summary sum;
    myelin_dataset_info info;
    double elapsed_s, cpu_s, n_img, top1, top5, drift_mean, drift_max;
} run_out;

static int run_images(myelin_cli *c, const run_args *a, run_out *o)
{
    run_ctx ctx = {NULL, myelin_cli_progress(c), 0};
    myelin_logits_csv lcsv = {NULL, NULL, 0};
    myelin_dataset_info_get(c->ctx.ds, &o->info);
    ctx.total = c->limit > 0 && c->limit < o->info.count ? c->limit : o->info.count;
    if (a->logits && myelin_logits_csv_open(&lcsv, c->ctx.wl->classes, &c->ctx.err))
        return c->ctx.err.code;
    if (a->logits)
        ctx.logits = &lcsv;
    /* CPU time too: on a shared machine it still says what the images cost */
    double t0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    int rc = myelin_engine_run_dataset_threads(o->e, c->ctx.ds, c->limit, a->drift, a->threads, on_image, &ctx,
                                               &o->sum, &c->ctx.err);
    if (ctx.progress)
        fputc('\n', stderr);
    o->elapsed_s = clock_s(CLOCK_MONOTONIC) - t0;
    o->cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (ctx.logits) {
        int wrc = myelin_logits_csv_save(&lcsv, a->logits, !rc, &c->ctx.err);
        if (!rc)
            rc = wrc;
    }
    o->n_img = o->sum.images > 0 ? (double)o->sum.images : 1.0;
    o->top1 = 100.0 * (double)o->sum.top1_correct / o->n_img;
    o->top5 = 100.0 * (double)o->sum.top5_correct / o->n_img;
    if (!rc && a->drift)
        myelin_drift_summary(c->ctx.wl, o->sum.drift, &o->drift_mean, &o->drift_max);
    return rc;
}

/* ---- outputs -------------------------------------------------------------------------------- */

static int print_results(myelin_cli *c, const run_args *a, const run_out *o)
{
    int fmt = c->format, rc = 0;
    const char *pre = fmt == MYELIN_REPORT_CSV ? "# " : fmt == MYELIN_REPORT_LATEX ? "% " : "";
    if (!c->quiet) {
        if (fmt == MYELIN_REPORT_TABLE)
            printf("workload  %s\nweights   %s\ndataset   %s (%" PRId64 " of %" PRId64 " images)\n"
                   "quant     %s (input %d bits)\n\n",
                   c->ctx.wl->name, c->ctx.weights_desc, o->info.description, o->sum.images, o->info.count,
                   c->quant ? c->quant : "float reference", myelin_qsetting_input_bits(c->ctx.qs));
        myelin_report *t = myelin_engine_layers_table(c->ctx.wl, o->e, &o->sum, a->drift);
        rc = myelin_cli_emit(c, t, NULL, stdout);
        myelin_report_free(t);
        if (rc || fmt == MYELIN_REPORT_JSON)
            return rc;
        int64_t xs = 0, hs = 0;
        for (int i = 0; i < c->ctx.wl->n_layers; i++) {
            xs += o->sum.sat[3 * (int64_t)i];
            hs += o->sum.sat[3 * (int64_t)i + 1];
        }
        printf("\n%ssaturated %" PRId64 " currents X, %" PRId64 " membranes H (integer-membrane LIF "
               "updates clamped to the membrane width)\n", pre, xs, hs);
        if (a->drift)
            printf("\n%sdrift     mean %.4f, max %.4f (|H_q - H_ref| / V_th over LIF layers)\n", pre,
                   o->drift_mean, o->drift_max);
        printf("\n");
    }
    if (o->sum.has_top5)
        printf("%saccuracy  top-1 %.2f %%, top-5 %.2f %% (%" PRId64 " images)\n", pre, o->top1, o->top5,
               o->sum.images);
    else
        printf("%saccuracy  top-1 %.2f %% (%" PRId64 " images)\n", pre, o->top1, o->sum.images);
    if (!c->quiet)
        printf("%sspeed     %.1f images/s, %.3f s total, %d thread%s, %.3f CPU s\n", pre,
               o->elapsed_s > 0 ? (double)o->sum.images / o->elapsed_s : 0.0, o->elapsed_s, a->threads,
               a->threads == 1 ? "" : "s", o->cpu_s);
    return 0;
}

/* The --json summary (models/activity.c writes it; the activity file `myelin cost --activity`
 * reads): no wall time, so the same inputs give the same bytes. */
static int write_json(myelin_cli *c, const run_args *a, const run_out *o)
{
    myelin_run_info ri = {c->ctx.weights_desc, c->ctx.dataset_spec, c->quant ? c->quant : "float",
                          myelin_qsetting_input_bits(c->ctx.qs), a->drift, &c->ctx.prov};
    char *buf = NULL;
    size_t len = 0;
    int rc = myelin_activity_run_json(c->ctx.wl, o->e, &o->sum, &ri, &buf, &len, &c->ctx.err);
    if (!rc)
        rc = myelin_write_file_atomic(a->json, buf, len, &c->ctx.err);
    free(buf);
    return rc;
}

int myelin_cmd_run(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"drift", 0, O_DRIFT},         {"logits", 1, O_LOGITS},
                                         {"json", 1, O_JSON},           {"export-weights", 1, O_EXPORT},
                                         {"input-bits", 1, O_IBITS},    {"threads", 1, O_THREADS},
                                         {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "run", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_DATASET | MYELIN_OPT_QUANT |
                        MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT | MYELIN_OPT_PROGRESS);
    run_args a = {0, 0, myelin_engine_default_threads(), NULL, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (check_outputs(&c, &a))
        return myelin_cli_usage_failed(&c);
    run_out o;
    memset(&o, 0, sizeof o);
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_weights(&c);
    if (!rc)
        rc = myelin_cli_load_quant(&c, a.input_bits);
    /* without drift or export nothing reads the integer layers' doubles again: the engine frees
     * them as it quantizes (memory: 134 MB on Spikformer-8-384) */
    if (!rc && !a.drift && !a.export_path)
        rc = myelin_engine_new_release(c.ctx.wl, c.ctx.w, c.ctx.lq, myelin_qsetting_input_bits(c.ctx.qs), &o.e,
                                       &c.ctx.err);
    else if (!rc)
        rc = myelin_engine_new(c.ctx.wl, c.ctx.w, c.ctx.lq, myelin_qsetting_input_bits(c.ctx.qs), &o.e, &c.ctx.err);
    if (!rc && a.export_path)
        rc = myelin_weights_save(c.ctx.wl, c.ctx.w, a.export_path, &c.ctx.err);
    if (!rc)
        rc = myelin_cli_open_dataset(&c);
    if (!rc)
        rc = run_images(&c, &a, &o);
    if (!rc)
        rc = print_results(&c, &a, &o);
    if (!rc && a.json)
        rc = write_json(&c, &a, &o);
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_engine_summary_free(&o.sum);
    myelin_engine_free(o.e);
    myelin_cli_free(&c);
    return status;
}
