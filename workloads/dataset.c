/* workloads/dataset.c — streamed readers for CIFAR-10 binary, IDX and the synthetic generator, and
 * the IDX writer.  Memory is one record buffer per reader, whatever the dataset size: files are read
 * record by record (fseeko for seek), the generator regenerates.
 *
 * Rules:
 *   CIFAR-10: records of 1 label byte + c*h*w bytes (c planes of h×w, converted to HWC; 3×32×32 unless
 *     opened with a shape); each file's size must be a whole number of records (the error names the
 *     record size and suggests IDX); labels must be < 10; classes = 10.
 *   IDX: images magic 0x00000803 (N×H×W, c = 1) or 0x00000804 (N×H×W×C); labels 0x00000801 with the
 *     same N; unsigned bytes only; file sizes must equal header + product of the dimensions.  The label
 *     path is given after ':' or found by replacing "-images-" by "-labels-" ("images.idx" by
 *     "labels.idx") and "idx3"/"idx4" by "idx1".  classes = 10 unless a label is >= 10 (the labels file
 *     is small and read whole at open), then max label + 1.
 *   gzip'd IDX (magic 1f 8b): inflated whole through zlib at open (a deflate stream cannot seek);
 *     early end, bad CRC or bad data is MYELIN_EFORMAT naming the file.
 *   fashion-mnist:...: Debian's four .gz files; holdout carving shown as a map of file indices.
 *   synthetic: keys split (train|test), count, seed, h, w, c, classes; workloads/synth.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/rng.h"
#include "base/util.h"
#include "workloads/dataset.h"

#define CIFAR_MAX_FILES 16
#define FASHION_DIR "/usr/share/datasets/fashion-mnist" /* Debian's dataset-fashion-mnist */
#define CARVE_STREAM 0x63617276ULL                       /* "carv": the carve's rng stream */

typedef enum { DS_SYNTH, DS_CIFAR, DS_IDX } ds_kind;

struct myelin_dataset {
    ds_kind kind;
    myelin_dataset_info info;
    int64_t pos;
    /* synthetic */
    myelin_synth_config synth;
    /* CIFAR (records of 1 label byte + c*h*w bytes, planar) */
    int64_t record_bytes;
    int n_files;
    char *files[CIFAR_MAX_FILES];
    int64_t file_records[CIFAR_MAX_FILES];
    int cur_file;
    FILE *f;
    uint8_t *record;
    /* IDX */
    char *images_path;
    long header_bytes;
    uint8_t *labels; /* N labels (small) */
    uint8_t *inflated; /* a gzip'd IDX file, inflated whole (header included), or NULL */
    /* carve: the dataset shows only images map[0..count) of the underlying file(s) */
    int64_t *map;
    int64_t base_count;
    int64_t raw_pos; /* file-order index the reader is positioned at */
    /* fashion-mnist map=rgb32: 1x28x28 file images shown as 3x32x32 (scratch holds one file image) */
    int rgb32;
    uint8_t *scratch;
};

static int file_size(const char *path, int64_t *size, myelin_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return myelin_error_set(err, errno == ENOENT ? MYELIN_EMISSING : MYELIN_EIO, path, 0, 0,
                                "cannot open dataset file: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "is a folder, not a dataset file");
    if (st.st_size == 0)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0, "empty file (0 bytes), not a dataset file");
    *size = (int64_t)st.st_size;
    return 0;
}

static int open_at(myelin_dataset *ds, const char *path, int64_t offset, myelin_error *err)
{
    if (ds->f)
        fclose(ds->f);
    ds->f = fopen(path, "rb");
    if (!ds->f)
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot open dataset file: %s", strerror(errno));
    if (fseeko(ds->f, (off_t)offset, SEEK_SET) != 0)
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot seek to byte %" PRId64, offset);
    return 0;
}

/* ---- synthetic ---- */

