"""UN document symbols (A/78/375), the organs they imply, and the document's type."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from indexer.models import Document

SYMBOL = re.compile(
    r"\b(?:A|S|E|ST|DP|TD|UNEP|UNW|WFP|ICEF|FCCC|CEDAW|CRC|CCPR|CERD|CAT|CRPD)"
    r"(?:/[A-Za-z0-9.]*[A-Za-z0-9])+"
)
_SERIES = re.compile(
    r"^(?:A|S|E|ST|DP|TD|UNEP|UNW|WFP|ICEF|FCCC|CEDAW|CRC|CCPR|CERD|CAT|CRPD)"
    r"(?:/[A-Z0-9][A-Za-z0-9.\-]*)+$"
)
_TYPE_BY_SYMBOL = (
    ("/RES/", "resolution"),
    ("/DEC/", "decision"),
    ("/PRST/", "presidential statement"),
    ("/PV.", "meeting record"),
    ("/SR.", "summary record"),
)
_TYPE_BY_TEXT = (
    (r"^\s*letter dated|\bletter dated .{0,200}addressed to", "letter"),
    (r"\bnote by the (?:secretary-general|secretariat|president)", "note"),
    (r"\bresolution adopted by\b", "resolution"),
    (r"\bdecision adopted by\b", "decision"),
    (r"\breport of the\b", "report"),
    (r"\b(?:mr\.|madam|madame) president\b", "speech"),
)


def document_symbols(document: Document, first_page: str) -> tuple[str, ...]:
    """UN document symbols from the file name (A_78_375.en.pdf) or the first page's masthead."""
    name = Path(document.path).name
    stem = re.sub(r"(\.[a-z]{2})?\.[A-Za-z0-9]+$", "", name)
    candidate = stem.split(" ")[0].replace("_", "/")  # "S_RES_2768 (2025).en.pdf"
    if _SERIES.match(candidate) and re.search(r"\d", candidate):
        return (candidate,)
    found: list[str] = []
    for line in [line for line in first_page.splitlines() if line.strip()][:12]:
        symbols = SYMBOL.findall(line)
        rest = SYMBOL.sub("", line).replace("United Nations", "")
        if symbols and len(rest.strip(" -–")) <= 3:
            found += [s.rstrip(".") for s in symbols if re.search(r"\d", s)]
    return tuple(dict.fromkeys(found))


@cache
def _organ_table() -> list[tuple[str, str]]:
    text = resources.files("indexer").joinpath("data/un-organs.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]
    return sorted(((p.strip(), o.strip()) for p, o in rows), key=lambda r: -len(r[0]))


def organs(symbols: tuple[str, ...]) -> tuple[str, ...]:
    """The UN organs the symbols' prefixes name (data/un-organs.tsv), longest prefix first."""
    found = []
    for symbol in symbols:
        for prefix, organ in _organ_table():
            if symbol.startswith(prefix if prefix.endswith(".") else prefix + "/"):
                found.append(organ)
                break
    return tuple(dict.fromkeys(found))


def doc_type(symbols: tuple[str, ...], first_page: str) -> str:
    """Resolution, letter, note, ...: from the symbol, else the first page; else report."""
    for symbol in symbols:
        for marker, kind in _TYPE_BY_SYMBOL:
            if marker in symbol + "/":
                return kind
    opening = " ".join(first_page[:3000].split()).lower()
    for pattern, kind in _TYPE_BY_TEXT:
        if re.search(pattern, opening):
            return kind
    return "report"
