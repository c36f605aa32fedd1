/* api/api.c — the task-level entry points of api/api.h: each resolves its inputs through the
 * library's context object (api/context.h, as the command line does), calls the modules (mapper,
 * cost models, engine, SystemC model, search) and returns their report-module tables as JSON. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/context.h"
#include "base/child.h"
#include "base/util.h"
#include "search/request.h"
#include "sim/engine.h"
#include "sim/run_job.h"
#include "sim/simulation.h"
#include "workloads/info.h"

#ifndef MYELIN_VERSION
#define MYELIN_VERSION "unknown"
#endif

const char *myelin_api_version(void)
{
    return MYELIN_VERSION;
}

void myelin_api_free(void *p)
{
    free(p);
}

/* A context over objects the caller holds: the workload lent, the registry's warnings kept for the
 * reports (a library prints nothing). */
static void start(myelin_context *x, const myelin_workload *wl)
{
    myelin_context_init(x);
    x->mute_warnings = 1;
    if (wl)
        myelin_context_use_workload(x, wl);
}

/* Ends a context: its error into err when rc says it failed. */
static int finish(myelin_context *x, int rc, myelin_error *err)
{
    if (rc)
        *err = x->err;
    myelin_context_free(x);
    return rc;
}

/* t (freed) as JSON text into *out, with the context's provenance and extra pairs. */
static int json_out(myelin_context *x, myelin_report *t, const char *const *extra, char **out)
{
    size_t len;
    int rc = myelin_context_write_buffer(x, t, extra, NULL, MYELIN_REPORT_JSON, out, &len);
    myelin_report_free(t);
    return rc;
}

int myelin_api_workload_load(const char *name_or_path, myelin_workload **out, myelin_error *err)
{
    myelin_context x;
    start(&x, NULL);
    *out = NULL;
    myelin_error_clear(err);
    int rc = myelin_context_load_workload(&x, name_or_path && *name_or_path ? name_or_path : NULL);
    if (!rc) {
        *out = x.own_wl; /* the caller's now */
        x.own_wl = NULL;
    }
    return finish(&x, rc, err);
}

int myelin_api_arch_load(const char *name_or_path, myelin_arch **out, myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    *out = NULL;
    myelin_error_clear(err);
    int rc = myelin_arch_resolve(name_or_path && *name_or_path ? name_or_path : "generic-45nm", path,
                                 sizeof path, err);
    return rc ? rc : myelin_arch_load(path, out, err);
}

