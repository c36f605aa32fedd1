/* sim/engine_report.c — the engine's per-layer table and the logits CSV (sim/engine_report.h). */
#include "sim/engine_report.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/util.h"
#include "models/cost.h"

static int has_lif(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR || ly->kind == MYELIN_LAYER_ATTN;
}

static int has_weights(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR || ly->kind == MYELIN_LAYER_HEAD;
}

static int64_t layer_total(const int64_t *per_step, int i, int T)
{
    int64_t s = 0;
    for (int t = 0; t < T; t++)
        s += per_step[(int64_t)i * T + t];
    return s;
}

static const myelin_report_col layer_cols[] = {
    {"layer", "", 0, 0},      {"kind", "", 0, 0},        {"w", "bits", 1, 0},
    {"m", "bits", 1, 0},      {"spikes_per_image_step", "", 1, 0}, {"rate", "pct", 1, 0},
    {"x_sat", "pct", 1, 0},   {"h_sat", "pct", 1, 0},    {"drift", "", 1, 0},
    {"mismatch", "pct", 1, 0}};

myelin_report *myelin_engine_layers_table(const myelin_workload *wl, const myelin_engine *e,
                                          const myelin_engine_summary *sum, int drift)
{
    myelin_report *t = myelin_report_new(layer_cols, drift ? 10 : 8);
    if (!t)
        return NULL;
    int T = wl->timesteps;
    double n_img = sum->images > 0 ? (double)sum->images : 1.0, drift_mean = 0, drift_max = 0;
    if (drift)
        myelin_drift_summary(wl, sum->drift, &drift_mean, &drift_max);
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *ly = &wl->layers[i];
        const myelin_layer_quant *q = myelin_engine_layer_quant(e, i);
        char b1[16], b2[16];
        double per = (double)layer_total(sum->spikes, i, T) / n_img / T;
        int r = myelin_report_row(t);
        myelin_report_set(t, r, 0, "%s", ly->name);
        myelin_report_set(t, r, 1, "%s", myelin_layer_kind_name(ly->kind));
        myelin_report_set(t, r, 2, "%s", has_weights(ly) ? myelin_bits_str(q->weight_bits, b1, sizeof b1) : "-");
        myelin_report_set(t, r, 3, "%s", has_lif(ly) ? myelin_bits_str(q->membrane_bits, b2, sizeof b2) : "-");
        for (int k = 4; k < 10; k++)
            myelin_report_set(t, r, k, "-");
        if (ly->kind != MYELIN_LAYER_HEAD)
            myelin_report_set(t, r, 4, "%.1f", per);
        if (!has_lif(ly))
            continue;
        double neurons = (double)myelin_layer_neurons(ly);
        const int64_t *sat = sum->sat + 3 * (int64_t)i;
        myelin_report_set(t, r, 5, "%.2f", neurons > 0 ? 100.0 * per / neurons : 0.0);
        if (sat[2] > 0 && q->membrane_bits != MYELIN_BITS_FLOAT) {
            myelin_report_set(t, r, 6, "%.3f", 100.0 * (double)sat[0] / (double)sat[2]);
            myelin_report_set(t, r, 7, "%.3f", 100.0 * (double)sat[1] / (double)sat[2]);
        }
        if (drift && sum->drift[i].samples) {
            double n = (double)sum->drift[i].samples;
            myelin_report_set(t, r, 8, "%.4f", sum->drift[i].abs_dh_sum / n);
            myelin_report_set(t, r, 9, "%.3f", 100.0 * (double)sum->drift[i].mismatches / n);
        }
    }
    myelin_report_caption(t, "%s: spikes per image and timestep, firing rate, saturated currents X and "
                             "membranes H per layer (%" PRId64 " images)", wl->name, sum->images);
    myelin_report_rows_key(t, "layers");
    myelin_report_meta_num(t, "images", (double)sum->images);
    myelin_report_meta_num(t, "top1_percent", 100.0 * (double)sum->top1_correct / n_img);
    if (sum->has_top5)
        myelin_report_meta_num(t, "top5_percent", 100.0 * (double)sum->top5_correct / n_img);
    if (drift) {
        myelin_report_meta_num(t, "drift_mean", drift_mean);
        myelin_report_meta_num(t, "drift_max", drift_max);
    }
    return t;
}

int myelin_logits_csv_open(myelin_logits_csv *l, int classes, myelin_error *err)
{
    l->buf = NULL;
    l->len = 0;
    l->f = open_memstream(&l->buf, &l->len);
    if (!l->f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory for logits");
    fputs("index,label", l->f);
    for (int k = 0; k < classes; k++)
        fprintf(l->f, ",logit_%d", k);
    fputc('\n', l->f);
    return 0;
}

void myelin_logits_csv_row(myelin_logits_csv *l, int64_t index, int label, const double *logits, int classes)
{
    fprintf(l->f, "%" PRId64 ",%d", index, label);
    for (int k = 0; k < classes; k++)
        fprintf(l->f, ",%.9g", logits[k]);
    fputc('\n', l->f);
}

int myelin_logits_csv_save(myelin_logits_csv *l, const char *path, int ok, myelin_error *err)
{
    int rc = 0;
    if (l->f && fclose(l->f) && ok)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory for logits");
    if (!rc && ok)
        rc = myelin_write_file_atomic(path, l->buf, l->len, err);
    free(l->buf);
    l->f = NULL;
    l->buf = NULL;
    return rc;
}
