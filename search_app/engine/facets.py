"""Facet counts from per-generation arrays built from each facet field's postings.

Each facet is held as two parallel arrays over all its postings (docnum, value index), so the
counts for any set of matching passages are one `np.bincount`. Multi-select: the counts of a
facet are computed without its own selection; different facets are AND'ed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from indexer.index.schema import NUMERIC_FACETS
from indexer.metadata import organization_aliases
from indexer.metadata.entities import language_name
from indexer.models import FACETS
from search_app.engine.columns import Columns, columns
from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.matchsets import term_ids
from search_app.engine.query_text import country_names_of

DEFAULT_FACET_SIZE = 10
SPARSE = 5  # below 1 match in SPARSE passages, count from the matches' own values
# Reports per value: the matches' own postings are counted below 1 match per WINDOW_COST
# window words of the facet's other pairs, the window words tested above (the two cost the
# same at 1 match per 10-30 words, by facet, at 279,000 passages).
WINDOW_COST = 20


@dataclass(frozen=True)
class FacetValues:
    """All values of one facet and which passages hold them."""

    name: str
    values: tuple[Any, ...]  # display labels (ints for year)
    docs: np.ndarray  # docnum of each posting
    vals: np.ndarray  # value index of each posting
    folded: Mapping[str, Any]  # casefolded label -> label
    index: Mapping[Any, int]  # label -> value index
    label_rank: np.ndarray  # alphabetical rank of each label, to break count ties
    starts: np.ndarray  # per docnum, where its values start in by_doc (one more at the end)
    by_doc: np.ndarray  # value indexes, ordered by docnum

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Matching passages per value."""
        hits = self.vals[mask[self.docs]]
        return np.bincount(hits, minlength=len(self.values))

    def counts_of(self, docnums: np.ndarray) -> np.ndarray:
        """Matching passages per value, from the matches' document numbers (few of them)."""
        first = self.starts[docnums]
        sizes = self.starts[docnums + 1] - first
        before = np.cumsum(sizes) - sizes
        index = np.repeat(first - before, sizes) + np.arange(int(sizes.sum()))
        return np.bincount(self.by_doc[index], minlength=len(self.values))

    def mask(self, selected: tuple[Any, ...], size: int) -> np.ndarray:
        """Passages holding any of the selected values."""
        wanted = np.zeros(len(self.values) + 1, dtype=bool)
        for value in selected:
            if value in self.index:
                wanted[self.index[value]] = True
        mask = np.zeros(size, dtype=bool)
        mask[self.docs[wanted[self.vals]]] = True
        return mask


@per_generation
def facet_values(snapshot: Snapshot, name: str) -> FacetValues:
    """The snapshot's FacetValues for facet `name` (built on first use)."""
    reader = snapshot.searcher().reader()
    field = reader.schema[name]
    if name in NUMERIC_FACETS:
        terms = list(field.sortable_terms(reader, name))  # full precision only
        labels = [field.from_bytes(t) for t in terms]
    else:
        terms = list(reader.lexicon(name))
        labels = [t.decode("utf-8") for t in terms]
    docs, vals = [], []
    for index, btext in enumerate(terms):
        ids = term_ids(reader, name, btext)
        docs.append(ids)
        vals.append(np.full(len(ids), index, dtype=np.int32))
    all_docs = np.concatenate(docs).astype(np.int32) if docs else np.empty(0, np.int32)
    all_vals = np.concatenate(vals) if vals else np.empty(0, np.int32)
    order = np.argsort(all_docs, kind="stable")
    return FacetValues(
        name=name,
        values=tuple(labels),
        docs=all_docs,
        vals=all_vals,
        folded={str(label).casefold(): label for label in labels},
        index={label: i for i, label in enumerate(labels)},
        label_rank=np.argsort(np.argsort([str(v).casefold() for v in labels], kind="stable")),
        starts=np.searchsorted(all_docs[order], np.arange(reader.doc_count_all() + 1)),
        by_doc=all_vals[order],
    )


