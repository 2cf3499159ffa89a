#!/usr/bin/python3
"""PyTorch-side fixtures for importing weights, TorchScript teachers and saving students back (docs/own-teacher-and-data.md).

Builds two small models in PyTorch with PyTorch's own module names:
  small_cnn:    features = Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU, MaxPool2d(2)),
                classifier = Linear(64, 3); input [1, 8, 8].
  tiny_resnet:  mdistiller's CIFAR ResNet layout at toy size: conv1/bn1, layer1 (one BasicBlock 4 -> 4),
                layer2 (BasicBlock 4 -> 8 with stride 2 and a downsample = Sequential(1x1 conv, BN), then 8 -> 8),
                AvgPool2d(4), fc(8 -> 5); input [3, 8, 8]. Module names are mdistiller's (conv1, bn1, layerN.U.conv1,
                layerN.U.downsample.0, fc), so the same [PyTorchName] rules map this model and the zoo's ResNet-8x4.
Their BatchNorm running statistics are made non-trivial by three forward passes in training mode (num_batches_tracked
is then 3). For each model it writes, beside this script in import/:
  <model>.pt            torch.save(model.state_dict())                        (a zip with a pickle)
  <model>.safetensors   the same state_dict in the safetensors format         (written here: Debian has no safetensors)
  <model>.traced.pt     torch.jit.trace(model.eval(), input)                  (TorchScript)
  <model>.io.safetensors  "input": fixed inputs [4, ...], "logits": the eval-mode outputs, float32
and small_cnn.scripted.pt (torch.jit.script). With --mdistiller <path to mdistiller's models/cifar/resnet.py> it also
writes mdistiller_resnet8x4.header.json: the names, dtypes and shapes of mdistiller's resnet8x4 state_dict (no values),
from mdistiller's own code, which the tests map onto examples/ModelZoo's ResNet8x4 declaration. Nothing of mdistiller
is committed.

--check-student <file.pt|.safetensors> loads a student that DslKd saved back into tiny_resnet with load_state_dict
(strict) and prints its eval-mode logits on the fixed inputs as JSON: the tests call it to prove a Python user can load it.

Regenerate from the repository root:
    /usr/bin/python3 tests/DslKd.Runtime.Tests/Fixtures/make_import_fixtures.py [--mdistiller path/to/resnet.py]
It needs PyTorch (Debian's python3-torch).
"""
import argparse
import importlib.util
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import DTYPES, load_safetensors, save_safetensors  # beside this script

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "import")


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class BasicBlock(nn.Module):
    """A ResNet basic block with mdistiller's attribute names (written here, not imported)."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        residual = x if self.downsample is None else self.downsample(x)
        return F.relu(out + residual)


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.layer1 = nn.Sequential(BasicBlock(4, 4))
        self.layer2 = nn.Sequential(BasicBlock(4, 8, stride=2), BasicBlock(8, 8))
        self.avgpool = nn.AvgPool2d(4)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomise_batchnorm(model):
    """BatchNorm scale and shift away from 1 and 0, running statistics from three training-mode passes."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


def build(name, model, input_shape):
    torch.manual_seed(1)
    randomise_batchnorm(model)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, *input_shape) * 2 + 0.5)
    model.eval()
    inputs = torch.randn(4, *input_shape)
    with torch.no_grad():
        logits = model(inputs)
    state = model.state_dict()
    torch.save(state, os.path.join(HERE, name + ".pt"))
    save_safetensors(state, os.path.join(HERE, name + ".safetensors"), {"format": "pt"})
    save_safetensors({"input": inputs, "logits": logits}, os.path.join(HERE, name + ".io.safetensors"))
    traced = torch.jit.trace(model, inputs)
    traced.save(os.path.join(HERE, name + ".traced.pt"))
    return model, inputs, logits


def mdistiller_header(resnet_py):
    spec = importlib.util.spec_from_file_location("mdistiller_resnet", resnet_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.resnet8x4(num_classes=100)
    header = {name: {"dtype": DTYPES[t.dtype], "shape": list(t.shape)} for name, t in model.state_dict().items()}
    with open(os.path.join(HERE, "mdistiller_resnet8x4.header.json"), "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")


def check_student(path):
    """Loads a DslKd-saved student into TinyResNet with strict load_state_dict; prints its logits on the fixed inputs."""
    model = TinyResNet()
    state = load_safetensors(path) if path.endswith(".safetensors") else torch.load(path)
    model.load_state_dict(state, strict=True)
    model.eval()
    inputs = load_safetensors(os.path.join(HERE, "tiny_resnet.io.safetensors"))["input"]
    with torch.no_grad():
        logits = model(inputs)
    print(json.dumps({"keys": sorted(state.keys()), "logits": logits.tolist(),
                      "num_batches_tracked": int(model.bn1.num_batches_tracked)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mdistiller", help="path to mdistiller's models/cifar/resnet.py (optional)")
    parser.add_argument("--check-student", help="load a DslKd-saved tiny_resnet student and print its logits")
    args = parser.parse_args()
    if args.check_student:
        check_student(args.check_student)
        return
    os.makedirs(HERE, exist_ok=True)
    torch.manual_seed(0)
    cnn, inputs, _ = build("small_cnn", SmallCnn(), (1, 8, 8))
    torch.jit.script(cnn).save(os.path.join(HERE, "small_cnn.scripted.pt"))
    torch.manual_seed(0)
    build("tiny_resnet", TinyResNet(), (3, 8, 8))
    if args.mdistiller:
        mdistiller_header(args.mdistiller)
    print("torch", torch.__version__, "wrote", sorted(os.listdir(HERE)), file=sys.stderr)


if __name__ == "__main__":
    main()
