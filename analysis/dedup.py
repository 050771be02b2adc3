"""Identical and near-identical articles (the same wire story in several outlets), found once.

Syndicated copy is the norm in news corpora: an AP or Reuters story appears in dozens of outlets,
sometimes with a new headline, a dropped paragraph or an added byline. Counted once per copy,
one wire story outvotes everything else in the charts. So an analysis keeps the first copy of
each group (in input order), analyses it once, and records the others as "also published by".

Near-identity is the Jaccard similarity of the texts' word 5-gram sets (>= 0.8 by default: a
copy with a new headline and a paragraph more or less is still the same story; two stories on
the same event by different reporters share far fewer 5-grams). Candidate pairs come from
MinHash with banded locality-sensitive hashing (64 hashes in 16 bands of 4; a pair at 0.8
similarity becomes a candidate with probability ~0.9999), so a corpus of 10,000 articles is not
10,000^2 comparisons; each candidate is then checked on its exact Jaccard similarity.

>>> a = Article("a", "Talks resume in Geneva. " * 20, source="AP")
>>> b = Article("b", "Talks resume in Geneva. " * 20, source="Reuters")
>>> kept, groups = find_duplicates([a, b])
>>> [k.article_id for k in kept], groups[0].copies[0].source
(['a'], 'Reuters')
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from .records import Article

SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.8
_HASHES, _BANDS = 64, 16
# Hash functions (a * x + b) mod p with p = 2^31 - 1: a, x < 2^31, so a * x fits in 64 bits.
_PRIME = np.uint64((1 << 31) - 1)
_RNG = np.random.default_rng(20261129)  # fixed: the same corpus gives the same groups
_A = _RNG.integers(1, (1 << 31) - 1, size=_HASHES, dtype=np.uint64)
_B = _RNG.integers(0, (1 << 31) - 1, size=_HASHES, dtype=np.uint64)


@dataclass(frozen=True)
class DuplicateGroup:
    """Articles with (nearly) the same text: ``kept`` was analysed, ``copies`` were not."""

    kept: str  # article_id
    copies: tuple[Article, ...]
    similarity: tuple[float, ...]  # each copy's Jaccard similarity to the kept article

    def to_dict(self) -> dict[str, object]:
        return {"kept": self.kept,
                "copies": [{"article_id": c.article_id, "source": c.source, "title": c.title,
                            "published": c.published, "url": c.url, "similarity": round(s, 3)}
                           for c, s in zip(self.copies, self.similarity, strict=True)]}


def shingles(text: str) -> set[int]:
    """CRC32 hashes of the text's lower-cased word 5-grams (the whole text if shorter)."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode("utf-8"))} if words else set()
    return {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8"))
            for i in range(len(words) - SHINGLE_WORDS + 1)}


def _minhash(sh: set[int]) -> np.ndarray:
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh)) % _PRIME
    return ((_A[:, None] * x[None, :] + _B[:, None]) % _PRIME).min(axis=1)


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def find_duplicates(articles: list[Article], threshold: float = DEFAULT_THRESHOLD
                    ) -> tuple[list[Article], list[DuplicateGroup]]:
    """(articles to analyse, in input order; groups of the copies left out)."""
    if len(articles) < 2:
        return list(articles), []
    sets = [shingles(a.text) for a in articles]
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[int, bytes], list[int]] = {}
    rows = _HASHES // _BANDS
    for i, sh in enumerate(sets):
        if not sh:
            continue
        sig = _minhash(sh)
        for band in range(_BANDS):
            buckets.setdefault((band, sig[band * rows:(band + 1) * rows].tobytes()), []).append(i)
    checked: set[tuple[int, int]] = set()
    best: dict[int, float] = {}
    for members in buckets.values():
        for k, i in enumerate(members):
            for j in members[k + 1:]:
                if (i, j) in checked:
                    continue
                checked.add((i, j))
                sim = jaccard(sets[i], sets[j])
                if sim >= threshold:
                    ri, rj = root(i), root(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)  # the earliest copy is kept
                    best[j] = max(best.get(j, 0.0), sim)
    kept: list[Article] = []
    copies: dict[int, list[int]] = {}
    for i in range(len(articles)):
        r = root(i)
        if r == i:
            kept.append(articles[i])
        else:
            copies.setdefault(r, []).append(i)
    groups = [DuplicateGroup(articles[r].article_id, tuple(articles[i] for i in members),
                             tuple(round(jaccard(sets[r], sets[i]), 3) for i in members))
              for r, members in sorted(copies.items())]
    return kept, groups
