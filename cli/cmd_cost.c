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
#include "core/util.h"
#include "models/cost.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin cost [--workload W] [--quant Q.yaml] [--arch A] [--rate R | --activity F.json]\n"
            "                   [--format table|csv|json|markdown|latex] [--out FILE]\n\n"
            "Maps a workload onto a core array and reports, per layer and in total: energy by\n"
            "component (compute, synapse memory, neurons, NoC, leakage), parameter memory\n"
            "(parameters x weight bits, plus 32-bit quantization scales reported apart) and membrane\n"
            "memory in bits and bytes, synaptic ops, a cycle estimate and cores used.\n"
            "  --workload W     workload YAML, or a zoo name (default: tiny)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset: paper-45nm, loihi-like, generic-45nm\n"
            "                   (default generic-45nm; presets are found under $MYELIN_SRCDIR/arch/presets)\n"
            "  --rate R         every layer fires at R spikes per neuron per timestep\n"
            "  --activity F     measured firing rates: the JSON written by 'myelin run --json'\n"
            "                   (default: the workload's statistical firing rates)\n"
            "  --format F       table (energies in uJ), csv and json (pJ, full precision), markdown, latex\n"
            "  --out FILE       write there (atomically) instead of standard output\n"
            "The real-valued first layer is counted once per inference (the image is the same at every\n"
            "timestep), as in the SViT papers.\n");
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A workload path, or a zoo name looked up under $MYELIN_SRCDIR and the current folder. */
static int resolve_workload(const char *arg, char *out, size_t n, myelin_error *err)
{
    if (is_file(arg) || strchr(arg, '/')) {
        snprintf(out, n, "%s", arg);
        return 0;
    }
    const char *env = getenv("MYELIN_SRCDIR");
    const char *dirs[2] = {env && *env ? env : ".", "."};
    for (int i = 0; i < 2; i++) {
        snprintf(out, n, "%s/workloads/zoo/%s.yaml", dirs[i], arg);
        if (is_file(out))
            return 0;
    }
    return myelin_error_set(err, MYELIN_EMISSING, NULL, 0, 0,
                            "no workload file or zoo model called '%s' (set MYELIN_SRCDIR to the "
                            "source tree)",
                            arg);
}

int myelin_cmd_cost(int argc, char **argv)
{
    static const struct option opts[] = {
        {"workload", required_argument, NULL, 'w'}, {"quant", required_argument, NULL, 'q'},
        {"arch", required_argument, NULL, 'a'},     {"rate", required_argument, NULL, 'r'},
        {"activity", required_argument, NULL, 'A'}, {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *wl_arg = "tiny", *q_path = NULL, *arch_arg = "generic-45nm", *act_path = NULL;
    const char *out_path = NULL;
    double rate = -1;
    int fmt = MYELIN_COST_TABLE;
    myelin_error err;
    myelin_error_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "w:q:a:r:A:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wl_arg = optarg; break;
        case 'q': q_path = optarg; break;
        case 'a': arch_arg = optarg; break;
        case 'A': act_path = optarg; break;
        case 'o': out_path = optarg; break;
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
            myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unknown or incomplete option '%s'",
                             argv[optind - 1]);
            usage(stderr);
            return myelin_cli_fail("cost", &err);
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
    int rc = resolve_workload(wl_arg, path, sizeof path, &err);
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
