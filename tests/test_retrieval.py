"""engine.retrieval: the best passages for any word, ranked as search ranks them, filtered."""

from __future__ import annotations

import pytest

from search_app import engine
from search_app.engine.index_handle import IndexHandle
from search_app.engine.retrieval import top_passages


@pytest.fixture(scope="module")
def handle(small_index):
    return IndexHandle(small_index)


def _documents(handle, hits) -> set[str]:
    searcher = handle.searcher()
    return {searcher.stored_fields(docnum)["document_id"] for docnum, _ in hits}


def test_any_word_in_search_order(handle):
    hits = top_passages(handle.snapshot(), "nurses remittances", limit=10)
    request = engine.SearchRequest(q="nurses OR remittances", group="passage", per_page=10)
    results = engine.search(handle, request)["results"]
    assert len(hits) == len(results) > 3
    searcher = handle.searcher()
    assert [(searcher.stored_fields(d)["passage_id"], round(s, 4)) for d, s in hits] == [
        (r["passage_id"], r["score"]) for r in results
    ]


def test_facet_filters_and_year_range(handle):
    snapshot = handle.snapshot()
    everywhere = _documents(handle, top_passages(snapshot, "remittances migrants"))
    mexico = {"corpus/remittances.txt", "corpus/escape.txt"}
    assert everywhere > mexico
    filtered = top_passages(snapshot, "remittances migrants", {"country": ["mexico"]})
    assert _documents(handle, filtered) == mexico
    in_2015 = top_passages(snapshot, "remittances migrants", year_from=2015, year_to=2015)
    assert _documents(handle, in_2015) == mexico
    before = top_passages(snapshot, "remittances migrants", year_to=2014)
    assert _documents(handle, before) == everywhere - mexico
    none = top_passages(snapshot, "remittances", {"country": ["Mexico"], "doc_type": ["x"]})
    assert none == []
