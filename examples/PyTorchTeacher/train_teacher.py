#!/usr/bin/python3
"""Trains the example's teacher in PyTorch, as a PyTorch user would, and saves it for DslKd.

A small CNN on the Fashion-MNIST subset embedded in the repository (data/fashion-mnist-subset: 10,000 training and 2,000
test images), preprocessed exactly as DslKd's FashionMnist.Load does (x / 255, then (x - 0.2860) / 0.3530), two epochs of
Adam. Writes, beside this script in teacher/:
  fashion_cnn.safetensors   the state_dict, PyTorch's names (features.0.weight, classifier.1.bias, ...)
  fashion_cnn.traced.pt     torch.jit.trace of the model in eval mode (the opaque-teacher route)
  fashion_cnn.json          PyTorch's test accuracy and the logits of the first 4 test images, which the example
                            reproduces after loading the weights into its DslKd declaration
Run from the repository root (seconds on 2 cores): /usr/bin/python3 examples/PyTorchTeacher/train_teacher.py
It needs PyTorch (Debian's python3-torch) and numpy; safetensors is written here, Debian has no package for it.
"""
import gzip
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "fashion-mnist-subset")
MEAN, STD = 0.2860, 0.3530
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    images = torch.from_numpy(idx(f"{split}-images-idx3-ubyte.gz").copy()).float().div(255).sub(MEAN).div(STD).unsqueeze(1)
    labels = torch.from_numpy(idx(f"{split}-labels-idx1-ubyte.gz").copy()).long()
    return images, labels


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def save_safetensors(tensors, path):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    model = FashionCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        order = torch.randperm(len(train_x))
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
    accuracy = (logits.argmax(1) == test_y).float().mean().item()
    out = os.path.join(HERE, "teacher")
    os.makedirs(out, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(out, "fashion_cnn.safetensors"))
    torch.jit.trace(model, test_x[:4]).save(os.path.join(out, "fashion_cnn.traced.pt"))
    with open(os.path.join(out, "fashion_cnn.json"), "w") as f:
        json.dump({"torch": torch.__version__, "test_accuracy": accuracy, "first_logits": logits[:4].tolist()}, f, indent=1)
        f.write("\n")
    print(f"teacher: test accuracy {accuracy:.4f} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
