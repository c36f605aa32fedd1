/* cli/cmd_sweep.c — `myelin sweep`: evaluates every point of a design-space sweep (dse/sweep.h)
 * with the cost models, journaled and resumable, optionally spread over MPI ranks (rank 0 owns
 * the journal and the outputs; results are byte-identical to a serial run). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

#include "cli/cli.h"
#include "base/util.h"
#include "dse/sweep.h"
#include "workloads/workload.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin sweep SWEEP.yaml [--out DIR] [--progress] [--stop-after N]\n"
            "       mpirun -np N myelin sweep SWEEP.yaml [--out DIR]\n\n"
            "Evaluates every point of a design-space sweep with the cost models: a base architecture,\n"
            "workloads, quantization settings and parameters to vary (lists or {from, to, step}; the\n"
            "file format is in dse/README.md).  For each point: energy, latency, EDP, area, memory,\n"
            "cores, whether it fits (else the mapper's reason); the Pareto front (energy x latency x\n"
            "area, per workload and setting).\n"
            "  --out DIR        outputs (default myelin-out/sweep): points.{txt,csv,json,md,tex},\n"
            "                   pareto.{csv,md}, pareto.{gp,dat,svg}, journal.jsonl\n"
            "  --progress       points done and ETA on stderr (default: when stderr is a terminal)\n"
            "  --stop-after N   stop after N new points (exit 3); a rerun resumes from the journal\n"
            "Every point is appended to DIR/journal.jsonl as it completes; a rerun with the same inputs\n"
            "(even after kill -9) reuses them and writes identical outputs.  Under mpirun (Open MPI;\n"
            "Slurm's srun alike) points are spread over the ranks; rank 0 owns the journal and the\n"
            "outputs, which are byte-identical to a serial run.\n");
#ifdef HAVE_MPI
    fprintf(f, "MPI: built in (Open MPI)\n");
#else
    fprintf(f, "MPI: not built in (configure found no Open MPI)\n");
#endif
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int mkdir_p(const char *dir, myelin_error *err)
{
    char p[MYELIN_PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *c = p + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return myelin_error_set(err, MYELIN_EIO, p, 0, 0, "cannot create folder: %s",
                                    strerror(errno));
        *c = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return myelin_error_set(err, MYELIN_EIO, p, 0, 0, "cannot create folder: %s", strerror(errno));
    return 0;
}

/* 1 when this process was started by an MPI launcher (Open MPI, or PMI/PMIx as Slurm sets). */
static int under_mpi(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int myelin_cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},  {"progress", no_argument, NULL, 'p'},
        {"stop-after", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = "myelin-out/sweep";
    int progress = isatty(STDERR_FILENO), c;
    int64_t stop_after = 0;
    myelin_error err;
    myelin_error_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'p': progress = 1; break;
        case 's':
            if (myelin_cli_parse_count(optarg, &stop_after)) {
                myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                                 "--stop-after wants a positive integer (got '%s')", optarg);
                return myelin_cli_fail("sweep", &err);
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            return myelin_cli_bad_option("sweep", argv[optind - 1], usage);
        }
    }
    if (optind != argc - 1) {
        myelin_error_set(&err, MYELIN_EUSAGE, NULL, 0, 0,
                         optind >= argc ? "expected a sweep file (myelin sweep SWEEP.yaml)"
                                        : "expected one sweep file, got '%s' too",
                         optind < argc ? argv[optind + 1 < argc ? optind + 1 : optind] : "");
        usage(stderr);
        return myelin_cli_fail("sweep", &err);
    }
    int rank = 0, size = 1, mpi = 0;
#ifdef HAVE_MPI
    if (under_mpi()) {
        MPI_Init(NULL, NULL);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        mpi = 1;
    }
#else
    if (under_mpi())
        fprintf(stderr, "myelin sweep: note: started by an MPI launcher, but this myelin was built "
                        "without MPI; every rank runs the whole sweep\n");
#endif
    if (rank != 0)
        progress = 0;
    myelin_sweep *s = NULL;
    int rc = myelin_sweep_load(argv[optind], &s, &err);
    if (!rc && rank == 0)
        rc = mkdir_p(out, &err);
    int64_t resumed = 0, n = rc ? 0 : myelin_sweep_points(s);
    if (!rc && rank == 0)
        rc = myelin_sweep_journal(s, out, &resumed, &err);
#ifdef HAVE_MPI
    unsigned char *done = NULL;
    double *vals = NULL, *all = NULL;
    if (mpi) {
        /* everyone learns whether rank 0 got this far, then which points the journal holds */
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (!rc) {
            done = calloc((size_t)n + 1, 1);
            if (!done) {
                fprintf(stderr, "myelin sweep: out of memory\n");
                MPI_Abort(MPI_COMM_WORLD, 71);
            }
            if (rank == 0)
                for (int64_t i = 0; i < n; i++)
                    done[i] = (unsigned char)myelin_sweep_done(s, i);
            MPI_Bcast(done, (int)n, MPI_UNSIGNED_CHAR, 0, MPI_COMM_WORLD);
        }
    }
