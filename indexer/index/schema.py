"""The one Whoosh schema of the passage index. Facet fields are declared as data."""

from __future__ import annotations

from math import log

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from indexer.index.analysis import text_analyzer
from indexer.models import FACETS

# Index-time field weights (Whoosh multiplies a term's frequency in the field by them) and
# BM25 parameters, for what Whoosh itself scores: question answering's candidate passages.
# The title is repeated on every passage of a document, so a heavy title weight acts as a
# document prior that swamps the passage's own words: on the SciFact *train* split, title 3.0
# gave nDCG@10 0.648, 1.0 gave 0.670 and 0.25 gave 0.695 (bench/tune_scifact.py). The search
# engine ranks with exact BM25F instead (search_app/scoring.py), which divides these weights
# out and applies its own per field.
FIELD_BOOSTS: dict[str, float] = {"title": 0.25, "section": 2.0, "text": 1.0}
BM25_K1 = 0.9
BM25_B = 0.75

# Numeric facets are stored as NUMERIC so that year ranges are cheap; the others are keywords.
NUMERIC_FACETS: frozenset[str] = frozenset({"year"})


class RobertsonBM25F(BM25F):
    """Whoosh's BM25F with the Robertson/Sparck Jones idf that Lucene and Pyserini use.

    Whoosh's own idf, log(N / (df + 1)) + 1, keeps common words at idf >= 1, so a query's
    frequent words outweigh its rare, telling ones more than BM25 intends.
    """

    def idf(self, searcher, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return log(1 + (n - df + 0.5) / (df + 0.5))


def weighting() -> BM25F:
    """The ranking model every searcher of the passage index should use."""
    return RobertsonBM25F(B=BM25_B, K1=BM25_K1)


def build_schema() -> Schema:
    """Schema for passages: ids, full-text fields, pages, and one field per facet."""
    analyzer = text_analyzer()
    fields = {
        "passage_id": ID(stored=True, unique=True),
        "document_id": ID(stored=True),
        "ordinal": NUMERIC(stored=True, sortable=True),
        "title": TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["title"]),
        "section": TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["section"]),
        "text": TEXT(analyzer=analyzer, stored=True, phrase=True),
        "sentences": STORED(),  # tuple of sentence strings, for question answering
        "section_path": STORED(),  # tuple of headings, top level first
        "page_start": NUMERIC(stored=True),
        "page_end": NUMERIC(stored=True),
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
