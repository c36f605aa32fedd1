"""workloads/train/safetensors_io.py — reads and writes the safetensors format (8-byte little-endian
header length, JSON header, raw little-endian tensors) with numpy and torch only; shared by
workloads/train/train.py and tools/pth2safetensors.py."""
import json, os, struct

import numpy as np
import torch


def read_safetensors(path):
    """name -> numpy array (F32/F64/I64/U8) of a safetensors file."""
    dts = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1"}
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        out[name] = np.frombuffer(data[base + b:base + en], dtype=dts[e["dtype"]]).reshape(e["shape"]).copy()
    return out


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


