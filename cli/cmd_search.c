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

/* ---- options -------------------------------------------------------------------------------- */

enum { O_METHOD = 1000, O_GATE, O_GRAN, O_BITS, O_SCHEMES, O_MBITS, O_DROP, O_BEAM, O_IBITS, O_OBJ,
       O_TRAIN, O_VFT, O_VCOUNT, O_VAL, O_CALIB, O_TEST, O_OUT, O_PREFIX, O_JOURNAL, O_THREADS, O_CHECK,
       O_STOP, O_NOTIME };

typedef struct search_args {
    myelin_search_config cfg;
    const char *val, *calib, *test, *out_dir, *prefix, *journal, *train;
    long vft_n, vcount;
    uint64_t vft_seed;
    int with_timing, set_gran, set_schemes;
} search_args;

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

/* An integer option in [lo, hi] into *dst; MYELIN_EUSAGE "--NAME: expected WHAT (got ...)". */
static int int_option(myelin_cli *c, const char *arg, long lo, long hi, long *dst, const char *name,
                      const char *what)
{
    long v = 0;
    if (parse_int(arg, lo, hi, &v))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "--%s: expected %s (got '%s')", name, what, arg);
    *dst = v;
    return 0;
}

static int val_from_train(myelin_cli *c, search_args *a, const char *arg)
{
    char nbuf[32];
    const char *comma = strchr(arg, ',');
    size_t nl = comma ? (size_t)(comma - arg) : strlen(arg);
    snprintf(nbuf, sizeof nbuf, "%.*s", (int)(nl < sizeof nbuf ? nl : sizeof nbuf - 1), arg);
    if (nl >= sizeof nbuf || parse_int(nbuf, 1, 1000000, &a->vft_n) ||
        (comma && myelin_cli_parse_seed(comma + 1, &a->vft_seed)))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "--val-from-train: expected N,SEED with N 1..1000000 and SEED >= 0 (got '%s')",
                                arg);
    return 0;
}

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    search_args *a = user;
    myelin_search_config *cfg = &a->cfg;
    long v = 0;
    int rc = 0;
    switch (id) {
    case O_METHOD: return myelin_search_method_parse(arg, &cfg->method, &c->ctx.err);
    case O_GATE: return myelin_search_gate_parse(arg, cfg, &c->ctx.err);
    case O_GRAN: a->set_gran = 1; return myelin_search_granularity_parse(arg, &cfg->granularity, &c->ctx.err);
    case O_BITS: return myelin_search_bits_parse(arg, 1, 16, cfg->bits, &cfg->n_bits, &c->ctx.err);
    case O_MBITS: return myelin_search_bits_parse(arg, 2, 32, cfg->mbits, &cfg->n_mbits, &c->ctx.err);
    case O_IBITS: return myelin_search_bits_parse(arg, 2, 16, cfg->ibits, &cfg->n_ibits, &c->ctx.err);
    case O_OBJ: return myelin_search_objective_parse(arg, &cfg->objective, &c->ctx.err);
    case O_SCHEMES: a->set_schemes = 1; return myelin_search_schemes_parse(arg, cfg, &c->ctx.err);
    case O_TRAIN: a->train = arg; return 0;
    case O_VAL: a->val = arg; return 0;
    case O_CALIB: a->calib = arg; return 0;
    case O_TEST: a->test = arg; return 0;
    case O_OUT: a->out_dir = arg; return 0;
    case O_PREFIX: a->prefix = arg; return 0;
    case O_JOURNAL: a->journal = arg; return 0;
    case O_NOTIME: a->with_timing = 0; return 0;
    case O_VFT: return val_from_train(c, a, arg);
    case O_VCOUNT: return int_option(c, arg, 1, 1000000, &a->vcount, "val-count", "an integer 1..1000000");
    case O_DROP: {
        char *end = NULL;
        errno = 0;
        cfg->max_drop_pct = strtod(arg, &end);
        if (!*arg || *end || errno || !(cfg->max_drop_pct >= 0 && cfg->max_drop_pct <= 100))
            return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--max-drop: expected points between 0 and 100 (got '%s')", arg);
        return 0;
    }
    case O_BEAM: rc = int_option(c, arg, 1, 64, &v, "beam-width", "an integer 1..64"); cfg->beam_width = (int)v; break;
    case O_THREADS: rc = int_option(c, arg, 1, 256, &v, "threads", "an integer 1..256"); cfg->threads = (int)v; break;
    case O_CHECK: rc = int_option(c, arg, 0, 100000, &v, "gate-check", "an integer >= 0"); cfg->gate_check = (int)v; break;
    default: rc = int_option(c, arg, 1, 1000000000, &v, "stop-after", "a positive integer"); cfg->stop_after = v;
    }
    return rc;
}

