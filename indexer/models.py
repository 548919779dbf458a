"""The contract between ingestion stages: frozen dataclasses passed from one stage to the next.

files -> Document (extract) -> Section/Passage (structure + metadata) -> index (store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Facet names: the index field, the JSON key and the query parameter are the same word.
# Order is the order in which the UI shows them.
FACETS: tuple[str, ...] = (
    "doc_type",  # one per document unless its metadata says more
    "publisher",  # the issuing organization (metadata, the symbol's organ, the title page)
    "organization",  # organizations a passage mentions
    "country",  # the document's own country (a statement's speaker), from metadata
    "mentioned_country",  # countries a passage mentions
    "place",  # other places a passage mentions (cities)
    "year",
    "goal",
    "topic",
    "language",
    "organ",
    "symbol",
    "source",  # "OCR" or "text": where the passage's text came from (indexer.text_source)
)


@dataclass(frozen=True)
class Page:
    """One page of extracted text. Text formats have a single page numbered 1."""

    number: int  # 1-based physical page
    text: str  # cleaned text: paragraphs separated by blank lines, headings on their own line
    label: str = ""  # printed page label where the PDF has one ("iv", "12")


@dataclass(frozen=True)
class OcrSummary:
    """How a PDF's pages without a usable text layer were read (indexer.extraction.scanned)."""

    mode: str = "auto"  # the run's --ocr: "auto", "off" or "force"
    engine: str = ""  # "tesseract 5.3.0"; "" when OCR was off or Tesseract is missing
    pages: tuple[int, ...] = ()  # 1-based pages whose text was read by OCR
    needed: tuple[int, ...] = ()  # pages without a text layer left unread (no OCR engine)
    failed: tuple[int, ...] = ()  # pages OCR could not read (time limit, crash): skipped
    errors: tuple[str, ...] = ()  # why, one sentence per failed page
    confidence: float | None = None  # Tesseract's mean word confidence on `pages`, 0-100
    seconds: float = 0.0  # rendering and reading, cache look-ups included
    cache_hits: int = 0  # pages of `pages` whose text came from the OCR cache
    # "timeout" or "too-large" when a page was stopped at its time or memory limit
    stopped: str = ""


@dataclass(frozen=True)
class Document:
    """A file's extracted text and file-level metadata, before structure is recovered."""

    document_id: str  # path relative to the corpus root, POSIX separators: stable id
    path: str  # absolute path of the original file
    format: str  # "pdf", "text", "markdown", "html"
    content_hash: str  # sha256 of the file bytes
    pages: tuple[Page, ...]
    title: str = ""
    # Values known before reading the text: PDF metadata (author, date), sidecar overrides.
    metadata: dict[str, Any] = field(default_factory=dict)
    ocr: OcrSummary | None = None  # set for PDFs with pages that have no usable text layer

    @property
    def has_pages(self) -> bool:
        """PDFs have pages; a text file's one "page" is no place to cite."""
        return self.format == "pdf" or len(self.pages) > 1


@dataclass(frozen=True)
class Section:
    """A heading and where it sits in the document's outline."""

    path: tuple[str, ...]  # headings from the top level down to this one
    page: int  # page where the heading appears; 0 in a document without pages

    @property
    def title(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass(frozen=True)
class Passage:
    """A paragraph-sized piece of a document: the unit that is indexed and returned."""

    document_id: str
    ordinal: int  # 0-based position in the document
    text: str
    sentences: tuple[str, ...]
    section: tuple[str, ...]  # section path; () before the first heading
    page_start: int  # 0 (and no page fields in the index) for documents without pages
    page_end: int
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # keys from FACETS
    # The document's own number of the paragraph the passage starts in ("32" for "32. We
    # ..."), where the document numbers its paragraphs; else "".
    paragraph: str = ""

    @property
    def passage_id(self) -> str:
        return passage_id(self.document_id, self.ordinal)


@dataclass(frozen=True)
class IndexedDocument:
    """A document ready to be written: its metadata, outline and passages."""

    document: Document
    title: str
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    # Document-level facet values (also copied onto each passage) and other metadata:
    # date ("2009-06-01" or "2009"), author, symbol, etc.
    metadata: dict[str, Any] = field(default_factory=dict)
    # The passages' embeddings, one row each, made by the worker (indexer.index.vectors).
    vectors: PassageVectors | None = None


@dataclass(frozen=True)
class PassageVectors:
    """One document's passage embeddings and the model that made them."""

    label: str  # the model and its version (embedding.Encoder.label)
    # numpy float16, (passages, dimensions), unit length; None: the texts are those the
    # index holds vectors of already (`digest` matched), which the writer copies over.
    array: Any
    digest: str = ""  # of the texts embedded (indexer.index.vectors.texts_digest)


@dataclass(frozen=True)
class FileStatus:
    """One line of the ingest report: what happened to one file."""

    path: str
    document_id: str
    status: str  # "indexed", "unchanged", "removed", "failed", "skipped"
    reason: str = ""  # failure class: "encrypted", "no-text", "malformed", "timeout", ...
    error: str = ""  # a sentence for people
    pages: int = 0
    passages: int = 0
    seconds: float = 0.0
    ocr: OcrSummary | None = None  # pages read by OCR, or needing it, and how it went
    # Metadata left out (a bad value in a sidecar or metadata.csv): what, where and why.
    warnings: tuple[str, ...] = ()

    def relative(self, text: str) -> str:
        """`text` with the file's folders above its corpus root taken out, so that a message
        naming the file shows it as its document id: run summaries are served to anyone."""
        if not self.document_id or not self.path.endswith("/" + self.document_id):
            return text
        above_root = self.path[: -len(self.document_id)]
        return text.replace(above_root, "")


def passage_id(document_id: str, ordinal: int) -> str:
    """Stable passage id: the document id and the passage's ordinal."""
    return f"{document_id}#{ordinal}"


def split_passage_id(pid: str) -> tuple[str, int]:
    """Inverse of passage_id(); raises ValueError on a malformed id."""
    document_id, _, ordinal = pid.rpartition("#")
    if not document_id or not ordinal.isdigit():
        raise ValueError(f"not a passage id: {pid!r}")
    return document_id, int(ordinal)
