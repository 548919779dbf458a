"""A progress bar for indexing runs: files, pages and passages per second, and pages read by
OCR; quiet when piped."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

from indexer.models import FileStatus


class Progress:
    """Wraps tqdm; shows nothing unless enabled and stderr is a terminal."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.pages = 0
        self.passages = 0
        self.ocr_pages = 0
        self.embedded = 0
        self.started = time.perf_counter()
        self.bar = tqdm(total=total, unit="file", disable=not self.enabled, dynamic_ncols=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def advance(self, status: FileStatus, embedded: int = 0) -> None:
        """One more file done; `embedded`: how many of its passages were embedded."""
        self.pages += status.pages
        self.embedded += embedded
        self.passages += status.passages
        self.ocr_pages += len(status.ocr.pages) if status.ocr else 0
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        postfix: dict[str, object] = {
            "pages_s": f"{self.pages / elapsed:.1f}",
            "passages_s": f"{self.passages / elapsed:.1f}",
        }
        if self.embedded:
            postfix["embedded"] = self.embedded
        if self.ocr_pages:
            postfix["ocr_pages"] = self.ocr_pages
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(1)
