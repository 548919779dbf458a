"""Values given by hand: `<file>.meta.json` sidecars and `metadata.csv` rows, validated and
normalised.

A value that is not what its key needs (a year that is not a year, a date that is not a date,
a nested object, NaN, text that is not valid Unicode or longer than MAX_VALUE_CHARS) is left
out, and a sentence saying what and where goes to the file's entry in report.json; the file
is indexed without it. A metadata file that cannot be read at all is reported the same way.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.metadata.dates import iso_date
from indexer.models import FACETS

METADATA_CSV = "metadata.csv"
SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 1024 * 1024
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 1000  # one value: a facet label or a title, not a text
MAX_VALUES = 100  # values of one key
MIN_YEAR, MAX_YEAR = 1000, 9999  # four digits: what the year facet and date parsing read
_YEAR = re.compile(r"[0-9]{4}")
_SPACE = re.compile(r"\s+")

Problems = list[str]


def read_overrides(path: Path, root: Path | None = None) -> dict[str, Any]:
    """Values from `metadata.csv` files (this folder and parents up to `root`) and from
    `<file>.meta.json`; the nearer source wins. Facets come back as tuples of strings."""
    return check_overrides(path, root)[0]


def check_overrides(path: Path, root: Path | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """read_overrides' values, and one sentence per value or file that was left out."""
    path = Path(path).resolve()
    found: dict[str, Any] = {}
    problems: Problems = []
    folders = _folders(path, root)
    top = folders[-1] if root else path.parent
    for folder in reversed(folders):
        csv_path = folder / METADATA_CSV
        if csv_path.is_file():
            where = _shown(csv_path, top)
            rows, unreadable = _csv_rows(str(csv_path), where, *_stamp(csv_path))
            values, row_problems = rows.get(path.relative_to(folder), ({}, ()))
            found.update(values)
            problems += [*unreadable, *row_problems]
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        found.update(_sidecar(sidecar, _shown(sidecar, top), problems))
    return found, tuple(problems)


def normalize_overrides(
    raw: dict[str, Any],
    separator: str | None = None,
    problems: Problems | None = None,
    where: str = "",
) -> dict[str, Any]:
    """Lowercase keys; facets as tuples of strings (split on `separator`), others as str.

    Values that fail validation are left out; what and why is appended to `problems`."""
    problems = [] if problems is None else problems
    values: dict[str, Any] = {}
    for key, value in raw.items():
        key = " ".join(str(key).split()).lower()
        if not key:
            continue
        parts, why = _parts(key, value, separator)
        if why:
            problems.append(f"{where}: {_quoted(key)} {why}; ignored")
            continue
        if not parts:
            continue
        if key in FACETS:
            # A comma would split the value in the index's keyword field.
            values[key] = tuple(" ".join(p.replace(",", " ").split()) for p in parts)
        else:
            values[key] = "; ".join(parts)
    return values


def _parts(key: str, value: Any, separator: str | None) -> tuple[list[str], str]:
    """The value's text parts, or a reason why the key's value is left out."""
    if len(key) > MAX_KEY_CHARS or not _is_text(key):
        return [], "is not a usable key"
    items = list(value) if isinstance(value, list | tuple) else [value]
    parts: list[str] = []
    for item in items:
        text, why = _text(item)
        if why:
            return [], why
        parts += [text] if separator is None else text.split(separator)
    parts = [" ".join(p.split()) for p in parts if p.strip()]
    if len(parts) > MAX_VALUES:
        return [], f"has {len(parts)} values, more than {MAX_VALUES}"
    for part in parts:
        if len(part) > MAX_VALUE_CHARS:
            return [], f"has a value of {len(part):,} characters, more than {MAX_VALUE_CHARS:,}"
        if key == "year" and not _is_year(part):
            return [], f"{_quoted(part)} is not a year ({MIN_YEAR}-{MAX_YEAR})"
        if key == "date" and not _is_date(part):
            return [], f"{_quoted(part)} is not a date (YYYY, YYYY-MM-DD or 1 June 2009)"
    return parts, ""


def _text(item: Any) -> tuple[str, str]:
    """One JSON or CSV value as text, or why it cannot be one."""
    if item is None:
        return "", ""
    if isinstance(item, bool):
        return "", "holds true or false, not text or a number"
    if isinstance(item, dict | list | tuple):
        return "", "holds a nested object or list"
    if isinstance(item, float):
        if not math.isfinite(item):
            return "", f"is {item}, not a number"
        return (str(int(item)) if item.is_integer() else str(item)), ""
    if isinstance(item, int):
        return str(item), ""
    if not isinstance(item, str):
        return "", f"holds a {type(item).__name__}"
    if not _is_text(item):
        return "", "is not valid text (unpaired surrogates or control characters)"
    return item, ""


def _is_text(text: str) -> bool:
    """Encodable as UTF-8 and free of control characters other than white space."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" for c in _SPACE.sub(" ", text))


def _is_year(text: str) -> bool:
    return bool(_YEAR.fullmatch(text)) and MIN_YEAR <= int(text) <= MAX_YEAR


def _is_date(text: str) -> bool:
    """A date iso_date reads completely: a year alone, or a valid full date."""
    parsed = iso_date(text)
    return bool(parsed) and (len(parsed) == 10 or _YEAR.fullmatch(text) is not None)


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _sidecar(sidecar: Path, where: str, problems: Problems) -> dict[str, Any]:
    try:
        if sidecar.stat().st_size > MAX_SIDECAR_BYTES:
            problems.append(f"{where}: larger than {MAX_SIDECAR_BYTES:,} bytes; ignored")
            return {}
        data = json.loads(sidecar.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        problems.append(f"{where}: not UTF-8 text (byte {error.start}); ignored")
        return {}
    except (OSError, ValueError, RecursionError) as error:
        problems.append(f"{where}: not readable JSON ({error}); ignored")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{where}: not a JSON object; ignored")
        return {}
    return normalize_overrides(data, None, problems, where)


def _folders(path: Path, root: Path | None) -> list[Path]:
    """The file's folder and its parents, up to `root` (or the filesystem root)."""
    folders = []
    stop = Path(root).resolve() if root else None
    for folder in path.parents:
        folders.append(folder)
        if folder == stop:
            break
    return folders


def _shown(path: Path, top: Path) -> str:
    """A metadata file's name as the report shows it: relative to the corpus root."""
    return path.relative_to(top).as_posix() if path.is_relative_to(top) else str(path)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


CsvRows = dict[Path, tuple[dict[str, Any], tuple[str, ...]]]


@lru_cache(maxsize=32)
def _csv_rows(
    csv_path: str, where: str, mtime_ns: int, size: int
) -> tuple[CsvRows, tuple[str, ...]]:
    """A metadata.csv as relative path -> (overrides, problems), and the problems that made
    the whole file unreadable (cached until the file changes)."""
    rows: CsvRows = {}
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                name = (row.pop("file", None) or "").strip().replace("\\", "/")
                values = {k: v for k, v in row.items() if k is not None}  # ragged rows
                if name:
                    problems: Problems = []
                    line = f"{where} line {reader.line_num}"
                    found = normalize_overrides(values, ";", problems, line)
                    rows[Path(os.path.normpath(name))] = (found, tuple(problems))
    except UnicodeDecodeError as error:
        # A broken metadata.csv must not stop indexing: its files keep derived values.
        return {}, (f"{where}: not UTF-8 text (byte {error.start}); its rows are ignored",)
    except (OSError, csv.Error) as error:
        return {}, (f"{where}: not readable ({error}); its rows are ignored",)
    return rows, ()
