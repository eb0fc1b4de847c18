"""Writes data/word-vectors/ from spaCy's en_core_web_md 3.8.0 word vectors (CC0).

Run once by scripts/extract-word-vectors; the training command reads only the files this
writes. Every lowercase ASCII word of 2 to 20 letters that the package maps to a vector
is kept, with the vector's row. The rows those words use are reduced to 64 dimensions by
PCA (full SVD, so the same input gives the same output) and stored as signed bytes with
one scale per row.

Output (data/word-vectors/):
  words.tsv    `word<TAB>row`, sorted by word
  vectors.bin  little-endian: u32 rows, u32 dimensions, rows x f32 scale,
               then rows x dimensions i8 (value = byte x scale)
"""
import json, re, struct, sys
from pathlib import Path

import numpy as np
import spacy
from spacy.vectors import Vectors
from sklearn.decomposition import PCA

DIMENSIONS = 64


def main(model_dir: Path, out: Path) -> None:
    vocab = model_dir / "vocab"
    vectors = Vectors().from_disk(vocab)
    strings = json.loads((vocab / "strings.json").read_text(encoding="utf-8"))
    word = re.compile(r"[a-z]{2,20}")
    kept = {}
    for s in strings:
        if word.fullmatch(s):
            row = vectors.key2row.get(spacy.strings.hash_string(s))
            if row is not None:
                kept[s] = int(row)
    used = sorted(set(kept.values()))
    compact = {row: i for i, row in enumerate(used)}
    reduced = PCA(DIMENSIONS, svd_solver="full").fit_transform(vectors.data[used].astype(np.float64))
    scales = np.abs(reduced).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantized = np.clip(np.rint(reduced / scales[:, None]), -127, 127).astype(np.int8)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "words.tsv", "w", encoding="utf-8", newline="\n") as f:
        for s in sorted(kept):
            f.write(f"{s}\t{compact[kept[s]]}\n")
    with open(out / "vectors.bin", "wb") as f:
        f.write(struct.pack("<II", len(used), DIMENSIONS))
        f.write(scales.astype("<f4").tobytes())
        f.write(quantized.tobytes())
    print(f"{len(kept)} words, {len(used)} rows of {DIMENSIONS} dimensions", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
