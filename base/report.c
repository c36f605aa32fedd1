/* base/report.c — the table type and its five writers (see report.h). */
#include "base/report.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/util.h"

#ifndef MYELIN_VERSION
#define MYELIN_VERSION "unknown"
#endif

enum { PATH_CAP = 4096 };

/* ---- provenance ---------------------------------------------------------------------------- */

void myelin_provenance_init(myelin_provenance *p)
{
    memset(p, 0, sizeof *p);
    myelin_provenance_add(p, "myelin", "%s", MYELIN_VERSION);
}

void myelin_provenance_add(myelin_provenance *p, const char *key, const char *fmt, ...)
{
    int i = 0;
    while (i < p->n && strcmp(p->key[i], key) != 0)
        i++;
    if (i == MYELIN_PROV_MAX)
        return;
    if (i == p->n)
        p->n++;
    snprintf(p->key[i], sizeof p->key[i], "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->value[i], sizeof p->value[i], fmt, ap);
    va_end(ap);
}

void myelin_path_relative(const char *path, char *out, size_t n)
{
    char cwd[PATH_CAP];
    if (path[0] != '/' || !getcwd(cwd, sizeof cwd)) {
        snprintf(out, n, "%s", path);
        return;
    }
    /* the longest common prefix that ends at a folder boundary */
    size_t common = 0;
    for (size_t i = 0; cwd[i] && path[i] == cwd[i]; i++)
        if (cwd[i + 1] == '\0' ? (path[i + 1] == '/' || path[i + 1] == '\0') : cwd[i + 1] == '/')
            common = i + 1;
    if (strcmp(cwd, "/") == 0)
        common = 1; /* the root is the common prefix of every absolute path: no ../ */
    size_t len = 0;
    out[0] = '\0';
    for (const char *c = cwd + common; *c; c++) /* one ../ per folder of cwd below the prefix */
        if (*c == '/' && len + 3 < n) {
            memcpy(out + len, "../", 3);
            len += 3;
            out[len] = '\0';
        }
    const char *rest = path + common;
    while (*rest == '/')
        rest++;
    if (!*rest && len)
        out[--len] = '\0'; /* "../" -> ".." */
    snprintf(out + len, n - len, "%s", *rest || len ? rest : ".");
}

void myelin_provenance_add_path(myelin_provenance *p, const char *key, const char *path)
{
    char rel[PATH_CAP];
    myelin_path_relative(path, rel, sizeof rel);
    myelin_provenance_add(p, key, "%s", rel);
}

const char *myelin_provenance_get(const myelin_provenance *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->key[i], key))
            return p->value[i];
    return NULL;
}

