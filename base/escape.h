/* base/escape.h — one escaper per output language: every string Myelin writes into a gnuplot
 * script, a LaTeX or Markdown table, a CSV file, JSON or the terminal goes through here, so a
 * workload name, a path or a layer name can never become code or break the file's syntax.
 *
 *   GNUPLOT   a complete single-quoted string literal: 'it''s' (the only escape gnuplot has in
 *             single quotes); control characters become spaces, so a name cannot end the line
 *   LATEX     text for a tabular cell or caption: \ { } _ % & # $ ~ ^ escaped, controls -> space
 *   MARKDOWN  text for a table cell: \ ` * _ [ ] < > | # escaped with a backslash, controls -> space
 *   CSV       one RFC 4180 field: quoted (with "" for ") when it holds , " CR LF or outer spaces
 *   JSON      a complete JSON string literal: " \ and controls (U+0000..U+001F, DEL) escaped
 *   TEXT      for a terminal: controls and DEL shown as \xNN, so no escape sequence gets through */
#ifndef MYELIN_CORE_ESCAPE_H
#define MYELIN_CORE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum myelin_escape_format {
    MYELIN_ESC_GNUPLOT,
    MYELIN_ESC_LATEX,
    MYELIN_ESC_MARKDOWN,
    MYELIN_ESC_CSV,
    MYELIN_ESC_JSON,
    MYELIN_ESC_TEXT
} myelin_escape_format;

/* Writes s escaped for fmt into out (size n, always NUL-terminated when n > 0) and returns the
 * length of the whole escaped text, like snprintf.  When it does not fit, out is left EMPTY
 * (never a cut-off escape such as a lone backslash), so callers compare the result with n. */
size_t myelin_escape(myelin_escape_format fmt, const char *s, char *out, size_t n);

/* Writes s escaped for fmt to f. */
void myelin_escape_fputs(myelin_escape_format fmt, const char *s, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
