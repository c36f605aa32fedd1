#!/usr/bin/python3
"""bench/torch_bench.py — the PyTorch side of `make bench`: the same networks as bench/engine.sh
(tiny with its trained weights, Spikformer-8-384 ImageNet variant with random weights) on the same
synthetic images, float32 eval, with 1 thread and with all threads; prints images/s and the ratio
myelin/torch (myelin runs on one thread)."""
import argparse, os, subprocess, sys, tempfile, time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workloads", "tiny"))
import train  # noqa: E402  (the model definition shared with training)


def rate(model, x, threads, bs):
    torch.set_num_threads(threads)
    with torch.no_grad():
        model(x[:1])
        t0 = time.time()
        for i in range(0, len(x), bs):
            model(x[i:i + bs])
        return len(x) / (time.time() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--myelin", required=True)
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--tiny-images", type=int, default=1000)
    ap.add_argument("--big-images", type=int, default=4)
    ap.add_argument("--myelin-tiny", type=float, required=True)
    ap.add_argument("--myelin-big", type=float, required=True)
    a = ap.parse_args()
    torch.manual_seed(1)
    ncpu = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        xt, _, _ = train.export_set(a.myelin, f"synthetic:split=test,count={a.tiny_images},seed=1", tmp, "t")
        xb, _, _ = train.export_set(a.myelin, f"synthetic:split=test,count={a.big_images},seed=1,h=224,w=224,c=3,classes=250", tmp, "b")
    tiny = train.Spikformer()
    sd = train.load_spikformer(os.path.join(a.srcdir, "workloads", "zoo", "tiny.safetensors"), tiny)
    tiny.eval()
    big = train.Spikformer(depth=8, d=384, heads=12, classes=1000, pool=(True, True, True, True)).eval()
    print(f"{'model':22} {'torch_1thr_img_per_s':>20} {'torch_' + str(ncpu) + 'thr_img_per_s':>20} {'myelin/torch_1thr':>18}")
    for name, m, x, mine, bs in (("tiny", tiny, xt, a.myelin_tiny, 250), ("spikformer-8-384", big, xb, a.myelin_big, 1)):
        r1 = rate(m, x, 1, bs)
        rn = rate(m, x, ncpu, bs)
        print(f"{name:22} {r1:20.2f} {rn:20.2f} {mine / r1:18.3f}")


if __name__ == "__main__":
    main()
