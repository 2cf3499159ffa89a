#!/usr/bin/env python3
"""Writes the class-balanced Fashion-MNIST subset embedded in the repository (data/fashion-mnist-subset).

Reads the full set (by default from /usr/share/datasets/fashion-mnist, where the Debian package
dataset-fashion-mnist installs it), picks a fixed number of samples per class with a seeded random choice,
keeps them in their original order, and writes the four IDX files gzip-compressed with a zero timestamp and
no file name in the gzip header, so the same input and seed always give byte-identical output.

Standard library only. Usage (from the repository root):
    python3 scripts/make_fashion_subset.py
"""

import argparse
import gzip
import os
import random
import struct
import sys

CLASSES = 10
UNSIGNED_BYTE = 0x08


def read_idx(path, dimensions):
    """Returns (sizes, data bytes) of a gzip-compressed unsigned-byte IDX file, checking its header and length."""
    with gzip.open(path, "rb") as f:
        content = f.read()
    if len(content) < 4 + 4 * dimensions:
        sys.exit(f"{path}: too short for an IDX header")
    zero, type_code, dims = struct.unpack(">HBB", content[:4])
    if zero != 0 or type_code != UNSIGNED_BYTE or dims != dimensions:
        sys.exit(f"{path}: expected magic 0x0000{UNSIGNED_BYTE:02X}{dimensions:02X}, found {content[:4].hex()}")
    sizes = struct.unpack(f">{dimensions}i", content[4:4 + 4 * dimensions])
    data = content[4 + 4 * dimensions:]
    expected = 1
    for size in sizes:
        expected *= size
    if len(data) != expected:
        sys.exit(f"{path}: header promises {expected} bytes of data, file holds {len(data)}")
    return sizes, data


def write_idx(path, sizes, data):
    header = struct.pack(f">HBB{len(sizes)}i", 0, UNSIGNED_BYTE, len(sizes), *sizes)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
        f.write(header + data)


def balanced_choice(labels, per_class, rng):
    """Indices of per_class samples of every class, chosen at random, in ascending order."""
    by_class = [[] for _ in range(CLASSES)]
    for index, label in enumerate(labels):
        by_class[label].append(index)
    chosen = []
    for label, indices in enumerate(by_class):
        if len(indices) < per_class:
            sys.exit(f"class {label} has only {len(indices)} samples, {per_class} requested")
        chosen.extend(rng.sample(indices, per_class))
    return sorted(chosen)


def make_split(source, output, prefix, per_class, rng):
    image_sizes, images = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"), 3)
    label_sizes, labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"), 1)
    if image_sizes[0] != label_sizes[0]:
        sys.exit(f"{prefix}: {image_sizes[0]} images but {label_sizes[0]} labels")
    _, rows, cols = image_sizes
    pixels = rows * cols

    chosen = balanced_choice(labels, per_class, rng)
    write_idx(os.path.join(output, f"{prefix}-images-idx3-ubyte.gz"), (len(chosen), rows, cols),
              b"".join(images[i * pixels:(i + 1) * pixels] for i in chosen))
    write_idx(os.path.join(output, f"{prefix}-labels-idx1-ubyte.gz"), (len(chosen),), bytes(labels[i] for i in chosen))
    print(f"{prefix}: {len(chosen)} of {image_sizes[0]} samples ({per_class} per class)")


def main():
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist", help="directory of the full set")
    parser.add_argument("--output", default=os.path.join(repository, "data", "fashion-mnist-subset"))
    parser.add_argument("--train-per-class", type=int, default=1000)
    parser.add_argument("--test-per-class", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    os.makedirs(args.output, exist_ok=True)
    rng = random.Random(args.seed)
    make_split(args.source, args.output, "train", args.train_per_class, rng)
    make_split(args.source, args.output, "t10k", args.test_per_class, rng)


if __name__ == "__main__":
    main()