/* ---- inputs ----------------------------------------------------------------------------------- */

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

/* The journal's fingerprint of the inputs: the workload's text, then its weights (the file's
 * bytes, "random:SEED", or the embedded ones). */
static int inputs_hash(myelin_cli *c, uint64_t *out)
{
    uint64_t h = MYELIN_FNV_INIT;
    int rc = 0;
    if (c->ctx.embedded)
        h = myelin_fnv1a64(myelin_embedded_tiny_yaml, myelin_embedded_tiny_yaml_len, h);
    else
        rc = hash_file(c->ctx.wl->source, &h, &c->ctx.err);
    const char *ws = c->weights;
    uint64_t wseed = 1;
    if (!rc && ws && !strncmp(ws, "random", 6) && (ws[6] == 0 || ws[6] == ':')) {
        char tag[64];
        if (ws[6] == ':')
            myelin_cli_parse_seed(ws + 7, &wseed); /* checked by the loader */
        snprintf(tag, sizeof tag, "random:%" PRIu64, wseed);
        h = myelin_fnv1a64(tag, strlen(tag), h);
    } else if (!rc && (ws || !c->ctx.embedded)) {
        rc = hash_file(ws ? ws : c->ctx.wl->weights_path, &h, &c->ctx.err);
    } else if (!rc) {
        h = myelin_fnv1a64(myelin_embedded_tiny_weights, myelin_embedded_tiny_weights_len, h);
    }
    *out = h;
    return rc;
}

/* The data: what the user gave, else the workload's declared splits (said on stderr), else
 * synthetic images of the workload's shape.  The spec buffers live in bufs[3][512]. */
static int resolve_data(myelin_cli *c, search_args *a, char bufs[3][512])
{
    myelin_search_config *cfg = &a->cfg;
    const myelin_workload *wl = c->ctx.wl;
    const myelin_shape in = wl->input;
    char *vbuf = bufs[0], *cbuf = bufs[1], *tbuf = bufs[2];
    const char *tr = a->train ? a->train : wl->dataset_train[0] ? wl->dataset_train : NULL;
    char said[4096] = "";
    int rc = 0;
    if (a->vft_n && !tr)
        rc = myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--val-from-train needs a train split: --train SPEC, or a workload "
                              "that declares dataset.train");
    snprintf(vbuf, 512, "%s", a->val ? a->val : "");
    snprintf(cbuf, 512, "%s", a->calib ? a->calib : "");
    snprintf(tbuf, 512, "%s", a->test ? a->test : "");
    if (!a->val && !a->vft_n && wl->dataset_val[0]) {
        snprintf(vbuf, 512, "%s", wl->dataset_val);
        cfg->val_first = (int)wl->dataset_val_first;
        cfg->val_count = (int)wl->dataset_val_count;
        if (a->vcount && (!cfg->val_count || a->vcount < cfg->val_count))
            cfg->val_count = (int)a->vcount;
        if (cfg->val_count)
            snprintf(said + strlen(said), sizeof said - strlen(said), " val %s images %d..%d;", vbuf,
                     cfg->val_first, cfg->val_first + cfg->val_count - 1);
        else
            snprintf(said + strlen(said), sizeof said - strlen(said), " val %s;", vbuf);
    } else if (!a->val && !a->vft_n && tr) {
        a->vft_n = a->vcount ? a->vcount : 1000;
        snprintf(said + strlen(said), sizeof said - strlen(said), " val 1000 images carved from %s (seed 1);", tr);
    } else if (!a->val && !a->vft_n) {
        snprintf(vbuf, 512, "synthetic:split=test,count=500,seed=2,h=%d,w=%d,c=%d,classes=%d", in.h, in.w, in.c,
                 wl->classes);
    }
    if (a->val && a->vcount)
        cfg->val_count = (int)a->vcount; /* the first N of --val */
    if (a->vft_n) {
        cfg->val_from_train = (int)a->vft_n;
        cfg->carve_seed = a->vft_seed;
        snprintf(vbuf, 512, "%s", tr);
    }
    if (!a->calib && tr) {
        cfg->calib_from_train = 32;
        snprintf(cbuf, 512, "%s", tr);
        snprintf(said + strlen(said), sizeof said - strlen(said),
                 " calib 32 images carved from %s, disjoint from the validation ones;", tr);
    } else if (!a->calib) {
        snprintf(cbuf, 512, "synthetic:split=test,count=32,seed=3,h=%d,w=%d,c=%d,classes=%d", in.h, in.w, in.c,
                 wl->classes);
    }
    if (!a->test && wl->dataset_test[0]) {
        snprintf(tbuf, 512, "%s", wl->dataset_test);
        snprintf(said + strlen(said), sizeof said - strlen(said), " test %s;", tbuf);
    } else if (!a->test) {
        snprintf(tbuf, 512, "synthetic:split=test,count=1000,seed=1,h=%d,w=%d,c=%d,classes=%d", in.h, in.w,
                 in.c, wl->classes);
    }
    if (said[0])
        fprintf(stderr, "myelin search: %s declares its dataset; using:%s\n", wl->name, said);
    cfg->train_spec = tr;
    cfg->val_spec = vbuf;
    cfg->calib_spec = cbuf;
    cfg->test_spec = tbuf;
    return rc;
}

