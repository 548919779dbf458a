"""Who a document is about or speaks for: its language, country and defined organizations.

Organizations and places a passage mentions are found with the name lists in `gazetteer.py`;
this module adds the organizations a text defines itself ("Full Name (ACRONYM)").
"""

from __future__ import annotations

import re

from indexer.metadata.gazetteer import (
    Gazetteer,
    country_names,
    organization_names,
    organizations,
    places,
)

_SPEAKS_FOR = re.compile(
    r"Permanent (?:Representative|Mission|Observer)s? of (.{3,80}?) to the United Nations"
)
_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z&\-]*[A-Z][A-Za-z]*)\s*\)")
_ORGANIZATION_WORDS = re.compile(
    r"\b(?:Organi[sz]ation|Institute|Programme|Program|Fund|Bank|Union|Council|Commission|"
    r"Group|Agency|Forum|Office|Alliance|Association|Foundation|Committee|Assembly|Court|"
    r"Secretariat|Cent(?:re|er)|Network|Federation|League|Community|Movement|Authority|"
    r"Board|Mission|Service|Department|Ministry|Corporation|Society|Entity|University|"
    r"Panel|Facility|Coalition|Partnership|Initiative)s?\b"
)


def speaking_country(first_page: str) -> tuple[str, ...]:
    """The country a UN letter or note speaks for: 'from the Permanent Representative of
    Türkiye to the United Nations' -> Türkiye. Other documents get theirs from overrides."""
    match = _SPEAKS_FOR.search(" ".join(first_page[:4000].split()))
    if not match:
        return ()
    countries = set(country_names())
    found = [place for place in places().find(match.group(1)) if place in countries]
    return tuple(found[:1])


def detect_language(text: str) -> tuple[str, ...]:
    """The text's language by name (py3langid), from its first 5,000 characters."""
    if len(text.strip()) < 20:
        return ()
    from py3langid.langid import classify  # loads its model on first use

    code, _ = classify(text[:5000])
    return (language_name(code),)


TITLE_PAGE_LINES = 8  # lines before the body in which a title page names its publisher
BODY_LINE = 200  # a line this long is body text, not the title page's
TITLE_LINE_WORDS = 15


def publisher(organs: tuple[str, ...], first_page: str, known: Gazetteer) -> tuple[str, ...]:
    """The organization that issued a document: the organ its symbol names (General
    Assembly -> UNGA), else the first organization its title page names."""
    names = organization_names()
    for organ in organs:
        if organ in names:
            return (names[organ],)
    head: list[str] = []
    for line in first_page.splitlines():
        if len(line) > BODY_LINE or len(head) >= TITLE_PAGE_LINES:
            break
        if _title_line(line):
            head.append(line)
    found = known.find("\n".join(head))
    return tuple(found[:1])


def _title_line(line: str) -> bool:
    """A title page's line: a name, not a sentence (short, no full stop at its end)."""
    words = line.split()
    return 0 < len(words) <= TITLE_LINE_WORDS and not line.rstrip().endswith((".", ":", ";"))


def language_name(code: str) -> str:
    """ISO 639-1 code -> the language's English name ("en" -> "English")."""
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def defined_organizations(text: str) -> dict[str, str]:
    """Organizations a text defines as `Full Name (ACRONYM)`: surface form -> facet value.

    The long form is found with Schwartz & Hearst's (2003) backwards letter match and must
    name a body (Organization, Fund, Group, ...): "(MDGs)" or "(HIV)" are not organizations.
    """
    known = {value for value in organizations().entries.values()}
    names: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        acronym = match.group(1)
        words = text[max(0, match.start() - 300) : match.start()].split()
        words = words[-min(len(acronym) + 5, 2 * len(acronym)) :]
        long_form = _long_form(acronym, words)
        if not long_form or len(long_form.split()) < 2:
            continue
        value = acronym if acronym in known or _ORGANIZATION_WORDS.search(long_form) else None
        if value:
            names[acronym] = value
            names[long_form] = value
    return names


def _long_form(short: str, words: list[str]) -> str | None:
    """Shortest tail of `words` whose letters spell `short` (Schwartz & Hearst)."""
    candidate = " ".join(words).rstrip(" ,;:")
    s, i = len(short) - 1, len(candidate) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while i >= 0 and (
            candidate[i].lower() != char or (s == 0 and i > 0 and candidate[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = candidate.rfind(" ", 0, i + 1) + 1
    long_form = candidate[start:].strip(" \"“”'(")
    return long_form if long_form[:1].isupper() else None
