#!/usr/bin/env bash
# Tried and not adopted (docs/decisions.md, "The stories' own rows"): whether rows made from
# data/news's own stories help the stance head, held out by halves. The stories are split by
# position parity; the rows of one half train beside data/ (weight 0.5, not the single-sentence
# head's) and the model is scored on the other half, against the shipped corpus alone.
#   scripts/news_rows_halves.sh sentences   # each sentence naming both actors of a labeled pair
#   scripts/news_rows_halves.sh articles    # each whole story with its stance
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-sentences}
work=$(mktemp -d)
cargo build --release --quiet
python3 scripts/news_rows.py "$kind" data/news/articles.jsonl "$work"
for half in even odd; do
    other=$([[ $half == even ]] && echo odd || echo even)
    mkdir -p "$work/corpus-$other"
    for f in data/*; do ln -s "$PWD/$f" "$work/corpus-$other/"; done
    rm "$work/corpus-$other/corpus.toml"
    cp data/corpus.toml "$work/corpus-$other/"
    printf '\n[[source]]\nname = "news-rows"\nweight = 0.5\nsentence_weight = 0\nformat = "jsonl"\npath = "%s"\n' \
        "$work/rows-$other.jsonl" >> "$work/corpus-$other/corpus.toml"
    for corpus in data "$work/corpus-$other"; do
        target/release/accord train --corpus "$corpus" --validate-articles data/articles/articles.jsonl \
            --validate-news "$work/$half.jsonl" --date 2026-12-07 --out "$work/model" > "$work/log" 2>&1
        echo "== scored on the $half half, trained on $([[ $corpus == data ]] && echo 'data/ alone' || echo "data/ and the $other half's rows")"
        grep -E "accord: pair|accord relations, no relation" "$work/log"
    done
done
rm -rf "$work"
