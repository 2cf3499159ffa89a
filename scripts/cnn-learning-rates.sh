#!/usr/bin/env bash
# The learning-rate choice of docs/results.md ("A deeper student"): the CNN student alone and the default recipe at
# each rate (--student-learning-rate overrides both recipes' declared rates), student seed 1, each rate in its own
# output folder (a model trained at another rate is a different model, and would replace the one saved in the main
# folder). The teacher and its cached outputs are copied from the main comparison's folder (run
# scripts/cnn-comparison.sh first), so no teacher is trained again.
# Usage: bash scripts/cnn-learning-rates.sh [data folder] [rates...]   (default rates: 0.001 0.002 0.004)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/usr/share/datasets/fashion-mnist}
shift || true
if [ $# -gt 0 ]; then rates=("$@"); else rates=(0.001 0.002 0.004); fi
teacher=runs/fashion-mnist/cnn
[ -f "$teacher/teacher.dkd" ] || { echo "No teacher in $teacher: run scripts/cnn-comparison.sh first." >&2; exit 1; }
dotnet build -c Release -v q -nologo examples/FashionMnist
for rate in "${rates[@]}"; do
  output=runs/fashion-mnist-lr-$rate
  mkdir -p "$output/cnn"
  cp -n "$teacher"/teacher.dkd "$teacher"/teacher.dkd.json "$output/cnn/"
  [ -f "$teacher/teacher-outputs.cache" ] && cp -n "$teacher/teacher-outputs.cache" "$output/cnn/"
  dotnet run -c Release --no-build --project examples/FashionMnist -- compare --pair cnn --data "$data" --seed 1 \
    --output "$output" --student-seeds 1 --student-learning-rate "$rate" --recipes alone SmallCnnStandardizedDistil
done
