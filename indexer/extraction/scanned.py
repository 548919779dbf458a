"""Pages without a usable text layer (a scanned file, or scanned pages inside a born-digital
one), read by OCR one page at a time and put where the text layer's lines would have been.

The PDF path collects each page's lines from the text layer; `fill_pages` then replaces the
lines of the pages that need OCR with what Tesseract read, so that running headers, paragraphs,
headings and hyphenation are recovered by the same layout step for both kinds of page.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.extraction import ocr, page_child
from indexer.extraction.ocr_cache import OcrCache, page_key
from indexer.extraction.pdf_layout import Line
from indexer.models import OcrSummary

# A page with fewer letters and digits than this in its text layer has none worth keeping.
MIN_CHARS = 20
# A page mostly covered by one image with little text on it is a scan with a stamp, a page
# number or a header added on top: it is read by OCR too.
SCAN_TEXT_CHARS = 200
SCAN_COVER = 0.8
# A file whose pages run past their memory or time limits this many times is not read further:
# each such page costs up to a page's time limit.
STOPPED_PAGES = 3


def alnum_count(lines: Sequence[Line]) -> int:
    return sum(ch.isalnum() for line in lines for ch in line.text)


def fill_pages(
    path: Path,
    lines: list[list[Line]],
    boxes: Sequence[tuple[float, float]],
    options: ocr.OcrOptions,
) -> OcrSummary | None:
    """Replace, in `lines`, the lines of the pages that need OCR with what OCR reads.

    Each page is loaded, rendered and read in a child process with a memory and a time limit
    (`page_child`): a page that runs past either is recorded as failed and the rest go on,
    until STOPPED_PAGES pages have; then the file's remaining pages are given up.
    Returns what happened, or None when no page lacked a text layer (and OCR was not forced).
    """
    force = options.mode == "force"
    candidates = [i for i, page in enumerate(lines) if force or alnum_count(page) < SCAN_TEXT_CHARS]
    if not candidates:
        return None
    engine = ocr.engine_for(options)
    reader = PageReader(engine, options, OcrCache(options.cache_dir))
    try:  # pdfium reads only the file's trailer and cross-references here, not its pages
        pdfium.PdfDocument(path).close()
    except pdfium.PdfiumError as error:
        reader.fail_all(candidates, lines, f"pdfium cannot open the file: {error}")
        return reader.summary(options)
    pages = [(i, alnum_count(lines[i]), boxes[i][1]) for i in candidates]
    with alarm_paused():
        results = page_child.run_each(reader.reader_for(path), pages, options.page_seconds)
        with closing(results):  # a file given up kills the child at once
            started = time.perf_counter()
            for done, ((index, _, _), outcome) in enumerate(results, start=1):
                reader.record(index, outcome, lines, time.perf_counter() - started)
                started = time.perf_counter()
                if len(reader.stopped) >= STOPPED_PAGES and done < len(candidates):
                    why = f"not read: {STOPPED_PAGES} pages of the file ran past their limits"
                    reader.fail_all(candidates[done:], lines, why)
                    break
    return reader.summary(options)


def needs_ocr(page: Any, chars: int) -> bool:
    """A page with (almost) no text layer but something drawn on it, or a scanned page."""
    if chars >= MIN_CHARS:
        return image_cover(page) >= SCAN_COVER
    return next(iter(page.get_objects(max_depth=1)), None) is not None


def image_cover(page: Any) -> float:
    """The share of the page that its largest image covers."""
    width, height = page.get_size()
    largest = 0.0
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        left, bottom, right, top = image.get_bounds()
        largest = max(largest, (right - left) * (top - bottom))
    return largest / (width * height) if width * height > 0 else 0.0


# What the child found on a page: nothing to read, a page OCR is needed for but cannot run,
# a blank page, or what OCR read (and whether from the cache).
SKIP, NEEDED, BLANK, READ = "skip", "needed", "blank", "read"
PageResult = tuple[str, ocr.PageText | None, bool]


class PageReader:
    """Reads pages with one engine and cache, and keeps the tally for the summary."""

    def __init__(self, engine: ocr.Engine | None, options: ocr.OcrOptions, cache: OcrCache):
        self.engine = engine
        self.options = options
        self.cache = cache
        self.pages: list[int] = []
        self.needed: list[int] = []
        self.failed: list[int] = []
        self.errors: list[str] = []
        self.stopped: list[str] = []  # per page stopped at a limit: "timeout" or "too-large"
        self.confidences: list[tuple[float, int]] = []  # (mean confidence, words) per page
        self.seconds = 0.0
        self.cache_hits = 0
        self.looked_at = 0  # pages rendered for OCR, whatever was found on them

    def record(self, index: int, outcome: Any, lines: list[list[Line]], took: float) -> None:
        """What the child found on one page, into lines[index]; a page that failed is
        recorded and left as it was."""
        self.seconds += took
        if isinstance(outcome, Exception):
            self._fail(index, self._why(outcome, took))
            if isinstance(outcome, page_child.PageLimit):
                self.stopped.append(outcome.reason)
            return
        kind, found, cached = outcome
        if kind == NEEDED:
            self.needed.append(index + 1)
        if kind in (BLANK, READ):
            self.looked_at += 1
        if found is None or not found.lines:
            return  # no need, a blank page, or a picture without words
        lines[index] = list(found.lines)
        self.pages.append(index + 1)
        self.confidences.append((found.confidence, found.words))
        self.cache_hits += cached

    def _why(self, error: Exception, took: float) -> str:
        if isinstance(error, ocr.OcrTimeout) or (
            isinstance(error, page_child.PageLimit) and error.reason == "timeout"
        ):
            limit = self.options.page_seconds
            return f"gave up after {took:.1f} s (the limit is {limit:g} s a page)"
        if isinstance(error, page_child.PageLimit):  # pdfium's parsing or rendering
            return f"loading and rendering it: {error}"
        return str(error)

    def reader_for(self, path: Path) -> Callable[[tuple[int, int, float]], PageResult]:
        """What a page's child runs for each (page index, its letters, its top edge)."""
        document: list[Any] = []  # opened once, in the child

        def read(page_args: tuple[int, int, float]) -> PageResult:
            index, chars, top = page_args
            if not document:
                document.append(pdfium.PdfDocument(path))
            page = document[0][index]
            try:
                if not (self.options.mode == "force" or needs_ocr(page, chars)):
                    return SKIP, None, False
                if self.engine is None:
                    return NEEDED, None, False
                return self._render_and_read(page, top)
            finally:
                page.close()

        return read

    def _render_and_read(self, page: Any, top: float) -> PageResult:
        assert self.engine is not None
        started = time.perf_counter()
        image, scale = ocr.render(page, self.options.dpi)
        try:
            if ocr.is_blank(image):
                return BLANK, None, False
            key = page_key(image, self.engine)
            found = self.cache.get(key)
            if found is not None:
                return READ, found, True
            left = self.options.page_seconds - (time.perf_counter() - started)
            found = ocr.read_image(image, self.engine, scale, top, left)
        finally:
            image.close()
        self.cache.put(key, found)
        return READ, found, False

    def _fail(self, index: int, why: str) -> None:
        self.failed.append(index + 1)
        self.errors.append(f"page {index + 1}: {why}")

    def fail_all(self, indexes: Sequence[int], lines: list[list[Line]], why: str) -> None:
        for index in indexes:
            if alnum_count(lines[index]) < MIN_CHARS:
                self._fail(index, why)

    def summary(self, options: ocr.OcrOptions) -> OcrSummary | None:
        if not (self.looked_at or self.needed or self.failed or options.mode == "force"):
            return None
        words = sum(n for _, n in self.confidences)
        confidence = round(sum(c * n for c, n in self.confidences) / words, 1) if words else None
        return OcrSummary(
            mode=options.mode,
            engine=self.engine.name if self.engine else "",
            pages=tuple(self.pages),
            needed=tuple(self.needed),
            failed=tuple(self.failed),
            errors=tuple(self.errors),
            confidence=confidence,
            seconds=round(self.seconds, 2),
            cache_hits=self.cache_hits,
            stopped=self.stopped[0] if self.stopped else "",
        )


@contextmanager
def alarm_paused() -> Iterator[None]:
    """Stop the per-file alarm (indexer.processing.time_limit) while a page is read, and re-arm
    it with the time it had left: OCR has its own per-page limit, and a long scanned report
    must not run into the limit meant for parsers that loop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)


def no_text_message(summary: OcrSummary | None) -> str:
    """Why a PDF has no text at all, and what to do about it."""
    if summary is not None and summary.failed:
        return f"no text layer, and OCR could not read it ({'; '.join(summary.errors[:3])})"
    if summary is not None and summary.needed:
        return f"no text layer (image-only or scanned): it needs OCR; {how_to_enable(summary)}"
    if summary is not None and summary.engine:
        return "no text layer, and OCR found no readable words on its pages"
    return "no text on its pages, and nothing drawn on them to read"


def how_to_enable(summary: OcrSummary) -> str:
    """What to do about pages that need OCR: turn it on, or install Tesseract."""
    if summary.mode == "off":
        return "index again with `report-search index --ocr auto`"
    return ocr.HOW_TO_ENABLE
