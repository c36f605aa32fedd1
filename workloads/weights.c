/* workloads/weights.c — a workload's float parameters: Spikformer safetensors loading with BN
 * folding into scatter layout, seeded random weights, and export; see workloads/weights.h. */
#include "workloads/weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "workloads/safetensors.h"

#define BN_EPS 1e-5

struct myelin_weights {
    int n_layers;
    myelin_layer_weights *layers; /* per graph layer; b == NULL for layers without weights, w ==
                                   * NULL also for released ones */
};

static int is_synaptic(const myelin_layer *l)
{
    return l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR || l->kind == MYELIN_LAYER_HEAD;
}

void myelin_weights_free(myelin_weights *w)
{
    if (!w) return;
    for (int i = 0; i < w->n_layers; i++) {
        free(w->layers[i].w);
        free(w->layers[i].b);
    }
    free(w->layers);
    free(w);
}

const myelin_layer_weights *myelin_weights_layer(const myelin_weights *w, int index)
{
    if (!w || index < 0 || index >= w->n_layers || !w->layers[index].b) return NULL;
    return &w->layers[index];
}

void myelin_weights_release(myelin_weights *w, int index)
{
    if (!w || index < 0 || index >= w->n_layers) return;
    free(w->layers[index].w);
    w->layers[index].w = NULL;
}

