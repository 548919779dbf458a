"""BM25F for many passages at once, with numpy: the formula of `whoosh.scoring.BM25F`.

Whoosh scores matching documents one at a time in Python (tens of microseconds each), which
is too slow for common words at 200,000 passages. A term query's score only needs, per term,
its postings (document numbers and weights, read in blocks by docsets.MaskBuilder), the field
lengths of those documents (a per-snapshot array), the term's idf and the field's average
length. Compound queries add their children's scores, as Whoosh's matchers do. A phrase is
scored by its words, on the documents where the phrase occurs.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.query import Query
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search_app.docsets import MaskBuilder
from search_app.index_handle import Snapshot

# Whoosh stores each field length in one byte; this table undoes the encoding.
_LENGTHS = np.array([byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)


def field_lengths(snapshot: Snapshot, field: str) -> np.ndarray:
    """Length of `field` in every document of the snapshot (cached)."""
    return snapshot.cached(f"lengths:{field}", lambda snap: _read_lengths(snap, field))


def _read_lengths(snapshot: Snapshot, field: str) -> np.ndarray:
    reader = snapshot.searcher().reader()
    codes = np.zeros(reader.doc_count_all(), dtype=np.uint8)
    for leaf, offset in reader.leaf_readers():
        codes[offset : offset + leaf.doc_count_all()] = _length_codes(leaf, field)
    return _LENGTHS[codes]


def _length_codes(leaf, field: str) -> np.ndarray:
    """One segment's length bytes: read as one block where the codec allows it."""
    size = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)  # absent from an empty index's reader
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
    if column is None:
        return np.zeros(size, dtype=np.uint8)
    try:
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        codes = np.frombuffer(raw, dtype=np.uint8)
    except AttributeError:  # another codec: one call per document
        codes = np.array([column[d] for d in range(size)], dtype=np.uint8)
    out = np.zeros(size, dtype=np.uint8)
    out[: len(codes)] = codes[:size]
    return out


class BulkScorer:
    """Scores of a query for every document, as one float array."""

    def __init__(self, snapshot: Snapshot, searcher: Searcher, builder: MaskBuilder) -> None:
        self.snapshot = snapshot
        self.searcher = searcher
        self.builder = builder
        self.weighting = searcher.weighting
        self.size = len(builder.live)
        self._scores: dict[str, np.ndarray] = {}  # per request: grouping may ask again

    @property
    def usable(self) -> bool:
        """Whoosh's BM25F (its idf may be overridden) is reproduced here; others go to Whoosh."""
        model = type(self.weighting)
        return issubclass(model, BM25F) and model.scorer is BM25F.scorer

    def scores(self, q: Query) -> np.ndarray:
        """Score of `q` for every document (0 where it does not match)."""
        key = repr(q)
        if key not in self._scores:
            out = self._zeros()
            self._add(q, out, 1.0)
            self._scores[key] = out
        return self._scores[key]

    def _add(self, q: Query, out: np.ndarray, factor: float) -> None:
        """Add `factor` times the scores of `q` into `out` (Whoosh sums a compound's parts)."""
        factor *= q.boost
        if isinstance(q, wq.Term):
            self._add_term(q.fieldname, q.text, out, factor)
        elif isinstance(q, wq.Phrase):
            for word in q.words:
                self._add_term(q.fieldname, word, out, factor)
        elif isinstance(q, wq.And | wq.Or):
            for child in q.subqueries:
                self._add(child, out, factor)
        elif isinstance(q, wq.AndNot):
            self._add(q.a, out, factor)
        elif isinstance(q, wq.AndMaybe):
            self._add(q.a, out, factor)
            self._add(q.b, out, factor)
        # Not, Every, ranges: the same for every match, so they add nothing to the order.

    def top(self, q: Query, allowed: np.ndarray, limit: int | None) -> list[tuple[int, float]]:
        """The best `limit` documents of `allowed` (best first; ties by document number)."""
        docnums = np.flatnonzero(allowed)
        scores = self.scores(q)[docnums]
        if limit is not None and len(docnums) > limit:
            keep = np.argpartition(-scores, limit - 1)[:limit]
            docnums, scores = docnums[keep], scores[keep]
        order = np.lexsort((docnums, -scores))
        return [(int(d), float(s)) for d, s in zip(docnums[order], scores[order], strict=True)]

    def _add_term(self, field: str, text, out: np.ndarray, factor: float) -> None:
        ids, weights = self.builder.postings(field, text)
        if not len(ids):
            return
        if not self.searcher.schema[field].scorable:
            out[ids] += factor * weights  # Whoosh's WeightScorer
            return
        parent = self.searcher.get_parent()
        btext = text if isinstance(text, bytes) else self.searcher.schema[field].to_bytes(text)
        idf = parent.idf(field, btext)  # the weighting model's own idf
        avg = parent.avg_field_length(field) or 1
        b = self.weighting._field_B.get(field, self.weighting.B)
        k1 = self.weighting.K1
        lengths = field_lengths(self.snapshot, field)[ids]
        # ids are unique within one term's postings, so += on a fancy index is safe.
        out[ids] += (
            factor * idf * (weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avg))
        )

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=np.float64)
