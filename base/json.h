/* base/json.h — a small strict JSON (RFC 8259) parser into a tree, with byte offsets for errors.
 * Used for the safetensors header.  Rejects trailing garbage, duplicate object keys, bad escapes,
 * invalid UTF-8, control characters in strings, leading zeros, and nesting deeper than
 * MYELIN_JSON_MAX_DEPTH. */
#ifndef MYELIN_CORE_JSON_H
#define MYELIN_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MYELIN_JSON_MAX_DEPTH 64

typedef enum myelin_json_type {
    MYELIN_JSON_NULL = 0, MYELIN_JSON_FALSE, MYELIN_JSON_TRUE, MYELIN_JSON_NUMBER,
    MYELIN_JSON_STRING, MYELIN_JSON_ARRAY, MYELIN_JSON_OBJECT
} myelin_json_type;

typedef struct myelin_json myelin_json;
struct myelin_json {
    myelin_json_type type;
    size_t offset;        /* byte offset of the value's first character in the text */
    double number;        /* NUMBER */
    int is_int;           /* NUMBER written as an integer (no fraction/exponent) that fits int64 */
    int64_t integer;      /* NUMBER when is_int */
    char *string;         /* STRING: decoded UTF-8, NUL-terminated (may hold embedded \u0000) */
    size_t string_len;    /* STRING: decoded length in bytes */
    size_t count;         /* ARRAY / OBJECT: number of items / members */
    myelin_json *items;   /* ARRAY items / OBJECT member values, in text order */
    char **keys;          /* OBJECT: member keys, parallel to items */
};

/* Parses `len` bytes of `text` (need not be NUL-terminated) into a tree (*out, free with
 * myelin_json_free).  On failure returns MYELIN_ESYNTAX with err naming `source`, the 1-based
 * line and column of the offending byte, and what was expected. */
int myelin_json_parse(const char *text, size_t len, const char *source, myelin_json **out,
                      myelin_error *err);

void myelin_json_free(myelin_json *j);

/* 1-based line and column (in bytes) of byte `offset` of text, for errors about a parsed value
 * (myelin_json.offset). */
void myelin_json_position(const char *text, size_t len, size_t offset, int *line, int *column);

/* Member `key` of an OBJECT, or NULL (also NULL when j is not an object). */
const myelin_json *myelin_json_get(const myelin_json *j, const char *key);

/* "null", "false", "true", "number", "string", "array", "object". */
const char *myelin_json_type_name(myelin_json_type t);

/* ---- writer: a growable buffer producing compact JSON in the order calls are made ----
 * Commas between members/items are inserted automatically.  Strings are escaped (", \\, control
 * characters as \\u00XX); doubles print with %.17g (round-trips exactly); NaN and infinities,
 * which JSON cannot hold, are written as null.  Memory failure is sticky: checked once at the end.
 *   myelin_json_buf b; myelin_json_buf_init(&b);
 *   myelin_json_begin_object(&b); myelin_json_key(&b, "n"); myelin_json_int(&b, 3);
 *   myelin_json_end_object(&b);   -> {"n":3}      (b.data, b.len; myelin_json_buf_free(&b)) */
typedef struct myelin_json_buf {
    char *data;      /* NUL-terminated text so far (NULL until something is written) */
    size_t len, cap;
    int oom;         /* an allocation failed: the text is incomplete */
    int depth;
    unsigned char need_comma[MYELIN_JSON_MAX_DEPTH + 1];
    int after_key;
} myelin_json_buf;

void myelin_json_buf_init(myelin_json_buf *b);
void myelin_json_buf_free(myelin_json_buf *b);
void myelin_json_begin_object(myelin_json_buf *b);
void myelin_json_end_object(myelin_json_buf *b);
void myelin_json_begin_array(myelin_json_buf *b);
void myelin_json_end_array(myelin_json_buf *b);
void myelin_json_key(myelin_json_buf *b, const char *key);  /* inside an object, before its value */
void myelin_json_string(myelin_json_buf *b, const char *s);
void myelin_json_number(myelin_json_buf *b, double v);
void myelin_json_int(myelin_json_buf *b, int64_t v);
void myelin_json_bool(myelin_json_buf *b, int v);
void myelin_json_null(myelin_json_buf *b);
/* 0, or MYELIN_ENOMEM (err filled) when an allocation failed or nesting exceeded the limit. */
int myelin_json_buf_status(const myelin_json_buf *b, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
