/* base/report.h — one table type and its five writers: every table Myelin prints or saves (info,
 * run, cost, sim, search, sweep) is a myelin_report written here, to the terminal, CSV, JSON,
 * Markdown or LaTeX (booktabs).  Strings go through the one escaper of each language
 * (base/escape.h).
 *
 * A column carries a name and a unit: its key in CSV, JSON and the terminal is name_unit (name
 * alone when the unit is empty: "compute" + "uJ" -> compute_uJ); LaTeX sets the name in words over
 * the unit ("compute" / "(µJ)").  Numeric columns are right-aligned and written bare in JSON ("-"
 * or "" become null).  Rows hold text cells, so what a table shows is decided once, by its maker.
 *
 * Every output carries a provenance line (the Myelin version, then the inputs: workload, weights
 * and their hash, quantization, architecture, dataset, seed — whatever the maker recorded, paths
 * relative to the working folder) and an optional caption:
 *
 *   table     "# provenance" and "# caption" lines, the header, aligned rows, dashes above a total
 *   csv       the same two "#" comment lines, then RFC 4180 rows (the header first)
 *   json      {"provenance": {...}, "caption": "...", META..., "ROWS": [{...}], "total": {...}}
 *   markdown  the caption and provenance as paragraphs, then a pipe table
 *   latex     "%" comment lines, then a booktabs tabular sized to fit a page: column names broken
 *             into words over their units, a font size chosen from an estimate of the width
 *             (\small, \footnotesize, \scriptsize, else scaled to \linewidth with graphicx)
 *
 * --columns chooses and orders columns in every format (keys or names, comma-separated; a key
 * with another unit finds the column: total_uJ is total_pJ in CSV);
 * without it LaTeX leaves out the columns marked `detail`. */
#ifndef MYELIN_CORE_REPORT_H
#define MYELIN_CORE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum myelin_report_format {
    MYELIN_REPORT_TABLE = 0, /* aligned text for a terminal */
    MYELIN_REPORT_CSV,
    MYELIN_REPORT_JSON,
    MYELIN_REPORT_MARKDOWN,
    MYELIN_REPORT_LATEX,
    MYELIN_REPORT_FORMAT_COUNT
} myelin_report_format;

/* The formats' names, as --format takes them, for messages and help texts. */
#define MYELIN_REPORT_FORMAT_NAMES "table, csv, json, markdown or latex"

/* "table", "csv", "json", "markdown", "latex" -> format; -1 when unknown. */
int myelin_report_format_parse(const char *s);
/* The name of a format ("table" ...); "?" when out of range. */
const char *myelin_report_format_name(int fmt);
/* The usual file extension of a format, without the dot: txt csv json md tex. */
const char *myelin_report_format_ext(int fmt);
/* How a format's comment lines start: "# " (csv), "% " (latex), "" (the others: free text). */
const char *myelin_report_comment_prefix(int fmt);

typedef struct myelin_report_col {
    const char *name;  /* snake_case, e.g. "compute" */
    const char *unit;  /* "" or a unit token: pJ nJ uJ mJ J bits bytes kB MB pct s x mm2 cycles ... */
    int numeric;       /* 1: right-aligned, bare in JSON */
    int detail;        /* 1: left out of LaTeX unless --columns names it */
} myelin_report_col;

/* Provenance: the Myelin version (always first) and the inputs that made a result. */
enum { MYELIN_PROV_MAX = 12, MYELIN_PROV_VALUE_MAX = 1200 };
typedef struct myelin_provenance {
    int n;
    char key[MYELIN_PROV_MAX][32];
    char value[MYELIN_PROV_MAX][MYELIN_PROV_VALUE_MAX];
} myelin_provenance;

/* Empties p and records "myelin" = the library's version. */
void myelin_provenance_init(myelin_provenance *p);
/* Records key = printf(fmt, ...) (replacing an earlier value of key); silently ignored when full. */
void myelin_provenance_add(myelin_provenance *p, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Records a path, made relative to the working folder (an absolute path elsewhere gets ../). */
void myelin_provenance_add_path(myelin_provenance *p, const char *key, const char *path);
/* The value of key, or NULL. */
const char *myelin_provenance_get(const myelin_provenance *p, const char *key);
/* "myelin 0.1.0; workload tiny; quant float; ..." into out (size n); returns out. */
const char *myelin_provenance_line(const myelin_provenance *p, char *out, size_t n);

/* Writes the provenance to f as a JSON object {"myelin": "0.1.0", "workload": ...}. */
void myelin_provenance_write_json(const myelin_provenance *p, FILE *f);

/* Writes into out (size n) path relative to the working folder: relative paths and paths that
 * are not files' absolute names are kept as they are. */
void myelin_path_relative(const char *path, char *out, size_t n);

typedef struct myelin_report myelin_report;

/* A table of ncols columns (copied) and no rows.  NULL when out of memory. */
myelin_report *myelin_report_new(const myelin_report_col *cols, int ncols);
void myelin_report_free(myelin_report *r);

/* Appends an empty row (every cell ""); returns its index, or -1 when out of memory (the
 * report remembers it and myelin_report_write fails with MYELIN_ENOMEM). */
int myelin_report_row(myelin_report *r);
/* Sets a cell to printf(fmt, ...). */
void myelin_report_set(myelin_report *r, int row, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Marks a row as the total: a rule above it; in JSON it is "total", apart from the rows. */
void myelin_report_total(myelin_report *r, int row);
/* The caption (printf), the provenance (copied), the JSON key of the rows (default "rows"). */
void myelin_report_caption(myelin_report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void myelin_report_provenance(myelin_report *r, const myelin_provenance *p);
void myelin_report_rows_key(myelin_report *r, const char *key);
/* JSON only: a top-level member written after the caption, in the order added.  _raw takes
 * JSON text as is (a nested object the caller built with the JSON escaper); _num writes %.9g
 * (null when not finite); _str a string literal. */
void myelin_report_meta_raw(myelin_report *r, const char *key, const char *json);
void myelin_report_meta_num(myelin_report *r, const char *key, double v);
void myelin_report_meta_str(myelin_report *r, const char *key, const char *s);
/* JSON only: members (JSON text "\"k\": v, ...") appended to a row's object. */
void myelin_report_row_json(myelin_report *r, int row, const char *members);

/* Chooses and orders the columns written, from a comma-separated list of keys or names (NULL
 * or "" restores the default).  MYELIN_EUSAGE naming the unknown column and listing the keys. */
int myelin_report_columns(myelin_report *r, const char *list, myelin_error *err);

/* Writes the report in fmt to f.  MYELIN_ENOMEM when a row could not be added, MYELIN_EIO on a
 * write error, MYELIN_EUSAGE for an unknown format. */
int myelin_report_write(const myelin_report *r, int fmt, FILE *f, myelin_error *err);
/* The same into a malloc'd, NUL-terminated buffer (*len without the NUL). */
int myelin_report_write_buffer(const myelin_report *r, int fmt, char **buf, size_t *len,
                               myelin_error *err);
/* Writes the report to DIR/NAME atomically (the folder must exist). */
int myelin_report_save(const myelin_report *r, int fmt, const char *dir, const char *name,
                       myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
