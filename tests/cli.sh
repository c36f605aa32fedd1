#!/bin/sh
# tests/cli.sh — end-to-end checks of the myelin command as a user runs it: help and version, exit
# codes, clear errors on bad input, determinism of written files, and the embedded default.
# Run by `make check` with MYELIN_BIN (the built binary) and MYELIN_SRCDIR (the source tree).
set -u
NAME=cli
. "$(dirname "$0")/cli_lib.sh"

# ---- the driver ----
expect 0 "myelin --help" "$M" --help
stdout_has "usage: myelin" "--help prints usage"
expect 0 "myelin --version" "$M" --version
stdout_has "myelin " "--version prints the version"
expect 64 "unknown command" "$M" frobnicate
stderr_has "unknown command 'frobnicate'" "unknown command is named"
for c in info run dataset; do
    expect 0 "myelin $c --help" "$M" $c --help
    expect 64 "myelin $c --no-such-option" "$M" $c --no-such-option
done

Z="$S/workloads/zoo"
# ---- info ----
expect 0 "info on the tiny model" "$M" info "$Z/tiny.yaml"
stdout_has "block.1.mlp.fc2" "info lists every layer"
expect 0 "info csv at 8 bits" "$M" info "$Z/tiny.yaml" --quant "$Z/quant/w8.yaml" --format csv
expect 0 "info on Spikformer-8-384" "$M" info "$Z/spikformer-8-384.yaml" --format json
stdout_has "16816024" "Spikformer-8-384 has the paper's 16.81 M parameters"
expect 65 "info on an out-of-range depth" "$M" info "$S/tests/data/bad_yaml/depth_range.yaml"
stderr_has "depth_range.yaml:2:8:" "a YAML error names file:line:column"
expect 65 "info on an unknown key" "$M" info "$S/tests/data/bad_yaml/unknown_key.yaml"
stderr_has "did you mean 'depth'" "an unknown key gets a suggestion"
expect 66 "info on a missing file" "$M" info "$T/nope.yaml"

# ---- run ----
expect 0 "run the default (embedded) model" "$M" run --limit 40 --logits "$T/a.csv" --json "$T/a.json"
stdout_has "top-1" "run reports top-1 accuracy"
expect 0 "run it again" "$M" run --limit 40 --logits "$T/b.csv" --json "$T/b.json"
if cmp -s "$T/a.csv" "$T/b.csv" && cmp -s "$T/a.json" "$T/b.json"; then ok "reruns are byte-identical"; else bad "reruns differ"; fi
[ "$(wc -l <"$T/a.csv")" -eq 41 ] && ok "logits: a header and one row per image" || bad "logits row count"
if grep -q '"name": "sps.pool2".*"firing_rate": 0\.[0-9]' "$T/a.json" &&
   grep -q '"name": "sps.add".*"firing_rate": [0-9]' "$T/a.json"; then
    ok "run --json measures pool and add rates too (cost --activity need not derive them)"
else bad "run --json lacks the measured rate of a pool or add layer"; fi
expect 0 "run quantized with drift" "$M" run --workload "$Z/tiny.yaml" --quant "$Z/quant/w8.yaml" --limit 20 --drift
# threads over images: byte-identical logits and JSON for any thread count (37 images: windows
# and threads do not divide it), float and quantized with drift
for q in float w8; do
    for k in 1 2 3; do   # (n is cli_lib.sh's test counter)
        expect 0 "run $q --drift with --threads $k" "$M" run --workload "$Z/tiny.yaml" --quant "$Z/quant/$q.yaml" \
            --limit 37 --drift --threads $k --quiet --logits "$T/t$k.csv" --json "$T/t$k.json"
    done
    if cmp -s "$T/t1.csv" "$T/t2.csv" && cmp -s "$T/t1.json" "$T/t2.json" &&
       cmp -s "$T/t1.csv" "$T/t3.csv" && cmp -s "$T/t1.json" "$T/t3.json"; then
        ok "run $q: --threads 1, 2 and 3 give byte-identical logits and JSON (with drift)"
    else bad "run $q: logits or JSON depend on --threads"; fi
done
expect 64 "run with --threads 0" "$M" run --threads 0
expect 0 "run with random weights" "$M" run --workload "$Z/tiny.yaml" --weights random:3 --limit 5 --quiet
expect 0 "export the synthetic set as IDX" "$M" dataset export "synthetic:split=test,count=30,seed=1" --images "$T/img.idx" --labels "$T/lbl.idx"
expect 0 "run on the IDX files" "$M" run --workload "$Z/tiny.yaml" --dataset "$T/img.idx:$T/lbl.idx" --logits "$T/c.csv"
if cmp -s "$T/c.csv" "$(head -31 "$T/a.csv" >"$T/a30.csv"; echo "$T/a30.csv")"; then ok "IDX export runs identically to the generator"; else bad "IDX run differs from the generator run"; fi
expect 0 "export the folded weights" "$M" run --workload "$Z/tiny.yaml" --limit 1 --export-weights "$T/w.safetensors"
head -c 100 "$T/w.safetensors" >"$T/trunc.safetensors"
expect 65 "a truncated safetensors file" "$M" run --workload "$Z/tiny.yaml" --weights "$T/trunc.safetensors" --limit 1
stderr_has "trunc.safetensors" "the error names the weights file"
head -c 1000 "$T/img.idx" >"$T/short.idx"
expect 65 "an IDX file of the wrong size" "$M" run --workload "$Z/tiny.yaml" --dataset "$T/short.idx:$T/lbl.idx"
stderr_has "short.idx" "the error names the dataset file"
expect 65 "a dataset of the wrong image shape" "$M" run --workload "$Z/tiny.yaml" --dataset "synthetic:count=2,h=32,w=32"
expect 64 "run with a bad option value" "$M" run --limit -3
printf 'default: {weight_bits: 8, membrane_bits: 4}\n' >"$T/m4.yaml"
expect 0 "run with 4-bit membranes" "$M" run --workload "$Z/tiny.yaml" --quant "$T/m4.yaml" --input-bits 6 --limit 5 --json "$T/m4.json"
if grep -q '"x_saturated": [1-9]' "$T/m4.json" && grep -q '"input_bits": 6' "$T/m4.json"; then
    ok "a too-narrow membrane reports saturation (--json), --input-bits is applied"
else bad "4-bit membranes: no saturation in --json, or --input-bits ignored"; fi
expect 64 "run with --input-bits out of range" "$M" run --input-bits 1 --limit 1
expect 66 "fashion-mnist without the package names it" env MYELIN_FASHION_MNIST_DIR=/nonexistent "$M" run --dataset fashion-mnist:split=test --limit 1

# ---- cost ----
expect 0 "cost on paper-45nm" "$M" cost --workload "$Z/tiny.yaml" --arch paper-45nm --rate 0.1
expect 0 "cost as LaTeX" "$M" cost --workload "$Z/spikformer-8-384.yaml" --arch generic-45nm --format latex
stdout_has "toprule" "LaTeX output uses booktabs"
expect 65 "cost on an architecture with an unknown key" "$M" cost --workload "$Z/tiny.yaml" --arch "$S/tests/data/bad_arch/unknown_key.yaml"

echo "1..$n"
[ "$fails" -eq 0 ]