static int parse_synthetic(const char *spec, myelin_dataset *ds, myelin_error *err)
{
    myelin_synth_config *c = &ds->synth;
    c->seed = 1;
    c->split = 1;
    c->count = 1000;
    c->h = c->w = 16;
    c->c = 3;
    c->classes = 10;
    char buf[640];
    snprintf(buf, sizeof buf, "%.600s", spec + strlen("synthetic:"));
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "synthetic dataset: expected key=value, got '%s'", tok);
        *eq = '\0';
        const char *key = tok, *val = eq + 1;
        if (strcmp(key, "split") == 0) {
            if (strcmp(val, "train") == 0)
                c->split = 0;
            else if (strcmp(val, "test") == 0)
                c->split = 1;
            else
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "synthetic dataset: split must be train or test (got '%s')", val);
            continue;
        }
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (*val == '\0' || *end || errno)
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "synthetic dataset: %s must be an integer (got '%s')", key, val);
        struct { const char *name; long long lo, hi; } lim[] = {
            {"count", 1, 100000000}, {"seed", 0, INT64_MAX}, {"h", 4, 4096}, {"w", 4, 4096},
            {"c", 1, 4}, {"classes", 2, 1000},
        };
        int k = -1;
        for (int i = 0; i < 6; i++)
            if (strcmp(key, lim[i].name) == 0)
                k = i;
        if (k < 0)
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "synthetic dataset: unknown key '%s' (expected split, count, seed, h, w, "
                                    "c, classes)", key);
        if (v < lim[k].lo || v > lim[k].hi)
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "synthetic dataset: %s must be between %lld and %lld (got %lld)", key,
                                    lim[k].lo, lim[k].hi, v);
        switch (k) {
        case 0: c->count = v; break;
        case 1: c->seed = (uint64_t)v; break;
        case 2: c->h = (int)v; break;
        case 3: c->w = (int)v; break;
        case 4: c->c = (int)v; break;
        default: c->classes = (int)v; break;
        }
    }
    ds->kind = DS_SYNTH;
    ds->info = (myelin_dataset_info){c->count, c->c, c->h, c->w, c->classes, ""};
    snprintf(ds->info.description, sizeof ds->info.description,
             "synthetic %s split, seed %" PRIu64 ", %" PRId64 " images %dx%dx%d, %d classes",
             c->split ? "test" : "train", c->seed, c->count, c->c, c->h, c->w, c->classes);
    return 0;
}

/* ---- CIFAR-10 ---- */

static int open_cifar(const char *spec, int c, int h, int w, myelin_dataset *ds, myelin_error *err)
{
    char *list = myelin_strdup(spec);
    if (!list)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    ds->kind = DS_CIFAR;
    ds->record_bytes = 1 + (int64_t)c * h * w;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        if (ds->n_files == CIFAR_MAX_FILES) {
            rc = myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0, "more than %d CIFAR-10 files", CIFAR_MAX_FILES);
            break;
        }
        int64_t size = 0;
        rc = file_size(tok, &size, err);
        if (rc)
            break;
        if (size == 0 || size % ds->record_bytes != 0) {
            rc = myelin_error_set(err, MYELIN_EFORMAT, tok, 0, 0,
                                  "%" PRId64 " bytes is not a whole number of %" PRId64 "-byte "
                                  "CIFAR-10 records (1 label byte + %dx%dx%d pixels, CxHxW); for "
                                  "another layout convert the data to IDX",
                                  size, ds->record_bytes, c, h, w);
            break;
        }
        ds->files[ds->n_files] = myelin_strdup(tok);
        ds->file_records[ds->n_files++] = size / ds->record_bytes;
        ds->info.count += size / ds->record_bytes;
    }
    free(list);
    if (rc)
        return rc;
    ds->record = malloc((size_t)ds->record_bytes);
    if (!ds->record)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    ds->info.c = c;
    ds->info.h = h;
    ds->info.w = w;
    ds->info.classes = 10;
    snprintf(ds->info.description, sizeof ds->info.description,
             "CIFAR-10 binary %dx%dx%d, %d file(s), %" PRId64 " images", c, h, w, ds->n_files,
             ds->info.count);
    return open_at(ds, ds->files[0], 0, err);
}

/* ---- IDX ---- */

