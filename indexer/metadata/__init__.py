"""Facet values per document and per passage, derived from the text; overrides win.

Document-level values (doc_type, year, language, symbol, organ, country) are copied onto
every passage; organization, place, goal and topic are what each passage itself mentions.
A value given by `<file>.meta.json` or a `metadata.csv` row replaces the derived one, for the
document and for every passage.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import replace
from datetime import date as Date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from indexer.index.analysis import stopwords
from indexer.metadata.gazetteer import Gazetteer, country_names, organizations, places
from indexer.metadata.gazetteer import organization_aliases as organization_aliases
from indexer.models import FACETS, Document, IndexedDocument, Passage, Section
from indexer.structure import document_title

METADATA_CSV = "metadata.csv"
SIDECAR_SUFFIX = ".meta.json"
TEXT_KEYS = ("title", "date", "author")
# Facets describing the whole document, copied onto each passage.
DOCUMENT_FACETS = ("doc_type", "year", "language", "symbol", "organ", "country")
TOPICS_PER_DOCUMENT = 5
FIRST_YEAR, LAST_YEAR = 1900, Date.today().year + 1

# --- overrides -----------------------------------------------------------------------------


def read_overrides(path: Path, root: Path | None = None) -> dict[str, Any]:
    """Values from `metadata.csv` files (this folder and parents up to `root`) and from
    `<file>.meta.json`; the nearer source wins. Facets come back as tuples of strings."""
    path = Path(path).resolve()
    found: dict[str, Any] = {}
    for folder in reversed(_folders(path, root)):
        csv_path = folder / METADATA_CSV
        if csv_path.is_file():
            row = _csv_rows(str(csv_path), *_stamp(csv_path)).get(path.relative_to(folder))
            found.update(row or {})
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        try:
            data = json.loads(sidecar.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            found.update(normalize_overrides(data))
    return found


def normalize_overrides(raw: dict[str, Any], separator: str | None = None) -> dict[str, Any]:
    """Lowercase keys; facets as tuples of strings (split on `separator`), others as str."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key).strip().lower()
        items = value if isinstance(value, list | tuple) else [value]
        parts = [str(v).strip() for v in items if v is not None and str(v).strip()]
        if separator:
            parts = [p.strip() for v in parts for p in v.split(separator) if p.strip()]
        if not key or not parts:
            continue
        if key in FACETS:
            # A comma would split the value in the index's keyword field.
            values[key] = tuple(" ".join(p.replace(",", " ").split()) for p in parts)
        else:
            values[key] = "; ".join(parts)
    return values


def _folders(path: Path, root: Path | None) -> list[Path]:
    """The file's folder and its parents, up to `root` (or the filesystem root)."""
    folders = []
    stop = Path(root).resolve() if root else None
    for folder in path.parents:
        folders.append(folder)
        if folder == stop:
            break
    return folders


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=32)
def _csv_rows(csv_path: str, mtime_ns: int, size: int) -> dict[Path, dict[str, Any]]:
    """A metadata.csv as relative path -> overrides (cached until the file changes)."""
    rows: dict[Path, dict[str, Any]] = {}
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                name = (row.pop("file", None) or "").strip().replace("\\", "/")
                values = {k: v for k, v in row.items() if k is not None}  # ragged rows
                if name:
                    rows[Path(os.path.normpath(name))] = normalize_overrides(values, ";")
    except (OSError, UnicodeDecodeError, csv.Error):
        # A broken metadata.csv must not stop indexing: its files keep derived values.
        return {}
    return rows


# --- the document --------------------------------------------------------------------------


def enrich(
    document: Document,
    sections: tuple[Section, ...],
    passages: tuple[Passage, ...],
    overrides: dict[str, Any],
) -> IndexedDocument:
    """Attach document- and passage-level facet values, title and date."""
    overrides = normalize_overrides(overrides)
    text = "\n\n".join(p.text for p in passages)
    first_page = document.pages[0].text if document.pages else ""
    headings = [s.title for s in sections]
    symbols = overrides.get("symbol") or _symbols(document, first_page)
    date = _date(document, first_page, overrides)
    doc = {
        "symbol": symbols,
        "organ": overrides.get("organ") or _organs(symbols),
        "year": overrides.get("year") or ((date[:4],) if date else ()),
        "doc_type": overrides.get("doc_type") or (_doc_type(symbols, first_page),),
        "language": overrides.get("language") or _language(text or first_page),
        "country": overrides.get("country") or _country(first_page),
    }
    defined = defined_organizations(" ".join([text, *headings]))
    finders = _Finders(organizations().extended(defined), places(), _goal_family(text, date))
    topics = _topics(text)
    enriched = tuple(
        replace(p, facets=_passage_facets(p, doc, finders, topics, overrides)) for p in passages
    )
    title = _title(document, headings, overrides, symbols)
    metadata = _document_metadata(document, enriched, doc, overrides, date, headings, finders)
    metadata["organization_names"] = {v: k for k, v in defined.items() if k != v}
    return IndexedDocument(document, title, sections, enriched, metadata=metadata)


