/* base/yaml.h — YAML documents as node trees with source marks, and a schema-table mapping reader.
 *
 * Load: myelin_yaml_load_file/_string parse one document (libyaml) into nodes; every node keeps
 * the 1-based line/column where it starts and the file name, so any later check can report
 * "file:line:col: ...".  Syntax errors keep libyaml's problem mark and context.  Duplicate keys
 * in a mapping are a schema error (MYELIN_ESCHEMA) at the second key.  Anchors/aliases are rejected.
 *
 * Read: myelin_yaml_read_map checks a mapping against a table of myelin_yaml_key (key, type,
 * bounds, default, unit, required, help), writes each value through its `offset` into a struct,
 * rejects unknown keys with the nearest known key suggested (edit distance), and reports wrong
 * types and out-of-range values with marks, e.g. "expected an integer between 1 and 64 (got 0)".
 * Keys of type MAP/LIST/ANY are only checked for presence; the caller reads them with
 * myelin_yaml_get. */
#ifndef MYELIN_CORE_YAML_H
#define MYELIN_CORE_YAML_H

#include <stddef.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Collections nested deeper than this are refused (a syntax error at the mark), like JSON's. */
#define MYELIN_YAML_MAX_DEPTH 64

typedef enum myelin_yaml_kind { MYELIN_YAML_SCALAR, MYELIN_YAML_SEQ, MYELIN_YAML_MAP } myelin_yaml_kind;

typedef struct myelin_yaml_node myelin_yaml_node;
struct myelin_yaml_node {
    myelin_yaml_kind kind;
    int line, column;          /* 1-based start mark */
    const char *file;          /* shared with the document, never NULL */
    char *scalar;              /* SCALAR: the text */
    int quoted;                /* SCALAR: was quoted (so "true" in quotes is a string) */
    size_t n;                  /* SEQ: items; MAP: pairs */
    myelin_yaml_node **items;  /* SEQ: n items; MAP: 2n nodes, key, value, key, value... */
};

typedef struct myelin_yaml_doc {
    char *file;
    myelin_yaml_node *root;    /* NULL for an empty document */
} myelin_yaml_doc;

/* Parses the first document of a file / NUL-terminated string ("source" names it in marks).
 * On success *out is owned by the caller (myelin_yaml_free). */
int myelin_yaml_load_file(const char *path, myelin_yaml_doc **out, myelin_error *err);
int myelin_yaml_load_string(const char *text, const char *source, myelin_yaml_doc **out,
                            myelin_error *err);
void myelin_yaml_free(myelin_yaml_doc *doc);

/* Value of `key` in a mapping node, or NULL (also when map is NULL or not a mapping). */
const myelin_yaml_node *myelin_yaml_get(const myelin_yaml_node *map, const char *key);

/* Records err at the node's mark with a printf message; returns code. */
int myelin_yaml_error(myelin_error *err, int code, const myelin_yaml_node *node, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Scalar conversions with marked errors ("expected an integer between lo and hi (got x)"). */
int myelin_yaml_int(const myelin_yaml_node *n, long lo, long hi, long *out, myelin_error *err);
int myelin_yaml_double(const myelin_yaml_node *n, double lo, double hi, double *out, myelin_error *err);
int myelin_yaml_bool(const myelin_yaml_node *n, int *out, myelin_error *err);
/* Bits value: an integer in [lo, hi] or the string "float" (stored as 0). */
int myelin_yaml_bits(const myelin_yaml_node *n, long lo, long hi, int *out, myelin_error *err);
/* Index of the scalar in the NULL-terminated names list. */
int myelin_yaml_enum(const myelin_yaml_node *n, const char *const *names, int *out, myelin_error *err);

typedef enum myelin_yaml_type {
    MYELIN_YT_INT,      /* int field; bounds lo..hi */
    MYELIN_YT_DOUBLE,   /* double field; bounds lo..hi */
    MYELIN_YT_BOOL,     /* int field 0/1 */
    MYELIN_YT_STRING,   /* char[size] field */
    MYELIN_YT_ENUM,     /* int field: index into names */
    MYELIN_YT_BITS,     /* int field: lo..hi or "float" -> 0 */
    MYELIN_YT_MAP,      /* presence/kind check only; caller reads it */
    MYELIN_YT_LIST,     /* presence/kind check only; caller reads it */
    MYELIN_YT_ANY       /* presence check only */
} myelin_yaml_type;

typedef struct myelin_yaml_key {
    const char *key;
    myelin_yaml_type type;
    size_t offset;              /* offsetof(struct, field); ignored for MAP/LIST/ANY */
    size_t size;                /* STRING: buffer size */
    double lo, hi;              /* INT/DOUBLE/BITS bounds */
    double def;                 /* default for INT/DOUBLE/BOOL/ENUM/BITS when absent */
    const char *def_str;        /* default for STRING when absent (NULL = leave) */
    const char *const *names;   /* ENUM: NULL-terminated */
    const char *unit;           /* documentation ("bits", "px", ...) or NULL */
    int required;
    const char *help;           /* one line of documentation */
} myelin_yaml_key;

/* Reads mapping `map` against keys[n_keys] into `dst`.  map may be NULL (all defaults; required
 * keys then fail, naming `what`).  `what` names the mapping in messages ("workload"). */
int myelin_yaml_read_map(const myelin_yaml_node *map, const myelin_yaml_key *keys, size_t n_keys,
                         void *dst, const char *what, myelin_error *err);

/* Levenshtein distance (for suggestions). */
int myelin_edit_distance(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
