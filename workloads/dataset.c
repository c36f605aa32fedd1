/* workloads/dataset.c — streamed readers for CIFAR-10 binary, IDX and the synthetic generator, and
 * the IDX writer.  Memory is one record buffer per reader, whatever the dataset size: files are read
 * record by record (fseeko for seek), the generator regenerates.
 *
 * Rules:
 *   CIFAR-10: records of 1 label byte + 3072 bytes (3 planes of 32×32, converted to HWC); each file's
 *     size must be a whole number of 3073-byte records; labels must be < 10; classes = 10.
 *   IDX: images magic 0x00000803 (N×H×W, c = 1) or 0x00000804 (N×H×W×C); labels 0x00000801 with the
 *     same N; unsigned bytes only; file sizes must equal header + product of the dimensions.  The label
 *     path is given after ':' or found by replacing "-images-" by "-labels-" ("images.idx" by
 *     "labels.idx") and "idx3"/"idx4" by "idx1".  classes = 10 unless a label is >= 10 (the labels file
 *     is small and read whole at open), then max label + 1.
 *   synthetic: keys split (train|test), count, seed, h, w, c, classes; workloads/synth.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "workloads/dataset.h"

#define CIFAR_RECORD 3073
#define CIFAR_MAX_FILES 16

typedef enum { DS_SYNTH, DS_CIFAR, DS_IDX } ds_kind;

struct myelin_dataset {
    ds_kind kind;
    myelin_dataset_info info;
    int64_t pos;
    /* synthetic */
    myelin_synth_config synth;
    /* CIFAR */
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

static int open_cifar(const char *spec, myelin_dataset *ds, myelin_error *err)
{
    char *list = myelin_strdup(spec);
    if (!list)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    ds->kind = DS_CIFAR;
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
        if (size == 0 || size % CIFAR_RECORD != 0) {
            rc = myelin_error_set(err, MYELIN_EFORMAT, tok, 0, 0,
                                  "%" PRId64 " bytes is not a whole number of %d-byte CIFAR-10 records",
                                  size, CIFAR_RECORD);
            break;
        }
        ds->files[ds->n_files] = myelin_strdup(tok);
        ds->file_records[ds->n_files++] = size / CIFAR_RECORD;
        ds->info.count += size / CIFAR_RECORD;
    }
    free(list);
    if (rc)
        return rc;
    ds->record = malloc(CIFAR_RECORD);
    if (!ds->record)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    ds->info.c = 3;
    ds->info.h = ds->info.w = 32;
    ds->info.classes = 10;
    snprintf(ds->info.description, sizeof ds->info.description, "CIFAR-10 binary, %d file(s), %" PRId64 " images",
             ds->n_files, ds->info.count);
    return open_at(ds, ds->files[0], 0, err);
}

/* ---- IDX ---- */

static int read_be32(FILE *f, uint32_t *v)
{
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4)
        return -1;
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
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
    rc = 0;
    if (read_be32(f, magic) != 0) {
        rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0, "too short for an IDX header (%" PRId64 " bytes)", size);
    } else if ((*magic & 0xFFFFFF00u) != 0x00000800u || (*magic & 0xFF) < 1 || (*magic & 0xFF) > 4) {
        rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                              "not an unsigned-byte IDX file (magic 0x%08x; expected 0x00000801..0x00000804)", *magic);
    } else {
        *ndims = (int)(*magic & 0xFF);
        int64_t payload = 1;
        for (int i = 0; i < *ndims && rc == 0; i++) {
            if (read_be32(f, &dims[i]) != 0)
                rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0, "truncated IDX header");
            else if (dims[i] && payload > size / (int64_t)dims[i])
                /* more bytes than the file holds (and, unchecked, an int64 overflow) */
                rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                      "IDX header describes more data than the file's %" PRId64 " bytes",
                                      size);
            else
                payload *= dims[i];
        }
        int64_t expect = 4 + 4 * (int64_t)*ndims + payload;
        if (rc == 0 && size != expect)
            rc = myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                  "IDX file is %" PRId64 " bytes; its header describes %" PRId64 " bytes", size, expect);
    }
    fclose(f);
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
    int rc = idx_header(images, &magic, dims, &nd, err);
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
    rc = idx_header(labels, &lmagic, ldims, &lnd, err);
    if (rc)
        return rc;
    if (lnd != 1)
        return myelin_error_set(err, MYELIN_EFORMAT, labels, 0, 0,
                                "expected a label IDX file (1 dimension), found %d dimensions", lnd);
    if (ldims[0] != dims[0])
        return myelin_error_set(err, MYELIN_EFORMAT, labels, 0, 0,
                                "%u labels for %u images in %s", ldims[0], dims[0], images);
    char *data;
    size_t len;
    rc = myelin_read_file(labels, &data, &len, err);
    if (rc)
        return rc;
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
    return open_at(ds, images, ds->header_bytes, err);
}

