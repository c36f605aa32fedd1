/* base/json.c — strict JSON parser (RFC 8259) into a myelin_json tree; see base/json.h. */
#include "base/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;
    size_t len, pos;
    const char *source;
    myelin_error *err;
} parser;

void myelin_json_position(const char *text, size_t len, size_t offset, int *line, int *column)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < offset && i < len; i++)
        if (text[i] == '\n') {
            l++;
            bol = i + 1;
        }
    *line = l;
    *column = (int)(offset - bol + 1);
}

static int fail(parser *p, size_t at, const char *what)
{
    int line, col;
    myelin_json_position(p->s, p->len, at, &line, &col);
    return myelin_error_set(p->err, MYELIN_ESYNTAX, p->source, line, col, "JSON: %s at byte %zu", what,
                            at);
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static void node_clear(myelin_json *j)
{
    if (!j) return;
    free(j->string);
    for (size_t i = 0; i < j->count; i++) {
        node_clear(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    memset(j, 0, sizeof *j);
}

static int hex4(parser *p, size_t at, unsigned *out)
{
    if (p->len - at < 4) return fail(p, at, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[at + (size_t)i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(p, at + (size_t)i, "expected 4 hex digits after \\u");
    }
    *out = v;
    return 0;
}

/* Length of a valid UTF-8 sequence starting at s (up to n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { k = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 4; cp = c & 0x07; }
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return k;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) { d[0] = (char)cp; return 1; }
    if (cp < 0x800) { d[0] = (char)(0xC0 | (cp >> 6)); d[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12)); d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18)); d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* p->pos at the opening quote. Decoded output is never longer than the input. */
static int parse_string(parser *p, char **out, size_t *out_len)
{
    size_t start = p->pos++;
    size_t end = p->pos;
    while (end < p->len && p->s[end] != '"') end += (p->s[end] == '\\') ? 2 : 1;
    if (end >= p->len) return fail(p, start, "unterminated string");
    char *d = malloc(end - p->pos + 1);
    if (!d) return myelin_error_set(p->err, MYELIN_ENOMEM, p->source, 0, 0, "out of memory");
    size_t n = 0;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20) { free(d); return fail(p, p->pos, "control character in string"); }
        if (c == '\\') {
            char e = p->s[p->pos + 1];
            const char *map = strchr("\"\\/bfnrt", e);
            if (e && map) {
                static const char rep[] = "\"\\/\b\f\n\r\t";
                d[n++] = rep[map - "\"\\/bfnrt"];
                p->pos += 2;
            } else if (e == 'u') {
                unsigned cp, lo;
                if (hex4(p, p->pos + 2, &cp)) { free(d); return p->err ? p->err->code : MYELIN_ESYNTAX; }
                p->pos += 6;
                if (cp >= 0xDC00 && cp <= 0xDFFF) { free(d); return fail(p, p->pos - 6, "lone low surrogate"); }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (p->pos + 6 > end || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                        free(d); return fail(p, p->pos, "expected a low surrogate \\uDC00-\\uDFFF");
                    }
                    if (hex4(p, p->pos + 2, &lo)) { free(d); return p->err ? p->err->code : MYELIN_ESYNTAX; }
                    if (lo < 0xDC00 || lo > 0xDFFF) { free(d); return fail(p, p->pos, "expected a low surrogate"); }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p->pos += 6;
                }
                n += put_utf8(d + n, cp);
            } else {
                free(d);
                return fail(p, p->pos, "invalid escape (expected \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)");
            }
        } else {
            size_t k = utf8_len((const unsigned char *)p->s + p->pos, end - p->pos);
            if (!k) { free(d); return fail(p, p->pos, "invalid UTF-8 in string"); }
            memcpy(d + n, p->s + p->pos, k);
            n += k;
            p->pos += k;
        }
    }
    d[n] = '\0';
    p->pos = end + 1;
    *out = d;
    *out_len = n;
    return 0;
}

static int isdig(parser *p, size_t i) { return i < p->len && p->s[i] >= '0' && p->s[i] <= '9'; }

static int parse_number(parser *p, myelin_json *j)
{
    size_t i = p->pos, start = p->pos;
    int is_int = 1;
    if (i < p->len && p->s[i] == '-') i++;
    if (!isdig(p, i)) return fail(p, i, "expected a digit");
    if (p->s[i] == '0') {
        i++;
        if (isdig(p, i)) return fail(p, i, "leading zero in number");
    } else {
        while (isdig(p, i)) i++;
    }
    if (i < p->len && p->s[i] == '.') {
        is_int = 0; i++;
        if (!isdig(p, i)) return fail(p, i, "expected a digit after '.'");
        while (isdig(p, i)) i++;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        is_int = 0; i++;
        if (i < p->len && (p->s[i] == '+' || p->s[i] == '-')) i++;
        if (!isdig(p, i)) return fail(p, i, "expected a digit in the exponent");
        while (isdig(p, i)) i++;
    }
    char buf[400];
    if (i - start >= sizeof buf) return fail(p, start, "number too long");
    memcpy(buf, p->s + start, i - start);
    buf[i - start] = '\0';
    j->type = MYELIN_JSON_NUMBER;
    j->number = strtod(buf, NULL);
    if (is_int) {
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == 0) { j->is_int = 1; j->integer = v; }
    }
    p->pos = i;
    return 0;
}

