/* sim/engine_par.c — the functional engine over a dataset in threads: images read in order, one
 * engine state per thread, per-image results merged in image order (see sim/engine_par.h). */
#include "sim/engine_par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Images per thread in one window: enough to keep threads busy while the window's slowest image
 * finishes, small enough that a window of 224-px images stays a few MB. */
#define WINDOW_PER_THREAD 8

int myelin_engine_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MYELIN_ENGINE_MAX_THREADS ? MYELIN_ENGINE_MAX_THREADS : (int)n;
}

typedef struct par_run {
    const myelin_engine *e;
    int with_drift;
    int L, T, classes;
    size_t image_bytes;
    /* the window: n images, their pixels and per-image result slots */
    int n;
    const uint8_t *pixels;   /* [n][image_bytes] */
    double *logits;          /* [n][classes] */
    int64_t *counts;         /* [n][3*L*T + 3*L]: spikes, events, synops; saturation [L][3] */
    myelin_drift_layer *drift; /* [n][L] (with_drift) */
    atomic_int next;         /* next image of the window to take */
} par_run;

/* Result slots of one image: counts [3][L*T] then saturation [L][3]. */
#define PER_IMAGE(L, T) (3 * (size_t)(L) * (size_t)(T) + 3 * (size_t)(L))

typedef struct par_worker {
    par_run *r;
    myelin_engine_state *st;
    int fail_index;          /* first failing image of this thread in the window, or -1 */
    int rc;
    myelin_error err;
    pthread_t th;
} par_worker;

/* One image j of the window into its slots. */
static int run_one(par_run *r, myelin_engine_state *st, int j, myelin_error *err)
{
    const uint8_t *pix = r->pixels + (size_t)j * r->image_bytes;
    int rc = myelin_engine_run_image(r->e, st, pix, r->logits + (size_t)j * r->classes, err);
    if (rc)
        return rc;
    size_t LT = (size_t)r->L * r->T;
    int64_t *c = r->counts + (size_t)j * PER_IMAGE(r->L, r->T);
    for (int l = 0; l < r->L; l++) {
        memcpy(c + (size_t)l * r->T, myelin_engine_state_spikes(st, l), sizeof *c * r->T);
        memcpy(c + LT + (size_t)l * r->T, myelin_engine_state_events(st, l), sizeof *c * r->T);
        memcpy(c + 2 * LT + (size_t)l * r->T, myelin_engine_state_synops(st, l),
               sizeof *c * r->T);
        memcpy(c + 3 * LT + (size_t)l * 3, myelin_engine_state_saturation(st, l), sizeof *c * 3);
    }
    if (!r->with_drift)
        return 0;
    myelin_engine_reference *ref = NULL;
    rc = myelin_engine_reference_new(r->e, pix, 1, &ref, err);
    if (!rc)
        rc = myelin_engine_drift(r->e, st, ref, r->drift + (size_t)j * r->L, err);
    myelin_engine_reference_free(ref);
    return rc;
}

static void *worker_main(void *p)
{
    par_worker *w = p;
    par_run *r = w->r;
    w->fail_index = -1;
    w->rc = 0;
    for (;;) {
        int j = atomic_fetch_add(&r->next, 1);
        if (j >= r->n)
            break;
        int rc = run_one(r, w->st, j, &w->err);
        if (rc) {
            /* a thread takes increasing indices, so its first failure is its lowest */
            w->rc = rc;
            w->fail_index = j;
            break;
        }
    }
    return NULL;
}

