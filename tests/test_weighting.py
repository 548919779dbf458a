"""The one ranking model (indexer.index.ranking): its idf, search scoring with it, QA's idf."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from indexer.index import generations, ranking
from indexer.index.writer import add_document
from indexer.models import Document, IndexedDocument, Page, Passage
from search_app import engine
from search_app.engine.index_handle import IndexHandle
from search_app.qa.question import analyze_question
from search_app.qa.sentence_scoring import term_weights


def _index(tmp_path: Path, title: str, texts: list[str], section: str = "") -> IndexHandle:
    """A published index of one document with these passage texts."""
    index_dir = tmp_path / "index"
    generation = generations.new_generation(index_dir)
    document = Document("d.txt", "/dev/null", "text", "d", (Page(1, ""),), title=title)
    passages = tuple(
        Passage("d.txt", i, text, (text,), (section,) if section else (), 1, 1)
        for i, text in enumerate(texts)
    )
    with generations.open_generation(generation).writer() as writer:
        add_document(writer, IndexedDocument(document, title, (), passages))
    generations.publish(index_dir, generation)
    return IndexHandle(index_dir)


def test_idf_is_robertson_sparck_jones() -> None:
    assert ranking.idf(4, 1) == math.log(1 + 3.5 / 1.5)
    assert ranking.idf(4, 4) == math.log(1 + 0.5 / 4.5) > 0  # in every passage: still counts
    assert ranking.idf(1000, 1) > ranking.idf(1000, 10) > ranking.idf(1000, 999)


def test_search_scores_with_the_ranking_model(tmp_path: Path) -> None:
    handle = _index(tmp_path, "", ["common rare", "common", "common", "common"])
    body = engine.search(handle, engine.SearchRequest(q="rare", group="passage"))
    assert [hit["passage_id"] for hit in body["results"]] == ["d.txt#0"]
    weight, b = ranking.FIELDS["text"]
    tf = weight * 1 / ((1 - b) + b * 2 / 1.25)  # 2 words against an average of 5 / 4
    expected = ranking.idf(4, 1) * tf * (ranking.K1 + 1) / (tf + ranking.K1)
    assert body["results"][0]["score"] == pytest.approx(expected, abs=1e-4)


def test_question_answering_weighs_words_with_the_same_idf(tmp_path: Path) -> None:
    handle = _index(tmp_path, "", ["common rare", "common", "common", "common"])
    weights = term_weights(handle.searcher(), analyze_question("Is common rare?"))
    assert weights == {"rare": math.log(1 + 3.5 / 1.5), "common": math.log(1 + 0.5 / 4.5)}


def test_index_keeps_the_released_posting_weights(tmp_path: Path) -> None:
    """Existing indexes store a term's frequency times these factors; exact BM25F divides
    them out (tests/test_scoring.py), so they must stay what indexes were built with."""
    handle = _index(tmp_path, "Nurses", ["Nurses and nurses abroad."], section="Nurses")
    reader = handle.searcher().reader()
    fields = ("title", "section", "text")
    stored = {field: reader.postings(field, "nurs").value_as("weight") for field in fields}
    assert stored == {"title": 1 * 0.25, "section": 1 * 2.0, "text": 2 * 1.0}
