"""A term's postings read straight from Whoosh's blocks into numpy arrays.

Whoosh's matchers hand out one posting at a time, and even its block readers decode document
numbers with a Python generator. Here each block is read once (zlib and pickle, in C) and its
numbers, weights and, on request, positions are decoded for the whole term with numpy.

Positions come back as sorted int64 keys, `docnum << 32 | position`, so that "word B follows
word A in the same passage" is a search in a sorted array (see phrases.py).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import accumulate
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, MultiMatcher

SHIFT = 32  # position keys: docnum << SHIFT | position
_INT_SIZE = 4  # Whoosh's Positions format: a big-endian uint count, then pickled deltas
# Protocol-2 pickles of a list of small ints, as Whoosh's Positions.encode writes them:
# one delta is `\x80\x02]q\x00 K<byte> a.`; several are `\x80\x02]q\x00( K<b> K<b>... e.`.
_K = ord("K")
# A block is a pickled tuple (id deltas, weights, values), each value pickled as a call to
# `_codecs.encode`: the values' tuple starts with a MARK and that global.
_VALUES_START = b"(c_codecs\nencode\n"
_PAIR_END = b"\x86."  # TUPLE2, STOP: the ids and weights read so far as a pair
_ONE_SIZE = _INT_SIZE + 9
_MANY_SIZE = _INT_SIZE + 8  # plus 2 bytes per delta
_ONE_FIRST = _INT_SIZE + 6  # offset of the delta byte of a single-delta value
_MANY_FIRST = _INT_SIZE + 7  # offset of the first delta byte of a longer value


class Unsupported(Exception):
    """Postings this module cannot read directly (another codec or format)."""


Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int64, ascending), weights
Filter = tuple[Any, bool] | None  # a FilterMatcher's (document numbers, exclude them)


def read_postings(matcher: Any) -> Postings:
    """All document numbers and weights a fresh term matcher would give, one by one."""
    ids, weights = [], []
    for leaf, offset, keep in _leaves(matcher, 0):
        leaf.reset()  # a FilterMatcher may have stepped past deleted postings already
        if _readable(leaf):
            leaf_ids, leaf_weights = _leaf_postings(leaf)
        else:
            leaf_ids, leaf_weights = _generic(leaf)
        if keep is not None:
            inside = np.isin(leaf_ids, np.fromiter(keep[0], dtype=np.int64))
            chosen = ~inside if keep[1] else inside
            leaf_ids, leaf_weights = leaf_ids[chosen], leaf_weights[chosen]
        ids.append(leaf_ids + offset)
        weights.append(leaf_weights)
    return _concat(ids, np.int64), _concat(weights, np.float64)


def read_positions(matcher: Any, candidates: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Sorted position keys of a term (deleted documents included), and whether complete.

    With `candidates` (a mask over document numbers), only the postings blocks whose range of
    document numbers holds a candidate are read; the keys then cover every candidate. The
    field must store positions (Whoosh's `Positions` format); other codecs raise Unsupported.
    """
    deltas: list[int] = []
    values: list[bytes] = []
    sizes, offsets = [], []
    complete = True
    for leaf, offset, _ in _leaves(matcher, 0):
        if not _readable(leaf):
            raise Unsupported(type(leaf).__name__)
        leaf.reset()
        after = offset  # first document number the current block may hold
        while leaf.is_active():
            last = offset + leaf._maxid
            if candidates is None or candidates[after : last + 1].any():
                leaf._read_data()
                block_ids, _, block_values = leaf._data[:3]
                deltas.extend(block_ids)
                values.extend(block_values)
                sizes.append(leaf._blocklength)
                offsets.append(offset)
            else:
                complete = False
            after = last + 1
            leaf._next_block()
    ids = _block_cumsum(np.array(deltas, dtype=np.int64), np.array(sizes, dtype=np.int64))
    ids += np.repeat(np.array(offsets, dtype=np.int64), sizes)
    return position_keys(ids, values), complete


def _leaves(matcher: Any, offset: int, keep: Filter = None) -> Iterator[tuple[Any, int, Filter]]:
    """The segments' matchers under a matcher, their docnum offsets and deletion filters."""
    if isinstance(matcher, MultiMatcher):
        for child, child_offset in zip(matcher.matchers, matcher.offsets, strict=True):
            yield from _leaves(child, offset + child_offset, keep)
    elif isinstance(matcher, FilterMatcher) and keep is None:
        yield from _leaves(matcher.child, offset, (matcher._ids, matcher._exclude))
    else:
        yield matcher, offset, keep


def _readable(leaf: Any) -> bool:
    """Whether the blocks of `leaf` can be read directly."""
    return isinstance(leaf, W3LeafMatcher) and not leaf._byteids


