"""Search parameters: the one validation of the query string for the pages, the API and CLI.

Reserved names are controls (q, page, per_page, sort, group, year_from, year_to, facet_size);
every facet name is a repeatable filter; anything else is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.models import FACETS
from search_app.engine.facets import DEFAULT_FACET_SIZE

SORTS = ("relevance", "newest", "oldest", "title")
GROUPS = ("document", "passage")
RESERVED = ("q", "page", "per_page", "sort", "group", "year_from", "year_to", "facet_size")
MAX_QUERY_CHARS = 1000
MAX_PER_PAGE = 100
MAX_FACET_SIZE = 100
MAX_PAGE = 10_000
MAX_ANSWERS = 20
ASK_PARAMS = ("q", "limit")


class BadRequest(Exception):
    """A request the engine refuses: `status` (HTTP), `code` (slug) and a sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: query, facet selections, year range, order and page."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    group: str = "document"
    page: int = 1
    per_page: int = 10
    facet_size: int = DEFAULT_FACET_SIZE


@dataclass(frozen=True)
class AskRequest:
    """A validated question: its text, facet selections and how many answers to give."""

    q: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = 5


# ---------------------------------------------------------------- request parsing


def parse_search_args(args: Mapping[str, Any]) -> SearchRequest:
    """Validate query-string parameters (a dict of lists, or a werkzeug MultiDict)."""
    values = _known_values(args, RESERVED)
    q = _query(values, "query")
    return SearchRequest(
        q=q,
        filters=_filters(values),
        year_from=_optional_int(values, "year_from", 0, 9999),
        year_to=_optional_int(values, "year_to", 0, 9999),
        sort=_choice(values, "sort", SORTS, "relevance"),
        group=_choice(values, "group", GROUPS, "document"),
        page=_optional_int(values, "page", 1, MAX_PAGE) or 1,
        per_page=_optional_int(values, "per_page", 1, MAX_PER_PAGE) or 10,
        facet_size=_optional_int(values, "facet_size", 1, MAX_FACET_SIZE) or DEFAULT_FACET_SIZE,
    )


def parse_ask_args(args: Mapping[str, Any]) -> AskRequest:
    """Validate /api/ask parameters: the question, `limit` and facet filters."""
    values = _known_values(args, ASK_PARAMS)
    q = _query(values, "question")
    if not q:
        raise BadRequest(400, "missing_question", "Ask a question with the 'q' parameter.")
    limit = _optional_int(values, "limit", 1, MAX_ANSWERS) or 5
    return AskRequest(q, _filters(values), limit)


def _known_values(args: Mapping[str, Any], controls: Sequence[str]) -> dict[str, list[str]]:
    """Every parameter as a list of strings; a name that is neither control nor facet is a 400."""
    values = {name: _values(args, name) for name in args}
    for name in values:
        if name not in controls and name not in FACETS:
            raise BadRequest(400, "unknown_parameter", f"Unknown parameter {name!r}.")
    return values


def _query(values: Mapping[str, list[str]], noun: str) -> str:
    raw = _single(values, "q", "")
    if len(raw) > MAX_QUERY_CHARS:
        raise BadRequest(
            400, "query_too_long", f"The {noun} is longer than {MAX_QUERY_CHARS} characters."
        )
    return " ".join(raw.split())


def _filters(values: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Selected values per facet, stripped and de-duplicated; years must be whole numbers."""
    filters = {
        name: tuple(dict.fromkeys(v.strip() for v in values[name] if v.strip()))
        for name in FACETS
        if name in values
    }
    for year in filters.get("year", ()):
        _integer("year", year, 0, 9999)
    return {name: chosen for name, chosen in filters.items() if chosen}


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(args, "getlist"):
        return [str(v) for v in args.getlist(name)]
    value = args[name]
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _single(values: Mapping[str, list[str]], name: str, default: str) -> str:
    given = values.get(name)
    if not given:
        return default
    if len(given) > 1:
        raise BadRequest(400, "bad_parameter", f"Parameter {name!r} may be given only once.")
    return given[0]


def _choice(values: Mapping[str, list[str]], name: str, allowed: Sequence[str], default: str):
    value = _single(values, name, "") or default
    if value not in allowed:
        raise BadRequest(
            400, "bad_parameter", f"Parameter {name!r} must be one of: {', '.join(allowed)}."
        )
    return value


def _optional_int(values: Mapping[str, list[str]], name: str, low: int, high: int):
    value = _single(values, name, "").strip()
    return _integer(name, value, low, high) if value else None


def _integer(name: str, value: str, low: int, high: int) -> int:
    if not value.isascii() or not value.strip().lstrip("-").isdigit():
        raise BadRequest(400, "bad_parameter", f"Parameter {name!r} must be a whole number.")
    number = int(value)
    if not low <= number <= high:
        raise BadRequest(
            400, "bad_parameter", f"Parameter {name!r} must be between {low} and {high}."
        )
    return number
