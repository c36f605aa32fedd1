/* search/eval.c — evaluating candidates: drift on the calibration batch, accuracy and energy on
 * the validation set, accuracy on the test set; in parallel threads over fixed image chunks whose
 * partial sums are reduced in chunk order (so a result never depends on the thread count), each
 * result read from or appended to the journal.  Under MPI (base/ranks.h) every rank runs the same
 * search: the chunks of each evaluation are dealt round-robin to the ranks (and within a rank to
 * its threads), each chunk's sums reach every rank by an exact sum (the others hold zeros), so the
 * chunk-order reduction, and every decision after it, is the serial one; rank 0 alone holds the
 * journal and tells the others what it found there. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/mapper.h"
#include "base/ranks.h"
#include "base/rng.h"
#include "search/internal.h"
#include "workloads/dataset.h"

double myelin_search_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Loads spec into out; with pick_n > 0, only images perm[pick_lo .. pick_lo + pick_n) of a seeded
 * permutation of the dataset (pick_seed != RANGE) or images pick_lo .. pick_lo + pick_n - 1 in file
 * order (pick_seed == RANGE), in that order (one sequential pass over the file).  A permutation
 * passes over images ex_lo .. ex_hi - 1 (a validation range of the same file: disjoint). */
#define RANGE UINT64_MAX
static int load_images(const myelin_search *s, const char *spec, int pick_lo, int pick_n,
                       uint64_t pick_seed, int64_t ex_lo, int64_t ex_hi, imageset *out,
                       myelin_error *err)
{
    myelin_dataset *ds = NULL;
    snprintf(out->spec, sizeof out->spec, "%s", spec);
    int rc = myelin_dataset_open(spec, &ds, err);
    if (rc)
        return myelin_error_prefix(err, "search dataset '%s'", spec);
    myelin_dataset_info info;
    myelin_dataset_info_get(ds, &info);
    const myelin_shape in = s->wl->input;
    if (info.c != in.c || info.h != in.h || info.w != in.w) {
        myelin_dataset_close(ds);
        return myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0,
                                "search dataset '%s' has %dx%dx%d images, the workload wants %dx%dx%d",
                                spec, info.c, info.h, info.w, in.c, in.h, in.w);
    }
    if (info.count <= 0 || info.count > 1000000) {
        myelin_dataset_close(ds);
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "search dataset '%s': expected 1 to 1000000 images (has %" PRId64 ")",
                                spec, info.count);
    }
    int *slot = NULL;
    if (pick_n > 0) {
        if ((int64_t)pick_lo + pick_n > info.count) {
            myelin_dataset_close(ds);
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "search dataset '%s' has %" PRId64 " images: cannot carve %d after "
                                    "the first %d", spec, info.count, pick_n, pick_lo);
        }
        int *perm = malloc((size_t)info.count * sizeof *perm);
        slot = malloc((size_t)info.count * sizeof *slot);
        if (!perm || !slot) {
            free(perm);
            free(slot);
            myelin_dataset_close(ds);
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
        }
        myelin_rng rng;
        myelin_rng_seed(&rng, pick_seed, 0xca7e);
        for (int64_t i = 0; i < info.count; i++) {
            perm[i] = (int)i;
            slot[i] = -1;
        }
        for (int64_t i = 0; pick_seed != RANGE && i < info.count - 1; i++) {
            int64_t j = i + (int64_t)myelin_rng_below(&rng, (uint64_t)(info.count - i));
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int64_t pos = 0;
        for (int64_t i = 0; i < info.count && pos < pick_lo + pick_n; i++) {
            if (pick_seed != RANGE && perm[i] >= ex_lo && perm[i] < ex_hi)
                continue;
            if (pos >= pick_lo)
                slot[perm[i]] = (int)(pos - pick_lo);
            pos++;
        }
        if (pos < pick_lo + pick_n) {
            free(perm);
            free(slot);
            myelin_dataset_close(ds);
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "search dataset '%s': too few images outside the validation range "
                                    "to carve %d", spec, pick_n);
        }
        free(perm);
        if (pick_seed == RANGE)
            snprintf(out->spec, sizeof out->spec, "%s [images %d..%d]", spec, pick_lo,
                     pick_lo + pick_n - 1);
        else
            snprintf(out->spec, sizeof out->spec, "%s [images %d..%d of a seed-%" PRIu64 " permutation]",
                     spec, pick_lo, pick_lo + pick_n - 1, pick_seed);
    }
    out->n = pick_n > 0 ? pick_n : (int)info.count;
    out->pixels = malloc((size_t)out->n * s->image_bytes);
    out->labels = malloc((size_t)out->n * sizeof *out->labels);
    if (!out->pixels || !out->labels)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory for images");
    uint8_t *scratch = slot ? malloc(s->image_bytes) : NULL;
    if (!rc && slot && !scratch)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int64_t total = slot ? info.count : out->n;
    for (int64_t i = 0, got = 0; !rc && i < total && got < out->n; i++) {
        int64_t k = slot ? slot[i] : i;
        int label = 0;
        int r = myelin_dataset_next(ds, k >= 0 ? out->pixels + (size_t)k * s->image_bytes : scratch,
                                    &label, err);
        if (r < 0)
            rc = r;
        else if (r == 0)
            rc = myelin_error_set(err, MYELIN_EFORMAT, NULL, 0, 0, "search dataset '%s' ended early",
                                  spec);
        else if (k >= 0) {
            out->labels[k] = label;
            got++;
        }
    }
    free(scratch);
    free(slot);
    myelin_dataset_close(ds);
    return rc;
}

