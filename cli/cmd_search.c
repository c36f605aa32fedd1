/* cli/cmd_search.c — `myelin search`: per-layer quantization search (QSViT guided, AQ4SViT greedy
 * and beam with drift gating, heterogeneous uniform/power-of-two) on a workload and a core array;
 * writes the tables, the chosen setting and plots, and prints the summary. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "base/ranks.h"
#include "cli/cli.h"
#include "base/util.h"
#include "models/cost.h"
#include "search/search.h"
#include "workloads/embedded.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

#define EXIT_STOPPED 3 /* --stop-after reached: rerun the same command to resume */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin search [--method greedy|beam|qsvit|hetero] [--gate none|threshold:X|topk:K|adaptive]\n"
            "                     [--granularity network|block|layer] [--bits 8,6,4,3,2]\n"
            "                     [--schemes uniform|pot|uniform,pot] [--membrane-bits 16[,12,...]]\n"
            "                     [--input-bits 8[,6,...]] [--objective memory|energy|edp]\n"
            "                     [--max-drop 1.5] [--beam-width B] [--arch A]\n"
            "                     [--workload W] [--weights F|random[:SEED]] [--train SPEC]\n"
            "                     [--val SPEC | --val-from-train N,SEED] [--calib SPEC] [--test SPEC]\n"
            "                     [--out DIR] [--prefix P]\n"
            "                     [--journal FILE] [--format table|csv|json|markdown|latex]\n"
            "                     [--threads N] [--seed S] [--gate-check N] [--stop-after N]\n"
            "                     [--progress] [--no-timing] [--quiet]\n\n"
            "Searches per-layer-group weight precisions (and optionally membrane widths) under an\n"
            "accuracy constraint: validation top-1 at most --max-drop points below the float network.\n"
            "Every candidate gets memory (parameters x bits + scales), the proxy on the calibration\n"
            "batch (membrane drift + the logits' error against the float network: sees every layer),\n"
            "and, when it earns a full evaluation, validation accuracy and energy per inference on the\n"
            "array (activity measured in its own validation run).\n"
            "  --method M        greedy (AQ4SViT, default), beam (AQ4SViT, --beam-width B, default 3),\n"
            "                    qsvit (sensitivity sweep, base setting, guided back-off),\n"
            "                    hetero (per layer: uniform or power-of-two and bits)\n"
            "  --gate G          none (every candidate fully evaluated), threshold:X (proxy <= X),\n"
            "                    topk:K (K lowest proxies per step), adaptive (default: least-squares\n"
            "                    proxy -> drop with a 95%% prediction interval; skips only confident\n"
            "                    failures; descends by proxy paid per objective saved)\n"
            "  --granularity G   network, block (default; hetero: layer) or layer groups\n"
            "  --bits LIST       weight widths to try (default 8,6,4,3,2); widths the array does not\n"
            "                    support are dropped, with a note\n"
            "  --schemes S       uniform (default; hetero: uniform,pot), pot, or uniform,pot\n"
            "  --membrane-bits L membrane widths; more than one makes them a search dimension (default 16)\n"
            "  --input-bits L    image widths of quantized settings; more than one makes them a search\n"
            "                    dimension (default 8)\n"
            "  --objective O     what the descent lowers under the constraint: memory (parameter bytes,\n"
            "                    default), energy (joules per inference on the array) or edp (energy x\n"
            "                    latency)\n"
            "  --max-drop P      allowed validation top-1 drop in points (default 1.5)\n"
            "  --arch A          core-array YAML or preset (default generic-45nm)\n"
            "  --workload W      workload YAML (default: the embedded tiny model); --weights F its weights\n"
            "                    (random[:SEED]: seeded random weights, as run and sim take them)\n"
            "  Datasets: a workload that declares `dataset: {train, val, test}` supplies the defaults\n"
            "  (said on stderr); otherwise synthetic images of the workload's shape.\n"
            "  --train SPEC      training split to carve from (default: the workload's dataset.train)\n"
            "  --val SPEC        validation set (default: the workload's dataset.val; else 1000 images\n"
            "                    carved from its train split; else synthetic:split=test,count=500,seed=2)\n"
            "  --val-from-train N,SEED  validation = the first N images of a seed-SEED permutation of the\n"
            "                    train split (written to DIR/Pval-images-idx3-ubyte for myelin run)\n"
            "  --val-count N     a reduced validation set: its first N images (of the workload's\n"
            "                    dataset.val_range, of --val, or carved)\n"
            "  --calib SPEC      calibration batch for the proxy (default: 32 images of the train split's\n"
            "                    permutation after the carved validation ones, disjoint from them; else\n"
            "                    synthetic:split=test,count=32,seed=3)\n"
            "  --test SPEC       test set for the final figures (default: the workload's dataset.test;\n"
            "                    else synthetic:split=test,count=1000,seed=1)\n"
            "  --out DIR         output folder (default myelin-out/search); --prefix P names files P*\n"
            "  --journal FILE    the resumable journal (default DIR/Pjournal.jsonl)\n"
            "  --format F        format of the summary on standard output (default table)\n"
            "  --threads N       worker threads (default: online CPUs); results do not depend on N\n"
            "  --seed S          seed of the gate check's sample (default 1)\n"
            "  --gate-check N    re-evaluate N gated-out candidates to count false rejections (default 6)\n"
            "  --stop-after N    stop after N new evaluations (exit 3; rerun to resume)\n"
            "  --progress        progress on stderr even when it is not a terminal\n"
            "  --no-timing       write '-' for the wall time so reruns give identical files\n"
            "  -q, --quiet       print only where the outputs were written\n"
            "Exit status: 0 done, 3 stopped by --stop-after, 64 usage, 65 bad data, 66 missing file,\n"
            "69 unsupported, 74 I/O.\n"
            "Under mpirun (Open MPI; Slurm's srun alike) every rank runs the search and each\n"
            "evaluation's images are dealt to the ranks in fixed chunks; rank 0 owns the journal and\n"
            "the outputs, byte-identical to a serial run.\n");
    fprintf(f, myelin_ranks_built_in() ? "MPI: built in (Open MPI)\n"
                                       : "MPI: not built in (configure found no Open MPI)\n");
}

