/* workloads/safetensors.c — safetensors container: validated reader (nothing trusted before it is
 * checked) and deterministic atomic writer; see workloads/safetensors.h. */
#include "workloads/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"

#define ST_MAX_HEADER_BYTES ((uint64_t)100 * 1024 * 1024) /* the reference implementation's cap */

static const char *const dtype_names[MYELIN_DT_COUNT] = {"F64", "F32", "F16", "BF16", "I64",
                                                         "I32", "I16", "I8",  "U8",   "BOOL"};
static const size_t dtype_sizes[MYELIN_DT_COUNT] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1};

const char *myelin_dtype_name(myelin_dtype dt)
{
    return (unsigned)dt < MYELIN_DT_COUNT ? dtype_names[dt] : "?";
}

size_t myelin_dtype_size(myelin_dtype dt)
{
    return (unsigned)dt < MYELIN_DT_COUNT ? dtype_sizes[dt] : 0;
}

struct myelin_st_file {
    char *path;
    unsigned char *image;
    size_t image_len;
    int n;
    myelin_st_tensor *tensors;
    char **names;
    int n_meta;
    char **meta_keys, **meta_values;
};

static int oom(myelin_error *err, const char *src)
{
    return myelin_error_set(err, MYELIN_ENOMEM, src, 0, 0, "out of memory");
}

void myelin_st_close(myelin_st_file *f)
{
    if (!f) return;
    for (int i = 0; i < f->n; i++) free(f->names[i]);
    for (int i = 0; i < f->n_meta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->names);
    free(f->tensors);
    free(f->meta_keys);
    free(f->meta_values);
    free(f->image);
    free(f->path);
    free(f);
}

static int by_begin(const void *a, const void *b)
{
    const myelin_st_tensor *x = *(const myelin_st_tensor *const *)a, *y = *(const myelin_st_tensor *const *)b;
    if (x->data != y->data) return (const char *)x->data < (const char *)y->data ? -1 : 1;
    return (x->nbytes > y->nbytes) - (x->nbytes < y->nbytes);
}

/* Reads a JSON array of non-negative integers into v (at most max), returns count or -1. */
static int int_array(const myelin_json *a, int64_t *v, int max)
{
    if (!a || a->type != MYELIN_JSON_ARRAY || a->count > (size_t)max) return -1;
    for (size_t i = 0; i < a->count; i++) {
        if (a->items[i].type != MYELIN_JSON_NUMBER || !a->items[i].is_int || a->items[i].integer < 0) return -1;
        v[i] = a->items[i].integer;
    }
    return (int)a->count;
}

static int parse_entry(myelin_st_file *f, const char *src, const char *name, const myelin_json *e,
                       const unsigned char *data, uint64_t data_len, myelin_st_tensor *t, myelin_error *err)
{
    if (e->type != MYELIN_JSON_OBJECT)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': expected an object with dtype, shape, data_offsets (got %s)",
                                name, myelin_json_type_name(e->type));
    const myelin_json *dt = myelin_json_get(e, "dtype");
    if (!dt || dt->type != MYELIN_JSON_STRING)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0, "tensor '%s': missing or non-string \"dtype\"", name);
    int d;
    for (d = 0; d < MYELIN_DT_COUNT; d++)
        if (strcmp(dt->string, dtype_names[d]) == 0) break;
    if (d == MYELIN_DT_COUNT)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': unknown dtype '%s' (expected F64, F32, F16, BF16, I64, I32, I16, "
                                "I8, U8 or BOOL)", name, dt->string);
    t->dtype = (myelin_dtype)d;
    const myelin_json *sh = myelin_json_get(e, "shape");
    int nd = int_array(sh, t->shape, MYELIN_ST_MAX_DIMS);
    if (nd < 0)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': \"shape\" must be an array of at most %d non-negative integers",
                                name, MYELIN_ST_MAX_DIMS);
    t->ndim = nd;
    int64_t off[2];
    if (int_array(myelin_json_get(e, "data_offsets"), off, 2) != 2)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': \"data_offsets\" must be an array of 2 non-negative integers", name);
    if (off[0] > off[1])
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': data_offsets [%lld, %lld] end before begin", name,
                                (long long)off[0], (long long)off[1]);
    if ((uint64_t)off[1] > data_len)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': data_offsets [%lld, %lld] outside the %llu-byte data buffer", name,
                                (long long)off[0], (long long)off[1], (unsigned long long)data_len);
    uint64_t numel = 1;
    for (int i = 0; i < nd; i++) {
        if (t->shape[i] != 0 && numel > UINT64_MAX / 16 / (uint64_t)t->shape[i])
            return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0, "tensor '%s': shape product overflows", name);
        numel *= (uint64_t)t->shape[i];
    }
    uint64_t need = numel * dtype_sizes[d];
    if (need != (uint64_t)(off[1] - off[0]))
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "tensor '%s': shape × %s size is %llu bytes but data_offsets [%lld, %lld] span "
                                "%lld bytes", name, dtype_names[d], (unsigned long long)need,
                                (long long)off[0], (long long)off[1], (long long)(off[1] - off[0]));
    t->numel = (int64_t)numel;
    t->data = data + off[0];
    t->nbytes = (size_t)need;
    (void)f;
    return 0;
}

