/* base/yaml.c — libyaml document loader with marks, and the schema-table mapping reader. */
#include "base/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/util.h"

typedef struct loader {
    yaml_parser_t parser;
    const char *file;
    myelin_error *err;
} loader;

static void node_free(myelin_yaml_node *n)
{
    if (!n)
        return;
    size_t cnt = n->kind == MYELIN_YAML_MAP ? 2 * n->n : n->n;
    for (size_t i = 0; i < cnt; i++)
        node_free(n->items[i]);
    free(n->items);
    free(n->scalar);
    free(n);
}

int myelin_yaml_error(myelin_error *err, int code, const myelin_yaml_node *node, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return myelin_error_set(err, code, node ? node->file : "", node ? node->line : 0,
                            node ? node->column : 0, "%s", msg);
}

static int parse_error(loader *L)
{
    yaml_parser_t *p = &L->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return myelin_error_set(L->err, MYELIN_ENOMEM, L->file, 0, 0, "out of memory parsing YAML");
    if (p->context)
        return myelin_error_set(L->err, MYELIN_ESYNTAX, L->file, (int)p->problem_mark.line + 1,
                                (int)p->problem_mark.column + 1, "%s %s (line %d, column %d)",
                                p->problem ? p->problem : "syntax error", p->context,
                                (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return myelin_error_set(L->err, MYELIN_ESYNTAX, L->file, (int)p->problem_mark.line + 1,
                            (int)p->problem_mark.column + 1, "%s",
                            p->problem ? p->problem : "syntax error");
}

static int next_event(loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&L->parser, ev))
        return parse_error(L);
    return 0;
}

