"""Small shelves written by a test: files in a folder, indexed through the pipeline."""

from __future__ import annotations

from pathlib import Path

from indexer.pipeline import run


def index_shelf(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (name: text) under root/shelf, index them; returns the index folder."""
    shelf = root / "shelf"
    shelf.mkdir()
    for name, text in files.items():
        (shelf / name).write_text(text, "utf-8")
    report = run([shelf], root / "index", workers=1)
    assert not report.summary()["failures"]
    return root / "index"