static int validate(myelin_st_file *f, myelin_error *err)
{
    const char *src = f->path;
    if (f->image_len < 8)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "file is %zu bytes, shorter than the 8-byte header length", f->image_len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | f->image[i];
    if (n > ST_MAX_HEADER_BYTES)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0, "header length %llu exceeds the %llu-byte cap",
                                (unsigned long long)n, (unsigned long long)ST_MAX_HEADER_BYTES);
    if (n > f->image_len - 8)
        return myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                "header length %llu exceeds the %zu bytes after the length field (truncated file?)",
                                (unsigned long long)n, f->image_len - 8);
    myelin_json *root = NULL;
    int rc = myelin_json_parse((const char *)f->image + 8, (size_t)n, src, &root, err);
    if (rc) {
        myelin_error_prefix(err, "safetensors header");
        return rc;
    }
    const unsigned char *data = f->image + 8 + n;
    uint64_t data_len = f->image_len - 8 - n;
    if (root->type != MYELIN_JSON_OBJECT) {
        rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0, "header: expected a JSON object (got %s)",
                              myelin_json_type_name(root->type));
        goto done;
    }
    f->tensors = calloc(root->count + 1, sizeof *f->tensors);
    f->names = calloc(root->count + 1, sizeof *f->names);
    if (!f->tensors || !f->names) { rc = oom(err, src); goto done; }
    for (size_t i = 0; i < root->count; i++) {
        const char *name = root->keys[i];
        const myelin_json *e = &root->items[i];
        if (strcmp(name, "__metadata__") == 0) {
            if (e->type != MYELIN_JSON_OBJECT) {
                rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0, "\"__metadata__\" must be an object of strings");
                goto done;
            }
            f->meta_keys = calloc(e->count + 1, sizeof *f->meta_keys);
            f->meta_values = calloc(e->count + 1, sizeof *f->meta_values);
            if (!f->meta_keys || !f->meta_values) { rc = oom(err, src); goto done; }
            for (size_t k = 0; k < e->count; k++) {
                if (e->items[k].type != MYELIN_JSON_STRING) {
                    rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                          "\"__metadata__\" entry '%s' must be a string", e->keys[k]);
                    goto done;
                }
                f->meta_keys[f->n_meta] = myelin_strdup(e->keys[k]);
                f->meta_values[f->n_meta] = myelin_strdup(e->items[k].string);
                f->n_meta++;
                if (!f->meta_keys[f->n_meta - 1] || !f->meta_values[f->n_meta - 1]) { rc = oom(err, src); goto done; }
            }
            continue;
        }
        myelin_st_tensor *t = &f->tensors[f->n];
        if ((rc = parse_entry(f, src, name, e, data, data_len, t, err))) goto done;
        if (!(f->names[f->n] = myelin_strdup(name))) { rc = oom(err, src); goto done; }
        t->name = f->names[f->n];
        f->n++;
    }
    /* No overlaps, and the buffer fully covered (as the reference implementation requires). */
    if (f->n > 0) {
        const myelin_st_tensor **order = malloc((size_t)f->n * sizeof *order);
        if (!order) { rc = oom(err, src); goto done; }
        for (int i = 0; i < f->n; i++) order[i] = &f->tensors[i];
        qsort(order, (size_t)f->n, sizeof *order, by_begin);
        size_t pos = 0;
        for (int i = 0; i < f->n && !rc; i++) {
            size_t b = (size_t)((const unsigned char *)order[i]->data - data);
            if (b < pos)
                rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                      "tensor '%s': data_offsets [%zu, %zu] overlap tensor '%s' (which ends at %zu)",
                                      order[i]->name, b, b + order[i]->nbytes, order[i - 1]->name, pos);
            else if (b > pos)
                rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                      "tensor '%s': data_offsets begin at %zu, leaving bytes [%zu, %zu) of the data "
                                      "buffer unused", order[i]->name, b, pos, b);
            pos = b + order[i]->nbytes;
        }
        if (!rc && pos != data_len)
            rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                                  "data buffer is %llu bytes but the tensors cover only %zu",
                                  (unsigned long long)data_len, pos);
        free(order);
    } else if (data_len != 0) {
        rc = myelin_error_set(err, MYELIN_EFORMAT, src, 0, 0,
                              "no tensors but a %llu-byte data buffer", (unsigned long long)data_len);
    }
