/* models/cost_write.c — a cost report as a table of the report module (base/report.h): one row
 * per layer and a total, energies by component; JSON adds every action's count and energy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/report.h"
#include "models/cost.h"

int myelin_cost_format_parse(const char *s)
{
    return myelin_report_format_parse(s);
}

enum { C_LAYER, C_KIND, C_MODEL, C_CORES, C_RATE, C_SYNOPS, C_PBITS, C_SBITS, C_PBYTES, C_MBITS,
       C_MBYTES, C_CYCLES, C_NUTIL, C_SUTIL, C_ENERGY, NCOLS = C_ENERGY + MYELIN_COMP_COUNT + 1 };

/* Energy columns follow the components (cost.h) and end with the total; detail columns are
 * left out of LaTeX unless --columns names them. */
static void columns(int exact, myelin_report_col *c)
{
    static const myelin_report_col fixed[C_ENERGY] = {
        {"layer", "", 0, 0},          {"kind", "", 0, 0},           {"model", "", 0, 1},
        {"cores", "", 1, 0},          {"rate_in", "", 1, 1},        {"synaptic_ops", "", 1, 0},
        {"param", "bits", 1, 1},      {"scale", "bits", 1, 1},      {"param", "bytes", 1, 0},
        {"membrane", "bits", 1, 1},   {"membrane", "bytes", 1, 0},  {"cycles", "", 1, 0},
        {"neuron_util", "pct", 1, 1}, {"synapse_util", "pct", 1, 1}};
    static const char *const energy[MYELIN_COMP_COUNT + 1] = {"compute", "synapse_mem", "neuron",
                                                              "noc", "leakage", "total"};
    memcpy(c, fixed, sizeof fixed);
    for (int k = 0; k <= MYELIN_COMP_COUNT; k++)
        c[C_ENERGY + k] = (myelin_report_col){energy[k], exact ? "pJ" : "uJ", 1, 0};
}

static void fill_row(myelin_report *t, int r, const char *name, const char *kind,
                     const myelin_layer_cost *lc, int exact)
{
    const myelin_layer_memory *m = &lc->memory;
    long long pbits = (long long)(m->weight_bits + m->bias_bits);
    double scale = exact ? 1.0 : 1e-6;
    const char *ef = exact ? "%.9g" : "%.4g";
    myelin_report_set(t, r, C_LAYER, "%s", name);
    myelin_report_set(t, r, C_KIND, "%s", kind);
    myelin_report_set(t, r, C_MODEL, "%s", lc->model);
    myelin_report_set(t, r, C_CORES, "%d", lc->cores);
    myelin_report_set(t, r, C_RATE, exact ? "%.9g" : "%.4f", lc->rate_in);
    myelin_report_set(t, r, C_SYNOPS, exact ? "%.9g" : "%.4g", lc->counts.synaptic_ops);
    myelin_report_set(t, r, C_PBITS, "%lld", pbits);
    myelin_report_set(t, r, C_SBITS, "%lld", (long long)m->scale_bits);
    myelin_report_set(t, r, C_PBYTES, "%lld", (pbits + (long long)m->scale_bits + 7) / 8);
    myelin_report_set(t, r, C_MBITS, "%lld", (long long)m->membrane_bits);
    myelin_report_set(t, r, C_MBYTES, "%lld", ((long long)m->membrane_bits + 7) / 8);
    myelin_report_set(t, r, C_CYCLES, exact ? "%.9g" : "%.4g", lc->counts.cycles);
    myelin_report_set(t, r, C_NUTIL, exact ? "%.9g" : "%.1f", 100 * lc->neuron_util);
    myelin_report_set(t, r, C_SUTIL, exact ? "%.9g" : "%.1f", 100 * lc->synapse_util);
    for (int c = 0; c < MYELIN_COMP_COUNT; c++)
        myelin_report_set(t, r, C_ENERGY + c, ef, lc->component_pj[c] * scale);
    myelin_report_set(t, r, C_ENERGY + MYELIN_COMP_COUNT, ef, lc->total_pj * scale);
}

/* JSON members of a row: the finish cycle when the evaluation scheduled the layer (cost.h),
 * then every action's count and energy (pJ). */
static void action_json(myelin_report *t, int r, const myelin_layer_cost *lc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    if (lc->finish_cycles > 0)
        fprintf(f, "\"finish_cycles\": %.9g, ", lc->finish_cycles);
    for (int part = 0; part < 2; part++) {
        fputs(part ? "}, \"energy_pJ\": {" : "\"actions\": {", f);
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            fprintf(f, "%s\"%s\": %.9g", a ? ", " : "", myelin_action_name((myelin_action)a),
                    part ? lc->energy_pj[a] : lc->counts.count[a]);
    }
    fputc('}', f);
    if (fclose(f) == 0)
        myelin_report_row_json(t, r, buf);
    free(buf);
}

