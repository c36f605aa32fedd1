/* cli/cmd_run.c — `myelin run`: a workload over a dataset through the functional engine; prints
 * accuracy and per-layer activity, optionally drift, logits CSV, a JSON summary, exported weights. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/util.h"
#include "models/cost.h"
#include "sim/engine.h"
#include "sim/engine_par.h"
#include "workloads/dataset.h"
#include "workloads/embedded.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin run [--workload W] [--weights F.safetensors|random[:SEED]]\n"
            "                  [--dataset SPEC] [--quant Q.yaml] [--limit N] [--drift]\n"
            "                  [--logits FILE.csv] [--json FILE.json] [--export-weights F.safetensors]\n"
            "                  [--input-bits B] [--threads N] [--quiet]\n\n"
            "Runs a workload over a dataset in the bit-accurate functional engine.\n"
            "  --workload W           workload YAML or zoo name (default: the embedded tiny model)\n"
            "  --weights F|random[:S] safetensors state_dict, or seeded random weights (default: the\n"
            "                         workload's weights file)\n"
            "  --dataset SPEC         CIFAR-10 .bin, IDX file (.gz too), fashion-mnist:split=test,\n"
            "                         or synthetic:... (default\n"
            "                         synthetic:split=test,count=1000,seed=1 at the workload's shape)\n"
            "  --quant Q.yaml         quantization setting (default: float reference)\n"
            "  --input-bits B         bits of the quantized image, 2..16 (overrides the setting's\n"
            "                         input_bits; unsigned codes with a zero point)\n"
            "  --limit N              run at most N images\n"
            "  --drift                also run the float reference per image; report membrane drift\n"
            "  --logits FILE.csv      one row per image: index,label,logit_0..logit_{K-1}\n"
            "  --json FILE.json       summary (no timing, so reruns are byte-identical)\n"
            "  --export-weights F     write the float, BN-folded weights as safetensors\n"
            "  --threads N            worker threads over images (default: online CPUs); results\n"
            "                         are byte-identical for any N\n"
            "  -q, --quiet            print only the accuracy line\n");
}

/* The default model's bytes, compiled in by tools/bin2c (workloads/embedded.h), so `myelin run`
 * needs no file on disk.  (A NULL yaml_text would make it fall back to the source tree:
 * $MYELIN_SRCDIR/workloads/zoo/tiny.yaml, else ./workloads/zoo/tiny.yaml.) */
static int default_model(const char **yaml_text, const void **weights, size_t *weights_len)
{
    *yaml_text = (const char *)myelin_embedded_tiny_yaml;
    *weights = myelin_embedded_tiny_weights;
    *weights_len = myelin_embedded_tiny_weights_len;
    return 0;
}

/* A growing text buffer (the logits CSV). */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
}

