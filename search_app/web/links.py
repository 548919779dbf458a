"""Links of the search page: the current query string with one thing changed.

Every control of the page (facet values, chips, sort, grouping, pages, years) is a plain
link built here, so the page works without JavaScript and every state has a shareable URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

Pairs = list[tuple[str, str]]

# Changing what is shown starts again from page 1.
_RESETS_PAGE = "page"


def pairs_of(args: Iterable[tuple[str, str]]) -> Pairs:
    """The request's parameters as (name, value) pairs in order, empty values dropped."""
    return [(k, v) for k, v in args if v != ""]


def href(base: str, pairs: Pairs) -> str:
    """`base` with the pairs as its query string."""
    return f"{base}?{urlencode(pairs)}" if pairs else base


def toggle(pairs: Pairs, name: str, value: str) -> Pairs:
    """Select `value` of a facet if it is not selected, else deselect it; back to page 1."""
    kept = [(k, v) for k, v in pairs if k != _RESETS_PAGE]
    if (name, value) in kept:
        return [p for p in kept if p != (name, value)]
    return [*kept, (name, value)]


def replace(pairs: Pairs, **changes: object) -> Pairs:
    """Set single-valued parameters (None removes them); back to page 1 unless `page` is set."""
    names = {*changes, _RESETS_PAGE}
    kept = [(k, v) for k, v in pairs if k not in names]
    return kept + [(k, str(v)) for k, v in changes.items() if v is not None]


def without(pairs: Pairs, names: Iterable[str]) -> Pairs:
    """Drop every value of the named parameters; back to page 1."""
    dropped = {*names, _RESETS_PAGE}
    return [(k, v) for k, v in pairs if k not in dropped]


class PageLinks:
    """The links of one search page, bound to its base URL and current parameters."""

    def __init__(self, base: str, pairs: Pairs, filter_names: Iterable[str]) -> None:
        self.base = base
        self.pairs = pairs
        self.filter_names = (*filter_names, "year_from", "year_to")

    def toggle(self, name: str, value: object) -> str:
        return href(self.base, toggle(self.pairs, name, str(value)))

    def replace(self, **changes: object) -> str:
        return href(self.base, replace(self.pairs, **changes))

    def drop(self, *names: str) -> str:
        return href(self.base, without(self.pairs, names))

    def clear_filters(self) -> str:
        """Keep the query, sort and grouping; drop every facet value and the year range."""
        return href(self.base, without(self.pairs, self.filter_names))


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to show: first, last, and `width` each side of the current; None = gap."""
    shown = {1, pages, *range(page - width, page + width + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= pages)
    window: list[int | None] = []
    for n in numbers:
        if window and window[-1] is not None and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window
