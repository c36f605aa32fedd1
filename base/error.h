/* base/error.h — the one status rule: error codes, the error record, exit-code mapping.
 *
 * Fallible functions return int: 0 on success, a negative MYELIN_E* code on failure, and fill a
 * struct myelin_error (code, message, and where: file, line, column; line/column are 1-based,
 * 0 when unknown).  Only main() turns an error into a process exit code, through
 * myelin_exit_code().  Nothing in the libraries prints or exits. */
#ifndef MYELIN_CORE_ERROR_H
#define MYELIN_CORE_ERROR_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum myelin_status {
    MYELIN_OK = 0,
    MYELIN_EUSAGE = -1,       /* bad command-line usage or API argument */
    MYELIN_EIO = -2,          /* cannot open, read or write a file */
    MYELIN_ESYNTAX = -3,      /* malformed YAML or JSON text */
    MYELIN_ESCHEMA = -4,      /* well-formed but wrong: unknown key, wrong type, out of range */
    MYELIN_EFORMAT = -5,      /* malformed binary file: safetensors, dataset, truncated data */
    MYELIN_ESHAPE = -6,       /* tensor or dataset shape disagrees with the graph */
    MYELIN_EMISSING = -7,     /* a required tensor, key or file is absent */
    MYELIN_ENOMEM = -8,       /* out of memory */
    MYELIN_EFIT = -9,         /* the workload does not fit the architecture */
    MYELIN_EUNSUPPORTED = -10,/* valid request this build or architecture cannot do */
    MYELIN_EINTERNAL = -11    /* a bug: an invariant failed */
};

typedef struct myelin_error {
    int code;            /* MYELIN_OK or a negative MYELIN_E* */
    char file[512];      /* the file the problem is in, "" when none */
    int line;            /* 1-based line, 0 = unknown */
    int column;          /* 1-based column, 0 = unknown */
    char message[1024];  /* what is wrong and what was expected */
} myelin_error;

/* Clears err (code MYELIN_OK, empty strings). err may be NULL. */
void myelin_error_clear(myelin_error *err);

/* Records an error and returns code (so callers can `return myelin_error_set(...)`).
 * file may be NULL; line/column 0 when unknown.  err may be NULL (the code is still returned).
 * A later call overwrites an earlier one; use myelin_error_prefix to add context. */
int myelin_error_set(myelin_error *err, int code, const char *file, int line, int column,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Prepends "context: " to the message of an already-set error; returns err->code. */
int myelin_error_prefix(myelin_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Short name of a status code, e.g. "schema error". Never NULL. */
const char *myelin_strerror(int code);

/* Writes "file:line:column: error: message\n" (parts omitted when unknown) to f. */
void myelin_error_print(const myelin_error *err, FILE *f);

/* Maps a status to a process exit status (sysexits.h values): 0 ok, 64 usage, 65 data
 * (syntax, schema, format, shape), 66 missing input, 69 unsupported, 70 internal, 71 no memory,
 * 74 I/O, 75 does not fit. */
int myelin_exit_code(int code);

#ifdef __cplusplus
}
#endif
#endif
