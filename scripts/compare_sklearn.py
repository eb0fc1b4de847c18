#!/usr/bin/env python3
"""Score scikit-learn's baseline on accord's own held-out split and print both side by side.

Baseline: TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2) + LogisticRegression(C=10),
trained per head on the documents of the split's train part that carry that head's label.

usage: scripts/compare_sklearn.py SPLIT_DIR MODEL_INFO_JSON
  SPLIT_DIR        written by `accord train --export-split SPLIT_DIR`
  MODEL_INFO_JSON  written by `accord info --json` for the model trained with the same split
"""
import json
import sys

from sklearn_baseline import read, score


def main():
    split_dir, info_path = sys.argv[1], sys.argv[2]
    train, test = read(f"{split_dir}/train.jsonl"), read(f"{split_dir}/test.jsonl")
    with open(info_path, encoding="utf-8") as f:
        info = json.load(f)
    print("| head | held-out docs | accord accuracy | sklearn accuracy | accord macro-F1 | sklearn macro-F1 |")
    print("|---|---|---|---|---|---|")
    baseline = score(train, test)
    # ModelInfo in the proto3 JSON mapping: camelCase names, zero values left out.
    for head in info["heads"]:
        if "metrics" not in head:
            continue
        name, ours, theirs = head["name"], head["metrics"], baseline[head["name"]]
        print(f"| {name} | {theirs['documents']} | {ours.get('accuracy', 0):.4f} | {theirs['accuracy']:.4f} "
              f"| {ours.get('macroF1', 0):.4f} | {theirs['macro_f1']:.4f} |")


if __name__ == "__main__":
    main()
