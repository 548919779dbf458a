"""What OCR read on a page, kept by the hash of the rendered page, so that a re-index (or a
rebuild, or the same page in another file) never reads the same page twice.

One small JSON file a page under the index folder's `ocr-cache/`, written atomically: worker
processes share it without locks. The cache is a help, never a requirement: a file that
cannot be read or written is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from PIL import Image

from indexer.extraction.ocr import MIN_PAGE_CONFIDENCE, MIN_WORD_CONFIDENCE, Engine, PageText
from indexer.extraction.pdf_layout import Line

FOLDER = "ocr-cache"  # inside the index folder, beside the generations
# Bump when what is stored, or how lines are measured, changes.
FORMAT = 1


def page_key(image: Image.Image, engine: Engine) -> str:
    """The page's identity: its rendered pixels and everything that changes what OCR reads."""
    digest = hashlib.sha256(
        f"{FORMAT}|{engine.name}|{engine.languages}|{MIN_WORD_CONFIDENCE}|{MIN_PAGE_CONFIDENCE}|"
        f"{image.mode}|{image.width}x{image.height}|".encode()
    )
    digest.update(image.tobytes())
    return digest.hexdigest()


class OcrCache:
    """Pages read by OCR, by `page_key`; a cache with no folder keeps nothing."""

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        self.folder = Path(folder) if folder else None

    def get(self, key: str) -> PageText | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
            lines = tuple(Line(text, y, size, False) for text, y, size in data["lines"])
            return PageText(lines, float(data["confidence"]), int(data["words"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, page: PageText) -> None:
        if self.folder is None:
            return
        data = {
            "lines": [[line.text, line.y, line.size] for line in page.lines],
            "confidence": page.confidence,
            "words": page.words,
        }
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(temporary, path)
        except OSError:
            return  # a full disk or a read-only folder: OCR goes on without the cache

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"
