"""Benchmark corpora under bench/work/: UN PDFs and the UN General Debate speeches, unpacked."""

from __future__ import annotations

import csv
import re
import shutil
import tarfile
from pathlib import Path

DATA = Path("/work/shared/data")
WORK = Path(__file__).resolve().parent / "work"
UN_PDFS = DATA / "un-pdfs"
UNGDC = DATA / "ungdc"
NAME = re.compile(r"(?P<iso3>[A-Z]{2,3})_(?P<session>\d{2})_(?P<year>\d{4})\.txt$")
QUICK_PDFS = 40
QUICK_SPEECHES = 1000


def pdf_corpus(quick: bool) -> Path:
    """The UN PDFs (all of them, or every sixth for quick runs) as a folder of symlinks."""
    target = WORK / ("un-pdfs-quick" if quick else "un-pdfs")
    files = sorted(UN_PDFS.glob("*.pdf"))
    if quick:
        files = files[:: max(1, len(files) // QUICK_PDFS)][:QUICK_PDFS]
    if target.is_dir() and len(list(target.glob("*.pdf"))) == len(files):
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in files:
        (target / path.name).symlink_to(path)
    return target


def ungdc_corpus(quick: bool) -> Path:
    """The speeches unpacked as <year>/<ISO3_NN_YYYY>.txt with a metadata.csv (country, year)."""
    target = WORK / ("ungdc-quick" if quick else "ungdc")
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
                if not member.isfile() or not match:
                    continue
                rows.append(_unpack(tar, member, match, target, country_name))
    if quick:
        keep = {tuple(r) for r in rows[:: max(1, len(rows) // QUICK_SPEECHES)][:QUICK_SPEECHES]}
        for row in rows:
            if tuple(row) not in keep:
                (target / row[0]).unlink()
        rows = [r for r in rows if tuple(r) in keep]
    with open(done, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "country", "year", "date", "doc_type"])
        writer.writerows(sorted(rows))
    return target


def _unpack(tar: tarfile.TarFile, member: tarfile.TarInfo, match, target: Path, names) -> list[str]:
    iso3, session, year = match["iso3"], int(match["session"]), match["year"]
    country = names(iso3) or iso3
    relative = f"{year}/{Path(member.name).name}"
    (target / year).mkdir(parents=True, exist_ok=True)
    (target / relative).write_bytes(tar.extractfile(member).read())
    title = f"{country} - General Debate statement, session {session} ({year})"
    return [relative, title, country, year, year, "speech"]
