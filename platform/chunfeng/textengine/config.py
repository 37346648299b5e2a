"""The matching index's tunable parameters (see :mod:`.index` for how the two stages use them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Chosen on the tune queries (scripts/eval/queries-tune.tsv) with both distractor sets; the semantic weight by
    5-fold cross-validation of the MRR over 0..0.6 (every fold chose 0.3)."""

    ngram_max: int = 2
    #: single characters found in more than this share of documents carry no signal: dropped at fit
    prune_char_df: float = 0.5
    #: BM25 term-frequency saturation and length normalisation (0: none, 1: full)
    bm25_k1: float = 1.2
    bm25_b: float = 0.3
    #: weight of a clinical term that the query only names through a lay word (a term it names itself: 1)
    expansion_weight: float = 0.5
    #: soft max: an organisation's score is its best document's plus this share of its second best
    second_weight: float = 0.15
    #: lexical candidates (documents) that the semantic stage scores and the ranking considers
    n_candidates: int = 300
    #: weight of the z-scored semantic similarity against the z-scored lexical score (over the candidates)
    semantic_weight: float = 0.3
    #: coherent coverage: a candidate document's lexical score is multiplied by floor + (1 - floor) x the share
    #: of its clauses that name a query term of IDF >= coverage_idf_share x the largest IDF (a rare term, or
    #: several); a description stitched from unrelated clauses matches in one of them only. 1.0 = off
    coverage_floor: float = 0.4
    coverage_idf_share: float = 0.7
    #: all pairs: candidates come from the rarer terms (in at most this share of the target documents), then
    #: every candidate is scored exactly with all the terms; exact product below ``all_pairs_exact_below`` docs
    all_pairs_common_df: float = 0.05
    all_pairs_candidates: int = 50
    all_pairs_exact_below: int = 2000
