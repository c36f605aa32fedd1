/* tests/check_dataset.c — the dataset suite: the synthetic generator's determinism and balance,
 * IDX write/read round trips, CIFAR-10 planar→HWC conversion and multi-file lists, seek/rewind,
 * and every bad input with its error code and message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

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

/* Gzips src into dst (zlib, as gzip(1) would). */
static void gzip_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    ck_assert_ptr_nonnull(in);
    gzFile out = gzopen(dst, "wb");
    ck_assert_ptr_nonnull(out);
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_int_eq(gzwrite(out, buf, (unsigned)n), (int)n);
    fclose(in);
    ck_assert_int_eq(gzclose(out), Z_OK);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n + 1);
    ck_assert_uint_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* A synthetic set written as IDX and gzip'd into dir/<prefix>-{images-idx3,labels-idx1}-ubyte.gz;
 * the plain files stay beside them. */
static void write_gz_idx(const char *dir, const char *prefix, int count)
{
    char img[1024], lbl[1024], gi[1100], gl[1100], spec[64];
    snprintf(img, sizeof img, "%s/%s-images-idx3-ubyte", dir, prefix);
    snprintf(lbl, sizeof lbl, "%s/%s-labels-idx1-ubyte", dir, prefix);
    snprintf(spec, sizeof spec, "synthetic:count=%d,seed=4,h=6,w=5,c=1", count);
    myelin_dataset *src;
    open_ok(spec, &src);
    myelin_error err;
    ck_assert_int_eq(myelin_dataset_write_idx(src, img, lbl, 0, &err), 0);
    myelin_dataset_close(src);
    snprintf(gi, sizeof gi, "%s.gz", img);
    snprintf(gl, sizeof gl, "%s.gz", lbl);
    gzip_file(img, gi);
    gzip_file(lbl, gl);
}

/* gzip'd IDX reads exactly as the plain file; truncated or corrupt streams are clear errors. */
START_TEST(test_idx_gzip)
{
    char dir[1024], plain[1100], gz[1100], bad[1100];
    TEST_BUILD(dir, "tests");
    write_gz_idx(dir, "ds.tmp.gz", 30);
    snprintf(plain, sizeof plain, "%s/ds.tmp.gz-images-idx3-ubyte", dir);
    snprintf(gz, sizeof gz, "%s/ds.tmp.gz-images-idx3-ubyte.gz", dir);
    myelin_dataset *a, *b;
    open_ok(plain, &a);
    open_ok(gz, &b); /* labels found by the sibling rule, .gz kept */
    myelin_error err;
    uint8_t pa[30], pb[30];
    int la, lb;
    for (int i = 0; i < 30; i++) {
        ck_assert_int_eq(myelin_dataset_next(a, pa, &la, &err), 1);
        ck_assert_int_eq(myelin_dataset_next(b, pb, &lb, &err), 1);
        ck_assert_int_eq(la, lb);
        ck_assert_mem_eq(pa, pb, sizeof pa);
    }
    ck_assert_int_eq(myelin_dataset_next(b, pb, &lb, &err), 0);
    ck_assert_int_eq(myelin_dataset_seek(b, 7, &err), 0);
    ck_assert_int_eq(myelin_dataset_seek(a, 7, &err), 0);
    myelin_dataset_next(a, pa, &la, &err);
    myelin_dataset_next(b, pb, &lb, &err);
    ck_assert_mem_eq(pa, pb, sizeof pa);
    myelin_dataset_close(a);
    myelin_dataset_close(b);
    /* truncated: the first 60 % of the compressed bytes */
    size_t n;
    uint8_t *bytes = slurp(gz, &n);
    snprintf(bad, sizeof bad, "%s/ds.tmp.bad-images-idx3-ubyte.gz", dir);
    char spec[2300], lbls[1100];
    snprintf(lbls, sizeof lbls, "%s/ds.tmp.gz-labels-idx1-ubyte.gz", dir);
    snprintf(spec, sizeof spec, "%s:%s", bad, lbls);
    write_bytes(bad, bytes, n * 6 / 10);
    myelin_dataset *ds = NULL;
    ck_assert_int_eq(myelin_dataset_open(spec, &ds, &err), MYELIN_EFORMAT);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(err.message, "truncated") != NULL, "%s", err.message);
    ck_assert_str_eq(err.file, bad);
    /* corrupt: a byte of the deflate stream flipped (CRC or stream error) */
    bytes[n / 2] ^= 0x5a;
    write_bytes(bad, bytes, n);
    ck_assert_int_eq(myelin_dataset_open(spec, &ds, &err), MYELIN_EFORMAT);
    ck_assert_msg(strstr(err.message, "corrupt") != NULL, "%s", err.message);
    /* whole but holding fewer bytes than its IDX header describes */
    bytes[n / 2] ^= 0x5a;
    free(bytes);
    char cut[1100];
    snprintf(cut, sizeof cut, "%s/ds.tmp.cut-images-idx3-ubyte", dir);
    bytes = slurp(plain, &n);
    write_bytes(cut, bytes, n - 5);
    free(bytes);
    char cutgz[1200];
    snprintf(cutgz, sizeof cutgz, "%s.gz", cut);
    gzip_file(cut, cutgz);
    snprintf(spec, sizeof spec, "%s:%s", cutgz, lbls);
    ck_assert_int_eq(myelin_dataset_open(spec, &ds, &err), MYELIN_EFORMAT);
    ck_assert_msg(strstr(err.message, "header describes") != NULL, "%s", err.message);
}
END_TEST

