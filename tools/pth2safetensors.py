#!/usr/bin/python3
"""tools/pth2safetensors.py — converts a public Spikformer PyTorch checkpoint into the safetensors file
Myelin loads, checking every tensor's name and shape against a workload YAML.

    /usr/bin/python3 tools/pth2safetensors.py CHECKPOINT.pth[.tar] --workload W.yaml -o OUT.safetensors

The checkpoint may be a bare state_dict or one stored under `state_dict`, `model` or `state_dict_ema`;
`module.` prefixes (DataParallel / DistributedDataParallel) are stripped.  Expected tensors follow
workloads/workload.c: the SPS stem `patch_embed.proj_conv{,1,2,3}` / `proj_bn{,1,2,3}`,
`patch_embed.rpe_conv` / `rpe_bn`, per block `block.{i}.attn.{q,k,v,proj}_{linear|conv}` and `_bn`,
`block.{i}.mlp.fc{1,2}_{linear|conv}` and `_bn`, and `head`.  1x1 weights may be 2-D, 3-D ([out,in,1])
or 4-D ([out,in,1,1]); they are written as found.  BatchNorm `num_batches_tracked` counters are dropped.
Tensors are written as F32 (F16/BF16/F64 converted), BN unfolded, so the file keeps the public names.

Reports every missing tensor, every wrong shape and every extra tensor; exits 65 (EX_DATAERR) on any
of them (--allow-extra drops extras with a note instead), 66 when a file cannot be read, 64 on usage.
By default the checkpoint is loaded with torch.load(weights_only=True); --unsafe-pickle allows
arbitrary pickled objects (e.g. an argparse Namespace under `args`): only for checkpoints you trust.
Needs Debian's python3-torch (it pulls python3-yaml)."""
import argparse, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workloads", "train"))

EX_USAGE, EX_DATAERR, EX_NOINPUT = 64, 65, 66


