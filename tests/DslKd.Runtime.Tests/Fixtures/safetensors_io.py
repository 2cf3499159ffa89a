"""The safetensors format, read and written with PyTorch alone (Debian has no safetensors module): a u64 little-endian
header length, a JSON header, the tensors' bytes. Shared by the fixture scripts beside it."""
import json
import struct

import numpy as np
import torch

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
TORCH_DTYPES = {v: k for k, v in DTYPES.items()}


def save_safetensors(tensors, path, metadata=None):
    """The safetensors layout: u64 little-endian header length, a JSON header (name -> dtype, shape, data_offsets,
    optional __metadata__ of strings) padded with spaces to a multiple of 8, then the tensors' bytes, C order."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = TORCH_DTYPES[entry["dtype"]]
        array = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=torch.empty(0, dtype=dtype).numpy().dtype)
        out[name] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return out
