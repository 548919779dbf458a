"""The index folder's generations: which one is live, and opening it with the code's schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.index import generations
from indexer.pipeline import run
from search_app import engine
from search_app.engine.index_handle import IndexHandle


def total(index_dir: Path, q: str) -> int:
    return engine.search(IndexHandle(index_dir), engine.SearchRequest(q=q))["total"]


def test_an_index_naming_a_module_that_is_gone_still_opens_and_indexes(
    small_index: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    """Whoosh pickles the schema, with our analyzer's module path, into each commit's TOC;
    the code's schema is used instead, so moving that module does not orphan old indexes."""
    index_dir, corpus = tmp_path / "index", tmp_path / corpus_dir.name
    shutil.copytree(small_index, index_dir)
    shutil.copytree(corpus_dir, corpus)
    live = generations.current_generation(index_dir)
    patched = 0
    for toc in live.glob("*.toc"):
        data = toc.read_bytes()
        patched += data.count(b"indexer.index.analysis")
        toc.write_bytes(data.replace(b"indexer.index.analysis", b"indexer.xxxxx.analysis"))
    assert patched
    with pytest.raises(ModuleNotFoundError):
        whoosh_index.open_dir(str(live))  # what reading the pickled schema would do
    expected = total(small_index, "migration")
    assert expected and total(index_dir, "migration") == expected
    (corpus / "wells.txt").write_text("Village wells\n\nBoreholes give clean water.\n", "utf-8")
    report = run([corpus], index_dir, workers=1)  # an incremental run, into the same generation
    assert report.counts()["indexed"] == 1 and generations.current_generation(index_dir) == live
    assert total(index_dir, "boreholes") == 1 and total(index_dir, "migration") == expected


def test_the_change_key_follows_commits_and_publishing(tmp_path: Path) -> None:
    with pytest.raises(generations.NoIndexError):
        generations.live_generation(tmp_path)
    first = generations.new_generation(tmp_path)
    generations.publish(tmp_path, first)
    path, key = generations.live_generation(tmp_path)
    assert path == first and generations.live_generation(tmp_path) == (path, key)
    with generations.open_generation(first).writer() as writer:
        writer.add_document(passage_id="a#0", document_id="a", text="wells")
    assert generations.live_generation(tmp_path)[1] != key  # a commit adds a TOC file
    second = generations.new_generation(tmp_path)
    assert generations.live_generation(tmp_path)[0] == first  # not published yet
    generations.publish(tmp_path, second)
    assert generations.live_generation(tmp_path)[0] == second
    (tmp_path / generations.CURRENT).write_text("gen-000099\n", "utf-8")
    assert generations.current_generation(tmp_path) is None