/* Rank 0: the output folder (made, locked for the life of the process) and the journal path. */
static int prepare_out(myelin_cli *c, search_args *a, int rank, char *jpath, size_t jn)
{
    int rc = 0, lock_fd = -1; /* held until exit: one search per output folder */
    if (rank == 0)
        rc = myelin_mkdirs(a->out_dir, &c->ctx.err);
    if (!rc && rank == 0)
        rc = myelin_lock_dir(a->out_dir, &lock_fd, &c->ctx.err);
    rc = myelin_ranks_agree(rc, &c->ctx.err);
    if (!rc)
        myelin_exit_on_signals("myelin search: interrupted; every finished evaluation is in the "
                               "journal (rerun the same command to resume)");
    if (!rc && a->journal) {
        snprintf(jpath, jn, "%s", a->journal);
    } else if (!rc) {
        char rel[MYELIN_PATH_MAX];
        snprintf(rel, sizeof rel, "%sjournal.jsonl", a->prefix);
        if (myelin_path_join(a->out_dir, rel, jpath, jn))
            rc = myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, a->out_dir, 0, 0, "path too long");
    }
    a->cfg.journal_path = jpath;
    return rc;
}

/* ---- outputs ---------------------------------------------------------------------------------- */

static int print_summary(myelin_cli *c, const search_args *a, const myelin_search *s, int gp_failed)
{
    const myelin_search_config *cfg = &a->cfg;
    int table = c->format == MYELIN_REPORT_TABLE, rc = 0;
    if (!c->quiet) {
        myelin_search_figures f;
        myelin_search_get_figures(s, &f);
        if (table)
            printf("%s search on %s, %s; constraint: validation top-1 drop <= %g points\n\n",
                   myelin_search_method_name(cfg->method), c->ctx.wl->name, c->arch ? c->arch : "generic-45nm",
                   cfg->max_drop_pct);
        myelin_report *t = myelin_search_summary_table(s, a->with_timing);
        rc = t ? myelin_report_columns(t, c->columns, &c->ctx.err)
               : myelin_error_set(&c->ctx.err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        if (!rc)
            rc = myelin_report_write(t, c->format, stdout, &c->ctx.err);
        myelin_report_free(t);
        if (!rc && table)
            printf("\nchosen %s: memory saving %.2f %%, energy saving %.2f %%, validation drop %.2f points, "
                   "test drop %.2f points (test %.2f %% vs float %.2f %%)%s, %.2f average bits, "
                   "%.2fx compression;\n"
                   "%d full and %d drift evaluations; %d candidates gated out, %d skipped (not needed, "
                   "%d of them taken on a confident prediction); gate check %d/%d false rejections",
                   f.chosen_key, f.memory_saving_pct, f.energy_saving_pct, f.drop_pct, f.test_drop_pct,
                   f.chosen_test_pct, f.float_test_pct,
                   f.test_over ? " -- OVER THE CONSTRAINT on the test set" : "", f.avg_bits, f.compression,
                   f.full_evals, f.drift_evals, f.gated_out, f.skipped, f.predicted_passes,
                   f.check_false_rejections, f.check_evals);
        if (!rc && table && f.spearman_n)
            printf(";\nSpearman rank correlation with the validation drop over %d evaluated candidates: "
                   "proxy %.3f, drift alone %.3f, logit error alone %.3f",
                   f.spearman_n, f.spearman_proxy, f.spearman_drift, f.spearman_logit);
        if (!rc && table)
            printf("\n");
        if (f.test_over)
            fprintf(stderr, "myelin search: warning: the chosen setting's test drop (%.2f points) exceeds "
                            "the constraint (%.2f)\n", f.test_drop_pct, cfg->max_drop_pct);
    }
    if (!rc) {
        printf("%stables, plots and the chosen setting (%schosen.yaml) written to %s/\n",
               c->quiet || !table ? "" : "\n", a->prefix, a->out_dir);
        if (gp_failed)
            fprintf(stderr, "myelin search: gnuplot not available or failed; the .gp scripts and "
                            ".dat files are in %s\n", a->out_dir);
    }
    return rc;
}

/* Checks that need no input files: one validation source, a bare prefix; hetero's defaults. */
static int check_args(myelin_cli *c, search_args *a)
{
    if (c->npos)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c->pos[0]);
    if (a->vft_n && a->val)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "--val and --val-from-train: give one");
    if (strchr(a->prefix, '/'))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "--prefix: a file-name prefix, without '/'");
    if (a->cfg.method == MYELIN_SEARCH_HETERO) {
        if (!a->set_gran)
            a->cfg.granularity = MYELIN_SEARCH_LAYER;
        if (!a->set_schemes)
            myelin_search_schemes_parse("uniform,pot", &a->cfg, &c->ctx.err);
    }
    return 0;
}

