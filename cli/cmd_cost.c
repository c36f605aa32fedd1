/* cli/cmd_cost.c — `myelin cost`: per-layer energy (by component), memory, synaptic ops, cycles
 * and cores of a workload mapped onto a core array, in five output formats. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "cli/cli.h"
#include "base/util.h"
#include "models/cost.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin cost [--workload W] [--quant Q.yaml] [--arch A] [--rate R | --activity F.json]\n"
            "                   [--format table|csv|json|markdown|latex] [--out FILE] [--quiet]\n"
            "       myelin cost --tables DIR [--activity tiny-run.json] [--quiet]\n\n"
            "Maps a workload onto a core array and reports, per layer and in total: energy by\n"
            "component (compute, synapse memory, neurons, NoC, leakage), parameter memory\n"
            "(parameters x weight bits, plus 32-bit quantization scales reported apart) and membrane\n"
            "memory in bits and bytes, synaptic ops, a cycle estimate and cores used.\n"
            "  --workload W     workload YAML, or a zoo name (default: tiny)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset: paper-45nm, loihi-like, generic-45nm\n"
            "                   (default generic-45nm; presets and zoo names are found in the data\n"
            "                   folders: $MYELIN_DATADIR, the installed one, the source tree)\n"
            "  --rate R         every layer fires at R spikes per neuron per timestep\n"
            "  --activity F     measured firing rates: the JSON written by 'myelin run --json'\n"
            "                   (default: the workload's statistical firing rates)\n"
            "  --format F       table (energies in uJ), csv and json (pJ, full precision), markdown, latex\n"
            "  --out FILE       write there (atomically) instead of standard output\n"
            "  --tables DIR     regenerate the paper-style tables and plots in DIR: zoo parameters and\n"
            "                   memory at float/8/4/2 bits, energy per inference on every preset, and the\n"
            "                   tiny model's per-layer breakdown (from --activity when given); plots need\n"
            "                   gnuplot on PATH; DIR is created when missing\n"
            "  -q, --quiet      no notes on stderr (errors only)\n"
            "The real-valued first layer is counted once per inference (the image is the same at every\n"
            "timestep), as in the SViT papers.\n");
}

/* ---- paper-style tables (--tables DIR) ------------------------------------------------------- */

static const char *const zoo[] = {"spikformer-8-384", "spikformer-8-512", "spikformer-8-768",
                                  "spikformer-4-384-cifar10", "tiny"};

