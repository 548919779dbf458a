"""Facet values of each passage and of the whole document, from what the passages mention."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

from indexer.metadata.gazetteer import TOKEN, Gazetteer, country_names
from indexer.metadata.topics import goal_label, goals
from indexer.models import FACETS, Document, Passage


class Mentions:
    """Finds the organizations, places and goals a text names."""

    def __init__(self, organizations: Gazetteer, places: Gazetteer, goal_family: str) -> None:
        self.organizations, self.places, self.goal_family = organizations, places, goal_family

    def find(self, text: str) -> dict[str, tuple[str, ...]]:
        """Organizations, countries, other places (cities) and goals the text names."""
        tokens = TOKEN.findall(text)
        found = self.places.find_tokens(tokens)
        countries = country_names()
        return {
            "organization": tuple(self.organizations.find_tokens(tokens)),
            "mentioned_country": tuple(p for p in found if p in countries),
            "place": tuple(p for p in found if p not in countries),
            "goal": tuple(goal_label(g) for g in goals(text, self.goal_family)),
        }


def passage_facets(
    passage: Passage,
    doc: dict[str, tuple[str, ...]],
    mentions: Mentions,
    topics: list[str],
    overrides: dict[str, Any],
) -> dict[str, tuple[str, ...]]:
    """The document's values, what the passage mentions, and overrides over both."""
    facets = {name: doc.get(name, ()) for name in FACETS}
    facets.update(mentions.find(passage.text))
    lowered = passage.text.lower()
    # The substring test first: it is far cheaper, and most topics are not in most passages.
    facets["topic"] = tuple(t for t in topics if t in lowered and _whole_words(t).search(lowered))
    facets.update({k: v for k, v in overrides.items() if k in FACETS})
    return facets


@lru_cache(maxsize=8192)
def _whole_words(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(phrase)}\b")


def document_metadata(
    document: Document,
    passages: tuple[Passage, ...],
    doc: dict[str, tuple[str, ...]],
    overrides: dict[str, Any],
    date: str,
    headings: list[str],
    mentions: Mentions,
) -> dict[str, Any]:
    """Document-level values: date, author, and each facet's values over all passages."""
    metadata: dict[str, Any] = {
        k: v for k, v in document.metadata.items() if isinstance(v, str | int | float)
    }
    metadata.update({k: v for k, v in overrides.items() if k not in FACETS})
    metadata["date"] = date
    heading_mentions = mentions.find(" \n".join(headings))
    for name in FACETS:
        counts: Counter[str] = Counter(v for p in passages for v in p.facets.get(name, ()))
        values = [*doc.get(name, ()), *(v for v, _ in counts.most_common())]
        values += list(heading_mentions.get(name, ()))
        metadata[name] = tuple(dict.fromkeys(values))
    metadata.update({k: v for k, v in overrides.items() if k in FACETS})
    return metadata
