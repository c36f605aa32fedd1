/* search/journal.c — the append-only journal that makes a search resumable.
 *
 * Format: JSON lines.  The first line identifies the search:
 *   {"journal":"myelin-search","version":1,"args":"<16 hex digits: hash of every argument that
 *    changes a result>"}
 * then one record per evaluation, appended and fsync'd as soon as it completes:
 *   {"kind":"drift"|"full"|"test","key":"<candidate key>","v":[numbers, %.17g]}
 * Values that are not finite are written as null (NaN) or the strings "inf" / "-inf": JSON has no
 * NaN, and a record the reader cannot read back would be lost.
 * A rerun with the same arguments reads the records back and never recomputes them.  A journal
 * with other arguments is renamed to <path>.old and a fresh one started.  A torn last line (a kill
 * during the write) is cut off on open; any other bad line stops the resume with an error naming
 * the line (records are never dropped silently).  The journal touches only files that are its own:
 * a path that exists and is not a regular file starting with a Myelin journal header (a device,
 * a folder, someone's notes) is refused untouched.  The open file holds an advisory flock, so two
 * searches cannot append to one journal. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/json.h"
#include "base/util.h"
#include "search/internal.h"

#define JOURNAL_MAX_VALS 8

typedef struct jrec {
    char *id; /* "kind:key" */
    int n;
    double v[JOURNAL_MAX_VALS];
} jrec;

struct journal {
    int fd;
    char path[MYELIN_PATH_MAX];
    int n, cap;
    jrec *recs;
};

