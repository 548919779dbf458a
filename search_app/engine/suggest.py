"""Words from the index's own vocabulary: "did you mean" corrections and completions.

The index holds stems ("emigr"), people type words ("emigration"): a stem is shown as the
commonest word in the passages that hold it (looked up on demand and cached per snapshot).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA
from whoosh.reading import TermNotFound

from indexer.index.analysis import analyze, stem, stopwords
from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.limits import MAX_CORRECTED_WORDS, check_deadline
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.query import bound_expansions, parse, terms_within
from search_app.engine.verbose import reads_as_text
from search_app.engine.vocabulary import vocabulary

FIELD = "text"
CANDIDATES = 50  # commonest stems considered for a completion
NEARBY = 500  # index words within two edits considered for a correction
STEM_COLLISION = 2  # edits from every written form of its stem: a rare word is then a typo
_WORD = re.compile(r"\w+")
# Words of a query that are syntax, not text to correct.
_SYNTAX = re.compile(r'\w+:\S*|"[^"]*"|\S*[*?~]\S*|\bAND\b|\bOR\b|\bNOT\b|-\w+')


@per_generation
def surface_forms(snapshot: Snapshot, term: str) -> Counter[str]:
    """Words of a few passages holding index term `term`, by count (cached per snapshot)."""
    searcher = snapshot.searcher()
    try:  # the first five of the term's passages: not all of a common word's postings
        ids = list(islice(searcher.reader().postings(FIELD, term.encode("utf-8")).all_ids(), 5))
    except TermNotFound:
        ids = []
    words: Counter[str] = Counter()
    for docnum in ids:
        text = searcher.stored_fields(int(docnum)).get("text", "")
        words.update(w.lower() for w in _WORD.findall(text) if stem(w.lower()) == term)
    return words


def surface_word(snapshot: Snapshot, term: str, typed: str = "") -> str:
    """The word people write for index term `term` (e.g. "emigr" -> "emigration").

    The commonest form; with `typed`, the form closest to it ("recruitment", not "recruit").
    """
    forms = surface_forms(snapshot, term)
    if not forms:
        return term
    if typed:
        return min(forms, key=lambda w: (edit_distance(typed, w), -forms[w], w))
    return min(forms, key=lambda w: (-forms[w], len(w), w))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions counted as one edit."""
    return OSA.distance(a, b)


def did_you_mean(snapshot: Snapshot, text: str) -> str | None:
    """`text` with its unknown or rare words replaced by close, commoner index words (the
    first MAX_CORRECTED_WORDS words that may need it are tried)."""
    reader = snapshot.searcher().reader()
    changed = False
    tried = 0
    protected = _syntax_spans(text)

    def replace(match: re.Match[str]) -> str:
        nonlocal changed, tried
        word = match.group(0)
        if (
            any(a <= match.start() < b for a, b in protected)
            or tried >= MAX_CORRECTED_WORDS
            or not _may_be_typo(snapshot, word)
        ):
            return word
        tried += 1
        check_deadline()
        better = _correct(snapshot, reader, word)
        if better and better != word.lower():
            changed = True
            return better
        return word

    corrected = _WORD.sub(replace, text)
    return corrected if changed else None


def _syntax_spans(text: str) -> list[tuple[int, int]]:
    r"""Where `text` is syntax, not words; nowhere in prose (verbose.py), where _SYNTAX's
    `\S*[*?~]\S*` would also take quadratic time on a long run without spaces."""
    if reads_as_text(text):
        return []
    return [m.span() for m in _SYNTAX.finditer(text)]


def has_unknown_word(snapshot: Snapshot, text: str) -> bool:
    """Whether a plain word of `text` is missing from the index, or, in a query of a few
    words, is rare and only meets quite other words through its stem ("remitances" finds
    "remitting"): worth a correction. Pasted prose counts only words the index never saw."""
    reader = snapshot.searcher().reader()
    protected = _syntax_spans(text)
    prose = reads_as_text(text)
    for match in _WORD.finditer(text):
        if any(a <= match.start() < b for a, b in protected):
            continue
        word = match.group(0)
        terms = analyze(word)
        if len(terms) != 1:
            continue
        if frequency(snapshot, terms[0]) == 0:
            return True
        if not prose and _stem_collision(snapshot, reader, word, terms[0]):
            return True
    return False


def _stem_collision(snapshot: Snapshot, reader: Any, word: str, term: str) -> bool:
    """A rare word whose index term is only written as words far from it (more than
    STEM_COLLISION edits): a typo that happens to stem like another word."""
    if not _may_be_typo(snapshot, word):
        return False
    forms = surface_forms(snapshot, term)
    typed = word.lower()
    return bool(forms) and min(edit_distance(typed, f) for f in forms) > STEM_COLLISION


def frequency(snapshot: Snapshot, term: str) -> int:
    """Passages holding `term` in the text."""
    return vocabulary(snapshot, FIELD).count(term)


