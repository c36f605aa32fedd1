/* models/activity.c — activity (firing rates per layer): the statistical activity model shared by
 * myelin cost and myelin sim, the activity file's codec (the JSON that `myelin run --json`
 * writes: its writer and its reader), and rates from spike counts. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/json.h"
#include "base/report.h"
#include "base/util.h"
#include "models/cost.h"
#include "sim/engine.h"

void myelin_activity_free(myelin_activity *a)
{
    if (!a)
        return;
    free(a->rate);
    a->rate = NULL;
    a->n_layers = 0;
}

/* ---- the statistical activity model (one definition for myelin cost and myelin sim) ----------
 *
 * Rates are given per spiking layer's output (a LIF layer fires as independent Bernoulli draws at
 * its rate); every other layer's output is DERIVED from its inputs' value distributions:
 *   ADD     the sum of independent inputs: the convolution of their value distributions (a
 *           residual value of 2 is two events), so its rate is the sum of its inputs' rates;
 *   MAXPOOL 3x3, stride 2, padding 1 (models/kernels.h): an output is the max over the k in-bounds
 *           elements of its window, P(max <= v) = F(v)^k, averaged over the output positions (edge
 *           windows hold 4 or 6 elements), so a pool of Bernoulli(r) fires at about 1 - (1-r)^9;
 *   HEAD    0 (its outputs are logits, not events).
 * A workload may give a pool's rate (firing_rates naming it: measured on a trained network, whose
 * spikes are spatially correlated, so its pools fire less than independence predicts); `--rate R`
 * sets every spiking layer and derives every pool.  The SystemC model's statistical mode draws
 * the spiking layers AND the pools (Bernoulli at these rates) and sums adds from the drawn spikes
 * with the shared kernel, so both models see the same expected activity. */

typedef struct vdist {
    int n;     /* support 0..n */
    double *p; /* p[v] = P(value = v) */
} vdist;

static void vdist_free(vdist *d, int n)
{
    if (!d)
        return;
    for (int i = 0; i < n; i++)
        free(d[i].p);
    free(d);
}

static int vdist_point(vdist *d, int n, double p1)
{
    d->n = n;
    d->p = calloc((size_t)n + 1, sizeof *d->p);
    if (!d->p)
        return -1;
    if (n >= 1) {
        d->p[1] = p1;
        d->p[0] = 1 - p1;
    } else {
        d->p[0] = 1;
    }
    return 0;
}

static double vdist_mean(const vdist *d)
{
    double m = 0;
    for (int v = 1; v <= d->n; v++)
        m += v * d->p[v];
    return m;
}

/* out = max of k independent draws of d, mixed over the pool's window sizes. */
static int vdist_maxpool(const vdist *d, const myelin_shape *in, vdist *out)
{
    out->n = d->n;
    out->p = calloc((size_t)d->n + 1, sizeof *out->p);
    if (!out->p)
        return -1;
    int oh = (in->h + 1) / 2, ow = (in->w + 1) / 2;
    double npos[10] = {0}; /* output positions whose window holds k in-bounds elements */
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            int ky = 0, kx = 0;
            for (int dy = -1; dy <= 1; dy++)
                ky += 2 * oy + dy >= 0 && 2 * oy + dy < in->h;
            for (int dx = -1; dx <= 1; dx++)
                kx += 2 * ox + dx >= 0 && 2 * ox + dx < in->w;
            npos[ky * kx]++;
        }
    double total = (double)oh * ow;
    for (int k = 1; k <= 9; k++) {
        if (!(npos[k] > 0))
            continue;
        double F = 0, prev = 0;
        for (int v = 0; v <= d->n; v++) {
            F += d->p[v];
            double cur = pow(F > 1 ? 1 : F, k);
            out->p[v] += npos[k] / total * (cur - prev);
            prev = cur;
        }
    }
    return 0;
}

/* out = the sum of independent a and b (convolution). */
static int vdist_add(const vdist *a, const vdist *b, vdist *out)
{
    out->n = a->n + b->n;
    out->p = calloc((size_t)out->n + 1, sizeof *out->p);
    if (!out->p)
        return -1;
    for (int i = 0; i <= a->n; i++)
        for (int j = 0; j <= b->n; j++)
            out->p[i + j] += a->p[i] * b->p[j];
    return 0;
}

/* A LIF layer with weights or attention: the layers whose rate is given (or measured), never
 * derived. */
static int is_lif_layer(const myelin_layer *l)
{
    return l->has_lif && (l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR ||
                          l->kind == MYELIN_LAYER_ATTN);
}

/* Fills the rates still negative from the activity model above: a spiking layer's missing rate is
 * an error (it must be given or measured); MAXPOOL and ADD are derived from their inputs (a rate
 * already present, e.g. measured, is kept and only its distribution is derived); others get 0. */