const char *myelin_provenance_line(const myelin_provenance *p, char *out, size_t n)
{
    size_t len = 0;
    if (n)
        out[0] = '\0';
    for (int i = 0; i < p->n && len < n; i++) {
        int k = snprintf(out + len, n - len, "%s%s %s", i ? "; " : "", p->key[i], p->value[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
    return out;
}

void myelin_provenance_write_json(const myelin_provenance *p, FILE *f)
{
    fputc('{', f);
    for (int i = 0; i < p->n; i++) {
        fputs(i ? ", " : "", f);
        myelin_escape_fputs(MYELIN_ESC_JSON, p->key[i], f);
        fputs(": ", f);
        myelin_escape_fputs(MYELIN_ESC_JSON, p->value[i], f);
    }
    fputc('}', f);
}

/* ---- formats ------------------------------------------------------------------------------- */

static const char *const format_names[] = {"table", "csv", "json", "markdown", "latex"};
static const char *const format_exts[] = {"txt", "csv", "json", "md", "tex"};

int myelin_report_format_parse(const char *s)
{
    for (int i = 0; i < MYELIN_REPORT_FORMAT_COUNT; i++)
        if (s && !strcmp(s, format_names[i]))
            return i;
    return -1;
}

const char *myelin_report_format_name(int fmt)
{
    return fmt >= 0 && fmt < MYELIN_REPORT_FORMAT_COUNT ? format_names[fmt] : "?";
}

const char *myelin_report_comment_prefix(int fmt)
{
    return fmt == MYELIN_REPORT_CSV ? "# " : fmt == MYELIN_REPORT_LATEX ? "% " : "";
}

const char *myelin_report_format_ext(int fmt)
{
    return fmt >= 0 && fmt < MYELIN_REPORT_FORMAT_COUNT ? format_exts[fmt] : "txt";
}

/* ---- the table ----------------------------------------------------------------------------- */

typedef struct meta {
    char *key, *json;
} meta;

struct myelin_report {
    int ncols, nrows, cap, oom;
    myelin_report_col *cols;
    char **keys;     /* name_unit per column */
    char **cells;    /* nrows x ncols, NULL = "" */
    char **row_json; /* nrows */
    int *is_total;   /* nrows */
    int *sel, nsel;  /* chosen columns, in order; nsel 0 = the default */
    char *caption;
    char rows_key[64];
    myelin_provenance prov;
    meta *meta;
    int nmeta;
};

static char *dup_or_oom(myelin_report *r, const char *s)
{
    char *d = myelin_strdup(s ? s : "");
    if (!d)
        r->oom = 1;
    return d;
}

myelin_report *myelin_report_new(const myelin_report_col *cols, int ncols)
{
    myelin_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ncols = ncols;
    r->cols = calloc((size_t)ncols, sizeof *r->cols);
    r->keys = calloc((size_t)ncols, sizeof *r->keys);
    r->sel = calloc((size_t)ncols, sizeof *r->sel);
    if (!r->cols || !r->keys || !r->sel) {
        myelin_report_free(r);
        return NULL;
    }
    for (int c = 0; c < ncols; c++) {
        r->cols[c] = cols[c];
        const char *u = cols[c].unit ? cols[c].unit : "";
        size_t l = strlen(cols[c].name) + strlen(u) + 2;
        r->keys[c] = malloc(l);
        if (!r->keys[c]) {
            myelin_report_free(r);
            return NULL;
        }
        snprintf(r->keys[c], l, *u ? "%s_%s" : "%s", cols[c].name, u);
    }
    snprintf(r->rows_key, sizeof r->rows_key, "rows");
    myelin_provenance_init(&r->prov);
    return r;
}

void myelin_report_free(myelin_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++)
            free(r->cells[(size_t)i * r->ncols + c]);
        free(r->row_json[i]);
    }
    for (int c = 0; r->keys && c < r->ncols; c++)
        free(r->keys[c]);
    for (int m = 0; m < r->nmeta; m++) {
        free(r->meta[m].key);
        free(r->meta[m].json);
    }
    free(r->meta);
    free(r->keys);
    free(r->cols);
    free(r->cells);
    free(r->row_json);
    free(r->is_total);
    free(r->sel);
    free(r->caption);
    free(r);
}

int myelin_report_row(myelin_report *r)
{
    if (r->nrows == r->cap) {
        int cap = r->cap ? 2 * r->cap : 32;
        char **cells = realloc(r->cells, (size_t)cap * r->ncols * sizeof *cells);
        if (cells)
            r->cells = cells;
        char **rj = realloc(r->row_json, (size_t)cap * sizeof *rj);
        if (rj)
            r->row_json = rj;
        int *tot = realloc(r->is_total, (size_t)cap * sizeof *tot);
        if (tot)
            r->is_total = tot;
        if (!cells || !rj || !tot) {
            r->oom = 1;
            return -1;
        }
        r->cap = cap;
    }
    memset(r->cells + (size_t)r->nrows * r->ncols, 0, (size_t)r->ncols * sizeof *r->cells);
    r->row_json[r->nrows] = NULL;
    r->is_total[r->nrows] = 0;
    return r->nrows++;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void myelin_report_set(myelin_report *r, int row, int col, const char *fmt, ...)
{
    if (row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (!s) {
        r->oom = 1;
        return;
    }
    char **cell = &r->cells[(size_t)row * r->ncols + col];
    free(*cell);
    *cell = s;
}

void myelin_report_total(myelin_report *r, int row)
{
    if (row >= 0 && row < r->nrows)
        r->is_total[row] = 1;
}

void myelin_report_caption(myelin_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (!s)
        r->oom = 1;
    free(r->caption);
    r->caption = s;
}

void myelin_report_provenance(myelin_report *r, const myelin_provenance *p)
{
    r->prov = *p;
}

void myelin_report_rows_key(myelin_report *r, const char *key)
{
    snprintf(r->rows_key, sizeof r->rows_key, "%s", key);
}

void myelin_report_meta_raw(myelin_report *r, const char *key, const char *json)
{
    meta *m = realloc(r->meta, (size_t)(r->nmeta + 1) * sizeof *m);
    if (!m) {
        r->oom = 1;
        return;
    }
    r->meta = m;
    m[r->nmeta].key = dup_or_oom(r, key);
    m[r->nmeta].json = dup_or_oom(r, json);
    r->nmeta++;
}

void myelin_report_meta_num(myelin_report *r, const char *key, double v)
{
    char b[40];
    if (isfinite(v))
        snprintf(b, sizeof b, "%.9g", v);
    else
        snprintf(b, sizeof b, "null");
    myelin_report_meta_raw(r, key, b);
}

void myelin_report_meta_str(myelin_report *r, const char *key, const char *s)
{
    size_t n = myelin_escape(MYELIN_ESC_JSON, s, NULL, 0) + 1;
    char *b = malloc(n);
    if (!b) {
        r->oom = 1;
        return;
    }
    myelin_escape(MYELIN_ESC_JSON, s, b, n);
    myelin_report_meta_raw(r, key, b);
    free(b);
}

void myelin_report_row_json(myelin_report *r, int row, const char *members)
{
    if (row < 0 || row >= r->nrows)
        return;
    free(r->row_json[row]);
    r->row_json[row] = dup_or_oom(r, members);
}

/* A column by its key or name; then by its name with another unit ("total_uJ" finds total_pJ:
 * the CSV of a table in uJ on screen is in pJ). */
static int find_col(const myelin_report *r, const char *s, size_t len)
{
    for (int c = 0; c < r->ncols; c++)
        if ((strlen(r->keys[c]) == len && !strncmp(r->keys[c], s, len)) ||
            (strlen(r->cols[c].name) == len && !strncmp(r->cols[c].name, s, len)))
            return c;
    for (int c = 0; c < r->ncols; c++) {
        size_t nl = strlen(r->cols[c].name);
        if (r->cols[c].unit && *r->cols[c].unit && len > nl + 1 && !strncmp(r->cols[c].name, s, nl) &&
            s[nl] == '_' && !memchr(s + nl + 1, '_', len - nl - 1))
            return c;
    }
    return -1;
}

int myelin_report_columns(myelin_report *r, const char *list, myelin_error *err)
{
    r->nsel = 0;
    if (!list || !*list)
        return 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        int c = find_col(r, p, len);
        if (c < 0 || r->nsel == r->ncols) {
            char known[2048] = "";
            size_t kl = 0;
            for (int k = 0; k < r->ncols && kl < sizeof known; k++)
                kl += (size_t)snprintf(known + kl, sizeof known - kl, "%s%s", k ? ", " : "", r->keys[k]);
            myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                             "--columns: unknown column '%.*s' (expected a comma-separated list of: %s)",
                             (int)(len < 200 ? len : 200), p, known);
            r->nsel = 0;
            return MYELIN_EUSAGE;
        }
        r->sel[r->nsel++] = c;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ---- writers ------------------------------------------------------------------------------- */

/* The columns a format writes: the --columns choice, else all (LaTeX: all but details). */
static int chosen(const myelin_report *r, int fmt, int *out)
{
    if (r->nsel) {
        memcpy(out, r->sel, (size_t)r->nsel * sizeof *out);
        return r->nsel;
    }
    int n = 0;
    for (int c = 0; c < r->ncols; c++)
        if (fmt != MYELIN_REPORT_LATEX || !r->cols[c].detail)
            out[n++] = c;
    return n;
}

static const char *cell(const myelin_report *r, int row, int col)
{
    const char *s = r->cells[(size_t)row * r->ncols + col];
    return s ? s : "";
}

/* A cell JSON can take as a number: the JSON number grammar (no inf, nan, hex, leading +). */
static int json_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    if (*p == '0')
        p++;
    else
        while (isdigit((unsigned char)*p))
            p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

static void write_json_row(const myelin_report *r, int row, const int *cols, int n, FILE *f)
{
    fputc('{', f);
    for (int k = 0; k < n; k++) {
        int c = cols[k];
        const char *v = cell(r, row, c);
        fputs(k ? ", " : "", f);
        myelin_escape_fputs(MYELIN_ESC_JSON, r->keys[c], f);
        fputs(": ", f);
        if (r->cols[c].numeric && json_number(v))
            fputs(v, f);
        else if (r->cols[c].numeric && (!*v || !strcmp(v, "-")))
            fputs("null", f);
        else
            myelin_escape_fputs(MYELIN_ESC_JSON, v, f);
    }
    if (r->row_json[row] && *r->row_json[row])
        fprintf(f, "%s%s", n ? ", " : "", r->row_json[row]);
    fputc('}', f);
}

static void write_json(const myelin_report *r, const int *cols, int n, FILE *f)
{
    fputs("{\n  \"provenance\": ", f);
    myelin_provenance_write_json(&r->prov, f);
    if (r->caption) {
        fputs(",\n  \"caption\": ", f);
        myelin_escape_fputs(MYELIN_ESC_JSON, r->caption, f);
    }
    for (int m = 0; m < r->nmeta; m++) {
        fputs(",\n  ", f);
        myelin_escape_fputs(MYELIN_ESC_JSON, r->meta[m].key, f);
        fprintf(f, ": %s", r->meta[m].json);
    }
    fputs(",\n  ", f);
    myelin_escape_fputs(MYELIN_ESC_JSON, r->rows_key, f);
    fputs(": [", f);
    int first = 1, total = -1;
    for (int i = 0; i < r->nrows; i++) {
        if (r->is_total[i]) {
            total = i;
            continue;
        }
        fputs(first ? "\n    " : ",\n    ", f);
        first = 0;
        write_json_row(r, i, cols, n, f);
    }
    fputs(first ? "]" : "\n  ]", f);
    if (total >= 0) {
        fputs(",\n  \"total\": ", f);
        write_json_row(r, total, cols, n, f);
    }
    fputs("\n}\n", f);
}

/* The two comment lines of the text formats (prefix "# " or "% "), escaped for esc. */
static void write_comments(const myelin_report *r, const char *prefix, myelin_escape_format esc,
                           FILE *f)
{
    char line[MYELIN_PROV_MAX * (MYELIN_PROV_VALUE_MAX + 40)];
    fputs(prefix, f);
    myelin_escape_fputs(esc, myelin_provenance_line(&r->prov, line, sizeof line), f);
    fputc('\n', f);
    if (r->caption) {
        fputs(prefix, f);
        myelin_escape_fputs(esc, r->caption, f);
        fputc('\n', f);
    }
}

static void write_text(const myelin_report *r, const int *cols, int n, FILE *f)
{
    write_comments(r, "# ", MYELIN_ESC_TEXT, f);
    int *w = calloc((size_t)n + 1, sizeof *w);
    if (!w)
        return;
    char esc[1024];
    for (int k = 0; k < n; k++) {
        w[k] = (int)myelin_escape(MYELIN_ESC_TEXT, r->keys[cols[k]], NULL, 0);
        for (int i = 0; i < r->nrows; i++) {
            int l = (int)myelin_escape(MYELIN_ESC_TEXT, cell(r, i, cols[k]), NULL, 0);
            if (l > w[k])
                w[k] = l;
        }
    }
    for (int i = -1; i < r->nrows; i++) {
        if (i >= 0 && r->is_total[i]) {
            for (int k = 0; k < n; k++)
                for (int d = 0; d < w[k] + (k ? 2 : 0); d++)
                    fputc('-', f);
            fputc('\n', f);
        }
        for (int k = 0; k < n; k++) {
            int c = cols[k];
            const char *s = i < 0 ? r->keys[c] : cell(r, i, c);
            if (myelin_escape(MYELIN_ESC_TEXT, s, esc, sizeof esc) >= sizeof esc)
                snprintf(esc, sizeof esc, "?");
            if (r->cols[c].numeric)
                fprintf(f, "%s%*s", k ? "  " : "", w[k], esc);
            else if (k == n - 1)
                fprintf(f, "%s%s", k ? "  " : "", esc); /* no trailing blanks */
            else
                fprintf(f, "%s%-*s", k ? "  " : "", w[k], esc);
        }
        fputc('\n', f);
    }
    free(w);
}

static void write_csv(const myelin_report *r, const int *cols, int n, FILE *f)
{
    write_comments(r, myelin_report_comment_prefix(MYELIN_REPORT_CSV), MYELIN_ESC_TEXT, f);
    for (int i = -1; i < r->nrows; i++)
        for (int k = 0; k < n; k++) {
            myelin_escape_fputs(MYELIN_ESC_CSV, i < 0 ? r->keys[cols[k]] : cell(r, i, cols[k]), f);
            fputs(k == n - 1 ? "\n" : ",", f);
        }
}

static void write_markdown(const myelin_report *r, const int *cols, int n, FILE *f)
{
    char line[MYELIN_PROV_MAX * (MYELIN_PROV_VALUE_MAX + 40)];
    if (r->caption) {
        myelin_escape_fputs(MYELIN_ESC_MARKDOWN, r->caption, f);
        fputs("\n\n", f);
    }
    myelin_escape_fputs(MYELIN_ESC_MARKDOWN, myelin_provenance_line(&r->prov, line, sizeof line), f);
    fputs("\n\n", f);
    for (int i = -1; i < r->nrows; i++) {
        for (int k = 0; k < n; k++) {
            fputs("| ", f);
            myelin_escape_fputs(MYELIN_ESC_MARKDOWN, i < 0 ? r->keys[cols[k]] : cell(r, i, cols[k]), f);
            fputc(' ', f);
        }
        fputs("|\n", f);
        if (i < 0) {
            for (int k = 0; k < n; k++)
                fputs(r->cols[cols[k]].numeric ? "|---:" : "|---", f);
            fputs("|\n", f);
        }
    }
}

/* LaTeX for a unit token: µ, %, mm², × in math or text mode; other units as escaped text. */
static void latex_unit(const char *u, FILE *f)
{
    static const struct {
        const char *unit, *tex;
    } map[] = {{"uJ", "$\\mu$J"}, {"pct", "\\%"}, {"mm2", "mm$^2$"}, {"x", "$\\times$"},
               {"us", "$\\mu$s"}, {"Js", "J\\,s"}, {"per_s", "1/s"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(u, map[i].unit)) {
            fputs(map[i].tex, f);
            return;
        }
    myelin_escape_fputs(MYELIN_ESC_LATEX, u, f);
}

/* Header lines of a column: its name's words packed into lines of at most `width` characters
 * (at least the longest word), so a long snake_case name stacks instead of widening the table. */
static int header_lines(const char *name, int width, char lines[][64], int max_lines)
{
    int nl = 0;
    lines[0][0] = '\0';
    for (const char *p = name; *p && nl < max_lines;) {
        size_t len = strcspn(p, "_");
        size_t have = strlen(lines[nl]);
        if (have && (int)(have + 1 + len) > width) {
            if (nl + 1 == max_lines)
                break;
            lines[++nl][0] = '\0';
            have = 0;
        }
        snprintf(lines[nl] + have, 64 - have, "%s%.*s", have ? " " : "", (int)(len < 60 ? len : 60), p);
        p += len;
        if (*p == '_')
            p++;
    }
    return lines[0][0] ? nl + 1 : 0;
}

/* The widest line of a column's name (packed to `width`), in characters. */
static int header_width(const char *name, int width)
{
    char lines[8][64];
    int nl = header_lines(name, width, lines, 8), w = 0;
    for (int i = 0; i < nl; i++)
        if ((int)strlen(lines[i]) > w)
            w = (int)strlen(lines[i]);
    return w;
}

/* Estimated width of the tabular in pt at font size fs pt: characters x 0.53 em (digits in
 * Computer Modern are 0.5 em wide; measured with pdflatex on the cost tables, the whole tabular
 * comes to 0.52-0.53 em a character) + 2 x \tabcolsep (3 pt). */
static double latex_width_pt(const int *chars, int n, double fs)
{
    double w = 0;
    for (int k = 0; k < n; k++)
        w += chars[k] * 0.53 * fs + 6;
    return w - 6; /* @{} at both ends */
}

static void write_latex(const myelin_report *r, const int *cols, int n, FILE *f)
{
    write_comments(r, myelin_report_comment_prefix(MYELIN_REPORT_LATEX), MYELIN_ESC_LATEX, f);
    int *chars = calloc((size_t)n + 1, sizeof *chars);
    if (!chars)
        return;
    for (int k = 0; k < n; k++) {
        int c = cols[k], data = 0;
        for (int i = 0; i < r->nrows; i++)
            if ((int)strlen(cell(r, i, c)) > data)
                data = (int)strlen(cell(r, i, c));
        /* headers stack to the data's width (at least 6 characters) */
        int hw = header_width(r->cols[c].name, data > 6 ? data : 6);
        int uw = (int)strlen(r->cols[c].unit ? r->cols[c].unit : "") + 2;
        chars[k] = data > hw ? data : hw;
        if (uw > chars[k])
            chars[k] = uw;
    }
    /* A4 portrait with 2.5 cm margins: 455 pt of text width */
    static const struct {
        const char *cmd;
        double pt;
    } sizes[] = {{"\\small", 9}, {"\\footnotesize", 8}, {"\\scriptsize", 7}};
    const double page_pt = 455;
    int s = 0;
    while (s < 2 && latex_width_pt(chars, n, sizes[s].pt) > page_pt)
        s++;
    double est = latex_width_pt(chars, n, sizes[s].pt);
    int scale = est > page_pt;
    fprintf(f, "%% booktabs%s; estimated width %.0f pt at %s (page text width %.0f pt)\n",
            scale ? " and graphicx (scaled to \\linewidth)" : "", est, sizes[s].cmd + 1, page_pt);
    fprintf(f, "\\noindent{%s\\setlength{\\tabcolsep}{3pt}%%\n", sizes[s].cmd);
    if (scale)
        fputs("\\resizebox{\\linewidth}{!}{%\n", f);
    fputs("\\begin{tabular}{@{}", f);
    for (int k = 0; k < n; k++)
        fputc(r->cols[cols[k]].numeric ? 'r' : 'l', f);
    fputs("@{}}\n\\toprule\n", f);
    for (int k = 0; k < n; k++) {
        int c = cols[k];
        char lines[8][64];
        int nl = header_lines(r->cols[c].name, chars[k], lines, 8);
        const char *u = r->cols[c].unit ? r->cols[c].unit : "";
        fputs(k ? " & " : "", f);
        if (nl <= 1 && !*u) {
            myelin_escape_fputs(MYELIN_ESC_LATEX, nl ? lines[0] : "", f);
            continue;
        }
        fprintf(f, "\\begin{tabular}[b]{@{}%c@{}}", r->cols[c].numeric ? 'r' : 'l');
        for (int l = 0; l < nl; l++) {
            fputs(l ? "\\\\" : "", f);
            myelin_escape_fputs(MYELIN_ESC_LATEX, lines[l], f);
        }
        if (*u) {
            fputs(nl ? "\\\\(" : "(", f);
            latex_unit(u, f);
            fputc(')', f);
        }
        fputs("\\end{tabular}", f);
    }
    fputs(" \\\\\n\\midrule\n", f);
    for (int i = 0; i < r->nrows; i++) {
        if (r->is_total[i])
            fputs("\\midrule\n", f);
        for (int k = 0; k < n; k++) {
            fputs(k ? " & " : "", f);
            myelin_escape_fputs(MYELIN_ESC_LATEX, cell(r, i, cols[k]), f);
        }
        fputs(" \\\\\n", f);
    }
    fputs("\\bottomrule\n\\end{tabular}", f);
    fputs(scale ? "}%\n}\n" : "%\n}\n", f);
    free(chars);
}

int myelin_report_write(const myelin_report *r, int fmt, FILE *f, myelin_error *err)
{
    if (r->oom)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory building a table");
    int *cols = malloc(((size_t)r->ncols + 1) * sizeof *cols);
    if (!cols)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    int n = chosen(r, fmt, cols);
    switch (fmt) {
    case MYELIN_REPORT_TABLE: write_text(r, cols, n, f); break;
    case MYELIN_REPORT_CSV: write_csv(r, cols, n, f); break;
    case MYELIN_REPORT_JSON: write_json(r, cols, n, f); break;
    case MYELIN_REPORT_MARKDOWN: write_markdown(r, cols, n, f); break;
    case MYELIN_REPORT_LATEX: write_latex(r, cols, n, f); break;
    default:
        free(cols);
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "unknown report format %d", fmt);
    }
    free(cols);
    return ferror(f) ? myelin_error_set(err, MYELIN_EIO, NULL, 0, 0, "write error") : 0;
}

int myelin_report_write_buffer(const myelin_report *r, int fmt, char **buf, size_t *len,
                               myelin_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = open_memstream(buf, len);
    if (!f)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = myelin_report_write(r, fmt, f, err);
    if (fclose(f) && !rc)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return rc;
}

int myelin_report_save(const myelin_report *r, int fmt, const char *dir, const char *name,
                       myelin_error *err)
{
    char path[PATH_CAP];
    if (myelin_path_join(dir, name, path, sizeof path))
        return myelin_error_set(err, MYELIN_EUSAGE, dir, 0, 0, "path too long");
    char *buf;
    size_t len;
    int rc = myelin_report_write_buffer(r, fmt, &buf, &len, err);
    if (!rc)
        rc = myelin_write_file_atomic(path, buf, len, err);
    free(buf);
    return rc;
}
