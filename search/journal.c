/* search/journal.c — the append-only journal that makes a search resumable.
 *
 * Format: JSON lines.  The first line identifies the search:
 *   {"journal":"myelin-search","version":1,"args":"<16 hex digits: hash of every argument that
 *    changes a result>"}
 * then one record per evaluation, appended and fsync'd as soon as it completes:
 *   {"kind":"drift"|"full"|"test","key":"<candidate key>","v":[numbers, %.17g]}
 * A rerun with the same arguments reads the records back and never recomputes them.  A journal
 * with other arguments is renamed to <path>.old and a fresh one started.  A torn last line (a kill
 * during the write) is cut off on open. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
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

/* Parses the records of text (after the header line); returns the length of the valid prefix. */
static size_t load_records(journal *j, const char *text, size_t len, size_t start)
{
    size_t pos = start, good = start;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break; /* torn last line */
        size_t ll = (size_t)(nl - (text + pos));
        myelin_json *js = NULL;
        myelin_error e;
        if (myelin_json_parse(text + pos, ll, j->path, &js, &e) != 0)
            break;
        const myelin_json *k = myelin_json_get(js, "kind"), *key = myelin_json_get(js, "key"),
                          *v = myelin_json_get(js, "v");
        int ok = k && key && v && k->type == MYELIN_JSON_STRING && key->type == MYELIN_JSON_STRING &&
                 v->type == MYELIN_JSON_ARRAY && v->count <= JOURNAL_MAX_VALS;
        double vals[JOURNAL_MAX_VALS];
        for (size_t i = 0; ok && i < v->count; i++) {
            if (v->items[i].type != MYELIN_JSON_NUMBER)
                ok = 0;
            else
                vals[i] = v->items[i].number;
        }
        if (ok && add_rec(j, k->string, key->string, vals, (int)v->count))
            ok = 0;
        myelin_json_free(js);
        if (!ok)
            break;
        pos += ll + 1;
        good = pos;
    }
    return good;
}

int journal_open(const char *path, uint64_t args_hash, journal **out, int *restarted,
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
    myelin_error rerr;
    int exists = myelin_read_file(path, &text, &len, &rerr) == 0;
    size_t keep = 0;
    if (exists) {
        if (len >= hlen && memcmp(text, header, hlen) == 0) {
            keep = load_records(j, text, len, hlen);
        } else {
            char old[MYELIN_PATH_MAX + 8];
            snprintf(old, sizeof old, "%s.old", path);
            if (rename(path, old) != 0) {
                free(text);
                journal_close(j);
                return myelin_error_set(err, MYELIN_EIO, path, 0, 0,
                                        "cannot move a journal of other arguments aside: %s",
                                        strerror(errno));
            }
            *restarted = 1;
            exists = 0;
        }
    }
    free(text);
    j->fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (j->fd < 0) {
        journal_close(j);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot open the journal: %s",
                                strerror(errno));
    }
    int rc = 0;
    if (exists) {
        /* drop a torn tail so that the next record starts on its own line */
        if (ftruncate(j->fd, (off_t)keep) != 0 || lseek(j->fd, 0, SEEK_END) < 0)
            rc = -1;
    } else {
        if (ftruncate(j->fd, 0) != 0 || write_all(j->fd, header, hlen) != 0 || fsync(j->fd) != 0)
            rc = -1;
    }
    if (rc) {
        int e = errno;
        journal_close(j);
        return myelin_error_set(err, MYELIN_EIO, path, 0, 0, "cannot write the journal: %s",
                                strerror(e));
    }
    *out = j;
    return 0;
}

void journal_close(journal *j)
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

int journal_records(const journal *j)
{
    return j ? j->n : 0;
}

int journal_get(const journal *j, const char *kind, const char *key, double *vals, int n)
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

int journal_put(journal *j, const char *kind, const char *key, const double *vals, int n,
                myelin_error *err)
{
    if (!j)
        return 0;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "journal: out of memory");
    fprintf(f, "{\"kind\":\"%s\",\"key\":\"%s\",\"v\":[", kind, key);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%.17g", i ? "," : "", vals[i]);
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
