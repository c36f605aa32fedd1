/* arch/mapper.c — owns the storage model and the layer-to-core placement (see mapper.h). */
#include "arch/mapper.h"

#include <stdlib.h>
#include <string.h>

int myelin_storage_bits(int bits)
{
    return bits == MYELIN_BITS_FLOAT ? 32 : bits;
}

static int has_weights(const myelin_layer *l)
{
    return l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR || l->kind == MYELIN_LAYER_HEAD;
}

static int has_membrane(const myelin_layer *l)
{
    return (l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR ||
            l->kind == MYELIN_LAYER_ATTN) && l->has_lif;
}

myelin_layer_memory myelin_layer_memory_of(const myelin_layer *layer, const myelin_layer_quant *q)
{
    myelin_layer_memory m = {0, 0, 0, 0};
    if (!q)
        return m;
    if (has_weights(layer)) {
        int64_t wb = myelin_storage_bits(q->weight_bits);
        int64_t w = myelin_layer_weight_count(layer);
        m.weight_bits = w * wb;
        m.bias_bits = (myelin_layer_params(layer) - w) * wb;
        if (q->weight_bits != MYELIN_BITS_FLOAT)
            m.scale_bits = 32 * (q->granularity == MYELIN_GRAN_CHANNEL ? (int64_t)layer->c_out : 1);
    }
    if (has_membrane(layer))
        m.membrane_bits = myelin_layer_neurons(layer) * myelin_storage_bits(q->membrane_bits);
    return m;
}

void myelin_mapping_free(myelin_mapping *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m);
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* Plans one layer: fills cores, channels_per_core, token_slices, neurons, synapse_bits. */
static int plan_layer(const myelin_layer *l, const myelin_layer_quant *q, const myelin_arch *a,
                      myelin_layer_map *lm, myelin_error *err)
{
    char b1[16];
    lm->first_core = -1;
    if (l->kind == MYELIN_LAYER_MAXPOOL || l->kind == MYELIN_LAYER_ADD)
        return 0;
    if (has_weights(l) && !myelin_arch_weight_bits_ok(a, q->weight_bits))
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, a->source, 0, 0,
                                "layer %s: %s%s weights are not supported by the cores of '%s' "
                                "(core.weight_bits)",
                                l->name, myelin_bits_str(q->weight_bits, b1, sizeof b1),
                                q->weight_bits == MYELIN_BITS_FLOAT ? "" : "-bit", a->name);
    if (has_membrane(l) && !myelin_arch_membrane_bits_ok(a, q->membrane_bits))
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, a->source, 0, 0,
                                "layer %s: %s%s membranes are not supported by the cores of '%s' "
                                "(core.membrane_bits)",
                                l->name, myelin_bits_str(q->membrane_bits, b1, sizeof b1),
                                q->membrane_bits == MYELIN_BITS_FLOAT ? "" : "-bit", a->name);
    int64_t channels, per_ch_neurons, per_ch_bits = 0, syn_total = 0;
    int mb = has_membrane(l) ? myelin_storage_bits(q->membrane_bits) : 32;
    if (l->kind == MYELIN_LAYER_HEAD) {
        channels = l->c_out;
        per_ch_neurons = 1; /* one output accumulator per class */
    } else {
        channels = l->out_shape.c;
        per_ch_neurons = (int64_t)l->out_shape.h * l->out_shape.w;
    }
    if (has_weights(l)) {
        myelin_layer_memory m = myelin_layer_memory_of(l, q);
        syn_total = m.weight_bits + m.bias_bits + m.scale_bits;
        per_ch_bits = ceil_div(syn_total, channels);
    }
    int64_t mem_bits = a->core.synapse_memory_bytes * 8;
    int64_t cap = a->core.neuron_capacity;
    int64_t mcap = a->core.membrane_memory_bytes * 8 / mb;
    if (mcap < cap)
        cap = mcap;
    if (cap < 1)
        return myelin_error_set(err, MYELIN_EFIT, a->source, 0, 0,
                                "layer %s: a core's membrane memory (%lld bytes) holds no %d-bit "
                                "membrane",
                                l->name, (long long)a->core.membrane_memory_bytes, mb);
    if (per_ch_bits > mem_bits)
        return myelin_error_set(err, MYELIN_EFIT, a->source, 0, 0,
                                "layer %s: one output channel needs %lld bits of synapse memory "
                                "(%d inputs x %d taps at %s-bit weights, with bias and scale); a core "
                                "of '%s' has %lld bits (core.synapse_memory.bytes %lld)",
                                l->name, (long long)per_ch_bits, l->c_in, l->kernel * l->kernel,
                                myelin_bits_str(q->weight_bits, b1, sizeof b1), a->name,
                                (long long)mem_bits, (long long)a->core.synapse_memory_bytes);
    int64_t cores, cpc, slices;
    if (per_ch_neurons <= cap) {
        cpc = cap / per_ch_neurons;
        if (per_ch_bits > 0 && mem_bits / per_ch_bits < cpc)
            cpc = mem_bits / per_ch_bits;
        if (cpc > channels)
            cpc = channels;
        slices = 1;
        cores = ceil_div(channels, cpc);
    } else {
        cpc = 1;
        slices = ceil_div(per_ch_neurons, cap);
        cores = channels * slices;
    }
    if (cores > INT32_MAX)
        return myelin_error_set(err, MYELIN_EFIT, a->source, 0, 0, "layer %s needs %lld cores",
                                l->name, (long long)cores);
    lm->cores = (int)cores;
    lm->channels_per_core = (int)cpc;
    lm->token_slices = (int)slices;
    lm->neurons = channels * per_ch_neurons;
    lm->synapse_bits = syn_total * slices;
    lm->neuron_util = (double)lm->neurons / ((double)cores * (double)a->core.neuron_capacity);
    lm->synapse_util = (double)lm->synapse_bits / ((double)cores * (double)mem_bits);
    return 0;
}

