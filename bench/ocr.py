"""OCR (issue 14): words recovered from a scanned copy of the seed report, OCR speed, the
re-index of an unchanged scanned file, OCRmyPDF compared, and the image-only test PDFs.

    python -m bench.ocr [--dpi 200 300] [--no-ocrmypdf] [--no-zoo]

The scanned copy is made by `indexer.samplescan` (pages rendered to greyscale at the given
dpi, turned by under a degree, saved as an image-only PDF). Words recovered: the share of
the text version's words (lower-cased, counted with repeats) found in what OCR read.
Writes bench/results/ocr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import time
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.corpora import DATA, WORK
from indexer.extraction import ExtractionError, Limits, extract
from indexer.extraction.ocr import OcrOptions, engine_for
from indexer.pipeline import run
from indexer.samplescan import write_scan

RESULTS = Path(__file__).resolve().parent / "results"
SEED_PDF = Path(__file__).resolve().parents[1] / "corpus" / "unitar-migration-2009.pdf"
PDF_ZOO = DATA / "pdfs"
TEXT_ONLY = Limits(ocr=OcrOptions(mode="off"))


def environment() -> dict[str, Any]:
    """Machine and versions (bench.run has the full set but needs the bench extras)."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {name: _version(name) for name in ("pypdfium2", "pytesseract", "ocrmypdf")},
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children (Tesseract runs as one): on a
    shared machine the honest measure of work per core, where wall time counts others' load."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def recovered(reference: Counter[str], found: Counter[str]) -> float:
    """Share of the reference's words (with repeats) that the OCR text holds too."""
    hits = sum(min(count, found[word]) for word, count in reference.items())
    return round(hits / sum(reference.values()), 4)


def document_text(path: Path, limits: Limits) -> str:
    return "\n".join(page.text for page in extract(path, path.name, limits).pages)


def ours(scanned: Path, reference: Counter[str], work: Path) -> dict[str, Any]:
    """Our path through the real pipeline: a cold run, a rebuild (cache hits), a re-run."""
    corpus, index_dir = work / "corpus", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    corpus.mkdir(parents=True)
    shutil.copy(scanned, corpus / scanned.name)
    cpu = cpu_seconds()
    cold = run([corpus], index_dir, rebuild=True, workers=1)
    cpu_cold, cpu = cpu_seconds() - cpu, cpu_seconds()
    rebuilt = run([corpus], index_dir, rebuild=True, workers=1)
    cpu_rebuilt = cpu_seconds() - cpu
    again = run([corpus], index_dir, workers=1)
    [status] = cold.files
    assert status.ocr is not None and status.status == "indexed", status
    cached = Limits(ocr=OcrOptions(cache_dir=str(index_dir / "ocr-cache")))
    found = words(document_text(corpus / scanned.name, cached))
    pages = len(status.ocr.pages)
    return {
        "pages": pages,
        "words_recovered": recovered(reference, found),
        "mean_confidence": status.ocr.confidence,
        "ocr_wall_seconds": status.ocr.seconds,
        "cold_run_cpu_seconds": round(cpu_cold, 2),
        "pages_per_second_per_core": round(pages / cpu_cold, 3),
        "file_seconds_cold": round(status.seconds, 2),
        "rebuild_file_seconds_cache_hit": round(rebuilt.files[0].seconds, 2),
        "rebuild_run_cpu_seconds_cache_hit": round(cpu_rebuilt, 2),
        "rebuild_cache_hits": rebuilt.files[0].ocr.cache_hits if rebuilt.files[0].ocr else 0,
        "rerun_seconds_unchanged": round(again.seconds, 3),
        "rerun_status": again.files[0].status,
    }


def ocrmypdf_run(scanned: Path, reference: Counter[str], work: Path) -> dict[str, Any]:
    """OCRmyPDF on the same file, one job, rendering with pypdfium (no Ghostscript here)."""
    import ocrmypdf  # bench extra only

    work.mkdir(parents=True, exist_ok=True)
    output, sidecar = work / "ocrmypdf.pdf", work / "ocrmypdf.txt"
    started, cpu = time.perf_counter(), cpu_seconds()
    ocrmypdf.ocr(
        scanned,
        output,
        language="eng+fra+spa",
        output_type="pdf",
        rasterizer="pypdfium",
        jobs=1,
        optimize=0,
        progress_bar=False,
        sidecar=sidecar,
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    pages = len(extract(output, output.name, TEXT_ONLY).pages)
    return {
        "version": ocrmypdf.__version__,
        "pages": pages,
        "wall_seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "pages_per_second_per_core": round(pages / cpu, 3),
        "words_recovered_sidecar": recovered(reference, words(sidecar.read_text("utf-8"))),
        "words_recovered_indexed": recovered(reference, words(document_text(output, TEXT_ONLY))),
    }


def image_only_zoo(work: Path) -> dict[str, Any]:
    """The test PDFs that have no text layer, indexed again with OCR on."""
    image_only = []
    pdfs = sorted(PDF_ZOO.rglob("*.pdf"))
    for path in pdfs:
        try:
            extract(path, path.name, TEXT_ONLY)
        except ExtractionError as error:
            if error.reason == "no-text":
                image_only.append(path)
    corpus = work / "zoo"
    shutil.rmtree(work, ignore_errors=True)
    corpus.mkdir(parents=True)
    for path in image_only:
        shutil.copy(path, corpus / path.relative_to(PDF_ZOO).as_posix().replace("/", "__"))
    report = run([corpus], work / "index", workers=1)
    indexed = sorted(f.path for f in report.files if f.status == "indexed")
    return {
        "pdfs": len(pdfs),
        "image_only": len(image_only),
        "now_indexed_with_text": len(indexed),
        "indexed": [Path(p).name.replace("__", "/") for p in indexed],
        "still_failing": {
            Path(f.path).name.replace("__", "/"): f.error
            for f in report.files
            if f.status == "failed"
        },
        "seconds": round(report.seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="OCR benchmark (issue 14).")
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    parser.add_argument("--no-ocrmypdf", action="store_true")
    parser.add_argument("--no-zoo", action="store_true")
    args = parser.parse_args()
    engine = engine_for(OcrOptions())
    if engine is None:
        raise SystemExit("Tesseract is not installed: `make ocr-deps`")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per page, for both tools
    work = WORK / "ocr"
    reference = words(document_text(SEED_PDF, TEXT_ONLY))
    results: dict[str, Any] = {
        "environment": environment(),
        "engine": f"{engine.name} ({engine.languages})",
        "target_words_recovered": 0.97,
        "reference_words": sum(reference.values()),
        "scans": {},
    }
    for dpi in args.dpi:
        (work / f"scan-{dpi}").mkdir(parents=True, exist_ok=True)
        scanned = write_scan(SEED_PDF, work / f"scan-{dpi}" / "seed-scanned.pdf", dpi=dpi)
        entry: dict[str, Any] = {"ours": ours(scanned, reference, work / f"ours-{dpi}")}
        if not args.no_ocrmypdf:
            entry["ocrmypdf"] = ocrmypdf_run(scanned, reference, work / f"ocrmypdf-{dpi}")
        results["scans"][f"{dpi}dpi"] = entry
        print(dpi, json.dumps(entry, indent=1), flush=True)
    if not args.no_zoo:
        results["image_only_test_pdfs"] = image_only_zoo(work / "zoo")
        print(json.dumps(results["image_only_test_pdfs"], indent=1))
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ocr.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
