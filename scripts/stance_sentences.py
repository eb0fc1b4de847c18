#!/usr/bin/env python3
"""Stance rows for the AG News sentences of data/relation-sentences/ (data/ag-news-stance/).

  python3 scripts/stance_sentences.py data/relation-sentences/pairs.jsonl \
      data/ag-news-stance/sentences.jsonl [--neutral]

Reads the labeled actor pairs of the `ag-` documents (AG News train items, news text that
no stance source holds) and gives each sentence one stance from its pairs' labels:
- one or more pairs `cooperation`, none `tension` -> cooperation;
- one or more pairs `tension`, none `cooperation` -> tension;
- both -> left out (the sentence reports both; which one it stresses is not recorded);
- every pair `none` -> left out, or `neutral` with --neutral. A sentence whose gazetteer
  actors do not relate may still report a relation with an actor the gazetteer does not
  name ("insurgents", "rebels"): on Multi-CoPED's sentences (`mc-` pairs) only 19 of the
  142 whose pairs are all `none` carry Multi-CoPED's neutral label.
A pair labeled `none` beside a cooperation or tension pair does not change the sentence's
label: the sentence still reports that relation.

Writes accord's user format, one sentence a line:
{"id": "ag-0527:title", "text": "...", "labels": {"stance": "tension"}}
(`ag-NNNN:title`, or `ag-NNNN:text:K` for the K-th labeled sentence of the item's text,
in the order of pairs.jsonl), sorted by id.
"""
import collections
import json
import sys


def sentence_stance(labels, neutral):
    """The stance of a sentence from its pairs' labels, or None to leave it out."""
    related = set(labels) - {"none"}
    if not related:
        return "neutral" if neutral else None
    if len(related) == 1:
        return related.pop()
    return None


def rows(pairs_path, neutral):
    sentences = collections.OrderedDict()
    for line in open(pairs_path, encoding="utf-8"):
        pair = json.loads(line)
        if not pair["doc"].startswith("ag-"):
            continue
        key = (pair["doc"], pair["field"], pair["sentence"])
        sentences.setdefault(key, []).append(pair["label"])
    numbers = collections.Counter()
    out = []
    for (doc, field, sentence), labels in sentences.items():
        if field == "title":
            id_ = f"{doc}:title"
        else:
            numbers[doc] += 1
            id_ = f"{doc}:text:{numbers[doc]}"
        stance = sentence_stance(labels, neutral)
        if stance is not None:
            out.append({"id": id_, "text": sentence, "labels": {"stance": stance}})
    return sorted(out, key=lambda row: row["id"])


def main(argv):
    args = [a for a in argv if a != "--neutral"]
    if len(args) != 2:
        sys.exit(__doc__)
    written = rows(args[0], neutral="--neutral" in argv)
    with open(args[1], "w", encoding="utf-8") as f:
        for row in written:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = collections.Counter(row["labels"]["stance"] for row in written)
    print(f"{len(written)} sentences: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main(sys.argv[1:])
