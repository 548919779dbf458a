"""One document as a reference: the facts every format cites, with keys that stay put.

The citation key and the feed entry id are derived from the document id, which is the file's
path under its corpus folder: re-indexing, a rebuild or another server over the same files
gives the same ones, whatever internal numbers the index uses.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from indexer.metadata.gazetteer import organization_full_names

# Document types whose issuer is the speaking Member State: the country facet names it.
SPOKEN = ("speech", "statement")
# Metadata keys (a sidecar's or a PDF's) naming who issued a document, most specific first.
ISSUER_KEYS = ("published_by", "publisher", "issued_by", "author")
KEY_STEM_CHARS = 40
_NOT_KEY = re.compile(r"[^A-Za-z0-9_]+")
# The namespace of feed entry ids: uuid5 of this and the document id.
ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "report-search:document")


@dataclass(frozen=True)
class Reference:
    """A document's citable facts; URLs absolute."""

    document_id: str
    key: str  # BibTeX/RIS citation key
    entry_id: str  # Atom entry id (urn:uuid)
    title: str
    issuer: str  # corporate author: the issuing organization or Member State
    symbol: str  # UN document symbol, "" when none
    date: str  # "2009-12-01", "2009" or ""
    doc_type: str
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    url: str  # the document page
    file_url: str

    @property
    def year(self) -> str:
        return self.date[:4]


def reference(doc: dict[str, Any], base_url: str) -> Reference:
    """The Reference of a document card, search result or document body."""
    document_id = doc["document_id"]
    metadata = doc.get("metadata") or {}
    return Reference(
        document_id=document_id,
        key=citation_key(document_id),
        entry_id=entry_id(document_id),
        title=one_line(doc.get("title") or document_id),
        issuer=issuer(doc),
        symbol=one_line(", ".join(_values(doc, "symbol"))),
        date=str(doc.get("date") or metadata.get("date") or ""),
        doc_type=one_line(", ".join(_values(doc, "doc_type"))),
        countries=tuple(_values(doc, "country")),
        languages=tuple(_values(doc, "language")),
        url=urljoin(base_url, _document_page(doc)),
        file_url=urljoin(base_url, str(doc.get("file_url") or "").split("#")[0]),
    )


def citation_key(document_id: str) -> str:
    """`AGO_78_2023-3f9a1c`: the file's name (ASCII letters, digits and _) and six hex digits
    of the id's SHA-256, so that two files of one name in two folders differ."""
    stem = document_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    readable = _NOT_KEY.sub("_", ascii_stem).strip("_")[:KEY_STEM_CHARS] or "document"
    return f"{readable}-{hashlib.sha256(document_id.encode('utf-8')).hexdigest()[:6]}"


def entry_id(document_id: str) -> str:
    """The document's Atom entry id: a name-based UUID of its id."""
    return uuid.uuid5(ENTRY_NAMESPACE, document_id).urn


def issuer(doc: dict[str, Any]) -> str:
    """Who issued the document: the speaking country of a speech (its author, though the
    General Assembly publishes the record), else a published-by value or a sidecar's or PDF's
    publisher or author, organizations by their full names; "" when unknown."""
    doc_types = {t.lower() for t in _values(doc, "doc_type")}
    countries = _values(doc, "country")
    if countries and doc_types & set(SPOKEN):
        return countries[0]
    metadata = doc.get("metadata") or {}
    for key in ISSUER_KEYS:
        found = _values(doc, key) or _as_list(metadata.get(key))
        if found:
            return one_line(organization_full_names().get(found[0], found[0]))
    return ""


def one_line(text: str) -> str:
    """Whitespace (newlines too) as single spaces: RIS and CSV readers read lines."""
    return " ".join(str(text).split())


def _values(doc: dict[str, Any], name: str) -> list[str]:
    """A facet's values from the document (or its metadata), as strings."""
    found = _as_list(doc.get(name))
    return found or _as_list((doc.get("metadata") or {}).get(name))


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in items if str(v).strip()]


def _document_page(doc: dict[str, Any]) -> str:
    """The document page without the passage or query of a result's link."""
    return str(doc.get("url") or "").split("?")[0].split("#")[0]
