"""Warm-up reads the commonest terms into the caches; results do not change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.pipeline import run
from search_app import engine
from search_app.engine import matchsets, parse_search_args, preload
from search_app.engine.index_handle import IndexHandle
from search_app.engine.matchsets import MaskBuilder, shared_cache
from search_app.engine.postings import SHIFT
from search_app.engine.query import TEXT_FIELDS

QUERIES = ['"health workers"', "migration remittances", '"ethical recruitment"', "nurses"]


def search(handle: IndexHandle, q: str) -> dict:
    body = engine.search(handle, parse_search_args({"q": [q]}))
    body.pop("took_ms")
    return body


def commonest(builder: MaskBuilder) -> tuple[str, str]:
    return max(
        ((f, t) for f in TEXT_FIELDS for t in builder.reader.field_terms(f)),
        key=lambda ft: builder.reader.doc_frequency(*ft),
    )


def test_commonest_terms_are_cached(small_index: Path, monkeypatch):
    monkeypatch.setattr(preload, "WHOLE_POSITIONS_FROM", 2)  # the test shelf is small
    snapshot = IndexHandle(small_index).snapshot()
    postings, keys = preload.preload(snapshot, TEXT_FIELDS)
    assert postings > 0 and keys > 0
    builder = MaskBuilder(snapshot, snapshot.searcher())
    field, text = commonest(builder)
    assert shared_cache(snapshot, "postings").get((field, text)) is not None
    assert shared_cache(snapshot, "positions").get((field, text)) is not None


def test_positions_of_rarer_terms_are_left_to_be_read_on_demand(small_index: Path):
    snapshot = IndexHandle(small_index).snapshot()  # no term is in 2,000 of its passages
    postings, keys = preload.preload(snapshot, TEXT_FIELDS)
    assert postings > 0 and keys == 0


@pytest.fixture(scope="module")
def many_blocks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index where one word is in 400 passages: several postings blocks."""
    folder = tmp_path_factory.mktemp("blocks")
    sections = [f"## Meeting {n}\n\nThe harbour pilots met for the {n}th time." for n in range(400)]
    (folder / "pilots.md").write_text("# Pilots\n\n" + "\n\n".join(sections), "utf-8")
    index_dir = folder / "index"
    assert not run([folder], index_dir, workers=1).summary()["failures"]
    return index_dir


def read_for_one_passage(index_dir: Path) -> tuple[bool, set[int], set[int]]:
    """Positions of "pilots" read for the last passage holding it: whether they are kept,
    the passages they cover and the passages holding it."""
    snapshot = IndexHandle(index_dir).snapshot()
    builder = MaskBuilder(snapshot, snapshot.searcher())
    holding = builder.ids_mask(builder.postings("text", "pilot")[0]) & builder.live
    assert holding.sum() >= 400
    one = np.zeros_like(holding)
    one[np.flatnonzero(holding)[-1]] = True
    keys = builder.positions("text", "pilot", one)
    kept = shared_cache(snapshot, "positions").get(("text", "pilot")) is not None
    return kept, set((keys >> SHIFT).tolist()), set(np.flatnonzero(holding).tolist())


def test_a_common_phrase_word_is_read_whole_and_kept(many_blocks: Path, monkeypatch):
    """A phrase narrowed to one passage still reads a common word's positions whole, and
    keeps them for the phrases to come."""
    monkeypatch.setattr(matchsets, "WHOLE_POSITIONS_FROM", 400)
    kept, covered, holding = read_for_one_passage(many_blocks)
    assert kept and covered == holding


def test_a_rarer_phrase_word_is_read_for_its_candidates(many_blocks: Path, monkeypatch):
    monkeypatch.setattr(matchsets, "WHOLE_POSITIONS_FROM", 10_000)
    kept, covered, holding = read_for_one_passage(many_blocks)
    assert covered < holding and not kept  # its last postings block only


def test_budget_is_kept(small_index: Path, monkeypatch):
    monkeypatch.setattr(preload, "SHARE", 0.0)
    snapshot = IndexHandle(small_index).snapshot()
    assert preload.preload(snapshot, TEXT_FIELDS) == (0, 0)


def test_rare_terms_are_left_to_be_read_on_demand(small_index: Path, monkeypatch):
    monkeypatch.setattr(preload, "TERMS", 3)
    snapshot = IndexHandle(small_index).snapshot()
    preload.preload(snapshot, TEXT_FIELDS)
    cached = shared_cache(snapshot, "postings")
    builder = MaskBuilder(snapshot, snapshot.searcher())
    terms = [(f, t) for f in TEXT_FIELDS for t in builder.reader.field_terms(f)]
    assert len(terms) > 3
    assert sum(cached.get(term) is not None for term in terms) == 3


def test_results_equal_with_and_without_warm_up(small_index: Path):
    cold = IndexHandle(small_index)
    warm = IndexHandle(small_index)
    engine.warm(warm)
    for q in QUERIES:
        assert search(warm, q) == search(cold, q)
