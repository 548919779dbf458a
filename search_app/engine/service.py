"""Search over the passage index: one function per thing the pages, the API and the CLI show.

No Flask here. `search(handle, request)` returns exactly the /api/search body; the HTML page
renders the same dict, so the page and the API cannot disagree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from indexer.index.generations import NoIndexError
from indexer.models import FACETS
from search_app.engine import documents
from search_app.engine import results as render
from search_app.engine.columns import columns
from search_app.engine.facets import (
    facet_counts,
    facet_values,
)
from search_app.engine.highlight import Marks, query_marks
from search_app.engine.hybrid import MEANING_CANDIDATES, MIN_SIMILARITY, MeaningRanker
from search_app.engine.index_handle import IndexHandle, Snapshot
from search_app.engine.known_items import symbols_only
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.meaning import (
    VectorTable,
    mean_vector,
    nearest,
    query_vector,
    quick,
    vector_table,
)
from search_app.engine.meaning import warm as warm_meaning
from search_app.engine.params import (
    MAX_QUERY_CHARS,
    MODES,
    BadRequest,
    SearchRequest,
)
from search_app.engine.preload import preload
from search_app.engine.query import (
    TEXT_FIELDS,
    ParsedQuery,
    bound_tiers,
    is_everything,
)
from search_app.engine.ranking import Hit, Ranker
from search_app.engine.retrieval import selections as facet_selections
from search_app.engine.scoring import BulkScorer, field_lengths
from search_app.engine.similar import like_query, like_source
from search_app.engine.suggest import completions, did_you_mean
from search_app.engine.understanding import understand

FEW_RESULTS = 3  # below this many passages, look for a "did you mean"
CORRECTION_GAIN = 10  # a correction finding this many times more passages is searched instead
NO_PASSAGE_HOLDS_ALL = "No passage holds all of your words: below are those with some of them."
PAST_END_NOTICE = "Page {asked} is past the last page: showing page {pages}."
NO_EMBEDDINGS_NOTICE = (
    "This index has no embeddings of its passages: your words alone were searched "
    "(run 'report-search index' with the semantic extra installed)."
)
# The mode of a request that names none, on an index with embeddings where search by
# meaning is quick (meaning.quick: exact up to neighbours.threshold() passages, the
# approximate index past it; else "lexical"). Hybrid measured better than words alone on
# every quality benchmark (bench/relevance.py --modes: SciFact test nDCG@10 0.7219 against
# 0.6998, CACM 0.5399 against 0.4847, known items 1.0 both, typos 0.9642 against 0.9560).
# Exact search by meaning took 18 ms at 50,000 passages and 159 ms at 279,000
# (bench/meaning_speed.py); the approximate index a few ms at 279,000 (bench/ann.py).
DEFAULT_MODE = "hybrid"


# ---------------------------------------------------------------- matching


@dataclass
class Matching:
    """The passages a request matches, before ordering."""

    snapshot: Snapshot
    parsed: ParsedQuery | None
    builder: MaskBuilder
    query_mask: np.ndarray  # the query alone (all live passages when browsing)
    selections: dict[str, np.ndarray]  # facet -> passages holding a selected value
    selected: dict[str, tuple[Any, ...]]  # facet -> indexed values selected
    final: np.ndarray
    pinned: tuple[np.ndarray, ...] = ()  # passages of the documents the query names
    # Passages holding only some of the words, after the filters (None: no such block).
    some: np.ndarray | None = None
    narrowed: bool = False  # filters or like= leave out passages the query alone matches
    misspelt: bool = False  # a word looks misspelt: its correction is searched if it finds any
    mode: str = "lexical"  # how the passages were found (params.MODES)
    words: np.ndarray | None = None  # `final` of the words alone, in hybrid and semantic modes
    meaning: np.ndarray | None = None  # the passages nearest in meaning (before filters)
    table: VectorTable | None = None
    query_vector: np.ndarray | None = None
    mode_notice: str | None = None

    @property
    def q(self) -> str:
        return self.parsed.text if self.parsed else ""

    @cached_property
    def marks(self) -> Marks:
        """Terms and phrases to highlight (asked for every result shown)."""
        return query_marks(self.parsed.relaxed if self.parsed else None)


def _match(snapshot: Snapshot, request: SearchRequest) -> Matching:
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    parsed = None
    pinned: tuple[np.ndarray, ...] = ()
    some = None
    misspelt = False
    source = None
    if request.like:
        parsed, source = like_query(snapshot, request.like)
        parsed = bound_tiers(parsed, builder.reader)
        query_mask = builder.mask(parsed.strict) & ~source
        if request.q and not is_everything(request.q):  # the words then narrow the matches
            query_mask &= builder.mask(understand(snapshot, builder, request.q).parsed.strict)
    elif request.q and not is_everything(request.q):
        understood = understand(snapshot, builder, request.q)
        parsed, pinned, misspelt = understood.parsed, understood.named, understood.misspelt
        query_mask = builder.mask(parsed.strict)
        if pinned:  # a document the query names matches it, whatever its words
            query_mask = np.logical_or.reduce((query_mask, *pinned))
        if parsed.some is not None:
            some = builder.mask(parsed.some) & ~query_mask
    else:
        query_mask = builder.live.copy()
    selected, selections = facet_selections(
        snapshot, request.filters, request.year_from, request.year_to
    )
    final = query_mask.copy()
    for mask in selections.values():
        final &= mask
        if some is not None:
            some &= mask
    narrowed = bool(selections) or bool(request.like)
    matching = Matching(
        snapshot,
        parsed,
        builder,
        query_mask,
        selections,
        selected,
        final,
        pinned,
        some,
        narrowed,
        misspelt,
    )
    return _with_meaning(matching, request, source)


def default_mode(snapshot: Snapshot) -> str:
    """The mode of a request that names none: DEFAULT_MODE when the index has embeddings
    and search by meaning is quick at its size."""
    table = vector_table(snapshot)
    return DEFAULT_MODE if table.available and quick(table) else "lexical"


def _with_meaning(
    matching: Matching, request: SearchRequest, source: np.ndarray | None = None
) -> Matching:
    """In hybrid and semantic modes, the MEANING_CANDIDATES passages nearest the query in
    meaning (in the whole index) join the words' matches (hybrid) or replace them
    (semantic); the filters then apply to them exactly as to words. More like this
    (`source`, without words) is near the source passage's vector (a document's: the mean
    of its passages'), the source left out."""
    mode = request.mode or default_mode(matching.snapshot)
    if mode == "lexical" or matching.parsed is None or (request.like and request.q):
        return matching
    if not request.like and symbols_only(request.q):  # a known-item search: words alone
        return matching
    table = vector_table(matching.snapshot)
    allowed = matching.builder.live
    if not table.available:
        vector = None
    elif source is not None:
        vector, allowed = mean_vector(table, source), allowed & ~source
    else:
        vector = query_vector(table, request.q)
    if vector is None:
        matching.mode_notice = NO_EMBEDDINGS_NOTICE if request.mode else None
        return matching
    found = nearest(table, vector, MEANING_CANDIDATES, allowed, MIN_SIMILARITY)
    if matching.selections:
        # The nearest within the filters too: a narrow filter (one country, one year) would
        # otherwise keep few or none of the whole index's nearest, though it holds close ones.
        within = np.logical_and.reduce([allowed, *matching.selections.values()])
        found |= nearest(table, vector, MEANING_CANDIDATES, within, MIN_SIMILARITY)
    meaning = np.zeros_like(matching.final)
    meaning[list(found)] = True
    words_final = matching.final
    query_mask = meaning if mode == "semantic" else matching.query_mask | meaning
    if mode == "semantic" and matching.pinned:
        query_mask = np.logical_or.reduce((query_mask, *matching.pinned))
    final = query_mask.copy()
    for mask in matching.selections.values():
        final &= mask
    return replace(
        matching,
        query_mask=query_mask,
        final=final,
        some=None if mode == "semantic" or matching.some is None else matching.some & ~meaning,
        mode=mode,
        words=words_final,
        meaning=meaning,
        table=table,
        query_vector=vector,
    )


