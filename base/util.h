/* base/util.h — small shared plumbing: whole-file reads, atomic writes, hashing, paths. */
#ifndef MYELIN_CORE_UTIL_H
#define MYELIN_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

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

/* Finds a file shipped with Myelin (a preset, a zoo workload, its weights) by its path `rel`
 * relative to the data folder, e.g. "arch/presets/generic-45nm.yaml".  Data folders are tried in
 * this order: $MYELIN_DATADIR, the installed data folder (MYELIN_PKGDATADIR, $(pkgdatadir) at build
 * time), the source tree ($MYELIN_SRCDIR, then MYELIN_SRCDIR_DEFAULT, the tree the build came
 * from), then the current folder; the installed and source folders share one layout.  Returns 0
 * with the first regular file in out (size n), or MYELIN_EMISSING with the candidates it tried,
 * comma-separated, in tried (size tried_n, may be 0) for the caller's message. */
int myelin_data_find(const char *rel, char *out, size_t n, char *tried, size_t tried_n);

/* Creates folder `dir` and its missing parents (mode 0755, like mkdir -p); an existing folder is
 * fine.  MYELIN_EIO naming the part that could not be made. */
int myelin_mkdirs(const char *dir, myelin_error *err);

/* Duplicates a string (malloc); NULL on allocation failure. */
char *myelin_strdup(const char *s);

/* Feeds `script` on stdin to gnuplot, started with posix_spawnp (no shell: `dir` and the script
 * are never parsed by one) in the working folder `dir` (its output files land there); gnuplot's own
 * messages are discarded.  Strings inside the script must come from myelin_escape(GNUPLOT).  Returns 0 when gnuplot ran and succeeded, non-zero otherwise
 * (including gnuplot missing: callers keep the .gp script and say so). */
int myelin_run_gnuplot(const char *dir, const char *script);

/* Takes an advisory lock (flock, exclusive, non-blocking) on folder `dir` for the life of the
 * process (the descriptor stays open; *fd gets it).  MYELIN_EUSAGE with a message naming the
 * folder when another process holds it, so two runs cannot write into one output folder. */
int myelin_lock_dir(const char *dir, int *fd, myelin_error *err);

/* Installs SIGINT and SIGTERM handlers that write "<message> (SIGINT)" to stderr and exit at once
 * with status 130 / 143 (128 + the signal).  For commands whose durable state is written as it
 * goes (the search journal: every record is fsync'd when appended), so nothing needs flushing;
 * the handler is async-signal-safe (write, _exit).  The message is copied (at most 500 bytes). */
void myelin_exit_on_signals(const char *message);

/* Strict parse of a whole string as an unsigned decimal integer (a seed): digits only, no sign,
 * in range.  0 ok, -1 otherwise. */
int myelin_parse_u64(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
