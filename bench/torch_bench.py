#!/usr/bin/python3
"""bench/torch_bench.py — `make bench`: Myelin's functional engine against a fair PyTorch, measured in
one run on the same machine, same images and same graph.  (bench/engine.sh runs it.)

The PyTorch side is made as fast as PyTorch goes here:
  - BLAS: OpenBLAS (Debian's libopenblas0-pthread; its libblas.so.3 alternative outranks the netlib
    reference BLAS).  The script prints the BLAS library actually mapped into the process, OpenBLAS's
    kernel (openblas_get_corename) and thread count, and refuses the reference BLAS.  Convolutions run
    in oneDNN (mkldnn), linears in BLAS.  Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
    (bench/engine.sh does) so that OpenBLAS picks its own kernel for this CPU.
  - BatchNorm folded: the weights are the ones `myelin run --export-weights` writes (BN folded into
    weight and bias, the numbers Myelin itself computes with), so the network has no BN at all.
  - The first convolution is computed once per image and its current reused for all T steps (its
    input does not change over time), as Myelin does.
  - torch.inference_mode(); float32; images batched, the batch chosen per model and thread count as
    the fastest of 1, 2, 4, ... (each timed once); the same thread count as Myelin (torch and OpenBLAS);
    OMP_WAIT_POLICY=PASSIVE unless set (spin-waiting OpenMP threads collapse on a shared machine).
Before timing, its predictions must equal Myelin's float predictions (`myelin run --logits`) on every
image; float32 threshold ties may flip a spike, so a model that disagrees in float32 is checked in
float64 too, and the benchmark stops when float64 disagrees (then the graphs differ).

Models: tiny (its trained weights), the Fashion-MNIST model when workloads/zoo/fashion.yaml exists (its
weights; real t10k images when its input is 1x28x28), Spikformer-4-384 CIFAR-10 and Spikformer-8-384
(ImageNet, 224 px) with random weights (seed 1) on synthetic images.  Myelin runs float, w8 (uniform,
per channel, 16-bit membranes: workloads/zoo/quant/w8.yaml) and w4 (the same with 4-bit weights);
PyTorch runs float.  For each thread count, repetitions alternate Myelin and PyTorch runs; the
figure is the median over repetitions; ratio = Myelin images/s / PyTorch images/s (wall clock).  Both
sides also report images per CPU second (the process's CPU time over the same loop): on a machine
shared with other work the wall-clock figures swing with the load, the CPU-time ones much less
(with 1 thread they approximate an idle core; with 2 they measure work, not elapsed time).
With --f64, PyTorch also runs in float64, the precision Myelin's float mode computes in, timed in the
same alternation; its table is information beside the float32 one, which remains the baseline.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch_bench.py --myelin ./myelin
"""
import argparse, contextlib, ctypes, gzip, json, os, re, statistics, struct, subprocess, sys, tempfile, time

# OpenMP threads that sleep when idle: on a shared machine the default spin-waiting makes 2-thread
# PyTorch several times slower than 1 thread (measured here); set OMP_WAIT_POLICY to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workloads", "train"))
import train  # noqa: E402  (the model definition shared with training and the golden tests)

FASHION = "/usr/share/datasets/fashion-mnist"


def blas_report():
    """(library path, description) of the BLAS torch uses; exits on the reference BLAS."""
    a = torch.randn(64, 64)
    a @ a  # make sure the BLAS is loaded
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if re.search(r"blas|lapack", l)})
    ob = [p for p in libs if "openblas" in p]
    if not ob:
        sys.exit("torch_bench: torch does not use OpenBLAS (mapped: %s); install libopenblas0-pthread "
                 "(tools/deps.sh --with-torch) or point the libblas.so.3 alternative at it" % libs)
    lib = ctypes.CDLL(ob[0])
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    desc = "%s, kernel %s" % (lib.openblas_get_config().decode(), lib.openblas_get_corename().decode())
    return lib, libs, desc


def set_threads(lib, n):
    torch.set_num_threads(n)
    lib.openblas_set_num_threads(n)