int myelin_eval_setup(myelin_search *s, myelin_error *err)
{
    const myelin_workload *wl = s->wl;
    s->image_bytes = (size_t)wl->input.c * (size_t)wl->input.h * (size_t)wl->input.w;
    int rc = myelin_arch_load(s->arch_path, &s->arch, err);
    if (!rc)
        rc = myelin_cost_registry_new(&s->reg, err);
    if (!rc)
        rc = myelin_cost_registry_configure(s->reg, s->arch, err);
    const myelin_search_config *c = &s->cfg;
    if (!rc && c->val_from_train > 0)
        rc = load_images(s, s->train_spec, 0, c->val_from_train, c->carve_seed, 0, 0, &s->val, err);
    else if (!rc && c->val_count > 0)
        rc = load_images(s, s->val_spec, c->val_first, c->val_count, RANGE, 0, 0, &s->val, err);
    else if (!rc)
        rc = load_images(s, s->val_spec, 0, 0, 0, 0, 0, &s->val, err);
    /* calibration carved from train: after the carved validation images, or outside a validation
       range of the same spec */
    int same = c->train_spec && c->val_count > 0 && strcmp(s->train_spec, s->val_spec) == 0;
    if (!rc && c->calib_from_train > 0)
        rc = load_images(s, s->train_spec, c->val_from_train > 0 ? c->val_from_train : 0,
                         c->calib_from_train, c->carve_seed, same ? c->val_first : 0,
                         same ? (int64_t)c->val_first + c->val_count : 0, &s->calib, err);
    else if (!rc)
        rc = load_images(s, s->calib_spec, 0, 0, 0, 0, 0, &s->calib, err);
    if (!rc)
        rc = load_images(s, s->test_spec, 0, 0, 0, 0, 0, &s->test, err);
    if (!rc)
        rc = myelin_engine_new(wl, s->w, NULL, s->cfg.input_bits, &s->float_engine, err);
    if (!rc) {
        s->refs = calloc((size_t)s->calib.n, sizeof *s->refs);
        if (!s->refs)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    /* one reference per calibration image, so drift can be summed per image in a fixed order */
    for (int i = 0; !rc && i < s->calib.n; i++)
        rc = myelin_engine_reference_new(s->float_engine, s->calib.pixels + (size_t)i * s->image_bytes,
                                         1, &s->refs[i], err);
    /* the float network's logits of every calibration image (the logit term of the proxy) */
    if (!rc) {
        s->ref_logits = calloc((size_t)s->calib.n * (size_t)wl->classes + 1, sizeof *s->ref_logits);
        if (!s->ref_logits)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    }
    myelin_engine_state *st = NULL;
    if (!rc)
        rc = myelin_engine_state_new(s->float_engine, &st, err);
    for (int i = 0; !rc && i < s->calib.n; i++)
        rc = myelin_engine_run_image(s->float_engine, st, s->calib.pixels + (size_t)i * s->image_bytes,
                                     s->ref_logits + (size_t)i * wl->classes, err);
    myelin_engine_state_free(st);
    return rc;
}

/* The logit term of the proxy for one image: the normalised logit error
 * ||z_q - z_f||_2 / ||z_f - mean(z_f)||_2 (the deviation measured in units of the float logits'
 * own spread, so it does not depend on the logits' scale), KL(softmax z_f || softmax z_q) in nats,
 * and whether the top-1 class differs. */
static void logit_terms(const double *zq, const double *zf, int n, double *nerr, double *kl,
                        int *flip)
{
    double mean = 0, num = 0, den = 0;
    for (int k = 0; k < n; k++)
        mean += zf[k];
    mean /= n;
    double mf = zf[0], mq = zq[0];
    for (int k = 0; k < n; k++) {
        num += (zq[k] - zf[k]) * (zq[k] - zf[k]);
        den += (zf[k] - mean) * (zf[k] - mean);
        if (zf[k] > mf)
            mf = zf[k];
        if (zq[k] > mq)
            mq = zq[k];
    }
    *nerr = den > 0 ? sqrt(num / den) : sqrt(num);
    double sf = 0, sq = 0;
    for (int k = 0; k < n; k++) {
        sf += exp(zf[k] - mf);
        sq += exp(zq[k] - mq);
    }
    double lsf = log(sf) + mf, lsq = log(sq) + mq, d = 0;
    for (int k = 0; k < n; k++) {
        double pf = exp(zf[k] - lsf);
        d += pf * ((zf[k] - lsf) - (zq[k] - lsq));
    }
    *kl = d > 0 ? d : 0;
    *flip = myelin_argmax(zq, n) != myelin_argmax(zf, n);
}

void myelin_eval_free_images(imageset *im)
{
    free(im->pixels);
    free(im->labels);
    im->pixels = NULL;
    im->labels = NULL;
}

void myelin_eval_teardown(myelin_search *s)
{
    for (int i = 0; s->refs && i < s->calib.n; i++)
        myelin_engine_reference_free(s->refs[i]);
    free(s->refs);
    s->refs = NULL;
    free(s->ref_logits);
    s->ref_logits = NULL;
    myelin_engine_free(s->float_engine);
    s->float_engine = NULL;
    if (s->cfg.val_from_train <= 0)
        myelin_eval_free_images(&s->val); /* a carved one stays for the outputs (myelin_search_free) */
    myelin_eval_free_images(&s->calib);
    myelin_eval_free_images(&s->test);
}

/* ---- parallel work over chunks ------------------------------------------------------------- */

typedef enum { WORK_DRIFT, WORK_ACCURACY } work_kind;

typedef struct work {
    const myelin_search *s;
    const myelin_engine *e;
    work_kind kind;
    const imageset *im;
    int chunk, n_chunks, threads;
    int rank, ranks;           /* MPI: this process's share of the chunks */
    int64_t *correct;          /* [n_chunks] */
    int64_t *spikes;           /* [n_chunks][L*T] */
    myelin_drift_layer *drift; /* [n_chunks][L] (DRIFT) */
    double *lerr, *kl;         /* [n_chunks] (DRIFT): sums of the logit terms */
    int64_t *flips;            /* [n_chunks] (DRIFT) */
    int *rc;                   /* [threads] */
    myelin_error *errs;        /* [threads] */
} work;

typedef struct worker_arg {
    work *w;
    int tid;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    work *w = a->w;
    const myelin_workload *wl = w->s->wl;
    int L = wl->n_layers, T = wl->timesteps;
    myelin_engine_state *st = NULL;
    double *logits = malloc(((size_t)wl->classes + 1) * sizeof *logits);
    int rc = logits ? myelin_engine_state_new(w->e, &st, &w->errs[a->tid])
                    : myelin_error_set(&w->errs[a->tid], MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    /* this rank's chunks (rank, rank + ranks, ...), dealt to its threads */
    int step = w->threads * w->ranks;
    for (int c = w->rank + a->tid * w->ranks; !rc && c < w->n_chunks; c += step) {
        int lo = c * w->chunk, hi = lo + w->chunk < w->im->n ? lo + w->chunk : w->im->n;
        int64_t *sp = w->spikes + (size_t)c * L * T;
        for (int i = lo; !rc && i < hi; i++) {
            if (w->kind == WORK_DRIFT) {
                rc = myelin_engine_drift(w->e, st, w->s->refs[i], w->drift + (size_t)c * L,
                                         &w->errs[a->tid]);
                /* the drift run keeps its logits: run the image again for them (same spikes) */
                if (!rc)
                    rc = myelin_engine_run_image(w->e, st, w->im->pixels + (size_t)i * w->s->image_bytes,
                                                 logits, &w->errs[a->tid]);
                if (!rc) {
                    double ne, kl;
                    int flip;
                    logit_terms(logits, w->s->ref_logits + (size_t)i * wl->classes, wl->classes, &ne,
                                &kl, &flip);
                    w->lerr[c] += ne;
                    w->kl[c] += kl;
                    w->flips[c] += flip;
                }
            } else {
                rc = myelin_engine_run_image(w->e, st, w->im->pixels + (size_t)i * w->s->image_bytes,
                                             logits, &w->errs[a->tid]);
                if (!rc && myelin_argmax(logits, wl->classes) == w->im->labels[i])
                    w->correct[c]++;
            }
            for (int l = 0; !rc && l < L; l++) {
                const int64_t *x = myelin_engine_state_spikes(st, l);
                for (int t = 0; t < T; t++)
                    sp[(size_t)l * T + t] += x[t];
            }
        }
    }
    w->rc[a->tid] = rc;
    myelin_engine_state_free(st);
    free(logits);
    return NULL;
}

/* The per-chunk drift records summed over the ranks (each chunk's on one rank). */
static int sum_drift(myelin_drift_layer *d, size_t n, myelin_error *err)
{
    double *f = malloc((n + 1) * sizeof *f);
    int64_t *i = malloc((2 * n + 1) * sizeof *i);
    int rc = f && i ? 0 : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    rc = myelin_ranks_agree(rc, err);
    if (!rc) {
        for (size_t k = 0; k < n; k++) {
            f[k] = d[k].abs_dh_sum;
            i[2 * k] = d[k].mismatches;
            i[2 * k + 1] = d[k].samples;
        }
        myelin_ranks_sum_f64(f, n);
        myelin_ranks_sum_i64(i, 2 * n);
        for (size_t k = 0; k < n; k++) {
            d[k].abs_dh_sum = f[k];
            d[k].mismatches = i[2 * k];
            d[k].samples = i[2 * k + 1];
        }
    }
    free(f);
    free(i);
    return rc;
}

/* Runs the images of im through e: correct count, spikes[L*T] summed, drift[L] (DRIFT only). */
static int run_images(const myelin_search *s, const myelin_engine *e, work_kind kind,
                      const imageset *im, int64_t *correct, int64_t *spikes,
                      myelin_drift_layer *drift, double *logit3, myelin_error *err)
{
    int L = s->wl->n_layers, T = s->wl->timesteps;
    work w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.e = e;
    w.kind = kind;
    w.im = im;
    w.chunk = kind == WORK_DRIFT ? 1 : SEARCH_CHUNK;
    w.n_chunks = (im->n + w.chunk - 1) / w.chunk;
    w.rank = myelin_ranks_rank();
    w.ranks = myelin_ranks_size();
    int mine = w.n_chunks > w.rank ? (w.n_chunks - w.rank + w.ranks - 1) / w.ranks : 0;
    w.threads = s->cfg.threads < mine ? s->cfg.threads : mine;
    if (w.threads < 1)
        w.threads = 1;
    w.correct = calloc((size_t)w.n_chunks, sizeof *w.correct);
    w.spikes = calloc((size_t)w.n_chunks * L * T, sizeof *w.spikes);
    w.drift = calloc((size_t)w.n_chunks * L, sizeof *w.drift);
    w.lerr = calloc((size_t)w.n_chunks, sizeof *w.lerr);
    w.kl = calloc((size_t)w.n_chunks, sizeof *w.kl);
    w.flips = calloc((size_t)w.n_chunks, sizeof *w.flips);
    w.rc = calloc((size_t)w.threads, sizeof *w.rc);
    w.errs = calloc((size_t)w.threads, sizeof *w.errs);
    pthread_t *th = calloc((size_t)w.threads, sizeof *th);
    worker_arg *args = calloc((size_t)w.threads, sizeof *args);
    int rc = 0;
    if (!w.correct || !w.spikes || !w.drift || !w.lerr || !w.kl || !w.flips || !w.rc || !w.errs ||
        !th || !args)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int started = 0;
    for (int t = 0; !rc && t < w.threads; t++) {
        args[t].w = &w;
        args[t].tid = t;
        if (t == w.threads - 1) {
            worker(&args[t]); /* the calling thread does the last share */
        } else if (pthread_create(&th[t], NULL, worker, &args[t]) != 0) {
            rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0, "search: cannot start a thread");
            break;
        } else {
            started = t + 1;
        }
    }
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; !rc && t < w.threads; t++)
        if (w.rc[t]) {
            *err = w.errs[t];
            rc = w.rc[t];
        }
    /* every rank gets every chunk's sums (exact: one rank computed each chunk, the others hold 0) */
    rc = myelin_ranks_agree(rc, err);
    if (!rc && w.ranks > 1) {
        myelin_ranks_sum_i64(w.correct, (size_t)w.n_chunks);
        myelin_ranks_sum_i64(w.spikes, (size_t)w.n_chunks * L * T);
        myelin_ranks_sum_f64(w.lerr, (size_t)w.n_chunks);
        myelin_ranks_sum_f64(w.kl, (size_t)w.n_chunks);
        myelin_ranks_sum_i64(w.flips, (size_t)w.n_chunks);
        rc = sum_drift(w.drift, (size_t)w.n_chunks * L, err);
    }
    /* ordered reduction */
    if (!rc) {
        *correct = 0;
        memset(spikes, 0, (size_t)L * T * sizeof *spikes);
        if (drift)
            memset(drift, 0, (size_t)L * sizeof *drift);
        if (logit3)
            logit3[0] = logit3[1] = logit3[2] = 0;
        for (int c = 0; c < w.n_chunks; c++) {
            *correct += w.correct[c];
            if (logit3) {
                logit3[0] += w.lerr[c];
                logit3[1] += w.kl[c];
                logit3[2] += (double)w.flips[c];
            }
            for (size_t k = 0; k < (size_t)L * T; k++)
                spikes[k] += w.spikes[(size_t)c * L * T + k];
            for (int l = 0; drift && l < L; l++) {
                drift[l].abs_dh_sum += w.drift[(size_t)c * L + l].abs_dh_sum;
                drift[l].mismatches += w.drift[(size_t)c * L + l].mismatches;
                drift[l].samples += w.drift[(size_t)c * L + l].samples;
            }
        }
    }
    free(w.correct);
    free(w.spikes);
    free(w.drift);
    free(w.lerr);
    free(w.kl);
    free(w.flips);
    free(w.rc);
    free(w.errs);
    free(th);
    free(args);
    return rc;
}

