"""BM25F for many passages at once, with numpy.

This is the BM25F of Robertson and Zaragoza (2009): a word's frequencies in the title, section
and text are weighted and length-normalised per field, summed, and saturated once, with one
idf for the word. Whoosh's own `BM25F` instead saturates each field separately and adds them,
so a word found in the title and the text counts almost twice; on the SciFact train split the
exact form gives nDCG@10 0.704 against 0.695 (bench/tune_scifact.py, bench/NOTES.md). Its
settings and idf are those of indexer.index.ranking, the index's one ranking model.

Whoosh scores matching documents one at a time in Python (tens of microseconds each), which
is too slow for common words at 200,000 passages. A word's score only needs its postings in
each field (document numbers and weights, read in blocks by docsets.MaskBuilder), the field
lengths of those documents (a per-snapshot array) and the fields' average lengths. Compound
queries add their children's scores, as Whoosh's matchers do. A phrase is scored by its
words, on the documents where the phrase occurs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query import Query
from whoosh.searching import Searcher

from indexer.index import whoosh_private
from indexer.index.ranking import FIELDS, K1, idf
from search_app.engine.columns import columns
from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.limits import check_deadline
from search_app.engine.matchsets import MaskBuilder, shared_cache


@per_generation
def field_lengths(snapshot: Snapshot, field: str) -> np.ndarray:
    """Length of `field` in every document of the snapshot (cached; at least 1)."""
    return whoosh_private.field_lengths(snapshot.searcher().reader(), field)


Word = tuple[str, object, float]  # (field, text, boost) of one word of a query
# Below 1 in SPARSE documents, the documents asked for are scored alone (each word's
# postings searched for them) instead of every document the query's words are in.
SPARSE = 32


class _Sums:
    """Where a query's scores are added up: for every document, or for the few sorted
    document numbers `at`. Each document gets the same additions in the same order either
    way, so its score is the same to the last bit."""

    def __init__(self, size: int, at: np.ndarray | None = None) -> None:
        self.at = at
        self.out = np.zeros(size if at is None else len(at), dtype=np.float64)

    def add(self, ids: np.ndarray, values: Callable[[Any], np.ndarray]) -> None:
        """Add `values(selector)` at `ids[selector]`: the selector picks the postings of the
        documents scored (all of them, or those among `at`). `ids` are sorted."""
        if self.at is None:
            self.out[ids] += values(slice(None))
            return
        if not len(ids):
            return
        where = np.minimum(np.searchsorted(ids, self.at), len(ids) - 1)
        hit = ids[where] == self.at
        if hit.any():
            self.out[hit] += values(where[hit])


class BulkScorer:
    """Scores of a query for every document, as one float array."""

    def __init__(self, snapshot: Snapshot, searcher: Searcher, builder: MaskBuilder) -> None:
        self.snapshot = snapshot
        self.searcher = searcher
        self.builder = builder
        self.size = len(builder.live)
        self._scores: dict[str, np.ndarray] = {}  # per request: grouping may ask again

    def scores(self, q: Query) -> np.ndarray:
        """Score of `q` for every document (0 where it does not match)."""
        key = repr(q)
        if key not in self._scores:
            sums = _Sums(self.size)
            self._add(q, sums, 1.0)
            self._scores[key] = sums.out
        return self._scores[key]

    def scores_at(self, q: Query, docnums: np.ndarray) -> np.ndarray:
        """Scores of `q` for the sorted `docnums`: the same as scores(q)[docnums], without
        scoring every document when they are few (the strict tier of a page, a page's
        reports) and the whole array is not there already."""
        if repr(q) in self._scores or len(docnums) * SPARSE >= self.size:
            return self.scores(q)[docnums]
        return self.scores_of(q, docnums)

    def scores_of(self, q: Query, docnums: np.ndarray) -> np.ndarray:
        """Scores of `q` for the sorted `docnums` alone (each word's postings searched for
        them): to the last bit those of scores(q)[docnums]."""
        sums = _Sums(self.size, docnums)
        self._add(q, sums, 1.0)
        return sums.out

    def _add(self, q: Query, out: _Sums, factor: float) -> None:
        """Add `factor` times the scores of `q` into `out` (Whoosh sums a compound's parts)."""
        if _is_words(q):  # a word's boost is applied with its word
            self._add_words(_words([q]), out, factor)
            return
        factor *= q.boost
        if isinstance(q, wq.Or):
            # The parser turns a word into Or([title:w, section:w, text:w]): one BM25F word.
            leaves = [c for c in q.subqueries if _is_words(c)]
            self._add_words(_words(leaves), out, factor)
            for child in q.subqueries:
                if not _is_words(child):
                    self._add(child, out, factor)
        elif isinstance(q, wq.And):
            for child in q.subqueries:
                self._add(child, out, factor)
        elif isinstance(q, wq.AndNot):
            self._add(q.a, out, factor)
        elif isinstance(q, wq.AndMaybe):
            self._add(q.a, out, factor)
            self._add(q.b, out, factor)
        # Not, Every, ranges: the same for every match, so they add nothing to the order.

    def _add_words(self, words: list[Word], out: _Sums, factor: float) -> None:
        groups: dict[tuple[object, float], list[str]] = {}
        for field, text, boost in words:
            if self.searcher.schema[field].scorable:
                groups.setdefault((text, boost), []).append(field)
            else:  # a facet value: Whoosh's WeightScorer, the posting weight itself
                ids, weights = self.builder.postings(field, text)
                out.add(ids, _scaled(weights, factor * boost))
        for (text, boost), fields in groups.items():
            self._add_bm25f(sorted(set(fields)), text, out, factor * boost)

    def top(self, q: Query, docnums: np.ndarray, limit: int | None) -> list[tuple[int, float]]:
        """The best `limit` of the passages `docnums` (ascending), best first; ties by
        document id, then passage order: the same order whichever order the indexer wrote
        the files in."""
        scores = self.scores_at(q, docnums)
        if limit is not None and len(docnums) > limit:
            # Keep every document tied with the last one kept, so that ties are broken as
            # above and pages never overlap (argpartition breaks ties arbitrarily).
            threshold = -np.partition(-scores, limit - 1)[limit - 1]
            keep = scores >= threshold
            docnums, scores = docnums[keep], scores[keep]
        documents = columns(self.snapshot).doc[docnums]  # ranks of the document ids
        order = np.lexsort((docnums, documents, -scores))[:limit]
        return [(int(d), float(s)) for d, s in zip(docnums[order], scores[order], strict=True)]

    def _add_bm25f(self, fields: list[str], text, out: _Sums, factor: float) -> None:
        """One word's BM25F score, its fields' frequencies combined before saturation."""
        check_deadline()  # word by word: a request past its time budget stops here
        docs, tf, word_idf = self._word(fields, text)
        weight = factor * word_idf
        out.add(docs, lambda at: weight * tf[at] * (K1 + 1) / (tf[at] + K1))

    def _word(self, fields: list[str], text) -> tuple[np.ndarray, np.ndarray, float]:
        """A word's documents, their combined length-normalised frequency and the word's idf
        (kept per snapshot, as its postings are: the same for every request)."""
        key = (tuple(fields), text)
        cache = shared_cache(self.snapshot, "words")
        found = cache.get(key)
        if found is None:
            found = self._combined(fields, text)
            cache.put(key, found)
        docs, tf, word_idf = found
        return docs, tf, float(word_idf)

    def _combined(self, fields: list[str], text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parent = self.searcher.get_parent()
        found = []
        for field in fields:
            ids, weights = self.builder.postings(field, text)
            if not len(ids):
                continue
            spec = self.searcher.schema[field]
            weight, b = FIELDS.get(field, (1.0, 0.75))
            # Posting weights carry the schema's index-time boost: undo it, weigh at query time.
            freqs = weights / (spec.format.field_boost or 1.0)
            avg = parent.avg_field_length(field) or 1
            lengths = field_lengths(self.snapshot, field)[ids]
            found.append((ids, weight * freqs / ((1 - b) + b * lengths / avg)))
        if not found:
            return np.empty(0, np.int64), np.empty(0, np.float64), np.array(0.0)
        if len(found) == 1:  # one field's postings are the documents (most words: the text)
            docs, tf = found[0]
        else:
            combined = self._zeros()
            for ids, part in found:
                # ids are unique within one term's postings, so += on a fancy index is safe.
                combined[ids] += part
            # A comparison first is much faster than flatnonzero on floats.
            docs = np.flatnonzero(combined != 0)
            tf = combined[docs]
        word_idf = idf(parent.doc_count_all(), len(docs))
        return docs, tf, np.array(word_idf)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=np.float64)


def _scaled(weights: np.ndarray, scale: float) -> Callable[[Any], np.ndarray]:
    """The weights picked by a selector, times `scale`."""
    return lambda at: scale * weights[at]


def _is_words(q: Query) -> bool:
    """A term, a phrase, or the words of one field that must all occur ("break-induced")."""
    if isinstance(q, wq.And):
        return all(isinstance(c, wq.Term) for c in q.subqueries)
    return isinstance(q, wq.Term | wq.Phrase)


def _words(queries: list[Query]) -> list[Word]:
    """The (field, text, boost) words of the queries that _is_words accepts."""
    words: list[Word] = []
    for q in queries:
        if isinstance(q, wq.And):
            words += [(c.fieldname, c.text, c.boost * q.boost) for c in q.subqueries]
        elif isinstance(q, wq.Phrase):
            words += [(q.fieldname, text, q.boost) for text in q.words]
        else:
            words.append((q.fieldname, q.text, q.boost))
    return words
