/* tests/check_dataset.c — the dataset suite: the synthetic generator's determinism and balance,
 * IDX write/read round trips, CIFAR-10 planar→HWC conversion and multi-file lists, seek/rewind,
 * and every bad input with its error code and message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/suites.h"
#include "workloads/dataset.h"

static int open_ok(const char *spec, myelin_dataset **ds)
{
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_dataset_open(spec, ds, &err);
    ck_assert_msg(rc == 0, "open %s: %s", spec, err.message);
    return rc;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

START_TEST(test_synthetic_deterministic)
{
    myelin_dataset *a, *b;
    open_ok("synthetic:split=test,count=50,seed=3", &a);
    open_ok("synthetic:count=50,seed=3", &b); /* split defaults to test */
    myelin_dataset_info in;
    myelin_dataset_info_get(a, &in);
    ck_assert_int_eq(in.count, 50);
    ck_assert_int_eq(in.c, 3);
    ck_assert_int_eq(in.h, 16);
    ck_assert_int_eq(in.classes, 10);
    uint8_t pa[768], pb[768];
    int la, lb, hist[10] = {0};
    for (int i = 0; i < 50; i++) {
        myelin_error err;
        ck_assert_int_eq(myelin_dataset_next(a, pa, &la, &err), 1);
        ck_assert_int_eq(myelin_dataset_next(b, pb, &lb, &err), 1);
        ck_assert_int_eq(la, lb);
        ck_assert_mem_eq(pa, pb, sizeof pa);
        ck_assert(la >= 0 && la < 10);
        hist[la]++;
    }
    myelin_error err;
    ck_assert_int_eq(myelin_dataset_next(a, pa, &la, &err), 0);
    int classes_seen = 0;
    for (int k = 0; k < 10; k++)
        classes_seen += hist[k] > 0;
    ck_assert_int_ge(classes_seen, 8);
    /* seek regenerates the same image; another split or seed gives another image */
    ck_assert_int_eq(myelin_dataset_seek(a, 7, &err), 0);
    ck_assert_int_eq(myelin_dataset_next(a, pa, &la, &err), 1);
    ck_assert_int_eq(myelin_dataset_rewind(b, &err), 0);
    for (int i = 0; i <= 7; i++)
        myelin_dataset_next(b, pb, &lb, &err);
    ck_assert_mem_eq(pa, pb, sizeof pa);
    myelin_dataset_close(a);
    myelin_dataset_close(b);
    open_ok("synthetic:split=train,count=50,seed=3", &a);
    open_ok("synthetic:count=50,seed=4", &b);
    uint8_t pc[768];
    myelin_dataset_next(a, pa, &la, &err);
    myelin_dataset_next(b, pb, &lb, &err);
    myelin_synth_config cfg = {3, 1, 50, 3, 16, 16, 10};
    myelin_synth_image(&cfg, 0, pc, &la);
    ck_assert(memcmp(pa, pc, sizeof pa) != 0);
    ck_assert(memcmp(pb, pc, sizeof pb) != 0);
    myelin_dataset_close(a);
    myelin_dataset_close(b);
}
END_TEST

START_TEST(test_synthetic_shapes)
{
    myelin_dataset *ds;
    open_ok("synthetic:count=3,h=224,w=224,c=3,classes=1000", &ds);
    uint8_t *px = malloc(224 * 224 * 3);
    int label;
    myelin_error err;
    ck_assert_int_eq(myelin_dataset_next(ds, px, &label, &err), 1);
    ck_assert(label >= 0 && label < 1000);
    free(px);
    myelin_dataset_close(ds);
    open_ok("synthetic:count=2,h=28,w=28,c=1,classes=2", &ds);
    myelin_dataset_close(ds);
}
END_TEST