/* Energy (pJ) of setting lq with activity from spikes over `images` images. */
static int energy_of(const myelin_search *s, const myelin_layer_quant *lq, const int64_t *spikes,
                     int64_t images, const char *source, double *pj, double *lat_s, myelin_error *err)
{
    myelin_activity act = {0, NULL, ""};
    myelin_mapping *map = NULL;
    myelin_cost_report *rep = NULL;
    int rc = myelin_activity_from_spikes(s->wl, spikes, images, source, &act, err);
    if (!rc)
        rc = myelin_map(s->wl, lq, s->arch, &map, err);
    if (!rc)
        rc = myelin_cost_evaluate(s->wl, lq, &act, s->arch, map, s->reg, &rep, err);
    if (!rc) {
        *pj = rep->total.total_pj;
        *lat_s = rep->latency_s;
    }
    myelin_cost_report_free(rep);
    myelin_mapping_free(map);
    myelin_activity_free(&act);
    return rc;
}

/* Builds c's engine and runs kind over im. */
static int run_candidate(myelin_search *s, const cand *c, work_kind kind, const imageset *im,
                         int64_t *correct, double *pj, double *lat_s, myelin_drift_layer *drift,
                         double *logit3, myelin_error *err)
{
    const myelin_workload *wl = s->wl;
    myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
    int64_t *spikes = calloc((size_t)wl->n_layers * wl->timesteps, sizeof *spikes);
    myelin_engine *e = NULL;
    int rc = lq && spikes ? myelin_space_resolve(s, c->g, lq, err)
                          : myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    if (!rc)
        rc = myelin_engine_new(wl, s->w, lq, myelin_space_input_bits(s, c->g), &e, err);
    rc = myelin_ranks_agree(rc, err); /* run_images is collective under MPI */
    if (!rc)
        rc = run_images(s, e, kind, im, correct, spikes, drift, logit3, err);
    if (!rc && pj)
        rc = energy_of(s, lq, spikes, im->n, kind == WORK_DRIFT ? "calibration batch" : "validation run",
                       pj, lat_s, err);
    if (rc)
        myelin_error_prefix(err, "candidate %s", c->key);
    myelin_engine_free(e);
    free(spikes);
    free(lq);
    return rc;
}