typedef struct run_ctx {
    sbuf logits;
    int want_logits;
    int progress;
    int64_t total;
} run_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes)
{
    run_ctx *c = user;
    if (c->want_logits) {
        sb_printf(&c->logits, "%" PRId64 ",%d", index, label);
        for (int k = 0; k < classes; k++)
            sb_printf(&c->logits, ",%.9g", logits[k]);
        sb_printf(&c->logits, "\n");
    }
    if (c->progress && (index % 50 == 49 || index + 1 == c->total))
        fprintf(stderr, "\rmyelin run: %" PRId64 "/%" PRId64 " images", index + 1, c->total);
    return c->logits.oom;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static int has_lif(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
           ly->kind == MYELIN_LAYER_ATTN;
}

int myelin_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"workload", required_argument, NULL, 'w'}, {"weights", required_argument, NULL, 'W'},
        {"dataset", required_argument, NULL, 'd'},  {"quant", required_argument, NULL, 'u'},
        {"limit", required_argument, NULL, 'n'},    {"drift", no_argument, NULL, 'D'},
        {"logits", required_argument, NULL, 'l'},   {"json", required_argument, NULL, 'j'},
        {"export-weights", required_argument, NULL, 'x'}, {"input-bits", required_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *wl_path = NULL, *weights_spec = NULL, *ds_spec = NULL, *q_path = NULL;
    const char *logits_path = NULL, *json_path = NULL, *export_path = NULL;
    int64_t limit = 0;
    int drift = 0, quiet = 0, c, input_bits = 0;
    int threads = myelin_engine_default_threads();
    int64_t threads_arg = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wl_path = optarg; break;
        case 'W': weights_spec = optarg; break;
        case 'd': ds_spec = optarg; break;
        case 'u': q_path = optarg; break;
        case 'n':
            if (myelin_cli_parse_count(optarg, &limit)) {
                fprintf(stderr, "myelin run: --limit wants a positive integer (got '%s')\n", optarg);
                usage(stderr);
                return 64;
            }
            break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 2 || v > 16) {
                fprintf(stderr, "myelin run: --input-bits must be between 2 and 16 inclusive (got "
                                "'%s')\n", optarg);
                usage(stderr);
                return 64;
            }
            input_bits = (int)v;
            break;
        }
        case 'D': drift = 1; break;
        case 'l': logits_path = optarg; break;
        case 'j': json_path = optarg; break;
        case 'x': export_path = optarg; break;
        case 't':
            if (myelin_cli_parse_count(optarg, &threads_arg) ||
                threads_arg > MYELIN_ENGINE_MAX_THREADS) {
                fprintf(stderr, "myelin run: --threads wants an integer 1..%d (got '%s')\n",
                        MYELIN_ENGINE_MAX_THREADS, optarg);
                usage(stderr);
                return 64;
            }
            threads = (int)threads_arg;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            return myelin_cli_bad_option("run", argv[optind - 1], usage);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "myelin run: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 64;
    }
    {   /* two outputs into one file would silently overwrite each other */
        const char *outs[3] = {logits_path, json_path, export_path};
        static const char *const opt_names[3] = {"--logits", "--json", "--export-weights"};
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                if (outs[a] && outs[b] && strcmp(outs[a], outs[b]) == 0) {
                    fprintf(stderr, "myelin run: %s and %s name the same file '%s'\n", opt_names[a],
                            opt_names[b], outs[a]);
                    return 64;
                }
    }

    /* --weights random[:SEED] */
    int random_weights = 0;
    uint64_t seed = 1;
    if (weights_spec && strncmp(weights_spec, "random", 6) == 0 &&
        (weights_spec[6] == 0 || weights_spec[6] == ':')) {
        random_weights = 1;
        if (weights_spec[6] == ':' && myelin_cli_parse_seed(weights_spec + 7, &seed)) {
            fprintf(stderr, "myelin run: --weights random:SEED wants a non-negative integer seed "
                            "(got '%s')\n", weights_spec);
            usage(stderr);
            return 64;
        }
    }

    myelin_error err;
    myelin_error_clear(&err);
    myelin_workload *wl = NULL;
    myelin_weights *w = NULL;
    myelin_qsetting *qs = NULL;
    myelin_layer_quant *lq = NULL;
    myelin_engine *e = NULL;
    myelin_dataset *ds = NULL;
    myelin_engine_summary sum;
    memset(&sum, 0, sizeof sum);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    char path[MYELIN_PATH_MAX], dspec[512], weights_desc[MYELIN_PATH_MAX + 32];
    int rc = 0;

    /* workload: --workload, the built-in model, or the source tree's tiny.yaml */
    const char *def_yaml = NULL;
    const void *def_w = NULL;
    size_t def_w_len = 0;
    if (wl_path) {
        rc = myelin_cli_resolve_workload(wl_path, path, sizeof path, &err);
        if (!rc)
            rc = myelin_workload_load(path, &wl, &err);
    } else {
        default_model(&def_yaml, &def_w, &def_w_len);
        if (def_yaml) {
            rc = myelin_workload_load_string(def_yaml, "<embedded>", &wl, &err);
        } else {
            const char *src = getenv("MYELIN_SRCDIR");
            snprintf(path, sizeof path, "%s/workloads/zoo/tiny.yaml", src && *src ? src : ".");
            rc = myelin_workload_load(path, &wl, &err);
        }
    }
    /* weights */
    if (rc == 0) {
        if (random_weights) {
            snprintf(weights_desc, sizeof weights_desc, "random (seed %" PRIu64 ")", seed);
            rc = myelin_weights_random(wl, seed, &w, &err);
        } else if (weights_spec) {
            snprintf(weights_desc, sizeof weights_desc, "%s", weights_spec);
            rc = myelin_weights_load(wl, weights_spec, &w, &err);
        } else if (!wl_path && def_w) {
            snprintf(weights_desc, sizeof weights_desc, "<embedded>");
            rc = myelin_weights_load_memory(wl, def_w, def_w_len, "<embedded>", &w, &err);
        } else if (wl->weights_path[0]) {
            snprintf(weights_desc, sizeof weights_desc, "%s", wl->weights_path);
            rc = myelin_weights_load(wl, wl->weights_path, &w, &err);
        } else {
            rc = myelin_error_set(&err, MYELIN_EMISSING, wl->source, 0, 0,
                                  "workload %s names no weights file; pass --weights FILE or "
                                  "--weights random[:SEED]", wl->name);
        }
    }
    /* quantization */
    if (rc == 0)
        rc = q_path ? myelin_qsetting_load(q_path, &qs, &err) : myelin_qsetting_float(&qs, &err);
    if (rc == 0 && input_bits)
        rc = myelin_qsetting_set_input_bits(qs, input_bits, &err);
    if (rc == 0) {
        lq = calloc((size_t)wl->n_layers, sizeof *lq);
        rc = lq ? myelin_qsetting_resolve(qs, wl, lq, &err)
                : myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == 0)
        rc = myelin_engine_new(wl, w, lq, myelin_qsetting_input_bits(qs), &e, &err);
    if (rc == 0 && export_path)
        rc = myelin_weights_save(wl, w, export_path, &err);
    /* dataset */
    if (rc == 0) {
        if (ds_spec)
            snprintf(dspec, sizeof dspec, "%s", ds_spec);
        else
            snprintf(dspec, sizeof dspec, "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,"
                     "classes=%d", wl->input.h, wl->input.w, wl->input.c, wl->classes);
        rc = myelin_dataset_open_shaped(dspec, wl->input.c, wl->input.h, wl->input.w, &ds, &err);
    }
    /* CPU time too: on a shared machine it still says what the images cost */
    double t0 = now_s(), elapsed_s = 0, cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), cpu_s = 0;
    if (rc == 0) {
        myelin_dataset_info info;
        myelin_dataset_info_get(ds, &info);
        ctx.total = (limit > 0 && limit < info.count) ? limit : info.count;
        ctx.want_logits = logits_path != NULL;
        ctx.progress = !quiet && isatty(STDERR_FILENO);
        if (ctx.want_logits) {
            sb_printf(&ctx.logits, "index,label");
            for (int k = 0; k < wl->classes; k++)
                sb_printf(&ctx.logits, ",logit_%d", k);
            sb_printf(&ctx.logits, "\n");
        }
        if (!quiet) {
            printf("workload  %s (%s)\n", wl->name, wl->source);
            printf("weights   %s\n", weights_desc);
            printf("dataset   %s (%" PRId64 " of %" PRId64 " images)\n", info.description,
                   ctx.total, info.count);
            printf("quant     %s (input %d bits)\n", q_path ? q_path : "float reference",
                   myelin_qsetting_input_bits(qs));
        }
        rc = myelin_engine_run_dataset_threads(e, ds, limit, drift, threads, on_image, &ctx, &sum,
                                               &err);
        if (ctx.progress)
            fprintf(stderr, "\n");
        if (rc && ctx.logits.oom)
            rc = myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory for logits");
        elapsed_s = now_s() - t0;
        cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    }
    int T = wl ? wl->timesteps : 1;
    double n_img = sum.images > 0 ? (double)sum.images : 1.0;
    double top1 = 100.0 * (double)sum.top1_correct / n_img;
    double top5 = 100.0 * (double)sum.top5_correct / n_img;
    double drift_mean = 0, drift_max = 0;
    if (rc == 0 && drift)
        myelin_drift_summary(wl, sum.drift, &drift_mean, &drift_max);
    if (rc == 0 && !quiet) {
        char b1[16], b2[16];
        printf("\n%-22s %-7s %6s %6s %16s %8s %8s %8s%s\n", "layer", "kind", "w_bits", "m_bits",
               "spikes/img/step", "rate_%", "Xsat_%", "Hsat_%", drift ? "   drift  mismatch_%" : "");
        for (int i = 0; i < wl->n_layers; i++) {
            const myelin_layer *ly = &wl->layers[i];
            const myelin_layer_quant *q = myelin_engine_layer_quant(e, i);
            int syn = ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
                      ly->kind == MYELIN_LAYER_HEAD;
            int64_t s = 0;
            for (int t = 0; t < T; t++)
                s += sum.spikes[(int64_t)i * T + t];
            double per = (double)s / n_img / T;
            printf("%-22s %-7s %6s %6s", ly->name, myelin_layer_kind_name(ly->kind),
                   syn ? myelin_bits_str(q->weight_bits, b1, sizeof b1) : "-",
                   has_lif(ly) ? myelin_bits_str(q->membrane_bits, b2, sizeof b2) : "-");
            if (has_lif(ly)) {
                double neurons = (double)myelin_layer_neurons(ly);
                printf(" %16.1f %8.2f", per, neurons > 0 ? 100.0 * per / neurons : 0.0);
                const int64_t *sat = sum.sat + 3 * (int64_t)i;
                if (sat[2] > 0 && q->membrane_bits != MYELIN_BITS_FLOAT)
                    printf(" %8.3f %8.3f", 100.0 * (double)sat[0] / (double)sat[2],
                           100.0 * (double)sat[1] / (double)sat[2]);
                else
                    printf(" %8s %8s", "-", "-");
                if (drift && sum.drift[i].samples)
                    printf(" %8.4f %10.3f", sum.drift[i].abs_dh_sum / (double)sum.drift[i].samples,
                           100.0 * (double)sum.drift[i].mismatches / (double)sum.drift[i].samples);
            } else if (ly->kind != MYELIN_LAYER_HEAD) {
                printf(" %16.1f %8s %8s %8s", per, "-", "-", "-");
            }
            printf("\n");
        }
        int64_t xs = 0, hs = 0;
        for (int i = 0; i < wl->n_layers; i++) {
            xs += sum.sat[3 * (int64_t)i];
            hs += sum.sat[3 * (int64_t)i + 1];
        }
        printf("\nsaturated %" PRId64 " currents X, %" PRId64 " membranes H (integer-membrane LIF "
               "updates clamped to the membrane width)\n", xs, hs);
        if (drift)
            printf("\ndrift     mean %.4f, max %.4f (|H_q - H_ref| / V_th over LIF layers)\n",
                   drift_mean, drift_max);
    }
    if (rc == 0) {
        if (sum.has_top5)
            printf("%saccuracy  top-1 %.2f %%, top-5 %.2f %% (%" PRId64 " images)\n",
                   quiet ? "" : "\n", top1, top5, sum.images);
        else
            printf("%saccuracy  top-1 %.2f %% (%" PRId64 " images)\n", quiet ? "" : "\n", top1,
                   sum.images);
        if (!quiet)
            printf("speed     %.1f images/s, %.3f s total, %d thread%s, %.3f CPU s\n",
                   elapsed_s > 0 ? (double)sum.images / elapsed_s : 0.0, elapsed_s, threads,
                   threads == 1 ? "" : "s", cpu_s);
    }
    if (rc == 0 && logits_path) {
        rc = ctx.logits.oom ? myelin_error_set(&err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory")
                            : myelin_write_file_atomic(logits_path, ctx.logits.p, ctx.logits.len,
                                                       &err);
    }
    if (rc == 0 && json_path) {
        /* the activity file (models/cost.h); no wall time, so reruns are byte-identical */
        myelin_run_info ri = {weights_desc, dspec, q_path ? q_path : "float",
                              myelin_qsetting_input_bits(qs), drift};
        char *jp = NULL;
        size_t jl = 0;
        rc = myelin_activity_run_json(wl, e, &sum, &ri, &jp, &jl, &err);
        if (rc == 0)
            rc = myelin_write_file_atomic(json_path, jp, jl, &err);
        free(jp);
    }
    int status = rc ? myelin_cli_fail("run", &err) : 0;
    free(ctx.logits.p);
    myelin_engine_summary_free(&sum);
    myelin_dataset_close(ds);
    myelin_engine_free(e);
    free(lq);
    myelin_qsetting_free(qs);
    myelin_weights_free(w);
    myelin_workload_free(wl);
    return status;
}
