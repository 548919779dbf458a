"""The one Whoosh schema of the passage index. Facet fields are declared as data."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.index.analysis import text_analyzer
from indexer.models import FACETS

# Part of the index format, not of ranking: Whoosh multiplies a term's frequency in these
# fields by this factor before storing it as the posting weight (the fields' `field_boost`).
# Exact BM25F divides it out again and weighs the fields itself (indexer.index.ranking). The
# values date from Whoosh's own BM25F ranking; changing one would misweigh every index
# already built, so they stay as they are.
POSTING_WEIGHT_SCALES: dict[str, float] = {"title": 0.25, "section": 2.0, "text": 1.0}

# Numeric facets are stored as NUMERIC so that year ranges are cheap; the others are keywords.
NUMERIC_FACETS: frozenset[str] = frozenset({"year"})


def build_schema() -> Schema:
    """Schema for passages: ids, full-text fields, pages, and one field per facet."""
    analyzer = text_analyzer()
    scales = POSTING_WEIGHT_SCALES
    fields = {
        "passage_id": ID(stored=True, unique=True),
        "document_id": ID(stored=True),
        "ordinal": NUMERIC(stored=True, sortable=True),
        "title": TEXT(analyzer=analyzer, stored=True, field_boost=scales["title"]),
        "section": TEXT(analyzer=analyzer, stored=True, field_boost=scales["section"]),
        "text": TEXT(analyzer=analyzer, stored=True, phrase=True, field_boost=scales["text"]),
        "sentences": STORED(),  # tuple of sentence strings, for question answering
        "section_path": STORED(),  # tuple of headings, top level first
        "page_start": NUMERIC(stored=True),
        "page_end": NUMERIC(stored=True),
        "paragraph": STORED(),  # the document's own paragraph number, where it has them
        "date": ID(stored=True, sortable=True),  # "2009-06-01", "2009" or ""
        "title_sort": ID(sortable=True),  # lowercased title, for sorting by title
    }
    for name in FACETS:
        if name in NUMERIC_FACETS:
            fields[name] = NUMERIC(stored=True, sortable=True, signed=False)
        else:
            # Comma-separated, case kept: values are display labels ("IOM", "Sierra Leone").
            fields[name] = KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
    return Schema(**fields)
