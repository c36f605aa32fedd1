/* cli/cmd_info.c — `myelin info`: per-layer table of a workload (shapes, params, weight memory, neurons, MACs). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "base/escape.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

static const char usage[] =
    "usage: myelin info [--workload] W [--quant Q.yaml] [--format table|csv|json|markdown] [--quiet]\n"
    "Prints one row per layer: name, kind, input and output shape (CxHxW), params (weights + bias +\n"
    "BN pair), weight bits, weight memory in bytes at the given quantization (bits x weights / 8, plus\n"
    "one 32-bit scale per output channel (or one per tensor) when quantized; float = 32-bit), neurons\n"
    "(LIF outputs), dense MACs per timestep (head: once per inference); then totals.\n"
    "  -w, --workload W    workload YAML or zoo name (the positional W is a shorthand)\n"
    "      --quant FILE    quantization setting (default: float)\n"
    "  -f, --format FMT    table (default), csv, json or markdown\n"
    "  -q, --quiet         accepted by every command; info prints only its table anyway\n"
    "  -h, --help          this text\n";

enum fmt { F_TABLE, F_CSV, F_JSON, F_MD };

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

int myelin_cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {{"quant", required_argument, NULL, 'u'},
                                         {"workload", required_argument, NULL, 'w'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *qpath = NULL, *wl_arg = NULL;
    enum fmt fmt = F_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            qpath = optarg;
            break;
        case 'w':
            wl_arg = optarg;
            break;
        case 'q':
            break;
        case 'f':
            if (!strcmp(optarg, "table"))
                fmt = F_TABLE;
            else if (!strcmp(optarg, "csv"))
                fmt = F_CSV;
            else if (!strcmp(optarg, "json"))
                fmt = F_JSON;
            else if (!strcmp(optarg, "markdown"))
                fmt = F_MD;
            else {
                fprintf(stderr, "myelin info: unknown format '%s' (expected table, csv, json or markdown)\n", optarg);
                return 64;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 64;
        }
    }
    if (!wl_arg && optind < argc)
        wl_arg = argv[optind++];
    if (!wl_arg || optind < argc) {
        if (!wl_arg)
            fprintf(stderr, "myelin info: expected a workload (--workload W; none given)\n");
        else
            fprintf(stderr, "myelin info: expected one workload (unexpected '%s')\n", argv[optind]);
        fputs(usage, stderr);
        return 64;
    }
    myelin_error err;
    myelin_error_clear(&err);
    myelin_workload *wl = NULL;
    myelin_qsetting *qs = NULL;
    myelin_layer_quant *lq = NULL;
    char wpath[MYELIN_PATH_MAX];
    int rc = myelin_cli_resolve_workload(wl_arg, wpath, sizeof wpath, &err);
    if (!rc)
        rc = myelin_workload_load(wpath, &wl, &err);
    if (!rc)
        rc = qpath ? myelin_qsetting_load(qpath, &qs, &err) : myelin_qsetting_float(&qs, &err);
    if (!rc) {
        lq = calloc((size_t)wl->n_layers, sizeof *lq);
        rc = lq ? myelin_qsetting_resolve(qs, wl, lq, &err)
                : myelin_error_set(&err, MYELIN_ENOMEM, "", 0, 0, "out of memory");
    }
    if (rc) {
        free(lq);
        myelin_qsetting_free(qs);
        myelin_workload_free(wl);
        return myelin_cli_fail("info", &err);
    }
    static const char *const hdr[] = {"name", "kind", "input_shape", "output_shape", "params", "weight_bits",
                                      "weight_mem_bytes", "neurons", "dense_macs_per_step"};
    if (fmt == F_TABLE)
        printf("%-20s %-7s %-12s %-12s %10s %11s %16s %9s %19s\n", hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5],
               hdr[6], hdr[7], hdr[8]);
    else if (fmt == F_CSV)
        printf("%s,%s,%s,%s,%s,%s,%s,%s,%s\n", hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7], hdr[8]);
    else if (fmt == F_MD)
        printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---:|---:|---:|---:|---:|\n", hdr[0],
               hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7], hdr[8]);
    else {
        printf("{\"workload\": ");
        myelin_escape_fputs(MYELIN_ESC_JSON, wl->name, stdout);
        printf(", \"layers\": [\n");
    }
    int64_t tp = 0, tm = 0, tn = 0, tmac = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        char in[32], out[32], bits[16];
        snprintf(in, sizeof in, "%dx%dx%d", l->in_shape.c, l->in_shape.h, l->in_shape.w);
        snprintf(out, sizeof out, "%dx%dx%d", l->out_shape.c, l->out_shape.h, l->out_shape.w);
        int syn = myelin_layer_weight_count(l) > 0;
        if (syn)
            myelin_bits_str(lq[i].weight_bits, bits, sizeof bits);
        else
            snprintf(bits, sizeof bits, "-");
        int64_t p = myelin_layer_params(l), m = weight_mem_bytes(l, &lq[i]), n = myelin_layer_neurons(l),
                mac = myelin_layer_dense_macs(l);
        tp += p;
        tm += m;
        tn += n;
        tmac += mac;
        const char *k = myelin_layer_kind_name(l->kind);
        /* the name comes from the workload file: escaped for the output language (and for the
         * terminal), so it can neither break the format nor send escape sequences */
        static const myelin_escape_format esc[] = {MYELIN_ESC_TEXT, MYELIN_ESC_CSV, MYELIN_ESC_JSON,
                                                   MYELIN_ESC_MARKDOWN};
        char name[4 * MYELIN_NAME_MAX + 8];
        myelin_escape(esc[fmt == F_TABLE ? 0 : fmt == F_CSV ? 1 : fmt == F_JSON ? 2 : 3], l->name, name,
                      sizeof name);
        if (fmt == F_TABLE)
            printf("%-20s %-7s %-12s %-12s %10" PRId64 " %11s %16" PRId64 " %9" PRId64 " %19" PRId64 "\n", name, k,
                   in, out, p, bits, m, n, mac);
        else if (fmt == F_CSV)
            printf("%s,%s,%s,%s,%" PRId64 ",%s,%" PRId64 ",%" PRId64 ",%" PRId64 "\n", name, k, in, out, p, bits,
                   m, n, mac);
        else if (fmt == F_MD)
            printf("| %s | %s | %s | %s | %" PRId64 " | %s | %" PRId64 " | %" PRId64 " | %" PRId64 " |\n", name,
                   k, in, out, p, bits, m, n, mac);
        else
            printf("  {\"name\": %s, \"kind\": \"%s\", \"input_shape\": \"%s\", \"output_shape\": \"%s\", "
                   "\"params\": %" PRId64 ", \"weight_bits\": \"%s\", \"weight_mem_bytes\": %" PRId64
                   ", \"neurons\": %" PRId64 ", \"dense_macs_per_step\": %" PRId64 "}%s\n",
                   name, k, in, out, p, bits, m, n, mac, i + 1 < wl->n_layers ? "," : "");
    }
    double pm = (double)tp / 1e6;
    if (fmt == F_TABLE)
        printf("%-20s %-7s %-12s %-12s %10" PRId64 " %11s %16" PRId64 " %9" PRId64 " %19" PRId64 "\n"
               "params: %.2f M, weight memory: %" PRId64 " bytes, layers: %d, timesteps: %d\n",
               "total", "", "", "", tp, "", tm, tn, tmac, pm, tm, wl->n_layers, wl->timesteps);
    else if (fmt == F_CSV)
        printf("total,,,,%" PRId64 ",,%" PRId64 ",%" PRId64 ",%" PRId64 "\n", tp, tm, tn, tmac);
    else if (fmt == F_MD)
        printf("| **total** (%.2f M params) | | | | %" PRId64 " | | %" PRId64 " | %" PRId64 " | %" PRId64 " |\n", pm,
               tp, tm, tn, tmac);
    else
        printf("], \"total\": {\"params\": %" PRId64 ", \"params_millions\": %.2f, \"weight_mem_bytes\": %" PRId64
               ", \"neurons\": %" PRId64 ", \"dense_macs_per_step\": %" PRId64 "}}\n",
               tp, pm, tm, tn, tmac);
    free(lq);
    myelin_qsetting_free(qs);
    myelin_workload_free(wl);
    return 0;
}
