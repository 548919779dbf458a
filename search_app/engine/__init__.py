"""The search engine: query parsing, match sets, scoring, ranking, facets, highlights and
documents over one index generation. No Flask here: the web app and the CLI render what these
functions return, so the page, the API and the command line cannot disagree.
"""

from search_app.engine import records
from search_app.engine.params import (
    GROUPS,
    MAX_FACET_SIZE,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    MODES,
    RESERVED,
    SORTS,
    BadRequest,
    SearchRequest,
    parse_search_args,
)
from search_app.engine.query import parse_query
from search_app.engine.service import (
    document_file,
    get_document,
    health,
    list_documents,
    search,
    stats,
    suggest,
    warm,
)

__all__ = [
    "GROUPS",
    "MAX_FACET_SIZE",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "MODES",
    "RESERVED",
    "SORTS",
    "BadRequest",
    "SearchRequest",
    "document_file",
    "get_document",
    "health",
    "list_documents",
    "parse_query",
    "parse_search_args",
    "records",
    "search",
    "stats",
    "suggest",
    "warm",
]
