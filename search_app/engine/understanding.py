"""One step that understands a query; matching, ranking, counting and the page's notices all
read what it returns.

`understand(snapshot, builder, text)` reads the query once: its words and operators, field
clauses, acronyms and name variants, verbose or not (query.parse), its expanding words bounded
(query.bound_tiers), the documents it names by symbol or title (known_items), and whether a
word looks misspelt (suggest.has_unknown_word), which decides whether its correction is
searched instead.

The same query comes back with every page, facet click and sort of a search: what it is
understood as depends only on its text and the index generation, so the last CACHED_QUERIES
understandings are kept per snapshot (their Whoosh parse alone took 1-2 ms at 279,000
passages). Only the query's reading is kept, never what it matched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search_app.engine.facets import resolver
from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.known_items import known_documents
from search_app.engine.matchsets import LRU, MaskBuilder
from search_app.engine.query import ParsedQuery, bound_tiers, parse
from search_app.engine.suggest import has_unknown_word

CACHED_QUERIES = 256  # understandings kept per snapshot


@dataclass(frozen=True)
class Understanding:
    """A query as the engine searches it."""

    parsed: ParsedQuery  # expanding words already bounded
    named: tuple[np.ndarray, ...]  # passages of each document the query names, in order
    misspelt: bool  # a word the index never saw, or a rare one never written so


def understand(snapshot: Snapshot, builder: MaskBuilder, text: str) -> Understanding:
    """Everything the engine and the page need to know about the query `text`."""
    recent = _recent(snapshot)
    found: Understanding | None = recent.get(text)
    if found is None:
        found = _understand(snapshot, builder, text)
        recent.put(text, found)
    return found


@per_generation
def _recent(snapshot: Snapshot) -> LRU:
    """The snapshot's last understandings, by query text."""
    return LRU(CACHED_QUERIES)


def _understand(snapshot: Snapshot, builder: MaskBuilder, text: str) -> Understanding:
    parsed = parse(text, builder.searcher.schema, resolver(snapshot), builder.reader)
    named = tuple(mask & builder.live for mask in known_documents(snapshot, text))
    for mask in named:
        mask.setflags(write=False)  # kept for the requests to come: nobody may change it
    return Understanding(
        bound_tiers(parsed, builder.reader), named, has_unknown_word(snapshot, text)
    )