class _Finders:
    def __init__(self, organizations: Gazetteer, places: Gazetteer, goal_family: str) -> None:
        self.organizations, self.places, self.goal_family = organizations, places, goal_family

    def mentions(self, text: str) -> dict[str, tuple[str, ...]]:
        return {
            "organization": tuple(self.organizations.find(text)),
            "place": tuple(self.places.find(text)),
            "goal": tuple(goals(text, self.goal_family)),
        }


def _passage_facets(
    passage: Passage,
    doc: dict[str, tuple[str, ...]],
    finders: _Finders,
    topics: list[str],
    overrides: dict[str, Any],
) -> dict[str, tuple[str, ...]]:
    facets = {name: doc.get(name, ()) for name in FACETS}
    facets.update(finders.mentions(passage.text))
    lowered = passage.text.lower()
    facets["topic"] = tuple(t for t in topics if re.search(rf"\b{re.escape(t)}\b", lowered))
    under_seminar = any(SEMINAR.search(heading) for heading in passage.section)
    if under_seminar and "doc_type" not in overrides and facets["doc_type"] == ("report",):
        facets["doc_type"] = ("seminar summary",)
    facets.update({k: v for k, v in overrides.items() if k in FACETS})
    return facets


def _document_metadata(
    document: Document,
    passages: tuple[Passage, ...],
    doc: dict[str, tuple[str, ...]],
    overrides: dict[str, Any],
    date: str,
    headings: list[str],
    finders: _Finders,
) -> dict[str, Any]:
    """Document-level values: date, author, and each facet's values over all passages."""
    metadata: dict[str, Any] = {
        k: v for k, v in document.metadata.items() if isinstance(v, str | int | float)
    }
    metadata.update({k: v for k, v in overrides.items() if k not in FACETS})
    metadata["date"] = date
    heading_mentions = finders.mentions(" \n".join(headings))
    for name in FACETS:
        counts: Counter[str] = Counter(v for p in passages for v in p.facets.get(name, ()))
        values = [*doc.get(name, ()), *(v for v, _ in counts.most_common())]
        values += list(heading_mentions.get(name, ()))
        metadata[name] = tuple(dict.fromkeys(values))
    metadata.update({k: v for k, v in overrides.items() if k in FACETS})
    return metadata


# --- title and date ------------------------------------------------------------------------

_JUNK_TITLE = re.compile(
    r"^(?:microsoft \w+ - |untitled|document\d*$|slide \d+)|\.(?:docx?|pdf)$", re.I
)
_SMALL_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"]
    + ["to", "with"]
)


def _title(
    document: Document, headings: list[str], overrides: dict[str, Any], symbols: tuple[str, ...]
) -> str:
    """Overrides, else a plausible metadata title, else the title block, else (UN documents)
    the title under the masthead, else the first heading, the symbol or the file name."""
    if overrides.get("title"):
        return overrides["title"]
    stem = Path(document.path).name.split(".")[0]
    from_file_name = document.metadata.get("title_from") == "filename"
    if not from_file_name and _plausible_title(document.title, stem):
        return smart_case(" ".join(document.title.split()))
    first_page = document.pages[0].text if document.pages else ""
    block = document_title(document) or (symbols and _masthead_title(first_page))
    block = block or (headings[0] if headings else "") or (symbols[0] if symbols else "")
    if block:
        return smart_case(block)
    return " ".join(re.split(r"[_\-\s]+", stem)).strip().capitalize() or document.document_id


# Masthead blocks of UN documents: symbol, organ, distribution, date, language, session,
# agenda item, job number and bar code.
_MASTHEAD = re.compile(
    r"^(?:United Nations\b|General Assembly|Security Council|Economic and Social Council|"
    r"Executive Board|Human Rights Council|Distr\b|Original\b|English|French|Spanish|"
    r"Arabic|Chinese|Russian|\w+(?:-\w+)? session\b|\d{4} session|Agenda item|Item \d|"
    r"\d{2}-\d{5}|\*\d+\*|\d{1,2} \w+ \d{4}$|[A-Z]+/\S+$)"
)


