/* workloads/safetensors.h — the safetensors container: validated reading, and writing.
 *
 * Format: 8-byte little-endian header length n, n bytes of JSON
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
 * then the data buffer; offsets are relative to the buffer.  Nothing in a file is trusted before
 * it is checked: n against the file size, the JSON, every dtype, shape product × dtype size
 * against the offsets, offsets inside the buffer and non-overlapping. */
#ifndef MYELIN_WORKLOADS_SAFETENSORS_H
#define MYELIN_WORKLOADS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum myelin_dtype {
    MYELIN_DT_F64 = 0, MYELIN_DT_F32, MYELIN_DT_F16, MYELIN_DT_BF16,
    MYELIN_DT_I64, MYELIN_DT_I32, MYELIN_DT_I16, MYELIN_DT_I8, MYELIN_DT_U8, MYELIN_DT_BOOL,
    MYELIN_DT_COUNT
} myelin_dtype;

const char *myelin_dtype_name(myelin_dtype dt); /* "F32" ... */
size_t myelin_dtype_size(myelin_dtype dt);      /* bytes per element */

#define MYELIN_ST_MAX_DIMS 8

typedef struct myelin_st_tensor {
    const char *name;
    myelin_dtype dtype;
    int ndim;
    int64_t shape[MYELIN_ST_MAX_DIMS];
    int64_t numel;
    const void *data;   /* raw little-endian bytes inside the file image */
    size_t nbytes;
} myelin_st_tensor;

typedef struct myelin_st_file myelin_st_file; /* opaque: one validated file in memory */

/* Reads and validates the whole file. */
int myelin_st_open(const char *path, myelin_st_file **out, myelin_error *err);
/* Same over a memory image (copied); `source` names it in errors. */
int myelin_st_open_memory(const void *bytes, size_t len, const char *source, myelin_st_file **out,
                          myelin_error *err);
void myelin_st_close(myelin_st_file *f);

const char *myelin_st_path(const myelin_st_file *f);
int myelin_st_count(const myelin_st_file *f);
const myelin_st_tensor *myelin_st_at(const myelin_st_file *f, int i);
const myelin_st_tensor *myelin_st_find(const myelin_st_file *f, const char *name); /* NULL if absent */
/* Value of a string entry of "__metadata__", or NULL. */
const char *myelin_st_metadata(const myelin_st_file *f, const char *key);

/* Converts any floating or integer tensor to doubles (dst holds t->numel). */
int myelin_st_to_f64(const myelin_st_tensor *t, double *dst, myelin_error *err);
/* Converts any integer or bool tensor to int64 (dst holds t->numel). */
int myelin_st_to_i64(const myelin_st_tensor *t, int64_t *dst, myelin_error *err);

/* Writer: collects tensors (data copied), then writes the file atomically (temp + rename).
 * Tensors are written sorted by name, so the same content gives byte-identical files. */
typedef struct myelin_st_writer myelin_st_writer;
int myelin_st_writer_new(myelin_st_writer **out, myelin_error *err);
int myelin_st_writer_add(myelin_st_writer *w, const char *name, myelin_dtype dtype, int ndim,
                         const int64_t *shape, const void *data, myelin_error *err);
int myelin_st_writer_metadata(myelin_st_writer *w, const char *key, const char *value,
                              myelin_error *err);
int myelin_st_writer_save(myelin_st_writer *w, const char *path, myelin_error *err);
void myelin_st_writer_free(myelin_st_writer *w);

#ifdef __cplusplus
}
#endif
#endif