/* 1 when the file starts with the gzip magic bytes. */
static int is_gzip(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t b[2] = {0, 0};
    size_t n = fread(b, 1, 2, f);
    fclose(f);
    return n == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* Inflates a whole gzip file; a truncated or corrupt stream (bad CRC, early end) is an error. */
static int gunzip_file(const char *path, uint8_t **out, int64_t *len, myelin_error *err)
{
    *out = NULL;
    *len = 0;
    gzFile g = gzopen(path, "rb");
    if (!g)
        return myelin_error_set(err, errno == ENOENT ? MYELIN_EMISSING : MYELIN_EIO, path, 0, 0,
                                "cannot open: %s", strerror(errno ? errno : ENOMEM));
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory");
    while (rc == 0) {
        if (n == cap) {
            uint8_t *nb = cap >= MYELIN_READ_MAX_BYTES ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                rc = myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory inflating");
                break;
            }
            buf = nb;
            cap *= 2;
        }
        unsigned want = (unsigned)((cap - n) > (1u << 30) ? (1u << 30) : (cap - n));
        int got = gzread(g, buf + n, want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(g, &zerr);
            rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                  "gzip data is corrupt or truncated after %zu bytes (zlib: %s)", n,
                                  msg && *msg ? msg : "error");
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (rc == 0) {
        /* a stream cut short reads as a clean end of file; gzerror then says Z_BUF_ERROR */
        int zerr = Z_OK;
        const char *msg = gzerror(g, &zerr);
        if (zerr != Z_OK)
            rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                  "gzip data is truncated or corrupt after %zu bytes (zlib: %s)", n,
                                  msg && *msg ? msg : "error");
    }
    int crc = gzclose(g);
    if (rc == 0 && crc != Z_OK)
        rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                              "gzip data is truncated or corrupt (zlib close status %d)", crc);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = (int64_t)n;
    return 0;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Parses an IDX header from its first bytes (hdr, have bytes) against the payload size `size`. */
static int idx_parse(const char *path, const uint8_t *hdr, int64_t have, int64_t size,
                     uint32_t *magic, uint32_t *dims, int *ndims, myelin_error *err)
{
    if (have < 4)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                "too short for an IDX header (%" PRId64 " bytes)", size);
    *magic = be32(hdr);
    if ((*magic & 0xFFFFFF00u) != 0x00000800u || (*magic & 0xFF) < 1 || (*magic & 0xFF) > 4)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                "not an unsigned-byte IDX file (magic 0x%08x; expected "
                                "0x00000801..0x00000804)", *magic);
    *ndims = (int)(*magic & 0xFF);
    if (have < 4 + 4 * (int64_t)*ndims)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0, "truncated IDX header");
    int64_t payload = 1;
    for (int i = 0; i < *ndims; i++) {
        dims[i] = be32(hdr + 4 + 4 * i);
        if (dims[i] && payload > size / (int64_t)dims[i])
            /* more bytes than the file holds (and, unchecked, an int64 overflow) */
            return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                    "IDX header describes more data than the file's %" PRId64
                                    " bytes", size);
        payload *= dims[i];
    }
    int64_t expect = 4 + 4 * (int64_t)*ndims + payload;
    if (size != expect)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                "IDX file is %" PRId64 " bytes%s; its header describes %" PRId64
                                " bytes", size, is_gzip(path) ? " inflated" : "", expect);
    return 0;
}

/* Reads an IDX header: magic, dims; checks the size.  dims[] gets up to 4 values. */
static int idx_header(const char *path, uint32_t *magic, uint32_t *dims, int *ndims, myelin_error *err)
{
    int64_t size = 0;
    int rc = file_size(path, &size, err);
    if (rc)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f)
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    uint8_t hdr[20];
    size_t have = fread(hdr, 1, sizeof hdr, f);
    fclose(f);
    return idx_parse(path, hdr, (int64_t)have, size, magic, dims, ndims, err);
}

