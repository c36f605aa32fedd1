/* fuzz/fuzz_dataset.c — the dataset openers and readers (IDX images + labels, CIFAR-10 binary, and
 * whatever myelin_dataset_open recognises by content, e.g. gzip-compressed IDX).  Input layout:
 * byte 0 picks the format (0 IDX, 1 CIFAR, 2 IDX with .gz names), bytes 1-2 (big-endian) the
 * length of the images file; the rest is the labels file. */
#include "fuzz/fuzz_common.h"
#include "workloads/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int mode = data[0] % 3;
    size_t ilen = (size_t)data[1] << 8 | data[2];
    data += 3;
    size -= 3;
    if (ilen > size)
        ilen = size;
    char ipath[512], lpath[512], spec[1100];
    if (mode == 1) {
        fuzz_scratch("data_batch.bin", data, size, ipath, sizeof ipath);
        snprintf(spec, sizeof spec, "%s", ipath);
        lpath[0] = '\0';
    } else {
        fuzz_scratch(mode == 2 ? "images-idx3-ubyte.gz" : "images-idx3-ubyte", data, ilen, ipath,
                     sizeof ipath);
        fuzz_scratch(mode == 2 ? "labels-idx1-ubyte.gz" : "labels-idx1-ubyte", data + ilen,
                     size - ilen, lpath, sizeof lpath);
        snprintf(spec, sizeof spec, "%s:%s", ipath, lpath);
    }
    myelin_dataset *ds = NULL;
    myelin_error err;
    if (myelin_dataset_open(spec, &ds, &err) == 0) {
        myelin_dataset_info info;
        myelin_dataset_info_get(ds, &info);
        size_t px = (size_t)info.c * info.h * info.w;
        uint8_t *pixels = px && px < (1u << 24) ? malloc(px) : NULL;
        int label;
        for (int i = 0; pixels && i < 4; i++)
            if (myelin_dataset_next(ds, pixels, &label, &err) != 1)
                break;
        if (pixels && info.count > 1 && myelin_dataset_seek(ds, info.count - 1, &err) == 0)
            (void)myelin_dataset_next(ds, pixels, &label, &err);
        free(pixels);
        myelin_dataset_close(ds);
    }
    unlink(ipath);
    if (lpath[0])
        unlink(lpath);
    return 0;
}
