/* api/context.c — the context object of api/context.h: resolves workload, weights, quantization,
 * core array and dataset the same way for the command line and the scripting API, records them
 * as provenance, and writes tables with it. */
#include "api/context.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void myelin_context_init(myelin_context *x)
{
    memset(x, 0, sizeof *x);
    myelin_error_clear(&x->err);
    myelin_provenance_init(&x->prov);
}

void myelin_context_free(myelin_context *x)
{
    myelin_dataset_close(x->ds);
    myelin_mapping_free(x->map);
    myelin_cost_registry_free(x->reg);
    myelin_arch_free(x->own_arch);
    free(x->lq);
    myelin_qsetting_free(x->own_qs);
    myelin_weights_free(x->w);
    myelin_workload_free(x->own_wl);
}

/* FNV-1a of a file's bytes, as provenance "KEY_fnv1a64"; a file that cannot be read is left out
 * (the loader that uses it reports the error). */
static void hash_file(myelin_context *x, const char *key, const char *path)
{
    char *data = NULL, k[40];
    size_t len = 0;
    myelin_error e;
    if (myelin_read_file(path, &data, &len, &e) == 0) {
        snprintf(k, sizeof k, "%s_fnv1a64", key);
        myelin_provenance_add(&x->prov, k, "%016" PRIx64, myelin_fnv1a64(data, len, MYELIN_FNV_INIT));
    }
    free(data);
}

void myelin_context_use_workload(myelin_context *x, const myelin_workload *wl)
{
    x->wl = wl;
    myelin_provenance_add(&x->prov, "workload", "%s", wl->name);
    if (wl->source[0] != '<')
        myelin_provenance_add_path(&x->prov, "workload_file", wl->source);
}

int myelin_context_load_workload(myelin_context *x, const char *name_or_path)
{
    int rc;
    if (!name_or_path) {
        const myelin_context_embedded *m = x->embedded_model;
        if (!m)
            return myelin_error_set(&x->err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "a workload: a zoo name (e.g. tiny) or a YAML path");
        x->embedded = 1;
        myelin_provenance_add(&x->prov, "workload", "tiny (embedded)");
        rc = myelin_workload_load_string((const char *)m->yaml, "<embedded>", &x->own_wl, &x->err);
        x->wl = x->own_wl;
        return rc;
    }
    char path[MYELIN_PATH_MAX];
    rc = myelin_workload_resolve(name_or_path, path, sizeof path, &x->err);
    if (!rc)
        rc = myelin_workload_load(path, &x->own_wl, &x->err);
    if (!rc) {
        x->wl = x->own_wl;
        myelin_provenance_add(&x->prov, "workload", "%s", x->wl->name);
        myelin_provenance_add_path(&x->prov, "workload_file", path);
    }
    return rc;
}

/* "random" or "random:SEED" -> 1 with *seed; -1 with x->err set on a bad seed; 0 otherwise. */
static int random_spec(myelin_context *x, const char *spec, uint64_t *seed)
{
    if (!spec || strncmp(spec, "random", 6) || (spec[6] != 0 && spec[6] != ':'))
        return 0;
    *seed = 1;
    if (spec[6] == ':') {
        if (myelin_parse_u64(spec + 7, seed)) {
            myelin_error_set(&x->err, MYELIN_EUSAGE, NULL, 0, 0,
                             "--weights random:SEED wants a non-negative integer seed (got '%s')", spec);
            return -1;
        }
    }
    return 1;
}

int myelin_context_load_weights(myelin_context *x, const char *spec)
{
    const myelin_workload *wl = x->wl;
    uint64_t seed = 1;
    int rc, rnd = random_spec(x, spec, &seed);
    if (rnd < 0)
        return x->err.code;
    if (rnd) {
        snprintf(x->weights_desc, sizeof x->weights_desc, "random (seed %" PRIu64 ")", seed);
        rc = myelin_weights_random(wl, seed, &x->w, &x->err);
    } else if (spec || (!x->embedded && wl->weights_path[0])) {
        const char *path = spec ? spec : wl->weights_path;
        myelin_path_relative(path, x->weights_desc, sizeof x->weights_desc);
        rc = myelin_weights_load(wl, path, &x->w, &x->err);
        if (!rc)
            hash_file(x, "weights", path);
    } else if (x->embedded) {
        const myelin_context_embedded *m = x->embedded_model;
        snprintf(x->weights_desc, sizeof x->weights_desc, "<embedded>");
        rc = myelin_weights_load_memory(wl, m->weights, m->weights_len, "<embedded>", &x->w, &x->err);
        myelin_provenance_add(&x->prov, "weights_fnv1a64", "%016" PRIx64,
                              myelin_fnv1a64(m->weights, m->weights_len, MYELIN_FNV_INIT));
    } else {
        return myelin_error_set(&x->err, MYELIN_EMISSING, wl->source, 0, 0,
                                "workload %s names no weights file; pass --weights FILE or "
                                "--weights random[:SEED]", wl->name);
    }
    if (!rc)
        myelin_provenance_add(&x->prov, "weights", "%s", x->weights_desc);
    return rc;
}

int myelin_context_activity(myelin_context *x, double rate, const char *path, myelin_activity *act)
{
    int rc = path ? myelin_activity_load_json(path, x->wl, act, &x->err)
                  : myelin_activity_from_workload(x->wl, rate < 0 ? -1 : rate, act, &x->err);
    if (!rc && path)
        myelin_provenance_add_path(&x->prov, "activity", path);
    else if (!rc)
        myelin_provenance_add(&x->prov, "activity", "%s", act->source);
    return rc;
}

