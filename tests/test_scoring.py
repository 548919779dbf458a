"""The numpy scorer computes exact BM25F; the phrase masks equal Whoosh's matches."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.index.analysis import analyze
from indexer.index.ranking import FIELDS, K1
from search_app.engine.index_handle import IndexHandle
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.query import bound_expansions, parse
from search_app.engine.scoring import BulkScorer


@pytest.fixture(scope="module")
def snapshot(small_index: Path):
    return IndexHandle(small_index).snapshot()


def reference_bm25f(searcher, docnum: int, words: list[str], fields=FIELDS) -> float:
    """BM25F from the definition, reading the passage's stored text (a check, not fast)."""
    stored = searcher.stored_fields(docnum)
    n = searcher.doc_count_all()
    score = 0.0
    for word in words:
        tf = 0.0
        for field in fields:
            weight, b = FIELDS[field]
            terms = analyze(stored.get(field) or "")
            length = byte_to_length(length_to_byte(len(terms)))  # Whoosh keeps one byte
            avg = searcher.avg_field_length(field) or 1
            tf += weight * terms.count(word) / ((1 - b) + b * length / avg)
        df = len(list(searcher.docs_for_query(wq.Or([wq.Term(f, word) for f in fields]))))
        if tf:
            score += math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (K1 + 1) / (tf + K1)
    return score


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("migration", FIELDS),
        ("health workers emigration", FIELDS),
        ("nurses OR midwives", FIELDS),
        ("remittances -migrants", FIELDS),
        ("health-care workers", FIELDS),  # the compound parses as one And per field
        ("title:migration", ("title",)),
    ],
)
def test_bulk_scores_are_bm25f(snapshot, text, fields):
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    scorer = BulkScorer(snapshot, searcher, builder)
    words = [w for w in analyze(text.replace("title:", "")) if w != "migrant"]
    for q in parse(text, searcher.schema).tiers:
        matching = np.flatnonzero(builder.mask(q))
        assert len(matching), q
        scores = scorer.scores(q)
        for docnum in matching.tolist():
            expected = reference_bm25f(searcher, docnum, words, fields)
            assert scores[docnum] == pytest.approx(expected, rel=1e-6)


def test_a_word_in_title_and_text_is_saturated_once(snapshot):
    """Exact BM25F: the fields' frequencies are added before saturation, not the scores."""
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    scorer = BulkScorer(snapshot, searcher, builder)
    scores = scorer.scores(parse("migration", searcher.schema).relaxed)
    title_only = scorer.scores(parse("title:migration", searcher.schema).relaxed)
    text_only = scorer.scores(parse("text:migration", searcher.schema).relaxed)
    both = np.flatnonzero((title_only > 0) & (text_only > 0))
    assert len(both)
    assert (scores[both] < title_only[both] + text_only[both] - 1e-9).all()


def test_top_orders_by_score_then_docnum(snapshot):
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    q = parse("migration", searcher.schema).relaxed
    scorer = BulkScorer(snapshot, searcher, builder)
    top = scorer.top(q, np.flatnonzero(builder.mask(q)), 5)
    scores = scorer.scores(q)
    docnums = np.flatnonzero(builder.mask(q))
    expected = sorted(docnums.tolist(), key=lambda d: (-scores[d], d))[:5]
    assert [d for d, _ in top] == expected


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
    from indexer.index import generations
    from indexer.index.writer import add_document
    from indexer.models import Document, IndexedDocument, Page, Passage

    index_dir = tmp_path / "index"
    generation = generations.new_generation(index_dir)
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
        writer = generations.open_generation(generation).writer()
        add_document(writer, IndexedDocument(document, name, (), passages))
        writer.commit(merge=False)
    generations.publish(index_dir, generation)
    snapshot = IndexHandle(index_dir).snapshot()
    searcher = snapshot.searcher()
    assert not searcher.reader().is_atomic()
    builder = MaskBuilder(snapshot, searcher)
    scorer = BulkScorer(snapshot, searcher, builder)
    for text in ("health workers", '"health workers"', "nurses -rural", "recruit*"):
        q = bound_expansions(parse(text, searcher.schema).relaxed, searcher.reader())
        expected = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        assert expected and set(np.flatnonzero(builder.mask(q)).tolist()) == set(expected)
        if '"' not in text and "*" not in text:
            scores = scorer.scores(q)
            words = [w for w in analyze(text) if w != "rural"]
            for docnum in expected:
                reference = reference_bm25f(searcher, docnum, words)
                assert scores[docnum] == pytest.approx(reference, rel=1e-6)
    from search_app import engine

    request = engine.SearchRequest(q="nurses", group="passage", filters={"doc_type": ("report",)})
    body = engine.search(IndexHandle(index_dir), request)
    assert body["total"] == 3 and body["facets"]["doc_type"][0]["count"] == 3


@pytest.mark.parametrize(
    "text",
    [
        "migration",
        "health workers emigration",
        "nurses OR midwives",
        "remittances -migrants",
        '"health workers" migration',
        "remittances country:Mexico",
    ],
)
def test_few_passages_are_scored_alone_to_the_same_bits(snapshot, text):
    """Scoring only the passages asked for (a page's few, when under 1 in SPARSE) gives
    each exactly the score the whole array gives it."""
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    q = parse(text, searcher.schema).relaxed
    everything = BulkScorer(snapshot, searcher, builder).scores(q)
    matching = np.flatnonzero(builder.mask(q))
    assert len(matching)
    for docnums in (matching[:1], matching[-2:], np.unique([0, 5, *matching[:3]])):
        alone = BulkScorer(snapshot, searcher, builder).scores_of(q, docnums)
        assert np.array_equal(alone, everything[docnums])
        either = BulkScorer(snapshot, searcher, builder).scores_at(q, docnums)
        assert np.array_equal(either, everything[docnums])
