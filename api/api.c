/* api/api.c — the task-level entry points of api/api.h: each loads what it needs, calls the
 * library's modules (mapper, cost models, engine, SystemC model, search) and returns JSON text. */
#include "api/api.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/mapper.h"
#include "base/escape.h"
#include "base/util.h"
#include "models/cost.h"
#include "search/search.h"
#include "sim/array.h"
#include "sim/engine.h"
#include "sim/engine_par.h"
#include "workloads/dataset.h"

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

/* A memory stream for a JSON result, or NULL with err set. */
static FILE *json_open(char **buf, size_t *len, myelin_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = open_memstream(buf, len);
    if (!f)
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (JSON result)");
    return f;
}

/* Closes the stream (which sets *bufp); on success *out takes the text, else it is freed and rc
 * returned. */
static int json_close(FILE *f, char **bufp, int rc, char **out, myelin_error *err)
{
    int bad = ferror(f);
    int closed = fclose(f);
    char *buf = *bufp;
    if (closed != 0 || bad || !buf) {
        if (!rc)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (JSON result)");
    }
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}

int myelin_api_workload_load(const char *name_or_path, myelin_workload **out, myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    *out = NULL;
    myelin_error_clear(err);
    if (!name_or_path || !*name_or_path)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "a workload: a zoo name (e.g. tiny) or a YAML path");
    int rc = myelin_workload_resolve(name_or_path, path, sizeof path, err);
    return rc ? rc : myelin_workload_load(path, out, err);
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

static void json_shape(FILE *f, const myelin_shape *s)
{
    fprintf(f, "[%d, %d, %d]", s->c, s->h, s->w);
}

int myelin_api_workload_json(const myelin_workload *wl, char **out, myelin_error *err)
{
    char *buf;
    size_t len;
    *out = NULL;
    FILE *f = json_open(&buf, &len, err);
    if (!f)
        return MYELIN_ENOMEM;
    fprintf(f, "{\"name\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, wl->name, f);
    fprintf(f, ", \"source\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, wl->source, f);
    fprintf(f, ", \"weights_path\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, wl->weights_path, f);
    fprintf(f, ", \"timesteps\": %d, \"classes\": %d, \"input\": ", wl->timesteps, wl->classes);
    json_shape(f, &wl->input);
    fprintf(f, ", \"parameters\": %" PRId64 ", \"layers\": [", myelin_workload_params(wl));
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        myelin_escape_fputs(MYELIN_ESC_JSON, l->name, f);
        fprintf(f, ", \"kind\": \"%s\", \"in_shape\": ", myelin_layer_kind_name(l->kind));
        json_shape(f, &l->in_shape);
        fprintf(f, ", \"out_shape\": ");
        json_shape(f, &l->out_shape);
        fprintf(f, ", \"parameters\": %" PRId64 ", \"neurons\": %" PRId64
                   ", \"dense_macs\": %" PRId64 "}",
                myelin_layer_params(l), myelin_layer_neurons(l), myelin_layer_dense_macs(l));
    }
    fprintf(f, "\n]}\n");
    return json_close(f, &buf, 0, out, err);
}

int myelin_api_weights_open(const myelin_workload *wl, const char *spec, myelin_weights **out,
                            char *desc, size_t desc_len, myelin_error *err)
{
    char own[MYELIN_PATH_MAX + 32];
    if (!desc) {
        desc = own;
        desc_len = sizeof own;
    }
    *out = NULL;
    if (spec && strncmp(spec, "random", 6) == 0 && (spec[6] == 0 || spec[6] == ':')) {
        uint64_t seed = 1;
        if (spec[6] == ':') {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(spec + 7, &end, 10);
            if (spec[7] < '0' || spec[7] > '9' || *end || errno)
                return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                        "weights random:SEED wants a non-negative integer seed (got "
                                        "'%s')",
                                        spec);
            seed = v;
        }
        snprintf(desc, desc_len, "random (seed %" PRIu64 ")", seed);
        return myelin_weights_random(wl, seed, out, err);
    }
    if (spec && *spec) {
        snprintf(desc, desc_len, "%s", spec);
        return myelin_weights_load(wl, spec, out, err);
    }
    if (!wl->weights_path[0])
        return myelin_error_set(err, MYELIN_EMISSING, wl->source, 0, 0,
                                "workload %s names no weights file; give weights (a safetensors "
                                "path) or random[:SEED]",
                                wl->name);
    snprintf(desc, desc_len, "%s", wl->weights_path);
    return myelin_weights_load(wl, wl->weights_path, out, err);
}

/* The setting resolved for wl (qs NULL: float), malloc'ed. */
static int resolve_quant(const myelin_workload *wl, const myelin_qsetting *qs,
                         myelin_layer_quant **lq, myelin_qsetting **own, myelin_error *err)
{
    *own = NULL;
    *lq = NULL;
    if (!qs) {
        int rc = myelin_qsetting_float(own, err);
        if (rc)
            return rc;
        qs = *own;
    }
    *lq = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof **lq);
    if (!*lq)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    return myelin_qsetting_resolve(qs, wl, *lq, err);
}

