"""The best passages for any word of a query, ranked as search ranks them, inside filters.

For callers that want candidates rather than a results page (question answering): the
query's any-word tier, the same masks (matchsets.MaskBuilder) and the same exact BM25F
(scoring.BulkScorer) as search, without tiers, snippets or facet counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from search_app.engine.facets import facet_values, resolve_value, resolver
from search_app.engine.hybrid import MIN_SIMILARITY
from search_app.engine.index_handle import Snapshot
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.meaning import nearest, query_vector, vector_table
from search_app.engine.query import bound_tiers, parse
from search_app.engine.scoring import BulkScorer


def top_passages(
    snapshot: Snapshot,
    text: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int = 20,
    meaning: tuple[str, int] | None = None,
) -> list[tuple[int, float]]:
    """The `limit` best (docnum, score) for any word of `text`, best first, within the facet
    filters (any selected value of a facet, every facet) and the year range. With `meaning`
    (a text, a count), up to that many more follow: the passages nearest that text in
    meaning (the index's stored embeddings) that words did not put first, nearest first,
    each with its words' score (0 without them)."""
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    # The query alone: named documents and spelling (understanding.py) are the search
    # page's, and would cost every question a look at stored passages.
    parsed = parse(text, searcher.schema, resolver(snapshot), builder.reader)
    q = bound_tiers(parsed, builder.reader).relaxed
    within = filter_mask(snapshot, filters or {}, year_from, year_to)
    scorer = BulkScorer(snapshot, searcher, builder)
    hits = scorer.top(q, np.flatnonzero(builder.mask(q) & within), limit)
    if meaning is None:
        return hits
    near = _nearest(snapshot, meaning, within & builder.live, {d for d, _ in hits})
    scores = scorer.scores(q)
    return hits + [(d, float(scores[d])) for d in near]


def _nearest(
    snapshot: Snapshot, meaning: tuple[str, int], allowed: np.ndarray, taken: set[int]
) -> list[int]:
    """The document numbers of up to meaning[1] passages of `allowed`, not `taken`, nearest
    meaning[0] (none when the index has no embeddings or no model is installed)."""
    text, count = meaning
    table = vector_table(snapshot)
    vector = query_vector(table, text) if table.available else None
    if vector is None or count <= 0:
        return []
    allowed = allowed.copy()
    allowed[list(taken)] = False
    found = nearest(table, vector, count, allowed, MIN_SIMILARITY)
    return sorted(found, key=lambda d: (-found[d], d))


def filter_mask(
    snapshot: Snapshot,
    filters: Mapping[str, Sequence[str]],
    year_from: int | None = None,
    year_to: int | None = None,
) -> np.ndarray:
    """Passages holding a selected value of every filtered facet, within the year range."""
    mask = np.ones(snapshot.searcher().doc_count_all(), dtype=bool)
    for selection in selections(snapshot, filters, year_from, year_to)[1].values():
        mask &= selection
    return mask


def selections(
    snapshot: Snapshot,
    filters: Mapping[str, Sequence[str]],
    year_from: int | None = None,
    year_to: int | None = None,
) -> tuple[dict[str, tuple[Any, ...]], dict[str, np.ndarray]]:
    """The indexed values selected per facet, and per facet the passages holding one of them
    (the year range narrowing the year facet's)."""
    size = snapshot.searcher().doc_count_all()
    selected = {}
    for name, given in filters.items():
        values = [given] if isinstance(given, str) else list(given)
        if values:  # a facet with nothing selected does not filter
            selected[name] = tuple(
                dict.fromkeys(resolve_value(snapshot, name, str(v)) for v in values)
            )
    masks = {
        name: facet_values(snapshot, name).mask(values, size) for name, values in selected.items()
    }
    if year_from is not None or year_to is not None:
        years = facet_values(snapshot, "year")
        low = year_from if year_from is not None else -math.inf
        high = year_to if year_to is not None else math.inf
        year_range = years.mask(tuple(y for y in years.values if low <= y <= high), size)
        masks["year"] = masks.get("year", year_range) & year_range
    return selected, masks
