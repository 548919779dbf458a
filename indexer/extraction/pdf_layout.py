"""PDF page text -> clean blocks: lines with their position, running furniture removed,
paragraphs and headings as blocks, words hyphenated across line ends joined.

pypdf's default extraction gives lines in reading order but no paragraphs. A visitor
(`LineCollector`) records, for every line, its baseline and dominant font size and weight;
blocks are then cut at vertical gaps and around heading-like lines.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
# A paragraph gap is a baseline step this much larger than the page's usual line step.
GAP_FACTOR = 1.35
# Lines this near the top or bottom edge (share of page height), or among the first and
# last few lines of the extracted text, are candidates for running headers and footers.
EDGE_SHARE = 0.08
EDGE_LINES = 3
PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:/|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# UN job numbers and their barcodes: "25-09499", "25-11627 (E) 220725", "GE.25-05437(E)",
# "*2511627*". They never belong to the text, wherever they sit on the page.
JOB = r"(?:[A-Z]{1,3}\.)?\d{2}-\d{5}\s*(?:\([A-Z]\))?(?:\s+\d{6})?"
JOB_NUMBER = re.compile(
    rf"^(?:\d{{1,4}}/\d{{1,4}}\s+)?{JOB}(?:\s+\d{{1,4}}/\d{{1,4}})?$|^\*\d{{7,9}}\*$"
)
# A UN document symbol alone on a line at a page edge is the running header: "A/79/730",
# "E/HLPF/2025/L.2", "A/HRC/EMRIP/2025/1" (even when, in a two-page document, it runs once).
SYMBOL = re.compile(r"^[A-Z]{1,8}(?:/[A-Za-z0-9.()\-]+)*/[A-Za-z0-9.()\-]*\d[A-Za-z0-9.()\-]*$")
# Lettered and roman headings: "A. UNITAR ...", "b. Migration and the MDGs", "II. Mandate".
HEADING_SHAPE = re.compile(r"^(?:[A-Za-z]|[IVXLC]{1,6})\.\s+[A-Z\"“‘']")
SENTENCE_END = (".", ":", ";", "?", "!")
# A paragraph's last line: closing punctuation, maybe then a footnote marker ("data.2").
ENDS_SENTENCE = re.compile(r"[.:;,?!)\]”\"']\d{0,3}$")


@dataclass
class Line:
    """One extracted line: its text, baseline y, dominant font size and weight."""

    text: str
    y: float | None = None
    size: float = 0.0
    bold: bool = False


class LineCollector:
    """A pypdf `visitor_text` that rebuilds the page's lines with their geometry."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._y: float | None = None
        self._sizes: Counter[float] = Counter()
        self._bold = 0
        self._chars = 0
        self._bold_fonts: dict[int, bool] = {}

    def __call__(self, text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text:
            return
        for index, piece in enumerate(text.split("\n")):
            if index:
                self._end_line()
            if piece.strip():
                self._measure(piece, cm, tm, font, size)
            self._parts.append(piece)

    def _measure(self, piece: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        try:
            a = tm[0] * cm[0] + tm[1] * cm[2]
            b = tm[0] * cm[1] + tm[1] * cm[3]
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            effective = round(float(size) * math.sqrt(abs(a * d - b * c)), 1)
        except (TypeError, IndexError, ValueError):
            return
        if self._y is None:
            self._y = y
        weight = len(piece.strip())
        self._sizes[effective] += weight
        self._chars += weight
        if self._is_bold(font):
            self._bold += weight

    def _is_bold(self, font: Any) -> bool:
        key = id(font)
        if key not in self._bold_fonts:
            try:
                name = str(font.get("/BaseFont", "")).lower() if font is not None else ""
            except AttributeError:
                name = ""
            self._bold_fonts[key] = any(word in name for word in BOLD_NAMES)
        return self._bold_fonts[key]

    def _end_line(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            size = self._sizes.most_common(1)[0][0] if self._sizes else 0.0
            bold = self._chars > 0 and self._bold * 2 > self._chars
            self.lines.append(Line(text, self._y, size, bold))
        self._parts, self._y, self._sizes = [], None, Counter()
        self._bold = self._chars = 0

    def finish(self) -> list[Line]:
        """The page's lines; call once after extraction."""
        self._end_line()
        return self.lines


def furniture_key(text: str) -> str:
    """Header/footer identity: case, digits and a page number at either end do not matter
    ("Page 3" == "Page 4", "Brief | 2025 3" == "4 Brief | 2025")."""
    key = re.sub(r"\d+", "#", text.lower())
    return re.sub(r"^(?:#\s+)+|(?:\s+#)+$", "", key)


def edge_indices(lines: Sequence[Line], bottom: float, top: float) -> set[int]:
    """Lines that may be running headers or footers on a page."""
    n = len(lines)
    picked = set(range(min(EDGE_LINES, n))) | set(range(max(0, n - EDGE_LINES), n))
    margin = (top - bottom) * EDGE_SHARE
    for i, line in enumerate(lines):
        if line.y is not None and (line.y > top - margin or line.y < bottom + margin):
            picked.add(i)
    return picked


def remove_furniture(
    pages: list[list[Line]], boxes: Sequence[tuple[float, float]]
) -> list[list[Line]]:
    """Drop running headers/footers, page numbers and UN job numbers from every page.

    A line at a page edge is furniture when, digits ignored, it is at the edge of at least
    2 pages (4 in documents of 12 pages or more), or when it is a page number.
    """
    edges = [edge_indices(lines, *box) for lines, box in zip(pages, boxes, strict=True)]
    counts: Counter[str] = Counter()
    for lines, picked in zip(pages, edges, strict=True):
        counts.update({furniture_key(lines[i].text) for i in picked})
    needed = max(2, min(4, len(pages) // 3))
    if all(counts[furniture_key(line.text)] >= needed for lines in pages for line in lines):
        needed = len(pages) + 1  # every line repeats (the same page again and again): keep them
    cleaned = []
    for lines, picked in zip(pages, edges, strict=True):
        kept = []
        for i, line in enumerate(lines):
            if JOB_NUMBER.match(line.text):
                continue
            if i in picked and (
                counts[furniture_key(line.text)] >= needed
                or PAGE_NUMBER.match(line.text)
                or SYMBOL.match(line.text)
            ):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def body_size(pages: Sequence[Sequence[Line]]) -> float:
    """The most common font size of the document's lines, weighted by length."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def line_step(lines: Sequence[Line], size: float) -> float:
    """The page's usual baseline step between consecutive body lines."""
    steps = [
        prev.y - line.y
        for prev, line in zip(lines, lines[1:], strict=False)
        if prev.y is not None
        and line.y is not None
        and abs(line.size - size) < 0.6
        and 0 < prev.y - line.y < 2.5 * max(size, 1.0)
    ]
    return statistics.median(steps) if steps else 1.2 * size


def is_heading(line: Line, size: float) -> bool:
    """Heading-like: larger or bold type, a lettered or roman heading, or all capitals."""
    words = line.text.split()
    if not words or len(words) > 20:
        return False
    if size and line.size >= size * 1.15:
        return True
    if line.bold and any(ch.isalpha() for ch in line.text):
        return True
    if len(words) > 14 or line.text.endswith((",", ";")):
        return False
    letters = [ch for ch in line.text if ch.isalpha()]
    all_caps = len(letters) >= 4 and all(ch.isupper() for ch in letters)
    return all_caps or bool(HEADING_SHAPE.match(line.text))


def gap_between(prev: Line, line: Line, step: float, size: float) -> bool:
    """A paragraph gap or a jump back up the page (a new column) between two lines."""
    if prev.y is None or line.y is None or step <= 0:
        return False
    delta = prev.y - line.y
    if delta < -0.5 * max(size, 1.0):
        # A sentence running on into the next column is one paragraph.
        return prev.text.endswith(SENTENCE_END) or not line.text[:1].islower()
    scale = max(1.0, line.size / size) if size else 1.0
    return delta > GAP_FACTOR * step * scale


def page_blocks(lines: Sequence[Line], size: float) -> list[list[str]]:
    """Cut a page's lines into blocks: paragraphs, and headings in blocks of their own."""
    step = line_step(lines, size)
    gaps = [i > 0 and gap_between(lines[i - 1], lines[i], step, size) for i in range(len(lines))]
    heads = [is_heading(line, size) for line in lines]
    for i, line in enumerate(lines):
        # A short line set off by a gap after it, following a finished sentence: a heading
        # in plain type.
        if (
            0 < i < len(lines) - 1
            and gaps[i + 1]
            and len(line.text.split()) <= 8
            and line.text[:1].isupper()
            and not ENDS_SENTENCE.search(line.text)
            and lines[i - 1].text.endswith(SENTENCE_END)
        ):
            heads[i] = True
    blocks: list[list[str]] = []
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        new_block = (
            prev is None
            or gaps[i]
            or heads[i] != heads[i - 1]
            or (heads[i] and (prev.bold != line.bold or abs(prev.size - line.size) > 0.5))
        )
        if new_block:
            blocks.append([])
        blocks[-1].append(line.text)
    return blocks


HYPHEN_END = re.compile(r"(?P<word>[^\W\d_][\w'’]*)(?P<space> ?)-$")


WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def vocabulary(blocks_per_page: Sequence[Sequence[Sequence[str]]]) -> set[str]:
    """Lower-cased words of the document, to decide how hyphenated line ends are joined.

    The pieces of words split at a line end ("imple-", "mentation") are left out.
    """
    words: set[str] = set()
    for blocks in blocks_per_page:
        for block in blocks:
            after_hyphen = False
            for line in block:
                found = WORD.findall(line.lower())
                if after_hyphen and found:
                    found = found[1:]
                after_hyphen = line.endswith("-")
                if after_hyphen and found:
                    found = found[:-1]
                words.update(found)
    return words


def join_hyphen(first: str, second: str, words: set[str]) -> str:
    """`first-` at a line end followed by `second`: keep the hyphen (in UN documents it is
    a compound's) unless both parts are lower case, the document spells the joined word
    elsewhere ("imple-" + "mentation") and never the hyphenated one.

    Joining when neither part is a word of the document was tried: on UN documents it
    wrongly joined "long-term", "twenty-ninth", "multi-stakeholder".
    """
    head = re.match(r"[^\W\d_]+", second)
    tail = head.group(0) if head else ""
    whole, hyphened = (first + tail).lower(), f"{first}-{tail}".lower()
    if first.islower() and tail.islower() and hyphened not in words and whole in words:
        return first + second
    return f"{first}-{second}"


def joins(match: re.Match[str], second: str, words: set[str]) -> bool:
    """`gender -` with pypdf's stray space is a hyphen when a lower-case word follows or the
    document spells the compound elsewhere ("Secretary-General"); otherwise it may be a
    spaced dash between two clauses."""
    head = re.match(r"[^\W\d_]+", second)
    compound = f"{match.group('word')}-{head.group(0) if head else ''}".lower()
    return second[:1].islower() or compound in words


def join_hyphenated(block: list[str], words: set[str]) -> list[str]:
    """Join words hyphenated across the line ends of a block; other line breaks stay."""
    lines = list(block)
    i = 0
    while i < len(lines) - 1:
        match = HYPHEN_END.search(lines[i])
        nxt = lines[i + 1]
        second, _, rest = nxt.partition(" ")
        if not (
            match
            and nxt[:1].isalpha()
            and (not match.group("space") or joins(match, second, words))
        ):
            i += 1
            continue
        lines[i] = lines[i][: match.start()] + join_hyphen(match.group("word"), second, words)
        if rest.strip():
            lines[i + 1] = rest.strip()
        else:
            del lines[i + 1]
    return lines


def pages_text(pages: list[list[Line]], boxes: Sequence[tuple[float, float]]) -> list[str]:
    """Each page's clean text: blocks separated by blank lines, line breaks kept."""
    pages = remove_furniture(pages, boxes)
    size = body_size(pages)
    blocks_per_page = [page_blocks(lines, size) for lines in pages]
    words = vocabulary(blocks_per_page)
    return [
        "\n\n".join("\n".join(join_hyphenated(block, words)) for block in blocks)
        for blocks in blocks_per_page
    ]
