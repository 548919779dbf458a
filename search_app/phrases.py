"""Phrase matching over term positions, for the passages that hold all the words.

Whoosh checks phrases with generic span matchers, one candidate at a time, which costs most of
a second for a common phrase at 200,000 passages. Here the candidates come from numpy masks
(passages holding every word), and only their positions are decoded, straight from the
postings blocks. The rule is Whoosh's (`query.Phrase`): each word follows the previous one
within `slop` positions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import MultiMatcher
from whoosh.reading import TermNotFound

_INT_SIZE = 4  # Whoosh's Positions format: a uint count, then pickled position deltas


class Unsupported(Exception):
    """Postings this module cannot read directly (another codec or format)."""


def phrase_mask(
    reader: Any, field: str, words: Sequence[str], slop: int, candidates: np.ndarray
) -> np.ndarray:
    """Passages of `candidates` (a mask) where `words` occur in order within `slop`."""
    if type(reader.schema[field].format).__name__ != "Positions":
        raise Unsupported(field)
    result = np.zeros(len(candidates), dtype=bool)
    if not candidates.any():
        return result
    positions = [_positions(reader, field, word, candidates) for word in words]
    for docnum in np.flatnonzero(candidates).tolist():
        if _in_order([p.get(docnum, ()) for p in positions], slop):
            result[docnum] = True
    return result


def _in_order(positions: list[Sequence[int]], slop: int) -> bool:
    """Whether some position of the first word starts a chain through all the others."""
    starts = set(positions[0])
    for following in positions[1:]:
        following = set(following)
        starts = {p + d for p in starts for d in range(1, slop + 1) if p + d in following}
        if not starts:
            return False
    return True


def _positions(reader: Any, field: str, word: str, candidates: np.ndarray) -> dict[int, list]:
    """docnum -> positions of `word`, for candidate passages only."""
    btext = reader.schema[field].to_bytes(word)
    try:
        matcher = reader.postings(field, btext)
    except TermNotFound:
        return {}
    found: dict[int, list] = {}
    for leaf, offset in _leaves(matcher, 0):
        while leaf.is_active():
            leaf._read_ids()
            ids = np.asarray(leaf._ids, dtype=np.int64) + offset
            wanted = np.flatnonzero(candidates[ids])
            if len(wanted):
                leaf._read_values()
                for k in wanted.tolist():
                    found[int(ids[k])] = _decode(leaf._values[k])
            leaf._next_block()
    return found


def _decode(value: bytes) -> list[int]:
    """Whoosh's Positions.decode_positions, without the per-call overhead."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


def _leaves(matcher: Any, offset: int) -> Iterator[tuple[W3LeafMatcher, int]]:
    if isinstance(matcher, MultiMatcher):
        for child, child_offset in zip(matcher.matchers, matcher.offsets, strict=True):
            yield from _leaves(child, offset + child_offset)
    elif isinstance(matcher, W3LeafMatcher):
        yield matcher, offset
    else:
        raise Unsupported(type(matcher).__name__)
