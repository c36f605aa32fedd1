/* tests/check_core.c — core suite: error records, rng determinism, util file/path helpers, YAML reader. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/escape.h"
#include "base/json.h"
#include "base/rng.h"
#include "base/util.h"
#include "base/yaml.h"
#include "tests/suites.h"

START_TEST(test_error_set_prefix)
{
    myelin_error e;
    myelin_error_clear(&e);
    ck_assert_int_eq(e.code, MYELIN_OK);
    ck_assert_int_eq(myelin_error_set(&e, MYELIN_ESCHEMA, "a.yaml", 3, 7, "bad %d", 5), MYELIN_ESCHEMA);
    ck_assert_str_eq(e.message, "bad 5");
    ck_assert(e.line == 3 && e.column == 7);
    myelin_error_prefix(&e, "ctx");
    ck_assert(strstr(e.message, "ctx") == e.message && strstr(e.message, "bad 5") != NULL);
    ck_assert_int_ne(myelin_exit_code(MYELIN_ESCHEMA), 0);
    ck_assert_int_eq(myelin_exit_code(MYELIN_OK), 0);
}
END_TEST

START_TEST(test_rng_determinism)
{
    myelin_rng a, b, c;
    myelin_rng_seed(&a, 42, 0);
    myelin_rng_seed(&b, 42, 0);
    myelin_rng_seed(&c, 43, 0);
    int diff = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = myelin_rng_next(&a);
        ck_assert_uint_eq(x, myelin_rng_next(&b));
        diff |= x != myelin_rng_next(&c);
    }
    ck_assert(diff);
    for (int i = 0; i < 1000; i++) {
        double u = myelin_rng_uniform(&a);
        ck_assert(u >= 0 && u < 1);
        ck_assert_uint_lt(myelin_rng_below(&a, 7), 7);
    }
}
END_TEST

START_TEST(test_util_files)
{
    char p[1024], j[64], d[64];
    myelin_error e;
    TEST_BUILD(p, "core_atomic.txt");
    ck_assert_int_eq(myelin_write_file_atomic(p, "hello", 5, &e), 0);
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(myelin_read_file(p, &data, &len, &e), 0);
    ck_assert(len == 5 && memcmp(data, "hello", 5) == 0);
    free(data);
    remove(p);
    /* a missing input is EX_NOINPUT (66); one that exists but cannot be read is I/O (74) */
    ck_assert_int_eq(myelin_read_file("/nonexistent/x", &data, &len, &e), MYELIN_EMISSING);
    ck_assert_int_eq(myelin_read_file("/", &data, &len, &e), MYELIN_EIO);
    ck_assert_int_eq(myelin_path_join("a/b", "c.bin", j, sizeof j), 0);
    ck_assert_str_eq(j, "a/b/c.bin");
    ck_assert_int_eq(myelin_path_join("a/b", "/abs", j, sizeof j), 0);
    ck_assert_str_eq(j, "/abs");
    myelin_path_dirname("x/y/z.yaml", d, sizeof d);
    ck_assert_str_eq(d, "x/y");
    ck_assert_uint_ne(myelin_fnv1a64("a", 1, 14695981039346656037ULL), myelin_fnv1a64("b", 1, 14695981039346656037ULL));
}
END_TEST

typedef struct rec {
    int depth, on, mode, bits;
    double rate;
    char name[8];
} rec;
static const char *const modes[] = {"fast", "slow", NULL};
static const myelin_yaml_key keys[] = {
    {"depth", MYELIN_YT_INT, offsetof(rec, depth), 0, 1, 64, 0, NULL, NULL, NULL, 1, "blocks"},
    {"on", MYELIN_YT_BOOL, offsetof(rec, on), 0, 0, 0, 1, NULL, NULL, NULL, 0, "switch"},
    {"mode", MYELIN_YT_ENUM, offsetof(rec, mode), 0, 0, 0, 1, NULL, modes, NULL, 0, "mode"},
    {"bits", MYELIN_YT_BITS, offsetof(rec, bits), 0, 1, 16, 8, NULL, NULL, "bits", 0, "bits"},
    {"rate", MYELIN_YT_DOUBLE, offsetof(rec, rate), 0, 0, 1, 0.5, NULL, NULL, NULL, 0, "rate"},
    {"name", MYELIN_YT_STRING, offsetof(rec, name), 8, 0, 0, 0, "dflt", NULL, NULL, 0, "name"},
    {"sub", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "nested"},
};

static int read_rec(const char *text, rec *r, myelin_error *e)
{
    myelin_yaml_doc *doc = NULL;
    myelin_error_clear(e);
    memset(r, 0, sizeof *r);
    int rc = myelin_yaml_load_string(text, "t.yaml", &doc, e);
    if (rc)
        return rc;
    rc = myelin_yaml_read_map(doc->root, keys, sizeof keys / sizeof keys[0], r, "test", e);
    myelin_yaml_free(doc);
    return rc;
}