int myelin_api_cost(const myelin_workload *wl, const myelin_qsetting *qs, const myelin_arch *arch,
                    double rate, const char *activity_path, char **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_qsetting *own = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_mapping *map = NULL;
    myelin_activity act = {0, NULL, ""};
    myelin_cost_report *rep = NULL;
    int rc = resolve_quant(wl, qs, &lq, &own, err);
    if (!rc)
        rc = myelin_cost_registry_new(&reg, err);
    if (!rc) {
        myelin_cost_registry_on_warning(reg, NULL, NULL); /* they are in the report */
        rc = myelin_cost_registry_configure(reg, arch, err);
    }
    if (!rc)
        rc = myelin_map(wl, lq, arch, &map, err);
    if (!rc)
        rc = rate < 0 && activity_path && *activity_path
                 ? myelin_activity_load_json(activity_path, wl, &act, err)
                 : myelin_activity_from_workload(wl, rate < 0 ? -1 : rate, &act, err);
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, &act, arch, map, reg, &rep, err);
    if (!rc) {
        char *buf;
        size_t len;
        FILE *f = json_open(&buf, &len, err);
        rc = f ? myelin_cost_report_write(rep, wl, MYELIN_COST_JSON, f, err) : MYELIN_ENOMEM;
        if (f)
            rc = json_close(f, &buf, rc, out, err);
    }
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_mapping_free(map);
    myelin_cost_registry_free(reg);
    free(lq);
    myelin_qsetting_free(own);
    return rc;
}

/* The default dataset of run and sim: synthetic images of the workload's shape. */
static void default_dataset(const myelin_workload *wl, char *spec, size_t n)
{
    snprintf(spec, n, "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d",
             wl->input.h, wl->input.w, wl->input.c, wl->classes);
}

int myelin_api_run(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const char *quant_label, const char *dataset, int64_t limit, int drift, int threads, char **out,
                   myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_weights *w = NULL;
    myelin_qsetting *own = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_engine *e = NULL;
    myelin_dataset *ds = NULL;
    myelin_engine_summary sum;
    memset(&sum, 0, sizeof sum);
    char wdesc[MYELIN_PATH_MAX + 32] = "", dspec[512];
    if (!qs) {
        int rc = myelin_qsetting_float(&own, err);
        if (rc)
            return rc;
        qs = own;
    }
    int rc = myelin_api_weights_open(wl, weights, &w, wdesc, sizeof wdesc, err);
    myelin_qsetting *unused = NULL;
    if (!rc)
        rc = resolve_quant(wl, qs, &lq, &unused, err);
    if (!rc)
        rc = myelin_engine_new(wl, w, lq, myelin_qsetting_input_bits(qs), &e, err);
    if (!rc) {
        if (dataset && *dataset)
            snprintf(dspec, sizeof dspec, "%s", dataset);
        else
            default_dataset(wl, dspec, sizeof dspec);
        rc = myelin_dataset_open_shaped(dspec, wl->input.c, wl->input.h, wl->input.w, &ds, err);
    }
    if (!rc)
        rc = myelin_engine_run_dataset_threads(e, ds, limit, drift != 0,
                                               threads > 0 ? threads : myelin_engine_default_threads(),
                                               NULL, NULL, &sum, err);
    if (!rc) {
        myelin_run_info ri = {wdesc, dspec, quant_label && *quant_label ? quant_label : "float",
                              myelin_qsetting_input_bits(qs), drift != 0, NULL};
        size_t len = 0;
        rc = myelin_activity_run_json(wl, e, &sum, &ri, out, &len, err);
    }
    myelin_engine_summary_free(&sum);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    free(lq);
    myelin_qsetting_free(own);
    myelin_weights_free(w);
    return rc;
}

