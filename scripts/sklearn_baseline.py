#!/usr/bin/env python3
"""scikit-learn's baseline for accord, trained and scored on one split of documents.

Baseline (issue #9): TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2) +
LogisticRegression(C=10), one per head, trained on the documents that carry that head's label.

usage: scripts/sklearn_baseline.py TRAIN.jsonl TEST.jsonl
  Both files in accord's user format ({"id", "title", "text", "labels": {head: label}}).
  Prints {"<head>": {"documents": n, "accuracy": a, "macro_f1": f}, ...} as JSON.
  `accord train --cv K --cv-baseline "python3 scripts/sklearn_baseline.py"` runs it per fold.
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


def baseline():
    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2), LogisticRegression(C=10, max_iter=1000)


def score(train, test):
    """Per head: the baseline trained on `train`, scored on `test`."""
    heads = sorted({head for d in train for head in d.get("labels", {})})
    scores = {}
    for head in heads:
        x_train, y_train = head_data(train, head)
        x_test, y_test = head_data(test, head)
        if not x_test or len(set(y_train)) < 2:
            continue
        vectorizer, classifier = baseline()
        classifier.fit(vectorizer.fit_transform(x_train), y_train)
        predicted = classifier.predict(vectorizer.transform(x_test))
        scores[head] = {
            "documents": len(y_test),
            "accuracy": accuracy_score(y_test, predicted),
            "macro_f1": f1_score(y_test, predicted, average="macro"),
        }
    return scores


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(json.dumps(score(read(sys.argv[1]), read(sys.argv[2]))))


if __name__ == "__main__":
    main()
