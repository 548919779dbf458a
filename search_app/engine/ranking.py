"""Order matching passages: BM25F tiers (all words, then some) or a sort key, and grouping.

Scores come from scoring.BulkScorer (numpy, exact BM25F); Whoosh's own scoring is the
fallback when no scorer is given. Sorting by date or title never scores at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from whoosh.query import Query

from search_app.engine.columns import Columns
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.scoring import BulkScorer

Hit = tuple[int, float | None]  # (docnum, score)


@dataclass
class Ranker:
    """Everything needed to order one request's matching passages."""

    builder: MaskBuilder
    columns: Columns
    tiers: tuple[Query, ...]  # empty for browsing
    final: np.ndarray  # matching passages after all filters
    filtered: bool  # whether `final` is narrower than the query's own matches
    scorer: BulkScorer | None = None
    # Passages of the documents the query names (known_items.py), one mask per document in
    # order: each one's best passage comes before every tier.
    pinned: tuple[np.ndarray, ...] = ()

    def passages(self, count: int) -> list[Hit]:
        """The best `count` matching passages: named documents, all-words tier, the rest."""
        hits = self._pinned(count)
        excluded = np.zeros_like(self.final)
        excluded[[docnum for docnum, _ in hits]] = True
        for number, tier in enumerate(self.tiers):
            if len(hits) >= count:
                break
            tier_mask = self.builder.mask(tier)
            allowed = self.final & tier_mask & ~excluded
            excluded |= tier_mask
            if not allowed.any():
                continue
            use_filter = self.filtered or number > 0 or bool(self.pinned)
            hits += self._score(tier, allowed if use_filter else None, count - len(hits))
            if len(hits) >= count:
                break
        return hits

    def _pinned(self, count: int) -> list[Hit]:
        """The best passage of each named document, in the order they were named."""
        hits: list[Hit] = []
        for mask in self.pinned[:count]:
            allowed = self.final & mask
            if not allowed.any():
                continue
            if self.tiers:
                hits += self._score(self.tiers[-1], allowed, 1)
            else:
                hits.append((int(np.flatnonzero(allowed)[0]), None))
        return hits

    @cached_property
    def document_count(self) -> int:
        """How many documents have a matching passage."""
        return self.columns.count_documents(self.final)

    def documents(self, count: int) -> list[Hit]:
        """The best passage of each of the best `count` documents (by best passage)."""
        wanted = min(count, self.document_count)
        limit = max(count * 3, 30)
        while True:
            hits = self.passages(limit)
            best = _first_per_document(hits, self.columns)
            if len(best) >= wanted or len(hits) < limit:
                return best[:count]
            limit *= 4

    def scores(self, docnums: np.ndarray) -> dict[int, float]:
        """Scores of the passages `docnums` (ascending) for the any-word query (empty when
        browsing)."""
        if not self.tiers or not len(docnums) or self.scorer is None:
            return {}
        hits = self.scorer.top(self.tiers[-1], docnums, None)
        return {docnum: score for docnum, score in hits if score is not None}

    def _score(self, q: Query, allowed: np.ndarray | None, limit: int | None) -> list[Hit]:
        if self.scorer is None:  # documents listed by a sort key: nothing is ranked
            return []
        mask = self.builder.mask(q) if allowed is None else allowed
        hits: list[Hit] = [*self.scorer.top(q, np.flatnonzero(mask), limit)]
        return hits

    def sorted_passages(self, sort: str) -> np.ndarray:
        """All matching docnums in `sort` order (newest, oldest, title), then document order."""
        docnums = np.flatnonzero(self.final)
        return docnums[np.lexsort(self._keys(docnums, sort))]

    def sorted_documents(self, sort: str) -> np.ndarray:
        """The first matching passage of each document, documents in `sort` order."""
        docnums = self.columns.first_passages(self.final)
        return docnums[np.lexsort(self._keys(docnums, sort))]

    def _keys(self, docnums: np.ndarray, sort: str) -> tuple[np.ndarray, ...]:
        cols = self.columns
        primary = {
            "newest": -cols.date_rank[docnums],
            "oldest": cols.date_rank[docnums],
            "title": cols.title_rank[docnums],
        }[sort]
        # np.lexsort sorts by the last key first; document number order is passage order.
        return (docnums, cols.doc[docnums], primary)


def _first_per_document(hits: list[Hit], columns: Columns) -> list[Hit]:
    seen: set[int] = set()
    best = []
    for docnum, score in hits:
        doc = int(columns.doc[docnum])
        if doc not in seen:
            seen.add(doc)
            best.append((docnum, score))
    return best
