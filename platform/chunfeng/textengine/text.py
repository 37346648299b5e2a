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
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")
_SEPARATORS_RE = re.compile(rf"[^{_CJK}a-z0-9]+")

#: Generic words of device descriptions and clinical ideas that say nothing about what a device does.
#: Multi-character entries are cut out of the text before n-gramming (so '提高' leaves no '提' and '高'
#: unigrams behind); single characters and Latin words are dropped as terms. IDF alone would only lower
#: them. Measured with scripts/match_eval.py: ranking quality unchanged within noise, while the reasons lose
#: their noise and the all-pairs product does ~30% less work (these terms sit on both sides of most pairs).
GENERIC_TERMS: frozenset[str] = frozenset(
    {
        "的", "了", "和", "与", "及", "或", "在", "是", "等", "可", "能", "并", "对", "中", "为", "将", "其",
        "于", "以", "有", "一", "种", "个", "也", "就", "想", "要", "让", "用", "从", "到", "把", "被", "更",
        "还", "很", "都", "已", "而", "但", "所", "着", "过", "会", "得", "地", "这", "那", "些", "该",
        "一种", "一个", "用于", "适用于", "适用", "可以", "能够", "进行", "通过", "以及", "实现", "采用",
        "具有", "提供", "使用", "提高", "降低", "减少", "缩短", "时间", "我们", "希望", "需要", "现有",
        "目前", "容易", "不能", "没有", "无法", "很多", "如果", "可能", "同时", "相关", "主要", "发现",
        "效果", "问题", "开发", "设计", "研发", "国产", "患者", "病人", "医生", "临床", "医疗", "医用",
        "器械", "设备", "系统", "产品", "装置", "公司", "有限公司", "科技", "技术", "股份", "集团",
        "the", "a", "an", "of", "and", "or", "for", "to", "in", "on", "with", "by", "is", "are", "be",
        "that", "this", "it", "as", "at", "from", "we", "our", "can", "use", "used", "using",
        "patient", "device", "system", "new", "which", "into", "without",
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


@lru_cache(maxsize=16)
def _stop_parts(stop: frozenset[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """(regex cutting multi-character CJK stop words out of a run, set of terms dropped after n-gramming)."""
    words = sorted((w for w in stop if len(w) > 1 and is_cjk(w)), key=len, reverse=True)
    cutter = re.compile("|".join(map(re.escape, words))) if words else None
    return cutter, frozenset(w for w in stop if len(w) == 1 or not is_cjk(w))


def terms(normalized: str, ngram_max: int, stop: frozenset[str]) -> list[str]:
    """The analyzer's terms for a normalised text: CJK char n-grams and whole Latin words."""
    cutter, dropped = _stop_parts(stop)
    out: list[str] = []
    for run in runs(normalized):
        if not is_cjk(run):
            word = _stem(run)
            if word not in dropped:
                out.append(word)
            continue
        for piece in cutter.split(run) if cutter else (run,):
            out.extend(g for g in ngrams(piece, ngram_max) if g not in dropped)
    return out


class Analyzer:
    """The analyzer given to scikit-learn's ``TfidfVectorizer(analyzer=...)``; a class so it pickles."""

    def __init__(self, ngram_max: int, stop: frozenset[str]) -> None:
        self.ngram_max = ngram_max
        self.stop = stop

    def __call__(self, text: str) -> list[str]:
        return terms(normalize(text), self.ngram_max, self.stop)


def shared_segments(query_norm: str, target_norm: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """Maximal substrings of the query that also occur in the target, merged across n-grams.

    For CJK runs, each position takes the longest substring also found in the target, so the
    n-grams '取栓', '栓支', '支架' become '取栓支架' only when that whole string is in both texts.
    Latin words are shared whole. Generic words (``stop``) are trimmed from segment ends, and segments
    contained in a longer segment are dropped.
    """
    target_cjk = "|".join(r for r in runs(target_norm) if is_cjk(r))
    target_words = {_stem(r) for r in runs(target_norm) if not is_cjk(r)}
    found: list[str] = []
    for run in runs(query_norm):
        if not is_cjk(run):
            if _stem(run) in target_words:
                found.append(_stem(run))
            continue
        found.extend(trim_generic(seg, stop) for seg in _cjk_segments(run, target_cjk))
    return _drop_contained([seg for seg in found if seg])


#: Particles that may be trimmed from the ends of a shared segment. Other single-character generic terms are
#: not: they start real words ('中风', '有创', '能量', '一次性').
_EDGE_PARTICLES = frozenset("的了和与及或等")


@lru_cache(maxsize=16)
def _edge_re(stop: frozenset[str]) -> re.Pattern[str]:
    edges = {w for w in stop if is_cjk(w) and len(w) > 1} | (_EDGE_PARTICLES & stop)
    words = "|".join(map(re.escape, sorted(edges, key=len, reverse=True)))
    return re.compile(f"^(?:{words})+|(?:{words})+$")


def trim_generic(segment: str, stop: frozenset[str]) -> str:
    """Strip generic words from both ends of a shared segment: '瓣膜的' -> '瓣膜'."""
    return _edge_re(stop).sub("", segment) if stop else segment


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
