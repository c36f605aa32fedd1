/* tests/check_report.c — report suite: the table type and its five writers (base/report.h):
 * column keys from names and units, provenance, escaping per language, JSON that parses with
 * numbers bare and gaps null, --columns, LaTeX sized to a page, paths relative to the cwd. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/report.h"
#include "tests/suites.h"

static const myelin_report_col cols[] = {
    {"layer", "", 0, 0}, {"energy", "uJ", 1, 0}, {"memory", "bytes", 1, 0}, {"note", "", 0, 1}};

/* A small table: two layers (one with hostile text) and a total. */
static myelin_report *sample(void)
{
    myelin_report *t = myelin_report_new(cols, 4);
    ck_assert_ptr_nonnull(t);
    int r = myelin_report_row(t);
    myelin_report_set(t, r, 0, "conv_0");
    myelin_report_set(t, r, 1, "%.3f", 1.5);
    myelin_report_set(t, r, 2, "%d", 128);
    myelin_report_set(t, r, 3, "a,\"b\"|c%%\x1b");
    r = myelin_report_row(t);
    myelin_report_set(t, r, 0, "pool");
    myelin_report_set(t, r, 1, "-");
    myelin_report_set(t, r, 2, "0");
    r = myelin_report_row(t);
    myelin_report_set(t, r, 0, "total");
    myelin_report_set(t, r, 1, "1.500");
    myelin_report_set(t, r, 2, "128");
    myelin_report_total(t, r);
    myelin_report_caption(t, "a caption");
    myelin_provenance p;
    myelin_provenance_init(&p);
    myelin_provenance_add(&p, "workload", "tiny");
    myelin_provenance_add(&p, "seed", "%d", 7);
    myelin_report_provenance(t, &p);
    myelin_report_rows_key(t, "layers");
    return t;
}

static char *write_to_string(const myelin_report *t, int fmt)
{
    char *buf = NULL;
    size_t len = 0;
    myelin_error err;
    ck_assert_int_eq(myelin_report_write_buffer(t, fmt, &buf, &len, &err), 0);
    ck_assert_uint_eq(strlen(buf), len);
    return buf;
}

START_TEST(test_formats)
{
    static const char *const names[] = {"table", "csv", "json", "markdown", "latex"};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(myelin_report_format_parse(names[i]), i);
        ck_assert_str_eq(myelin_report_format_name(i), names[i]);
    }
    ck_assert_int_eq(myelin_report_format_parse("tex"), -1);
    ck_assert_int_eq(myelin_report_format_parse(NULL), -1);
    ck_assert_str_eq(myelin_report_format_ext(MYELIN_REPORT_MARKDOWN), "md");
}
END_TEST

START_TEST(test_csv)
{
    myelin_report *t = sample();
    char *s = write_to_string(t, MYELIN_REPORT_CSV);
    ck_assert_str_eq(s, "# myelin " MYELIN_VERSION "; workload tiny; seed 7\n"
                        "# a caption\n"
                        "layer,energy_uJ,memory_bytes,note\n"
                        "conv_0,1.500,128,\"a,\"\"b\"\"|c%\x1b\"\n"
                        "pool,-,0,\n"
                        "total,1.500,128,\n");
    free(s);
    myelin_report_free(t);
}
END_TEST

/* What the sample's text outputs hold (present 1) or must not (0). */
static const struct {
    int fmt;
    const char *text;
    int present;
} holds[] = {
    {MYELIN_REPORT_TABLE, "\x1b", 0}, /* the terminal gets \x1b, never the byte */
    {MYELIN_REPORT_TABLE, "\\x1b", 1},
    {MYELIN_REPORT_TABLE, "layer   energy_uJ  memory_bytes  note\n", 1},
    {MYELIN_REPORT_TABLE, "\npool            -             0  \n", 1},
    {MYELIN_REPORT_TABLE, "\n--------", 1}, /* a rule above the total */
    {MYELIN_REPORT_MARKDOWN, "a caption\n\nmyelin ", 1},
    {MYELIN_REPORT_MARKDOWN, "| layer | energy\\_uJ | memory\\_bytes | note |\n|---|---:|---:|---|\n", 1},
    {MYELIN_REPORT_MARKDOWN, "c%  |", 1}, /* the control character a space */
    {MYELIN_REPORT_MARKDOWN, "\\|c", 1},  /* the pipe escaped */
    {MYELIN_REPORT_LATEX, "\\toprule", 1},
    {MYELIN_REPORT_LATEX, "\\begin{tabular}{@{}lrr@{}}", 1}, /* the detail column left out */
    {MYELIN_REPORT_LATEX, "note", 0},
    {MYELIN_REPORT_LATEX, "energy\\\\($\\mu$J)", 1}, /* name over its unit */
    {MYELIN_REPORT_LATEX, "\\midrule\ntotal & 1.500 & 128 \\\\\n\\bottomrule", 1},
    {MYELIN_REPORT_LATEX, "resizebox", 0},
};

