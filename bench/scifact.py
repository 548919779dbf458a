"""Retrieval quality on BEIR SciFact: nDCG@10 and Recall@100 through our analyzer and engine."""

from __future__ import annotations

import csv
import json
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import R, nDCG

from bench.corpora import DATA
from bench.product import shown
from indexer.index import generations
from indexer.index.writer import add_document, open_writer
from indexer.models import Document, IndexedDocument, Page, Passage

SCIFACT = DATA / "ir" / "scifact"
PYSERINI = {"bm25-flat": 0.6789, "bm25-multifield": 0.6647}
MEASURES = [nDCG @ 10, R @ 100]

SearchFn = Callable[[str, int], list[tuple[str, float]]]


def load_corpus(root: Path = SCIFACT) -> list[dict[str, str]]:
    with open(root / "corpus.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_queries(root: Path = SCIFACT) -> dict[str, str]:
    with open(root / "queries.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return {row["_id"]: row["text"] for row in rows}


def load_qrels(split: str, root: Path = SCIFACT) -> dict[str, dict[str, int]]:
    """query id -> {document id: relevance} for 'train' or 'test'."""
    qrels: dict[str, dict[str, int]] = {}
    with open(root / "qrels" / f"{split}.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return qrels


def indexed_document(record: dict[str, str]) -> IndexedDocument:
    """One abstract as our pipeline's IndexedDocument: title as title, abstract as one passage."""
    doc_id = record["_id"]
    text = record["text"]
    document = Document(doc_id, "", "text", "", (Page(1, text),), title=record["title"])
    passage = Passage(doc_id, 0, text, (text,), (), 1, 1)
    return IndexedDocument(document, record["title"], (), (passage,))


def build_index(index_dir: Path, records: Iterable[dict[str, str]]) -> Path:
    """Write the abstracts with indexer.index.writer and publish them as the live generation."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    generation = generations.new_generation(index_dir)
    writer = open_writer(generations.open_generation(generation))
    for record in records:
        add_document(writer, indexed_document(record))
    writer.commit(optimize=True)
    generations.publish(index_dir, generation)
    return generation


def evaluate(
    search: SearchFn, queries: dict[str, str], qrels: dict[str, dict[str, int]]
) -> dict[str, float]:
    """Run every judged query and score the ranking with ir-measures."""
    run: dict[str, dict[str, float]] = {}
    for qid in qrels:
        hits = search(queries[qid], 100)
        # The engine's order is the ranking (its all-words tier comes before higher-scoring
        # some-words hits), so score by rank rather than by raw score.
        run[qid] = {doc: float(len(hits) - rank) for rank, (doc, _) in enumerate(hits)}
    result = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return {str(measure): round(value, 4) for measure, value in result.items()}


def engine_search(index_dir: Path) -> SearchFn:
    """The product's query path: search_app.engine.search, passages ungrouped."""
    from search_app.engine import SearchRequest, search
    from search_app.engine.index_handle import IndexHandle

    handle = IndexHandle(index_dir)

    def run(text: str, k: int) -> list[tuple[str, float]]:
        body = search(handle, SearchRequest(q=text, group="passage", per_page=k))
        return [(hit["document_id"], hit["score"]) for hit in shown(body)]

    return run


def settings() -> dict[str, Any]:
    """The product's ranking settings in force for this measurement."""
    from search_app.engine import scoring

    fields = {name: {"weight": w, "b": b} for name, (w, b) in scoring.FIELDS.items()}
    return {"model": "BM25F (exact)", "k1": scoring.K1, "fields": fields}


def timed_evaluate(search: SearchFn, split: str, limit: int | None = None) -> dict[str, Any]:
    queries, qrels = load_queries(), load_qrels(split)
    if limit:
        qrels = dict(list(qrels.items())[:limit])
    started = time.perf_counter()
    scores = evaluate(search, queries, qrels)
    return {
        "split": split,
        "queries": len(qrels),
        "seconds": round(time.perf_counter() - started, 1),
        **scores,
    }