static myelin_yaml_node *new_node(loader *L, myelin_yaml_kind kind, const yaml_event_t *ev)
{
    myelin_yaml_node *n = calloc(1, sizeof *n);
    if (!n) {
        myelin_error_set(L->err, MYELIN_ENOMEM, L->file, 0, 0, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->file = L->file;
    n->line = (int)ev->start_mark.line + 1;
    n->column = (int)ev->start_mark.column + 1;
    return n;
}

static int push(loader *L, myelin_yaml_node *parent, myelin_yaml_node *child, size_t *cap)
{
    if (parent->n >= *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        myelin_yaml_node **ni = realloc(parent->items, nc * sizeof *ni);
        if (!ni)
            return myelin_error_set(L->err, MYELIN_ENOMEM, L->file, 0, 0, "out of memory");
        parent->items = ni;
        *cap = nc;
    }
    parent->items[parent->n++] = child;
    return 0;
}

/* Builds the node starting at event ev (consumed/deleted by this function); depth counts the
 * enclosing collections, so a hostile file nested thousands deep is refused, not a stack overflow. */
static int build(loader *L, yaml_event_t *ev, myelin_yaml_node **out, int depth)
{
    int rc = 0;
    myelin_yaml_node *n = NULL;
    *out = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = new_node(L, MYELIN_YAML_SCALAR, ev);
        if (!n) {
            rc = MYELIN_ENOMEM;
            break;
        }
        n->scalar = myelin_strdup((const char *)ev->data.scalar.value);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        if (!n->scalar)
            rc = myelin_error_set(L->err, MYELIN_ENOMEM, L->file, 0, 0, "out of memory");
        break;
    case YAML_ALIAS_EVENT:
        rc = myelin_error_set(L->err, MYELIN_ESCHEMA, L->file, (int)ev->start_mark.line + 1,
                              (int)ev->start_mark.column + 1, "YAML aliases are not supported");
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (depth >= MYELIN_YAML_MAX_DEPTH) {
            rc = myelin_error_set(L->err, MYELIN_ESYNTAX, L->file, (int)ev->start_mark.line + 1,
                                  (int)ev->start_mark.column + 1,
                                  "YAML nested deeper than %d levels", MYELIN_YAML_MAX_DEPTH);
            break;
        }
        n = new_node(L, is_map ? MYELIN_YAML_MAP : MYELIN_YAML_SEQ, ev);
        if (!n) {
            rc = MYELIN_ENOMEM;
            break;
        }
        size_t cap = 0, cnt = 0;
        for (;;) {
            yaml_event_t c;
            rc = next_event(L, &c);
            if (rc)
                break;
            if (c.type == YAML_SEQUENCE_END_EVENT || c.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&c);
                break;
            }
            myelin_yaml_node *child = NULL;
            rc = build(L, &c, &child, depth + 1);
            if (rc)
                break;
            if (is_map && cnt % 2 == 0) {
                if (child->kind != MYELIN_YAML_SCALAR) {
                    rc = myelin_yaml_error(L->err, MYELIN_ESCHEMA, child,
                                           "expected a plain key (got a %s)",
                                           child->kind == MYELIN_YAML_MAP ? "mapping" : "sequence");
                } else {
                    for (size_t i = 0; i < cnt; i += 2)
                        if (strcmp(n->items[i]->scalar, child->scalar) == 0) {
                            rc = myelin_yaml_error(L->err, MYELIN_ESCHEMA, child,
                                                   "duplicate key '%s' (first at line %d)",
                                                   child->scalar, n->items[i]->line);
                            break;
                        }
                }
                if (rc) {
                    node_free(child);
                    break;
                }
            }
            rc = push(L, n, child, &cap);
            if (rc) {
                node_free(child);
                break;
            }
            cnt++;
        }
        if (is_map && !rc)
            n->n = cnt / 2;
        else if (rc)
            n->kind = MYELIN_YAML_SEQ; /* n->n is the raw item count: free them all */
        break;
    }
    default:
        rc = myelin_error_set(L->err, MYELIN_EINTERNAL, L->file, 0, 0, "unexpected YAML event %d",
                              (int)ev->type);
    }
    yaml_event_delete(ev);
    if (rc) {
        node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

int myelin_yaml_load_string(const char *text, const char *source, myelin_yaml_doc **out,
                            myelin_error *err)
{
    *out = NULL;
    if (!text || !source)
        return myelin_error_set(err, MYELIN_EUSAGE, "", 0, 0, "myelin_yaml_load_string: NULL text");
    myelin_yaml_doc *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->file = myelin_strdup(source))) {
        free(doc);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    }
    loader L = {.file = doc->file, .err = err};
    if (!yaml_parser_initialize(&L.parser)) {
        myelin_yaml_free(doc);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "cannot initialise libyaml");
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, strlen(text));
    int rc = 0;
    yaml_event_t ev;
    for (;;) {
        rc = next_event(&L, &ev);
        if (rc)
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
            t == YAML_ALIAS_EVENT) {
            rc = build(&L, &ev, &doc->root, 0);
            if (rc)
                break;
            continue;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&L.parser);
    if (rc) {
        myelin_yaml_free(doc);
        return rc;
    }
    /* an empty scalar document ("") counts as empty */
    if (doc->root && doc->root->kind == MYELIN_YAML_SCALAR && doc->root->scalar[0] == '\0' &&
        !doc->root->quoted) {
        node_free(doc->root);
        doc->root = NULL;
    }
    *out = doc;
    return 0;
}

int myelin_yaml_load_file(const char *path, myelin_yaml_doc **out, myelin_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, &data, &len, err);
    if (rc)
        return rc;
    if (memchr(data, '\0', len)) {
        free(data);
        return myelin_error_set(err, MYELIN_ESYNTAX, path, 0, 0, "file contains a NUL byte");
    }
    rc = myelin_yaml_load_string(data, path, out, err);
    free(data);
    return rc;
}

void myelin_yaml_free(myelin_yaml_doc *doc)
{
    if (!doc)
        return;
    node_free(doc->root);
    free(doc->file);
    free(doc);
}

const myelin_yaml_node *myelin_yaml_get(const myelin_yaml_node *map, const char *key)
{
    if (!map || map->kind != MYELIN_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->items[2 * i]->scalar, key) == 0)
            return map->items[2 * i + 1];
    return NULL;
}

static const char *kind_word(const myelin_yaml_node *n)
{
    return n->kind == MYELIN_YAML_MAP ? "a mapping" : n->kind == MYELIN_YAML_SEQ ? "a sequence" : "a scalar";
}

