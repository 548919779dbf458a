"""Ingestion speed: our pipeline (1 and 2 workers) against a naive baseline, same run."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from whoosh import index as whoosh_index

from indexer import pipeline
from indexer.index.schema import build_schema

SUFFIXES = (".pdf", ".txt")


def naive_baseline(root: Path, index_dir: Path) -> dict[str, Any]:
    """One process: pypdf extract_text per page, one default Whoosh writer, a passage a page."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    started = time.perf_counter()
    index = whoosh_index.create_in(str(index_dir), build_schema())
    writer = index.writer()
    documents = pages = failed = 0
    for path in sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES):
        try:
            texts = _page_texts(path)
        except Exception:  # noqa: BLE001 - the baseline only skips what it cannot read
            failed += 1
            continue
        documents += 1
        doc_id = path.relative_to(root).as_posix()
        for number, text in enumerate(texts, start=1):
            pages += 1
            writer.add_document(
                passage_id=f"{doc_id}#{number - 1}",
                document_id=doc_id,
                title=path.stem,
                text=text,
                page_start=number,
                page_end=number,
            )
    writer.commit()
    seconds = time.perf_counter() - started
    return _rates(seconds, documents, pages, pages) | {"failed": failed}


def _page_texts(path: Path) -> list[str]:
    if path.suffix == ".pdf":
        return [page.extract_text() for page in PdfReader(path).pages]
    return [path.read_text("utf-8", errors="replace")]


def product_run(root: Path, index_dir: Path, workers: int) -> dict[str, Any]:
    """A full build through indexer.pipeline.run, then an unchanged re-index."""
    shutil.rmtree(index_dir, ignore_errors=True)
    full = pipeline.run([root], index_dir, rebuild=True, workers=workers).summary()
    again = pipeline.run([root], index_dir, workers=workers).summary()
    indexed = full["by_status"].get("indexed", 0)
    result = _rates(full["seconds"], indexed, full["pages"], full["passages"])
    result["failed"] = full["by_status"].get("failed", 0)
    result["reindex_unchanged_seconds"] = again["seconds"]
    result["reindex_unchanged_fraction"] = round(again["seconds"] / full["seconds"], 4)
    return result


def _rates(seconds: float, documents: int, pages: int, passages: int) -> dict[str, Any]:
    per = (lambda n: round(n / seconds, 2)) if seconds else (lambda n: 0.0)
    return {
        "seconds": round(seconds, 2),
        "documents": documents,
        "pages": pages,
        "passages": passages,
        "documents_per_second": per(documents),
        "pages_per_second": per(pages),
        "passages_per_second": per(passages),
    }


def run_corpus(name: str, root: Path, work: Path, keep_index: Path | None = None) -> dict[str, Any]:
    """Baseline, 1 worker and 2 workers on one corpus; ratios to the baseline."""
    out: dict[str, Any] = {"corpus": name, "root": str(root)}
    out["naive"] = naive_baseline(root, work / f"{name}-naive")
    shutil.rmtree(work / f"{name}-naive", ignore_errors=True)
    for workers in (1, 2):
        target = keep_index if (workers == 2 and keep_index) else work / f"{name}-w{workers}"
        out[f"workers_{workers}"] = product_run(root, target, workers)
        out[f"workers_{workers}"]["speedup_vs_naive"] = round(
            out["naive"]["seconds"] / out[f"workers_{workers}"]["seconds"], 2
        )
        if target != keep_index:
            shutil.rmtree(target, ignore_errors=True)
    return out
