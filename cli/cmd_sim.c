/* cli/cmd_sim.c — `myelin sim`: runs a workload on the SystemC cycle-level model of a core array
 * and prints energy per layer in `myelin cost`'s formats, the cycle breakdown per layer (and per
 * core), queue depths, memory occupancy, end-to-end latency, and the analytical cost model's
 * energy for the same mapping and activity. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "cli/cli.h"
#include "base/escape.h"
#include "base/util.h"
#include "models/cost.h"
#include "sim/array.h"
#include "sim/engine.h"
#include "workloads/dataset.h"
#include "workloads/embedded.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin sim [--workload W] [--weights F.safetensors|random[:SEED]] [--dataset SPEC]\n"
            "                  [--quant Q.yaml] [--arch A] [--limit N] [--statistical] [--rate R]\n"
            "                  [--seed S] [--format table|csv|json|markdown|latex] [--per-core]\n"
            "                  [--vcd FILE] [--logits FILE.csv] [--quiet]\n\n"
            "Runs a workload on the cycle-level SystemC model of a core array: cores with synapse\n"
            "memory banks and accumulator lanes, a 2-D mesh with XY routing and link contention, a\n"
            "controller closing every timestep with a barrier.  Prints energy per layer (as 'myelin\n"
            "cost' does, from the actions the simulation counted), cycles per layer (busy, stalled on\n"
            "memory, waiting on the NoC, idle), peak queue depths, memory occupancy, end-to-end\n"
            "latency, and the analytical cost model's energy for the same mapping and activity.\n"
            "  --workload W     workload YAML or zoo name (default: the embedded tiny model)\n"
            "  --weights F|random[:S]  weights (default: the workload's); real-weight mode: the\n"
            "                   cores compute with the engine's integers, spikes equal 'myelin run'\n"
            "  --dataset SPEC   images for real-weight mode (default synthetic:split=test,count=1000,\n"
            "                   seed=1 at the workload's shape)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset (default generic-45nm)\n"
            "  --limit N        images to simulate (default 100 with weights, 1 statistical)\n"
            "  --statistical    no weights: every LIF layer fires at the workload's statistical rates\n"
            "                   (seeded Bernoulli draws); the default when the workload has no weights\n"
            "  --rate R         statistical mode with every layer at R spikes per neuron per step\n"
            "  --seed S         seed of the statistical draws (default 1)\n"
            "  --format F       table (uJ), csv and json (pJ, full precision), markdown, latex\n"
            "  --per-core       also print one row per core\n"
            "  --vcd FILE       write a VCD trace (per-core busy, queue depth, spikes per step; '.vcd'\n"
            "                   is appended when FILE lacks it)\n"
            "  --logits F.csv   real-weight mode: one row per image, index,label,logit_0..logit_{K-1}\n"
            "                   (the format of 'myelin run --logits', so the two files can be compared)\n"
            "  -q, --quiet      print only the summary lines\n"
            "One process runs one simulation (SystemC elaborates one netlist per process).\n");
}

/* ---- one table in five formats ----------------------------------------------------------------- */

enum { MAXCOLS = 24, CELLW = 64 };

typedef struct table {
    int ncols, nrows, cap, ntext; /* the first ntext columns are text (JSON strings) */
    const char *head[MAXCOLS];
    char (*cells)[MAXCOLS][CELLW];
} table;

static int table_row(table *t)
{
    if (t->nrows == t->cap) {
        int nc = t->cap ? 2 * t->cap : 64;
        void *p = realloc(t->cells, (size_t)nc * sizeof *t->cells);
        if (!p)
            return -1;
        t->cells = p;
        t->cap = nc;
    }
    memset(t->cells[t->nrows], 0, sizeof t->cells[0]);
    return t->nrows++;
}

