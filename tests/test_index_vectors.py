"""Passage embeddings stored in the index: made by the workers, kept per generation beside
the Whoosh segments, incremental, carried through --rebuild and --workers, counted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer import embedding
from indexer.index import generations, vectors
from indexer.pipeline import run
from search_app.cli import main
from search_app.engine.columns import columns
from search_app.engine.index_handle import IndexHandle
from search_app.engine.meaning import vector_table

MODEL = embedding.encoder()
pytestmark = pytest.mark.skipif(MODEL is None, reason="the semantic extra is not installed")

FILES = {
    "sea.txt": "Displacement\n\nCoastal communities were relocated because of sea-level rise.\n\n"
    "Fishing villages moved inland after repeated storm surges.\n",
    "money.txt": "Remittances\n\nRemittances sent by migrant workers exceed official aid.\n",
    "health.txt": "Nurses\n\nNurses and midwives leave for better pay abroad.\n",
}


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in FILES.items():
        (corpus / name).write_text(text, "utf-8")
    return corpus


def _manifest(index_dir: Path) -> dict:
    return generations.load_manifest(generations.current_generation(index_dir))


def _stored(index_dir: Path) -> dict[str, np.ndarray]:
    """Each live passage's stored vector, by passage id, as the search side reads them."""
    handle = IndexHandle(index_dir)
    snapshot = handle.snapshot()
    table = vector_table(snapshot)
    searcher = snapshot.searcher()
    out = {}
    for row, docnum in enumerate(table.docnums):
        out[searcher.stored_fields(int(docnum))["passage_id"]] = table.matrix[row]
    assert len(out) == int((columns(snapshot).doc >= 0).sum())  # every live passage
    return out


def _expected(index_dir: Path) -> dict[str, np.ndarray]:
    """What the model makes of each live passage's title and text, encoded here."""
    searcher = IndexHandle(index_dir).snapshot().searcher()
    out = {}
    for fields in searcher.all_stored_fields():
        text = f"{fields['title']}. {fields['text']}"
        out[fields["passage_id"]] = MODEL.encode([text])[0]
    return out


