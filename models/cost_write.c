/* models/cost_write.c — writes a cost report in five formats: an aligned terminal table, CSV,
 * JSON (every action count and its energy), Markdown and LaTeX (booktabs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "models/cost.h"

int myelin_cost_format_parse(const char *s)
{
    static const char *const names[] = {"table", "csv", "json", "markdown", "latex"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

enum { NCOLS = 20, CELL = 72 };

static const char *const col_head_pj[NCOLS] = {
    "layer", "kind", "model", "cores", "rate_in", "synaptic_ops", "param_bits", "scale_bits",
    "param_bytes", "membrane_bits", "membrane_bytes", "cycles", "neuron_util_pct", "synapse_util_pct",
    "compute_pJ", "synapse_mem_pJ",
    "neuron_pJ", "noc_pJ", "leakage_pJ", "total_pJ"};
static const char *const col_head_uj[NCOLS] = {
    "layer", "kind", "model", "cores", "rate_in", "synaptic_ops", "param_bits", "scale_bits",
    "param_bytes", "membrane_bits", "membrane_bytes", "cycles", "neuron_util_pct", "synapse_util_pct",
    "compute_uJ", "synapse_mem_uJ",
    "neuron_uJ", "noc_uJ", "leakage_uJ", "total_uJ"};

static void fill_row(char cells[NCOLS][CELL], const char *name, const char *kind,
                     const myelin_layer_cost *lc, int exact)
{
    const myelin_layer_memory *m = &lc->memory;
    int64_t pbits = m->weight_bits + m->bias_bits;
    double scale = exact ? 1.0 : 1e-6;
    const char *ef = exact ? "%.9g" : "%.4g";
    snprintf(cells[0], CELL, "%s", name);
    snprintf(cells[1], CELL, "%s", kind);
    snprintf(cells[2], CELL, "%s", lc->model);
    snprintf(cells[3], CELL, "%d", lc->cores);
    snprintf(cells[4], CELL, exact ? "%.9g" : "%.4f", lc->rate_in);
    snprintf(cells[5], CELL, exact ? "%.9g" : "%.4g", lc->counts.synaptic_ops);
    snprintf(cells[6], CELL, "%lld", (long long)pbits);
    snprintf(cells[7], CELL, "%lld", (long long)m->scale_bits);
    snprintf(cells[8], CELL, "%lld", (long long)((pbits + m->scale_bits + 7) / 8));
    snprintf(cells[9], CELL, "%lld", (long long)m->membrane_bits);
    snprintf(cells[10], CELL, "%lld", (long long)((m->membrane_bits + 7) / 8));
    snprintf(cells[11], CELL, exact ? "%.9g" : "%.4g", lc->counts.cycles);
    snprintf(cells[12], CELL, exact ? "%.9g" : "%.1f", 100 * lc->neuron_util);
    snprintf(cells[13], CELL, exact ? "%.9g" : "%.1f", 100 * lc->synapse_util);
    for (int c = 0; c < MYELIN_COMP_COUNT; c++)
        snprintf(cells[14 + c], CELL, ef, lc->component_pj[c] * scale);
    snprintf(cells[19], CELL, ef, lc->total_pj * scale);
}

static void write_json(const myelin_cost_report *r, const myelin_workload *wl, FILE *f)
{
    fprintf(f, "{\n  \"workload\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, r->workload, f);
    fprintf(f, ",\n  \"arch\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, r->arch, f);
    fprintf(f, ",\n  \"activity\": ");
    myelin_escape_fputs(MYELIN_ESC_JSON, r->activity, f);
    fprintf(f, ",\n  \"timesteps\": %d,\n  \"cores_used\": %d,\n  \"cores_total\": %d,\n"
               "  \"inference_cycles\": %.9g,\n  \"latency_s\": %.9g,\n  \"total_J\": %.9g,\n",
            r->timesteps, r->cores_used, r->cores_total, r->inference_cycles, r->latency_s,
            r->total.total_pj * 1e-12);
    fprintf(f, "  \"area_mm2\": {");
    for (int c = 0; c < MYELIN_AREA_COMP_COUNT; c++)
        fprintf(f, "\"%s\": %.9g, ", myelin_area_comp_name((myelin_area_comp)c), r->area_mm2[c]);
    fprintf(f, "\"total\": %.9g},\n  \"area_used_mm2\": %.9g,\n", r->area_total_mm2, r->area_used_mm2);
    fprintf(f, "  \"layers\": [");
    for (int i = 0; i <= r->n_layers; i++) {
        const myelin_layer_cost *lc = i < r->n_layers ? &r->layers[i] : &r->total;
        char cells[NCOLS][CELL];
        fill_row(cells, i < r->n_layers ? wl->layers[i].name : "total",
                 i < r->n_layers ? myelin_layer_kind_name(wl->layers[i].kind) : "", lc, 1);
        if (i == r->n_layers)
            fprintf(f, "\n  ],\n  \"total\": {");
        else
            fprintf(f, "%s\n    {", i ? "," : "");
        for (int c = 0; c < NCOLS; c++) {
            fprintf(f, "%s", c ? ", " : "");
            myelin_escape_fputs(MYELIN_ESC_JSON, col_head_pj[c], f);
            fprintf(f, ": ");
            if (c <= 2)
                myelin_escape_fputs(MYELIN_ESC_JSON, cells[c], f);
            else
                fprintf(f, "%s", cells[c]);
        }
        fprintf(f, ", \"actions\": {");
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            fprintf(f, "%s\"%s\": %.9g", a ? ", " : "", myelin_action_name((myelin_action)a),
                    lc->counts.count[a]);
        }
        fprintf(f, "}, \"energy_pJ\": {");
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            fprintf(f, "%s\"%s\": %.9g", a ? ", " : "", myelin_action_name((myelin_action)a),
                    lc->energy_pj[a]);
        fprintf(f, "}}");
    }
    fprintf(f, "\n}\n");
}

int myelin_cost_report_write(const myelin_cost_report *r, const myelin_workload *wl,
                             myelin_cost_format fmt, FILE *f, myelin_error *err)
{
    if (wl->n_layers != r->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "report and workload disagree");
    if (fmt == MYELIN_COST_JSON) {
        write_json(r, wl, f);
        return ferror(f) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
    }
    int exact = fmt == MYELIN_COST_CSV;
    const char *const *head = exact ? col_head_pj : col_head_uj;
    int nrows = r->n_layers + 1;
    char(*cells)[NCOLS][CELL] = malloc((size_t)nrows * sizeof *cells);
    if (!cells)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < r->n_layers; i++)
        fill_row(cells[i], wl->layers[i].name, myelin_layer_kind_name(wl->layers[i].kind),
                 &r->layers[i], exact);
    fill_row(cells[r->n_layers], "total", "", &r->total, exact);
    snprintf(cells[r->n_layers][4], CELL, "%s", "");
    int width[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        width[c] = (int)strlen(head[c]);
        for (int i = 0; i < nrows; i++)
            if ((int)strlen(cells[i][c]) > width[c])
                width[c] = (int)strlen(cells[i][c]);
    }
    char caption[900], area[200] = "";
    if (r->area_total_mm2 > 0)
        snprintf(area, sizeof area,
                 "; area %.4g mm2 (synapse mem %.4g, membrane mem %.4g, logic %.4g, NoC %.4g; used "
                 "cores %.4g)",
                 r->area_total_mm2, r->area_mm2[MYELIN_AREA_SYNAPSE_MEM],
                 r->area_mm2[MYELIN_AREA_MEMBRANE_MEM], r->area_mm2[MYELIN_AREA_LOGIC],
                 r->area_mm2[MYELIN_AREA_NOC], r->area_used_mm2);
    snprintf(caption, sizeof caption,
             "%s on %s, T=%d, %s; %d of %d cores; %.6g cycles (%.6g s); total %.6g J%s", r->workload,
             r->arch, r->timesteps, r->activity, r->cores_used, r->cores_total, r->inference_cycles,
             r->latency_s, r->total.total_pj * 1e-12, area);
    switch (fmt) {
    case MYELIN_COST_TABLE:
        fputs("# ", f);
        myelin_escape_fputs(MYELIN_ESC_TEXT, caption, f);
        fputc('\n', f);
        for (int i = -1; i < nrows; i++) {
            if (i == r->n_layers) {
                for (int c = 0; c < NCOLS; c++)
                    for (int k = 0; k < width[c] + (c ? 2 : 0); k++)
                        fputc('-', f);
                fputc('\n', f);
            }
            for (int c = 0; c < NCOLS; c++) {
                const char *s = i < 0 ? head[c] : cells[i][c];
                if (c <= 2)
                    fprintf(f, "%s%-*s", c ? "  " : "", width[c], s);
                else
                    fprintf(f, "  %*s", width[c], s);
            }
            fputc('\n', f);
        }
        break;
    case MYELIN_COST_CSV:
        for (int i = -1; i < nrows; i++)
            for (int c = 0; c < NCOLS; c++) {
                myelin_escape_fputs(MYELIN_ESC_CSV, i < 0 ? head[c] : cells[i][c], f);
                fputs(c == NCOLS - 1 ? "\n" : ",", f);
            }
        break;
    case MYELIN_COST_MARKDOWN:
        myelin_escape_fputs(MYELIN_ESC_MARKDOWN, caption, f);
        fputs("\n\n", f);
        for (int i = -1; i < nrows; i++) {
            for (int c = 0; c < NCOLS; c++) {
                fputs("| ", f);
                myelin_escape_fputs(MYELIN_ESC_MARKDOWN, i < 0 ? head[c] : cells[i][c], f);
                fputc(' ', f);
            }
            fprintf(f, "|\n");
            if (i < 0) {
                for (int c = 0; c < NCOLS; c++)
                    fprintf(f, "|%s", c <= 2 ? "---" : "---:");
                fprintf(f, "|\n");
            }
        }
        break;
    case MYELIN_COST_LATEX:
        fprintf(f, "%% ");
        myelin_escape_fputs(MYELIN_ESC_LATEX, caption, f);
        fprintf(f, "\n\\begin{tabular}{lll");
        for (int c = 3; c < NCOLS; c++)
            fputc('r', f);
        fprintf(f, "}\n\\toprule\n");
        for (int i = -1; i < nrows; i++) {
            if (i == r->n_layers)
                fprintf(f, "\\midrule\n");
            for (int c = 0; c < NCOLS; c++) {
                if (c)
                    fprintf(f, " & ");
                myelin_escape_fputs(MYELIN_ESC_LATEX, i < 0 ? head[c] : cells[i][c], f);
            }
            fprintf(f, " \\\\\n");
            if (i < 0)
                fprintf(f, "\\midrule\n");
        }
        fprintf(f, "\\bottomrule\n\\end{tabular}\n");
        break;
    default:
        free(cells);
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "unknown report format %d", (int)fmt);
    }
    free(cells);
    return ferror(f) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
}
