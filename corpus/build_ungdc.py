"""Copy the 2023 and 2024 UN General Debate speeches into corpus/ungdc with a metadata.csv.

Usage: .venv/bin/python corpus/build_ungdc.py [../shared/data/ungdc/ungdc-2020s.tar.gz]
"""

from __future__ import annotations

import sys
from pathlib import Path

from indexer.ungdc import unpack_speeches

YEARS = (2023, 2024)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = ROOT.parent / "shared/data/ungdc/ungdc-2020s.tar.gz"


def main(archive: Path = DEFAULT_ARCHIVE) -> None:
    target = ROOT / "corpus" / "ungdc"
    rows = unpack_speeches([archive], target, YEARS)
    print(f"{len(rows)} speeches written to {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ARCHIVE)