def fold_model(wl, weights_path, dtype):
    """The Spikformer of workload `wl` with BN-folded weights: conv/linear with bias, BN = identity."""
    pool = tuple(bool(p) for p in wl.get("stem_pool", [False, False, True, True]))
    m = train.Spikformer(depth=wl["depth"], d=wl["dim"], heads=wl["heads"], ratio=wl.get("mlp_ratio", 4),
                         classes=wl["classes"], c=wl["input"]["channels"], pool=pool)
    p = m.patch_embed
    for name in ("proj_conv", "proj_conv1", "proj_conv2", "proj_conv3", "rpe_conv"):
        c = getattr(p, name)
        setattr(p, name, nn.Conv2d(c.in_channels, c.out_channels, 3, 1, 1, bias=True))
    for name in ("proj_bn", "proj_bn1", "proj_bn2", "proj_bn3", "rpe_bn"):
        setattr(p, name, nn.Identity())
    for b in m.block:
        for lb in (b.attn.q, b.attn.k, b.attn.v, b.attn.proj, b.mlp.fc1, b.mlp.fc2):
            lb.bn = nn.Identity()
    sd = {}
    with open(weights_path, "rb") as f:
        data = f.read()
    n, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    ours = {train.rename(k): k for k in m.state_dict().keys()}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + b:8 + n + en]), dtype=torch.float32).reshape(e["shape"])
        if name.startswith("block.") and "_conv." in name:  # ImageNet code: 1x1 convs = linears
            name = name.replace("_conv.", "_linear.")
            if t.dim() > 2:  # Conv1d/Conv2d kernels of size 1
                t = t.reshape(t.shape[0], -1)
        if name not in ours:
            sys.exit("torch_bench: %s: unexpected tensor %s" % (weights_path, name))
        sd[ours[name]] = t
    missing = set(m.state_dict().keys()) - set(sd)
    if missing:
        sys.exit("torch_bench: %s lacks %s" % (weights_path, sorted(missing)[:3]))
    m.load_state_dict(sd)
    return m.to(dtype).eval()


def forward(m, img, T, mean, std):
    """The folded network on img [B, C, H, W] in [0, 1]: the first conv once, then T steps."""
    x = (img - mean) / std
    p = m.patch_embed
    cur = p.proj_conv(x)                                  # computed once, reused for all T
    y = p.proj_lif(cur.unsqueeze(0).expand(T, *cur.shape))
    if p.pool[0]:
        z = F.max_pool2d(y.flatten(0, 1), 3, 2, 1)
        y = z.reshape(T, cur.shape[0], *z.shape[1:])
    y = p.stage(y, p.proj_conv1, p.proj_bn1, p.proj_lif1, p.pool[1])
    y = p.stage(y, p.proj_conv2, p.proj_bn2, p.proj_lif2, p.pool[2])
    y = p.stage(y, p.proj_conv3, p.proj_bn3, p.proj_lif3, p.pool[3])
    feat = y
    y = p.stage(y, p.rpe_conv, p.rpe_bn, p.rpe_lif, False) + feat
    y = y.flatten(3).transpose(2, 3)
    for blk in m.block:
        y = blk(y)
    return m.head(y.mean(2).mean(0))


def read_idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    nd = magic & 0xFF
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    return data, 4 + 4 * nd, dims


def write_idx(path, dims, payload, magic):
    with open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), *dims) + payload)


def fashion_images(tmp, n):
    """The first n t10k Fashion-MNIST images as plain IDX files Myelin reads (N x 28 x 28 x 1)."""
    di, oi, dims = read_idx(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"))
    dl, ol, _ = read_idx(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))
    img, lbl = os.path.join(tmp, "fashion-images.idx"), os.path.join(tmp, "fashion-labels.idx")
    write_idx(img, (n, dims[1], dims[2], 1), di[oi:oi + n * dims[1] * dims[2]], 0x0804)
    write_idx(lbl, (n,), dl[ol:ol + n], 0x0801)
    return img + ":" + lbl


