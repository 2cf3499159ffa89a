#!/usr/bin/env python3
"""Mean and spread of test accuracy over several runs of the Fashion-MNIST main job (their results.json files)."""
import json
import statistics
import sys

runs = [json.load(open(f"{folder}/results.json")) for folder in sys.argv[1:]]
print(f"Runs: {len(runs)} ({', '.join(sys.argv[1:])})")
print(f"Data: {runs[0]['Data']}\n")
print("| Model | Test accuracy, mean | Spread (sample std) | Per seed |")
print("|---|---|---|---|")
for key in ("Teacher", "StudentAlone", "TextbookDistilled", "Distilled"):
    values = [run[key]["Test"]["Accuracy"] * 100 for run in runs]
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    print(f"| {runs[0][key]['Name']} | {statistics.mean(values):.2f}% | {spread:.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
for key, label in (("TextbookDistilled", "Textbook KD"), ("Distilled", "Tuned KD (the default recipe)")):
    gains = [run[key]["Test"]["Accuracy"] * 100 - run["StudentAlone"]["Test"]["Accuracy"] * 100 for run in runs]
    print(f"\n{label}: gain over the student alone {statistics.mean(gains):+.2f} points "
          f"(per seed: {', '.join(f'{g:+.2f}' for g in gains)})")
