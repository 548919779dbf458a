"""A document's date: overrides, a UN date line, file metadata, or the years it mentions."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date as Date
from typing import Any

from indexer.models import Document

FIRST_YEAR, LAST_YEAR = 1900, Date.today().year + 1

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {month: i + 1 for i, month in enumerate(_MONTH_NAMES.split(" "))}
_DATE_LINE = re.compile(
    r"^(?:Distr\.?:?\s*\w+\s+)?(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})$", re.I
)
_ISO_DATE = re.compile(r"(?:D:)?(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")
_YEAR = re.compile(r"(?<![\d/.-])(1[9]\d\d|20\d\d)(?![\d/])")


def document_date(document: Document, first_page: str, overrides: dict[str, Any]) -> str:
    """ISO date or year: overrides, else a date line on the first page (UN documents print
    it under "Distr."), else metadata (a PDF's creation date may be a later scan's), else
    a year in the title, else the most frequent year on the first page."""
    for value in (overrides.get("date"), (overrides.get("year") or [None])[0]):
        if value and (parsed := iso_date(str(value))):
            return parsed
    for line in first_page.splitlines()[:40]:
        match = _DATE_LINE.match(" ".join(line.split()))
        if match:
            day, month, year = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
            if FIRST_YEAR <= year <= LAST_YEAR:
                return f"{year:04d}-{month:02d}-{day:02d}"
    if parsed := iso_date(str(document.metadata.get("date") or "")):
        return parsed
    for source in (document.title, first_page[:20000]):
        years = [y for y in _YEAR.findall(source) if FIRST_YEAR <= int(y) <= LAST_YEAR]
        if years:
            return Counter(years).most_common(1)[0][0]
    return ""


def iso_date(value: str) -> str:
    """'2009-06-01', '2009', 'D:20091231...' or '1 June 2009' as ISO 'YYYY[-MM-DD]'; or ''."""
    value = value.strip()
    match = _DATE_LINE.match(value)
    if match:
        return f"{int(match[3]):04d}-{_MONTHS[match[2].lower()]:02d}-{int(match[1]):02d}"
    match = _ISO_DATE.match(value)
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return ""
    if match[2] and match[3]:
        try:
            return Date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return match[1]
    return match[1]