static int derive_rates(const myelin_workload *wl, myelin_activity *out, const char *source,
                        myelin_error *err)
{
    int n = wl->n_layers;
    vdist *d = calloc((size_t)(n ? n : 1), sizeof *d);
    if (!d) {
        myelin_activity_free(out);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const myelin_layer *l = &wl->layers[i];
        int oom = 0;
        if (is_lif_layer(l)) {
            if (out->rate[i] < 0) {
                rc = myelin_error_set(err, MYELIN_EMISSING, source, 0, 0,
                                      "no firing_rate for layer %s of workload %s in the activity",
                                      l->name, wl->name);
                break;
            }
            double r = out->rate[i] > 1 ? 1 : out->rate[i];
            oom = vdist_point(&d[i], 1, r);
        } else if (l->kind == MYELIN_LAYER_MAXPOOL && l->n_inputs >= 1 && l->inputs[0] >= 0 &&
                   l->inputs[0] < i) {
            oom = vdist_maxpool(&d[l->inputs[0]], &l->in_shape, &d[i]);
        } else if (l->kind == MYELIN_LAYER_ADD && l->n_inputs >= 1) {
            oom = vdist_point(&d[i], 0, 0);
            for (int j = 0; j < l->n_inputs && !oom; j++) {
                int s = l->inputs[j];
                if (s < 0 || s >= i)
                    continue;
                vdist sum;
                oom = vdist_add(&d[i], &d[s], &sum);
                if (!oom) {
                    free(d[i].p);
                    d[i] = sum;
                }
            }
        } else {
            oom = vdist_point(&d[i], 0, 0);
        }
        if (oom) {
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
            break;
        }
        if (out->rate[i] < 0) {
            out->rate[i] = vdist_mean(&d[i]);
        } else if (!is_lif_layer(l)) {
            /* a given (measured) pool or add rate: the two-point distribution of that mean
             * replaces the derived one, so what it feeds is derived from the given rate */
            double r = out->rate[i];
            int lo = (int)floor(r);
            free(d[i].p);
            oom = vdist_point(&d[i], lo + 1, 0);
            if (!oom) {
                d[i].p[0] = 0;
                d[i].p[lo] = 1 - (r - lo);
                d[i].p[lo + 1] = r - lo;
            } else {
                rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
            }
        }
    }
    vdist_free(d, n);
    if (rc)
        myelin_activity_free(out);
    return rc;
}

int myelin_activity_from_workload(const myelin_workload *wl, double uniform_rate,
                                  myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (uniform_rate > 1 || isnan(uniform_rate))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "firing rate %g is not a rate (expected 0..1 spikes per neuron per step)",
                                uniform_rate);
    out->rate = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        double r = uniform_rate >= 0 ? uniform_rate : l->firing_rate;
        if (!(r >= 0))
            r = wl->default_firing_rate;
        out->rate[i] = -1; /* derived */
        if (is_lif_layer(l))
            out->rate[i] = r;
        else if (l->kind == MYELIN_LAYER_MAXPOOL && uniform_rate < 0 && l->firing_rate >= 0)
            out->rate[i] = l->firing_rate; /* a pool rate the workload gives (measured) */
    }
    int rc = derive_rates(wl, out, wl->source, err);
    if (rc)
        return rc;
    if (uniform_rate >= 0)
        snprintf(out->source, sizeof out->source,
                 "uniform firing rate %g (pools and adds derived)", uniform_rate);
    else
        snprintf(out->source, sizeof out->source,
                 "statistical firing rates of workload %s (pools and adds derived)", wl->name);
    return 0;
}

/* The largest rate layer i can have: 1 spike per neuron per step for a LIF layer; for the others
 * (ADD, MAXPOOL, a head without LIF) the sum (ADD) or the largest of their inputs' bounds. */
static double rate_bound(const myelin_workload *wl, const double *bound, int i)
{
    const myelin_layer *l = &wl->layers[i];
    if (l->has_lif || l->n_inputs == 0)
        return 1;
    double b = 0;
    for (int j = 0; j < l->n_inputs; j++) {
        int src = l->inputs[j];
        double bj = src >= 0 && src < i ? bound[src] : 1;
        b = l->kind == MYELIN_LAYER_ADD ? b + bj : (bj > b ? bj : b);
    }
    return b > 1 ? b : 1;
}

/* Marks err at the value v of the activity text. */
static int activity_error(myelin_error *err, int code, const char *text, size_t len,
                          const char *source, const myelin_json *v, const char *fmt, const char *a,
                          double x)
{
    int line = 0, col = 0;
    if (v)
        myelin_json_position(text, len, v->offset, &line, &col);
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a, x);
    return myelin_error_set(err, code, source, line, col, "%s", msg);
}