/* ---- the SystemC model, in a child process ------------------------------------------------------ */

/* Runs the simulation and writes its JSON to *out (in the child). */
static int sim_json(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                    const myelin_arch *arch, int statistical, const char *dataset, int64_t limit,
                    double rate, uint64_t seed, char **out, myelin_error *err)
{
    myelin_weights *w = NULL;
    myelin_qsetting *own = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_mapping *map = NULL;
    myelin_engine *e = NULL;
    myelin_dataset *ds = NULL;
    myelin_activity act = {0, NULL, ""}, meas = {0, NULL, ""};
    myelin_array_result *res = NULL;
    myelin_cost_report *srep = NULL, *crep = NULL;
    char dspec[512] = "";
    if (!statistical && (!weights || !*weights) && !wl->weights_path[0])
        statistical = 1; /* ImageNet-scale zoo workloads ship without weights */
    int rc = resolve_quant(wl, qs, &lq, &own, err);
    if (!rc && !statistical)
        rc = myelin_api_weights_open(wl, weights, &w, NULL, 0, err);
    if (!rc)
        rc = myelin_cost_registry_new(&reg, err);
    if (!rc) {
        myelin_cost_registry_on_warning(reg, NULL, NULL);
        rc = myelin_cost_registry_configure(reg, arch, err);
    }
    if (!rc)
        rc = myelin_map(wl, lq, arch, &map, err);
    if (!rc && !statistical) {
        myelin_qsetting *q = own;
        rc = myelin_engine_new(wl, w, lq, myelin_qsetting_input_bits(qs ? qs : q), &e, err);
        if (dataset && *dataset)
            snprintf(dspec, sizeof dspec, "%s", dataset);
        else
            default_dataset(wl, dspec, sizeof dspec);
        if (!rc)
            rc = myelin_dataset_open_shaped(dspec, wl->input.c, wl->input.h, wl->input.w, &ds, err);
        if (limit <= 0)
            limit = 100;
    }
    if (!rc && statistical)
        rc = myelin_activity_from_workload(wl, rate < 0 ? -1 : rate, &act, err);
    if (!rc) {
        myelin_array_options o;
        memset(&o, 0, sizeof o);
        o.wl = wl;
        o.lq = lq;
        o.arch = arch;
        o.map = map;
        o.engine = e;
        o.dataset = ds;
        o.limit = limit;
        o.rates = statistical ? act.rate : NULL;
        o.seed = seed;
        rc = myelin_array_run(&o, &res, err);
    }
    if (!rc)
        rc = myelin_array_report(res, wl, lq, arch, map, &srep, err);
    if (!rc)
        rc = myelin_array_activity(res, wl, &meas, err);
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, &meas, arch, map, reg, &crep, err);
    if (!rc) {
        char *buf;
        size_t len;
        FILE *f = json_open(&buf, &len, err);
        if (!f) {
            rc = MYELIN_ENOMEM;
        } else {
            double n_img = res->images > 0 ? (double)res->images : 1.0;
            fprintf(f, "{\n  \"mode\": \"%s\",\n  \"images\": %" PRId64 ",\n",
                    statistical ? "statistical" : "real", res->images);
            if (!statistical)
                fprintf(f, "  \"top1_correct\": %" PRId64 ",\n  \"top1_percent\": %.6f,\n",
                        res->top1_correct, 100.0 * (double)res->top1_correct / n_img);
            fprintf(f,
                    "  \"latency_cycles\": %.9g,\n  \"latency_s\": %.9g,\n"
                    "  \"max_latency_cycles\": %" PRId64 ",\n  \"energy_J\": %.9g,\n"
                    "  \"cost_model_energy_J\": %.9g,\n  \"packets_per_image\": %.9g,\n"
                    "  \"flits_per_packet\": %d,\n  \"credit_stall_cycles\": %.9g,\n  \"report\": ",
                    res->mean_latency_cycles, res->mean_latency_cycles / res->clock_hz,
                    res->max_latency_cycles, srep->total.total_pj * 1e-12,
                    crep->total.total_pj * 1e-12, (double)res->packets / n_img,
                    res->flits_per_packet, (double)res->credit_stall_cycles / n_img);
            rc = myelin_cost_report_write(srep, wl, MYELIN_COST_JSON, f, err);
            fprintf(f, "}\n");
            rc = json_close(f, &buf, rc, out, err);
        }
    }
    myelin_cost_report_free(crep);
    myelin_cost_report_free(srep);
    myelin_array_result_free(res);
    myelin_activity_free(&meas);
    myelin_activity_free(&act);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    myelin_mapping_free(map);
    myelin_cost_registry_free(reg);
    free(lq);
    myelin_qsetting_free(own);
    myelin_weights_free(w);
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

