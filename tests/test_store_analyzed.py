"""Full-text fields analysed in the workers, and the bulk commit, write the same index."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from paths import SEED
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from indexer.extraction import extract
from indexer.index.analysis import index_postings, text_analyzer
from indexer.index.fields import passage_fields
from indexer.index.schema import build_schema
from indexer.index.writer import (
    ANALYZED_FIELDS,
    add_document,
    analyze_document,
    analyzed_writes,
    commit,
    open_writer,
)
from indexer.metadata import enrich
from indexer.models import IndexedDocument
from indexer.structure import build_passages


def seed_document(tmp_path: Path) -> IndexedDocument:
    path = tmp_path / "seed.txt"
    path.write_text(SEED.read_text("utf-8")[:60_000], "utf-8")
    document = extract(path, "shelf/seed.txt")
    sections, passages = build_passages(document)
    return enrich(document, sections, passages, {})


def contents(index: Any) -> dict[str, Any]:
    """Everything a search reads: stored fields, field lengths, postings with positions."""
    with index.reader() as reader:
        docs = range(reader.doc_count_all())
        postings = {}
        for field, term in reader.all_terms():
            kind = "positions" if field == "text" else "weight"
            postings[(field, term)] = list(reader.postings(field, term).items_as(kind))
        return {
            "stored": [reader.stored_fields(n) for n in docs],
            "lengths": [[reader.doc_field_length(n, f) for f in ANALYZED_FIELDS] for n in docs],
            "postings": postings,
        }


def build(folder: Path, doc: IndexedDocument, analyzed: bool, schema: Any = None) -> Any:
    folder.mkdir()
    index = whoosh_index.create_in(str(folder), schema or build_schema())
    writer = open_writer(index)
    values = analyze_document(doc) if analyzed else None
    with analyzed_writes(writer):
        add_document(writer, doc, values)
    commit(writer, optimize=True)
    return whoosh_index.open_dir(str(folder))


def test_worker_analysis_writes_the_same_index(tmp_path: Path) -> None:
    doc = seed_document(tmp_path)
    assert len(doc.passages) > 20
    plain = build(tmp_path / "plain", doc, analyzed=False)
    ahead = build(tmp_path / "ahead", doc, analyzed=True)
    expected = contents(plain)
    assert expected["postings"] and expected["stored"]
    assert contents(ahead) == expected


def test_the_schema_written_at_commit_is_the_plain_one(tmp_path: Path) -> None:
    index = build(tmp_path / "ahead", seed_document(tmp_path), analyzed=True)
    for name in ANALYZED_FIELDS:
        assert "index" not in vars(index.schema[name])
        assert index.schema[name] == build_schema()[name]


def test_analysis_is_used_only_inside_the_block(tmp_path: Path) -> None:
    doc = seed_document(tmp_path)
    folder = tmp_path / "outside"
    folder.mkdir()
    index = whoosh_index.create_in(str(folder), build_schema())
    writer = open_writer(index)
    # Postings of another text: used only if add_document trusted them outside the block.
    other = analyze_document(seed_document(tmp_path))[::-1]
    add_document(writer, doc, other)
    commit(writer)
    assert contents(whoosh_index.open_dir(str(folder))) == contents(
        build(tmp_path / "plain", doc, analyzed=False)
    )


def test_an_index_with_other_field_settings_analyses_its_own_way(tmp_path: Path) -> None:
    """Analysis ahead of writing follows build_schema(); an older index with another title
    weight keeps being written with its own."""
    doc = seed_document(tmp_path)
    schema = build_schema()
    schema.remove("title")
    schema.add("title", TEXT(analyzer=text_analyzer(), stored=True, field_boost=3.0))
    ahead = build(tmp_path / "ahead", doc, analyzed=True, schema=schema)
    plain = build(tmp_path / "plain", doc, analyzed=False, schema=schema)
    assert contents(ahead) == contents(plain)
    with ahead.reader() as reader:
        field, term = next((f, t) for f, t in reader.all_terms() if f == "title")
        assert reader.postings(field, term).weight() == 3.0


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and UNITAR's climate-resilient Côte d'Ivoire: 3.5% of the migrants, MIGRANTS.",
        "",
        "the of and a",
        "Ελληνικά naïve café 1st 2nd x y z __init__ İstanbul ǅ ﬁnance",
        "Migration migration MIGRATION migrations migrated\n\n\tmigrating",
    ],
)
def test_the_fast_index_analysis_is_whooshs(text: str) -> None:
    schema = build_schema()
    for name in ANALYZED_FIELDS:
        field = schema[name]
        fast = index_postings(text, field.format.field_boost)
        assert sorted(fast) == sorted(field.index(text))


def test_an_index_of_this_schema_takes_the_analysed_values(tmp_path: Path) -> None:
    whoosh_index.create_in(str(tmp_path), build_schema())
    writer = open_writer(whoosh_index.open_dir(str(tmp_path)))  # its schema read from disk
    with analyzed_writes(writer):
        assert writer._report_search_analyzed  # else Whoosh analyses every value again
    writer.cancel()


def test_repeated_values_are_analysed_once_and_shared(tmp_path: Path) -> None:
    doc = seed_document(tmp_path)
    analyzed = analyze_document(doc)
    first, last = analyzed[0], analyzed[-1]
    assert first["document_id"] is last["document_id"]  # one document, one id
    assert "passage_id" not in first and "ordinal" not in first  # never repeat
    schema = build_schema()
    for values in analyzed[:5]:
        for name, value in values.items():
            if name not in ANALYZED_FIELDS:
                passage = doc.passages[analyzed.index(values)]
                expected = passage_fields(doc, passage)[name]
                assert value.postings == tuple(schema[name].index(expected))


def test_numbers_and_ids_remembered_across_documents_write_whooshs_postings(
    tmp_path: Path,
) -> None:
    """Inside the block the writer's own numeric and sortable fields remember their postings
    per value from document to document: the index is the one Whoosh writes without it, and
    no field keeps the stand-in afterwards."""
    seed = seed_document(tmp_path)
    docs = [seed]
    for name in ("shelf/other.txt", "shelf/third.txt"):
        document = replace(seed.document, document_id=name)
        passages = tuple(replace(p, document_id=name) for p in seed.passages[::2])
        docs.append(replace(seed, document=document, passages=passages))
    built = {}
    for inside in (True, False):
        folder = tmp_path / f"inside-{inside}"
        folder.mkdir()
        index = whoosh_index.create_in(str(folder), build_schema())
        writer = open_writer(index)
        for doc in docs:
            if inside:
                with analyzed_writes(writer):
                    add_document(writer, doc, analyze_document(doc))
            else:
                add_document(writer, doc)
        assert not any("index" in vars(writer.schema[name]) for name in writer.schema.names())
        commit(writer)
        built[inside] = contents(whoosh_index.open_dir(str(folder)))
    assert built[True] == built[False]
    assert any(field == "year" for field, _ in built[True]["postings"])
