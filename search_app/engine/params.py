"""Search parameters: the one validation of the query string for the pages, the API and CLI.

Reserved names are controls (q, like, correct, page, per_page, sort, group, year_from, year_to,
facet_size, mode);
every facet name is a repeatable filter; anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.models import FACETS
from search_app.engine.facets import DEFAULT_FACET_SIZE
from search_app.engine.limits import MAX_QUERY_CHARS, BadRequest

SORTS = ("relevance", "newest", "oldest", "title")
GROUPS = ("document", "passage")
RESERVED = (
    "q",
    "like",
    "correct",
    "page",
    "per_page",
    "sort",
    "group",
    "year_from",
    "year_to",
    "facet_size",
    "mode",
)
# How results are found: words and meaning together, words alone, meaning alone.
MODES = ("hybrid", "lexical", "semantic")
CORRECT = ("auto", "off")  # search a query's spelling correction when it finds little
MAX_PER_PAGE = 100
MAX_ID_CHARS = 1000  # a passage or document id given as `like`
MAX_FACET_SIZE = 100
MAX_PAGE = 10_000
MAX_ANSWERS = 20
MAX_SUGGESTIONS = 50
ASK_PARAMS = ("q", "limit", "year_from", "year_to")
SUGGEST_PARAMS = ("q", "limit")
MAX_YEAR = 9999
# A whole number as int() reads ASCII text: an optional sign and digits, nothing else.
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
# A character str.split() does not treat as a space, for the JSON Schema of a question (which
# must not be blank): the Rust and ECMA \s differ from Python's on \x1c-\x1f, \x85 and \ufeff.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]|\ufeff"


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
    like: str = ""  # a passage or document id: rank passages similar to it (q then filters)
    correct: bool = True  # search the spelling correction of a query that finds little
    mode: str = ""  # one of MODES; "" for the index's default (engine.service.default_mode)


@dataclass(frozen=True)
class AskRequest:
    """A validated question: its text, facet selections and how many answers to give."""

    q: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = 5
    year_from: int | None = None
    year_to: int | None = None


# ---------------------------------------------------------------- request parsing


def parse_search_args(args: Mapping[str, Any]) -> SearchRequest:
    """Validate query-string parameters (a dict of lists, or a werkzeug MultiDict)."""
    values = _known_values(args, RESERVED)
    q = _query(values, "query")
    like = _single(values, "like", "")
    if len(like) > MAX_ID_CHARS:  # as sent, spaces included (as the OpenAPI maxLength counts)
        raise BadRequest(400, "bad_parameter", f"'like' is longer than {MAX_ID_CHARS} characters.")
    like = like.strip()
    return SearchRequest(
        q=q,
        like=like,
        correct=_choice(values, "correct", CORRECT, "auto") == "auto",
        mode=_choice(values, "mode", ("", *MODES), "") if values.get("mode") else "",
        filters=_filters(values),
        year_from=_optional_int(values, "year_from", 0, MAX_YEAR),
        year_to=_optional_int(values, "year_to", 0, MAX_YEAR),
        sort=_choice(values, "sort", SORTS, "relevance"),
        group=_choice(values, "group", GROUPS, "document"),
        page=_optional_int(values, "page", 1, MAX_PAGE) or 1,
        per_page=_optional_int(values, "per_page", 1, MAX_PER_PAGE) or 10,
        facet_size=_optional_int(values, "facet_size", 1, MAX_FACET_SIZE) or DEFAULT_FACET_SIZE,
    )


def parse_ask_args(args: Mapping[str, Any]) -> AskRequest:
    """Validate /api/ask parameters: the question, `limit`, facet filters and year range."""
    values = _known_values(args, ASK_PARAMS)
    q = _query(values, "question")
    if not q:
        raise BadRequest(400, "missing_question", "Ask a question with the 'q' parameter.")
    limit = _optional_int(values, "limit", 1, MAX_ANSWERS) or 5
    return AskRequest(
        q,
        _filters(values),
        limit,
        year_from=_optional_int(values, "year_from", 0, MAX_YEAR),
        year_to=_optional_int(values, "year_to", 0, MAX_YEAR),
    )


def parse_suggest_args(args: Mapping[str, Any]) -> tuple[str, int]:
    """Validate /api/suggest parameters: the typed text `q` and `limit`, each at most once."""
    values = {name: _values(args, name) for name in args}
    for name in values:
        if name not in SUGGEST_PARAMS:
            raise BadRequest(400, "unknown_parameter", f"Unknown parameter {name!r}.")
    limit = whole_number("limit", _single(values, "limit", "10"), 1, MAX_SUGGESTIONS)
    return _single(values, "q", ""), limit


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
        if name in values and name != "year"
    }
    if "year" in values:  # as written: no spaces, not empty
        years = (whole_number("year", v, 0, MAX_YEAR) for v in values["year"])
        filters["year"] = tuple(dict.fromkeys(str(year) for year in years))
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
            400,
            "bad_parameter",
            f"Parameter {name!r} must be one of: {', '.join(a for a in allowed if a)}.",
        )
    return value


def _optional_int(values: Mapping[str, list[str]], name: str, low: int, high: int):
    """None when not given; given, even empty, it must be a number."""
    return whole_number(name, _single(values, name, ""), low, high) if values.get(name) else None


def whole_number(name: str, value: str, low: int, high: int) -> int:
    """The integer `value` spells, between `low` and `high`; else a 400 naming the parameter."""
    if not WHOLE_NUMBER.fullmatch(value):
        raise BadRequest(400, "bad_parameter", f"Parameter {name!r} must be a whole number.")
    number = int(value)
    if not low <= number <= high:
        raise BadRequest(
            400, "bad_parameter", f"Parameter {name!r} must be between {low} and {high}."
        )
    return number


def split_controls(
    args: Mapping[str, Any], names: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Another endpoint's own controls (`names`, each at most once) apart from the search
    parameters it also takes, which parse_search_args then validates."""
    values = {name: _values(args, name) for name in args}
    controls = {name: _single(values, name, "") for name in names if name in values}
    return {k: v for k, v in values.items() if k not in names}, controls