def myelin_run(a, args):
    """Runs `myelin run ARGS`; returns its stdout."""
    r = subprocess.run([a.myelin, "run"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.exit("torch_bench: myelin run %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def myelin_rate(a, base, mode_args, threads, n):
    """(images per wall second, images per CPU second) of the engine's image loop (its `speed` line:
    model building excluded, as for torch)."""
    out = myelin_run(a, base + mode_args + ["--threads", str(threads)])
    m = re.search(r"^speed\s+\S+ images/s, (\S+) s total, \d+ threads?, (\S+) CPU s", out, re.M)
    if not m:
        sys.exit("torch_bench: no speed line in myelin run's output")
    return n / float(m.group(1)), n / max(float(m.group(2)), 1e-9)


def torch_rate(m, x, bs, T, mean, std):
    """(images per wall second, images per CPU second of the whole process)."""
    with torch.inference_mode():
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(x), bs):
            forward(m, x[i:i + bs], T, mean, std)
        return len(x) / (time.perf_counter() - t0), len(x) / max(time.process_time() - c0, 1e-9)


def best_batch(m, x, n, T, mean, std):
    """The fastest batch of 1, 2, 4, ... up to the image count (one timed pass each)."""
    best_bs, best, bs = 1, 0.0, 1
    while bs <= n:
        r = torch_rate(m, x[:max(bs, min(n, 64))], bs, T, mean, std)[0]
        if r > best:
            best_bs, best = bs, r
        bs *= 2
    return best_bs


def predictions(m, x, T, mean, std, bs=8):
    with torch.inference_mode():
        return torch.cat([forward(m, x[i:i + bs], T, mean, std) for i in range(0, len(x), bs)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--myelin", required=True)
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--threads", default="1,2", help="thread counts (comma-separated)")
    ap.add_argument("--reps", type=int, default=3, help="alternating repetitions (median)")
    ap.add_argument("--models", default="tiny,fashion,spikformer-4-384-cifar10,spikformer-8-384")
    ap.add_argument("--modes", default="float,w8,w4", help="Myelin's settings")
    ap.add_argument("--images", default="tiny=400,fashion=400,spikformer-4-384-cifar10=16,spikformer-8-384=2",
                    help="images per run, per model")
    ap.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    ap.add_argument("--f64", action="store_true",
                    help="also time PyTorch in float64, the precision of Myelin's float mode, and print "
                         "Myelin float / PyTorch float64 (information beside the float32 baseline, which stays "
                         "the one the ratios are judged by)")
    a = ap.parse_args()
    zoo = os.path.join(a.srcdir, "workloads", "zoo")
    counts = dict(kv.split("=") for kv in a.images.split(","))
    thread_list = [int(t) for t in a.threads.split(",")]
    modes = a.modes.split(",")

    lib, libs, desc = blas_report()
    print("# myelin vs a fair PyTorch (%s, %d online CPUs)" % (os.uname().machine, os.cpu_count() or 1))
    print("# torch %s; BLAS mapped: %s" % (torch.__version__, ", ".join(libs)))
    print("# %s; OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s; OMP_WAIT_POLICY=%s; oneDNN for convolutions: %s"
          % (desc, os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
             os.environ["OMP_WAIT_POLICY"], torch.backends.mkldnn.is_available()))
    print("# threads: torch.set_num_threads(N) and openblas_set_num_threads(N), N = Myelin's --threads N")
    rows, rows64 = [], []
    with tempfile.TemporaryDirectory() as tmp:
        w4 = os.path.join(tmp, "w4.yaml")
        with open(w4, "w") as f:
            f.write("input_bits: 8\ndefault:\n  weight_bits: 4\n  scheme: uniform\n  granularity: channel\n"
                    "  membrane_bits: 16\n")
        qfile = {"float": os.path.join(zoo, "quant", "float.yaml"), "w8": os.path.join(zoo, "quant", "w8.yaml"),
                 "w4": w4}
        for name in a.models.split(","):
            ypath = os.path.join(zoo, name + ".yaml")
            if not os.path.exists(ypath):
                print("# %s: %s not present, skipped" % (name, ypath))
                continue
            with open(ypath) as f:
                wl = yaml.safe_load(f)
            T = wl.get("timesteps", 4)
            train.T = T
            n = int(counts.get(name, 16))
            c, h, w = wl["input"]["channels"], wl["input"]["height"], wl["input"]["width"]
            weights = [] if wl.get("weights") else ["--weights", "random:1"]
            if name == "fashion" and (c, h, w) == (1, 28, 28) and os.path.isdir(FASHION):
                spec, src = fashion_images(tmp, n), "Fashion-MNIST t10k"
            else:
                spec = "synthetic:split=test,count=%d,seed=1,h=%d,w=%d,c=%d,classes=%d" % (
                    n, h, w, c, min(wl["classes"], 250))
                src = "synthetic"
            img, lbl = os.path.join(tmp, name + "-img.idx"), os.path.join(tmp, name + "-lbl.idx")
            subprocess.run([a.myelin, "dataset", "export", spec, "--images", img, "--labels", lbl], check=True,
                           stdout=subprocess.DEVNULL)
            ds = img + ":" + lbl
            base = ["--workload", ypath] + weights + ["--dataset", ds]
            wfile, lfile = os.path.join(tmp, name + ".safetensors"), os.path.join(tmp, name + ".csv")
            myelin_run(a, base + ["--quiet", "--export-weights", wfile, "--logits", lfile])
            with open(lfile) as f:
                rows_l = [l.strip().split(",") for l in f.readlines()[1:]]
            my_logits = torch.tensor([[float(v) for v in r[2:]] for r in rows_l], dtype=torch.float64)
            data, off, dims = read_idx(img)
            x = torch.frombuffer(bytearray(data[off:]), dtype=torch.uint8).reshape(*dims).permute(0, 3, 1, 2)
            x = x.float() / 255.0
            nm = wl.get("normalize", {})
            mean = torch.tensor(nm.get("mean", [0.0] * c)).reshape(1, c, 1, 1)
            std = torch.tensor(nm.get("std", [1.0] * c)).reshape(1, c, 1, 1)
            # the check: same predictions as Myelin's float engine
            set_threads(lib, max(thread_list))
            m32 = fold_model(wl, wfile, torch.float32)
            p32 = predictions(m32, x, T, mean, std)
            diff32 = int((p32.argmax(1) != my_logits.argmax(1)).sum())
            check = "float32 predictions equal Myelin's on %d/%d images (max |logit diff| %.2g)" % (
                n - diff32, n, float((p32.double() - my_logits).abs().max()))
            if diff32:
                m64 = fold_model(wl, wfile, torch.float64)
                p64 = predictions(m64, x.double(), T, mean.double(), std.double())
                diff64 = int((p64.argmax(1) != my_logits.argmax(1)).sum())
                check += "; float64: %d/%d" % (n - diff64, n)
                if diff64:
                    sys.exit("torch_bench: %s: PyTorch and Myelin disagree in float64 (%s)" % (name, check))
            print("# %s (%s, %d images): %s" % (name, src, n, check))
            f64 = a.f64 and "float" in modes
            if f64:
                if not diff32:
                    m64 = fold_model(wl, wfile, torch.float64)
                x64, mean64, std64 = x.double(), mean.double(), std.double()
            elif diff32:
                del m64
            for th in thread_list:
                set_threads(lib, th)
                best_bs = best_batch(m32, x, n, T, mean, std)
                if f64:
                    bs64 = best_batch(m64, x64, n, T, mean64, std64)
                tr, tr64, mr = [], [], {md: [] for md in modes}
                for _ in range(a.reps):
                    for md in modes:
                        mr[md].append(myelin_rate(a, base, ["--quant", qfile[md]], th, n))
                    tr.append(torch_rate(m32, x, best_bs, T, mean, std))
                    if f64:
                        tr64.append(torch_rate(m64, x64, bs64, T, mean64, std64))
                t_med = statistics.median(r[0] for r in tr)
                t_cpu = statistics.median(r[1] for r in tr)
                if f64:
                    t64, t64_cpu = statistics.median(r[0] for r in tr64), statistics.median(r[1] for r in tr64)
                    fl = [r for r in mr.get("float", [])]
                    line = "%-26s float  threads %d  torch float64 %9.3f img/s (batch %3d)  per CPU s %9.3f" % (
                        name, th, t64, bs64, t64_cpu)
                    if fl:
                        fm, fc = statistics.median(r[0] for r in fl), statistics.median(r[1] for r in fl)
                        line += "  | Myelin float (double) / torch float64: %.2fx, per CPU s %.2fx" % (
                            fm / t64, fc / t64_cpu)
                        rows64.append((name, th, n, bs64, fm, t64, fm / t64, fc, t64_cpu, fc / t64_cpu))
                    print(line, flush=True)
                for md in modes:
                    m_med = statistics.median(r[0] for r in mr[md])
                    m_cpu = statistics.median(r[1] for r in mr[md])
                    rows.append((name, md, th, n, best_bs, m_med, t_med, m_med / t_med, m_cpu, t_cpu,
                                 m_cpu / t_cpu))
                    print("%-26s %-6s threads %d  myelin %9.3f img/s  torch %9.3f img/s (batch %3d)  ratio %6.2fx"
                          "  | per CPU s: myelin %9.3f  torch %9.3f  ratio %6.2fx"
                          % (name, md, th, m_med, t_med, best_bs, m_med / t_med, m_cpu, t_cpu, m_cpu / t_cpu),
                          flush=True)
            del m32
            if f64:
                del m64, x64
    if a.markdown:
        print("\n| model | Myelin mode | threads | images | PyTorch batch | Myelin img/s | PyTorch float32 img/s "
              "| Myelin / PyTorch | Myelin img per CPU s | PyTorch img per CPU s | ratio per CPU s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print("| %s | %s | %d | %d | %d | %.3g | %.3g | %.2f× | %.3g | %.3g | %.2f× |" % r)
        if rows64:
            print("\nAt equal precision (Myelin's float mode computes in float64):\n")
            print("| model | threads | images | PyTorch batch | Myelin float img/s | PyTorch float64 img/s "
                  "| Myelin / PyTorch | Myelin img per CPU s | PyTorch img per CPU s | ratio per CPU s |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for r in rows64:
                print("| %s | %d | %d | %d | %.3g | %.3g | %.2f× | %.3g | %.3g | %.2f× |" % r)


if __name__ == "__main__":
    main()