int myelin_activity_parse_json(const char *text, size_t len, const char *source,
                               const myelin_workload *wl, myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    myelin_json *root = NULL;
    int rc = myelin_json_parse(text, len, source, &root, err);
    if (rc)
        return rc;
    size_t nl = (size_t)(wl->n_layers ? wl->n_layers : 1);
    double *bound = malloc(nl * sizeof *bound);
    out->rate = malloc(nl * sizeof *out->rate);
    if (!out->rate || !bound) {
        free(bound);
        myelin_json_free(root);
        myelin_activity_free(out);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    }
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++) {
        out->rate[i] = -1;
        bound[i] = rate_bound(wl, bound, i);
    }
    const myelin_json *layers = myelin_json_get(root, "layers");
    if (!layers || layers->type != MYELIN_JSON_ARRAY)
        rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, layers ? layers : root,
                            "expected the JSON of 'myelin run --json': an object with a \"layers\" "
                            "list%s",
                            "", 0);
    for (size_t k = 0; !rc && k < layers->count; k++) {
        const myelin_json *o = &layers->items[k];
        const myelin_json *nv = myelin_json_get(o, "name"), *rv = myelin_json_get(o, "firing_rate");
        if (o->type != MYELIN_JSON_OBJECT || !nv || nv->type != MYELIN_JSON_STRING) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv ? nv : o,
                                "expected a layer object with a \"name\" string%s", "", 0);
            break;
        }
        if (!rv)
            continue; /* a layer whose rate is derived (ADD, MAXPOOL) */
        int idx = myelin_workload_find_layer(wl, nv->string);
        if (idx < 0 || strlen(nv->string) != nv->string_len) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv,
                                "layer '%.200s' is not a layer of this workload (another model's "
                                "activity?)",
                                nv->string, 0);
            break;
        }
        if (rv->type != MYELIN_JSON_NUMBER || !isfinite(rv->number) || rv->number < 0 ||
            rv->number > bound[idx]) {
            char what[300];
            snprintf(what, sizeof what, "%.200s", nv->string);
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, rv,
                                "firing_rate of layer %s must be a number between 0 and %g "
                                "(events per element per timestep)",
                                what, bound[idx]);
            break;
        }
        if (out->rate[idx] >= 0) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv,
                                "layer '%.200s' appears twice in the activity", nv->string, 0);
            break;
        }
        out->rate[idx] = rv->number;
    }
    free(bound);
    myelin_json_free(root);
    if (rc) {
        myelin_activity_free(out);
        return rc;
    }
    rc = derive_rates(wl, out, source, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "measured firing rates from %.200s", source);
    return 0;
}

int myelin_activity_load_json(const char *path, const myelin_workload *wl, myelin_activity *out,
                              myelin_error *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, &text, &len, err);
    if (rc)
        return rc;
    rc = myelin_activity_parse_json(text, len, path, wl, out, err);
    free(text);
    return rc;
}

