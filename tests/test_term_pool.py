"""A worker's segment keeps its postings per term and writes them a block at a time: the
segment files are byte for byte what Whoosh's own posting pool writes, and where they would
not be, one warning and Whoosh's pool."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import PostingPool

from indexer import processing
from indexer.extraction import Limits, extract
from indexer.index import whoosh_private
from indexer.index.schema import build_schema
from indexer.index.writer import (
    add_document,
    analyze_document,
    analyzed_writes,
    finish_segment,
    open_segment_writer,
)
from indexer.metadata import enrich
from indexer.structure import build_passages

SPEECHES = sorted((Path(__file__).resolve().parents[1] / "corpus" / "ungdc" / "2024").glob("*.txt"))


def segment_files(index_dir: Path) -> list[tuple[str, bytes]]:
    """The segment's files by name without the segment's random id, with their bytes."""
    return sorted(
        (path.name.split(".", 1)[1], path.read_bytes())
        for path in index_dir.iterdir()
        if path.name.startswith("MAIN_")
    )


def write_segment(index_dir: Path, speeches: list[Path]) -> type:
    """Speeches written as a worker writes them; the class of the writer's posting pool."""
    index_dir.mkdir()
    writer = open_segment_writer(whoosh_index.create_in(str(index_dir), build_schema()))
    pool = type(writer.pool)
    for path in speeches:
        document = extract(path, path.name, Limits())
        sections, passages = build_passages(document)
        indexed = processing.text_source.mark_passages(enrich(document, sections, passages, {}))
        with analyzed_writes(writer):
            add_document(writer, indexed, analyze_document(indexed))
    assert finish_segment(writer) is not None
    return pool


def test_a_worker_segment_is_what_whooshs_own_pool_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert write_segment(tmp_path / "grouped", SPEECHES[:12]) is whoosh_private.TermPool
    monkeypatch.setattr(whoosh_private, "grouped_postings_agree", lambda: False)
    assert write_segment(tmp_path / "plain", SPEECHES[:12]) is PostingPool
    grouped, plain = segment_files(tmp_path / "grouped"), segment_files(tmp_path / "plain")
    assert [name for name, _ in grouped] == [name for name, _ in plain]
    assert any(name == "pst" for name, _ in grouped)
    assert grouped == plain


def test_postings_out_of_document_order_come_out_in_whooshs_order() -> None:
    pool = whoosh_private.TermPool(1 << 20)
    items = [("text", b"b", 3, 1.0, b""), ("text", b"a", 2, 2.0, b""), ("text", b"b", 1, 1.0, b"")]
    for item in items:
        pool.add(item)
    assert list(pool.iter_postings()) == sorted(items)
    assert pool.currentsize > 0


def test_grouped_writing_that_differs_is_one_warning_and_whooshs_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write = whoosh_private._write_postings

    def off_by_one(postwriter, items, docnums, length_of) -> None:  # type: ignore[no-untyped-def]
        write(postwriter, items, docnums, length_of)
        postwriter._maxweight += 1.0  # as if the codec's block statistics had changed

    monkeypatch.setattr(whoosh_private, "_write_postings", off_by_one)
    monkeypatch.setattr(whoosh_private, "_warned", set())
    whoosh_private.grouped_postings_agree.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=whoosh_private.__name__):
            assert not whoosh_private.grouped_postings_agree()
            assert write_segment(tmp_path / "index", SPEECHES[:2]) is PostingPool
    finally:
        whoosh_private.grouped_postings_agree.cache_clear()
    [warning] = [r.getMessage() for r in caplog.records]
    assert "postings grouped by term are written otherwise" in warning
