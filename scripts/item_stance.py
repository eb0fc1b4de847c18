#!/usr/bin/env python3
"""Whole AG News items with the stance labeled by hand (data/ag-news-items/).

  python3 scripts/item_stance.py passes LABELS_DIR data/ag-news-items/passes.jsonl
      joins the labelers' files (labels_A.jsonl, labels_B.jsonl, ...: {"id", "stance"} a
      line) into one row per item with every pass's label, sorted by id.
  python3 scripts/item_stance.py build data/ag-news-items/passes.jsonl \
      data/ag-news/train.csv data/ag-news-items/items.jsonl
      writes accord's user format, one item a line, {"id", "title", "text", "labels":
      {"stance"}}: an item labeled by one pass takes its label; by two or more, the label
      they all give, and it is left out when they differ.
  python3 scripts/item_stance.py agreement data/ag-news-items/passes.jsonl
      prints, for each two passes, the items both labeled, their accuracy and Cohen's kappa.
  python3 scripts/item_stance.py score data/ag-news-items/items.jsonl [ACCORD_BINARY ARGS...]
      classifies the items with `accord classify` (default target/release/accord, the
      shipped model; extra arguments such as `--model-file F` are passed on) and prints the
      stance's confusion, 3-class macro-F1 and accuracy, and the cooperation-vs-tension
      macro-F1 on the items labeled with either (the larger of the two probabilities).

`ag-NNNN` is the item's data row of data/ag-news/train.csv, from 1 after the header; the
text is its description with the file's `\\` line breaks read as spaces, as accord reads it.
"""
import collections
import csv
import glob
import itertools
import json
import os
import subprocess
import sys

from pair_labels import kappa

LABELS = ("cooperation", "tension", "neutral")


def passes(labels_dir, out):
    rows = collections.defaultdict(dict)
    for path in sorted(glob.glob(f"{labels_dir}/labels_*.jsonl")):
        name = os.path.basename(path)[len("labels_"):-len(".jsonl")]
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                print(f"{path} line {number}: not JSON, skipped", file=sys.stderr)
                continue
            if row.get("stance") not in LABELS or not str(row.get("id", "")).startswith("ag-"):
                print(f"{path} line {number}: unknown id or label, skipped", file=sys.stderr)
                continue
            # An item labeled twice by one labeler keeps the later label.
            rows[row["id"]][name] = row["stance"]
    with open(out, "w", encoding="utf-8") as f:
        for id_ in sorted(rows):
            f.write(json.dumps({"id": id_, "passes": dict(sorted(rows[id_].items()))}) + "\n")


def agreed(given):
    labels = set(given.values())
    return labels.pop() if len(labels) == 1 else None


def build(passes_path, train_csv, out):
    with open(train_csv, encoding="utf-8", newline="") as f:
        items = list(csv.reader(f))[1:]
    written = left_out = 0
    with open(out, "w", encoding="utf-8") as f:
        for line in open(passes_path, encoding="utf-8"):
            row = json.loads(line)
            label = agreed(row["passes"])
            if label is None:
                left_out += 1
                continue
            title, text = items[int(row["id"][3:]) - 1][1:3]
            item = {"id": row["id"], "title": title, "text": text.replace("\\", " "), "labels": {"stance": label}}
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} items written, {left_out} left out (the passes differ)", file=sys.stderr)


def agreement(passes_path):
    rows = [json.loads(line)["passes"] for line in open(passes_path, encoding="utf-8")]
    names = sorted({name for row in rows for name in row})
    print("| passes | items | accuracy | Cohen's kappa | cooperation-vs-tension items | accuracy |")
    print("|---|---|---|---|---|---|")
    for x, y in itertools.combinations(names, 2):
        pairs = [(row[x], row[y]) for row in rows if x in row and y in row]
        if not pairs:
            continue
        observed, k = kappa(pairs, LABELS)
        related = [(a, b) for a, b in pairs if "neutral" not in (a, b)]
        both = sum(a == b for a, b in related) / len(related) if related else float("nan")
        print(f"| {x}–{y} | {len(pairs)} | {observed:.3f} | {k:.3f} | {len(related)} | {both:.3f} |")


def macro_f1(confusion, labels):
    scores = []
    for label in labels:
        hits = confusion[(label, label)]
        said = sum(confusion[(other, label)] for other in labels)
        truth = sum(confusion[(label, other)] for other in labels)
        precision, recall = hits / said if said else 0.0, hits / truth if truth else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def score(items_path, command):
    items = [json.loads(line) for line in open(items_path, encoding="utf-8")]
    given = "".join(json.dumps({k: item[k] for k in ("id", "title", "text")}) + "\n" for item in items)
    command = command or ["target/release/accord"]
    run = subprocess.run([command[0], "classify", *command[1:], "-"], input=given, capture_output=True,
                         text=True, check=True)
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    three, two = collections.Counter(), collections.Counter()
    for item, answer in zip(items, answers, strict=True):
        truth, stance = item["labels"]["stance"], answer["predictions"]["stance"]
        three[(truth, stance["label"])] += 1
        if truth != "neutral":
            p = {entry["label"]: entry["probability"] for entry in stance["probabilities"]}
            two[(truth, "tension" if p["tension"] >= p["cooperation"] else "cooperation")] += 1
    print("| labeled \\ answered | " + " | ".join(LABELS) + " |")
    print("|---|" + "---|" * len(LABELS))
    for truth in LABELS:
        print(f"| {truth} | " + " | ".join(str(three[(truth, said)]) for said in LABELS) + " |")
    right = sum(three[(label, label)] for label in LABELS)
    print(f"\n{len(items)} items: 3-class macro-F1 {macro_f1(three, LABELS):.4f}, accuracy {right / len(items):.4f}; "
          f"cooperation-vs-tension macro-F1 {macro_f1(two, LABELS[:2]):.4f} on {sum(two.values())} items")


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    if command == "passes" and len(args) == 2:
        passes(*args)
    elif command == "build" and len(args) == 3:
        build(*args)
    elif command == "agreement" and len(args) == 1:
        agreement(*args)
    elif command == "score" and args:
        score(args[0], args[1:])
    else:
        sys.exit(__doc__)
