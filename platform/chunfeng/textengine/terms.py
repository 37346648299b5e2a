"""Readable reasons: whole device and clinical terms that two texts share, labelled with where they were found.

A reason is a term a clinician or an engineer recognises (disease, anatomy, device, technology, mode of action),
never a lone character and never a generic word. Terms come from a segmenter (jieba) that knows the device and
clinical vocabulary shipped in ``data/device_terms.txt`` (NMPA classification categories, specialties, anatomy,
diseases, devices, technologies). A word is generic when it is listed in ``data/generic_terms.txt`` or, unless it
is in the device vocabulary, when it is common in everyday Chinese (frequency in the segmenter's general
dictionary): this drops 导致, 判断, 小时, 长期, 患者 without a hand list of every such word.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from .text import GENERIC_TERMS, normalize

#: Words at least this frequent in the segmenter's general dictionary (about 60M words counted) are generic
#: unless the device vocabulary lists them (导致 6498, 小时 8143, 患者 3932, but 血栓 137, 支架 204).
GENERAL_FREQUENCY_LIMIT = 2000
MAX_TERM_CHARS = 12

_CJK_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDISH_RE = re.compile(r"^(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z][a-z0-9]*|[0-9]+[a-z][a-z0-9]*)+$")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _data_lines(name: str) -> list[str]:
    text = (files(__package__) / "data" / name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


@lru_cache(maxsize=1)
def device_terms() -> frozenset[str]:
    """The shipped device and clinical vocabulary, normalised (NFKC, lower case)."""
    return frozenset(normalize(line.split("\t")[0]).replace(" ", "") for line in _data_lines("device_terms.txt"))


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    words = {w for line in _data_lines("generic_terms.txt") for w in line.split()}
    return frozenset(words | {w for w in GENERIC_TERMS if len(w) > 1}) - device_terms()


class Segmenter:
    """jieba with the device vocabulary added; loaded once per process (about 0.7 s), thread-safe to use."""

    _instance: Segmenter | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        freq = self._tokenizer.FREQ
        self._general = {w: freq.get(w, 0) for w in device_terms()}  # before the device words are boosted
        for term in device_terms():
            self._tokenizer.add_word(term, freq=max(freq.get(term, 0), 50_000))

    @classmethod
    def get(cls) -> Segmenter:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def general_frequency(self, word: str) -> int:
        return self._general.get(word, self._tokenizer.FREQ.get(word, 0) or 0)

    def words(self, normalized: str) -> list[str]:
        """Tokens of an already normalised text; separators come back as ' '."""
        return list(self._words(normalized))

    @lru_cache(maxsize=4096)  # noqa: B019  (one instance per process)
    def _words(self, normalized: str) -> tuple[str, ...]:
        return tuple(" " if not w.strip() else w for w in self._tokenizer.cut(normalized, HMM=False))

    def sub_terms(self, word: str, target: str) -> list[str]:
        """Dictionary words inside a longer word that the target contains ('眼底照相' -> '眼底'), longest first."""
        if len(word) < 3:
            return []
        freq = self._tokenizer.FREQ
        out: list[str] = []
        for size in range(len(word) - 1, 1, -1):
            for start in range(len(word) - size + 1):
                sub = word[start : start + size]
                if freq.get(sub) and sub in target and self.is_term(sub) and not any(sub in o for o in out):
                    out.append(sub)
        return out

    def is_generic(self, word: str) -> bool:
        if word in device_terms():
            return False
        return word in generic_words() or self.general_frequency(word) >= GENERAL_FREQUENCY_LIMIT

    def is_term(self, candidate: str) -> bool:
        """A reason may be shown: two characters or more, word-like, not generic, not a bare number."""
        if len(candidate) < 2 or len(candidate) > MAX_TERM_CHARS or not _WORDISH_RE.match(candidate):
            return False
        if candidate in device_terms():
            return True
        if self.is_generic(candidate):
            return False
        if not _CJK_CHAR_RE.search(candidate):
            return len(candidate) >= 2 and not candidate.isdigit()
        return True


@lru_cache(maxsize=1)
def _lay_table() -> tuple[dict[str, tuple[str, ...]], re.Pattern[str] | None]:
    table: dict[str, list[str]] = {}
    for line in _data_lines("lay_terms.txt"):
        lay, _, clinical = line.partition("\t")
        key = normalize(lay).replace(" ", "")
        if key:
            table.setdefault(key, []).extend(t for t in normalize(clinical).split() if t != key)
    keys = sorted((k for k, v in table.items() if v), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, keys))) if keys else None
    return {k: tuple(v) for k, v in table.items()}, pattern


@lru_cache(maxsize=4096)
def lay_expansions(text: str) -> tuple[str, ...]:
    """The clinical terms that lay words of a text stand for (``data/lay_terms.txt``), those the text does not
    already contain, in order: '中风病人拍片' -> ('卒中', '影像', 'x线')."""
    table, pattern = _lay_table()
    if pattern is None:
        return ()
    folded = normalize(text)
    out: dict[str, None] = {}
    for match in pattern.finditer(folded.replace(" ", "")):
        for term in table[match.group()]:
            if term not in folded:
                out[term] = None
    return tuple(out)


@dataclass(frozen=True)
class Reason:
    """A shared term and the field of the target it was found in (产品线, 注册产品, 研发能力, 临床问题...)."""

    term: str
    field: str

    def __str__(self) -> str:
        return f"{self.term}({self.field})" if self.field else self.term


def _content(seg: Segmenter, token: str) -> bool:
    return len(token) > 1 and token.strip() != "" and not seg.is_generic(token)


def shared_terms(query_text: str, target_text: str, segmenter: Segmenter | None = None) -> list[str]:
    """Whole terms of the query that the target also contains, longest compounds first, no repeats.

    Consecutive query words whose concatenation occurs in the target form one candidate ('取栓'+'支架' ->
    '取栓支架' only when the target has '取栓支架'); generic words and single characters at either end are
    trimmed; what is left must pass :meth:`Segmenter.is_term`.
    """
    seg = segmenter or Segmenter.get()
    target = normalize(target_text).replace(" ", "|")
    tokens = seg.words(normalize(query_text))
    found: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j] != " " and "".join(tokens[i : j + 1]) in target:
            j += 1
        if j == i:
            found.extend(seg.sub_terms(tokens[i], target))
            i += 1
            continue
        found.extend(_split_run(seg, tokens[i:j]))
        i = j
    out: list[str] = []
    for term in sorted(set(found), key=len, reverse=True):
        if not any(term in longer for longer in out):
            out.append(term)
    return out


def _split_run(seg: Segmenter, run: Sequence[str]) -> Iterable[str]:
    """Cut a run of shared words at generic words, trim non-content words at its ends, check what is left."""
    piece: list[str] = []
    for token in [*run, ""]:
        if token and not (len(token) > 1 and seg.is_generic(token)):
            piece.append(token)
            continue
        while piece and not _content(seg, piece[0]) and "".join(piece) not in device_terms():
            piece.pop(0)
        while piece and not _content(seg, piece[-1]) and "".join(piece) not in device_terms():
            piece.pop()
        text = "".join(piece)
        if seg.is_term(text):
            yield text
        elif len(piece) > 1:
            yield from (t for t in piece if seg.is_term(t))
        piece = []


def term_weight(term: str, idf: Callable[[str], float] | None = None) -> float:
    """How much a term says: the IDF of its characters and bigrams (from the index), more for device terms."""
    if idf is None:
        base = math.log1p(len(term))
    else:
        grams = [term[i : i + 2] for i in range(len(term) - 1)] or [term]
        base = sum(idf(g) for g in grams) / math.sqrt(len(grams))
    return base * (1.5 if term in device_terms() else 1.0)


def labelled_reasons(
    query_text: str,
    targets: Sequence[tuple[str, str]],
    n: int = 3,
    idf: Callable[[str], float] | None = None,
) -> tuple[Reason, ...]:
    """Up to n reasons shared by the query and the target's fields ``(label, text)``, best first.

    Pass only the fields the viewer may see (and a query text the viewer may see): a reason never comes from
    elsewhere. Fields are searched in the order given (put the best-matching document first); a term is
    labelled with the first field that contains it.
    """
    seen: dict[str, Reason] = {}
    for label, text in targets:
        for term in shared_terms(query_text, text):
            if term not in seen and not any(term in other for other in seen):
                seen[term] = Reason(_display(term, query_text), label)
    ranked = sorted(seen.items(), key=lambda item: (-term_weight(item[0], idf), item[0]))
    return tuple(reason for _, reason in ranked[:n])


def _display(term: str, original: str) -> str:
    """Latin words as the query wrote them (QFR, not qfr)."""
    if not _LATIN_RE.search(term):
        return term
    folded = unicodedata.normalize("NFKC", original)
    start = folded.lower().find(term)
    return folded[start : start + len(term)] if start >= 0 else term
