"""Index terms within a few edits of a word, segment by segment, as Whoosh's automaton finds
them, with the distances computed in C.

Whoosh's `terms_within` builds a Levenshtein automaton in Python for every segment and every
word, then skips along the term list with it: 0.5-0.8 s for one misspelt word at 280,000
passages (8 segments), the slowest part of any search that offers a correction. Here each
segment's terms sharing the prefix are read once and kept (a segment's terms never change;
deletions only mark passages), and rapidfuzz computes the edit distance to all of them at
once. What is found is what the automaton finds: the prefix as typed, then at most `most`
insertions, deletions or substitutions in the rest, in the segment's term order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

KEPT_TERMS = 400_000  # terms kept in memory, over all segments and prefixes (about 40 MB)

_Terms = tuple[list[str], list[str]]  # the terms, and each one's rest after the prefix
_cache: OrderedDict[tuple[Any, ...], _Terms] = OrderedDict()
_kept = 0
_lock = threading.Lock()


def segment_terms_within(leaf: Any, field: str, text: str, most: int, prefix: int) -> list[str]:
    """The terms of one segment's `field` that start with text[:prefix] and are within
    `most` edits of `text` in the rest, in the segment's (code point) order."""
    segment = leaf.segment()
    if segment is None:  # not a segment's reader (an empty index): Whoosh's own way
        found = leaf.terms_within(field, text, most, prefix)
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in found]
    terms, rests = _terms(leaf, segment, field, text[:prefix])
    if not terms:
        return []
    distances = cdist(
        [text[prefix:]], rests, scorer=Levenshtein.distance, score_cutoff=most, workers=1
    )[0]
    return [terms[i] for i in np.flatnonzero(distances <= most)]


def _terms(leaf: Any, segment: Any, field: str, start: str) -> _Terms:
    global _kept
    key = (segment.segment_id(), segment.doc_count_all(), field, start)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    decode = leaf.schema[field].from_bytes
    terms = [decode(b) for b in leaf.expand_prefix(field, start)] if field in leaf.schema else []
    found = (terms, [t[len(start) :] for t in terms])
    with _lock:
        if key not in _cache:
            _cache[key] = found
            _kept += len(terms)
            while _kept > KEPT_TERMS and len(_cache) > 1:
                _, (old, _) = _cache.popitem(last=False)
                _kept -= len(old)
    return found
