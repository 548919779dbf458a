"""The document page's reading view: headings, page markers and passages, query words marked.

It only lays out what `engine.get_document()` returned; it never searches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from whoosh.searching import Searcher

from search_app.engine.highlight import Marks, mark, query_marks
from search_app.engine.limits import check_deadline
from search_app.engine.query import bound_expansions, parse


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


NO_MARKS: Marks = (frozenset(), ())


def highlight_marks(searcher: Searcher, q: str) -> Marks:
    """What the search engine would mark for `q`: terms (prefixes expanded as it does) and
    phrases (marked only where their words follow each other).

    Raises BadRequest (400) for a query beyond the limits every search obeys (limits.py).
    """
    if not q.strip():
        return NO_MARKS
    parsed = parse(q, searcher.schema)
    return query_marks(bound_expansions(parsed.relaxed, searcher.reader()))


def reading_blocks(
    passages: Iterable[Mapping[str, Any]],
    marks: Marks = NO_MARKS,
    current: int | None = None,
) -> list[Block]:
    """Headings where the section changes, a marker where a new page starts, then passages.

    Passage text is HTML-escaped, with the words and phrases of `marks` in <mark>.
    """
    blocks: list[Block] = []
    path: Sequence[str] = ()
    page = 0
    headings = 0
    for passage in passages:
        check_deadline()  # a long report marked with many words and phrases
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
                html=Markup(mark(str(passage.get("text", "")), *marks)),
                current=ordinal == current,
            )
        )
    return blocks


def table_of_contents(blocks: Iterable[Block]) -> list[Block]:
    """The heading blocks, for the table of contents."""
    return [b for b in blocks if b.kind == "heading"]


def marked_passages(blocks: Iterable[Block]) -> list[Block]:
    """The passages that hold at least one marked query word, in order."""
    return [b for b in blocks if b.kind == "passage" and "<mark>" in b.html]


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
