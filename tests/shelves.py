"""Small shelves written by a test: files in a folder, indexed through the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import run
from search_app.web import create_app


def index_shelf(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (name: text) under root/shelf, index them; returns the index folder."""
    shelf = root / "shelf"
    shelf.mkdir()
    for name, text in files.items():
        (shelf / name).write_text(text, "utf-8")
    report = run([shelf], root / "index", workers=1)
    assert not report.summary()["failures"]
    return root / "index"


def shelf_client(tmp_path_factory: pytest.TempPathFactory, name: str, shelf: dict[str, str]):
    """The app's test client on an index of `shelf` (file name -> text)."""
    index_dir = index_shelf(tmp_path_factory.mktemp(name), shelf)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    return app.test_client()


def ask(client, question: str) -> dict:
    """The /api/ask body for a question."""
    return client.get("/api/ask", query_string={"q": question}).get_json()
