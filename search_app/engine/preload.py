"""Warm-up: the commonest terms' postings and positions read into the snapshot's caches.

Reading a term costs time in proportion to the passages holding it (about 40 ms for a word
in half the passages of a 280,000-passage index, and 150 ms more for its positions), so the
commonest words make the slowest queries, phrases of two common words most of all. They are
also the words most queries contain. Reading them once per index generation, in the
background warm-up, takes a few seconds and half of each cache; the caches stay
least-recently-used, so terms never searched for give way to those that are.

Only the TERMS commonest terms' postings are read, and the positions of the terms a phrase
reads whole (matchsets.WHOLE_POSITIONS_FROM passages or more): a rarer word reads fast enough
on demand, and on a small index the cache's share would otherwise take in every term of the
vocabulary (on the bundled shelf that was 35 s of the server's start to ready, on a busy
machine). At 279,000 passages the positions read are those of about 700 words, 12 million
keys (96 MB), in about 10 s of the background warm-up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search_app.engine.index_handle import Snapshot
from search_app.engine.matchsets import (
    CACHED_POSITIONS,
    CACHED_POSTINGS,
    WHOLE_POSITIONS_FROM,
    MaskBuilder,
)
from search_app.engine.postings import Unsupported
from search_app.engine.vocabulary import vocabulary

SHARE = 0.5  # of each cache filled at warm-up
TERMS = 300  # commonest terms whose postings are read, at most


def preload(snapshot: Snapshot, fields: Sequence[str]) -> tuple[int, int]:
    """Cache the postings, then the positions, of the commonest terms of `fields`.

    Returns how many postings and position keys were read.
    """
    builder = MaskBuilder(snapshot, snapshot.searcher())
    ranked = _commonest(snapshot, fields)
    postings = 0
    for count, field, text in ranked[:TERMS]:
        if postings + count > CACHED_POSTINGS * SHARE:
            break
        postings += len(builder.postings(field, text)[0])
    everything = np.ones(len(builder.live), dtype=bool)
    keys = 0
    for count, field, text in ranked:
        if keys >= CACHED_POSITIONS * SHARE or count < WHOLE_POSITIONS_FROM:
            break
        try:
            keys += len(builder.positions(field, text, everything))
        except Unsupported:
            continue
    return postings, keys


def _commonest(snapshot: Snapshot, fields: Sequence[str]) -> list[tuple[int, str, str]]:
    """(passages, field, term) of every term of `fields`, commonest first."""
    ranked = []
    for field in fields:
        words = vocabulary(snapshot, field)
        ranked += [(int(n), field, term) for term, n in zip(words.terms, words.counts, strict=True)]
    ranked.sort(key=lambda item: -item[0])
    return ranked