/* A whole IDX file in memory (plain or gzip'd) with its parsed header. */
static int idx_load(const char *path, uint8_t **data, uint32_t *magic, uint32_t *dims, int *ndims,
                    myelin_error *err)
{
    int64_t len = 0;
    *data = NULL;
    int rc = file_size(path, &len, err); /* a folder, an empty or missing file: one clear message */
    if (rc)
        return rc;
    if (is_gzip(path)) {
        rc = gunzip_file(path, data, &len, err);
    } else {
        char *raw = NULL;
        size_t rl = 0;
        rc = myelin_read_file(path, &raw, &rl, err);
        *data = (uint8_t *)raw;
        len = (int64_t)rl;
    }
    if (rc == 0)
        rc = idx_parse(path, *data, len, len, magic, dims, ndims, err);
    if (rc) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

static void label_sibling(const char *images, char *out, size_t n)
{
    snprintf(out, n, "%s", images);
    char *p = strstr(out, "-images-");
    if (p)
        memcpy(p, "-labels-", 8);
    else if ((p = strstr(out, "images.idx")))
        memcpy(p, "labels.idx", 10);
    else if ((p = strstr(out, "images")))
        memcpy(p, "labels", 6);
    if ((p = strstr(out, "idx3")) || (p = strstr(out, "idx4")))
        p[3] = '1';
}

static int open_idx(const char *spec, myelin_dataset *ds, myelin_error *err)
{
    char images[1024], labels[1024];
    snprintf(images, sizeof images, "%s", spec);
    char *colon = strchr(images, ':');
    if (colon) {
        *colon = '\0';
        snprintf(labels, sizeof labels, "%s", colon + 1);
    } else {
        label_sibling(images, labels, sizeof labels);
        if (strcmp(labels, images) == 0)
            return myelin_error_set(err, MYELIN_EUSAGE, images, 0, 0,
                                    "cannot guess the labels file (the name has no 'images' to "
                                    "replace by 'labels'); give it as IMAGES:LABELS");
        struct stat lst;
        if (stat(labels, &lst) != 0 && stat(images, &lst) == 0)
            return myelin_error_set(err, MYELIN_EMISSING, images, 0, 0,
                                    "no labels file beside the images (looked for %.300s); give it "
                                    "as IMAGES:LABELS",
                                    labels);
    }
    ds->kind = DS_IDX;
    uint32_t magic, dims[4] = {0};
    int nd;
    /* gzip'd files are inflated whole (no seeking in a deflate stream; Fashion-MNIST's training
     * images are 47 MB); plain files stream record by record */
    int gz = is_gzip(images);
    int rc = gz ? idx_load(images, &ds->inflated, &magic, dims, &nd, err)
                : idx_header(images, &magic, dims, &nd, err);
    if (rc)
        return rc;
    if (nd != 3 && nd != 4)
        return myelin_error_set(err, MYELIN_EFORMAT, images, 0, 0,
                                "expected an image IDX file (3 or 4 dimensions), found %d dimension(s)", nd);
    ds->info.count = dims[0];
    ds->info.h = (int)dims[1];
    ds->info.w = (int)dims[2];
    ds->info.c = nd == 4 ? (int)dims[3] : 1;
    if (ds->info.h < 1 || ds->info.w < 1 || ds->info.c < 1 || ds->info.c > 4)
        return myelin_error_set(err, MYELIN_EFORMAT, images, 0, 0, "unsupported image shape %dx%dx%d",
                                ds->info.h, ds->info.w, ds->info.c);
    ds->header_bytes = 4 + 4 * nd;
    uint32_t lmagic, ldims[4] = {0};
    int lnd;
    uint8_t *data = NULL;
    rc = idx_load(labels, &data, &lmagic, ldims, &lnd, err);
    if (rc)
        return rc;
    if (lnd != 1) {
        free(data);
        return myelin_error_set(err, MYELIN_EFORMAT, labels, 0, 0,
                                "expected a label IDX file (1 dimension), found %d dimensions", lnd);
    }
    if (ldims[0] != dims[0]) {
        free(data);
        return myelin_error_set(err, MYELIN_EFORMAT, labels, 0, 0,
                                "%u labels for %u images in %s", ldims[0], dims[0], images);
    }
    ds->labels = malloc(ldims[0] ? ldims[0] : 1);
    if (!ds->labels) {
        free(data);
        return myelin_error_set(err, MYELIN_ENOMEM, labels, 0, 0, "out of memory");
    }
    memcpy(ds->labels, data + 8, ldims[0]);
    free(data);
    int maxl = 0;
    for (uint32_t i = 0; i < ldims[0]; i++)
        if (ds->labels[i] > maxl)
            maxl = ds->labels[i];
    ds->info.classes = maxl >= 10 ? maxl + 1 : 10;
    ds->images_path = myelin_strdup(images);
    ds->record = malloc((size_t)ds->info.h * ds->info.w * ds->info.c);
    if (!ds->images_path || !ds->record)
        return myelin_error_set(err, MYELIN_ENOMEM, images, 0, 0, "out of memory");
    snprintf(ds->info.description, sizeof ds->info.description, "IDX %.180s, %" PRId64 " images %dx%dx%d", images,
             ds->info.count, ds->info.c, ds->info.h, ds->info.w);
    return gz ? 0 : open_at(ds, images, ds->header_bytes, err);
}

/* ---- carve: a seeded subset of a file's images ---- */

/* Keeps `holdout` images chosen by a seeded shuffle (part 0) or all the others (part 1), each in
 * file order (rules in dataset.h). */
static int carve(myelin_dataset *ds, int64_t holdout, uint64_t seed, int part, const char *spec,
                 myelin_error *err)
{
    int64_t n = ds->info.count;
    if (holdout < 1 || holdout >= n)
        return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                "holdout must be between 1 and %" PRId64 " (the split has %" PRId64
                                " images; got %" PRId64 ")", n - 1, n, holdout);
    int64_t *perm = malloc(sizeof *perm * (size_t)n);
    uint8_t *mark = calloc((size_t)n, 1);
    ds->map = malloc(sizeof *ds->map * (size_t)n);
    if (!perm || !mark || !ds->map) {
        free(perm);
        free(mark);
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    }
    myelin_rng r;
    myelin_rng_seed(&r, seed, CARVE_STREAM);
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)myelin_rng_below(&r, (uint64_t)i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int64_t i = 0; i < holdout; i++)
        mark[perm[i]] = 1;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (mark[i] == (part == 0))
            ds->map[m++] = i;
    free(perm);
    free(mark);
    ds->base_count = n;
    ds->info.count = m;
    size_t dl = strlen(ds->info.description);
    snprintf(ds->info.description + dl, sizeof ds->info.description - dl,
             ", %s of a seeded holdout of %" PRId64 " (seed %" PRIu64 "): %" PRId64 " images",
             part == 0 ? "the holdout" : "the rest", holdout, seed, m);
    return 0;
}

