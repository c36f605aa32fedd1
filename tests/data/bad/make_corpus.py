#!/usr/bin/env python3
"""tests/data/bad/make_corpus.py — writes the bad-input corpus (one file per malformed input, in a
folder per format) from the project's own good files, and MANIFEST.in listing each file with the
command that reads it.  tests/bad_inputs.sh --record runs each once and writes MANIFEST (exit code
and message fragment), which is reviewed and committed; `make check` then holds every file to it.
Run from the source tree: python3 tests/data/bad/make_corpus.py"""
import json, os, shutil, struct

ROOT = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(ROOT, "..", "..", ".."))
entries = []  # (relative file, command template)


def put(fmt, name, data, cmd):
    d = os.path.join(ROOT, fmt)
    os.makedirs(d, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(d, name), mode) as f:
        f.write(data)
    entries.append((f"{fmt}/{name}", cmd))


for fmt in ("workload", "arch", "quant", "safetensors", "idx", "cifar", "activity", "journal"):
    shutil.rmtree(os.path.join(ROOT, fmt), ignore_errors=True)

# ---- workload YAML: myelin info FILE --------------------------------------------------------
tiny = open(os.path.join(SRC, "workloads/zoo/tiny.yaml")).read()
W = "info {F}"
def wl_set(key, value):
    out, done = [], False
    for line in tiny.splitlines():
        if line.startswith(key + ":"):
            out.append(f"{key}: {value}")
            done = True
        else:
            out.append(line)
    if not done:
        out.append(f"{key}: {value}")
    return "\n".join(out) + "\n"
bad_values = {"neg": "-1", "zero": "0", "huge": "99999999999999999999", "float": "2.5", "str": "'x'",
              "list": "[1, 2]", "map": "{a: 1}", "null": "~", "nan": ".nan", "empty": "''"}
for key in ("depth", "dim", "heads", "mlp_ratio", "timesteps", "classes"):
    for tag, v in bad_values.items():
        if key in ("depth",) or tag in ("neg", "zero", "huge", "str", "list", "nan"):
            put("workload", f"{key}_{tag}.yaml", wl_set(key, v), W)
