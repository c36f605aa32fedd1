#!/bin/sh
# fuzz/build.sh — builds the libFuzzer harnesses (clang -fsanitize=fuzzer,address,undefined) and
# their seed corpora from the project's own files.  Called by `make fuzz`:
#   FUZZ_SOURCES='<library sources>' FUZZ_CFLAGS=... FUZZ_LIBS=... sh fuzz/build.sh SRCDIR OUTDIR
# Objects are rebuilt only when a source or any header of the tree is newer.  Exit 77 (and a
# message) when clang cannot build fuzzers here.
set -eu
src=$1
out=$2
CLANG=${FUZZ_CC:-clang}
TARGETS="workload arch qsetting safetensors dataset activity journal"
FLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
 -fno-omit-frame-pointer -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
 -DMYELIN_VERSION=\"fuzz\" -DMYELIN_SRCDIR_DEFAULT=\"$src\" -DMYELIN_FUZZ_SRCDIR=\"$src\" -I$src"

mkdir -p "$out/obj"
probe="$out/obj/probe"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' >"$probe.c"
if ! command -v "$CLANG" >/dev/null 2>&1 ||
   ! "$CLANG" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >/dev/null 2>&1; then
    echo "fuzz: $CLANG cannot build libFuzzer targets here (Debian: apt-get install clang libclang-rt-14-dev); skipped"
    exit 77
fi

newest_h=$(ls -t $(find "$src" -name '*.h' -not -path '*/.git/*' -not -path "$out/*") | head -n 1)
objs=""
for s in ${FUZZ_SOURCES}; do
    case "$s" in *.c) ;; *) continue ;; esac
    o="$out/obj/$(echo "$s" | tr '/' '_' | sed 's/\.c$/.o/')"
    if [ ! -f "$o" ] || [ "$src/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        echo "  FUZZCC   $s"
        $CLANG $FLAGS ${FUZZ_CFLAGS:-} -c "$src/$s" -o "$o"
    fi
    objs="$objs $o"
done
for t in $TARGETS; do
    b="$out/fuzz_$t"
    if [ ! -f "$b" ] || [ "$src/fuzz/fuzz_$t.c" -nt "$b" ] || [ -n "$(find "$out/obj" -name '*.o' -newer "$b")" ]; then
        echo "  FUZZLD   fuzz_$t"
        $CLANG $FLAGS -fsanitize=fuzzer "$src/fuzz/fuzz_$t.c" $objs ${FUZZ_LIBS:-} -lm -o "$b"
    fi
done

# ---- seed corpora: the project's own inputs (good and bad), so fuzzing starts from real syntax ----
seed() { # seed TARGET FILE...
    d="$out/seeds/$1"
    mkdir -p "$d"
    shift
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$d/$(echo "$f" | tr '/' '_')"; done
    return 0
}
rm -rf "$out/seeds"
seed workload "$src"/workloads/zoo/*.yaml $(grep -l '^layers:' "$src"/tests/data/*/*.yaml 2>/dev/null || true)
seed arch "$src"/arch/presets/*.yaml "$src"/tests/data/bad_arch/*.yaml
seed qsetting "$src"/workloads/zoo/quant/*.yaml $(ls "$src"/tests/data/bad_quant/* 2>/dev/null || true)
seed safetensors "$src"/workloads/zoo/tiny.golden.safetensors "$src"/workloads/zoo/tiny.safetensors \
    $(ls "$src"/tests/data/bad_safetensors/* 2>/dev/null || true)
seed activity "$src"/results/tiny_activity.json $(ls "$src"/tests/data/bad_activity/* 2>/dev/null || true)
seed journal $(ls "$src"/tests/data/bad_journal/* 2>/dev/null || true)
# a journal of the harness's argument hash, with records of each value form
mkdir -p "$out/seeds/journal" "$out/seeds/dataset"
printf '{"journal":"myelin-search","version":1,"args":"0123456789abcdef"}\n{"kind":"full","key":"u8.f","v":[1,2.5,null,"inf"]}\n{"kind":"drift","key":"u4","v":[0.1]}\n{"kind":"test","key":"u4"' \
    >"$out/seeds/journal/valid_torn"
# datasets in the harness layout (mode byte, images length, images, labels): IDX 2 images 2x2
# and a one-record CIFAR file
printf '\000\000\040\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002\001\002\003\004\005\006\007\010\000\000\010\001\000\000\000\002\003\007' \
    >"$out/seeds/dataset/idx_2x2"
{ printf '\001\000\000\011'; head -c 3072 "$src/workloads/zoo/tiny.golden.safetensors"; } >"$out/seeds/dataset/cifar_1"
echo "fuzz: built $(echo $TARGETS | wc -w) harnesses in $out (seeds in $out/seeds)"
