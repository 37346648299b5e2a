"""Text helpers for the matcher: normalisation, the n-gram analyzer and shared-term extraction.

Chinese is matched on character n-grams (no segmenter): a measured check found char 1-2 grams beat
jieba words on real device descriptions and were 3x faster. Latin-script runs (English, product codes
such as QFR, KRAS, 3D) are kept as whole words, because letter n-grams of English are meaningless noise
next to Chinese characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")
_SEPARATORS_RE = re.compile(rf"[^{_CJK}a-z0-9]+")

#: Generic terms of device descriptions and clinical ideas that say nothing about what a device does.
#: IDF already lowers them; the list only removes the ones that are frequent on *both* sides of every
#: match (so they never appear as a reason and do not add cost to the all-pairs product).
GENERIC_TERMS: frozenset[str] = frozenset(
    {
        "的", "了", "和", "与", "及", "或", "在", "是", "等", "可", "能", "并", "对", "中", "为", "将", "其",
        "于", "以", "有", "一", "种", "个", "也", "就", "想", "要", "让", "用", "从", "到", "把", "被",
        "一种", "用于", "可以", "能够", "进行", "通过", "以及", "实现", "采用", "具有", "提高", "降低",
        "减少", "我们", "希望", "需要", "现有", "目前", "患者", "病人", "医生", "临床", "医疗", "医用",
        "器械", "设备", "系统", "产品", "装置", "公司", "有限", "科技", "技术", "股份", "集团",
        "the", "a", "an", "of", "and", "or", "for", "to", "in", "on", "with", "by", "is", "are", "be",
        "that", "this", "it", "as", "at", "from", "we", "our", "can", "use", "used", "using",
        "patient", "device", "system",
    }
)  # fmt: skip


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width, roman numerals -> letters), lower-case, punctuation -> one space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _SEPARATORS_RE.sub(" ", text).strip()


def _stem(word: str) -> str:
    """Very light English plural folding (stents -> stent) without a stemmer dependency."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word.isdigit():
        return word[:-1]
    return word


def runs(normalized: str) -> Iterator[str]:
    """Maximal runs of CJK characters or of Latin letters/digits in an already normalised text."""
    return (m.group() for m in _RUN_RE.finditer(normalized))


def is_cjk(run: str) -> bool:
    return bool(_CJK_RE.match(run))


def ngrams(run: str, ngram_max: int) -> Iterator[str]:
    """All character n-grams of one CJK run, n = 1..ngram_max, never crossing punctuation."""
    size = len(run)
    for n in range(1, ngram_max + 1):
        for i in range(size - n + 1):
            yield run[i : i + n]


def terms(normalized: str, ngram_max: int, stop: frozenset[str]) -> list[str]:
    """The analyzer's terms for a normalised text: CJK char n-grams and whole Latin words."""
    out: list[str] = []
    for run in runs(normalized):
        if is_cjk(run):
            out.extend(g for g in ngrams(run, ngram_max) if g not in stop)
        else:
            word = _stem(run)
            if word not in stop:
                out.append(word)
    return out


class Analyzer:
    """The analyzer given to scikit-learn's ``TfidfVectorizer(analyzer=...)``; a class so it pickles."""

    def __init__(self, ngram_max: int, stop: frozenset[str]) -> None:
        self.ngram_max = ngram_max
        self.stop = stop

    def __call__(self, text: str) -> list[str]:
        return terms(normalize(text), self.ngram_max, self.stop)


def shared_segments(query_norm: str, target_norm: str) -> list[str]:
    """Maximal substrings of the query that also occur in the target, merged across n-grams.

    For CJK runs, each position takes the longest substring also found in the target, so the
    n-grams '取栓', '栓支', '支架' become '取栓支架' only when that whole string is in both texts.
    Latin words are shared whole. Segments contained in a longer segment are dropped.
    """
    target_cjk = "|".join(r for r in runs(target_norm) if is_cjk(r))
    target_words = {_stem(r) for r in runs(target_norm) if not is_cjk(r)}
    found: list[str] = []
    for run in runs(query_norm):
        if not is_cjk(run):
            if _stem(run) in target_words:
                found.append(_stem(run))
            continue
        found.extend(_cjk_segments(run, target_cjk))
    return _drop_contained(found)


def _cjk_segments(run: str, target: str) -> Iterable[str]:
    end_prev = 0
    for i in range(len(run)):
        j = i
        while j < len(run) and run[i : j + 1] in target:
            j += 1
        if j > i and j > end_prev:
            end_prev = j
            yield run[i:j]


def _drop_contained(segments: list[str]) -> list[str]:
    unique = sorted(set(segments), key=len, reverse=True)
    kept: list[str] = []
    for seg in unique:
        if not any(seg in longer for longer in kept):
            kept.append(seg)
    return kept
