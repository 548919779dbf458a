"""Counts that describe an index: documents, passages, pages, facet values, last run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer import store
from indexer.models import FACETS


def index_stats(index_dir: Path) -> dict[str, Any]:
    """Stats of the live generation; raises store.NoIndexError when there is none."""
    generation = store.current_generation(index_dir)
    if generation is None:
        raise store.NoIndexError(f"no index at {index_dir}: run 'report-search index' first")
    manifest = store.load_manifest(generation)
    info = store.load_json(generation / store.INFO, {})
    index = store.open_current(index_dir)
    with index.reader() as reader:
        passages = reader.doc_count()
        facet_values = {name: _cardinality(reader, name) for name in FACETS}
    return {
        "generation": store.generation_number(generation),
        "updated_at": info.get("updated_at"),
        "documents": len(manifest),
        "passages": passages,
        "pages": sum(record.get("pages", 0) for record in manifest.values()),
        "facet_values": facet_values,
        "last_run": info.get("last_run"),
    }


def _cardinality(reader: Any, field: str) -> int:
    # Numeric fields index several precision tiers; sortable_terms are the real values only.
    return sum(1 for _ in reader.schema[field].sortable_terms(reader, field))
