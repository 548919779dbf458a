"""A term's postings and positions as numpy arrays, for match sets and phrases.

Whoosh's matchers hand out one posting at a time; reading its blocks directly is much faster
and lives, with every other use of Whoosh's private names, in indexer.index.whoosh_private
(with a plain twin on the public API and a self-check). Positions come back here as sorted
int64 keys, `docnum << 32 | position`, so that "word B follows word A in the same passage" is
a search in a sorted array (see phrases.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer.index import whoosh_private

SHIFT = 32  # position keys: docnum << SHIFT | position


class Unsupported(Exception):
    """Postings this module cannot read as positions (a field that keeps none)."""


Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int64, ascending), weights


def read_postings(matcher: Any) -> Postings:
    """All document numbers and weights a fresh term matcher would give, one by one."""
    return whoosh_private.postings(matcher)


def read_positions(matcher: Any, candidates: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Sorted position keys of a term (deleted documents may be included), and whether complete.

    With `candidates` (a mask over document numbers), only the postings blocks whose range of
    document numbers holds a candidate need be read; the keys then cover every candidate. The
    field must store positions (Whoosh's `Positions` format).
    """
    docnums, positions, complete = whoosh_private.positions(matcher, candidates)
    return (docnums << SHIFT) | positions, complete