def _masthead_title(first_page: str) -> str:
    """The first block after a UN document's masthead that reads like a title."""
    for block in re.split(r"\n\s*\n", first_page)[:20]:
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        if not lines or _MASTHEAD.match(lines[0]) or _SYMBOL.fullmatch(lines[0]):
            continue
        text = " ".join(lines)
        words = len(text.split())
        if (
            3 <= words <= 45
            and text[0].isupper()
            and not text.endswith(".")
            and not (_MARKER_START.match(text))
        ):
            return text
        return ""
    return ""


_MARKER_START = re.compile(r"^(?:[IVXLC]+|[A-Za-z]|\d{1,2})\.\s")


def _plausible_title(title: str, stem: str) -> bool:
    title = " ".join(title.split())
    return (
        4 <= len(title) <= 300
        and title.lower() not in {stem.lower(), Path(stem).stem.lower()}
        and not _JUNK_TITLE.search(title)
        and bool(re.search(r"[A-Za-z]{3}", title))
    )


def smart_case(title: str) -> str:
    """An all-caps title in title case, keeping acronyms: 'UNITAR’S WORK ON THE MDGS' ->
    'UNITAR’s Work on the MDGs'."""
    if not title.isupper():
        return title
    acronyms = {value for value in organizations().entries.values() if value.isupper()}
    known = acronyms | {"MDG", "SDG", "HIV/AIDS", "HIV", "AIDS", "COVID-19"}
    words = []
    for i, word in enumerate(title.split()):
        if re.search(r"[\d/]", word):  # symbols and numbers: S/RES/2768, COVID-19
            words.append(word)
            continue
        match = re.match(r"^(\W*)(.*?)(['’]S|S)?(\W*)$", word)
        lead, core, suffix, trail = match[1], match[2], match[3] or "", match[4]
        if core in known or core + suffix in known:
            words.append(lead + core + suffix.lower() + trail if core in known else word)
        elif i and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            body = word[len(lead) :]
            words.append(lead + body[:1].upper() + body[1:].lower())
    return " ".join(words)


_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {month: i + 1 for i, month in enumerate(_MONTH_NAMES.split(" "))}
_DATE_LINE = re.compile(
    r"^(?:Distr\.?:?\s*\w+\s+)?(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})$", re.I
)
_ISO_DATE = re.compile(r"(?:D:)?(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")
_YEAR = re.compile(r"(?<![\d/.-])(1[9]\d\d|20\d\d)(?![\d/])")


def _date(document: Document, first_page: str, overrides: dict[str, Any]) -> str:
    """ISO date or year: overrides, else a date line on the first page (UN documents print
    it under "Distr."), else metadata (a PDF's creation date may be a later scan's), else
    a year in the title, else the most frequent year on the first page."""
    for value in (overrides.get("date"), (overrides.get("year") or [None])[0]):
        if value and (parsed := iso_date(str(value))):
            return parsed
    for line in first_page.splitlines()[:40]:
        match = _DATE_LINE.match(" ".join(line.split()))
        if match:
            day, month, year = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
            if FIRST_YEAR <= year <= LAST_YEAR:
                return f"{year:04d}-{month:02d}-{day:02d}"
    if parsed := iso_date(str(document.metadata.get("date") or "")):
        return parsed
    for source in (document.title, first_page[:20000]):
        years = [y for y in _YEAR.findall(source) if FIRST_YEAR <= int(y) <= LAST_YEAR]
        if years:
            return Counter(years).most_common(1)[0][0]
    return ""


def iso_date(value: str) -> str:
    """'2009-06-01', '2009', 'D:20091231...' or '1 June 2009' as ISO 'YYYY[-MM-DD]'; or ''."""
    value = value.strip()
    match = _DATE_LINE.match(value)
    if match:
        return f"{int(match[3]):04d}-{_MONTHS[match[2].lower()]:02d}-{int(match[1]):02d}"
    match = _ISO_DATE.match(value)
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return ""
    if match[2] and match[3]:
        try:
            return Date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return match[1]
    return match[1]


# --- type, symbol, language ----------------------------------------------------------------

