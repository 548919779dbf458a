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
