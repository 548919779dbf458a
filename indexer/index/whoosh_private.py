"""Every use of a Whoosh private name, each beside a plain twin on Whoosh's public API.

Whoosh's matchers hand out one posting at a time, and even its block readers decode document
numbers with a Python generator: too slow for common words at 200,000 passages. So searches
read Whoosh's own structures directly (postings blocks and the pickled layout of their
positions, the field-length columns, the deleted set of a FilterMatcher), and commits cache
`W3PerDocReader.has_column`. Those names
can change in any release (`whoosh-reloaded` is pinned below its next minor release), so:

- each function here has a plain path through the public API that gives the same result;
- `self_check(reader)`, run when the server opens a snapshot, reads one real term's postings,
  positions and field lengths both ways. If they differ, or the fast way raises anything,
  one WARNING says "whoosh internals changed (...): using the plain Whoosh path", and every
  function here takes the plain path for the rest of the process.

A block is a pickled tuple (id deltas, weights, values); weights are None when all are 1.0
and one float when all are equal; values are the Positions-encoded bytes of each posting.
"""

from __future__ import annotations

import logging
import threading
import zlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from itertools import islice
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.formats import Positions
from whoosh.matching import FilterMatcher, ListMatcher, MultiMatcher
from whoosh.util.numeric import byte_to_length

log = logging.getLogger(__name__)

Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int64, ascending), weights
Filter = tuple[Any, bool] | None  # a FilterMatcher's (document numbers, exclude them)

# Whoosh pickles each value as a call to `_codecs.encode`: the values' tuple starts with a
# MARK and that global. A pickle cut there and closed as a pair holds ids and weights only.
_VALUES_START = b"(c_codecs\nencode\n"
_PAIR_END = b"\x86."  # TUPLE2, STOP
_INT_SIZE = 4  # Whoosh's Positions format: a big-endian uint count, then pickled deltas
# Protocol-2 pickles of a list of small ints, as Whoosh's Positions.encode writes them:
# one delta is `\x80\x02]q\x00 K<byte> a.`; several are `\x80\x02]q\x00( K<b> K<b>... e.`.
_K = ord("K")
_ONE_SIZE = _INT_SIZE + 9
_MANY_SIZE = _INT_SIZE + 8  # plus 2 bytes per delta
_ONE_FIRST = _INT_SIZE + 6  # offset of the delta byte of a single-delta value
_MANY_FIRST = _INT_SIZE + 7  # offset of the first delta byte of a longer value
_POSITIONS = Positions()

# Whoosh stores each field length in one byte; this table undoes the encoding (0 -> 1).
_LENGTHS = np.array([byte_to_length(b) if b else 1 for b in range(256)], dtype=np.float64)
# Taken at import, without failing if it is gone: a commit restores exactly this.
_HAS_COLUMN: Any = getattr(getattr(whoosh3, "W3PerDocReader", None), "has_column", None)
_DOC_FIELD_LENGTH: Any = getattr(getattr(whoosh3, "W3PerDocReader", None), "doc_field_length", None)
# What `doc_field_length` answers for each length byte (0: no length, None).
_LENGTH_OF = [byte_to_length(b) if b else None for b in range(256)]
_LENGTHS_CHECKED = 64  # documents whose lengths a commit compares both ways, per field
_COLUMN_CHECKS_LOCK = threading.Lock()
_STATE_LOCK = threading.Lock()
_SAMPLE_TERMS = 200  # lexicon terms the self-check chooses its term among
_SAMPLE_DOCS = 1000  # documents whose field lengths it compares

_plain_reason: str | None = None  # set once, when the fast path is given up


def plain_reason() -> str | None:
    """Why this process uses the plain Whoosh path, or None while it uses the fast one."""
    return _plain_reason


def use_plain(reason: str) -> None:
    """Give up the fast path for the rest of the process, saying why (once)."""
    global _plain_reason
    with _STATE_LOCK:
        if _plain_reason is not None:
            return
        _plain_reason = reason
    log.warning("whoosh internals changed (%s): using the plain Whoosh path", reason)