START_TEST(test_idx_round_trip)
{
    char img[1024], lbl[1024];
    TEST_BUILD(img, "tests/ds.tmp.images.idx");
    TEST_BUILD(lbl, "tests/ds.tmp.labels.idx");
    myelin_dataset *src, *back;
    open_ok("synthetic:count=20,seed=9", &src);
    myelin_error err;
    ck_assert_int_eq(myelin_dataset_write_idx(src, img, lbl, 12, &err), 0);
    char spec[2100];
    snprintf(spec, sizeof spec, "%s:%s", img, lbl);
    open_ok(spec, &back);
    myelin_dataset_info in;
    myelin_dataset_info_get(back, &in);
    ck_assert_int_eq(in.count, 12);
    ck_assert_int_eq(in.c * in.h * in.w, 768);
    myelin_dataset_rewind(src, &err);
    uint8_t a[768], b[768];
    int la, lb;
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(myelin_dataset_next(src, a, &la, &err), 1);
        ck_assert_int_eq(myelin_dataset_next(back, b, &lb, &err), 1);
        ck_assert_int_eq(la, lb);
        ck_assert_mem_eq(a, b, sizeof a);
    }
    ck_assert_int_eq(myelin_dataset_next(back, b, &lb, &err), 0);
    ck_assert_int_eq(myelin_dataset_seek(back, 5, &err), 0);
    myelin_dataset_next(back, b, &lb, &err);
    myelin_dataset_seek(src, 5, &err);
    myelin_dataset_next(src, a, &la, &err);
    ck_assert_mem_eq(a, b, sizeof a);
    myelin_dataset_close(src);
    myelin_dataset_close(back);
    /* the sibling rule finds "labels" from "images" */
    open_ok(img, &back);
    myelin_dataset_close(back);
}
END_TEST

/* Two CIFAR-10 files of 2 and 1 records with known pixels: planar CHW must come out HWC. */
START_TEST(test_cifar_hwc)
{
    char f1[1024], f2[1024];
    TEST_BUILD(f1, "tests/ds.tmp.c1.bin");
    TEST_BUILD(f2, "tests/ds.tmp.c2.bin");
    uint8_t rec[3 * 3073];
    for (int r = 0; r < 3; r++) {
        rec[r * 3073] = (uint8_t)(r + 4);
        for (int i = 0; i < 3072; i++)
            rec[r * 3073 + 1 + i] = (uint8_t)(i / 1024 * 50 + r + (i % 1024) % 7);
    }
    write_bytes(f1, rec, 2 * 3073);
    write_bytes(f2, rec + 2 * 3073, 3073);
    char spec[2100];
    snprintf(spec, sizeof spec, "%s,%s", f1, f2);
    myelin_dataset *ds;
    open_ok(spec, &ds);
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    ck_assert_int_eq(in.count, 3);
    uint8_t px[3072];
    int label;
    myelin_error err;
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(myelin_dataset_next(ds, px, &label, &err), 1);
        ck_assert_int_eq(label, r + 4);
        for (int i = 0; i < 1024; i++)
            for (int c = 0; c < 3; c++)
                ck_assert_int_eq(px[i * 3 + c], c * 50 + r + i % 7);
    }
    ck_assert_int_eq(myelin_dataset_next(ds, px, &label, &err), 0);
    ck_assert_int_eq(myelin_dataset_seek(ds, 2, &err), 0); /* lands in the second file */
    ck_assert_int_eq(myelin_dataset_next(ds, px, &label, &err), 1);
    ck_assert_int_eq(label, 6);
    myelin_dataset_close(ds);
}
END_TEST

