/* tests/check_safetensors.c — safetensors suite: JSON parser, writer→reader round trip for every
 * dtype, exact F16/BF16, deterministic bytes, and the bad-file corpus (built in memory). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "tests/suites.h"
#include "workloads/safetensors.h"

/* ---- JSON ---- */

static const struct {
    const char *text;
    int code;
    const char *fragment;
} json_cases[] = {
    {"{\"a\": [1, -2.5e3, true, false, null, \"x\"]}", 0, NULL},
    {"  \"\\u00e9\\ud83d\\ude00\\n\"  ", 0, NULL},
    {"{\"a\":1,\"a\":2}", MYELIN_ESYNTAX, "duplicate"},
    {"{\"a\":1} x", MYELIN_ESYNTAX, "trailing"},
    {"[01]", MYELIN_ESYNTAX, "leading zero"},
    {"\"\\x\"", MYELIN_ESYNTAX, "invalid escape"},
    {"\"\\ud800\"", MYELIN_ESYNTAX, "surrogate"},
    {"\"\xff\"", MYELIN_ESYNTAX, "UTF-8"},
    {"\"a\tb\"", MYELIN_ESYNTAX, "control"},
    {"[1,]", MYELIN_ESYNTAX, "expected a value"},
    {"{\"a\" 1}", MYELIN_ESYNTAX, "expected ':'"},
    {"[1 2]", MYELIN_ESYNTAX, "expected ',' or ']'"},
    {"", MYELIN_ESYNTAX, "end of text"},
    {"tru", MYELIN_ESYNTAX, "literal"},
    {"\"abc", MYELIN_ESYNTAX, "unterminated"},
};

START_TEST(test_json_cases)
{
    myelin_json *j = NULL;
    myelin_error err;
    myelin_error_clear(&err);
    const char *t = json_cases[_i].text;
    int rc = myelin_json_parse(t, strlen(t), "t.json", &j, &err);
    ck_assert_msg(rc == json_cases[_i].code, "case %d '%s': rc %d (%s)", _i, t, rc, err.message);
    if (rc) {
        ck_assert_ptr_null(j);
        ck_assert_msg(strstr(err.message, json_cases[_i].fragment), "case %d: message '%s' lacks '%s'", _i,
                      err.message, json_cases[_i].fragment);
        ck_assert_str_eq(err.file, "t.json");
    }
    myelin_json_free(j);
}
END_TEST

START_TEST(test_json_values)
{
    const char *t = "{\"a\": [1, -2.5e3, true], \"s\": \"\\u00e9\\ud83d\\ude00\"}";
    myelin_json *j = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_json_parse(t, strlen(t), "t", &j, &err), 0);
    const myelin_json *a = myelin_json_get(j, "a");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->type, MYELIN_JSON_ARRAY);
    ck_assert_uint_eq(a->count, 3);
    ck_assert(a->items[0].is_int && a->items[0].integer == 1);
    ck_assert(!a->items[1].is_int && a->items[1].number == -2500.0);
    ck_assert_int_eq(a->items[2].type, MYELIN_JSON_TRUE);
    ck_assert_uint_eq(a->offset, 6);
    const myelin_json *s = myelin_json_get(j, "s");
    ck_assert_str_eq(s->string, "\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert_ptr_null(myelin_json_get(j, "zz"));
    myelin_json_free(j);
    /* depth limit */
    char deep[200];
    memset(deep, '[', sizeof deep);
    ck_assert_int_eq(myelin_json_parse(deep, sizeof deep, "d", &j, &err), MYELIN_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(err.message, "deep"));
}
END_TEST

START_TEST(test_json_writer)
{
    myelin_json_buf b;
    myelin_error err;
    myelin_json_buf_init(&b);
    myelin_json_begin_object(&b);
    myelin_json_key(&b, "name");
    myelin_json_string(&b, "a\"b\\c\n");
    myelin_json_key(&b, "v");
    myelin_json_begin_array(&b);
    myelin_json_number(&b, 0.1);
    myelin_json_int(&b, -7);
    myelin_json_bool(&b, 1);
    myelin_json_null(&b);
    myelin_json_number(&b, NAN);
    myelin_json_begin_object(&b);
    myelin_json_end_object(&b);
    myelin_json_end_array(&b);
    myelin_json_key(&b, "z");
    myelin_json_bool(&b, 0);
    myelin_json_end_object(&b);
    ck_assert_int_eq(myelin_json_buf_status(&b, &err), 0);
    ck_assert_str_eq(b.data, "{\"name\":\"a\\\"b\\\\c\\u000a\",\"v\":[0.10000000000000001,-7,true,null,null,{}],"
                             "\"z\":false}");
    /* what the writer writes, the parser reads back */
    myelin_json *j;
    ck_assert_int_eq(myelin_json_parse(b.data, b.len, "w", &j, &err), 0);
    ck_assert_str_eq(myelin_json_get(j, "name")->string, "a\"b\\c\n");
    ck_assert(myelin_json_get(j, "v")->items[0].number == 0.1);
    myelin_json_free(j);
    myelin_json_buf_free(&b);
}
END_TEST

