"""Sets of matching passages as numpy boolean masks over document numbers.

Whoosh's own `docs_for_query` walks matchers one id at a time in Python; for common words at
200,000 passages that costs more than the whole time budget. Here a term's postings are
decoded block by block into arrays (postings.py), and And/Or/Not are numpy operations;
phrases are checked on position arrays (phrases.py). Query types this module does not know
(ranges) still go through Whoosh. Masks, postings and positions are kept per snapshot, within
fixed sizes, so that paging, facet clicks and later queries sharing words do not pay again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query import Query
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.limits import check_deadline
from search_app.engine.phrases import phrase_mask
from search_app.engine.postings import Unsupported, read_positions, read_postings

Mask = np.ndarray  # bool[doc_count_all]
Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int64), weights (float64)
CACHED_MASKS = 64  # per snapshot; 200,000 passages make a 200 KB mask
CACHED_POSTINGS = 8_000_000  # postings kept per snapshot (12 bytes each: about 100 MB)
CACHED_POSITIONS = 24_000_000  # phrase words' positions kept per snapshot (8 bytes each)
# A phrase word in this many passages or more has all its positions read, and kept, even when
# the phrase's candidates lie in a few postings blocks: common words come back in phrase after
# phrase, and a partial read can be kept for nobody.
WHOLE_POSITIONS_FROM = 2_000
CACHED_WORDS = 4_000_000  # scored words' documents kept per snapshot (16 bytes each)


def term_postings(reader: Any, field: str, btext: bytes) -> Postings:
    """Document numbers and weights of a term, as the reader's matcher gives them (deleted
    documents may be among them: callers keep to live_mask)."""
    try:
        ids, weights = read_postings(reader.postings(field, btext))
    except TermNotFound:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    return ids.astype(np.int32), weights


def term_ids(reader: Any, field: str, btext: bytes) -> np.ndarray:
    """Document numbers holding a term (deleted ones may be among them)."""
    return term_postings(reader, field, btext)[0]


@per_generation
def live_mask(snapshot: Snapshot) -> Mask:
    """Documents not deleted in this snapshot (cached)."""
    reader = snapshot.searcher().reader()
    mask = np.ones(reader.doc_count_all(), dtype=bool)
    if reader.has_deletions():
        mask[:] = False
        mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    return mask


@per_generation
def shared_cache(snapshot: Snapshot, kind: str) -> LRU:
    """The snapshot's bounded cache of query masks, term postings or term positions."""
    if kind == "masks":
        return LRU(CACHED_MASKS)
    if kind == "postings":
        return LRU(CACHED_POSTINGS, lambda p: len(p[0]))
    if kind == "words":  # scoring.BulkScorer: a word's documents and combined frequencies
        return LRU(CACHED_WORDS, lambda p: len(p[0]))
    return LRU(CACHED_POSITIONS, len)


class LRU:
    """A thread-safe least-recently-used cache of read-only arrays, bounded by total size."""

    def __init__(self, capacity: int, measure: Any = lambda value: 1) -> None:
        self.capacity = capacity
        self.measure = measure
        self.used = 0
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        for array in value if isinstance(value, tuple) else (value,):
            if isinstance(array, np.ndarray):
                array.setflags(write=False)  # shared between requests: nobody may change it
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.used += self.measure(value)
            while self.used > self.capacity and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.used -= self.measure(old)


class MaskBuilder:
    """Evaluates queries to masks for one request, reusing postings between tiers."""

    def __init__(self, snapshot: Snapshot, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.live = live_mask(snapshot)
        self._cache = shared_cache(snapshot, "masks")
        self._postings = shared_cache(snapshot, "postings")
        self._positions = shared_cache(snapshot, "positions")

    def mask(self, q: Query) -> Mask:
        """Live documents matching `q` (read-only; copy before changing it)."""
        key = repr(q)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._eval(q) & self.live
            self._cache.put(key, cached)
        return cached

    def ids_mask(self, ids: np.ndarray) -> Mask:
        mask = np.zeros(len(self.live), dtype=bool)
        mask[ids] = True
        return mask

    def postings(self, field: str, text: Any) -> Postings:
        """A term's postings (kept per snapshot for the commonest recent terms)."""
        key = (field, text)
        found = self._postings.get(key)
        if found is None:
            if field not in self.reader.schema:
                found = (np.empty(0, np.int64), np.empty(0, np.float64))
            else:
                found = term_postings(self.reader, field, self._btext(field, text))
            self._postings.put(key, found)
        return found

    def positions(self, field: str, text: Any, candidates: Mask) -> np.ndarray:
        """Sorted `docnum << 32 | position` keys of a term, for (at least) the candidates.

        Only the postings blocks holding a candidate are read, unless the term is common
        (WHOLE_POSITIONS_FROM); when all of them are read, the keys are kept per snapshot.
        Raises postings.Unsupported when the field keeps no positions or the codec is not
        Whoosh's default.
        """
        key = (field, text)
        found = self._positions.get(key)
        if found is not None:
            return found
        schema = self.reader.schema
        if field not in schema or type(schema[field].format).__name__ != "Positions":
            raise Unsupported(field)
        try:
            matcher = self.reader.postings(field, self._btext(field, text))
        except TermNotFound:
            return np.empty(0, np.int64)
        common = self.reader.doc_frequency(field, text) >= WHOLE_POSITIONS_FROM
        found, complete = read_positions(matcher, None if common else candidates)
        if complete:
            self._positions.put(key, found)
        return found

    def _btext(self, field: str, text: Any) -> bytes:
        return text if isinstance(text, bytes) else self.reader.schema[field].to_bytes(text)

    def _eval(self, q: Query) -> Mask:
        check_deadline()  # node by node: a request past its time budget stops here
        if isinstance(q, wq.Term):
            return self.ids_mask(self.postings(q.fieldname, q.text)[0])
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
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        return self._whoosh(q)  # ranges and the rest

    def _phrase(self, q: wq.Phrase) -> Mask:
        """Passages holding all the words, checked for order by phrases.phrase_mask."""
        key = "phrase:" + repr(q)
        cached = self._cache.get(key)
        if cached is None:
            words = [wq.Term(q.fieldname, word) for word in q.words]
            candidates = self._reduce(np.logical_and, words) & self.live
            try:
                keys = [
                    self.positions(q.fieldname, word, candidates)
                    for word in (q.words if candidates.any() else ())
                ]
            except Unsupported:
                return self._whoosh(q)
            cached = phrase_mask(keys, q.slop, candidates)
            self._cache.put(key, cached)
        return cached

    def _whoosh(self, q: Query) -> Mask:
        """Whoosh's own matching, cached per snapshot (phrase matching is slow in Python)."""
        key = "whoosh:" + repr(q)
        cached = self._cache.get(key)
        if cached is None:
            ids = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
            cached = self.ids_mask(ids)
            self._cache.put(key, cached)
        return cached

    def _reduce(self, op: Any, queries: list[Query]) -> Mask:
        if not queries:
            return np.zeros(len(self.live), dtype=bool)
        result = self._eval(queries[0]).copy()
        for child in queries[1:]:
            op(result, self._eval(child), out=result)
        return result