/* Loads a zoo workload and resolves a setting (NULL path: float; else a uniform width). */
static int zoo_setup(const char *name, int weight_bits, myelin_workload **wl, myelin_layer_quant **lq,
                     myelin_error *err)
{
    char path[MYELIN_PATH_MAX];
    myelin_qsetting *qs = NULL;
    *lq = NULL;
    int rc = myelin_cli_resolve_workload(name, path, sizeof path, err);
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

static const char *const memory_gp =
    "# memory vs weight bits for the zoo (myelin cost --tables)\n"
    "set terminal svg size 860,440 dynamic\n"
    "set output 'memory_vs_bits.svg'\n"
    "set title 'Parameter memory vs weight bits (scales included)'\n"
    "set xlabel 'weight bits'\nset ylabel 'memory (MB)'\nset logscale y\nset key outside right\n"
    "set xtics ('2' 2, '4' 4, '8' 8, 'float' 32)\nset logscale x 2\nset grid\n"
    "plot for [i=0:4] 'memory_vs_bits.dat' index i using 1:2 with linespoints title columnheader(1)\n";

static const char *const energy_gp =
    "# energy per layer by component for the tiny model (myelin cost --tables)\n"
    "set terminal svg size 960,480 dynamic\n"
    "set output 'tiny_energy_per_layer.svg'\n"
    "set title 'tiny on generic-45nm: energy per layer by component'\n"
    "set ylabel 'energy (nJ)'\nset style data histograms\nset style histogram rowstacked\n"
    "set style fill solid 0.8 border -1\nset boxwidth 0.8\nset xtics rotate by -60 font ',8'\n"
    "set key outside right\n"
    "plot 'tiny_energy_per_layer.dat' using 2:xtic(1) title 'compute', '' using 3 title "
    "'synapse memory', '' using 4 title 'neuron', '' using 5 title 'NoC', '' using 6 title 'leakage'\n";

static int write_tables(const char *dir, const char *act_path, int quiet, myelin_error *err)
{
    static const int bits[] = {MYELIN_BITS_FLOAT, 8, 4, 2};
    static const char *const presets[] = {"paper-45nm", "generic-45nm", "loihi-like"};
    char *mb = NULL, *eb = NULL, *db = NULL;
    size_t ml = 0, el = 0, dl = 0;
    FILE *mf = open_memstream(&mb, &ml), *ef = open_memstream(&eb, &el), *df = open_memstream(&db, &dl);
    int rc = (mf && ef && df) ? 0 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        fprintf(mf, "Parameter memory: parameters x weight bits (BN folded into weights and bias), plus "
                    "the 32-bit per-channel scales of quantized layers; the MB columns include the "
                    "scales, the last column gives them alone.\n\n"
                    "| model | parameters | float MB | 8-bit MB | 4-bit MB | 2-bit MB | scales kB |\n"
                    "|---|---:|---:|---:|---:|---:|---:|\n");
        fprintf(ef, "Energy per inference (mJ) with the statistical firing rates of each workload YAML "
                    "(firing_rates; the column gives their neuron-weighted mean), first layer counted "
                    "once per inference. paper-45nm and generic-45nm at "
                    "float weights; loihi-like supports 1-8 bit weights only, so 8-bit weights and "
                    "16-bit membranes there.\n\n"
                    "| model | T | mean firing rate | paper-45nm mJ | generic-45nm mJ | loihi-like (8-bit) mJ "
                    "| generic-45nm cores |\n|---|---:|---:|---:|---:|---:|---:|\n");
    }
    for (size_t z = 0; !rc && z < sizeof zoo / sizeof zoo[0]; z++) {
        double mem_bits[4] = {0}, scale_bits = 0;
        int64_t params = 0;
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
        if (rc)
            break;
        fprintf(mf, "| %s | %lld | %.2f | %.2f | %.2f | %.2f | %.1f |\n", zoo[z], (long long)params,
                mem_bits[0] / 8e6, mem_bits[1] / 8e6, mem_bits[2] / 8e6, mem_bits[3] / 8e6,
                scale_bits / 8e3);
        double mj[3] = {0};
        int cores = 0, T = 0;
        double rate = 0;
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
                    double r = wl->layers[i].firing_rate > 0 ? wl->layers[i].firing_rate
                                                             : wl->default_firing_rate;
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
        if (!rc)
            fprintf(ef, "| %s | %d | %.4f | %.4g | %.4g | %.4g | %d |\n",
                    zoo[z], T, rate, mj[0], mj[1], mj[2], cores);
    }
    if (mf)
        fclose(mf);
    if (ef)
        fclose(ef);
    if (df)
        fclose(df);
    if (!rc)
        rc = save(dir, "zoo_memory.md", mb, ml, err);
    if (!rc)
        rc = save(dir, "zoo_energy.md", eb, el, err);
    if (!rc)
        rc = save(dir, "memory_vs_bits.dat", db, dl, err);
    free(mb);
    free(eb);
    free(db);
    /* the tiny model, per layer, on generic-45nm at w8 */
    myelin_workload *wl = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_cost_report *rep = NULL;
    myelin_activity act = {0, NULL, ""};
    if (!rc)
        rc = zoo_setup("tiny", 8, &wl, &lq, err);
    if (!rc && act_path)
        rc = myelin_activity_load_json(act_path, wl, &act, err);
    if (!rc)
        rc = cost_on(wl, lq, "generic-45nm", act_path ? &act : NULL, &rep, err);
    static const struct {
        const char *file;
        myelin_cost_format fmt;
    } outs[] = {{"tiny_layers.csv", MYELIN_COST_CSV},
                {"tiny_layers.md", MYELIN_COST_MARKDOWN},
                {"tiny_layers.tex", MYELIN_COST_LATEX}};
    for (size_t k = 0; !rc && k < sizeof outs / sizeof outs[0]; k++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f) {
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        rc = myelin_cost_report_write(rep, wl, outs[k].fmt, f, err);
        fclose(f);
        if (!rc)
            rc = save(dir, outs[k].file, buf, len, err);
        free(buf);
    }
    if (!rc) {
        /* plot data: layers that cost something, components in nJ */
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        for (int i = 0; f && i < rep->n_layers; i++) {
            if (!(rep->layers[i].total_pj > 0))
                continue;
            fprintf(f, "%s", wl->layers[i].name);
            for (int c = 0; c < MYELIN_COMP_COUNT; c++)
                fprintf(f, " %.6g", rep->layers[i].component_pj[c] * 1e-3);
            fprintf(f, "\n");
        }
        if (f) {
            fclose(f);
            rc = save(dir, "tiny_energy_per_layer.dat", buf, len, err);
        }
        free(buf);
    }
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_workload_free(wl);
    free(lq);
    if (!rc)
        rc = save(dir, "memory_vs_bits.gp", memory_gp, strlen(memory_gp), err);
    if (!rc)
        rc = save(dir, "tiny_energy_per_layer.gp", energy_gp, strlen(energy_gp), err);
    if (!rc && (myelin_run_gnuplot(dir, memory_gp) != 0 || myelin_run_gnuplot(dir, energy_gp) != 0) &&
        !quiet)
        fprintf(stderr, "myelin cost: gnuplot not available or failed; the .gp scripts are in %s\n", dir);
    return rc;
}

