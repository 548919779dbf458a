"""An unchanged re-index leaves the index as it was: no new Whoosh commit, same manifest."""

from __future__ import annotations

from pathlib import Path

from indexer.index import generations
from indexer.pipeline import run


def _state(index_dir: Path) -> tuple[int, int]:
    generation = generations.current_generation(index_dir)
    assert generation is not None
    toc_generation = generations.open_generation(generation).latest_generation()
    return toc_generation, (generation / generations.MANIFEST).stat().st_mtime_ns


def test_unchanged_run_makes_no_commit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Migration and development.\n\nRemittances rose.\n", "utf-8")
    index_dir = tmp_path / "index"
    run([corpus], index_dir, workers=1)
    before = _state(index_dir)
    report = run([corpus], index_dir, workers=1)
    assert report.counts() == {"unchanged": 1}
    assert _state(index_dir) == before


def test_changed_file_still_commits(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Migration and development.\n", "utf-8")
    index_dir = tmp_path / "index"
    run([corpus], index_dir, workers=1)
    before = _state(index_dir)
    (corpus / "a.txt").write_text("Migration, development and remittances.\n", "utf-8")
    run([corpus], index_dir, workers=1)
    assert _state(index_dir)[0] > before[0]