int myelin_map(const myelin_workload *wl, const myelin_layer_quant *lq, const myelin_arch *arch,
               myelin_mapping **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_mapping *m = calloc(1, sizeof *m);
    if (m)
        m->layers = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *m->layers);
    if (!m || !m->layers) {
        myelin_mapping_free(m);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (mapping)");
    }
    m->n_layers = wl->n_layers;
    m->cores_total = arch->rows * arch->cols;
    int64_t need_total = 0;
    int first_short = -1;
    int64_t left_at_short = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        int rc = plan_layer(&wl->layers[i], &lq[i], arch, &m->layers[i], err);
        if (rc) {
            myelin_mapping_free(m);
            return rc;
        }
        myelin_layer_map *lm = &m->layers[i];
        if (lm->cores && first_short < 0 && need_total + lm->cores > m->cores_total) {
            first_short = i;
            left_at_short = m->cores_total - need_total;
        }
        if (lm->cores && first_short < 0)
            lm->first_core = (int)need_total;
        need_total += lm->cores;
    }
    if (first_short >= 0) {
        const myelin_layer_map *lm = &m->layers[first_short];
        int rc = myelin_error_set(
            err, MYELIN_EFIT, arch->source, 0, 0,
            "layer %s does not fit: it needs %d cores (%d channels per core, tokens over %d cores; "
            "%lld neurons, %lld synapse bits), but only %lld of the %dx%d array's %d cores are left "
            "(the workload needs %lld cores in all; a core offers %lld neurons and %lld synapse bytes)",
            wl->layers[first_short].name, lm->cores, lm->channels_per_core, lm->token_slices,
            (long long)lm->neurons, (long long)lm->synapse_bits, (long long)left_at_short,
            arch->rows, arch->cols, m->cores_total, (long long)need_total,
            (long long)arch->core.neuron_capacity, (long long)arch->core.synapse_memory_bytes);
        myelin_mapping_free(m);
        return rc;
    }
    m->cores_used = (int)need_total;
    *out = m;
    return 0;
}

/* Histograms of the columns and rows a raster range of cores occupies. */
static void hist(const myelin_arch *a, const myelin_layer_map *lm, double *hx, double *hy)
{
    memset(hx, 0, sizeof(double) * (size_t)a->cols);
    memset(hy, 0, sizeof(double) * (size_t)a->rows);
    for (int k = 0; k < lm->cores; k++) {
        int idx = lm->first_core + k;
        hx[idx % a->cols] += 1;
        hy[idx / a->cols] += 1;
    }
}

static double mean_abs_diff(const double *ha, const double *hb, int n, double na, double nb)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        if (ha[i] == 0)
            continue;
        for (int j = 0; j < n; j++)
            if (hb[j] != 0)
                s += ha[i] * hb[j] * (i > j ? i - j : j - i);
    }
    return s / (na * nb);
}

int myelin_mapping_mean_hops(const myelin_arch *arch, const myelin_layer_map *a,
                             const myelin_layer_map *b, double *hops_x, double *hops_y,
                             myelin_error *err)
{
    *hops_x = *hops_y = 0;
    if (!a || !b || a->cores <= 0 || b->cores <= 0 || a->first_core < 0 || b->first_core < 0)
        return 0;
    double *buf = calloc((size_t)(2 * arch->cols + 2 * arch->rows), sizeof *buf);
    if (!buf)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (hop distances)");
    double *ax = buf, *bx = buf + arch->cols, *ay = bx + arch->cols, *by = ay + arch->rows;
    hist(arch, a, ax, ay);
    hist(arch, b, bx, by);
    *hops_x = mean_abs_diff(ax, bx, arch->cols, a->cores, b->cores);
    *hops_y = mean_abs_diff(ay, by, arch->rows, a->cores, b->cores);
    free(buf);
    return 0;
}