/* fashion-mnist: finds the files (here a stand-in folder), names the package when absent, and
 * carves a seeded holdout disjoint from the rest. */
START_TEST(test_fashion_spec_and_holdout)
{
    char dir[1024];
    TEST_BUILD(dir, "tests/ds.tmp.fashion");
    mkdir(dir, 0777);
    write_gz_idx(dir, "train", 50);
    write_gz_idx(dir, "t10k", 20);
    myelin_error err;
    myelin_dataset *ds = NULL;
    setenv("MYELIN_FASHION_MNIST_DIR", "/nonexistent/myelin-test", 1);
    ck_assert_int_eq(myelin_dataset_open("fashion-mnist:split=test", &ds, &err), MYELIN_EMISSING);
    ck_assert_msg(strstr(err.message, "dataset-fashion-mnist") != NULL, "%s", err.message);
    ck_assert_ptr_eq(strchr(err.message, '\n'), NULL); /* one line */
    setenv("MYELIN_FASHION_MNIST_DIR", dir, 1);
    ck_assert_int_eq(myelin_dataset_open("fashion-mnist:split=valid", &ds, &err), MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_dataset_open("fashion-mnist:split=train,holdout=50", &ds, &err),
                     MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_dataset_open("fashion-mnist:split=train,part=rest", &ds, &err),
                     MYELIN_EUSAGE);
    ck_assert_int_eq(myelin_dataset_open("fashion-mnist:split=train,colour=1", &ds, &err),
                     MYELIN_EUSAGE);
    open_ok("fashion-mnist:split=test", &ds);
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    ck_assert_int_eq(in.count, 20);
    myelin_dataset_close(ds);
    /* holdout + rest = the split, disjoint; the same seed gives the same holdout */
    myelin_dataset *all, *ho, *rest, *ho2, *ho3;
    open_ok("fashion-mnist:split=train", &all);
    open_ok("fashion-mnist:split=train,holdout=12,seed=7", &ho);
    open_ok("fashion-mnist:split=train,holdout=12,seed=7,part=rest", &rest);
    open_ok("fashion-mnist:split=train,holdout=12,seed=7,part=holdout", &ho2);
    open_ok("fashion-mnist:split=train,holdout=12,seed=8", &ho3);
    myelin_dataset_info_get(ho, &in);
    ck_assert_int_eq(in.count, 12);
    myelin_dataset_info_get(rest, &in);
    ck_assert_int_eq(in.count, 38);
    uint8_t px[50][30], p[30], p2[30];
    int lab[50], l, l2, used[50] = {0};
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(myelin_dataset_next(all, px[i], &lab[i], &err), 1);
    int same_as_other_seed = 1;
    for (int pass = 0; pass < 2; pass++) {
        myelin_dataset *d = pass ? rest : ho;
        int last = -1;
        while (myelin_dataset_next(d, p, &l, &err) == 1) {
            int found = -1; /* synthetic images are distinct; find the source index */
            for (int i = 0; i < 50 && found < 0; i++)
                if (!used[i] && memcmp(px[i], p, 30) == 0 && lab[i] == l)
                    found = i;
            ck_assert_int_ge(found, 0);
            ck_assert_int_gt(found, last); /* file order */
            last = found;
            used[found] = 1;
            if (!pass) {
                ck_assert_int_eq(myelin_dataset_next(ho2, p2, &l2, &err), 1);
                ck_assert_mem_eq(p, p2, 30);
                ck_assert_int_eq(myelin_dataset_next(ho3, p2, &l2, &err), 1);
                same_as_other_seed &= memcmp(p, p2, 30) == 0;
            }
        }
    }
    for (int i = 0; i < 50; i++)
        ck_assert_msg(used[i], "image %d is in neither part", i);
    ck_assert_msg(!same_as_other_seed, "seeds 7 and 8 carved the same holdout");
    /* seek inside a carve */
    ck_assert_int_eq(myelin_dataset_seek(ho, 3, &err), 0);
    myelin_dataset_rewind(ho2, &err);
    for (int i = 0; i <= 3; i++)
        myelin_dataset_next(ho2, p2, &l2, &err);
    myelin_dataset_next(ho, p, &l, &err);
    ck_assert_mem_eq(p, p2, 30);
    myelin_dataset_close(all);
    myelin_dataset_close(ho);
    myelin_dataset_close(rest);
    myelin_dataset_close(ho2);
    myelin_dataset_close(ho3);
    unsetenv("MYELIN_FASHION_MNIST_DIR");
}
END_TEST