#endif
    double t0 = now_s(), last_print = 0;
    int64_t todo = 0, fresh = 0, stopped = 0;
    for (int64_t i = 0; !rc && i < n; i++)
        todo += !myelin_sweep_done(s, i);
#ifdef HAVE_MPI
    if (mpi && !rc) {
        todo = 0;
        for (int64_t i = 0; i < n; i++)
            todo += !done[i];
    }
#endif
    if (!rc && progress && resumed)
        fprintf(stderr, "myelin sweep: %" PRId64 " of %" PRId64 " points from the journal\n", resumed, n);
    /* batches of `size` points still to do: point k of a batch goes to rank k */
    int64_t next = 0;
    while (!rc && !stopped) {
        int64_t batch[1024];
        int nb = 0;
        while (next < n && nb < size && nb < 1024) {
            int d;
#ifdef HAVE_MPI
            d = mpi ? done[next] : myelin_sweep_done(s, next);
#else
            d = myelin_sweep_done(s, next);
#endif
            if (!d)
                batch[nb++] = next;
            next++;
        }
        if (nb == 0)
            break;
        int local_rc = 0;
        if (rank < nb)
            local_rc = myelin_sweep_eval(s, batch[rank], &err);
#ifdef HAVE_MPI
        if (mpi) {
            double mine[MYELIN_SWEEP_VALS + 1] = {0};
            mine[MYELIN_SWEEP_VALS] = local_rc;
            if (rank < nb && !local_rc)
                myelin_sweep_get(s, batch[rank], mine);
            if (!all)
                all = calloc((size_t)size * (MYELIN_SWEEP_VALS + 1), sizeof *all);
            if (!all)
                MPI_Abort(MPI_COMM_WORLD, 71);
            MPI_Gather(mine, MYELIN_SWEEP_VALS + 1, MPI_DOUBLE, all, MYELIN_SWEEP_VALS + 1,
                       MPI_DOUBLE, 0, MPI_COMM_WORLD);
            if (rank == 0)
                for (int k = 0; k < nb; k++) {
                    const double *v = all + (size_t)k * (MYELIN_SWEEP_VALS + 1);
                    if (v[MYELIN_SWEEP_VALS] != 0) {
                        if (!local_rc) /* rank k's message is on its stderr */
                            local_rc = myelin_error_set(&err, MYELIN_EINTERNAL, NULL, 0, 0,
                                                        "rank %d failed on point %" PRId64, k,
                                                        batch[k]);
                        break;
                    }
                    myelin_sweep_set(s, batch[k], v);
                }
            MPI_Allreduce(MPI_IN_PLACE, &local_rc, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
            if (local_rc && rank != 0)
                myelin_cli_fail("sweep", &err);
        }
#endif
        rc = local_rc;
        if (rc)
            break;
        if (rank == 0)
            for (int k = 0; k < nb && !rc; k++)
                rc = myelin_sweep_record(s, batch[k], &err);
        fresh += nb;
        if (progress && (now_s() - last_print >= 0.5 || fresh >= todo)) {
            last_print = now_s();
            double el = now_s() - t0;
            double eta = fresh > 0 ? el / (double)fresh * (double)(todo - fresh) : 0;
            fprintf(stderr, "\rmyelin sweep: %" PRId64 "/%" PRId64 " points (%" PRId64
                            " new), %.0f s elapsed, ETA %.0f s   ",
                    resumed + fresh, n, fresh, el, eta);
        }
        if (stop_after > 0 && fresh >= stop_after && fresh < todo)
            stopped = 1;
    }
    if (progress)
        fprintf(stderr, "\n");
    int plotted = 0;
    if (!rc && !stopped && rank == 0)
        rc = myelin_sweep_write(s, out, &plotted, &err);
    if (!rc && !stopped && rank == 0 && progress)
        fprintf(stderr, "myelin sweep: wrote %s/points.{txt,csv,json,md,tex}, pareto.{csv,md,gp,dat}%s\n",
                out, plotted ? ", pareto.svg" : " (no gnuplot: pareto.svg not drawn)");
    int status = 0;
    if (rc && rank == 0)
        status = myelin_cli_fail("sweep", &err);
    else if (rc)
        status = 1;
    else if (stopped) {
        if (rank == 0)
            fprintf(stderr, "myelin sweep: stopped after %" PRId64 " new points (--stop-after); "
                            "rerun to resume\n", fresh);
        status = 3;
    }
#ifdef HAVE_MPI
    free(done);
    free(all);
    free(vals);
    if (mpi)
        MPI_Finalize();
#endif
    myelin_sweep_free(s);
    return status;
}
