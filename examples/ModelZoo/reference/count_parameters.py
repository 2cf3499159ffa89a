#!/usr/bin/python3
"""Trainable-parameter counts of mdistiller's CIFAR models, counted by PyTorch itself.

The zoo's tests (tests/DslKd.Runtime.Tests/ModelZooTests.cs) compare each DslKd declaration's compile-time
ParameterCount with these numbers. Regenerate with Debian's PyTorch (apt-get install python3-torch) and a checkout of
mdistiller (https://github.com/megvii-research/mdistiller), a clone or a bare git directory:

    /usr/bin/python3 examples/ModelZoo/reference/count_parameters.py --mdistiller <path> > examples/ModelZoo/reference/parameter_counts.json

The model files are read from the checkout's HEAD (git show) and imported one by one; nothing of mdistiller is copied
into this repository.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import torch

MODELS = {  # DslKd class -> (mdistiller file, constructor, arguments)
    "ResNet32x4": ("resnet.py", "resnet32x4", {}),
    "ResNet8x4": ("resnet.py", "resnet8x4", {}),
    "ResNet56": ("resnet.py", "resnet56", {}),
    "ResNet20": ("resnet.py", "resnet20", {}),
    "Wrn40x2": ("wrn.py", "wrn_40_2", {}),
    "Wrn16x2": ("wrn.py", "wrn_16_2", {}),
    "Vgg13Bn": ("vgg.py", "vgg13_bn", {}),
    "Vgg8Bn": ("vgg.py", "vgg8_bn", {}),
    "MobileNetV2Half": ("mobilenetv2.py", "mobile_half", {}),
}


def source(checkout, path):
    git_dir = checkout if os.path.isfile(os.path.join(checkout, "HEAD")) else os.path.join(checkout, ".git")
    return subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + path], check=True, capture_output=True, text=True).stdout


def commit(checkout):
    git_dir = checkout if os.path.isfile(os.path.join(checkout, "HEAD")) else os.path.join(checkout, ".git")
    return subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mdistiller", required=True)
    args = parser.parse_args()
    counts = {}
    with tempfile.TemporaryDirectory() as folder:
        modules = {}
        for name, (file, factory, kwargs) in MODELS.items():
            if file not in modules:
                path = os.path.join(folder, file)
                with open(path, "w") as handle:
                    handle.write(source(args.mdistiller, "mdistiller/models/cifar/" + file))
                spec = importlib.util.spec_from_file_location(file[:-3], path)
                module = importlib.util.module_from_spec(spec)
                stdout = sys.stdout
                sys.stdout = sys.stderr  # mobilenetv2.py prints its settings
                try:
                    spec.loader.exec_module(module)
                finally:
                    sys.stdout = stdout
                modules[file] = module
            stdout = sys.stdout
            sys.stdout = sys.stderr
            try:
                model = getattr(modules[file], factory)(num_classes=100, **kwargs) if factory != "mobile_half" else getattr(modules[file], factory)(100)
            finally:
                sys.stdout = stdout
            model.eval()
            with torch.no_grad():
                logits = model(torch.zeros(2, 3, 32, 32))[0]
            counts[name] = {
                "mdistiller": factory,
                "trainableParameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
                "outputShape": list(logits.shape),
            }
    json.dump({"source": "https://github.com/megvii-research/mdistiller", "commit": commit(args.mdistiller),
               "torch": torch.__version__, "inputShape": [3, 32, 32], "classes": 100, "models": counts},
              sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