START_TEST(test_holds)
{
    myelin_report *t = sample();
    char *s = write_to_string(t, holds[_i].fmt);
    ck_assert_msg((strstr(s, holds[_i].text) != NULL) == holds[_i].present, "%s output %s '%s':\n%s",
                  myelin_report_format_name(holds[_i].fmt), holds[_i].present ? "lacks" : "has",
                  holds[_i].text, s);
    free(s);
    myelin_report_free(t);
}
END_TEST

START_TEST(test_json)
{
    myelin_report *t = sample();
    myelin_report_meta_num(t, "latency_s", 0.25);
    myelin_report_meta_str(t, "arch", "x\"y");
    myelin_report_row_json(t, 0, "\"actions\": {\"a\": 1}");
    char *s = write_to_string(t, MYELIN_REPORT_JSON);
    myelin_json *root = NULL;
    myelin_error err;
    ck_assert_msg(myelin_json_parse(s, strlen(s), "t.json", &root, &err) == 0, "%s\n%s", err.message, s);
    ck_assert_str_eq(myelin_json_get(myelin_json_get(root, "provenance"), "workload")->string, "tiny");
    ck_assert_str_eq(myelin_json_get(myelin_json_get(root, "provenance"), "myelin")->string, MYELIN_VERSION);
    ck_assert_str_eq(myelin_json_get(root, "arch")->string, "x\"y");
    const myelin_json *layers = myelin_json_get(root, "layers");
    ck_assert_uint_eq(layers->count, 2); /* the total is apart */
    const myelin_json *l0 = &layers->items[0], *l1 = &layers->items[1];
    ck_assert_int_eq(myelin_json_get(l0, "energy_uJ")->type, MYELIN_JSON_NUMBER);
    ck_assert(myelin_json_get(l0, "energy_uJ")->number == 1.5);
    ck_assert_int_eq(myelin_json_get(l1, "energy_uJ")->type, MYELIN_JSON_NULL); /* "-" */
    ck_assert_str_eq(myelin_json_get(l0, "note")->string, "a,\"b\"|c%\x1b");
    ck_assert(myelin_json_get(myelin_json_get(l0, "actions"), "a")->number == 1);
    ck_assert(myelin_json_get(myelin_json_get(root, "total"), "memory_bytes")->number == 128);
    myelin_json_free(root);
    free(s);
    myelin_report_free(t);
}
END_TEST

START_TEST(test_latex)
{
    myelin_report *t = sample();
    char *s;
    /* --columns brings the detail back, in the order given; its text is escaped */
    myelin_error err;
    ck_assert_int_eq(myelin_report_columns(t, "note,layer", &err), 0);
    s = write_to_string(t, MYELIN_REPORT_LATEX);
    ck_assert_ptr_nonnull(strstr(s, "note & layer \\\\"));
    ck_assert_ptr_nonnull(strstr(s, "a,\"b\"|c\\%  & conv\\_0")); /* ESC -> space */
    free(s);
    myelin_report_free(t);
    /* a table far wider than a page is scaled to \linewidth */
    myelin_report_col wide[30];
    for (int c = 0; c < 30; c++)
        wide[c] = (myelin_report_col){"a_rather_long_column_name", "pJ", 1, 0};
    t = myelin_report_new(wide, 30);
    int r = myelin_report_row(t);
    for (int c = 0; c < 30; c++)
        myelin_report_set(t, r, c, "%.9g", 123456.789 * (c + 1));
    s = write_to_string(t, MYELIN_REPORT_LATEX);
    ck_assert_ptr_nonnull(strstr(s, "\\resizebox{\\linewidth}{!}{%"));
    ck_assert_ptr_nonnull(strstr(s, "\\scriptsize"));
    free(s);
    myelin_report_free(t);
}
END_TEST

