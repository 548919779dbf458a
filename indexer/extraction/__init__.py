"""path -> Document: one extractor per format, chosen by suffix.

Output contract: `Document.pages` holds `Page(number, text, label)`; a page's text is blocks
separated by a blank line, line breaks kept inside a block, headings in blocks of their own
(Markdown `#` lines for Markdown and HTML). Text formats have one page. Every failure is an
`ExtractionError` whose `reason` classifies it for the ingest report.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import (
    DependencyError,
    EmptyFileError,
    FileNotDecryptedError,
    PyPdfError,
)

from indexer.extraction import pypdf_fast, scanned
from indexer.extraction.html import html_blocks, markdown_blocks, strip_markdown
from indexer.extraction.ocr import OcrOptions
from indexer.extraction.pdf_layout import Line, LineCollector, pages_text
from indexer.models import Document, OcrSummary, Page

SUFFIXES: dict[str, str] = {
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
A4_BOX = (0.0, 842.0)
# PDF titles that name the file or the tool rather than the report.
JUNK_TITLE = re.compile(
    r"^(?:microsoft \w+ - |untitled|document\s*\d*$|title$|slide \d+$|new document)"
    r"|\.(?:docx?|pdf|indd|rtf|odt|tex|dvi|qxd|ps|xlsx?|pptx?)$",
    re.IGNORECASE,
)
JUNK_AUTHOR = {"user", "admin", "administrator", "owner", "unknown", "author", "windows user"}
PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
# Each page's lines and (bottom, top) box, and the errors of the pages that failed.
PageLines = tuple[list[list[Line]], list[tuple[float, float]], list[Exception]]


@dataclass(frozen=True)
class Limits:
    """Per-file limits that keep one hostile file from stopping a batch."""

    max_pages: int = 2000
    seconds: float = 120.0
    max_bytes: int = 200 * 1024 * 1024
    ocr: OcrOptions = OcrOptions()  # pages without a text layer: mode, per-page time, cache
    # Embed the passages in the worker too (indexer.index.vectors), after the time limit.
    embed: bool = False


class ExtractionError(Exception):
    """A file that cannot be indexed; `reason` is a short class ("encrypted", "no-text", ...).

    Reasons: empty, encrypted, malformed, no-text, too-many-pages, too-large, dependency,
    unsupported, decode, unreadable (and timeout, raised by the pipeline; timeout or
    too-large for a PDF page whose loading and rendering ran past its limits; crashed, given
    by the pipeline to a file whose worker process died).
    """

    def __init__(self, reason: str, message: str, ocr: OcrSummary | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.ocr = ocr  # for a PDF without text: its pages that needed OCR, and how it went


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extract(path: Path, document_id: str, limits: Limits = Limits()) -> Document:
    """Extract a file's text, page by page; raises only ExtractionError."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ExtractionError(
            "unsupported", f"{path.suffix or 'extensionless'} files are not supported"
        )
    try:
        size = path.stat().st_size
        if size == 0:
            raise ExtractionError("empty", "the file is empty (0 bytes)")
        if size > limits.max_bytes:
            raise ExtractionError(
                "too-large", f"{size} bytes is over the limit of {limits.max_bytes} bytes"
            )
        if fmt == "pdf":
            pages, title, metadata = read_pdf(path, limits)
        else:
            pages, title, metadata = read_text_file(path, fmt)
        content_hash = file_hash(path)
    except ExtractionError:
        raise
    except OSError as exc:
        raise ExtractionError("unreadable", f"cannot read the file: {exc}") from exc
    except Exception as exc:  # a parser bug must not stop the batch
        raise ExtractionError("malformed", f"{type(exc).__name__}: {exc}") from exc
    # Where the title comes from: "metadata" (PDF info, HTML <title>), "text", "filename".
    metadata["title_from"] = metadata.get("title_from", "metadata") if title else "filename"
    return Document(
        document_id=document_id,
        path=str(path),
        format=fmt,
        content_hash=content_hash,
        pages=pages,
        title=title or path.stem,
        metadata=metadata,
        ocr=metadata.pop("ocr", None),
    )


