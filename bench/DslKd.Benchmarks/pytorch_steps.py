#!/usr/bin/python3
"""The benchmark's training steps in PyTorch, same shapes and threads, for DslKd.Benchmarks to compare against.

Run by the benchmark program with Debian's PyTorch (apt-get install python3-torch libopenblas0-pthread):
    /usr/bin/python3 pytorch_steps.py <threads> <steps>
Prints one JSON object: median milliseconds per step of each contestant.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
B = 256


def mlp(*sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))


def supervised_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.item()
    loss.backward()
    optimizer.step()


def distillation_step(teacher, student, optimizer, x, y, t=4.0):
    optimizer.zero_grad()
    with torch.no_grad():
        teacher_logits = teacher(x)
    student_logits = student(x)
    kl = F.kl_div(F.log_softmax(student_logits / t, 1), F.log_softmax(teacher_logits / t, 1),
                  reduction="batchmean", log_target=True) * t * t
    loss = 0.5 * kl + 0.5 * F.cross_entropy(student_logits, y)
    loss.item()
    loss.backward()
    optimizer.step()


def blas_kernel():
    """The BLAS library, its kernel (OpenBLAS's 'architecture') and threads, as threadpoolctl reports them."""
    try:
        import threadpoolctl
    except ImportError:
        return "unknown (apt-get install python3-threadpoolctl to name it)"
    pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "none found"
    return "; ".join(f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture')}, {p.get('num_threads')} threads"
                     for p in pools)


def median_ms(step):
    step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


x_flat, x_image, y = torch.randn(B, 784), torch.randn(B, 1, 28, 28), torch.randint(0, 10, (B,))
big, small, wide = mlp(784, 1200, 1200, 10), mlp(784, 128, 10), cnn()
student_flat = nn.Sequential(nn.Flatten(), mlp(784, 128, 10))
big.eval()
wide.eval()
opt_big = torch.optim.Adam(big.parameters(), 1e-3)
opt_small = torch.optim.Adam(small.parameters(), 1e-3)
opt_flat = torch.optim.Adam(student_flat.parameters(), 1e-3)
opt_wide = torch.optim.Adam(wide.parameters(), 1e-3)
results = {
    "mlp_teacher_supervised": median_ms(lambda: supervised_step(big, opt_big, x_flat, y)),
    "mlp_distillation": median_ms(lambda: distillation_step(big, small, opt_small, x_flat, y)),
    "cnn_distillation": median_ms(lambda: distillation_step(wide, student_flat, opt_flat, x_image, y)),
}
wide.train()
results["cnn_teacher_supervised"] = median_ms(lambda: supervised_step(wide, opt_wide, x_image, y))
results["torch"] = torch.__version__
results["blas"] = blas_kernel()
print(json.dumps(results))
