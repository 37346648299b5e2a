#!/usr/bin/env python3
"""How well the near-duplicate check tells a resubmitted idea in other words from a different idea.

    .venv/bin/python scripts/near_duplicates_eval.py [--pairs scripts/eval/duplicates-paraphrased.tsv]
        [--ideas scripts/eval/queries-holdout.tsv --ideas ../shared/data/match-queries-dev.tsv]

Duplicates: each line of --pairs is an idea and the same idea written again in other words. Different ideas:
every other pair among the originals and the --ideas files (many are close: two heart pumps, two eye-screening
programs). Each idea is one project of the stored index (beside the real device makers of
../shared/data/match-candidates.tsv when that file is there); the check's two scores per pair are the lexical
cosine (BM25 rows) and, with a model, the cosine of the sentence embeddings. Prints their quantiles and, for the
check the app runs (MatchIndex.near_duplicates at the threshold the project pages show), the share of duplicates
found and of different pairs flagged (-v: which).
"""

from __future__ import annotations

import argparse
import csv
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))

import numpy as np  # noqa: E402

from chunfeng.textengine.embedding import default_embedder  # noqa: E402
from chunfeng.textengine.index import DUPLICATE_LEXICAL_FLOOR, DUPLICATE_SEMANTIC, Doc, MatchIndex  # noqa: E402

LEXICAL = 0.55  # submissions.services.SIMILAR_THRESHOLD: what the project page and the formal check show


def _column(path: Path, name: str) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [row[name].strip() for row in csv.DictReader(f, delimiter="\t") if row.get(name, "").strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "scripts" / "eval" / "duplicates-paraphrased.tsv")
    parser.add_argument("--ideas", type=Path, action="append")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the different pairs flagged")
    args = parser.parse_args(argv)
    ideas_files = args.ideas or [ROOT / "scripts" / "eval" / "queries-holdout.tsv",
                                 ROOT.parent / "shared" / "data" / "match-queries-dev.tsv"]
    originals, reworded = _column(args.pairs, "original"), _column(args.pairs, "reworded")
    maker = {}
    for path in (p for p in ideas_files if p.exists()):
        with path.open(encoding="utf-8") as f:
            rows = csv.DictReader(f, delimiter="\t")
            maker.update({row["query"].strip(): row["expected_company"].strip() for row in rows})
    texts = list(dict.fromkeys(originals + [q for p in ideas_files if p.exists() for q in _column(p, "query")]))
    texts += reworded
    duplicate = {(texts.index(a), texts.index(b)) for a, b in zip(originals, reworded, strict=True)}
    n_ideas = len(texts) - len(reworded)
    different = [(i, j) for i, j in combinations(range(n_ideas), 2)]
    makers = ROOT.parent / "shared" / "data" / "match-candidates.tsv"
    profiles = [Doc(i, "产品线", t) for i, t in enumerate(_column(makers, "description"))] if makers.exists() else []
    model = default_embedder()
    index = MatchIndex.build(profiles, [Doc(i, "临床问题", t) for i, t in enumerate(texts)], embedder=model)
    side = index.sides["projects"]
    rows = side.rows(list(range(len(texts))))
    lexical = (rows @ rows.T).toarray() / np.outer(side.norms, side.norms)
    semantic = side.embeddings(slice(None)) @ side.embeddings(slice(None)).T if index.has_semantic else None

    flagged = {(i, other) for i in range(len(texts))
               for other, _score, _field in index.near_duplicates("projects", i, threshold=LEXICAL, k=len(texts))}
    print(f"{len(duplicate)} duplicates in other words, {len(different)} pairs of different ideas; "
          f"model: {model.name if model else 'none (lexical only)'}")
    for q in (0.5, 0.9, 0.99):
        line = f"quantile {q:.2f}: lexical cosine, duplicates {np.quantile([lexical[p] for p in duplicate], q):.3f} "
        line += f"different {np.quantile([lexical[p] for p in different], q):.3f}"
        if semantic is not None:
            line += f" | embeddings' cosine, duplicates {np.quantile([semantic[p] for p in duplicate], q):.3f} "
            line += f"different {np.quantile([semantic[p] for p in different], q):.3f}"
        print(line)
    rule = f"lexical >= {LEXICAL}"
    if semantic is not None:
        rule += f", or embeddings >= {DUPLICATE_SEMANTIC} with lexical >= {DUPLICATE_LEXICAL_FLOOR}"
    found = [p for p in duplicate if p in flagged or p[::-1] in flagged]
    wrong = [p for p in different if p in flagged or p[::-1] in flagged]
    print(f"rule ({rule}): duplicates found {len(found)}/{len(duplicate)} ({len(found) / len(duplicate):.1%}), "
          f"different pairs flagged {len(wrong)}/{len(different)} ({len(wrong) / len(different):.2%}; "
          f"{sum(maker.get(texts[i]) == maker.get(texts[j]) for i, j in wrong)} of them two ideas for the same maker)")
    if args.verbose:
        for i, j in wrong:
            print(f"  flagged: {texts[i][:40]} <> {texts[j][:40]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
