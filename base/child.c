/* base/child.c — a function run in a forked child, its result piped back (base/child.h). */
#include "base/child.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* In the child: runs fn and sends its status, error and bytes; never returns. */
static void child(int fd, myelin_child_fn fn, void *user)
{
    myelin_error cerr;
    memset(&cerr, 0, sizeof cerr); /* every byte goes through the pipe */
    char *out = NULL;
    size_t len = 0;
    int rc = fn(user, &out, &len, &cerr);
    if (!out)
        len = 0;
    int ok = write_all(fd, &rc, sizeof rc) == 0 && write_all(fd, &cerr, sizeof cerr) == 0 &&
             write_all(fd, out ? out : "", len) == 0;
    fflush(NULL);
    _exit(ok ? 0 : 1);
}

/* Reads fd to its end into a growing buffer (one byte spare for a NUL). */
static int read_all(int fd, char **bufp, size_t *lenp, myelin_error *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            size_t nc = cap ? cap * 2 : 1 << 16;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
            }
            buf = nb;
            cap = nc;
        }
        ssize_t k = read(fd, buf + len, cap - len - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    *bufp = buf;
    *lenp = len;
    return 0;
}

int myelin_child_run(myelin_child_fn fn, void *user, char **out, size_t *len, myelin_error *err)
{
    *out = NULL;
    *len = 0;
    int fds[2];
    if (pipe(fds) != 0)
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "cannot make a pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], fn, user);
    }
    close(fds[1]);
    char *buf = NULL;
    size_t n = 0;
    int rc = read_all(fds[0], &buf, &n, err);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    const size_t head = sizeof(int) + sizeof(myelin_error);
    if (!rc && (!WIFEXITED(st) || n < head))
        rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0, "the child process died without a result (%s %d)",
                              WIFSIGNALED(st) ? "signal" : "exit status",
                              WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    if (!rc) {
        int crc;
        memcpy(&crc, buf, sizeof crc);
        if (crc) {
            memcpy(err, buf + sizeof crc, sizeof *err);
            rc = crc;
        } else {
            memmove(buf, buf + head, n - head);
            buf[n - head] = 0;
            *out = buf;
            *len = n - head;
            return 0;
        }
    }
    free(buf);
    return rc;
}