START_TEST(test_yaml_good)
{
    rec r;
    myelin_error e;
    ck_assert_int_eq(read_rec("depth: 3\nbits: float\nmode: slow\non: false\nrate: 0.25\nname: ab\nsub: {x: 1}\n", &r, &e), 0);
    ck_assert(r.depth == 3 && r.bits == 0 && r.mode == 1 && r.on == 0 && r.rate == 0.25);
    ck_assert_str_eq(r.name, "ab");
    ck_assert_int_eq(read_rec("depth: 64\n", &r, &e), 0);
    ck_assert(r.on == 1 && r.mode == 1 && r.bits == 8 && r.rate == 0.5);
    ck_assert_str_eq(r.name, "dflt");
    myelin_yaml_doc *doc = NULL;
    ck_assert_int_eq(myelin_yaml_load_string("a:\n  - 1\n  - {b: x}\n", "n.yaml", &doc, &e), 0);
    const myelin_yaml_node *a = myelin_yaml_get(doc->root, "a");
    ck_assert(a && a->kind == MYELIN_YAML_SEQ && a->n == 2 && a->line == 2 && a->column == 3);
    ck_assert_str_eq(myelin_yaml_get(a->items[1], "b")->scalar, "x");
    ck_assert_str_eq(a->file, "n.yaml");
    myelin_yaml_free(doc);
    ck_assert_int_eq(myelin_edit_distance("dpeth", "depth"), 2);
    ck_assert_int_eq(myelin_edit_distance("", "abc"), 3);
}
END_TEST

static const struct {
    const char *text;
    int code, line, column;
    const char *frag;
} bad[] = {
    {"depth: 0\n", MYELIN_ESCHEMA, 1, 8, "expected an integer between 1 and 64 (got 0)"},
    {"depth: 2.5\n", MYELIN_ESCHEMA, 1, 8, "expected an integer"},
    {"depth: \"3\"\n", MYELIN_ESCHEMA, 1, 8, "expected an integer"},
    {"dpeth: 3\n", MYELIN_ESCHEMA, 1, 1, "unknown key 'dpeth' in test (did you mean 'depth'?)"},
    {"depth: 3\nzzzzzzzz: 1\n", MYELIN_ESCHEMA, 2, 1, "unknown key 'zzzzzzzz' in test"},
    {"depth: 3\ndepth: 4\n", MYELIN_ESCHEMA, 2, 1, "duplicate key 'depth' (first at line 1)"},
    {"on: maybe\ndepth: 3\n", MYELIN_ESCHEMA, 1, 5, "true or false"},
    {"depth: 3\nmode: medium\n", MYELIN_ESCHEMA, 2, 7, "fast | slow"},
    {"depth: 3\nbits: 17\n", MYELIN_ESCHEMA, 2, 7, "or \"float\""},
    {"depth: 3\nrate: 2\n", MYELIN_ESCHEMA, 2, 7, "between 0 and 1"},
    {"depth: 3\nname: toolongname\n", MYELIN_ESCHEMA, 2, 7, "longer"},
    {"depth: 3\nsub: [1]\n", MYELIN_ESCHEMA, 2, 6, "expected a mapping"},
    {"on: true\n", MYELIN_EMISSING, 1, 1, "missing required key 'depth'"},
    {"- 1\n", MYELIN_ESCHEMA, 1, 1, "expected a mapping"},
    {"depth: [1, 2\n", MYELIN_ESYNTAX, 2, 1, "flow sequence"},
    {"depth: 3\n  bad: 1\n", MYELIN_ESYNTAX, 2, 6, "mapping values are not allowed"},
    {"a: &x 1\nb: *x\n", MYELIN_ESCHEMA, 2, 4, "aliases"},
};

START_TEST(test_yaml_bad)
{
    rec r;
    myelin_error e;
    int rc = read_rec(bad[_i].text, &r, &e);
    ck_assert_msg(rc == bad[_i].code, "case %d: rc %d (%s)", _i, rc, e.message);
    ck_assert_msg(e.line == bad[_i].line && e.column == bad[_i].column, "case %d: %d:%d %s", _i, e.line, e.column,
                  e.message);
    ck_assert_msg(strstr(e.message, bad[_i].frag) != NULL, "case %d: %s", _i, e.message);
    ck_assert_str_eq(e.file, "t.yaml");
}
END_TEST

