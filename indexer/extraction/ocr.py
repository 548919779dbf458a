"""Reading a PDF page's image with Tesseract: settings, the engine check, rendering one page
with pypdfium2 and turning Tesseract's words into the `Line`s the PDF path already lays out.

Tesseract is called through pytesseract, one subprocess a page, so a page that takes too long
is killed at its time limit without harm to the worker. `scanned.py` decides which pages to
read and records what happened; `ocr_cache.py` keeps what was read.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytesseract
from PIL import Image

from indexer.extraction.pdf_layout import Line

MODES = ("auto", "off", "force")
# The tesseract command; point it at a missing path to run as if Tesseract were not installed.
TESSERACT_ENV = "REPORT_SEARCH_TESSERACT"
DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa"
HOW_TO_ENABLE = (
    f"install Tesseract (Debian/Ubuntu: apt-get install {DEBIAN_PACKAGES}, or `make run`) "
    "and index again with `report-search index --ocr auto`"
)
# 300 dpi is what Tesseract is trained for; smaller type than that loses letters.
DPI = 300
# A page bigger than this many pixels at DPI (a poster, a map) is rendered smaller: memory
# stays bounded whatever the page size (an A4 page at 300 dpi is 8.7 million pixels).
MAX_PIXELS = 40_000_000
# Tesseract's word confidences run 0-100; below this a "word" is mostly a speck or a line of
# a picture read as letters.
MIN_WORD_CONFIDENCE = 30
# A page whose words average below this is not text in the languages read (a picture, a
# chart, a script Tesseract has no data for): what OCR makes of it would only pollute the
# index. Real scans average 85-95 (the seed report scanned at 200 dpi, an 1863 book); a Chinese
# page read as English 32-44.
MIN_PAGE_CONFIDENCE = 60
# Lines within this share of the page's usual line height are body text of one size: OCR
# heights jitter, and the layout step compares sizes to find headings.
SIZE_TOLERANCE = 0.15
# The median word of a line reaches from the baseline to the top of its capitals or
# ascenders: about this share of the type size (Times, Helvetica, Arial: 0.66-0.75).
CAP_HEIGHT = 0.72
ASCENDERS = frozenset("bdfhiklt")
DESCENDERS = frozenset("gjpqyQ")


@dataclass(frozen=True)
class OcrOptions:
    """How an indexing run reads pages without a usable text layer."""

    mode: str = "auto"  # "auto": pages without text; "force": every page; "off": none
    dpi: int = DPI
    page_seconds: float = 60.0  # per page: Tesseract is stopped and the page skipped after it
    languages: str = "eng+fra+spa"  # those of them that are installed are used
    cache_dir: str = ""  # where read pages are kept by content hash; "" keeps none
    command: str = ""  # the tesseract command; "" means $REPORT_SEARCH_TESSERACT or "tesseract"


@dataclass(frozen=True)
class Engine:
    """An installed Tesseract and the languages it will read with."""

    command: str
    version: str
    languages: str

    @property
    def name(self) -> str:
        return f"tesseract {self.version}"


@dataclass(frozen=True)
class PageText:
    """What OCR read on one page: lines positioned in PDF points, and how sure it was."""

    lines: tuple[Line, ...]
    confidence: float  # mean word confidence, 0-100 (0 when no words)
    words: int


class OcrFailed(Exception):
    """Tesseract could not read a page (its time limit, a crash); the page is skipped."""


class OcrTimeout(OcrFailed):
    """Tesseract was stopped at the page's time limit."""


def command_for(options: OcrOptions) -> str:
    return options.command or os.environ.get(TESSERACT_ENV) or "tesseract"


def engine_for(options: OcrOptions) -> Engine | None:
    """The Tesseract this run reads with, or None when OCR is off or Tesseract is missing."""
    if options.mode == "off":
        return None
    return _engine(command_for(options), options.languages)


@cache
def _engine(command: str, wanted: str) -> Engine | None:
    """Checked once per process and command: `tesseract --version` and its languages."""
    pytesseract.pytesseract.tesseract_cmd = command
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError, RuntimeError):
        return None
    languages = [lang for lang in wanted.split("+") if lang in installed]
    if not languages:
        return None
    return Engine(command, version, "+".join(languages))


def render(page: Any, dpi: int = DPI) -> tuple[Image.Image, float]:
    """A pypdfium2 page as a greyscale image, and the scale used (pixels per point)."""
    width, height = page.get_size()
    scale = dpi / 72
    pixels = width * height * scale * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil().convert("L")  # a copy: the bitmap's buffer is freed below
    finally:
        bitmap.close()
    return image, scale