static int usage_fail(myelin_error *err)
{
    return myelin_cli_fail("search", err);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* FNV of a file's bytes chained into h; 0 on success. */
static int hash_file(const char *path, uint64_t *h, myelin_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = myelin_read_file(path, &data, &len, err);
    if (!rc)
        *h = myelin_fnv1a64(data, len, *h);
    free(data);
    return rc;
}

int myelin_cmd_search(int argc, char **argv)
{
    enum { O_MBITS = 256, O_BEAM, O_VAL, O_CALIB, O_TEST, O_PREFIX, O_JOURNAL, O_SEED, O_CHECK,
           O_STOP, O_PROGRESS, O_NOTIME, O_WEIGHTS, O_IBITS, O_OBJ, O_TRAIN, O_VFT, O_VCOUNT };
    static const struct option opts[] = {
        {"method", required_argument, NULL, 'm'},      {"gate", required_argument, NULL, 'g'},
        {"granularity", required_argument, NULL, 'G'}, {"bits", required_argument, NULL, 'b'},
        {"schemes", required_argument, NULL, 's'},     {"membrane-bits", required_argument, NULL, O_MBITS},
        {"max-drop", required_argument, NULL, 'd'},    {"beam-width", required_argument, NULL, O_BEAM},
        {"arch", required_argument, NULL, 'a'},        {"workload", required_argument, NULL, 'w'},
        {"weights", required_argument, NULL, O_WEIGHTS}, {"input-bits", required_argument, NULL, O_IBITS},
        {"objective", required_argument, NULL, O_OBJ}, {"train", required_argument, NULL, O_TRAIN},
        {"val-from-train", required_argument, NULL, O_VFT}, {"val-count", required_argument, NULL, O_VCOUNT},
        {"val", required_argument, NULL, O_VAL},       {"calib", required_argument, NULL, O_CALIB},
        {"test", required_argument, NULL, O_TEST},     {"out", required_argument, NULL, 'o'},
        {"prefix", required_argument, NULL, O_PREFIX}, {"journal", required_argument, NULL, O_JOURNAL},
        {"format", required_argument, NULL, 'f'},      {"threads", required_argument, NULL, 'j'},
        {"seed", required_argument, NULL, O_SEED},     {"gate-check", required_argument, NULL, O_CHECK},
        {"stop-after", required_argument, NULL, O_STOP}, {"progress", no_argument, NULL, O_PROGRESS},
        {"no-timing", no_argument, NULL, O_NOTIME},    {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    myelin_search_config cfg;
    myelin_search_config_default(&cfg);
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads = nproc < 1 ? 1 : nproc > 64 ? 64 : (int)nproc;
    const char *arch_arg = "generic-45nm", *wl_path = NULL, *weights_path = NULL;
    const char *val = NULL, *calib = NULL, *test = NULL, *out_dir = "myelin-out/search", *prefix = "";
    const char *journal = NULL, *train = NULL;
    long vft_n = 0, vcount = 0;
    uint64_t vft_seed = 1;
    int fmt = MYELIN_COST_TABLE, quiet = 0, force_progress = 0, with_timing = 1;
    int set_gran = 0, set_schemes = 0;
    myelin_error err;
    myelin_error_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    long v = 0; /* set by parse_int on success; -O3 cannot see that */
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'm': rc = myelin_search_method_parse(optarg, &cfg.method, &err); break;
        case 'g': rc = myelin_search_gate_parse(optarg, &cfg, &err); break;
        case 'G':
            rc = myelin_search_granularity_parse(optarg, &cfg.granularity, &err);
            set_gran = 1;
            break;
        case 'b': rc = myelin_search_bits_parse(optarg, 1, 16, cfg.bits, &cfg.n_bits, &err); break;
        case O_MBITS: rc = myelin_search_bits_parse(optarg, 2, 32, cfg.mbits, &cfg.n_mbits, &err); break;
        case O_IBITS: rc = myelin_search_bits_parse(optarg, 2, 16, cfg.ibits, &cfg.n_ibits, &err); break;
        case O_OBJ: rc = myelin_search_objective_parse(optarg, &cfg.objective, &err); break;
        case O_TRAIN: train = optarg; break;
        case O_VCOUNT:
            if (parse_int(optarg, 1, 1000000, &vcount))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--val-count: expected an integer 1..1000000 (got '%s')", optarg);
            break;
        case O_VFT: {
            char nbuf[32];
            const char *comma = strchr(optarg, ',');
            size_t nl = comma ? (size_t)(comma - optarg) : strlen(optarg);
            snprintf(nbuf, sizeof nbuf, "%.*s", (int)(nl < sizeof nbuf ? nl : sizeof nbuf - 1), optarg);
            if (nl >= sizeof nbuf || parse_int(nbuf, 1, 1000000, &vft_n) ||
                (comma && myelin_cli_parse_seed(comma + 1, &vft_seed)))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--val-from-train: expected N,SEED with N 1..1000000 and SEED >= 0 "
                                      "(got '%s')", optarg);
            break;
        }
        case 's':
            rc = myelin_search_schemes_parse(optarg, &cfg, &err);
            set_schemes = 1;
            break;
        case 'd': {
            char *end = NULL;
            errno = 0;
            cfg.max_drop_pct = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(cfg.max_drop_pct >= 0 && cfg.max_drop_pct <= 100))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--max-drop: expected points between 0 and 100 (got '%s')", optarg);
            break;
        }
        case O_BEAM:
            if (parse_int(optarg, 1, 64, &v))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--beam-width: expected an integer 1..64 (got '%s')", optarg);
            cfg.beam_width = (int)v;
            break;
        case 'a': arch_arg = optarg; break;
        case 'w': wl_path = optarg; break;
        case O_WEIGHTS: weights_path = optarg; break;
        case O_VAL: val = optarg; break;
        case O_CALIB: calib = optarg; break;
        case O_TEST: test = optarg; break;
        case 'o': out_dir = optarg; break;
        case O_PREFIX: prefix = optarg; break;
        case O_JOURNAL: journal = optarg; break;
        case 'f':
            fmt = myelin_cost_format_parse(optarg);
            if (fmt < 0)
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--format: expected table, csv, json, markdown or latex (got '%s')",
                                      optarg);
            break;
        case 'j':
            if (parse_int(optarg, 1, 256, &v))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--threads: expected an integer 1..256 (got '%s')", optarg);
            cfg.threads = (int)v;
            break;
        case O_SEED: {
            char *end = NULL;
            errno = 0;
            unsigned long long sv = strtoull(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || errno)
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--seed: expected a non-negative integer (got '%s')", optarg);
            cfg.seed = sv;
            break;
        }
        case O_CHECK:
            if (parse_int(optarg, 0, 100000, &v))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--gate-check: expected an integer >= 0 (got '%s')", optarg);
            cfg.gate_check = (int)v;
            break;
        case O_STOP:
            if (parse_int(optarg, 1, 1000000000, &v))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "--stop-after: expected a positive integer (got '%s')", optarg);
            cfg.stop_after = v;
            break;
        case O_PROGRESS: force_progress = 1; break;
        case O_NOTIME: with_timing = 0; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unknown or incomplete option '%s'",
                             argv[optind - 1]);
            usage(stderr);
            return usage_fail(&err);
        }
        if (rc)
            return usage_fail(&err);
    }
    if (optind < argc) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
        return usage_fail(&err);
    }
    /* --weights random[:SEED], as run and sim take it */
    int random_weights = 0;
    uint64_t wseed = 1;
    if (weights_path && strncmp(weights_path, "random", 6) == 0 &&
        (weights_path[6] == 0 || weights_path[6] == ':')) {
        random_weights = 1;
        if (weights_path[6] == ':' && myelin_cli_parse_seed(weights_path + 7, &wseed)) {
            myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                             "--weights random:SEED wants a non-negative integer seed (got '%s')",
                             weights_path);
            return usage_fail(&err);
        }
    }
    if (vft_n && val) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "--val and --val-from-train: give one");
        return usage_fail(&err);
    }
    if (strchr(prefix, '/')) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0, "--prefix: a file-name prefix, without '/'");
        return usage_fail(&err);
    }
    if (cfg.method == MYELIN_SEARCH_HETERO) {
        if (!set_gran)
            cfg.granularity = MYELIN_SEARCH_LAYER;
        if (!set_schemes)
            myelin_search_schemes_parse("uniform,pot", &cfg, &err);
    }
    cfg.progress = !quiet && (force_progress || isatty(STDERR_FILENO));
    /* under mpirun every rank runs the search, each evaluation's image chunks spread over them
       (search/eval.c); rank 0 owns the journal, the lock and the outputs */
    myelin_ranks_start();
    int rank = myelin_ranks_rank();
    if (rank != 0) {
        cfg.progress = 0;
        quiet = 1;
    }

    myelin_workload *wl = NULL;
    myelin_weights *w = NULL;
    myelin_search *s = NULL;
    char apath[MYELIN_PATH_MAX], jpath[MYELIN_PATH_MAX], vbuf[512], cbuf[512], tbuf[512];
    char note[512] = "";
    uint64_t h = MYELIN_FNV_INIT;
    int rc = 0;
    char wres[MYELIN_PATH_MAX];
    if (wl_path) {
        rc = myelin_cli_resolve_workload(wl_path, wres, sizeof wres, &err);
        if (!rc)
            rc = myelin_workload_load(wres, &wl, &err);
        if (!rc)
            rc = hash_file(wres, &h, &err);
    } else {
        rc = myelin_workload_load_string((const char *)myelin_embedded_tiny_yaml, "<embedded>", &wl, &err);
        h = myelin_fnv1a64(myelin_embedded_tiny_yaml, myelin_embedded_tiny_yaml_len, h);
    }
    if (!rc && random_weights) {
        rc = myelin_weights_random(wl, wseed, &w, &err);
        char tag[64];
        snprintf(tag, sizeof tag, "random:%" PRIu64, wseed);
        h = myelin_fnv1a64(tag, strlen(tag), h);
    } else if (!rc && wl_path) {
        const char *wp = weights_path ? weights_path : wl->weights_path;
        if (!*wp)
            rc = myelin_error_set(&err, MYELIN_EMISSING, wl->source, 0, 0,
                                  "workload %s names no weights file; pass --weights FILE or "
                                  "--weights random[:SEED]", wl->name);
        if (!rc)
            rc = myelin_weights_load(wl, wp, &w, &err);
        if (!rc)
            rc = hash_file(wp, &h, &err);
    } else if (!rc) {
        if (weights_path) {
            rc = myelin_weights_load(wl, weights_path, &w, &err);
            if (!rc)
                rc = hash_file(weights_path, &h, &err);
        } else {
            rc = myelin_weights_load_memory(wl, myelin_embedded_tiny_weights,
                                            myelin_embedded_tiny_weights_len, "<embedded>", &w, &err);
            h = myelin_fnv1a64(myelin_embedded_tiny_weights, myelin_embedded_tiny_weights_len, h);
        }
    }
    cfg.inputs_hash = h;
    if (!rc) {
        const myelin_shape in = wl->input;
        const char *tr = train ? train : wl->dataset_train[0] ? wl->dataset_train : NULL;
        char said[1024] = "";
        if (vft_n && !tr)
            rc = myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                  "--val-from-train needs a train split: --train SPEC, or a workload "
                                  "that declares dataset.train");
        snprintf(vbuf, sizeof vbuf, "%s", val ? val : "");
        snprintf(cbuf, sizeof cbuf, "%s", calib ? calib : "");
        snprintf(tbuf, sizeof tbuf, "%s", test ? test : "");
        if (!val && !vft_n && wl->dataset_val[0]) {
            snprintf(vbuf, sizeof vbuf, "%s", wl->dataset_val);
            cfg.val_first = (int)wl->dataset_val_first;
            cfg.val_count = (int)wl->dataset_val_count;
            if (vcount && (!cfg.val_count || vcount < cfg.val_count))
                cfg.val_count = (int)vcount;
            if (cfg.val_count)
                snprintf(said + strlen(said), sizeof said - strlen(said), " val %s images %d..%d;",
                         vbuf, cfg.val_first, cfg.val_first + cfg.val_count - 1);
            else
                snprintf(said + strlen(said), sizeof said - strlen(said), " val %s;", vbuf);
        } else if (!val && !vft_n && tr) {
            vft_n = vcount ? vcount : 1000;
            snprintf(said + strlen(said), sizeof said - strlen(said),
                     " val 1000 images carved from %s (seed 1);", tr);
        } else if (!val && !vft_n) {
            snprintf(vbuf, sizeof vbuf, "synthetic:split=test,count=500,seed=2,h=%d,w=%d,c=%d,classes=%d",
                     in.h, in.w, in.c, wl->classes);
        }
        if (val && vcount)
            cfg.val_count = (int)vcount; /* the first N of --val */
        if (vft_n) {
            cfg.val_from_train = (int)vft_n;
            cfg.carve_seed = vft_seed;
            snprintf(vbuf, sizeof vbuf, "%s", tr);
        }
        if (!calib && tr) {
            cfg.calib_from_train = 32;
            snprintf(cbuf, sizeof cbuf, "%s", tr);
            snprintf(said + strlen(said), sizeof said - strlen(said),
                     " calib 32 images carved from %s, disjoint from the validation ones;", tr);
        } else if (!calib) {
            snprintf(cbuf, sizeof cbuf, "synthetic:split=test,count=32,seed=3,h=%d,w=%d,c=%d,classes=%d",
                     in.h, in.w, in.c, wl->classes);
        }
        if (!test && wl->dataset_test[0]) {
            snprintf(tbuf, sizeof tbuf, "%s", wl->dataset_test);
            snprintf(said + strlen(said), sizeof said - strlen(said), " test %s;", tbuf);
        } else if (!test) {
            snprintf(tbuf, sizeof tbuf, "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d",
                     in.h, in.w, in.c, wl->classes);
        }
        if (said[0])
            fprintf(stderr, "myelin search: %s declares its dataset; using:%s\n", wl->name, said);
        cfg.train_spec = tr;
        cfg.val_spec = vbuf;
        cfg.calib_spec = cbuf;
        cfg.test_spec = tbuf;
        if (!rc)
            rc = myelin_arch_resolve(arch_arg, apath, sizeof apath, &err);
        cfg.arch_path = apath;
    }
    if (!rc && rank == 0)
        rc = myelin_mkdirs(out_dir, &err);
    int lock_fd = -1; /* held until exit: one search per output folder */
    if (!rc && rank == 0)
        rc = myelin_lock_dir(out_dir, &lock_fd, &err);
    rc = myelin_ranks_agree(rc, &err);
    if (!rc)
        myelin_exit_on_signals("myelin search: interrupted; every finished evaluation is in the "
                               "journal (rerun the same command to resume)");
    if (!rc) {
        if (journal) {
            snprintf(jpath, sizeof jpath, "%s", journal);
        } else {
            char rel[MYELIN_PATH_MAX];
            snprintf(rel, sizeof rel, "%sjournal.jsonl", prefix);
            if (myelin_path_join(out_dir, rel, jpath, sizeof jpath))
                rc = myelin_error_set(&err, MYELIN_EUSAGE, out_dir, 0, 0, "path too long");
        }
        cfg.journal_path = jpath;
    }
    if (!rc) {
        rc = myelin_search_run(&cfg, wl, w, &s, note, sizeof note, &err);
        if (note[0] && rank == 0)
            fprintf(stderr, "myelin search: note: %s\n", note);
    }
    if (rc == MYELIN_SEARCH_STOPPED) {
        if (rank == 0)
            fprintf(stderr, "myelin search: %s\n", err.message);
        myelin_weights_free(w);
        myelin_workload_free(wl);
        myelin_ranks_finish();
        return EXIT_STOPPED;
    }
    int gp_failed = 0;
    if (!rc && rank == 0)
        rc = myelin_search_write(s, out_dir, prefix, with_timing, &gp_failed, &err);
    if (!rc && rank == 0) {
        if (!quiet) {
            myelin_search_figures f;
            myelin_search_get_figures(s, &f);
            if (fmt == MYELIN_COST_TABLE)
                printf("%s search on %s, %s; constraint: validation top-1 drop <= %g points\n\n",
                       myelin_search_method_name(cfg.method), wl->name, arch_arg, cfg.max_drop_pct);
            rc = myelin_search_write_summary(s, fmt, with_timing, stdout, &err);
            if (!rc && fmt == MYELIN_COST_TABLE)
                printf("\nchosen %s: memory saving %.2f %%, energy saving %.2f %%, validation drop %.2f points, "
                       "test drop %.2f points (test %.2f %% vs float %.2f %%)%s, %.2f average bits, "
                       "%.2fx compression;\n"
                       "%d full and %d drift evaluations; %d candidates gated out, %d skipped (not needed, "
                       "%d of them taken on a confident prediction); gate check %d/%d false rejections",
                       f.chosen_key, f.memory_saving_pct, f.energy_saving_pct, f.drop_pct, f.test_drop_pct,
                       f.chosen_test_pct, f.float_test_pct,
                       f.test_over ? " -- OVER THE CONSTRAINT on the test set" : "", f.avg_bits,
                       f.compression, f.full_evals, f.drift_evals, f.gated_out, f.skipped,
                       f.predicted_passes, f.check_false_rejections, f.check_evals);
            if (!rc && fmt == MYELIN_COST_TABLE && f.spearman_n)
                printf(";\nSpearman rank correlation with the validation drop over %d evaluated candidates: "
                       "proxy %.3f, drift alone %.3f, logit error alone %.3f",
                       f.spearman_n, f.spearman_proxy, f.spearman_drift, f.spearman_logit);
            if (!rc && fmt == MYELIN_COST_TABLE)
                printf("\n");
            if (f.test_over)
                fprintf(stderr, "myelin search: warning: the chosen setting's test drop (%.2f points) exceeds "
                                "the constraint (%.2f)\n", f.test_drop_pct, cfg.max_drop_pct);
        }
        if (!rc) {
            printf("%stables, plots and the chosen setting (%schosen.yaml) written to %s/\n",
                   quiet || fmt != MYELIN_COST_TABLE ? "" : "\n", prefix, out_dir);
            if (gp_failed)
                fprintf(stderr, "myelin search: gnuplot not available or failed; the .gp scripts and "
                                ".dat files are in %s\n", out_dir);
        }
    }
    int status = rc ? rank == 0 ? myelin_cli_fail("search", &err) : 1 : 0;
    myelin_search_free(s);
    myelin_weights_free(w);
    myelin_workload_free(wl);
    myelin_ranks_finish();
    return status;
}
