"""Words from the index's own vocabulary: "did you mean" corrections and completions.

The index holds stems ("emigr"), people type words ("emigration"): a stem is shown as the
commonest word in the passages that hold it (looked up on demand and cached per snapshot).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from indexer.analysis import analyze, stem, stopwords
from search_app.docsets import term_ids
from search_app.index_handle import Snapshot

FIELD = "text"
_WORD = re.compile(r"\w+")
# Words of a query that are syntax, not text to correct.
_SYNTAX = re.compile(r'\w+:\S*|"[^"]*"|\S*[*?~]\S*|\bAND\b|\bOR\b|\bNOT\b|-\w+')


def surface_word(snapshot: Snapshot, term: str, typed: str = "") -> str:
    """The word people write for index term `term` (e.g. "emigr" -> "emigration")."""
    cache: dict[str, str] = snapshot.cached("surface", lambda snap: {})
    if term not in cache:
        cache[term] = _find_surface(snapshot, term, typed)
    return cache[term]


def _find_surface(snapshot: Snapshot, term: str, typed: str) -> str:
    searcher = snapshot.searcher()
    ids = term_ids(searcher.reader(), FIELD, term.encode("utf-8"))[:5]
    words: Counter[str] = Counter()
    for docnum in ids.tolist():
        text = searcher.stored_fields(int(docnum)).get("text", "")
        words.update(w.lower() for w in _WORD.findall(text) if stem(w.lower()) == term)
    if not words:
        return term
    # The commonest form; ties go to the one closest in length to what was typed.
    return max(words, key=lambda w: (words[w], -abs(len(w) - len(typed))))


def did_you_mean(snapshot: Snapshot, text: str) -> str | None:
    """`text` with its unknown or rare words replaced by close, commoner index words."""
    reader = snapshot.searcher().reader()
    changed = False
    protected = [m.span() for m in _SYNTAX.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(0)
        if any(a <= match.start() < b for a, b in protected):
            return word
        better = _correct(snapshot, reader, word)
        if better and better != word.lower():
            changed = True
            return better
        return word

    corrected = _WORD.sub(replace, text)
    return corrected if changed else None


def _correct(snapshot: Snapshot, reader: Any, word: str) -> str | None:
    terms = analyze(word)
    if len(terms) != 1 or word.lower() in stopwords():
        return None
    term = terms[0]
    frequency = reader.doc_frequency(FIELD, term)
    best, best_frequency = None, frequency
    for distance in (1, 2):
        for candidate in reader.terms_within(FIELD, term, distance, prefix=1):
            candidate_frequency = reader.doc_frequency(FIELD, candidate)
            # Only propose a word clearly more common than the one typed.
            if candidate_frequency > max(best_frequency, 3 * frequency):
                best, best_frequency = candidate, candidate_frequency
        if best:
            break
    return surface_word(snapshot, best, word) if best else None


def completions(snapshot: Snapshot, q: str, limit: int = 10) -> list[dict[str, Any]]:
    """Completions of the last word of `q` (commonest first), then matching titles."""
    head, _, last = q.rstrip().rpartition(" ") if not q.endswith(" ") else (q.strip(), "", "")
    items: list[dict[str, Any]] = []
    if len(last) >= 2:
        for word in _complete_word(snapshot, last.lower(), limit):
            items.append({"text": f"{head} {word}".strip(), "kind": "term"})
    for document_id, title in _matching_titles(snapshot, q.strip(), limit):
        items.append({"text": title, "kind": "title", "document_id": document_id})
    return items[:limit]


def _complete_word(snapshot: Snapshot, prefix: str, limit: int) -> list[str]:
    reader = snapshot.searcher().reader()
    terms = set(_first(reader.expand_prefix(FIELD, prefix), 2000))
    terms.update(_first(reader.expand_prefix(FIELD, stem(prefix)), 2000))
    ranked = sorted(terms, key=lambda t: -reader.doc_frequency(FIELD, t))[: limit * 2]
    words: list[str] = []
    for term in ranked:
        word = surface_word(snapshot, term, prefix)
        if word.startswith(prefix) and word not in words:
            words.append(word)
    return words[:limit]


def _first(items: Any, count: int) -> list[str]:
    found = []
    for item in items:
        found.append(item.decode("utf-8") if isinstance(item, bytes) else item)
        if len(found) >= count:
            break
    return found


def _matching_titles(snapshot: Snapshot, q: str, limit: int) -> list[tuple[str, str]]:
    if len(q) < 2:
        return []
    needle = q.casefold()
    found = [
        (document_id, record.get("title") or document_id)
        for document_id, record in snapshot.manifest.items()
        if needle in str(record.get("title", "")).casefold()
    ]
    return sorted(found, key=lambda item: (not item[1].casefold().startswith(needle), item[1]))[
        :limit
    ]
