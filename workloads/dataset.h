/* workloads/dataset.h — labelled images, streamed: CIFAR-10 binary, MNIST/Fashion-MNIST IDX, and
 * the seeded synthetic generator.  Nothing is downloaded.
 *
 * A dataset is opened from a spec string:
 *   path/to/data_batch_1.bin[,path/to/data_batch_2.bin...]   CIFAR-10 binary (3x32x32, 10 classes)
 *   path/to/t10k-images-idx3-ubyte[:path/to/labels]           IDX images (+ labels; by default the
 *                                                             "-images-" → "-labels-" sibling, and
 *                                                             "-images.idx3-ubyte" spellings)
 *   synthetic:split=test,count=1000,seed=1[,h=16,w=16,c=3,classes=10]   the generator
 * Images come out as uint8 HWC (y, x, c), whatever the file order.  Reading is streamed: memory is
 * bounded by one read buffer, not the dataset size. */
#ifndef MYELIN_WORKLOADS_DATASET_H
#define MYELIN_WORKLOADS_DATASET_H

#include <stdint.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_dataset myelin_dataset; /* opaque reader */

typedef struct myelin_dataset_info {
    int64_t count;      /* number of images */
    int c, h, w;        /* image channels, height, width */
    int classes;
    char description[256];
} myelin_dataset_info;

int myelin_dataset_open(const char *spec, myelin_dataset **out, myelin_error *err);
void myelin_dataset_info_get(const myelin_dataset *ds, myelin_dataset_info *info);

/* Reads the next image into pixels (h*w*c bytes, HWC) and its label.  Returns 1 when an image
 * was read, 0 at the end, negative on error. */
int myelin_dataset_next(myelin_dataset *ds, uint8_t *pixels, int *label, myelin_error *err);

/* Rewinds to the first image. */
int myelin_dataset_rewind(myelin_dataset *ds, myelin_error *err);

/* Skips to image `index` (0-based); streaming formats seek, the generator regenerates. */
int myelin_dataset_seek(myelin_dataset *ds, int64_t index, myelin_error *err);

void myelin_dataset_close(myelin_dataset *ds);

/* The generator, one image: deterministic in (seed, split, index). Used by the reader above and
 * by tests.  split is 0 = train, 1 = test. */
typedef struct myelin_synth_config {
    uint64_t seed;
    int split;
    int64_t count;
    int c, h, w, classes;
} myelin_synth_config;
void myelin_synth_image(const myelin_synth_config *cfg, int64_t index, uint8_t *pixels, int *label);

/* Writes a dataset (any spec) as IDX files: images as a 4-D ubyte tensor N×H×W×C (magic
 * 0x00000804), labels N (0x00000801). Atomic (temp + rename). */
int myelin_dataset_write_idx(myelin_dataset *ds, const char *images_path, const char *labels_path,
                             int64_t limit, myelin_error *err);

#ifdef __cplusplus
}
#endif
#endif
