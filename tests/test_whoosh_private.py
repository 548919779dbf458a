"""Whoosh's private names in quarantine: the fast and the plain path read the same index, and
a Whoosh release that renames an internal costs one warning, not a failing search."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher

from indexer.index import generations, whoosh_private
from indexer.pipeline import run
from search_app.engine.index_handle import IndexHandle
from search_app.web import create_app

WARNING = "whoosh internals changed"
QUERIES = [
    "migration",
    "remittances development",
    '"ethical recruitment"',
    '"climate finance" adaptation',
    "remit* -markup",
    "country:Mexico remittances",
    "title:remittances",
]

# 300 paragraphs of about 50 words: 300 passages holding "water".
WELLS = "Village wells\n\n" + "\n\n".join(
    f"Well number {n} gives clean water to the village all year. " * 5 for n in range(300)
)


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path, and the process's choice of path restored after the test."""
    monkeypatch.setattr(whoosh_private, "_plain_reason", None)


def force_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_private, "_plain_reason", "forced by the test")


@pytest.fixture(scope="module")
def changed_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index in two segments with deleted passages (a changed file indexed again), and
    words in several postings blocks (128 postings each)."""
    base = tmp_path_factory.mktemp("changed")
    corpus = base / "corpus"
    shutil.copytree(corpus_dir, corpus)
    (corpus / "wells.txt").write_text(WELLS, "utf-8")
    run([corpus], base / "index", workers=1)
    with open(corpus / "remittances.txt", "a", encoding="utf-8") as handle:
        handle.write("\nRemittances to Mexico and India rose again in the following years.\n")
    report = run([corpus], base / "index", workers=1)
    assert report.counts().get("indexed") == 1
    return base / "index"


def everything(reader: Any) -> dict[str, dict[str, Any]]:
    """Every term's postings and positions, and the field lengths, as the engine reads them
    (positions of live documents only: the fast path may include deleted ones)."""
    live = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
    out: dict[str, dict[str, Any]] = {"postings": {}, "positions": {}, "lengths": {}}
    for field in ("title", "section", "text", "country", "doc_type"):
        for btext in reader.lexicon(field):
            ids, weights = whoosh_private.postings(reader.postings(field, btext))
            out["postings"][f"{field}:{btext!r}"] = (ids.tolist(), weights.tolist())
            if field in ("title", "section", "text"):
                matcher = reader.postings(field, btext)
                docnums, positions, complete = whoosh_private.positions(matcher)
                keep = np.isin(docnums, live)
                out["positions"][f"{field}:{btext!r}"] = (
                    complete,
                    docnums[keep].tolist(),
                    positions[keep].tolist(),
                )
        out["lengths"][field] = whoosh_private.field_lengths(reader, field).tolist()
    return out


def test_fast_and_plain_paths_read_the_same(
    changed_index: Path, fast: None, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    reader = IndexHandle(changed_index).searcher().reader()
    assert reader.has_deletions() and len(list(reader.leaf_readers())) == 2
    assert whoosh_private.self_check(reader)
    assert whoosh_private.plain_reason() is None and WARNING not in caplog.text
    read_fast = everything(reader)
    force_plain(monkeypatch)
    assert everything(reader) == read_fast
    # Terms of several postings blocks (128 postings each) and long position lists are read.
    assert max(len(ids) for ids, _ in read_fast["postings"].values()) > 128
    assert max(len(found[2]) for found in read_fast["positions"].values()) > 128


def test_an_empty_index_keeps_the_fast_path(tmp_path: Path, fast: None, caplog) -> None:
    generations.publish(tmp_path, generations.new_generation(tmp_path))
    assert whoosh_private.self_check(IndexHandle(tmp_path).searcher().reader())
    assert whoosh_private.plain_reason() is None and WARNING not in caplog.text


def rename_block_max_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a Whoosh release renaming W3LeafMatcher._maxid would look like (its own code
    following the new name): the attribute is gone, Whoosh's public API still works."""
    goto = W3LeafMatcher._goto

    def renamed(self: W3LeafMatcher, position: int) -> None:
        goto(self, position)
        self._block_max_id = self.__dict__.pop("_maxid")

    monkeypatch.setattr(W3LeafMatcher, "_goto", renamed)
    monkeypatch.setattr(W3LeafMatcher, "block_max_id", lambda self: self._block_max_id)


def bodies(index_dir: Path) -> dict[str, Any]:
    """The /api/search bodies of QUERIES (two page shapes each), from a new app."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    out = {}
    for q in QUERIES:
        for extra in ("", "&group=passage&per_page=50"):
            response = client.get(f"/api/search?q={q}{extra}")
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            body.pop("took_ms")
            out[q + extra] = body
    return out


def test_a_renamed_whoosh_internal_is_one_warning_and_the_same_results(
    changed_index: Path, fast: None, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    expected = bodies(changed_index)
    assert any(body["total"] for body in expected.values())
    rename_block_max_id(monkeypatch)
    caplog.set_level(logging.WARNING, logger=whoosh_private.__name__)
    assert bodies(changed_index) == expected
    assert bodies(changed_index) == expected  # a second app, a second snapshot: no new line
    warnings = [r.getMessage() for r in caplog.records if WARNING in r.getMessage()]
    assert len(warnings) == 1
    assert "_maxid" in warnings[0] and warnings[0].endswith("using the plain Whoosh path")
    assert "_maxid" in (whoosh_private.plain_reason() or "")


def test_commits_leave_whoosh_as_it_was(fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.codec.whoosh3 import W3PerDocReader

    original = W3PerDocReader.has_column
    lengths = W3PerDocReader.doc_field_length
    with whoosh_private.cached_column_checks():
        assert W3PerDocReader.has_column is not original
        assert W3PerDocReader.doc_field_length is not lengths
    assert W3PerDocReader.has_column is original
    assert W3PerDocReader.doc_field_length is lengths
    force_plain(monkeypatch)
    with whoosh_private.cached_column_checks():
        assert W3PerDocReader.has_column is original
        assert W3PerDocReader.doc_field_length is lengths


def _segment_lengths(index_dir: Path) -> list[list[Any]]:
    """Every field length of every document of every segment, as the per-document readers
    of the segments answer (what writing a segment's postings asks)."""
    found = []
    with generations.open_current(index_dir).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            perdoc = leaf._perdoc
            for field in ("title", "section", "text", "country", "nothing"):
                found.append(
                    [perdoc.doc_field_length(d, field) for d in range(leaf.doc_count_all())]
                )
    return found


def test_commits_read_field_lengths_as_whoosh_does(
    fast: None, changed_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = _segment_lengths(changed_index)
    assert any(n is not None and n > 1 for lengths in expected for n in lengths)
    with whoosh_private.cached_column_checks():
        assert _segment_lengths(changed_index) == expected
    assert WARNING not in caplog.text


def test_a_lengths_column_read_otherwise_is_left_to_whoosh(
    fast: None,
    changed_index: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = _segment_lengths(changed_index)
    wrong = [n + 1 if n else 1 for n in whoosh_private._LENGTH_OF]  # every byte misread
    monkeypatch.setattr(whoosh_private, "_LENGTH_OF", wrong)
    monkeypatch.setattr(whoosh_private, "_warned", set())
    with caplog.at_level(logging.WARNING), whoosh_private.cached_column_checks():
        assert _segment_lengths(changed_index) == expected
    assert "the lengths column of text reads otherwise" in caplog.text