# --- PDF ---------------------------------------------------------------------------------


def classify(exc: Exception) -> ExtractionError:
    """pypdf's failure classes -> our reasons (DependencyError is not a PyPdfError)."""
    name = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ExtractionError):
        return exc
    if isinstance(exc, EmptyFileError):
        return ExtractionError("empty", "the file is empty")
    if isinstance(exc, FileNotDecryptedError):
        return ExtractionError("encrypted", f"encrypted and the empty password fails ({name})")
    if isinstance(exc, DependencyError):
        return ExtractionError("dependency", f"pypdf lacks a dependency to read it ({name})")
    if isinstance(exc, PyPdfError):
        return ExtractionError("malformed", f"pypdf cannot read it ({name})")
    return ExtractionError("malformed", name)


def open_pdf(path: Path) -> tuple[PdfReader, int]:
    """Open (decrypting with the empty password) and count pages; errors are classified."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted", "encrypted: a password is needed to open it")
        return reader, len(reader.pages)  # a broken page tree can fail only here
    except Exception as exc:
        raise classify(exc) from exc


def read_pdf(path: Path, limits: Limits) -> tuple[tuple[Page, ...], str, dict[str, Any]]:
    """Pages with clean text, the title and metadata of a PDF."""
    reader, count = open_pdf(path)
    if count > limits.max_pages:
        raise ExtractionError(
            "too-many-pages", f"{count} pages is over the limit of {limits.max_pages}"
        )
    lines, boxes, errors = read_pages(path, reader, count)
    if count and len(errors) == count:
        raise classify(errors[0])
    # Pages without a text layer; no page may take longer than the whole file may.
    page_seconds = min(limits.ocr.page_seconds, limits.seconds)
    ocr = scanned.fill_pages(path, lines, boxes, replace(limits.ocr, page_seconds=page_seconds))
    texts = pages_text(lines, boxes)
    if not any(any(ch.isalnum() for ch in text) for text in texts):
        # A page stopped at its time or memory limit is why, rather than a lack of text.
        reason = ocr.stopped if ocr is not None and ocr.stopped else "no-text"
        raise ExtractionError(reason, scanned.no_text_message(ocr), ocr)
    labels = page_labels(reader, count)
    pages = tuple(Page(number=i + 1, text=text, label=labels[i]) for i, text in enumerate(texts))
    title, metadata = pdf_metadata(reader)
    if errors:
        metadata["page_errors"] = len(errors)
    if ocr is not None:
        metadata["ocr"] = ocr  # taken out again by extract(): Document.ocr
    return pages, title, metadata


def read_pages(path: Path, reader: PdfReader, count: int) -> PageLines:
    """The pages' lines, with pypdf's fast path when it is on (see indexer.extraction.pypdf_fast).

    Pages that fail under the fast path may fail because of it (a pypdf change its canary
    missed): the file is then read again with plain pypdf, kept if fewer pages fail.
    """
    fast = pypdf_fast.use_fast_path()
    result = page_lines(reader, count, fast)
    errors = result[2]
    if fast and errors:
        plain = page_lines(open_pdf(path)[0], count, fast=False)
        if len(plain[2]) < len(errors):
            pypdf_fast.fast_path_failed(path.name, errors[0])
            return plain
    return result


def page_lines(reader: PdfReader, count: int, fast: bool) -> PageLines:
    """Each page's lines and box, and the errors of the pages that failed."""
    lines: list[list[Line]] = []
    boxes: list[tuple[float, float]] = []
    errors: list[Exception] = []
    with pypdf_fast.extracting(fast):
        for index in range(count):
            collector = LineCollector()
            try:
                page = reader.pages[index]
                boxes.append(page_box(page))
                page.extract_text(visitor_text=collector)
            except ExtractionError:
                raise  # ours (or the pipeline's timeout): never re-wrapped
            except Exception as exc:  # one broken page must not cost the whole document
                errors.append(exc)
            lines.append(collector.finish())
            if len(boxes) < len(lines):
                boxes.append(A4_BOX)
    return lines, boxes, errors


