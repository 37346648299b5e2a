#!/usr/bin/env python3
"""Benchmark the matcher on synthetic Chinese projects x companies: sparse top-k versus a dense baseline.

    python scripts/bench_match.py [--sizes 1000 10000 100000] [--k 10] [--baseline-max 10000]

For each size N it generates N company profiles and N clinician ideas (80-200 characters each, see
match_eval.synth_texts), then measures, in a fresh subprocess per size and method so that peak memory does
not accumulate:
  - fit: one vectorizer over both sides, plus what a worker keeps beside it (the transposed index; for the sparse
    method also the dense block of the common terms);
  - top-k: all pairs, every project -> its k best companies (with its CPU seconds and the load average just
    before it: other work on the machine inflates every wall-clock figure);
  - query: one new project against the fitted company index, median of 50 ('+why': the same call with the
    three reasons per match that the app shows);
  - peak RSS of the subprocess (the embedding model's own cost, embed_ms, is timed in the parent process).
Methods: 'sparse' = MatchIndex.all_pairs_arrays (BM25 rows; candidates from the rarer terms with one sparse
multiply-and-top-k pass, then the common terms' weights added to each candidate from a float16 block);
'dense' = dense_chunked_top_k over the same BM25 rows (dense blocks of the full product and argpartition: the
exact top k), skipped above --baseline-max. "same top-k" is the share of (project, rank) positions where the
sparse method found the exact answer.
The last line gives the speed-up at 10k (or at the largest size both methods ran).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from match_eval import synth_texts  # noqa: E402

from chunfeng.textengine.engine import dense_chunked_top_k  # noqa: E402
from chunfeng.textengine.index import Doc, MatchIndex  # noqa: E402


def _median_ms(call: Callable[[str], object], texts: list[str]) -> float:
    times = []
    for text in texts:
        t0 = time.perf_counter()
        call(text)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


class StandInEmbedder:
    """Random unit vectors of the real model's width: times the semantic stage's arithmetic at sizes the real
    model would need hours to embed. The real model's cost of embedding one changed text is measured apart."""

    name = "stand-in-384"
    dim = 384

    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def _rows(self, n: int) -> np.ndarray:
        v = self.rng.standard_normal((n, self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_queries(self, texts):
        return self._rows(len(texts))

    def embed_passages(self, texts):
        return self._rows(len(texts))


def _real_embed_ms(texts: list[str]) -> float | None:
    from chunfeng.textengine.embedding import default_embedder

    model = default_embedder()
    if model is None:
        return None
    model.embed_queries(texts[:1])  # warm
    return _median_ms(lambda text: model.embed_queries([text]), texts[:10])


def run_child(size: int, method: str, k: int, threads: int, n_queries: int, out: Path) -> dict:
    """Measure one (size, method) in this process; saves the top-k indices to ``out`` for comparison.

    'sparse': the engine (MatchIndex: pruned vocabulary, one sparse multiply-and-top-k pass over the documents);
    'dense': the baseline (the same BM25 rows, the full product in dense chunks and argpartition).
    """
    t0 = time.perf_counter()
    companies = list(enumerate(synth_texts(size, seed=1, kind="profile")))
    projects = list(enumerate(synth_texts(size, seed=2, kind="idea")))
    new_projects = synth_texts(n_queries, seed=3, kind="idea")
    gen_s = time.perf_counter() - t0
    result: dict = {"size": size, "method": method, "gen_s": gen_s, "update_ms": None}

    t0 = time.perf_counter()
    if method == "sparse":
        index = MatchIndex.build(
            [Doc(i, "产品线", t) for i, t in companies],
            [Doc(i, "临床问题", t) for i, t in projects],
            embedder=StandInEmbedder(),
        )
        index.prepare(all_pairs_targets=["profiles"])  # the transposed indexes and the block all pairs reads
        vocab, nnz = len(index.vocab.terms), index.sides["profiles"].main_t.nnz
    else:  # the same BM25 rows, multiplied in full
        index = MatchIndex.build(
            [Doc(i, "产品线", t) for i, t in companies], [Doc(i, "临床问题", t) for i, t in projects], embedder=None
        )
        targets_t = index.sides["profiles"].main_t
        vocab, nnz = len(index.vocab.terms), targets_t.nnz
    fit_s = time.perf_counter() - t0

    load = os.getloadavg()[0]  # other work on the machine inflates every wall-clock figure
    t0, cpu0 = time.perf_counter(), time.process_time()
    if method == "sparse":
        owners, codes, _ = index.all_pairs_arrays("projects", "profiles", k=k, n_threads=threads)
        names = np.array(index.sides["profiles"].code_owner + [-1])  # code -1 -> id -1
        indices = np.full((size, k), -1, dtype=np.int64)
        indices[np.array(owners)] = names[codes]
    else:
        owners, queries = index.owner_vectors("projects")  # one document per owner here: rows are owners
        indices = np.full((size, k), -1, dtype=np.int64)
        indices[np.array(owners)] = dense_chunked_top_k(queries, targets_t, k).indices
    all_pairs_s, all_pairs_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    np.save(out, indices)

    if method == "sparse":
        emb = StandInEmbedder().embed_queries(["x"])[0]  # the idea's own embedding is timed apart (embed_ms)
        query_ms = _median_ms(lambda text: index.match(text, k=k, n_reasons=0, query_embedding=emb), new_projects)
        reasons_ms = _median_ms(lambda text: index.match(text, k=k, n_reasons=3, query_embedding=emb), new_projects)
        # one changed project: transform with the stored vocabulary, near-duplicate check, match refresh
        # (the embedding of its changed text is the stand-in's and is not counted: see embed_ms)
        owner = size + 1

        def refresh(text: str) -> None:
            index.update("projects", owner, [Doc(owner, "临床问题", text)])
            index.near_duplicates("projects", owner)
            index.match_owner("projects", owner, "profiles", k=k, n_reasons=3)

        result["update_ms"] = _median_ms(refresh, new_projects)
    else:
        def dense_query(text: str) -> object:
            return dense_chunked_top_k(index.vocab.query([text]), targets_t, k)

        query_ms = _median_ms(dense_query, new_projects)
        reasons_ms = None
    result.update(
        fit_s=fit_s,
        all_pairs_s=all_pairs_s,
        all_pairs_cpu_s=all_pairs_cpu_s,
        load=load,
        query_ms=query_ms,
        query_reasons_ms=reasons_ms,
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        vocab=vocab,
        nnz_per_doc=nnz / size,
    )
    return result


def measure(size: int, method: str, args: argparse.Namespace, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", str(size), "--method", method, "--k", str(args.k)]
    cmd += ["--threads", str(args.threads), "--queries", str(args.queries), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


WIDTHS = (7, 6, 7, 8, 9, 8, 8)


def _row(r: dict) -> str:
    why = f"{r['query_reasons_ms']:.2f}" if r["query_reasons_ms"] is not None else "-"
    times = (f"{r['fit_s']:.2f}", f"{r['all_pairs_s']:.2f}", f"{r['query_ms']:.2f}", why)
    cells = (r["size"], r["method"], *times, f"{r['peak_mb']:.0f}")
    return " ".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--baseline-max", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--method", choices=("sparse", "dense"), default="sparse", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.method, args.k, args.threads, args.queries, args.out)))
        return 0

    columns = ("size", "method", "fit s", "top-k s", "query ms", "+why ms", "peak MB")
    header = " ".join(f"{c:>{w}}" for c, w in zip(columns, WIDTHS, strict=True)) + "  notes"
    print(header)
    print("-" * len(header))
    speedups: dict[int, float] = {}
    last_update: dict | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows = {}
            for method in ("sparse", "dense"):
                if method == "dense" and size > args.baseline_max:
                    print(f"{size:>7} {'dense':>6}  skipped (size > --baseline-max {args.baseline_max})")
                    continue
                rows[method] = r = measure(size, method, args, Path(tmp) / f"{method}-{size}.npy")
                note = f"load={r['load']:.1f} top-k cpu={r['all_pairs_cpu_s']:.1f}s"
                note += f" vocab={r['vocab']} nnz/doc={r['nnz_per_doc']:.0f}"
                if method == "dense":
                    dense, sparse = (np.load(Path(tmp) / f"{m}-{size}.npy") for m in ("dense", "sparse"))
                    same = np.mean(dense == sparse)
                    speedups[size] = r["all_pairs_s"] / rows["sparse"]["all_pairs_s"]
                    note += f" same top-k as sparse: {same:.2%}; sparse {speedups[size]:.1f}x faster"
                if r["update_ms"] is not None:
                    note += f" update={r['update_ms']:.2f}ms"
                print(_row(r) + "  " + note, flush=True)
                if r["update_ms"] is not None:
                    last_update = r
    if speedups:
        at = 10000 if 10000 in speedups else max(speedups)
        print(f"speedup at {at // 1000}k: sparse top-k is {speedups[at]:.1f}x faster than the dense baseline")
    else:
        print("speedup: not measured (no size ran the dense baseline)")
    if last_update:
        # the model is loaded here, not in the measured processes: its memory is the model's, not the index's
        embed_ms = _real_embed_ms(synth_texts(args.queries, seed=3, kind="idea"))
        embed = f"{embed_ms:.1f}" if embed_ms is not None else "n/a (no model)"
        print(
            f"query_ms={last_update['query_ms']:.2f} (one new project, both stages, k={args.k}, "
            f"size {last_update['size']}); embed_ms={embed} (embedding that project's own text, apart)"
        )
        print(
            f"update_ms={last_update['update_ms']:.2f} (one changed project at size {last_update['size']}: "
            "near-duplicate check and match refresh against the stored index)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
