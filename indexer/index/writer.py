"""Writing passages into a generation's Whoosh index: the writer, documents, the commit, and
full-text fields analysed ahead of writing (in the worker processes)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from typing import Any

from whoosh.fields import NUMERIC, Schema
from whoosh.index import Index
from whoosh.writing import IndexWriter

from indexer.index import whoosh_private
from indexer.index.analysis import Posting, index_postings
from indexer.index.fields import passage_fields
from indexer.index.schema import build_schema
from indexer.models import IndexedDocument

log = logging.getLogger(__name__)


def open_writer(index: Index, limitmb: int = 256) -> IndexWriter:
    """A Whoosh writer with settings suited to bulk loads.

    compound=False keeps each segment's files apart: Whoosh opens a file inside a compound
    segment by copying it into memory (BytesIO), once per searcher, so a server with 8
    threads held 8 copies of the stored-fields column (7.9 GB RSS at 279,000 passages).
    """
    return index.writer(limitmb=limitmb, compound=False)


def commit(writer: IndexWriter, optimize: bool = False, segments: list[Any] | None = None) -> None:
    """writer.commit, without Whoosh's file-system check per posting; with `segments`
    (finished by worker processes, `finish_segment`) added to the index as they are.

    Writing the postings asks the new segment, for every posting of every field, whether the
    field has a lengths column; for fields without one (ids, facets) the answer is not cached,
    so each posting costs a stat() call: hundreds of thousands at the end of a bulk load.
    Workers' segments are not merged (`optimize` is then ignored): merging would write every
    posting again in this one process, which is what the workers spared it.
    """
    if segments:
        whoosh_private.commit_with_segments(writer, segments)
        return
    with whoosh_private.cached_column_checks():
        writer.commit(optimize=optimize)


# A worker finishes its segment before Whoosh's posting pool would spill to disk: spilled
# postings are pickled, read back and merged, which doubles the cost of writing them. At
# 768 MB of the pool's own count (about 14 kB a passage of speech-like text) a segment holds
# some 40,000 passages and the worker about 1 GB; fewer, bigger segments search a little
# faster. SEGMENT_PASSAGES caps a segment should the pool's size be unknown.
SEGMENT_LIMIT_MB = 768
SEGMENT_FULL = 0.75
SEGMENT_PASSAGES = 60_000


def open_segment_writer(index: Index) -> IndexWriter:
    """In a worker process: a writer for a segment of its own (see `commit`)."""
    return whoosh_private.segment_writer(index, SEGMENT_LIMIT_MB)


def segment_full(writer: IndexWriter, passages: int) -> bool:
    """Whether a worker's segment, holding `passages`, is to be finished now."""
    fullness = whoosh_private.pool_fullness(writer)
    return passages >= SEGMENT_PASSAGES or (fullness is not None and fullness >= SEGMENT_FULL)


def finish_segment(writer: IndexWriter) -> Any | None:
    """In a worker process: write its segment out; the segment to pass to `commit`."""
    return whoosh_private.finish_segment(writer)


def worker_segments_supported() -> bool:
    return whoosh_private.worker_segments_supported()


class DocumentError(ValueError):
    """A document whose fields cannot be written; nothing of it was written."""


def add_document(
    writer: IndexWriter, doc: IndexedDocument, analyzed: list[dict[str, Analyzed]] | None = None
) -> None:
    """Write all passages of a document (delete its old passages first).

    `analyzed` (from `analyze_document`, one dict a passage) is used inside `analyzed_writes`.
    Every passage's fields are checked before the first is written: Whoosh cannot take back
    a half-added document (its postings stay in the pool), so a bad value found while
    writing would corrupt the segment or stop the run. Raises DocumentError instead.
    """
    passages = [passage_fields_checked(writer.schema, doc, passage) for passage in doc.passages]
    writer.delete_by_term("document_id", doc.document.document_id)
    if not getattr(writer, _ANALYZED_FLAG, False):
        analyzed = None
    for number, fields in enumerate(passages):
        if analyzed is not None:
            for name, value in analyzed[number].items():
                fields[f"_stored_{name}"] = fields[name]  # Whoosh stores the text as given
                fields[name] = value
        writer.add_document(**fields)