/* CIFAR binary records of the workload's shape (1x4x4 here); a wrong size names the record. */
START_TEST(test_cifar_shaped)
{
    char path[1024];
    TEST_BUILD(path, "tests/ds.tmp.c144.bin");
    uint8_t rec[3 * 17];
    for (int r = 0; r < 3; r++) {
        rec[r * 17] = (uint8_t)(r + 2);
        for (int i = 0; i < 16; i++)
            rec[r * 17 + 1 + i] = (uint8_t)(16 * r + i);
    }
    write_bytes(path, rec, sizeof rec);
    myelin_error err;
    myelin_dataset *ds = NULL;
    ck_assert_int_eq(myelin_dataset_open_shaped(path, 1, 4, 4, &ds, &err), 0);
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    ck_assert_int_eq(in.count, 3);
    uint8_t p[16];
    int l;
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(myelin_dataset_next(ds, p, &l, &err), 1);
        ck_assert_int_eq(l, r + 2);
        ck_assert_int_eq(p[5], 16 * r + 5);
    }
    myelin_dataset_close(ds);
    ck_assert_int_eq(myelin_dataset_open_shaped(path, 3, 4, 4, &ds, &err), MYELIN_EFORMAT);
    ck_assert_msg(strstr(err.message, "49-byte") && strstr(err.message, "IDX"), "%s", err.message);
}
END_TEST

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
    tcase_add_test(tc, test_idx_gzip);
    tcase_add_test(tc, test_fashion_spec_and_holdout);
    tcase_add_test(tc, test_cifar_shaped);
    tcase_add_loop_test(tc, test_bad_inputs, 0, (int)(sizeof bad / sizeof bad[0]));
    suite_add_tcase(s, tc);
    return s;
}
