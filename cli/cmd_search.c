/* cli/cmd_search.c — `myelin search`: per-layer quantization search (QSViT guided, AQ4SViT greedy
 * and beam with drift gating, heterogeneous uniform/power-of-two) on a workload and a core array;
 * writes the tables, the chosen setting and plots, and prints the summary. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ranks.h"
#include "cli/cli.h"
#include "base/util.h"
#include "search/request.h"
#include "search/search.h"

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

/* ---- options: the search module's table (search/request.h) ----------------------------------- */

enum { O_FIRST = 1000 };
static const char *const names[] = {"method", "gate", "granularity", "bits", "schemes", "membrane-bits",
                                    "max-drop", "beam-width", "input-bits", "objective", "train",
                                    "val-from-train", "val-count", "val", "calib", "test", "out", "prefix",
                                    "journal", "threads", "gate-check", "stop-after", "no-timing"};
enum { NNAMES = sizeof names / sizeof names[0] };

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    return myelin_search_request_set(user, names[id - O_FIRST], arg, &c->ctx.err);
}

/* Rank 0: the output folder, made and locked for the life of the process (one search per folder). */
static int prepare_out(myelin_cli *c, const myelin_search_request *a, int rank)
{
    int rc = 0, lock_fd = -1; /* held until exit */
    if (rank == 0)
        rc = myelin_mkdirs(a->out_dir, &c->ctx.err);
    if (!rc && rank == 0)
        rc = myelin_lock_dir(a->out_dir, &lock_fd, &c->ctx.err);
    rc = myelin_ranks_agree(rc, &c->ctx.err);
    if (!rc)
        myelin_exit_on_signals("myelin search: interrupted; every finished evaluation is in the "
                               "journal (rerun the same command to resume)");
    return rc;
}

/* ---- outputs ---------------------------------------------------------------------------------- */

static int print_summary(myelin_cli *c, const myelin_search_request *a, const myelin_search *s, int gp_failed)
{
    int table = c->format == MYELIN_REPORT_TABLE, rc = 0;
    if (!c->quiet) {
        myelin_search_figures f;
        myelin_search_get_figures(s, &f);
        if (table)
            myelin_search_request_write_title(a, c->ctx.wl->name, stdout);
        myelin_report *t = myelin_search_summary_table(s, a->with_timing);
        rc = t ? myelin_report_columns(t, c->columns, &c->ctx.err)
               : myelin_error_set(&c->ctx.err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        if (!rc)
            rc = myelin_report_write(t, c->format, stdout, &c->ctx.err);
        myelin_report_free(t);
        if (!rc && table)
            myelin_search_request_write_chosen(s, stdout);
        if (f.test_over)
            fprintf(stderr, "myelin search: warning: the chosen setting's test drop (%.2f points) exceeds "
                            "the constraint (%.2f)\n", f.test_drop_pct, a->cfg.max_drop_pct);
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

int myelin_cmd_search(int argc, char **argv)
{
    myelin_cli_opt own[NNAMES + 1];
    for (int k = 0; k < NNAMES; k++)
        own[k] = (myelin_cli_opt){names[k], strcmp(names[k], "no-timing") != 0, O_FIRST + k};
    own[NNAMES] = (myelin_cli_opt){NULL, 0, 0};
    myelin_cli c;
    myelin_cli_init(&c, "search", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT |
                        MYELIN_OPT_SEED | MYELIN_OPT_PROGRESS);
    myelin_search_request a;
    myelin_search_request_init(&a, "myelin-out/search", "--");
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    a.cfg.threads = nproc < 1 ? 1 : nproc > 64 ? 64 : (int)nproc;
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos)
        myelin_error_set(&c.ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c.pos[0]);
    if (c.npos || myelin_search_request_check(&a, &c.ctx.err))
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
    char note[512] = "";
    a.arch = c.arch;
    int rc = myelin_cli_load_workload(&c);
    if (!rc)
        rc = myelin_cli_load_weights(&c);
    if (!rc)
        rc = myelin_search_request_resolve(&a, c.ctx.wl, 1, &c.ctx.err);
    if (a.said[0])
        fprintf(stderr, "myelin search: %s declares its dataset; using:%s\n", c.ctx.wl->name, a.said);
    if (!rc)
        rc = myelin_context_inputs_hash(&c.ctx, c.weights, &a.cfg.inputs_hash);
    rc = rc ? myelin_ranks_agree(rc, &c.ctx.err) : prepare_out(&c, &a, rank);
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
