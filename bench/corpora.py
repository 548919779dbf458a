"""Benchmark corpora under bench/work/: UN PDFs and the UN General Debate speeches, unpacked."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from indexer.ungdc import unpack_speeches, write_metadata_csv

# The read-only shared data beside the checkout (../shared), as in CI.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path(__file__).resolve().parent / "work"
UN_PDFS = DATA / "un-pdfs"
UNGDC = DATA / "ungdc"
QUICK_PDFS = 12
QUICK_SPEECHES = 1000


def pdf_corpus(quick: bool) -> Path:
    """The UN PDFs (all of them, or every sixth for quick runs) copied into one folder.

    Copies, not symlinks: the pipeline does not follow symlinks out of a corpus folder.
    """
    target = WORK / ("un-pdfs-quick" if quick else "un-pdfs")
    files = sorted(UN_PDFS.glob("*.pdf"))
    if quick:
        files = files[:: max(1, len(files) // QUICK_PDFS)][:QUICK_PDFS]
    present = sorted(p.name for p in target.glob("*.pdf") if not p.is_symlink())
    if present == [p.name for p in files]:
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, target / path.name)
    return target


def ungdc_corpus(limit: int | None = None) -> Path:
    """The speeches as <year>/<ISO3_NN_YYYY>.txt with a metadata.csv (country, year).

    With `limit`, an evenly spread subset of that many speeches (copied from the full set).
    """
    full = _unpack_all()
    if not limit:
        return full
    target = WORK / f"ungdc-{limit}"
    done = target / "metadata.csv"
    if done.is_file():
        return target
    shutil.rmtree(target, ignore_errors=True)
    with open(full / "metadata.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows = rows[1:]
    rows = rows[:: max(1, len(rows) // limit)][:limit]
    for row in rows:
        (target / row[0]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(full / row[0], target / row[0])
    write_metadata_csv(done, rows)
    return target


def _unpack_all() -> Path:
    target = WORK / "ungdc"
    if (target / "metadata.csv").is_file():
        return target
    shutil.rmtree(target, ignore_errors=True)
    unpack_speeches(sorted(UNGDC.glob("ungdc-*.tar.gz")), target)
    return target