static int add_rec(journal *j, const char *kind, const char *key, const double *v, int n)
{
    if (j->n == j->cap) {
        int cap = j->cap ? 2 * j->cap : 64;
        jrec *r = realloc(j->recs, (size_t)cap * sizeof *r);
        if (!r)
            return -1;
        j->recs = r;
        j->cap = cap;
    }
    jrec *r = &j->recs[j->n];
    size_t len = strlen(kind) + strlen(key) + 2;
    r->id = malloc(len);
    if (!r->id)
        return -1;
    snprintf(r->id, len, "%s:%s", kind, key);
    r->n = n < JOURNAL_MAX_VALS ? n : JOURNAL_MAX_VALS;
    memcpy(r->v, v, (size_t)r->n * sizeof *v);
    j->n++;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A value of a record: a number, null (NaN) or "inf" / "-inf"; 0 when it is none of these. */
static int read_value(const myelin_json *v, double *out)
{
    if (v->type == MYELIN_JSON_NUMBER) {
        *out = v->number;
        return isfinite(v->number);
    }
    if (v->type == MYELIN_JSON_NULL) {
        *out = NAN;
        return 1;
    }
    if (v->type == MYELIN_JSON_STRING && (!strcmp(v->string, "inf") || !strcmp(v->string, "-inf"))) {
        *out = v->string[0] == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    return 0;
}

/* Parses the records of text (after the header line, which is line 1).  Sets *good to the length
 * of the complete lines (a torn last line without its newline is left out); returns 0, or an
 * error naming the first bad complete line. */
static int load_records(journal *j, const char *text, size_t len, size_t start, size_t *good,
                        myelin_error *err)
{
    size_t pos = start;
    int line = 2;
    *good = start;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break; /* torn last line: the write a kill interrupted */
        size_t ll = (size_t)(nl - (text + pos));
        myelin_json *js = NULL;
        myelin_error e;
        const char *why = "expected {\"kind\":...,\"key\":...,\"v\":[numbers]}";
        int ok = 1;
        if (myelin_json_parse(text + pos, ll, j->path, &js, &e) != 0) {
            ok = 0;
            why = e.message;
        }
        const myelin_json *k = ok ? myelin_json_get(js, "kind") : NULL,
                          *key = ok ? myelin_json_get(js, "key") : NULL,
                          *v = ok ? myelin_json_get(js, "v") : NULL;
        ok = ok && k && key && v && k->type == MYELIN_JSON_STRING && key->type == MYELIN_JSON_STRING &&
             v->type == MYELIN_JSON_ARRAY && v->count <= JOURNAL_MAX_VALS && js->count == 3;
        double vals[JOURNAL_MAX_VALS];
        for (size_t i = 0; ok && i < v->count; i++)
            ok = read_value(&v->items[i], &vals[i]);
        if (ok && add_rec(j, k->string, key->string, vals, (int)v->count)) {
            myelin_json_free(js);
            return myelin_error_set(err, MYELIN_ENOMEM, j->path, 0, 0, "journal: out of memory");
        }
        myelin_json_free(js);
        if (!ok)
            return myelin_error_set(err, MYELIN_EFORMAT, j->path, line, 1,
                                    "corrupt journal record (%s); the records after it would be lost, "
                                    "so the resume stops: repair or delete this line, or remove the "
                                    "journal to start afresh",
                                    why);
        pos += ll + 1;
        *good = pos;
        line++;
    }
    return 0;
}

/* 1 when text starts with a Myelin journal header line (of any arguments). */
static int is_myelin_journal(const char *text, size_t len)
{
    static const char magic[] = "{\"journal\":\"myelin-search\",";
    return len >= sizeof magic - 1 && memcmp(text, magic, sizeof magic - 1) == 0;
}

/* Reads path when it exists: *exists 0 when it does not; refuses anything that is not a regular
 * file holding a Myelin journal (never touched). */
static int read_own(const char *path, char **text, size_t *len, int *exists, myelin_error *err)
{
    struct stat st;
    *exists = 0;
    *text = NULL;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot inspect the journal: %s",
                                strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                "not a Myelin journal (%s); refusing to touch it: give --journal a "
                                "new file or one a search wrote",
                                S_ISDIR(st.st_mode) ? "a folder" : S_ISLNK(st.st_mode) ? "a symbolic link"
                                                                                      : "not a regular file");
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, text, len, err);
    if (rc)
        return rc;
    *exists = 1;
    if (*len == 0)
        return 0; /* an empty file: nothing to lose, a journal starts in it */
    if (!is_myelin_journal(*text, *len)) {
        free(*text);
        *text = NULL;
        return myelin_error_set(err, MYELIN_EUSAGE, path, 1, 1,
                                "not a Myelin journal (its first line is not "
                                "{\"journal\":\"myelin-search\",...}); refusing to touch it: give "
                                "--journal a new file or one a search wrote");
    }
    return 0;
}

