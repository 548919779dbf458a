"""Counting and grouping passages by document, over runs of document numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search_app.engine.columns import columns, make_columns
from search_app.engine.index_handle import IndexHandle

# Passages' documents: -1 is a deleted slot. Document 0 has two runs (as if written twice).
DOC = np.array([0, 0, -1, 1, 1, 1, -1, -1, 2, 0, 3])
IDS = ["a", "b", "c", "d"]


def plain_count(doc: np.ndarray, mask: np.ndarray) -> int:
    return len({int(d) for d in doc[mask] if d >= 0})


def plain_whole(doc: np.ndarray, mask: np.ndarray) -> np.ndarray:
    present = {int(d) for d in doc[mask] if d >= 0}
    return np.array([int(d) in present for d in doc])


@pytest.mark.parametrize("doc", [DOC, DOC[:9], np.array([], dtype=np.int64)])
def test_counts_and_whole_documents_match_a_plain_count(doc: np.ndarray):
    cols = make_columns(doc, IDS, [""] * 4, [""] * 4)
    rng = np.random.default_rng(3)
    masks = rng.random((200, len(doc))) < rng.random((200, 1))  # sparse to dense
    for mask in [*masks, np.ones(len(doc), bool), np.zeros(len(doc), bool)]:
        assert cols.count_documents(mask) == plain_count(doc, mask)
        assert cols.whole_documents(mask).tolist() == plain_whole(doc, mask).tolist()
        present = cols.documents_with(mask)
        assert np.flatnonzero(present[:-1]).tolist() == sorted(
            {int(d) for d in doc[mask] if d >= 0}
        )
        assert not present[-1]
        live = np.flatnonzero(mask & (doc >= 0))
        assert cols.passages_of(live).tolist() == np.flatnonzero(plain_whole(doc, mask)).tolist()


def test_a_document_in_two_runs_is_counted_once():
    cols = make_columns(DOC, IDS, [""] * 4, [""] * 4)
    assert not cols.one_run_each
    mask = np.zeros(len(DOC), bool)
    mask[[0, 9]] = True  # both runs of document 0
    assert cols.count_documents(mask) == 1
    assert np.flatnonzero(cols.whole_documents(mask)).tolist() == [0, 1, 9]


def test_an_index_keeps_each_document_in_one_run(small_index: Path):
    cols = columns(IndexHandle(small_index).snapshot())
    assert cols.one_run_each
    assert len(cols.run_starts) >= len(cols.document_ids)


def test_window_bits_hold_each_windows_passages():
    """Runs of 1 to 200 passages (deleted runs among them) cut into windows of 64: a mask's
    bits per window are its passages there, and dense masks count documents as plain counts
    do (they are counted from the window words)."""
    rng = np.random.default_rng(9)
    lengths = rng.integers(1, 200, size=40)
    owners = [-1 if i % 7 == 3 else i for i in range(len(lengths))]
    doc = np.repeat(owners, lengths)
    cols = make_columns(doc, [str(i) for i in range(len(lengths))], [""] * 40, [""] * 40)
    windows = cols.windows
    assert len(windows.start) > len(lengths)
    for share in (0.01, 0.3, 0.9, 1.0):
        mask = rng.random(len(doc)) < share
        bits = windows.bits(mask)
        for w, start in enumerate(windows.start.tolist()):
            end = windows.start[w + 1] if w + 1 < len(windows.start) else len(doc)
            expected = sum(1 << i for i in range(end - start) if mask[start + i])
            assert int(bits[w]) == expected
        assert cols.count_documents(mask) == plain_count(doc, mask)
        assert cols.whole_documents(mask).tolist() == plain_whole(doc, mask).tolist()
    docnums = np.array([0, 63, 64, len(doc) - 1])
    found, bit = windows.bit_of(docnums)
    assert [int(b) for b in bit] == [
        1 << int(d - windows.start[w]) for d, w in zip(docnums, found, strict=True)
    ]
