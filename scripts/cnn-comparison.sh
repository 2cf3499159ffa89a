#!/usr/bin/env bash
# Issue 18's comparison on full Fashion-MNIST (Debian package dataset-fashion-mnist): the CNN pair's ResNet teacher
# (seed 1), then the CNN student alone and the five distillation recipes of issue 18's table (plain KD, DKD, KD on
# standardized logits, attention transfer, and the last two combined) for student seeds 1, 2 and 3, with one budget.
# Writes runs/fashion-mnist/cnn/comparison/comparison.md (and .json). Resumable: a killed run keeps every finished
# model and the epoch checkpoint of the one in progress; run it again to go on.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/usr/share/datasets/fashion-mnist}
dotnet build -c Release -v q -nologo examples/FashionMnist
dotnet run -c Release --no-build --project examples/FashionMnist -- compare --pair cnn --data "$data" --seed 1 \
  --student-seeds 1 2 3 \
  --recipes alone SmallCnnDistil SmallCnnDecoupledDistil SmallCnnStandardizedDistil SmallCnnAttentionDistil SmallCnnCombinedDistil
