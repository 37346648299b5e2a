"""The text engine: normalisation, TF-IDF vectorising, sparse top-k search and readable reasons.

Plain Python below every domain: it imports no Flask and no part of the application, so it can be benchmarked and
evaluated on its own (scripts/bench_match.py, scripts/match_eval.py). Intake (near-duplicates), reviews (expert
affinity), matching and the community (clinician suggestions) all use it.
"""
