"""Known items on the UN PDFs: each document's own symbol as the query, is it hit 1?

    python -m bench.known_items

Indexes ../shared/data/un-pdfs with `report-search index` under bench/work/un-pdfs-index (OCR
off: symbols come from file names and mastheads), serves it with `report-search serve`, then
asks /api/search over HTTP for every symbol of the `symbol` facet, as printed and as people
also type it (lower case, spaces around the slashes), grouped by document. Target: @1 >= 98%.
Results: bench/results/known_items.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.corpora import WORK
from bench.product import Api, shown

RESULTS = Path(__file__).resolve().parent / "results" / "known_items.json"
INDEX = WORK / "un-pdfs-index"
TARGET = 0.98


def symbols_by_document(index_dir: Path) -> dict[str, list[str]]:
    """Document id -> its symbols, from the index's manifest (the truth, not the query path)."""
    from search_app.engine.index_handle import IndexHandle

    manifest = IndexHandle(index_dir).snapshot().manifest
    found = {d: list(r.get("metadata", {}).get("symbol", [])) for d, r in manifest.items()}
    return {d: symbols for d, symbols in found.items() if symbols}


def variants(symbol: str) -> dict[str, str]:
    return {"as printed": symbol, "lower case, spaced": " / ".join(symbol.lower().split("/"))}


def measure(api: Api, index_dir: Path) -> dict[str, Any]:
    """Every symbol, in both spellings, as a query: is one of its documents the first hit?"""
    by_document = symbols_by_document(index_dir)
    owners: dict[str, set[str]] = {}
    for document_id, symbols in by_document.items():
        for symbol in symbols:
            owners.setdefault(symbol, set()).add(document_id)
    scores: dict[str, dict[str, int]] = {}
    misses: list[dict[str, Any]] = []
    for symbol, documents in sorted(owners.items()):
        for kind, q in variants(symbol).items():
            body = api.search(q=q, per_page=1)
            hits = shown(body)
            top = hits[0]["document_id"] if hits else None
            hit = top in documents
            counts = scores.setdefault(kind, {"queries": 0, "at_1": 0})
            counts["queries"] += 1
            counts["at_1"] += hit
            if not hit:
                misses.append({"query": q, "expected": sorted(documents), "got": top})
    return {
        "documents": len(by_document),
        "symbols": len(owners),
        "at_1": {k: round(v["at_1"] / v["queries"], 4) for k, v in scores.items()},
        "counts": scores,
        "target_at_1": TARGET,
        "misses": misses[:20],
    }


def main() -> dict[str, Any]:
    """The known items alone, through `report-search index` and /api/search over HTTP."""
    from bench import relevance

    result = relevance.run(["known_items"])["known_items"]
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