# --- postings ------------------------------------------------------------------------------


def postings(matcher: Any) -> Postings:
    """All document numbers and weights a fresh term matcher would give, one by one."""
    return _plain_postings(matcher) if _plain_reason else _fast_postings(matcher)


def positions(
    matcher: Any, candidates: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Every occurrence of a term: document numbers and positions (int64, in document and
    position order), and whether they are all of them.

    With `candidates` (a mask over document numbers), the fast path reads only the postings
    blocks whose range of documents holds a candidate. Deleted documents may be included.
    """
    if _plain_reason:
        return _plain_positions(matcher)
    return _fast_positions(matcher, candidates)


def _plain_postings(matcher: Any) -> Postings:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _plain_positions(matcher: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    docnums: list[int] = []
    found: list[int] = []
    for docnum, positions_ in matcher.items_as("positions"):
        docnums.extend([docnum] * len(positions_))
        found.extend(positions_)
    return np.array(docnums, dtype=np.int64), np.array(found, dtype=np.int64), True


def _fast_postings(matcher: Any) -> Postings:
    ids, weights = [], []
    for leaf, offset, keep in _leaves(matcher, 0):
        leaf.reset()  # a FilterMatcher may have stepped past deleted postings already
        if _readable(leaf):
            leaf_ids, leaf_weights = _leaf_postings(leaf)
        else:  # another codec: one posting at a time
            leaf_ids, leaf_weights = _plain_postings(leaf)
        if keep is not None:
            inside = np.isin(leaf_ids, np.fromiter(keep[0], dtype=np.int64))
            chosen = ~inside if keep[1] else inside
            leaf_ids, leaf_weights = leaf_ids[chosen], leaf_weights[chosen]
        ids.append(leaf_ids + offset)
        weights.append(leaf_weights)
    return _concat(ids, np.int64), _concat(weights, np.float64)


def _fast_positions(
    matcher: Any, candidates: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    ids, values, complete = _position_values(matcher, candidates)
    counts, found = decode_positions(values)
    return np.repeat(ids, counts), found, complete


def _position_values(
    matcher: Any, candidates: np.ndarray | None
) -> tuple[np.ndarray, list[bytes], bool]:
    """Document numbers and Positions-encoded values of the blocks read, and whether all."""
    deltas: list[int] = []
    values: list[bytes] = []
    sizes, offsets = [], []
    complete = True
    for leaf, offset, _ in _leaves(matcher, 0):
        leaf.reset()
        if not _readable(leaf):  # another codec: all its postings, as one block
            items = list(leaf.all_items())
            deltas.extend(np.diff([i for i, _ in items], prepend=0).tolist())
            values.extend(v for _, v in items)
            sizes.append(len(items))
            offsets.append(offset)
            continue
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
    return ids, values, complete


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
    return isinstance(leaf, whoosh3.W3LeafMatcher) and not leaf._byteids


def _leaf_postings(leaf: Any) -> Postings:
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


def _ids_and_weights(leaf: Any) -> tuple[Any, Any]:
    """The current block's id deltas and weights, without unpickling its values.

    Unpickling the values (calls to `_codecs.encode`) is most of the cost of reading a block:
    the pickle is cut where they begin.
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


# --- positions: Whoosh's Positions values, decoded with numpy ----------------------------


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
    return _POSITIONS.decode_positions(value)


# --- field lengths -------------------------------------------------------------------------


def field_lengths(reader: Any, field: str) -> np.ndarray:
    """Length of `field` in every document of the reader, as BM25 uses it (at least 1)."""
    if _plain_reason:
        return _plain_field_lengths(reader, field)
    return _fast_field_lengths(reader, field)


def _plain_field_lengths(reader: Any, field: str, docnums: Any = None) -> np.ndarray:
    if docnums is None:
        docnums = range(reader.doc_count_all())
    lengths = np.array([reader.doc_field_length(d, field) or 0 for d in docnums], np.float64)
    lengths[lengths == 0] = 1
    return lengths


def _fast_field_lengths(reader: Any, field: str) -> np.ndarray:
    codes = np.zeros(reader.doc_count_all(), dtype=np.uint8)
    for leaf, offset in reader.leaf_readers():
        codes[offset : offset + leaf.doc_count_all()] = _length_codes(leaf, field)
    return _LENGTHS[codes]


def _length_codes(leaf: Any, field: str) -> np.ndarray:
    """One segment's length bytes, read as one block from its column."""
    size = leaf.doc_count_all()
    out = np.zeros(size, dtype=np.uint8)
    perdoc = getattr(leaf, "_perdoc", None)  # absent from an empty index's reader
    column = (
        perdoc._cached_reader(whoosh3._lenfield(field), whoosh3.LENGTHS_COLUMN) if perdoc else None
    )
    if column is not None:
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        codes = np.frombuffer(raw, dtype=np.uint8)
        out[: len(codes)] = codes[:size]
    return out


# --- commits -------------------------------------------------------------------------------


@contextmanager
def cached_column_checks() -> Iterator[None]:
    """Within the block (a commit), `W3PerDocReader.has_column` answers from a cache, and
    `doc_field_length` from the lengths column read once.

    Writing the postings asks the new segment, for every posting of every field, whether the
    field has a lengths column; for fields without one the answer is not cached, so each
    posting costs a stat() call. It also asks for the posting's field length, which Whoosh
    reads through three calls and a struct unpacking each time (a quarter of the time spent
    writing postings). Segment files do not change once written, so the answers are kept per
    reader meanwhile. The plain path leaves Whoosh as it is.
    """
    if _plain_reason or _HAS_COLUMN is None or _DOC_FIELD_LENGTH is None:
        yield
        return
    with _COLUMN_CHECKS_LOCK:
        whoosh3.W3PerDocReader.has_column = _has_column_cached
        whoosh3.W3PerDocReader.doc_field_length = _doc_field_length_cached
    try:
        yield
    finally:
        with _COLUMN_CHECKS_LOCK:
            whoosh3.W3PerDocReader.has_column = _HAS_COLUMN
            whoosh3.W3PerDocReader.doc_field_length = _DOC_FIELD_LENGTH


def _has_column_cached(self: Any, fieldname: str) -> bool:
    known = self.__dict__.setdefault("_report_search_columns", {})
    if fieldname not in known:
        known[fieldname] = _HAS_COLUMN(self, fieldname)
    return known[fieldname]


def _doc_field_length_cached(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
    try:
        codes = self._report_search_lengths[fieldname]
    except AttributeError:
        self._report_search_lengths = {}
        codes = self._report_search_lengths[fieldname] = _length_bytes(self, fieldname)
    except KeyError:
        codes = self._report_search_lengths[fieldname] = _length_bytes(self, fieldname)
    if codes is None and 0 <= docnum <= self._doccount:
        return default  # no lengths column: what Whoosh answers
    if not codes or not 0 <= docnum < len(codes):  # not as expected: Whoosh's own answer
        return _DOC_FIELD_LENGTH(self, docnum, fieldname, default)
    return _LENGTH_OF[codes[docnum]]


def _length_bytes(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's length bytes of one field, checked against Whoosh's own answers on some
    of its documents; None if the field has no lengths column, b"" (use Whoosh's answers)
    if the column is not as expected."""
    try:
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            return None if _DOC_FIELD_LENGTH(perdoc, 0, fieldname, None) is None else b""
        if column._fixedlen != 1:
            return b""
        codes = bytes(column._dbfile.get(column._basepos, column._count))
        codes = codes[: perdoc._doccount]
        step = max(1, len(codes) // _LENGTHS_CHECKED)
        for docnum in range(0, len(codes), step):
            if _LENGTH_OF[codes[docnum]] != _DOC_FIELD_LENGTH(perdoc, docnum, fieldname):
                _warn_once(f"the lengths column of {fieldname} reads otherwise")
                return b""
    except Exception as error:  # noqa: BLE001 - Whoosh's own reading still works
        _warn_once(f"the lengths column of {fieldname}: {type(error).__name__}: {error}")
        return b""
    return codes


# --- segments written by other processes --------------------------------------------------

# What `whoosh.multiproc.MpWriter` uses to commit segments its sub-writers wrote: a writer
# per worker process (no lock: the indexing process holds it), each finishing its own
# segment, and one commit that lists them beside the writer's own.
_SEGMENT_NAMES = ("_finalize_segment", "_close_segment", "_merge_segments", "_commit_toc")


def worker_segments_supported() -> bool:
    """Whether worker processes can write segments of their own (else one writer does it
    all, as before). Logs once when Whoosh lost a name this needs."""
    from whoosh.writing import SegmentWriter

    missing = [name for name in (*_SEGMENT_NAMES, "_finish") if not hasattr(SegmentWriter, name)]
    if missing:
        _warn_once(f"SegmentWriter lacks {', '.join(missing)}: one process writes the index")
    return not missing


def segment_writer(index: Any, limitmb: int) -> Any:
    """A writer for a segment of a worker process's own, without the index's lock; its
    postings grouped by term as they come (`TermPool`) when that writes what Whoosh does."""
    writer = index.writer(_lk=False, limitmb=limitmb, compound=False)
    if grouped_postings_agree():
        writer.pool = TermPool(writer.pool.limit)
    return writer


def finish_segment(writer: Any) -> Any | None:
    """Write a worker's segment to disk (its postings, then its files closed); the segment,
    or None when nothing was added. The writer is spent."""
    with cached_column_checks():
        if not writer._added:
            writer._close_segment()
            return None
        if not isinstance(writer.pool, TermPool):
            return writer._finalize_segment()
        _flush_grouped(writer)  # Whoosh's _finalize_segment, with our postings writing
        writer._close_segment()
        writer._assemble_segment()
        return writer.get_segment()


def pool_fullness(writer: Any) -> float | None:
    """How full the writer's posting pool is: past 1.0 Whoosh spills it to disk in sorted
    runs, which it must merge again at the end; None if unknown."""
    try:
        return float(writer.pool.currentsize) / float(writer.pool.limit)
    except (AttributeError, TypeError, ValueError, ZeroDivisionError):
        return None


def commit_with_segments(writer: Any, segments: list[Any]) -> None:
    """Commit `writer` with `segments` (finished by worker processes) in the index beside
    what the writer itself holds; MpWriter's multi-segment commit. Small segments already
    in the index are merged as a plain commit would (Whoosh's default merge policy)."""
    with cached_column_checks():
        final = writer._merge_segments(None, False, True)
        final.extend(segments)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
        writer._finish()


# --- postings grouped by term ------------------------------------------------------------

# Whoosh's PostingPool keeps every posting (field, term, document, weight, value) in one
# list, sorts it when the segment is finished and hands it to the codec one posting at a
# time, with a field-length lookup, type checks and block statistics for each: about a
# third of a worker's time. Documents are added in number order, so a term's postings
# arrive in order: kept per term, only the terms need sorting, and a term's postings are
# written a block at a time through the codec's own block writer.
_POSTING_SIZE = 150  # what PostingPool.add counts for a posting besides its strings


class TermPool:
    """A worker writer's postings, kept per term (stands in for Whoosh's PostingPool).

    Never spills to disk: a worker finishes its segment before the pool is full (counted
    as Whoosh counts it, `pool_fullness`), so at most one document's postings go past it.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.currentsize = 0
        self.terms: dict[tuple[str, bytes], list[tuple[Any, ...]]] = {}

    def add(self, item: tuple[Any, ...]) -> None:
        """Take one posting: (field name, term bytes, document number, weight, value)."""
        self.currentsize += _POSTING_SIZE + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        key = item[:2]
        postings = self.terms.get(key)
        if postings is None:
            self.terms[key] = [item]
        else:
            postings.append(item)

    def iter_postings(self) -> Iterator[tuple[Any, ...]]:
        """Every posting in Whoosh's order (field, term, document, weight, value)."""
        for key in sorted(self.terms):
            yield from sorted(self.terms[key])

    def cleanup(self) -> None:
        self.terms = {}


def _flush_grouped(writer: Any) -> None:
    """SegmentWriter._flush_segment, writing the postings term by term."""
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    write_terms(writer.fieldwriter, writer.schema, lengths, writer.pool.terms)
    writer.fieldwriter.close()
    if lengths:
        lengths.close()


def write_terms(
    fieldwriter: Any, schema: Any, lengths: Any, terms: dict[tuple[str, bytes], list[Any]]
) -> None:
    """What FieldWriter.add_postings writes for the sorted postings of `terms`."""
    field = None
    length_of: Any = None
    for key in sorted(terms):
        name, btext = key
        items = terms[key]
        if name != field:
            if field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(name, schema[name])
            field = name
            length_of = _length_lookup(lengths, name)
        docnums = [item[2] for item in items]
        if any(b <= a for a, b in zip(docnums, docnums[1:], strict=False)) or docnums[0] < 0:
            # Out of order, repeated or a spelling word (-1, which Whoosh skips): its order.
            items = [item for item in sorted(items) if item[2] != -1]
            if not items:
                continue
            docnums = [item[2] for item in items]
        fieldwriter.start_term(btext)
        _write_postings(fieldwriter._postwriter, items, docnums, length_of)
        fieldwriter.finish_term()
    if field is not None:
        fieldwriter.finish_field()


def _length_lookup(lengths: Any, field: str) -> Any:
    """The field length (or 0) of a list of document numbers, as `add_postings` asks it."""
    if not lengths:
        return lambda docnums: [0] * len(docnums)
    codes = _length_bytes(lengths, field)
    if codes is None:  # no lengths column: Whoosh's default
        return lambda docnums: [0] * len(docnums)

    def lookup(docnums: list[int]) -> list[Any]:
        if codes and docnums[-1] < len(codes):
            return [_LENGTH_OF[codes[d]] or 0 for d in docnums]
        return [lengths.doc_field_length(d, field) for d in docnums]

    return lookup


def _write_postings(postwriter: Any, items: list[Any], docnums: list[int], length_of: Any) -> None:
    """W3PostingsWriter.add_posting for each of a term's postings, a block at a time: the
    buffered block is filled as adding them one by one leaves it, and written when full."""
    limit = postwriter._blocklimit
    for start in range(0, len(items), limit):
        if start:
            postwriter._write_block()
        block = items[start : start + limit]
        ids = docnums[start : start + limit]
        weights = [item[3] for item in block]
        postwriter._ids = array("I", ids)
        postwriter._weights = array("f", weights)
        postwriter._values = [item[4] for item in block if item[4]]
        top = max(weights)
        postwriter._maxweight = top if top > 0 else 0
        given = [length for length in length_of(ids) if length]
        postwriter._minlength = min(given) if given else None
        postwriter._maxlength = max(given) if given else 0


_GROUPED_SAMPLE = 300  # documents: enough for terms with several postings blocks


@cache
def grouped_postings_agree() -> bool:
    """Whether a segment written through `TermPool` is byte for byte the one Whoosh writes
    (checked once per process on a small sample index in memory); logs once if not."""
    try:
        plain, grouped = _sample_segment(False), _sample_segment(True)
    except Exception as error:  # noqa: BLE001 - whatever broke, Whoosh's own pool works
        _warn_once(f"postings grouped by term: {type(error).__name__}: {error}")
        return False
    if plain != grouped:
        _warn_once("postings grouped by term are written otherwise: Whoosh's pool is used")
        return False
    return True


def _sample_segment(grouped: bool) -> list[tuple[str, bytes]]:
    """The files (by extension, with their bytes) of a sample segment written either way."""
    from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage

    schema = Schema(
        key=ID(stored=True, unique=True),
        body=TEXT(stored=True, phrase=True, field_boost=2.0),
        tags=KEYWORD(commas=True, scorable=False),
        year=NUMERIC(stored=True, sortable=True),
    )
    index = RamStorage().create_index(schema)
    writer = index.writer(_lk=False, compound=False)
    if grouped:
        writer.pool = TermPool(writer.pool.limit)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    for n in range(_GROUPED_SAMPLE):
        body = " ".join(words[(n * k) % (k + 3) % 8] for k in range(1, 3 + n % 17))
        tags = ",".join(words[: 1 + n % 4])
        writer.add_document(key=f"d{n}", body=body, tags=tags, year=1990 + n % 7)
    finish_segment(writer)
    storage = index.storage
    return sorted(
        (name.rsplit(".", 1)[-1], storage.open_file(name).read())
        for name in storage.list()
        if not name.endswith(".toc")
    )


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    with _STATE_LOCK:
        if message in _warned:
            return
        _warned.add(message)
    log.warning("whoosh internals changed (%s)", message)


# --- the self-check ------------------------------------------------------------------------


def self_check(reader: Any) -> bool:
    """Read one real term and its field lengths both ways; on any difference (or error), use
    the plain path from now on. True while the fast path stays in use."""
    if _plain_reason:
        return False
    try:
        problem = _difference(reader)
    except Exception as error:  # noqa: BLE001 - whatever broke, the plain path still works
        problem = f"{type(error).__name__}: {error}"
    if problem:
        use_plain(problem)
    return problem is None


def _difference(reader: Any) -> str | None:
    """What the fast path reads differently from Whoosh's public API, if anything."""
    # Deleted documents are read from a FilterMatcher's private fields: a synthetic one.
    deleted = frozenset([2])
    fast = _fast_postings(FilterMatcher(ListMatcher([1, 2, 3]), deleted, exclude=True))
    if fast[0].tolist() != [1, 3]:
        return "a FilterMatcher's deleted documents"
    term = _sample_term(reader)
    if term is None:
        return None  # an empty index: nothing to compare yet
    field, btext = term
    name = f"{field}:{btext.decode('utf-8', 'replace')}"
    ids, weights = _plain_postings(reader.postings(field, btext))
    fast_ids, fast_weights = _fast_postings(reader.postings(field, btext))
    # Whoosh hands out weights as float32, its blocks may hold them as Python floats.
    if fast_ids.tolist() != ids.tolist() or not np.array_equal(
        fast_weights.astype(np.float32), weights.astype(np.float32)
    ):
        return f"postings of {name}"
    if not _same_positions(reader, field, btext, ids):
        return f"positions of {name}"
    sample = ids[:_SAMPLE_DOCS]
    fast_lengths = _fast_field_lengths(reader, field)[sample]
    if not np.array_equal(fast_lengths, _plain_field_lengths(reader, field, sample.tolist())):
        return f"lengths of the {field} field"
    return None


def _same_positions(reader: Any, field: str, btext: bytes, live: np.ndarray) -> bool:
    docnums, found, _ = _plain_positions(reader.postings(field, btext))
    fast_docnums, fast_found, complete = _fast_positions(reader.postings(field, btext))
    keep = np.isin(fast_docnums, live)  # the fast path includes deleted documents
    return (
        complete
        and fast_docnums[keep].tolist() == docnums.tolist()
        and fast_found[keep].tolist() == found.tolist()
    )


def _sample_term(reader: Any) -> tuple[str, bytes] | None:
    """A term of a field with positions (`text` first): the commonest among the first few."""
    names = sorted(reader.schema.names(), key=lambda name: name != "text")
    for field in names:
        kept = reader.schema[field].format  # None for a stored-only field
        if kept is not None and kept.supports("positions"):
            terms = list(islice(reader.lexicon(field), _SAMPLE_TERMS))
            if terms:
                return field, max(terms, key=lambda t: reader.doc_frequency(field, t))
    return None
