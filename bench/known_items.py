"""Known items on the UN PDFs: each document's own symbol as the query, is it hit 1?

    python -m bench.known_items [--reuse-index]

Indexes ../shared/data/un-pdfs under bench/work/un-pdfs-index (OCR off: symbols come from
file names and mastheads), then asks /api/search for every symbol of the `symbol` facet, as
printed and as people also type it (lower case, spaces around the slashes), grouped by
document. Target: @1 >= 98%. Results: bench/results/known_items.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.corpora import UN_PDFS, WORK

RESULTS = Path(__file__).resolve().parent / "results" / "known_items.json"
INDEX = WORK / "un-pdfs-index"
TARGET = 0.98


def build_index(index_dir: Path = INDEX) -> None:
    command = [sys.executable, "-m", "search_app.cli", "index", str(UN_PDFS)]
    command += ["--index-dir", str(index_dir), "--workers", "2", "--rebuild", "--ocr", "off"]
    subprocess.run(command, check=True, capture_output=True)


def symbols_by_document(index_dir: Path) -> dict[str, list[str]]:
    """Document id -> its symbols, from the index's manifest."""
    from search_app.engine.index_handle import IndexHandle

    manifest = IndexHandle(index_dir).snapshot().manifest
    found = {d: list(r.get("metadata", {}).get("symbol", [])) for d, r in manifest.items()}
    return {d: symbols for d, symbols in found.items() if symbols}


def variants(symbol: str) -> dict[str, str]:
    return {"as printed": symbol, "lower case, spaced": " / ".join(symbol.lower().split("/"))}


def main(reuse: bool = False) -> dict[str, Any]:
    from search_app.web import create_app

    if not reuse or not INDEX.exists():
        build_index()
    client = create_app({"INDEX_DIR": str(INDEX), "TESTING": True}).test_client()
    owners: dict[str, set[str]] = {}
    for document_id, symbols in symbols_by_document(INDEX).items():
        for symbol in symbols:
            owners.setdefault(symbol, set()).add(document_id)
    started = time.perf_counter()
    scores: dict[str, dict[str, int]] = {}
    misses: list[dict[str, Any]] = []
    for symbol, documents in sorted(owners.items()):
        for kind, q in variants(symbol).items():
            body = client.get("/api/search", query_string={"q": q, "per_page": 1}).get_json()
            top = body["results"][0]["document_id"] if body["results"] else None
            hit = top in documents
            counts = scores.setdefault(kind, {"queries": 0, "at_1": 0})
            counts["queries"] += 1
            counts["at_1"] += hit
            if not hit:
                misses.append({"query": q, "expected": sorted(documents), "got": top})
    result = {
        "documents": len(symbols_by_document(INDEX)),
        "symbols": len(owners),
        "at_1": {k: round(v["at_1"] / v["queries"], 4) for k, v in scores.items()},
        "counts": scores,
        "target_at_1": TARGET,
        "misses": misses[:20],
        "seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse-index", action="store_true")
    print(json.dumps(main(parser.parse_args().reuse_index), indent=1))
