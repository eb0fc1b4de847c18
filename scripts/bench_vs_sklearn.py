#!/usr/bin/env python3
"""accord classify against scikit-learn on the same articles, in the same run.

The peer is what a user would write instead: TfidfVectorizer(sublinear_tf=True,
ngram_range=(1, 2)) + LogisticRegression per head (topic, stance), trained on the same data/
files, timed on transform + predict_proba for both heads, batched. accord is timed as
`accord classify` end to end (JSON Lines in and out), minus the time the same command takes
on an empty input (model load and process start).

usage: scripts/bench_vs_sklearn.py ACCORD_BINARY [ARTICLES] [ARTICLE_BYTES]
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def training_sets():
    topic, stance = [], []
    with open(f"{DATA}/ag-news/train.csv", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        topic = [(f"{title}\n{text}", label) for label, title, text in rows]
    with open(f"{DATA}/multi-coped/train.tsv", encoding="utf-8") as f:
        stance = [tuple(line.rstrip("\r\n").rsplit("\t", 1)) for line in f if line.strip()]
    with open(f"{DATA}/un-quadclass/en_annotations_quad_multiclass.tsv", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        stance += [(text, label) for text, label in rows]
    return topic, stance


def articles(texts, count, size):
    """Corpus texts joined round-robin into `count` articles of about `size` bytes."""
    out, i = [], 0
    for _ in range(count):
        parts, length = [], 0
        while length < size:
            parts.append(texts[i % len(texts)])
            length += len(parts[-1].encode()) + 1
            i += 1
        out.append(" ".join(parts))
    return out


def time_accord(binary, texts):
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "in.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for n, text in enumerate(texts):
                f.write(json.dumps({"id": str(n), "text": text}) + "\n")
        empty = os.path.join(work, "empty.jsonl")
        open(empty, "w").close()
        best_load = min(run_seconds([binary, "classify", empty]) for _ in range(3))
        best = min(run_seconds([binary, "classify", path]) for _ in range(3))
        return best - best_load, best_load


def run_seconds(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_sklearn(heads, texts):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for vectorizer, classifier in heads:
            classifier.predict_proba(vectorizer.transform(texts))
        best = min(best, time.perf_counter() - start)
    return best


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
    topic, stance = training_sets()
    heads = []
    for data in (topic, stance):
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
        x = vectorizer.fit_transform([t for t, _ in data])
        heads.append((vectorizer, LogisticRegression(C=10, max_iter=1000).fit(x, [l for _, l in data])))
    texts = articles([t for t, _ in topic + stance], count, size)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    accord_seconds, load_seconds = time_accord(binary, texts)
    sklearn_seconds = time_sklearn(heads, texts)
    print(f"{count} articles of about {size} bytes ({megabytes:.1f} MB), best of 3 runs each")
    print("| peer | seconds | MB/s | articles/s |")
    print("|---|---|---|---|")
    for name, seconds in (("accord classify (JSON Lines, model load excluded)", accord_seconds),
                          ("scikit-learn transform + predict_proba, both heads", sklearn_seconds)):
        print(f"| {name} | {seconds:.3f} | {megabytes / seconds:.1f} | {count / seconds:.0f} |")
    print(f"accord model load and process start: {load_seconds * 1000:.0f} ms")
    print(f"ratio: accord is {sklearn_seconds / accord_seconds:.1f}x scikit-learn")


if __name__ == "__main__":
    main()