/* ---- round trip ---- */

START_TEST(test_round_trip_all_dtypes)
{
    unsigned char bytes[MYELIN_DT_COUNT][48];
    myelin_st_writer *w;
    myelin_error err;
    ck_assert_int_eq(myelin_st_writer_new(&w, &err), 0);
    int64_t shape[2] = {2, 3};
    for (int d = 0; d < MYELIN_DT_COUNT; d++) {
        for (int i = 0; i < 48; i++) bytes[d][i] = (unsigned char)(d * 31 + i * 7);
        if (d == MYELIN_DT_BOOL)
            for (int i = 0; i < 6; i++) bytes[d][i] = (unsigned char)(i & 1);
        char name[32];
        snprintf(name, sizeof name, "t.%s", myelin_dtype_name((myelin_dtype)d));
        ck_assert_int_eq(myelin_st_writer_add(w, name, (myelin_dtype)d, 2, shape, bytes[d], &err), 0);
    }
    int64_t s0 = 0;
    ck_assert_int_eq(myelin_st_writer_add(w, "empty", MYELIN_DT_F32, 1, &s0, NULL, &err), 0);
    ck_assert_int_eq(myelin_st_writer_add(w, "scalar", MYELIN_DT_I32, 0, NULL, bytes[0], &err), 0);
    ck_assert_int_eq(myelin_st_writer_add(w, "empty", MYELIN_DT_F32, 1, &s0, NULL, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_st_writer_metadata(w, "format", "pt", &err), 0);
    ck_assert_int_eq(myelin_st_writer_metadata(w, "q\"uote", "a\\b", &err), 0);
    char p1[1024], p2[1024];
    TEST_BUILD(p1, "st_roundtrip1.safetensors");
    TEST_BUILD(p2, "st_roundtrip2.safetensors");
    ck_assert_msg(myelin_st_writer_save(w, p1, &err) == 0, "%s", err.message);
    ck_assert_int_eq(myelin_st_writer_save(w, p2, &err), 0);
    myelin_st_writer_free(w);

    char *a, *b;
    size_t la, lb;
    ck_assert_int_eq(myelin_read_file(p1, &a, &la, &err), 0);
    ck_assert_int_eq(myelin_read_file(p2, &b, &lb, &err), 0);
    ck_assert(la == lb && memcmp(a, b, la) == 0);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = (hl << 8) | (unsigned char)a[i];
    ck_assert_uint_eq(hl % 8, 0);
    free(a);
    free(b);

    myelin_st_file *f;
    ck_assert_msg(myelin_st_open(p1, &f, &err) == 0, "%s", err.message);
    ck_assert_int_eq(myelin_st_count(f), MYELIN_DT_COUNT + 2);
    ck_assert_str_eq(myelin_st_metadata(f, "format"), "pt");
    ck_assert_str_eq(myelin_st_metadata(f, "q\"uote"), "a\\b");
    ck_assert_ptr_null(myelin_st_metadata(f, "nope"));
    for (int d = 0; d < MYELIN_DT_COUNT; d++) {
        char name[32];
        snprintf(name, sizeof name, "t.%s", myelin_dtype_name((myelin_dtype)d));
        const myelin_st_tensor *t = myelin_st_find(f, name);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->dtype, d);
        ck_assert(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3 && t->numel == 6);
        ck_assert_uint_eq(t->nbytes, 6 * myelin_dtype_size((myelin_dtype)d));
        ck_assert(memcmp(t->data, bytes[d], t->nbytes) == 0);
    }
    const myelin_st_tensor *sc = myelin_st_find(f, "scalar");
    ck_assert(sc && sc->ndim == 0 && sc->numel == 1);
    /* sorted by name */
    for (int i = 1; i < myelin_st_count(f); i++)
        ck_assert(strcmp(myelin_st_at(f, i - 1)->name, myelin_st_at(f, i)->name) < 0);
    /* integer conversion */
    int64_t iv[6];
    double dv[6];
    ck_assert_int_eq(myelin_st_to_i64(myelin_st_find(f, "t.I16"), iv, &err), 0);
    ck_assert_int_eq(myelin_st_to_f64(myelin_st_find(f, "t.I16"), dv, &err), 0);
    int16_t ref;
    memcpy(&ref, bytes[MYELIN_DT_I16] + 2, 2);
    ck_assert(iv[1] == ref && dv[1] == ref);
    ck_assert_int_eq(myelin_st_to_i64(myelin_st_find(f, "t.F32"), iv, &err), MYELIN_ESCHEMA);
    myelin_st_close(f);
}
END_TEST

