"""tests/python_api.py DIR W8 VAL CALIB TEST — tests/python.sh's checks of the Python module: its
results must equal what the myelin command wrote into DIR for the same inputs."""
import json
import os
import sys

import myelin

d, w8, val, calib, test = sys.argv[1:6]
failures = 0


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1


def bare(x):
    """x without what only the command line records: its provenance and caption (the version,
    the inputs as the command resolved them); every figure stays."""
    if isinstance(x, dict):
        return {k: v for k, v in x.items() if k not in ("provenance", "caption")}
    return x


def load(name):
    with open(os.path.join(d, name)) as f:
        return bare(json.load(f))


def same_file(a, b):
    """Byte-identical after the command line's provenance: '#' lines (CSV, YAML) and the
    provenance/caption members (JSON)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        x, y = fa.read(), fb.read()
    if a.endswith(".json"):
        return bare(json.loads(x)) == bare(json.loads(y))
    drop = lambda t: b"\n".join(l for l in t.split(b"\n") if not l.startswith(b"#"))
    return drop(x) == drop(y)


# loading
wl = myelin.Workload("tiny")
check(wl.name == "tiny" and len(wl.layers) == 27 and wl.layers[0]["name"] == "sps.conv0",
      "Workload('tiny'): name and 27 layers")
big = myelin.Workload("spikformer-8-384")
check(big.info["parameters"] == 16816024, "Spikformer-8-384 has 16,816,024 parameters")
check(myelin.version().count(".") >= 1, "version %s" % myelin.version())

# cost: the same dict as `myelin cost --format json`, the per-layer table as a list of dicts
c = myelin.cost(wl, myelin.Arch("generic-45nm"), quant=myelin.Quant(w8))
check(bare(c) == load("cost_tiny.json"), "cost(tiny, generic-45nm, w8) equals myelin cost --format json")
check(isinstance(c["layers"], list) and all(isinstance(r, dict) for r in c["layers"]) and
      len(c["layers"]) == 27 and c["layers"][0]["layer"] == "sps.conv0",
      "cost: the per-layer table is a list of 27 dicts")
c2 = myelin.cost("spikformer-4-384-cifar10", "paper-45nm", rate=0.2)
check(bare(c2) == load("cost_cifar.json"), "cost(cifar, paper-45nm, rate 0.2) equals myelin cost")
check(c2 != c and c2["total_J"] > 0, "different inputs, different results")

# run: as `myelin run --json`
r = myelin.run(wl, quant=w8, limit=30, drift=True, threads=2)
# "weights" names how they were found (the command: the embedded tiny; the module: the zoo file)
nolabel = lambda x: {k: v for k, v in bare(x).items() if k != "weights"}
check(nolabel(r) == nolabel(load("run.json")), "run(tiny, w8, 30 images, drift) equals myelin run --json")
check(r["images"] == 30 and "drift_mean" in r and r["layers"][0]["name"] == "sps.conv0",
      "run: accuracy %.2f %%, drift %.4f, per-layer spikes" % (r["top1_percent"], r["drift_mean"]))

# sim: the SystemC model in a child process (twice: one elaboration per process)
s = myelin.sim(wl, limit=2)
cli = load("sim.json")
for k in ("images", "top1_percent", "latency_cycles", "latency_s", "energy_J", "cost_model_energy_J",
          "flits_per_packet"):
    check(s[k] == cli[k], "sim: %s %s equals myelin sim's" % (k, s[k]))
check(bare(s["report"]) == bare(cli["report"]), "sim: the per-layer energy report equals myelin sim's")
s2 = myelin.sim(wl, limit=2)
untimed = lambda x: {k: v for k, v in x.items() if k not in ("wall_s", "packets_per_s")}
check(untimed(s2) == untimed(s), "sim again in the same Python process: the same result (wall time aside)")
check(set(bare(s)) == set(cli), "sim: the same members as myelin sim --format json")

# search: the same summary table and outputs as `myelin search`
out = os.path.join(d, "search_py")
res = myelin.search(wl, val=val, calib=calib, test=test, bits=[8, 4], threads=1, out=out)
with open(os.path.join(d, "search_cli", "summary.json")) as f:
    cli_summary = bare(json.load(f))
check(bare(res["summary"]) == cli_summary, "search: summary equals myelin search's summary.json")
for name in ("summary.json", "summary.csv", "candidates.csv", "chosen.yaml"):
    check(same_file(os.path.join(out, name), os.path.join(d, "search_cli", name)),
          "search: %s byte-identical to myelin search's (provenance aside)" % name)
check(res["chosen"] == bare(res["summary"])["rows"][-1]["setting"] and res["figures"]["full_evals"] > 0,
      "search: chose %s after %d full evaluations" % (res["chosen"], res["figures"]["full_evals"]))

# errors surface as MyelinError with the library's message and position


def raises(fn, code, fragment, what):
    try:
        fn()
    except myelin.MyelinError as e:
        check(e.code == code and fragment in str(e), "%s: %s" % (what, e))
        return e
    check(False, what + ": no MyelinError")


raises(lambda: myelin.Workload("no-such-model"), -7, "no-such-model", "a missing zoo name")
bad = os.path.join(d, "bad_quant.yaml")
with open(bad, "w") as f:
    f.write("default: {weight_bits: 99}\n")
e = raises(lambda: myelin.Quant(bad), -4, "between 1 and 16", "a bad quantization file")
check(e is not None and e.file == bad and e.line == 1 and e.column > 1,
      "the error carries file:line:column (%s:%s:%s)" % (e and e.file, e and e.line, e and e.column))
raises(lambda: myelin.cost(wl, "loihi-like"), -10, "float weights are not supported",
       "float weights on loihi-like")
raises(lambda: myelin.search(wl, bogus=1), -1, "unknown search option 'bogus'", "an unknown search option")
raises(lambda: myelin.search(wl, val="synthetic:split=test,count=8,seed=2", val_from_train="8,1"), -1,
       "val and val_from_train: give one", "two validation sources, named as the API spells them")
raises(lambda: myelin.run(wl, weights="random:x"), -1, "random:SEED", "a bad weights spec")
sys.exit(1 if failures else 0)
