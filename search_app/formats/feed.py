"""A search's Atom feed: the newest matching documents, written by feedgen.

An entry's id comes from the document id (reference.entry_id), so that a feed reader sees
the same entry after re-indexing or a rebuild; `published` is when the document entered the
index and `updated` when its file last changed; the document's own date is in its summary.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from search_app.formats.reference import ENTRY_NAMESPACE, reference

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 100
SUMMARY_CHARS = 400
GENERATOR = "Report Search"
# Characters XML 1.0 cannot hold (lxml refuses them): control characters, as a PDF's form
# feeds or a query's, and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def feed_id(canonical_query: str) -> str:
    """The feed's id: a name-based UUID of its search, however the URL orders it."""
    return uuid.uuid5(ENTRY_NAMESPACE, "feed?" + canonical_query).urn


def atom(
    cards: Iterable[dict[str, Any]],
    *,
    title: str,
    canonical_query: str,
    self_url: str,
    page_url: str,
    base_url: str,
) -> bytes:
    """The Atom document (UTF-8) of document cards, newest first as given."""
    feed = FeedGenerator()
    feed.id(feed_id(canonical_query))
    feed.title(xml_text(title))
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.author(name=GENERATOR)
    feed.generator(GENERATOR)
    newest = datetime.fromtimestamp(0, UTC)
    for card in cards:
        ref = reference(card, base_url)
        entry = feed.add_entry(order="append")
        entry.id(ref.entry_id)
        entry.title(xml_text(ref.title))
        # One link: feedgen 1.0 writes no rel on an entry's links, so a second one would be
        # a second "alternate", which Atom forbids.
        entry.link(href=ref.url, rel="alternate", type="text/html")
        added = _time(card.get("added_at"))
        changed = _time(card.get("changed_at")) or added
        if added:
            entry.published(added)
        entry.updated(changed or newest)
        newest = max(newest, changed or newest)
        if ref.issuer:
            entry.author(name=xml_text(ref.issuer))
        for term in (*filter(None, [ref.doc_type]), *ref.countries):
            entry.category(term=xml_text(term))
        entry.summary(xml_text(_summary(ref.date, ref.symbol, str(card.get("opening") or ""))))
    feed.updated(newest)
    return feed.atom_str(pretty=True)


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), UTC) if value else None


def _summary(date: str, symbol: str, opening: str) -> str:
    """ "Dated 2009-12-01 · A/78/PV.5. " and the document's opening words."""
    head = " · ".join(filter(None, [f"Dated {date}" if date else "", symbol]))
    text = " ".join(opening.split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    return f"{head}. {text}" if head else text
