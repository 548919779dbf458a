"""What a query says before Whoosh reads it: field clauses, operators and names.

A field clause (`year:2009`, `organization:IOM`, `title:migration`) always restricts: it is
taken out of the text here and AND'ed with the rest, whatever operator stood beside it.
Country names and organization acronyms typed in the query are widened to the other names of
the same country or body ("Turkey" finds "Türkiye", "WHO" finds "World Health
Organization"), and the widening is reported so the page can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from indexer.index.analysis import analyze
from indexer.metadata.gazetteer import countries, organization_table
from indexer.models import FACETS

CLAUSE_FIELDS: tuple[str, ...] = ("title", "section", *FACETS)
_VALUE = r'"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|[^\s()"]+'
_CLAUSE = re.compile(rf"(?<![^\s(])([+-]?)({'|'.join(CLAUSE_FIELDS)}):({_VALUE})", re.IGNORECASE)
_OPERATOR_WORD = re.compile(r"^(?:AND|OR|NOT)$")
# Typed operators: AND, OR, NOT or a leading +. A leading - only excludes; parentheses
# alone only group words that must all be there anyway ("(i.e., expert systems)").
_OPERATORS = re.compile(r"(?:^|[\s(])(?:AND|OR|NOT)(?=[\s()]|$)|(?<![^\s(])\+(?=\S)")
# A question mark ending a word or a query is punctuation ("computers?", "(TSS)?"), not a
# one-letter wildcard; inside a word (wom?n) it is one.
_QUESTION_MARK = re.compile(r"\?+(?=[\s)\].,;:!\"']|$)")
_QUOTED = re.compile(r'"[^"]*"')
_WORD = re.compile(r"[\w'’.-]+")
MAX_NAME_WORDS = 5


@dataclass(frozen=True)
class Clause:
    """One `field:value` taken from the query; `negated` for `-field:value`."""

    field: str
    value: str
    negated: bool = False

    @property
    def text(self) -> str:
        return f"{self.field}:{self.value}"


def without_question_marks(text: str) -> str:
    """`text` without the question marks that end words or the query: "What is X?" is a
    question; `wom?n` keeps its wildcard."""
    return _QUESTION_MARK.sub("", text)


def split_clauses(text: str) -> tuple[str, tuple[Clause, ...]]:
    """The words of `text` without its field clauses, and the clauses (outside quotes)."""
    clauses: list[Clause] = []
    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def take(match: re.Match[str]) -> str:
        if any(a <= match.start() < b for a, b in quoted):
            return match.group(0)
        sign, field, value = match.groups()
        clauses.append(Clause(field.lower(), value, sign == "-"))
        return " "

    words = _CLAUSE.sub(take, text)
    return _tidy_operators(words), tuple(clauses)


def _tidy_operators(words: str) -> str:
    """Drop operators left dangling where a clause was taken out (`migration OR`)."""
    tokens = words.split()
    kept: list[str] = []
    for token in tokens:
        if _OPERATOR_WORD.match(token) and (not kept or _OPERATOR_WORD.match(kept[-1])):
            continue
        kept.append(token)
    while kept and _OPERATOR_WORD.match(kept[-1]):
        kept.pop()
    return " ".join(kept)


def has_operators(words: str) -> bool:
    """Whether the words carry typed boolean operators (then no passages with only some of
    the words are offered: the query says which words must be there)."""
    return bool(_OPERATORS.search(_QUOTED.sub(" ", words)))


# ---------------------------------------------------------------- names


@dataclass(frozen=True)
class Expansion:
    """A name typed in the query and the other names searched with it."""

    typed: str
    also: tuple[str, ...]


def widen_names(words: str) -> tuple[str, tuple[Expansion, ...]]:
    """`words` with each country name and capitalised organization acronym outside quotes
    replaced by a group of its names (`("Turkey" OR "Türkiye")`), and what was widened."""
    expansions: list[Expansion] = []
    out: list[str] = []
    last = 0
    for start, end in _unquoted_spans(words):
        out.append(words[last:start])
        segment, found = _widen_segment(words[start:end])
        out.append(segment)
        expansions += found
        last = end
    out.append(words[last:])
    return "".join(out), tuple(expansions)


def _unquoted_spans(text: str) -> list[tuple[int, int]]:
    spans, last = [], 0
    for match in _QUOTED.finditer(text):
        spans.append((last, match.start()))
        last = match.end()
    spans.append((last, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _widen_segment(segment: str) -> tuple[str, list[Expansion]]:
    matches = list(_WORD.finditer(segment))
    pieces: list[str] = []
    found: list[Expansion] = []
    i, last = 0, 0
    while i < len(matches):
        hit = _longest_name(segment, matches, i)
        if hit is None:
            i += 1
            continue
        j, typed, names = hit
        start, end = matches[i].start(), matches[j].end()
        if start > 0 and segment[start - 1] in "+-":  # a required or excluded word: as typed
            i = j + 1
            continue
        pieces.append(segment[last:start])
        group = " OR ".join(f'"{name}"' for name in (typed, *names))
        pieces.append(f"({group})")
        found.append(Expansion(typed, names))
        last = end
        i = j + 1
    pieces.append(segment[last:])
    return "".join(pieces), found


def _longest_name(
    segment: str, matches: list[re.Match[str]], i: int
) -> tuple[int, str, tuple[str, ...]] | None:
    """The longest country name or acronym starting at word `i`: (last word, text, others)."""
    for j in range(min(len(matches), i + MAX_NAME_WORDS) - 1, i - 1, -1):
        typed = segment[matches[i].start() : matches[j].end()]
        if i == j and typed in organization_acronyms():
            return j, typed, organization_acronyms()[typed]
        others = country_variants().get(_key(typed))
        if others:
            return j, typed, tuple(n for n in others if _key(n) != _key(typed))
    return None


def _key(name: str) -> tuple[str, ...]:
    return tuple(analyze(name.replace("’", "'"))) or (name.casefold(),)


@cache
def country_variants() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Analysed country name -> every name of that country (current, former, common), the
    current one first; a name shared by two countries widens to neither."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    shared: set[tuple[str, ...]] = set()
    for display, forms in countries().values():
        names = _distinct((display, *forms))
        for name in names:
            key = _key(name)
            if key in table and table[key] != names:
                shared.add(key)
            table[key] = names
    return {key: names for key, names in table.items() if key not in shared and len(names) > 1}


def country_names_of(name: str) -> tuple[str, ...]:
    """Every name of the country `name` names, the current one first (none if no country)."""
    return country_variants().get(_key(name), ())


def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names that analyse differently ("Türkiye" and "Turkiye" are one), leaving out those
    that hold a shorter one ("Republic of Türkiye" is found by "Türkiye"); at most four."""
    seen: dict[tuple[str, ...], str] = {}
    for name in names:
        seen.setdefault(_key(name), name)
    keys = list(seen)
    kept = [k for k in keys if not any(o != k and _holds(k, o) for o in keys)]
    return tuple(seen[k] for k in kept)[:4]


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


@cache
def organization_acronyms() -> dict[str, tuple[str, ...]]:
    """Acronym as written in capitals -> the organization's full name ("WHO" -> "World
    Health Organization"): typed in capitals, an acronym names the body."""
    return {
        acronym: (full_name,)
        for acronym, full_name, _ in organization_table()
        if acronym.isupper() and acronym.isalpha() and full_name
    }
