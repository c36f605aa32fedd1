#!/usr/bin/python3
"""workloads/train/train.py — trains a small Spikformer workload of Myelin's and writes its weights
(F32 safetensors, public Spikformer CIFAR state_dict names, BN unfolded) and golden vectors that the
C engine is tested against (tests/check_golden.c).

    /usr/bin/python3 workloads/train/train.py --workload workloads/zoo/fashion.yaml --data fashion-mnist

The architecture comes from the workload YAML (depth, dim, heads, mlp_ratio, timesteps, input,
classes, stem_pool; naming must be `linear`, the CIFAR code's); the weights go to the YAML's
`weights:` file and the goldens next to it as <stem>.golden.safetensors.  With --write-rates the
YAML's trailing `firing_rates:` section is replaced by the rates measured on the validation split.

Data (--data):
  fashion-mnist        Debian's dataset-fashion-mnist (gzip'd IDX in /usr/share/datasets/fashion-mnist,
                       or --data-dir): 1x28x28.  Training set = the first 55,000 images of the 60k
                       training file, validation = its last 5,000 (images 55000..59999, fixed, so any
                       reader can reproduce it), test = the 10k t10k file, untouched until the end.
  fashion-mnist-rgb32  the same images mapped to 3x32x32: the 28x28 image is zero-padded by 2 px on
                       every side (g = 0 in the border), then channels (R, G, B) = (g, g, 255 - g).
  synthetic            the C generator through `myelin dataset export` (--myelin): train
                       synthetic:split=train,count=N,seed=7, test synthetic:split=test,count=1000,seed=1
                       (no separate validation split: the tiny model's recipe).
Pixels enter the network as p/255 (no normalisation: the workloads declare none).

The network is exactly the graph of workloads/workload.h: LIF = spikingjelly MultiStepLIFNode
(tau 2, decay_input, v_reset 0, hard reset); a sigmoid surrogate gradient in training only.
Needs Debian's python3-torch (1.13, CPU; it pulls python3-numpy and python3-yaml) only."""
import argparse, gzip, json, math, os, re, struct, subprocess, sys, tempfile, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


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
    """Multi-step LIF over x [T, ...]; records H for goldens when `record` is a list and counts
    spikes when `count` is a list [spikes, neurons*steps]."""

    def __init__(self, v_th=1.0):
        super().__init__()
        self.v_th = v_th
        self.record = None
        self.count = None

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
        y = torch.stack(out)
        if self.count is not None:
            self.count[0] += y.sum().item()
            self.count[1] += y.numel()
        return y


class SPS(nn.Module):
    def __init__(self, c, d, pool):
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
        self.pool_count = None  # [stage] -> [spikes, elements] of the pooled outputs, when counting

    def stage(self, x, conv, bn, lif, pool, i=None):
        y = bn(conv(x.flatten(0, 1)))
        y = lif(y.reshape(x.shape[0], x.shape[1], *y.shape[1:]))
        if pool:
            z = F.max_pool2d(y.flatten(0, 1), 3, 2, 1)
            y = z.reshape(x.shape[0], x.shape[1], *z.shape[1:])
            if self.pool_count is not None and i is not None:
                self.pool_count[i][0] += y.sum().item()
                self.pool_count[i][1] += y.numel()
        return y

    def forward(self, x):  # x [T, B, C, H, W]
        x = self.stage(x, self.proj_conv, self.proj_bn, self.proj_lif, self.pool[0], 0)
        x = self.stage(x, self.proj_conv1, self.proj_bn1, self.proj_lif1, self.pool[1], 1)
        x = self.stage(x, self.proj_conv2, self.proj_bn2, self.proj_lif2, self.pool[2], 2)
        x = self.stage(x, self.proj_conv3, self.proj_bn3, self.proj_lif3, self.pool[3], 3)
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
    def __init__(self, depth=2, d=64, heads=4, ratio=4, classes=10, c=3, pool=(False, False, True, True),
                 timesteps=4):
        super().__init__()
        self.timesteps = timesteps
        self.patch_embed = SPS(c, d, pool)
        self.block = nn.ModuleList([Block(d, heads, ratio) for _ in range(depth)])
        self.head = nn.Linear(d, classes)

    def forward(self, img):  # img [B, C, H, W] in [0, 1]
        x = img.unsqueeze(0).repeat(self.timesteps, 1, 1, 1, 1)
        x = self.patch_embed(x)
        for blk in self.block:
            x = blk(x)
        return self.head(x.mean(2).mean(0))

    def lif_layers(self):
        """(myelin layer name, LIF module) in graph order."""
        p = self.patch_embed
        out = [("sps.conv0", p.proj_lif), ("sps.conv1", p.proj_lif1), ("sps.conv2", p.proj_lif2),
               ("sps.conv3", p.proj_lif3), ("sps.rpe", p.rpe_lif)]
        for i, b in enumerate(self.block):
            out += [(f"block.{i}.attn.q", b.attn.q.lif), (f"block.{i}.attn.k", b.attn.k.lif),
                    (f"block.{i}.attn.v", b.attn.v.lif), (f"block.{i}.attn.attn", b.attn.attn_lif),
                    (f"block.{i}.attn.proj", b.attn.proj.lif), (f"block.{i}.mlp.fc1", b.mlp.fc1.lif),
                    (f"block.{i}.mlp.fc2", b.mlp.fc2.lif)]
        return out