int myelin_activity_from_spikes(const myelin_workload *wl, const int64_t *spikes, int64_t images,
                                const char *source, myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (images <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity from spike counts needs at least one image");
    out->rate = malloc((size_t)(wl->n_layers ? wl->n_layers : 1) * sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    int T = wl->timesteps;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        out->rate[i] = -1;
        int64_t elems = is_lif_layer(l) ? myelin_layer_neurons(l)
                        : (l->kind == MYELIN_LAYER_MAXPOOL || l->kind == MYELIN_LAYER_ADD)
                            ? (int64_t)l->out_shape.c * l->out_shape.h * l->out_shape.w
                            : 0;
        if (elems > 0) {
            int64_t s = 0;
            for (int t = 0; t < T; t++)
                s += spikes[(int64_t)i * T + t];
            out->rate[i] = (double)s / (double)images / T / (double)elems;
        }
    }
    int rc = derive_rates(wl, out, source, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "%s", source ? source : "measured spike counts");
    return 0;
}

/* ---- the activity file's writer ---------------------------------------------------------------- */

/* The layers that fire (LIF with weights or attention), as the engine counts them. */
static int run_has_lif(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
           ly->kind == MYELIN_LAYER_ATTN;
}

static void json_str(FILE *f, const char *s)
{
    myelin_escape_fputs(MYELIN_ESC_JSON, s ? s : "", f);
}

int myelin_activity_run_json(const myelin_workload *wl, const struct myelin_engine *e,
                             const struct myelin_engine_summary *sum, const myelin_run_info *info,
                             char **out, size_t *len, myelin_error *err)
{
    *out = NULL;
    *len = 0;
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (run JSON)");
    int T = wl->timesteps;
    double n_img = sum->images > 0 ? (double)sum->images : 1.0;
    double top1 = 100.0 * (double)sum->top1_correct / n_img;
    double top5 = 100.0 * (double)sum->top5_correct / n_img;
    char b1[16], b2[16];
    fputs("{\n", f);
    if (info->provenance) {
        fputs("  \"provenance\": ", f);
        myelin_provenance_write_json(info->provenance, f);
        fputs(",\n", f);
    }
    fprintf(f, "  \"workload\": ");
    json_str(f, wl->name);
    fprintf(f, ",\n  \"weights\": ");
    json_str(f, info->weights);
    fprintf(f, ",\n  \"dataset\": ");
    json_str(f, info->dataset);
    fprintf(f, ",\n  \"quant\": ");
    json_str(f, info->quant ? info->quant : "float");
    fprintf(f, ",\n  \"input_bits\": %d,\n  \"timesteps\": %d,\n  \"images\": %" PRId64
               ",\n  \"top1_correct\": %" PRId64 ",\n  \"top1_percent\": %.6f",
            info->input_bits, T, sum->images, sum->top1_correct, top1);
    if (sum->has_top5)
        fprintf(f, ",\n  \"top5_correct\": %" PRId64 ",\n  \"top5_percent\": %.6f",
                sum->top5_correct, top5);
    int drift = info->drift && sum->drift;
    if (drift) {
        double drift_mean = 0, drift_max = 0;
        myelin_drift_summary(wl, sum->drift, &drift_mean, &drift_max);
        fprintf(f, ",\n  \"drift_mean\": %.9g,\n  \"drift_max\": %.9g", drift_mean, drift_max);
    }
    fprintf(f, ",\n  \"layers\": [");
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *ly = &wl->layers[i];
        const myelin_layer_quant *q = myelin_engine_layer_quant(e, i);
        int64_t s = 0, ev = 0, so = 0;
        for (int t = 0; t < T; t++) {
            s += sum->spikes[(int64_t)i * T + t];
            ev += sum->events[(int64_t)i * T + t];
            so += sum->synops[(int64_t)i * T + t];
        }
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_str(f, ly->name);
        int syn = ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
                  ly->kind == MYELIN_LAYER_HEAD;
        fprintf(f, ", \"kind\": \"%s\"", myelin_layer_kind_name(ly->kind));
        if (syn)
            fprintf(f, ", \"weight_bits\": \"%s\"", myelin_bits_str(q->weight_bits, b1, sizeof b1));
        if (run_has_lif(ly))
            fprintf(f, ", \"membrane_bits\": \"%s\"",
                    myelin_bits_str(q->membrane_bits, b2, sizeof b2));
        fprintf(f, ", \"spikes_per_image\": %.9g, \"events_per_image\": %.9g"
                   ", \"synops_per_image\": %.9g",
                (double)s / n_img, (double)ev / n_img, (double)so / n_img);
        /* LIF layers: spikes per neuron per step; MAXPOOL/ADD: output values per element per
         * step (measured, so `myelin cost --activity` need not guess a pool's rate). */
        if (run_has_lif(ly))
            fprintf(f, ", \"firing_rate\": %.9g",
                    (double)s / n_img / T / (double)myelin_layer_neurons(ly));
        else if (ly->kind == MYELIN_LAYER_MAXPOOL || ly->kind == MYELIN_LAYER_ADD)
            fprintf(f, ", \"firing_rate\": %.9g",
                    (double)s / n_img / T /
                        ((double)ly->out_shape.c * ly->out_shape.h * ly->out_shape.w));
        if (run_has_lif(ly))
            fprintf(f, ", \"x_saturated\": %" PRId64 ", \"h_saturated\": %" PRId64
                       ", \"lif_updates\": %" PRId64,
                    sum->sat[3 * (int64_t)i], sum->sat[3 * (int64_t)i + 1],
                    sum->sat[3 * (int64_t)i + 2]);
        if (drift && sum->drift[i].samples)
            fprintf(f, ", \"drift\": %.9g, \"spike_mismatch_rate\": %.9g",
                    sum->drift[i].abs_dh_sum / (double)sum->drift[i].samples,
                    (double)sum->drift[i].mismatches / (double)sum->drift[i].samples);
        fprintf(f, ", \"spikes_per_step\": [");
        for (int t = 0; t < T; t++)
            fprintf(f, "%s%.9g", t ? ", " : "", (double)sum->spikes[(int64_t)i * T + t] / n_img);
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ]\n}\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !buf) {
        free(buf);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (run JSON)");
    }
    *out = buf;
    *len = blen;
    return 0;
}