static const char *shown(const myelin_yaml_node *n)
{
    return n->kind == MYELIN_YAML_SCALAR ? n->scalar : kind_word(n);
}

int myelin_yaml_int(const myelin_yaml_node *n, long lo, long hi, long *out, myelin_error *err)
{
    long v = 0;
    int ok = 0;
    if (n->kind == MYELIN_YAML_SCALAR && !n->quoted && n->scalar[0]) {
        char *end = NULL;
        errno = 0;
        v = strtol(n->scalar, &end, 10);
        ok = errno == 0 && *end == '\0';
    }
    if (!ok || v < lo || v > hi)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n, "expected an integer between %ld and %ld (got %s)",
                                 lo, hi, shown(n));
    *out = v;
    return 0;
}

int myelin_yaml_double(const myelin_yaml_node *n, double lo, double hi, double *out, myelin_error *err)
{
    double v = 0;
    int ok = 0;
    if (n->kind == MYELIN_YAML_SCALAR && !n->quoted && n->scalar[0]) {
        char *end = NULL;
        errno = 0;
        v = strtod(n->scalar, &end);
        ok = errno == 0 && *end == '\0' && isfinite(v);
    }
    if (!ok || v < lo || v > hi)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n, "expected a number between %g and %g (got %s)", lo,
                                 hi, shown(n));
    *out = v;
    return 0;
}

int myelin_yaml_bool(const myelin_yaml_node *n, int *out, myelin_error *err)
{
    if (n->kind == MYELIN_YAML_SCALAR && !n->quoted) {
        if (!strcmp(n->scalar, "true") || !strcmp(n->scalar, "True") || !strcmp(n->scalar, "yes")) {
            *out = 1;
            return 0;
        }
        if (!strcmp(n->scalar, "false") || !strcmp(n->scalar, "False") || !strcmp(n->scalar, "no")) {
            *out = 0;
            return 0;
        }
    }
    return myelin_yaml_error(err, MYELIN_ESCHEMA, n, "expected true or false (got %s)", shown(n));
}

int myelin_yaml_bits(const myelin_yaml_node *n, long lo, long hi, int *out, myelin_error *err)
{
    if (n->kind == MYELIN_YAML_SCALAR && strcmp(n->scalar, "float") == 0) {
        *out = 0;
        return 0;
    }
    long v = 0;
    int ok = 0;
    if (n->kind == MYELIN_YAML_SCALAR && !n->quoted && n->scalar[0]) {
        char *end = NULL;
        errno = 0;
        v = strtol(n->scalar, &end, 10);
        ok = errno == 0 && *end == '\0';
    }
    if (!ok || v < lo || v > hi)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, n,
                                 "expected an integer between %ld and %ld or \"float\" (got %s)", lo, hi,
                                 shown(n));
    *out = (int)v;
    return 0;
}

int myelin_yaml_enum(const myelin_yaml_node *n, const char *const *names, int *out, myelin_error *err)
{
    char list[512] = "";
    for (int i = 0; names[i]; i++) {
        if (n->kind == MYELIN_YAML_SCALAR && strcmp(n->scalar, names[i]) == 0) {
            *out = i;
            return 0;
        }
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? " | " : "", names[i]);
    }
    return myelin_yaml_error(err, MYELIN_ESCHEMA, n, "expected one of %s (got %s)", list, shown(n));
}

int myelin_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return (int)(la > lb ? la : lb);
    int prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int c = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < c)
                c = prev[j] + 1;
            if (cur[j - 1] + 1 < c)
                c = cur[j - 1] + 1;
            cur[j] = c;
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[lb];
}

