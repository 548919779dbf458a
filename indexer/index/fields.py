"""A passage as the Whoosh fields it is stored and indexed with, and the one encoding of
multi-valued facet values (written here, read back by the search side)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS, IndexedDocument, Passage

# Keyword facets hold several values in one field: Whoosh's KEYWORD(commas=True) splits the
# stored text on commas when indexing, and results split it the same way.
FACET_SEPARATOR = ","


def encode_facet_values(values: Iterable[object]) -> str:
    """Several values of a keyword facet as one field value (a comma inside a value would
    split it, so it becomes a space)."""
    return FACET_SEPARATOR.join(
        str(v).replace(FACET_SEPARATOR, " ").strip() for v in values if str(v).strip()
    )


def decode_facet_values(stored: object) -> list[str]:
    """The values `encode_facet_values` joined (none for a missing or empty field)."""
    if stored is None:
        return []
    return [v.strip() for v in str(stored).split(FACET_SEPARATOR) if v.strip()]


def passage_fields(doc: IndexedDocument, passage: Passage) -> dict[str, Any]:
    """The Whoosh fields of one passage."""
    fields: dict[str, Any] = {
        "passage_id": passage.passage_id,
        "document_id": passage.document_id,
        "ordinal": passage.ordinal,
        "title": doc.title,
        "section": " > ".join(passage.section),
        "text": passage.text,
        "sentences": tuple(passage.sentences),
        "section_path": tuple(passage.section),
        "date": str(doc.metadata.get("date") or ""),
        "title_sort": doc.title.lower(),
    }
    if passage.paragraph:
        fields["paragraph"] = passage.paragraph
    if passage.page_start:  # no page fields for documents without pages: they read as null
        fields["page_start"] = passage.page_start
        fields["page_end"] = passage.page_end
    for name in FACETS:
        values = [v for v in passage.facets.get(name, ()) if str(v).strip()]
        if not values:
            continue
        if name in NUMERIC_FACETS:
            fields[name] = int(values[0])
        else:
            fields[name] = encode_facet_values(values)
    return fields
