/* base/escape.c — the escapers of every output language (see escape.h). */
#include "base/escape.h"

#include <string.h>

/* A sink: counts every byte, stores those that fit. */
typedef struct sink {
    char *out;
    size_t n, len;
    FILE *f;
} sink;

static void put(sink *k, const char *p, size_t m)
{
    if (k->f)
        fwrite(p, 1, m, k->f);
    else if (k->out && k->len + m < k->n)
        memcpy(k->out + k->len, p, m);
    k->len += m;
}

static void putc1(sink *k, char c)
{
    put(k, &c, 1);
}

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int csv_needs_quotes(const char *s)
{
    size_t l = strlen(s);
    if (l && (s[0] == ' ' || s[l - 1] == ' '))
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

static void emit(myelin_escape_format fmt, const char *s, sink *k)
{
    static const char hex[] = "0123456789abcdef";
    int quote = 0;
    switch (fmt) {
    case MYELIN_ESC_GNUPLOT:
        putc1(k, '\'');
        break;
    case MYELIN_ESC_JSON:
        putc1(k, '"');
        break;
    case MYELIN_ESC_CSV:
        quote = csv_needs_quotes(s);
        if (quote)
            putc1(k, '"');
        break;
    default:
        break;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        switch (fmt) {
        case MYELIN_ESC_GNUPLOT:
            if (c == '\'')
                put(k, "''", 2);
            else
                putc1(k, is_ctl(c) ? ' ' : (char)c);
            break;
        case MYELIN_ESC_LATEX:
            if (c == '\\')
                put(k, "\\textbackslash{}", 16);
            else if (c == '~')
                put(k, "\\textasciitilde{}", 17);
            else if (c == '^')
                put(k, "\\textasciicircum{}", 18);
            else if (strchr("{}_%&#$", c)) {
                putc1(k, '\\');
                putc1(k, (char)c);
            } else
                putc1(k, is_ctl(c) ? ' ' : (char)c);
            break;
        case MYELIN_ESC_MARKDOWN:
            if (strchr("\\`*_[]<>|#", c)) {
                putc1(k, '\\');
                putc1(k, (char)c);
            } else
                putc1(k, is_ctl(c) ? ' ' : (char)c);
            break;
        case MYELIN_ESC_CSV:
            if (c == '"')
                put(k, "\"\"", 2);
            else
                putc1(k, (char)c);
            break;
        case MYELIN_ESC_JSON:
            if (c == '"' || c == '\\') {
                putc1(k, '\\');
                putc1(k, (char)c);
            } else if (c == '\n')
                put(k, "\\n", 2);
            else if (c == '\t')
                put(k, "\\t", 2);
            else if (is_ctl(c)) {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                put(k, u, 6);
            } else
                putc1(k, (char)c);
            break;
        case MYELIN_ESC_TEXT:
            if (is_ctl(c)) {
                char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                put(k, x, 4);
            } else
                putc1(k, (char)c);
            break;
        }
    }
    if (fmt == MYELIN_ESC_GNUPLOT)
        putc1(k, '\'');
    else if (fmt == MYELIN_ESC_JSON || quote)
        putc1(k, '"');
}

size_t myelin_escape(myelin_escape_format fmt, const char *s, char *out, size_t n)
{
    sink k = {.out = out, .n = n};
    emit(fmt, s ? s : "", &k);
    if (n) {
        if (k.len < n)
            out[k.len] = '\0';
        else
            out[0] = '\0';
    }
    return k.len;
}

void myelin_escape_fputs(myelin_escape_format fmt, const char *s, FILE *f)
{
    sink k = {.f = f};
    emit(fmt, s ? s : "", &k);
}
