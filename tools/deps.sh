#!/bin/sh
# tools/deps.sh — installs, on Debian 12, whatever Myelin's build and tests need and is missing.
# Runs as root (or with sudo available).  Only Debian's own packages are used.
# Usage: sh tools/deps.sh [--with-torch]   (--with-torch adds python3-torch for retraining/benchmarks)
set -e
pkgs="build-essential autoconf automake libtool pkg-config libyaml-dev libgsl-dev check libsystemc-dev gnuplot-nox zlib1g-dev dataset-fashion-mnist libopenmpi-dev openmpi-bin"
[ "${1:-}" = "--with-torch" ] && pkgs="$pkgs python3-torch python3-numpy"
# clang + its runtime for `make fuzz` and the fuzz smoke run of `make check` (skipped without them)
pkgs="$pkgs clang libclang-rt-14-dev"
# the benchmark's fair PyTorch: OpenBLAS (its libblas.so.3 alternative outranks the reference
# BLAS, priority 100 vs 10) and the workload YAML reader of bench/torch_bench.py
[ "${1:-}" = "--with-torch" ] && pkgs="$pkgs libopenblas0-pthread python3-yaml"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "tools/deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