def page_box(page: Any) -> tuple[float, float]:
    """The page's bottom and top edges, in the units of the text positions."""
    try:
        box = page.mediabox
        return float(box.bottom), float(box.top)
    except Exception:
        return A4_BOX


def page_labels(reader: PdfReader, count: int) -> list[str]:
    """Printed page labels ("iv", "12"), or the page numbers where the PDF has none."""
    try:
        labels = [str(label) for label in reader.page_labels]
    except Exception:
        labels = []
    return labels if len(labels) == count else [str(i + 1) for i in range(count)]


def pdf_metadata(reader: PdfReader) -> tuple[str, dict[str, Any]]:
    """Plausible title, and author, date (YYYY-MM-DD), subject, keywords from the info dict."""
    try:
        info = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    except Exception:
        return "", {}
    clean = {key: " ".join(info.get(f"/{key.title()}", "").split()) for key in FIELDS}
    title = clean["title"] if plausible_title(clean["title"]) else ""
    metadata: dict[str, Any] = {}
    if clean["author"] and clean["author"].lower() not in JUNK_AUTHOR:
        metadata["author"] = clean["author"]
    for key in ("subject", "keywords"):
        if clean[key]:
            metadata[key] = clean[key]
    date = pdf_date(info.get("/CreationDate", "")) or pdf_date(info.get("/ModDate", ""))
    if date:
        metadata["date"] = date
    return title, metadata


FIELDS = ("title", "author", "subject", "keywords")


def plausible_title(title: str) -> bool:
    """A title worth showing: words, not a file name or a word processor's placeholder."""
    return len(title.split()) >= 2 and not JUNK_TITLE.search(title)


def pdf_date(raw: str) -> str:
    """PDF date string ("D:20250722185210-04'00'") -> "2025-07-22" ("2025" if only a year)."""
    match = PDF_DATE.match(raw.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    if not 1980 <= int(year) <= 2100:
        return ""
    if month and day and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
        return f"{year}-{month}-{day}"
    return year


# --- text, Markdown, HTML ----------------------------------------------------------------


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (or UTF-16 with a BOM), else cp1252, else Latin-1."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise ExtractionError("decode", "binary data (NUL bytes), not a text file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")


def text_blocks(text: str) -> list[str]:
    """Blocks of a plain text: runs of non-blank lines, trailing spaces removed."""
    blocks = re.split(r"\n[ \t]*\n", text)
    cleaned = (
        "\n".join(line.rstrip() for line in block.strip("\n").split("\n")) for block in blocks
    )
    return [block for block in cleaned if block.strip()]


def read_text_file(path: Path, fmt: str) -> tuple[tuple[Page, ...], str, dict[str, Any]]:
    """A text, Markdown or HTML file as one page, with a title where the text has one."""
    text = decode(path.read_bytes())
    title = ""
    if fmt == "html":
        title, blocks = html_blocks(text)
    elif fmt == "markdown":
        blocks = markdown_blocks(text)
    else:  # plain text often holds Markdown's inline markup: never index or show it raw
        blocks = [b for b in map(strip_markdown, text_blocks(text)) if b.strip()]
    metadata = {"title_from": "metadata"} if title else {"title_from": "text"}
    if not title and blocks:
        title = first_heading(blocks[0], markdown=fmt != "text")
    if not any(any(ch.isalnum() for ch in block) for block in blocks):
        raise ExtractionError("no-text", "the file holds no text")
    return (Page(number=1, text="\n\n".join(blocks)),), title, metadata


def first_heading(block: str, markdown: bool) -> str:
    """The document's title when its first block is a heading (or a short single line)."""
    if markdown:
        return block.lstrip("#").strip() if block.startswith("# ") else ""
    short = "\n" not in block and len(block.split()) <= 20
    return block.strip() if short and not block.rstrip().endswith(".") else ""
