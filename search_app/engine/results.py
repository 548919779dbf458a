"""Result dicts: one passage as the API shows it, from its stored fields."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from indexer.index.fields import decode_facet_values
from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS
from search_app.engine.highlight import Marks, snippet
from search_app.engine.index_handle import Snapshot


def document_url(document_id: str, passage_id: str = "", q: str = "", ordinal: int = -1) -> str:
    """The document page, opened at a passage, with the query to highlight."""
    url = f"/documents/{_quoted(document_id, '/')}"
    params = [f"{k}={_quoted(v)}" for k, v in (("passage", passage_id), ("q", q)) if v]
    if params:
        url += "?" + "&".join(params)
    return url + (f"#p-{ordinal}" if ordinal >= 0 else "")


@lru_cache(maxsize=4096)
def _quoted(value: str, safe: str = "") -> str:
    """`value` quoted for a URL (a path with `safe` "/", else a query value, as urlencode
    quotes it); the same few ids and queries come back for every result of a page."""
    return quote(value, safe=safe) if safe else quote_plus(value)


def file_url(snapshot: Snapshot, document_id: str, page: int | None = None) -> str:
    """The original file; PDFs open at `page`."""
    url = f"/api/documents/{quote(document_id, safe='/')}/file"
    record = snapshot.manifest.get(document_id, {})
    if page and record.get("format", "") == "pdf":
        url += f"#page={page}"
    return url


# How a copy of a report is named beside it: "also as PDF".
FORMAT_NAMES = {"pdf": "PDF", "text": "text", "markdown": "Markdown", "html": "HTML"}


def copies_of(snapshot: Snapshot, document_id: str) -> list[dict[str, str]]:
    """The other files of the same report (indexer.duplicates): each with its own file link
    and document page."""
    record = snapshot.manifest.get(document_id, {})
    representative = record.get("duplicate_of")
    if representative:  # a copy's page links to the representative and the other copies
        group = [representative, *snapshot.manifest.get(representative, {}).get("copies", ())]
    else:
        group = list(record.get("copies") or ())
    found = []
    for copy in (d for d in group if d != document_id):
        fmt = str(snapshot.manifest.get(copy, {}).get("format", ""))
        found.append(
            {
                "document_id": copy,
                "format": fmt,
                "format_name": FORMAT_NAMES.get(fmt, fmt),
                "url": document_url(copy),
                "file_url": file_url(snapshot, copy),
            }
        )
    return found


def place(stored: dict[str, Any]) -> dict[str, Any]:
    """Where a passage is: its pages (null for documents without pages) and its paragraph,
    which citations use where there are no pages: the document's own number where it numbers
    its paragraphs ("paragraph_numbering": "document"), else the passage's place in it."""
    own = stored.get("paragraph")
    return {
        "page_start": stored.get("page_start"),
        "page_end": stored.get("page_end"),
        "paragraph": int(own) if own else int(stored.get("ordinal", 0)) + 1,
        "paragraph_numbering": "document" if own else "passage",
    }


def citation(snapshot: Snapshot, stored: dict[str, Any], q: str = "") -> dict[str, Any]:
    """Where a passage comes from, as every search result and every answer cites it: its
    document, title, section, pages or paragraph (place()), its page in the document
    (highlighting `q`) and its original file (a PDF at its page)."""
    document_id = stored["document_id"]
    path = list(stored.get("section_path") or ())
    return {
        "passage_id": stored["passage_id"],
        "document_id": document_id,
        "title": stored.get("title", ""),
        "section": " > ".join(path),
        "section_path": path,
        **place(stored),
        "url": document_url(document_id, stored["passage_id"], q, int(stored.get("ordinal", 0))),
        "file_url": file_url(snapshot, document_id, stored.get("page_start")),
    }


def facet_dict(stored: dict[str, Any]) -> dict[str, list[Any]]:
    """A passage's facet values, one list per facet (years as ints)."""
    values: dict[str, list[Any]] = {}
    for name in FACETS:
        raw = stored.get(name)
        if raw is None or raw == "":
            values[name] = []
        elif name in NUMERIC_FACETS:
            values[name] = [int(raw)]
        else:
            values[name] = decode_facet_values(raw)
    return values


def full_hit(
    snapshot: Snapshot, marks: Marks, docnum: int, score: float | None, q: str
) -> dict[str, Any]:
    """One search result."""
    stored = snapshot.searcher().stored_fields(docnum)
    text = stored.get("text", "")
    return {
        **citation(snapshot, stored, q),
        "score": None if score is None else round(score, 4),
        "snippet": snippet(stored.get("sentences") or (), text, *marks),
        "text": text,
        "date": stored.get("date", ""),
        "copies": copies_of(snapshot, stored["document_id"]),
        **facet_dict(stored),
    }


def light_hit(snapshot: Snapshot, marks: Marks, docnum: int, q: str) -> dict[str, Any]:
    """Another matching passage of a document shown in a grouped result."""
    stored = snapshot.searcher().stored_fields(docnum)
    return {
        "passage_id": stored["passage_id"],
        "section": " > ".join(stored.get("section_path") or ()),
        **place(stored),
        "snippet": snippet(stored.get("sentences") or (), stored.get("text", ""), *marks),
        "url": document_url(
            stored["document_id"], stored["passage_id"], q, int(stored.get("ordinal", 0))
        ),
    }