START_TEST(test_columns)
{
    myelin_report *t = sample();
    myelin_error err;
    ck_assert_int_eq(myelin_report_columns(t, "memory_bytes,layer", &err), 0);
    char *s = write_to_string(t, MYELIN_REPORT_CSV);
    ck_assert_ptr_nonnull(strstr(s, "\nmemory_bytes,layer\n128,conv_0\n0,pool\n"));
    free(s);
    ck_assert_int_eq(myelin_report_columns(t, "layer,joules", &err), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "'joules'"));
    ck_assert_ptr_nonnull(strstr(err.message, "energy_uJ"));
    ck_assert_int_eq(myelin_report_columns(t, "energy_pJ,memory_used_bits", &err), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "'memory_used_bits'")); /* not memory + a unit */
    ck_assert_int_eq(myelin_report_columns(t, "energy_pJ", &err), 0); /* another unit finds it */
    ck_assert_int_eq(myelin_report_columns(t, "energy", &err), 0); /* a name without its unit */
    s = write_to_string(t, MYELIN_REPORT_CSV);
    ck_assert_ptr_nonnull(strstr(s, "\nenergy_uJ\n1.500\n-\n1.500\n"));
    free(s);
    myelin_report_free(t);
}
END_TEST

START_TEST(test_paths)
{
    char cwd[4096], in[4200], out[4200];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(in, sizeof in, "%s/sub/f.yaml", cwd);
    myelin_path_relative(in, out, sizeof out);
    ck_assert_str_eq(out, "sub/f.yaml");
    myelin_path_relative("rel/x.yaml", out, sizeof out);
    ck_assert_str_eq(out, "rel/x.yaml");
    myelin_path_relative(cwd, out, sizeof out);
    ck_assert_str_eq(out, ".");
    if (strcmp(cwd, "/") != 0) {
        /* a sibling of the cwd: one ../ per folder below the common part */
        char *slash = strrchr(cwd, '/');
        snprintf(in, sizeof in, "%.*s/zz-sibling/a", (int)(slash - cwd), cwd);
        myelin_path_relative(in, out, sizeof out);
        ck_assert_str_eq(out, "../zz-sibling/a");
        /* a name that only shares a prefix with the cwd's last folder is not inside it */
        snprintf(in, sizeof in, "%sX/a", cwd);
        myelin_path_relative(in, out, sizeof out);
        snprintf(in, sizeof in, "../%sX/a", slash + 1);
        ck_assert_str_eq(out, in);
    }
    /* from the root folder: no ../ at all (it was "../tmp/x" once) */
    ck_assert_int_eq(chdir("/"), 0);
    myelin_path_relative("/tmp/x.yaml", out, sizeof out);
    ck_assert_str_eq(out, "tmp/x.yaml");
    myelin_path_relative("/", out, sizeof out);
    ck_assert_str_eq(out, ".");
    ck_assert_int_eq(chdir(cwd), 0);
    myelin_provenance p;
    myelin_provenance_init(&p);
    myelin_provenance_add(&p, "quant", "a");
    myelin_provenance_add(&p, "quant", "b"); /* replaced, not repeated */
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(myelin_provenance_get(&p, "quant"), "b");
    ck_assert_str_eq(myelin_provenance_line(&p, out, sizeof out), "myelin " MYELIN_VERSION "; quant b");
}
END_TEST

Suite *make_report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_csv);
    tcase_add_loop_test(tc, test_holds, 0, (int)(sizeof holds / sizeof holds[0]));
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_latex);
    tcase_add_test(tc, test_columns);
    tcase_add_test(tc, test_paths);
    suite_add_tcase(s, tc);
    return s;
}