static int parse_value(parser *p, myelin_json *j, int depth);

static int grow(parser *p, myelin_json *j, size_t *cap, int with_keys)
{
    if (j->count < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 4;
    myelin_json *ni = realloc(j->items, nc * sizeof *ni);
    if (!ni) return myelin_error_set(p->err, MYELIN_ENOMEM, p->source, 0, 0, "out of memory");
    j->items = ni;
    if (with_keys) {
        char **nk = realloc(j->keys, nc * sizeof *nk);
        if (!nk) return myelin_error_set(p->err, MYELIN_ENOMEM, p->source, 0, 0, "out of memory");
        j->keys = nk;
    }
    *cap = nc;
    return 0;
}

static int parse_container(parser *p, myelin_json *j, int depth, int is_obj)
{
    char close = is_obj ? '}' : ']';
    size_t cap = 0;
    int rc;
    j->type = is_obj ? MYELIN_JSON_OBJECT : MYELIN_JSON_ARRAY;
    if (depth >= MYELIN_JSON_MAX_DEPTH) return fail(p, p->pos, "nesting too deep");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return 0; }
    for (;;) {
        if ((rc = grow(p, j, &cap, is_obj))) return rc;
        myelin_json *item = &j->items[j->count];
        memset(item, 0, sizeof *item);
        if (is_obj) {
            char *key;
            size_t klen;
            skip_ws(p);
            size_t kat = p->pos;
            if (p->pos >= p->len || p->s[p->pos] != '"') return fail(p, p->pos, "expected a string key");
            if ((rc = parse_string(p, &key, &klen))) return rc;
            for (size_t i = 0; i < j->count; i++)
                if (strcmp(j->keys[i], key) == 0) {
                    free(key);
                    return fail(p, kat, "duplicate object key");
                }
            j->keys[j->count] = key;
            j->count++; /* owned from here, freed by node_clear */
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return fail(p, p->pos, "expected ':'");
            p->pos++;
        } else {
            j->count++;
        }
        if ((rc = parse_value(p, item, depth + 1))) return rc;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return 0; }
        return fail(p, p->pos, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *p, myelin_json *j, int depth)
{
    skip_ws(p);
    j->offset = p->pos;
    if (p->pos >= p->len) return fail(p, p->pos, "unexpected end of text, expected a value");
    char c = p->s[p->pos];
    static const struct { const char *w; myelin_json_type t; } lits[] = {
        {"null", MYELIN_JSON_NULL}, {"false", MYELIN_JSON_FALSE}, {"true", MYELIN_JSON_TRUE}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i].w);
        if (c == lits[i].w[0]) {
            if (p->len - p->pos < n || memcmp(p->s + p->pos, lits[i].w, n) != 0)
                return fail(p, p->pos, "invalid literal");
            j->type = lits[i].t;
            p->pos += n;
            return 0;
        }
    }
    if (c == '"') {
        j->type = MYELIN_JSON_STRING;
        return parse_string(p, &j->string, &j->string_len);
    }
    if (c == '{') return parse_container(p, j, depth, 1);
    if (c == '[') return parse_container(p, j, depth, 0);
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p, j);
    return fail(p, p->pos, "expected a value (object, array, string, number, true, false or null)");
}