int myelin_engine_run_dataset_threads(const myelin_engine *e, myelin_dataset *ds, int64_t limit,
                                      int with_drift, int threads, myelin_engine_image_fn fn,
                                      void *user, myelin_engine_summary *sum, myelin_error *err)
{
    const myelin_workload *wl = myelin_engine_workload(e);
    int L = wl->n_layers, T = wl->timesteps;
    memset(sum, 0, sizeof *sum);
    if (threads < 1 || threads > MYELIN_ENGINE_MAX_THREADS)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "engine: threads must be 1..%d (got %d)", MYELIN_ENGINE_MAX_THREADS,
                                threads);
    int rc0 = myelin_engine_check_dataset(e, ds, err);
    if (rc0)
        return rc0;
    size_t LT = (size_t)L * T;
    int window = threads * WINDOW_PER_THREAD;
    if (limit > 0 && limit < window)
        window = (int)limit;
    if (threads > window)
        threads = window;
    par_run r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.with_drift = with_drift;
    r.L = L;
    r.T = T;
    r.classes = wl->classes;
    r.image_bytes = (size_t)wl->input.c * (size_t)wl->input.h * (size_t)wl->input.w;
    sum->n_layers = L;
    sum->timesteps = T;
    sum->has_top5 = wl->classes > 5;
    sum->has_drift = with_drift;
    sum->spikes = calloc(LT + 1, sizeof *sum->spikes);
    sum->events = calloc(LT + 1, sizeof *sum->events);
    sum->synops = calloc(LT + 1, sizeof *sum->synops);
    sum->sat = calloc(3 * (size_t)L + 1, sizeof *sum->sat);
    if (with_drift)
        sum->drift = calloc((size_t)L + 1, sizeof *sum->drift);
    uint8_t *pixels = malloc((size_t)window * r.image_bytes);
    int *labels = calloc((size_t)window, sizeof *labels);
    r.logits = calloc((size_t)window * r.classes + 1, sizeof *r.logits);
    r.counts = calloc((size_t)window * PER_IMAGE(L, r.T) + 1, sizeof *r.counts);
    if (with_drift)
        r.drift = calloc((size_t)window * L + 1, sizeof *r.drift);
    par_worker *wk = calloc((size_t)threads, sizeof *wk);
    r.pixels = pixels;
    int rc = 0;
    if (!sum->spikes || !sum->events || !sum->synops || !sum->sat || (with_drift && (!sum->drift || !r.drift)) ||
        !pixels || !labels || !r.logits || !r.counts || !wk)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    for (int t = 0; !rc && t < threads; t++) {
        wk[t].r = &r;
        rc = myelin_engine_state_new(e, &wk[t].st, err);
    }
    int64_t base = 0;
    int done = 0;
    while (!rc && !done) {
        /* read the next window in dataset order */
        int n = 0;
        while (n < window && (limit <= 0 || base + n < limit)) {
            int got = myelin_dataset_next(ds, pixels + (size_t)n * r.image_bytes, &labels[n], err);
            if (got < 0)
                rc = got;
            if (got <= 0) {
                done = 1;
                break;
            }
            n++;
        }
        if (rc || n == 0)
            break;
        if (limit > 0 && base + n >= limit)
            done = 1;
        r.n = n;
        atomic_store(&r.next, 0);
        if (with_drift)
            memset(r.drift, 0, (size_t)n * L * sizeof *r.drift);
        int nt = threads < n ? threads : n, started = 1;
        for (int t = 1; t < nt; t++, started++) {
            if (pthread_create(&wk[t].th, NULL, worker_main, &wk[t])) {
                rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0,
                                      "engine: cannot start a thread");
                break;
            }
        }
        worker_main(&wk[0]); /* the calling thread is worker 0 */
        for (int t = 1; t < started; t++)
            pthread_join(wk[t].th, NULL);
        if (rc)
            break;
        /* the error of the first failing image, in image order */
        int first = -1;
        for (int t = 0; t < nt; t++)
            if (wk[t].rc && (first < 0 || wk[t].fail_index < wk[first].fail_index))
                first = t;
        int stop = first >= 0 ? wk[first].fail_index : n;
        /* merge the images before it in image order */
        for (int j = 0; !rc && j < stop; j++) {
            const double *lg = r.logits + (size_t)j * r.classes;
            const int64_t *c = r.counts + (size_t)j * PER_IMAGE(L, r.T);
            sum->images++;
            sum->top1_correct += myelin_argmax(lg, r.classes) == labels[j];
            sum->top5_correct += myelin_in_top5(lg, r.classes, labels[j]);
            for (size_t k = 0; k < LT; k++) {
                sum->spikes[k] += c[k];
                sum->events[k] += c[LT + k];
                sum->synops[k] += c[2 * LT + k];
            }
            for (size_t k = 0; k < 3 * (size_t)L; k++)
                sum->sat[k] += c[3 * LT + k];
            for (int l = 0; with_drift && l < L; l++) {
                const myelin_drift_layer *d = r.drift + (size_t)j * L + l;
                sum->drift[l].abs_dh_sum += d->abs_dh_sum;
                sum->drift[l].mismatches += d->mismatches;
                sum->drift[l].samples += d->samples;
            }
            if (fn && fn(user, base + j, labels[j], lg, r.classes))
                rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "run stopped at image %lld",
                                      (long long)(base + j));
        }
        if (!rc && first >= 0) {
            *err = wk[first].err;
            rc = wk[first].rc;
        }
        base += n;
    }
    for (int t = 0; wk && t < threads; t++)
        myelin_engine_state_free(wk[t].st);
    free(wk);
    free(r.drift);
    free(r.counts);
    free(r.logits);
    free(labels);
    free(pixels);
    if (rc)
        myelin_engine_summary_free(sum);
    return rc;
}