/* fashion-mnist:split=test|train[,holdout=N,seed=S,part=holdout|rest] */
static int open_fashion(const char *spec, int c, int h, int w, myelin_dataset *ds,
                        myelin_error *err)
{
    (void)c;
    (void)h;
    (void)w;
    int train = -1, part = 0, rgb32 = 0;
    long long holdout = 0, first = 0, count = -1;
    uint64_t seed = 1;
    char buf[512];
    snprintf(buf, sizeof buf, "%.500s", spec + strlen("fashion-mnist"));
    char *p = buf[0] == ':' ? buf + 1 : buf;
    char *save = NULL;
    for (char *tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "fashion-mnist: expected key=value, got '%s'", tok);
        *eq = '\0';
        const char *key = tok, *val = eq + 1;
        char *end;
        errno = 0;
        if (strcmp(key, "split") == 0) {
            if (strcmp(val, "train") && strcmp(val, "test"))
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: split must be train or test (got '%s')", val);
            train = strcmp(val, "train") == 0;
        } else if (strcmp(key, "part") == 0) {
            if (strcmp(val, "holdout") && strcmp(val, "rest"))
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: part must be holdout or rest (got '%s')", val);
            part = strcmp(val, "rest") == 0;
        } else if (strcmp(key, "holdout") == 0) {
            holdout = strtoll(val, &end, 10);
            if (!*val || *end || errno || holdout < 1)
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: holdout must be a positive integer (got '%s')",
                                        val);
        } else if (strcmp(key, "first") == 0 || strcmp(key, "count") == 0) {
            long long v = strtoll(val, &end, 10);
            if (!*val || *end || errno || v < (key[0] == 'f' ? 0 : 1))
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: %s must be a %s integer (got '%s')", key,
                                        key[0] == 'f' ? "non-negative" : "positive", val);
            *(key[0] == 'f' ? &first : &count) = v;
        } else if (strcmp(key, "map") == 0) {
            if (strcmp(val, "rgb32") && strcmp(val, "gray28"))
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: map must be gray28 or rgb32 (got '%s')", val);
            rgb32 = strcmp(val, "rgb32") == 0;
        } else if (strcmp(key, "seed") == 0) {
            unsigned long long v = strtoull(val, &end, 10);
            if (!*val || *val == '-' || *end || errno)
                return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                        "fashion-mnist: seed must be a non-negative integer (got "
                                        "'%s')", val);
            seed = (uint64_t)v;
        } else {
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "fashion-mnist: unknown key '%s' (expected split, first, "
                                    "count, holdout, seed, part, map)", key);
        }
    }
    if (train < 0)
        return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                "fashion-mnist: say which split (split=test or split=train)");
    const char *dir = getenv("MYELIN_FASHION_MNIST_DIR");
    if (!dir || !*dir)
        dir = FASHION_DIR;
    char images[1024], labels[1024], both[2100];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", dir, train ? "train" : "t10k");
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", dir, train ? "train" : "t10k");
    if (access(images, R_OK) != 0 || access(labels, R_OK) != 0)
        return myelin_error_set(err, MYELIN_EMISSING, images, 0, 0,
                                "Fashion-MNIST is not installed; install Debian's "
                                "dataset-fashion-mnist package (tools/deps.sh does)");
    snprintf(both, sizeof both, "%s:%s", images, labels);
    int rc = open_idx(both, ds, err);
    if (rc)
        return rc;
    if (rgb32) {
        /* the second zoo model's input (workloads/train/train.py --data fashion-mnist-rgb32): the
         * 28x28 image zero-padded by 2 px on every side (g = 0 there), then (R,G,B) = (g, g, 255-g) */
        ds->scratch = malloc((size_t)ds->info.h * ds->info.w);
        if (!ds->scratch)
            return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
        ds->rgb32 = 1;
        ds->info.c = 3;
        ds->info.h = ds->info.w = 32;
    }
    if (holdout && (first || count >= 0))
        return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                "fashion-mnist: first/count and holdout do not combine");
    if (first || count >= 0) {
        /* a range of the file in file order, e.g. the zoo models' validation split first=55000 */
        int64_t n = ds->info.count;
        if (first >= n || (count >= 0 && first + count > n))
            return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                    "fashion-mnist: images %lld..%lld are outside the %s split's "
                                    "%" PRId64 " images", first,
                                    (count >= 0 ? first + count : n) - 1, train ? "train" : "test", n);
        int64_t m = count >= 0 ? count : n - first;
        ds->map = malloc((size_t)m * sizeof *ds->map);
        if (!ds->map)
            return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
        for (int64_t i = 0; i < m; i++)
            ds->map[i] = first + i;
        ds->base_count = n;
        ds->info.count = m;
    }
    snprintf(ds->info.description, sizeof ds->info.description, "Fashion-MNIST %s split, %" PRId64
             " images %s", train ? "train" : "test", ds->info.count, rgb32 ? "3x32x32 (rgb32 map)" : "1x28x28");
    if (first || count >= 0) {
        size_t dl = strlen(ds->info.description);
        snprintf(ds->info.description + dl, sizeof ds->info.description - dl,
                 " (file images %lld..%lld)", first, first + (long long)ds->info.count - 1);
    }
    if (holdout == 0 && part)
        return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                "fashion-mnist: part=rest needs holdout=N");
    return holdout ? carve(ds, holdout, seed, part, spec, err) : 0;
}

