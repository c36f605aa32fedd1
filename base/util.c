/* base/util.c — whole-file reads, atomic writes, hashing, paths, running gnuplot (see util.h). */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np (glibc >= 2.29) */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int myelin_read_file(const char *path, char **data, size_t *len, myelin_error *err)
{
    return myelin_read_file_max(path, MYELIN_READ_MAX_BYTES, data, len, err);
}

static int too_big(const char *path, size_t max, myelin_error *err)
{
    return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                            "file is larger than %zu MiB, the limit for this kind of input "
                            "(not a Myelin input file?)",
                            max >> 20);
}

int myelin_read_file_max(const char *path, size_t max, char **data, size_t *len, myelin_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return myelin_error_set(err, errno == ENOENT ? MYELIN_EMISSING : MYELIN_EIO, path, 0, 0,
                                "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "is a directory, not a file");
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max) {
            fclose(f);
            return too_big(path, max, err);
        }
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return myelin_error_set(err, MYELIN_ENOMEM, path, 0, 0, "out of memory reading file");
    }
    for (;;) {
        if (n > max) {
            free(buf);
            fclose(f);
            return too_big(path, max, err); /* a device or pipe that never ends (/dev/zero) */
        }
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

int myelin_data_find(const char *rel, char *out, size_t n, char *tried, size_t tried_n)
{
    const char *dirs[5];
    int nd = 0;
    const char *env = getenv("MYELIN_DATADIR");
    if (env && *env)
        dirs[nd++] = env;
#ifdef MYELIN_PKGDATADIR
    dirs[nd++] = MYELIN_PKGDATADIR;
#endif
    env = getenv("MYELIN_SRCDIR");
    if (env && *env)
        dirs[nd++] = env;
#ifdef MYELIN_SRCDIR_DEFAULT
    dirs[nd++] = MYELIN_SRCDIR_DEFAULT;
#endif
    dirs[nd++] = ".";
    if (tried_n)
        tried[0] = 0;
    for (int i = 0; i < nd; i++) {
        char cand[4096];
        struct stat st;
        int seen = 0;
        for (int k = 0; k < i; k++)
            seen |= strcmp(dirs[k], dirs[i]) == 0;
        if (seen || snprintf(cand, sizeof cand, "%s/%s", dirs[i], rel) >= (int)sizeof cand)
            continue;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && strlen(cand) < n) {
            memcpy(out, cand, strlen(cand) + 1);
            return 0;
        }
        if (tried_n) {
            size_t tl = strlen(tried);
            snprintf(tried + tl, tried_n - tl, "%s%s", tl ? ", " : "", cand);
        }
    }
    return MYELIN_EMISSING;
}

int myelin_mkdirs(const char *dir, myelin_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "folder path too long: %s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return myelin_error_set(err, MYELIN_EIO, buf, 0, 0, "cannot create folder: %s", strerror(errno));
        *p = '/';
    }
    struct stat st;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return myelin_error_set(err, MYELIN_EIO, buf, 0, 0, "cannot create folder: %s", strerror(errno));
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return myelin_error_set(err, MYELIN_EIO, buf, 0, 0, "exists and is not a folder");
    return 0;
}

char *myelin_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Writes all of p to fd; EPIPE (gnuplot gone) is returned as -1, never raised as SIGPIPE. */
static int write_no_sigpipe(int fd, const char *p, size_t n)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int rc = 0;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = -1;
            if (errno == EPIPE && !was_pending) {
                struct timespec zero = {0, 0};
                sigtimedwait(&pipe_set, NULL, &zero); /* consume the SIGPIPE we caused */
            }
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int myelin_run_gnuplot(const char *dir, const char *script)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    /* No shell anywhere: the folder is a chdir argument and gnuplot an argv[0], so no character of
     * either is ever interpreted. */
    int rc = posix_spawn_file_actions_addchdir_np(&fa, dir);
    rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
    rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    char *argv[] = {"gnuplot", NULL};
    if (rc == 0)
        rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        return -1;
    }
    int wrc = write_no_sigpipe(fds[1], script, strlen(script));
    close(fds[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return wrc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int myelin_lock_dir(const char *dir, int *fd, myelin_error *err)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return myelin_error_set(err, MYELIN_EIO, dir, 0, 0, "cannot open the output folder: %s",
                                strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        if (e == EWOULDBLOCK)
            return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0,
                                    "another myelin process is writing into this folder (it holds "
                                    "its lock); wait for it to finish or choose another --out");
        return myelin_error_set(err, MYELIN_EIO, dir, 0, 0, "cannot lock the output folder: %s",
                                strerror(e));
    }
    return 0;
}

static char signal_message[512];
static size_t signal_message_len;

static void on_exit_signal(int sig)
{
    static const char intr[] = " (SIGINT)\n", term[] = " (SIGTERM)\n";
    ssize_t w = write(STDERR_FILENO, signal_message, signal_message_len);
    if (sig == SIGINT)
        w = write(STDERR_FILENO, intr, sizeof intr - 1);
    else
        w = write(STDERR_FILENO, term, sizeof term - 1);
    (void)w;
    _exit(128 + sig);
}

void myelin_exit_on_signals(const char *message)
{
    snprintf(signal_message, sizeof signal_message - 1, "%s", message);
    signal_message_len = strlen(signal_message);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_exit_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int myelin_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}
