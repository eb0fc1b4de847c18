#!/usr/bin/env python3
"""Agreement between two independent labelling passes of data/news/.

Reads pass1.jsonl and pass2.jsonl (one JSON object per line:
{"id", "labels": {"topic", "stance"}, "domain", "relations": [{"a", "b", "stance", "main"}]})
and prints, over the ids both passes labelled:

  * article stance agreement (accuracy and Cohen's kappa), topic and domain likewise;
  * relation pair agreement as precision/recall/F1, pairs taken as unordered code sets,
    pass 1 as the reference (micro-averaged over all articles);
  * stance agreement on the pairs both passes list;
  * main-pair agreement (F1 over main pairs, and share of articles with identical main sets);
  * the ids where the passes disagree, by field.

Standard library only.  Usage:
    python3 scripts/news_agreement.py [PASS1 [PASS2]]
"""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(os.path.dirname(HERE), "data", "news")


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit("%s:%d: not valid JSON (%s)" % (path, n, e))
            if obj["id"] in out:
                sys.exit("%s:%d: duplicate id %s" % (path, n, obj["id"]))
            out[obj["id"]] = obj
    return out


def kappa(xs, ys):
    """Cohen's kappa for two equally long label lists."""
    n = len(xs)
    if n == 0:
        return float("nan")
    po = sum(1 for x, y in zip(xs, ys) if x == y) / n
    cx, cy = Counter(xs), Counter(ys)
    pe = sum(cx[k] * cy.get(k, 0) for k in cx) / (n * n)
    if pe == 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def pairs(obj, main_only=False):
    """Relations of one article as {frozenset({a, b}): stance}."""
    out = {}
    for r in obj.get("relations") or []:
        if main_only and not r.get("main"):
            continue
        key = frozenset((r["a"], r["b"]))
        out[key] = r["stance"]
    return out


def prf(tp, n_ref, n_hyp):
    p = tp / n_hyp if n_hyp else (1.0 if n_ref == 0 else 0.0)
    r = tp / n_ref if n_ref else (1.0 if n_hyp == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def fmt_pair(k):
    return "-".join(sorted(k))


def main(argv):
    p1_path = argv[1] if len(argv) > 1 else os.path.join(DEFAULT_DIR, "pass1.jsonl")
    p2_path = argv[2] if len(argv) > 2 else os.path.join(DEFAULT_DIR, "pass2.jsonl")
    for p in (p1_path, p2_path):
        if not os.path.exists(p):
            print("missing %s: nothing to compare yet" % p)
            return 0
    a, b = load(p1_path), load(p2_path)
    ids = sorted(set(a) & set(b))
    only1, only2 = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    print("pass 1: %s (%d ids)" % (p1_path, len(a)))
    print("pass 2: %s (%d ids)" % (p2_path, len(b)))
    print("compared: %d ids in both" % len(ids))
    if only1:
        print("  only in pass 1: %d (%s%s)" % (len(only1), ", ".join(only1[:10]), " ..." if len(only1) > 10 else ""))
    if only2:
        print("  only in pass 2: %d (%s%s)" % (len(only2), ", ".join(only2[:10]), " ..." if len(only2) > 10 else ""))
    if not ids:
        return 0

    disagree = {}

    def article_field(name, get):
        xs = [get(a[i]) for i in ids]
        ys = [get(b[i]) for i in ids]
        acc = sum(1 for x, y in zip(xs, ys) if x == y) / len(ids)
        print("%-7s agreement: accuracy %.3f, Cohen's kappa %.3f" % (name, acc, kappa(xs, ys)))
        labels = sorted(set(xs) | set(ys))
        conf = Counter(zip(xs, ys))
        print("         pass1 \\ pass2 " + " ".join("%12s" % l for l in labels))
        for l1 in labels:
            print("         %-13s " % l1 + " ".join("%12d" % conf.get((l1, l2), 0) for l2 in labels))
        disagree[name] = [(i, x, y) for i, x, y in zip(ids, xs, ys) if x != y]

    article_field("stance", lambda o: o["labels"]["stance"])
    article_field("topic", lambda o: o["labels"]["topic"])
    article_field("domain", lambda o: o.get("domain"))

    # relation pairs (unordered), pass 1 as reference
    tp = n_ref = n_hyp = 0
    st_same = st_both = 0
    mtp = mref = mhyp = 0
    main_equal = 0
    rel_dis, st_dis, main_dis = [], [], []
    for i in ids:
        r1, r2 = pairs(a[i]), pairs(b[i])
        k1, k2 = set(r1), set(r2)
        both = k1 & k2
        tp += len(both)
        n_ref += len(k1)
        n_hyp += len(k2)
        if k1 != k2:
            rel_dis.append((i, sorted(fmt_pair(k) for k in k1 - k2), sorted(fmt_pair(k) for k in k2 - k1)))
        for k in both:
            st_both += 1
            if r1[k] == r2[k]:
                st_same += 1
            else:
                st_dis.append((i, fmt_pair(k), r1[k], r2[k]))
        m1, m2 = set(pairs(a[i], True)), set(pairs(b[i], True))
        mtp += len(m1 & m2)
        mref += len(m1)
        mhyp += len(m2)
        if m1 == m2:
            main_equal += 1
        else:
            main_dis.append((i, sorted(fmt_pair(k) for k in m1), sorted(fmt_pair(k) for k in m2)))
    p, r, f = prf(tp, n_ref, n_hyp)
    print("relation pairs (unordered, pass 1 = reference): %d in pass 1, %d in pass 2, %d in both" % (n_ref, n_hyp, tp))
    print("         precision %.3f, recall %.3f, F1 %.3f" % (p, r, f))
    if st_both:
        print("pair stance agreement on the %d pairs both list: %.3f" % (st_both, st_same / st_both))
    else:
        print("pair stance agreement: no pair listed by both passes")
    mp, mr, mf = prf(mtp, mref, mhyp)
    print("main pairs: %d in pass 1, %d in pass 2, %d in both; precision %.3f, recall %.3f, F1 %.3f"
          % (mref, mhyp, mtp, mp, mr, mf))
    print("         articles with identical main-pair sets: %d/%d (%.3f)" % (main_equal, len(ids), main_equal / len(ids)))

    print()
    print("disagreements")
    for name in ("stance", "topic", "domain"):
        rows = disagree[name]
        print("  %s (%d): %s" % (name, len(rows), "none" if not rows else ""))
        for i, x, y in rows:
            print("    %s  pass1=%s  pass2=%s" % (i, x, y))
    print("  relation pairs (%d articles): %s" % (len(rel_dis), "none" if not rel_dis else ""))
    for i, m1, m2 in rel_dis:
        print("    %s  only pass1: %s  only pass2: %s" % (i, ", ".join(m1) or "-", ", ".join(m2) or "-"))
    print("  pair stance (%d pairs): %s" % (len(st_dis), "none" if not st_dis else ""))
    for i, k, s1, s2 in st_dis:
        print("    %s  %s  pass1=%s  pass2=%s" % (i, k, s1, s2))
    print("  main pairs (%d articles): %s" % (len(main_dis), "none" if not main_dis else ""))
    for i, m1, m2 in main_dis:
        print("    %s  pass1: %s  pass2: %s" % (i, ", ".join(m1) or "-", ", ".join(m2) or "-"))
    all_ids = sorted({i for rows in disagree.values() for i, _, _ in rows}
                     | {i for i, _, _ in rel_dis} | {i for i, _, _, _ in st_dis} | {i for i, _, _ in main_dis})
    print("ids with any disagreement (%d): %s" % (len(all_ids), " ".join(all_ids) if all_ids else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
