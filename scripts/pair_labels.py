#!/usr/bin/env python3
"""The labelled actor pairs in sentences (data/relation-sentences/).

  python3 scripts/pair_labels.py build LABELS_DIR data/relation-sentences/pairs.jsonl
      joins the candidates (todo_{A,B,C}.jsonl) with each labeller's passes
      (labels_{A,B,C}.jsonl) into one row per labelled candidate: the sentence, the pair,
      every pass, and the training label (the majority of the passes, else the first pass's by name: A's).
  python3 scripts/pair_labels.py agreement data/relation-sentences/pairs.jsonl
      prints the pairwise agreement (accuracy and Cohen's kappa) of the passes on the
      candidates two or more labelled.
"""
import collections
import json
import os
import sys

LABELS = ("none", "cooperation", "tension")
PASSES = ("A", "B", "C", "D", "E")


def build(labels_dir, out):
    candidates = {}
    present = [name for name in PASSES if os.path.exists(f"{labels_dir}/labels_{name}.jsonl")]
    for name in present:
        for line in open(f"{labels_dir}/todo_{name}.jsonl", encoding="utf-8"):
            row = json.loads(line)
            candidates[row["id"]] = row
    passes = collections.defaultdict(dict)
    for name in present:
        for number, line in enumerate(open(f"{labels_dir}/labels_{name}.jsonl", encoding="utf-8"), 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                print(f"labels_{name}.jsonl line {number}: not JSON, skipped", file=sys.stderr)
                continue
            if row.get("id") not in candidates or row.get("label") not in LABELS:
                print(f"labels_{name}.jsonl line {number}: unknown id or label, skipped", file=sys.stderr)
                continue
            # A candidate labelled twice by one labeller keeps the later label.
            passes[row["id"]][name] = {"label": row["label"], "bad_match": bool(row.get("bad_match"))}
    rows = []
    for id_ in sorted(passes):
        c, given = candidates[id_], passes[id_]
        votes = collections.Counter(p["label"] for p in given.values())
        label, count = votes.most_common(1)[0]
        if count * 2 <= len(given):
            label = given[min(given)]["label"]
        rows.append({
            "id": id_, "doc": c["doc"], "field": c["field"], "sentence": c["sentence"],
            "a": {k: c["a"][k] for k in ("code", "kind", "start", "end")},
            "b": {k: c["b"][k] for k in ("code", "kind", "start", "end")},
            "label": label,
            "passes": {name: p["label"] + ("!" if p["bad_match"] else "") for name, p in sorted(given.items())},
        })
    with open(out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts = collections.Counter(r["label"] for r in rows)
    print(f"{len(rows)} labelled pairs, {len({r['doc'] for r in rows})} documents: {dict(counts)}")


def kappa(pairs, labels=LABELS):
    """Accuracy and Cohen's kappa of two labelers' `pairs` of labels, over `labels`."""
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    first = collections.Counter(x for x, _ in pairs)
    second = collections.Counter(y for _, y in pairs)
    expected = sum(first[label] * second[label] for label in labels) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    strip = lambda label: label.rstrip("!")
    print("| passes | pairs | accuracy | Cohen's kappa | relation-vs-none accuracy | kappa |")
    print("|---|---|---|---|---|---|")
    for i, x in enumerate(PASSES):
        for y in PASSES[i + 1:]:
            both = [(strip(r["passes"][x]), strip(r["passes"][y])) for r in rows if x in r["passes"] and y in r["passes"]]
            if not both:
                continue
            accuracy, k = kappa(both)
            binary = [(a != "none" and "rel" or "none", b != "none" and "rel" or "none") for a, b in both]
            b_accuracy, b_kappa = kappa(binary, ("none", "rel"))
            print(f"| {x}–{y} | {len(both)} | {accuracy:.3f} | {k:.3f} | {b_accuracy:.3f} | {b_kappa:.3f} |")
    multi = [r for r in rows if len(r["passes"]) >= 2]
    unanimous = sum(len({strip(p) for p in r["passes"].values()}) == 1 for r in multi)
    print(f"\n{len(multi)} pairs labelled by two or more passes; all passes agree on {unanimous}.")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "agreement":
        agreement(sys.argv[2])
    else:
        sys.exit(__doc__)