/* ---- F16 / BF16 exactness ---- */

static const struct {
    myelin_dtype dt;
    unsigned bits;
    double value; /* NAN for nan */
} half_cases[] = {
    {MYELIN_DT_F16, 0x3C00, 1.0},        {MYELIN_DT_F16, 0xC000, -2.0},
    {MYELIN_DT_F16, 0x0001, 5.9604644775390625e-08}, /* smallest subnormal 2^-24 */
    {MYELIN_DT_F16, 0x03FF, 6.097555160522461e-05},  /* largest subnormal */
    {MYELIN_DT_F16, 0x0400, 6.103515625e-05},        /* smallest normal 2^-14 */
    {MYELIN_DT_F16, 0x7BFF, 65504.0},    {MYELIN_DT_F16, 0x3555, 0.333251953125},
    {MYELIN_DT_F16, 0x7C00, INFINITY},   {MYELIN_DT_F16, 0xFC00, -INFINITY},
    {MYELIN_DT_F16, 0x7E00, NAN},        {MYELIN_DT_F16, 0x8000, -0.0},
    {MYELIN_DT_BF16, 0x3F80, 1.0},       {MYELIN_DT_BF16, 0xC040, -3.0},
    {MYELIN_DT_BF16, 0x0001, 9.183549615799121e-41}, /* subnormal 2^-133 */
    {MYELIN_DT_BF16, 0x7F80, INFINITY},  {MYELIN_DT_BF16, 0x7FC0, NAN},
    {MYELIN_DT_BF16, 0x3EAB, 0.333984375},
};

START_TEST(test_half_exact)
{
    unsigned char img[128];
    const char *hdr_fmt = "{\"x\":{\"dtype\":\"%s\",\"shape\":[1],\"data_offsets\":[0,2]}}";
    char hdr[96];
    int n = snprintf(hdr, sizeof hdr, hdr_fmt, myelin_dtype_name(half_cases[_i].dt));
    for (int i = 0; i < 8; i++) img[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(img + 8, hdr, (size_t)n);
    img[8 + n] = (unsigned char)(half_cases[_i].bits & 0xFF);
    img[9 + n] = (unsigned char)(half_cases[_i].bits >> 8);
    myelin_st_file *f;
    myelin_error err;
    ck_assert_msg(myelin_st_open_memory(img, (size_t)n + 10, "h", &f, &err) == 0, "%s", err.message);
    double v;
    ck_assert_int_eq(myelin_st_to_f64(myelin_st_at(f, 0), &v, &err), 0);
    double e = half_cases[_i].value;
    if (isnan(e)) ck_assert(isnan(v));
    else ck_assert_msg(v == e && signbit(v) == signbit(e), "case %d: %.17g != %.17g", _i, v, e);
    myelin_st_close(f);
}
END_TEST

/* ---- bad files ---- */

static const struct {
    const char *header; /* NULL: raw bytes below */
    size_t data_bytes;
    long declared_len;  /* -1: the header's length */
    int code;
    const char *fragment;
} bad_cases[] = {
    {NULL, 0, 0, MYELIN_EFORMAT, "shorter than the 8-byte"},
    {"{}", 0, 100, MYELIN_EFORMAT, "exceeds the"},
    {"{}", 0, 0x7fffffffL, MYELIN_EFORMAT, "cap"},
    {"not json", 0, -1, MYELIN_ESYNTAX, "JSON"},
    {"[1, 2]", 0, -1, MYELIN_EFORMAT, "expected a JSON object"},
    {"{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, -1, MYELIN_EFORMAT, "tensor 'w': unknown dtype 'F8'"},
    {"{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, -1, MYELIN_EFORMAT, "tensor 'w': missing"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, -1, MYELIN_EFORMAT, "tensor 'w': shape"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]}}", 24, -1, MYELIN_EFORMAT,
     "tensor 'w': data_offsets [0, 40] outside the 24-byte data buffer"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, -1, MYELIN_EFORMAT, "tensor 'w': \"shape\""},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4, -1, MYELIN_EFORMAT, "tensor 'w': \"data_offsets\""},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, -1, MYELIN_EFORMAT, "end before begin"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, -1, MYELIN_EFORMAT, "tensor 'b': data_offsets [4, 12] overlap tensor 'a'"},
    {"{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", 4, -1, MYELIN_EFORMAT, "unused"},
    {"{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 4, -1, MYELIN_EFORMAT, "cover only 2"},
    {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
     "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, -1, MYELIN_ESYNTAX, "duplicate"},
    {"{\"a\":5}", 0, -1, MYELIN_EFORMAT, "tensor 'a': expected an object"},
    {"{\"__metadata__\":{\"k\":1}}", 0, -1, MYELIN_EFORMAT, "must be a string"},
    {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}} ]", 1, -1, MYELIN_ESYNTAX, "trailing"},
};