int myelin_cmd_search(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {
        {"method", 1, O_METHOD},   {"gate", 1, O_GATE},         {"granularity", 1, O_GRAN},
        {"bits", 1, O_BITS},       {"schemes", 1, O_SCHEMES},   {"membrane-bits", 1, O_MBITS},
        {"max-drop", 1, O_DROP},   {"beam-width", 1, O_BEAM},   {"input-bits", 1, O_IBITS},
        {"objective", 1, O_OBJ},   {"train", 1, O_TRAIN},       {"val-from-train", 1, O_VFT},
        {"val-count", 1, O_VCOUNT}, {"val", 1, O_VAL},          {"calib", 1, O_CALIB},
        {"test", 1, O_TEST},       {"out", 1, O_OUT},           {"prefix", 1, O_PREFIX},
        {"journal", 1, O_JOURNAL}, {"threads", 1, O_THREADS},   {"gate-check", 1, O_CHECK},
        {"stop-after", 1, O_STOP}, {"no-timing", 0, O_NOTIME},  {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "search", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT |
                        MYELIN_OPT_SEED | MYELIN_OPT_PROGRESS);
    search_args a = {.out_dir = "myelin-out/search", .prefix = "", .vft_seed = 1, .with_timing = 1};
    myelin_search_config_default(&a.cfg);
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    a.cfg.threads = nproc < 1 ? 1 : nproc > 64 ? 64 : (int)nproc;
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (check_args(&c, &a))
        return myelin_cli_failed(&c);
    if (c.has_seed)
        a.cfg.seed = c.seed;
    a.cfg.progress = myelin_cli_progress(&c);
    /* under mpirun every rank runs the search, each evaluation's image chunks spread over them
       (search/eval.c); rank 0 owns the journal, the lock and the outputs */
    myelin_ranks_start();
    int rank = myelin_ranks_rank();
    if (rank != 0) {
        a.cfg.progress = 0;
        c.quiet = 1;
    }
    myelin_search *s = NULL;
    char apath[MYELIN_PATH_MAX] = "", jpath[MYELIN_PATH_MAX], bufs[3][512], note[512] = "";
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_weights(&c);
    if (!rc)
        rc = inputs_hash(&c, &a.cfg.inputs_hash);
    if (!rc)
        rc = resolve_data(&c, &a, bufs);
    if (!rc)
        rc = myelin_arch_resolve(c.arch ? c.arch : "generic-45nm", apath, sizeof apath, &c.ctx.err);
    a.cfg.arch_path = apath;
    if (!rc)
        rc = prepare_out(&c, &a, rank, jpath, sizeof jpath);
    else
        rc = myelin_ranks_agree(rc, &c.ctx.err);
    if (!rc) {
        rc = myelin_search_run(&a.cfg, c.ctx.wl, c.ctx.w, &s, note, sizeof note, &c.ctx.err);
        if (note[0] && rank == 0)
            fprintf(stderr, "myelin search: note: %s\n", note);
    }
    int gp_failed = 0;
    if (rc == MYELIN_SEARCH_STOPPED) {
        if (rank == 0)
            fprintf(stderr, "myelin search: %s\n", c.ctx.err.message);
        status = EXIT_STOPPED;
    } else {
        if (!rc && rank == 0)
            rc = myelin_search_write(s, a.out_dir, a.prefix, a.with_timing, &gp_failed, &c.ctx.err);
        if (!rc && rank == 0)
            rc = print_summary(&c, &a, s, gp_failed);
        status = rc ? rank == 0 ? myelin_cli_failed(&c) : 1 : 0;
    }
    myelin_search_free(s);
    myelin_cli_free(&c);
    myelin_ranks_finish();
    return status;
}
