#!/usr/bin/python3
"""workloads/tiny/train.py — retrains Myelin's tiny default Spikformer on the synthetic data: the
generic trainer workloads/train/train.py with the tiny model's recipe.

    /usr/bin/python3 workloads/tiny/train.py [--myelin ./myelin] [more workloads/train/train.py options]

Writes workloads/zoo/tiny.safetensors and workloads/zoo/tiny.golden.safetensors (run it from the
source tree).  Needs Debian's python3-torch only."""
import os, sys

here = os.path.dirname(os.path.abspath(__file__))
trainer = os.path.join(here, "..", "train", "train.py")
recipe = ["--workload", os.path.join(here, "..", "zoo", "tiny.yaml"), "--data", "synthetic",
          "--epochs", "7", "--train-count", "6000", "--minutes", "8", "--batch", "64", "--lr", "3e-3",
          "--warmup", "0.3", "--f64"]
os.execv(sys.executable, [sys.executable, trainer] + recipe + sys.argv[1:])
