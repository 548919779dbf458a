"""Copy the 2023 and 2024 UN General Debate speeches into corpus/ungdc with a metadata.csv.

Usage: .venv/bin/python corpus/build_ungdc.py [../shared/data/ungdc/ungdc-2020s.tar.gz]
"""

from __future__ import annotations

import csv
import re
import sys
import tarfile
from pathlib import Path

from indexer.gazetteer import country_name

YEARS = (2023, 2024)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = ROOT.parent / "shared/data/ungdc/ungdc-2020s.tar.gz"
NAME = re.compile(r"(?P<iso3>[A-Z]{2,3})_(?P<session>\d{2})_(?P<year>\d{4})\.txt$")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def main(archive: Path = DEFAULT_ARCHIVE) -> None:
    target = ROOT / "corpus" / "ungdc"
    rows = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            match = NAME.search(member.name)
            if not member.isfile() or not match or int(match["year"]) not in YEARS:
                continue
            iso3, session, year = match["iso3"], int(match["session"]), match["year"]
            country = country_name(iso3) or iso3
            relative = f"{year}/{Path(member.name).name}"
            (target / year).mkdir(parents=True, exist_ok=True)
            (target / relative).write_bytes(tar.extractfile(member).read())
            title = f"{country} - General Debate statement, {ordinal(session)} session ({year})"
            rows.append([relative, title, country, year, year, "speech"])
    rows.sort()
    with open(target / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "country", "year", "date", "doc_type"])
        writer.writerows(rows)
    print(f"{len(rows)} speeches written to {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ARCHIVE)
