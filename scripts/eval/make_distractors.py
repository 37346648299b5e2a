#!/usr/bin/env python3
"""Write a held-out set of hard distractors: companies whose one product is stitched from clauses of the
real descriptions (the same recipe as the shared dev distractors, another seed and other product names).

    python scripts/eval/make_distractors.py ../shared/data/match-candidates.tsv > scripts/eval/distractors-holdout.tsv
"""

from __future__ import annotations

import csv
import random
import re
import sys

_CLAUSE_RE = re.compile(r"[,;。、,;]")


def main(path: str, n: int = 2000, seed: int = 7) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    clauses = [c for r in rows for c in _CLAUSE_RE.split(r["description"]) if len(c) >= 4]
    names = [r["product"] for r in rows]
    rng = random.Random(seed)
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["company", "product", "description", "source_url"])
    for i in range(n):
        name = rng.choice(names)
        start = rng.randrange(max(1, len(name) - 4))
        product = name[start : start + rng.randint(3, 6)] + rng.choice(["系列产品", "平台", "相关产品", "组件"])
        description = ",".join(rng.sample(clauses, rng.randint(2, 4))) + "。"
        out.writerow([f"对照企业{i:05d}有限公司", product, description, ""])


if __name__ == "__main__":
    main(sys.argv[1])
