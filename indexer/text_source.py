"""The `source` facet: whether a passage's text was read by OCR or came from the file's own
text, so that OCR passages can be told apart, filtered and counted like any facet value."""

from __future__ import annotations

from dataclasses import replace

from indexer.models import IndexedDocument

FACET = "source"
OCR = "OCR"
TEXT = "text"


def mark_passages(indexed: IndexedDocument) -> IndexedDocument:
    """Each passage gets source "OCR" when any of its pages was read by OCR, else "text"."""
    ocr = indexed.document.ocr
    ocr_pages = frozenset(ocr.pages) if ocr else frozenset()
    passages = tuple(
        replace(p, facets={**p.facets, FACET: (source(p.page_start, p.page_end, ocr_pages),)})
        for p in indexed.passages
    )
    return replace(indexed, passages=passages)


def source(first: int, last: int, ocr_pages: frozenset[int]) -> str:
    return OCR if any(page in ocr_pages for page in range(first, last + 1)) else TEXT