int myelin_dataset_open_shaped(const char *spec, int c, int h, int w, myelin_dataset **out,
                               myelin_error *err)
{
    *out = NULL;
    if (!spec || !*spec)
        return myelin_error_set(err, MYELIN_EUSAGE, "<dataset>", 0, 0, "empty dataset spec");
    if (c < 1 || h < 1 || w < 1 || c > 4 || (int64_t)h * w > 1 << 24)
        return myelin_error_set(err, MYELIN_EUSAGE, spec, 0, 0,
                                "dataset: unsupported image shape %dx%dx%d (CxHxW)", c, h, w);
    myelin_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    int rc;
    size_t n = strlen(spec);
    if (strncmp(spec, "synthetic:", 10) == 0 || strcmp(spec, "synthetic") == 0) {
        char buf[600];
        snprintf(buf, sizeof buf, "%s%s", spec, spec[9] ? "" : ":");
        rc = parse_synthetic(buf, ds, err);
    } else if (strncmp(spec, "fashion-mnist:", 14) == 0 || strcmp(spec, "fashion-mnist") == 0) {
        rc = open_fashion(spec, c, h, w, ds, err);
    } else if (n >= 4 && (strstr(spec, ".bin") != NULL)) {
        rc = open_cifar(spec, c, h, w, ds, err);
    } else {
        rc = open_idx(spec, ds, err);
    }
    if (rc) {
        myelin_dataset_close(ds);
        return rc;
    }
    *out = ds;
    return 0;
}

