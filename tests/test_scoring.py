"""The numpy BM25F scorer gives Whoosh's own scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search_app.docsets import MaskBuilder
from search_app.index_handle import IndexHandle
from search_app.query import bound_expansions, parse
from search_app.scoring import BulkScorer


@pytest.fixture(scope="module")
def snapshot(small_index: Path):
    return IndexHandle(small_index).snapshot()


@pytest.mark.parametrize(
    "text",
    [
        "migration",
        "health workers emigration",
        "title:migration",
        "remittances -migrants",
        "organization:IOM migration",
        "remit*",
        "nurses OR midwives",
    ],
)
def test_bulk_scores_equal_whoosh_scores(snapshot, text):
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    scorer = BulkScorer(snapshot, searcher, builder)
    parsed = parse(text, searcher.schema)
    for q in (parsed.strict, parsed.relaxed):
        q = bound_expansions(q, searcher.reader())
        expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        assert expected, q
        scores = scorer.scores(q)
        assert set(np.flatnonzero(builder.mask(q))) == set(expected)
        for docnum, score in expected.items():
            assert scores[docnum] == pytest.approx(score, rel=1e-5)


def test_top_orders_by_score_then_docnum(snapshot):
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    q = parse("migration", searcher.schema).relaxed
    top = BulkScorer(snapshot, searcher, builder).top(q, builder.mask(q), 5)
    whoosh = [(hit.docnum, hit.score) for hit in searcher.search(q, limit=5)]
    assert [d for d, _ in top] == [d for d, _ in whoosh]


@pytest.mark.parametrize(
    "phrase",
    [
        '"ethical recruitment"',
        '"health workers"',
        '"global migration group"',
        '"migration and development"',
        '"health care workers"',
        'title:"global code"',
        '"development migration"',
        '"nurses"',
    ],
)
def test_phrase_masks_equal_whoosh(snapshot, phrase):
    searcher = snapshot.searcher()
    q = parse(phrase, searcher.schema).relaxed
    expected = set(searcher.docs_for_query(q))
    found = set(np.flatnonzero(MaskBuilder(snapshot, searcher).mask(q)).tolist())
    assert found == expected


def test_multi_segment_index(tmp_path: Path):
    """Postings, lengths, phrases and scores across several Whoosh segments."""
    from indexer import store
    from indexer.models import Document, IndexedDocument, Page, Passage

    index_dir = tmp_path / "index"
    generation = store.new_generation(index_dir)
    texts = {
        "a.txt": ["Health workers leave rural clinics.", "Ethical recruitment of nurses."],
        "b.txt": ["Nurses and health workers migrate.", "Recruitment agencies and nurses."],
        "c.txt": ["Remittances from health workers abroad.", "Rural health clinics close."],
    }
    for name, paragraphs in texts.items():  # one commit per document: one segment each
        document = Document(name, "/dev/null", "text", name, (Page(1, ""),), title=name)
        passages = tuple(
            Passage(name, i, text, (text,), (), 1, 1, {"doc_type": ("report",)})
            for i, text in enumerate(paragraphs)
        )
        writer = store.whoosh_index.open_dir(str(generation)).writer()
        store.add_document(writer, IndexedDocument(document, name, (), passages))
        writer.commit(merge=False)
    store.publish(index_dir, generation)
    snapshot = IndexHandle(index_dir).snapshot()
    searcher = snapshot.searcher()
    assert not searcher.reader().is_atomic()
    builder = MaskBuilder(snapshot, searcher)
    scorer = BulkScorer(snapshot, searcher, builder)
    for text in ("health workers", '"health workers"', "nurses -rural", "recruit*"):
        q = bound_expansions(parse(text, searcher.schema).relaxed, searcher.reader())
        expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        assert expected and set(np.flatnonzero(builder.mask(q)).tolist()) == set(expected)
        if '"' not in text:
            scores = scorer.scores(q)
            for docnum, score in expected.items():
                assert scores[docnum] == pytest.approx(score, rel=1e-5)
    from search_app import engine

    body = engine.search(IndexHandle(index_dir), engine.SearchRequest(q="nurses", group="passage"))
    assert body["total"] == 3 and body["facets"]["doc_type"][0]["count"] == 3
