/* models/cost_tables.c — the paper-style tables and plots of `myelin cost --tables`
 * (models/cost_tables.h): zoo memory and energy, the tiny model per layer, their gnuplot scripts. */
#include "models/cost_tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/util.h"
#include "models/cost.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"


static const char *const zoo[] = {"spikformer-8-384", "spikformer-8-512", "spikformer-8-768",
                                  "spikformer-4-384-cifar10", "tiny"};

/* Loads a zoo workload and resolves a setting (NULL path: float; else a uniform width). */
static int zoo_setup(const char *name, int weight_bits, myelin_workload **wl, myelin_layer_quant **lq,
                     myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    myelin_qsetting *qs = NULL;
    *lq = NULL;
    int rc = myelin_workload_resolve(name, path, sizeof path, err);
    if (!rc)
        rc = myelin_workload_load(path, wl, err);
    if (!rc)
        rc = weight_bits == MYELIN_BITS_FLOAT
                 ? myelin_qsetting_float(&qs, err)
                 : myelin_qsetting_uniform(weight_bits, 16, MYELIN_SCHEME_UNIFORM, &qs, err);
    if (!rc) {
        *lq = calloc((size_t)(*wl)->n_layers, sizeof **lq);
        rc = *lq ? myelin_qsetting_resolve(qs, *wl, *lq, err)
                 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    myelin_qsetting_free(qs);
    return rc;
}

/* Evaluates wl at lq on a preset; act NULL = the workload's statistical rates. */
static int cost_on(const myelin_workload *wl, const myelin_layer_quant *lq, const char *preset,
                   const myelin_activity *act, myelin_cost_report **rep, myelin_error *err)
{
    char apath[MYELIN_PATH_MAX];
    myelin_arch *arch = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_mapping *map = NULL;
    myelin_activity own = {0, NULL, ""};
    int rc = myelin_arch_resolve(preset, apath, sizeof apath, err);
    if (!rc)
        rc = myelin_arch_load(apath, &arch, err);
    if (!rc)
        rc = myelin_cost_registry_new(&reg, err);
    if (!rc)
        rc = myelin_cost_registry_configure(reg, arch, err);
    if (!rc)
        rc = myelin_map(wl, lq, arch, &map, err);
    if (!rc && !act) {
        rc = myelin_activity_from_workload(wl, -1, &own, err);
        act = &own;
    }
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, act, arch, map, reg, rep, err);
    myelin_activity_free(&own);
    myelin_mapping_free(map);
    myelin_cost_registry_free(reg);
    myelin_arch_free(arch);
    return rc;
}

static int save(const char *dir, const char *name, const char *buf, size_t len, myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    if (myelin_path_join(dir, name, path, sizeof path))
        return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0, "path too long");
    return myelin_write_file_atomic(path, buf, len, err);
}

/* The plots (checked as rendered PNGs): integer bit ticks, units in the labels, keys outside the
 * data (below it), axes fitted to the data. */
static const char *const memory_gp =
    "# memory vs weight bits for the zoo (myelin cost --tables)\n"
    "set encoding utf8\n"
    "set terminal svg size 760,480 dynamic\n"
    "set output 'memory_vs_bits.svg'\n"
    "set xlabel 'weight bits'\nset ylabel 'parameter memory, scales included (MB)'\nset logscale y\n"
    "set key outside top center horizontal maxrows 2 width 1\n"
    "set logscale x 2\nset xrange [1.8:36]\nset xtics ('2' 2, '4' 4, '8' 8, 'float (32)' 32)\n"
    "set grid\nset pointsize 1.2\n"
    "plot for [i=0:4] 'memory_vs_bits.dat' index i using 1:2 with linespoints lw 1.5 title columnheader(1)\n";

static const char *const energy_gp =
    "# energy per layer by component for the tiny model (myelin cost --tables)\n"
    "set encoding utf8\n"
    "set terminal svg size 960,460 dynamic\n"
    "set output 'tiny_energy_per_layer.svg'\n"
    "set ylabel 'energy per inference (µJ)'\nset style data histograms\nset style histogram rowstacked\n"
    "set style fill solid 0.8 border -1\nset boxwidth 0.8\nset xtics rotate by -45 scale 0 font ',9'\n"
    "set yrange [0:*]\nset grid ytics\n"
    "set key outside top center horizontal title 'tiny on generic-45nm, energy per layer by component'\n"
    "plot 'tiny_energy_per_layer.dat' using 2:xtic(1) title 'compute', '' using 3 title "
    "'synapse memory', '' using 4 title 'neuron', '' using 5 title 'NoC', '' using 6 title 'leakage'\n";

/* The zoo tables (memory at float/8/4/2 bits; energy on every preset), in Markdown, CSV and
 * LaTeX, and the plot data of memory against bits. */
static const myelin_report_col mem_cols[] = {
    {"model", "", 0, 0},      {"parameters", "", 1, 0}, {"float", "MB", 1, 0}, {"w8", "MB", 1, 0},
    {"w4", "MB", 1, 0},       {"w2", "MB", 1, 0},       {"scales", "kB", 1, 0}};
