"""Known items: the documents a query names by their UN symbol or by their exact title.

People at the UN ask for a document by its symbol (A/78/375, S/2025/12, E/CN.5/2025/3):
a query that is or contains one puts that document first, then its addenda, corrigenda and
revisions (A/79/7/Add.1 after A/79/7) when the base symbol is asked. Symbols are compared
normalised: any case, spaces around the slashes or after "Add." removed. A query that is a
document's title, word for word, names that document too. service.py puts their best
passages before every ranked tier (ranking.Ranker.pinned), in every view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from indexer.metadata.symbols import SYMBOL
from search_app.engine.columns import columns
from search_app.engine.facets import facet_values
from search_app.engine.index_handle import Snapshot, per_generation

MAX_KNOWN = 20  # documents a query can name (a symbol's addenda included)
_IN_QUERY = re.compile(SYMBOL.pattern, re.IGNORECASE)
_PART = re.compile(r"(?:/(?:ADD|CORR|REV|AMEND)\.\d+)+")  # /Add.1, /Rev.2/Corr.1
_WORDS = re.compile(r"\w+")


def normalise_symbol(symbol: str) -> str:
    """`a / 79 / 7 / add. 1` -> `A/79/7/ADD.1`: how two spellings of a symbol compare."""
    return re.sub(r"\s+", "", symbol).upper().rstrip(".")


def query_symbols(text: str) -> list[str]:
    """The document symbols written in a query, normalised."""
    found = (normalise_symbol(m.group(0)) for m in _IN_QUERY.finditer(_joined(text)))
    return list(dict.fromkeys(s for s in found if re.search(r"\d", s)))


# A symbol as typed, hyphens allowed inside its parts (A/ES-10/1022, an emergency session's).
_SYMBOL_AS_TYPED = re.compile(
    r"\b(?:A|S|E|ST|DP|TD|UNEP|UNW|WFP|ICEF|FCCC|CEDAW|CRC|CCPR|CERD|CAT|CRPD)"
    r"(?:/[A-Za-z0-9][A-Za-z0-9.\-]*)+",
    re.IGNORECASE,
)


def symbols_only(text: str) -> bool:
    """Whether a query is document symbols and nothing else (a known-item search: its
    "meaning" is no help in finding the document)."""
    joined = _joined(text)
    found = [m.group(0) for m in _SYMBOL_AS_TYPED.finditer(joined)]
    rest = _SYMBOL_AS_TYPED.sub(" ", joined)
    return bool(found) and all(re.search(r"\d", s) for s in found) and not rest.strip(" ,;")


def _joined(text: str) -> str:
    """Spaces around slashes and after "Add." taken out, as symbols are written."""
    joined = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"(?i)\b(add|corr|rev|amend)\.\s+(?=\d)", r"\1.", joined)


def normalise_title(text: str) -> str:
    """A title's words, casefolded, without punctuation."""
    return " ".join(_WORDS.findall(text.casefold()))


@per_generation
def symbol_values(snapshot: Snapshot) -> dict[str, list[str]]:
    """Normalised symbol -> the `symbol` facet's values spelling it (cached)."""
    found: dict[str, list[str]] = {}
    for value in facet_values(snapshot, "symbol").values:
        found.setdefault(normalise_symbol(str(value)), []).append(value)
    return found


@per_generation
def titles(snapshot: Snapshot) -> dict[str, list[str]]:
    """Normalised title -> the document ids with that title (cached)."""
    found: dict[str, list[str]] = {}
    for document_id, record in snapshot.manifest.items():
        title = normalise_title(str(record.get("title") or ""))
        if title:
            found.setdefault(title, []).append(document_id)
    return found


def known_documents(snapshot: Snapshot, text: str) -> list[np.ndarray]:
    """Passage masks of the documents `text` names, in the order they should come."""
    size = len(columns(snapshot).doc)
    masks = [
        facet_values(snapshot, "symbol").mask(tuple(v), size)
        for v in _symbol_groups(snapshot, text)
    ]
    named = titles(snapshot).get(normalise_title(text), [])
    masks += [_document_mask(snapshot, document_id) for document_id in named]
    return _one_per_document(snapshot, masks)[:MAX_KNOWN]


def _symbol_groups(snapshot: Snapshot, text: str) -> list[list[str]]:
    """For each symbol asked: its own values, then each addendum's, corrigendum's, revision's."""
    index = symbol_values(snapshot)
    groups: list[list[str]] = []
    for asked in query_symbols(text):
        if asked in index:
            groups.append(index[asked])
        parts = [s for s in index if s.startswith(asked + "/") and _PART.fullmatch(s[len(asked) :])]
        groups += [index[s] for s in sorted(parts, key=_natural)]
    return groups


def _natural(symbol: str) -> list[object]:
    """A/79/7/ADD.2 before A/79/7/ADD.10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", symbol)]


def _document_mask(snapshot: Snapshot, document_id: str) -> np.ndarray:
    cols = columns(snapshot)
    try:
        return cols.doc == cols.document_ids.index(document_id)
    except ValueError:
        return np.zeros(len(cols.doc), dtype=bool)


def _one_per_document(snapshot: Snapshot, masks: Iterable[np.ndarray]) -> list[np.ndarray]:
    """Each document once (its first mention), split by document, empty masks dropped."""
    cols = columns(snapshot)
    seen: set[int] = set()
    found = []
    for mask in masks:
        for doc in dict.fromkeys(cols.doc[mask].tolist()):
            if doc >= 0 and doc not in seen:
                seen.add(doc)
                found.append(cols.doc == doc)
    return found
