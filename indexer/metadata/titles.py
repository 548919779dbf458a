"""A document's title: overrides, file metadata, its title block, or a UN masthead's title."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from indexer.metadata.gazetteer import organizations
from indexer.metadata.symbols import SYMBOL
from indexer.models import Document
from indexer.structure import document_title

_JUNK_TITLE = re.compile(
    r"^(?:microsoft \w+ - |untitled|document\d*$|slide \d+)|\.(?:docx?|pdf)$", re.I
)
_SMALL_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"]
    + ["to", "with"]
)
# Masthead blocks of UN documents: symbol, organ, distribution, date, language, session,
# agenda item, job number and bar code.
_MASTHEAD = re.compile(
    r"^(?:United Nations\b|General Assembly|Security Council|Economic and Social Council|"
    r"Executive Board|Human Rights Council|Distr\b|Original\b|English|French|Spanish|"
    r"Arabic|Chinese|Russian|\w+(?:-\w+)? session\b|\d{4} session|Agenda item|Item \d|"
    r"\d{2}-\d{5}|\*\d+\*|\d{1,2} \w+ \d{4}$|[A-Z]+/\S+$)"
)
_MARKER_START = re.compile(r"^(?:[IVXLC]+|[A-Za-z]|\d{1,2})\.\s")


def pick_title(
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


def _masthead_title(first_page: str) -> str:
    """The first block after a UN document's masthead that reads like a title."""
    for block in re.split(r"\n\s*\n", first_page)[:20]:
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        if not lines or _MASTHEAD.match(lines[0]) or SYMBOL.fullmatch(lines[0]):
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
        assert match is not None  # every group is optional: any word matches
        lead, core, suffix, trail = match[1], match[2], match[3] or "", match[4]
        if core in known or core + suffix in known:
            words.append(lead + core + suffix.lower() + trail if core in known else word)
        elif i and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            body = word[len(lead) :]
            words.append(lead + body[:1].upper() + body[1:].lower())
    return " ".join(words)