int myelin_dataset_open(const char *spec, myelin_dataset **out, myelin_error *err)
{
    *out = NULL;
    if (!spec || !*spec)
        return myelin_error_set(err, MYELIN_EUSAGE, "<dataset>", 0, 0, "empty dataset spec");
    myelin_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return myelin_error_set(err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    int rc;
    size_t n = strlen(spec);
    if (strncmp(spec, "synthetic:", 10) == 0 || strcmp(spec, "synthetic") == 0) {
        char buf[600];
        snprintf(buf, sizeof buf, "%s%s", spec, spec[9] ? "" : ":");
        rc = parse_synthetic(buf, ds, err);
    } else if (n >= 4 && (strstr(spec, ".bin") != NULL)) {
        rc = open_cifar(spec, ds, err);
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

void myelin_dataset_info_get(const myelin_dataset *ds, myelin_dataset_info *info)
{
    *info = ds->info;
}

int myelin_dataset_next(myelin_dataset *ds, uint8_t *pixels, int *label, myelin_error *err)
{
    if (ds->pos >= ds->info.count)
        return 0;
    switch (ds->kind) {
    case DS_SYNTH:
        myelin_synth_image(&ds->synth, ds->pos, pixels, label);
        break;
    case DS_CIFAR: {
        while (ds->cur_file < ds->n_files && fread(ds->record, 1, CIFAR_RECORD, ds->f) != CIFAR_RECORD) {
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
                                    "record %" PRId64 ": label %d is not a CIFAR-10 class (0..9)", ds->pos,
                                    ds->record[0]);
        *label = ds->record[0];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 1024; i++)
                pixels[i * 3 + c] = ds->record[1 + c * 1024 + i];
        break;
    }
    case DS_IDX: {
        size_t n = (size_t)ds->info.h * ds->info.w * ds->info.c;
        if (fread(pixels, 1, n, ds->f) != n)
            return myelin_error_set(err, MYELIN_EIO, ds->images_path, 0, 0, "short read at image %" PRId64, ds->pos);
        *label = ds->labels[ds->pos];
        break;
    }
    }
    ds->pos++;
    return 1;
}

int myelin_dataset_seek(myelin_dataset *ds, int64_t index, myelin_error *err)
{
    if (index < 0 || index > ds->info.count)
        return myelin_error_set(err, MYELIN_EUSAGE, ds->info.description, 0, 0,
                                "image %" PRId64 " is outside the dataset (0..%" PRId64 ")", index, ds->info.count);
    int rc = 0;
    if (ds->kind == DS_CIFAR) {
        int64_t rem = index;
        int fi = 0;
        while (fi < ds->n_files - 1 && rem >= ds->file_records[fi])
            rem -= ds->file_records[fi++];
        ds->cur_file = fi;
        rc = open_at(ds, ds->files[fi], rem * CIFAR_RECORD, err);
    } else if (ds->kind == DS_IDX) {
        int64_t n = (int64_t)ds->info.h * ds->info.w * ds->info.c;
        rc = open_at(ds, ds->images_path, ds->header_bytes + index * n, err);
    }
    if (rc == 0)
        ds->pos = index;
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