int myelin_api_sim(const myelin_workload *wl, const char *weights, const myelin_qsetting *qs,
                   const myelin_arch *arch, int statistical, const char *dataset, int64_t limit,
                   double rate, uint64_t seed, char **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    int fds[2];
    if (pipe(fds) != 0)
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "fork: %s", strerror(errno));
    }
    if (pid == 0) { /* the child: one SystemC elaboration, then its status, error and JSON */
        close(fds[0]);
        myelin_error cerr;
        memset(&cerr, 0, sizeof cerr); /* every byte goes through the pipe */
        char *json = NULL;
        int rc = sim_json(wl, weights, qs, arch, statistical, dataset, limit, rate, seed, &json,
                          &cerr);
        size_t len = json ? strlen(json) : 0;
        int ok = write_all(fds[1], &rc, sizeof rc) == 0 && write_all(fds[1], &cerr, sizeof cerr) == 0 &&
                 write_all(fds[1], json ? json : "", len) == 0;
        fflush(NULL);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 65536 > cap) {
            size_t nc = cap ? cap * 2 : 1 << 20;
            char *nb = realloc(buf, nc);
            if (!nb) {
                rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            buf = nb;
            cap = nc;
        }
        ssize_t k = read(fds[0], buf + len, cap - len - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!rc && (!WIFEXITED(status) || len < sizeof(int) + sizeof(myelin_error)))
        rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                              "the simulation process %s", WIFSIGNALED(status) ? "was killed by a signal"
                                                                                : "ended without a result");
    if (!rc) {
        int crc;
        memcpy(&crc, buf, sizeof crc);
        if (crc) {
            memcpy(err, buf + sizeof crc, sizeof *err);
            rc = crc;
        } else {
            size_t off = sizeof(int) + sizeof(myelin_error);
            memmove(buf, buf + off, len - off);
            buf[len - off] = 0;
            *out = buf;
            return 0;
        }
    }
    free(buf);
    return rc;
}

/* ---- the search ---------------------------------------------------------------------------------- */

static int parse_long(const char *key, const char *v, long lo, long hi, long *out, myelin_error *err)
{
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "search option %s: expected an integer %ld..%ld (got '%s')", key, lo,
                                hi, v);
    *out = x;
    return 0;
}

static const char *const search_keys =
    "method, gate, granularity, bits, schemes, membrane_bits, input_bits, objective, max_drop, "
    "beam_width, arch, val, calib, test, val_count, val_first, threads, seed, gate_check, out";

