"""Sets of matching passages as numpy boolean masks over document numbers.

Whoosh's own `docs_for_query` walks matchers one id at a time in Python; for common words at
200,000 passages that costs more than the whole time budget. Here a term's postings are
decoded block by block into arrays, and And/Or/Not are numpy operations. Query types this
module does not know (phrases, ranges) still go through Whoosh.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import MultiMatcher
from whoosh.query import Query
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from search_app.index_handle import Snapshot

Mask = np.ndarray  # bool[doc_count_all]


def matcher_ids(matcher: Any, offset: int = 0) -> np.ndarray:
    """All document numbers of a fresh postings matcher, as an int64 array."""
    if isinstance(matcher, MultiMatcher):
        parts = [
            matcher_ids(m, offset + o)
            for m, o in zip(matcher.matchers, matcher.offsets, strict=True)
        ]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)
    if isinstance(matcher, W3LeafMatcher):
        blocks = []
        while matcher.is_active():
            matcher._read_ids()  # whole blocks at a time instead of one id per call
            blocks.append(np.asarray(matcher._ids, dtype=np.int64))
            matcher._next_block()
        ids = np.concatenate(blocks) if blocks else np.empty(0, np.int64)
        return ids + offset
    return np.fromiter(matcher.all_ids(), dtype=np.int64) + offset


def term_ids(reader: Any, field: str, text: Any) -> np.ndarray:
    """Document numbers holding a term (deleted ones included)."""
    try:
        return matcher_ids(reader.postings(field, text))
    except TermNotFound:
        return np.empty(0, np.int64)


def live_mask(snapshot: Snapshot) -> Mask:
    """Documents not deleted in this snapshot (cached)."""

    def build(snap: Snapshot) -> Mask:
        reader = snap.searcher().reader()
        mask = np.ones(reader.doc_count_all(), dtype=bool)
        if reader.has_deletions():
            mask[:] = False
            mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        return mask

    return snapshot.cached("live", build)


class MaskBuilder:
    """Evaluates queries to masks for one request, reusing term masks between tiers."""

    def __init__(self, snapshot: Snapshot, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.live = live_mask(snapshot)
        self._terms: dict[tuple[str, Any], Mask] = {}

    def mask(self, q: Query) -> Mask:
        """Live documents matching `q`."""
        return self._eval(q) & self.live

    def ids_mask(self, ids: np.ndarray) -> Mask:
        mask = np.zeros(len(self.live), dtype=bool)
        mask[ids] = True
        return mask

    def _eval(self, q: Query) -> Mask:
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text)
        if isinstance(q, wq.And):
            return self._reduce(np.logical_and, q.subqueries)
        if isinstance(q, wq.Or):
            return self._reduce(np.logical_or, q.subqueries)
        if isinstance(q, wq.AndNot):
            return self._eval(q.a) & ~self._eval(q.b)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a)
        if isinstance(q, wq.Not):
            return ~self._eval(q.query)
        if isinstance(q, wq.Every):
            return self.live.copy()
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(len(self.live), dtype=bool)
        ids = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        return self.ids_mask(ids)

    def _term(self, field: str, text: Any) -> Mask:
        key = (field, text)
        if key not in self._terms:
            if field not in self.reader.schema:
                self._terms[key] = np.zeros(len(self.live), dtype=bool)
            else:
                btext = (
                    text if isinstance(text, bytes) else self.reader.schema[field].to_bytes(text)
                )
                self._terms[key] = self.ids_mask(term_ids(self.reader, field, btext))
        return self._terms[key]

    def _reduce(self, op: Any, queries: list[Query]) -> Mask:
        if not queries:
            return np.zeros(len(self.live), dtype=bool)
        result = self._eval(queries[0]).copy()
        for child in queries[1:]:
            op(result, self._eval(child), out=result)
        return result