/* FNV of a file's bytes chained into h. */
static int hash_chain(myelin_context *x, const char *path, uint64_t *h)
{
    char *data = NULL;
    size_t len = 0;
    int rc = myelin_read_file(path, &data, &len, &x->err);
    if (!rc)
        *h = myelin_fnv1a64(data, len, *h);
    free(data);
    return rc;
}

int myelin_context_inputs_hash(myelin_context *x, const char *weights_spec, uint64_t *out)
{
    uint64_t h = MYELIN_FNV_INIT, seed = 1;
    const myelin_context_embedded *m = x->embedded_model;
    int rc = 0, rnd = random_spec(x, weights_spec, &seed);
    if (rnd < 0)
        return x->err.code;
    if (x->embedded)
        h = myelin_fnv1a64(m->yaml, m->yaml_len, h);
    else
        rc = hash_chain(x, x->wl->source, &h);
    if (!rc && rnd) {
        char tag[64];
        snprintf(tag, sizeof tag, "random:%" PRIu64, seed);
        h = myelin_fnv1a64(tag, strlen(tag), h);
    } else if (!rc && (weights_spec || !x->embedded)) {
        rc = hash_chain(x, weights_spec ? weights_spec : x->wl->weights_path, &h);
    } else if (!rc) {
        h = myelin_fnv1a64(m->weights, m->weights_len, h);
    }
    *out = h;
    return rc;
}

/* Resolves x->qs per layer of the workload into x->lq. */
static int resolve_layers(myelin_context *x)
{
    free(x->lq);
    x->lq = calloc((size_t)(x->wl->n_layers ? x->wl->n_layers : 1), sizeof *x->lq);
    return x->lq ? myelin_qsetting_resolve(x->qs, x->wl, x->lq, &x->err)
                 : myelin_error_set(&x->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
}

int myelin_context_load_quant(myelin_context *x, const char *path, int input_bits)
{
    int rc = path ? myelin_qsetting_load(path, &x->own_qs, &x->err) : myelin_qsetting_float(&x->own_qs, &x->err);
    x->qs = x->own_qs;
    x->quant_path = path;
    if (!rc && input_bits)
        rc = myelin_qsetting_set_input_bits(x->own_qs, input_bits, &x->err);
    if (!rc)
        rc = resolve_layers(x);
    if (!rc && path) {
        myelin_provenance_add_path(&x->prov, "quant", path);
        hash_file(x, "quant", path);
    } else if (!rc) {
        myelin_provenance_add(&x->prov, "quant", "float");
    }
    return rc;
}

int myelin_context_use_quant(myelin_context *x, const myelin_qsetting *qs, const char *label)
{
    if (!qs)
        return myelin_context_load_quant(x, NULL, 0);
    x->qs = qs;
    x->quant_path = label;
    myelin_provenance_add(&x->prov, "quant", "%s", label ? label : "float");
    return resolve_layers(x);
}

int myelin_context_use_arch(myelin_context *x, const myelin_arch *arch)
{
    x->arch = arch;
    myelin_provenance_add(&x->prov, "arch", "%s", arch->name);
    int rc = myelin_cost_registry_new(&x->reg, &x->err);
    if (!rc && x->mute_warnings)
        myelin_cost_registry_on_warning(x->reg, NULL, NULL);
    if (!rc)
        rc = myelin_cost_registry_configure(x->reg, arch, &x->err);
    if (!rc)
        rc = myelin_map(x->wl, x->lq, arch, &x->map, &x->err);
    return rc;
}

int myelin_context_load_arch(myelin_context *x, const char *name_or_path)
{
    char path[MYELIN_PATH_MAX];
    int rc = myelin_arch_resolve(name_or_path ? name_or_path : "generic-45nm", path, sizeof path, &x->err);
    if (!rc)
        rc = myelin_arch_load(path, &x->own_arch, &x->err);
    if (rc)
        return rc;
    myelin_provenance_add(&x->prov, "arch", "%s", x->own_arch->name);
    myelin_provenance_add_path(&x->prov, "arch_file", path);
    return myelin_context_use_arch(x, x->own_arch);
}

int myelin_context_open_dataset(myelin_context *x, const char *spec)
{
    const myelin_workload *wl = x->wl;
    if (spec)
        snprintf(x->dataset_spec, sizeof x->dataset_spec, "%s", spec);
    else
        snprintf(x->dataset_spec, sizeof x->dataset_spec,
                 "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d", wl->input.h,
                 wl->input.w, wl->input.c, wl->classes);
    int rc = myelin_dataset_open_shaped(x->dataset_spec, wl->input.c, wl->input.h, wl->input.w, &x->ds,
                                        &x->err);
    if (!rc)
        myelin_provenance_add(&x->prov, "dataset", "%s", x->dataset_spec);
    return rc;
}

/* Provenance (with extra) and columns onto t. */
static int prepare(myelin_context *x, myelin_report *t, const char *const *extra, const char *columns)
{
    if (!t)
        return myelin_error_set(&x->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    myelin_provenance p = x->prov;
    for (int k = 0; extra && extra[k] && extra[k + 1]; k += 2)
        myelin_provenance_add(&p, extra[k], "%s", extra[k + 1]);
    myelin_report_provenance(t, &p);
    return myelin_report_columns(t, columns, &x->err);
}

int myelin_context_write(myelin_context *x, myelin_report *t, const char *const *extra,
                         const char *columns, int fmt, FILE *f)
{
    int rc = prepare(x, t, extra, columns);
    return rc ? rc : myelin_report_write(t, fmt, f, &x->err);
}

int myelin_context_write_buffer(myelin_context *x, myelin_report *t, const char *const *extra,
                                const char *columns, int fmt, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int rc = prepare(x, t, extra, columns);
    return rc ? rc : myelin_report_write_buffer(t, fmt, buf, len, &x->err);
}