int myelin_json_parse(const char *text, size_t len, const char *source, myelin_json **out,
                      myelin_error *err)
{
    parser p = {text, len, 0, source ? source : "<json>", err};
    *out = NULL;
    myelin_json *root = calloc(1, sizeof *root);
    if (!root) return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    int rc = parse_value(&p, root, 0);
    if (!rc) {
        skip_ws(&p);
        if (p.pos != len) rc = fail(&p, p.pos, "trailing characters after the JSON value");
    }
    if (rc) {
        myelin_json_free(root);
        return rc;
    }
    *out = root;
    return 0;
}

void myelin_json_free(myelin_json *j)
{
    if (!j) return;
    node_clear(j);
    free(j);
}

const myelin_json *myelin_json_get(const myelin_json *j, const char *key)
{
    if (!j || j->type != MYELIN_JSON_OBJECT) return NULL;
    for (size_t i = 0; i < j->count; i++)
        if (strcmp(j->keys[i], key) == 0) return &j->items[i];
    return NULL;
}

const char *myelin_json_type_name(myelin_json_type t)
{
    static const char *const n[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)t < 7 ? n[t] : "?";
}

/* ---- writer ---- */

void myelin_json_buf_init(myelin_json_buf *b) { memset(b, 0, sizeof *b); }

void myelin_json_buf_free(myelin_json_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static void jb_put(myelin_json_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1) nc *= 2;
        char *p = realloc(b->data, nc);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->data = p;
        b->cap = nc;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Separator before a value (or key): a comma unless first in its container or right after a key. */
static void jb_sep(myelin_json_buf *b)
{
    if (b->after_key) {
        b->after_key = 0;
        return;
    }
    if (b->need_comma[b->depth]) jb_put(b, ",", 1);
    b->need_comma[b->depth] = 1;
}

static void jb_open(myelin_json_buf *b, char c)
{
    jb_sep(b);
    jb_put(b, &c, 1);
    if (b->depth >= MYELIN_JSON_MAX_DEPTH) {
        b->oom = 1;
        return;
    }
    b->need_comma[++b->depth] = 0;
}

static void jb_close(myelin_json_buf *b, char c)
{
    jb_put(b, &c, 1);
    if (b->depth > 0) b->depth--;
}

void myelin_json_begin_object(myelin_json_buf *b) { jb_open(b, '{'); }
void myelin_json_end_object(myelin_json_buf *b) { jb_close(b, '}'); }
void myelin_json_begin_array(myelin_json_buf *b) { jb_open(b, '['); }
void myelin_json_end_array(myelin_json_buf *b) { jb_close(b, ']'); }

static void jb_str(myelin_json_buf *b, const char *s)
{
    jb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e[8];
        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            jb_put(b, e, 2);
        } else if (c < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", c);
            jb_put(b, e, 6);
        } else {
            jb_put(b, (const char *)&c, 1);
        }
    }
    jb_put(b, "\"", 1);
}

void myelin_json_key(myelin_json_buf *b, const char *key)
{
    jb_sep(b);
    jb_str(b, key);
    jb_put(b, ":", 1);
    b->after_key = 1;
}

void myelin_json_string(myelin_json_buf *b, const char *s)
{
    jb_sep(b);
    jb_str(b, s);
}

void myelin_json_number(myelin_json_buf *b, double v)
{
    char t[40];
    jb_sep(b);
    if (v != v || v - v != 0) {
        jb_put(b, "null", 4);
        return;
    }
    int n = snprintf(t, sizeof t, "%.17g", v);
    jb_put(b, t, (size_t)n);
}

void myelin_json_int(myelin_json_buf *b, int64_t v)
{
    char t[32];
    jb_sep(b);
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    jb_put(b, t, (size_t)n);
}

void myelin_json_bool(myelin_json_buf *b, int v)
{
    jb_sep(b);
    jb_put(b, v ? "true" : "false", v ? 4 : 5);
}

void myelin_json_null(myelin_json_buf *b)
{
    jb_sep(b);
    jb_put(b, "null", 4);
}

int myelin_json_buf_status(const myelin_json_buf *b, myelin_error *err)
{
    if (b->oom)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0,
                                "JSON writer: out of memory or nesting deeper than %d", MYELIN_JSON_MAX_DEPTH);
    return 0;
}