# ---------------------------------------------------------------- search


def search(handle: IndexHandle, request: SearchRequest) -> dict[str, Any]:
    """Exactly the /api/search response body."""
    started = time.perf_counter()
    snapshot = handle.snapshot()
    matching = _match(snapshot, request)
    suggestion = _suggestion(snapshot, request, matching)
    corrected = None
    if suggestion and request.correct and not matching.pinned:  # a named document is no typo
        better = _match(snapshot, replace(request, q=suggestion))
        if _worth_correcting(matching, better):
            matching, corrected, suggestion = better, suggestion, None
    cols = columns(snapshot)
    grouped = request.group == "document"
    ranker = _ranker(matching, cols, matching.parsed.tiers[:1] if matching.parsed else (), None)
    total = int(np.count_nonzero(matching.final))
    total_documents = ranker.document_count
    some = _some_words_mask(matching, cols, grouped)
    some_ranker = None
    if some is not None and matching.parsed is not None and matching.parsed.some is not None:
        some_ranker = _ranker(matching, cols, (matching.parsed.some,), some)
    units = total_documents if grouped else total
    some_units = 0 if some is None else _units(cols, some, grouped, some_ranker)
    browsing = matching.parsed is None
    sort = "newest" if browsing and request.sort == "relevance" else request.sort
    pages = max(1, math.ceil((units + some_units) / request.per_page))
    request, past_end = _within_pages(request, pages)
    only_meaning = _only_meaning(matching)
    facets, truncated, raw = facet_counts(
        snapshot,
        matching.query_mask,
        matching.selections,
        matching.selected,
        request.facet_size,
        grouped,
    )
    offset = (request.page - 1) * request.per_page
    end = offset + request.per_page
    results = _page_results(snapshot, matching, ranker, request, sort, offset, min(end, units))
    body = {
        "query": request.q,
        "total": total,
        "total_documents": total_documents,
        "unit": "report" if grouped else "passage",
        "page": request.page,
        "per_page": request.per_page,
        "pages": pages,
        "took_ms": 0.0,
        "sort": sort,
        "group": request.group,
        "suggestion": suggestion,
        "corrected_query": corrected,
        "like": request.like or None,
        "like_source": like_source(snapshot, request.like) if request.like else None,
        "notice": _notice(matching, past_end, total == 0 and bool(some_units)),
        "mode": matching.mode,
        "modes": list(MODES) if vector_table(snapshot).available else ["lexical"],
        "similar_in_meaning": {
            "total": int(np.count_nonzero(only_meaning)),
            "total_documents": _meaning_only_documents(
                cols, matching, only_meaning, total_documents
            ),
        },
        "expanded": _expanded(matching),
        "filters": {name: list(values) for name, values in matching.selected.items()},
        "year_from": request.year_from,
        "year_to": request.year_to,
        "results": results,
        "some_words": None,
        "facets": facets,
        "facets_truncated": truncated,
        "year_histogram": _histogram(facet_values(snapshot, "year").values, raw["year"]),
    }
    if some is not None and some_ranker is not None:
        start, stop = max(0, offset - units), max(0, end - units)
        body["some_words"] = {
            "total": int(np.count_nonzero(matching.some if matching.some is not None else some)),
            "total_documents": some_ranker.document_count,
            "start": start + 1,
            "results": _page_results(
                snapshot, matching, some_ranker, request, sort, start, min(stop, some_units)
            ),
        }
    body["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return body


def _ranker(
    matching: Matching, cols: Any, tiers: tuple[Any, ...], final: np.ndarray | None
) -> Ranker:
    """The ranker of the matches (`final` None) or of the some-words block."""
    searcher = matching.snapshot.searcher()
    parts = (
        matching.builder,
        cols,
        tiers,
        matching.final if final is None else final,
        final is not None or matching.narrowed,
        BulkScorer(matching.snapshot, searcher, matching.builder),
        matching.pinned if final is None else (),
    )
    if final is not None or matching.mode == "lexical":
        return Ranker(*parts)
    semantic = matching.mode == "semantic"
    table, vector = matching.table, matching.query_vector
    return MeaningRanker(*parts, table, vector, matching.meaning, semantic)


def _only_meaning(matching: Matching) -> np.ndarray:
    """The matching passages found by meaning alone (none of them holds all the words)."""
    if matching.words is None:
        return np.zeros_like(matching.final)
    return matching.final & ~matching.words


def _meaning_only_documents(cols: Any, matching: Matching, only: np.ndarray, total: int) -> int:
    """Reports with a passage found by meaning and none found by words, of `total` reports
    with a match."""
    if not only.any() or matching.words is None:
        return 0
    return total - cols.count_documents(matching.final & matching.words)


def _some_words_mask(matching: Matching, cols: Any, grouped: bool) -> np.ndarray | None:
    """The some-words block's passages; grouped, only those of reports with no match."""
    if matching.some is None or not matching.some.any():
        return None
    if not grouped:
        return matching.some
    return matching.some & ~cols.whole_documents(matching.final)


def _units(cols: Any, mask: np.ndarray, grouped: bool, ranker: Ranker | None) -> int:
    """Reports (grouped) or passages of `mask`; a ranker of `mask` has counted its reports."""
    if not grouped:
        return int(np.count_nonzero(mask))
    return ranker.document_count if ranker is not None else cols.count_documents(mask)


def _expanded(matching: Matching) -> list[dict[str, Any]]:
    """Names searched with what was typed ("Turkey": also "Türkiye")."""
    if matching.parsed is None:
        return []
    return [{"typed": e.typed, "also": list(e.also)} for e in matching.parsed.expansions]


def _within_pages(request: SearchRequest, pages: int) -> tuple[SearchRequest, str | None]:
    """The last page instead of one past it (a stale link, a shrunk index), and a notice."""
    if request.page <= pages:
        return request, None
    notice = PAST_END_NOTICE.format(asked=request.page, pages=pages)
    return replace(request, page=pages), notice


def _notice(matching: Matching, past_end: str | None, only_some: bool = False) -> str | None:
    """The query's notices and the page's, in one sentence or a few."""
    notices = [
        matching.mode_notice,
        matching.parsed.notice if matching.parsed else None,
        NO_PASSAGE_HOLDS_ALL if only_some else None,
        past_end,
    ]
    return " ".join(n for n in notices if n) or None


def _suggestion(snapshot: Snapshot, request: SearchRequest, matching: Matching) -> str | None:
    """A corrected query when this one finds little, or has a word that looks misspelt."""
    if not request.q or is_everything(request.q):
        return None
    if _found(matching) >= FEW_RESULTS and not matching.misspelt:
        return None
    return did_you_mean(snapshot, request.q)


def _worth_correcting(matching: Matching, better: Matching) -> bool:
    """Whether to show the correction's results: the query finds nothing, has a word that
    looks misspelt (unknown, or rare and never written so), or finds far fewer passages
    (CORRECTION_GAIN times) than its correction. Passages with some of the words count when
    none has all."""
    found, could = _found(matching), _found(better)
    if not could:
        return False
    return not found or matching.misspelt or could >= CORRECTION_GAIN * found


def _found(matching: Matching) -> int:
    """Passages with all the words, or else with some of them."""
    words = matching.final if matching.words is None else matching.words
    total = int(np.count_nonzero(words))
    return total or (int(np.count_nonzero(matching.some)) if matching.some is not None else 0)


def _histogram(years: Sequence[Any], counts: np.ndarray) -> list[dict[str, int]]:
    pairs = sorted((int(y), int(c)) for y, c in zip(years, counts, strict=True) if c)
    return [{"year": year, "count": count} for year, count in pairs]


def _page_results(
    snapshot: Snapshot,
    matching: Matching,
    ranker: Ranker,
    request: SearchRequest,
    sort: str,
    offset: int,
    end: int,
) -> list[dict[str, Any]]:
    """The result dicts of ranks offset..end (from 0) of `ranker`'s passages or documents."""
    if end <= offset:
        return []
    if request.group == "passage":
        if sort == "relevance":
            hits = ranker.passages(end)[offset:end]
        else:
            docnums = ranker.sorted_passages(sort)[offset:end]
            scores = ranker.scores(np.unique(docnums))
            hits = [(int(d), scores.get(int(d))) for d in docnums]
        return [_result(snapshot, matching, hit) for hit in hits]
    if sort == "relevance":
        hits = ranker.documents(end)[offset:end]
    else:
        hits = [(int(d), None) for d in ranker.sorted_documents(sort)[offset:end]]
    return _grouped_results(snapshot, matching, ranker, hits)


def _grouped_results(
    snapshot: Snapshot, matching: Matching, ranker: Ranker, hits: list[Hit]
) -> list[dict[str, Any]]:
    """One result per document: its best passage, with a count and two other passages."""
    if not hits:
        return []
    cols = ranker.columns
    in_page = cols.passages_of(np.array([d for d, _ in hits], dtype=np.int64))
    in_page = in_page[ranker.final[in_page]]
    scores = ranker.scores(in_page)
    per_doc: dict[int, list[int]] = {}
    for docnum in sorted(in_page.tolist(), key=lambda d: -scores.get(d, 0.0)):
        per_doc.setdefault(int(cols.doc[docnum]), []).append(docnum)
    results = []
    for docnum, score in hits:
        members = per_doc.get(int(cols.doc[docnum]), [docnum])
        if score is None and scores:
            docnum = members[0]  # sorted by date or title: show the doc's best passage
        others = [d for d in members if d != docnum]
        result = _result(snapshot, matching, (docnum, scores.get(docnum, score)))
        result["more_passages"] = len(others)
        result["other_passages"] = [
            render.light_hit(snapshot, matching.marks, d, matching.q) for d in others[:2]
        ]
        results.append(result)
    return results


def _result(snapshot: Snapshot, matching: Matching, hit: Hit) -> dict[str, Any]:
    result = render.full_hit(snapshot, matching.marks, hit[0], hit[1], matching.q)
    if matching.words is not None:
        result["found_by"] = "words" if matching.words[hit[0]] else "meaning"
    return result


# ---------------------------------------------------------------- documents, suggest, stats


def list_documents(handle: IndexHandle, request: SearchRequest) -> dict[str, Any]:
    """Documents matching the query and filters, paged, newest first unless told, with facets."""
    started = time.perf_counter()
    snapshot = handle.snapshot()
    matching = _match(snapshot, request)
    cols = columns(snapshot)
    sort = "newest" if request.sort == "relevance" else request.sort
    ranker = Ranker(matching.builder, cols, (), matching.final, True)
    ordered = ranker.sorted_documents(sort)
    pages = max(1, math.ceil(len(ordered) / request.per_page))
    request, past_end = _within_pages(request, pages)
    offset = (request.page - 1) * request.per_page
    facets, truncated, raw = facet_counts(
        snapshot,
        matching.query_mask,
        matching.selections,
        matching.selected,
        request.facet_size,
        per_document=True,
    )
    return {
        "query": request.q,
        "total": len(ordered),
        "page": request.page,
        "per_page": request.per_page,
        "pages": pages,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
        "sort": sort,
        "notice": _notice(matching, past_end),
        "filters": {name: list(values) for name, values in matching.selected.items()},
        "year_from": request.year_from,
        "year_to": request.year_to,
        "documents": [
            _document_row(snapshot, int(d)) for d in ordered[offset : offset + request.per_page]
        ],
        "facets": facets,
        "facets_truncated": truncated,
        "year_histogram": _histogram(facet_values(snapshot, "year").values, raw["year"]),
    }


def matching_documents(handle: IndexHandle, request: SearchRequest) -> list[str]:
    """Ids of every document with a passage matching the query and filters (those the
    search counts in `total_documents`), in index order."""
    snapshot = handle.snapshot()
    cols = columns(snapshot)
    owners = np.unique(cols.doc[_match(snapshot, request).final])
    return [cols.document_ids[int(i)] for i in owners if i >= 0]


def _document_row(snapshot: Snapshot, docnum: int) -> dict[str, Any]:
    stored = snapshot.searcher().stored_fields(docnum)
    return documents.document_summary(snapshot, stored["document_id"], stored)


def get_document(handle: IndexHandle, document_id: str) -> dict[str, Any]:
    """Metadata, sections and passages of a document; BadRequest 404 when unknown."""
    try:
        return documents.get_document(handle, document_id)
    except documents.UnknownDocument:
        raise _not_found(document_id) from None


def document_file(handle: IndexHandle, document_id: str) -> Path:
    """The original file of an indexed document (only paths from the manifest)."""
    try:
        return documents.document_file(handle, document_id)
    except documents.UnknownDocument:
        raise _not_found(document_id) from None


def _not_found(document_id: str) -> BadRequest:
    return BadRequest(404, "not_found", f"No indexed document has the id {document_id!r}.")


def suggest(handle: IndexHandle, q: str, limit: int = 10) -> dict[str, Any]:
    """Completions for a partly typed query, from the index vocabulary and titles."""
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(
            400, "query_too_long", f"The query is longer than {MAX_QUERY_CHARS} characters."
        )
    return {"query": q, "suggestions": completions(handle.snapshot(), q, limit)}


def stats(handle: IndexHandle) -> dict[str, Any]:
    """Counts, facet cardinalities, index generation, build time, last ingest summary."""
    return documents.stats(handle)


def warm(handle: IndexHandle) -> None:
    """Build the live generation's caches (facet arrays, sort keys, the commonest terms'
    postings and positions) before the first search."""
    try:
        snapshot = handle.snapshot()
    except NoIndexError:
        return
    columns(snapshot)
    for name in FACETS:
        facet_values(snapshot, name)
    for name in TEXT_FIELDS:
        field_lengths(snapshot, name)
    preload(snapshot, TEXT_FIELDS)  # builds each text field's vocabulary, which suggestions use
    warm_meaning(snapshot)  # the stored embeddings gathered, their ANN index built, once


def health(handle: IndexHandle) -> dict[str, Any]:
    """{"status": "ok", ...} when the index opens and answers."""
    return documents.health(handle)
