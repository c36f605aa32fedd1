/* base/ranks.c — owns the run's MPI processes: start/stop, rank and size, the exact collectives
 * and the batch loop of independent items (see ranks.h).  Without HAVE_MPI every call is local. */
#include "base/ranks.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

int myelin_ranks_built_in(void)
{
#ifdef HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int myelin_ranks_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

#ifdef HAVE_MPI
static int running(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}
#endif

int myelin_ranks_start(void)
{
#ifdef HAVE_MPI
    if (myelin_ranks_launched() && !running()) {
        int fin = 0;
        MPI_Finalized(&fin);
        if (!fin)
            MPI_Init(NULL, NULL);
    }
#endif
    return myelin_ranks_size();
}

void myelin_ranks_finish(void)
{
#ifdef HAVE_MPI
    if (running())
        MPI_Finalize();
#endif
}

int myelin_ranks_rank(void)
{
#ifdef HAVE_MPI
    if (running()) {
        int r = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        return r;
    }
#endif
    return 0;
}

int myelin_ranks_size(void)
{
#ifdef HAVE_MPI
    if (running()) {
        int s = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &s);
        return s;
    }
#endif
    return 1;
}

/* MPI counts are ints: large buffers go in pieces */
#define PIECE ((size_t)1 << 26)

void myelin_ranks_bcast(void *buf, size_t bytes, int root)
{
#ifdef HAVE_MPI
    if (myelin_ranks_size() > 1)
        for (size_t o = 0; o < bytes; o += PIECE)
            MPI_Bcast((char *)buf + o, (int)(bytes - o < PIECE ? bytes - o : PIECE), MPI_BYTE, root,
                      MPI_COMM_WORLD);
#else
    (void)buf;
    (void)bytes;
    (void)root;
#endif
}

void myelin_ranks_sum_i64(int64_t *v, size_t n)
{
#ifdef HAVE_MPI
    if (myelin_ranks_size() > 1)
        for (size_t o = 0; o < n; o += PIECE)
            MPI_Allreduce(MPI_IN_PLACE, v + o, (int)(n - o < PIECE ? n - o : PIECE), MPI_INT64_T,
                          MPI_SUM, MPI_COMM_WORLD);
#else
    (void)v;
    (void)n;
#endif
}

void myelin_ranks_sum_f64(double *v, size_t n)
{
#ifdef HAVE_MPI
    if (myelin_ranks_size() > 1)
        for (size_t o = 0; o < n; o += PIECE)
            MPI_Allreduce(MPI_IN_PLACE, v + o, (int)(n - o < PIECE ? n - o : PIECE), MPI_DOUBLE,
                          MPI_SUM, MPI_COMM_WORLD);
#else
    (void)v;
    (void)n;
#endif
}

int myelin_ranks_agree(int rc, myelin_error *err)
{
#ifdef HAVE_MPI
    int size = myelin_ranks_size();
    if (size > 1) {
        int first = rc ? myelin_ranks_rank() : size;
        MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (first == size)
            return 0;
        myelin_error e;
        if (myelin_ranks_rank() == first && err)
            e = *err;
        else
            memset(&e, 0, sizeof e);
        e.code = rc; /* the failing rank's code travels with its message */
        MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
        if (err)
            *err = e;
        return e.code ? e.code : MYELIN_EINTERNAL;
    }
#endif
    return rc;
}

int myelin_ranks_spread(const myelin_ranks_work *w, int64_t *fresh, int *stopped, myelin_error *err)
{
    int rank = myelin_ranks_rank(), size = myelin_ranks_size(), rc = 0;
    int nv = w->nvals;
    *fresh = 0;
    *stopped = 0;
    /* rank 0's view of what is done, shared */
    unsigned char *done = calloc((size_t)w->n + 1, 1);
    int64_t *batch = calloc((size_t)size, sizeof *batch);
    double *mine = calloc((size_t)nv + 1, sizeof *mine);
    double *all = calloc((size_t)size * ((size_t)nv + 1), sizeof *all);
    if (!done || !batch || !mine || !all)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (%lld items)",
                              (long long)w->n);
    rc = myelin_ranks_agree(rc, err);
    if (!rc) {
        if (rank == 0)
            for (int64_t i = 0; i < w->n; i++)
                done[i] = (unsigned char)(w->done(w->user, i) != 0);
        myelin_ranks_bcast(done, (size_t)w->n, 0);
    }
    int64_t todo = 0;
    for (int64_t i = 0; !rc && i < w->n; i++)
        todo += !done[i];
    int64_t next = 0;
    while (!rc) {
        int nb = 0;
        while (next < w->n && nb < size) {
            if (!done[next])
                batch[nb++] = next;
            next++;
        }
        if (nb == 0)
            break;
        memset(mine, 0, ((size_t)nv + 1) * sizeof *mine);
        int local = 0;
        if (rank < nb)
            local = w->eval(w->user, batch[rank], mine, err);
        rc = myelin_ranks_agree(local, err);
        if (rc)
            break;
#ifdef HAVE_MPI
        if (size > 1)
            MPI_Gather(mine, nv + 1, MPI_DOUBLE, all, nv + 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        else
#endif
            memcpy(all, mine, ((size_t)nv + 1) * sizeof *mine);
        if (rank == 0)
            for (int k = 0; !rc && k < nb; k++)
                rc = w->take(w->user, batch[k], all + (size_t)k * ((size_t)nv + 1), err);
        rc = myelin_ranks_agree(rc, err);
        *fresh += nb;
        if (rank == 0 && w->progress)
            w->progress(w->user, *fresh, todo);
        if (!rc && w->stop_after > 0 && *fresh >= w->stop_after && *fresh < todo) {
            *stopped = 1;
            break;
        }
    }
    free(done);
    free(batch);
    free(mine);
    free(all);
    return rc;
}
