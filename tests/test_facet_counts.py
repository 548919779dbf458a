"""Facet counts from the matches' own values equal counts over the facet's postings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shelves import index_shelf

from indexer.models import FACETS
from search_app.engine.columns import columns
from search_app.engine.facets import _report_pairs, document_counts, facet_values
from search_app.engine.index_handle import IndexHandle


@pytest.mark.parametrize("name", FACETS)
def test_counts_of_matches_equal_counts_of_mask(small_index: Path, name: str):
    snapshot = IndexHandle(small_index).snapshot()
    values = facet_values(snapshot, name)
    size = snapshot.searcher().reader().doc_count_all()
    rng = np.random.default_rng(7)
    masks = [np.zeros(size, dtype=bool), np.ones(size, dtype=bool)]
    masks += [rng.random(size) < share for share in (0.05, 0.3, 0.7)]
    for mask in masks:
        assert values.counts_of(np.flatnonzero(mask)).tolist() == values.counts(mask).tolist()


@pytest.mark.parametrize("name", FACETS)
def test_report_counts_equal_reports_counted_one_by_one(small_index: Path, name: str):
    """Reports per value, for masks of one passage to all of them (the few matches' pairs
    are sorted, the many are marked): each report with a matching passage holding the value."""
    snapshot = IndexHandle(small_index).snapshot()
    values, cols = facet_values(snapshot, name), columns(snapshot)
    size = len(cols.doc)
    rng = np.random.default_rng(11)
    masks = [np.zeros(size, dtype=bool), np.ones(size, dtype=bool)]
    masks += [np.arange(size) // run == i for run in (1, 2, 4) for i in range(0, size // run)]
    masks += [rng.random(size) < share for share in (0.05, 0.3, 0.7)]
    for mask in masks:
        expected = np.zeros(len(values.values), dtype=int)
        pairs = {
            (int(v), int(cols.doc[d]))
            for d, v in zip(values.docs, values.vals, strict=True)
            if mask[d] and cols.doc[d] >= 0
        }
        for value, _ in pairs:
            expected[value] += 1
        assert document_counts(snapshot, name, mask).tolist() == expected.tolist()


def _long_report() -> dict[str, str]:
    """A report of 150 paragraphs (passages across three windows of 64), naming UNICEF,
    France and Kenya in some of them, and two short reports."""
    names = ("UNICEF", "France", "Kenya", "the World Bank")
    paragraphs = []
    for i in range(150):
        named = " and ".join(n for k, n in enumerate(names) if i % (k + 3) == 0) or "delegates"
        paragraphs.append(
            f"Paragraph {i} of the review records that {named} reported on programme "
            f"number {i} for the biennium, with figures for each region and a note on "
            "the resources that remain to be found before the next session begins."
        )
    return {
        "long-review.txt": "Annual review\n\n" + "\n\n".join(paragraphs),
        "short-a.txt": "A note\n\nUNICEF and Kenya agreed on a plan.",
        "short-b.txt": "A letter\n\nFrance wrote to the World Bank.",
    }


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_shelf(tmp_path_factory.mktemp("long"), _long_report())


@pytest.mark.parametrize("name", ["organization", "mentioned_country", "topic"])
def test_window_words_count_reports_as_their_passages_do(long_index: Path, name: str):
    """Many matches are counted from window words, few from their own postings: on a report
    longer than a window (its pairs span several), both equal a count report by report."""
    snapshot = IndexHandle(long_index).snapshot()
    values, cols = facet_values(snapshot, name), columns(snapshot)
    pairs = _report_pairs(snapshot, name)
    assert len(cols.windows.start) > len(cols.document_ids)  # the long report has several
    if name != "topic":
        assert len(pairs.many_pairs)  # a value named all through the long report
    size = len(values.values)
    rng = np.random.default_rng(5)
    masks = [rng.random(len(cols.doc)) < share for share in (0.01, 0.1, 0.5, 0.9)]
    masks += [np.arange(len(cols.doc)) == i for i in range(0, len(cols.doc), 7)]
    for mask in masks:
        present = cols.documents_with(mask)
        expected = np.zeros(size, dtype=int)
        for value, _ in {
            (int(v), int(cols.doc[d]))
            for d, v in zip(values.docs, values.vals, strict=True)
            if mask[d] and cols.doc[d] >= 0
        }:
            expected[value] += 1
        by_words = pairs.counts(cols.windows.bits(mask), present, size)
        by_passages = pairs.counts_of(np.flatnonzero(mask), present, size)
        assert by_words.tolist() == expected.tolist()
        assert by_passages.tolist() == expected.tolist()