/* Bad inputs: each with its code and a message fragment. */
static const struct {
    const char *what;
    const uint8_t *bytes; /* file content written to <name>, or NULL for a spec-only case */
    size_t len;
    const char *spec; /* %s = the written file */
    int code;
    const char *frag;
} bad[] = {
    {"CIFAR of the wrong size", (const uint8_t *)"\1\2\3", 3, "%s.bin", MYELIN_EFORMAT,
     "not a whole number of 3073-byte CIFAR-10 records"},
    {"IDX with a bad magic", (const uint8_t *)"\0\0\x09\3\0\0\0\1\0\0\0\1\0\0\0\1\0", 17, "%s:%s", MYELIN_EFORMAT,
     "not an unsigned-byte IDX file"},
    {"IDX shorter than its header says", (const uint8_t *)"\0\0\x08\3\0\0\0\2\0\0\0\2\0\0\0\2\0", 17, "%s:%s",
     MYELIN_EFORMAT, "IDX file is 17 bytes; its header describes 24 bytes"},
    {"missing file", NULL, 0, "/nonexistent/dir/x.bin", MYELIN_EMISSING, "cannot open dataset file"},
    {"synthetic unknown key", NULL, 0, "synthetic:count=3,colour=2", MYELIN_EUSAGE, "unknown key 'colour'"},
    {"synthetic bad value", NULL, 0, "synthetic:count=zero", MYELIN_EUSAGE, "count must be an integer"},
    {"synthetic out of range", NULL, 0, "synthetic:classes=1", MYELIN_EUSAGE, "between 2 and 1000 (got 1)"},
    {"synthetic bad split", NULL, 0, "synthetic:split=val", MYELIN_EUSAGE, "split must be train or test"},
    {"empty spec", NULL, 0, "", MYELIN_EUSAGE, "empty dataset spec"},
};

START_TEST(test_bad_inputs)
{
    char path[1024], spec[3000];
    TEST_BUILD(path, "tests/ds.tmp.bad");
    if (bad[_i].bytes)
        write_bytes(path, bad[_i].bytes, bad[_i].len);
    if (strstr(bad[_i].spec, "%s.bin")) {
        char p2[1100];
        snprintf(p2, sizeof p2, "%s.bin", path);
        rename(path, p2);
        snprintf(spec, sizeof spec, "%s", p2);
    } else if (strstr(bad[_i].spec, "%s:%s")) {
        snprintf(spec, sizeof spec, "%s:%s", path, path);
    } else {
        snprintf(spec, sizeof spec, "%s", bad[_i].spec);
    }
    myelin_dataset *ds = (myelin_dataset *)1;
    myelin_error err;
    myelin_error_clear(&err);
    int rc = myelin_dataset_open(spec, &ds, &err);
    ck_assert_msg(rc == bad[_i].code, "%s: code %d, expected %d (%s)", bad[_i].what, rc, bad[_i].code, err.message);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(err.message, bad[_i].frag), "%s: message '%s' lacks '%s'", bad[_i].what, err.message,
                  bad[_i].frag);
}
END_TEST

/* Labels and images that disagree on N. */
START_TEST(test_idx_count_mismatch)
{
    char img[1024], lbl[1024], spec[2100];
    TEST_BUILD(img, "tests/ds.tmp.mm-images.idx");
    TEST_BUILD(lbl, "tests/ds.tmp.mm-labels.idx");
    myelin_dataset *src;
    open_ok("synthetic:count=4", &src);
    myelin_error err;
    ck_assert_int_eq(myelin_dataset_write_idx(src, img, lbl, 0, &err), 0);
    myelin_dataset_close(src);
    uint8_t three[] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3};
    write_bytes(lbl, three, sizeof three);
    snprintf(spec, sizeof spec, "%s:%s", img, lbl);
    myelin_dataset *ds;
    ck_assert_int_eq(myelin_dataset_open(spec, &ds, &err), MYELIN_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "3 labels for 4 images"));
}
END_TEST

Suite *make_dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("readers");
    tcase_add_test(tc, test_synthetic_deterministic);
    tcase_add_test(tc, test_synthetic_shapes);
    tcase_add_test(tc, test_idx_round_trip);
    tcase_add_test(tc, test_cifar_hwc);
    tcase_add_test(tc, test_idx_count_mismatch);
    tcase_add_loop_test(tc, test_bad_inputs, 0, (int)(sizeof bad / sizeof bad[0]));
    suite_add_tcase(s, tc);
    return s;
}
