/* fuzz/fuzz_common.h — shared helpers of the libFuzzer harnesses: the tiny workload every binding
 * harness resolves against, and scratch files for the parsers that read from a path. */
#ifndef MYELIN_FUZZ_COMMON_H
#define MYELIN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "workloads/workload.h"

#ifndef MYELIN_FUZZ_SRCDIR
#define MYELIN_FUZZ_SRCDIR "."
#endif

/* The zoo's tiny workload, loaded once (aborts when missing: the harness cannot run without it). */
static inline const myelin_workload *fuzz_tiny(void)
{
    static myelin_workload *wl;
    if (!wl) {
        myelin_error e;
        if (myelin_workload_load(MYELIN_FUZZ_SRCDIR "/workloads/zoo/tiny.yaml", &wl, &e) != 0) {
            fprintf(stderr, "fuzz: cannot load the tiny workload: %s\n", e.message);
            abort();
        }
    }
    return wl;
}

/* A NUL-terminated copy of the input (the YAML loaders take strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Writes bytes to a per-process scratch file named by `tag`; its path goes to out. */
static inline void fuzz_scratch(const char *tag, const void *data, size_t size, char *out, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, n, "%s/myelin-fuzz-%ld-%s", tmp && *tmp ? tmp : "/tmp", (long)getpid(), tag);
    FILE *f = fopen(out, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

#endif
