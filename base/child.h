/* base/child.h — a function run in a forked child process, its status, error and result bytes
 * sent back through a pipe.  SystemC elaborates one netlist per process, so every caller that
 * simulates more than once per process (the scripting API, `myelin sweep --sim`) runs each
 * simulation this way. */
#ifndef MYELIN_BASE_CHILD_H
#define MYELIN_BASE_CHILD_H

#include <stddef.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The child's work: 0 with *out (malloc'ed, *len bytes; may stay NULL) or a MYELIN_E* code with
 * err set. */
typedef int (*myelin_child_fn)(void *user, char **out, size_t *len, myelin_error *err);

/* Forks, runs fn(user, ...) in the child (which leaves with _exit: no atexit handlers run there),
 * and returns its status and error; on success *out holds its bytes (malloc'ed and
 * NUL-terminated, *len without the NUL; free it).  MYELIN_EIO when the pipe or fork fails,
 * MYELIN_EINTERNAL when the child dies without a result (the signal or exit status said). */
int myelin_child_run(myelin_child_fn fn, void *user, char **out, size_t *len, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
