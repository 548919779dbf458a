"""Order passages by words and meaning together (mode=hybrid), or by meaning alone
(mode=semantic).

Hybrid: after the documents the query names, the best LEXICAL_CANDIDATES passages by words
(BM25F) are re-ranked by WORDS_WEIGHT x words + (1 - WORDS_WEIGHT) x meaning (BM25F and
cosine similarity, each min-max normalised over them); then come the passages found by
meaning alone (the nearest that the request matches), in the same fused order; then every
other match in the order of words. The weight was
chosen on SciFact's train queries, never test (bench/hybrid_fit.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from search_app.engine.meaning import VectorTable, cosines
from search_app.engine.ranking import Hit, Ranker

MODES = ("hybrid", "lexical", "semantic")
LEXICAL_CANDIDATES = 100
MEANING_CANDIDATES = 100  # the passages nearest in meaning that a query matches
# Below this cosine similarity a passage is not "similar in meaning" (all-MiniLM-L6-v2 gives
# unrelated texts about 0 to 0.2).
MIN_SIMILARITY = 0.25
# nDCG@10 on 300 SciFact train queries: lexical 0.7124; hybrid (both sets ranked together)
# with 0.2 0.7003, 0.3 0.7163, 0.4 0.7228, 0.5 0.7281, 0.6 0.7281, 0.7 0.7253; as shipped
# (the words' best first) 0.3 0.7219, 0.5 0.7316; 0.5 0.7323 with ties among those found
# by meaning alone going nearest first.
WORDS_WEIGHT = 0.5


@dataclass(frozen=True)
class Scale:
    """Min-max normalisation of one score over the candidates."""

    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> Scale:
        finite = values[np.isfinite(values)]
        if not len(finite):
            return cls(0.0, 1.0)
        return cls(float(finite.min()), float(finite.max()))

    def __call__(self, values: np.ndarray) -> np.ndarray:
        spread = self.high - self.low
        out = (values - self.low) / spread if spread > 0 else np.ones_like(values)
        return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0)


@dataclass
class MeaningRanker(Ranker):
    """A Ranker that puts the candidates of words and meaning first, fused (hybrid), or
    ranks by meaning alone (`semantic`: scores are then cosine similarities)."""

    table: VectorTable | None = None
    query: np.ndarray | None = None  # the query's embedding
    meaning: np.ndarray | None = None  # mask: the passages nearest in meaning it matches
    semantic: bool = False
    scales: tuple[Scale, Scale] = (Scale(0.0, 1.0), Scale(0.0, 1.0))  # words, meaning

    def passages(self, count: int) -> list[Hit]:
        hits = self._pinned(count)
        seen = {docnum for docnum, _ in hits}
        for group in self._candidates:
            hits += [(d, s) for d, s in group if d not in seen]
        if len(hits) < count and not self.semantic:
            seen = {docnum for docnum, _ in hits}
            rest = np.array([d for d, _ in super().passages(count + len(seen)) if d not in seen])
            if len(rest):
                hits += list(zip(rest.tolist(), self._score_of(rest).tolist(), strict=True))
        return hits[:count]

    def scores(self, docnums: np.ndarray) -> dict[int, float]:
        if not len(docnums):
            return {}
        self._candidates  # noqa: B018 - fits the scales first
        return dict(zip(docnums.tolist(), self._score_of(docnums).tolist(), strict=True))

    @cached_property
    def _candidates(self) -> tuple[list[Hit], list[Hit]]:
        """The candidate passages with their fused (semantic: the meaning) score: the words'
        best, then those found by meaning alone, each set in fused order. The scales are
        fitted on the words' best, or on those found by meaning when words find none.
        On SciFact train (300 queries, nDCG@10) this measured 0.7316, against 0.7281 for
        both sets ranked together (R@100 0.9594 for both; words alone 0.7124, 0.9306)."""
        words = np.zeros_like(self.final)
        if not self.semantic:
            words[[d for d, _ in super().passages(LEXICAL_CANDIDATES)]] = True
        meaning = self.final & self.meaning & ~words if self.meaning is not None else words & False
        for mask in self.pinned:  # named documents stay first, above the candidates
            words &= ~mask
            meaning &= ~mask
        first, second = np.flatnonzero(words), np.flatnonzero(meaning)
        fitted = first if len(first) else second
        if len(fitted):
            self.scales = (Scale.of(self._words(fitted)), Scale.of(self._cosines(fitted)))
        return self._scored(first), self._scored(second)

    def _scored(self, docnums: np.ndarray) -> list[Hit]:
        """`docnums` with their scores, best first. Equal scores go by meaning: the scales are
        fitted on the words' best, so a passage found by meaning alone that is nearer than
        all of them is clipped to the top, like every other such passage (and one word match
        makes every score 1)."""
        scores, cosine = self._score_of(docnums), np.nan_to_num(self._cosines(docnums))
        order = np.lexsort((docnums, -cosine, -scores))
        return list(zip(docnums[order].tolist(), scores[order].tolist(), strict=True))

    def _score_of(self, docnums: np.ndarray) -> np.ndarray:
        cosine = self._cosines(docnums)
        if self.semantic:
            return np.round(np.nan_to_num(cosine, nan=0.0), 4)
        words_scale, meaning_scale = self.scales
        fused = WORDS_WEIGHT * words_scale(self._words(docnums))
        return np.round(fused + (1 - WORDS_WEIGHT) * meaning_scale(cosine), 6)

    def _words(self, docnums: np.ndarray) -> np.ndarray:
        """BM25F of the any-word query (0 for a passage without the words)."""
        found = super().scores(np.unique(docnums))
        return np.array([found.get(int(d), 0.0) for d in docnums], dtype=np.float64)

    def _cosines(self, docnums: np.ndarray) -> np.ndarray:
        if self.table is None or self.query is None:
            return np.full(len(docnums), np.nan)
        return cosines(self.table, self.query, docnums).astype(np.float64)
