#!/usr/bin/env python3
"""scikit-learn's baseline for accord, trained and scored on one split of documents.

Baseline: TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2) +
LogisticRegression(C=10), one per head, trained on the documents that carry that head's label.

usage: scripts/sklearn_baseline.py TRAIN.jsonl TEST.jsonl
  Both files in accord's user format ({"id", "title", "text", "labels": {head: label}}).
  Prints {"<head>": {"documents": n, "accuracy": a, "macro_f1": f}, ...} as JSON, and for a
  head with a "neutral" label also "<head> (non-neutral)": the test documents labeled with
  another label, each predicted as the most likely label other than neutral (how accord's
  model card scores whole articles' stance).
  `accord train --cv K --cv-baseline "python3 scripts/sklearn_baseline.py"` runs it per fold.
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

NEUTRAL = "neutral"


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
        probabilities = classifier.predict_proba(vectorizer.transform(x_test))
        labels = list(classifier.classes_)
        predicted = [labels[i] for i in probabilities.argmax(axis=1)]
        scores[head] = figures(y_test, predicted)
        if NEUTRAL in labels and len(labels) > 2:
            others = [i for i, label in enumerate(labels) if label != NEUTRAL]
            kept = [i for i, y in enumerate(y_test) if y != NEUTRAL]
            if kept:
                predicted = [labels[max(others, key=lambda j: probabilities[i][j])] for i in kept]
                scores[f"{head} (non-neutral)"] = figures([y_test[i] for i in kept], predicted)
    return scores


def figures(truth, predicted):
    """Accuracy and macro-F1 over the labels that occur in `truth` or `predicted`."""
    return {
        "documents": len(truth),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro"),
    }


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(json.dumps(score(read(sys.argv[1]), read(sys.argv[2]))))


if __name__ == "__main__":
    main()
