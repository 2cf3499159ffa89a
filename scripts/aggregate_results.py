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

# How each model was trained (results.json's "Training", written since the report states it): the same recipe, loss
# settings and epochs asked on every seed, or the run is not a repeat of one experiment.
print("\n| Model | Recipe | Loss settings | Epochs asked | Epochs run (per seed) | Kept epoch (per seed) | Stage seed (per seed) |")
print("|---|---|---|---|---|---|---|")
for key in ("Teacher", "StudentAlone", "TextbookDistilled", "Distilled"):
    trainings = [run[key].get("Training") for run in runs]
    if any(t is None for t in trainings):
        print(f"| {runs[0][key]['Name']} | not recorded (results.json written before the report stated it) | | | | | |")
        continue
    first = trainings[0]
    if any((t["Recipe"], t["Loss"], t["EpochsAsked"]) != (first["Recipe"], first["Loss"], first["EpochsAsked"]) for t in trainings):
        sys.exit(f"{key}: the runs used different recipes, loss settings or epochs; they are not seeds of one experiment")
    loss = ", ".join(f"{name} = {value:g}" for name, value in first["Loss"].items()) if first["Loss"] else "cross-entropy with the labels"
    print(f"| {runs[0][key]['Name']} | {first['Recipe']} | {loss} | {first['EpochsAsked']} | "
          f"{', '.join(str(t['EpochsRun']) for t in trainings)} | {', '.join(str(t['KeptEpoch']) for t in trainings)} | "
          f"{', '.join(str(t['Seed']) for t in trainings)} |")