def model_from_workload(wl):
    return Spikformer(depth=wl["depth"], d=wl["dim"], heads=wl["heads"], ratio=wl.get("mlp_ratio", 4),
                      classes=wl["classes"], c=wl["input"]["channels"], pool=wl["stem_pool"],
                      timesteps=wl["timesteps"])


def load_workload(path):
    """The workload YAML, checked for what this trainer supports (the C loader checks the rest)."""
    with open(path) as f:
        wl = yaml.safe_load(f)
    if not isinstance(wl, dict):
        sys.exit(f"{path}: error: expected a workload map")
    for key in ("name", "depth", "dim", "heads", "timesteps", "input", "classes", "weights"):
        if key not in wl:
            sys.exit(f"{path}: error: the trainer needs '{key}'")
    wl.setdefault("stem_pool", [True, True, True, True])
    if wl.get("naming", "conv") != "linear":
        sys.exit(f"{path}: error: the trainer writes the CIFAR naming; set 'naming: linear'")
    if "normalize" in wl:
        sys.exit(f"{path}: error: the trainer feeds p/255; remove 'normalize'")
    if wl["dim"] % 8 or wl["dim"] % wl["heads"]:
        sys.exit(f"{path}: error: dim must be divisible by 8 and by heads")
    return wl


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
    """Loads a Spikformer-named safetensors file written by this script into `model`."""
    ours = {rename(k): k for k in model.state_dict().keys()}
    sd = {ours[name]: torch.from_numpy(a) for name, a in read_safetensors(path).items()}
    model.load_state_dict(sd, strict=False)
    return sd


