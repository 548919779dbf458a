"""path -> Document: one extractor per format, chosen by suffix. (Minimal first version.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from indexer.models import Document, Page

SUFFIXES: dict[str, str] = {
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


@dataclass(frozen=True)
class Limits:
    """Per-file limits that keep one hostile file from stopping a batch."""

    max_pages: int = 2000
    seconds: float = 120.0
    max_bytes: int = 200 * 1024 * 1024


class ExtractionError(Exception):
    """A file that cannot be indexed; `reason` is a short class ("encrypted", "no-text", ...)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extract(path: Path, document_id: str, limits: Limits = Limits()) -> Document:
    """Extract a file's text, page by page."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ExtractionError("unsupported", f"{path.suffix} files are not supported")
    text = path.read_text("utf-8", errors="replace")
    if not text.strip():
        raise ExtractionError("no-text", "the file holds no text")
    return Document(
        document_id=document_id,
        path=str(path),
        format=fmt,
        content_hash=file_hash(path),
        pages=(Page(number=1, text=text),),
        title=path.stem,
    )
