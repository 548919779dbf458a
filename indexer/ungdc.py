"""Unpack UN General Debate Corpus archives into `<year>/ISO3_SS_YYYY.txt` plus metadata.csv.

Used to build the bundled corpus (corpus/build_ungdc.py) and the benchmark corpus
(bench/corpora.py). The metadata.csv gives each speech its title, country, year and type.
"""

from __future__ import annotations

import csv
import re
import tarfile
from collections.abc import Container, Iterable
from pathlib import Path

from indexer.metadata.gazetteer import country_name

NAME = re.compile(r"(?P<iso3>[A-Z]{2,3})_(?P<session>\d{2})_(?P<year>\d{4})\.txt$")
HEADER = ["file", "title", "country", "year", "date", "doc_type", "publisher"]
# Statements in the General Debate are records of the General Assembly.
PUBLISHER = "UNGA"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def unpack_speeches(
    archives: Iterable[Path], target: Path, years: Container[int] | None = None
) -> list[list[str]]:
    """Write the speeches (of `years`, or all) under `target` with metadata.csv; return its rows."""
    rows: list[list[str]] = []
    for archive in archives:
        with tarfile.open(archive) as tar:
            for member in tar:
                match = NAME.search(member.name)
                if member.isfile() and match and (years is None or int(match["year"]) in years):
                    rows.append(_unpack(tar, member, match, target))
    rows.sort()
    write_metadata_csv(target / "metadata.csv", rows)
    return rows


def write_metadata_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _unpack(
    tar: tarfile.TarFile, member: tarfile.TarInfo, match: re.Match, target: Path
) -> list[str]:
    iso3, session, year = match["iso3"], int(match["session"]), match["year"]
    country = country_name(iso3) or iso3
    relative = f"{year}/{Path(member.name).name}"
    (target / year).mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    if source is None:  # matched by name, but a folder or a link, not a speech
        raise ValueError(f"{member.name} is not a regular file")
    (target / relative).write_bytes(source.read())
    title = f"{country} - General Debate statement, {ordinal(session)} session ({year})"
    return [relative, title, country, year, year, "speech", PUBLISHER]
