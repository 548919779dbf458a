"""OCR as people see it: in the run report (`report.json`, the `index` command's summary),
in `report-search stats` and `/api/stats`, and on the document page; and which indexed files
to read again because OCR can now do what it could not before."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from indexer.extraction import ocr
from indexer.extraction.scanned import how_to_enable
from indexer.models import FileStatus, OcrSummary

ENGINE_NAME = "tesseract"


def page_ranges(pages: Iterable[int]) -> str:
    """[3, 4, 5, 8] -> "3-5, 8"."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def record(summary: OcrSummary | None) -> dict[str, Any] | None:
    """The manifest's copy of a document's OcrSummary."""
    return asdict(summary) if summary is not None else None


def run_summary(files: Sequence[FileStatus]) -> dict[str, Any]:
    """What OCR did in one run: pages read, time, cache hits, and the files that need it."""
    done = [f.ocr for f in files if f.ocr is not None]
    pages = sum(len(s.pages) for s in done)
    seconds = sum(s.seconds for s in done)
    needs = [
        {"path": f.document_id, "pages": page_ranges(f.ocr.needed), "status": f.status}
        for f in files
        if f.ocr is not None and f.ocr.needed
    ]
    first_need = next((f.ocr for f in files if f.ocr is not None and f.ocr.needed), None)
    return {
        "files": sum(1 for s in done if s.pages),
        "pages": pages,
        "cache_hits": sum(s.cache_hits for s in done),
        "seconds": round(seconds, 2),
        "pages_per_second": round(pages / seconds, 2) if seconds else 0.0,
        "failed_pages": [
            {
                "path": f.document_id,
                "pages": page_ranges(f.ocr.failed),
                "errors": [f.relative(error) for error in f.ocr.errors],
            }
            for f in files
            if f.ocr is not None and f.ocr.failed
        ],
        "needs_ocr": needs,
        "how_to_enable": how_to_enable(first_need) if first_need else "",
    }


def index_summary(
    manifest: Mapping[str, Mapping[str, Any]], last_run: Mapping[str, Any] | None
) -> dict[str, Any]:
    """OCR over the whole index: documents and pages read by OCR, and the files that still
    need it (indexed ones with unread pages, and those the last run could not index)."""
    records = [r.get("ocr") or {} for r in manifest.values()]
    # Files by document id (the path below the corpus root): this is served to anyone.
    needs = {
        document_id: {"path": document_id, "pages": page_ranges(o["needed"])}
        for document_id, o in zip(manifest, records, strict=True)
        if o.get("needed")
    }
    last = (last_run or {}).get("ocr") or {}
    for entry in last.get("needs_ocr", []):
        if entry.get("status") == "failed":
            needs.setdefault(str(entry["path"]), {"path": entry["path"], "pages": entry["pages"]})
    engine = ocr.engine_for(ocr.OcrOptions())
    if not needs:
        hint = ""
    elif engine is None:
        hint = ocr.HOW_TO_ENABLE
    else:
        hint = "index again with `report-search index --ocr auto`"
    return {
        "engine": ENGINE_NAME if engine else "",  # not its version: served to anyone
        "documents": sum(1 for o in records if o.get("pages")),
        "pages": sum(len(o.get("pages") or ()) for o in records),
        "needs_ocr": sorted(needs.values(), key=lambda n: str(n["path"])),
        "how_to_enable": hint,
    }


def document_note(ocr_record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """For the document page: which pages were read by OCR (or could not be), in words."""
    if not ocr_record:
        return None
    pages = list(ocr_record.get("pages") or ())
    notes = []
    if pages:
        confidence = ocr_record.get("confidence")
        sure = f" (mean confidence {confidence:.0f}%)" if confidence is not None else ""
        notes.append(f"{_label(pages)} {_verb(pages, 'was', 'were')} read by OCR{sure}.")
    if needed := list(ocr_record.get("needed") or ()):
        has, need = _verb(needed, "has", "have"), _verb(needed, "needs", "need")
        notes.append(f"{_label(needed)} {has} no text layer and {need} OCR.")
    if failed := list(ocr_record.get("failed") or ()):
        notes.append(f"OCR could not read {_label(failed).lower()}: left out.")
    if not notes:
        return None
    return {"pages": pages, "ranges": page_ranges(pages), "text": " ".join(notes)}


def _label(pages: Sequence[int]) -> str:
    return f"{'Pages' if len(pages) > 1 else 'Page'} {page_ranges(pages)}"


def _verb(pages: Sequence[int], one: str, many: str) -> str:
    return many if len(pages) > 1 else one


def needs_rerun(record: Mapping[str, Any], options: ocr.OcrOptions) -> bool:
    """An unchanged PDF to read again: it has pages that need OCR and OCR can now run, or
    this run forces OCR and it was indexed without."""
    if record.get("format") != "pdf" or options.mode == "off":
        return False
    previous = record.get("ocr") or {}
    if options.mode == "force":
        return previous.get("mode") != "force"
    return bool(previous.get("needed")) and ocr.engine_for(options) is not None


def run_lines(summary: Mapping[str, Any]) -> list[str]:
    """The `index` command's OCR lines for a run's summary["ocr"]; none when OCR had no part."""
    lines = []
    if summary.get("pages"):
        lines.append(
            f"OCR: {summary['pages']} pages of {summary['files']} files in "
            f"{summary['seconds']} s ({summary['cache_hits']} from the cache)"
        )
    for failed in summary.get("failed_pages", []):
        lines.append(f"  OCR skipped pages {failed['pages']} of {failed['path']}")
    lines.extend(_needs_lines(summary))
    return lines


def stats_lines(summary: Mapping[str, Any]) -> list[str]:
    """The `stats` command's OCR lines for stats()["ocr"]."""
    engine = summary.get("engine") or "Tesseract not installed"
    lines = [f"OCR ({engine}): {summary['pages']} pages of {summary['documents']} documents"]
    return lines + _needs_lines(summary)


def _needs_lines(summary: Mapping[str, Any]) -> list[str]:
    needs = summary.get("needs_ocr") or []
    if not needs:
        return []
    lines = [f"{len(needs)} files need OCR: {summary['how_to_enable']}"]
    lines += [f"  needs OCR (pages {n['pages']}): {n['path']}" for n in needs]
    return lines