/* The journal under MPI: rank 0 holds it (the others have none) and says what it found. */
static int jget(const myelin_search *s, const char *kind, const char *key, double *v, int n)
{
    int found = myelin_journal_get(s->jn, kind, key, v, n);
    if (myelin_ranks_size() > 1) {
        myelin_ranks_bcast(&found, sizeof found, 0);
        if (found)
            myelin_ranks_bcast(v, (size_t)n * sizeof *v, 0);
    }
    return found;
}

static int jput(myelin_search *s, const char *kind, const char *key, const double *v, int n,
                myelin_error *err)
{
    return myelin_ranks_agree(myelin_journal_put(s->jn, kind, key, v, n, err), err);
}

static int count_new(myelin_search *s)
{
    s->new_evals++;
    return s->cfg.stop_after > 0 && s->new_evals >= s->cfg.stop_after ? MYELIN_SEARCH_STOPPED : 0;
}

void myelin_eval_proxy(const myelin_search *s, cand *c)
{
    (void)s;
    c->proxy = c->drift_mean + c->logit_err;
}

int myelin_eval_drift(myelin_search *s, int ci, myelin_error *err)
{
    cand *c = &s->cands[ci];
    if (c->has_drift)
        return 0;
    double v[7];
    if (jget(s, "drift", c->key, v, 7)) {
        c->drift_mean = v[0];
        c->drift_max = v[1];
        c->calib_energy_pj = v[2];
        c->logit_err = v[3];
        c->kl = v[4];
        c->flip_pct = v[5];
        c->calib_latency_s = v[6];
        c->has_drift = 1;
        myelin_eval_proxy(s, c);
        s->drift_evals++;
        return 0;
    }
    myelin_drift_layer *d = calloc((size_t)s->wl->n_layers, sizeof *d);
    int64_t correct = 0;
    double l3[3];
    if (!d)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "search: out of memory");
    int rc = run_candidate(s, c, WORK_DRIFT, &s->calib, &correct, &c->calib_energy_pj,
                           &c->calib_latency_s, d, l3, err);
    if (!rc) {
        myelin_drift_summary(s->wl, d, &c->drift_mean, &c->drift_max);
        c->logit_err = l3[0] / s->calib.n;
        c->kl = l3[1] / s->calib.n;
        c->flip_pct = 100.0 * l3[2] / s->calib.n;
        c->has_drift = 1;
        myelin_eval_proxy(s, c);
        s->drift_evals++;
        v[0] = c->drift_mean;
        v[1] = c->drift_max;
        v[2] = c->calib_energy_pj;
        v[3] = c->logit_err;
        v[4] = c->kl;
        v[5] = c->flip_pct;
        v[6] = c->calib_latency_s;
        rc = jput(s, "drift", c->key, v, 7, err);
    }
    free(d);
    return rc ? rc : count_new(s);
}