def _leaf_postings(leaf: W3LeafMatcher) -> Postings:
    """Document numbers (within the segment) and weights of one segment's postings."""
    deltas: list[int] = []
    weights: list[np.ndarray] = []
    sizes = []
    while leaf.is_active():
        block_ids, block_weights = _ids_and_weights(leaf)
        size = leaf._blocklength
        deltas.extend(block_ids)
        weights.append(_block_weights(block_weights, size))
        sizes.append(size)
        leaf._next_block()
    ids = _block_cumsum(np.array(deltas, dtype=np.int64), np.array(sizes, dtype=np.int64))
    return ids, _concat(weights, np.float64)


def _ids_and_weights(leaf: W3LeafMatcher) -> tuple[Any, Any]:
    """The current block's id deltas and weights, without unpickling its values.

    Whoosh pickles each value as a call to `_codecs.encode`, which makes unpickling them most
    of the cost of reading a block: the pickle is cut where they begin.
    """
    data = leaf._postfile.get(leaf._dataoffset, leaf._nextoffset - leaf._dataoffset)
    if leaf._compression:
        data = zlib.decompress(data)
    cut = data.find(_VALUES_START)
    if cut > 0:
        try:
            ids, weights = loads(data[:cut] + _PAIR_END)
        except Exception:  # not the layout expected after all: read the whole block
            ids = ()
        if len(ids) == leaf._blocklength:
            return ids, weights
    return loads(data)[:2]


def _generic(matcher: Any) -> Postings:
    """Other codecs: one posting at a time, slow but right."""
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype)


def _block_weights(weights: Any, size: int) -> np.ndarray:
    """Whoosh stores no weights when all are 1.0, one float when all are equal."""
    if weights is None:
        return np.ones(size, dtype=np.float64)
    if isinstance(weights, float):
        return np.full(size, weights, dtype=np.float64)
    return np.asarray(weights, dtype=np.float64)


def _block_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Running sums of `values` restarting at each block of `sizes` items (sizes may be 0)."""
    total = np.cumsum(values)
    before = np.concatenate(([0], total))[np.cumsum(sizes) - sizes]
    return total - np.repeat(before, sizes)


def position_keys(ids: np.ndarray, values: list[bytes]) -> np.ndarray:
    """Sorted `docnum << SHIFT | position` keys from Positions-encoded posting values."""
    counts, positions = decode_positions(values)
    return (np.repeat(ids.astype(np.int64), counts) << SHIFT) | positions


def decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Per value its number of positions, and all positions in order (int64).

    Values whose deltas all fit in a byte (nearly all of them: passages are short) are
    decoded with numpy; the rest go through pickle, as Whoosh's Positions.decode_positions.
    """
    if not values:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.cumsum(sizes) - sizes
    header = buf[starts[:, None] + np.arange(_INT_SIZE)].astype(np.int64)
    counts = (header[:, 0] << 24) | (header[:, 1] << 16) | (header[:, 2] << 8) | header[:, 3]
    single = counts == 1
    fast = np.where(single, sizes == _ONE_SIZE, sizes == _MANY_SIZE + 2 * counts)
    first = starts + np.where(single, _ONE_FIRST, _MANY_FIRST)
    fast_counts = np.where(fast, counts, 0)
    within = np.arange(int(fast_counts.sum())) - np.repeat(
        np.cumsum(fast_counts) - fast_counts, fast_counts
    )
    where = np.repeat(first, fast_counts) + 2 * within
    fast_ok = buf[where - 1] == _K  # every delta is a one-byte int: the layout is as expected
    if not fast_ok.all():
        bad = np.unique(np.repeat(np.arange(len(values)), fast_counts)[~fast_ok])
        fast[bad] = False
        return _decode_mixed(values, counts, fast)
    positions = _block_cumsum(buf[where].astype(np.int64), fast_counts)
    if fast.all():
        return counts, positions
    return _decode_mixed(values, counts, fast, positions)


def _decode_mixed(
    values: list[bytes], counts: np.ndarray, fast: np.ndarray, decoded: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions when some values need pickle: those one by one, the others with numpy."""
    if decoded is None:
        decoded = decode_positions([values[k] for k in np.flatnonzero(fast).tolist()])[1]
    out = np.empty(int(counts.sum()), dtype=np.int64)
    out[np.repeat(fast, counts)] = decoded
    ends = np.cumsum(counts)
    for k in np.flatnonzero(~fast).tolist():
        out[ends[k] - counts[k] : ends[k]] = _decode_slow(values[k])
    return counts, out


def _decode_slow(value: bytes) -> list[int]:
    """Whoosh's Positions.decode_positions."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))