int myelin_api_search(const myelin_workload *wl, const char *weights, const char *const *options,
                      char **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_search_config cfg;
    myelin_search_config_default(&cfg);
    const char *arch = "generic-45nm", *val = NULL, *calib = NULL, *test = NULL, *dir = NULL;
    int set_gran = 0, set_schemes = 0, rc = 0;
    long v = 0;
    for (int i = 0; !rc && options && options[i]; i += 2) {
        const char *k = options[i], *x = options[i + 1];
        if (!x)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "search option %s has no value", k);
        if (!strcmp(k, "method"))
            rc = myelin_search_method_parse(x, &cfg.method, err);
        else if (!strcmp(k, "gate"))
            rc = myelin_search_gate_parse(x, &cfg, err);
        else if (!strcmp(k, "granularity")) {
            rc = myelin_search_granularity_parse(x, &cfg.granularity, err);
            set_gran = 1;
        } else if (!strcmp(k, "bits"))
            rc = myelin_search_bits_parse(x, 1, 16, cfg.bits, &cfg.n_bits, err);
        else if (!strcmp(k, "membrane_bits"))
            rc = myelin_search_bits_parse(x, 2, 32, cfg.mbits, &cfg.n_mbits, err);
        else if (!strcmp(k, "input_bits"))
            rc = myelin_search_bits_parse(x, 2, 16, cfg.ibits, &cfg.n_ibits, err);
        else if (!strcmp(k, "schemes")) {
            rc = myelin_search_schemes_parse(x, &cfg, err);
            set_schemes = 1;
        } else if (!strcmp(k, "objective"))
            rc = myelin_search_objective_parse(x, &cfg.objective, err);
        else if (!strcmp(k, "max_drop")) {
            char *end = NULL;
            errno = 0;
            cfg.max_drop_pct = strtod(x, &end);
            if (!*x || *end || errno || !(cfg.max_drop_pct >= 0 && cfg.max_drop_pct <= 100))
                rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "search option max_drop: expected points between 0 and 100 "
                                      "(got '%s')",
                                      x);
        } else if (!strcmp(k, "beam_width")) {
            rc = parse_long(k, x, 1, 64, &v, err);
            cfg.beam_width = (int)v;
        } else if (!strcmp(k, "val_count")) {
            rc = parse_long(k, x, 1, 1000000, &v, err);
            cfg.val_count = (int)v;
        } else if (!strcmp(k, "val_first")) {
            rc = parse_long(k, x, 0, 1000000000, &v, err);
            cfg.val_first = (int)v;
        } else if (!strcmp(k, "threads")) {
            rc = parse_long(k, x, 1, 256, &v, err);
            cfg.threads = (int)v;
        } else if (!strcmp(k, "seed")) {
            rc = parse_long(k, x, 0, LONG_MAX, &v, err);
            cfg.seed = (uint64_t)v;
        } else if (!strcmp(k, "gate_check")) {
            rc = parse_long(k, x, 0, 100000, &v, err);
            cfg.gate_check = (int)v;
        } else if (!strcmp(k, "arch"))
            arch = x;
        else if (!strcmp(k, "val"))
            val = x;
        else if (!strcmp(k, "calib"))
            calib = x;
        else if (!strcmp(k, "test"))
            test = x;
        else if (!strcmp(k, "out"))
            dir = x;
        else
            rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                  "unknown search option '%s' (known: %s)", k, search_keys);
    }
    if (rc)
        return rc;
    if (cfg.method == MYELIN_SEARCH_HETERO) { /* as myelin search: per layer, both schemes */
        if (!set_gran)
            cfg.granularity = MYELIN_SEARCH_LAYER;
        if (!set_schemes)
            myelin_search_schemes_parse("uniform,pot", &cfg, err);
    }
    /* datasets: given, else the splits the workload declares */
    if (!val && wl->dataset_val[0]) { /* as myelin search: --val-count caps the declared range */
        int vcount = cfg.val_count;
        val = wl->dataset_val;
        cfg.val_first = (int)wl->dataset_val_first;
        cfg.val_count = (int)wl->dataset_val_count;
        if (vcount && (!cfg.val_count || vcount < cfg.val_count))
            cfg.val_count = vcount;
    }
    if (!test && wl->dataset_test[0])
        test = wl->dataset_test;
    if (!calib && wl->dataset_train[0]) {
        cfg.train_spec = wl->dataset_train;
        cfg.calib_from_train = 32;
        calib = wl->dataset_train;
    }
    if (!val || !calib || !test)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "search: give the %s dataset spec%s (workload %s declares no such "
                                "split)",
                                !val ? "val" : !calib ? "calib" : "test",
                                !val ? " (e.g. synthetic:split=test,count=100,seed=2)" : "", wl->name);
    cfg.val_spec = val;
    cfg.calib_spec = calib;
    cfg.test_spec = test;
    char apath[MYELIN_PATH_MAX], wdesc[MYELIN_PATH_MAX + 32];
    rc = myelin_arch_resolve(arch, apath, sizeof apath, err);
    if (rc)
        return rc;
    cfg.arch_path = apath;
    myelin_weights *w = NULL;
    myelin_search *s = NULL;
    char note[512] = "";
    rc = myelin_api_weights_open(wl, weights, &w, wdesc, sizeof wdesc, err);
    if (!rc && dir)
        rc = myelin_mkdirs(dir, err);
    if (!rc) {
        rc = myelin_search_run(&cfg, wl, w, &s, note, sizeof note, err);
        if (rc == MYELIN_SEARCH_STOPPED) /* only with stop_after, which is not an option here */
            rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0, "the search stopped early");
    }
    int gp_failed = 0;
    if (!rc && dir)
        rc = myelin_search_write(s, dir, "", 0, &gp_failed, err);
    if (!rc) {
        char *buf;
        size_t len;
        FILE *f = json_open(&buf, &len, err);
        if (!f) {
            rc = MYELIN_ENOMEM;
        } else {
            myelin_search_figures fg;
            myelin_search_get_figures(s, &fg);
            fprintf(f, "{\"summary\": ");
            rc = myelin_search_write_summary(s, MYELIN_COST_JSON, 0, f, err);
            fprintf(f, ", \"chosen\": ");
            myelin_escape_fputs(MYELIN_ESC_JSON, fg.chosen_key, f);
            fprintf(f, ", \"note\": ");
            myelin_escape_fputs(MYELIN_ESC_JSON, note, f);
            const struct {
                const char *name;
                double v;
            } fig[] = {
                {"float_val_pct", fg.float_val_pct},
                {"chosen_val_pct", fg.chosen_val_pct},
                {"drop_pct", fg.drop_pct},
                {"float_test_pct", fg.float_test_pct},
                {"chosen_test_pct", fg.chosen_test_pct},
                {"test_drop_pct", fg.test_drop_pct},
                {"test_over", fg.test_over},
                {"float_memory_bytes", (double)fg.float_memory_bytes},
                {"chosen_memory_bytes", (double)fg.chosen_memory_bytes},
                {"memory_saving_pct", fg.memory_saving_pct},
                {"float_energy_pJ", fg.float_energy_pj},
                {"chosen_energy_pJ", fg.chosen_energy_pj},
                {"energy_saving_pct", fg.energy_saving_pct},
                {"avg_bits", fg.avg_bits},
                {"compression", fg.compression},
                {"full_evals", fg.full_evals},
                {"drift_evals", fg.drift_evals},
                {"gated_out", fg.gated_out},
                {"skipped", fg.skipped},
                {"candidates", fg.candidates},
            };
            fprintf(f, ", \"figures\": {");
            for (size_t i = 0; i < sizeof fig / sizeof fig[0]; i++) {
                fprintf(f, "%s\"%s\": ", i ? ", " : "", fig[i].name);
                if (isfinite(fig[i].v))
                    fprintf(f, "%.17g", fig[i].v);
                else
                    fprintf(f, "null"); /* JSON has no NaN or infinity */
            }
            fprintf(f, "}}\n");
            rc = json_close(f, &buf, rc, out, err);
        }
    }
    myelin_search_free(s);
    myelin_weights_free(w);
    return rc;
}