int myelin_yaml_read_map(const myelin_yaml_node *map, const myelin_yaml_key *keys, size_t n_keys,
                         void *dst, const char *what, myelin_error *err)
{
    char *base = dst;
    if (map && map->kind != MYELIN_YAML_MAP)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, map, "expected a mapping for %s (got %s)", what,
                                 shown(map));
    /* unknown keys */
    for (size_t i = 0; map && i < map->n; i++) {
        const myelin_yaml_node *k = map->items[2 * i];
        size_t j;
        for (j = 0; j < n_keys; j++)
            if (strcmp(keys[j].key, k->scalar) == 0)
                break;
        if (j < n_keys)
            continue;
        int best = 1 << 30;
        const char *sug = NULL;
        for (j = 0; j < n_keys; j++) {
            int d = myelin_edit_distance(k->scalar, keys[j].key);
            if (d < best) {
                best = d;
                sug = keys[j].key;
            }
        }
        size_t kl = strlen(k->scalar);
        if (sug && best <= 2 + (int)(kl / 4))
            return myelin_yaml_error(err, MYELIN_ESCHEMA, k, "unknown key '%s' in %s (did you mean '%s'?)",
                                     k->scalar, what, sug);
        return myelin_yaml_error(err, MYELIN_ESCHEMA, k, "unknown key '%s' in %s", k->scalar, what);
    }
    for (size_t j = 0; j < n_keys; j++) {
        const myelin_yaml_key *K = &keys[j];
        const myelin_yaml_node *v = myelin_yaml_get(map, K->key);
        /* MAP/LIST/ANY keys write nothing, and their callers may pass dst NULL */
        void *f = base ? base + K->offset : NULL;
        int rc = 0;
        if (!f && K->type != MYELIN_YT_MAP && K->type != MYELIN_YT_LIST && K->type != MYELIN_YT_ANY)
            return myelin_error_set(err, MYELIN_EINTERNAL, "", 0, 0,
                                    "myelin_yaml_read_map: no destination for key '%s'", K->key);
        if (!v) {
            if (K->required) {
                if (map)
                    return myelin_yaml_error(err, MYELIN_EMISSING, map, "missing required key '%s' in %s%s%s",
                                             K->key, what, K->help ? " — " : "", K->help ? K->help : "");
                return myelin_error_set(err, MYELIN_EMISSING, "", 0, 0, "missing required key '%s' in %s",
                                        K->key, what);
            }
            switch (K->type) {
            case MYELIN_YT_INT:
            case MYELIN_YT_BOOL:
            case MYELIN_YT_ENUM:
            case MYELIN_YT_BITS:
                *(int *)f = (int)K->def;
                break;
            case MYELIN_YT_DOUBLE:
                *(double *)f = K->def;
                break;
            case MYELIN_YT_STRING:
                if (K->def_str)
                    snprintf((char *)f, K->size, "%s", K->def_str);
                break;
            default:
                break;
            }
            continue;
        }
        switch (K->type) {
        case MYELIN_YT_INT: {
            long x;
            rc = myelin_yaml_int(v, (long)K->lo, (long)K->hi, &x, err);
            if (!rc)
                *(int *)f = (int)x;
            break;
        }
        case MYELIN_YT_DOUBLE:
            rc = myelin_yaml_double(v, K->lo, K->hi, (double *)f, err);
            break;
        case MYELIN_YT_BOOL:
            rc = myelin_yaml_bool(v, (int *)f, err);
            break;
        case MYELIN_YT_STRING:
            if (v->kind != MYELIN_YAML_SCALAR)
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, v, "expected a string for '%s' (got %s)", K->key,
                                       kind_word(v));
            else if (strlen(v->scalar) >= K->size)
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, v, "'%s' is longer than %zu characters", K->key,
                                       K->size - 1);
            else
                snprintf((char *)f, K->size, "%s", v->scalar);
            break;
        case MYELIN_YT_ENUM:
            rc = myelin_yaml_enum(v, K->names, (int *)f, err);
            break;
        case MYELIN_YT_BITS:
            rc = myelin_yaml_bits(v, (long)K->lo, (long)K->hi, (int *)f, err);
            break;
        case MYELIN_YT_MAP:
            if (v->kind != MYELIN_YAML_MAP)
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, v, "expected a mapping for '%s' (got %s)", K->key,
                                       shown(v));
            break;
        case MYELIN_YT_LIST:
            if (v->kind != MYELIN_YAML_SEQ)
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, v, "expected a sequence for '%s' (got %s)", K->key,
                                       shown(v));
            break;
        case MYELIN_YT_ANY:
            break;
        }
        if (rc)
            return rc;
    }
    return 0;
}