static const myelin_report_col energy_cols[] = {
    {"model", "", 0, 0},           {"T", "", 1, 0},
    {"mean_firing_rate", "", 1, 0}, {"paper_45nm", "mJ", 1, 0},
    {"generic_45nm", "mJ", 1, 0},  {"loihi_like_w8", "mJ", 1, 0},
    {"generic_45nm_cores", "", 1, 0}};

/* One zoo model's row of each table and its block of memory_vs_bits.dat. */
static int zoo_rows(size_t z, myelin_report *mt, myelin_report *et, FILE *df, myelin_error *err)
{
    static const int bits[] = {MYELIN_BITS_FLOAT, 8, 4, 2};
    static const char *const presets[] = {"paper-45nm", "generic-45nm", "loihi-like"};
    double mem_bits[4] = {0}, scale_bits = 0, mj[3] = {0}, rate = 0;
    int64_t params = 0;
    int cores = 0, T = 0, rc = 0;
    fprintf(df, "%s\"%s\"\n", z ? "\n\n" : "", zoo[z]);
    for (int b = 0; !rc && b < 4; b++) {
        myelin_workload *wl = NULL;
        myelin_layer_quant *lq = NULL;
        rc = zoo_setup(zoo[z], bits[b], &wl, &lq, err);
        if (!rc) {
            params = myelin_workload_params(wl);
            double sb = 0;
            for (int i = 0; i < wl->n_layers; i++) {
                myelin_layer_memory m = myelin_layer_memory_of(&wl->layers[i], &lq[i]);
                mem_bits[b] += (double)(m.weight_bits + m.bias_bits + m.scale_bits);
                sb += (double)m.scale_bits;
            }
            if (b)
                scale_bits = sb;
            fprintf(df, "%d %.6f\n", b ? bits[b] : 32, mem_bits[b] / 8e6);
        }
        myelin_workload_free(wl);
        free(lq);
    }
    for (int p = 0; !rc && p < 3; p++) {
        myelin_workload *wl = NULL;
        myelin_layer_quant *lq = NULL;
        myelin_cost_report *rep = NULL;
        rc = zoo_setup(zoo[z], p == 2 ? 8 : MYELIN_BITS_FLOAT, &wl, &lq, err);
        if (!rc)
            rc = cost_on(wl, lq, presets[p], NULL, &rep, err);
        if (!rc) {
            mj[p] = rep->total.total_pj * 1e-9;
            if (p == 1)
                cores = rep->cores_used;
            T = wl->timesteps;
            /* the neuron-weighted mean of the statistical rates used */
            double spikes = 0, neurons = 0;
            for (int i = 0; i < wl->n_layers; i++) {
                double n = (double)myelin_layer_neurons(&wl->layers[i]);
                double r = wl->layers[i].firing_rate > 0 ? wl->layers[i].firing_rate : wl->default_firing_rate;
                spikes += n * r;
                neurons += n;
            }
            rate = neurons > 0 ? spikes / neurons : 0;
        } else {
            myelin_error_prefix(err, "%s on %s", zoo[z], presets[p]);
        }
        myelin_cost_report_free(rep);
        myelin_workload_free(wl);
        free(lq);
    }
    if (rc)
        return rc;
    int r = myelin_report_row(mt);
    myelin_report_set(mt, r, 0, "%s", zoo[z]);
    myelin_report_set(mt, r, 1, "%lld", (long long)params);
    for (int b = 0; b < 4; b++)
        myelin_report_set(mt, r, 2 + b, "%.2f", mem_bits[b] / 8e6);
    myelin_report_set(mt, r, 6, "%.1f", scale_bits / 8e3);
    r = myelin_report_row(et);
    myelin_report_set(et, r, 0, "%s", zoo[z]);
    myelin_report_set(et, r, 1, "%d", T);
    myelin_report_set(et, r, 2, "%.4f", rate);
    for (int p = 0; p < 3; p++)
        myelin_report_set(et, r, 3 + p, "%.4g", mj[p]);
    myelin_report_set(et, r, 6, "%d", cores);
    return 0;
}

/* Writes a table in Markdown, CSV and LaTeX as DIR/BASE.{md,csv,tex}. */
static int save_three(const myelin_report *t, const char *dir, const char *base, myelin_error *err)
{
    static const int fmts[] = {MYELIN_REPORT_MARKDOWN, MYELIN_REPORT_CSV, MYELIN_REPORT_LATEX};
    int rc = 0;
    for (int k = 0; !rc && k < 3; k++) {
        char name[128];
        snprintf(name, sizeof name, "%s.%s", base, myelin_report_format_ext(fmts[k]));
        rc = myelin_report_save(t, fmts[k], dir, name, err);
    }
    return rc;
}