static void add_meta(myelin_report *t, const myelin_cost_report *r)
{
    myelin_report_meta_str(t, "workload", r->workload);
    myelin_report_meta_str(t, "arch", r->arch);
    myelin_report_meta_str(t, "activity", r->activity);
    myelin_report_meta_num(t, "timesteps", r->timesteps);
    myelin_report_meta_num(t, "cores_used", r->cores_used);
    myelin_report_meta_num(t, "cores_total", r->cores_total);
    myelin_report_meta_num(t, "inference_cycles", r->inference_cycles);
    myelin_report_meta_num(t, "latency_s", r->latency_s);
    myelin_report_meta_num(t, "total_J", r->total.total_pj * 1e-12);
    char area[512];
    size_t l = (size_t)snprintf(area, sizeof area, "{");
    for (int c = 0; c < MYELIN_AREA_COMP_COUNT && l < sizeof area; c++)
        l += (size_t)snprintf(area + l, sizeof area - l, "\"%s\": %.9g, ",
                              myelin_area_comp_name((myelin_area_comp)c), r->area_mm2[c]);
    if (l < sizeof area)
        snprintf(area + l, sizeof area - l, "\"total\": %.9g}", r->area_total_mm2);
    myelin_report_meta_raw(t, "area_mm2", area);
    myelin_report_meta_num(t, "area_used_mm2", r->area_used_mm2);
}

myelin_report *myelin_cost_report_table(const myelin_cost_report *r, const myelin_workload *wl,
                                        int fmt)
{
    if (wl->n_layers != r->n_layers)
        return NULL;
    int exact = fmt == MYELIN_REPORT_CSV || fmt == MYELIN_REPORT_JSON;
    myelin_report_col cols[NCOLS];
    columns(exact, cols);
    myelin_report *t = myelin_report_new(cols, NCOLS);
    if (!t)
        return NULL;
    for (int i = 0; i <= r->n_layers; i++) {
        const myelin_layer_cost *lc = i < r->n_layers ? &r->layers[i] : &r->total;
        int row = myelin_report_row(t);
        if (row < 0)
            break;
        fill_row(t, row, i < r->n_layers ? wl->layers[i].name : "total",
                 i < r->n_layers ? myelin_layer_kind_name(wl->layers[i].kind) : "", lc, exact);
        if (fmt == MYELIN_REPORT_JSON)
            action_json(t, row, lc);
        if (i == r->n_layers) {
            myelin_report_set(t, row, C_RATE, "%s", "");
            myelin_report_total(t, row);
        }
    }
    char area[200] = "";
    if (r->area_total_mm2 > 0)
        snprintf(area, sizeof area,
                 "; area %.4g mm2 (synapse mem %.4g, membrane mem %.4g, logic %.4g, NoC %.4g; used "
                 "cores %.4g)",
                 r->area_total_mm2, r->area_mm2[MYELIN_AREA_SYNAPSE_MEM],
                 r->area_mm2[MYELIN_AREA_MEMBRANE_MEM], r->area_mm2[MYELIN_AREA_LOGIC],
                 r->area_mm2[MYELIN_AREA_NOC], r->area_used_mm2);
    myelin_report_caption(t, "%s on %s, T=%d, %s; %d of %d cores; %.6g cycles (%.6g s); total %.6g J%s",
                          r->workload, r->arch, r->timesteps, r->activity, r->cores_used,
                          r->cores_total, r->inference_cycles, r->latency_s,
                          r->total.total_pj * 1e-12, area);
    myelin_report_rows_key(t, "layers");
    if (fmt == MYELIN_REPORT_JSON)
        add_meta(t, r);
    myelin_provenance p;
    myelin_provenance_init(&p);
    myelin_provenance_add(&p, "workload", "%s", r->workload);
    myelin_provenance_add(&p, "arch", "%s", r->arch);
    myelin_provenance_add(&p, "activity", "%s", r->activity);
    myelin_report_provenance(t, &p);
    return t;
}

int myelin_cost_report_write(const myelin_cost_report *r, const myelin_workload *wl,
                             myelin_cost_format fmt, FILE *f, myelin_error *err)
{
    if (wl->n_layers != r->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "report and workload disagree");
    myelin_report *t = myelin_cost_report_table(r, wl, (int)fmt);
    if (!t)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = myelin_report_write(t, (int)fmt, f, err);
    myelin_report_free(t);
    return rc;
}