done:
    myelin_json_free(root);
    return rc;
}

static int open_owned(unsigned char *image, size_t len, const char *source, myelin_st_file **out,
                      myelin_error *err)
{
    *out = NULL;
    myelin_st_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = myelin_strdup(source ? source : "<memory>"))) {
        free(f);
        free(image);
        return oom(err, source);
    }
    f->image = image;
    f->image_len = len;
    int rc = validate(f, err);
    if (rc) {
        myelin_st_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

int myelin_st_open(const char *path, myelin_st_file **out, myelin_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = myelin_read_file(path, &data, &len, err);
    if (rc) return rc;
    return open_owned((unsigned char *)data, len, path, out, err);
}

int myelin_st_open_memory(const void *bytes, size_t len, const char *source, myelin_st_file **out,
                          myelin_error *err)
{
    *out = NULL;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) return oom(err, source);
    if (len) memcpy(copy, bytes, len);
    return open_owned(copy, len, source, out, err);
}

const char *myelin_st_path(const myelin_st_file *f) { return f->path; }
int myelin_st_count(const myelin_st_file *f) { return f->n; }

const myelin_st_tensor *myelin_st_at(const myelin_st_file *f, int i)
{
    return (i >= 0 && i < f->n) ? &f->tensors[i] : NULL;
}

