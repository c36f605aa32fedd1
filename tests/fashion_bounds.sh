#!/bin/sh
# tests/fashion_bounds.sh — the quantization bounds of issue 11 on the shipped Fashion-MNIST model
# (tests/check_fashion.c: w16/m16 within 0.3 points of float with >= 99 % identical predictions,
# w8/m16 within 1 point, accuracy non-increasing 16 -> 2 bits), on 300 test images.
# Listed in XFAIL_TESTS: the shipped model (78 % float, trained 0.26 epoch on a loaded machine) misses
# the w16/m16 bound (80.67 % vs 81.67 % on these 300 images; 98.8 % identical predictions on 2,000).
# When it passes, automake reports XPASS as a failure: then drop it from XFAIL_TESTS.
d=${MYELIN_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -r "$d/t10k-images-idx3-ubyte.gz" ]; then
    echo "SKIP: Fashion-MNIST is not installed (Debian's dataset-fashion-mnist; tools/deps.sh)"
    exit 77
fi
MYELIN_FASHION_BOUNDS=1 CK_RUN_SUITE=fashion exec "${MYELIN_BUILDDIR:-.}/tests/check_myelin"
