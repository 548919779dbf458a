"""The document page's reading view: headings, page markers and passages, query words marked.

It only lays out what `engine.get_document()` returned; it never searches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from indexer.analysis import TOKEN_PATTERN, analyze, stopwords

_TOKEN = re.compile(TOKEN_PATTERN)
# Query syntax that names no word of the text: field names before ':' and excluded words.
_EXCLUDED = re.compile(r"(?:^|\s)-(?:\"[^\"]*\"|\S+)")
_FIELD = re.compile(r"\b\w+:")
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass
class Block:
    """One item of the reading view, in document order."""

    kind: str  # "heading", "page" or "passage"
    text: str = ""
    level: int = 0  # heading depth, 1 = top
    anchor: str = ""
    page: int = 0
    passage: Mapping[str, Any] = field(default_factory=dict)
    html: Markup = Markup("")
    current: bool = False


def query_stems(q: str) -> frozenset[str]:
    """Index terms of the words a query looks for (not its excluded words or field names)."""
    text = _FIELD.sub(" ", _EXCLUDED.sub(" ", q or ""))
    words = [w for w in _TOKEN.findall(text) if w not in _OPERATORS]
    return frozenset(analyze(" ".join(w.rstrip("*~") for w in words)))


def mark_terms(text: str, stems: frozenset[str]) -> Markup:
    """HTML-escape `text` and wrap each word whose index term is in `stems` in <mark>."""
    if not stems:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word.lower() in stopwords():
            continue
        terms = analyze(word)
        if terms and terms[0] in stems:
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def reading_blocks(
    passages: Iterable[Mapping[str, Any]], q: str = "", current: int | None = None
) -> list[Block]:
    """Headings where the section changes, a marker where a new page starts, then passages."""
    stems = query_stems(q)
    blocks: list[Block] = []
    path: Sequence[str] = ()
    page = 0
    headings = 0
    for passage in passages:
        start = int(passage.get("page_start") or 0)
        if start > page:
            blocks.append(Block("page", page=start, anchor=f"page-{start}"))
            page = start
        new_path = tuple(passage.get("section_path") or ())
        shared = _common_prefix(path, new_path)
        for depth in range(shared, len(new_path)):
            headings += 1
            blocks.append(
                Block("heading", text=new_path[depth], level=depth + 1, anchor=f"s-{headings}")
            )
        path = new_path
        ordinal = int(passage.get("ordinal", 0))
        blocks.append(
            Block(
                "passage",
                anchor=f"p-{ordinal}",
                passage=passage,
                page=start,
                html=mark_terms(str(passage.get("text", "")), stems),
                current=ordinal == current,
            )
        )
    return blocks


def table_of_contents(blocks: Iterable[Block]) -> list[Block]:
    """The heading blocks, for the table of contents."""
    return [b for b in blocks if b.kind == "heading"]


def marked_count(blocks: Iterable[Block]) -> int:
    """How many passages hold at least one marked query word."""
    return sum(1 for b in blocks if b.kind == "passage" and "<mark>" in b.html)


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