SEMINAR = re.compile(
    r"\bseminars?\b|\bworkshops?\b|\bsymposi(?:um|a)\b|\bround[- ]?tables?\b", re.IGNORECASE
)
_SYMBOL = re.compile(
    r"\b(?:A|S|E|ST|DP|TD|UNEP|UNW|WFP|ICEF|FCCC|CEDAW|CRC|CCPR|CERD|CAT|CRPD)"
    r"(?:/[A-Za-z0-9.]*[A-Za-z0-9])+"
)
_SERIES = re.compile(
    r"^(?:A|S|E|ST|DP|TD|UNEP|UNW|WFP|ICEF|FCCC|CEDAW|CRC|CCPR|CERD|CAT|CRPD)"
    r"(?:/[A-Z0-9][A-Za-z0-9.\-]*)+$"
)
_TYPE_BY_SYMBOL = (
    ("/RES/", "resolution"),
    ("/DEC/", "decision"),
    ("/PRST/", "presidential statement"),
    ("/PV.", "meeting record"),
    ("/SR.", "summary record"),
)
_TYPE_BY_TEXT = (
    (r"^\s*letter dated|\bletter dated .{0,200}addressed to", "letter"),
    (r"\bnote by the (?:secretary-general|secretariat|president)", "note"),
    (r"\bresolution adopted by\b", "resolution"),
    (r"\bdecision adopted by\b", "decision"),
    (r"\breport of the\b", "report"),
    (r"\b(?:mr\.|madam|madame) president\b", "speech"),
)


def _symbols(document: Document, first_page: str) -> tuple[str, ...]:
    """UN document symbols from the file name (A_78_375.en.pdf) or the first page's masthead."""
    name = Path(document.path).name
    stem = re.sub(r"(\.[a-z]{2})?\.[A-Za-z0-9]+$", "", name)
    candidate = stem.split(" ")[0].replace("_", "/")  # "S_RES_2768 (2025).en.pdf"
    if _SERIES.match(candidate) and re.search(r"\d", candidate):
        return (candidate,)
    found: list[str] = []
    for line in [line for line in first_page.splitlines() if line.strip()][:12]:
        symbols = _SYMBOL.findall(line)
        rest = _SYMBOL.sub("", line).replace("United Nations", "")
        if symbols and len(rest.strip(" -–")) <= 3:
            found += [s.rstrip(".") for s in symbols if re.search(r"\d", s)]
    return tuple(dict.fromkeys(found))


@cache
def _organ_table() -> list[tuple[str, str]]:
    text = resources.files("indexer").joinpath("data/un-organs.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]
    return sorted(((p.strip(), o.strip()) for p, o in rows), key=lambda r: -len(r[0]))


def _organs(symbols: tuple[str, ...]) -> tuple[str, ...]:
    organs = []
    for symbol in symbols:
        for prefix, organ in _organ_table():
            if symbol.startswith(prefix if prefix.endswith(".") else prefix + "/"):
                organs.append(organ)
                break
    return tuple(dict.fromkeys(organs))


def _doc_type(symbols: tuple[str, ...], first_page: str) -> str:
    for symbol in symbols:
        for marker, kind in _TYPE_BY_SYMBOL:
            if marker in symbol + "/":
                return kind
    opening = " ".join(first_page[:3000].split()).lower()
    for pattern, kind in _TYPE_BY_TEXT:
        if re.search(pattern, opening):
            return kind
    return "report"


_SPEAKS_FOR = re.compile(
    r"Permanent (?:Representative|Mission|Observer)s? of (.{3,80}?) to the United Nations"
)


def _country(first_page: str) -> tuple[str, ...]:
    """The country a UN letter or note speaks for: 'from the Permanent Representative of
    Türkiye to the United Nations' -> Türkiye. Other documents get theirs from overrides."""
    match = _SPEAKS_FOR.search(" ".join(first_page[:4000].split()))
    if not match:
        return ()
    countries = set(country_names())
    found = [place for place in places().find(match.group(1)) if place in countries]
    return tuple(found[:1])


def _language(text: str) -> tuple[str, ...]:
    """ISO 639-1 code of the text's language (py3langid), from its first 5,000 characters."""
    if len(text.strip()) < 20:
        return ()
    from py3langid.langid import classify  # loads its model on first use

    code, _ = classify(text[:5000])
    return (code,)


# --- organizations, goals, topics ----------------------------------------------------------

_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z&\-]*[A-Z][A-Za-z]*)\s*\)")
_ORGANIZATION_WORDS = re.compile(
    r"\b(?:Organi[sz]ation|Institute|Programme|Program|Fund|Bank|Union|Council|Commission|"
    r"Group|Agency|Forum|Office|Alliance|Association|Foundation|Committee|Assembly|Court|"
    r"Secretariat|Cent(?:re|er)|Network|Federation|League|Community|Movement|Authority|"
    r"Board|Mission|Service|Department|Ministry|Corporation|Society|Entity|University|"
    r"Panel|Facility|Coalition|Partnership|Initiative)s?\b"
)


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


