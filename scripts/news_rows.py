#!/usr/bin/env python3
"""Rows for the stance head made from data/news's own stories, by halves (tried, not adopted).

  python3 scripts/news_rows.py sentences|articles data/news/articles.jsonl OUT_DIR

Writes OUT_DIR/even.jsonl and OUT_DIR/odd.jsonl (the stories at even and odd positions) and
OUT_DIR/rows-even.jsonl, OUT_DIR/rows-odd.jsonl: with `sentences`, each sentence (as the
served model splits it) that names both actors of a pair labeled in its story, all such
pairs of one stance, labeled with it; with `articles`, each story whole with its stance.
"""
import json
import subprocess
import sys

ACCORD = ["target/release/accord", "classify", "--relations", "--sentences"]


def answers(stories):
    lines = "".join(json.dumps({"id": s["id"], "title": s["title"], "text": s["text"]}) + "\n" for s in stories)
    out = subprocess.run(ACCORD, input=lines.encode(), capture_output=True, check=True).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def sentence_rows(story, answer):
    fields = {"FIELD_TITLE": story["title"].encode(), "FIELD_TEXT": story["text"].encode()}
    mentions = [(m.get("field", "FIELD_TEXT"), m.get("start", 0), actor["code"])
                for actor in answer.get("actors", []) for m in actor["mentions"]]
    pairs = {frozenset((r["a"], r["b"])): r["stance"] for r in story.get("relations", [])}
    for k, sentence in enumerate(answer.get("sentences", [])):
        field, start, end = sentence.get("field", "FIELD_TEXT"), sentence.get("start", 0), sentence["end"]
        named = {code for f, at, code in mentions if f == field and start <= at < end}
        stances = {stance for pair, stance in pairs.items() if pair <= named}
        if len(stances) == 1:
            text = fields[field][start:end].decode()
            yield {"id": f"{story['id']}:{k}", "text": text, "labels": {"stance": stances.pop()}}


def article_row(story):
    return {"id": story["id"], "title": story["title"], "text": story["text"],
            "labels": {"stance": story["labels"]["stance"]}}


def main(kind, path, out_dir):
    lines = open(path, encoding="utf-8").read().splitlines()
    for half, chosen in (("even", lines[0::2]), ("odd", lines[1::2])):
        with open(f"{out_dir}/{half}.jsonl", "w", encoding="utf-8") as f:
            f.write("\n".join(chosen) + "\n")
        stories = [json.loads(line) for line in chosen]
        if kind == "sentences":
            rows = [row for s, a in zip(stories, answers(stories)) for row in sentence_rows(s, a)]
        else:
            rows = [article_row(s) for s in stories]
        with open(f"{out_dir}/rows-{half}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        print(f"{half}: {len(stories)} stories, {len(rows)} rows", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