int myelin_api_quant_load(const char *path, int input_bits, myelin_qsetting **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    int rc = !path || !*path || !strcmp(path, "float") ? myelin_qsetting_float(out, err)
                                                        : myelin_qsetting_load(path, out, err);
    if (!rc && input_bits) {
        rc = myelin_qsetting_set_input_bits(*out, input_bits, err);
        if (rc) {
            myelin_qsetting_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

int myelin_api_workload_json(const myelin_workload *wl, char **out, myelin_error *err)
{
    myelin_context x;
    start(&x, wl);
    *out = NULL;
    int rc = myelin_context_use_quant(&x, NULL, NULL);
    myelin_report *t = rc ? NULL : myelin_workload_info_table(wl, x.lq);
    char shape[64];
    for (int i = 0; t && i < wl->n_layers; i++) { /* the shapes as numbers too */
        const myelin_layer *l = &wl->layers[i];
        snprintf(shape, sizeof shape, "\"in_shape\": [%d, %d, %d], \"out_shape\": [%d, %d, %d]", l->in_shape.c,
                 l->in_shape.h, l->in_shape.w, l->out_shape.c, l->out_shape.h, l->out_shape.w);
        myelin_report_row_json(t, i, shape);
    }
    if (t) {
        snprintf(shape, sizeof shape, "[%d, %d, %d]", wl->input.c, wl->input.h, wl->input.w);
        myelin_report_meta_str(t, "name", wl->name);
        myelin_report_meta_str(t, "source", wl->source);
        myelin_report_meta_str(t, "weights_path", wl->weights_path);
        myelin_report_meta_num(t, "classes", wl->classes);
        myelin_report_meta_raw(t, "input", shape);
        myelin_report_meta_num(t, "parameters", (double)myelin_workload_params(wl));
    }
    if (!rc)
        rc = json_out(&x, t, NULL, out);
    return finish(&x, rc, err);
}

int myelin_api_weights_open(const myelin_workload *wl, const char *spec, myelin_weights **out,
                            char *desc, size_t desc_len, myelin_error *err)
{
    myelin_context x;
    start(&x, wl);
    *out = NULL;
    int rc = myelin_context_load_weights(&x, spec && *spec ? spec : NULL);
    if (!rc) {
        *out = x.w; /* the caller's now */
        x.w = NULL;
        if (desc)
            snprintf(desc, desc_len, "%s", x.weights_desc);
    }
    return finish(&x, rc, err);
}

int myelin_api_cost(const myelin_workload *wl, const myelin_qsetting *qs, const myelin_arch *arch,
                    double rate, const char *activity_path, char **out, myelin_error *err)
{
    myelin_context x;
    start(&x, wl);
    *out = NULL;
    myelin_activity act = {0, NULL, ""};
    myelin_cost_report *rep = NULL;
    int rc = myelin_context_use_quant(&x, qs, NULL);
    if (!rc)
        rc = myelin_context_use_arch(&x, arch);
    if (!rc)
        rc = myelin_context_activity(&x, rate, rate < 0 && activity_path && *activity_path ? activity_path : NULL,
                                     &act);
    if (!rc)
        rc = myelin_cost_evaluate(wl, x.lq, &act, arch, x.map, x.reg, &rep, &x.err);
    if (!rc)
        rc = json_out(&x, myelin_cost_report_table(rep, wl, MYELIN_REPORT_JSON), NULL, out);
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    return finish(&x, rc, err);
}

int myelin_api_run(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const char *quant_label, const char *dataset, int64_t limit, int drift, int threads, char **out,
                   myelin_error *err)
{
    myelin_context x;
    start(&x, wl);
    *out = NULL;
    myelin_run_job j;
    myelin_run_job_init(&j);
    j.limit = limit;
    j.drift = drift != 0;
    if (threads > 0)
        j.threads = threads;
    int rc = myelin_context_load_weights(&x, weights && *weights ? weights : NULL);
    if (!rc)
        rc = myelin_context_use_quant(&x, qs, quant_label && *quant_label ? quant_label : NULL);
    if (!rc)
        rc = myelin_engine_new(wl, x.w, x.lq, myelin_qsetting_input_bits(x.qs), &j.e, &x.err);
    if (!rc)
        rc = myelin_context_open_dataset(&x, dataset && *dataset ? dataset : NULL);
    if (!rc)
        rc = myelin_run_job_run(&j, &x);
    size_t len = 0;
    if (!rc)
        rc = myelin_run_job_json(&j, &x, out, &len);
    myelin_run_job_free(&j);
    return finish(&x, rc, err);
}

/* ---- the SystemC model, in a child process ------------------------------------------------------ */

/* Runs the simulation and writes its JSON (myelin sim --format json's) to *out (in the child). */
static int sim_json(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                    const myelin_arch *arch, int statistical, const char *dataset, int64_t limit,
                    double rate, uint64_t seed, char **out, myelin_error *err)
{
    myelin_context x;
    myelin_simulation s;
    start(&x, wl);
    myelin_simulation_init(&s);
    s.statistical = statistical;
    s.rate = rate < 0 ? -1 : rate;
    s.seed = seed;
    s.limit = limit;
    int rc = myelin_simulation_setup(&s, &x, weights && *weights ? weights : NULL, qs, NULL, arch, NULL,
                                     dataset && *dataset ? dataset : NULL);
    if (!rc)
        rc = myelin_simulation_run(&s, &x);
    myelin_report *t = rc ? NULL : myelin_simulation_json_table(&s, &x, 0, NULL);
    if (!rc)
        rc = t ? json_out(&x, t, NULL, out) : x.err.code;
    myelin_simulation_free(&s);
    return finish(&x, rc, err);
}

typedef struct sim_call {
    const myelin_workload *wl;
    const char *weights, *dataset;
    const myelin_qsetting *qs;
    const myelin_arch *arch;
    int statistical;
    int64_t limit;
    double rate;
    uint64_t seed;
} sim_call;

static int sim_child(void *user, char **out, size_t *len, myelin_error *err)
{
    const sim_call *a = user;
    int rc = sim_json(a->wl, a->weights, a->qs, a->arch, a->statistical, a->dataset, a->limit, a->rate, a->seed,
                      out, err);
    *len = *out ? strlen(*out) : 0;
    return rc;
}

int myelin_api_sim(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const myelin_arch *arch, int statistical, const char *dataset, int64_t limit,
                   double rate, uint64_t seed, char **out, myelin_error *err)
{
    sim_call a = {wl, weights, dataset, qs, arch, statistical, limit, rate, seed};
    size_t len;
    myelin_error_clear(err);
    return myelin_child_run(sim_child, &a, out, &len, err);
}

/* ---- the search ---------------------------------------------------------------------------------- */

/* The search's result: the figures table with the summary table, the chosen setting and the note. */
static int search_json(myelin_context *x, const myelin_search *s, const char *note, char **out)
{
    myelin_report *sum = myelin_search_summary_table(s, 0), *t = myelin_search_figures_table(s);
    char *sj = NULL;
    size_t len = 0;
    int rc = sum && t ? myelin_report_write_buffer(sum, MYELIN_REPORT_JSON, &sj, &len, &x->err)
                      : myelin_error_set(&x->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        myelin_search_figures fg;
        myelin_search_get_figures(s, &fg);
        while (len && (sj[len - 1] == '\n' || sj[len - 1] == ' '))
            sj[--len] = 0;
        myelin_report_meta_raw(t, "summary", sj);
        myelin_report_meta_str(t, "chosen", fg.chosen_key);
        myelin_report_meta_str(t, "note", note);
        rc = json_out(x, t, NULL, out);
        t = NULL;
    }
    free(sj);
    myelin_report_free(sum);
    myelin_report_free(t);
    return rc;
}

int myelin_api_search(const myelin_workload *wl, const char *weights, const char *const *options,
                      char **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_search_request r;
    myelin_search_request_init(&r, NULL, "search option ");
    r.with_timing = 0; /* no wall time: the same inputs give the same bytes */
    int rc = 0;
    for (int i = 0; !rc && options && options[i]; i += 2)
        rc = myelin_search_request_set(&r, options[i], options[i + 1] ? options[i + 1] : "", err);
    if (!rc)
        rc = myelin_search_request_check(&r, err);
    if (rc)
        return rc;
    myelin_context x;
    start(&x, wl);
    myelin_search *s = NULL;
    char note[512] = "";
    rc = myelin_context_load_weights(&x, weights && *weights ? weights : NULL);
    if (!rc)
        rc = myelin_search_request_resolve(&r, wl, 0, &x.err);
    if (!rc && r.journal)
        rc = myelin_context_inputs_hash(&x, weights && *weights ? weights : NULL, &r.cfg.inputs_hash);
    if (!rc && r.out_dir)
        rc = myelin_mkdirs(r.out_dir, &x.err);
    if (!rc)
        rc = myelin_search_run(&r.cfg, wl, x.w, &s, note, sizeof note, &x.err);
    if (rc == MYELIN_SEARCH_STOPPED) /* stop_after: the journal holds the work so far */
        rc = myelin_error_set(&x.err, MYELIN_EINTERNAL, NULL, 0, 0, "the search stopped early: %s", x.err.message);
    int gp_failed = 0;
    if (!rc && r.out_dir)
        rc = myelin_search_write(s, r.out_dir, r.prefix, r.with_timing, &gp_failed, &x.err);
    if (!rc)
        rc = search_json(&x, s, note, out);
    myelin_search_free(s);
    return finish(&x, rc, err);
}
