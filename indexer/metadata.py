"""Facet values per document and per passage. (Minimal first version.)"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.models import Document, IndexedDocument, Passage, Section


def read_overrides(path: Path) -> dict[str, Any]:
    """Values from `<file>.meta.json` or the folder's `metadata.csv` that override derived ones."""
    return {}


def enrich(
    document: Document,
    sections: tuple[Section, ...],
    passages: tuple[Passage, ...],
    overrides: dict[str, Any],
) -> IndexedDocument:
    """Attach document- and passage-level facet values."""
    title = overrides.get("title") or document.title
    doc_facets = {"doc_type": ("report",)}
    passages = tuple(replace(p, facets={**doc_facets, **p.facets}) for p in passages)
    return IndexedDocument(document, title, sections, passages, metadata=dict(document.metadata))
