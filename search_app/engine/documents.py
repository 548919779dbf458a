"""One document's page data, its original file, and index-wide stats and health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.models import FACETS
from search_app.engine.facets import facet_values
from search_app.engine.index_handle import IndexHandle, Snapshot
from search_app.engine.matchsets import term_ids
from search_app.engine.results import document_url, facet_dict, file_url


class UnknownDocument(LookupError):
    """No indexed document has this id (the engine turns it into a 404)."""


def passages_of(snapshot: Snapshot, document_id: str) -> list[dict[str, Any]]:
    """Stored fields of a document's passages, in order."""
    searcher = snapshot.searcher()
    ids = term_ids(searcher.reader(), "document_id", document_id.encode("utf-8"))
    live = [int(d) for d in ids.tolist() if not searcher.reader().is_deleted(int(d))]
    stored = [searcher.stored_fields(d) for d in live]
    return sorted(stored, key=lambda s: int(s.get("ordinal", 0)))


def document_summary(snapshot: Snapshot, document_id: str, first: dict[str, Any]) -> dict:
    """Metadata of a document as lists and links (shared by the list and the document)."""
    record = snapshot.manifest.get(document_id, {})
    return {
        "document_id": document_id,
        "title": record.get("title") or first.get("title", ""),
        "date": first.get("date", ""),
        "format": record.get("format", ""),
        "pages": record.get("pages"),
        "passage_count": record.get("passages"),
        "url": document_url(document_id),
        "file_url": file_url(snapshot, document_id),
        **facet_dict(first),
    }


def get_document(handle: IndexHandle, document_id: str) -> dict[str, Any]:
    """Metadata, sections and passages in order; UnknownDocument when not indexed."""
    snapshot = handle.snapshot()
    stored = passages_of(snapshot, document_id)
    if document_id not in snapshot.manifest or not stored:
        raise UnknownDocument(document_id)
    record = snapshot.manifest[document_id]
    passages = [
        {
            "passage_id": s["passage_id"],
            "ordinal": int(s.get("ordinal", 0)),
            "section": " > ".join(s.get("section_path") or ()),
            "section_path": list(s.get("section_path") or ()),
            "page_start": s.get("page_start"),
            "page_end": s.get("page_end"),
            "text": s.get("text", ""),
            **facet_dict(s),
        }
        for s in stored
    ]
    return {
        **document_summary(snapshot, document_id, stored[0]),
        "metadata": record.get("metadata", {}),
        "page_labels": record.get("page_labels", []),
        "sections": [
            {
                "path": list(p.get("path", [])),
                "title": (p.get("path") or [""])[-1],
                "page": p.get("page"),
            }
            for p in record.get("sections", [])
        ],
        "passages": passages,
    }


def document_file(handle: IndexHandle, document_id: str) -> Path:
    """The original file of an indexed document: only paths the manifest names."""
    record = handle.snapshot().manifest.get(document_id)
    if record is None or not record.get("path"):
        raise UnknownDocument(document_id)
    path = Path(record["path"])
    # The file may have been swapped for a symlink out of the corpus since it was indexed.
    root = Path(record.get("root") or path.parent).resolve()
    if not path.is_file() or not path.resolve().is_relative_to(root):
        raise UnknownDocument(document_id)
    return path


def stats(handle: IndexHandle) -> dict[str, Any]:
    """Counts, facet cardinalities, generation, build time and the last ingest summary."""
    snapshot = handle.snapshot()
    reader = snapshot.searcher().reader()
    return {
        "generation": snapshot.generation,
        "updated_at": snapshot.info.get("updated_at"),
        "documents": len(snapshot.manifest),
        "passages": reader.doc_count(),
        "pages": sum(int(r.get("pages") or 0) for r in snapshot.manifest.values()),
        "facets": {name: len(facet_values(snapshot, name).values) for name in FACETS},
        "last_run": snapshot.info.get("last_run"),
    }


def health(handle: IndexHandle) -> dict[str, Any]:
    """Opens the index and runs one tiny query."""
    snapshot = handle.snapshot()
    searcher = snapshot.searcher()
    searcher.doc_count()
    return {"status": "ok", "generation": snapshot.generation, "passages": searcher.doc_count()}
