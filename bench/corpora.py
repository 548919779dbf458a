"""Benchmark corpora under bench/work/: UN PDFs and the UN General Debate speeches, unpacked."""

from __future__ import annotations

import csv
import re
import shutil
import tarfile
from pathlib import Path

# The read-only shared data beside the checkout (../shared), as in CI.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORK = Path(__file__).resolve().parent / "work"
UN_PDFS = DATA / "un-pdfs"
UNGDC = DATA / "ungdc"
NAME = re.compile(r"(?P<iso3>[A-Z]{2,3})_(?P<session>\d{2})_(?P<year>\d{4})\.txt$")
QUICK_PDFS = 40
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
    header, rows = rows[0], rows[1:]
    rows = rows[:: max(1, len(rows) // limit)][:limit]
    for row in rows:
        (target / row[0]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(full / row[0], target / row[0])
    _write_csv(done, header, rows)
    return target


def _unpack_all() -> Path:
    target = WORK / "ungdc"
    done = target / "metadata.csv"
    if done.is_file():
        return target
    from indexer.gazetteer import country_name  # the product's own ISO3 -> name table

    shutil.rmtree(target, ignore_errors=True)
    rows: list[list[str]] = []
    for archive in sorted(UNGDC.glob("ungdc-*.tar.gz")):
        with tarfile.open(archive) as tar:
            for member in tar:
                match = NAME.search(member.name)
                if member.isfile() and match:
                    rows.append(_unpack(tar, member, match, target, country_name))
    header = ["file", "title", "country", "year", "date", "doc_type"]
    _write_csv(done, header, sorted(rows))
    return target


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _unpack(tar: tarfile.TarFile, member: tarfile.TarInfo, match, target: Path, names) -> list[str]:
    iso3, session, year = match["iso3"], int(match["session"]), match["year"]
    country = names(iso3) or iso3
    relative = f"{year}/{Path(member.name).name}"
    (target / year).mkdir(parents=True, exist_ok=True)
    (target / relative).write_bytes(tar.extractfile(member).read())
    title = f"{country} - General Debate statement, session {session} ({year})"
    return [relative, title, country, year, year, "speech"]