def expected_tensors(wl):
    """name -> (allowed shapes as a list of tuples, required) for a workload dict."""
    d, depth, ratio = wl["dim"], wl["depth"], wl.get("mlp_ratio", 4)
    conv = wl.get("naming", "conv") == "conv"
    sfx = "conv" if conv else "linear"
    c = wl["input"]["channels"]
    out = {}

    def bn(prefix, co):
        for part in ("weight", "bias", "running_mean", "running_var"):
            out[f"{prefix}.{part}"] = ([(co,)], "bn")

    def lin(prefix, ci, co, bias):
        out[prefix + ".weight"] = ([(co, ci), (co, ci, 1), (co, ci, 1, 1)], True)
        out[prefix + ".bias"] = ([(co,)], True if bias else False)

    widths = [c, d // 8, d // 4, d // 2, d]
    for i in range(4):
        sx = "" if i == 0 else str(i)
        out[f"patch_embed.proj_conv{sx}.weight"] = ([(widths[i + 1], widths[i], 3, 3)], True)
        out[f"patch_embed.proj_conv{sx}.bias"] = ([(widths[i + 1],)], False)
        bn(f"patch_embed.proj_bn{sx}", widths[i + 1])
    out["patch_embed.rpe_conv.weight"] = ([(d, d, 3, 3)], True)
    out["patch_embed.rpe_conv.bias"] = ([(d,)], False)
    bn("patch_embed.rpe_bn", d)
    for b in range(depth):
        for part in ("q", "k", "v"):
            lin(f"block.{b}.attn.{part}_{sfx}", d, d, not conv)
            bn(f"block.{b}.attn.{part}_bn", d)
        lin(f"block.{b}.attn.proj_{sfx}", d, d, True)
        bn(f"block.{b}.attn.proj_bn", d)
        lin(f"block.{b}.mlp.fc1_{sfx}", d, ratio * d, True)
        bn(f"block.{b}.mlp.fc1_bn", ratio * d)
        lin(f"block.{b}.mlp.fc2_{sfx}", ratio * d, d, True)
        bn(f"block.{b}.mlp.fc2_bn", d)
    out["head.weight"] = ([(wl["classes"], d)], True)
    out["head.bias"] = ([(wl["classes"],)], True)
    return out


def unwrap(obj, path):
    """The state_dict inside a loaded checkpoint, `module.` prefixes stripped."""
    import torch
    for key in ("state_dict", "model", "state_dict_ema"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not obj:
        print(f"{path}: error: expected a state_dict (a map of tensors), bare or under 'state_dict'/'model'",
              file=sys.stderr)
        sys.exit(EX_DATAERR)
    sd = {}
    for k, v in obj.items():
        if not isinstance(v, torch.Tensor):
            print(f"{path}: error: entry '{k}' is a {type(v).__name__}, not a tensor", file=sys.stderr)
            sys.exit(EX_DATAERR)
        while k.startswith("module."):
            k = k[len("module."):]
        sd[k] = v
    return sd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--workload", required=True, help="the workload YAML the weights are for")
    ap.add_argument("-o", "--output", required=True, help="the safetensors file to write")
    ap.add_argument("--allow-extra", action="store_true", help="drop tensors the workload does not use")
    ap.add_argument("--unsafe-pickle", action="store_true", help="torch.load without weights_only")
    try:
        a = ap.parse_args()
    except SystemExit as e:
        sys.exit(EX_USAGE if e.code else 0)
    try:
        import torch
        import yaml
    except ImportError as e:
        print(f"pth2safetensors: error: {e.name} is missing; install Debian's python3-torch", file=sys.stderr)
        sys.exit(69)  # EX_UNAVAILABLE
    from safetensors_io import write_safetensors
    try:
        with open(a.workload) as f:
            wl = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print(f"{a.workload}: error: {e}", file=sys.stderr)
        sys.exit(EX_NOINPUT)
    if not isinstance(wl, dict) or any(k not in wl for k in ("dim", "depth", "input", "classes")):
        print(f"{a.workload}: error: expected a workload map with dim, depth, input and classes "
              f"(validate it with `myelin info {a.workload}`)", file=sys.stderr)
        sys.exit(EX_DATAERR)
    try:
        try:
            obj = torch.load(a.checkpoint, map_location="cpu", weights_only=not a.unsafe_pickle)
        except TypeError:  # torch < 1.13 has no weights_only
            obj = torch.load(a.checkpoint, map_location="cpu")
    except FileNotFoundError as e:
        print(f"{a.checkpoint}: error: {e.strerror}", file=sys.stderr)
        sys.exit(EX_NOINPUT)
    except Exception as e:  # pickle and zip errors have no common base class
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        hint = "" if a.unsafe_pickle else " (if it pickles other objects and you trust it: --unsafe-pickle)"
        print(f"{a.checkpoint}: error: cannot load the checkpoint: {msg}{hint}", file=sys.stderr)
        sys.exit(EX_DATAERR)
    sd = unwrap(obj, a.checkpoint)
    want = expected_tensors(wl)
    out, problems, extra = {}, [], []
    for name, t in sd.items():
        if name.endswith(".num_batches_tracked"):
            continue
        if name not in want:
            extra.append(f"{name} {list(t.shape)}")
            continue
        shapes, _ = want[name]
        if tuple(t.shape) not in shapes:
            problems.append(f"tensor '{name}': expected shape {' or '.join(str(list(s)) for s in shapes)}, "
                            f"found {list(t.shape)}")
            continue
        if not t.is_floating_point():
            problems.append(f"tensor '{name}': expected floating point, found {t.dtype}")
            continue
        out[name] = t.detach().to(torch.float32)
    for name, (shapes, req) in want.items():
        if name in sd:
            continue
        if req is True:
            problems.append(f"tensor '{name}' {list(shapes[0])} is missing")
        elif req == "bn" and any(n.rsplit(".", 1)[0] == name.rsplit(".", 1)[0] for n in sd):
            problems.append(f"tensor '{name}' {list(shapes[0])} is missing (BatchNorm needs all four)")
    for p in problems:
        print(f"{a.checkpoint}: error: {p}", file=sys.stderr)
    for e in extra:
        print(f"{a.checkpoint}: {'note: dropped' if a.allow_extra else 'error:'} extra tensor {e} "
              f"(not in {a.workload})", file=sys.stderr)
    if problems or (extra and not a.allow_extra):
        print(f"pth2safetensors: {len(problems)} missing or mismatched, {len(extra)} extra; nothing written"
              + ("" if a.allow_extra or not extra else " (--allow-extra drops extras)"), file=sys.stderr)
        sys.exit(EX_DATAERR)
    meta = {"converted_from": os.path.basename(a.checkpoint), "workload": wl.get("name", ""),
            "converter": "tools/pth2safetensors.py"}
    write_safetensors(a.output, out, meta)
    print(f"wrote {a.output}: {len(out)} tensors for {wl.get('name', a.workload)}")


if __name__ == "__main__":
    main()