def test_vectors_follow_passages_and_runs_embed_only_what_changed(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "index"
    first = run([corpus], index_dir, workers=1, embed=True)
    passages = first.summary()["passages"]
    assert first.summary()["passages_embedded"] == passages == 3
    stored, expected = _stored(index_dir), _expected(index_dir)
    assert stored.keys() == expected.keys()
    for pid, vector in expected.items():  # float16 on disk: equal to 3 decimals
        assert np.abs(stored[pid] - vector).max() < 2e-3, pid
    kept = _manifest(index_dir)["corpus/money.txt"][vectors.RECORD_KEY]

    (corpus / "health.txt").write_text("Nurses\n\nDoctors emigrate to richer countries.\n")
    (corpus / "new.txt").write_text("Tax\n\nTax treaties between developing countries.\n")
    (corpus / "sea.txt").unlink()
    second = run([corpus], index_dir, workers=1, embed=True)

    assert second.summary()["passages_embedded"] == 2  # the changed file and the new one
    manifest = _manifest(index_dir)
    assert manifest["corpus/money.txt"][vectors.RECORD_KEY] == kept  # untouched, kept
    stored, expected = _stored(index_dir), _expected(index_dir)
    assert (
        stored.keys()
        == expected.keys()
        == {
            "corpus/money.txt#0",
            "corpus/health.txt#0",
            "corpus/new.txt#0",
        }
    )
    for pid, vector in expected.items():
        assert np.abs(stored[pid] - vector).max() < 2e-3, pid

    third = run([corpus], index_dir, workers=1, embed=True)  # nothing changed
    assert third.summary()["passages_embedded"] == 0
    assert {f.status for f in third.files} == {"unchanged"}


def test_no_embed_then_embed_later_and_stats(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "index"
    cli = CliRunner()
    done = cli.invoke(main, ["index", str(corpus), "--index-dir", str(index_dir), "--no-embed"])
    assert done.exit_code == 0, done.output
    assert not any(vectors.RECORD_KEY in r for r in _manifest(index_dir).values())
    assert not vector_table(IndexHandle(index_dir).snapshot()).available
    shown = cli.invoke(main, ["stats", "--index-dir", str(index_dir)])
    assert "passages with embeddings: 0 (none)" in shown.output

    # A run that embeds gives the documents indexed without vectors theirs.
    done = cli.invoke(main, ["index", str(corpus), "--index-dir", str(index_dir), "--embed"])
    assert done.exit_code == 0, done.output
    assert "embedded 3 passages" in done.output
    stats = json.loads(cli.invoke(main, ["stats", "--index-dir", str(index_dir), "--json"]).output)
    assert stats["embeddings"] == {
        "passages": 3,
        "model": MODEL.label,
        "search": "exact",  # a few passages: no approximate index is needed
        "approximate_index": "not_needed",
        "approximate_from": 50_000,
    }
    shown = cli.invoke(main, ["stats", "--index-dir", str(index_dir)])
    assert "search by meaning: exact (the approximate index is used from 50,000" in shown.output


def test_rebuild_with_worker_processes_embeds_everything(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "index"
    run([corpus], index_dir, workers=1, embed=False)
    report = run([corpus], index_dir, rebuild=True, workers=2, embed=True)
    assert report.generation == 2
    assert report.summary()["passages_embedded"] == 3
    stored, expected = _stored(index_dir), _expected(index_dir)
    assert stored.keys() == expected.keys()
    for pid, vector in expected.items():
        assert np.abs(stored[pid] - vector).max() < 2e-3, pid
    # Rebuilt again, with one file changed: only its passage is embedded, the vectors of
    # the others are copied from the live generation into the fresh one.
    (corpus / "health.txt").write_text("Nurses\n\nDoctors emigrate to richer countries.\n")
    report = run([corpus], index_dir, rebuild=True, workers=2, embed=True)
    assert report.generation == 3
    assert report.summary()["passages_embedded"] == 1
    stored, expected = _stored(index_dir), _expected(index_dir)
    assert stored.keys() == expected.keys()
    for pid, vector in expected.items():
        assert np.abs(stored[pid] - vector).max() < 2e-3, pid
    folder = generations.current_generation(index_dir) / vectors.FOLDER
    assert {p.suffix for p in folder.iterdir()} == {".f16", ".json"}


def test_uncommitted_vector_files_are_discarded(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "index"
    run([corpus], index_dir, workers=1, embed=True)
    live = generations.current_generation(index_dir)
    folder = live / vectors.FOLDER
    latest = generations.latest_commit(live)
    (folder / f"{latest + 5:06d}.f16").write_bytes(b"\0" * 768)  # a commit that never happened
    (folder / f"{latest + 5:06d}.json").write_text("{}")
    (folder / "000099.f16.tmp").write_bytes(b"\0")
    generations.discard_uncommitted(live)
    assert {p.name.split(".")[0] for p in folder.iterdir()} <= {
        f"{n:06d}" for n in range(latest + 1)
    }
    assert vector_table(IndexHandle(index_dir).snapshot()).available


def test_embedding_text_is_title_then_text() -> None:
    from indexer.models import Document, IndexedDocument, Passage

    document = Document("d", "d.txt", "text", "", ())
    passage = Passage("d", 0, "Some words.", ("Some words.",), (), 0, 0)
    indexed = IndexedDocument(document, "A title", (), (passage,))
    assert vectors.embedding_text(indexed, passage) == "A title. Some words."
    embedded = vectors.embed_document(indexed)
    assert embedded.vectors is not None and embedded.vectors.label == MODEL.label
    assert embedded.vectors.array.shape == (1, MODEL.dimensions)
    assert embedded.vectors.array.dtype == np.float16