@dataclass(frozen=True)
class _ReportPairs:
    """A facet's (value, report) pairs, for counting reports per value.

    Where every live passage of a report holds the value (the report's own country, year,
    type...), the pair is kept whole: it counts when any passage of the report matches, so
    these facets are counted over their reports, not their passages. The other pairs (an
    organization some passages mention) count when one of their passages matches. Few
    matches: each posting knows its pair, so a request marks the pairs of its matches' own
    postings. Many: each pair's passages are held as bits of the columns' windows (one
    64-bit word where the pair lies in one window, as nearly all do), tested against the
    mask's bits with one AND a pair.
    """

    whole_values: np.ndarray  # value index of each whole pair
    whole_reports: np.ndarray  # report (columns' document index) of each whole pair
    pair_values: np.ndarray  # value index of each other pair
    starts: np.ndarray  # per docnum, where its pairs start in by_doc (one more at the end)
    by_doc: np.ndarray  # the other pairs' postings' pairs, ordered by docnum
    # The other pairs' passages as window bits: the pairs in one window (window and bits of
    # each, in value order: the values and where each one's pairs start), and the rest (a
    # word per window they span: pair, window and bits).
    one_windows: np.ndarray
    one_bits: np.ndarray
    one_value_of_group: np.ndarray
    one_group_starts: np.ndarray
    many_pairs: np.ndarray
    many_windows: np.ndarray
    many_bits: np.ndarray

    def counts(self, bits: np.ndarray, present: np.ndarray, size: int) -> np.ndarray:
        """Reports per value with a passage holding it among the window `bits` of a mask;
        `present` marks the reports with a passage in the mask (one more slot at the end,
        for deleted slots)."""
        counts = self._whole(present, size)
        if len(self.one_bits):
            # Summed per value over the value-ordered pairs: picking the hit pairs out for a
            # bincount cost twice as much (0.46 against 0.19 ms for the countries mentioned
            # in 27,000 of 279,000 passages).
            hit = (self.one_bits & bits[self.one_windows]) != 0
            counts[self.one_value_of_group] += np.add.reduceat(
                hit, self.one_group_starts, dtype=np.int64
            )
        if len(self.many_pairs):
            hit = (self.many_bits & bits[self.many_windows]) != 0
            counts += np.bincount(self.pair_values[np.unique(self.many_pairs[hit])], minlength=size)
        return counts

    def counts_of(self, docnums: np.ndarray, present: np.ndarray, size: int) -> np.ndarray:
        """`counts`, from the matches' document numbers (few of them)."""
        counts = self._whole(present, size)
        if len(self.pair_values):
            first = self.starts[docnums]
            sizes = self.starts[docnums + 1] - first
            before = np.cumsum(sizes) - sizes
            index = np.repeat(first - before, sizes) + np.arange(int(sizes.sum()))
            pairs = self.by_doc[index]
            counts += np.bincount(self.pair_values[np.unique(pairs)], minlength=size)
        return counts

    def quicker_by_passages(self, matches: int) -> bool:
        """Whether counting from `matches` passages' own postings beats the window test,
        whose cost is set by the number of window words (measured at 279,000 passages)."""
        return matches * WINDOW_COST < len(self.one_bits) + len(self.many_bits)

    def _whole(self, present: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(self.whole_values[present[self.whole_reports]], minlength=size)


@per_generation
def _report_pairs(snapshot: Snapshot, name: str) -> _ReportPairs:
    values = facet_values(snapshot, name)
    cols = columns(snapshot)
    reports = cols.doc[values.docs]
    live = reports >= 0  # a re-indexed report's old passages linger until a merge
    docs, vals, reports = values.docs[live], values.vals[live], reports[live]
    order = np.lexsort((docs, reports, vals))
    docs, vals, reports = docs[order], vals[order], reports[order]
    first = np.ones(len(vals), dtype=bool)
    first[1:] = (vals[1:] != vals[:-1]) | (reports[1:] != reports[:-1])
    pair_starts = np.flatnonzero(first)
    sizes = np.diff(np.append(pair_starts, len(vals)))
    passages = np.bincount(cols.doc[cols.doc >= 0], minlength=len(cols.document_ids))
    pair_vals, pair_reports = vals[pair_starts], reports[pair_starts]
    whole = sizes == passages[pair_reports]
    other = np.repeat(~whole, sizes)  # whole or not, a pair's postings all go one way
    docs = docs[other]
    pairs = (np.cumsum(first[other]) - 1).astype(np.int32)
    by_docnum = np.argsort(docs, kind="stable")
    return _ReportPairs(
        whole_values=pair_vals[whole],
        whole_reports=pair_reports[whole],
        pair_values=pair_vals[~whole],
        starts=np.searchsorted(docs[by_docnum], np.arange(len(cols.doc) + 1)),
        by_doc=pairs[by_docnum],
        **_window_words(cols, docs, pairs, pair_vals[~whole]),
    )


def _window_words(
    cols: Columns, docs: np.ndarray, pairs: np.ndarray, pair_values: np.ndarray
) -> dict[str, np.ndarray]:
    """The pairs' passages as window words (`docs` in pair order, then docnum order)."""
    windows, bits = cols.windows.bit_of(docs.astype(np.int64))
    key = pairs.astype(np.int64) * max(1, len(cols.windows.start)) + windows
    starts = np.flatnonzero(np.diff(key, prepend=-1)) if len(key) else np.empty(0, np.int64)
    words = np.bitwise_or.reduceat(bits, starts) if len(key) else np.empty(0, np.uint64)
    pair, window = pairs[starts], windows[starts]
    alone = np.bincount(pair, minlength=len(pair_values))[pair] == 1
    one_values = pair_values[pair[alone]]
    by_value = np.argsort(one_values, kind="stable")
    one_values = one_values[by_value]
    group_starts = np.flatnonzero(np.diff(one_values, prepend=-1))
    return {
        "one_windows": window[alone][by_value],
        "one_bits": words[alone][by_value],
        "one_value_of_group": one_values[group_starts],
        "one_group_starts": group_starts,
        "many_pairs": pair[~alone],
        "many_windows": window[~alone],
        "many_bits": words[~alone],
    }


class _Matched:
    """A mask's passages, its reports and its window bits, each found once when needed."""

    def __init__(self, cols: Columns, mask: np.ndarray) -> None:
        self.cols = cols
        self.mask = mask
        self.count = int(np.count_nonzero(mask))

    @cached_property
    def docnums(self) -> np.ndarray:
        # Only few matches are counted from their passages: finding many takes longer than
        # counting them from the window words (0.1-0.4 ms for 27,000 of 279,000).
        return np.flatnonzero(self.mask)

    @cached_property
    def bits(self) -> np.ndarray:
        return self.cols.windows.bits(self.mask)

    @cached_property
    def present(self) -> np.ndarray:
        return self.cols.documents_with(self.mask)


def document_counts(snapshot: Snapshot, name: str, mask: np.ndarray) -> np.ndarray:
    """Matching reports per value: reports with a passage in `mask` holding the value."""
    return _document_counts(snapshot, name, _Matched(columns(snapshot), mask))


def _document_counts(snapshot: Snapshot, name: str, matched: _Matched) -> np.ndarray:
    pairs = _report_pairs(snapshot, name)
    size = len(facet_values(snapshot, name).values)
    if pairs.quicker_by_passages(matched.count):
        return pairs.counts_of(matched.docnums, matched.present, size)
    return pairs.counts(matched.bits, matched.present, size)


@per_generation
def uninformative(snapshot: Snapshot) -> frozenset[str]:
    """Facets with one value held by every document: they tell nothing, and are not shown
    ("Language: English" on an English shelf)."""
    cols = columns(snapshot)
    live = cols.doc >= 0
    every = cols.count_documents(live)
    return frozenset(
        name
        for name in FACETS
        if len(facet_values(snapshot, name).values) == 1
        and int(document_counts(snapshot, name, live)[0]) == every
    )


def resolve_value(snapshot: Snapshot, name: str, raw: str) -> Any:
    """The indexed value people mean by `raw`: any case, and acronym or full name for orgs."""
    known = facet_values(snapshot, name)
    key = raw.strip().casefold()
    if key in known.folded:
        return known.folded[key]
    if name in ("organization", "publisher"):
        alias = organization_aliases().get(key)
        if alias is not None:
            return known.folded.get(str(alias).casefold(), alias)
    if name in NUMERIC_FACETS:
        return int(raw) if raw.strip().isdigit() else raw
    for label in known.values:  # "SDG 13" -> "SDG 13: Climate action"
        if str(label).partition(": ")[0].casefold() == key:
            return label
    if name == "language":
        return language_name(raw.strip())
    for other in country_names_of(raw):  # Turkey -> Türkiye, Burma -> Myanmar
        if other.casefold() in known.folded:
            return known.folded[other.casefold()]
    return raw


def resolver(snapshot: Snapshot) -> Callable[[str, str], Any]:
    """resolve_value bound to a snapshot, for the query parser."""
    return lambda name, raw: resolve_value(snapshot, name, raw)


def facet_counts(
    snapshot: Snapshot,
    base: np.ndarray,
    selection_masks: Mapping[str, np.ndarray],
    selected: Mapping[str, tuple[Any, ...]],
    size: int = DEFAULT_FACET_SIZE,
    per_document: bool = False,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bool], dict[str, np.ndarray]]:
    """Per facet: top values {value, count, selected}, whether cut, and the raw counts
    (of the facets shown, and of the year, which the histogram shows).

    `base` is the query mask with no facet selection; each facet's counts apply the other
    facets' selections only. Counts are of passages, or of reports with `per_document`.
    """
    facets, truncated, raw = {}, {}, {}
    narrowed: dict[tuple[str, ...], _Matched] = {}
    hidden = uninformative(snapshot)
    for name in FACETS:
        if name in hidden and name not in selected and name != "year":
            continue  # not shown: not counted (4 of the speeches' 13 facets)
        applied = tuple(other for other in selection_masks if other != name)
        if applied not in narrowed:
            mask = base.copy()
            for other in applied:
                mask &= selection_masks[other]
            narrowed[applied] = _Matched(columns(snapshot), mask)
        matched = narrowed[applied]
        values = facet_values(snapshot, name)
        if per_document:
            counts = _document_counts(snapshot, name, matched)
        elif matched.count * SPARSE < len(matched.mask):
            counts = values.counts_of(matched.docnums)  # few matches: their own values
        else:  # many: one pass over the facet's postings is cheaper
            counts = values.counts(matched.mask)
        raw[name] = counts
        if name in hidden and name not in selected:
            continue
        facets[name], truncated[name] = _top(values, counts, selected.get(name, ()), size)
    return facets, truncated, raw


def _top(
    values: FacetValues, counts: np.ndarray, selected: tuple[Any, ...], size: int
) -> tuple[list[dict[str, Any]], bool]:
    """Top `size` values by count (ties by label), plus selected values wherever they rank."""
    nonzero = np.flatnonzero(counts)
    order = nonzero[np.lexsort((values.label_rank[nonzero], -counts[nonzero]))]
    shown = [values.values[i] for i in order[:size]]
    shown += [v for v in selected if v not in shown]
    entries = [
        {
            "value": value,
            "count": int(counts[values.index[value]]) if value in values.index else 0,
            "selected": value in selected,
        }
        for value in shown
    ]
    return entries, len(order) > size
