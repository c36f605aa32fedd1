/* workloads/info.c — the per-layer description table of a workload (workloads/info.h). */
#include "workloads/info.h"

#include <inttypes.h>
#include <stdio.h>

static int64_t weight_mem_bytes(const myelin_layer *l, const myelin_layer_quant *q)
{
    int64_t w = myelin_layer_weight_count(l);
    if (!w)
        return 0;
    if (q->weight_bits == MYELIN_BITS_FLOAT)
        return w * 4;
    int64_t scales = q->granularity == MYELIN_GRAN_CHANNEL ? l->c_out : 1;
    return (w * q->weight_bits + 7) / 8 + scales * 4;
}

enum { I_NAME, I_KIND, I_IN, I_OUT, I_PARAMS, I_WBITS, I_WMEM, I_NEURONS, I_MACS, I_NCOLS };

static const myelin_report_col cols[I_NCOLS] = {
    {"name", "", 0, 0},          {"kind", "", 0, 0},         {"input_shape", "", 0, 0},
    {"output_shape", "", 0, 0},  {"params", "", 1, 0},       {"weight", "bits", 1, 0},
    {"weight_mem", "bytes", 1, 0}, {"neurons", "", 1, 0},    {"dense_macs_per_step", "", 1, 0}};

myelin_report *myelin_workload_info_table(const myelin_workload *wl, const myelin_layer_quant *lq)
{
    myelin_report *t = myelin_report_new(cols, I_NCOLS);
    if (!t)
        return NULL;
    int64_t tp = 0, tm = 0, tn = 0, tmac = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        char bits[16] = "-";
        if (myelin_layer_weight_count(l) > 0)
            myelin_bits_str(lq[i].weight_bits, bits, sizeof bits);
        int64_t p = myelin_layer_params(l), m = weight_mem_bytes(l, &lq[i]), n = myelin_layer_neurons(l),
                mac = myelin_layer_dense_macs(l);
        tp += p;
        tm += m;
        tn += n;
        tmac += mac;
        int r = myelin_report_row(t);
        myelin_report_set(t, r, I_NAME, "%s", l->name);
        myelin_report_set(t, r, I_KIND, "%s", myelin_layer_kind_name(l->kind));
        myelin_report_set(t, r, I_IN, "%dx%dx%d", l->in_shape.c, l->in_shape.h, l->in_shape.w);
        myelin_report_set(t, r, I_OUT, "%dx%dx%d", l->out_shape.c, l->out_shape.h, l->out_shape.w);
        myelin_report_set(t, r, I_PARAMS, "%" PRId64, p);
        myelin_report_set(t, r, I_WBITS, "%s", bits);
        myelin_report_set(t, r, I_WMEM, "%" PRId64, m);
        myelin_report_set(t, r, I_NEURONS, "%" PRId64, n);
        myelin_report_set(t, r, I_MACS, "%" PRId64, mac);
    }
    int r = myelin_report_row(t);
    myelin_report_set(t, r, I_NAME, "total");
    myelin_report_set(t, r, I_PARAMS, "%" PRId64, tp);
    myelin_report_set(t, r, I_WMEM, "%" PRId64, tm);
    myelin_report_set(t, r, I_NEURONS, "%" PRId64, tn);
    myelin_report_set(t, r, I_MACS, "%" PRId64, tmac);
    myelin_report_total(t, r);
    myelin_report_caption(t, "%s: params %.2f M, weight memory %" PRId64 " bytes, layers %d, timesteps %d",
                          wl->name, (double)tp / 1e6, tm, wl->n_layers, wl->timesteps);
    myelin_report_rows_key(t, "layers");
    myelin_report_meta_str(t, "workload", wl->name);
    myelin_report_meta_num(t, "params_millions", (double)tp / 1e6);
    myelin_report_meta_num(t, "timesteps", wl->timesteps);
    return t;
}
