#!/bin/sh
# tests/pth2safetensors.sh — tools/pth2safetensors.py end to end: PyTorch writes a small Spikformer
# checkpoint in the public layout (`module.` prefixes, under `state_dict`, BN counters, CIFAR names),
# the tool converts it against the tiny workload, and `myelin run` runs the result; a checkpoint with
# a tensor missing, a wrong shape or an extra tensor is refused with a message naming it.
# Skipped (exit 77) when python3-torch is absent.  Run by `make check` (MYELIN_BIN, MYELIN_SRCDIR).
set -u
NAME=pth2st
. "$(dirname "$0")/cli_lib.sh"
PY=${PYTHON3:-/usr/bin/python3}
if ! "$PY" -c "import torch, yaml" 2>/dev/null; then
    echo "SKIP: $PY cannot import torch (install Debian's python3-torch to test tools/pth2safetensors.py)"
    exit 77
fi
W="$S/workloads/zoo/tiny.yaml"
TOOL="$S/tools/pth2safetensors.py"

# The checkpoint: the tiny architecture from the trainer's model, seeded, with BN statistics moved
# away from their defaults so that folding them matters; saved as PyTorch's training loops do.
cat >"$T/make.py" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1] + "/workloads/train")
import torch, train
torch.manual_seed(3)
wl = train.load_workload(sys.argv[1] + "/workloads/zoo/tiny.yaml")
m = train.model_from_workload(wl)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.uniform_(0.0, 1.2)
sd = {"module." + train.rename(k): v for k, v in m.state_dict().items()}
out = sys.argv[2]
torch.save({"epoch": 3, "state_dict": sd}, out + "/good.pth.tar")
bad = dict(sd); del bad["module.block.1.mlp.fc2_linear.weight"]
torch.save(bad, out + "/missing.pth")
bad = dict(sd); bad["module.head.weight"] = torch.zeros(10, 32)
torch.save({"model": bad}, out + "/shape.pth")
bad = dict(sd); bad["module.block.0.attn.extra"] = torch.zeros(4)
torch.save(bad, out + "/extra.pth")
torch.save(m.state_dict(), out + "/ours.pt")
PYEOF
# PyTorch's float64 logits of the checkpoint's own model on the exported images, against the
# engine's logits CSV (index,label,logit_0..): the conversion kept every value and name.
cat >"$T/compare.py" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1] + "/workloads/train")
import torch, train
wl = train.load_workload(sys.argv[1] + "/workloads/zoo/tiny.yaml")
m = train.model_from_workload(wl).double()
m.load_state_dict(torch.load(sys.argv[2] + "/ours.pt"))
m.eval()
x = train.read_idx(sys.argv[2] + "/img.idx")
with torch.no_grad():
    ref = m(train.to_float(x, torch.float64))
rows = [l.split(",") for l in open(sys.argv[2] + "/logits.csv") if l[0].isdigit()]
got = torch.tensor([[float(v) for v in r[2:]] for r in rows], dtype=torch.float64)
assert got.shape == ref.shape, (got.shape, ref.shape)
err = ((got - ref).abs().max() / ref.abs().max()).item()
spread = ref.std(0).max().item()  # 0 when no spike reaches the head: a vacuous comparison
print(f"max relative logit error {err:.3g} over {len(rows)} images; logit spread across images {spread:.3g}")
sys.exit(0 if err < 1e-4 and spread > 1e-3 else 1)
PYEOF
expect 0 "torch writes the public-layout checkpoints" "$PY" "$T/make.py" "$S" "$T"
expect 0 "convert a .pth.tar with module. prefixes under state_dict" \
    "$PY" "$TOOL" "$T/good.pth.tar" --workload "$W" -o "$T/good.safetensors"
stdout_has "wrote $T/good.safetensors" "the converter reports what it wrote"
expect 0 "myelin run on the converted weights" \
    "$M" run --workload "$W" --weights "$T/good.safetensors" --limit 20 --quiet
stdout_has "top-1" "myelin run prints its accuracy line"
expect 0 "myelin dataset export of 6 test images" "$M" dataset export \
    "synthetic:split=test,count=6,seed=1,h=16,w=16,c=3" --images "$T/img.idx" --labels "$T/lbl.idx"
expect 0 "myelin run --logits on them" "$M" run --workload "$W" --weights "$T/good.safetensors" \
    --dataset "$T/img.idx:$T/lbl.idx" --logits "$T/logits.csv" --quiet
expect 0 "the engine's logits match PyTorch's on the original checkpoint" "$PY" "$T/compare.py" "$S" "$T"
sed "s/^/# /" "$T/out"
expect 0 "myelin run --export-weights on the converted weights" \
    "$M" run --workload "$W" --weights "$T/good.safetensors" --limit 1 --quiet --export-weights "$T/folded.safetensors"
expect 65 "a missing tensor is refused" "$PY" "$TOOL" "$T/missing.pth" --workload "$W" -o "$T/m.safetensors"
stderr_has "block.1.mlp.fc2_linear.weight' [64, 256] is missing" "the missing tensor is named with its shape"
[ ! -e "$T/m.safetensors" ] && ok "nothing is written on error" || bad "a file was written on error"
expect 65 "a wrong shape is refused" "$PY" "$TOOL" "$T/shape.pth" --workload "$W" -o "$T/s.safetensors"
stderr_has "tensor 'head.weight': expected shape [10, 64], found [10, 32]" "the wrong shape is named"
expect 65 "an extra tensor is refused" "$PY" "$TOOL" "$T/extra.pth" --workload "$W" -o "$T/e.safetensors"
stderr_has "extra tensor block.0.attn.extra [4]" "the extra tensor is named"
expect 0 "--allow-extra drops it" "$PY" "$TOOL" "$T/extra.pth" --workload "$W" -o "$T/e.safetensors" --allow-extra
stderr_has "note: dropped extra tensor block.0.attn.extra" "the dropped tensor is listed"
expect 66 "a missing checkpoint file" "$PY" "$TOOL" "$T/nope.pth" --workload "$W" -o "$T/n.safetensors"
printf 'not a checkpoint' >"$T/junk.pth"
expect 65 "a corrupt checkpoint file" "$PY" "$TOOL" "$T/junk.pth" --workload "$W" -o "$T/n.safetensors"
stderr_has "cannot load the checkpoint" "the corrupt file gets a clear error"

echo "1..$n"
[ "$fails" -eq 0 ]
