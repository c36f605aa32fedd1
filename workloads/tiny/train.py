#!/usr/bin/python3
"""workloads/tiny/train.py — trains Myelin's tiny default Spikformer on the synthetic data and writes
workloads/zoo/tiny.safetensors (public Spikformer CIFAR state_dict names) and the golden vectors
workloads/zoo/tiny.golden.safetensors that the C engine is tested against.

    /usr/bin/python3 workloads/tiny/train.py --myelin ./myelin --out workloads/zoo

Needs Debian's python3-torch (1.13, CPU) only.  The images come from the C generator through
`myelin dataset export` (the generator in workloads/synth.c is the definition of the data).
The network is exactly the graph of workloads/workload.h: LIF = spikingjelly MultiStepLIFNode
(tau 2, decay_input, v_reset 0, hard reset); a sigmoid surrogate gradient in training only."""
import argparse, json, math, os, struct, subprocess, sys, tempfile, time

import torch
import torch.nn as nn
import torch.nn.functional as F

T = 4


class SpikeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(4.0 * x)
        return g * 4.0 * s * (1 - s)


class LIF(nn.Module):
    """Multi-step LIF over x [T, ...]; records H for goldens when `record` is a list."""

    def __init__(self, v_th=1.0):
        super().__init__()
        self.v_th = v_th
        self.record = None

    def forward(self, x):
        v = torch.zeros_like(x[0])
        out = []
        for t in range(x.shape[0]):
            h = v + (x[t] - v) / 2.0
            if self.training:
                s = SpikeFn.apply(h - self.v_th)
                v = h * (1 - s.detach())
            else:
                s = (h >= self.v_th).to(h.dtype)
                v = h * (1 - s)
            if self.record is not None:
                self.record.append(h.detach())
            out.append(s)
        return torch.stack(out)


