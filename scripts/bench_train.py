#!/usr/bin/env python3
"""accord train against scikit-learn on generated corpora of growing size (scripts/bench-train).

Each generated article joins two AG News rows of the same topic (title of the first, both
descriptions) and one multi-coped news sentence, in accord's user format with a `topic` and
a `stance` label; the rows are drawn with a seeded generator, so the same seed gives the same
files. Both learners train on the same file in the same run, one after the other, each
timed by /usr/bin/time -v (wall time, CPU time user + system, and peak resident memory; the
load average before each run beside them, since wall time on a shared machine follows it):
  accord train --corpus FILE --out DIR (its default recipe: held-out split, calibration,
  refit on everything), and scikit-learn's TfidfVectorizer(sublinear_tf=True,
  ngram_range=(1, 2), min_df=2) + LogisticRegression(C=10) per head, fitted once.
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

AG_TOPICS = {"1": "world", "2": "sports", "3": "business", "4": "sci_tech"}
STANCES = {"0": "neutral", "1": "cooperation", "2": "cooperation", "3": "tension", "4": "tension"}
SKLEARN = r'''
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for head in ("topic", "stance"):
    rows = [d for d in docs if head in d["labels"]]
    x = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2).fit_transform(
        d["title"] + "\n" + d["text"] for d in rows)
    LogisticRegression(C=10, max_iter=1000).fit(x, [d["labels"][head] for d in rows])
'''


def read_rows(root):
    with open(os.path.join(root, "data/ag-news/train.csv"), encoding="utf-8") as f:
        ag = [(AG_TOPICS[r[0]], r[1], r[2]) for r in csv.reader(f) if r[0] in AG_TOPICS]
    by_topic = {}
    for topic, title, text in ag:
        by_topic.setdefault(topic, []).append((title, text))
    with open(os.path.join(root, "data/multi-coped/train.tsv"), encoding="utf-8") as f:
        sentences = [(t, STANCES[l]) for t, _, l in (line.rstrip("\n").rpartition("\t") for line in f) if l in STANCES]
    return by_topic, sentences


def generate(path, count, seed, by_topic, sentences):
    rng = random.Random(seed)
    topics = sorted(by_topic)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            topic = rng.choice(topics)
            (title, first), (_, second) = rng.choice(by_topic[topic]), rng.choice(by_topic[topic])
            sentence, stance = rng.choice(sentences)
            text = f"{first} {second} {sentence}"
            doc = {"id": f"g{i}", "title": title, "text": text, "labels": {"topic": topic, "stance": stance}}
            out.write(json.dumps(doc) + "\n")
    return os.path.getsize(path)


def timed(command):
    """Runs `command` under /usr/bin/time -v: (wall seconds, CPU seconds as user and system,
    peak RSS in MB, exit code)."""
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = [re.search(rf"{kind} time \(seconds\): ([0-9.]+)", done.stderr) for kind in ("User", "System")]
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
    user, system = (float(m.group(1)) if m else float("nan") for m in cpu)
    return wall, (user, system), int(peak.group(1)) / 1024 if peak else float("nan"), done.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("accord")
    parser.add_argument("--sizes", default="12000,48000,200000")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 articles, accord alone")
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--work", default=None, help="where corpora and models go (default: a new /tmp dir)")
    parser.add_argument("--no-sklearn", action="store_true")
    parser.add_argument("--compare", metavar="BINARY", default=None,
                        help="another accord build, timed on the same file after this one (e.g. main's)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = args.work or tempfile.mkdtemp(prefix="accord-bench-train-")
    os.makedirs(work, exist_ok=True)
    by_topic, sentences = read_rows(root)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = [(n, not args.no_sklearn) for n in sizes] + ([(1_000_000, False)] if args.million else [])
    print(f"corpora and models in {work}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| articles | MB | learner | load | wall s | documents/s | CPU s user + system | peak RSS MB |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for count, with_sklearn in runs:
        path = os.path.join(work, f"articles-{count}.jsonl")
        size = generate(path, count, args.seed, by_topic, sentences) / 1e6
        learners = [("accord", [args.accord, "train", "--corpus", path, "--out", os.path.join(work, f"model-{count}")])]
        if args.compare:
            learners.append((f"accord {args.compare}",
                             [args.compare, "train", "--corpus", path, "--out", os.path.join(work, f"compare-{count}")]))
        if with_sklearn:
            learners.append(("scikit-learn", [sys.executable, "-c", SKLEARN, path]))
        for name, command in learners:
            load = os.getloadavg()[0]
            wall, (user, system), peak, code = timed(command)
            status = "" if code == 0 else f" (exit {code})"
            print(f"| {count:,} | {size:.0f} | {name}{status} | {load:.1f} | {wall:.1f} | {count / wall:,.0f} "
                  f"| {user:.1f} + {system:.1f} | {peak:,.0f} |", flush=True)
        os.remove(path)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