const myelin_st_tensor *myelin_st_find(const myelin_st_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

const char *myelin_st_metadata(const myelin_st_file *f, const char *key)
{
    for (int i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_values[i];
    return NULL;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Exact IEEE binary16 -> double (subnormals, inf, nan). */
static double f16_to_f64(unsigned h)
{
    int sign = (h >> 15) & 1, e = (h >> 10) & 0x1F;
    unsigned m = h & 0x3FF;
    double v;
    if (e == 0) v = ldexp((double)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexp((double)(m | 0x400), e - 25);
    return sign ? -v : v;
}

/* bfloat16 is the top half of a binary32: exact by construction. */
static double bf16_to_f64(unsigned h)
{
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return (double)x;
}

int myelin_st_to_f64(const myelin_st_tensor *t, double *dst, myelin_error *err)
{
    const unsigned char *p = t->data;
    size_t sz = dtype_sizes[t->dtype];
    for (int64_t i = 0; i < t->numel; i++, p += sz) {
        uint64_t u = le(p, (int)sz);
        switch (t->dtype) {
        case MYELIN_DT_F64: { double x; memcpy(&x, &u, 8); dst[i] = x; break; }
        case MYELIN_DT_F32: { uint32_t w = (uint32_t)u; float x; memcpy(&x, &w, 4); dst[i] = x; break; }
        case MYELIN_DT_F16: dst[i] = f16_to_f64((unsigned)u); break;
        case MYELIN_DT_BF16: dst[i] = bf16_to_f64((unsigned)u); break;
        case MYELIN_DT_I64: dst[i] = (double)(int64_t)u; break;
        case MYELIN_DT_I32: dst[i] = (double)(int32_t)(uint32_t)u; break;
        case MYELIN_DT_I16: dst[i] = (double)(int16_t)(uint16_t)u; break;
        case MYELIN_DT_I8: dst[i] = (double)(int8_t)(uint8_t)u; break;
        case MYELIN_DT_U8: dst[i] = (double)u; break;
        case MYELIN_DT_BOOL: dst[i] = u ? 1.0 : 0.0; break;
        default: return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0, "tensor '%s': bad dtype", t->name);
        }
    }
    return 0;
}

int myelin_st_to_i64(const myelin_st_tensor *t, int64_t *dst, myelin_error *err)
{
    const unsigned char *p = t->data;
    size_t sz = dtype_sizes[t->dtype];
    for (int64_t i = 0; i < t->numel; i++, p += sz) {
        uint64_t u = le(p, (int)sz);
        switch (t->dtype) {
        case MYELIN_DT_I64: dst[i] = (int64_t)u; break;
        case MYELIN_DT_I32: dst[i] = (int32_t)(uint32_t)u; break;
        case MYELIN_DT_I16: dst[i] = (int16_t)(uint16_t)u; break;
        case MYELIN_DT_I8: dst[i] = (int8_t)(uint8_t)u; break;
        case MYELIN_DT_U8: dst[i] = (int64_t)u; break;
        case MYELIN_DT_BOOL: dst[i] = u ? 1 : 0; break;
        default:
            return myelin_error_set(err, MYELIN_ESCHEMA, NULL, 0, 0,
                                    "tensor '%s': dtype %s is not an integer type", t->name, dtype_names[t->dtype]);
        }
    }
    return 0;
}

/* ---- writer ---- */

typedef struct wtensor {
    char *name;
    myelin_dtype dtype;
    int ndim;
    int64_t shape[MYELIN_ST_MAX_DIMS];
    unsigned char *data;
    size_t nbytes;
} wtensor;

struct myelin_st_writer {
    int n, cap;
    wtensor *t;
    int n_meta, cap_meta;
    char **mk, **mv;
};

int myelin_st_writer_new(myelin_st_writer **out, myelin_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : oom(err, NULL);
}

void myelin_st_writer_free(myelin_st_writer *w)
{
    if (!w) return;
    for (int i = 0; i < w->n; i++) {
        free(w->t[i].name);
        free(w->t[i].data);
    }
    for (int i = 0; i < w->n_meta; i++) {
        free(w->mk[i]);
        free(w->mv[i]);
    }
    free(w->t);
    free(w->mk);
    free(w->mv);
    free(w);
}

int myelin_st_writer_add(myelin_st_writer *w, const char *name, myelin_dtype dtype, int ndim,
                         const int64_t *shape, const void *data, myelin_error *err)
{
    if (!name || !*name || strcmp(name, "__metadata__") == 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "safetensors writer: invalid tensor name");
    if ((unsigned)dtype >= MYELIN_DT_COUNT || ndim < 0 || ndim > MYELIN_ST_MAX_DIMS)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "safetensors writer: tensor '%s': bad dtype or ndim %d", name, ndim);
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "safetensors writer: duplicate tensor '%s'", name);
    size_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "safetensors writer: tensor '%s': negative dimension", name);
        numel *= (size_t)shape[i];
    }
    size_t nbytes = numel * dtype_sizes[dtype];
    if (nbytes && !data)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "safetensors writer: tensor '%s': no data", name);
    if (w->n == w->cap) {
        int nc = w->cap ? 2 * w->cap : 16;
        wtensor *nt = realloc(w->t, (size_t)nc * sizeof *nt);
        if (!nt) return oom(err, NULL);
        w->t = nt;
        w->cap = nc;
    }
    wtensor *t = &w->t[w->n];
    memset(t, 0, sizeof *t);
    t->name = myelin_strdup(name);
    t->data = malloc(nbytes ? nbytes : 1);
    if (!t->name || !t->data) {
        free(t->name);
        free(t->data);
        return oom(err, NULL);
    }
    if (nbytes) memcpy(t->data, data, nbytes);
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->nbytes = nbytes;
    w->n++;
    return 0;
}