int myelin_journal_open(const char *path, uint64_t args_hash, journal **out, int *restarted,
                 myelin_error *err)
{
    *out = NULL;
    *restarted = 0;
    journal *j = calloc(1, sizeof *j);
    if (!j)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "journal: out of memory");
    j->fd = -1;
    snprintf(j->path, sizeof j->path, "%s", path);
    char header[160];
    snprintf(header, sizeof header,
             "{\"journal\":\"myelin-search\",\"version\":1,\"args\":\"%016" PRIx64 "\"}\n", args_hash);
    size_t hlen = strlen(header);
    char *text = NULL;
    size_t len = 0;
    int exists = 0;
    int rc = read_own(path, &text, &len, &exists, err);
    if (rc) {
        myelin_journal_close(j);
        return rc;
    }
    size_t keep = 0;
    if (exists && len >= hlen && memcmp(text, header, hlen) == 0) {
        rc = load_records(j, text, len, hlen, &keep, err);
        if (rc) {
            free(text);
            myelin_journal_close(j);
            return rc;
        }
    } else if (exists && len > 0) {
        /* a journal of ours, written with other arguments: set it aside, never over another file */
        char old[MYELIN_PATH_MAX + 8];
        snprintf(old, sizeof old, "%s.old", path);
        char *otext = NULL;
        size_t olen = 0;
        int oexists = 0;
        rc = read_own(old, &otext, &olen, &oexists, err);
        free(otext);
        if (rc) {
            free(text);
            myelin_journal_close(j);
            return myelin_error_prefix(err, "cannot set the journal of other arguments aside");
        }
        if (rename(path, old) != 0) {
            int e = errno;
            free(text);
            myelin_journal_close(j);
            return myelin_error_set(err, MYELIN_EIO, path, 0, 0,
                                    "cannot move a journal of other arguments aside to %s: %s", old,
                                    strerror(e));
        }
        *restarted = 1;
    }
    free(text);
    /* O_NOFOLLOW: a symbolic link planted between the check and the open is not followed */
    j->fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (j->fd < 0) {
        int e = errno;
        myelin_journal_close(j);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot open the journal: %s", strerror(e));
    }
    if (flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        myelin_journal_close(j);
        if (e == EWOULDBLOCK)
            return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                    "another search is writing this journal (it holds its lock); wait "
                                    "for it to finish or give another --out / --journal");
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot lock the journal: %s", strerror(e));
    }
    struct stat st;
    if (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        myelin_journal_close(j);
        return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0,
                                "not a regular file; refusing to write a journal into it");
    }
    if (keep > 0) {
        /* drop a torn tail so that the next record starts on its own line */
        if (ftruncate(j->fd, (off_t)keep) != 0 || lseek(j->fd, 0, SEEK_END) < 0)
            rc = -1;
    } else {
        if (ftruncate(j->fd, 0) != 0 || write_all(j->fd, header, hlen) != 0 || fsync(j->fd) != 0)
            rc = -1;
    }
    if (rc) {
        int e = errno;
        myelin_journal_close(j);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot write the journal: %s",
                                strerror(e));
    }
    *out = j;
    return 0;
}

void myelin_journal_close(journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    for (int i = 0; i < j->n; i++)
        free(j->recs[i].id);
    free(j->recs);
    free(j);
}

int myelin_journal_records(const journal *j)
{
    return j ? j->n : 0;
}

int myelin_journal_get(const journal *j, const char *kind, const char *key, double *vals, int n)
{
    if (!j)
        return 0;
    size_t kl = strlen(kind);
    for (int i = j->n - 1; i >= 0; i--) {
        const char *id = j->recs[i].id;
        if (strncmp(id, kind, kl) == 0 && id[kl] == ':' && strcmp(id + kl + 1, key) == 0) {
            if (j->recs[i].n < n)
                return 0;
            memcpy(vals, j->recs[i].v, (size_t)n * sizeof *vals);
            return 1;
        }
    }
    return 0;
}

int myelin_journal_put(journal *j, const char *kind, const char *key, const double *vals, int n,
                myelin_error *err)
{
    if (!j)
        return 0;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "journal: out of memory");
    fprintf(f, "{\"kind\":");
    myelin_escape_fputs(MYELIN_ESC_JSON, kind, f);
    fprintf(f, ",\"key\":");
    myelin_escape_fputs(MYELIN_ESC_JSON, key, f);
    fprintf(f, ",\"v\":[");
    for (int i = 0; i < n; i++) {
        fputs(i ? "," : "", f);
        if (isnan(vals[i]))
            fputs("null", f);
        else if (isinf(vals[i]))
            fputs(vals[i] > 0 ? "\"inf\"" : "\"-inf\"", f);
        else
            fprintf(f, "%.17g", vals[i]);
    }
    fprintf(f, "]}\n");
    fclose(f);
    int rc = 0;
    if (write_all(j->fd, line, len) != 0 || fsync(j->fd) != 0)
        rc = myelin_error_set(err, MYELIN_EIO, j->path, 0, 0, "cannot append to the journal: %s",
                              strerror(errno));
    free(line);
    if (!rc && add_rec(j, kind, key, vals, n))
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "journal: out of memory");
    return rc;
}
