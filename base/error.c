/* base/error.c — the error record and its exit-code mapping (see error.h). */
#include "base/error.h"

#include <stdarg.h>
#include <string.h>

void myelin_error_clear(myelin_error *err)
{
    if (!err)
        return;
    err->code = MYELIN_OK;
    err->file[0] = '\0';
    err->line = 0;
    err->column = 0;
    err->message[0] = '\0';
}

int myelin_error_set(myelin_error *err, int code, const char *file, int line, int column,
                     const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

int myelin_error_prefix(myelin_error *err, const char *fmt, ...)
{
    if (!err)
        return MYELIN_EINTERNAL;
    char prefix[512], old[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%.500s: %.500s", prefix, old);
    return err->code;
}

const char *myelin_strerror(int code)
{
    switch (code) {
    case MYELIN_OK: return "ok";
    case MYELIN_EUSAGE: return "usage error";
    case MYELIN_EIO: return "I/O error";
    case MYELIN_ESYNTAX: return "syntax error";
    case MYELIN_ESCHEMA: return "schema error";
    case MYELIN_EFORMAT: return "format error";
    case MYELIN_ESHAPE: return "shape error";
    case MYELIN_EMISSING: return "missing";
    case MYELIN_ENOMEM: return "out of memory";
    case MYELIN_EFIT: return "does not fit";
    case MYELIN_EUNSUPPORTED: return "unsupported";
    case MYELIN_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

void myelin_error_print(const myelin_error *err, FILE *f)
{
    if (!err || !f)
        return;
    if (err->file[0]) {
        fputs(err->file, f);
        if (err->line > 0) {
            fprintf(f, ":%d", err->line);
            if (err->column > 0)
                fprintf(f, ":%d", err->column);
        }
        fputs(": ", f);
    }
    fprintf(f, "error: %s\n", err->message[0] ? err->message : myelin_strerror(err->code));
}

int myelin_exit_code(int code)
{
    switch (code) {
    case MYELIN_OK: return 0;
    case MYELIN_EUSAGE: return 64;
    case MYELIN_ESYNTAX:
    case MYELIN_ESCHEMA:
    case MYELIN_EFORMAT:
    case MYELIN_ESHAPE: return 65;
    case MYELIN_EMISSING: return 66;
    case MYELIN_EUNSUPPORTED: return 69;
    case MYELIN_ENOMEM: return 71;
    case MYELIN_EIO: return 74;
    case MYELIN_EFIT: return 75;
    default: return 70;
    }
}