def passage_fields_checked(schema: Schema, doc: IndexedDocument, passage: Any) -> dict[str, Any]:
    """passage_fields, with the conversions Whoosh can fail on when writing done first
    (numbers in range, column values, text as UTF-8), so that a bad value fails here."""
    try:
        fields = passage_fields(doc, passage)
    except Exception as error:
        raise DocumentError(f"passage {passage.ordinal}: {_described(error)}") from error
    for name, value in fields.items():
        try:
            _check_value(schema[name], value)
        except Exception as error:
            where = f"passage {passage.ordinal}, field {name!r}"
            raise DocumentError(f"{where}: {_described(error)}") from error
    return fields


def _check_value(field: Any, value: Any) -> None:
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str):
            text.encode("utf-8")  # unpaired surrogates fail here, not in Whoosh's writer
    if isinstance(field, NUMERIC):  # out of range raises; words can only fail on UTF-8
        field.to_bytes(value)
    if field.column_type:
        field.to_column_value(value)


def _described(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def cancel(writer: IndexWriter) -> None:
    """writer.cancel, which also frees the writer's temporary files and lock when closing
    the unfinished segment fails (as it does on a full disk)."""
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the run is failing already; free what we can
        with suppress(Exception):
            writer._finish()  # Whoosh: removes MAIN.tmp/ and releases its write lock


def delete_document(writer: IndexWriter, document_id: str) -> None:
    writer.delete_by_term("document_id", document_id)


# --- analysis in the worker processes ------------------------------------------------------

# The full-text fields: running their analyzer is most of the single writer's work per passage.
ANALYZED_FIELDS = ("title", "section", "text")
# Other indexed fields whose values repeat from passage to passage and document to document
# (the document's id, date and facets, a passage's places): Whoosh makes the same postings of
# a value every time, so they are made once per value and kept (up to _SHARED_LIMIT values).
# The passage's own id and number never repeat and are left to Whoosh, and so are sortable
# fields: their column objects make two schemas' fields unequal (see `analyzed_writes`).
_UNSHARED = frozenset({"passage_id", "ordinal"})
_SHARED_LIMIT = 50_000
_shared: dict[tuple[str, Any], Analyzed] = {}
_ANALYZED_FLAG = "_report_search_analyzed"


@dataclass(frozen=True)
class Analyzed:
    """A field value analysed ahead of writing: the postings (term bytes, frequency,
    weight, encoded positions) that Whoosh's `field.index(value)` makes of it."""

    postings: tuple[Posting, ...]


@cache
def _analysis_schema() -> Schema:
    return build_schema()


@cache
def _shared_fields() -> tuple[str, ...]:
    schema = _analysis_schema()
    return tuple(
        name
        for name in schema.names()
        if schema[name].indexed
        and not schema[name].column_type
        and name not in ANALYZED_FIELDS
        and name not in _UNSHARED
    )


def analyze_document(doc: IndexedDocument) -> list[dict[str, Analyzed]]:
    """Per passage, its full-text fields analysed as the index's schema does (in a worker,
    so that the one writer process does not have to), and its other indexed fields with
    values that repeat. Repeated values (the title, a section heading, a facet value) are
    analysed once and shared."""
    schema = _analysis_schema()
    done: dict[tuple[str, str], Analyzed] = {}
    shared = _shared_fields()
    if len(_shared) > _SHARED_LIMIT:
        _shared.clear()
    out = []
    for passage in doc.passages:
        fields = passage_fields(doc, passage)
        values = {}
        for name in ANALYZED_FIELDS:
            key = (name, fields[name])
            if key not in done:
                done[key] = Analyzed(_postings(schema[name], fields[name]))
            values[name] = done[key]
        for name in shared:
            if name in fields:
                key = (name, fields[name])
                if key not in _shared:
                    _shared[key] = Analyzed(tuple(schema[name].index(fields[name])))
                values[name] = _shared[key]
        out.append(values)
    return out


def _postings(field: Any, value: str) -> tuple[Posting, ...]:
    if _fast_analysis_agrees():
        return index_postings(value, field.format.field_boost)
    return tuple(field.index(value))


# Words the fast analysis could get wrong: dotted, possessive, hyphenated, accented, stopped,
# repeated, numbers.
_SAMPLE = "The U.S. and UNITAR's climate-resilient Côte d'Ivoire: 3.5% of the migrants, MIGRANTS."


@cache
def _fast_analysis_agrees() -> bool:
    """Whether `index_postings` gives what Whoosh's own analysis does (once per process;
    a Whoosh release could change its filters)."""
    schema = _analysis_schema()
    for name in ANALYZED_FIELDS:
        field = schema[name]
        if sorted(field.index(_SAMPLE)) != sorted(
            index_postings(_SAMPLE, field.format.field_boost)
        ):
            log.warning("fast text analysis differs from Whoosh's on %r: using Whoosh's", name)
            return False
    return True


@contextmanager
def analyzed_writes(writer: IndexWriter) -> Iterator[None]:
    """Within the block, `add_document` writes values analysed by `analyze_document`.

    Only when the writer's fields are the ones `analyze_document` used (an index created
    with another schema version is analysed here, as before). The writer's field objects
    get an `index` that returns the given postings; it is removed on the way out, before
    any commit writes the schema into the index.
    """
    schema = writer.schema
    names = (*ANALYZED_FIELDS, *_shared_fields())
    fields = [schema[name] for name in names if name in schema.names()]
    if len(fields) < len(names) or any(
        field != _analysis_schema()[name] for name, field in zip(names, fields, strict=True)
    ):
        yield
        return
    for field in fields:
        field.index = _postings_or(field.index)
    memoized = [schema[name] for name in schema.names() if _memoizable(schema[name], name)]
    for field in memoized:
        field.index = _memoized(field)
    setattr(writer, _ANALYZED_FLAG, True)
    try:
        yield
    finally:
        setattr(writer, _ANALYZED_FLAG, False)
        for field in [*fields, *memoized]:
            del field.index


# The other indexed fields (numbers, sortable ids: a passage's number and year, the document's
# date and title) get their postings from Whoosh, which makes them again for every passage
# (eight terms a number); the writer's own fields remember them per value instead. Not the
# passage's id, which never repeats.
_NOT_MEMOIZED = frozenset({"passage_id"})
_MEMO_VALUES = 20_000  # per field; a memo that grows past it starts again
_memos: dict[int, tuple[Any, dict[Any, tuple[Posting, ...]]]] = {}  # id(field): field, memo


def _memoizable(field: Any, name: str) -> bool:
    return (
        field.indexed
        and name not in ANALYZED_FIELDS
        and name not in _shared_fields()
        and name not in _NOT_MEMOIZED
    )


def _memoized(field: Any) -> Any:
    """`field.index` (the class's), remembered per int or str value across documents."""
    entry = _memos.get(id(field))
    if entry is None or entry[0] is not field:  # a new writer's fields
        if len(_memos) > 256:
            _memos.clear()
        entry = _memos[id(field)] = (field, {})
    memo = entry[1]
    index = field.index

    def postings(value: Any, **kwargs: Any) -> Iterator[Posting]:
        if kwargs or type(value) not in (int, str):
            return iter(index(value, **kwargs))
        found = memo.get(value)
        if found is None:
            found = tuple(index(value))
            if len(memo) >= _MEMO_VALUES:
                memo.clear()
            memo[value] = found
        return iter(found)

    return postings


def _postings_or(index: Any) -> Any:
    def postings(value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Analyzed):
            return iter(value.postings)
        return index(value, **kwargs)

    return postings