/* Allocates the container and zeroed per-layer arrays for every synaptic layer. */
static int alloc_weights(const myelin_workload *wl, myelin_weights **out, myelin_error *err)
{
    *out = NULL;
    myelin_weights *w = calloc(1, sizeof *w);
    if (!w) return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    w->n_layers = wl->n_layers;
    w->layers = calloc((size_t)(wl->n_layers > 0 ? wl->n_layers : 1), sizeof *w->layers);
    if (!w->layers) {
        free(w);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        if (!is_synaptic(l)) continue;
        myelin_layer_weights *lw = &w->layers[i];
        lw->c_in = l->c_in;
        lw->c_out = l->c_out;
        lw->kernel = l->kernel;
        size_t nw = (size_t)l->kernel * (size_t)l->kernel * (size_t)l->c_in * (size_t)l->c_out;
        lw->w = calloc(nw ? nw : 1, sizeof *lw->w);
        lw->b = calloc(l->c_out > 0 ? (size_t)l->c_out : 1, sizeof *lw->b);
        if (!lw->w || !lw->b) {
            myelin_weights_free(w);
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    *out = w;
    return 0;
}

#define RANDOM_GAIN 6.0    /* weights U(+-6/sqrt(fan_in)) */
#define RANDOM_BIAS_LO -0.5 /* biases (folded BN shift) U(-0.5, 1.0) */
#define RANDOM_BIAS_HI 1.0

int myelin_weights_random(const myelin_workload *wl, uint64_t seed, myelin_weights **out,
                          myelin_error *err)
{
    int rc = alloc_weights(wl, out, err);
    if (rc) return rc;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        if (!is_synaptic(l)) continue;
        myelin_layer_weights *lw = &(*out)->layers[i];
        myelin_rng r;
        myelin_rng_seed(&r, seed, (uint64_t)i); /* one stream per layer: adding layers changes nothing else */
        size_t fan_in = (size_t)l->kernel * (size_t)l->kernel * (size_t)l->c_in;
        /* A gain of RANDOM_GAIN over Kaiming-uniform stands in for the folded BatchNorm of a trained
         * network: with 1/sqrt(fan_in) alone, sparse spike inputs never lift a membrane to V_th and
         * the network is silent, which would make benchmarks and statistical runs meaningless. */
        double gain = l->kind == MYELIN_LAYER_HEAD ? 1.0 : RANDOM_GAIN;
        double bound = fan_in ? gain / sqrt((double)fan_in) : 0.0;
        size_t nw = fan_in * (size_t)l->c_out;
        for (size_t k = 0; k < nw; k++) lw->w[k] = (2.0 * myelin_rng_uniform(&r) - 1.0) * bound;
        if (l->kind == MYELIN_LAYER_HEAD)
            for (int o = 0; o < l->c_out; o++) lw->b[o] = (2.0 * myelin_rng_uniform(&r) - 1.0) * bound;
        else
            for (int o = 0; o < l->c_out; o++)
                lw->b[o] = RANDOM_BIAS_LO + (RANDOM_BIAS_HI - RANDOM_BIAS_LO) * myelin_rng_uniform(&r);
    }
    return 0;
}

static void shape_str(const myelin_st_tensor *t, char *buf, size_t n)
{
    size_t p = (size_t)snprintf(buf, n, "[");
    for (int d = 0; d < t->ndim && p < n; d++)
        p += (size_t)snprintf(buf + p, n - p, d ? ", %lld" : "%lld", (long long)t->shape[d]);
    if (p < n) snprintf(buf + p, n - p, "]");
}

/* Finds a float tensor `name` of c_out elements ([c_out]) and reads it into dst.  Returns 0,
 * 1 when absent (and !required), or an error. */
static int read_vec(const myelin_st_file *f, const myelin_layer *l, const char *name, int required,
                    double *dst, myelin_error *err);

static int check_float(const myelin_st_file *f, const myelin_layer *l, const myelin_st_tensor *t,
                       myelin_error *err)
{
    if (t->dtype != MYELIN_DT_F32 && t->dtype != MYELIN_DT_F16 && t->dtype != MYELIN_DT_BF16 &&
        t->dtype != MYELIN_DT_F64)
        return myelin_error_set(err, MYELIN_ESCHEMA, myelin_st_path(f), 0, 0,
                                "tensor '%s' (layer '%s'): dtype %s, expected a float type (F32, F16, BF16, F64)",
                                t->name, l->name, myelin_dtype_name(t->dtype));
    return 0;
}

static int check_finite(const myelin_st_file *f, const myelin_layer *l, const myelin_st_tensor *t,
                        const double *v, myelin_error *err)
{
    for (int64_t i = 0; i < t->numel; i++)
        if (!isfinite(v[i]))
            return myelin_error_set(err, MYELIN_EFORMAT, myelin_st_path(f), 0, 0,
                                    "tensor '%s' (layer '%s'): element %lld is %s", t->name, l->name,
                                    (long long)i, isnan(v[i]) ? "NaN" : "infinite");
    return 0;
}

static int read_vec(const myelin_st_file *f, const myelin_layer *l, const char *name, int required,
                    double *dst, myelin_error *err)
{
    const myelin_st_tensor *t = myelin_st_find(f, name);
    if (!t) {
        if (!required) return 1;
        return myelin_error_set(err, MYELIN_EMISSING, myelin_st_path(f), 0, 0,
                                "tensor '%s' is missing (layer '%s' needs it)", name, l->name);
    }
    int rc = check_float(f, l, t, err);
    if (rc) return rc;
    if (t->ndim != 1 || t->shape[0] != l->c_out) {
        char got[128];
        shape_str(t, got, sizeof got);
        return myelin_error_set(err, MYELIN_ESHAPE, myelin_st_path(f), 0, 0,
                                "tensor '%s' (layer '%s'): expected shape [%d], found %s", name, l->name,
                                l->c_out, got);
    }
    if ((rc = myelin_st_to_f64(t, dst, err))) return rc;
    return check_finite(f, l, t, dst, err);
}

static int load_layer(const myelin_st_file *f, const myelin_layer *l, myelin_layer_weights *lw,
                      myelin_error *err)
{
    char name[160], got[128];
    const int k = l->kernel, ci = l->c_in, co = l->c_out;
    const size_t nw = (size_t)k * (size_t)k * (size_t)ci * (size_t)co;
    snprintf(name, sizeof name, "%s.weight", l->weight_name);
    const myelin_st_tensor *t = myelin_st_find(f, name);
    if (!t)
        return myelin_error_set(err, MYELIN_EMISSING, myelin_st_path(f), 0, 0,
                                "tensor '%s' is missing (layer '%s' needs it)", name, l->name);
    int rc = check_float(f, l, t, err);
    if (rc) return rc;
    int ok = t->ndim >= 2 && t->shape[0] == co && t->shape[1] == ci;
    if (ok && k == 3) ok = t->ndim == 4 && t->shape[2] == 3 && t->shape[3] == 3;
    else if (ok) ok = t->ndim == 2 || (t->ndim == 3 && t->shape[2] == 1) ||
                      (t->ndim == 4 && t->shape[2] == 1 && t->shape[3] == 1);
    if (!ok) {
        shape_str(t, got, sizeof got);
        return myelin_error_set(err, MYELIN_ESHAPE, myelin_st_path(f), 0, 0,
                                "tensor '%s' (layer '%s'): expected shape %s[%d, %d%s], found %s", name, l->name,
                                k == 3 ? "" : "(also [out, in, 1] or [out, in, 1, 1]) ", co, ci,
                                k == 3 ? ", 3, 3" : "", got);
    }
    double *tw = malloc((nw ? nw : 1) * sizeof *tw);
    double *bn = malloc((size_t)(co > 0 ? co : 1) * 4 * sizeof *bn);
    if (!tw || !bn) {
        free(tw);
        free(bn);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if ((rc = myelin_st_to_f64(t, tw, err)) || (rc = check_finite(f, l, t, tw, err))) goto done;
    /* Bias: required when the graph says the checkpoint has one; also taken when present
     * (an exported, BN-folded file has a bias on every layer). */
    snprintf(name, sizeof name, "%s.bias", l->weight_name);
    rc = read_vec(f, l, name, l->has_bias, lw->b, err);
    if (rc < 0) goto done;
    if (rc == 1) memset(lw->b, 0, (size_t)co * sizeof *lw->b);
    rc = 0;
    /* BN: all four tensors, or none (identity, e.g. an exported folded file). */
    int have_bn = 0;
    if (l->bn_name[0]) {
        static const char *const parts[4] = {"weight", "bias", "running_mean", "running_var"};
        int present = 0, first_missing = -1;
        for (int p = 0; p < 4; p++) {
            snprintf(name, sizeof name, "%s.%s", l->bn_name, parts[p]);
            if (myelin_st_find(f, name)) present++;
            else if (first_missing < 0) first_missing = p;
        }
        if (present > 0 && present < 4) {
            snprintf(name, sizeof name, "%s.%s", l->bn_name, parts[first_missing]);
            rc = myelin_error_set(err, MYELIN_EMISSING, myelin_st_path(f), 0, 0,
                                  "tensor '%s' is missing (layer '%s': BatchNorm needs weight, bias, "
                                  "running_mean and running_var, or none of them)", name, l->name);
            goto done;
        }
        if (present == 4) {
            for (int p = 0; p < 4; p++) {
                snprintf(name, sizeof name, "%s.%s", l->bn_name, parts[p]);
                if ((rc = read_vec(f, l, name, 1, bn + (size_t)p * (size_t)co, err))) goto done;
            }
            for (int o = 0; o < co; o++)
                if (bn[3 * co + o] + BN_EPS <= 0.0) {
                    snprintf(name, sizeof name, "%s.running_var", l->bn_name);
                    rc = myelin_error_set(err, MYELIN_EFORMAT, myelin_st_path(f), 0, 0,
                                          "tensor '%s' (layer '%s'): element %d is negative (%g)", name,
                                          l->name, o, bn[3 * co + o]);
                    goto done;
                }
            have_bn = 1;
        }
    }
    for (int o = 0; o < co; o++) {
        double s = 1.0;
        if (have_bn) {
            s = bn[o] / sqrt(bn[3 * co + o] + BN_EPS);
            lw->b[o] = (lw->b[o] - bn[2 * co + o]) * s + bn[co + o];
        }
        for (int c = 0; c < ci; c++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    size_t src = (((size_t)o * (size_t)ci + (size_t)c) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx;
                    size_t dst = (((size_t)ky * (size_t)k + (size_t)kx) * (size_t)ci + (size_t)c) * (size_t)co + (size_t)o;
                    lw->w[dst] = tw[src] * s;
                }
    }
done:
    free(tw);
    free(bn);
    return rc;
}

static int load_st(const myelin_workload *wl, const myelin_st_file *f, myelin_weights **out,
                   myelin_error *err)
{
    myelin_weights *w;
    int rc = alloc_weights(wl, &w, err);
    if (rc) return rc;
    for (int i = 0; i < wl->n_layers; i++) {
        if (!is_synaptic(&wl->layers[i])) continue;
        if ((rc = load_layer(f, &wl->layers[i], &w->layers[i], err))) {
            myelin_weights_free(w);
            return rc;
        }
    }
    *out = w;
    return 0;
}

int myelin_weights_load(const myelin_workload *wl, const char *path, myelin_weights **out,
                        myelin_error *err)
{
    myelin_st_file *f;
    *out = NULL;
    int rc = myelin_st_open(path, &f, err);
    if (rc) return rc;
    rc = load_st(wl, f, out, err);
    myelin_st_close(f);
    return rc;
}

int myelin_weights_load_memory(const myelin_workload *wl, const void *bytes, size_t len,
                               const char *source, myelin_weights **out, myelin_error *err)
{
    myelin_st_file *f;
    *out = NULL;
    int rc = myelin_st_open_memory(bytes, len, source, &f, err);
    if (rc) return rc;
    rc = load_st(wl, f, out, err);
    myelin_st_close(f);
    return rc;
}

int myelin_weights_save(const myelin_workload *wl, const myelin_weights *w, const char *path,
                        myelin_error *err)
{
    myelin_st_writer *wr;
    int rc = myelin_st_writer_new(&wr, err);
    if (rc) return rc;
    if ((rc = myelin_st_writer_metadata(wr, "format", "pt", err)) ||
        (rc = myelin_st_writer_metadata(wr, "myelin", "batchnorm folded into weight and bias", err)))
        goto done;
    for (int i = 0; i < wl->n_layers && !rc; i++) {
        const myelin_layer *l = &wl->layers[i];
        const myelin_layer_weights *lw = myelin_weights_layer(w, i);
        if (!is_synaptic(l)) continue;
        if (!lw || lw->c_in != l->c_in || lw->c_out != l->c_out || lw->kernel != l->kernel) {
            rc = myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                  "layer '%s': weights do not match the workload", l->name);
            break;
        }
        if (!lw->w) {
            rc = myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                  "layer '%s': its float weights were released (the engine "
                                  "quantized them away), so they cannot be saved", l->name);
            break;
        }
        const int k = l->kernel, ci = l->c_in, co = l->c_out;
        size_t nw = (size_t)k * (size_t)k * (size_t)ci * (size_t)co;
        float *tw = malloc((nw ? nw : 1) * sizeof *tw), *tb = malloc((size_t)(co ? co : 1) * sizeof *tb);
        if (!tw || !tb) {
            free(tw);
            free(tb);
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        for (int o = 0; o < co; o++) {
            tb[o] = (float)lw->b[o];
            for (int c = 0; c < ci; c++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        tw[(((size_t)o * (size_t)ci + (size_t)c) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx] =
                            (float)lw->w[(((size_t)ky * (size_t)k + (size_t)kx) * (size_t)ci + (size_t)c) * (size_t)co + (size_t)o];
        }
        int64_t shape[4] = {co, ci, k, k};
        /* the public shapes: 3x3 convs 4-D; ImageNet code (conv naming): the MLP's fc1/fc2_conv
         * are Conv2d 1x1 (4-D [out,in,1,1]), q/k/v/proj_conv Conv1d (3-D [out,in,1]); linear 2-D */
        int conv_named = wl->naming == MYELIN_NAMING_CONV && l->kind != MYELIN_LAYER_HEAD;
        int mlp = strstr(l->weight_name, ".mlp.fc") != NULL;
        int ndim = k == 3 ? 4 : conv_named ? (mlp ? 4 : 3) : 2;
        char name[160];
        snprintf(name, sizeof name, "%s.weight", l->weight_name);
        rc = myelin_st_writer_add(wr, name, MYELIN_DT_F32, ndim, shape, tw, err);
        if (!rc) {
            snprintf(name, sizeof name, "%s.bias", l->weight_name);
            int64_t bshape[1] = {co};
            rc = myelin_st_writer_add(wr, name, MYELIN_DT_F32, 1, bshape, tb, err);
        }
        free(tw);
        free(tb);
    }
    if (!rc) rc = myelin_st_writer_save(wr, path, err);
done:
    myelin_st_writer_free(wr);
    return rc;
}