static int zoo_tables(const char *dir, int progress, myelin_error *err)
{
    myelin_report *mt = myelin_report_new(mem_cols, 7), *et = myelin_report_new(energy_cols, 7);
    char *db = NULL;
    size_t dl = 0;
    FILE *df = open_memstream(&db, &dl);
    int rc = mt && et && df ? 0 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t z = 0; !rc && z < sizeof zoo / sizeof zoo[0]; z++) {
        if (progress)
            fprintf(stderr, "\rmyelin cost: zoo tables %zu/%zu (%s)        ", z + 1, sizeof zoo / sizeof zoo[0],
                    zoo[z]);
        rc = zoo_rows(z, mt, et, df, err);
    }
    if (progress)
        fputc('\n', stderr);
    if (df && fclose(df) && !rc)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        myelin_report_caption(mt, "Parameter memory: parameters x weight bits (BN folded into weights and "
                                  "bias), plus the 32-bit per-channel scales of quantized layers; the MB "
                                  "columns include the scales, the last column gives them alone.");
        myelin_report_caption(et, "Energy per inference (mJ) with the statistical firing rates of each "
                                  "workload YAML (firing_rates; the column gives their neuron-weighted "
                                  "mean), first layer counted once per inference. paper-45nm and "
                                  "generic-45nm at float weights; loihi-like supports 1-8 bit weights only, "
                                  "so 8-bit weights and 16-bit membranes there.");
        myelin_provenance p; /* inputs: the zoo's workload files and the presets */
        myelin_provenance_init(&p);
        myelin_provenance_add(&p, "workloads", "spikformer-8-384, spikformer-8-512, spikformer-8-768, "
                                               "spikformer-4-384-cifar10, tiny (the zoo)");
        myelin_provenance_add(&p, "arch", "paper-45nm, generic-45nm, loihi-like");
        myelin_report_provenance(mt, &p);
        myelin_report_provenance(et, &p);
        rc = save_three(mt, dir, "zoo_memory", err);
    }
    if (!rc)
        rc = save_three(et, dir, "zoo_energy", err);
    if (!rc)
        rc = save(dir, "memory_vs_bits.dat", db, dl, err);
    free(db);
    myelin_report_free(mt);
    myelin_report_free(et);
    return rc;
}

/* The tiny model, per layer, on generic-45nm at w8 (from --activity when given). */
static int tiny_tables(const char *dir, const char *act_path, const myelin_provenance *prov, myelin_error *err)
{
    myelin_workload *wl = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_cost_report *rep = NULL;
    myelin_activity act = {0, NULL, ""};
    int rc = zoo_setup("tiny", 8, &wl, &lq, err);
    if (!rc && act_path)
        rc = myelin_activity_load_json(act_path, wl, &act, err);
    if (!rc)
        rc = cost_on(wl, lq, "generic-45nm", act_path ? &act : NULL, &rep, err);
    static const int fmts[] = {MYELIN_REPORT_CSV, MYELIN_REPORT_MARKDOWN, MYELIN_REPORT_LATEX};
    myelin_provenance p = *prov;
    myelin_provenance_add(&p, "workload", "tiny");
    myelin_provenance_add(&p, "quant", "uniform 8-bit weights, 16-bit membranes");
    myelin_provenance_add(&p, "arch", "generic-45nm");
    myelin_provenance_add(&p, "activity", "%s", act_path ? act.source : "statistical firing rates of tiny");
    for (int k = 0; !rc && k < 3; k++) {
        myelin_report *t = myelin_cost_report_table(rep, wl, fmts[k]);
        char name[64];
        snprintf(name, sizeof name, "tiny_layers.%s", myelin_report_format_ext(fmts[k]));
        if (t)
            myelin_report_provenance(t, &p);
        rc = t ? myelin_report_save(t, fmts[k], dir, name, err)
               : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        myelin_report_free(t);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = rc ? NULL : open_memstream(&buf, &len);
    if (!rc && !f)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    /* plot data: layers that cost something, components in µJ */
    for (int i = 0; f && i < rep->n_layers; i++) {
        if (!(rep->layers[i].total_pj > 0))
            continue;
        fprintf(f, "%s", wl->layers[i].name);
        for (int k = 0; k < MYELIN_COMP_COUNT; k++)
            fprintf(f, " %.6g", rep->layers[i].component_pj[k] * 1e-6);
        fprintf(f, "\n");
    }
    if (f) {
        fclose(f);
        rc = save(dir, "tiny_energy_per_layer.dat", buf, len, err);
    }
    free(buf);
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_workload_free(wl);
    free(lq);
    return rc;
}

int myelin_cost_write_tables(const char *dir, const char *act_path, const myelin_provenance *prov, int progress,
                             int *gnuplot_failed, myelin_error *err)
{
    int rc = myelin_mkdirs(dir, err);
    if (!rc)
        rc = zoo_tables(dir, progress, err);
    if (!rc)
        rc = tiny_tables(dir, act_path, prov, err);
    if (!rc)
        rc = save(dir, "memory_vs_bits.gp", memory_gp, strlen(memory_gp), err);
    if (!rc)
        rc = save(dir, "tiny_energy_per_layer.gp", energy_gp, strlen(energy_gp), err);
    *gnuplot_failed = !rc && (myelin_run_gnuplot(dir, memory_gp) != 0 || myelin_run_gnuplot(dir, energy_gp) != 0);
    return rc;
}