int myelin_cmd_cost(int argc, char **argv)
{
    static const struct option opts[] = {
        {"workload", required_argument, NULL, 'w'}, {"quant", required_argument, NULL, 'u'},
        {"arch", required_argument, NULL, 'a'},     {"rate", required_argument, NULL, 'r'},
        {"activity", required_argument, NULL, 'A'}, {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
        {"tables", required_argument, NULL, 'T'},   {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *wl_arg = "tiny", *q_path = NULL, *arch_arg = "generic-45nm", *act_path = NULL;
    const char *out_path = NULL, *tables_dir = NULL;
    double rate = -1;
    int fmt = MYELIN_COST_TABLE;
    myelin_error err;
    myelin_error_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    int quiet = 0;
    while ((c = getopt_long(argc, argv, "w:a:r:A:f:o:T:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wl_arg = optarg; break;
        case 'u': q_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'a': arch_arg = optarg; break;
        case 'A': act_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'T': tables_dir = optarg; break;
        case 'r': {
            char *end = NULL;
            errno = 0;
            rate = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(rate >= 0 && rate <= 1)) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--rate: expected a firing rate between 0 and 1 (got '%s')", optarg);
                return myelin_cli_fail("cost", &err);
            }
            break;
        }
        case 'f':
            fmt = myelin_cost_format_parse(optarg);
            if (fmt < 0) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--format: expected table, csv, json, markdown or latex (got '%s')",
                                 optarg);
                return myelin_cli_fail("cost", &err);
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            return myelin_cli_bad_option("cost", argv[optind - 1], usage);
        }
    }
    if (optind < argc) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
        return myelin_cli_fail("cost", &err);
    }
    if (rate >= 0 && act_path) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "give --rate or --activity, not both");
        return myelin_cli_fail("cost", &err);
    }
    if (tables_dir)
        return myelin_mkdirs(tables_dir, &err) || write_tables(tables_dir, act_path, quiet, &err)
                   ? myelin_cli_fail("cost", &err) : 0;

    myelin_workload *wl = NULL;
    myelin_qsetting *qs = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_arch *arch = NULL;
    myelin_mapping *map = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_cost_report *rep = NULL;
    myelin_activity act = {0, NULL, ""};
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *mem = NULL;
    char path[MYELIN_PATH_MAX], apath[MYELIN_PATH_MAX];
    int rc = myelin_cli_resolve_workload(wl_arg, path, sizeof path, &err);
    if (!rc)
        rc = myelin_workload_load(path, &wl, &err);
    if (!rc)
        rc = q_path ? myelin_qsetting_load(q_path, &qs, &err) : myelin_qsetting_float(&qs, &err);
    if (!rc) {
        lq = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *lq);
        rc = lq ? myelin_qsetting_resolve(qs, wl, lq, &err)
                : myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (!rc)
        rc = myelin_arch_resolve(arch_arg, apath, sizeof apath, &err);
    if (!rc)
        rc = myelin_arch_load(apath, &arch, &err);
    if (!rc)
        rc = myelin_cost_registry_new(&reg, &err);
    if (!rc)
        rc = myelin_cost_registry_configure(reg, arch, &err);
    if (!rc)
        rc = myelin_map(wl, lq, arch, &map, &err);
    if (!rc)
        rc = act_path ? myelin_activity_load_json(act_path, wl, &act, &err)
                      : myelin_activity_from_workload(wl, rate, &act, &err);
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, &act, arch, map, reg, &rep, &err);
    if (!rc) {
        if (out_path) {
            mem = open_memstream(&buf, &buf_len);
            if (!mem)
                rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (!rc)
            rc = myelin_cost_report_write(rep, wl, (myelin_cost_format)fmt, mem ? mem : stdout, &err);
        if (mem) {
            fclose(mem);
            mem = NULL;
            if (!rc)
                rc = myelin_write_file_atomic(out_path, buf, buf_len, &err);
        }
    }
    int status = rc ? myelin_cli_fail("cost", &err) : 0;
    free(buf);
    myelin_cost_report_free(rep);
    myelin_activity_free(&act);
    myelin_mapping_free(map);
    myelin_cost_registry_free(reg);
    myelin_arch_free(arch);
    free(lq);
    myelin_qsetting_free(qs);
    myelin_workload_free(wl);
    return status;
}
