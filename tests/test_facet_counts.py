"""Facet counts from the matches' own values equal counts over the facet's postings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.models import FACETS
from search_app.engine.facets import facet_values
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