_GOAL_NUMBERED = re.compile(r"\b(MDG|SDG)\s?-?(\d{1,2})\b")
_GOAL_NAMED = re.compile(r"\b(Millennium|Sustainable) Development Goal\s+(\d{1,2})\b")
_GOAL_BARE = re.compile(r"\bGoals?\s+(\d{1,2}(?:\s*(?:,|and|&|or)\s*\d{1,2})*)\b")
_GOAL_SETS = (
    (re.compile(r"\bMillennium Development Goals\b|\bMDGs\b"), "MDGs"),
    (re.compile(r"\bSustainable Development Goals\b|\bSDGs\b|\b2030 Agenda\b"), "SDGs"),
)
_GOAL_COUNT = {"MDG": 8, "SDG": 17}


def goals(text: str, family: str = "SDG") -> list[str]:
    """Goals a text mentions: 'MDG 6', 'SDG 13', and 'MDGs'/'SDGs' for the sets as a whole.
    A bare 'Goal 6' belongs to `family` (the document's)."""
    found: list[tuple[str, str]] = []
    for match in _GOAL_NUMBERED.finditer(text):
        found.append((match[1], match[2]))
    for match in _GOAL_NAMED.finditer(text):
        found.append(("MDG" if match[1] == "Millennium" else "SDG", match[2]))
    for match in _GOAL_BARE.finditer(text):
        found += [(family, n) for n in re.findall(r"\d{1,2}", match[1])]
    values = [f"{kind} {int(n)}" for kind, n in found if 1 <= int(n) <= _GOAL_COUNT[kind]]
    values += [label for pattern, label in _GOAL_SETS if pattern.search(text)]
    return list(dict.fromkeys(values))


def _goal_family(text: str, date: str) -> str:
    """Which goals a bare 'Goal 6' means: the set the document names, else by its year."""
    sdg = len(_GOAL_SETS[1][0].findall(text)) + len(re.findall(r"\bSDG", text))
    mdg = len(_GOAL_SETS[0][0].findall(text)) + len(re.findall(r"\bMDG", text))
    if sdg or mdg:
        return "SDG" if sdg >= mdg else "MDG"
    return "MDG" if date and date[:4] < "2016" else "SDG"


@cache
def topic_stopwords() -> frozenset[str]:
    text = resources.files("indexer").joinpath("data/topic-stopwords.txt").read_text("utf-8")
    words = {line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"}
    return frozenset(words) | stopwords()


_TOPIC_TOKEN = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)*|[^\sA-Za-z]+|[A-Z]\w*")


def _topics(text: str) -> list[str]:
    """A few key phrases of the document: frequent two-word collocations of lowercase words
    (capitalised words are names, which the organization and place facets already hold)."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    tokens = _TOPIC_TOKEN.findall(text)
    # A capitalised word at a sentence start is folded when the text also uses it in lower
    # case ("Migration"); other capitalised words (names) and punctuation break phrases.
    lower = {token for token in tokens if token.islower()}
    words: list[str | None] = []
    for i, token in enumerate(tokens):
        starts = i == 0 or tokens[i - 1] in {".", "!", "?"}
        if token.isalpha() and (token.islower() or (starts and token.lower() in lower)):
            words.append(token.lower())
        elif "-" in token and token.islower():
            words.append(token)
        else:
            words.append(None)
    blocked = topic_stopwords()
    finder = BigramCollocationFinder.from_words(words)
    finder.apply_freq_filter(3 if len(words) > 1500 else 2)
    finder.apply_word_filter(lambda w: w is None or len(w) < 3 or w in blocked)
    finder.apply_ngram_filter(lambda a, b: f"{a} {b}" in blocked)
    try:
        scores = dict(finder.score_ngrams(BigramAssocMeasures.likelihood_ratio))
    except ValueError:  # NLTK's likelihood ratio fails on degenerate counts in tiny texts
        scores = {}
    counts = finder.ngram_fd
    by_count = sorted(counts, key=lambda pair: (-counts[pair], -scores.get(pair, 0.0), pair))
    return [" ".join(pair) for pair in by_count[:TOPICS_PER_DOCUMENT]]
