/* core/util.h — small shared plumbing: whole-file reads, atomic writes, hashing, paths. */
#ifndef MYELIN_CORE_UTIL_H
#define MYELIN_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size caps on reads: no input may exhaust memory (a huge file, /dev/zero, a pipe that never ends).
 * Binary inputs (safetensors weights, dataset labels) may be large; text inputs (YAML, JSON,
 * journals) are small. */
#define MYELIN_READ_MAX_BYTES ((size_t)1 << 30)      /* 1 GiB */
#define MYELIN_READ_MAX_TEXT_BYTES ((size_t)64 << 20) /* 64 MiB */

/* Reads a whole file into a malloc'd buffer with a NUL appended (not counted in *len).  Refuses
 * a directory, and a file larger than MYELIN_READ_MAX_BYTES (MYELIN_EFORMAT, a clear message). */
int myelin_read_file(const char *path, char **data, size_t *len, myelin_error *err);
/* The same with the cap `max` bytes (text inputs pass MYELIN_READ_MAX_TEXT_BYTES). */
int myelin_read_file_max(const char *path, size_t max, char **data, size_t *len, myelin_error *err);

/* Writes data to path atomically: path.tmp.<pid>, fsync, rename.  A reader never sees half a file. */
int myelin_write_file_atomic(const char *path, const void *data, size_t len, myelin_error *err);

/* FNV-1a 64-bit, chained through h (start with MYELIN_FNV_INIT). For content fingerprints. */
#define MYELIN_FNV_INIT 0xcbf29ce484222325ULL
uint64_t myelin_fnv1a64(const void *data, size_t len, uint64_t h);

/* Writes into out (size n) the folder part of path ("." when none). */
void myelin_path_dirname(const char *path, char *out, size_t n);

/* Resolves `rel` against the folder `dir`: absolute paths are kept; returns 0, or
 * MYELIN_EUSAGE when the result does not fit in n. */
int myelin_path_join(const char *dir, const char *rel, char *out, size_t n);

/* Duplicates a string (malloc); NULL on allocation failure. */
char *myelin_strdup(const char *s);

/* Feeds `script` on stdin to gnuplot, started with posix_spawnp (no shell: `dir` and the script
 * are never parsed by one) in the working folder `dir` (its output files land there); gnuplot's own
 * messages are discarded.  Strings inside the script must come from myelin_escape(GNUPLOT).  Returns 0 when gnuplot ran and succeeded, non-zero otherwise
 * (including gnuplot missing: callers keep the .gp script and say so). */
int myelin_run_gnuplot(const char *dir, const char *script);

#ifdef __cplusplus
}
#endif
#endif
