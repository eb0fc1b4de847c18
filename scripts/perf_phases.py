#!/usr/bin/env python3
"""The CPU time of an `accord train` profile by phase.

  perf record -e cpu-clock -F 200 --call-graph dwarf -o perf.data accord train --corpus FILE --out DIR
  perf script -i perf.data -F comm,tid,ip,sym > perf.txt
  python3 scripts/perf_phases.py perf.txt

Each sample counts for the innermost frame of its stack that names a phase (the list below,
first match wins); a sample whose innermost frame is the kernel zeroing a page is also
counted under "page zeroing" for its phase.
"""
import collections
import sys

PHASES = [
    ("fit: the loss passes", ["Together::pass", "Objective::chunk", "Objective::binary",
                              "Objective::multinomial", "Objective::dot_products", "softplus", "sigmoid"]),
    ("fit: the rest (L-BFGS, the head's own rows, NB ratios)", ["logistic::", "train::fit::", "argmin::"]),
    ("vectorize", ["Prepared::rows", "RowStore::push", "weigh_features"]),
    ("vocabulary", ["fit_vocabulary", "NumberedTerms", "DocumentFrequency", "VocabularyTable", "select_terms"]),
    ("tokenize", ["Prepared::new", "tokenizer::"]),
    ("read the corpus", ["read_jsonl", "Corpus::load", "read_to_string"]),
    ("calibration", ["calibration::"]),
    ("evaluation", ["evaluation::", "validation::"]),
    ("single-sentence head", ["single_sentence::"]),
    ("write the model", ["Model::save", "write_atomically"]),
]


def phase(stack):
    for frame in stack:
        for name, keys in PHASES:
            if any(key in frame for key in keys):
                return name
    return "other"


def samples(path):
    stack = []
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line[0] in " \t":
            parts = line.strip().split(" ", 1)
            if len(parts) == 2:
                stack.append(parts[1])
    if stack:
        yield stack


def main():
    counts, zeroing = collections.Counter(), collections.Counter()
    for stack in samples(sys.argv[1]):
        name = phase(stack)
        counts[name] += 1
        zeroing[name] += "clear_page" in stack[0]
    total = sum(counts.values())
    print(f"{total} samples")
    print("| phase | samples | share | of which page zeroing |")
    print("|---|---:|---:|---:|")
    for name, n in counts.most_common():
        print(f"| {name} | {n:,} | {100 * n / total:.1f}% | {100 * zeroing[name] / total:.1f}% |")


if __name__ == "__main__":
    main()
