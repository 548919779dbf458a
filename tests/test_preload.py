"""Warm-up reads the commonest terms into the caches; results do not change."""

from __future__ import annotations

from pathlib import Path

from search_app import engine
from search_app.engine import parse_search_args, preload
from search_app.engine.index_handle import IndexHandle
from search_app.engine.matchsets import MaskBuilder, shared_cache
from search_app.engine.query import TEXT_FIELDS

QUERIES = ['"health workers"', "migration remittances", '"ethical recruitment"', "nurses"]


def search(handle: IndexHandle, q: str) -> dict:
    body = engine.search(handle, parse_search_args({"q": [q]}))
    body.pop("took_ms")
    return body


def test_commonest_terms_are_cached(small_index: Path):
    snapshot = IndexHandle(small_index).snapshot()
    postings, keys = preload.preload(snapshot, TEXT_FIELDS)
    assert postings > 0 and keys > 0
    builder = MaskBuilder(snapshot, snapshot.searcher())
    field, text = max(
        ((f, t) for f in TEXT_FIELDS for t in builder.reader.field_terms(f)),
        key=lambda ft: builder.reader.doc_frequency(*ft),
    )
    assert shared_cache(snapshot, "postings").get((field, text)) is not None
    assert shared_cache(snapshot, "positions").get((field, text)) is not None


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