class SPS(nn.Module):
    def __init__(self, c=3, d=64, pool=(False, False, True, True)):
        super().__init__()
        w = [d // 8, d // 4, d // 2, d]
        self.proj_conv = nn.Conv2d(c, w[0], 3, 1, 1, bias=False)
        self.proj_bn = nn.BatchNorm2d(w[0])
        self.proj_lif = LIF()
        self.proj_conv1 = nn.Conv2d(w[0], w[1], 3, 1, 1, bias=False)
        self.proj_bn1 = nn.BatchNorm2d(w[1])
        self.proj_lif1 = LIF()
        self.proj_conv2 = nn.Conv2d(w[1], w[2], 3, 1, 1, bias=False)
        self.proj_bn2 = nn.BatchNorm2d(w[2])
        self.proj_lif2 = LIF()
        self.proj_conv3 = nn.Conv2d(w[2], w[3], 3, 1, 1, bias=False)
        self.proj_bn3 = nn.BatchNorm2d(w[3])
        self.proj_lif3 = LIF()
        self.rpe_conv = nn.Conv2d(d, d, 3, 1, 1, bias=False)
        self.rpe_bn = nn.BatchNorm2d(d)
        self.rpe_lif = LIF()
        self.pool = list(pool)

    def stage(self, x, conv, bn, lif, pool):
        tb = x.shape[0] * x.shape[1]
        y = bn(conv(x.flatten(0, 1)))
        y = lif(y.reshape(x.shape[0], x.shape[1], *y.shape[1:]))
        if pool:
            z = F.max_pool2d(y.flatten(0, 1), 3, 2, 1)
            y = z.reshape(x.shape[0], x.shape[1], *z.shape[1:])
        return y

    def forward(self, x):  # x [T, B, C, H, W]
        x = self.stage(x, self.proj_conv, self.proj_bn, self.proj_lif, self.pool[0])
        x = self.stage(x, self.proj_conv1, self.proj_bn1, self.proj_lif1, self.pool[1])
        x = self.stage(x, self.proj_conv2, self.proj_bn2, self.proj_lif2, self.pool[2])
        x = self.stage(x, self.proj_conv3, self.proj_bn3, self.proj_lif3, self.pool[3])
        feat = x
        x = self.stage(x, self.rpe_conv, self.rpe_bn, self.rpe_lif, False)
        x = x + feat
        return x.flatten(3).transpose(2, 3)  # [T, B, N, D], token n = y*W + x


class LinBN(nn.Module):
    """Linear -> BatchNorm1d over channels -> LIF, on [T, B, N, C]."""

    def __init__(self, cin, cout):
        super().__init__()
        self.lin = nn.Linear(cin, cout)
        self.bn = nn.BatchNorm1d(cout)
        self.lif = LIF()

    def forward(self, x):
        t, b, n, _ = x.shape
        y = self.lin(x.reshape(t * b * n, -1))
        y = self.bn(y).reshape(t, b, n, -1)
        return self.lif(y)


class SSA(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q = LinBN(d, d)
        self.k = LinBN(d, d)
        self.v = LinBN(d, d)
        self.attn_lif = LIF(0.5)
        self.proj = LinBN(d, d)

    def forward(self, x):
        t, b, n, d = x.shape
        dh = d // self.heads
        q, k, v = self.q(x), self.k(x), self.v(x)
        q = q.reshape(t, b, n, self.heads, dh).transpose(2, 3)
        k = k.reshape(t, b, n, self.heads, dh).transpose(2, 3)
        v = v.reshape(t, b, n, self.heads, dh).transpose(2, 3)
        a = q @ (k.transpose(-2, -1) @ v) * 0.125
        a = a.transpose(2, 3).reshape(t, b, n, d)
        return self.proj(self.attn_lif(a))


class MLP(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = LinBN(d, hidden)
        self.fc2 = LinBN(hidden, d)

    def forward(self, x):
        return self.fc2(self.fc1(x))


class Block(nn.Module):
    def __init__(self, d, heads, ratio):
        super().__init__()
        self.attn = SSA(d, heads)
        self.mlp = MLP(d, d * ratio)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


class Spikformer(nn.Module):
    def __init__(self, depth=2, d=64, heads=4, ratio=4, classes=10, c=3, pool=(False, False, True, True)):
        super().__init__()
        self.patch_embed = SPS(c, d, pool)
        self.block = nn.ModuleList([Block(d, heads, ratio) for _ in range(depth)])
        self.head = nn.Linear(d, classes)

    def forward(self, img):  # img [B, C, H, W] in [0, 1]
        x = img.unsqueeze(0).repeat(T, 1, 1, 1, 1)
        x = self.patch_embed(x)
        for blk in self.block:
            x = blk(x)
        return self.head(x.mean(2).mean(0))

    def lif_layers(self):
        """(myelin layer name, LIF module, v_th) in graph order."""
        p = self.patch_embed
        out = [("sps.conv0", p.proj_lif), ("sps.conv1", p.proj_lif1), ("sps.conv2", p.proj_lif2),
               ("sps.conv3", p.proj_lif3), ("sps.rpe", p.rpe_lif)]
        for i, b in enumerate(self.block):
            out += [(f"block.{i}.attn.q", b.attn.q.lif), (f"block.{i}.attn.k", b.attn.k.lif),
                    (f"block.{i}.attn.v", b.attn.v.lif), (f"block.{i}.attn.attn", b.attn.attn_lif),
                    (f"block.{i}.attn.proj", b.attn.proj.lif), (f"block.{i}.mlp.fc1", b.mlp.fc1.lif),
                    (f"block.{i}.mlp.fc2", b.mlp.fc2.lif)]
        return out


def spikformer_state_dict(model):
    """Our module names -> the public Spikformer CIFAR names."""
    return {rename(k): v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def rename(k):
    """One of our module names -> its public Spikformer CIFAR name."""
    for part in ("q", "k", "v", "proj"):
        k = k.replace(f".attn.{part}.lin.", f".attn.{part}_linear.").replace(f".attn.{part}.bn.", f".attn.{part}_bn.")
    for part in ("fc1", "fc2"):
        k = k.replace(f".mlp.{part}.lin.", f".mlp.{part}_linear.").replace(f".mlp.{part}.bn.", f".mlp.{part}_bn.")
    return k


def load_spikformer(path, model):
    """Loads a Spikformer-named safetensors file (F32) written by this script into `model`."""
    import numpy as np
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    ours = {v: k for k, v in zip(model.state_dict().keys(), spikformer_state_dict_names(model))}
    sd = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        arr = np.frombuffer(data[base + b:base + en], dtype="<f4").reshape(e["shape"])
        sd[ours[name]] = torch.from_numpy(arr.copy())
    model.load_state_dict(sd, strict=False)
    return sd


def spikformer_state_dict_names(model):
    return [rename(k) for k in model.state_dict().keys()]


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    nd = magic & 0xFF
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    t = torch.frombuffer(bytearray(data[4 + 4 * nd:]), dtype=torch.uint8)
    return t.reshape(*dims)


DT = {torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.int64: ("I64", 8), torch.uint8: ("U8", 1)}


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, off = [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous().cpu()
        dt, size = DT[t.dtype]
        b = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def export_set(myelin, spec, folder, tag):
    img, lbl = os.path.join(folder, tag + "-images.idx"), os.path.join(folder, tag + "-labels.idx")
    subprocess.run([myelin, "dataset", "export", spec, "--images", img, "--labels", lbl], check=True)
    x = read_idx(img).permute(0, 3, 1, 2).float() / 255.0  # NHWC -> NCHW
    return x, read_idx(lbl).long(), read_idx(img)


def accuracy(model, x, y, bs=250):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            correct += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", default="./myelin", help="the built myelin binary")
    ap.add_argument("--out", default="workloads/zoo", help="where tiny.safetensors and the goldens go")
    ap.add_argument("--train-count", type=int, default=8000)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--minutes", type=float, default=6.0, help="stop training after this wall time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--golden", type=int, default=8)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    train_spec = f"synthetic:split=train,count={a.train_count},seed=7"
    test_spec = "synthetic:split=test,count=1000,seed=1"
    with tempfile.TemporaryDirectory() as tmp:
        xtr, ytr, _ = export_set(a.myelin, train_spec, tmp, "train")
        xte, yte, raw_te = export_set(a.myelin, test_spec, tmp, "test")
    model = Spikformer()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    steps = a.epochs * math.ceil(len(xtr) / 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = accuracy(model, xte, yte)
        print(f"epoch {ep + 1}/{a.epochs}: loss {loss.item():.3f}, test accuracy {100 * acc:.2f} %, "
              f"{time.time() - t0:.0f} s", flush=True)
        if time.time() - t0 > a.minutes * 60:
            print("time budget reached", flush=True)
            break
    model.eval()
    acc32 = accuracy(model, xte, yte)
    m64 = Spikformer().double()
    m64.load_state_dict(model.state_dict())
    acc64 = accuracy(m64.eval(), xte.double(), yte)
    print(f"float test accuracy: float32 {100 * acc32:.2f} %, float64 {100 * acc64:.2f} % ({test_spec})")
    meta = {"seed": a.seed, "train": train_spec, "test": test_spec, "torch_version": torch.__version__,
            "float_test_accuracy_pct": f"{100 * acc64:.2f}", "trainer": "workloads/tiny/train.py"}
    sd = {k: v.float() for k, v in spikformer_state_dict(model).items()}
    write_safetensors(os.path.join(a.out, "tiny.safetensors"), sd, meta)
    # goldens: float64 eval of the first G test images, per-layer spikes and threshold margins
    g = a.golden
    layers = m64.lif_layers()
    for _, lif, _ in [(n, l, 0) for n, l in layers]:
        lif.record = []
    with torch.no_grad():
        logits64 = m64(xte[:g].double())
        logits32 = model(xte[:g])
    gold = {"images": raw_te[:g].clone(), "labels": yte[:g].clone(), "logits": logits64, "logits_f32": logits32}
    for name, lif in layers:
        hs = torch.stack(lif.record)  # [T, B, ...]
        hs = hs.reshape(T, g, -1)
        gold["spikes." + name] = (hs >= lif.v_th).sum(2).transpose(0, 1).long()
        gold["margin." + name] = (hs - lif.v_th).abs().min(2).values.transpose(0, 1).double()
        lif.record = None
    write_safetensors(os.path.join(a.out, "tiny.golden.safetensors"), gold, meta)
    print(f"wrote {a.out}/tiny.safetensors and {a.out}/tiny.golden.safetensors")


if __name__ == "__main__":
    main()
