#!/usr/bin/env python3
"""Writes the golden input: JSON Lines articles for `accord classify`, from the repository's
data. The seeds (title = first line), the 122 validation articles, and every 20th AG News
row, every 10th Multi-CoPED sentence and every 60th UN sentence: 661 articles of one to
many sentences. Deterministic: the same data gives the same file.

Usage: scripts/golden_input.py > tests/golden/input.jsonl
"""
import csv
import json
import pathlib
import sys

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def rows():
    for line in (DATA / "seeds" / "labels.jsonl").read_text().splitlines():
        name = json.loads(line)["file"]
        title, _, text = (DATA / "seeds" / name).read_text().partition("\n")
        yield {"id": f"seed-{name}", "title": title, "text": text}
    for line in (DATA / "articles" / "articles.jsonl").read_text().splitlines():
        article = json.loads(line)
        yield {"id": article["id"], "title": article["title"], "text": article["text"]}
    with open(DATA / "ag-news" / "train.csv", newline="") as file:
        for i, row in enumerate(csv.DictReader(file)):
            if i % 20 == 0:
                yield {"id": f"ag-{i}", "title": row["title"], "text": row["description"]}
    with open(DATA / "multi-coped" / "train.tsv", newline="") as file:
        for i, line in enumerate(file):
            if i % 10 == 0:
                yield {"id": f"coped-{i}", "text": line.rsplit("\t", 1)[0]}
    with open(DATA / "un-quadclass" / "en_annotations_quad_multiclass.tsv", newline="") as file:
        for i, line in enumerate(file):
            if i > 0 and i % 60 == 0:
                yield {"id": f"un-{i}", "text": line.rsplit("\t", 1)[0]}


for row in rows():
    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