def is_blank(image: Image.Image) -> bool:
    """No ink worth reading: fewer than 1 in 10,000 pixels are dark."""
    histogram = image.histogram()
    dark = sum(histogram[:128])
    return dark * 10_000 < image.width * image.height


def read_image(
    image: Image.Image, engine: Engine, scale: float, top: float, seconds: float
) -> PageText:
    """Tesseract's words on the image, as lines with baselines measured down from `top`."""
    pytesseract.pytesseract.tesseract_cmd = engine.command
    # One thread per Tesseract: the worker processes already keep every core busy, and
    # Tesseract's own threads only add contention (3x slower per page on 2 cores).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        data = pytesseract.image_to_data(
            image,
            lang=engine.languages,
            output_type=pytesseract.Output.DICT,
            timeout=max(seconds, 0.1),
        )
    except RuntimeError as error:  # pytesseract's "Tesseract process timeout"
        raise OcrTimeout("stopped at the time limit") from error
    except pytesseract.TesseractError as error:
        raise OcrFailed(f"tesseract failed: {error}") from error
    return page_text(data, scale, top)


def page_text(data: dict[str, list[Any]], scale: float, top: float) -> PageText:
    """image_to_data's rows -> lines in PDF points (y up from the page bottom, like pypdf's)."""
    everything = [float(c) for c, t in zip(data["conf"], data["text"], strict=True) if t.strip()]
    if not everything or statistics.fmean(everything) < MIN_PAGE_CONFIDENCE:
        mean = statistics.fmean(everything) if everything else 0.0
        return PageText((), round(mean, 1), 0)
    rows: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= MIN_WORD_CONFIDENCE:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            word = Word(
                text.strip(),
                data["left"][i] + data["width"][i] / 2,
                data["top"][i] + data["height"][i] / 2,
                data["height"][i],
                float(data["conf"][i]),
            )
            rows.setdefault(key, []).append(word)
    found = [words for words in rows.values() if any(ch.isalnum() for w in words for ch in w.text)]
    slope = skew(found)
    lines = []
    for words, size in zip(found, line_sizes(found, scale), strict=True):
        # The line's height on the page with the sheet's tilt taken out, so that the gaps
        # between lines (which cut paragraphs) do not depend on where a short line ends.
        middle = statistics.median(w.y - slope * w.x for w in words)
        text = " ".join(w.text for w in words)
        lines.append(Line(text, round(top - middle / scale, 2), size, False))
    confidences = [w.confidence for words in found for w in words]
    mean = statistics.fmean(confidences) if confidences else 0.0
    return PageText(tuple(lines), round(mean, 1), len(confidences))


@dataclass(frozen=True)
class Word:
    """One word Tesseract read: its centre and height in pixels, and its confidence."""

    text: str
    x: float
    y: float
    height: float
    confidence: float


def skew(lines: list[list[Word]]) -> float:
    """The page's tilt as a slope (pixels down per pixel right), from its long lines."""
    slopes = []
    for words in lines:
        if len(words) >= 5:
            xs = [w.x for w in words]
            ys = [w.y for w in words]
            if max(xs) - min(xs) > 0:
                slopes.append(statistics.linear_regression(xs, ys).slope)
    return statistics.median(slopes) if slopes else 0.0


def line_sizes(lines: list[list[Word]], scale: float) -> list[float]:
    """Type size of each line in points: body lines share the page's usual size, so that
    only clearly bigger lines look like headings to the layout step."""
    heights = [cap_height(words) for words in lines]
    known = [height for height in heights if height is not None]
    if not known:
        return [0.0] * len(lines)
    usual = statistics.median(known) / scale / CAP_HEIGHT
    sizes = []
    for height in heights:
        size = usual if height is None else height / scale / CAP_HEIGHT
        sizes.append(round(usual if abs(size - usual) <= SIZE_TOLERANCE * usual else size, 1))
    return sizes


def cap_height(words: list[Word]) -> float | None:
    """The line's height from baseline to capital tops, from its words that span exactly
    that (letters with ascenders or capitals, none with descenders); None if it has none."""
    heights = [
        w.height
        for w in words
        if w.text.isalnum()
        and any(ch in ASCENDERS or ch.isupper() or ch.isdigit() for ch in w.text)
        and not any(ch in DESCENDERS for ch in w.text)
    ]
    return statistics.median(heights) if heights else None
