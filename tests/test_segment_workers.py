"""Worker processes write the files they process into index segments of their own: the
index then answers exactly as one written by the indexing process alone."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from indexer import pipeline, segment_workers
from indexer.extraction import Limits
from indexer.index import generations, whoosh_private, writer
from search_app.web import create_app

SPEECHES = sorted((Path(__file__).resolve().parents[1] / "corpus" / "ungdc" / "2024").glob("*.txt"))
QUERIES = ("climate change", "sustainable development goals", '"united nations"', "ukraine", "debt")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shelf") / "speeches"
    root.mkdir()
    for path in SPEECHES[:16]:
        shutil.copy(path, root / path.name)
    return root


@pytest.fixture(scope="module")
def one_writer(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same shelf written by the indexing process alone (one worker: all in-process)."""
    index_dir = tmp_path_factory.mktemp("one") / "index"
    pipeline.run([corpus], index_dir, rebuild=True, workers=1)
    return index_dir


def segments(index_dir: Path) -> int:
    return len(generations.open_current(index_dir).reader().leaf_readers())


def answers(index_dir: Path) -> list[dict]:
    """Every query's /api/search body (without its timing), grouped and not."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False})
    bodies = []
    for query in QUERIES:
        for extra in ("", "&group=passage", "&sort=newest", "&country=Argentina"):
            response = client.test_client().get(f"/api/search?q={query}{extra}")
            assert response.status_code == 200
            body = response.get_json()
            body.pop("took_ms", None)
            bodies.append(body)
    return bodies


def passages(index_dir: Path) -> set[tuple[str, str]]:
    with generations.open_current(index_dir).searcher() as searcher:
        return {(f["passage_id"], f["text"]) for f in searcher.all_stored_fields()}


def test_workers_write_segments_and_search_answers_as_with_one_writer(
    corpus: Path, one_writer: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    report = pipeline.run([corpus], index_dir, rebuild=True, workers=2)
    assert report.counts() == {"indexed": 16}
    assert segments(one_writer) == 1
    assert segments(index_dir) == 2  # one a worker
    assert passages(index_dir) == passages(one_writer)
    assert answers(index_dir) == answers(one_writer)
    manifest = generations.load_manifest(generations.current_generation(index_dir))
    assert len(manifest) == 16 and all(r["passages"] > 0 for r in manifest.values())


def test_a_worker_finishes_its_segment_before_whoosh_would_spill_it(
    corpus: Path, one_writer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked from this process, so their pools get the small limit too.
    monkeypatch.setattr(writer, "SEGMENT_LIMIT_MB", 1)
    index_dir = tmp_path / "index"
    report = pipeline.run([corpus], index_dir, rebuild=True, workers=2)
    total = report.summary()["passages"]
    # Whoosh counts about 14 kB a passage: some 55 passages fill three quarters of 1 MB.
    assert total // 120 <= segments(index_dir) <= total // 30
    assert answers(index_dir) == answers(one_writer)


def test_an_incremental_run_with_workers_replaces_changed_files(
    corpus: Path, tmp_path: Path
) -> None:
    shelf = tmp_path / "speeches"
    shutil.copytree(corpus, shelf)
    index_dir = tmp_path / "index"
    pipeline.run([shelf], index_dir, workers=2)
    changed, removed = sorted(shelf.glob("*.txt"))[:2]
    changed.write_text("Zanzibarquux harbours and fisheries.\n\n" * 3, encoding="utf-8")
    removed.unlink()
    shutil.copy(SPEECHES[20], shelf / SPEECHES[20].name)

    report = pipeline.run([shelf], index_dir, workers=2)

    assert report.counts() == {"indexed": 2, "removed": 1, "unchanged": 14}
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False})
    body = client.test_client().get("/api/search?q=zanzibarquux&group=document").get_json()
    assert [r["document_id"] for r in body["results"]] == [f"speeches/{changed.name}"]
    ids = {p.split("#")[0] for p, _ in passages(index_dir)}
    assert f"speeches/{removed.name}" not in ids
    assert f"speeches/{SPEECHES[20].name}" in ids
    old_text = {t for p, t in passages(index_dir) if p.startswith(f"speeches/{changed.name}")}
    assert all("Zanzibarquux" in t for t in old_text)  # none of its old passages is left


def test_without_the_whoosh_names_it_needs_one_process_writes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert whoosh_private.worker_segments_supported()
    monkeypatch.delattr(SegmentWriter, "_commit_toc")  # as if a release renamed it
    with caplog.at_level(logging.WARNING, logger=whoosh_private.__name__):
        assert not whoosh_private.worker_segments_supported()
        assert not whoosh_private.worker_segments_supported()
    [warning] = [r.getMessage() for r in caplog.records]
    assert "_commit_toc" in warning and "one process writes the index" in warning


def test_the_one_writer_pool_still_hands_back_analysed_files(corpus: Path) -> None:
    """What runs when worker segments are not supported: workers analyse, this process
    writes (as on a Dask cluster)."""
    jobs, _, _ = pipeline._plan([corpus], {}, Limits())
    results = list(pipeline._process_all(jobs[:4], Limits(), 2))
    assert len(results) == 4
    for indexed, status, analyzed, _ in results:
        assert status.status == "indexed"
        assert analyzed != segment_workers.WRITTEN
        assert len(analyzed) == len(indexed.passages)
