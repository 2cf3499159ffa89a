#!/usr/bin/python3
"""PyTorch's own sequence modules as the reference for DslKd's (SequencePeerTests).

Usage: sequence_peer.py <manifest.json>

The manifest lists cases: {"name", "kind", "config", "input": <file>}. Each input file (safetensors) holds the DslKd
module's state_dict under its own keys plus the case's tensors ("input", and "lengths" or "mask" where padding applies).
For each case this script builds PyTorch's module, loads the state_dict with strict=True (so DslKd's key names and
shapes must be PyTorch's), runs it in eval mode and writes <name>.out.safetensors next to the input: the outputs, and
"parameters", PyTorch's own parameter count. Runs with Debian's python3-torch (PyTorch 1.13).
"""
import json
import math
import os
import sys

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import load_safetensors, save_safetensors  # beside this script


def split(tensors, case_keys):
    """The case's own tensors (input, lengths, ...) and the module's state_dict (everything else)."""
    case = {k: tensors.pop(k) for k in case_keys if k in tensors}
    return case, tensors


def count(module):
    return torch.tensor(sum(p.numel() for p in module.parameters()), dtype=torch.int64)


def recurrent(config, tensors):
    case, state = split(tensors, ["input", "lengths"])
    cls = nn.LSTM if config["cell"] == "lstm" else nn.GRU
    module = cls(config["input"], config["hidden"], config["layers"], batch_first=True, bidirectional=config["bidirectional"])
    module.load_state_dict(state, strict=True)
    module.eval()
    x = case["input"]
    with torch.no_grad():
        if "lengths" in case:
            packed = pack_padded_sequence(x, case["lengths"], batch_first=True, enforce_sorted=False)
            output, state_n = module(packed)
            output, _ = pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
        else:
            output, state_n = module(x)
    h = state_n[0] if config["cell"] == "lstm" else state_n
    last = torch.cat([h[-2], h[-1]], 1) if config["bidirectional"] else h[-1]
    return {"sequence": output, "last": last, "parameters": count(module)}


def transformer(config, tensors):
    case, state = split(tensors, ["input", "mask"])
    layer = nn.TransformerEncoderLayer(config["dimensions"], config["heads"], config["feedForward"], dropout=0.1,
                                       activation=config["activation"], batch_first=True, norm_first=config["normFirst"])
    # enable_nested_tensor off: the fast path would write zeros at padded positions; the outputs are compared everywhere.
    module = nn.TransformerEncoder(layer, config["layers"], enable_nested_tensor=False)
    module.load_state_dict(state, strict=True)
    module.eval()
    with torch.no_grad():
        output = module(case["input"], src_key_padding_mask=case.get("mask"))
    return {"output": output, "parameters": count(module)}


def embedding(config, tensors):
    case, state = split(tensors, ["input", "upstream"])
    module = nn.Embedding(config["vocabulary"], config["dimensions"], padding_idx=config["paddingIndex"])
    module.load_state_dict(state, strict=True)
    output = module(case["input"])
    (output * case["upstream"]).sum().backward()
    return {"output": output.detach(), "gradient": module.weight.grad, "parameters": count(module)}


def pooling(config, tensors):
    x = tensors["input"]
    if config["kernel"] == 0:
        lengths = tensors["lengths"]
        rows = []
        for i in range(x.shape[0]):
            steps = x[i, :int(lengths[i])]
            if steps.shape[0] == 0:
                rows.append(torch.zeros(x.shape[2]))
            else:
                rows.append(steps.max(0).values if config["pooling"] == "max" else steps.mean(0))
        return {"output": torch.stack(rows)}
    cls = nn.MaxPool1d if config["pooling"] == "max" else nn.AvgPool1d
    module = cls(config["kernel"], stride=config["stride"])
    return {"output": module(x.transpose(1, 2)).transpose(1, 2)}


def positional(config, tensors):
    # The PyTorch tutorial's PositionalEncoding (exp/log form of 1 / 10000^(2i/d)).
    length, d = config["length"], config["dimensions"]
    position = torch.arange(length).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)[:, :d // 2]
    return {"encoding": pe}


KINDS = {"recurrent": recurrent, "transformer": transformer, "embedding": embedding, "pooling": pooling, "positional": positional}


def main():
    manifest_path = sys.argv[1]
    with open(manifest_path) as f:
        manifest = json.load(f)
    directory = os.path.dirname(os.path.abspath(manifest_path))
    torch.manual_seed(0)
    for case in manifest:
        tensors = load_safetensors(os.path.join(directory, case["input"]))
        outputs = KINDS[case["kind"]](case["config"], tensors)
        save_safetensors(outputs, os.path.join(directory, case["name"] + ".out.safetensors"))
    print("ok", len(manifest), torch.__version__)


if __name__ == "__main__":
    main()
