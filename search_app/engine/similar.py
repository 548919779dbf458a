"""More like this: the passages most similar to one passage, or to one document.

The source's own words are the query (verbose.key_words: its words by tf-idf, within the
query-term bound), ranked by the same BM25F as any search; the source itself is left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq

from search_app.engine.columns import columns
from search_app.engine.index_handle import Snapshot
from search_app.engine.limits import MAX_QUERY_CHARS
from search_app.engine.query import TEXT_FIELDS, ParsedQuery
from search_app.engine.results import document_url, place
from search_app.engine.verbose import key_words

UNKNOWN = "No passage or document has the id {like!r}: nothing is like it."


def like_query(snapshot: Snapshot, like: str) -> tuple[ParsedQuery, np.ndarray]:
    """The query for passages like `like` (a passage id or a document id), and the passages
    to leave out (the source); with no passage or document of that id, a query matching
    nothing and a notice."""
    searcher = snapshot.searcher()
    docnum = searcher.document_number(passage_id=like)
    if docnum is not None:
        source = np.zeros(searcher.doc_count_all(), dtype=bool)
        source[docnum] = True
        stored = searcher.stored_fields(docnum)
        text = f"{stored.get('section') or ''}\n{stored.get('text') or ''}"
    else:
        source = _document_passages(snapshot, like)
        if not source.any():
            return ParsedQuery("", wq.NullQuery, notice=UNKNOWN.format(like=like)), source
        text = _document_text(snapshot, source)
    q = key_words(text[:MAX_QUERY_CHARS], TEXT_FIELDS, searcher.reader())
    return ParsedQuery("", q, verbose=True), source


def _document_passages(snapshot: Snapshot, document_id: str) -> np.ndarray:
    cols = columns(snapshot)
    if document_id not in cols.document_ids:
        return np.zeros(len(cols.doc), dtype=bool)
    return cols.doc == cols.document_ids.index(document_id)


def _document_text(snapshot: Snapshot, passages: np.ndarray) -> str:
    """The document's title and its passages' text, up to MAX_QUERY_CHARS characters."""
    searcher = snapshot.searcher()
    parts: list[str] = []
    size = 0
    for number, docnum in enumerate(np.flatnonzero(passages).tolist()):
        stored = searcher.stored_fields(int(docnum))
        part = (stored.get("title") or "") if number == 0 else ""
        part += "\n" + (stored.get("text") or "")
        parts.append(part)
        size += len(part)
        if size >= MAX_QUERY_CHARS:
            break
    return "\n".join(parts)


def like_source(snapshot: Snapshot, like: str) -> dict[str, Any] | None:
    """What "more like this" starts from, as the page names it: the report's title and the
    passage's section and place (None when no passage or document has the id)."""
    searcher = snapshot.searcher()
    docnum = searcher.document_number(passage_id=like)
    if docnum is None:
        passages = _document_passages(snapshot, like)
        if not passages.any():
            return None
        stored = searcher.stored_fields(int(np.flatnonzero(passages)[0]))
        return {"document_id": like, "title": stored.get("title", ""), "section": "", "url": ""}
    stored = searcher.stored_fields(docnum)
    return {
        "document_id": stored["document_id"],
        "title": stored.get("title", ""),
        "section": " > ".join(stored.get("section_path") or ()),
        **place(stored),
        "url": document_url(stored["document_id"], like, "", int(stored.get("ordinal", 0))),
    }
