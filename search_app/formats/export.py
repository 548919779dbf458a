"""A search's results as a file: CSV, JSON Lines, RIS or BibTeX, written record by record.

CSV and JSON Lines hold one record per report in the grouped view and one per passage in the
passage view (with its page or paragraph, section and text). RIS and BibTeX hold one
reference per report in either view: a reference manager cites reports, and a BibTeX key
names one entry.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from search_app.engine import BadRequest, SearchRequest, parse_search_args
from search_app.engine.params import split_controls, whole_number
from search_app.formats.citations import bibtex, ris
from search_app.formats.reference import Reference, reference

DEFAULT_LIMIT = 1000  # records of an export unless `limit` says otherwise
MAX_LIMIT = 1000  # about 0.5 s of computing in the passage view: within every request's budget
EXPORT_PARAMS = ("format", "limit")


@dataclass(frozen=True)
class Format:
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "csv": Format("text/csv; charset=utf-8", "csv"),
    "jsonl": Format("application/x-ndjson; charset=utf-8", "jsonl"),
    "ris": Format("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": Format("application/x-bibtex; charset=utf-8", "bib"),
}
DOCUMENT_COLUMNS = (
    "rank",
    "document_id",
    "title",
    "issuer",
    "symbol",
    "date",
    "year",
    "doc_type",
    "country",
    "language",
    "url",
    "file_url",
    "citation_key",
)
PASSAGE_COLUMNS = ("passage_id", "page_start", "page_end", "paragraph", "section", "text")
# A spreadsheet runs a cell that starts so as a formula: such values get a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_export_args(args: Mapping[str, Any]) -> tuple[SearchRequest, str, int]:
    """The search (every /api/search parameter, as it validates them), `format` and `limit`."""
    search_args, controls = split_controls(args, EXPORT_PARAMS)
    request = parse_search_args(search_args)
    fmt = controls.get("format") or "csv"
    if fmt not in FORMATS:
        raise BadRequest(
            400, "bad_parameter", f"Parameter 'format' must be one of: {', '.join(FORMATS)}."
        )
    limit = whole_number("limit", controls.get("limit", str(DEFAULT_LIMIT)), 1, MAX_LIMIT)
    return request, fmt, limit


def write(fmt: str, results: Iterable[dict[str, Any]], group: str, base_url: str) -> Iterator[str]:
    """The file in format `fmt`, a piece per record, from /api/search results."""
    writer = {"csv": _csv, "jsonl": _jsonl, "ris": _ris, "bibtex": _bibtex}[fmt]
    return writer(results, group, base_url)


def record(result: dict[str, Any], rank: int, group: str, base_url: str) -> dict[str, Any]:
    """One CSV or JSON Lines record of a result: lists stay lists (CSV joins them)."""
    ref = reference(result, base_url)
    row: dict[str, Any] = {
        "rank": rank,
        "document_id": ref.document_id,
        "title": ref.title,
        "issuer": ref.issuer,
        "symbol": ref.symbol,
        "date": ref.date,
        "year": ref.year,
        "doc_type": ref.doc_type,
        "country": list(ref.countries),
        "language": list(ref.languages),
        "url": ref.url,
        "file_url": ref.file_url,
        "citation_key": ref.key,
    }
    if group == "passage":
        row.update({name: result.get(name) for name in PASSAGE_COLUMNS})
        row["url"] = urljoin(base_url, result["url"])  # opens at the passage
        row["file_url"] = urljoin(base_url, result["file_url"])  # at its page
    return row


def _csv(results: Iterable[dict[str, Any]], group: str, base_url: str) -> Iterator[str]:
    """UTF-8 with a byte-order mark (spreadsheets read the encoding from it), one header."""
    columns = DOCUMENT_COLUMNS + (PASSAGE_COLUMNS if group == "passage" else ())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + _drain(buffer)
    for rank, result in enumerate(results, 1):
        row = record(result, rank, group, base_url)
        writer.writerow([_cell(row[name]) for name in columns])
        yield _drain(buffer)


def _jsonl(results: Iterable[dict[str, Any]], group: str, base_url: str) -> Iterator[str]:
    for rank, result in enumerate(results, 1):
        yield json.dumps(record(result, rank, group, base_url), ensure_ascii=False) + "\n"


def _ris(results: Iterable[dict[str, Any]], group: str, base_url: str) -> Iterator[str]:
    for ref in _references(results, base_url):
        yield ris([ref]) + "\n"


def _bibtex(results: Iterable[dict[str, Any]], group: str, base_url: str) -> Iterator[str]:
    for ref in _references(results, base_url):
        yield bibtex([ref]) + "\n"


def _references(results: Iterable[dict[str, Any]], base_url: str) -> Iterator[Reference]:
    """One reference per report, in the order of its first result."""
    seen: set[str] = set()
    for result in results:
        if result["document_id"] not in seen:
            seen.add(result["document_id"])
            yield reference(result, base_url)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
