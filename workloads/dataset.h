/* workloads/dataset.h — labelled images, streamed: CIFAR-10 binary, MNIST/Fashion-MNIST IDX, and
 * the seeded synthetic generator.  Nothing is downloaded.
 *
 * A dataset is opened from a spec string:
 *   path/to/data_batch_1.bin[,path/to/data_batch_2.bin...]   CIFAR-10 binary (3x32x32, or the
 *                                                             shape given to _open_shaped; 10 classes)
 *   path/to/t10k-images-idx3-ubyte[.gz][:path/to/labels]      IDX images (+ labels; by default the
 *                                                             "-images-" → "-labels-" sibling, and
 *                                                             "-images.idx3-ubyte" spellings); gzip'd
 *                                                             files (magic 1f 8b) are inflated whole
 *                                                             through zlib; a truncated or corrupt
 *                                                             stream is an error (MYELIN_EFORMAT)
 *   fashion-mnist:split=test|train[,first=F][,count=N][,holdout=N,seed=S,part=holdout|rest]
 *                [,map=gray28|rgb32]                          Debian's dataset-fashion-mnist files
 *                                                             (/usr/share/datasets/fashion-mnist, or
 *                                                             $MYELIN_FASHION_MNIST_DIR); missing:
 *                                                             MYELIN_EMISSING naming the package.
 *                                                             holdout=N carves a seeded subset: a
 *                                                             Fisher-Yates shuffle of 0..count-1 (for
 *                                                             i = count-1 down to 1: j =
 *                                                             myelin_rng_below(i+1), swap) with
 *                                                             myelin_rng seeded (S, stream "carv");
 *                                                             its first N indices are the holdout
 *                                                             (part=holdout, the default), the others
 *                                                             the rest (part=rest); both in file order
 *                                                             and disjoint, e.g. a validation subset
 *                                                             of the training split and the images to
 *                                                             train on.  first=F,count=N: file
 *                                                             images F..F+N-1 (the zoo models'
 *                                                             validation split is split=train,
 *                                                             first=55000).  map=rgb32: each image
 *                                                             zero-padded to 32x32 then (R,G,B) =
 *                                                             (g, g, 255-g), the input of the
 *                                                             fashion-rgb32 model
 *   synthetic:split=test,count=1000,seed=1[,h=16,w=16,c=3,classes=10]   the generator
 * Images come out as uint8 HWC (y, x, c), whatever the file order.  Reading is streamed: memory is
 * bounded by one read buffer, not the dataset size. */
#ifndef MYELIN_WORKLOADS_DATASET_H
#define MYELIN_WORKLOADS_DATASET_H

#include <stdint.h>

#include "base/error.h"

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
/* Same; CIFAR-10 binary records are read as 1 label byte + c*h*w planar pixels (the workload's
 * input shape), so other record shapes work; myelin_dataset_open assumes 3x32x32. */
int myelin_dataset_open_shaped(const char *spec, int c, int h, int w, myelin_dataset **out,
                               myelin_error *err);
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
