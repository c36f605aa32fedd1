/* core/util.c — whole-file reads, atomic writes, hashing, paths, running gnuplot (see util.h). */
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int myelin_read_file(const char *path, char **data, size_t *len, myelin_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory reading file");
    }
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory reading file");
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "read error");
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return MYELIN_OK;
}

int myelin_write_file_atomic(const char *path, const void *data, size_t len, myelin_error *err)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0, "path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot create %s: %s", tmp,
                                strerror(errno));
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    return MYELIN_OK;
}

uint64_t myelin_fnv1a64(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void myelin_path_dirname(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(out, n, ".");
        return;
    }
    size_t len = (size_t)(slash - path);
    if (len == 0)
        len = 1; /* "/file" -> "/" */
    if (len >= n)
        len = n - 1;
    memcpy(out, path, len);
    out[len] = '\0';
}

int myelin_path_join(const char *dir, const char *rel, char *out, size_t n)
{
    int w;
    if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        w = snprintf(out, n, "%s", rel);
    else
        w = snprintf(out, n, "%s/%s", dir, rel);
    return (w < 0 || (size_t)w >= n) ? MYELIN_EUSAGE : MYELIN_OK;
}

char *myelin_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int myelin_run_gnuplot(const char *dir, const char *script)
{
    char cmd[4200];
    if ((size_t)snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot 2>/dev/null", dir) >= sizeof cmd)
        return -1;
    FILE *p = popen(cmd, "w");
    if (!p)
        return -1;
    fputs(script, p);
    return pclose(p);
}
