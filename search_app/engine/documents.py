"""One document's page data, its original file, and index-wide stats and health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from indexer import duplicates, ocr_status
from indexer.index import vectors
from indexer.metadata.gazetteer import organization_full_names
from indexer.models import FACETS
from search_app.engine import meaning
from search_app.engine.columns import columns
from search_app.engine.facets import document_counts, facet_values
from search_app.engine.index_handle import IndexHandle, Snapshot, per_generation
from search_app.engine.matchsets import term_ids
from search_app.engine.results import copies_of, document_url, facet_dict, file_url, place


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
        "copies": copies_of(snapshot, document_id),
        "duplicate_of": record.get("duplicate_of"),
        **facet_dict(first),
    }


def get_document(handle: IndexHandle, document_id: str) -> dict[str, Any]:
    """Metadata, sections and passages in order; UnknownDocument when not indexed."""
    snapshot = handle.snapshot()
    record = snapshot.manifest.get(document_id)
    # A copy of another report (indexer.duplicates) is read in its representative's text.
    shown = (record or {}).get("duplicate_of") or document_id
    stored = passages_of(snapshot, shown)
    if record is None or not stored:
        raise UnknownDocument(document_id)
    passages = [
        {
            "passage_id": s["passage_id"],
            "ordinal": int(s.get("ordinal", 0)),
            "section": " > ".join(s.get("section_path") or ()),
            "section_path": list(s.get("section_path") or ()),
            **place(s),
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
        "ocr": ocr_status.document_note(record.get("ocr")),  # "Pages 3-5 were read by OCR"
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


def embedding_summary(snapshot: Snapshot) -> dict[str, Any]:
    """How many searchable passages have embeddings (search by meaning), and of which model."""
    labels = {
        r[vectors.RECORD_KEY][2] for r in snapshot.manifest.values() if r.get(vectors.RECORD_KEY)
    }
    model = sorted(labels)[-1] if labels else None
    return {"passages": vectors.embedded_passages(snapshot.manifest, model), "model": model}


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
        # Files that are copies of another report: searched and counted once, with it.
        "duplicates": duplicates.groups_of(snapshot.manifest),
        "facets": {name: len(facet_values(snapshot, name).values) for name in FACETS},
        "last_run": snapshot.info.get("last_run"),
        "ocr": ocr_status.index_summary(snapshot.manifest, snapshot.info.get("last_run")),
        "embeddings": {**embedding_summary(snapshot), **_search_by_meaning(snapshot)},
    }


def _search_by_meaning(snapshot: Snapshot) -> dict[str, Any]:
    """How this process searches them (health's `vectors`, without its count)."""
    state = meaning.search_state(snapshot)
    return {key: state[key] for key in ("search", "approximate_index", "approximate_from")}


# What the home page shows of the shelf: each facet's commonest values, by documents.
SHELF_FACETS = ("doc_type", "publisher", "organization", "country", "topic")
SHELF_SIZE = 8


def shelf(handle: IndexHandle) -> dict[str, Any]:
    """The shelf at a glance: reports, passages, years and, per facet of SHELF_FACETS, the
    values held by most reports (counted once per report; built once per generation)."""
    return _shelf(handle.snapshot())


@per_generation
def _shelf(snapshot: Snapshot) -> dict[str, Any]:
    cols = columns(snapshot)
    live = cols.doc >= 0
    return {
        "documents": len(cols.document_ids),
        "passages": int(np.count_nonzero(live)),
        "copies": sum(1 for r in snapshot.manifest.values() if r.get("duplicate_of")),
        "kinds": _kinds(snapshot.manifest),
        "years": sorted(_documents_per_value(snapshot, "year", live).items()),
        "facets": {
            name: sorted(
                _documents_per_value(snapshot, name, live).items(),
                key=lambda item: (-item[1], str(item[0]).casefold()),
            )[:SHELF_SIZE]
            for name in SHELF_FACETS
        },
    }


def _documents_per_value(snapshot: Snapshot, name: str, live: np.ndarray) -> dict[Any, int]:
    """value -> how many documents have a passage holding it."""
    counts = document_counts(snapshot, name, live)
    values = facet_values(snapshot, name).values
    return {values[i]: int(counts[i]) for i in np.flatnonzero(counts)}


def _kinds(manifest: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """What the shelf holds, in its metadata's words: per document type and publisher, how
    many documents and which years ("384 speeches, United Nations General Assembly,
    2023-2024"), commonest first."""
    groups: dict[tuple[str, str], list[int]] = {}
    for record in manifest.values():
        if record.get("duplicate_of"):
            continue
        metadata = record.get("metadata") or {}
        kind = (_first(metadata.get("doc_type")) or "document", _first(metadata.get("publisher")))
        year = str(metadata.get("date") or "")[:4]
        groups.setdefault(kind, []).append(int(year) if year.isdigit() else 0)
    names = organization_full_names()
    kinds = [
        {
            "doc_type": doc_type,
            "publisher": names.get(publisher, publisher),
            "count": len(years),
            "years": [min(y for y in years if y), max(years)] if any(years) else [],
        }
        for (doc_type, publisher), years in groups.items()
    ]
    return sorted(kinds, key=lambda k: (-k["count"], k["doc_type"]))


def _first(values: Any) -> str:
    if isinstance(values, list | tuple):
        return str(values[0]) if values else ""
    return str(values or "")


def health(handle: IndexHandle) -> dict[str, Any]:
    """Opens the index and runs one tiny query."""
    snapshot = handle.snapshot()
    searcher = snapshot.searcher()
    searcher.doc_count()
    return {
        "status": "ok",
        "generation": snapshot.generation,
        "passages": searcher.doc_count(),
        "vectors": meaning.search_state(snapshot),  # is the approximate index built yet?
    }
