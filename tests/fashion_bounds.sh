#!/bin/sh
# tests/fashion_bounds.sh — the quantization bounds of issue 11 on the two shipped Fashion-MNIST
# models (tests/check_fashion.c: w16/m16 >= 99 % identical predictions and within 0.3 points of float,
# w8/m16 within 1 point, accuracy non-increasing 16 -> 2 bits), on the first 2,000 test images.
d=${MYELIN_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -r "$d/t10k-images-idx3-ubyte.gz" ]; then
    echo "SKIP: Fashion-MNIST is not installed (Debian's dataset-fashion-mnist; tools/deps.sh)"
    exit 77
fi
MYELIN_FASHION_BOUNDS=1 CK_RUN_SUITE=fashion exec "${MYELIN_BUILDDIR:-.}/tests/check_myelin"
