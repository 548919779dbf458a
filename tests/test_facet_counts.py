"""Facet counts from the matches' own values equal counts over the facet's postings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.models import FACETS
from search_app.engine.columns import columns
from search_app.engine.facets import _ReportPairs, document_counts, facet_values
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


def test_a_pair_matched_by_several_passages_counts_once():
    """Few or many matched postings, a (value, report) pair counts one report."""
    empty = np.zeros(0, dtype=np.int64)
    pairs = _ReportPairs(empty, empty, np.array([0, 0, 1] + [2] * 40), empty, empty, empty, empty)
    assert pairs._marked(np.array([1, 1, 2, 1]), 3).tolist() == [1, 1, 0]
    many = np.array([1, 1, 2, *range(3, 43), 5])
    assert pairs._marked(many, 3).tolist() == [1, 1, 40]