int myelin_dataset_open(const char *spec, myelin_dataset **out, myelin_error *err)
{
    return myelin_dataset_open_shaped(spec, 3, 32, 32, out, err);
}

void myelin_dataset_info_get(const myelin_dataset *ds, myelin_dataset_info *info)
{
    *info = ds->info;
}

/* Positions the underlying file(s) at image `raw` (file order). */
static int raw_seek(myelin_dataset *ds, int64_t raw, myelin_error *err)
{
    if (ds->kind == DS_CIFAR) {
        int64_t rem = raw;
        int fi = 0;
        while (fi < ds->n_files - 1 && rem >= ds->file_records[fi])
            rem -= ds->file_records[fi++];
        if (fi == ds->cur_file && ds->f) {
            if (fseeko(ds->f, (off_t)(rem * ds->record_bytes), SEEK_SET) != 0)
                return myelin_error_set(err, MYELIN_EIO, ds->files[fi], 0, 0, "cannot seek");
            return 0;
        }
        ds->cur_file = fi;
        return open_at(ds, ds->files[fi], rem * ds->record_bytes, err);
    }
    if (ds->kind == DS_IDX && !ds->inflated) {
        int64_t n = (int64_t)ds->info.h * ds->info.w * ds->info.c;
        if (ds->f) {
            if (fseeko(ds->f, (off_t)(ds->header_bytes + raw * n), SEEK_SET) != 0)
                return myelin_error_set(err, MYELIN_EIO, ds->images_path, 0, 0, "cannot seek");
            return 0;
        }
        return open_at(ds, ds->images_path, ds->header_bytes + raw * n, err);
    }
    return 0;
}

int myelin_dataset_next(myelin_dataset *ds, uint8_t *pixels, int *label, myelin_error *err)
{
    if (ds->pos >= ds->info.count)
        return 0;
    int64_t raw = ds->map ? ds->map[ds->pos] : ds->pos;
    if (ds->map && raw != ds->raw_pos) {
        int rc = raw_seek(ds, raw, err);
        if (rc)
            return rc;
    }
    switch (ds->kind) {
    case DS_SYNTH:
        myelin_synth_image(&ds->synth, raw, pixels, label);
        break;
    case DS_CIFAR: {
        size_t rb = (size_t)ds->record_bytes;
        while (ds->cur_file < ds->n_files && fread(ds->record, 1, rb, ds->f) != rb) {
            if (ferror(ds->f))
                return myelin_error_set(err, MYELIN_EIO, ds->files[ds->cur_file], 0, 0, "read error");
            if (++ds->cur_file == ds->n_files)
                return myelin_error_set(err, MYELIN_EIO, ds->files[ds->cur_file - 1], 0, 0,
                                        "file shrank while reading");
            int rc = open_at(ds, ds->files[ds->cur_file], 0, err);
            if (rc)
                return rc;
        }
        if (ds->record[0] >= 10)
            return myelin_error_set(err, MYELIN_EFORMAT, ds->files[ds->cur_file], 0, 0,
                                    "record %" PRId64 ": label %d is not a CIFAR-10 class (0..9)", raw,
                                    ds->record[0]);
        *label = ds->record[0];
        int C = ds->info.c;
        int64_t plane = (int64_t)ds->info.h * ds->info.w;
        for (int c = 0; c < C; c++)
            for (int64_t i = 0; i < plane; i++)
                pixels[i * C + c] = ds->record[1 + c * plane + i];
        break;
    }
    case DS_IDX: {
        uint8_t *dst = ds->rgb32 ? ds->scratch : pixels;
        size_t n = ds->rgb32 ? 28 * 28 : (size_t)ds->info.h * ds->info.w * ds->info.c;
        if (ds->inflated)
            memcpy(dst, ds->inflated + ds->header_bytes + (int64_t)n * raw, n);
        else if (fread(dst, 1, n, ds->f) != n)
            return myelin_error_set(err, MYELIN_EIO, ds->images_path, 0, 0, "short read at image %" PRId64, raw);
        if (ds->rgb32)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    int in = y >= 2 && y < 30 && x >= 2 && x < 30;
                    uint8_t g = in ? ds->scratch[(y - 2) * 28 + (x - 2)] : 0;
                    uint8_t *px = pixels + ((size_t)y * 32 + x) * 3;
                    px[0] = g;
                    px[1] = g;
                    px[2] = (uint8_t)(255 - g);
                }
        *label = ds->labels[raw];
        break;
    }
    }
    ds->raw_pos = raw + 1;
    ds->pos++;
    return 1;
}

