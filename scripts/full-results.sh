#!/usr/bin/env bash
# Runs the main job on full Fashion-MNIST (Debian package dataset-fashion-mnist) with three seeds and prints the
# mean and spread of each model's test accuracy, for docs/results.md. About 30 minutes on 2 cores; each stage's time
# is in runs/full-seed-*/*.dkd.json (per epoch) and the total per seed is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/usr/share/datasets/fashion-mnist}
dotnet build -c Release examples/FashionMnist >/dev/null
for seed in 1 2 3; do
  start=$(date +%s)
  dotnet run -c Release --no-build --project examples/FashionMnist -- run --data "$data" --seed "$seed" --output "runs/full-seed-$seed"
  echo "seed $seed: $(( $(date +%s) - start )) s"
done
python3 scripts/aggregate_results.py runs/full-seed-1 runs/full-seed-2 runs/full-seed-3