START_TEST(test_bad_files)
{
    unsigned char img[512] = {0};
    size_t len;
    if (!bad_cases[_i].header) {
        len = 5;
    } else {
        size_t n = strlen(bad_cases[_i].header);
        uint64_t decl = bad_cases[_i].declared_len < 0 ? n : (uint64_t)bad_cases[_i].declared_len;
        for (int i = 0; i < 8; i++) img[i] = (unsigned char)(decl >> (8 * i));
        memcpy(img + 8, bad_cases[_i].header, n);
        len = 8 + n + bad_cases[_i].data_bytes;
    }
    myelin_st_file *f = (myelin_st_file *)&img; /* must be reset to NULL */
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_st_open_memory(img, len, "bad.safetensors", &f, &err);
    ck_assert_msg(rc == bad_cases[_i].code, "case %d: rc %d (%s)", _i, rc, err.message);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.message, bad_cases[_i].fragment), "case %d: '%s' lacks '%s'", _i, err.message,
                  bad_cases[_i].fragment);
    ck_assert_str_eq(err.file, "bad.safetensors");
}
END_TEST

START_TEST(test_truncated_file_on_disk)
{
    /* a valid file cut short loses bytes of its data buffer */
    myelin_st_writer *w;
    myelin_error err;
    float v[4] = {1, 2, 3, 4};
    int64_t s = 4;
    ck_assert_int_eq(myelin_st_writer_new(&w, &err), 0);
    ck_assert_int_eq(myelin_st_writer_add(w, "v", MYELIN_DT_F32, 1, &s, v, &err), 0);
    char p[1024];
    TEST_BUILD(p, "st_trunc.safetensors");
    ck_assert_int_eq(myelin_st_writer_save(w, p, &err), 0);
    myelin_st_writer_free(w);
    char *img;
    size_t len;
    ck_assert_int_eq(myelin_read_file(p, &img, &len, &err), 0);
    ck_assert_int_eq(myelin_write_file_atomic(p, img, len - 3, &err), 0);
    free(img);
    myelin_st_file *f;
    ck_assert_int_eq(myelin_st_open(p, &f, &err), MYELIN_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "tensor 'v'"));
    ck_assert_ptr_nonnull(strstr(err.file, "st_trunc.safetensors"));
    TEST_BUILD(p, "st_does_not_exist.safetensors");
    ck_assert_int_eq(myelin_st_open(p, &f, &err), MYELIN_EMISSING);
}
END_TEST

Suite *make_safetensors_suite(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_json_cases, 0, (int)(sizeof json_cases / sizeof json_cases[0]));
    tcase_add_test(tc, test_json_values);
    tcase_add_test(tc, test_json_writer);
    tcase_add_test(tc, test_round_trip_all_dtypes);
    tcase_add_loop_test(tc, test_half_exact, 0, (int)(sizeof half_cases / sizeof half_cases[0]));
    tcase_add_loop_test(tc, test_bad_files, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_truncated_file_on_disk);
    suite_add_tcase(s, tc);
    return s;
}
