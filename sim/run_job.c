/* sim/run_job.c — one run of the functional engine over a dataset with its figures and outputs
 * (sim/run_job.h), shared by `myelin run` and the scripting API. */
#include "sim/run_job.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "models/cost.h"
#include "sim/engine_par.h"
#include "sim/engine_report.h"

void myelin_run_job_init(myelin_run_job *j)
{
    memset(j, 0, sizeof *j);
    j->threads = myelin_engine_default_threads();
}

void myelin_run_job_free(myelin_run_job *j)
{
    myelin_engine_summary_free(&j->sum);
    myelin_engine_free(j->e);
    j->e = NULL;
}

typedef struct image_ctx {
    const myelin_run_job *j;
    myelin_logits_csv *logits; /* or NULL */
} image_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes)
{
    image_ctx *c = user;
    if (c->logits)
        myelin_logits_csv_row(c->logits, index, label, logits, classes);
    if (c->j->progress)
        c->j->progress(c->j->progress_user, index + 1, c->j->total);
    return 0;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int myelin_run_job_run(myelin_run_job *j, myelin_context *x)
{
    image_ctx ctx = {j, NULL};
    myelin_logits_csv lcsv = {NULL, NULL, 0};
    myelin_dataset_info_get(x->ds, &j->info);
    j->total = j->limit > 0 && j->limit < j->info.count ? j->limit : j->info.count;
    if (j->logits_path && myelin_logits_csv_open(&lcsv, x->wl->classes, &x->err))
        return x->err.code;
    if (j->logits_path)
        ctx.logits = &lcsv;
    /* CPU time too: on a shared machine it still says what the images cost */
    double t0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    int rc = myelin_engine_run_dataset_threads(j->e, x->ds, j->limit, j->drift, j->threads, on_image, &ctx,
                                               &j->sum, &x->err);
    j->elapsed_s = clock_s(CLOCK_MONOTONIC) - t0;
    j->cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (ctx.logits) {
        int wrc = myelin_logits_csv_save(&lcsv, j->logits_path, !rc, &x->err);
        if (!rc)
            rc = wrc;
    }
    double n_img = j->sum.images > 0 ? (double)j->sum.images : 1.0;
    j->top1_pct = 100.0 * (double)j->sum.top1_correct / n_img;
    j->top5_pct = 100.0 * (double)j->sum.top5_correct / n_img;
    if (!rc && j->drift)
        myelin_drift_summary(x->wl, j->sum.drift, &j->drift_mean, &j->drift_max);
    return rc;
}

void myelin_run_job_write_header(const myelin_run_job *j, const myelin_context *x, FILE *f)
{
    fprintf(f,
            "workload  %s\nweights   %s\ndataset   %s (%" PRId64 " of %" PRId64 " images)\n"
            "quant     %s (input %d bits)\n\n",
            x->wl->name, x->weights_desc, j->info.description, j->sum.images, j->info.count,
            x->quant_path ? x->quant_path : "float reference", myelin_qsetting_input_bits(x->qs));
}

void myelin_run_job_write_summary(const myelin_run_job *j, const myelin_context *x, const char *pre, int full,
                                  FILE *f)
{
    if (full) {
        int64_t xs = 0, hs = 0;
        for (int i = 0; i < x->wl->n_layers; i++) {
            xs += j->sum.sat[3 * (int64_t)i];
            hs += j->sum.sat[3 * (int64_t)i + 1];
        }
        fprintf(f, "\n%ssaturated %" PRId64 " currents X, %" PRId64 " membranes H (integer-membrane LIF "
                   "updates clamped to the membrane width)\n", pre, xs, hs);
        if (j->drift)
            fprintf(f, "\n%sdrift     mean %.4f, max %.4f (|H_q - H_ref| / V_th over LIF layers)\n", pre,
                    j->drift_mean, j->drift_max);
        fprintf(f, "\n");
    }
    if (j->sum.has_top5)
        fprintf(f, "%saccuracy  top-1 %.2f %%, top-5 %.2f %% (%" PRId64 " images)\n", pre, j->top1_pct,
                j->top5_pct, j->sum.images);
    else
        fprintf(f, "%saccuracy  top-1 %.2f %% (%" PRId64 " images)\n", pre, j->top1_pct, j->sum.images);
    if (full)
        fprintf(f, "%sspeed     %.1f images/s, %.3f s total, %d thread%s, %.3f CPU s\n", pre,
                j->elapsed_s > 0 ? (double)j->sum.images / j->elapsed_s : 0.0, j->elapsed_s, j->threads,
                j->threads == 1 ? "" : "s", j->cpu_s);
}

int myelin_run_job_json(const myelin_run_job *j, myelin_context *x, char **out, size_t *len)
{
    myelin_run_info ri = {x->weights_desc, x->dataset_spec, x->quant_path ? x->quant_path : "float",
                          myelin_qsetting_input_bits(x->qs), j->drift, &x->prov};
    return myelin_activity_run_json(x->wl, j->e, &j->sum, &ri, out, len, &x->err);
}

int myelin_run_job_save_json(const myelin_run_job *j, myelin_context *x, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = myelin_run_job_json(j, x, &buf, &len);
    if (!rc)
        rc = myelin_write_file_atomic(path, buf, len, &x->err);
    free(buf);
    return rc;
}