/* One escaper per output language: the payloads of issue 10 and every special character. */
static const struct {
    myelin_escape_format fmt;
    const char *in, *out;
} esc_cases[] = {
    {MYELIN_ESC_GNUPLOT, "x'; print system('touch pwned'); a='", "'x''; print system(''touch pwned''); a='''"},
    {MYELIN_ESC_GNUPLOT, "line\nbreak\\", "'line break\\'"},
    {MYELIN_ESC_LATEX, "a_b%c&d#e$f{g}h~i^j\\k",
     "a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k"},
    {MYELIN_ESC_MARKDOWN, "a|b`c<d>e[f]\\g\nh", "a\\|b\\`c\\<d\\>e\\[f\\]\\\\g h"},
    {MYELIN_ESC_CSV, "plain", "plain"},
    {MYELIN_ESC_CSV, "a,b \"c\"\n", "\"a,b \"\"c\"\"\n\""},
    {MYELIN_ESC_JSON, "q\"b\\n\n\x1b", "\"q\\\"b\\\\n\\n\\u001b\""},
    {MYELIN_ESC_TEXT, "red\x1b[31m\x7f", "red\\x1b[31m\\x7f"},
};

START_TEST(test_escape)
{
    char out[256];
    size_t n = myelin_escape(esc_cases[_i].fmt, esc_cases[_i].in, out, sizeof out);
    ck_assert_str_eq(out, esc_cases[_i].out);
    ck_assert_uint_eq(n, strlen(esc_cases[_i].out));
    /* too small: empty, never a cut-off escape; the needed length is still returned */
    char small[4];
    ck_assert_uint_eq(myelin_escape(esc_cases[_i].fmt, esc_cases[_i].in, small, sizeof small), n);
    if (n >= sizeof small)
        ck_assert_str_eq(small, "");
}
END_TEST

/* gnuplot runs without a shell: a folder named as a command is only a folder */
START_TEST(test_gnuplot_no_shell)
{
    char dir[1024], pwned[1100], svg[1100];
    snprintf(dir, sizeof dir, "%s/tests/gp x'; touch pwned; echo '.tmp.%d", MYELIN_TEST_BUILDDIR,
             (int)getpid());
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(pwned, sizeof pwned, "%s/tests/pwned", MYELIN_TEST_BUILDDIR);
    unlink(pwned);
    int rc = myelin_run_gnuplot(dir, "set terminal svg\nset output 'p.svg'\nplot x\n");
    ck_assert_int_ne(access(pwned, F_OK), 0);
    ck_assert_int_ne(access("pwned", F_OK), 0);
    snprintf(svg, sizeof svg, "%s/p.svg", dir);
    if (rc == 0) /* gnuplot present: it ran in that folder */
        ck_assert_int_eq(access(svg, F_OK), 0);
    unlink(svg);
    rmdir(dir);
    /* a folder that does not exist: non-zero, no signal */
    ck_assert_int_ne(myelin_run_gnuplot("/no/such/folder", "plot x\n"), 0);
}
END_TEST

/* reads are capped: a device that never ends is refused, not read into memory; folders too */
START_TEST(test_read_caps)
{
    char *data = NULL;
    size_t len = 0;
    myelin_error err;
    ck_assert_int_eq(myelin_read_file_max("/dev/zero", 1 << 20, &data, &len, &err), MYELIN_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "larger than 1 MiB"));
    ck_assert_int_eq(myelin_read_file("/", &data, &len, &err), MYELIN_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "is a directory"));
}
END_TEST

/* YAML nesting is bounded like JSON's (a stack overflow before); JSON errors give line:column */
START_TEST(test_yaml_depth)
{
    size_t deep = 20000;
    char *text = malloc(2 * deep + 8);
    memcpy(text, "a: ", 3);
    memset(text + 3, '[', deep);
    memset(text + 3 + deep, ']', deep);
    text[3 + 2 * deep] = '\0';
    myelin_yaml_doc *doc = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_yaml_load_string(text, "deep.yaml", &doc, &err), MYELIN_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper than"));
    ck_assert_int_eq(err.line, 1);
    /* the root mapping plus MAX - 1 nested sequences: exactly at the limit, loads */
    size_t k = MYELIN_YAML_MAX_DEPTH - 1;
    memset(text + 3, '[', k);
    memset(text + 3 + k, ']', k);
    text[3 + 2 * k] = '\0';
    ck_assert_msg(myelin_yaml_load_string(text, "ok.yaml", &doc, &err) == 0, "%s", err.message);
    myelin_yaml_free(doc);
    free(text);
    myelin_json *j = NULL;
    ck_assert_int_eq(myelin_json_parse("{\n  \"a\": 1x}", 12, "t.json", &j, &err), MYELIN_ESYNTAX);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.column, 9);
}
END_TEST

Suite *make_core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_error_set_prefix);
    tcase_add_test(tc, test_rng_determinism);
    tcase_add_test(tc, test_util_files);
    tcase_add_test(tc, test_yaml_good);
    tcase_add_loop_test(tc, test_yaml_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_loop_test(tc, test_escape, 0, (int)(sizeof esc_cases / sizeof esc_cases[0]));
    tcase_add_test(tc, test_gnuplot_no_shell);
    tcase_add_test(tc, test_read_caps);
    tcase_add_test(tc, test_yaml_depth);
    suite_add_tcase(s, tc);
    return s;
}
