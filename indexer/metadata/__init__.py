"""Facet values per document and per passage, derived from the text; overrides win.

Document-level values (doc_type, year, language, symbol, organ, country) are copied onto
every passage; organization, place, goal and topic are what each passage itself mentions.
A value given by `<file>.meta.json` or a `metadata.csv` row replaces the derived one, for the
document and for every passage.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from indexer.metadata.dates import document_date, iso_date
from indexer.metadata.entities import (
    defined_organizations,
    detect_language,
    publisher,
    speaking_country,
)
from indexer.metadata.facets import Mentions, document_metadata, passage_facets
from indexer.metadata.gazetteer import organization_aliases, organizations, places
from indexer.metadata.overrides import normalize_overrides, read_overrides
from indexer.metadata.symbols import doc_type, document_symbols, organs
from indexer.metadata.titles import pick_title
from indexer.metadata.topics import goal_family, goals, key_phrases
from indexer.models import Document, IndexedDocument, Passage, Section

__all__ = ["enrich", "goals", "iso_date", "organization_aliases", "read_overrides"]


def enrich(
    document: Document,
    sections: tuple[Section, ...],
    passages: tuple[Passage, ...],
    overrides: dict[str, Any],
) -> IndexedDocument:
    """Attach document- and passage-level facet values, title and date."""
    overrides = normalize_overrides(overrides)
    text = "\n\n".join(p.text for p in passages)
    first_page = document.pages[0].text if document.pages else ""
    headings = [s.title for s in sections]
    symbols = overrides.get("symbol") or document_symbols(document, first_page)
    date = document_date(document, first_page, overrides)
    doc = {
        "symbol": symbols,
        "organ": overrides.get("organ") or organs(symbols),
        "year": overrides.get("year") or ((date[:4],) if date else ()),
        "doc_type": overrides.get("doc_type") or (doc_type(symbols, first_page),),
        "language": overrides.get("language") or detect_language(text or first_page),
        "country": overrides.get("country") or speaking_country(first_page),
    }
    defined = defined_organizations(" ".join([text, *headings]))
    known = organizations().extended(defined)
    doc["publisher"] = overrides.get("publisher") or publisher(doc["organ"], first_page, known)
    mentions = Mentions(known, places(), goal_family(text, date))
    topics = key_phrases(text)
    enriched = tuple(
        replace(p, facets=passage_facets(p, doc, mentions, topics, overrides)) for p in passages
    )
    title = pick_title(document, headings, overrides, symbols)
    metadata = document_metadata(document, enriched, doc, overrides, date, headings, mentions)
    metadata["organization_names"] = {v: k for k, v in defined.items() if k != v}
    return IndexedDocument(document, title, sections, enriched, metadata=metadata)