static void table_write(const table *t, const char *caption, int fmt, FILE *f)
{
    switch (fmt) {
    case MYELIN_COST_CSV:
        for (int r = -1; r < t->nrows; r++)
            for (int c = 0; c < t->ncols; c++) {
                myelin_escape_fputs(MYELIN_ESC_CSV, r < 0 ? t->head[c] : t->cells[r][c], f);
                fputs(c == t->ncols - 1 ? "\n" : ",", f);
            }
        break;
    case MYELIN_COST_MARKDOWN:
        myelin_escape_fputs(MYELIN_ESC_MARKDOWN, caption, f);
        fputs("\n\n", f);
        for (int r = -1; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                fputs("| ", f);
                myelin_escape_fputs(MYELIN_ESC_MARKDOWN, r < 0 ? t->head[c] : t->cells[r][c], f);
                fputc(' ', f);
            }
            fprintf(f, "|\n");
            if (r < 0) {
                for (int c = 0; c < t->ncols; c++)
                    fprintf(f, "|%s", c < t->ntext ? "---" : "---:");
                fprintf(f, "|\n");
            }
        }
        break;
    case MYELIN_COST_LATEX:
        fprintf(f, "%% ");
        myelin_escape_fputs(MYELIN_ESC_LATEX, caption, f);
        fprintf(f, "\n\\begin{tabular}{");
        for (int c = 0; c < t->ncols; c++)
            fputc(c < t->ntext ? 'l' : 'r', f);
        fprintf(f, "}\n\\toprule\n");
        for (int r = -1; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                if (c)
                    fprintf(f, " & ");
                myelin_escape_fputs(MYELIN_ESC_LATEX, r < 0 ? t->head[c] : t->cells[r][c], f);
            }
            fprintf(f, " \\\\\n");
            if (r < 0)
                fprintf(f, "\\midrule\n");
        }
        fprintf(f, "\\bottomrule\n\\end{tabular}\n");
        break;
    case MYELIN_COST_JSON:
        fprintf(f, "[");
        for (int r = 0; r < t->nrows; r++) {
            fprintf(f, "%s\n    {", r ? "," : "");
            for (int c = 0; c < t->ncols; c++) {
                fputs(c ? ", " : "", f);
                myelin_escape_fputs(MYELIN_ESC_JSON, t->head[c], f);
                fputs(": ", f);
                if (c < t->ntext)
                    myelin_escape_fputs(MYELIN_ESC_JSON, t->cells[r][c], f);
                else
                    fputs(t->cells[r][c], f);
            }
            fprintf(f, "}");
        }
        fprintf(f, "\n  ]");
        break;
    default: { /* aligned table */
        int w[MAXCOLS];
        for (int c = 0; c < t->ncols; c++) {
            w[c] = (int)strlen(t->head[c]);
            for (int r = 0; r < t->nrows; r++)
                if ((int)strlen(t->cells[r][c]) > w[c])
                    w[c] = (int)strlen(t->cells[r][c]);
        }
        fputs("# ", f);
        myelin_escape_fputs(MYELIN_ESC_TEXT, caption, f);
        fputc('\n', f);
        for (int r = -1; r < t->nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                const char *s = r < 0 ? t->head[c] : t->cells[r][c];
                if (c < t->ntext)
                    fprintf(f, "%s%-*s", c ? "  " : "", w[c], s);
                else
                    fprintf(f, "  %*s", w[c], s);
            }
            fputc('\n', f);
        }
    }
    }
}

/* ---- the command --------------------------------------------------------------------------------- */

typedef struct sim_ctx {
    int progress;
    int64_t total;
    FILE *logits; /* memstream, or NULL */
} sim_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes,
                    const int64_t *spikes, int64_t latency_cycles)
{
    (void)spikes;
    (void)latency_cycles;
    sim_ctx *c = user;
    if (c->logits && logits) {
        fprintf(c->logits, "%" PRId64 ",%d", index, label);
        for (int k = 0; k < classes; k++)
            fprintf(c->logits, ",%.9g", logits[k]);
        fprintf(c->logits, "\n");
    }
    if (c->progress && (index % 10 == 9 || index + 1 == c->total))
        fprintf(stderr, "\rmyelin sim: %" PRId64 "/%" PRId64 " images", index + 1, c->total);
    return 0;
}

#define SETC(t, r, c, ...) snprintf((t)->cells[r][c], CELLW, __VA_ARGS__)

static int64_t layer_sum(const myelin_array_result *r, int l)
{
    int64_t s = 0;
    for (int t = 0; t < r->timesteps; t++)
        s += r->spikes[(int64_t)l * r->timesteps + t];
    return s;
}