put("workload", "name_empty.yaml", wl_set("name", "''"), W)
put("workload", "name_list.yaml", wl_set("name", "[a, b]"), W)
put("workload", "name_too_long.yaml", wl_set("name", "n" * 300), W)
put("workload", "dim_not_div8.yaml", wl_set("dim", "60"), W)
put("workload", "heads_not_divisor.yaml", wl_set("heads", "5"), W)
put("workload", "input_width_1_pooled.yaml", tiny.replace("width: 16", "width: 1"), W)
put("workload", "input_channels_5.yaml", tiny.replace("channels: 3", "channels: 5"), W)
put("workload", "input_missing_height.yaml", tiny.replace("height: 16, ", ""), W)
put("workload", "input_scalar.yaml", wl_set("input", "16"), W)
put("workload", "stem_pool_3.yaml", wl_set("stem_pool", "[true, true, true]"), W)
put("workload", "stem_pool_str.yaml", wl_set("stem_pool", "[yes, no, maybe, true]"), W)
put("workload", "family_unknown.yaml", wl_set("family", "resnet"), W)
put("workload", "naming_unknown.yaml", wl_set("naming", "funky"), W)
put("workload", "unknown_key.yaml", tiny + "dept: 3\n", W)
put("workload", "duplicate_key.yaml", tiny + "depth: 3\n", W)
put("workload", "tab_indent.yaml", tiny.replace("name: tiny", "name: tiny\n\tdepth: 2"), W)
put("workload", "unclosed_flow.yaml", tiny.replace("{channels: 3", "{channels: 3, ["), W)
put("workload", "anchor_alias.yaml", "a: &x 1\nname: *x\n", W)
put("workload", "deep_nesting.yaml", "name: " + "[" * 200 + "]" * 200 + "\n", W)
put("workload", "deep_nesting_20000.yaml", "a: " + "[" * 20000 + "]" * 20000 + "\n", W)
put("workload", "nul_byte.yaml", tiny.encode() + b"\0\n", W)
put("workload", "invalid_utf8.yaml", b"name: \xff\xfe\xfd\n" + tiny.encode()[20:], W)
put("workload", "binary_garbage.yaml", bytes(range(256)) * 4, W)
put("workload", "empty.yaml", "", W)
put("workload", "comments_only.yaml", "# nothing here\n", W)
put("workload", "root_sequence.yaml", "- name: tiny\n- depth: 2\n", W)
put("workload", "root_scalar.yaml", "tiny\n", W)
put("workload", "two_documents.yaml", "name: a\n---\nname: b\n", W)
put("workload", "truncated_half.yaml", tiny[: len(tiny) // 4].rsplit("\n", 1)[0] + "\n", W)
put("workload", "firing_rate_high.yaml", tiny + "firing_rates: {default: 1.5}\n", W)
put("workload", "key_not_scalar.yaml", "[a]: 1\n", W)
put("workload", "payload_name.yaml", wl_set("name", "\"x'; print system('touch pwned'); a='\"").replace("weights: tiny.safetensors", "weights: no-such.safetensors"), "run --workload {F} --limit 1 --quiet")
put("workload", "weights_missing.yaml", wl_set("weights", "no-such.safetensors"), "run --workload {F} --limit 1 --quiet")
put("workload", "weights_directory.yaml", wl_set("weights", "."), "run --workload {F} --limit 1 --quiet")

# ---- architecture YAML: myelin cost --arch FILE ----------------------------------------------
arch = open(os.path.join(SRC, "arch/presets/generic-45nm.yaml")).read()
A = "cost --arch {F}"
def arch_sub(old, new):
    assert old in arch, old
    return arch.replace(old, new, 1)
for tag, (old, new) in {
    "rows_zero": ("rows: 128", "rows: 0"), "rows_neg": ("rows: 128", "rows: -4"),
    "cols_huge": ("cols: 128", "cols: 99999999999"), "clock_zero": ("clock_mhz: 200", "clock_mhz: 0"),
    "clock_str": ("clock_mhz: 200", "clock_mhz: fast"), "clock_nan": ("clock_mhz: 200", "clock_mhz: .nan"),
    "neurons_zero": ("neuron_capacity: 4096", "neuron_capacity: 0"),
    "word_bits_65": ("word_bits: 64", "word_bits: 65"), "word_bits_zero": ("word_bits: 64", "word_bits: 0"),
    "banks_zero": ("banks: 4", "banks: 0"), "bytes_neg": ("bytes: 131072", "bytes: -1"),
    "lanes_zero": ("accumulator_lanes: 16", "accumulator_lanes: 0"),
    "weight_bits_17": ("weight_bits: [float, 1,", "weight_bits: [17, 1,"),
    "weight_bits_zero": ("weight_bits: [float, 1,", "weight_bits: [0, 1,"),
    "weight_bits_scalar": ("weight_bits: [float, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]", "weight_bits: 8"),
    "membrane_bits_64": ("membrane_bits: [float, 2,", "membrane_bits: [64, 2,"),
    "routing_unknown": ("routing: xy", "routing: yx-random"),
    "hop_latency_neg": ("hop_latency_cycles: 1", "hop_latency_cycles: -1"),
    "link_width_zero": ("link_width_bits: 32", "link_width_bits: 0"),
    "energy_neg": ("mac_real: {pj: 4.6", "mac_real: {pj: -4.6"),
    "energy_no_source": (', source: "Horowitz ISSCC 2014: 32-bit float add 0.9 pJ"}', "}"),
    "energy_unit_unknown": ("add_float: {pj: 0.9", "add_float: {kj: 0.9"),
    "energy_two_units": ("add_float: {pj: 0.9", "add_float: {pj: 0.9, fj: 900"),
    "energy_unknown_action": ("add_float:", "add_floot:"),
    "energy_str": ("add_float: {pj: 0.9", "add_float: {pj: lots"),
    "leak_unit_wrong": ("leakage_core_cycles: {uw: 50", "leakage_core_cycles: {kw: 50"),
    "name_empty": ("name: generic-45nm", "name: ''"),
    "name_list": ("name: generic-45nm", "name: [a]"),
    "core_scalar": ("core:\n", "core: 3\nxcore:\n"),
    "array_missing": ("array: {rows: 128, cols: 128}\n", ""),
    "unknown_top_key": ("clock_mhz: 200", "clock_mhz: 200\nclock_mz: 200"),
    "duplicate_key": ("clock_mhz: 200", "clock_mhz: 200\nclock_mhz: 300"),
}.items():
    put("arch", f"{tag}.yaml", arch_sub(old, new), A)
put("arch", "plugin_missing.yaml", arch + "plugins: [no-such-plugin.so]\n", A)
put("arch", "plugin_bare_libm.yaml", arch + "plugins: [libm.so.6]\n", A)
put("arch", "plugin_directory.yaml", arch + "plugins: [.]\n", A)
put("arch", "plugin_not_elf.yaml", arch + "plugins: [plugin_not_elf.yaml]\n", A)
put("arch", "plugin_map.yaml", arch + "plugins: [{a: 1}]\n", A)
put("arch", "plugins_scalar.yaml", arch + "plugins: x.so\n", A)
put("arch", "empty.yaml", "", A)
put("arch", "root_list.yaml", "- 1\n", A)
put("arch", "deep_nesting.yaml", "name: " + "{a: " * 300 + "1" + "}" * 300 + "\n", A)
put("arch", "binary.yaml", b"\x7fELF" + bytes(200), A)
put("arch", "truncated.yaml", arch[: len(arch) // 3], A)

# ---- quantization YAML: myelin info tiny --quant FILE ----------------------------------------
Q = "info {S}/workloads/zoo/tiny.yaml --quant {F}"
good_q = open(os.path.join(SRC, "workloads/zoo/quant/w4-pot-mlp.yaml")).read()
for tag, body in {
    "weight_bits_17": "default: {weight_bits: 17}\n", "weight_bits_zero": "default: {weight_bits: 0}\n",
    "weight_bits_str": "default: {weight_bits: eight}\n", "membrane_bits_64": "default: {membrane_bits: 64}\n",
    "membrane_bits_neg": "default: {membrane_bits: -3}\n", "scheme_unknown": "default: {weight_bits: 4, scheme: log}\n",
    "granularity_unknown": "default: {weight_bits: 4, granularity: tile}\n",
    "input_bits_zero": "input_bits: 0\n", "input_bits_99": "input_bits: 99\n",
    "unknown_key": "defualt: {weight_bits: 8}\n", "default_list": "default: [8]\n",
    "layers_map": "layers: {match: x}\n", "layer_no_match": "layers:\n  - weight_bits: 4\n",
    "layer_match_empty": "layers:\n  - match: ''\n    weight_bits: 4\n",
    "layer_match_list": "layers:\n  - match: [a]\n    weight_bits: 4\n",
    "layer_match_nothing": "layers:\n  - match: 'no.such.layer'\n    weight_bits: 4\n",
    "layer_unknown_key": "layers:\n  - match: 'sps.*'\n    wieght_bits: 4\n",
    "root_scalar": "8\n", "root_list": "- 8\n", "syntax": "default: {weight_bits: 8\n",
    "duplicate": "input_bits: 8\ninput_bits: 4\n", "alias": "a: &x 8\ninput_bits: *x\n",
    "deep": "default: " + "[" * 100 + "]" * 100 + "\n", "nul": b"input_bits: 8\0\n",
    "pot_membrane": "default: {weight_bits: 4, membrane_bits: float, scheme: pot, granularity: channel, extra: 1}\n",
}.items():
    put("quant", f"{tag}.yaml", body, Q)

# ---- safetensors: myelin run --weights FILE --limit 1 -------------------------------------------
S = "run --weights {F} --limit 1 --quiet"
st = open(os.path.join(SRC, "workloads/zoo/tiny.safetensors"), "rb").read()
hlen = struct.unpack("<Q", st[:8])[0]
hdr = json.loads(st[8 : 8 + hlen])
body = st[8 + hlen :]
def st_make(h, data=body, raw_header=None):
    hb = raw_header if raw_header is not None else json.dumps(h).encode()
    return struct.pack("<Q", len(hb)) + hb + data
first = next(k for k in hdr if k != "__metadata__")
def mut(fn):
    h = json.loads(json.dumps(hdr))
    fn(h)
    return st_make(h)
put("safetensors", "empty.safetensors", b"", S)
put("safetensors", "short_length.safetensors", b"\x10\x00\x00", S)
put("safetensors", "header_len_huge.safetensors", struct.pack("<Q", 1 << 62) + b"{}", S)
put("safetensors", "header_len_past_end.safetensors", struct.pack("<Q", 5000) + b"{}", S)
put("safetensors", "header_not_json.safetensors", st_make(None, raw_header=b"not json at all"), S)
put("safetensors", "header_array.safetensors", st_make(None, raw_header=b"[1,2,3]"), S)
put("safetensors", "header_trailing.safetensors", st_make(None, raw_header=json.dumps(hdr).encode() + b"x"), S)
put("safetensors", "header_deep.safetensors", st_make(None, raw_header=b"[" * 100 + b"]" * 100), S)
put("safetensors", "header_bad_utf8.safetensors", st_make(None, raw_header=b'{"\xff": 1}'), S)
put("safetensors", "data_truncated.safetensors", st[: len(st) - 1000], S)
put("safetensors", "data_extra.safetensors", st + b"\0" * 16, S)
put("safetensors", "dtype_unknown.safetensors", mut(lambda h: h[first].update(dtype="F128")), S)
put("safetensors", "dtype_number.safetensors", mut(lambda h: h[first].update(dtype=5)), S)
put("safetensors", "shape_negative.safetensors", mut(lambda h: h[first].update(shape=[-64])), S)
put("safetensors", "shape_mismatch_bytes.safetensors", mut(lambda h: h[first].update(shape=[65])), S)
put("safetensors", "shape_huge.safetensors", mut(lambda h: h[first].update(shape=[1 << 40, 1 << 40])), S)
put("safetensors", "shape_not_list.safetensors", mut(lambda h: h[first].update(shape=64)), S)
put("safetensors", "offsets_reversed.safetensors", mut(lambda h: h[first].update(data_offsets=[256, 0])), S)
put("safetensors", "offsets_past_end.safetensors", mut(lambda h: h[first].update(data_offsets=[0, 1 << 40])), S)
put("safetensors", "offsets_overlap.safetensors", mut(lambda h: h[list(hdr)[2]].update(data_offsets=[0, 256])), S)
put("safetensors", "offsets_missing.safetensors", mut(lambda h: h[first].pop("data_offsets")), S)
put("safetensors", "offsets_float.safetensors", mut(lambda h: h[first].update(data_offsets=[0.5, 256])), S)
put("safetensors", "tensor_missing.safetensors", mut(lambda h: h.pop(first)), S)
put("safetensors", "tensor_wrong_shape.safetensors", mut(lambda h: h[first].update(shape=[32, 2])), S)
put("safetensors", "metadata_not_strings.safetensors", mut(lambda h: h["__metadata__"].update(seed=0)), S)
put("safetensors", "duplicate_key.safetensors", st_make(None, raw_header=b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), S)
put("safetensors", "not_safetensors.safetensors", open(os.path.join(SRC, "arch/presets/generic-45nm.yaml"), "rb").read(), S)
put("safetensors", "zeros.safetensors", bytes(4096), S)
put("safetensors", "golden_not_weights.safetensors", open(os.path.join(SRC, "workloads/zoo/tiny.golden.safetensors"), "rb").read(), S)

# ---- IDX: myelin dataset info IMAGES:LABELS --------------------------------------------------
def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload
good_labels = idx(0x801, [2], b"\x01\x02")
I = "dataset info {F}:{D}/idx/labels_2"
os.makedirs(os.path.join(ROOT, "idx"), exist_ok=True)
open(os.path.join(ROOT, "idx", "labels_2"), "wb").write(good_labels)  # a good file the cases share
for tag, data in {
    "empty": b"", "short_magic": b"\x00\x00\x08", "magic_float": idx(0x80D, [2, 2, 2], bytes(8)),
    "magic_garbage": b"\xde\xad\xbe\xef" + bytes(20), "ndims_0": struct.pack(">I", 0x800),
    "ndims_5": idx(0x805, [1, 1, 1, 1, 1], b"\0"), "dims_truncated": struct.pack(">II", 0x803, 2),
    "payload_short": idx(0x803, [2, 2, 2], bytes(7)), "payload_long": idx(0x803, [2, 2, 2], bytes(9)),
    "product_overflow": idx(0x804, [65536, 65536, 65536, 65536], b""),
    "product_huge_3d": idx(0x803, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], bytes(8)),
    "one_dim_images": idx(0x801, [2], b"\1\2"), "two_dim_images": idx(0x802, [2, 4], bytes(8)),
    "height_zero": idx(0x803, [2, 0, 2], b""), "channels_5": idx(0x804, [2, 1, 1, 5], bytes(10)),
    "count_mismatch": idx(0x803, [3, 2, 2], bytes(12)), "zero_images": idx(0x803, [0, 2, 2], b""),
}.items():
    put("idx", f"{tag}-images-idx3-ubyte", data, I)
L = "dataset info {D}/idx/images_ok:{F}"
open(os.path.join(ROOT, "idx", "images_ok"), "wb").write(idx(0x803, [2, 2, 2], bytes(8)))
for tag, data in {
    "labels_empty": b"", "labels_3d": idx(0x803, [2, 1, 1], b"\1\2"), "labels_short": idx(0x801, [2], b"\1"),
    "labels_count_3": idx(0x801, [3], b"\1\2\3"), "labels_magic": b"\xff" * 10,
}.items():
    put("idx", tag, data, L)
entries.append(("idx/labels_2", "dataset info {D}/idx/labels_2"))
entries.append(("idx/images_ok", "dataset info {F}:{D}/idx/no-such-labels"))
entries.append(("idx/images_ok", "dataset info {F}:{D}/idx"))
entries.append(("idx/images_ok", "dataset info {F}"))

# ---- CIFAR-10 binary: myelin dataset info FILE.bin --------------------------------------------
C = "dataset info {F}"
rec = bytes([3]) + bytes(3072)
for tag, data in {
    "empty": b"", "one_byte": b"\x01", "short_record": rec[:-1], "record_and_a_half": rec + rec[:1500],
    "label_200": bytes([200]) + bytes(3072), "label_10": bytes([10]) + bytes(3072),
    "text": b"this is not a CIFAR batch\n" * 10,
}.items():
    put("cifar", f"{tag}.bin", data, C)

# ---- activity JSON: myelin cost --activity FILE ------------------------------------------------
act = json.load(open(os.path.join(SRC, "results/tiny_activity.json")))
ACT = "cost --activity {F}"
def act_text(fn):
    a = json.loads(json.dumps(act))
    fn(a)
    return json.dumps(a, indent=1) + "\n"
def lif0(a):
    return next(l for l in a["layers"] if "firing_rate" in l)
actj = json.dumps(act, indent=1)
r0 = lif0(act)["firing_rate"]
def raw_rate(v):
    return actj.replace(json.dumps(r0), v, 1)
for tag, v in {"rate_50": "50", "rate_1e300": "1e300", "rate_hex": "0x10", "rate_suffix": "0.1abc",
               "rate_nan": "NaN", "rate_inf": "Infinity", "rate_neg": "-0.5", "rate_string": '"0.1"',
               "rate_null": "null", "rate_leading_zero": "00.1", "rate_plus": "+0.1", "rate_1e400": "1e400"}.items():
    put("activity", f"{tag}.json", raw_rate(v), ACT)
put("activity", "truncated.json", actj[: len(actj) // 2], ACT)
put("activity", "trailing_garbage.json", actj + "\n}{", ACT)
put("activity", "empty.json", "", ACT)
put("activity", "root_array.json", "[1, 2]\n", ACT)
put("activity", "layers_object.json", '{"layers": {"a": 1}}\n', ACT)
put("activity", "layers_missing.json", '{"workload": "tiny"}\n', ACT)
put("activity", "layer_not_object.json", '{"layers": [1]}\n', ACT)
put("activity", "layer_no_name.json", '{"layers": [{"firing_rate": 0.1}]}\n', ACT)
put("activity", "layer_name_number.json", '{"layers": [{"name": 5, "firing_rate": 0.1}]}\n', ACT)
put("activity", "layer_unknown.json", act_text(lambda a: lif0(a).update(name="no.such.layer")), ACT)
put("activity", "layer_twice.json", act_text(lambda a: a["layers"].append(dict(lif0(a)))), ACT)
put("activity", "lif_missing.json", act_text(lambda a: a["layers"].remove(lif0(a))), ACT)
put("activity", "name_nul.json", '{"layers": [{"name": "sps.conv0\\u0000x", "firing_rate": 0.1}]}\n', ACT)
put("activity", "deep.json", "[" * 100 + "]" * 100, ACT)
put("activity", "control_char.json", '{"layers": [{"name": "sps\x01", "firing_rate": 0.1}]}\n', ACT)
put("activity", "bad_utf8.json", b'{"layers": [{"name": "\xc3\x28", "firing_rate": 0.1}]}\n', ACT)
put("activity", "bad_escape.json", '{"layers": [{"name": "\\q", "firing_rate": 0.1}]}\n', ACT)
put("activity", "duplicate_key.json", '{"layers": [], "layers": []}\n', ACT)
put("activity", "bom.json", b"\xef\xbb\xbf" + actj.encode(), ACT)
put("activity", "single_quotes.json", "{'layers': []}\n", ACT)

# ---- journals: myelin search --journal FILE (refused untouched) --------------------------------
J = "search --journal {F} --out {T}/out --val synthetic:split=test,count=8,seed=2 --calib synthetic:split=test,count=4,seed=3 --test synthetic:split=test,count=8,seed=1 --bits 8 --quiet --no-timing"
for tag, data in {
    "notes.txt": "my precious notes\n", "binary": bytes(range(256)),
    "json_other.jsonl": '{"journal":"someone-else","version":1}\n',
    "jsonl_no_header.jsonl": '{"kind":"full","key":"u8","v":[1]}\n',
    "header_spaced.jsonl": '{ "journal": "myelin-search", "version": 1, "args": "0" }\n',
    "yaml.jsonl": "journal: myelin-search\n", "csv.jsonl": "kind,key,v\nfull,u8,1\n",
    "nul.jsonl": b"\0" * 64,
}.items():
    put("journal", tag, data, J)
entries.append(("journal", J))  # a folder

with open(os.path.join(ROOT, "MANIFEST.in"), "w") as f:
    f.write("# file<TAB>command ({F} the file, {D} tests/data/bad, {S} the source tree, {T} scratch)\n")
    for rel, cmd in entries:
        f.write(f"{rel}\t{cmd}\n")
print(f"{len(entries)} cases")