int myelin_st_writer_metadata(myelin_st_writer *w, const char *key, const char *value,
                              myelin_error *err)
{
    for (int i = 0; i < w->n_meta; i++)
        if (strcmp(w->mk[i], key) == 0) {
            char *v = myelin_strdup(value);
            if (!v) return oom(err, NULL);
            free(w->mv[i]);
            w->mv[i] = v;
            return 0;
        }
    if (w->n_meta == w->cap_meta) {
        int nc = w->cap_meta ? 2 * w->cap_meta : 8;
        char **a = realloc(w->mk, (size_t)nc * sizeof *a);
        if (!a) return oom(err, NULL);
        w->mk = a;
        char **b = realloc(w->mv, (size_t)nc * sizeof *b);
        if (!b) return oom(err, NULL);
        w->mv = b;
        w->cap_meta = nc;
    }
    w->mk[w->n_meta] = myelin_strdup(key);
    w->mv[w->n_meta] = myelin_strdup(value);
    w->n_meta++;
    if (!w->mk[w->n_meta - 1] || !w->mv[w->n_meta - 1]) return oom(err, NULL);
    return 0;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) { b->oom = 1; return; }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_json(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; sb_put(b, esc, 2); }
        else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); sb_put(b, esc, 6); }
        else sb_put(b, (const char *)&c, 1);
    }
    sb_put(b, "\"", 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const wtensor *const *)a)->name, (*(const wtensor *const *)b)->name);
}

int myelin_st_writer_save(myelin_st_writer *w, const char *path, myelin_error *err)
{
    const wtensor **order = malloc(((size_t)w->n + 1) * sizeof *order);
    if (!order) return oom(err, path);
    for (int i = 0; i < w->n; i++) order[i] = &w->t[i];
    qsort(order, (size_t)w->n, sizeof *order, by_name);
    sbuf h = {0};
    char num[64];
    sb_put(&h, "{", 1);
    int first = 1;
    if (w->n_meta) {
        sb_str(&h, "\"__metadata__\":{");
        for (int i = 0; i < w->n_meta; i++) {
            if (i) sb_put(&h, ",", 1);
            sb_json(&h, w->mk[i]);
            sb_put(&h, ":", 1);
            sb_json(&h, w->mv[i]);
        }
        sb_put(&h, "}", 1);
        first = 0;
    }
    size_t off = 0;
    for (int i = 0; i < w->n; i++) {
        const wtensor *t = order[i];
        if (!first) sb_put(&h, ",", 1);
        first = 0;
        sb_json(&h, t->name);
        sb_str(&h, ":{\"dtype\":\"");
        sb_str(&h, dtype_names[t->dtype]);
        sb_str(&h, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            snprintf(num, sizeof num, d ? ",%lld" : "%lld", (long long)t->shape[d]);
            sb_str(&h, num);
        }
        snprintf(num, sizeof num, "],\"data_offsets\":[%zu,%zu]}", off, off + t->nbytes);
        sb_str(&h, num);
        off += t->nbytes;
    }
    sb_put(&h, "}", 1);
    while (h.n % 8) sb_put(&h, " ", 1);
    size_t total = 8 + h.n + off;
    unsigned char *img = h.oom ? NULL : malloc(total);
    int rc;
    if (!img) {
        rc = oom(err, path);
    } else {
        for (int i = 0; i < 8; i++) img[i] = (unsigned char)((uint64_t)h.n >> (8 * i));
        memcpy(img + 8, h.p, h.n);
        size_t pos = 8 + h.n;
        for (int i = 0; i < w->n; i++) {
            if (order[i]->nbytes) memcpy(img + pos, order[i]->data, order[i]->nbytes);
            pos += order[i]->nbytes;
        }
        rc = myelin_write_file_atomic(path, img, total, err);
    }
    free(img);
    free(h.p);
    free(order);
    return rc;
}