def _may_be_typo(snapshot: Snapshot, word: str) -> bool:
    """Whether `word` is one rare index word (not a stopword or a number): worth correcting."""
    terms = analyze(word)
    typed = word.lower()
    if len(terms) != 1 or typed in stopwords() or typed.isdigit():
        return False
    # A word this common is what was meant, not a typo.
    common = max(3, snapshot.searcher().reader().doc_count() // 20_000)
    return frequency(snapshot, terms[0]) < common


def _correct(snapshot: Snapshot, reader: Any, word: str) -> str | None:
    """A commoner index word close to `word` as typed (one _may_be_typo accepts), or None."""
    terms = analyze(word)
    typed = word.lower()
    typed_frequency = frequency(snapshot, terms[0])
    best = _closest(snapshot, reader, _prefixed(snapshot, typed), typed, typed_frequency)
    if best is None or best[1][0] > 1:
        # Edit distance over the whole vocabulary is slower: only when sharing a beginning
        # found nothing close.
        nearby = terms_within(reader, FIELD, terms[0], 2, 1, NEARBY)
        best = min(
            (b for b in (best, _closest(snapshot, reader, nearby, typed, typed_frequency)) if b),
            key=lambda b: b[1],
            default=None,
        )
    return best[0] if best else None


def _closest(
    snapshot: Snapshot, reader: Any, candidates: Any, typed: str, typed_frequency: int
) -> tuple[str, tuple[int, int, str]] | None:
    """The candidate whose written form is nearest to `typed`, commonest on ties."""
    best = None
    for candidate in candidates:
        check_deadline()
        candidate_frequency = frequency(snapshot, candidate)
        if candidate_frequency <= max(3 * typed_frequency, 1):
            continue  # propose only words clearly commoner than the one typed
        form = surface_word(snapshot, candidate, typed)
        distance = edit_distance(typed, form)
        if form != typed and distance <= max(1, len(typed) // 4):
            key = (distance, -candidate_frequency, form)  # the word itself breaks ties
            if best is None or key < best[1]:
                best = (form, key)
    return best


def _prefixed(snapshot: Snapshot, typed: str) -> list[str]:
    """The commonest index terms sharing the typed word's beginning (a typo can stop the
    stemmer: "developmnt" stays whole while "development" is indexed as "develop")."""
    prefixed = vocabulary(snapshot, FIELD).starting(typed[: 4 if len(typed) > 5 else 3], 2000)
    return sorted(prefixed, key=lambda t: (-frequency(snapshot, t), t))[:20]


def completions(snapshot: Snapshot, q: str, limit: int = 10) -> list[dict[str, Any]]:
    """Completions of the last word of `q` (commonest first), then matching titles."""
    head, _, last = q.rstrip().rpartition(" ") if not q.endswith(" ") else (q.strip(), "", "")
    items: list[dict[str, Any]] = []
    if len(last) >= 2:
        for word in _complete_word(snapshot, last.lower(), limit, head):
            items.append({"text": f"{head} {word}".strip(), "kind": "term"})
    for document_id, title in _matching_titles(snapshot, q.strip(), limit):
        items.append({"text": title, "kind": "title", "document_id": document_id})
    return items[:limit]


def _complete_word(snapshot: Snapshot, prefix: str, limit: int, head: str = "") -> list[str]:
    """Words starting with `prefix`: forms of the commonest matching stems, commonest first,
    or, after other words, the stems most often found with them ("health wor" -> workers)."""
    known = vocabulary(snapshot, FIELD)
    terms = {*known.starting(prefix, 2000), *known.starting(stem(prefix), 2000)}
    counts = {t: frequency(snapshot, t) for t in terms}
    ranked = sorted(terms, key=lambda t: (-counts[t], t))[:CANDIDATES]  # ties: the same order
    if head.strip():
        ranked = _by_cooccurrence(snapshot, head, ranked)
    ranked = ranked[: limit * 2]
    if len(ranked) > limit:  # words seen once are mostly typos and OCR noise
        ranked = [t for t in ranked if counts[t] > 1] or ranked
    words: list[str] = []
    for term in ranked:
        forms = surface_forms(snapshot, term)
        words += [w for w, _ in forms.most_common(3) if w.startswith(prefix) and w not in words]
    return words[:limit]


def _by_cooccurrence(snapshot: Snapshot, head: str, terms: list[str]) -> list[str]:
    """`terms` by association with all the words of `head`: passages holding both, squared,
    over the term's own passages (so that words found everywhere do not always win)."""
    searcher = snapshot.searcher()
    builder = MaskBuilder(snapshot, searcher)
    together = builder.mask(bound_expansions(parse(head, searcher.schema).strict, builder.reader))
    if not together.any():
        return terms
    scores = {}
    for term in terms:
        check_deadline()
        ids = builder.postings(FIELD, term)[0]
        both = int(np.count_nonzero(together[ids]))
        if both:
            scores[term] = both * both / len(ids)
    return sorted(scores, key=lambda t: -scores[t]) or terms


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