def parse_idx(data, path):
    """IDX bytes -> uint8 numpy array of its dims."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: error: not an unsigned-byte IDX file")
    nd = data[3]
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd)
    if body.size != int(np.prod(dims)):
        sys.exit(f"{path}: error: IDX body holds {body.size} bytes, dims {dims} need {int(np.prod(dims))}")
    return body.reshape(dims)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return parse_idx(f.read(), path)


def write_idx(path, arr):
    """uint8 numpy array -> IDX file (ubyte, its dims)."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape))
        f.write(np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


FASHION_DIR = "/usr/share/datasets/fashion-mnist"
VAL_COUNT = 5000


def rgb32(img):
    """N x 28 x 28 gray -> N x 32 x 32 x 3: zero pad 2 px, channels (g, g, 255 - g)."""
    g = np.pad(img, ((0, 0), (2, 2), (2, 2)))
    return np.stack([g, g, 255 - g], axis=3)


def load_fashion(data_dir, rgb):
    """(train, val, test) as dicts of uint8 NHWC images and int64 labels."""
    files = {}
    for split, stem in (("train", "train"), ("test", "t10k")):
        ip = os.path.join(data_dir, f"{stem}-images-idx3-ubyte.gz")
        lp = os.path.join(data_dir, f"{stem}-labels-idx1-ubyte.gz")
        for p in (ip, lp):
            if not os.path.exists(p):
                sys.exit(f"{p}: error: Fashion-MNIST not found; install Debian's dataset-fashion-mnist "
                         f"(sh tools/deps.sh) or pass --data-dir")
        x, y = read_idx(ip), read_idx(lp).astype(np.int64)
        x = rgb32(x) if rgb else x[..., None]
        files[split] = (x, y)
    xtr, ytr = files["train"]
    n = len(xtr) - VAL_COUNT
    return ({"x": xtr[:n], "y": ytr[:n]}, {"x": xtr[n:], "y": ytr[n:]},
            {"x": files["test"][0], "y": files["test"][1]})


def export_synthetic(myelin, spec, folder, tag):
    img, lbl = os.path.join(folder, tag + "-images.idx"), os.path.join(folder, tag + "-labels.idx")
    subprocess.run([myelin, "dataset", "export", spec, "--images", img, "--labels", lbl], check=True)
    return {"x": read_idx(img), "y": read_idx(lbl).astype(np.int64)}


def to_float(x_u8, dtype=torch.float32):
    """uint8 NHWC -> NCHW in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(x_u8)).permute(0, 3, 1, 2).to(dtype) / 255.0


def predict(model, x_u8, dtype=torch.float32, bs=250):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x_u8), bs):
            out.append(model(to_float(x_u8[i:i + bs], dtype)).argmax(1))
    return torch.cat(out)


def accuracy(model, split, dtype=torch.float32):
    return (predict(model, split["x"], dtype) == torch.from_numpy(split["y"])).float().mean().item()


def firing_rates(model, x_u8, bs=250):
    """Measured spikes per neuron per timestep of every LIF layer on x_u8, and of every stem max
    pool's output (`sps.pool{i}`, right after its conv): a trained network's spikes are spatially
    correlated, so its pools fire far less than the independent draws Myelin's statistical
    activity model would derive from the conv's rate alone (models/cost.h)."""
    layers = model.lif_layers()
    sps = model.patch_embed
    for _, lif in layers:
        lif.count = [0.0, 0]
    sps.pool_count = [[0.0, 0] for _ in range(4)]
    predict(model, x_u8, bs=bs)
    rates = {}
    for name, lif in layers:
        rates[name] = lif.count[0] / max(lif.count[1], 1)
        if name.startswith("sps.conv") and sps.pool[int(name[-1])]:
            c = sps.pool_count[int(name[-1])]
            rates[f"sps.pool{name[-1]}"] = c[0] / max(c[1], 1)
    for _, lif in layers:
        lif.count = None
    sps.pool_count = None
    return rates


def write_rates(path, rates, source):
    """Replaces the YAML's trailing `firing_rates:` section (to the end of the file) by `rates`."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"^(# [^\n]*\n)*firing_rates:", text, re.M)
    if not m:
        sys.exit(f"{path}: error: --write-rates needs a trailing 'firing_rates:' section")
    lif = [r for name, r in rates.items() if ".pool" not in name]  # the default: LIF layers only
    mean = sum(lif) / len(lif)
    lines = [f"# Statistical-mode firing rates (spikes per neuron per timestep), measured by",
             f"# workloads/train/train.py on {source} with these weights; default = their mean.",
             "firing_rates:", f"  default: {mean:.4f}"]
    lines += [f'  "{name}": {r:.4f}' for name, r in rates.items()]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text[:m.start()] + "\n".join(lines) + "\n")
    os.replace(tmp, path)


def goldens(model32, model64, images_u8, labels):
    """Float64 logits, per-layer per-step spike counts and threshold margins of `images_u8`."""
    g = len(images_u8)
    T = model64.timesteps
    layers = model64.lif_layers()
    for _, lif in layers:
        lif.record = []
    model64.eval()
    model32.eval()
    with torch.no_grad():
        logits64 = model64(to_float(images_u8, torch.float64))
        logits32 = model32(to_float(images_u8))
    gold = {"images": torch.from_numpy(np.ascontiguousarray(images_u8)), "labels": torch.from_numpy(labels),
            "logits": logits64, "logits_f32": logits32}
    for name, lif in layers:
        hs = torch.stack(lif.record).reshape(T, g, -1)  # [T, B, neurons]
        gold["spikes." + name] = (hs >= lif.v_th).sum(2).transpose(0, 1).long()
        gold["margin." + name] = (hs - lif.v_th).abs().min(2).values.transpose(0, 1).double()
        lif.record = None
    return gold


def augment(x, flip, shift):
    """Random horizontal flips and integer shifts of up to `shift` px (zero fill) of a float batch."""
    if flip:
        m = torch.rand(x.shape[0]) < 0.5
        x = torch.where(m[:, None, None, None], x.flip(3), x)
    if shift:
        h, w = x.shape[2], x.shape[3]
        p = F.pad(x, (shift, shift, shift, shift))
        dy, dx = np.random.randint(0, 2 * shift + 1, 2)
        x = p[:, :, dy:dy + h, dx:dx + w]
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", default="workloads/zoo/tiny.yaml", help="the workload YAML to train")
    ap.add_argument("--data", default="synthetic", choices=["fashion-mnist", "fashion-mnist-rgb32", "synthetic"])
    ap.add_argument("--data-dir", default=FASHION_DIR, help="folder of the four Fashion-MNIST .gz files")
    ap.add_argument("--myelin", default="./myelin", help="the built myelin binary (synthetic data only)")
    ap.add_argument("--train-count", type=int, default=8000, help="synthetic training images")
    ap.add_argument("--epochs", type=float, default=12, help="passes over the training set (fractions allowed)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (Adam, one-cycle cosine)")
    ap.add_argument("--warmup", type=float, default=0.15, help="fraction of the steps spent warming up")
    ap.add_argument("--wd", type=float, default=0.0, help="weight decay (AdamW)")
    ap.add_argument("--flip", action="store_true", help="augment with random horizontal flips")
    ap.add_argument("--shift", type=int, default=0, help="augment with random shifts of up to N px")
    ap.add_argument("--save", help="save the model's state_dict (torch format) here every 50 steps")
    ap.add_argument("--init", help="start from a state_dict saved by --save (--epochs 0: evaluate it)")
    ap.add_argument("--minutes", type=float, default=0, help="stop after the epoch that passes this wall time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--f64", action="store_true", help="also measure float64 test accuracy (slow)")
    ap.add_argument("--golden", type=int, default=8, help="test images in the golden file (0: none)")
    ap.add_argument("--write-rates", action="store_true", help="rewrite the YAML's firing_rates section")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    wl = load_workload(a.workload)
    c, h, w = wl["input"]["channels"], wl["input"]["height"], wl["input"]["width"]
    if a.data == "synthetic":
        train_spec = f"synthetic:split=train,count={a.train_count},seed=7,h={h},w={w},c={c},classes={wl['classes']}"
        test_spec = f"synthetic:split=test,count=1000,seed=1,h={h},w={w},c={c},classes={wl['classes']}"
        with tempfile.TemporaryDirectory() as tmp:
            train = export_synthetic(a.myelin, train_spec, tmp, "train")
            test = export_synthetic(a.myelin, test_spec, tmp, "test")
        val = None
        data_desc = {"train": train_spec, "test": test_spec}
    else:
        train, val, test = load_fashion(a.data_dir, a.data == "fashion-mnist-rgb32")
        n = len(train["x"])
        data_desc = {"train": f"{a.data} train file images 0..{n - 1}",
                     "validation": f"{a.data} train file images {n}..{n + VAL_COUNT - 1}",
                     "test": f"{a.data} t10k file (10,000 images)"}
    if train["x"].shape[1:] != (h, w, c):
        sys.exit(f"{a.workload}: error: input {c}x{h}x{w} does not match the data's "
                 f"{train['x'].shape[3]}x{train['x'].shape[1]}x{train['x'].shape[2]}")
    print(f"{wl['name']}: depth {wl['depth']}, dim {wl['dim']}, heads {wl['heads']}, T {wl['timesteps']}; "
          f"{len(train['x'])} training images; {data_desc}", flush=True)
    model = model_from_workload(wl)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}", flush=True)
    if a.wd > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    per_epoch = math.ceil(len(train["x"]) / a.batch)
    steps = round(a.epochs * per_epoch)
    if a.init:
        model.load_state_dict(torch.load(a.init))
        print(f"started from {a.init}", flush=True)
    sched = (torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=a.warmup)
             if steps else None)
    xtr = to_float(train["x"])
    ytr = torch.from_numpy(train["y"])
    watch, watch_name = (val, "validation") if val is not None else (test, "test")
    t0 = time.time()
    tl, nb, step = 0.0, 0, 0
    while step < steps:
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), a.batch):
            idx = perm[i:i + a.batch]
            xb = augment(xtr[idx], a.flip, a.shift)
            loss = F.cross_entropy(model(xb), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tl, nb, step = tl + loss.item(), nb + 1, step + 1
            if step % 50 == 0:
                print(f"step {step}/{steps}: mean loss {tl / nb:.3f}, {time.time() - t0:.0f} s", flush=True)
                tl, nb = 0.0, 0
                if a.save:
                    torch.save(model.state_dict(), a.save + ".tmp")
                    os.replace(a.save + ".tmp", a.save)
            if step == steps or step % per_epoch == 0:
                break
        if step == steps:
            break
        acc = accuracy(model, watch)
        print(f"epoch {step / per_epoch:.2f}: {watch_name} accuracy {100 * acc:.2f} %, "
              f"{time.time() - t0:.0f} s", flush=True)
        if a.minutes and time.time() - t0 > a.minutes * 60:
            print("time budget reached", flush=True)
            break
    train_s = time.time() - t0
    model.eval()
    m64 = model_from_workload(wl).double()
    m64.load_state_dict(model.state_dict())
    m64.eval()
    acc = {}
    if val is not None:
        acc["validation"] = accuracy(model, val)
    acc["test_f32"] = accuracy(model, test)
    if a.f64:
        acc["test_f64"] = accuracy(m64, test, torch.float64)
    print("float accuracy: " + ", ".join(f"{k} {100 * v:.2f} %" for k, v in acc.items()) +
          f"; training {train_s / 60:.1f} min", flush=True)
    folder = os.path.dirname(os.path.abspath(a.workload))
    weights = os.path.join(folder, wl["weights"])
    stem = os.path.splitext(weights)[0]
    meta = {"seed": a.seed, **data_desc, "torch_version": torch.__version__,
            "trainer": "workloads/train/train.py " + " ".join(sys.argv[1:]),
            "training_minutes": f"{train_s / 60:.1f}"}
    meta.update({f"float_{k}_accuracy_pct": f"{100 * v:.2f}" for k, v in acc.items()})
    sd = {k: v.float() for k, v in spikformer_state_dict(model).items()}
    write_safetensors(weights, sd, meta)
    print(f"wrote {weights}", flush=True)
    if a.golden > 0:
        gold = goldens(model, m64, test["x"][:a.golden], test["y"][:a.golden])
        write_safetensors(stem + ".golden.safetensors", gold, meta)
        print(f"wrote {stem}.golden.safetensors", flush=True)
    if a.write_rates:
        src = val if val is not None else test
        rates = firing_rates(model, src["x"][:1000])
        write_rates(a.workload, rates, "the first 1,000 validation images" if val is not None
                    else "the first 1,000 test images")
        print(f"rewrote the firing rates of {a.workload}", flush=True)


if __name__ == "__main__":
    main()