int myelin_dataset_seek(myelin_dataset *ds, int64_t index, myelin_error *err)
{
    if (index < 0 || index > ds->info.count)
        return myelin_error_set(err, MYELIN_EUSAGE, ds->info.description, 0, 0,
                                "image %" PRId64 " is outside the dataset (0..%" PRId64 ")", index, ds->info.count);
    int64_t raw = ds->map ? (index < ds->info.count ? ds->map[index] : ds->base_count) : index;
    int rc = raw_seek(ds, raw, err);
    if (rc == 0) {
        ds->pos = index;
        ds->raw_pos = raw;
    }
    return rc;
}

int myelin_dataset_rewind(myelin_dataset *ds, myelin_error *err)
{
    return myelin_dataset_seek(ds, 0, err);
}

void myelin_dataset_close(myelin_dataset *ds)
{
    if (!ds)
        return;
    if (ds->f)
        fclose(ds->f);
    for (int i = 0; i < ds->n_files; i++)
        free(ds->files[i]);
    free(ds->record);
    free(ds->images_path);
    free(ds->labels);
    free(ds->inflated);
    free(ds->map);
    free(ds->scratch);
    free(ds);
}

/* ---- IDX writer ---- */

static void put_be32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    fwrite(b, 1, 4, f);
}

static int finish_tmp(FILE *f, const char *tmp, const char *path, myelin_error *err)
{
    int bad = ferror(f);
    if (fflush(f) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    return 0;
}

int myelin_dataset_write_idx(myelin_dataset *ds, const char *images_path, const char *labels_path,
                             int64_t limit, myelin_error *err)
{
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    int64_t n = in.count;
    if (limit > 0 && limit < n)
        n = limit;
    int rc = myelin_dataset_rewind(ds, err);
    if (rc)
        return rc;
    char ti[1100], tl[1100];
    snprintf(ti, sizeof ti, "%s.tmp.%ld", images_path, (long)getpid());
    snprintf(tl, sizeof tl, "%s.tmp.%ld", labels_path, (long)getpid());
    FILE *fi = fopen(ti, "wb");
    if (!fi)
        return myelin_error_set(err, MYELIN_EIO, images_path, 0, 0, "cannot create: %s", strerror(errno));
    FILE *fl = fopen(tl, "wb");
    if (!fl) {
        fclose(fi);
        remove(ti);
        return myelin_error_set(err, MYELIN_EIO, labels_path, 0, 0, "cannot create: %s", strerror(errno));
    }
    put_be32(fi, 0x00000804u);
    put_be32(fi, (uint32_t)n);
    put_be32(fi, (uint32_t)in.h);
    put_be32(fi, (uint32_t)in.w);
    put_be32(fi, (uint32_t)in.c);
    put_be32(fl, 0x00000801u);
    put_be32(fl, (uint32_t)n);
    size_t sz = (size_t)in.h * in.w * in.c;
    uint8_t *px = malloc(sz);
    if (!px)
        rc = myelin_error_set(err, MYELIN_ENOMEM, images_path, 0, 0, "out of memory");
    for (int64_t i = 0; i < n && rc == 0; i++) {
        int label;
        int got = myelin_dataset_next(ds, px, &label, err);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0 || label < 0 || label > 255) {
            rc = myelin_error_set(err, MYELIN_EFORMAT, images_path, 0, 0, "image %" PRId64 ": cannot write label %d", i, label);
            break;
        }
        fwrite(px, 1, sz, fi);
        uint8_t lb = (uint8_t)label;
        fwrite(&lb, 1, 1, fl);
    }
    free(px);
    if (rc) {
        fclose(fi);
        fclose(fl);
        remove(ti);
        remove(tl);
        return rc;
    }
    rc = finish_tmp(fi, ti, images_path, err);
    if (rc) {
        fclose(fl);
        remove(tl);
        return rc;
    }
    rc = finish_tmp(fl, tl, labels_path, err);
    if (rc)
        remove(images_path); /* never half an export: images without their labels */
    return rc;
}
