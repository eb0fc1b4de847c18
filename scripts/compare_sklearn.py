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

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def head_data(docs, head):
    rows = [d for d in docs if head in d.get("labels", {})]
    return [(d.get("title", "") + "\n" + d["text"]) for d in rows], [d["labels"][head] for d in rows]


def main():
    split_dir, info_path = sys.argv[1], sys.argv[2]
    train, test = read(f"{split_dir}/train.jsonl"), read(f"{split_dir}/test.jsonl")
    with open(info_path, encoding="utf-8") as f:
        info = json.load(f)
    print("| head | held-out docs | accord accuracy | sklearn accuracy | accord macro-F1 | sklearn macro-F1 |")
    print("|---|---|---|---|---|---|")
    for evaluation in info["evaluation"]:
        head = evaluation["head"]
        x_train, y_train = head_data(train, head)
        x_test, y_test = head_data(test, head)
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
        classifier = LogisticRegression(C=10, max_iter=1000)
        classifier.fit(vectorizer.fit_transform(x_train), y_train)
        predicted = classifier.predict(vectorizer.transform(x_test))
        print(f"| {head} | {len(y_test)} | {evaluation['accuracy']:.4f} | {accuracy_score(y_test, predicted):.4f} "
              f"| {evaluation['macro_f1']:.4f} | {f1_score(y_test, predicted, average='macro'):.4f} |")


if __name__ == "__main__":
    main()