int myelin_cmd_sim(int argc, char **argv)
{
    static const struct option opts[] = {
        {"workload", required_argument, NULL, 'w'}, {"weights", required_argument, NULL, 'W'},
        {"dataset", required_argument, NULL, 'd'},  {"quant", required_argument, NULL, 'u'},
        {"arch", required_argument, NULL, 'a'},     {"limit", required_argument, NULL, 'n'},
        {"statistical", no_argument, NULL, 'S'},    {"rate", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},     {"format", required_argument, NULL, 'f'},
        {"per-core", no_argument, NULL, 'P'},       {"vcd", required_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {"logits", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    const char *wl_arg = NULL, *weights_spec = NULL, *ds_spec = NULL, *q_path = NULL;
    const char *arch_arg = "generic-45nm", *vcd_path = NULL, *logits_path = NULL;
    int64_t limit = 0;
    int statistical = 0, per_core = 0, quiet = 0, fmt = MYELIN_COST_TABLE, c;
    double rate = -1;
    uint64_t seed = 1;
    myelin_error err;
    myelin_error_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wl_arg = optarg; break;
        case 'W': weights_spec = optarg; break;
        case 'd': ds_spec = optarg; break;
        case 'u': q_path = optarg; break;
        case 'a': arch_arg = optarg; break;
        case 'v': vcd_path = optarg; break;
        case 'l': logits_path = optarg; break;
        case 'S': statistical = 1; break;
        case 'P': per_core = 1; break;
        case 'q': quiet = 1; break;
        case 'n':
            if (myelin_cli_parse_count(optarg, &limit)) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--limit wants a positive integer (got '%s')", optarg);
                return myelin_cli_fail("sim", &err);
            }
            break;
        case 's':
            if (myelin_cli_parse_seed(optarg, &seed)) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--seed wants a non-negative integer (got '%s')", optarg);
                return myelin_cli_fail("sim", &err);
            }
            break;
        case 'r': {
            char *end = NULL;
            errno = 0;
            rate = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(rate >= 0 && rate <= 1)) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--rate: expected a firing rate between 0 and 1 (got '%s')", optarg);
                return myelin_cli_fail("sim", &err);
            }
            statistical = 1;
            break;
        }
        case 'f':
            fmt = myelin_cost_format_parse(optarg);
            if (fmt < 0) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--format: expected table, csv, json, markdown or latex (got '%s')",
                                 optarg);
                return myelin_cli_fail("sim", &err);
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            return myelin_cli_bad_option("sim", argv[optind - 1], usage);
        }
    }
    if (optind < argc) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
        return myelin_cli_fail("sim", &err);
    }
    if (statistical && (weights_spec || ds_spec || logits_path)) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                         "--statistical / --rate draw spikes: give no --weights, --dataset or --logits");
        return myelin_cli_fail("sim", &err);
    }

    myelin_workload *wl = NULL;
    myelin_weights *w = NULL;
    myelin_qsetting *qs = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_arch *arch = NULL;
    myelin_mapping *map = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_engine *e = NULL;
    myelin_dataset *ds = NULL;
    myelin_activity act = {0, NULL, ""}, meas = {0, NULL, ""};
    myelin_array_result *res = NULL;
    myelin_cost_report *srep = NULL, *crep = NULL, *drep = NULL;
    myelin_activity dact = {0, NULL, ""};
    char path[MYELIN_PATH_MAX], apath[MYELIN_PATH_MAX], dspec[512] = "",
         weights_desc[MYELIN_PATH_MAX + 32] = "";
    int rc = 0, embedded = 0;

    if (wl_arg) {
        rc = myelin_cli_resolve_workload(wl_arg, path, sizeof path, &err);
        if (!rc)
            rc = myelin_workload_load(path, &wl, &err);
    } else {
        embedded = 1;
        rc = myelin_workload_load_string((const char *)myelin_embedded_tiny_yaml, "<embedded>", &wl,
                                         &err);
    }
    /* real weights unless asked for statistics or the workload has none */
    int random_weights = 0;
    uint64_t wseed = 1;
    if (weights_spec && strncmp(weights_spec, "random", 6) == 0 &&
        (weights_spec[6] == 0 || weights_spec[6] == ':')) {
        random_weights = 1;
        if (weights_spec[6] == ':' && myelin_cli_parse_seed(weights_spec + 7, &wseed))
            rc = rc ? rc : myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                            "--weights random:SEED wants a non-negative integer seed "
                                            "(got '%s')", weights_spec);
    }
    if (!rc && !statistical && !weights_spec && !embedded && !wl->weights_path[0])
        statistical = 1; /* ImageNet-scale zoo workloads ship without weights */
    if (!rc && !statistical) {
        if (random_weights) {
            snprintf(weights_desc, sizeof weights_desc, "random (seed %" PRIu64 ")", wseed);
            rc = myelin_weights_random(wl, wseed, &w, &err);
        } else if (weights_spec) {
            snprintf(weights_desc, sizeof weights_desc, "%s", weights_spec);
            rc = myelin_weights_load(wl, weights_spec, &w, &err);
        } else if (embedded) {
            snprintf(weights_desc, sizeof weights_desc, "<embedded>");
            rc = myelin_weights_load_memory(wl, myelin_embedded_tiny_weights,
                                            myelin_embedded_tiny_weights_len, "<embedded>", &w, &err);
        } else {
            snprintf(weights_desc, sizeof weights_desc, "%s", wl->weights_path);
            rc = myelin_weights_load(wl, wl->weights_path, &w, &err);
        }
    }
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
    if (!rc && !statistical)
        rc = myelin_engine_new(wl, w, lq, myelin_qsetting_input_bits(qs), &e, &err);
    if (!rc && !statistical) {
        if (ds_spec)
            snprintf(dspec, sizeof dspec, "%s", ds_spec);
        else
            snprintf(dspec, sizeof dspec,
                     "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d", wl->input.h,
                     wl->input.w, wl->input.c, wl->classes);
        rc = myelin_dataset_open_shaped(dspec, wl->input.c, wl->input.h, wl->input.w, &ds, &err);
        if (!rc && limit <= 0)
            limit = 100;
    }
    if (!rc && statistical)
        rc = myelin_activity_from_workload(wl, rate, &act, &err);
    sim_ctx ctx = {0, 0, NULL};
    char *lbuf = NULL;
    size_t llen = 0;
    if (!rc && logits_path && statistical)
        rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--logits needs weights (workload %s runs in statistical mode)",
                              wl->name);
    if (!rc && logits_path) {
        ctx.logits = open_memstream(&lbuf, &llen);
        if (!ctx.logits)
            rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        else {
            fprintf(ctx.logits, "index,label");
            for (int k = 0; k < wl->classes; k++)
                fprintf(ctx.logits, ",logit_%d", k);
            fprintf(ctx.logits, "\n");
        }
    }
    if (!rc) {
        if (ds) {
            myelin_dataset_info info;
            myelin_dataset_info_get(ds, &info);
            ctx.total = limit < info.count ? limit : info.count;
        } else {
            ctx.total = limit > 0 ? limit : 1;
        }
        ctx.progress = !quiet && isatty(STDERR_FILENO);
        myelin_array_options o;
        memset(&o, 0, sizeof o);
        o.wl = wl;
        o.lq = lq;
        o.arch = arch;
        o.map = map;
        o.engine = e;
        o.dataset = ds;
        o.limit = limit;
        o.rates = statistical ? act.rate : NULL;
        o.seed = seed;
        o.vcd_path = vcd_path;
        o.on_image = on_image;
        o.user = &ctx;
        rc = myelin_array_run(&o, &res, &err);
        if (ctx.progress)
            fprintf(stderr, "\n");
    }
    if (ctx.logits) {
        fclose(ctx.logits);
        if (!rc)
            rc = myelin_write_file_atomic(logits_path, lbuf, llen, &err);
    }
    free(lbuf);
    if (!rc)
        rc = myelin_array_report(res, wl, lq, arch, map, &srep, &err);
    if (!rc)
        rc = myelin_array_activity(res, wl, &meas, &err);
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, &meas, arch, map, reg, &crep, &err);
    /* what `myelin cost` says with the same options: the statistical activity model */
    if (!rc)
        rc = myelin_activity_from_workload(wl, rate, &dact, &err);
    if (!rc)
        rc = myelin_cost_evaluate(wl, lq, &dact, arch, map, reg, &drep, &err);
    if (!rc) {
        FILE *f = stdout;
        double lat_s = res->mean_latency_cycles / res->clock_hz;
        double dyn_s = srep->total.total_pj - srep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
        double dyn_c = crep->total.total_pj - crep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
        double dpct = crep->total.total_pj > 0
                          ? 100.0 * (srep->total.total_pj - crep->total.total_pj) / crep->total.total_pj
                          : 0.0;
        double ddyn = dyn_c > 0 ? 100.0 * (dyn_s - dyn_c) / dyn_c : 0.0;
        double pps = res->wall_s > 0 ? (double)res->packets / res->wall_s : 0.0;
        double d_epct = drep->total.total_pj > 0
                            ? 100.0 * (srep->total.total_pj - drep->total.total_pj) / drep->total.total_pj
                            : 0.0;
        double d_lat = drep->latency_s > 0 ? lat_s / drep->latency_s : 0.0;
        char mode[MYELIN_PATH_MAX + 64];
        if (statistical)
            snprintf(mode, sizeof mode, "statistical (%s, seed %" PRIu64 ")", act.source, seed);
        else
            snprintf(mode, sizeof mode, "real weights %s on %s", weights_desc, dspec);
        /* per-layer simulation table */
        table lt = {0};
        lt.ntext = 2;
        const char *lh[] = {"layer", "kind", "cores", "spikes_per_image", "events_in_per_image",
                            "packets_per_image", "busy_cycles", "mem_stall_cycles",
                            "noc_wait_cycles", "idle_cycles", "span_cycles", "link_wait_cycles",
                            "peak_queue_events", "synapse_bits", "membrane_bits"};
        lt.ncols = (int)(sizeof lh / sizeof lh[0]);
        memcpy(lt.head, lh, sizeof lh);
        double n_img = (double)res->images;
        int64_t *ev = calloc((size_t)wl->n_layers, sizeof *ev);
        for (int k = 0; ev && k < res->n_cores; k++)
            ev[res->cores[k].layer] += res->cores[k].events_in;
        for (int l = 0; !rc && l < wl->n_layers; l++) {
            const myelin_array_layer_stats *ls = &res->layers[l];
            int r = table_row(&lt);
            if (r < 0 || !ev) {
                rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            myelin_layer_memory mem = srep->layers[l].memory;
            SETC(&lt, r, 0, "%s", wl->layers[l].name);
            SETC(&lt, r, 1, "%s", myelin_layer_kind_name(wl->layers[l].kind));
            SETC(&lt, r, 2, "%d", map->layers[l].cores);
            SETC(&lt, r, 3, "%.6g", (double)layer_sum(res, l) / n_img);
            SETC(&lt, r, 4, "%.6g", (double)ev[l] / n_img);
            SETC(&lt, r, 5, "%.6g", (double)ls->packets / n_img);
            SETC(&lt, r, 6, "%.6g", (double)ls->busy_cycles / n_img);
            SETC(&lt, r, 7, "%.6g", (double)ls->mem_stall_cycles / n_img);
            SETC(&lt, r, 8, "%.6g", (double)ls->noc_wait_cycles / n_img);
            SETC(&lt, r, 9, "%.6g", (double)ls->idle_cycles / n_img);
            SETC(&lt, r, 10, "%.6g", (double)ls->span_cycles / n_img);
            SETC(&lt, r, 11, "%.6g", (double)ls->link_wait_cycles / n_img);
            SETC(&lt, r, 12, "%" PRId64, ls->peak_queue_events);
            SETC(&lt, r, 13, "%lld", (long long)map->layers[l].synapse_bits);
            SETC(&lt, r, 14, "%lld", (long long)mem.membrane_bits);
        }
        free(ev);
        table ct = {0};
        if (!rc && per_core) {
            const char *ch[] = {"core", "layer", "x", "y", "channels", "tokens", "busy_cycles",
                                "mem_stall_cycles", "noc_wait_cycles", "idle_cycles",
                                "events_in_per_image", "spikes_out_per_image", "peak_queue_events",
                                "synapse_bits_used", "synapse_util_pct", "membrane_bits_used",
                                "energy_pJ"};
            ct.ncols = (int)(sizeof ch / sizeof ch[0]);
            ct.ntext = 6;
            memcpy(ct.head, ch, sizeof ch);
            double syn_bits = (double)arch->core.synapse_memory_bytes * 8;
            for (int k = 0; k < res->n_cores; k++) {
                const myelin_array_core_stats *cs = &res->cores[k];
                int r = table_row(&ct);
                if (r < 0) {
                    rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                SETC(&ct, r, 0, "%d", cs->raster);
                SETC(&ct, r, 1, "%s", wl->layers[cs->layer].name);
                SETC(&ct, r, 2, "%d", cs->x);
                SETC(&ct, r, 3, "%d", cs->y);
                SETC(&ct, r, 4, "%d-%d", cs->co_lo, cs->co_hi - 1);
                SETC(&ct, r, 5, "%d-%d", cs->tok_lo, cs->tok_hi - 1);
                SETC(&ct, r, 6, "%.6g", (double)cs->busy_cycles / n_img);
                SETC(&ct, r, 7, "%.6g", (double)cs->mem_stall_cycles / n_img);
                SETC(&ct, r, 8, "%.6g", (double)cs->noc_wait_cycles / n_img);
                SETC(&ct, r, 9, "%.6g", (double)cs->idle_cycles / n_img);
                SETC(&ct, r, 10, "%.6g", (double)cs->events_in / n_img);
                SETC(&ct, r, 11, "%.6g", (double)cs->spikes_out / n_img);
                SETC(&ct, r, 12, "%" PRId64, cs->peak_queue_events);
                SETC(&ct, r, 13, "%" PRId64, cs->synapse_bits_used);
                SETC(&ct, r, 14, "%.1f", 100.0 * (double)cs->synapse_bits_used / syn_bits);
                SETC(&ct, r, 15, "%" PRId64, cs->membrane_bits_used);
                SETC(&ct, r, 16, "%.6g", cs->energy_pj / n_img);
            }
        }
        char lcap[512];
        snprintf(lcap, sizeof lcap,
                 "SystemC cycles per image by layer (summed over its cores; span = step start to the "
                 "layer's last LIF, summed over steps); %s on %s", wl->name, arch->name);
        if (!rc && fmt == MYELIN_COST_JSON) {
            char *buf = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&buf, &len);
            if (!mem) {
                rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
            } else {
                rc = myelin_cost_report_write(srep, wl, MYELIN_COST_JSON, mem, &err);
                fclose(mem);
            }
            char *cbuf = NULL;
            size_t clen = 0;
            if (!rc) {
                FILE *cm = open_memstream(&cbuf, &clen);
                if (!cm)
                    rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
                else {
                    rc = myelin_cost_report_write(crep, wl, MYELIN_COST_JSON, cm, &err);
                    fclose(cm);
                }
            }
            if (!rc) {
                while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                    buf[--len] = 0;
                while (clen && (cbuf[clen - 1] == '\n' || cbuf[clen - 1] == ' '))
                    cbuf[--clen] = 0;
                fprintf(f, "{\n  \"mode\": \"%s\",\n  \"images\": %" PRId64 ",\n", statistical ? "statistical" : "real", res->images);
                if (!statistical)
                    fprintf(f, "  \"top1_correct\": %" PRId64 ",\n  \"top1_percent\": %.6f,\n",
                            res->top1_correct, 100.0 * (double)res->top1_correct / n_img);
                fprintf(f,
                        "  \"latency_cycles\": %.9g,\n  \"latency_s\": %.9g,\n  \"max_latency_cycles\": "
                        "%" PRId64 ",\n  \"energy_J\": %.9g,\n  \"cost_model_energy_J\": %.9g,\n"
                        "  \"energy_vs_cost_model_pct\": %.9g,\n  \"dynamic_energy_vs_cost_model_pct\": "
                        "%.9g,\n  \"cost_model_cycles\": %.9g,\n  \"packets_per_image\": %.9g,\n"
                        "  \"packet_bits\": %d,\n  \"flits_per_packet\": %d,\n"
                        "  \"peak_router_queue_flits\": %" PRId64 ",\n  \"wall_s\": %.6g,\n"
                        "  \"packets_per_s\": %.6g,\n  \"bursts_per_image\": %.9g,\n"
                        "  \"default_cost_energy_J\": %.9g,\n  \"default_cost_latency_s\": %.9g,\n"
                        "  \"energy_vs_default_cost_pct\": %.9g,\n"
                        "  \"latency_vs_default_cost_ratio\": %.9g,\n"
                        "  \"credit_stall_cycles\": %.9g,\n",
                        res->mean_latency_cycles, lat_s, res->max_latency_cycles,
                        srep->total.total_pj * 1e-12, crep->total.total_pj * 1e-12, dpct, ddyn,
                        crep->inference_cycles, (double)res->packets / n_img, res->packet_bits,
                        res->flits_per_packet, res->peak_router_queue_flits, res->wall_s, pps,
                        (double)res->bursts / n_img, drep->total.total_pj * 1e-12, drep->latency_s,
                        d_epct, d_lat, (double)res->credit_stall_cycles / n_img);
                fprintf(f, "  \"report\": %s,\n  \"cost_model_report\": %s,\n  \"layers_sim\": ",
                        buf, cbuf);
                table_write(&lt, lcap, MYELIN_COST_JSON, f);
                if (per_core) {
                    fprintf(f, ",\n  \"cores\": ");
                    table_write(&ct, "", MYELIN_COST_JSON, f);
                }
                fprintf(f, "\n}\n");
            }
            free(buf);
            free(cbuf);
        } else if (!rc) {
            if (!quiet) {
                if (fmt == MYELIN_COST_TABLE) {
                    printf("workload  %s (%s)\n", wl->name, wl->source);
                    printf("arch      %s (%s), %dx%d mesh, %d cores used\n", arch->name, arch->source,
                           arch->rows, arch->cols, map->cores_used);
                    printf("mode      %s\n", mode);
                    printf("quant     %s\n\n", q_path ? q_path : "float reference");
                }
                rc = myelin_cost_report_write(srep, wl, (myelin_cost_format)fmt, f, &err);
                fputc('\n', f);
                table_write(&lt, lcap, fmt, f);
                if (per_core) {
                    fputc('\n', f);
                    table_write(&ct, "SystemC cycles per image by core", fmt, f);
                }
                fputc('\n', f);
            }
            const char *pre = fmt == MYELIN_COST_CSV ? "# " : (fmt == MYELIN_COST_LATEX ? "% " : "");
            if (!statistical)
                fprintf(f, "%saccuracy  top-1 %.2f %% (%" PRId64 " images)\n", pre,
                        100.0 * (double)res->top1_correct / n_img, res->images);
            fprintf(f, "%slatency   %.0f cycles per inference (%.6g s at %.6g MHz; max %" PRId64
                       " cycles)\n", pre, res->mean_latency_cycles, lat_s, res->clock_hz / 1e6,
                    res->max_latency_cycles);
            fprintf(f, "%senergy    %.6g J per inference; cost model, same mapping and activity: "
                       "%.6g J (%+.2f %%; without leakage %+.2f %%; cost model cycles %.6g)\n",
                    pre, srep->total.total_pj * 1e-12, crep->total.total_pj * 1e-12, dpct, ddyn,
                    crep->inference_cycles);
            fprintf(f, "%sdefault   myelin cost with the statistical activity model (%s): %.6g J, %.6g s "
                       "(sim %+.2f %% energy, %.3fx latency)\n",
                    pre, dact.source, drep->total.total_pj * 1e-12, drep->latency_s, d_epct, d_lat);
            fprintf(f, "%snoc       %.6g packets per inference in %.6g bursts, %d-bit packets, %d flit%s "
                       "each, peak router queue %" PRId64 " flits, multicast %s, buffers %s, "
                       "credit stalls %.6g link-cycles\n",
                    pre, (double)res->packets / n_img, (double)res->bursts / n_img, res->packet_bits,
                    res->flits_per_packet, res->flits_per_packet == 1 ? "" : "s",
                    res->peak_router_queue_flits,
                    arch->noc_multicast == MYELIN_MULTICAST_TREE ? "tree" : "none",
                    arch->noc_buffer_flits > 0 ? "bounded" : "unbounded",
                    (double)res->credit_stall_cycles / n_img);
            if (!quiet)
                fprintf(f, "%sspeed     %.3f s wall, %.4g simulated packets/s, %.3g images/s, "
                           "%.4g bursts/s, %.4g SystemC process wake-ups/s (packets inside a burst "
                           "are not simulated one by one)\n",
                        pre, res->wall_s, pps, res->wall_s > 0 ? n_img / res->wall_s : 0.0,
                        res->wall_s > 0 ? (double)res->bursts / res->wall_s : 0.0,
                        res->wall_s > 0 ? (double)res->process_wakeups / res->wall_s : 0.0);
        }
        free(lt.cells);
        free(ct.cells);
        if (!rc && ferror(f))
            rc = myelin_error_set(&err, MYELIN_EIO, NULL, 0, 0, "write error on standard output");
    }
    int status = rc ? myelin_cli_fail("sim", &err) : 0;
    myelin_cost_report_free(srep);
    myelin_cost_report_free(crep);
    myelin_cost_report_free(drep);
    myelin_activity_free(&dact);
    myelin_array_result_free(res);
    myelin_activity_free(&act);
    myelin_activity_free(&meas);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    myelin_mapping_free(map);
    myelin_cost_registry_free(reg);
    myelin_arch_free(arch);
    free(lq);
    myelin_qsetting_free(qs);
    myelin_weights_free(w);
    myelin_workload_free(wl);
    return status;
}
