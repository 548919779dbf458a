"""Documents as export, citation and feed records: the search's results page after page, and
each document's manifest metadata and dates, without reading its passages.

The formats themselves (CSV, RIS, BibTeX, CSL, Atom) are search_app.formats'; these
functions only say which documents and passages, in which order, with which facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from search_app.engine import service
from search_app.engine.documents import document_summary
from search_app.engine.index_handle import IndexHandle, Snapshot
from search_app.engine.limits import BadRequest, check_deadline
from search_app.engine.matchsets import live_mask, term_ids
from search_app.engine.params import MAX_PER_PAGE, SearchRequest


def dates(record: dict[str, Any]) -> dict[str, float | None]:
    """When a document entered the index (`added_at`) and when its file last changed
    (`changed_at`), as Unix times; indexes written before these were kept have `indexed_at`."""
    indexed = record.get("indexed_at")
    return {
        "added_at": record.get("added_at") or indexed,
        "changed_at": record.get("changed_at") or indexed,
    }


def extras(snapshot: Snapshot, document_id: str) -> dict[str, Any]:
    """What a result lacks for citing its document: the manifest's metadata and dates."""
    record = snapshot.manifest.get(document_id, {})
    return {"metadata": record.get("metadata", {}), **dates(record)}


def results(handle: IndexHandle, request: SearchRequest, limit: int) -> Iterator[dict[str, Any]]:
    """The first `limit` results of `request` (its page and per_page aside), each with its
    document's extras: exactly /api/search's results, page after page."""
    given = 0
    page = 1
    while given < limit:
        body = service.search(handle, replace(request, page=page, per_page=MAX_PER_PAGE))
        snapshot = handle.snapshot()
        for result in body["results"][: limit - given]:
            yield {**result, **extras(snapshot, result["document_id"])}
        given += len(body["results"][: limit - given])
        if page >= body["pages"] or not body["results"]:
            return
        page += 1


def card(handle: IndexHandle, document_id: str) -> dict[str, Any]:
    """A document's summary (list metadata and links), manifest metadata, dates and its
    opening text; BadRequest 404 when no indexed document has the id."""
    snapshot = handle.snapshot()
    record = snapshot.manifest.get(document_id)
    # A copy of another report (indexer.duplicates) is read in its representative's text.
    first = _first_passage(snapshot, (record or {}).get("duplicate_of") or document_id)
    if record is None or first is None:
        raise BadRequest(404, "not_found", f"No indexed document has the id {document_id!r}.")
    return {
        **document_summary(snapshot, document_id, first),
        **extras(snapshot, document_id),
        "opening": first.get("text", ""),
    }


def newest(handle: IndexHandle, request: SearchRequest, limit: int) -> list[dict[str, Any]]:
    """Cards of the `limit` documents matching `request` that entered the index last; of
    those that entered together (one indexing run), the newest by their own date first."""
    snapshot = handle.snapshot()
    ids = service.matching_documents(handle, request)

    def key(document_id: str) -> tuple[float, str, str]:
        record = snapshot.manifest.get(document_id, {})
        added = float(dates(record)["added_at"] or 0)
        return (added, str(record.get("metadata", {}).get("date") or ""), document_id)

    chosen = sorted(ids, key=key, reverse=True)[:limit]
    cards = []
    for document_id in chosen:
        check_deadline()
        cards.append(card(handle, document_id))
    return cards


def _first_passage(snapshot: Snapshot, document_id: str) -> dict[str, Any] | None:
    """Stored fields of a document's first live passage, or None."""
    searcher = snapshot.searcher()
    ids = term_ids(searcher.reader(), "document_id", document_id.encode("utf-8"))
    live = live_mask(snapshot)
    alive = sorted(int(d) for d in ids.tolist() if live[int(d)])
    return searcher.stored_fields(alive[0]) if alive else None