int myelin_eval_full(myelin_search *s, int ci, myelin_error *err)
{
    cand *c = &s->cands[ci];
    if (c->has_full)
        return 0;
    double v[4];
    int rc = 0, fresh = 0;
    if (jget(s, "full", c->key, v, 4)) {
        c->correct = (int64_t)v[0];
        c->images = (int64_t)v[1];
        c->energy_pj = v[2];
        c->latency_s = v[3];
    } else {
        rc = run_candidate(s, c, WORK_ACCURACY, &s->val, &c->correct, &c->energy_pj, &c->latency_s,
                           NULL, NULL, err);
        c->images = s->val.n;
        v[0] = (double)c->correct;
        v[1] = (double)c->images;
        v[2] = c->energy_pj;
        v[3] = c->latency_s;
        if (!rc)
            rc = jput(s, "full", c->key, v, 4, err);
        fresh = 1;
    }
    if (rc)
        return rc;
    c->has_full = 1;
    c->acc_pct = c->images ? 100.0 * (double)c->correct / (double)c->images : 0;
    return fresh ? count_new(s) : 0;
}

int myelin_eval_test(myelin_search *s, int ci, myelin_error *err)
{
    cand *c = &s->cands[ci];
    if (c->has_test)
        return 0;
    double v[2];
    int rc = 0, fresh = 0;
    if (jget(s, "test", c->key, v, 2)) {
        c->test_correct = (int64_t)v[0];
        c->test_images = (int64_t)v[1];
    } else {
        rc = run_candidate(s, c, WORK_ACCURACY, &s->test, &c->test_correct, NULL, NULL, NULL, NULL,
                           err);
        c->test_images = s->test.n;
        v[0] = (double)c->test_correct;
        v[1] = (double)c->test_images;
        if (!rc)
            rc = jput(s, "test", c->key, v, 2, err);
        fresh = 1;
    }
    if (rc)
        return rc;
    c->has_test = 1;
    return fresh ? count_new(s) : 0;
}

void myelin_search_progress(myelin_search *s, const char *what)
{
    if (!s->cfg.progress)
        return;
    int best = -1;
    for (int i = 0; i < s->n_cands; i++) {
        const cand *c = &s->cands[i];
        if (c->has_full && c->pass && c->role != ROLE_SWEEP && (best < 0 || myelin_search_better(s, c, &s->cands[best])))
            best = i;
    }
    double el = myelin_search_now_s() - s->t0;
    int done = s->full_evals + s->drift_evals;
    /* ETA: the remaining width of the space times the time per evaluation so far (a rough bound) */
    int remaining = 0;
    if (best >= 0)
        for (int k = 0; k < s->n_groups; k++)
            remaining += s->cfg.n_bits - s->cands[best].g[k].wlev;
    double per = done ? el / done : 0;
    fprintf(stderr, "\rmyelin search: %s; %d evaluations (%d full), step %d", what, done,
            s->full_evals, s->steps);
    if (best >= 0)
        fprintf(stderr, ", best %.2f %% at %.1f kB", s->cands[best].acc_pct,
                (double)s->cands[best].mem_bits / 8e3);
    fprintf(stderr, ", %.0f s, ETA < %.0f s   ", el, per * remaining * (s->n_groups + 1));
}
